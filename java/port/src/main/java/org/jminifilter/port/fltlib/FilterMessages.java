package org.jminifilter.port.fltlib;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;

import org.jminifilter.port.FilterPortException;
import org.jminifilter.port.HResult;
import org.jminifilter.port.InsufficientBufferException;
import org.jminifilter.port.ReplyCapacity;
import org.jminifilter.protocol.Protocol;

/**
 * fltlib's message conventions, in one place for every port that calls fltlib-shaped functions
 * (fltlib.dll itself, and the emulator's user side): 8-byte aligned native buffers, a
 * FilterSendMessage whose reply buffer grows when the kernel says it is too small, and a
 * FilterReplyMessage buffer of FILTER_REPLY_HEADER (Status, padding, MessageId at offset 8)
 * followed by the body, whose length INCLUDES the header (the kernel's ReplyLength excludes it).
 */
public final class FilterMessages {
    /** sizeof(FILTER_MESSAGE_HEADER) on 64-bit Windows. */
    public static final int MESSAGE_HEADER_SIZE = Protocol.FILTER_MESSAGE_HEADER_SIZE;
    /** sizeof(FILTER_REPLY_HEADER) on 64-bit Windows. */
    public static final int REPLY_HEADER_SIZE = Protocol.FILTER_REPLY_HEADER_SIZE;
    /** Offset of MessageId in both headers. */
    public static final int MESSAGE_ID_OFFSET = 8;

    private FilterMessages() {
    }

    /** One FilterSendMessage-shaped call: returns its HRESULT. */
    @FunctionalInterface
    public interface SendCall {
        int send(Memory in, int inSize, Memory out, int outSize, IntByReference bytesReturned);
    }

    /**
     * Sends {@code command} and returns the reply, growing the reply buffer and sending again
     * while the kernel answers ERROR_INSUFFICIENT_BUFFER or ERROR_MORE_DATA, up to
     * {@code maxReplyCapacity}. Each transient buffer is freed at once (a growing reply must
     * not pile up 64 + 32 + 16 ... MiB until the next garbage collection).
     *
     * @param callName the call's name for messages (e.g. "FilterSendMessage")
     */
    public static ByteBuffer send(String callName, ByteBuffer command, int replyCapacity, int maxReplyCapacity,
            SendCall call) {
        Objects.requireNonNull(command, "command");
        if (!command.hasRemaining()) {
            throw new IllegalArgumentException("the command is empty");
        }
        if (replyCapacity < 0) {
            throw new IllegalArgumentException("replyCapacity must not be negative: " + replyCapacity);
        }
        int inSize = command.remaining();
        int capacity = replyCapacity; // a caller may start above the bound; it only limits growth
        Memory in = aligned(inSize);
        try {
            in.write(0, bytesOf(command), 0, inSize);
            while (true) {
                Memory out = capacity > 0 ? aligned(capacity) : null;
                IntByReference returned = new IntByReference();
                int hr;
                try {
                    hr = call.send(in, inSize, out, capacity, returned);
                    if (!HResult.failed(hr)) {
                        return copyReply(callName, out, capacity, returned.getValue());
                    }
                } finally {
                    free(out);
                }
                if (hr != HResult.INSUFFICIENT_BUFFER && hr != HResult.MORE_DATA) {
                    throw FilterPortException.forHresult(callName, hr);
                }
                if (capacity >= maxReplyCapacity) {
                    throw new InsufficientBufferException(callName + " failed with HRESULT " + HResult.hex(hr)
                            + ": the reply does not fit in " + capacity + " bytes, the most this port allows",
                            hr, capacity);
                }
                capacity = ReplyCapacity.grow(capacity, maxReplyCapacity);
            }
        } finally {
            free(in);
        }
    }

    /**
     * A FilterReplyMessage buffer: FILTER_REPLY_HEADER (Status 0, {@code messageId}) then
     * {@code body}; its size, {@code REPLY_HEADER_SIZE + body.remaining()}, is the length to pass.
     * The caller frees it with {@link #free}.
     */
    public static Memory replyBuffer(long messageId, ByteBuffer body) {
        Objects.requireNonNull(body, "replyBody");
        int bodySize = body.remaining();
        Memory buffer = aligned(REPLY_HEADER_SIZE + bodySize);
        buffer.setInt(0, 0);                       // Status: STATUS_SUCCESS
        buffer.setInt(4, 0);                       // padding
        buffer.setLong(MESSAGE_ID_OFFSET, messageId);
        if (bodySize > 0) {
            buffer.write(REPLY_HEADER_SIZE, bytesOf(body), 0, bodySize);
        }
        return buffer;
    }

    /**
     * Native memory of at least {@code size} bytes starting on an 8-byte boundary (the driver
     * checks). JNA allocates with malloc, which the C standard requires to align for every
     * fundamental type (8 bytes at least on 64-bit Windows, 16 in practice), so the memory is
     * checked, not over-allocated: an offset view could not be freed at once.
     */
    public static Memory aligned(int size) {
        return requireAligned(new Memory(Math.max(1, size)));
    }

    /**
     * Returns {@code memory} if it starts on an 8-byte boundary; otherwise frees it and fails:
     * fltlib buffers that the driver would refuse are never passed on.
     *
     * @throws IllegalStateException naming the address, when it is not 8-byte aligned
     */
    static Memory requireAligned(Memory memory) {
        long address = Pointer.nativeValue(memory);
        if (address % 8 != 0) {
            memory.close();
            throw new IllegalStateException("malloc returned 0x" + Long.toHexString(address)
                    + ", which is not 8-byte aligned; fltlib buffers must be (the C standard promises it)");
        }
        return memory;
    }

    /** Frees a transient buffer now rather than when the garbage collector gets to it. */
    public static void free(Memory memory) {
        if (memory != null) {
            memory.close();
        }
    }

    /** The remaining bytes of {@code buffer}, which is not consumed. */
    public static byte[] bytesOf(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }

    private static ByteBuffer copyReply(String callName, Memory out, int capacity, int returned) {
        if (returned < 0 || returned > capacity) {
            throw new FilterPortException(callName + " reported " + Integer.toUnsignedString(returned)
                    + " bytes returned for a " + capacity + "-byte buffer", FilterPortException.NO_HRESULT);
        }
        byte[] reply = returned == 0 ? new byte[0] : out.getByteArray(0, returned);
        return ByteBuffer.wrap(reply).order(ByteOrder.LITTLE_ENDIAN);
    }
}
