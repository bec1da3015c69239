package org.jminifilter.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import org.jminifilter.cli.answers.AskOptions;
import org.jminifilter.cli.answers.HandlerLoader;
import org.jminifilter.cli.control.ControlPaths;
import org.jminifilter.cli.control.ControlServer;
import org.jminifilter.cli.policyfile.PolicyFileException;
import org.jminifilter.cli.policyfile.VolumeResolver;
import org.jminifilter.cli.serve.EventSink;
import org.jminifilter.cli.serve.RotatingFile;
import org.jminifilter.cli.serve.ServeControl;
import org.jminifilter.cli.serve.Supervisor;
import org.jminifilter.emulator.EmulatedKernel;
import org.jminifilter.port.FilterPorts;
import org.jminifilter.service.AskHandler;
import org.jminifilter.service.CommandRejectedException;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code jminifilter serve --policy FILE}: the main job on Windows. See {@link Supervisor} for
 * hot reload, reconnect and shutdown; events go out as JSON Lines; the control socket lets
 * {@code stats}, {@code events} and {@code config} reach the driver while serve holds its port.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Runs the policy service with a policy file (the main job on Windows).",
                "Connects to the driver, pushes the file, answers asks, writes events, reloads the file when it",
                "changes and reconnects when the driver reloads.",
                "Asks: the file's answers decide first, then --interactive or --handler, else the rule's default.",
                "Ctrl+C stops it cleanly."})
final class ServeCommand implements Callable<Integer> {

    @Option(names = "--policy", required = true, paramLabel = "FILE", description = "The policy file.")
    Path policy;

    @Option(names = "--events-file", paramLabel = "FILE",
            description = "Write events as JSON Lines to FILE, rotated by size (default: standard output).")
    Path eventsFile;

    @Option(names = "--events-max-bytes", defaultValue = "10485760", paramLabel = "N",
            description = "Rotate the events file when it would exceed N bytes (default: ${DEFAULT-VALUE}).")
    long eventsMaxBytes;

    @Option(names = "--events-keep", defaultValue = "5", paramLabel = "N",
            description = "Rotated event files kept (FILE.1 .. FILE.N; default: ${DEFAULT-VALUE}).")
    int eventsKeep;

    @Option(names = "--control", paramLabel = "SOCKET",
            description = "The control socket (default: %%ProgramData%%\\jminifilter\\control.sock on Windows, "
                    + "jminifilter-USER.sock in the temporary folder elsewhere).")
    Path control;

    @Option(names = "--emulated", description = "Serve the emulated kernel in this process (Linux x86-64): the real "
            + "driver on the emulated Filter Manager, volumes C: and D:. For trying serve without Windows.")
    boolean emulated;

    @Option(names = "--reconnect-max-seconds", defaultValue = "30", paramLabel = "S",
            description = "Longest wait between two attempts to reach the driver (default: ${DEFAULT-VALUE}).")
    int reconnectMaxSeconds;

    @Mixin
    VolumeOptions volumes;

    @Mixin
    AskOptions asks;

    @Mixin
    WindowsServeOptions windows;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        if (reconnectMaxSeconds < 1 || reconnectMaxSeconds > 3600) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--reconnect-max-seconds must be 1..3600, not " + reconnectMaxSeconds);
        }
        Supervisor[] holder = new Supervisor[1];
        AskHandler askHandler;
        try {
            askHandler = asks.handler(() -> holder[0].policyFile(), () -> holder[0].config(), err);
        } catch (HandlerLoader.HandlerException e) {
            err.println("jminifilter: " + e.getMessage());
            return ExitCodes.INVALID;
        }
        EmulatedKernel kernel = emulated ? startEmulated() : null;
        VolumeResolver resolver = kernel != null ? VolumeResolver.of(EMULATED_VOLUMES, "the emulated volumes")
                : volumes.resolver();
        Supervisor.Connector connector = kernel != null ? kernel::connect : FilterPorts::connect;
        PrintWriter out = spec.commandLine().getOut();
        EventSink.LineWriter lines = eventsFile != null ? new RotatingFile(eventsFile, eventsMaxBytes, eventsKeep)
                : line -> {
                    out.println(line);
                    out.flush();
                };
        EventSink sink = new EventSink(lines, () -> holder[0].policyFile().ruleNames());
        Supervisor supervisor = new Supervisor(policy, resolver, connector, askHandler,
                windows.events(sink, () -> holder[0].policyFile().ruleNames()), Duration.ofMillis(500),
                Duration.ofSeconds(reconnectMaxSeconds));
        holder[0] = supervisor;
        windows.started(supervisor);
        CountDownLatch done = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            supervisor.stop();
            try {
                done.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "jminifilter-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try (WindowsServeOptions windowsOptions = windows; ControlServer server = new ControlServer(
                windows.control(control != null ? control : ControlPaths.defaultPath()),
                new ServeControl(supervisor, sink))) {
            supervisor.run();
            return ExitCodes.OK;
        } catch (PolicyFileException e) {
            e.problems().forEach(err::println);
            err.println("jminifilter: " + policy + " is invalid; nothing was pushed");
            return ExitCodes.INVALID;
        } catch (CommandRejectedException e) {
            err.println("jminifilter: " + e.getMessage());
            return ExitCodes.INVALID;
        } catch (IllegalStateException e) {
            err.println("jminifilter: " + e.getMessage());
            return ExitCodes.FAILED;
        } finally {
            done.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: it waits for `done`
            }
            try {
                lines.close();
            } catch (IOException e) {
                err.println("jminifilter: closing the events file: " + e.getMessage());
            }
            asks.close();
            if (kernel != null) {
                kernel.close();
            }
        }
    }

    /** The emulated machine of {@code --emulated}: two volumes and the driver. */
    static final Map<String, String> EMULATED_VOLUMES = new LinkedHashMap<>(Map.of(
            "C:", "\\Device\\HarddiskVolume1", "D:", "\\Device\\HarddiskVolume2"));

    private static EmulatedKernel startEmulated() {
        EmulatedKernel kernel = EmulatedKernel.start();
        EMULATED_VOLUMES.values().stream().sorted().forEach(kernel::createVolume);
        kernel.loadDriver();
        return kernel;
    }
}
