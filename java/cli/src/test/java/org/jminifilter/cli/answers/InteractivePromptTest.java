package org.jminifilter.cli.answers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.jminifilter.cli.policyfile.PolicyFile;
import org.jminifilter.cli.policyfile.RuleNames;
import org.jminifilter.cli.policyfile.VolumeResolver;
import org.jminifilter.policy.Action;
import org.jminifilter.policy.Operation;
import org.jminifilter.protocol.Ask;
import org.jminifilter.protocol.Config;
import org.jminifilter.protocol.NtStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code serve --interactive}, driven by a scripted console and a fake clock. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class InteractivePromptTest {
    private static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");
    private static final Action DEFAULT = Action.deny(NtStatus.VIRUS_INFECTED.value());
    private static final String IMAGE = "\\Device\\HarddiskVolume1\\Windows\\explorer.exe";

    private static AskContext context(String rule, String path, int timeoutMs) {
        Ask ask = Ask.builder().operation(Operation.DELETE).processId(1200).path(path).image(IMAGE)
                .timeoutMs(timeoutMs).build();
        return new AskContext(ask, rule, DEFAULT);
    }

    private static Duration s(double seconds) {
        return Duration.ofMillis((long) (seconds * 1000));
    }

    @Test
    void allowShowsTheAskAndTheCountdown() {
        ScriptedConsole console = new ScriptedConsole(T0).type(s(2.5), "a");
        InteractivePrompt prompt = new InteractivePrompt(console, console.clock);
        assertEquals(Action.allow(), prompt.decide(context("confirm-delete", "\\docs\\plan.docx", 10_000)));
        String out = console.output();
        assertTrue(out.contains("rule confirm-delete asks"), out);
        assertTrue(out.contains("operation delete"), out);
        assertTrue(out.contains("file      \\Device\\HarddiskVolume1\\docs\\plan.docx"), out);
        assertTrue(out.contains("process   1200  " + IMAGE), out);
        assertTrue(out.contains("no answer deny (STATUS_VIRUS_INFECTED)"), out);
        assertTrue(out.contains("[a/d] 10 s left") && out.contains("[a/d] 9 s left") && out.contains("[a/d] 8 s left"),
                out);
        assertFalse(out.contains("7 s left"), "answered at 2.5 s: " + out);
        assertTrue(out.endsWith("  allow" + System.lineSeparator()), out);
        assertEquals(T0.plus(s(2.5)), console.clock.instant());
        assertEquals(0, prompt.lateAnswers());
    }

    @Test
    void denyAndTheLongWordsAndAWrongWord() {
        ScriptedConsole console = new ScriptedConsole(T0).type(s(0.5), "yes").type(s(1), " Deny ")
                .type(s(2), "ALLOW");
        InteractivePrompt prompt = new InteractivePrompt(console, console.clock);
        assertEquals(Action.deny(), prompt.decide(context("r", "\\a", 5000)));
        assertTrue(console.output().contains("\"yes\": type a (allow) or d (deny), then Enter"), console.output());
        assertEquals(Action.allow(), prompt.decide(context("r", "\\b", 5000)));
    }

    @Test
    void noAnswerInTimeGivesTheDefaultAfterExactlyTheTimeout() {
        ScriptedConsole console = new ScriptedConsole(T0);
        InteractivePrompt prompt = new InteractivePrompt(console, console.clock);
        assertEquals(DEFAULT, prompt.decide(context("r", "\\a", 3000)));
        String out = console.output();
        assertTrue(out.contains("3 s left") && out.contains("2 s left") && out.contains("1 s left"), out);
        assertTrue(out.contains("no answer in time: the kernel applied deny (STATUS_VIRUS_INFECTED)"), out);
        assertEquals(T0.plus(s(3)), console.clock.instant());
    }

    @Test
    void anAnswerReadAfterTheTimeoutIsSentAndReportedLate() {
        ScriptedConsole console = new ScriptedConsole(T0).typeSlowly(s(5), "a");
        InteractivePrompt prompt = new InteractivePrompt(console, console.clock);
        assertEquals(Action.allow(), prompt.decide(context("r", "\\a", 3000)));
        assertEquals(1, prompt.lateAnswers());
        assertTrue(console.output().contains("late: allow came 2000 ms after the kernel's timeout; the kernel had "
                + "already applied deny (STATUS_VIRUS_INFECTED)"), console.output());
    }

    @Test
    void anAnswerTypedAfterTheQuestionTimedOutIsLateAndNotTakenForTheNextQuestion() {
        ScriptedConsole console = new ScriptedConsole(T0).type(s(4), "a").type(s(6), "d");
        InteractivePrompt prompt = new InteractivePrompt(console, console.clock);
        assertEquals(DEFAULT, prompt.decide(context("r", "\\first", 2000)));
        console.clock.set(T0.plus(s(5))); // the next ask comes at 5 s; "a" was typed at 4 s
        assertEquals(Action.deny(), prompt.decide(context("r", "\\second", 3000)));
        assertEquals(1, prompt.lateAnswers());
        String out = console.output();
        assertTrue(out.contains("\"a\" came after the question about delete \\Device\\HarddiskVolume1\\first had timed "
                + "out (the kernel had applied its default); ignored"), out);
    }

    @Test
    void asksWaitTheirTurnOneAtATime() throws Exception {
        ScriptedConsole console = new ScriptedConsole(T0).type(s(2), "a").type(s(3), "d");
        InteractivePrompt prompt = new InteractivePrompt(console, console.clock);
        console.hold();
        Action[] verdicts = new Action[2];
        Thread first = new Thread(() -> verdicts[0] = prompt.decide(context("first", "\\one", 10_000)));
        first.start();
        assertTrue(console.awaitOutput("rule first asks"));
        Thread second = new Thread(() -> verdicts[1] = prompt.decide(context("second", "\\two", 10_000)));
        second.start();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (prompt.waiting() != 1 && System.nanoTime() < end) {
            Thread.onSpinWait(); // until the second ask is queued behind the first
        }
        assertEquals(1, prompt.waiting());
        assertFalse(console.output().contains("rule second asks"), "one question at a time");
        console.release();
        first.join(20_000);
        second.join(20_000);
        assertEquals(Action.allow(), verdicts[0]);
        assertEquals(Action.deny(), verdicts[1]);
        String out = console.output();
        assertTrue(out.contains("(1 more waiting)"), out);
        assertTrue(out.indexOf("rule first asks") < out.indexOf("  allow") && out.indexOf("  allow")
                < out.indexOf("rule second asks"), out);
    }

    @Test
    void aQuestionWhoseTimeRanOutWhileWaitingIsNotShown() throws Exception {
        ScriptedConsole console = new ScriptedConsole(T0).type(s(4), "a");
        InteractivePrompt prompt = new InteractivePrompt(console, console.clock);
        console.hold();
        Action[] verdicts = new Action[2];
        Thread first = new Thread(() -> verdicts[0] = prompt.decide(context("first", "\\one", 10_000)));
        first.start();
        assertTrue(console.awaitOutput("rule first asks"));
        Thread second = new Thread(() -> verdicts[1] = prompt.decide(context("second", "\\two", 3000)));
        second.start();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (prompt.waiting() != 1 && System.nanoTime() < end) {
            Thread.onSpinWait();
        }
        console.release();
        first.join(20_000);
        second.join(20_000);
        assertEquals(Action.allow(), verdicts[0]);
        assertEquals(DEFAULT, verdicts[1], "its 3 s were over when the first was answered at 4 s");
        assertFalse(console.output().contains("rule second asks"), console.output());
        assertTrue(console.output().contains("the question about delete \\Device\\HarddiskVolume1\\two timed out while "
                + "waiting its turn"), console.output());
    }

    @Test
    void whenTheInputEndsEveryAskGetsItsDefault() {
        ScriptedConsole console = new ScriptedConsole(T0).thenEnd();
        InteractivePrompt prompt = new InteractivePrompt(console, console.clock);
        assertEquals(DEFAULT, prompt.decide(context("r", "\\a", 3000)));
        assertTrue(console.output().contains("the console's input has ended"), console.output());
        int before = console.output().length();
        assertEquals(DEFAULT, prompt.decide(context("r", "\\b", 3000)));
        assertEquals(before, console.output().length(), "no more questions");
    }

    @Test
    void theAnswersSectionDecidesFirstAndThePromptGetsTheRest() throws Exception {
        PolicyFile file = PolicyFile.parse("p.yaml", """
                version: 1
                rules:
                  - {id: docs, operations: [delete], path: '\\docs\\**', ask: {default: deny}}
                answers:
                  - {rule: docs, image: '**\\backup.exe', allow: }
                """, VolumeResolver.of(Map.of(), "none"));
        ScriptedConsole console = new ScriptedConsole(T0).type(s(1), "d");
        InteractivePrompt prompt = new InteractivePrompt(console, console.clock);
        AnswersHandler handler = new AnswersHandler(() -> file, Config::defaults, prompt, console.clock);
        Ask backup = Ask.builder().ruleId(RuleNames.idOf("docs")).operation(Operation.DELETE).path("\\docs\\a")
                .image("\\Device\\HarddiskVolume1\\Tools\\backup.exe").build();
        assertEquals(Action.allow(), handler.decide(backup));
        assertEquals("", console.output(), "the answers decided: no question");
        Ask other = Ask.builder().ruleId(RuleNames.idOf("docs")).operation(Operation.DELETE).path("\\docs\\a")
                .image(IMAGE).build();
        assertEquals(Action.deny(), handler.decide(other));
        assertTrue(console.output().contains("rule docs asks"), console.output());
        assertTrue(console.output().contains("no answer deny (STATUS_ACCESS_DENIED)"), console.output());
    }
}
