package org.jminifilter.port.fltlib;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import com.sun.jna.platform.win32.BaseTSD;
import com.sun.jna.platform.win32.Kernel32;
import com.sun.jna.platform.win32.W32Errors;
import com.sun.jna.platform.win32.WinBase;
import com.sun.jna.platform.win32.WinDef;
import com.sun.jna.platform.win32.WinError;
import com.sun.jna.platform.win32.WinNT;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jminifilter.port.FilterPort;
import org.jminifilter.port.FilterPortException;
import org.jminifilter.port.HResult;
import org.jminifilter.port.Notification;
import org.jminifilter.port.PortBrokenException;
import org.jminifilter.port.PortClosedException;
import org.jminifilter.port.ReplyCapacity;

/**
 * {@link FilterPort} over fltlib.dll, the way Microsoft's scanner sample's user-mode side does
 * it: the port handle is associated with an I/O completion port, {@link Settings#receivers()}
 * overlapped FilterGetMessage calls are kept outstanding, and every thread in {@link #receive}
 * waits on the completion port, takes one completed message, re-issues that slot's
 * FilterGetMessage and returns the message.
 *
 * <p>Native memory: a pending FilterGetMessage's buffer and OVERLAPPED belong to the kernel until
 * its completion is dequeued. They are held by a static registry from just before the call until
 * then, not by this object, so a port that is dropped without {@link #close} (its receives still
 * pending) leaks them instead of letting JNA's cleaner free memory the kernel will write into.
 *
 * <p>Closing cancels the outstanding receives with CancelIoEx, drains their
 * ERROR_OPERATION_ABORTED completions, wakes the receivers still waiting with posted packets, and
 * closes both handles exactly once, when the last thread using them has left.
 *
 * <p>A port none of whose receives can be issued any more is broken: {@link #isOpen()} turns
 * false and {@link #receive} throws {@link PortBrokenException} (an
 * {@link org.jminifilter.port.InvalidPortHandleException}: reconnect). A receive that fails while
 * others still work is re-tried each time another completes.
 *
 * <p>fltlib and kernel32 are injected, so tests fake them; {@link FltLibPortProvider} loads the
 * real ones on Windows.
 */
public final class FltLibFilterPort implements FilterPort {

    /** sizeof(FILTER_REPLY_HEADER) on 64-bit Windows: NTSTATUS Status, padding, ULONGLONG MessageId. */
    public static final int REPLY_HEADER_SIZE = FilterMessages.REPLY_HEADER_SIZE;
    /** Offset of FILTER_REPLY_HEADER.MessageId. */
    public static final int REPLY_MESSAGE_ID_OFFSET = FilterMessages.MESSAGE_ID_OFFSET;
    /** sizeof(FILTER_MESSAGE_HEADER) on 64-bit Windows. */
    public static final int MESSAGE_HEADER_SIZE = ReceiveSlot.MESSAGE_HEADER_SIZE;

    /** Completion key of the port handle's completions. */
    static final Pointer PORT_KEY = Pointer.createConstant(1);
    /** Completion key of the packets close() posts to wake waiting receivers. */
    static final Pointer WAKE_KEY = Pointer.createConstant(2);
    /**
     * CreateIoCompletionPort's NumberOfConcurrentThreads: 0, as many as there are processors. A
     * thread that dequeued a message counts against this limit until it waits on the port again,
     * i.e. while the service decides the ask; a smaller value would cap CPU-bound ask handlers
     * below what the machine can run.
     */
    static final int COMPLETION_PORT_CONCURRENCY = 0;

    private static final Logger LOG = LoggerFactory.getLogger(FltLibFilterPort.class);

    /**
     * Every receive slot the kernel may write into, by its OVERLAPPED's address: put just before
     * its FilterGetMessage is issued, removed when its completion is dequeued (or the call failed
     * without pending). Static, so that it does not depend on the port object being reachable. A
     * slot whose completion is never dequeued (a close that gave up waiting, a port dropped
     * without close) stays for the life of the process: a few KiB leaked, never memory freed
     * under the kernel.
     */
    private static final Map<Long, ReceiveSlot> IN_FLIGHT = new ConcurrentHashMap<>();

    /**
     * How a port is set up; immutable. {@link #forBodySize} gives the defaults, the
     * {@code with...} methods a copy with one value changed.
     *
     * @param receiveBodySize  the largest message body after FILTER_MESSAGE_HEADER (for jminifilter
     *                         sizeof(JMF_ASK)); each receive buffer is 16 bytes larger
     * @param receivers        FilterGetMessage calls kept outstanding at once (1..64): how many asks
     *                         the kernel can hand over before a receiver takes one
     * @param maxReplyCapacity the bound on {@link #send}'s buffer growth, in bytes
     * @param closeTimeout     how long {@link #close} waits for cancelled I/O and for callers to leave
     */
    public record Settings(int receiveBodySize, int receivers, int maxReplyCapacity, Duration closeTimeout) {

        public static final int DEFAULT_MAX_REPLY_CAPACITY = ReplyCapacity.DEFAULT_MAX;
        public static final int DEFAULT_RECEIVERS = 4;
        public static final int MAX_RECEIVERS = 64;
        public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(5);

        public Settings {
            if (receiveBodySize < 0) {
                throw new IllegalArgumentException("receiveBodySize must not be negative: " + receiveBodySize);
            }
            if (receivers < 1 || receivers > MAX_RECEIVERS) {
                throw new IllegalArgumentException("receivers must be 1.." + MAX_RECEIVERS + ": " + receivers);
            }
            if (maxReplyCapacity < 0) {
                throw new IllegalArgumentException("maxReplyCapacity must not be negative: " + maxReplyCapacity);
            }
            Objects.requireNonNull(closeTimeout, "closeTimeout");
            if (closeTimeout.isNegative()) {
                throw new IllegalArgumentException("closeTimeout must not be negative: " + closeTimeout);
            }
        }

        /** The defaults for a message body of {@code receiveBodySize} bytes. */
        public static Settings forBodySize(int receiveBodySize) {
            return new Settings(receiveBodySize, DEFAULT_RECEIVERS, DEFAULT_MAX_REPLY_CAPACITY,
                    DEFAULT_CLOSE_TIMEOUT);
        }

        public Settings withReceivers(int receivers) {
            return new Settings(receiveBodySize, receivers, maxReplyCapacity, closeTimeout);
        }

        public Settings withMaxReplyCapacity(int maxReplyCapacity) {
            return new Settings(receiveBodySize, receivers, maxReplyCapacity, closeTimeout);
        }

        public Settings withCloseTimeout(Duration closeTimeout) {
            return new Settings(receiveBodySize, receivers, maxReplyCapacity, closeTimeout);
        }
    }

    private final FltLib fltLib;
    private final Kernel32Iocp kernel32;
    private final Kernel32CancelIo cancelIo;
    private final WinNT.HANDLE port;
    private final WinNT.HANDLE completionPort;
    private final Settings settings;
    private final ReceiveSlot[] slots;

    /** Serialises issuing FilterGetMessage against close's "closed = true; CancelIoEx". */
    private final Object issueLock = new Object();
    private volatile boolean closed;
    /** FilterGetMessage calls issued whose completion has not been dequeued yet. */
    private final AtomicInteger outstanding = new AtomicInteger();
    /** Slots whose last FilterGetMessage failed at once (guarded by issueLock). */
    private int failedSlots;
    /** Set (under issueLock) once every slot has failed: receive can never succeed again. */
    private volatile PortBrokenException broken;
    /** Threads inside a call that uses the handles; the last one out after close closes them. */
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicBoolean handlesClosed = new AtomicBoolean();
    private final Object handlesClosedMonitor = new Object();

    /**
     * Connects to a communication port (FilterConnectCommunicationPort), associates the handle
     * with a new I/O completion port and issues the first receives.
     *
     * @param context the connection context's bytes (from position to limit; at most 65535, the
     *                size is a WORD), or null for none
     * @throws FilterPortException when the connection fails, or no receive can be issued on it
     *                (the handles are closed then)
     */
    public static FltLibFilterPort connect(FltLib fltLib, Kernel32 kernel32, Kernel32CancelIo cancelIo,
            String portName, ByteBuffer context, Settings settings) {
        return connect(fltLib, Kernel32Iocp.of(kernel32), cancelIo, portName, context, settings);
    }

    /**
     * As {@link #connect(FltLib, Kernel32, Kernel32CancelIo, String, ByteBuffer, Settings)}, with the
     * kernel32 functions given as a {@link Kernel32Iocp} (bound from another library in tests).
     */
    public static FltLibFilterPort connect(FltLib fltLib, Kernel32Iocp kernel32, Kernel32CancelIo cancelIo,
            String portName, ByteBuffer context, Settings settings) {
        Objects.requireNonNull(portName, "portName");
        Objects.requireNonNull(settings, "settings");
        Memory contextMemory = null;
        int contextSize = 0;
        if (context != null && context.hasRemaining()) {
            contextSize = context.remaining();
            if (contextSize > 0xFFFF) {
                throw new IllegalArgumentException("the connection context is " + contextSize
                        + " bytes; FilterConnectCommunicationPort takes at most 65535 (a WORD)");
            }
            contextMemory = FilterMessages.aligned(contextSize);
            contextMemory.write(0, FilterMessages.bytesOf(context), 0, contextSize);
        }
        WinNT.HANDLEByReference handle = new WinNT.HANDLEByReference();
        int hr;
        try {
            hr = hresult(fltLib.FilterConnectCommunicationPort(portName, 0, contextMemory,
                    new WinDef.WORD(contextSize), null, handle));
        } finally {
            FilterMessages.free(contextMemory);
        }
        if (HResult.failed(hr)) {
            throw FilterPortException.forHresult("FilterConnectCommunicationPort(" + portName + ")", hr);
        }
        WinNT.HANDLE port = handle.getValue();
        WinNT.HANDLE completionPort = kernel32.CreateIoCompletionPort(port, null, PORT_KEY,
                COMPLETION_PORT_CONCURRENCY);
        if (completionPort == null || WinBase.INVALID_HANDLE_VALUE.equals(completionPort)) {
            int error = kernel32.GetLastError();
            kernel32.CloseHandle(port);
            throw FilterPortException.forHresult("CreateIoCompletionPort", fromWin32(error));
        }
        FltLibFilterPort filterPort = new FltLibFilterPort(fltLib, kernel32, cancelIo, port, completionPort,
                settings);
        try {
            filterPort.startReceiving();
        } catch (RuntimeException e) {
            filterPort.close();
            throw e;
        }
        return filterPort;
    }

    /**
     * Wraps handles already opened and associated (for tests and for {@link #connect}); does not
     * issue receives: {@link #connect} does that.
     */
    FltLibFilterPort(FltLib fltLib, Kernel32 kernel32, Kernel32CancelIo cancelIo, WinNT.HANDLE port,
            WinNT.HANDLE completionPort, Settings settings) {
        this(fltLib, Kernel32Iocp.of(kernel32), cancelIo, port, completionPort, settings);
    }

    private FltLibFilterPort(FltLib fltLib, Kernel32Iocp kernel32, Kernel32CancelIo cancelIo, WinNT.HANDLE port,
            WinNT.HANDLE completionPort, Settings settings) {
        this.fltLib = Objects.requireNonNull(fltLib, "fltLib");
        this.kernel32 = Objects.requireNonNull(kernel32, "kernel32");
        this.cancelIo = Objects.requireNonNull(cancelIo, "cancelIo");
        this.port = Objects.requireNonNull(port, "port");
        this.completionPort = Objects.requireNonNull(completionPort, "completionPort");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.slots = new ReceiveSlot[settings.receivers()];
        for (int i = 0; i < slots.length; i++) {
            slots[i] = new ReceiveSlot(settings.receiveBodySize());
        }
    }

    /** Issues every slot; fails with the FilterGetMessage error when none could be issued. */
    void startReceiving() {
        for (ReceiveSlot slot : slots) {
            issue(slot);
        }
        PortBrokenException failure = broken;
        if (failure != null) {
            throw (FilterPortException) failure.getCause();
        }
    }

    // ------------------------------------------------------------------ send

    @Override
    public ByteBuffer send(ByteBuffer command, int replyCapacity) {
        enter();
        try {
            return FilterMessages.send("FilterSendMessage", command, replyCapacity, settings.maxReplyCapacity(),
                    (in, inSize, out, outSize, returned) ->
                            hresult(fltLib.FilterSendMessage(port, in, inSize, out, outSize, returned)));
        } finally {
            leave();
        }
    }

    // ------------------------------------------------------------------ reply

    /** {@inheritDoc} A broken port still replies: asks received before it broke are still due. */
    @Override
    public void reply(long messageId, ByteBuffer replyBody) {
        Objects.requireNonNull(replyBody, "replyBody");
        // The length passed INCLUDES the FILTER_REPLY_HEADER (the kernel's ReplyLength excludes it),
        // and is header + body exactly: never the size of a padded wrapping structure.
        int size = REPLY_HEADER_SIZE + replyBody.remaining();
        enter();
        Memory buffer = FilterMessages.replyBuffer(messageId, replyBody);
        try {
            int hr = hresult(fltLib.FilterReplyMessage(port, buffer, size));
            if (HResult.failed(hr)) {
                throw FilterPortException.forHresult("FilterReplyMessage(message " + messageId + ")", hr);
            }
        } finally {
            leave();
            FilterMessages.free(buffer);
        }
    }

    // ------------------------------------------------------------------ receive

    /**
     * {@inheritDoc}
     *
     * @throws PortBrokenException once no receive can be issued any more
     */
    @Override
    public Notification receive() {
        return receiveWithin(WinBase.INFINITE).orElseThrow(
                () -> new IllegalStateException("an unbounded wait returned nothing"));
    }

    /**
     * {@inheritDoc}
     *
     * @throws PortBrokenException once no receive can be issued any more
     */
    @Override
    public Optional<Notification> receive(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must not be negative: " + timeout);
        }
        long millis = Math.min(timeout.toMillis(), Integer.MAX_VALUE - 1L);
        return receiveWithin((int) millis);
    }

    private Optional<Notification> receiveWithin(int timeoutMs) {
        boolean forever = timeoutMs == WinBase.INFINITE;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(forever ? 0 : timeoutMs);
        enter();
        try {
            while (true) {
                if (closed) {
                    throw closedException();
                }
                PortBrokenException failure = broken;
                if (failure != null) {
                    // A fresh exception per call: one instance thrown to several threads would
                    // share its stack trace and suppressed exceptions.
                    throw new PortBrokenException(failure.getMessage(), (FilterPortException) failure.getCause());
                }
                int waitMs = forever ? WinBase.INFINITE : remainingMillis(deadline);
                Optional<Notification> notification = awaitCompletion(waitMs);
                if (notification != null) {
                    return notification;
                }
                if (!forever && remainingMillis(deadline) == 0) {
                    return Optional.empty();
                }
            }
        } finally {
            leave();
        }
    }

    /**
     * Dequeues one completion packet.
     *
     * @return the message, empty on timeout, null when the caller should wait again
     */
    private Optional<Notification> awaitCompletion(int waitMs) {
        IntByReference bytes = new IntByReference();
        BaseTSD.ULONG_PTRByReference key = new BaseTSD.ULONG_PTRByReference();
        PointerByReference overlapped = new PointerByReference();
        boolean ok = kernel32.GetQueuedCompletionStatus(completionPort, bytes, key, overlapped, waitMs);
        Pointer completed = overlapped.getValue();
        if (completed == null) {
            if (ok) {
                // A wake packet: the port is closed or broken (the caller checks both).
                return null;
            }
            int error = kernel32.GetLastError();
            if (error == WinError.WAIT_TIMEOUT) {
                return waitMs == WinBase.INFINITE ? null : Optional.empty();
            }
            if (error == WinError.ERROR_ABANDONED_WAIT_0) {
                throw closedException();
            }
            throw FilterPortException.forHresult("GetQueuedCompletionStatus", fromWin32(error));
        }
        ReceiveSlot slot = dequeued(completed);
        if (ok) {
            Notification notification = null;
            FilterPortException bad = null;
            try {
                notification = slot.read(bytes.getValue());
            } catch (FilterPortException e) {
                bad = e;
            }
            issue(slot);
            retryFailedSlots();
            if (bad != null) {
                throw bad;
            }
            return Optional.of(notification);
        }
        int error = kernel32.GetLastError();
        issue(slot); // does nothing once closed
        if (closed) {
            throw closedException();
        }
        if (error == WinError.ERROR_OPERATION_ABORTED) {
            return null; // cancelled by someone else while we are open: the slot is re-issued
        }
        throw FilterPortException.forHresult("FilterGetMessage", fromWin32(error));
    }

    /**
     * The slot whose completion was just dequeued: from here on the kernel no longer writes into
     * it, so it leaves the in-flight registry (until it is issued again).
     */
    private ReceiveSlot dequeued(Pointer completed) {
        long address = Pointer.nativeValue(completed);
        for (ReceiveSlot slot : slots) {
            if (slot.address() == address) {
                outstanding.decrementAndGet();
                IN_FLIGHT.remove(address, slot);
                return slot;
            }
        }
        throw new FilterPortException("GetQueuedCompletionStatus returned an OVERLAPPED (" + completed
                + ") this port never issued", FilterPortException.NO_HRESULT);
    }

    /**
     * Issues the slot's FilterGetMessage, unless the port is closed. A call that fails at once
     * marks the slot failed; when every slot is, the port is broken.
     */
    private void issue(ReceiveSlot slot) {
        synchronized (issueLock) {
            if (closed) {
                return;
            }
            slot.reset();
            long address = slot.address();
            // Registered before the call: from inside it on, the kernel may write into the slot.
            IN_FLIGHT.put(address, slot);
            outstanding.incrementAndGet();
            int hr = HResult.IO_PENDING;
            try {
                hr = hresult(fltLib.FilterGetMessage(port, slot.buffer, slot.bufferSize, slot.overlapped));
            } finally {
                // S_OK too queues a completion packet (FILE_SKIP_COMPLETION_PORT_ON_SUCCESS is not set).
                // A call that threw is treated as pending: the slot stays registered, never freed.
                if (hr != HResult.IO_PENDING && HResult.failed(hr)) {
                    outstanding.decrementAndGet();
                    IN_FLIGHT.remove(address, slot);
                    slotFailed(slot, FilterPortException.forHresult("FilterGetMessage", hr));
                } else if (slot.failed) {
                    slot.failed = false;
                    failedSlots--;
                }
            }
        }
    }

    /** Under issueLock. */
    private void slotFailed(ReceiveSlot slot, FilterPortException failure) {
        if (!slot.failed) {
            slot.failed = true;
            failedSlots++;
        }
        if (failedSlots >= slots.length && broken == null) {
            broken = new PortBrokenException("no FilterGetMessage can be issued on this port any more (each of its "
                    + slots.length + " receive(s) failed; the last with: " + failure.getMessage()
                    + "); close the port and connect again", failure);
            LOG.error(broken.getMessage());
            // No completion will ever come again: wake the receivers waiting for one so that
            // they see the failure instead of waiting forever.
            postWakePackets(active.get());
        }
    }

    /** Gives each slot that failed to issue another try (after another slot's completion: bounded by traffic). */
    private void retryFailedSlots() {
        synchronized (issueLock) {
            if (failedSlots == 0 || broken != null) {
                return;
            }
            for (ReceiveSlot slot : slots) {
                if (slot.failed) {
                    issue(slot);
                }
            }
        }
    }

    private void postWakePackets(int count) {
        for (int i = 0; i < count; i++) {
            kernel32.PostQueuedCompletionStatus(completionPort, 0, WAKE_KEY, null);
        }
    }

    private static int remainingMillis(long deadline) {
        long nanos = deadline - System.nanoTime();
        return nanos <= 0 ? 0 : (int) Math.min(Integer.MAX_VALUE - 1L, TimeUnit.NANOSECONDS.toMillis(nanos + 999_999));
    }

    // ------------------------------------------------------------------ close

    /** @return false once {@link #close} has begun, or once the port is broken (it can never receive again) */
    @Override
    public boolean isOpen() {
        return !closed && broken == null;
    }

    @Override
    public void close() {
        synchronized (issueLock) {
            if (closed) {
                return;
            }
            // Counted in as a user of the handles BEFORE "closed" is visible: otherwise a caller
            // leaving between the two would see active == 0 with closed set and close the
            // handles while this thread still drains the completion port.
            active.incrementAndGet();
            closed = true;
            // Fails with ERROR_NOT_FOUND when nothing is pending: nothing to do then.
            cancelIo.CancelIoEx(port, null);
        }
        long deadline = System.nanoTime() + settings.closeTimeout().toNanos();
        try {
            drainCancelledReceives(deadline);
            if (outstanding.get() > 0) {
                LOG.warn("{} cancelled FilterGetMessage call(s) did not complete"
                        + " within {}; their buffers are kept for the life of the process",
                        outstanding.get(), settings.closeTimeout());
            }
            // Wake every thread still waiting in GetQueuedCompletionStatus (extra packets are harmless).
            postWakePackets(active.get() - 1);
        } finally {
            leave();
        }
        awaitHandlesClosed(deadline);
    }

    /** Dequeues the completions of the cancelled receives (other receivers may take some). */
    private void drainCancelledReceives(long deadline) {
        while (outstanding.get() > 0 && System.nanoTime() - deadline < 0) {
            IntByReference bytes = new IntByReference();
            BaseTSD.ULONG_PTRByReference key = new BaseTSD.ULONG_PTRByReference();
            PointerByReference overlapped = new PointerByReference();
            kernel32.GetQueuedCompletionStatus(completionPort, bytes, key, overlapped,
                    Math.max(1, Math.min(50, remainingMillis(deadline))));
            Pointer completed = overlapped.getValue();
            if (completed != null) {
                // A message that arrived just before the cancel is dropped here: the kernel's
                // wait for its reply times out and the ask gets its default verdict.
                dequeued(completed);
            }
        }
    }

    private void awaitHandlesClosed(long deadline) {
        synchronized (handlesClosedMonitor) {
            while (!handlesClosed.get()) {
                long nanos = deadline - System.nanoTime();
                if (nanos <= 0) {
                    LOG.warn("{} thread(s) still inside a filter port call"
                            + " after {}; the last to leave closes the handles", active.get(),
                            settings.closeTimeout());
                    return;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(handlesClosedMonitor, nanos);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** Counts the caller in as a user of the handles; fails once closed. */
    private void enter() {
        active.incrementAndGet();
        if (closed) {
            leave();
            throw closedException();
        }
    }

    /** Counts the caller out; the last one out after close closes the handles. */
    private void leave() {
        if (active.decrementAndGet() == 0 && closed) {
            closeHandlesOnce();
        }
    }

    private void closeHandlesOnce() {
        if (!handlesClosed.compareAndSet(false, true)) {
            return;
        }
        kernel32.CloseHandle(port);
        kernel32.CloseHandle(completionPort);
        synchronized (handlesClosedMonitor) {
            handlesClosedMonitor.notifyAll();
        }
    }

    private static PortClosedException closedException() {
        return new PortClosedException("the filter port is closed");
    }

    // ------------------------------------------------------------------ helpers

    /** For tests: the in-flight slot whose OVERLAPPED is at {@code overlappedAddress}, or null. */
    static ReceiveSlot inFlight(long overlappedAddress) {
        return IN_FLIGHT.get(overlappedAddress);
    }

    /** For tests: how many of this port's slots the registry holds (the kernel may still write into them). */
    static int inFlightCount(FltLibFilterPort port) {
        int count = 0;
        for (ReceiveSlot slot : port.slots) {
            if (IN_FLIGHT.get(slot.address()) == slot) {
                count++;
            }
        }
        return count;
    }

    /** For tests: the port's receive slots. */
    ReceiveSlot[] slots() {
        return slots.clone();
    }

    private static int hresult(WinNT.HRESULT hr) {
        if (hr == null) {
            throw new FilterPortException("fltlib returned no HRESULT", FilterPortException.NO_HRESULT);
        }
        return hr.intValue();
    }

    static int fromWin32(int error) {
        return W32Errors.HRESULT_FROM_WIN32(error).intValue();
    }
}
