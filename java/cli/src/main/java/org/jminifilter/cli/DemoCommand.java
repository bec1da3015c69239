package org.jminifilter.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

import org.jminifilter.cli.demo.DemoScenario;
import org.jminifilter.cli.policyfile.PolicyFile;
import org.jminifilter.cli.policyfile.PolicyFileException;
import org.jminifilter.emulator.EmuLibrary;
import org.jminifilter.emulator.EmulatorUnavailableException;
import org.jminifilter.emulator.EmulatorViolationException;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code jminifilter demo}: the main job's demonstration, runnable on Linux x86-64 after a build
 * ({@code java -jar java/cli/target/jminifilter.jar demo}): the emulated kernel with two volumes
 * and the real driver, the policy service over the emulator's port with
 * {@code examples/demo-policy.yaml} (the jar carries a copy), file operations by two processes,
 * and per operation the caller's status and the rule and kernel mechanism that decided it.
 * Exits 0 when the driver unloaded clean, 4 when the emulator caught a leak or misuse, 3 when
 * the emulator cannot run here, 1 when a given policy file is invalid.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Demonstrates the policy service against the real driver on the emulated kernel.",
                "Linux x86-64: a demonstration policy, file operations by two processes, what each did and why."})
final class DemoCommand implements Callable<Integer> {

    @Option(names = "--ask-timeout-ms", defaultValue = "300",
            description = "Timeout of the ask the demo answers too late (rule ask-tool; default: ${DEFAULT-VALUE} ms).")
    int askTimeoutMs;

    @Option(names = "--policy", paramLabel = "FILE",
            description = "Another policy file for the demonstration's machine (volumes C: and D:; default: the "
                    + "bundled examples/demo-policy.yaml).")
    Path policy;

    @Option(names = "--library", paramLabel = "PATH",
            description = "libjmfemu.so to load (default: the copy inside the jar; also -Djmf.emu.library).")
    String library;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    private final PrintStream out;

    DemoCommand() {
        this(System.out);
    }

    DemoCommand(PrintStream out) {
        this.out = out;
    }

    @Override
    public Integer call() throws IOException {
        if (askTimeoutMs < 1 || askTimeoutMs > 60000) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--ask-timeout-ms must be 1..60000, not " + askTimeoutMs);
        }
        if (library != null) {
            System.setProperty(EmuLibrary.LIBRARY_PROPERTY, library);
        }
        PolicyFile file;
        try {
            file = policy == null ? DemoScenario.bundledPolicy() : PolicyFile.read(policy, DemoScenario.volumes());
        } catch (PolicyFileException e) {
            e.problems().forEach(spec.commandLine().getErr()::println);
            return ExitCodes.INVALID;
        }
        try {
            new DemoScenario(out, Duration.ofMillis(askTimeoutMs), file).run();
            return ExitCodes.OK;
        } catch (EmulatorUnavailableException e) {
            spec.commandLine().getErr().println("jminifilter: " + e.getMessage());
            return ExitCodes.NO_DRIVER;
        } catch (EmulatorViolationException e) {
            spec.commandLine().getErr().println("jminifilter: " + e.getMessage());
            return ExitCodes.FAILED;
        }
    }
}
