package org.jminifilter.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import com.sun.jna.Platform;

import org.jminifilter.cli.policyfile.PolicyFile;
import org.jminifilter.cli.policyfile.PolicyFileException;
import org.jminifilter.cli.policyfile.RuleNames;
import org.jminifilter.cli.windows.EventLogIds;
import org.jminifilter.cli.windows.EventLogLines;
import org.jminifilter.cli.windows.EventLogWriter;
import org.jminifilter.cli.windows.ServiceBinaryPath;
import org.jminifilter.cli.windows.ServiceRunner;
import org.jminifilter.cli.windows.ServiceStatus;
import org.jminifilter.cli.windows.Win32Error;
import org.jminifilter.cli.windows.WindowsService;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code jminifilter service install|uninstall|start|stop|status}: serve as a Windows service
 * (name {@value WindowsService#NAME}, automatic start, LocalSystem, restarted after a crash),
 * through JNA Platform's Advapi32 service API. {@code service run} is what the service runs.
 * Windows only: elsewhere every one of them says so and exits 3.
 */
@Command(name = "service", mixinStandardHelpOptions = true,
        description = {"Windows: runs serve as a Windows service (install, start, stop, status, uninstall).",
                "Needs an elevated (administrator) prompt."},
        subcommands = {ServiceCommand.Install.class, ServiceCommand.Uninstall.class, ServiceCommand.Start.class,
                ServiceCommand.Stop.class, ServiceCommand.Status.class, ServiceCommand.Run.class})
final class ServiceCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (!Platform.isWindows()) {
            return windowsOnly(spec);
        }
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitCodes.USAGE;
    }

    /** The answer of every service command elsewhere than Windows. */
    static int windowsOnly(CommandSpec spec) {
        spec.commandLine().getErr().println("jminifilter: " + spec.qualifiedName(" ").replaceFirst("^jminifilter ", "")
                + ": Windows only (it talks to the Windows Service Control Manager); here run jminifilter serve");
        return ExitCodes.NO_DRIVER;
    }

    @Command(name = "install", mixinStandardHelpOptions = true,
            description = {"Installs serve as the Windows service " + WindowsService.NAME
                    + " (automatic start, restarted after a crash) and registers the Event Log source jminifilter.",
                    "The service runs this java with this jar: 'service run --policy FILE --event-log ...'."})
    static final class Install implements Callable<Integer> {
        @Option(names = "--policy", required = true, paramLabel = "FILE",
                description = "The policy file the service serves (checked now; its absolute path is kept).")
        Path policy;

        @Option(names = "--account", defaultValue = "LocalSystem", paramLabel = "ACCOUNT",
                description = "The account the service runs as: LocalSystem (default and only one: the driver's port "
                        + "admits administrators and SYSTEM only).")
        String account;

        @Option(names = "--events-file", paramLabel = "FILE",
                description = "Also write events as JSON Lines to FILE (rotated by size), besides the Event Log.")
        Path eventsFile;

        @Mixin
        VolumeOptions volumes;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            if (!Platform.isWindows()) {
                return windowsOnly(spec);
            }
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            String serviceAccount;
            try {
                serviceAccount = WindowsService.account(account);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
            Path file = policy.toAbsolutePath().normalize();
            try {
                PolicyFile.read(file, volumes.resolver());
            } catch (PolicyFileException e) {
                e.problems().forEach(err::println);
                err.println("jminifilter: " + file + " is invalid; the service is not installed");
                return ExitCodes.INVALID;
            } catch (NoSuchFileException e) {
                err.println("jminifilter: " + file + ": no such file; the service is not installed");
                return ExitCodes.INVALID;
            } catch (IOException e) {
                err.println("jminifilter: " + file + ": cannot read: " + e.getMessage());
                return ExitCodes.INVALID;
            }
            String binary = ServiceBinaryPath.of(ServiceBinaryPath.currentJava(), ServiceBinaryPath.currentJar(),
                    runArgs(file, eventsFile, volumes.volumes));
            List<String> warnings = WindowsService.onThisMachine().install(binary, serviceAccount);
            warnings.forEach(w -> err.println("jminifilter: warning: " + w));
            out.println("installed the service " + WindowsService.NAME + " (automatic start, LocalSystem); it runs:");
            out.println("  " + binary);
            out.println("start it now with: jminifilter service start");
            return ExitCodes.OK;
        }
    }

    /**
     * The arguments of {@code service run} for an install: absolute paths (a service starts in
     * System32), the Event Log on.
     */
    static List<String> runArgs(Path policy, Path eventsFile, Map<String, String> volumes) {
        List<String> args = new ArrayList<>(List.of("--policy", policy.toAbsolutePath().normalize().toString(),
                "--event-log"));
        if (eventsFile != null) {
            args.add("--events-file");
            args.add(eventsFile.toAbsolutePath().normalize().toString());
        }
        volumes.forEach((name, device) -> {
            args.add("--volume");
            args.add(name + "=" + device);
        });
        return args;
    }

    @Command(name = "uninstall", mixinStandardHelpOptions = true,
            description = "Removes the stopped service and its Event Log source (done at once when not installed).")
    static final class Uninstall implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            if (!Platform.isWindows()) {
                return windowsOnly(spec);
            }
            spec.commandLine().getOut().println(WindowsService.onThisMachine().uninstall()
                    ? "uninstalled the service " + WindowsService.NAME
                    : "the service " + WindowsService.NAME + " is not installed; nothing to do");
            return ExitCodes.OK;
        }
    }

    @Command(name = "start", mixinStandardHelpOptions = true,
            description = {"Starts the service and waits until it runs (or has failed to start).",
                    "It runs while the driver is not loaded yet, and connects when it is."})
    static final class Start implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws InterruptedException {
            if (!Platform.isWindows()) {
                return windowsOnly(spec);
            }
            ServiceStatus s = WindowsService.onThisMachine().start(Duration.ofSeconds(60));
            return report(spec, s, ServiceStatus.SERVICE_RUNNING);
        }
    }

    @Command(name = "stop", mixinStandardHelpOptions = true, description = "Stops the service and waits until it has.")
    static final class Stop implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws InterruptedException {
            if (!Platform.isWindows()) {
                return windowsOnly(spec);
            }
            ServiceStatus s = WindowsService.onThisMachine().stop(Duration.ofSeconds(60));
            return report(spec, s, ServiceStatus.SERVICE_STOPPED);
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Prints the service's state, process and last exit code.")
    static final class Status implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            if (!Platform.isWindows()) {
                return windowsOnly(spec);
            }
            spec.commandLine().getOut().println(WindowsService.NAME + ": "
                    + WindowsService.describe(WindowsService.onThisMachine().status()));
            return ExitCodes.OK;
        }
    }

    /** Prints a status reached; a service that stopped with an exit code passes it on. */
    static int report(CommandSpec spec, ServiceStatus s, int wanted) {
        spec.commandLine().getOut().println(WindowsService.NAME + ": " + WindowsService.describe(s));
        if (s.win32ExitCode() == Win32Error.ERROR_SERVICE_SPECIFIC_ERROR && s.serviceSpecificExitCode() != 0) {
            return s.serviceSpecificExitCode();
        }
        return s.state() == wanted ? ExitCodes.OK : ExitCodes.FAILED;
    }

    @Command(name = "run", hidden = true,
            description = {"What the installed service runs (under the Service Control Manager, not from a console):",
                    "serve with the options that follow; its messages go to the Application event log."})
    static final class Run implements Callable<Integer> {
        @Unmatched
        List<String> serveArgs = new ArrayList<>();

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            if (!Platform.isWindows()) {
                return windowsOnly(spec);
            }
            PrintStream consoleErr = System.err;
            try (EventLogWriter log = EventLogWriter.onThisMachine(() -> RuleNames.of(Map.of()))) {
                // A service has no console: its log lines and serve's errors become Event Log events.
                PrintWriter serveErr = new PrintWriter(
                        new EventLogLines(log, EventLogIds.EVENTLOG_ERROR_TYPE).printStream(), true);
                ServeBody body = new ServeBody(serveArgs, new PrintWriter(Writer.nullWriter()), serveErr);
                System.setErr(new EventLogLines(log).printStream());
                try {
                    ServiceRunner runner = ServiceRunner.standard(ServiceRunner.dispatcherOfThisMachine(),
                            WindowsService.NAME, body);
                    int code = runner.run();
                    log.message(code == 0 ? EventLogIds.EVENTLOG_INFORMATION_TYPE : EventLogIds.EVENTLOG_ERROR_TYPE,
                            "The jminifilter service stopped with exit code " + code + ".");
                    if (runner.timedOut()) {
                        // serve is stuck: exit() would run serve's shutdown hook, which waits for it. The
                        // process's end closes the driver port, which the driver sees as a disconnect.
                        log.close();
                        Runtime.getRuntime().halt(code);
                    }
                    return code;
                } catch (Win32Error e) {
                    if (e.code() == Win32Error.ERROR_FAILED_SERVICE_CONTROLLER_CONNECT) {
                        System.setErr(consoleErr);
                        spec.commandLine().getErr().println("jminifilter: " + e.getMessage());
                        return ExitCodes.USAGE;
                    }
                    throw e;
                } finally {
                    System.setErr(consoleErr);
                }
            }
        }
    }
}
