package org.jminifilter.protocol;

/**
 * Bytes that are not a valid message: truncated or oversized, of the wrong type, magic or version,
 * with an offset, length or enum value out of range, or a reserved field that is not zero. The
 * only exception the decoders throw for bad input; {@link #field()} names the structure and field
 * at fault, for example {@code JMF_RULE[3].Path.Offset}.
 */
public final class ProtocolException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String field;

    /** @param field the structure and field at fault; {@code detail} says what is wrong with it */
    public ProtocolException(String field, String detail) {
        super(field + ": " + detail);
        this.field = field;
    }

    /** The structure and field at fault, for example {@code JMF_ASK.PathLength}. */
    public String field() {
        return field;
    }
}
