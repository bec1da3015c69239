package org.jminifilter.cli.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.node.ObjectNode;

import org.jminifilter.cli.control.ControlClient;
import org.jminifilter.cli.control.ControlMessages;
import org.jminifilter.cli.control.ControlServer;
import org.jminifilter.cli.policyfile.VolumeResolver;
import org.jminifilter.emulator.EmulatedKernel;
import org.jminifilter.emulator.EmulatedProcess;
import org.jminifilter.emulator.EmulatedVolume;
import org.jminifilter.emulator.OpenResult;
import org.jminifilter.policy.Access;
import org.jminifilter.policy.Action;
import org.jminifilter.policy.Disposition;
import org.jminifilter.protocol.NtStatus;
import org.jminifilter.service.AskHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve}'s supervisor against the real driver on the emulated kernel: the policy file in
 * force, a bad edit that changes nothing, a good edit pushed, the driver unloaded and loaded
 * again (reconnect and push again), the control socket, and a stop with an ask in flight.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SupervisorTest {
    private static final String V1 = "\\Device\\HarddiskVolume1";
    private static final String DENY_SECRET = """
            version: 1
            rules:
              - {id: secret, operations: [create], volume: "C:", path: '\\secret\\**', deny: }
              - {id: logs, operations: [write], path: '\\log\\**', audit: }
            """;

    @TempDir
    Path dir;

    private EmulatedKernel kernel;
    private EmulatedVolume c;
    private EmulatedProcess app;
    private Path policy;
    private final List<String> lines = new ArrayList<>();
    private Supervisor supervisor;
    private Thread runner;
    private final Throwable[] failure = new Throwable[1];

    @BeforeEach
    void start() throws IOException {
        kernel = EmulatedKernel.start();
        c = kernel.createVolume(V1);
        kernel.makeDirectory(c, "\\secret");
        kernel.loadDriver();
        app = kernel.process(1200, V1 + "\\Windows\\app.exe");
        policy = Files.writeString(dir.resolve("policy.yaml"), DENY_SECRET);
    }

    private void serve(AskHandler handler) throws InterruptedException {
        Supervisor[] self = new Supervisor[1];
        EventSink sink = new EventSink(line -> {
            synchronized (lines) {
                lines.add(line);
            }
        }, () -> self[0].policyFile().ruleNames());
        supervisor = new Supervisor(policy, VolumeResolver.of(Map.of("C:", V1), "test"), kernel::connect, handler,
                sink, Duration.ofMillis(20), Duration.ofMillis(200));
        self[0] = supervisor;
        runner = new Thread(() -> {
            try {
                supervisor.run();
            } catch (Throwable t) {
                failure[0] = t;
            }
        }, "supervisor");
        runner.start();
        assertTrue(supervisor.awaitState(Supervisor.State.CONNECTED, Duration.ofSeconds(20)), "connected");
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (supervisor != null) {
            supervisor.stop();
            runner.join(20_000);
            assertFalse(runner.isAlive(), "run() returned after stop()");
            assertEquals(null, failure[0]);
        }
        kernel.close(); // fails the test on any leak or misuse the emulator saw
    }

    private NtStatus openSecret() {
        OpenResult r = app.open(c, "\\secret\\plan.txt", Access.FILE_GENERIC_WRITE, Disposition.OPEN_IF);
        r.file().ifPresent(f -> f.close());
        return r.status();
    }

    @Test
    void thePolicyFileIsInForceAndEventsNameItsRules() throws Exception {
        serve(null);
        assertEquals(NtStatus.ACCESS_DENIED, openSecret());
        supervisor.statistics().orElseThrow();
        assertTrue(awaitLine("\"rule\":\"secret\""), lines.toString());
    }

    @Test
    void aBadEditChangesNothingAndAGoodEditIsPushed() throws Exception {
        serve(null);
        Files.writeString(policy, DENY_SECRET.replace("deny: ", "dney: "));
        assertFalse(supervisor.reload(), "an invalid file is refused");
        assertEquals(NtStatus.ACCESS_DENIED, openSecret(), "the policy in force stays");

        Files.writeString(policy, DENY_SECRET.replace("deny: ", "audit: "));
        assertTrue(supervisor.reload());
        assertEquals(NtStatus.SUCCESS, openSecret(), "the edited policy is in force");
        assertEquals(1, supervisor.reloadCounts()[0]);
        assertEquals(1, supervisor.reloadCounts()[1]);
    }

    @Test
    void aChangedFileIsReloadedWithoutBeingAsked() throws Exception {
        serve(null);
        Files.writeString(policy, DENY_SECRET.replace("deny: ", "audit: "));
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (supervisor.reloadCounts()[0] == 0 && System.nanoTime() < end) {
            Thread.sleep(20); // the watcher's own debounce decides when; this only bounds the wait
        }
        assertEquals(1, supervisor.reloadCounts()[0], "the file watcher reloaded the file");
        assertEquals(NtStatus.SUCCESS, openSecret());
    }

    @Test
    void afterTheDriverReloadsThePolicyIsPushedAgain() throws Exception {
        serve(null);
        kernel.unloadDriver();
        assertTrue(supervisor.awaitState(Supervisor.State.WAITING_FOR_DRIVER, Duration.ofSeconds(20)));
        kernel.loadDriver();
        assertTrue(supervisor.awaitState(Supervisor.State.CONNECTED, Duration.ofSeconds(20)), "reconnected");
        assertEquals(NtStatus.ACCESS_DENIED, openSecret(), "the policy is in force on the new driver");
    }

    @Test
    void theControlSocketAnswersStatsStatusAndConfig() throws Exception {
        serve(null);
        EventSink sink = new EventSink(line -> { }, () -> supervisor.policyFile().ruleNames());
        Path socket = dir.resolve("control.sock");
        try (ControlServer server = new ControlServer(socket, new ServeControl(supervisor, sink))) {
            ControlClient client = ControlClient.find(socket).orElseThrow();
            ObjectNode status = client.ask(ControlMessages.request("status"));
            assertEquals("connected", status.path("state").asText());
            assertEquals(2, status.path("rules").asInt());

            openSecret();
            ObjectNode stats = client.ask(ControlMessages.request("stats"));
            assertTrue(stats.path("ok").asBoolean(), stats.toString());
            assertEquals("secret", stats.path("ruleNames").path(Integer.toUnsignedString(
                    org.jminifilter.cli.policyfile.RuleNames.idOf("secret"))).asText());

            ObjectNode set = ControlMessages.request("config-set");
            set.putObject("values").put("ask-timeout-ms", "1234");
            ObjectNode answer = client.ask(set);
            assertTrue(answer.path("ok").asBoolean(), answer.toString());
            assertEquals("1234", answer.path("config").path("ask-timeout-ms").asText());
            assertEquals(1234, supervisor.config().askTimeoutMs());

            ObjectNode bad = ControlMessages.request("config-set");
            bad.putObject("values").put("ask-timeout-ms", "0");
            ObjectNode refused = client.ask(bad);
            assertFalse(refused.path("ok").asBoolean());
            assertTrue(refused.path("error").asText().contains("outside 1..60000"), refused.toString());
            assertEquals(1234, supervisor.config().askTimeoutMs(), "a refused value changes nothing");

            ObjectNode badPush = ControlMessages.request("push");
            badPush.put("file", "other.yaml").put("text", "version: 1\nrules:\n  - {id: 1, operations: [creat], deny: }\n");
            ObjectNode refusedPush = client.ask(badPush);
            assertFalse(refusedPush.path("ok").asBoolean());
            assertTrue(refusedPush.path("problems").get(0).asText().startsWith("other.yaml:3:"), refusedPush.toString());
            assertEquals(NtStatus.ACCESS_DENIED, openSecret(), "a refused push leaves the policy in force");

            ObjectNode push = ControlMessages.request("push");
            push.put("file", "other.yaml").put("text", DENY_SECRET.replace("deny: ", "audit: "));
            ObjectNode pushed = client.ask(push);
            assertTrue(pushed.path("ok").asBoolean(), pushed.toString());
            assertEquals(2, pushed.path("rules").asInt());
            assertEquals(NtStatus.SUCCESS, openSecret(), "the pushed policy is in force");
            assertEquals("other.yaml", supervisor.policyFile().source());

            IllegalStateException twice = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                    () -> new ControlServer(socket, (r, s) -> { }));
            assertTrue(twice.getMessage().contains("another jminifilter serve is running"));
        }
        assertFalse(Files.exists(socket), "the socket file is removed on close");
    }

    @Test
    void stopWithAnAskInFlightEndsPromptly() throws Exception {
        Files.writeString(policy, """
                version: 1
                config: {ask-timeout-ms: 30000}
                rules:
                  - {id: ask, operations: [create], path: '\\ask\\**', ask: {default: deny}}
                """);
        CountDownLatch asked = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        serve(ask -> {
            asked.countDown();
            try {
                release.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Action.allow();
        });
        NtStatus[] seen = new NtStatus[1];
        Thread op = new Thread(() -> {
            OpenResult r = app.open(c, "\\ask\\x.txt", Access.FILE_GENERIC_READ, Disposition.OPEN_IF);
            r.file().ifPresent(f -> f.close());
            seen[0] = r.status();
        });
        op.start();
        assertTrue(asked.await(20, TimeUnit.SECONDS), "the ask reached the handler");
        long t0 = System.nanoTime();
        supervisor.stop();
        runner.join(20_000);
        op.join(20_000);
        release.countDown();
        assertFalse(op.isAlive(), "the operation was not left waiting for the ask's 30 s timeout");
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(15), "well before the ask timeout");
        assertEquals(NtStatus.ACCESS_DENIED, seen[0], "the ask's default verdict applied");
    }

    private boolean awaitLine(String fragment) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < end) {
            synchronized (lines) {
                if (lines.stream().anyMatch(l -> l.contains(fragment))) {
                    return true;
                }
            }
            Thread.sleep(20); // events are pulled every 250 ms: this only bounds the wait
        }
        return false;
    }
}
