package org.jminifilter.policy;

import org.jminifilter.protocol.Protocol;

/**
 * The verdict an ask falls back to when user mode does not answer (JMF_ACTION.DefaultVerdict,
 * JMF_CONFIG.DefaultVerdict).
 */
public enum DefaultVerdict {
    /** 0 on the wire: an ask uses the configured default ({@link org.jminifilter.protocol.Config}). */
    CONFIGURED(0),
    /** Let the operation through. */
    ALLOW(Protocol.ACTION_ALLOW),
    /** Fail it with the ask's (or the configuration's) deny status. */
    DENY(Protocol.ACTION_DENY);

    private final int code;

    DefaultVerdict(int code) {
        this.code = code;
    }

    /** The wire value: 0, JMF_ACTION_ALLOW or JMF_ACTION_DENY. */
    public int code() {
        return code;
    }

    /** The default verdict whose wire value is {@code code}; fails for any other value. */
    public static DefaultVerdict fromCode(int code) {
        for (DefaultVerdict v : values()) {
            if (v.code == code) {
                return v;
            }
        }
        throw new IllegalArgumentException("default verdict " + Integer.toUnsignedString(code)
                + " is neither 0, ALLOW nor DENY");
    }
}
