package org.jminifilter.port.fltlib;

import com.sun.jna.Pointer;
import com.sun.jna.platform.win32.BaseTSD;
import com.sun.jna.platform.win32.Kernel32;
import com.sun.jna.platform.win32.WinBase;
import com.sun.jna.platform.win32.WinDef;
import com.sun.jna.platform.win32.WinError;
import com.sun.jna.platform.win32.WinNT;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.description.modifier.Visibility;
import net.bytebuddy.dynamic.loading.ClassLoadingStrategy;
import net.bytebuddy.implementation.InvocationHandlerAdapter;
import net.bytebuddy.matcher.ElementMatchers;
import org.jminifilter.port.HResult;

/**
 * A hand-written fake of the fltlib and kernel32 functions FltLibFilterPort calls, close enough
 * to the real pair to drive it: FilterGetMessage calls stay pending until the test delivers a
 * message (written through the raw buffer address the port passed) or cancels them;
 * GetQueuedCompletionStatus blocks on a packet queue; CancelIoEx turns pending receives into
 * ERROR_OPERATION_ABORTED packets; GetLastError is per thread; any call on a handle already
 * closed is recorded as a violation.
 *
 * <p>Not Mockito, on purpose: a mock keeps every argument it was called with reachable, which
 * would keep the port's native buffers alive and hide a lifetime bug. This fake keeps only
 * addresses and copies of bytes; nothing the port passes stays reachable through it.
 */
final class FakeKernel {

    static final WinNT.HANDLE PORT = new WinNT.HANDLE(Pointer.createConstant(0x1000));
    static final WinNT.HANDLE IOCP = new WinNT.HANDLE(Pointer.createConstant(0x2000));
    static final WinNT.HRESULT S_OK = new WinNT.HRESULT(0);
    static final WinNT.HRESULT IO_PENDING = new WinNT.HRESULT(HResult.IO_PENDING);

    /** One FilterGetMessage call as the port made it: addresses and values only. */
    record Get(long buffer, int size, long overlapped, boolean overlappedAutoWrite) {
        Pointer bufferPointer() {
            return new Pointer(buffer);
        }

        Pointer overlappedPointer() {
            return new Pointer(overlapped);
        }
    }

    /** One FilterConnectCommunicationPort call: copies of what was passed. */
    record Connect(String name, int options, byte[] context, int contextSize, boolean security) {
    }

    /** A completion packet; when {@code gate} is set, the thread that dequeues it waits for it first. */
    record Packet(boolean ok, int bytes, Pointer key, Pointer overlapped, int error, CountDownLatch gate) {
        Packet(boolean ok, int bytes, Pointer key, Pointer overlapped, int error) {
            this(ok, bytes, key, overlapped, error, null);
        }
    }

    /** FilterConnectCommunicationPort's behaviour. */
    @FunctionalInterface
    interface ConnectCall {
        WinNT.HRESULT call(String name, WinNT.HANDLEByReference handle);
    }

    /** FilterSendMessage's behaviour. */
    @FunctionalInterface
    interface SendCall {
        WinNT.HRESULT call(Pointer in, int inSize, Pointer out, int outSize, IntByReference returned)
                throws Exception;
    }

    /** FilterReplyMessage's behaviour. */
    @FunctionalInterface
    interface ReplyCall {
        WinNT.HRESULT call(Pointer buffer, int size) throws Exception;
    }

    /** A packet that stands for "the completion port was closed under this waiter". */
    private static final Packet ABANDONED = new Packet(false, 0, null, null, WinError.ERROR_ABANDONED_WAIT_0);

    final FltLib fltLib = new FakeFltLib();
    final Kernel32 kernel32 = kernel32((proxy, method, args) -> kernel32Call(method, args));
    final Kernel32CancelIo cancelIo = (handle, overlapped) -> cancelIoEx(handle, overlapped);

    private final List<Get> gets = new ArrayList<>();
    private final Deque<Get> pending = new ArrayDeque<>();
    final LinkedBlockingDeque<Packet> queue = new LinkedBlockingDeque<>();
    private final ThreadLocal<Integer> lastError = ThreadLocal.withInitial(() -> 0);
    private final Map<WinNT.HANDLE, AtomicInteger> closes = new ConcurrentHashMap<>();
    final List<Connect> connects = new CopyOnWriteArrayList<>();
    final List<Integer> completionPortConcurrency = new CopyOnWriteArrayList<>();
    /** Every FilterGetMessage call, whatever it returned. */
    final AtomicInteger getCalls = new AtomicInteger();
    final AtomicInteger sends = new AtomicInteger();
    final AtomicInteger replies = new AtomicInteger();
    final AtomicInteger cancels = new AtomicInteger();
    /** Calls on a handle after it was closed, or with a handle the fake never gave out. */
    final List<String> violations = new CopyOnWriteArrayList<>();
    /** Opens when a thread has dequeued a gated packet and waits for its gate. */
    final CountDownLatch gateReached = new CountDownLatch(1);
    /** Opens when CancelIoEx is first called. */
    final CountDownLatch cancelled = new CountDownLatch(1);
    final AtomicInteger posts = new AtomicInteger();
    final List<Integer> completionTimeouts = new CopyOnWriteArrayList<>();
    /** Threads inside GetQueuedCompletionStatus right now (guarded by this). */
    private int waiting;

    /** What FilterGetMessage returns from now on. */
    volatile WinNT.HRESULT getResult = IO_PENDING;
    /** Whether CancelIoEx completes the pending receives (false: they never complete). */
    volatile boolean cancelCompletesPending = true;
    volatile ConnectCall onConnect = (name, handle) -> {
        handle.setValue(PORT);
        return S_OK;
    };
    volatile SendCall onSend = (in, inSize, out, outSize, returned) -> S_OK;
    volatile ReplyCall onReply = (buffer, size) -> S_OK;
    /** Runs inside CancelIoEx, before it completes the pending receives. */
    volatile Runnable onCancel = () -> { };
    /** What CreateIoCompletionPort returns, and the last error it leaves when that is null. */
    volatile WinNT.HANDLE completionPortResult = IOCP;
    volatile int completionPortError;

    // ------------------------------------------------------------------ fltlib

    private final class FakeFltLib implements FltLib {
        @Override
        public WinNT.HRESULT FilterConnectCommunicationPort(String lpPortName, int dwOptions, Pointer lpContext,
                WinDef.WORD wSizeOfContext, WinBase.SECURITY_ATTRIBUTES lpSecurityAttributes,
                WinNT.HANDLEByReference hPort) {
            int size = wSizeOfContext.intValue();
            byte[] context = lpContext == null ? null : lpContext.getByteArray(0, size);
            connects.add(new Connect(lpPortName, dwOptions, context, size, lpSecurityAttributes != null));
            return onConnect.call(lpPortName, hPort);
        }

        @Override
        public WinNT.HRESULT FilterSendMessage(WinNT.HANDLE hPort, Pointer lpInBuffer, int dwInBufferSize,
                Pointer lpOutBuffer, int dwOutBufferSize, IntByReference lpBytesReturned) {
            checkOpen("FilterSendMessage", hPort, PORT);
            sends.incrementAndGet();
            try {
                return onSend.call(lpInBuffer, dwInBufferSize, lpOutBuffer, dwOutBufferSize, lpBytesReturned);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public WinNT.HRESULT FilterGetMessage(WinNT.HANDLE hPort, Pointer lpMessageBuffer, int dwMessageBufferSize,
                WinBase.OVERLAPPED lpOverlapped) {
            checkOpen("FilterGetMessage", hPort, PORT);
            getCalls.incrementAndGet();
            WinNT.HRESULT result = getResult;
            if (result.intValue() == HResult.IO_PENDING || result.intValue() == 0) {
                Get get = new Get(Pointer.nativeValue(lpMessageBuffer), dwMessageBufferSize,
                        Pointer.nativeValue(lpOverlapped.getPointer()), lpOverlapped.getAutoWrite());
                synchronized (FakeKernel.this) {
                    gets.add(get);
                    pending.add(get);
                }
            }
            return result;
        }

        @Override
        public WinNT.HRESULT FilterReplyMessage(WinNT.HANDLE hPort, Pointer lpReplyBuffer, int dwReplyBufferSize) {
            checkOpen("FilterReplyMessage", hPort, PORT);
            replies.incrementAndGet();
            try {
                return onReply.call(lpReplyBuffer, dwReplyBufferSize);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    // ------------------------------------------------------------------ kernel32

    /**
     * A class implementing JNA Platform's Kernel32 whose every method calls the instance's
     * "handler" field. Generated, because Kernel32 has hundreds of methods and a static INSTANCE
     * that loads kernel32.dll when the interface is initialised, which a java.lang.reflect.Proxy
     * does (and which fails off Windows); the generated class never initialises it. The
     * behaviour is the hand-written {@link #kernel32Call}; nothing is recorded.
     */
    private static final Class<? extends Kernel32> KERNEL32_CLASS = new ByteBuddy()
            .subclass(Object.class)
            .implement(Kernel32.class)
            .defineField("handler", InvocationHandler.class, Visibility.PUBLIC)
            .method(ElementMatchers.isAbstract().or(ElementMatchers.isDeclaredBy(Kernel32.class)))
            .intercept(InvocationHandlerAdapter.toField("handler"))
            .make()
            .load(Kernel32.class.getClassLoader(), ClassLoadingStrategy.Default.WRAPPER)
            .getLoaded()
            .asSubclass(Kernel32.class);

    private static Kernel32 kernel32(InvocationHandler handler) {
        try {
            Kernel32 instance = KERNEL32_CLASS.getDeclaredConstructor().newInstance();
            KERNEL32_CLASS.getField("handler").set(instance, handler);
            return instance;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private Object kernel32Call(Method method, Object[] args) throws InterruptedException {
        switch (method.getName()) {
            case "CreateIoCompletionPort":
                checkOpen("CreateIoCompletionPort", (WinNT.HANDLE) args[0], PORT);
                completionPortConcurrency.add((Integer) args[3]);
                if (completionPortResult == null) {
                    lastError.set(completionPortError);
                }
                return completionPortResult;
            case "GetQueuedCompletionStatus":
                return getQueuedCompletionStatus((WinNT.HANDLE) args[0], (IntByReference) args[1],
                        (BaseTSD.ULONG_PTRByReference) args[2], (PointerByReference) args[3], (Integer) args[4]);
            case "PostQueuedCompletionStatus":
                checkOpen("PostQueuedCompletionStatus", (WinNT.HANDLE) args[0], IOCP);
                posts.incrementAndGet();
                queue.add(new Packet(true, (Integer) args[1], (Pointer) args[2], null, 0));
                return true;
            case "CloseHandle":
                return closeHandle((WinNT.HANDLE) args[0]);
            case "GetLastError":
                return lastError.get();
            case "hashCode":
                return System.identityHashCode(this);
            case "equals":
                return args[0] == kernel32;
            case "toString":
                return "FakeKernel.kernel32";
            default:
                throw new UnsupportedOperationException("the fake kernel32 has no " + method.getName());
        }
    }

    private boolean getQueuedCompletionStatus(WinNT.HANDLE handle, IntByReference bytes,
            BaseTSD.ULONG_PTRByReference key, PointerByReference overlapped, int timeout) throws InterruptedException {
        completionTimeouts.add(timeout);
        if (!checkOpen("GetQueuedCompletionStatus", handle, IOCP)) {
            overlapped.setValue(null);
            lastError.set(WinError.ERROR_INVALID_HANDLE);
            return false;
        }
        Packet packet;
        synchronized (this) {
            waiting++;
            notifyAll();
        }
        try {
            packet = timeout == WinBase.INFINITE ? queue.take() : queue.poll(timeout, TimeUnit.MILLISECONDS);
        } finally {
            synchronized (this) {
                waiting--;
                notifyAll();
            }
        }
        if (packet != null && packet.gate() != null) {
            gateReached.countDown();
            packet.gate().await(10, TimeUnit.SECONDS);
        }
        if (packet == null) {
            overlapped.setValue(null);
            lastError.set(WinError.WAIT_TIMEOUT);
            return false;
        }
        bytes.setValue(packet.bytes());
        key.setValue(new BaseTSD.ULONG_PTR(packet.key() == null ? 0 : Pointer.nativeValue(packet.key())));
        overlapped.setValue(packet.overlapped());
        lastError.set(packet.error());
        return packet.ok();
    }

    private boolean closeHandle(WinNT.HANDLE handle) {
        int count = closes.computeIfAbsent(handle, h -> new AtomicInteger()).incrementAndGet();
        if (count > 1) {
            violations.add("CloseHandle(" + handle + ") called " + count + " times");
        }
        if (handle.equals(IOCP)) {
            // As Windows does: threads waiting on a completion port that is closed return at once.
            synchronized (this) {
                for (int i = 0; i < waiting; i++) {
                    queue.addFirst(ABANDONED);
                }
            }
        }
        return true;
    }

    private boolean cancelIoEx(WinNT.HANDLE handle, WinBase.OVERLAPPED overlapped) {
        checkOpen("CancelIoEx", handle, PORT);
        cancels.incrementAndGet();
        cancelled.countDown();
        if (overlapped != null) {
            violations.add("CancelIoEx with an OVERLAPPED: the port cancels all of its I/O at once");
        }
        onCancel.run();
        if (!cancelCompletesPending) {
            return true;
        }
        synchronized (this) {
            if (pending.isEmpty()) {
                lastError.set(WinError.ERROR_NOT_FOUND);
                return false;
            }
            for (Get get : pending) {
                queue.add(new Packet(false, 0, FltLibFilterPort.PORT_KEY, get.overlappedPointer(),
                        WinError.ERROR_OPERATION_ABORTED));
            }
            pending.clear();
        }
        return true;
    }

    /** Records a violation when {@code handle} is not {@code expected} or is closed already. */
    private boolean checkOpen(String call, WinNT.HANDLE handle, WinNT.HANDLE expected) {
        if (handle == null || !handle.equals(expected)) {
            violations.add(call + " with handle " + handle + ", expected " + expected);
            return false;
        }
        if (closesOf(handle) > 0) {
            violations.add(call + " on " + (handle.equals(PORT) ? "the port" : "the completion port")
                    + " handle after CloseHandle");
            return false;
        }
        return true;
    }

    // ------------------------------------------------------------------ for tests

    synchronized int pendingCount() {
        return pending.size();
    }

    synchronized List<Get> gets() {
        return List.copyOf(gets);
    }

    int closesOf(WinNT.HANDLE handle) {
        AtomicInteger count = closes.get(handle);
        return count == null ? 0 : count.get();
    }

    /** Waits until {@code threads} threads wait in GetQueuedCompletionStatus at once. */
    synchronized void awaitWaiting(int threads) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (waiting < threads) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError(waiting + " thread(s) wait in GetQueuedCompletionStatus, expected "
                        + threads);
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }

    /**
     * A message body of {@code size} bytes whose JMF_NOTIFICATION_HEADER says so (Type ASK,
     * Length {@code size}), the rest filled with a pattern so a copy that is off shows.
     */
    static byte[] message(int size) {
        byte[] body = new byte[size];
        for (int i = 8; i < size; i++) {
            body[i] = (byte) (i * 31 + 7);
        }
        java.nio.ByteBuffer.wrap(body).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(0, 1).putInt(4, size);
        return body;
    }

    /** Completes the oldest pending receive with a message, counting the 16-byte header, as the filter manager would. */
    Get deliver(long messageId, int replyLength, byte[] body) {
        return deliver(messageId, replyLength, body, null);
    }

    /** As {@link #deliver}, but whoever dequeues the message holds it until {@code gate} opens. */
    Get deliver(long messageId, int replyLength, byte[] body, CountDownLatch gate) {
        return deliver(messageId, replyLength, body, 16 + body.length, gate);
    }

    /** Completes the oldest pending receive with {@code body} and a byte count of {@code bytes}. */
    Get deliver(long messageId, int replyLength, byte[] body, int bytes, CountDownLatch gate) {
        Get get = takePending();
        Pointer buffer = get.bufferPointer();
        buffer.setInt(0, replyLength);
        buffer.setInt(4, 0);
        buffer.setLong(8, messageId);
        buffer.write(16, body, 0, body.length);
        queue.add(new Packet(true, bytes, FltLibFilterPort.PORT_KEY, get.overlappedPointer(), 0, gate));
        return get;
    }

    /** Completes the oldest pending receive with the given outcome and byte count, writing nothing. */
    Get complete(boolean ok, int bytes, int error) {
        Get get = takePending();
        queue.add(new Packet(ok, bytes, FltLibFilterPort.PORT_KEY, get.overlappedPointer(), error));
        return get;
    }

    private synchronized Get takePending() {
        Get get = pending.poll();
        if (get == null) {
            throw new IllegalStateException("no FilterGetMessage is pending");
        }
        return get;
    }
}
