package org.jminifilter.protocol;

import java.nio.ByteBuffer;

/** JMF_RULE_STATISTICS: how many operations one rule decided. */
public record RuleStatistics(int ruleId, long matches) {
    private static final Layout L = Layouts.RULE_STATISTICS;
    private static final int RULE_ID = L.offset("RuleId");
    private static final int RESERVED = L.offset("Reserved");
    private static final int MATCHES = L.offset("Matches");

    void writeTo(ByteBuffer b, int offset) {
        b.putInt(offset + RULE_ID, ruleId);
        b.putInt(offset + RESERVED, 0);
        b.putLong(offset + MATCHES, matches);
    }

    static RuleStatistics read(ByteBuffer b, int offset, String field) {
        Wire.requireZero(b, offset + RESERVED, 4, field + ".Reserved");
        return new RuleStatistics(b.getInt(offset + RULE_ID), b.getLong(offset + MATCHES));
    }
}
