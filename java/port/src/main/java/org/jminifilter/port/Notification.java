package org.jminifilter.port;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * One message the kernel sent with FltSendMessage, as FilterGetMessage delivered it: the
 * FILTER_MESSAGE_HEADER's two fields and the bytes after that header.
 *
 * @param messageId   the id to pass to {@link FilterPort#reply} (FILTER_MESSAGE_HEADER.MessageId)
 * @param replyLength the room the kernel left for a reply, FILTER_REPLY_HEADER included;
 *                    0 when the kernel expects no reply
 * @param body        the message after the header (for jminifilter: a JMF_ASK); read-only,
 *                    little-endian; {@link #body()} returns a fresh view each time
 */
public record Notification(long messageId, int replyLength, ByteBuffer body) {

    public Notification {
        Objects.requireNonNull(body, "body");
        if (replyLength < 0) {
            throw new IllegalArgumentException("replyLength must not be negative: " + replyLength);
        }
        // Copy, so later changes to the caller's buffer (a reused receive buffer) cannot show through.
        ByteBuffer copy = ByteBuffer.allocate(body.remaining());
        copy.put(body.duplicate()).flip();
        body = copy.asReadOnlyBuffer();
    }

    /** @return a new read-only little-endian view of the body, position 0 */
    @Override
    public ByteBuffer body() {
        return body.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** @return the body as a new array */
    public byte[] bodyBytes() {
        byte[] bytes = new byte[body.remaining()];
        body.duplicate().get(bytes);
        return bytes;
    }
}
