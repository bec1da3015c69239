package org.jminifilter.port.fltlib;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import com.sun.jna.platform.win32.WinBase;
import java.nio.ByteBuffer;
import org.jminifilter.port.FilterPortException;
import org.jminifilter.port.Notification;
import org.jminifilter.protocol.Layouts;
import org.jminifilter.protocol.Protocol;

/**
 * One outstanding FilterGetMessage: its message buffer (FILTER_MESSAGE_HEADER + body) and its
 * OVERLAPPED. Both belong to the kernel from the moment the call is issued until its completion
 * packet is dequeued (FilterGetMessage is METHOD_NEITHER: the kernel writes straight into the
 * buffer), so while it is pending a slot is kept reachable by {@link FltLibFilterPort}'s static
 * in-flight registry, whatever becomes of the port object. A slot does not refer to its port.
 */
final class ReceiveSlot {

    /** sizeof(FILTER_MESSAGE_HEADER) on 64-bit Windows: ULONG ReplyLength, padding, ULONGLONG MessageId. */
    static final int MESSAGE_HEADER_SIZE = Protocol.FILTER_MESSAGE_HEADER_SIZE;
    static final int REPLY_LENGTH_OFFSET = 0;
    static final int MESSAGE_ID_OFFSET = 8;
    /** Where JMF_NOTIFICATION_HEADER.Length (the body's own length, that header included) sits in the buffer. */
    static final int NOTIFICATION_LENGTH_OFFSET = MESSAGE_HEADER_SIZE + Layouts.NOTIFICATION_HEADER.offset("Length");
    /** The two headers, cleared before every issue so a short completion cannot show a previous message's. */
    private static final int HEADERS_SIZE = MESSAGE_HEADER_SIZE + Protocol.NOTIFICATION_HEADER_SIZE;

    final Memory buffer;
    final int bufferSize;
    final WinBase.OVERLAPPED overlapped;
    /** Whether this slot's last FilterGetMessage failed at once (guarded by the port's issue lock). */
    boolean failed;

    ReceiveSlot(int bodySize) {
        this.bufferSize = MESSAGE_HEADER_SIZE + bodySize;
        this.buffer = FilterMessages.aligned(bufferSize);
        this.overlapped = new WinBase.OVERLAPPED();
        // The kernel writes Internal/InternalHigh while the I/O is pending: JNA must never copy
        // the (stale) Java fields over them, nor read them back at arbitrary moments.
        this.overlapped.setAutoSynch(false);
    }

    /** The OVERLAPPED's address: what GetQueuedCompletionStatus hands back, and the registry's key. */
    long address() {
        return Pointer.nativeValue(overlapped.getPointer());
    }

    /** Zeroes the OVERLAPPED (as every overlapped call requires) and the headers before reuse. */
    void reset() {
        overlapped.getPointer().clear(overlapped.size());
        buffer.clear(Math.min(HEADERS_SIZE, bufferSize));
    }

    /**
     * Copies the completed message out of the buffer. The body's length comes from the message's
     * own JMF_NOTIFICATION_HEADER.Length, not from the completion's byte count alone: whether the
     * count of a completed overlapped FilterGetMessage includes the 16-byte FILTER_MESSAGE_HEADER
     * is not documented, so either is accepted, and each must agree with Length.
     *
     * @param bytesTransferred the completion's byte count: the body, with or without FILTER_MESSAGE_HEADER
     */
    Notification read(int bytesTransferred) {
        int capacity = bufferSize - MESSAGE_HEADER_SIZE;
        if (bytesTransferred < 0 || bytesTransferred > bufferSize) {
            throw malformed("FilterGetMessage completed with " + Integer.toUnsignedString(bytesTransferred)
                    + " bytes for a " + bufferSize + "-byte receive buffer");
        }
        if (capacity < Protocol.NOTIFICATION_HEADER_SIZE) {
            throw malformed("the receive buffer has room for " + capacity + " bytes after FILTER_MESSAGE_HEADER,"
                    + " too few for a " + Protocol.NOTIFICATION_HEADER_SIZE + "-byte JMF_NOTIFICATION_HEADER");
        }
        int length = buffer.getInt(NOTIFICATION_LENGTH_OFFSET);
        if (length < Protocol.NOTIFICATION_HEADER_SIZE || length > capacity) {
            throw malformed("JMF_NOTIFICATION_HEADER.Length is " + Integer.toUnsignedString(length)
                    + " (completion of " + bytesTransferred + " bytes): a message must hold its "
                    + Protocol.NOTIFICATION_HEADER_SIZE + "-byte header and fit the " + capacity
                    + " bytes the receive buffer has after FILTER_MESSAGE_HEADER");
        }
        if (bytesTransferred != length && bytesTransferred != MESSAGE_HEADER_SIZE + length) {
            throw malformed("FilterGetMessage completed with " + bytesTransferred
                    + " bytes but JMF_NOTIFICATION_HEADER.Length is " + length + ": expected " + length
                    + " (the message) or " + (MESSAGE_HEADER_SIZE + length) + " (FILTER_MESSAGE_HEADER included)");
        }
        int replyLength = buffer.getInt(REPLY_LENGTH_OFFSET);
        long messageId = buffer.getLong(MESSAGE_ID_OFFSET);
        byte[] body = buffer.getByteArray(MESSAGE_HEADER_SIZE, length);
        return new Notification(messageId, Math.max(replyLength, 0), ByteBuffer.wrap(body));
    }

    private static FilterPortException malformed(String detail) {
        return new FilterPortException(detail + "; the message is dropped (an ask gets its default verdict"
                + " when the kernel's wait times out)", FilterPortException.NO_HRESULT);
    }
}
