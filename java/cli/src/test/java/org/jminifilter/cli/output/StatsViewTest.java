package org.jminifilter.cli.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;

import org.jminifilter.cli.policyfile.RuleNames;
import org.jminifilter.policy.ActionType;
import org.jminifilter.protocol.RuleStatistics;
import org.jminifilter.protocol.Statistics;
import org.junit.jupiter.api.Test;

/** The tables and the JSON of {@code jminifilter stats}. */
class StatsViewTest {
    private static final Statistics STATS = new Statistics(7, 1234, Map.of(ActionType.DENY, 17L, ActionType.AUDIT, 5L),
            9, 1, 0, 0, 0, 1, 0, 0, 22, 3, 0, 2, 4, 0, 0, 3,
            List.of(new RuleStatistics(RuleNames.idOf("secret"), 17), new RuleStatistics(5, 5)));
    private static final RuleNames NAMES = RuleNames.of(Map.of(RuleNames.idOf("secret"), "secret", 5, "5"));

    @Test
    void tablesNameEveryCounterVerdictAndRule() {
        StringWriter text = new StringWriter();
        StatsView.print(STATS, NAMES, new PrintWriter(text));
        String out = text.toString();
        assertTrue(out.contains("policy generation 7, 2 rules"), out);
        assertTrue(out.contains("asks not waited (locks held)                     2"), out);
        assertTrue(out.matches("(?s).*deny\\s+17\\n.*"), out);
        assertTrue(out.matches("(?s).*secret\\s+17\\n.*"), out);
        assertTrue(out.contains("events dropped"), out);
    }

    @Test
    void jsonHasEveryCounterByName() {
        var o = StatsView.json(STATS, NAMES);
        assertEquals(1234, o.path("operations").asLong());
        assertEquals(2, o.path("asksNotWaited").asLong());
        assertEquals(4, o.path("asksCancelled").asLong());
        assertEquals(17, o.path("verdicts").path("deny").asLong());
        assertEquals("secret", o.path("rules").get(0).path("rule").asText());
    }
}
