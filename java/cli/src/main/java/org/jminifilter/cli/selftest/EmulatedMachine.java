package org.jminifilter.cli.selftest;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import org.jminifilter.emulator.CreateOptions;
import org.jminifilter.emulator.EmulatedFile;
import org.jminifilter.emulator.EmulatedKernel;
import org.jminifilter.emulator.EmulatedProcess;
import org.jminifilter.emulator.EmulatedVolume;
import org.jminifilter.emulator.IoResult;
import org.jminifilter.emulator.ObservedOperation;
import org.jminifilter.emulator.ObserverFilter;
import org.jminifilter.emulator.OpenResult;
import org.jminifilter.policy.Access;
import org.jminifilter.policy.Disposition;
import org.jminifilter.port.FilterPort;
import org.jminifilter.protocol.NtStatus;

/**
 * The machine under test on Linux: the real driver on the emulated Filter Manager
 * ({@link EmulatedKernel}), two volumes, the emulator's observer filter below the driver, and
 * processes registered with {@code kernel.process(pid, image)}. Closing it unloads the driver and
 * fails with the emulator's findings (a leak or misuse) if there are any.
 */
public final class EmulatedMachine implements Machine {

    public static final String VOLUME1 = "\\Device\\HarddiskVolume1";
    public static final String VOLUME2 = "\\Device\\HarddiskVolume2";
    /** The image of the processes the suite starts. */
    public static final String WORKER_IMAGE = VOLUME1 + "\\Program Files\\jminifilter\\selftest-worker.exe";

    private final EmulatedKernel kernel;
    private final EmulatedVolume v1;
    private final EmulatedVolume v2;
    private final ObserverFilter observer;
    private final EmulatedPort port;
    private final AtomicInteger nextPid = new AtomicInteger(2000);

    private EmulatedMachine(EmulatedKernel kernel, boolean loadDriver, EmulatedPort port) {
        this.kernel = kernel;
        this.port = port;
        this.v1 = kernel.createVolume(VOLUME1);
        this.v2 = kernel.createVolume(VOLUME2);
        if (loadDriver) {
            kernel.loadDriver();
        }
        this.observer = kernel.startObserver();
    }

    /**
     * Starts the emulated kernel with two volumes and the driver loaded; the service connects
     * through {@link EmulatedPort#EMULATED}.
     */
    public static EmulatedMachine start() {
        return start(EmulatedPort.EMULATED);
    }

    /** Starts the emulated kernel with two volumes and the driver loaded; the service connects through {@code port}. */
    public static EmulatedMachine start(EmulatedPort port) {
        return start(true, port);
    }

    /** Starts the emulated kernel with two volumes, the driver loaded or not (the benchmark's first run). */
    public static EmulatedMachine start(boolean loadDriver) {
        return start(loadDriver, EmulatedPort.EMULATED);
    }

    private static EmulatedMachine start(boolean loadDriver, EmulatedPort port) {
        Objects.requireNonNull(port, "port");
        EmulatedKernel kernel = EmulatedKernel.start();
        try {
            return new EmulatedMachine(kernel, loadDriver, port);
        } catch (RuntimeException | Error e) {
            kernel.close();
            throw e;
        }
    }

    /** The emulated kernel (the benchmark loads the driver between runs). */
    public EmulatedKernel kernel() {
        return kernel;
    }

    @Override
    public String description() {
        return "the real driver on the emulated kernel (libjmfemu.so), altitude " + EmulatedKernel.DEFAULT_ALTITUDE
                + ", the service on " + port.description();
    }

    @Override
    public Volume first() {
        return new Volume(VOLUME1, VOLUME1);
    }

    @Override
    public Volume second() {
        return new Volume(VOLUME2, VOLUME2);
    }

    private EmulatedVolume volume(Volume v) {
        if (v.ntName().equals(VOLUME1)) {
            return v1;
        }
        if (v.ntName().equals(VOLUME2)) {
            return v2;
        }
        throw new IllegalArgumentException("no emulated volume " + v);
    }

    @Override
    public void makeDirectory(Volume volume, String path) {
        StringBuilder at = new StringBuilder();
        for (String part : path.substring(1).split("\\\\")) {
            at.append('\\').append(part);
            if (!kernel.exists(volume(volume), at.toString())) {
                kernel.makeDirectory(volume(volume), at.toString());
            }
        }
    }

    @Override
    public void putText(Volume volume, String path, String text) {
        kernel.putText(volume(volume), path, text);
    }

    @Override
    public Optional<String> readText(Volume volume, String path) {
        return kernel.readText(volume(volume), path);
    }

    @Override
    public boolean exists(Volume volume, String path) {
        return kernel.exists(volume(volume), path);
    }

    @Override
    public void removeTree(Volume volume, String path) {
        // The emulated volumes live as long as the kernel: nothing outlives this run.
    }

    @Override
    public TestProcess startProcess() {
        return new Process(kernel.process(nextPid.getAndIncrement(), WORKER_IMAGE));
    }

    @Override
    public FilterPort connect() {
        return port.connect(kernel);
    }

    @Override
    public Optional<Integer> lastWriteFlagsBelow() {
        return observer.last(ObservedOperation.IRP_MJ_WRITE).map(ObservedOperation::operationFlags);
    }

    @Override
    public void close() {
        kernel.close();
    }

    /** A process of the emulated kernel; its operations run on the calling thread as that process. */
    private final class Process implements TestProcess {
        private final EmulatedProcess process;
        private final Map<Integer, EmulatedFile> handles = new HashMap<>();
        private int nextHandle = 1;

        Process(EmulatedProcess process) {
            this.process = process;
        }

        @Override
        public int pid() {
            return process.pid();
        }

        @Override
        public synchronized Outcome open(Volume volume, String path, int desiredAccess, Disposition disposition,
                int createOptions) {
            // Win32's CreateFile always asks for SYNCHRONIZE and FILE_READ_ATTRIBUTES too; so does this.
            OpenResult r = process.open(volume(volume), path,
                    desiredAccess | Access.SYNCHRONIZE | Access.FILE_READ_ATTRIBUTES, EmulatedProcess.SHARE_READ_WRITE,
                    disposition, EmulatedProcess.FILE_OPTIONS | createOptions);
            int handle = -1;
            if (r.file().isPresent()) {
                handle = nextHandle++;
                handles.put(handle, r.file().get());
            }
            return Outcome.nt(r.status(), handle, r.information(), new byte[0]);
        }

        @Override
        public synchronized Outcome write(int handle, long offset, byte[] data) {
            IoResult r = file(handle).write(offset, data, false);
            return Outcome.nt(r.status(), handle, r.information(), new byte[0]);
        }

        @Override
        public synchronized Outcome read(int handle, long offset, int length) {
            IoResult r = file(handle).read(offset, length);
            return Outcome.nt(r.status(), handle, r.information(), r.data());
        }

        @Override
        public synchronized Outcome close(int handle) {
            EmulatedFile f = handles.remove(handle);
            if (f == null) {
                return Outcome.nt(NtStatus.INVALID_HANDLE, handle, 0, new byte[0]);
            }
            return Outcome.nt(f.closeHandle(), handle, 0, new byte[0]);
        }

        @Override
        public synchronized Outcome rename(Volume volume, String from, String to) {
            // As MoveFileEx does: open the source for DELETE, set FileRenameInformation, close.
            OpenResult r = process.open(volume(volume), from, Access.DELETE | Access.SYNCHRONIZE,
                    EmulatedProcess.SHARE_READ_WRITE | com.sun.jna.platform.win32.WinNT.FILE_SHARE_DELETE,
                    Disposition.OPEN, CreateOptions.FILE_SYNCHRONOUS_IO_NONALERT);
            if (r.file().isEmpty()) {
                return Outcome.nt(r.status(), -1, 0, new byte[0]);
            }
            try (EmulatedFile f = r.file().get()) {
                return Outcome.nt(f.rename(to, false), -1, 0, new byte[0]);
            }
        }

        private EmulatedFile file(int handle) {
            EmulatedFile f = handles.get(handle);
            if (f == null) {
                throw new IllegalArgumentException("no open handle " + handle + " in " + process);
            }
            return f;
        }

        @Override
        public synchronized void close() {
            handles.values().forEach(EmulatedFile::close);
            handles.clear();
        }
    }
}
