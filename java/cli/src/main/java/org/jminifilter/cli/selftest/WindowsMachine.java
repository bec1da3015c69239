package org.jminifilter.cli.selftest;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.sun.jna.Platform;

import org.jminifilter.cli.WindowsVolumes;
import org.jminifilter.port.FilterPort;
import org.jminifilter.port.FilterPorts;

/**
 * The machine under test on a real Windows host: two NTFS volumes named by drive letter or mount folder (the
 * second normally the VHDX {@code ci\vm\prepare.ps1} mounts), a {@link Worker} child process per
 * run doing the file operations with Win32 calls, and the real driver's port
 * ({@link FilterPorts#connect()}, fltlib). This process is the connected policy service, so its
 * own set-up I/O (java.nio) is never filtered.
 *
 * <p>Not yet run on Windows: its logic is tested on Linux with fakes (WorkerTest, WindowsMachineTest).
 */
public final class WindowsMachine implements Machine {

    private final Volume first;
    private final Volume second;
    private final List<String> workerCommand;

    WindowsMachine(Volume first, Volume second, List<String> workerCommand) {
        this.first = first;
        this.second = second;
        this.workerCommand = List.copyOf(workerCommand);
    }

    /**
     * The machine with the volumes {@code drive} and {@code redirectDrive} (drive letters or mount
     * folders, resolved by {@link WindowsVolumes}).
     *
     * @throws IllegalArgumentException naming a drive that is not a volume, or the same volume twice
     */
    public static WindowsMachine open(String drive, String redirectDrive) {
        if (!Platform.isWindows()) {
            throw new IllegalStateException("the real driver needs Windows; use --emulated");
        }
        return of(drive, redirectDrive, new WindowsVolumes(), workerCommand());
    }

    /** The machine with one volume (the benchmark's): {@link #second()} is the same volume. */
    public static WindowsMachine openOneVolume(String drive) {
        if (!Platform.isWindows()) {
            throw new IllegalStateException("the real driver needs Windows; use --emulated");
        }
        Volume a = volume(drive, "--volume", new WindowsVolumes());
        return new WindowsMachine(a, a, workerCommand());
    }

    /** The machine, resolving its volumes with {@code volumes} (this machine's; tests give a fake kernel32). */
    static WindowsMachine of(String drive, String redirectDrive, WindowsVolumes volumes, List<String> workerCommand) {
        Volume a = volume(drive, "--volume", volumes);
        Volume b = volume(redirectDrive, "--redirect-volume", volumes);
        if (a.ntName().equalsIgnoreCase(b.ntName())) {
            throw new IllegalArgumentException("--volume " + a.label() + " and --redirect-volume " + b.label()
                    + " are the same volume (" + a.ntName() + "): the redirect scenario needs a second volume");
        }
        return new WindowsMachine(a, b, workerCommand);
    }

    /**
     * The volume {@code written} names, looked up by {@link WindowsVolumes} (as policy files' volume
     * names are). Its label is the name as looked up ({@code C:}, {@code C:\mnt\data}): the
     * scenarios' Win32 paths start with it. A volume GUID path is refused: this process sets up
     * files with java.nio, which takes no {@code \\?\} path. The volume must be a local disk
     * ({@code \Device\HarddiskVolumeN}): the scenarios write to it.
     */
    private static Volume volume(String written, String option, WindowsVolumes volumes) {
        WindowsVolumes.Lookup found = volumes.lookup(written);
        if (found.isGuidPath()) {
            throw new IllegalArgumentException(option + " " + written + ": a volume GUID path cannot be used here"
                    + " (the set-up's java.nio takes no \\\\?\\ path); give the volume's drive letter or a mount"
                    + " folder");
        }
        String nt = found.target().orElseThrow(() -> new IllegalArgumentException(option + " " + written
                + ": no such drive or mount folder (for the redirect volume, run ci\\vm\\prepare.ps1, which mounts"
                + " its VHDX)"));
        if (!nt.regionMatches(true, 0, "\\Device\\HarddiskVolume", 0, "\\Device\\HarddiskVolume".length())) {
            throw new IllegalArgumentException(option + " " + written + " is " + nt
                    + ", not a local disk volume the driver attaches to (SUBST, network or removable drive?)");
        }
        return new Volume(found.name(), nt);
    }

    /** {@code java -cp <this JVM's class path> org.jminifilter.cli.selftest.Worker}. */
    static List<String> workerCommand() {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java.exe").toString());
        return List.of(java, "-cp", System.getProperty("java.class.path"), Worker.class.getName());
    }

    @Override
    public String description() {
        return "the real driver on this Windows machine, volumes " + first + " and " + second;
    }

    @Override
    public Volume first() {
        return first;
    }

    @Override
    public Volume second() {
        return second;
    }

    /** The Win32 path of {@code path} (volume-relative, {@code \dir\file}) on {@code volume}. */
    public static String win32Path(Volume volume, String path) {
        if (!path.startsWith("\\")) {
            throw new IllegalArgumentException("a volume-relative path starts with \\: " + path);
        }
        return volume.label() + path;
    }

    private static Path at(Volume volume, String path) {
        return Path.of(win32Path(volume, path));
    }

    @Override
    public void makeDirectory(Volume volume, String path) {
        try {
            Files.createDirectories(at(volume, path));
        } catch (IOException e) {
            throw new UncheckedIOException("creating " + win32Path(volume, path), e);
        }
    }

    @Override
    public void putText(Volume volume, String path, String text) {
        try {
            Files.writeString(at(volume, path), text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + win32Path(volume, path), e);
        }
    }

    @Override
    public Optional<String> readText(Volume volume, String path) {
        Path p = at(volume, path);
        if (!Files.isRegularFile(p)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Files.readString(p, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + p, e);
        }
    }

    @Override
    public boolean exists(Volume volume, String path) {
        return Files.exists(at(volume, path));
    }

    @Override
    public void removeTree(Volume volume, String path) {
        Path root = at(volume, path);
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("removing " + root, e);
        }
    }

    @Override
    public TestProcess startProcess() {
        return startWorker();
    }

    /** Starts a {@link Worker} child process (the benchmark sends it {@code bench} requests). */
    public WorkerProcess startWorker() {
        Process p;
        try {
            p = new ProcessBuilder(workerCommand).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        } catch (IOException e) {
            throw new UncheckedIOException("starting the worker process " + workerCommand, e);
        }
        return new WorkerProcess(new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)),
                new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8), WindowsMachine::win32Path,
                () -> end(p));
    }

    private static void end(Process p) {
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public FilterPort connect() {
        return FilterPorts.connect();
    }

    @Override
    public Optional<Integer> lastWriteFlagsBelow() {
        return Optional.empty();
    }

    @Override
    public void close() {
        // Each worker ends with its TestProcess; the port with the service.
    }
}
