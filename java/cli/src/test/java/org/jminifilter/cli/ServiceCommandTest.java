package org.jminifilter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.jminifilter.cli.control.ControlClient;
import org.jminifilter.cli.windows.FakeDispatcher;
import org.jminifilter.cli.windows.ServiceDispatcher;
import org.jminifilter.cli.windows.ServiceRunner;
import org.jminifilter.cli.windows.ServiceStatus;
import org.jminifilter.cli.windows.Win32Error;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

import picocli.CommandLine;

/**
 * {@code jminifilter service}: Windows only elsewhere; its arguments; and serve run as the
 * service's body under a fake SCM against the real driver on the emulated kernel.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ServiceCommandTest {
    @TempDir
    Path dir;

    private Path policy(String text) throws IOException {
        return Files.writeString(dir.resolve("policy.yaml"), text);
    }

    private static final String VALID = """
            version: 1
            rules:
              - {id: secret, operations: [create], path: '\\secret\\**', deny: }
            """;

    @Test
    @DisabledOnOs(OS.WINDOWS)
    void everyServiceCommandSaysWindowsOnlyWithExitThree() throws IOException {
        Path p = policy(VALID);
        for (String[] args : List.of(new String[] {"service"}, new String[] {"service", "status"},
                new String[] {"service", "install", "--policy", p.toString()}, new String[] {"service", "start"},
                new String[] {"service", "stop"}, new String[] {"service", "uninstall"},
                new String[] {"service", "run", "--policy", p.toString()})) {
            CommandLineTest.Run r = CommandLineTest.run(args);
            assertEquals(ExitCodes.NO_DRIVER, r.exit(), String.join(" ", args));
            assertTrue(r.err().contains("Windows only"), r.err());
        }
    }

    @Test
    @DisabledOnOs(OS.WINDOWS)
    void serveRefusesTheEventLogElsewhereBeforeOpeningAnything() throws IOException {
        Path p = policy(VALID);
        Path sock = dir.resolve("c.sock");
        CommandLineTest.Run r = CommandLineTest.run("serve", "--policy", p.toString(), "--emulated", "--event-log",
                "--control", sock.toString());
        assertEquals(ExitCodes.USAGE, r.exit());
        assertTrue(r.err().contains("--event-log: the Windows Event Log exists on Windows only"), r.err());
        assertFalse(Files.exists(sock));
    }

    @Test
    void theServiceRunsWithAbsolutePathsAndTheEventLog() {
        Map<String, String> volumes = new LinkedHashMap<>();
        volumes.put("C:", "\\Device\\HarddiskVolume3");
        List<String> args = ServiceCommand.runArgs(Path.of("p.yaml"), Path.of("logs", "events.jsonl"), volumes);
        assertEquals(List.of("--policy", Path.of("p.yaml").toAbsolutePath().toString(), "--event-log",
                "--events-file", Path.of("logs", "events.jsonl").toAbsolutePath().toString(),
                "--volume", "C:=\\Device\\HarddiskVolume3"), args);
        // what the service runs is serve with these options: they parse
        new CommandLine(new ServeCommand()).parseArgs(args.stream().filter(a -> !a.equals("--event-log"))
                .toArray(String[]::new));
    }

    private static ServiceRunner runner(FakeDispatcher scm, ServeBody body) {
        return new ServiceRunner(scm, "jminifilter", body, Duration.ofMillis(10), Duration.ofSeconds(30),
                Duration.ofSeconds(30));
    }

    @Test
    void serveAsTheServiceRunsThenStopsCleanlyOnStop() throws Exception {
        Path p = policy(VALID);
        Path sock = dir.resolve("c.sock");
        StringWriter err = new StringWriter();
        ServeBody body = new ServeBody(List.of("--policy", p.toString(), "--emulated", "--control", sock.toString(),
                "--events-file", dir.resolve("events.jsonl").toString()), new PrintWriter(new StringWriter()),
                new PrintWriter(err, true));
        FakeDispatcher scm = new FakeDispatcher();
        int[] exit = {-1};
        Thread t = new Thread(() -> exit[0] = runner(scm, body).run());
        t.start();
        scm.awaitState(ServiceStatus.SERVICE_RUNNING);
        assertTrue(body.serving());
        assertTrue(ControlClient.find(sock).isPresent(), "serve's control socket answers while the service runs");
        assertEquals(ServiceDispatcher.NO_ERROR, scm.handler.onControl(ServiceDispatcher.SERVICE_CONTROL_STOP));
        t.join();
        List<ServiceStatus> all = scm.reported();
        assertEquals(ServiceStatus.of(ServiceStatus.SERVICE_STOPPED, 0, 0, 0, 0, 0), all.get(all.size() - 1));
        assertEquals(ExitCodes.OK, exit[0], err.toString());
        assertFalse(Files.exists(sock), "the control socket is gone");
    }

    @Test
    void anInvalidPolicyStopsTheServiceWithExitCodeOne() throws Exception {
        Path p = policy("""
                version: 1
                rules:
                  - {id: 1, operations: [wirte], audit: }
                """);
        StringWriter err = new StringWriter();
        ServeBody body = new ServeBody(List.of("--policy", p.toString(), "--emulated", "--control",
                dir.resolve("c.sock").toString()), new PrintWriter(new StringWriter()), new PrintWriter(err, true));
        FakeDispatcher scm = new FakeDispatcher();
        int exit = runner(scm, body).run();
        assertEquals(ExitCodes.INVALID, exit);
        List<ServiceStatus> all = scm.reported();
        assertEquals(ServiceStatus.of(ServiceStatus.SERVICE_STOPPED, 0, Win32Error.ERROR_SERVICE_SPECIFIC_ERROR,
                ExitCodes.INVALID, 0, 0), all.get(all.size() - 1));
        assertTrue(all.stream().noneMatch(s -> s.state() == ServiceStatus.SERVICE_RUNNING));
        assertTrue(err.toString().contains("is invalid; nothing was pushed"), err.toString());
    }

    @Test
    void badServeOptionsAreRefusedBeforeTheScmIsTold() {
        assertThrows(CommandLine.ParameterException.class, () -> new ServeBody(List.of("--polcy", "p.yaml"),
                new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter())));
    }
}
