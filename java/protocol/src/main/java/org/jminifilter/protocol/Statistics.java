package org.jminifilter.protocol;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import org.jminifilter.policy.ActionType;

/**
 * The GET_STATISTICS output: JMF_STATISTICS followed by one JMF_RULE_STATISTICS per rule, in rule
 * order. Counters are unsigned 64-bit values held in {@code long}.
 */
public record Statistics(int generation, long operations, Map<ActionType, Long> verdicts, long asks,
        long askTimeouts, long askNoClient, long askOverLimit, long askBadReplies, long defaultVerdicts,
        long redirectFallbacks, long postCreateCancels, long eventsQueued, long eventsDropped,
        long policiesRejected, long askNotWaited, long askCancelled, long redirectTargetLost,
        long redirectRefused, long auditOnly, List<RuleStatistics> rules) {

    private static final Layout L = Layouts.STATISTICS;
    private static final int GENERATION = L.offset("Generation");
    private static final int RULE_COUNT = L.offset("RuleCount");
    private static final int OPERATIONS = L.offset("Operations");
    private static final int VERDICTS = L.offset("Verdicts");
    private static final String[] COUNTERS = {"Asks", "AskTimeouts", "AskNoClient", "AskOverLimit",
        "AskBadReplies", "DefaultVerdicts", "RedirectFallbacks", "PostCreateCancels", "EventsQueued",
        "EventsDropped", "PoliciesRejected", "AskNotWaited", "AskCancelled", "RedirectTargetLost",
        "RedirectRefused", "AuditOnly"};

    /** Validates the fields; an IllegalArgumentException names the one at fault. */
    public Statistics {
        EnumMap<ActionType, Long> copy = new EnumMap<>(ActionType.class);
        for (ActionType t : ActionType.values()) {
            copy.put(t, verdicts.getOrDefault(t, 0L));
        }
        verdicts = Collections.unmodifiableMap(copy);
        rules = List.copyOf(rules);
    }

    /**
     * Operations given verdict {@code type}; a decision of an audit-only rule is counted by the
     * verdict that would have applied (and in {@link #auditOnly()}).
     */
    public long verdicts(ActionType type) {
        return verdicts.get(type);
    }

    /** sizeof(JMF_STATISTICS) + ruleCount * sizeof(JMF_RULE_STATISTICS). */
    public static int size(int ruleCount) {
        return L.size() + ruleCount * Layouts.RULE_STATISTICS.size();
    }

    private long[] counters() {
        return new long[] {asks, askTimeouts, askNoClient, askOverLimit, askBadReplies, defaultVerdicts,
            redirectFallbacks, postCreateCancels, eventsQueued, eventsDropped, policiesRejected, askNotWaited,
            askCancelled, redirectTargetLost, redirectRefused, auditOnly};
    }

    /** The output bytes, little-endian, position 0. */
    public ByteBuffer encode() {
        ByteBuffer b = Wire.allocate(size(rules.size()));
        b.putInt(GENERATION, generation);
        b.putInt(RULE_COUNT, rules.size());
        b.putLong(OPERATIONS, operations);
        for (ActionType t : ActionType.values()) {
            b.putLong(VERDICTS + 8 * t.code(), verdicts.get(t));
        }
        long[] c = counters();
        for (int i = 0; i < COUNTERS.length; i++) {
            b.putLong(L.offset(COUNTERS[i]), c[i]);
        }
        for (int i = 0; i < rules.size(); i++) {
            rules.get(i).writeTo(b, L.size() + i * Layouts.RULE_STATISTICS.size());
        }
        return b;
    }

    /**
     * Decodes the remaining bytes of {@code in} (position not changed), which must be exactly
     * JMF_STATISTICS and RuleCount rule statistics.
     */
    public static Statistics decode(ByteBuffer in) {
        ByteBuffer b = Wire.view(in);
        Wire.requireAtLeast(b, L.name(), L.size());
        long ruleCount = Integer.toUnsignedLong(b.getInt(RULE_COUNT));
        if (ruleCount > Protocol.MAX_RULES) {
            throw new ProtocolException(ErrorCode.TOO_MANY_RULES, L.name() + ".RuleCount", ruleCount + " is over JMF_MAX_RULES");
        }
        int count = (int) ruleCount;
        if (b.remaining() != size(count)) {
            throw new ProtocolException(ErrorCode.BAD_LENGTH, L.name() + ".RuleCount", count + " rules need " + size(count)
                    + " bytes, the output holds " + b.remaining());
        }
        if (b.getLong(VERDICTS) != 0) {
            throw new ProtocolException(ErrorCode.RESERVED, L.name() + ".Verdicts[0]", "unused, must be zero");
        }
        Map<ActionType, Long> verdicts = new EnumMap<>(ActionType.class);
        for (ActionType t : ActionType.values()) {
            verdicts.put(t, b.getLong(VERDICTS + 8 * t.code()));
        }
        long[] c = new long[COUNTERS.length];
        for (int i = 0; i < COUNTERS.length; i++) {
            c[i] = b.getLong(L.offset(COUNTERS[i]));
        }
        List<RuleStatistics> rules = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            rules.add(RuleStatistics.read(b, L.size() + i * Layouts.RULE_STATISTICS.size(),
                    "JMF_RULE_STATISTICS[" + i + "]"));
        }
        return new Statistics(b.getInt(GENERATION), b.getLong(OPERATIONS), verdicts, c[0], c[1], c[2], c[3], c[4],
                c[5], c[6], c[7], c[8], c[9], c[10], c[11], c[12], c[13], c[14], c[15], rules);
    }
}
