package org.jminifilter.cli.output;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.jminifilter.cli.policyfile.RuleNames;
import org.jminifilter.policy.ActionType;
import org.jminifilter.protocol.RuleStatistics;
import org.jminifilter.protocol.Statistics;

/** Statistics for people (aligned tables) and for machines (one JSON object). */
public final class StatsView {
    private static final ObjectMapper JSON = new ObjectMapper();

    private StatsView() {
    }

    /** The kernel's counters other than verdicts and rules, by the name the README uses. */
    static Map<String, Long> counters(Statistics s) {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("operations", s.operations());
        m.put("asks", s.asks());
        m.put("ask timeouts", s.askTimeouts());
        m.put("asks with no client", s.askNoClient());
        m.put("asks over the limit", s.askOverLimit());
        m.put("asks not waited (locks held)", s.askNotWaited());
        m.put("asks cancelled (unload, teardown)", s.askCancelled());
        m.put("bad replies", s.askBadReplies());
        m.put("default verdicts", s.defaultVerdicts());
        m.put("redirect fallbacks", s.redirectFallbacks());
        m.put("redirect targets lost", s.redirectTargetLost());
        m.put("redirect refusals", s.redirectRefused());
        m.put("post-create cancels", s.postCreateCancels());
        m.put("audit-only (decided, not applied)", s.auditOnly());
        m.put("events queued", s.eventsQueued());
        m.put("events dropped", s.eventsDropped());
        m.put("policies rejected", s.policiesRejected());
        return m;
    }

    /** Three aligned tables: counters, verdicts, rules (as the policy file names them). */
    public static void print(Statistics s, RuleNames names, PrintWriter out) {
        out.printf("policy generation %s, %d rules%n%n", Integer.toUnsignedString(s.generation()), s.rules().size());
        Map<String, Long> c = counters(s);
        int width = c.keySet().stream().mapToInt(String::length).max().orElse(10);
        for (Map.Entry<String, Long> e : c.entrySet()) {
            out.printf("  %-" + width + "s  %,15d%n", e.getKey(), e.getValue());
        }
        out.println();
        out.printf("  %-10s  %15s%n", "verdict", "operations");
        for (ActionType t : ActionType.values()) {
            out.printf("  %-10s  %,15d%n", t.name().toLowerCase(Locale.ROOT), s.verdicts(t));
        }
        if (!s.rules().isEmpty()) {
            int w = Math.max(4, s.rules().stream().mapToInt(r -> names.describe(r.ruleId()).length()).max().orElse(4));
            out.println();
            out.printf("  %-" + w + "s  %15s%n", "rule", "matches");
            for (RuleStatistics r : s.rules()) {
                out.printf("  %-" + w + "s  %,15d%n", names.describe(r.ruleId()), r.matches());
            }
        }
        out.flush();
    }

    /** One JSON object with every counter. */
    public static ObjectNode json(Statistics s, RuleNames names) {
        ObjectNode o = JSON.createObjectNode();
        o.put("generation", Integer.toUnsignedLong(s.generation()));
        counters(s).forEach((k, v) -> o.put(camel(k), v));
        ObjectNode verdicts = o.putObject("verdicts");
        for (ActionType t : ActionType.values()) {
            verdicts.put(t.name().toLowerCase(Locale.ROOT), s.verdicts(t));
        }
        ArrayNode rules = o.putArray("rules");
        for (RuleStatistics r : s.rules()) {
            ObjectNode rule = rules.addObject();
            rule.put("rule", names.describe(r.ruleId()));
            rule.put("ruleId", Integer.toUnsignedLong(r.ruleId()));
            rule.put("matches", r.matches());
        }
        return o;
    }

    /** "asks not waited (locks held)" becomes "asksNotWaited". */
    static String camel(String words) {
        String plain = words.replaceAll("\\(.*\\)", "").trim();
        StringBuilder b = new StringBuilder();
        boolean up = false;
        for (char ch : plain.toCharArray()) {
            if (ch == ' ' || ch == '-') {
                up = true;
            } else {
                b.append(up ? Character.toUpperCase(ch) : ch);
                up = false;
            }
        }
        return b.toString();
    }
}
