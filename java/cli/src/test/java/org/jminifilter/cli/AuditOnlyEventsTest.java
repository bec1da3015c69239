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

/** An audit-only rule's event reads as "would ..." on the terminal and carries its flag in JSON. */
class AuditOnlyEventsTest {
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
