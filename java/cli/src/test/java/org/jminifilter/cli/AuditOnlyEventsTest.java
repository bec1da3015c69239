package org.jminifilter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.node.ObjectNode;

import org.jminifilter.cli.output.EventJson;
import org.jminifilter.cli.policyfile.RuleNames;
import org.jminifilter.policy.ActionType;
import org.jminifilter.protocol.Event;
import org.jminifilter.protocol.Protocol;
import org.junit.jupiter.api.Test;

/**
 * An audit-only rule's event reads as "would ..." on the terminal and carries its flag in JSON;
 * validate counts the audit-only rules.
 */
class AuditOnlyEventsTest {
    @org.junit.jupiter.api.io.TempDir
    java.nio.file.Path dir;

    @Test
    void validateSaysHowManyRulesAreAuditOnly() throws Exception {
        java.nio.file.Path f = java.nio.file.Files.writeString(dir.resolve("p.yaml"), """
                version: 1
                mode: audit-only
                rules:
                  - {id: a, operations: [create], path: '\\a\\**', deny: }
                  - {id: b, operations: [create], path: '\\b\\**', deny: , mode: enforce}
                  - {id: c, operations: [write], path: '\\c\\**', audit: }
                """);
        CommandLineTest.Run r = CommandLineTest.run("validate", f.toString());
        assertEquals(ExitCodes.OK, r.exit(), r.err());
        org.junit.jupiter.api.Assertions.assertTrue(
                r.out().contains("valid: 3 rules, 0 volumes, 0 warnings, 1 audit-only (reported, not applied)"), r.out());
    }

    @Test
    void statsShowTheAuditOnlyCounter() {
        org.jminifilter.protocol.Statistics s = new org.jminifilter.protocol.Statistics(1, 10,
                Map.of(ActionType.DENY, 4L), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, List.of());
        assertEquals(3, org.jminifilter.cli.output.StatsView.json(s, RuleNames.of(Map.of())).path("auditOnly").asLong());
        java.io.StringWriter text = new java.io.StringWriter();
        org.jminifilter.cli.output.StatsView.print(s, RuleNames.of(Map.of()), new java.io.PrintWriter(text));
        org.junit.jupiter.api.Assertions.assertTrue(text.toString().matches("(?s).*audit-only \\(decided, not applied\\)\\s+3\\n.*"),
                text.toString());
    }

    @Test
    void theFlagHasItsNameAndTheVerdictReadsWould() {
        assertEquals(List.of("audit-only"), EventJson.flagNames(Protocol.EVENT_FLAG_AUDIT_ONLY));
        Event would = Event.builder().ruleId(5).verdict(ActionType.REDIRECT).flags(Protocol.EVENT_FLAG_AUDIT_ONLY).build();
        Event applied = Event.builder().ruleId(5).verdict(ActionType.REDIRECT).build();
        RuleNames names = RuleNames.of(Map.of(5, "cache"));
        ObjectNode json = EventJson.of(would, names);
        assertEquals("redirect", json.path("verdict").asText());
        assertEquals("audit-only", json.path("flags").get(0).asText());
        assertEquals("would redirect", EventsCommand.verdictText(json));
        assertEquals("redirect", EventsCommand.verdictText(EventJson.of(applied, names)));
    }
}
