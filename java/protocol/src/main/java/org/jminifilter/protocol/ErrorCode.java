package org.jminifilter.protocol;

/** Why the kernel rejected a policy or a configuration (JMF_RESULT.Error, JMF_ERROR_*). */
public enum ErrorCode {
    NONE(Protocol.ERROR_NONE, "no error"),
    TRUNCATED(Protocol.ERROR_TRUNCATED, "the body is shorter than its header says"),
    BAD_MAGIC(Protocol.ERROR_BAD_MAGIC, "the policy's magic number is wrong"),
    BAD_VERSION(Protocol.ERROR_BAD_VERSION, "the policy format version is not the driver's"),
    BAD_LENGTH(Protocol.ERROR_BAD_LENGTH, "a length field disagrees with the buffer, or is over a limit"),
    BAD_SECTION(Protocol.ERROR_BAD_SECTION, "a section offset is misaligned, out of range, or overlaps another"),
    TOO_MANY_RULES(Protocol.ERROR_TOO_MANY_RULES, "more rules than the driver accepts"),
    TOO_MANY_VOLUMES(Protocol.ERROR_TOO_MANY_VOLUMES, "more volumes than the driver accepts"),
    BAD_STRING(Protocol.ERROR_BAD_STRING, "a string reference is odd, outside the string table, or too long"),
    BAD_PATTERN(Protocol.ERROR_BAD_PATTERN, "a pattern is not well formed (for example \"***\" or a NUL)"),
    BAD_OPERATIONS(Protocol.ERROR_BAD_OPERATIONS, "a rule's operations are empty, unknown, or not allowed with its action"),
    BAD_ACTION(Protocol.ERROR_BAD_ACTION, "an unknown action type, or ASK given as an ask's verdict"),
    BAD_FLAGS(Protocol.ERROR_BAD_FLAGS, "unknown or disallowed action or match flags"),
    BAD_STATUS(Protocol.ERROR_BAD_STATUS, "a status that is not an error NTSTATUS, or is STATUS_FLT_DISALLOW_FAST_IO"),
    BAD_VOLUME(Protocol.ERROR_BAD_VOLUME, "a volume index outside the volume table"),
    BAD_MODIFY(Protocol.ERROR_BAD_MODIFY, "MODIFY access, options, disposition or operation flag bits out of range"),
    BAD_TIMEOUT(Protocol.ERROR_BAD_TIMEOUT, "an ask timeout out of range"),
    BAD_DEFAULT(Protocol.ERROR_BAD_DEFAULT, "a default verdict that is neither ALLOW nor DENY"),
    RESERVED(Protocol.ERROR_RESERVED, "a reserved field or an unused action field is not zero"),
    BAD_RULE_ID(Protocol.ERROR_BAD_RULE_ID, "a rule id is JMF_RULE_NONE or used twice"),
    NO_MEMORY(Protocol.ERROR_NO_MEMORY, "the driver ran out of memory"),
    BAD_CONFIG(Protocol.ERROR_BAD_CONFIG, "a configuration value out of range"),
    NEVER_MATCHES(Protocol.ERROR_NEVER_MATCHES, "a path or image pattern, or a volume name, that no name the kernel"
            + " sees can match (not starting with '\\', holding '/' or an empty component, a trailing '\\',"
            + " a drive letter)"),
    NOT_PERSISTED(Protocol.ERROR_NOT_PERSISTED, "put in force, but the driver could not write it to its service key"),
    LOCKED(Protocol.ERROR_LOCKED, "the driver is locked: a wrong unlock key, or a configuration that would drop or"
            + " change the lock without unlocking first");

    private final int code;
    private final String description;

    ErrorCode(int code, String description) {
        this.code = code;
        this.description = description;
    }

    /** The JMF_ERROR_* value. */
    public int code() {
        return code;
    }

    /** What the error means, for a person. */
    public String description() {
        return description;
    }

    /** The error whose JMF_ERROR_* value is {@code code}; a {@link ProtocolException} on {@code field} otherwise. */
    public static ErrorCode fromCode(int code, String field) {
        if (code >= 0 && code < Protocol.ERROR_COUNT) {
            ErrorCode e = values()[code];
            if (e.code == code) {
                return e;
            }
        }
        throw new ProtocolException(BAD_LENGTH, field, "unknown error code " + Integer.toUnsignedString(code));
    }
}
