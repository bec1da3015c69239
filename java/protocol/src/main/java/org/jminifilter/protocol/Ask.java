package org.jminifilter.protocol;

import java.nio.ByteBuffer;

import org.jminifilter.policy.Operation;

/**
 * JMF_ASK: the kernel wants a verdict for one operation. Answer with an {@link AskReply} within
 * {@link #timeoutMs()}. In tests, make one with {@link #builder()}, which fills in what a test
 * does not care about:
 *
 * <pre>{@code
 * Ask ask = Ask.builder().operation(Operation.DELETE).processId(1200)
 *         .path("\\docs\\plan.docx").image("\\Device\\HarddiskVolume1\\Windows\\explorer.exe").build();
 * }</pre>
 *
 * @param generation        the policy generation the asking rule belongs to
 * @param ruleId            the asking rule
 * @param operation         the one operation
 * @param processId         the requesting process
 * @param desiredAccess     creates
 * @param createOptions     creates
 * @param createDisposition creates: JMF_FILE_* (0 .. JMF_FILE_MAXIMUM_DISPOSITION)
 * @param flags             JMF_ASK_FLAG_* bits
 * @param timeoutMs         how long the kernel waits
 * @param volume            the volume's NT device name
 * @param path              the volume-relative path
 * @param image             the NT path of the requesting process's image
 */
public record Ask(int generation, int ruleId, Operation operation, int processId, int desiredAccess,
        int createOptions, int createDisposition, int flags, int timeoutMs, String volume, String path,
        String image) {

    private static final Layout L = Layouts.ASK;
    private static final int TYPE = L.offset("Header") + Layouts.NOTIFICATION_HEADER.offset("Type");
    private static final int LENGTH = L.offset("Header") + Layouts.NOTIFICATION_HEADER.offset("Length");
    private static final int GENERATION = L.offset("Generation");
    private static final int RULE_ID = L.offset("RuleId");
    private static final int OPERATION = L.offset("Operation");
    private static final int PROCESS_ID = L.offset("ProcessId");
    private static final int DESIRED_ACCESS = L.offset("DesiredAccess");
    private static final int CREATE_OPTIONS = L.offset("CreateOptions");
    private static final int CREATE_DISPOSITION = L.offset("CreateDisposition");
    private static final int FLAGS = L.offset("Flags");
    private static final int TIMEOUT = L.offset("TimeoutMs");
    private static final int VOLUME_LENGTH = L.offset("VolumeLength");
    private static final int PATH_LENGTH = L.offset("PathLength");
    private static final int IMAGE_LENGTH = L.offset("ImageLength");
    private static final int RESERVED = L.offset("Reserved");
    private static final int RESERVED2 = L.offset("Reserved2");
    private static final int VOLUME = L.offset("Volume");
    private static final int PATH = L.offset("Path");
    private static final int IMAGE = L.offset("Image");
    static final int FLAGS_VALID = Protocol.ASK_FLAGS_VALID;
    // The field names decode() puts in its errors, made once: decoding an ask is the service's
    // hot path, and a valid ask must not pay for the text of the errors it does not have.
    private static final String N = L.name() + ".";
    private static final String F_TYPE = N + "Header.Type";
    private static final String F_LENGTH = N + "Header.Length";
    private static final String F_OPERATION = N + "Operation";
    private static final String F_CREATE_DISPOSITION = N + "CreateDisposition";
    private static final String F_FLAGS = N + "Flags";
    private static final String F_TIMEOUT = N + "TimeoutMs";
    private static final String F_RESERVED = N + "Reserved";
    private static final String F_RESERVED2 = N + "Reserved2";
    private static final String F_VOLUME_LENGTH = N + "VolumeLength";
    private static final String F_PATH_LENGTH = N + "PathLength";
    private static final String F_IMAGE_LENGTH = N + "ImageLength";

    /** Validates the fields; an IllegalArgumentException names the one at fault. */
    public Ask {
        if (operation == null || volume == null || path == null || image == null) {
            throw new IllegalArgumentException("operation, volume, path and image are required");
        }
        if (createDisposition < 0 || createDisposition > Protocol.FILE_MAXIMUM_DISPOSITION) {
            throw new IllegalArgumentException("CreateDisposition: " + Integer.toUnsignedString(createDisposition)
                    + " is outside 0.." + Protocol.FILE_MAXIMUM_DISPOSITION);
        }
        if ((flags & ~FLAGS_VALID) != 0) {
            throw new IllegalArgumentException(String.format("Flags: unknown bits 0x%X", flags & ~FLAGS_VALID));
        }
        if (timeoutMs < 0 || timeoutMs > Protocol.MAX_ASK_TIMEOUT_MS) {
            throw new IllegalArgumentException("TimeoutMs: " + Integer.toUnsignedString(timeoutMs)
                    + " is outside 0.." + Protocol.MAX_ASK_TIMEOUT_MS);
        }
        checkLength(volume, Protocol.MAX_VOLUME_CHARS, "Volume");
        checkLength(path, Protocol.MAX_PATH_CHARS, "Path");
        checkLength(image, Protocol.MAX_IMAGE_CHARS, "Image");
    }

    private static void checkLength(String s, int max, String field) {
        if (s.length() > max) {
            throw new IllegalArgumentException(field + ": " + s.length() + " code units, at most " + max);
        }
    }

    /**
     * A builder with test-friendly defaults: generation 1, rule 1, operation CREATE, process 4,
     * desired access {@code FILE_GENERIC_READ}, no create options, disposition FILE_OPEN, no
     * flags, timeout 3000 ms, volume {@code \Device\HarddiskVolume1}, path {@code \}, image
     * {@code \Device\HarddiskVolume1\Windows\System32\notepad.exe}.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds an {@link Ask}; every setter replaces the default named in {@link Ask#builder()}. */
    public static final class Builder {
        private int generation = 1;
        private int ruleId = 1;
        private Operation operation = Operation.CREATE;
        private int processId = 4;
        private int desiredAccess = org.jminifilter.policy.Access.FILE_GENERIC_READ;
        private int createOptions;
        private int createDisposition = Protocol.FILE_OPEN;
        private int flags;
        private int timeoutMs = 3000;
        private String volume = "\\Device\\HarddiskVolume1";
        private String path = "\\";
        private String image = "\\Device\\HarddiskVolume1\\Windows\\System32\\notepad.exe";

        private Builder() {
        }

        /** @param value the policy generation of the asking rule @return this builder */
        public Builder generation(int value) {
            this.generation = value;
            return this;
        }

        /** @param value the asking rule's id @return this builder */
        public Builder ruleId(int value) {
            this.ruleId = value;
            return this;
        }

        /** @param value the operation @return this builder */
        public Builder operation(Operation value) {
            this.operation = value;
            return this;
        }

        /** @param value the requesting process id @return this builder */
        public Builder processId(int value) {
            this.processId = value;
            return this;
        }

        /** @param value creates: the desired access ({@link org.jminifilter.policy.Access} bits) @return this builder */
        public Builder desiredAccess(int value) {
            this.desiredAccess = value;
            return this;
        }

        /** @param value creates: the create options (FILE_* option bits) @return this builder */
        public Builder createOptions(int value) {
            this.createOptions = value;
            return this;
        }

        /** @param value creates: the disposition, JMF_FILE_* @return this builder */
        public Builder createDisposition(int value) {
            this.createDisposition = value;
            return this;
        }

        /** @param value creates: the disposition @return this builder */
        public Builder createDisposition(org.jminifilter.policy.Disposition value) {
            return createDisposition(value.code());
        }

        /** @param value JMF_ASK_FLAG_* bits @return this builder */
        public Builder flags(int value) {
            this.flags = value;
            return this;
        }

        /** Marks the ask as a post-create one (JMF_ASK_FLAG_POST_CREATE). @return this builder */
        public Builder postCreate() {
            this.flags |= Protocol.ASK_FLAG_POST_CREATE;
            return this;
        }

        /** @param value how long the kernel waits, in milliseconds @return this builder */
        public Builder timeoutMs(int value) {
            this.timeoutMs = value;
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

        /** @param value the NT path of the requesting process's image @return this builder */
        public Builder image(String value) {
            this.image = value;
            return this;
        }

        /**
         * The ask; fails as the constructor does, naming the field.
         *
         * @return the ask
         */
        public Ask build() {
            return new Ask(generation, ruleId, operation, processId, desiredAccess, createOptions, createDisposition,
                    flags, timeoutMs, volume, path, image);
        }
    }

    /** True when the kernel asks in post-create (only ALLOW, AUDIT or DENY apply). */
    public boolean isPostCreate() {
        return (flags & Protocol.ASK_FLAG_POST_CREATE) != 0;
    }

    /** The 1728 bytes, little-endian, position 0. */
    public ByteBuffer encode() {
        ByteBuffer b = Wire.allocate(L.size());
        writeTo(b, 0);
        return b;
    }

    /** Writes the JMF_ASK at absolute {@code offset} of little-endian {@code b}, whose bytes are zero. */
    public void writeTo(ByteBuffer b, int offset) {
        b.putInt(offset + TYPE, Protocol.NOTIFICATION_ASK);
        b.putInt(offset + LENGTH, L.size());
        b.putInt(offset + GENERATION, generation);
        b.putInt(offset + RULE_ID, ruleId);
        b.putInt(offset + OPERATION, operation.bit());
        b.putInt(offset + PROCESS_ID, processId);
        b.putInt(offset + DESIRED_ACCESS, desiredAccess);
        b.putInt(offset + CREATE_OPTIONS, createOptions);
        b.putInt(offset + CREATE_DISPOSITION, createDisposition);
        b.putInt(offset + FLAGS, flags);
        b.putInt(offset + TIMEOUT, timeoutMs);
        b.putShort(offset + VOLUME_LENGTH, (short) (2 * volume.length()));
        b.putShort(offset + PATH_LENGTH, (short) (2 * path.length()));
        b.putShort(offset + IMAGE_LENGTH, (short) (2 * image.length()));
        Wire.putUtf16(b, offset + VOLUME, volume);
        Wire.putUtf16(b, offset + PATH, path);
        Wire.putUtf16(b, offset + IMAGE, image);
    }

    /**
     * Decodes exactly 1728 bytes (the remaining ones of {@code in}, whose position is not
     * changed): the notification after FilterGetMessage's FILTER_MESSAGE_HEADER.
     */
    public static Ask decode(ByteBuffer in) {
        ByteBuffer b = Wire.view(in);
        Wire.requireAtLeast(b, Layouts.NOTIFICATION_HEADER.name(), Layouts.NOTIFICATION_HEADER.size());
        int type = b.getInt(TYPE);
        if (type != Protocol.NOTIFICATION_ASK) {
            throw new ProtocolException(ErrorCode.BAD_MAGIC, F_TYPE, Integer.toUnsignedString(type)
                    + " is not JMF_NOTIFICATION_ASK (" + Protocol.NOTIFICATION_ASK + ")");
        }
        long length = Integer.toUnsignedLong(b.getInt(LENGTH));
        if (length != L.size()) {
            throw new ProtocolException(ErrorCode.BAD_LENGTH, F_LENGTH, length + " is not sizeof(JMF_ASK) (" + L.size() + ")");
        }
        Wire.requireSize(b, L.name(), L.size());
        Operation op;
        try {
            op = Operation.fromBit(b.getInt(OPERATION));
        } catch (IllegalArgumentException e) {
            throw new ProtocolException(ErrorCode.BAD_OPERATIONS, F_OPERATION, e.getMessage());
        }
        int disposition = Wire.requireRange(b.getInt(CREATE_DISPOSITION), 0, Protocol.FILE_MAXIMUM_DISPOSITION,
                F_CREATE_DISPOSITION, ErrorCode.BAD_MODIFY);
        int flags = Wire.requireBits(b.getInt(FLAGS), FLAGS_VALID, F_FLAGS, ErrorCode.BAD_FLAGS);
        int timeout = Wire.requireRange(b.getInt(TIMEOUT), 0, Protocol.MAX_ASK_TIMEOUT_MS, F_TIMEOUT,
                ErrorCode.BAD_TIMEOUT);
        Wire.requireZero(b, RESERVED, 2, F_RESERVED);
        Wire.requireZero(b, RESERVED2, 4, F_RESERVED2);
        String volume = Wire.utf16Field(b, VOLUME, Wire.u16(b, VOLUME_LENGTH), Protocol.MAX_VOLUME_CHARS,
                F_VOLUME_LENGTH);
        String path = Wire.utf16Field(b, PATH, Wire.u16(b, PATH_LENGTH), Protocol.MAX_PATH_CHARS, F_PATH_LENGTH);
        String image = Wire.utf16Field(b, IMAGE, Wire.u16(b, IMAGE_LENGTH), Protocol.MAX_IMAGE_CHARS,
                F_IMAGE_LENGTH);
        return new Ask(b.getInt(GENERATION), b.getInt(RULE_ID), op, b.getInt(PROCESS_ID), b.getInt(DESIRED_ACCESS),
                b.getInt(CREATE_OPTIONS), disposition, flags, timeout, volume, path, image);
    }
}
