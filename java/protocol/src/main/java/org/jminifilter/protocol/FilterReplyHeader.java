package org.jminifilter.protocol;

import java.nio.ByteBuffer;

/**
 * FILTER_REPLY_HEADER (JMF_FILTER_REPLY_HEADER): what FilterReplyMessage's buffer starts with.
 * jminifilter always sends status 0.
 */
public record FilterReplyHeader(int status, long messageId) {
    private static final Layout L = Layouts.FILTER_REPLY_HEADER;
    private static final int STATUS = L.offset("Status");
    private static final int MESSAGE_ID = L.offset("MessageId");

    /** The 16 bytes, little-endian, position 0. */
    public ByteBuffer encode() {
        ByteBuffer b = Wire.allocate(L.size());
        writeTo(b, 0);
        return b;
    }

    /** Writes the header at absolute {@code offset} of little-endian {@code b}. */
    public void writeTo(ByteBuffer b, int offset) {
        b.putInt(offset + STATUS, status);
        b.putInt(offset + L.offset("Padding"), 0);
        b.putLong(offset + MESSAGE_ID, messageId);
    }

    /** Decodes the first 16 of {@code in}'s remaining bytes (the reply follows). */
    public static FilterReplyHeader decode(ByteBuffer in) {
        ByteBuffer b = Wire.view(in);
        Wire.requireAtLeast(b, L.name(), L.size());
        return new FilterReplyHeader(b.getInt(STATUS), b.getLong(MESSAGE_ID));
    }
}
