package org.jminifilter.cli.demo;

import static org.jminifilter.cli.demo.DemoScenario.RULE_ASK_NOTEPAD;
import static org.jminifilter.cli.demo.DemoScenario.RULE_ASK_TOOL;
import static org.jminifilter.cli.demo.DemoScenario.RULE_AUDIT_REPORTS;
import static org.jminifilter.cli.demo.DemoScenario.RULE_QUARANTINE;
import static org.jminifilter.cli.demo.DemoScenario.RULE_READ_ONLY_REPORTS;
import static org.jminifilter.cli.demo.DemoScenario.RULE_SECRET;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.jminifilter.policy.ActionType;
import org.jminifilter.policy.Operation;
import org.jminifilter.protocol.Event;
import org.jminifilter.protocol.Protocol;
import org.jminifilter.protocol.Statistics;
import org.junit.jupiter.api.Test;
import org.jminifilter.protocol.NtStatus;

/** The demonstration's key outcomes, and its command line. */
class DemoTest {


    @Test
    void theDemonstrationEnforcesEveryRule() {
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        DemoReport report = new DemoScenario(new PrintStream(text, true, StandardCharsets.UTF_8),
                Duration.ofMillis(200)).run();

        assertEquals(NtStatus.ACCESS_DENIED, report.step("secret-open").status());
        assertEquals(NtStatus.VIRUS_INFECTED, report.step("quarantine-create").status());
        assertTrue(report.quarantinedFileExists(), "the post-create DENY left the created file");
        assertEquals(NtStatus.SUCCESS, report.step("reports-open-tool").status());
        assertEquals(NtStatus.SUCCESS, report.step("reports-read-tool").status());
        assertEquals(NtStatus.ACCESS_DENIED, report.step("reports-write-tool").status(), "MODIFY stripped write");
        assertEquals(NtStatus.SUCCESS, report.step("reports-write-notepad").status());
        assertEquals(NtStatus.SUCCESS, report.step("reports-rename-notepad").status());
        assertEquals(NtStatus.SUCCESS, report.step("cache-write").status());
        assertEquals(Optional.of("cached on volume 2"), report.volume2Data(), "the redirected write");
        assertEquals(Optional.of(""), report.volume1Data(), "volume 1's file stays empty");
        assertTrue(report.step("cache-read").outcome().contains("index on volume 2"), report.step("cache-read").toString());
        assertTrue(report.step("archive-read").outcome().contains("archived on volume 2"),
                report.step("archive-read").toString());
        assertEquals(NtStatus.SUCCESS, report.step("shared-notes-notepad").status(), "Java answered ALLOW");
        assertEquals(NtStatus.ACCESS_DENIED, report.step("shared-payroll-notepad").status(), "Java answered DENY");
        assertEquals(NtStatus.ACCESS_DENIED, report.step("shared-notes-tool").status(), "timed out: default DENY");

        assertEquals(List.of(RULE_ASK_NOTEPAD, RULE_ASK_NOTEPAD, RULE_ASK_TOOL),
                report.asks().stream().map(a -> a.ask().ruleId()).toList());
        assertEquals(List.of("ALLOW", "DENY"), report.asks().subList(0, 2).stream()
                .map(DemoReport.AskExchange::answer).toList());

        assertTrue(hasEvent(report, RULE_SECRET, Operation.CREATE, ActionType.DENY, "\\Users\\alice\\secret\\plan.txt"));
        assertTrue(hasEvent(report, RULE_QUARANTINE, Operation.CREATE, ActionType.DENY, "\\Quarantine\\payload.exe"));
        assertTrue(hasEvent(report, RULE_READ_ONLY_REPORTS, Operation.CREATE, ActionType.MODIFY, "\\Reports\\q3.txt"));
        assertTrue(hasEvent(report, RULE_AUDIT_REPORTS, Operation.RENAME, ActionType.AUDIT, "\\Reports\\q3.txt"));
        assertTrue(report.events().stream().anyMatch(e -> e.ruleId() == RULE_ASK_TOOL
                && e.hasFlag(Protocol.EVENT_FLAG_ASK_TIMEOUT)), report.events().toString());

        Statistics s = report.statistics();
        assertEquals(3, s.asks());
        assertEquals(1, s.askTimeouts());
        assertEquals(1, s.postCreateCancels());
        assertEquals(0, s.redirectFallbacks());
        assertEquals(s.eventsQueued(), report.events().size());

        assertEquals(NtStatus.SUCCESS, report.unloadStatus());
        assertEquals(List.of(), report.violations());
        String printed = text.toString(StandardCharsets.UTF_8);
        assertTrue(printed.contains("STATUS_VIRUS_INFECTED"), printed);
        assertTrue(printed.contains("Driver unloaded"), printed);
    }

    @Test
    void eachOperationNamesTheRuleAndTheKernelMechanism() {
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        new DemoScenario(new PrintStream(text, true, StandardCharsets.UTF_8), Duration.ofMillis(200)).run();
        String printed = text.toString(StandardCharsets.UTF_8);
        assertTrue(printed.contains("rule secret (CREATE \\Users\\alice\\secret\\plan.txt): pre-operation DENY: "
                + "FLT_PREOP_COMPLETE with STATUS_ACCESS_DENIED"), printed);
        assertTrue(printed.contains("rule quarantine (CREATE \\Quarantine\\payload.exe): post-create DENY: "
                + "FltCancelFileOpen, the caller gets STATUS_VIRUS_INFECTED"), printed);
        assertTrue(printed.contains("rule read-only-reports (CREATE \\Reports\\q3.txt): MODIFY: parameters changed, "
                + "FltSetCallbackDataDirty"), printed);
        assertTrue(printed.contains("rule archive-reparse CREATE REDIRECT pid 1200 \\Device\\HarddiskVolume1\\Archive\\2025.txt "
                + "status STATUS_REPARSE [REPARSE]"), printed);
        assertTrue(printed.contains("rule archive-reparse (CREATE \\Archive\\2025.txt): REDIRECT by reparse: "
                + "IoReplaceFileObjectName + STATUS_REPARSE"), printed);
        assertTrue(printed.contains("rule cache-redirect (CREATE \\Cache\\data.txt): REDIRECT: Iopb->TargetInstance = "
                + "the driver's instance on \\Device\\HarddiskVolume2"), printed);
        assertTrue(printed.contains("rule ask-notepad (CREATE \\Shared\\payroll.xlsx): ASK: FltSendMessage answered by "
                + "the service: pre-operation DENY"), printed);
        assertTrue(printed.contains("rule ask-tool (CREATE \\Shared\\notes.txt): ASK: FltSendMessage timed out"), printed);
    }

    @Test
    void theBundledPolicyIsTheExamplesFile() throws Exception {
        java.nio.file.Path example = java.nio.file.Path.of(System.getProperty("jmf.root", "../.."), "examples",
                "demo-policy.yaml");
        assertEquals(org.jminifilter.cli.policyfile.PolicyFile.read(example, DemoScenario.volumes()).policy(),
                DemoScenario.bundledPolicy().policy());
    }

    private static boolean hasEvent(DemoReport report, int ruleId, Operation op, ActionType verdict, String path) {
        for (Event e : report.events()) {
            if (e.ruleId() == ruleId && e.operation() == op && e.verdict() == verdict && e.path().equals(path)) {
                return true;
            }
        }
        return false;
    }
}
