package org.jminifilter.cli.selftest;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import org.jminifilter.emulator.EmulatedProcess;
import org.jminifilter.port.FilterPort;

/**
 * The Windows machine's process side on Linux: the emulated machine, but every process is a
 * {@link WorkerProcess} talking {@link WorkerProtocol} over pipes to a {@link Worker} (on a
 * thread of its own) whose Win32 calls are {@link EmulatedFileApi}. So the suite runs through
 * exactly what {@link WindowsMachine} uses, Win32 errors and all, down to the real driver.
 */
class WorkerBackedMachine implements Machine {

    private final EmulatedMachine emulated;
    private final boolean giveNtStatus;
    private final AtomicInteger nextPid = new AtomicInteger(5000);
    volatile EmulatedFileApi lastApi;

    WorkerBackedMachine(EmulatedMachine emulated, boolean giveNtStatus) {
        this.emulated = emulated;
        this.giveNtStatus = giveNtStatus;
    }

    @Override
    public String description() {
        return "Worker processes (Win32 results" + (giveNtStatus ? " with NTSTATUS" : " only") + ") over "
                + emulated.description();
    }

    @Override
    public Volume first() {
        return emulated.first();
    }

    @Override
    public Volume second() {
        return emulated.second();
    }

    @Override
    public void makeDirectory(Volume volume, String path) {
        emulated.makeDirectory(volume, path);
    }

    @Override
    public void putText(Volume volume, String path, String text) {
        emulated.putText(volume, path, text);
    }

    @Override
    public Optional<String> readText(Volume volume, String path) {
        return emulated.readText(volume, path);
    }

    @Override
    public boolean exists(Volume volume, String path) {
        return emulated.exists(volume, path);
    }

    @Override
    public void removeTree(Volume volume, String path) {
        emulated.removeTree(volume, path);
    }

    @Override
    public TestProcess startProcess() {
        EmulatedProcess process = emulated.kernel().process(nextPid.getAndIncrement(), EmulatedMachine.WORKER_IMAGE);
        EmulatedFileApi api = new EmulatedFileApi(emulated.kernel(), process, giveNtStatus);
        lastApi = api;
        try {
            PipedOutputStream requests = new PipedOutputStream();
            PipedInputStream workerIn = new PipedInputStream(requests, 1 << 16);
            PipedOutputStream workerOut = new PipedOutputStream();
            PipedInputStream answers = new PipedInputStream(workerOut, 1 << 16);
            Thread worker = new Thread(() -> {
                try (PrintWriter out = new PrintWriter(new OutputStreamWriter(workerOut, StandardCharsets.UTF_8), true)) {
                    new Worker(api).serve(new BufferedReader(new InputStreamReader(workerIn, StandardCharsets.UTF_8)),
                            out, process.pid());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, "selftest-worker-" + process.pid());
            worker.start();
            return new WorkerProcess(new BufferedReader(new InputStreamReader(answers, StandardCharsets.UTF_8)),
                    new OutputStreamWriter(requests, StandardCharsets.UTF_8), WindowsMachine::win32Path, () -> {
                        try {
                            worker.join(10_000);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public FilterPort connect() {
        return emulated.connect();
    }

    @Override
    public Optional<Integer> lastWriteFlagsBelow() {
        return Optional.empty(); // as on Windows: nothing below the driver is visible
    }

    @Override
    public void close() {
        emulated.close();
    }
}
