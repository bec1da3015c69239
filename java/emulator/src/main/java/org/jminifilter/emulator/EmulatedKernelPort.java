package org.jminifilter.emulator;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.jminifilter.port.FilterPort;
import org.jminifilter.port.FilterPortException;
import org.jminifilter.port.HResult;
import org.jminifilter.port.Notification;
import org.jminifilter.port.PortClosedException;
import org.jminifilter.port.PortNotFoundException;
import org.jminifilter.port.ReplyCapacity;
import org.jminifilter.port.fltlib.FilterMessages;
import org.jminifilter.protocol.ConnectContext;
import org.jminifilter.protocol.Protocol;

/**
 * {@link FilterPort} over the emulator's user side of the communication port: the same calls
 * and HRESULTs as fltlib (EmuFilterConnectCommunicationPort, EmuFilterSendMessage,
 * EmuFilterGetMessage, EmuFilterReplyMessage), the same buffer rules as {@code FltLibFilterPort}
 * (8-byte aligned buffers, reply length including FILTER_REPLY_HEADER, bounded growth of the
 * send buffer) and the same exceptions ({@link FilterPortException#forHresult}).
 *
 * <p>Receives are blocking calls on the caller's thread (the emulator wakes them itself, so no
 * completion port is needed); several threads may receive at once. {@link #close()} wakes them
 * with EmuFilterCancelGets and frees the handle with EmuFilterClose only once no thread is
 * inside a call that uses it.
 */
public final class EmulatedKernelPort implements FilterPort {

    /** sizeof(FILTER_MESSAGE_HEADER) / sizeof(FILTER_REPLY_HEADER) on 64-bit Windows. */
    public static final int HEADER_SIZE = FilterMessages.MESSAGE_HEADER_SIZE;
    /** Offset of MessageId in both headers. */
    public static final int MESSAGE_ID_OFFSET = FilterMessages.MESSAGE_ID_OFFSET;
    /** How long close waits for callers to leave before it gives up and keeps the handle. */
    static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

    private static final Logger LOG = LoggerFactory.getLogger(EmulatedKernelPort.class);
    private static final Set<EmulatedKernelPort> OPEN = ConcurrentHashMap.newKeySet();

    private final EmuLibrary lib;
    private final Pointer handle;
    private final int receiveBodySize;
    private final int maxReplyCapacity;
    /** Calls that use the handle hold the read lock; close takes the write lock to free it. */
    private final ReentrantReadWriteLock use = new ReentrantReadWriteLock();
    private volatile boolean closed;

    private EmulatedKernelPort(EmuLibrary lib, Pointer handle, int receiveBodySize, int maxReplyCapacity) {
        this.lib = lib;
        this.handle = handle;
        this.receiveBodySize = receiveBodySize;
        this.maxReplyCapacity = maxReplyCapacity;
    }

    /**
     * Connects to {@code portName} presenting {@code context} (as the service process when an
     * {@link EmulatedKernel} is open).
     *
     * @throws PortNotFoundException when no driver created the port (not loaded in the emulator)
     * @throws org.jminifilter.port.ProtocolMismatchException when the driver refused the context
     */
    public static EmulatedKernelPort connect(EmuLibrary lib, String portName, ConnectContext context) {
        Objects.requireNonNull(portName, "portName");
        Objects.requireNonNull(context, "context");
        // The connecting process becomes the driver's client (whose own I/O it never filters).
        EmulatedKernel.current().ifPresent(k -> lib.EmuSetCurrentProcess(EmulatedKernel.SERVICE_PID));
        byte[] contextBytes = FilterMessages.bytesOf(context.encode());
        Memory contextMemory = FilterMessages.aligned(contextBytes.length);
        contextMemory.write(0, contextBytes, 0, contextBytes.length);
        Memory name = new Memory(EmuLibrary.utf16z(portName).length);
        name.write(0, EmuLibrary.utf16z(portName), 0, (int) name.size());
        PointerByReference port = new PointerByReference();
        int hr = lib.EmuFilterConnectCommunicationPort(name, 0, contextMemory, (short) contextBytes.length, null,
                port);
        if (HResult.failed(hr)) {
            FilterPortException e = FilterPortException.forHresult("FilterConnectCommunicationPort(" + portName
                    + ") [emulator]", hr);
            if (e instanceof PortNotFoundException) {
                throw new PortNotFoundException(e.getMessage() + ". In the emulator: start an EmulatedKernel"
                        + " and load the driver (EmulatedKernel.loadDriver) before connecting", hr);
            }
            throw e;
        }
        if (port.getValue() == null) {
            throw new FilterPortException("EmuFilterConnectCommunicationPort succeeded without a handle",
                    FilterPortException.NO_HRESULT);
        }
        EmulatedKernelPort p = new EmulatedKernelPort(lib, port.getValue(), Protocol.ASK_SIZE,
                ReplyCapacity.DEFAULT_MAX);
        OPEN.add(p);
        return p;
    }

    /** Closes every emulator port still open (before the driver unloads). */
    static void closeAll() {
        for (EmulatedKernelPort port : List.copyOf(OPEN)) {
            port.close();
        }
    }

    // ------------------------------------------------------------------ send

    @Override
    public ByteBuffer send(ByteBuffer command, int replyCapacity) {
        enter();
        try {
            return FilterMessages.send("FilterSendMessage [emulator]", command, replyCapacity, maxReplyCapacity,
                    (in, inSize, out, outSize, returned) ->
                            lib.EmuFilterSendMessage(handle, in, inSize, out, outSize, returned));
        } finally {
            leave();
        }
    }

    // ------------------------------------------------------------------ reply

    @Override
    public void reply(long messageId, ByteBuffer replyBody) {
        Objects.requireNonNull(replyBody, "replyBody");
        // The length INCLUDES the FILTER_REPLY_HEADER, and is header + body exactly.
        int size = HEADER_SIZE + replyBody.remaining();
        Memory buffer = FilterMessages.replyBuffer(messageId, replyBody);
        enter();
        try {
            int hr = lib.EmuFilterReplyMessage(handle, buffer, size);
            if (HResult.failed(hr)) {
                throw FilterPortException.forHresult("FilterReplyMessage(message " + messageId + ") [emulator]", hr);
            }
        } finally {
            leave();
            FilterMessages.free(buffer);
        }
    }

    // ------------------------------------------------------------------ receive

    @Override
    public Notification receive() {
        while (true) {
            Optional<Notification> n = receiveWithin(EmuLibrary.INFINITE);
            if (n.isPresent()) {
                return n.get();
            }
        }
    }

    @Override
    public Optional<Notification> receive(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must not be negative: " + timeout);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long ms = Math.min(TimeUnit.NANOSECONDS.toMillis(Math.max(0, deadline - System.nanoTime())),
                    Integer.MAX_VALUE - 1L);
            Optional<Notification> n = receiveWithin((int) ms);
            if (n.isPresent() || System.nanoTime() - deadline >= 0) {
                return n;
            }
        }
    }

    /** One get; empty on timeout or on a cancel not caused by close (the caller waits again). */
    private Optional<Notification> receiveWithin(int timeoutMs) {
        int size = HEADER_SIZE + receiveBodySize;
        Memory buffer = FilterMessages.aligned(size);
        buffer.clear();
        enter();
        try {
            int hr = timeoutMs == EmuLibrary.INFINITE ? lib.EmuFilterGetMessage(handle, buffer, size)
                    : lib.EmuFilterGetMessageTimeout(handle, buffer, size, timeoutMs);
            if (closed) {
                throw closedException();
            }
            if (hr == EmuLibrary.E_WAIT_TIMEOUT || hr == HResult.OPERATION_ABORTED) {
                return Optional.empty();
            }
            if (HResult.failed(hr)) {
                throw FilterPortException.forHresult("FilterGetMessage [emulator]", hr);
            }
            int replyLength = buffer.getInt(0);
            long messageId = buffer.getLong(MESSAGE_ID_OFFSET);
            // EmuFilterGetMessage does not say how many bytes it wrote: the body is the buffer
            // after the header (jminifilter's only notification, JMF_ASK, fills it exactly).
            ByteBuffer body = ByteBuffer.wrap(buffer.getByteArray(HEADER_SIZE, receiveBodySize))
                    .order(ByteOrder.LITTLE_ENDIAN);
            if (replyLength < 0) {
                throw new FilterPortException("FilterGetMessage [emulator] returned a negative ReplyLength "
                        + Integer.toUnsignedString(replyLength), FilterPortException.NO_HRESULT);
            }
            return Optional.of(new Notification(messageId, replyLength, body));
        } finally {
            leave();
        }
    }

    // ------------------------------------------------------------------ close

    @Override
    public boolean isOpen() {
        return !closed;
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        OPEN.remove(this);
        long deadline = System.nanoTime() + CLOSE_TIMEOUT.toNanos();
        try {
            // A receiver may enter its get just after a cancel: cancel again until all have left.
            while (true) {
                lib.EmuFilterCancelGets(handle);
                if (use.writeLock().tryLock(20, TimeUnit.MILLISECONDS)) {
                    break;
                }
                if (System.nanoTime() - deadline >= 0) {
                    LOG.warn("threads still inside emulator port calls after {};"
                            + " the port handle is kept open", CLOSE_TIMEOUT);
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        try {
            int hr = lib.EmuFilterClose(handle);
            if (HResult.failed(hr) && hr != HResult.INVALID_HANDLE) {
                LOG.warn("EmuFilterClose failed with HRESULT {}", HResult.hex(hr));
            }
        } finally {
            use.writeLock().unlock();
        }
    }

    private void enter() {
        if (closed) {
            throw closedException();
        }
        use.readLock().lock();
        if (closed) {
            use.readLock().unlock();
            throw closedException();
        }
    }

    private void leave() {
        use.readLock().unlock();
    }

    private static PortClosedException closedException() {
        return new PortClosedException("the emulator's filter port is closed");
    }

    // ------------------------------------------------------------------ helpers

    /** Native memory of {@code size} bytes on an 8-byte boundary (the driver requires it). */
}
