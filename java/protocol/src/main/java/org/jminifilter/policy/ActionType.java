package org.jminifilter.policy;

import org.jminifilter.protocol.Protocol;

/** The kinds of action (JMF_ACTION_*): what a rule does, or what a verdict applied. */
public enum ActionType {
    /** Let the operation through, no event. */
    ALLOW(Protocol.ACTION_ALLOW),
    /** Fail it with an NTSTATUS. */
    DENY(Protocol.ACTION_DENY),
    /** Edit its parameters. */
    MODIFY(Protocol.ACTION_MODIFY),
    /** Send it to another volume's instance. */
    REDIRECT(Protocol.ACTION_REDIRECT),
    /** Ask user mode for a verdict. */
    ASK(Protocol.ACTION_ASK),
    /** Let it through and report an event. */
    AUDIT(Protocol.ACTION_AUDIT);

    private final int code;

    ActionType(int code) {
        this.code = code;
    }

    /** The JMF_ACTION_* value. */
    public int code() {
        return code;
    }

    /** The type whose JMF_ACTION_* value is {@code code}; fails for an unknown value. */
    public static ActionType fromCode(int code) {
        for (ActionType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown action type " + Integer.toUnsignedString(code));
    }
}
