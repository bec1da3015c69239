package org.jminifilter.policy;

/**
 * A validation failure that knows the C field it is about ({@code Action.Status}), so the
 * builders can put the rule in front of it and the decoder can turn it into a
 * {@link org.jminifilter.protocol.ProtocolException} naming the structure.
 */
final class InvalidFieldException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String field;
    private final String detail;

    InvalidFieldException(String field, String detail) {
        this("", field, detail);
    }

    private InvalidFieldException(String context, String field, String detail) {
        super(context + field + ": " + detail);
        this.field = field;
        this.detail = detail;
    }

    String field() {
        return field;
    }

    String detail() {
        return detail;
    }

    /** The same failure, its message starting with {@code context} (for example "rule #3 (id 17): "). */
    InvalidFieldException in(String context) {
        InvalidFieldException e = new InvalidFieldException(context, field, detail);
        e.initCause(this);
        return e;
    }
}
