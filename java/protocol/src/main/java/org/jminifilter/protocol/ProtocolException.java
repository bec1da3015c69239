package org.jminifilter.protocol;

/**
 * Bytes that are not a valid message: truncated or oversized, of the wrong type, magic or version,
 * with an offset, length or enum value out of range, or a reserved field that is not zero. The
 * only exception the decoders throw for bad input.
 *
 * <p>{@link #field()} names the structure and field at fault, for example
 * {@code JMF_RULE[3].Path.Offset}. {@link #error()} is the JMF_ERROR_* the driver reports for the
 * same input (the policy, configuration and command decoders make the driver's checks in the
 * driver's order, and a test holds them to it); for messages only the driver writes (asks,
 * events, statistics) it is the nearest code. {@link #toResult(int)} is the JMF_RESULT the driver
 * would answer.
 */
public final class ProtocolException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    /** STATUS_INVALID_PARAMETER: the status of every JMF_RESULT refusal but NO_MEMORY. */
    public static final int STATUS_INVALID_PARAMETER = 0xC000000D;

    private final ErrorCode error;
    private final String field;

    /**
     * @param error  the JMF_ERROR_* this fault is reported with
     * @param field  the structure and field at fault
     * @param detail what is wrong with it
     */
    public ProtocolException(ErrorCode error, String field, String detail) {
        super(field + ": " + detail);
        if (error == null || error == ErrorCode.NONE) {
            throw new IllegalArgumentException("a ProtocolException needs an error code other than NONE");
        }
        this.error = error;
        this.field = field;
    }

    /** The structure and field at fault, for example {@code JMF_ASK.PathLength}. */
    public String field() {
        return field;
    }

    /** The JMF_ERROR_* of this fault. */
    public ErrorCode error() {
        return error;
    }

    /** The position of the rule at fault when {@link #field()} is inside a rule, else JMF_INDEX_NONE. */
    public int ruleIndex() {
        if (field.startsWith("JMF_RULE[")) {
            int end = field.indexOf(']');
            return Integer.parseInt(field.substring("JMF_RULE[".length(), end));
        }
        return Protocol.INDEX_NONE;
    }

    /** The JMF_RESULT the driver answers a SET_POLICY or SET_CONFIG that fails this way with. */
    public Result toResult(int generation) {
        return new Result(STATUS_INVALID_PARAMETER, error, ruleIndex(), generation);
    }
}
