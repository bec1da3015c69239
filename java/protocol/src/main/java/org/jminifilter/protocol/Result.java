package org.jminifilter.protocol;

import java.nio.ByteBuffer;

/**
 * JMF_RESULT: the kernel's answer to SET_POLICY and SET_CONFIG.
 *
 * @param status     NTSTATUS: STATUS_SUCCESS, or why the command was refused
 * @param error      which check failed, {@link ErrorCode#NONE} on success
 * @param ruleIndex  the position (from 0) of the rule at fault, or {@link Protocol#INDEX_NONE}
 * @param generation the policy generation in force after the command
 */
public record Result(NtStatus status, ErrorCode error, int ruleIndex, int generation) {
    private static final Layout L = Layouts.RESULT;
    private static final int STATUS = L.offset("Status");
    private static final int ERROR = L.offset("Error");
    private static final int RULE_INDEX = L.offset("RuleIndex");
    private static final int GENERATION = L.offset("Generation");

    /** Validates the fields: status and error are required. */
    public Result {
        if (error == null || status == null) {
            throw new IllegalArgumentException(error == null ? "Error: null" : "Status: null");
        }
    }

    /** The result with a raw 32-bit NTSTATUS {@code status}; see the record's components. */
    public Result(int status, ErrorCode error, int ruleIndex, int generation) {
        this(NtStatus.of(status), error, ruleIndex, generation);
    }

    /** The status as the 32-bit NTSTATUS (JMF_RESULT.Status). */
    public int statusCode() {
        return status.value();
    }

    /** Success, with {@code generation} in force. */
    public static Result success(int generation) {
        return new Result(Protocol.STATUS_SUCCESS, ErrorCode.NONE, Protocol.INDEX_NONE, generation);
    }

    /** True when the command took effect. */
    public boolean isSuccess() {
        return error == ErrorCode.NONE && status.isSuccess();
    }

    /** True when {@link #ruleIndex()} names a rule. */
    public boolean hasRuleIndex() {
        return ruleIndex != Protocol.INDEX_NONE;
    }

    /** A sentence for a person: the error's description, the rule at fault and the status. */
    public String describe() {
        if (isSuccess()) {
            return "accepted, generation " + Integer.toUnsignedString(generation);
        }
        return error.description() + (hasRuleIndex() ? " (rule #" + Integer.toUnsignedString(ruleIndex) + ")" : "")
                + String.format(" [JMF_ERROR %d, NTSTATUS %s]", error.code(), status);
    }

    /** The 16 bytes, little-endian, position 0. */
    public ByteBuffer encode() {
        ByteBuffer b = Wire.allocate(L.size());
        b.putInt(STATUS, status.value());
        b.putInt(ERROR, error.code());
        b.putInt(RULE_INDEX, ruleIndex);
        b.putInt(GENERATION, generation);
        return b;
    }

    /** Decodes exactly 16 bytes (the remaining ones of {@code in}, whose position is not changed). */
    public static Result decode(ByteBuffer in) {
        ByteBuffer b = Wire.view(in);
        Wire.requireSize(b, L.name(), L.size());
        return new Result(b.getInt(STATUS), ErrorCode.fromCode(b.getInt(ERROR), L.name() + ".Error"),
                b.getInt(RULE_INDEX), b.getInt(GENERATION));
    }
}
