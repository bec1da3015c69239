package org.jminifilter.protocol;

/**
 * The constants of {@code native-driver/include/jmf_protocol.h}, named as in C without the
 * {@code JMF_} prefix (the conformance test relies on that naming to compare every value with
 * the C compiler's). Unsigned 32-bit C values are held in {@code int} (two's complement), so
 * {@code VOLUME_ANY} is {@code 0xFFFF} and {@code RULE_NONE} is {@code -1}.
 */
public final class Protocol {
    private Protocol() {
    }

    /** The port's name, {@code \JMiniFilterPort}. */
    public static final String PORT_NAME = "\\JMiniFilterPort";
    /** 'JMFC' read as a little-endian 32-bit number. */
    public static final int CONNECT_MAGIC = 0x43464D4A;
    public static final int PROTOCOL_VERSION = 4;

    // Operations: a rule holds a set, an ask or an event exactly one.
    public static final int OP_CREATE = 0x01;
    public static final int OP_READ = 0x02;
    public static final int OP_WRITE = 0x04;
    public static final int OP_RENAME = 0x08;
    public static final int OP_DELETE = 0x10;
    public static final int OP_ALL = 0x1F;

    // Action types (dense from 1; they index Statistics verdicts).
    public static final int ACTION_ALLOW = 1;
    public static final int ACTION_DENY = 2;
    public static final int ACTION_MODIFY = 3;
    public static final int ACTION_REDIRECT = 4;
    public static final int ACTION_ASK = 5;
    public static final int ACTION_AUDIT = 6;
    public static final int ACTION_COUNT = 7;

    public static final int ACTION_FLAG_POST_CREATE = 0x1;
    public static final int ACTION_FLAG_FALLBACK_DENY = 0x2;
    /** The rule in audit-only mode (DENY, MODIFY, REDIRECT, ASK; never a verdict). */
    public static final int ACTION_FLAG_AUDIT_ONLY = 0x4;
    /** REDIRECT rules only: the mechanism is reparse (RedirectMechanism.REPARSE). */
    public static final int ACTION_FLAG_REPARSE = 0x8;
    public static final int ACTION_FLAGS_VALID = 0x3 | ACTION_FLAG_AUDIT_ONLY | ACTION_FLAG_REPARSE;

    // JMF_POLICY_HEADER.Flags (assigned; accepted as each is implemented).
    public static final int POLICY_FLAG_AUDIT_ONLY = 0x1;
    public static final int POLICY_FLAG_PERSIST = 0x2;
    public static final int POLICY_FLAGS_VALID = POLICY_FLAG_AUDIT_ONLY | POLICY_FLAG_PERSIST;

    // JMF_CONFIG.Flags (assigned; accepted as each is implemented).
    public static final int CONFIG_FLAG_PERSIST = 0x1;
    public static final int CONFIG_FLAG_LOCKED = 0x2;
    public static final int CONFIG_FLAGS_VALID = CONFIG_FLAG_PERSIST | CONFIG_FLAG_LOCKED;
    /** Bytes of JMF_UNLOCK_KEY: the secret a LOCKED configuration carries and UNLOCK presents. */
    public static final int UNLOCK_KEY_BYTES = 32;

    public static final int DISPOSITION_UNCHANGED = 0xFFFFFFFF;

    // Operation flags (SL_*) a MODIFY may add or remove; the WDK's values.
    public static final int SL_FORCE_ACCESS_CHECK = 0x01;
    public static final int SL_CASE_SENSITIVE = 0x80;
    public static final int SL_WRITE_THROUGH = 0x04;
    public static final int SL_CREATE_VALID = SL_FORCE_ACCESS_CHECK | SL_CASE_SENSITIVE;
    public static final int SL_WRITE_VALID = SL_WRITE_THROUGH;
    public static final int SL_READ_VALID = 0x00;

    // Create dispositions (FILE_SUPERSEDE .. FILE_OVERWRITE_IF).
    public static final int FILE_SUPERSEDE = 0;
    public static final int FILE_OPEN = 1;
    public static final int FILE_CREATE = 2;
    public static final int FILE_OPEN_IF = 3;
    public static final int FILE_OVERWRITE = 4;
    public static final int FILE_OVERWRITE_IF = 5;
    public static final int FILE_MAXIMUM_DISPOSITION = 5;
    /** JMF_DISPOSITIONS_VALID: one bit per disposition in JMF_RULE.Dispositions. */
    public static final int DISPOSITIONS_VALID = (1 << (FILE_MAXIMUM_DISPOSITION + 1)) - 1;

    public static final int CREATE_OPTIONS_VALID = 0x00FFFFFF;

    // Fixed string capacities in asks and events, in UTF-16 code units.
    public static final int MAX_VOLUME_CHARS = 64;
    public static final int MAX_PATH_CHARS = 512;
    public static final int MAX_IMAGE_CHARS = 260;

    public static final int VOLUME_ANY = 0xFFFF;
    public static final int RULE_NONE = 0xFFFFFFFF;
    public static final int MAX_ASK_TIMEOUT_MS = 60000;

    // The compiled policy.
    /** 'JMFP' read as a little-endian 32-bit number. */
    public static final int POLICY_MAGIC = 0x50464D4A;
    public static final int POLICY_VERSION = 1;
    public static final int MAX_RULES = 100000;
    public static final int MAX_VOLUMES = 64;
    public static final int MAX_PATTERN_CHARS = 1024;
    public static final int MAX_POLICY_BYTES = 32 << 20;

    public static final int MATCH_DIRECTORY = 0x1;
    public static final int MATCH_NON_DIRECTORY = 0x2;
    public static final int MATCH_CREATED = 0x4;
    public static final int MATCH_FLAGS_VALID = 0x7;

    // Commands.
    public static final int COMMAND_SET_POLICY = 1;
    public static final int COMMAND_GET_STATISTICS = 2;
    public static final int COMMAND_SET_CONFIG = 3;
    public static final int COMMAND_GET_EVENTS = 4;
    public static final int COMMAND_UNLOCK = 5;

    // JMF_RESULT.Error (see ErrorCode).
    public static final int ERROR_NONE = 0;
    public static final int ERROR_TRUNCATED = 1;
    public static final int ERROR_BAD_MAGIC = 2;
    public static final int ERROR_BAD_VERSION = 3;
    public static final int ERROR_BAD_LENGTH = 4;
    public static final int ERROR_BAD_SECTION = 5;
    public static final int ERROR_TOO_MANY_RULES = 6;
    public static final int ERROR_TOO_MANY_VOLUMES = 7;
    public static final int ERROR_BAD_STRING = 8;
    public static final int ERROR_BAD_PATTERN = 9;
    public static final int ERROR_BAD_OPERATIONS = 10;
    public static final int ERROR_BAD_ACTION = 11;
    public static final int ERROR_BAD_FLAGS = 12;
    public static final int ERROR_BAD_STATUS = 13;
    public static final int ERROR_BAD_VOLUME = 14;
    public static final int ERROR_BAD_MODIFY = 15;
    public static final int ERROR_BAD_TIMEOUT = 16;
    public static final int ERROR_BAD_DEFAULT = 17;
    public static final int ERROR_RESERVED = 18;
    public static final int ERROR_BAD_RULE_ID = 19;
    public static final int ERROR_NO_MEMORY = 20;
    public static final int ERROR_BAD_CONFIG = 21;
    public static final int ERROR_NEVER_MATCHES = 22;
    public static final int ERROR_NOT_PERSISTED = 23;
    public static final int ERROR_LOCKED = 24;
    public static final int ERROR_COUNT = 25;

    public static final int INDEX_NONE = 0xFFFFFFFF;

    // Configuration.
    public static final int DISCONNECT_KEEP_POLICY = 1;
    public static final int DISCONNECT_CLEAR_POLICY = 2;
    public static final int MAX_ASKS_IN_FLIGHT = 256;
    public static final int DEFAULT_ASK_TIMEOUT_MS = 3000;
    public static final int DEFAULT_VERDICT = ACTION_ALLOW;
    /** STATUS_ACCESS_DENIED. */
    public static final int DEFAULT_DENY_STATUS = 0xC0000022;
    public static final int DEFAULT_ON_DISCONNECT = DISCONNECT_KEEP_POLICY;
    public static final int DEFAULT_MAX_ASKS_IN_FLIGHT = 16;

    // Events.
    public static final int EVENT_QUEUE_CAPACITY = 1024;
    public static final int EVENT_FLAG_POST_CREATE = 0x01;
    public static final int EVENT_FLAG_DEFAULT_VERDICT = 0x02;
    public static final int EVENT_FLAG_ASK_TIMEOUT = 0x04;
    public static final int EVENT_FLAG_ASKED = 0x08;
    public static final int EVENT_FLAG_REDIRECT_FALLBACK = 0x10;
    public static final int EVENT_FLAG_PATH_TRUNCATED = 0x20;
    public static final int EVENT_FLAG_MODIFIED = 0x40;
    /** Path is the destination of a rename or link, evaluated as a CREATE (or DELETE, when it replaces) of it. */
    public static final int EVENT_FLAG_DESTINATION = 0x80;
    /** A hard link, not a rename. */
    public static final int EVENT_FLAG_LINK = 0x100;
    public static final int EVENT_FLAG_OTHER_PATH_TRUNCATED = 0x200;
    /** I/O on a redirected handle whose target is gone: failed. */
    public static final int EVENT_FLAG_REDIRECT_TARGET_LOST = 0x400;
    /** An operation that cannot follow the redirect (section, byte-range lock, some FSCTLs): refused. */
    public static final int EVENT_FLAG_REDIRECT_REFUSED = 0x800;
    /** Default verdict: the thread must not wait (a top-level IRP: file-system locks held). */
    public static final int EVENT_FLAG_ASK_NOT_WAITED = 0x1000;
    /** Default verdict: the ask ended at unload, instance teardown or disconnect. */
    public static final int EVENT_FLAG_ASK_CANCELLED = 0x2000;
    /** Audit-only: the verdict is what would have applied; the operation passed. */
    public static final int EVENT_FLAG_AUDIT_ONLY = 0x4000;
    /** A REDIRECT by reparse. */
    public static final int EVENT_FLAG_REPARSE = 0x8000;
    /** Not an operation: at load, a persisted value (Path names it) did not validate and was ignored. */
    public static final int EVENT_FLAG_PERSISTED_REJECTED = 0x10000;
    public static final int EVENT_FLAGS_VALID = 0x1FFFF;

    // Notifications.
    public static final int NOTIFICATION_ASK = 1;
    public static final int ASK_FLAG_POST_CREATE = 0x1;
    public static final int ASK_FLAG_PATH_TRUNCATED = 0x2;
    /** Path is the destination of a rename or link (asked as CREATE, or DELETE when it replaces a file). */
    public static final int ASK_FLAG_DESTINATION = 0x4;
    /** ... of a hard link, not a rename. */
    public static final int ASK_FLAG_LINK = 0x8;
    public static final int ASK_FLAGS_VALID = 0xF;

    // Sizes (the conformance test checks each against sizeof in C).
    public static final int FILTER_MESSAGE_HEADER_SIZE = 16;
    public static final int FILTER_REPLY_HEADER_SIZE = 16;
    public static final int CONNECT_CONTEXT_SIZE = 8;
    public static final int COMMAND_HEADER_SIZE = 8;
    public static final int NOTIFICATION_HEADER_SIZE = 8;
    public static final int ACTION_SIZE = 40;
    public static final int STRING_REF_SIZE = 8;
    public static final int POLICY_HEADER_SIZE = 40;
    public static final int VOLUME_SIZE = 8;
    public static final int RULE_SIZE = 80;
    public static final int RESULT_SIZE = 16;
    public static final int CONFIG_SIZE = 24;
    public static final int UNLOCK_KEY_SIZE = 32;
    public static final int STATISTICS_SIZE = 200;
    public static final int RULE_STATISTICS_SIZE = 16;
    public static final int EVENT_SIZE = 2224;
    public static final int EVENT_BATCH_SIZE = 16;
    public static final int ASK_SIZE = 1728;
    public static final int ASK_REPLY_SIZE = 40;
    /** What a FilterGetMessage buffer must hold: the message header and one ask. */
    public static final int NOTIFICATION_BUFFER_SIZE = FILTER_MESSAGE_HEADER_SIZE + ASK_SIZE;
    /** What FilterReplyMessage is given: the reply header and the ask reply (header included). */
    public static final int REPLY_BUFFER_SIZE = FILTER_REPLY_HEADER_SIZE + ASK_REPLY_SIZE;

    /**
     * JMF_STATUS_FLT_DISALLOW_FAST_IO (ntstatus.h's STATUS_FLT_DISALLOW_FAST_IO): the value a DENY
     * may never use, because the filter manager reads it as "retry as an IRP" rather than a failure.
     */
    public static final int STATUS_FLT_DISALLOW_FAST_IO = 0xC01C0004;
    /** STATUS_SUCCESS. */
    public static final int STATUS_SUCCESS = 0;

    /**
     * True for an NTSTATUS a DENY may use: error severity (top two bits set) and not
     * {@link #STATUS_FLT_DISALLOW_FAST_IO}. Mirrors JmfIsDenyStatus.
     */
    public static boolean isDenyStatus(int status) {
        return (status >>> 30) == 3 && status != STATUS_FLT_DISALLOW_FAST_IO;
    }
}
