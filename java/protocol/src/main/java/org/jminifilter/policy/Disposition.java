package org.jminifilter.policy;

import java.util.Collection;
import java.util.EnumSet;

import org.jminifilter.protocol.Protocol;

/** A create disposition (FILE_SUPERSEDE .. FILE_OVERWRITE_IF), in WDK order. */
public enum Disposition {
    SUPERSEDE(Protocol.FILE_SUPERSEDE),
    OPEN(Protocol.FILE_OPEN),
    CREATE(Protocol.FILE_CREATE),
    OPEN_IF(Protocol.FILE_OPEN_IF),
    OVERWRITE(Protocol.FILE_OVERWRITE),
    OVERWRITE_IF(Protocol.FILE_OVERWRITE_IF);

    /** The mask of every disposition bit (1 &lt;&lt; JMF_FILE_*) a rule may name. */
    public static final int MASK_VALID = (1 << (Protocol.FILE_MAXIMUM_DISPOSITION + 1)) - 1;

    private final int code;

    Disposition(int code) {
        this.code = code;
    }

    /** The JMF_FILE_* value. */
    public int code() {
        return code;
    }

    /** The disposition whose JMF_FILE_* value is {@code code}; fails for an unknown value. */
    public static Disposition fromCode(int code) {
        if (code < 0 || code > Protocol.FILE_MAXIMUM_DISPOSITION) {
            throw new IllegalArgumentException("unknown create disposition " + Integer.toUnsignedString(code));
        }
        return values()[code];
    }

    /** The JMF_RULE.Dispositions mask of {@code dispositions}. */
    public static int mask(Collection<Disposition> dispositions) {
        int mask = 0;
        for (Disposition d : dispositions) {
            mask |= 1 << d.code;
        }
        return mask;
    }

    /** The dispositions of a JMF_RULE.Dispositions mask; fails on an unknown bit. */
    public static EnumSet<Disposition> fromMask(int mask) {
        if ((mask & ~MASK_VALID) != 0) {
            throw new IllegalArgumentException(String.format("unknown disposition bits 0x%X", mask & ~MASK_VALID));
        }
        EnumSet<Disposition> set = EnumSet.noneOf(Disposition.class);
        for (Disposition d : values()) {
            if ((mask & (1 << d.code)) != 0) {
                set.add(d);
            }
        }
        return set;
    }
}
