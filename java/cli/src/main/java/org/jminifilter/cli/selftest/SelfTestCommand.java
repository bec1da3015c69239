package org.jminifilter.cli.selftest;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

import com.sun.jna.Platform;

import org.jminifilter.cli.ExitCodes;
import org.jminifilter.emulator.EmulatorUnavailableException;
import org.jminifilter.port.ConnectionLimitException;
import org.jminifilter.port.PortNotFoundException;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code jminifilter selftest}: the self-test suite against the real driver on this Windows
 * machine (the default) or against the real driver on the emulated kernel ({@code --emulated}),
 * the service on the emulator's port class or ({@code --port fltlib-shim}) on the Windows one
 * through the emulator's fltlib shim ({@link EmulatedPort}).
 * Exit 0 when every scenario passes, 1 when any fails, 3 when the driver cannot be reached.
 */
@Command(name = "selftest", mixinStandardHelpOptions = true,
        description = {"Runs the self-test scenarios against the real driver or the emulated kernel.",
                "Runs the self-test scenarios: operations by a process other than the service, each checked",
                "against what the policy promises (deny before and after the open, modify, redirect to a second",
                "volume, asks answered and timed out, audit events, statistics, rename into a denied folder).",
                "Default: the real driver on this Windows machine (elevated; stop `serve` or the service first:",
                "the driver admits one client). --emulated: the real driver on the emulated kernel (Linux x86-64),",
                "the service on the emulator's port class, or with --port fltlib-shim on the Windows one.",
                "Exit 0 every scenario passed, 1 a scenario failed, 3 the driver cannot be reached."})
public final class SelfTestCommand implements Callable<Integer> {

    @Option(names = "--emulated", description = "Run against the real driver on the emulated kernel in this process.")
    boolean emulated;

    @Option(names = "--port", paramLabel = "PORT",
            description = "With --emulated: the port class the service runs over: emulated (the default: the"
                    + " emulator's EmulatedKernelPort) or fltlib-shim (FltLibFilterPort, the Windows port class,"
                    + " with fltlib's and kernel32's functions bound from libjmfemu.so).")
    String port;

    @Option(names = "--json", description = "Print the report as JSON.")
    boolean json;

    @Option(names = "--volume", defaultValue = "C:", paramLabel = "DRIVE",
            description = "Windows: the NTFS volume the scenarios work on, a drive letter or a mount folder"
                    + " (default: ${DEFAULT-VALUE}).")
    String volume;

    @Option(names = "--redirect-volume", defaultValue = "R:", paramLabel = "DRIVE",
            description = "Windows: the second volume, the redirect target (default: ${DEFAULT-VALUE}, the VHDX "
                    + "ci\\vm\\prepare.ps1 mounts; its -RedirectDrive).")
    String redirectVolume;

    @Option(names = "--ask-timeout-ms", defaultValue = "2000", paramLabel = "MS",
            description = "The timeout of the ask nobody answers in time, 1..60000 (default: ${DEFAULT-VALUE}).")
    int askTimeoutMs;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (askTimeoutMs < 1 || askTimeoutMs > 60_000) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--ask-timeout-ms must be 1..60000, not " + askTimeoutMs);
        }
        EmulatedPort emulatedPort = EmulatedPort.EMULATED;
        if (port != null) {
            if (!emulated) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--port goes with --emulated:"
                        + " against the real driver the service always uses fltlib.dll (FltLibFilterPort)");
            }
            try {
                emulatedPort = EmulatedPort.named(port);
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--port: " + e.getMessage());
            }
        }
        if (!emulated && !Platform.isWindows()) {
            err.println("jminifilter: selftest without --emulated runs against the real driver, which needs Windows"
                    + " (a test-signed VM: see the README's \"Windows: from a fresh VM to a passing self-test\")."
                    + " Here, run `jminifilter selftest --emulated`: the same scenarios against the real driver's"
                    + " sources on the emulated kernel.");
            return ExitCodes.NO_DRIVER;
        }
        SelfTestSuite suite = SelfTestSuite.standard().withAskTimeout(Duration.ofMillis(askTimeoutMs));
        EmulatedPort through = emulatedPort;
        Supplier<Machine> machine = emulated ? () -> EmulatedMachine.start(through)
                : () -> WindowsMachine.open(volume, redirectVolume);
        return run(machine, suite, out, err, json);
    }

    /**
     * Runs {@code suite} on the machine {@code machine} gives, prints the report and returns the
     * exit code: what the command does, for tests that give another suite.
     */
    public static int run(Supplier<Machine> machine, SelfTestSuite suite, PrintWriter out, PrintWriter err,
            boolean json) {
        SelfTestReport report;
        try (Machine m = machine.get()) {
            report = suite.run(m);
        } catch (EmulatorUnavailableException e) {
            err.println("jminifilter: the emulated kernel is not available here: " + e.getMessage());
            return ExitCodes.FAILED;
        } catch (ConnectionLimitException e) {
            err.println("jminifilter: " + e.getMessage() + ": another policy service (the jminifilter service or a"
                    + " `serve`) holds the driver's only connection, and the self-test must be the service itself."
                    + " Run `jminifilter service stop`, then selftest, then `jminifilter service start`.");
            return ExitCodes.NO_DRIVER;
        } catch (PortNotFoundException e) {
            err.println("jminifilter: " + e.getMessage() + ": the driver is not loaded (ci\\vm\\install.ps1 installs"
                    + " it; `fltmc load jminifilter` loads it).");
            return ExitCodes.NO_DRIVER;
        }
        if (json) {
            out.println(report.toJson());
            out.flush();
        } else {
            report.printTable(out);
        }
        return report.passed() ? ExitCodes.OK : ExitCodes.INVALID;
    }
}
