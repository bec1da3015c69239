package org.jminifilter.port.fltlib;

import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;
import static org.mockito.Mockito.withSettings;

import com.sun.jna.Pointer;
import com.sun.jna.platform.win32.BaseTSD;
import com.sun.jna.platform.win32.Kernel32;
import com.sun.jna.platform.win32.WinBase;
import com.sun.jna.platform.win32.WinError;
import com.sun.jna.platform.win32.WinNT;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jminifilter.port.HResult;
import org.mockito.MockMakers;

/**
 * Mockito mocks of fltlib and kernel32 that behave like the real pair closely enough to drive
 * FltLibFilterPort: FilterGetMessage calls stay pending until the test delivers a message (written
 * into the real JNA Memory the port passed) or cancels them; GetQueuedCompletionStatus blocks on a
 * packet queue; CancelIoEx turns pending receives into ERROR_OPERATION_ABORTED packets;
 * GetLastError is per thread. FilterSendMessage and FilterReplyMessage are left to each test.
 */
final class FakeKernel {

    static final WinNT.HANDLE PORT = new WinNT.HANDLE(Pointer.createConstant(0x1000));
    static final WinNT.HANDLE IOCP = new WinNT.HANDLE(Pointer.createConstant(0x2000));
    static final WinNT.HRESULT S_OK = new WinNT.HRESULT(0);
    static final WinNT.HRESULT IO_PENDING = new WinNT.HRESULT(HResult.IO_PENDING);

    /** One FilterGetMessage call as the port made it. */
    record Get(Pointer buffer, int size, WinBase.OVERLAPPED overlapped) {
        Pointer overlappedPointer() {
            return overlapped.getPointer();
        }
    }

    /** A completion packet; when {@code gate} is set, the thread that dequeues it waits for it first. */
    record Packet(boolean ok, int bytes, Pointer key, Pointer overlapped, int error, CountDownLatch gate) {
        Packet(boolean ok, int bytes, Pointer key, Pointer overlapped, int error) {
            this(ok, bytes, key, overlapped, error, null);
        }
    }

    // The subclass mock maker: the inline one retransforms Kernel32's large interface hierarchy,
    // which the JVM sometimes refuses ("class redefinition failed"), and interfaces need no inlining.
    final FltLib fltLib = mock(FltLib.class, withSettings().mockMaker(MockMakers.SUBCLASS));
    final Kernel32 kernel32 = mock(Kernel32.class, withSettings().mockMaker(MockMakers.SUBCLASS));
    final Kernel32CancelIo cancelIo = mock(Kernel32CancelIo.class, withSettings().mockMaker(MockMakers.SUBCLASS));

    final List<Get> gets = new ArrayList<>();
    private final Deque<Get> pending = new ArrayDeque<>();
    final LinkedBlockingDeque<Packet> queue = new LinkedBlockingDeque<>();
    private final ThreadLocal<Integer> lastError = ThreadLocal.withInitial(() -> 0);
    final Map<WinNT.HANDLE, AtomicInteger> closes = new ConcurrentHashMap<>();
    final AtomicInteger cancels = new AtomicInteger();
    /** Opens when CancelIoEx is first called. */
    final CountDownLatch cancelled = new CountDownLatch(1);
    final AtomicInteger posts = new AtomicInteger();
    final List<Integer> completionTimeouts = new ArrayList<>();
    /** What FilterGetMessage returns from now on. */
    volatile WinNT.HRESULT getResult = IO_PENDING;
    /** Whether CancelIoEx completes the pending receives (false: they never complete). */
    volatile boolean cancelCompletesPending = true;

    FakeKernel() {
        when(fltLib.FilterConnectCommunicationPort(any(), anyInt(), any(), any(), any(), any()))
                .thenAnswer(inv -> {
                    WinNT.HANDLEByReference handle = inv.getArgument(5);
                    handle.setValue(PORT);
                    return S_OK;
                });
        when(kernel32.CreateIoCompletionPort(eq(PORT), any(), any(), anyInt())).thenReturn(IOCP);
        when(fltLib.FilterGetMessage(any(), any(), anyInt(), any())).thenAnswer(inv -> {
            WinNT.HRESULT result = getResult;
            if (result.intValue() == HResult.IO_PENDING || result.intValue() == 0) {
                Get get = new Get(inv.getArgument(1), inv.getArgument(2), inv.getArgument(3));
                synchronized (this) {
                    gets.add(get);
                    pending.add(get);
                }
            }
            return result;
        });
        when(kernel32.GetQueuedCompletionStatus(any(), any(), any(), any(), anyInt())).thenAnswer(inv -> {
            int timeout = inv.getArgument(4);
            synchronized (this) {
                completionTimeouts.add(timeout);
            }
            Packet packet = timeout == WinBase.INFINITE ? queue.take() : queue.poll(timeout, TimeUnit.MILLISECONDS);
            IntByReference bytes = inv.getArgument(1);
            BaseTSD.ULONG_PTRByReference key = inv.getArgument(2);
            PointerByReference overlapped = inv.getArgument(3);
            if (packet != null && packet.gate() != null) {
                packet.gate().await(10, TimeUnit.SECONDS);
            }
            if (packet == null) {
                overlapped.setValue(null);
                lastError.set(WinError.WAIT_TIMEOUT);
                return false;
            }
            bytes.setValue(packet.bytes());
            key.setValue(new BaseTSD.ULONG_PTR(Pointer.nativeValue(packet.key())));
            overlapped.setValue(packet.overlapped());
            lastError.set(packet.error());
            return packet.ok();
        });
        when(kernel32.GetLastError()).thenAnswer(inv -> lastError.get());
        when(kernel32.PostQueuedCompletionStatus(any(), anyInt(), any(), any())).thenAnswer(inv -> {
            posts.incrementAndGet();
            queue.add(new Packet(true, inv.getArgument(1), inv.getArgument(2), null, 0));
            return true;
        });
        when(kernel32.CloseHandle(any())).thenAnswer(inv -> {
            closes.computeIfAbsent(inv.getArgument(0), h -> new AtomicInteger()).incrementAndGet();
            return true;
        });
        when(cancelIo.CancelIoEx(any(), any())).thenAnswer(inv -> {
            cancels.incrementAndGet();
            cancelled.countDown();
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
        });
    }

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

    /** Completes the oldest pending receive with a message, as the filter manager would. */
    Get deliver(long messageId, int replyLength, byte[] body) {
        return deliver(messageId, replyLength, body, null);
    }

    /** As {@link #deliver}, but whoever dequeues the message holds it until {@code gate} opens. */
    Get deliver(long messageId, int replyLength, byte[] body, CountDownLatch gate) {
        Get get;
        synchronized (this) {
            get = pending.poll();
        }
        if (get == null) {
            throw new IllegalStateException("no FilterGetMessage is pending");
        }
        get.buffer().setInt(0, replyLength);
        get.buffer().setInt(4, 0);
        get.buffer().setLong(8, messageId);
        get.buffer().write(16, body, 0, body.length);
        queue.add(new Packet(true, 16 + body.length, FltLibFilterPort.PORT_KEY, get.overlappedPointer(), 0, gate));
        return get;
    }

    /** Completes the oldest pending receive with a failure and the given byte count. */
    Get complete(boolean ok, int bytes, int error) {
        Get get;
        synchronized (this) {
            get = pending.poll();
        }
        queue.add(new Packet(ok, bytes, FltLibFilterPort.PORT_KEY, get.overlappedPointer(), error));
        return get;
    }
}
