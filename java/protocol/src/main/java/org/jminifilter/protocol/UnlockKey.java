package org.jminifilter.protocol;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * JMF_UNLOCK_KEY: the secret of a locked configuration ({@link Config#locked(UnlockKey)}). The
 * service chooses it at random, keeps it in memory only, sends it with the SET_CONFIG that locks
 * and again with {@link Command.Unlock}. The driver compares in constant time; so does
 * {@link #equals(Object)}. {@link #toString()} never shows the bytes.
 */
public final class UnlockKey {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final byte[] bytes;

    private UnlockKey(byte[] bytes) {
        this.bytes = bytes;
    }

    /** A new key of {@link Protocol#UNLOCK_KEY_BYTES} random bytes (SecureRandom). */
    public static UnlockKey random() {
        byte[] b = new byte[Protocol.UNLOCK_KEY_BYTES];
        RANDOM.nextBytes(b);
        return new UnlockKey(b);
    }

    /** A key of exactly {@link Protocol#UNLOCK_KEY_BYTES} bytes (copied). */
    public static UnlockKey of(byte[] bytes) {
        if (bytes == null || bytes.length != Protocol.UNLOCK_KEY_BYTES) {
            throw new IllegalArgumentException("unlock key: " + (bytes == null ? "null" : bytes.length + " bytes")
                    + ", expected " + Protocol.UNLOCK_KEY_BYTES);
        }
        return new UnlockKey(bytes.clone());
    }

    /** A copy of the bytes. */
    public byte[] bytes() {
        return bytes.clone();
    }

    /** Writes the 32 bytes at absolute {@code offset} of {@code b}. */
    void writeTo(ByteBuffer b, int offset) {
        for (int i = 0; i < bytes.length; i++) {
            b.put(offset + i, bytes[i]);
        }
    }

    /** Reads 32 bytes at absolute {@code offset} of {@code b}. */
    static UnlockKey readFrom(ByteBuffer b, int offset) {
        byte[] k = new byte[Protocol.UNLOCK_KEY_BYTES];
        for (int i = 0; i < k.length; i++) {
            k[i] = b.get(offset + i);
        }
        return new UnlockKey(k);
    }

    /** Constant-time comparison (MessageDigest.isEqual), as the driver's. */
    @Override
    public boolean equals(Object o) {
        return o instanceof UnlockKey other && MessageDigest.isEqual(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return "UnlockKey[" + bytes.length + " bytes, not shown]";
    }
}
