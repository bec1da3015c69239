package org.jminifilter.protocol;

import java.nio.ByteBuffer;

/**
 * JMF_CONNECT_CONTEXT, passed to FilterConnectCommunicationPort. The driver refuses any other
 * magic or version with STATUS_REVISION_MISMATCH.
 */
public record ConnectContext(int magic, int protocolVersion) {
    private static final Layout L = Layouts.CONNECT_CONTEXT;
    private static final int MAGIC = L.offset("Magic");
    private static final int VERSION = L.offset("ProtocolVersion");
    private static final int RESERVED = L.offset("Reserved");

    /** Validates the fields; an IllegalArgumentException names the one at fault. */

    public ConnectContext {
        if (protocolVersion < 0 || protocolVersion > 0xFFFF) {
            throw new IllegalArgumentException("ProtocolVersion: " + protocolVersion + " is not a 16-bit value");
        }
    }

    /** The context this library speaks: JMF_CONNECT_MAGIC, JMF_PROTOCOL_VERSION. */
    public static ConnectContext current() {
        return new ConnectContext(Protocol.CONNECT_MAGIC, Protocol.PROTOCOL_VERSION);
    }

    /** True when this is the context of {@link #current()}. */
    public boolean isCurrent() {
        return magic == Protocol.CONNECT_MAGIC && protocolVersion == Protocol.PROTOCOL_VERSION;
    }

    /** The 8 bytes, little-endian, position 0. */
    public ByteBuffer encode() {
        ByteBuffer b = Wire.allocate(L.size());
        b.putInt(MAGIC, magic);
        b.putShort(VERSION, (short) protocolVersion);
        return b;
    }

    /**
     * Decodes exactly 8 bytes (the remaining ones of {@code in}, whose position is not changed).
     * Fails on a wrong size, magic, version or a non-zero Reserved: the driver refuses those.
     */
    public static ConnectContext decode(ByteBuffer in) {
        ByteBuffer b = Wire.view(in);
        Wire.requireSize(b, L.name(), L.size());
        int magic = b.getInt(MAGIC);
        if (magic != Protocol.CONNECT_MAGIC) {
            throw new ProtocolException(ErrorCode.BAD_MAGIC, L.name() + ".Magic",
                    String.format("0x%08X is not JMF_CONNECT_MAGIC (0x%08X)", magic, Protocol.CONNECT_MAGIC));
        }
        int version = Wire.u16(b, VERSION);
        if (version != Protocol.PROTOCOL_VERSION) {
            throw new ProtocolException(ErrorCode.BAD_VERSION, L.name() + ".ProtocolVersion", "peer speaks version " + version
                    + ", this side speaks " + Protocol.PROTOCOL_VERSION);
        }
        Wire.requireZero(b, RESERVED, 2, L.name() + ".Reserved");
        return new ConnectContext(magic, version);
    }
}
