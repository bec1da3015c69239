package org.jminifilter.protocol;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import org.jminifilter.policy.ActionType;
import org.jminifilter.policy.Operation;

/**
 * JMF_EVENT: one operation a rule decided (AUDIT, and every enforcement). In tests, make one with
 * {@link #builder()}, which fills in what a test does not care about:
 *
 * <pre>{@code
 * Event e = Event.builder().ruleId(7).operation(Operation.WRITE).verdict(ActionType.DENY)
 *         .status(NtStatus.ACCESS_DENIED).path("\\secret\\plan.txt").build();
 * }</pre>
 *
 * @param time      system time, 100 ns units since 1601-01-01 UTC (see {@link #instant()})
 * @param sequence  increases by one per event queued, dropped ones included
 * @param ruleId    the deciding rule, or JMF_RULE_NONE
 * @param operation the one operation; null only for a {@link #persistedRejected()} event, which reports no operation
 * @param verdict   the action applied, null only for a {@link #persistedRejected()} event; with
 *                  {@link Protocol#EVENT_FLAG_AUDIT_ONLY} the action an audit-only rule would have applied, the
 *                  operation having passed unchanged ({@link #wouldApply()})
 * @param status    the operation's final NTSTATUS when the driver set it, else STATUS_SUCCESS (0)
 * @param processId the requesting process
 * @param flags     JMF_EVENT_FLAG_* bits
 * @param volume    the volume's NT device name (at most JMF_MAX_VOLUME_CHARS code units)
 * @param path      the volume-relative path the deciding rule matched (at most JMF_MAX_PATH_CHARS code units)
 * @param otherPath the other end of a rename or link, volume-relative, or "" when there is none: the
 *                  destination when {@code path} is the source (RENAME), the source when {@code path} is the
 *                  destination ({@link Protocol#EVENT_FLAG_DESTINATION})
 */
public record Event(long time, long sequence, int ruleId, Operation operation, ActionType verdict, NtStatus status,
        int processId, int flags, String volume, String path, String otherPath) {

    private static final Layout L = Layouts.EVENT;
    private static final int TIME = L.offset("Time");
    private static final int SEQUENCE = L.offset("Sequence");
    private static final int RULE_ID = L.offset("RuleId");
    private static final int OPERATION = L.offset("Operation");
    private static final int VERDICT = L.offset("Verdict");
    private static final int STATUS = L.offset("Status");
    private static final int PROCESS_ID = L.offset("ProcessId");
    private static final int FLAGS = L.offset("Flags");
    private static final int VOLUME_LENGTH = L.offset("VolumeLength");
    private static final int PATH_LENGTH = L.offset("PathLength");
    private static final int OTHER_PATH_LENGTH = L.offset("OtherPathLength");
    private static final int RESERVED = L.offset("Reserved");
    private static final int VOLUME = L.offset("Volume");
    private static final int PATH = L.offset("Path");
    private static final int OTHER_PATH = L.offset("OtherPath");
    static final int FLAGS_VALID = Protocol.EVENT_FLAGS_VALID;
    private static final Instant EPOCH_1601 = Instant.parse("1601-01-01T00:00:00Z");

    /** Validates the fields; an IllegalArgumentException names the one at fault (the kernel never sends such an event). */
    public Event {
        boolean notAnOperation = (flags & Protocol.EVENT_FLAG_PERSISTED_REJECTED) != 0;
        if ((notAnOperation ? operation != null || verdict != null : operation == null || verdict == null)) {
            throw new IllegalArgumentException(notAnOperation
                    ? "operation and verdict: must be null for a PERSISTED_REJECTED event (it reports no operation)"
                    : "operation and verdict are required");
        }
        if (status == null || volume == null || path == null || otherPath == null) {
            throw new IllegalArgumentException("status, volume, path and otherPath are required");
        }
        if ((flags & ~FLAGS_VALID) != 0) {
            throw new IllegalArgumentException(String.format("Flags: unknown bits 0x%X", flags & ~FLAGS_VALID));
        }
        if (volume.length() > Protocol.MAX_VOLUME_CHARS) {
            throw new IllegalArgumentException("Volume: " + volume.length() + " code units, at most "
                    + Protocol.MAX_VOLUME_CHARS);
        }
        if (path.length() > Protocol.MAX_PATH_CHARS) {
            throw new IllegalArgumentException("Path: " + path.length() + " code units, at most "
                    + Protocol.MAX_PATH_CHARS + " (the kernel truncates and sets PATH_TRUNCATED)");
        }
        if (otherPath.length() > Protocol.MAX_PATH_CHARS) {
            throw new IllegalArgumentException("OtherPath: " + otherPath.length() + " code units, at most "
                    + Protocol.MAX_PATH_CHARS + " (the kernel truncates and sets OTHER_PATH_TRUNCATED)");
        }
    }

    /**
     * Whether this event reports that a persisted policy or configuration ({@link #path()} names the
     * value: "PersistedPolicy" or "PersistedConfig") did not validate when the driver loaded and was
     * ignored; {@link #status()} says why. Such an event has no operation and no verdict.
     */
    public boolean persistedRejected() {
        return (flags & Protocol.EVENT_FLAG_PERSISTED_REJECTED) != 0;
    }

    /** The event with a raw NTSTATUS {@code status}; see the record's components. */
    public Event(long time, long sequence, int ruleId, Operation operation, ActionType verdict, int status,
            int processId, int flags, String volume, String path, String otherPath) {
        this(time, sequence, ruleId, operation, verdict, NtStatus.of(status), processId, flags, volume, path,
                otherPath);
    }

    /** An event with no other path (anything but a rename or a link) and a raw NTSTATUS {@code status}. */
    public Event(long time, long sequence, int ruleId, Operation operation, ActionType verdict, int status,
            int processId, int flags, String volume, String path) {
        this(time, sequence, ruleId, operation, verdict, status, processId, flags, volume, path, "");
    }

    /** The final status as the 32-bit NTSTATUS (JMF_EVENT.Status). */
    public int statusCode() {
        return status.value();
    }

    /**
     * A builder with test-friendly defaults: time 0, sequence 0, rule JMF_RULE_NONE, operation
     * CREATE, verdict AUDIT, status STATUS_SUCCESS, process 0, no flags, volume
     * {@code \Device\HarddiskVolume1}, path {@code \}, no other path.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds an {@link Event}; every setter replaces the default named in {@link Event#builder()}. */
    public static final class Builder {
        private long time;
        private long sequence;
        private int ruleId = Protocol.RULE_NONE;
        private Operation operation = Operation.CREATE;
        private ActionType verdict = ActionType.AUDIT;
        private NtStatus status = NtStatus.SUCCESS;
        private int processId;
        private int flags;
        private String volume = "\\Device\\HarddiskVolume1";
        private String path = "\\";
        private String otherPath = "";

        private Builder() {
        }

        /** @param value system time, 100 ns units since 1601-01-01 UTC @return this builder */
        public Builder time(long value) {
            this.time = value;
            return this;
        }

        /** @param value the event's sequence number @return this builder */
        public Builder sequence(long value) {
            this.sequence = value;
            return this;
        }

        /** @param value the deciding rule's id @return this builder */
        public Builder ruleId(int value) {
            this.ruleId = value;
            return this;
        }

        /** @param value the operation @return this builder */
        public Builder operation(Operation value) {
            this.operation = value;
            return this;
        }

        /** @param value the action applied @return this builder */
        public Builder verdict(ActionType value) {
            this.verdict = value;
            return this;
        }

        /** @param value the operation's final status @return this builder */
        public Builder status(NtStatus value) {
            this.status = value;
            return this;
        }

        /** @param value the operation's final status as a 32-bit NTSTATUS @return this builder */
        public Builder status(int value) {
            return status(NtStatus.of(value));
        }

        /** @param value the requesting process id @return this builder */
        public Builder processId(int value) {
            this.processId = value;
            return this;
        }

        /** @param value JMF_EVENT_FLAG_* bits @return this builder */
        public Builder flags(int value) {
            this.flags = value;
            return this;
        }

        /** @param value the volume's NT device name @return this builder */
        public Builder volume(String value) {
            this.volume = value;
            return this;
        }

        /** @param value the volume-relative path @return this builder */
        public Builder path(String value) {
            this.path = value;
            return this;
        }

        /** @param value the other end of a rename or link, volume-relative ("" for none) @return this builder */
        public Builder otherPath(String value) {
            this.otherPath = value;
            return this;
        }

        /**
         * The event; fails as the constructor does, naming the field.
         *
         * @return the event
         */
        public Event build() {
            return new Event(time, sequence, ruleId, operation, verdict, status, processId, flags, volume, path,
                    otherPath);
        }
    }

    /** {@link #time()} as an Instant. */
    public Instant instant() {
        long seconds = Long.divideUnsigned(time, 10_000_000L);
        long nanos = Long.remainderUnsigned(time, 10_000_000L) * 100;
        return EPOCH_1601.plus(Duration.ofSeconds(seconds, nanos));
    }

    /**
     * True when an audit-only rule decided (JMF_EVENT_FLAG_AUDIT_ONLY): {@link #verdict()} is what
     * would have applied; nothing was, and {@link #status()} is the operation's own final status.
     */
    public boolean isAuditOnly() {
        return hasFlag(Protocol.EVENT_FLAG_AUDIT_ONLY);
    }

    /** The verdict an audit-only rule would have applied ("would DENY"), or empty when the verdict was applied. */
    public Optional<ActionType> wouldApply() {
        return isAuditOnly() ? Optional.of(verdict) : Optional.empty();
    }

    /** True when every bit of {@code flag} (JMF_EVENT_FLAG_*) is set. */
    public boolean hasFlag(int flag) {
        return (flags & flag) == flag;
    }

    /** The sizeof(JMF_EVENT) bytes, little-endian, position 0. */
    public ByteBuffer encode() {
        ByteBuffer b = Wire.allocate(L.size());
        writeTo(b, 0);
        return b;
    }

    /** Writes the JMF_EVENT at absolute {@code offset} of little-endian {@code b}, whose bytes are zero. */
    public void writeTo(ByteBuffer b, int offset) {
        b.putLong(offset + TIME, time);
        b.putLong(offset + SEQUENCE, sequence);
        b.putInt(offset + RULE_ID, ruleId);
        b.putInt(offset + OPERATION, operation == null ? 0 : operation.bit());
        b.putInt(offset + VERDICT, verdict == null ? 0 : verdict.code());
        b.putInt(offset + STATUS, status.value());
        b.putInt(offset + PROCESS_ID, processId);
        b.putInt(offset + FLAGS, flags);
        b.putShort(offset + VOLUME_LENGTH, (short) (2 * volume.length()));
        b.putShort(offset + PATH_LENGTH, (short) (2 * path.length()));
        b.putShort(offset + OTHER_PATH_LENGTH, (short) (2 * otherPath.length()));
        Wire.putUtf16(b, offset + VOLUME, volume);
        Wire.putUtf16(b, offset + PATH, path);
        Wire.putUtf16(b, offset + OTHER_PATH, otherPath);
    }

    /** Decodes exactly sizeof(JMF_EVENT) bytes (the remaining ones of {@code in}, whose position is not changed). */
    public static Event decode(ByteBuffer in) {
        ByteBuffer b = Wire.view(in);
        Wire.requireSize(b, L.name(), L.size());
        return read(b, 0, L.name());
    }

    static Event read(ByteBuffer b, int at, String f) {
        Operation op = null;
        ActionType verdict = null;
        if ((b.getInt(at + FLAGS) & Protocol.EVENT_FLAG_PERSISTED_REJECTED) != 0) {
            // Not an operation: a persisted value rejected at load. Operation and Verdict are 0.
            Wire.requireZero(b, at + OPERATION, 4, f + ".Operation");
            Wire.requireZero(b, at + VERDICT, 4, f + ".Verdict");
        } else {
            try {
                op = Operation.fromBit(b.getInt(at + OPERATION));
            } catch (IllegalArgumentException e) {
                throw new ProtocolException(ErrorCode.BAD_OPERATIONS, f + ".Operation", e.getMessage());
            }
            try {
                verdict = ActionType.fromCode(b.getInt(at + VERDICT));
            } catch (IllegalArgumentException e) {
                throw new ProtocolException(ErrorCode.BAD_ACTION, f + ".Verdict", e.getMessage());
            }
        }
        int flags = Wire.requireBits(b.getInt(at + FLAGS), FLAGS_VALID, f + ".Flags", ErrorCode.BAD_FLAGS);
        Wire.requireZero(b, at + RESERVED, 2, f + ".Reserved");
        String volume = Wire.utf16Field(b, at + VOLUME, Wire.u16(b, at + VOLUME_LENGTH), Protocol.MAX_VOLUME_CHARS,
                f + ".VolumeLength");
        String path = Wire.utf16Field(b, at + PATH, Wire.u16(b, at + PATH_LENGTH), Protocol.MAX_PATH_CHARS,
                f + ".PathLength");
        String otherPath = Wire.utf16Field(b, at + OTHER_PATH, Wire.u16(b, at + OTHER_PATH_LENGTH),
                Protocol.MAX_PATH_CHARS, f + ".OtherPathLength");
        return new Event(b.getLong(at + TIME), b.getLong(at + SEQUENCE), b.getInt(at + RULE_ID), op, verdict,
                b.getInt(at + STATUS), b.getInt(at + PROCESS_ID), flags, volume, path, otherPath);
    }
}
