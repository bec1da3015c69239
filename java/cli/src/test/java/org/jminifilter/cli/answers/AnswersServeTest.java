package org.jminifilter.cli.answers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.jminifilter.cli.policyfile.VolumeResolver;
import org.jminifilter.cli.serve.EventSink;
import org.jminifilter.cli.serve.Supervisor;
import org.jminifilter.emulator.EmulatedKernel;
import org.jminifilter.emulator.EmulatedProcess;
import org.jminifilter.emulator.EmulatedVolume;
import org.jminifilter.emulator.OpenResult;
import org.jminifilter.policy.Access;
import org.jminifilter.policy.Disposition;
import org.jminifilter.protocol.NtStatus;
import org.jminifilter.protocol.Statistics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The answers section end to end: {@code serve}'s supervisor and ask handler against the real
 * driver in the emulated kernel. An answer decides the kernel's ask; an ask no answer decides gets
 * its rule's default at once (not after the kernel's timeout); a reload with a bad answers edit
 * keeps the answers in force, a good one replaces them with the policy.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class AnswersServeTest {
    private static final String V1 = "\\Device\\HarddiskVolume1";
    private static final String POLICY = """
            version: 1
            config: {ask-timeout-ms: 30000}
            rules:
              - {id: ask-docs, operations: [create], path: '\\docs\\**', ask: {default: deny}}
            answers:
              - {rule: ask-docs, image: '**\\backup.exe', allow: }
              - {rule: ask-docs, path: '\\docs\\public\\**', allow: }
            """;

    @TempDir
    Path dir;

    private EmulatedKernel kernel;
    private EmulatedVolume c;
    private EmulatedProcess app;
    private EmulatedProcess backup;
    private Path policy;
    private Supervisor supervisor;
    private Thread runner;
    private final Throwable[] failure = new Throwable[1];

    @BeforeEach
    void start() throws IOException, InterruptedException {
        kernel = EmulatedKernel.start();
        c = kernel.createVolume(V1);
        kernel.makeDirectory(c, "\\docs");
        kernel.makeDirectory(c, "\\docs\\public");
        kernel.loadDriver();
        app = kernel.process(1200, V1 + "\\Windows\\app.exe");
        backup = kernel.process(1300, V1 + "\\Tools\\backup.exe");
        policy = Files.writeString(dir.resolve("policy.yaml"), POLICY);
        Supervisor[] self = new Supervisor[1];
        supervisor = new Supervisor(policy, VolumeResolver.of(Map.of("C:", V1), "test"), kernel::connect,
                new AnswersHandler(() -> self[0].policyFile(), () -> self[0].config(), null, Clock.systemDefaultZone()),
                new EventSink(line -> { }, () -> self[0].policyFile().ruleNames()), Duration.ofMillis(20),
                Duration.ofMillis(200));
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
        supervisor.stop();
        runner.join(20_000);
        assertFalse(runner.isAlive());
        assertEquals(null, failure[0]);
        kernel.close(); // fails the test on any leak or misuse the emulator saw
    }

    private static NtStatus open(EmulatedProcess p, EmulatedVolume v, String path) {
        OpenResult r = p.open(v, path, Access.FILE_GENERIC_WRITE, Disposition.OPEN_IF);
        r.file().ifPresent(f -> f.close());
        return r.status();
    }

    @Test
    void anAnswerDecidesTheKernelsAskAndTheRestGetTheRulesDefaultAtOnce() {
        assertEquals(NtStatus.SUCCESS, open(backup, c, "\\docs\\plan.txt"), "answers[0]: the backup's image");
        assertEquals(NtStatus.SUCCESS, open(app, c, "\\docs\\public\\readme.txt"), "answers[1]: the path");
        assertEquals(NtStatus.ACCESS_DENIED, open(app, c, "\\docs\\plan.txt"), "no answer: the rule's default, deny");
        Statistics s = supervisor.statistics().orElseThrow();
        assertEquals(3, s.asks(), "the kernel asked three times");
        assertEquals(0, s.askTimeouts(), "every ask was answered, none waited out its 30 s");
        assertEquals(0, s.defaultVerdicts());
    }

    @Test
    void aBadAnswersEditKeepsTheAnswersInForceAndAGoodOneReplacesThem() throws Exception {
        Files.writeString(policy, POLICY.replace("{rule: ask-docs, image", "{rule: ask-dcs, image"));
        assertFalse(supervisor.reload(), "an unknown rule in the answers refuses the file");
        assertEquals(NtStatus.SUCCESS, open(backup, c, "\\docs\\plan.txt"), "the answers in force stay");

        Files.writeString(policy, POLICY.replace("image: '**\\backup.exe'", "image: '**\\other.exe'"));
        assertTrue(supervisor.reload());
        assertEquals(NtStatus.ACCESS_DENIED, open(backup, c, "\\docs\\plan.txt"), "the new answers are in force");
        assertEquals(NtStatus.SUCCESS, open(app, c, "\\docs\\public\\readme.txt"));
    }
}
