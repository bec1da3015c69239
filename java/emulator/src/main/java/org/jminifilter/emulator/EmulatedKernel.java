package org.jminifilter.emulator;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.ToIntFunction;
import org.jminifilter.port.FilterPort;
import org.jminifilter.port.fltlib.FltLibFilterPort;
import org.jminifilter.port.fltlib.FltLibPortProvider;
import org.jminifilter.protocol.ConnectContext;
import org.jminifilter.protocol.Protocol;
import org.jminifilter.protocol.NtStatus;

/**
 * The emulated kernel (libjmfemu.so) with the real driver: volumes with their in-memory file
 * systems, processes, the driver's load and unload, file operations issued as a process, and
 * what the emulator caught (Driver-Verifier-like misuse and leaks).
 *
 * <p>The emulator is process-global state, so at most one EmulatedKernel is open at a time in a
 * JVM; {@link #start()} fails while another is. Tests run in parallel must take turns: the
 * jminifilter-junit extension ({@code @WithEmulatedKernel}) declares a JUnit resource lock for
 * that. {@link #close()} closes the files and ports still
 * open, unloads the driver and fails with {@link EmulatorViolationException} when anything was
 * recorded: a test that forgets to look still fails.
 *
 * <pre>{@code
 * try (EmulatedKernel kernel = EmulatedKernel.start()) {
 *     EmulatedVolume c = kernel.createVolume("\\Device\\HarddiskVolume1");
 *     kernel.loadDriver();
 *     EmulatedProcess notepad = kernel.process(1200, "\\Device\\HarddiskVolume1\\Windows\\notepad.exe");
 *     try (EmulatedFile f = notepad.open(c, "\\a.txt", GENERIC_WRITE, Disposition.CREATE).orThrow()) {
 *         f.write(0, "hello");
 *     }
 * }
 * }</pre>
 */
public final class EmulatedKernel implements AutoCloseable {

    /**
     * The altitude the driver loads at unless told otherwise: the INF's (inf/jminifilter.inf,
     * Instance1.Altitude, FSFilter Content Screener), so the emulator stacks it where Windows does.
     * ci/check verifies the two agree.
     */
    public static final String DEFAULT_ALTITUDE = "265000";
    /** The device stack size of volumes created without one. */
    public static final int DEFAULT_STACK_SIZE = 8;
    /** The process the policy service's port calls run as (privileged, like a service). */
    public static final int SERVICE_PID = 4000;
    public static final String SERVICE_IMAGE = "\\Device\\HarddiskVolume1\\Program Files\\jminifilter\\java.exe";

    private static final AtomicReference<EmulatedKernel> CURRENT = new AtomicReference<>();

    private final EmuLibrary lib;
    private final String openedBy;
    private final Set<EmulatedFile> openFiles = ConcurrentHashMap.newKeySet();
    private final List<EmulatedVolume> volumes = new ArrayList<>();
    private ObserverFilter observer;
    private volatile boolean driverLoaded;
    private volatile boolean closed;

    private EmulatedKernel(EmuLibrary lib) {
        this.lib = lib;
        this.openedBy = "thread '" + Thread.currentThread().getName() + "' at " + Instant.now();
    }

    /**
     * Loads the library, resets the emulator and registers the service process.
     *
     * @throws EmulatorUnavailableException when libjmfemu.so cannot be found or loaded (the
     *         jminifilter-emulator jar carries it for Linux x86-64; elsewhere use MockFilterPort)
     * @throws IllegalStateException when another EmulatedKernel is open
     */
    public static EmulatedKernel start() {
        return start(EmuLibrary.get());
    }

    /** Starts over {@code lib} (tests give a stand-in for the native library). */
    static EmulatedKernel start(EmuLibrary lib) {
        EmulatedKernel kernel = new EmulatedKernel(lib);
        if (!CURRENT.compareAndSet(null, kernel)) {
            EmulatedKernel other = CURRENT.get();
            throw new IllegalStateException("another EmulatedKernel is open (started by "
                    + (other != null ? other.openedBy : "?") + "): the emulator is process-global state,"
                    + " close that one first");
        }
        try {
            check(lib.EmuReset(), "EmuReset");
            check(lib.EmuSetProcess(SERVICE_PID, SERVICE_IMAGE, 1), "EmuSetProcess(service)");
        } catch (RuntimeException | Error e) {
            CURRENT.compareAndSet(kernel, null);
            throw e;
        }
        return kernel;
    }

    /** The open kernel, if any (the emulator's port provider runs its connects as the service process). */
    static Optional<EmulatedKernel> current() {
        return Optional.ofNullable(CURRENT.get());
    }

    // ------------------------------------------------------------------ world

    /** Creates a volume with the default device stack size. */
    public EmulatedVolume createVolume(String ntName) {
        return createVolume(ntName, DEFAULT_STACK_SIZE);
    }

    /** Creates a volume; every started filter (the driver, once loaded) gets an instance on it. */
    public synchronized EmulatedVolume createVolume(String ntName, int stackSize) {
        requireOpen();
        int id = lib.EmuCreateVolume(ntName, stackSize, 0);
        if (id < 1) {
            throw new IllegalStateException("EmuCreateVolume(" + ntName + ", stack " + stackSize
                    + ") failed with " + id);
        }
        EmulatedVolume volume = new EmulatedVolume(id, ntName);
        volumes.add(volume);
        return volume;
    }

    /** The volumes created, in order. */
    public synchronized List<EmulatedVolume> volumes() {
        return List.copyOf(volumes);
    }

    /** Registers (or updates) an unprivileged process. */
    public EmulatedProcess process(int pid, String imageNtPath) {
        requireOpen();
        check(lib.EmuSetProcess(pid, imageNtPath, 0), "EmuSetProcess(" + pid + ", " + imageNtPath + ")");
        return new EmulatedProcess(this, pid, imageNtPath);
    }

    // ------------------------------------------------------------------ driver

    /** Loads the driver at {@link #DEFAULT_ALTITUDE}. */
    public NtStatus loadDriver() {
        return loadDriver(DEFAULT_ALTITUDE);
    }

    /**
     * Calls the driver's DriverEntry.
     *
     * @throws IllegalStateException when DriverEntry fails (its status in the message)
     */
    public synchronized NtStatus loadDriver(String altitude) {
        requireOpen();
        if (driverLoaded) {
            throw new IllegalStateException("the driver is already loaded");
        }
        NtStatus status = NtStatus.of(lib.EmuLoadDriver(altitude));
        if (!status.isSuccess()) {
            throw new IllegalStateException("the driver's DriverEntry failed with " + status
                    + (status.equals(NtStatus.NOT_FOUND) ? ": libjmfemu.so was built without the driver" : "")
                    + violationSuffix());
        }
        driverLoaded = true;
        return status;
    }

    public boolean isDriverLoaded() {
        return driverLoaded;
    }

    /**
     * Closes the files and ports still open, unloads the driver (mandatory unload) and checks
     * for leaks.
     *
     * @return the unload callback's status
     * @throws EmulatorViolationException when the emulator recorded any violation (leaks included)
     */
    public synchronized NtStatus unloadDriver() {
        return unloadDriverChecked();
    }

    /**
     * Asks the driver to unload as {@code fltmc unload} or a service stop does (not mandatory): a
     * driver in locked mode refuses with STATUS_FLT_DO_NOT_DETACH and stays loaded. When it
     * unloads, leaks are checked as by {@link #unloadDriver()}.
     *
     * @return the unload callback's status
     * @throws EmulatorViolationException when the emulator recorded any violation (leaks included)
     */
    public synchronized NtStatus requestUnload() {
        requireOpen();
        if (!driverLoaded) {
            throw new IllegalStateException("the driver is not loaded");
        }
        NtStatus status = NtStatus.of(lib.EmuUnloadDriverEx(0));
        if (status.isSuccess()) {
            driverLoaded = false;
        }
        List<String> found = violations();
        if (!found.isEmpty()) {
            throw new EmulatorViolationException("a non-mandatory unload (status " + status + ")", found);
        }
        return status;
    }

    /**
     * Detaches the driver's instance from a volume, as {@code fltmc detach} does: its
     * instance teardown runs (handles redirected to that volume lose their target).
     *
     * @return FltDetachVolume's status
     */
    public synchronized NtStatus detachDriver(EmulatedVolume volume) {
        requireOpen();
        if (!driverLoaded) {
            throw new IllegalStateException("the driver is not loaded");
        }
        return NtStatus.of(lib.EmuDetachDriver(volume.id()));
    }

    private NtStatus unloadDriverChecked() {
        requireOpen();
        if (!driverLoaded) {
            throw new IllegalStateException("the driver is not loaded");
        }
        closeOpenHandles();
        driverLoaded = false;
        NtStatus status = NtStatus.of(lib.EmuUnloadDriver());
        List<String> found = violations();
        if (!found.isEmpty()) {
            throw new EmulatorViolationException("unloading the driver (unload status " + status + ")", found);
        }
        return status;
    }

    // ------------------------------------------------------------------ observer

    /** The altitude {@link #startObserver()} uses: below the driver's. */
    public static final String OBSERVER_ALTITUDE = "140000";

    /** Starts the observer filter below the driver. */
    public ObserverFilter startObserver() {
        return startObserver(OBSERVER_ALTITUDE);
    }

    /** Starts the observer filter at {@code altitude} (one at a time); it attaches to every volume. */
    public synchronized ObserverFilter startObserver(String altitude) {
        requireOpen();
        if (observer != null) {
            throw new IllegalStateException("the observer is already running at altitude " + observer.altitude());
        }
        NtStatus status = NtStatus.of(lib.EmuObserverStart(altitude));
        if (!status.isSuccess()) {
            throw new IllegalStateException("EmuObserverStart(" + altitude + ") failed with " + status);
        }
        observer = new ObserverFilter(this, altitude);
        return observer;
    }

    synchronized void observerStopped(ObserverFilter stopped) {
        if (observer == stopped && !closed) {
            observer = null;
            NtStatus status = NtStatus.of(lib.EmuObserverStop());
            if (!status.isSuccess()) {
                throw new IllegalStateException("EmuObserverStop failed with " + status);
            }
        }
    }

    EmuLibrary library() {
        return lib;
    }

    // ------------------------------------------------------------------ port

    /** Connects to the driver's port with this library's context, as the service process. */
    public FilterPort connect() {
        return connect(ConnectContext.current());
    }

    /** Connects to the driver's port with {@code context}, as the service process. */
    public FilterPort connect(ConnectContext context) {
        requireOpen();
        return EmulatedKernelPort.connect(lib, Protocol.PORT_NAME, context);
    }

    /**
     * Connects to the driver's port with {@code context}, as the service process, through the
     * Windows port class, {@link FltLibFilterPort}, unchanged: {@link FltLibPortProvider#boundTo}
     * binds fltlib's and kernel32's functions from this library (emu_fltlib.c exports their names
     * with Windows' semantics) instead of fltlib.dll and kernel32.dll, so the production port's
     * code path (overlapped gets on an I/O completion port, CancelIoEx on close) runs against the
     * real driver here. The port's settings are those the {@code "fltlib"} provider reads from the
     * system properties ({@link FltLibPortProvider#settingsFrom}).
     *
     * @throws IllegalStateException when this kernel does not run on the loaded libjmfemu.so
     */
    public FilterPort connectThroughFltLibShim(ConnectContext context) {
        requireOpen();
        if (lib != EmuLibrary.Holder.instance()) {
            throw new IllegalStateException("this kernel runs on a stand-in for libjmfemu.so: no fltlib shim to bind");
        }
        // The connecting thread becomes the driver's client, as with connect().
        check(lib.EmuSetCurrentProcess(SERVICE_PID), "EmuSetCurrentProcess(service)");
        FltLibPortProvider provider = FltLibPortProvider.boundTo(libraryFile(),
                FltLibPortProvider.settingsFrom(System.getProperties()));
        return provider.connect(Protocol.PORT_NAME, context);
    }

    /**
     * The libjmfemu.so file the emulator was loaded from (loading it first if needed): what
     * {@link #connectThroughFltLibShim} binds fltlib's and kernel32's names from. A copy extracted
     * from the jminifilter-emulator jar is deleted once loaded; loading the same path again still
     * gives the library already loaded (the dynamic loader matches it by name).
     *
     * @throws EmulatorUnavailableException when the library cannot be found or loaded
     */
    public static Path libraryFile() {
        EmuLibrary.get();
        return EmuLibrary.Holder.location().file();
    }

    // ------------------------------------------------------------------ file systems, directly

    /** Whether {@code path} exists on {@code volume} (file or directory), looked at without filters. */
    public boolean exists(EmulatedVolume volume, String path) {
        return lib.EmuFsExists(volume.id(), path) > 0;
    }

    /** The content of a file, read directly (no filters), or empty when it does not exist. */
    public Optional<byte[]> readFile(EmulatedVolume volume, String path) {
        long size = lib.EmuFsRead(volume.id(), path, new byte[1], 0);
        while (size >= 0) {
            if (size > Integer.MAX_VALUE - 8) {
                throw new IllegalStateException(volume + path + " is too large to read: " + size + " bytes");
            }
            byte[] buffer = new byte[(int) size];
            long now = lib.EmuFsRead(volume.id(), path, buffer.length == 0 ? new byte[1] : buffer, buffer.length);
            if (now == size) {
                return Optional.of(buffer);
            }
            size = now; // changed between the two calls
        }
        return Optional.empty();
    }

    /** The content of a file as UTF-8, read directly, or empty when it does not exist. */
    public Optional<String> readText(EmulatedVolume volume, String path) {
        return readFile(volume, path).map(b -> new String(b, StandardCharsets.UTF_8));
    }

    /** Creates or replaces a file directly (no filters); its parent directories must exist. */
    public void putFile(EmulatedVolume volume, String path, byte[] data) {
        check(lib.EmuFsPut(volume.id(), path, data, data.length, 0), "EmuFsPut(" + volume + path + ")");
    }

    /** Creates or replaces a UTF-8 text file directly. */
    public void putText(EmulatedVolume volume, String path, String text) {
        putFile(volume, path, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Creates a directory directly; its parent must exist. */
    public void makeDirectory(EmulatedVolume volume, String path) {
        check(lib.EmuFsPut(volume.id(), path, new byte[1], 0, 1), "EmuFsPut(" + volume + path + ", directory)");
    }

    // ------------------------------------------------------------------ what the emulator caught

    /** Every violation recorded since the start (or the last {@link #clearViolations()}). */
    public List<String> violations() {
        int count = lib.EmuViolationCount();
        List<String> texts = new ArrayList<>(Math.max(0, count));
        byte[] buffer = new byte[4096];
        for (int i = 0; i < count; i++) {
            int n = lib.EmuViolationText(i, buffer, buffer.length);
            texts.add(n < 0 ? "(violation " + i + " has no text)"
                    : new String(buffer, 0, Math.min(n, buffer.length - 1), StandardCharsets.UTF_8));
        }
        return texts;
    }

    /** Forgets the violations recorded so far (after a test inspected expected ones). */
    public void clearViolations() {
        lib.EmuViolationsClear();
    }

    /** Checks for leaks now, as an unload would; they show up in {@link #violations()}. */
    public void checkLeaks() {
        lib.EmuCheckLeaks();
    }

    /** Pool blocks the filters hold right now. */
    public long poolBlocks() {
        return lib.EmuPoolBlocks();
    }

    // ------------------------------------------------------------------ close

    /**
     * Closes open files and ports, unloads the driver if loaded, and releases the emulator for
     * the next EmulatedKernel.
     *
     * @throws EmulatorViolationException when any violation was recorded (leaks included)
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        try {
            if (driverLoaded) {
                unloadDriver(); // throws on violations
            } else {
                closeOpenHandles();
                List<String> found = violations();
                if (!found.isEmpty()) {
                    throw new EmulatorViolationException("closing the emulated kernel", found);
                }
            }
        } finally {
            closed = true;
            CURRENT.compareAndSet(this, null);
        }
    }

    // ------------------------------------------------------------------ internals

    /** Runs {@code call} on this thread as {@code process}. */
    int asProcess(EmulatedProcess process, ToIntFunction<EmuLibrary> call) {
        requireOpen();
        check(lib.EmuSetCurrentProcess(process.pid()), "EmuSetCurrentProcess(" + process.pid() + ")");
        return call.applyAsInt(lib);
    }

    EmulatedFile remember(EmulatedFile file) {
        openFiles.add(file);
        return file;
    }

    void forget(EmulatedFile file) {
        openFiles.remove(file);
    }

    private void closeOpenHandles() {
        for (EmulatedFile file : List.copyOf(openFiles)) {
            file.close();
        }
        EmulatedKernelPort.closeAll();
        if (observer != null) {
            observer.close();
        }
    }

    private String violationSuffix() {
        List<String> found = violations();
        return found.isEmpty() ? "" : "; violations: " + found;
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("this EmulatedKernel is closed");
        }
    }

    private static void check(int status, String call) {
        if (status != 0) {
            throw new IllegalStateException(call + " failed with " + NtStatus.of(status));
        }
    }
}
