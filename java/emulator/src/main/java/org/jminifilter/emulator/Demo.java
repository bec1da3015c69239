package org.jminifilter.emulator;

import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The main job's demonstration, runnable on Linux after a build:
 * {@code java -jar java/emulator/target/jminifilter-demo.jar}. Starts the emulated kernel with
 * two volumes and the real driver, runs the policy service over the emulator's port with a
 * demonstration policy, performs file operations as two processes and prints what happened.
 * Exits 0 when the driver unloaded clean, 1 when the emulator caught a leak or misuse, 2 when
 * the emulator library is not built.
 */
@Command(name = "jminifilter-demo", mixinStandardHelpOptions = true,
        description = "Runs jminifilter's policy service against the real driver on the emulated Filter Manager.")
public final class Demo implements Callable<Integer> {

    @Option(names = "--ask-timeout-ms", defaultValue = "300",
            description = "Timeout of the ask that Java answers too late (default: ${DEFAULT-VALUE} ms).")
    int askTimeoutMs;

    @Option(names = "--library", description = "libjmfemu.so to load (default: the host build's, found from the"
            + " working directory or the jar's location; also -Djmf.emu.library).")
    String library;

    private final PrintStream out;

    public Demo() {
        this(System.out);
    }

    Demo(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) {
        // The account is the output; the service's own INFO log lines would only interleave with it.
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        System.exit(new CommandLine(new Demo()).execute(args));
    }

    @Override
    public Integer call() {
        if (askTimeoutMs < 1 || askTimeoutMs > 60000) {
            throw new CommandLine.ParameterException(new CommandLine(this),
                    "--ask-timeout-ms must be 1..60000, not " + askTimeoutMs);
        }
        if (library != null) {
            System.setProperty(EmuLibrary.LIBRARY_PROPERTY, library);
        }
        try {
            new DemoScenario(out, Duration.ofMillis(askTimeoutMs)).run();
            return 0;
        } catch (EmulatorUnavailableException e) {
            System.err.println("jminifilter-demo: " + e.getMessage());
            return 2;
        } catch (EmulatorViolationException e) {
            System.err.println("jminifilter-demo: " + e.getMessage());
            return 1;
        }
    }
}
