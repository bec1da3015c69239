package org.jminifilter.cli.bench;

import java.time.Duration;

import org.jminifilter.cli.selftest.EmulatedMachine;
import org.jminifilter.emulator.EmulatedFile;
import org.jminifilter.emulator.EmulatedKernel;
import org.jminifilter.emulator.EmulatedProcess;
import org.jminifilter.emulator.EmulatedVolume;
import org.jminifilter.emulator.OpenResult;
import org.jminifilter.policy.Access;
import org.jminifilter.policy.Disposition;
import org.jminifilter.policy.Policy;
import org.jminifilter.service.PolicyService;

/**
 * The benchmark on the emulated kernel: the same loop and states, so the command is tested on
 * Linux; its figures measure the emulator, not Windows.
 */
final class EmulatedBench implements BenchTarget {

    private final EmulatedMachine machine;
    private final EmulatedKernel kernel;
    private final EmulatedVolume volume;
    private final EmulatedProcess process;
    private final int rules;
    private PolicyService service;

    EmulatedBench(int rules) {
        this.machine = EmulatedMachine.start(false);
        this.kernel = machine.kernel();
        this.volume = kernel.volumes().get(0);
        this.process = kernel.process(3000, EmulatedMachine.WORKER_IMAGE);
        this.rules = rules;
        kernel.makeDirectory(volume, "\\bench");
    }

    @Override
    public String description() {
        return "the real driver on the emulated kernel (libjmfemu.so)";
    }

    @Override
    public boolean meaningful() {
        return false;
    }

    @Override
    public BenchLoop.Timings run(DriverState state, int count, int size) {
        switch (state) {
            case UNLOADED -> {
                if (kernel.isDriverLoaded()) {
                    throw new IllegalStateException("the driver is already loaded");
                }
            }
            case EMPTY_POLICY -> {
                kernel.loadDriver();
                service = PolicyService.builder(kernel.connect()).policy(Policy.EMPTY)
                        .eventInterval(Duration.ofSeconds(1)).build().start();
            }
            case RULES -> service.replacePolicy(BenchRules.policy(rules));
        }
        return BenchLoop.run(new Files(), count, size);
    }

    @Override
    public void close() {
        try {
            if (service != null) {
                service.close();
            }
        } finally {
            machine.close();
        }
    }

    /** The loop's files as operations of an emulated process. */
    private final class Files implements BenchLoop.Files {
        private final java.util.Map<Long, EmulatedFile> open = new java.util.HashMap<>();

        private long handle(OpenResult r, String what) {
            EmulatedFile f = r.file().orElseThrow(() -> new IllegalStateException(what + " failed with " + r));
            open.put(f.handle(), f);
            return f.handle();
        }

        @Override
        public long create(int i) {
            return handle(process.open(volume, "\\bench\\f" + i + ".bin", Access.FILE_GENERIC_WRITE,
                    Disposition.OVERWRITE_IF), "create");
        }

        @Override
        public long open(int i) {
            return handle(process.open(volume, "\\bench\\f" + i + ".bin", Access.FILE_GENERIC_READ,
                    Disposition.OPEN), "open");
        }

        @Override
        public void write(long handle, byte[] data) {
            EmulatedFile f = open.get(handle);
            if (!f.write(0, data, false).status().isSuccess()) {
                throw new IllegalStateException("write failed on " + f);
            }
        }

        @Override
        public void read(long handle, int length) {
            EmulatedFile f = open.get(handle);
            if (!f.read(0, length).status().isSuccess()) {
                throw new IllegalStateException("read failed on " + f);
            }
        }

        @Override
        public void close(long handle) {
            open.remove(handle).close();
        }
    }
}
