package org.jminifilter.port.fltlib;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import com.sun.jna.platform.win32.WinBase;
import java.nio.ByteBuffer;
import org.jminifilter.port.FilterPortException;
import org.jminifilter.port.Notification;

/**
 * One outstanding FilterGetMessage: its message buffer (FILTER_MESSAGE_HEADER + body) and its
 * OVERLAPPED. Both belong to the kernel from the moment the call is issued until its completion
 * packet is dequeued, so a slot is reachable from its port (or, if a close could not drain it,
 * from {@link FltLibFilterPort}'s keep-alive list) for at least that long.
 */
final class ReceiveSlot {

    /** sizeof(FILTER_MESSAGE_HEADER) on 64-bit Windows: ULONG ReplyLength, padding, ULONGLONG MessageId. */
    static final int MESSAGE_HEADER_SIZE = 16;
    static final int REPLY_LENGTH_OFFSET = 0;
    static final int MESSAGE_ID_OFFSET = 8;

    final Memory buffer;
    final int bufferSize;
    final WinBase.OVERLAPPED overlapped;

    ReceiveSlot(int bodySize) {
        this.bufferSize = MESSAGE_HEADER_SIZE + bodySize;
        this.buffer = FltLibFilterPort.alignedMemory(bufferSize);
        this.overlapped = new WinBase.OVERLAPPED();
        // The kernel writes Internal/InternalHigh while the I/O is pending: JNA must never copy
        // the (stale) Java fields over them, nor read them back at arbitrary moments.
        this.overlapped.setAutoSynch(false);
    }

    /** Zeroes the OVERLAPPED before it is reused, as every overlapped call requires. */
    void resetOverlapped() {
        overlapped.getPointer().clear(overlapped.size());
    }

    boolean owns(Pointer completedOverlapped) {
        return overlapped.getPointer().equals(completedOverlapped);
    }

    /**
     * Copies the completed message out of the buffer.
     *
     * @param bytesTransferred the completion's byte count: FILTER_MESSAGE_HEADER plus the message
     */
    Notification read(int bytesTransferred) {
        if (bytesTransferred < MESSAGE_HEADER_SIZE || bytesTransferred > bufferSize) {
            throw new FilterPortException("FilterGetMessage completed with " + bytesTransferred
                    + " bytes; expected " + MESSAGE_HEADER_SIZE + " (FILTER_MESSAGE_HEADER) to "
                    + bufferSize + " (the receive buffer)", FilterPortException.NO_HRESULT);
        }
        int replyLength = buffer.getInt(REPLY_LENGTH_OFFSET);
        long messageId = buffer.getLong(MESSAGE_ID_OFFSET);
        byte[] body = buffer.getByteArray(MESSAGE_HEADER_SIZE, bytesTransferred - MESSAGE_HEADER_SIZE);
        return new Notification(messageId, Math.max(replyLength, 0), ByteBuffer.wrap(body));
    }
}
