package org.jminifilter.cli.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;

import org.jminifilter.cli.selftest.WindowsMachine;
import org.jminifilter.cli.selftest.WorkerProcess;
import org.jminifilter.cli.selftest.WorkerProtocol;
import org.jminifilter.policy.Policy;
import org.jminifilter.port.FilterPort;
import org.jminifilter.service.PolicyService;

/**
 * The benchmark on a real Windows host: {@code fltmc unload jminifilter} for the first run,
 * {@code fltmc load jminifilter} and an empty policy for the second, 10,000 rules for the third;
 * the loop runs in a {@link org.jminifilter.cli.selftest.Worker} child process (the service's own
 * I/O is never filtered), which times each Win32 call itself. At the end the driver is left
 * loaded (with an empty policy) if it was loaded before, unloaded otherwise.
 *
 * <p>Not yet run on Windows.
 */
final class WindowsBench implements BenchTarget {

    /** Runs a command (fltmc) and returns its exit code and output; tests give their own. */
    interface Commands {
        Result run(List<String> command);

        record Result(int exit, String output) {
        }
    }

    private final WindowsMachine machine;
    private final Commands commands;
    private final java.util.function.Supplier<FilterPort> connect;
    private final int rules;
    private final boolean loadedBefore;
    private final String folder;
    private PolicyService service;

    WindowsBench(WindowsMachine machine, Commands commands, java.util.function.Supplier<FilterPort> connect,
            int rules) {
        this.machine = machine;
        this.commands = commands;
        this.connect = connect;
        this.rules = rules;
        this.loadedBefore = commands.run(List.of("fltmc", "filters")).output().toLowerCase(java.util.Locale.ROOT)
                .contains("jminifilter");
        this.folder = "\\jminifilter-bench-" + Long.toHexString(System.nanoTime() & 0xFFFFFFL);
        machine.makeDirectory(machine.first(), folder);
    }

    @Override
    public String description() {
        return "the real driver on this Windows machine, volume " + machine.first();
    }

    @Override
    public boolean meaningful() {
        return true;
    }

    @Override
    public BenchLoop.Timings run(DriverState state, int count, int size) {
        switch (state) {
            case UNLOADED -> {
                if (loadedBefore) {
                    fltmc("unload");
                }
            }
            case EMPTY_POLICY -> {
                fltmc("load");
                service = PolicyService.builder(connect.get()).policy(Policy.EMPTY)
                        .eventInterval(Duration.ofSeconds(1)).build().start();
            }
            case RULES -> service.replacePolicy(BenchRules.policy(rules));
        }
        try (WorkerProcess worker = machine.startWorker()) {
            return timings(worker.exchange(WorkerProtocol.request("bench",
                    WindowsMachine.win32Path(machine.first(), folder), count, size)));
        }
    }

    /** Decodes the worker's {@code B} line. */
    static BenchLoop.Timings timings(String line) {
        List<String> f = WorkerProtocol.fields(line);
        if (f.size() != 6 || !f.get(0).equals(WorkerProtocol.BENCH_RESULT)) {
            throw new IllegalStateException("the worker's benchmark failed: " + line);
        }
        Function<Integer, Long> at = i -> Long.parseLong(f.get(i));
        return new BenchLoop.Timings(at.apply(1), at.apply(2), at.apply(3), at.apply(4), at.apply(5));
    }

    private void fltmc(String verb) {
        Commands.Result r = commands.run(List.of("fltmc", verb, "jminifilter"));
        if (r.exit() != 0) {
            throw new IllegalStateException("fltmc " + verb + " jminifilter failed (exit " + r.exit() + "): "
                    + r.output().trim() + " (run elevated, with the driver installed by ci\\vm\\install.ps1,"
                    + " and stop the jminifilter service first)");
        }
    }

    @Override
    public void close() {
        try {
            if (service != null) {
                service.replacePolicy(Policy.EMPTY);
                service.close();
            }
            if (!loadedBefore) {
                commands.run(List.of("fltmc", "unload", "jminifilter"));
            }
        } finally {
            machine.removeTree(machine.first(), folder);
        }
    }

    /** The real commands: a child process, its output read whole. */
    static Commands.Result runProcess(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return new Commands.Result(p.waitFor(), out);
        } catch (IOException e) {
            throw new UncheckedIOException("running " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + command, e);
        }
    }
}
