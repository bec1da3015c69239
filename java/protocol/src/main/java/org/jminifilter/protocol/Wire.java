package org.jminifilter.protocol;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Low-level helpers the codecs share: little-endian buffers, unsigned reads, bounds and reserved
 * field checks that fail with {@link ProtocolException}, and UTF-16LE strings. Decoders first
 * check a structure's length, then read with absolute gets, so no read can fall outside the
 * buffer.
 */
public final class Wire {
    private Wire() {
    }

    /** A zeroed little-endian heap buffer of {@code size} bytes, position 0, limit size. */
    public static ByteBuffer allocate(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * A little-endian view of {@code in}'s remaining bytes (position 0 of the view is
     * {@code in.position()}); {@code in}'s position, limit and byte order are left alone.
     */
    public static ByteBuffer view(ByteBuffer in) {
        return in.slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Fails unless {@code b} holds exactly {@code size} bytes. */
    public static void requireSize(ByteBuffer b, String struct, int size) {
        if (b.remaining() < size) {
            throw new ProtocolException(ErrorCode.TRUNCATED, struct, "truncated: " + b.remaining() + " bytes, expected " + size);
        }
        if (b.remaining() > size) {
            throw new ProtocolException(ErrorCode.BAD_LENGTH, struct, "oversized: " + b.remaining() + " bytes, expected " + size);
        }
    }

    /** Fails unless {@code b} holds at least {@code size} bytes. */
    public static void requireAtLeast(ByteBuffer b, String struct, int size) {
        if (b.remaining() < size) {
            throw new ProtocolException(ErrorCode.TRUNCATED, struct,
                    "truncated: " + b.remaining() + " bytes, expected at least " + size);
        }
    }

    /** The unsigned byte at absolute {@code offset}. */
    public static int u8(ByteBuffer b, int offset) {
        return Byte.toUnsignedInt(b.get(offset));
    }

    /** The unsigned little-endian 16-bit value at absolute {@code offset}. */
    public static int u16(ByteBuffer b, int offset) {
        return Short.toUnsignedInt(b.getShort(offset));
    }

    /** Fails when the {@code size} bytes at {@code offset} are not all zero. */
    public static void requireZero(ByteBuffer b, int offset, int size, String field) {
        for (int i = 0; i < size; i++) {
            if (b.get(offset + i) != 0) {
                throw new ProtocolException(ErrorCode.RESERVED, field, "reserved, must be zero");
            }
        }
    }

    /** Fails with {@code error} unless {@code value} (an unsigned 32-bit number) is in {@code [min, max]}. */
    public static int requireRange(int value, long min, long max, String field, ErrorCode error) {
        long v = Integer.toUnsignedLong(value);
        if (v < min || v > max) {
            throw new ProtocolException(error, field, v + " is outside " + min + ".." + max);
        }
        return value;
    }

    /** Fails with {@code error} when {@code value} has a bit outside {@code valid}. */
    public static int requireBits(int value, int valid, String field, ErrorCode error) {
        if ((value & ~valid) != 0) {
            throw new ProtocolException(error, field, String.format("unknown bits 0x%X", value & ~valid));
        }
        return value;
    }

    /**
     * Reads a string of {@code bytes} bytes (UTF-16LE code units) at {@code offset}. Code units are
     * copied as they are (an unpaired surrogate survives), so decoding then encoding gives the
     * same bytes.
     */
    public static String utf16(ByteBuffer b, int offset, int bytes) {
        char[] chars = new char[bytes / 2];
        for (int i = 0; i < chars.length; i++) {
            chars[i] = b.getChar(offset + 2 * i);
        }
        return new String(chars);
    }

    /** Reads a fixed-capacity string whose byte length is {@code bytes}, checked even and in capacity. */
    public static String utf16Field(ByteBuffer b, int offset, int bytes, int capacityChars, String lengthField) {
        if ((bytes & 1) != 0) {
            throw new ProtocolException(ErrorCode.BAD_STRING, lengthField, bytes + " is odd (UTF-16 lengths are even)");
        }
        if (bytes > 2 * capacityChars) {
            throw new ProtocolException(ErrorCode.BAD_STRING, lengthField,
                    bytes + " is over the capacity (" + 2 * capacityChars + " bytes)");
        }
        return utf16(b, offset, bytes);
    }

    /** Writes {@code s} as UTF-16LE code units at {@code offset}. */
    public static void putUtf16(ByteBuffer b, int offset, String s) {
        for (int i = 0; i < s.length(); i++) {
            b.putChar(offset + 2 * i, s.charAt(i));
        }
    }

    /** Rounds {@code n} up to a multiple of 8. */
    public static int align8(int n) {
        return (n + 7) & ~7;
    }
}
