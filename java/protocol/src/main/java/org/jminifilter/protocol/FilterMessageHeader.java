package org.jminifilter.protocol;

import java.nio.ByteBuffer;

/**
 * FILTER_MESSAGE_HEADER (JMF_FILTER_MESSAGE_HEADER): what FilterGetMessage puts in front of a
 * notification. {@code replyLength} is the room the kernel left for a reply, header included.
 */
public record FilterMessageHeader(int replyLength, long messageId) {
    private static final Layout L = Layouts.FILTER_MESSAGE_HEADER;
    private static final int REPLY_LENGTH = L.offset("ReplyLength");
    private static final int MESSAGE_ID = L.offset("MessageId");

    /** The 16 bytes, little-endian, position 0. */
    public ByteBuffer encode() {
        ByteBuffer b = Wire.allocate(L.size());
        writeTo(b, 0);
        return b;
    }

    /** Writes the header at absolute {@code offset} of little-endian {@code b}. */
    public void writeTo(ByteBuffer b, int offset) {
        b.putInt(offset + REPLY_LENGTH, replyLength);
        b.putInt(offset + L.offset("Padding"), 0);
        b.putLong(offset + MESSAGE_ID, messageId);
    }

    /** Decodes the first 16 of {@code in}'s remaining bytes (more may follow: the notification). */
    public static FilterMessageHeader decode(ByteBuffer in) {
        ByteBuffer b = Wire.view(in);
        Wire.requireAtLeast(b, L.name(), L.size());
        return new FilterMessageHeader(b.getInt(REPLY_LENGTH), b.getLong(MESSAGE_ID));
    }
}
