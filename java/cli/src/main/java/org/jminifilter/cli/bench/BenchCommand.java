package org.jminifilter.cli.bench;

import java.io.PrintWriter;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.ToLongFunction;

import com.sun.jna.Platform;

import org.jminifilter.cli.ExitCodes;
import org.jminifilter.cli.selftest.WindowsMachine;
import org.jminifilter.port.FilterPorts;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code jminifilter bench}: creates, writes, closes, opens, reads and closes many files with the
 * driver unloaded, loaded with an empty policy, and loaded with 10,000 rules, and prints the mean
 * time of each operation and the overhead ratios.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Times create/open/read/write/close of many files with the driver unloaded, loaded with an",
                "empty policy, and loaded with 10,000 rules, and prints the overhead ratios per operation.",
                "Default: the real driver on this Windows machine (elevated; it runs fltmc unload/load, so stop",
                "the jminifilter service first). --emulated: the emulated kernel; its figures mean nothing for",
                "performance."})
public final class BenchCommand implements Callable<Integer> {

    @Option(names = "--emulated", description = "Run on the emulated kernel (the figures measure the emulator).")
    boolean emulated;

    @Option(names = "--files", defaultValue = "2000", paramLabel = "N",
            description = "Files per run (default: ${DEFAULT-VALUE}).")
    int files;

    @Option(names = "--size", defaultValue = "4096", paramLabel = "BYTES",
            description = "Bytes written and read per file (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--rules", defaultValue = "10000", paramLabel = "N", hidden = true,
            description = "Rules of the large policy (default: ${DEFAULT-VALUE}).")
    int rules;

    @Option(names = "--volume", defaultValue = "C:", paramLabel = "DRIVE",
            description = "Windows: the volume the files go to (default: ${DEFAULT-VALUE}).")
    String volume;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (files < 1 || files > 1_000_000 || size < 0 || size > (1 << 20) || rules < 1 || rules > 100_000) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--files must be 1..1000000 and --size 0..1048576 (not " + files + ", " + size + ")");
        }
        if (!emulated && !Platform.isWindows()) {
            spec.commandLine().getErr().println("jminifilter: bench without --emulated measures the real driver,"
                    + " which needs Windows. Here, `jminifilter bench --emulated` runs the same loop on the emulated"
                    + " kernel (its figures say nothing about Windows performance).");
            return ExitCodes.NO_DRIVER;
        }
        try (BenchTarget target = emulated ? new EmulatedBench(rules)
                : new WindowsBench(WindowsMachine.openOneVolume(volume),
                        WindowsBench::runProcess, FilterPorts::connect, rules)) {
            Map<BenchTarget.DriverState, BenchLoop.Timings> results = new EnumMap<>(BenchTarget.DriverState.class);
            for (BenchTarget.DriverState state : BenchTarget.DriverState.values()) {
                results.put(state, target.run(state, files, size));
            }
            print(out, target, results, files, size);
        }
        return ExitCodes.OK;
    }

    /** The table: mean time per operation in each state, and the ratios to the driver-unloaded run. */
    static void print(PrintWriter out, BenchTarget target, Map<BenchTarget.DriverState, BenchLoop.Timings> results,
            int files, int size) {
        out.println("jminifilter bench: " + target.description() + "; " + files + " files of " + size + " bytes");
        if (!target.meaningful()) {
            out.println("(emulated kernel: these figures measure the emulator and say NOTHING about the driver's"
                    + " cost on Windows)");
        }
        out.printf("%n%-10s %14s %14s %14s %12s %12s%n", "operation", "unloaded (us)", "empty (us)", "10k rules (us)",
                "empty/unl.", "10k/unl.");
        row(out, "create", results, BenchLoop.Timings::createNs);
        row(out, "open", results, BenchLoop.Timings::openNs);
        row(out, "read", results, BenchLoop.Timings::readNs);
        row(out, "write", results, BenchLoop.Timings::writeNs);
        row(out, "close", results, BenchLoop.Timings::closeNs);
        out.flush();
    }

    private static void row(PrintWriter out, String name, Map<BenchTarget.DriverState, BenchLoop.Timings> results,
            ToLongFunction<BenchLoop.Timings> field) {
        long unloaded = field.applyAsLong(results.get(BenchTarget.DriverState.UNLOADED));
        long empty = field.applyAsLong(results.get(BenchTarget.DriverState.EMPTY_POLICY));
        long many = field.applyAsLong(results.get(BenchTarget.DriverState.RULES));
        out.printf("%-10s %14.2f %14.2f %14.2f %12s %12s%n", name, unloaded / 1000.0, empty / 1000.0, many / 1000.0,
                ratio(empty, unloaded), ratio(many, unloaded));
    }

    static String ratio(long value, long base) {
        return base <= 0 ? "n/a" : String.format("%.2f", (double) value / base);
    }
}
