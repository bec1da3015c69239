package org.jminifilter.policy;

import java.util.Collection;
import java.util.EnumSet;

import org.jminifilter.protocol.Protocol;

/**
 * A post-create match (JMF_MATCH_*). Any of them makes a rule a post-create one, which needs a
 * rule whose only operation is CREATE.
 */
public enum MatchFlag {
    /** Only when the opened object is a directory. */
    DIRECTORY(Protocol.MATCH_DIRECTORY),
    /** Only when the opened object is not a directory. */
    NON_DIRECTORY(Protocol.MATCH_NON_DIRECTORY),
    /** Only when this open created the file. */
    CREATED(Protocol.MATCH_CREATED);

    private final int bit;

    MatchFlag(int bit) {
        this.bit = bit;
    }

    /** The JMF_MATCH_* bit. */
    public int bit() {
        return bit;
    }

    /** The JMF_RULE.MatchFlags value of {@code flags}. */
    public static int mask(Collection<MatchFlag> flags) {
        int mask = 0;
        for (MatchFlag f : flags) {
            mask |= f.bit;
        }
        return mask;
    }

    /** The flags of {@code mask}; fails on a bit outside JMF_MATCH_FLAGS_VALID. */
    public static EnumSet<MatchFlag> fromMask(int mask) {
        if ((mask & ~Protocol.MATCH_FLAGS_VALID) != 0) {
            throw new IllegalArgumentException(String.format("unknown match flag bits 0x%X",
                    mask & ~Protocol.MATCH_FLAGS_VALID));
        }
        EnumSet<MatchFlag> set = EnumSet.noneOf(MatchFlag.class);
        for (MatchFlag f : values()) {
            if ((mask & f.bit) != 0) {
                set.add(f);
            }
        }
        return set;
    }
}
