package org.jminifilter.cli;

import java.io.PrintWriter;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code jminifilter}: the command line of the policy service. Exit codes (every command):
 * {@value ExitCodes#OK} done; {@value ExitCodes#INVALID} the input (a policy file, a value) is
 * invalid or the driver refused it; {@value ExitCodes#USAGE} the command line is wrong;
 * {@value ExitCodes#NO_DRIVER} the driver cannot be reached (not loaded, not elevated, another
 * service connected, another protocol version); {@value ExitCodes#FAILED} anything else failed.
 */
@Command(name = "jminifilter", mixinStandardHelpOptions = true, versionProvider = VersionCommand.Provider.class,
        description = "File-system policy set by a Java program, enforced by the jminifilter minifilter.",
        subcommands = {DemoCommand.class, ServeCommand.class, ValidateCommand.class, ExplainCommand.class, PushCommand.class,
                StatsCommand.class, EventsCommand.class, ConfigCommand.class, VersionCommand.class,
                ServiceCommand.class, CommandLine.HelpCommand.class,
                org.jminifilter.cli.selftest.SelfTestCommand.class, org.jminifilter.cli.bench.BenchCommand.class},
        footer = {"", "Exit codes: 0 done, 1 invalid input or refused by the driver, 2 usage error,",
                "3 the driver cannot be reached, 4 failed."})
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        // The demo's account is its output; the service's INFO lines would only interleave with it.
        if (args.length > 0 && args[0].equals("demo")
                && System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs one command line, printing to {@code out} and {@code err}; returns the exit code. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("jminifilter: " + e.getMessage());
            return ExitCodes.of(e);
        });
        cl.setExitCodeExceptionMapper(ExitCodes::of);
        return cl.execute(args);
    }
}
