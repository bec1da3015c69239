package org.jminifilter.port.fltlib;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.Pointer;
import com.sun.jna.Memory;
import com.sun.jna.platform.win32.WinError;
import com.sun.jna.platform.win32.WinNT;
import com.sun.jna.ptr.IntByReference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jminifilter.port.FilterPortException;
import org.jminifilter.port.HResult;
import org.jminifilter.port.InsufficientBufferException;
import org.jminifilter.port.InvalidPortHandleException;
import org.jminifilter.port.NoWaiterForReplyException;
import org.jminifilter.port.Notification;
import org.jminifilter.port.PortBrokenException;
import org.jminifilter.port.PortClosedException;
import org.jminifilter.port.PortNotFoundException;
import org.jminifilter.port.ReplyCapacity;
import org.jminifilter.protocol.Protocol;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** FltLibFilterPort against {@link FakeKernel}, a hand-written fake of fltlib and kernel32. */
class FltLibFilterPortTest {

    private static final int ASK_SIZE = Protocol.ASK_SIZE;
    private static final String PORT_NAME = Protocol.PORT_NAME;
    private static final byte[] CONTEXT = {0x4A, 0x4D, 0x46, 0x43, 1, 0, 0, 0};

    private final FakeKernel kernel = new FakeKernel();
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private FltLibFilterPort port;

    @AfterEach
    void tearDown() {
        if (port != null) {
            port.close();
        }
        threads.shutdownNow();
        assertEquals(List.of(), kernel.violations, "calls on closed or unknown handles");
    }

    private static byte[] ask() {
        return FakeKernel.message(ASK_SIZE);
    }

    private FltLibFilterPort connect(FltLibFilterPort.Settings settings) {
        port = FltLibFilterPort.connect(kernel.fltLib, kernel.kernel32, kernel.cancelIo, PORT_NAME,
                ByteBuffer.wrap(CONTEXT), settings);
        return port;
    }

    private FltLibFilterPort connect() {
        return connect(FltLibFilterPort.Settings.forBodySize(ASK_SIZE));
    }

    private static FltLibFilterPort.Settings settings(int receivers, int maxReply, Duration closeTimeout) {
        return new FltLibFilterPort.Settings(ASK_SIZE, receivers, maxReply, closeTimeout);
    }

    // ------------------------------------------------------------------ connect

    @Test
    void connectPassesPortNameAndTheEightByteContextWithItsSize() {
        connect();

        assertEquals(1, kernel.connects.size());
        FakeKernel.Connect call = kernel.connects.get(0);
        assertEquals(PORT_NAME, call.name());
        assertEquals(0, call.options());
        assertEquals(8, call.contextSize());
        assertArrayEquals(CONTEXT, call.context());
        assertFalse(call.security(), "no SECURITY_ATTRIBUTES");
    }

    @Test
    void theCompletionPortLetsAsManyThreadsRunAsThereAreProcessors() {
        connect(settings(2, 1 << 20, Duration.ofSeconds(1)));

        // 0 = one per processor; receivers + 2 would cap CPU-bound ask handlers.
        assertEquals(List.of(0), kernel.completionPortConcurrency);
    }

    @Test
    void connectIssuesEveryReceiveWithAHeaderPlusAskBufferAndItsOwnOverlapped() {
        connect(settings(3, 1 << 20, Duration.ofSeconds(1)));

        List<FakeKernel.Get> gets = kernel.gets();
        assertEquals(3, gets.size());
        Set<Long> overlappeds = new HashSet<>();
        for (FakeKernel.Get get : gets) {
            assertEquals(16 + 1728, get.size(), "FILTER_MESSAGE_HEADER + JMF_ASK");
            assertEquals(Protocol.NOTIFICATION_BUFFER_SIZE, get.size());
            assertEquals(0, get.buffer() % 8, "8-byte aligned buffer");
            assertFalse(get.overlappedAutoWrite(), "JNA must not write over a pending OVERLAPPED");
            overlappeds.add(get.overlapped());
        }
        assertEquals(3, overlappeds.size(), "one OVERLAPPED per outstanding receive");
    }

    @ParameterizedTest
    @ValueSource(ints = {HResult.PORT_NOT_FOUND, HResult.ACCESS_DENIED, HResult.CONNECTION_LIMIT,
        HResult.REVISION_MISMATCH, HResult.INVALID_PARAMETER})
    void everyConnectFailureBecomesItsTypedException(int hresult) {
        kernel.onConnect = (name, handle) -> new WinNT.HRESULT(hresult);

        FilterPortException e = assertThrows(FilterPortException.class, this::connect);

        assertSame(FilterPortException.forHresult("x", hresult).getClass(), e.getClass());
        assertEquals(hresult, e.hresult());
        assertEquals(List.of(), kernel.gets());
    }

    @Test
    void connectFailureIsMappedAndOpensNothing() {
        kernel.onConnect = (name, handle) -> new WinNT.HRESULT(HResult.PORT_NOT_FOUND);

        PortNotFoundException e = assertThrows(PortNotFoundException.class, this::connect);

        assertEquals(HResult.PORT_NOT_FOUND, e.hresult());
        assertTrue(e.getMessage().contains("fltmc load jminifilter"), e.getMessage());
        assertTrue(e.getMessage().contains(PORT_NAME), e.getMessage());
        assertEquals(List.of(), kernel.completionPortConcurrency, "no completion port created");
        assertEquals(0, kernel.closesOf(FakeKernel.PORT));
    }

    @Test
    void completionPortFailureClosesThePortHandleOnce() {
        kernel.completionPortResult = null;
        kernel.completionPortError = WinError.ERROR_ACCESS_DENIED;

        FilterPortException e = assertThrows(FilterPortException.class, this::connect);

        assertEquals(HResult.ACCESS_DENIED, e.hresult());
        assertEquals(1, kernel.closesOf(FakeKernel.PORT));
        assertEquals(List.of(), kernel.gets());
    }

    @Test
    void connectFailsWhenNoReceiveCanBeIssuedAndClosesTheHandles() {
        kernel.getResult = new WinNT.HRESULT(HResult.INVALID_HANDLE);

        InvalidPortHandleException e = assertThrows(InvalidPortHandleException.class, this::connect);

        assertTrue(e.getMessage().startsWith("FilterGetMessage failed"), e.getMessage());
        assertEquals(1, kernel.closesOf(FakeKernel.PORT));
        assertEquals(1, kernel.closesOf(FakeKernel.IOCP));
    }

    @Test
    void contextLargerThanAWordIsRefusedBeforeCallingFltlib() {
        ByteBuffer huge = ByteBuffer.allocate(0x10000);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FltLibFilterPort.connect(
                kernel.fltLib, kernel.kernel32, kernel.cancelIo, PORT_NAME, huge,
                FltLibFilterPort.Settings.forBodySize(ASK_SIZE)));
        assertTrue(e.getMessage().contains("65536 bytes"), e.getMessage());
        assertEquals(List.of(), kernel.connects);
    }

    // ------------------------------------------------------------------ send

    @Test
    void sendPassesTheExactCommandAndCapacityAndReturnsTheBytesWritten() {
        byte[] command = {3, 0, 0, 0, 32, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19,
            20, 21, 22, 23, 24};
        byte[] result = {0, 0, 0, 0, 0, 0, 0, 0, -1, -1, -1, -1, 7, 0, 0, 0};
        AtomicReference<byte[]> seen = new AtomicReference<>();
        List<Integer> sizes = new ArrayList<>();
        kernel.onSend = (in, inSize, out, outSize, returned) -> {
            seen.set(in.getByteArray(0, inSize));
            sizes.add(inSize);
            sizes.add(outSize);
            out.write(0, result, 0, result.length);
            returned.setValue(result.length);
            return FakeKernel.S_OK;
        };
        connect();
        ByteBuffer buffer = ByteBuffer.allocate(40);
        buffer.position(4);
        buffer.put(command).flip().position(4);

        ByteBuffer reply = port.send(buffer, 16);

        assertEquals(List.of(32, 16), sizes);
        assertArrayEquals(command, seen.get());
        assertEquals(4, buffer.position(), "the command buffer is not consumed");
        assertEquals(ByteOrder.LITTLE_ENDIAN, reply.order());
        assertEquals(16, reply.remaining());
        assertEquals(7, reply.getInt(12));
    }

    @Test
    void sendGrowsItsBufferOnInsufficientBufferAndMoreDataThenSucceeds() {
        List<Integer> capacities = new ArrayList<>();
        kernel.onSend = (in, inSize, out, capacity, returned) -> {
            capacities.add(capacity);
            if (capacities.size() == 1) {
                return new WinNT.HRESULT(HResult.INSUFFICIENT_BUFFER);
            }
            if (capacities.size() == 2) {
                return new WinNT.HRESULT(HResult.MORE_DATA);
            }
            returned.setValue(5000);
            return FakeKernel.S_OK;
        };
        connect();

        ByteBuffer reply = port.send(ByteBuffer.wrap(new byte[8]), 176);

        assertEquals(List.of(176, 4096, 8192), capacities);
        assertEquals(5000, reply.remaining());
    }

    @Test
    void sendGivesUpAtTheConfiguredBound() {
        List<Integer> capacities = new ArrayList<>();
        kernel.onSend = (in, inSize, out, capacity, returned) -> {
            capacities.add(capacity);
            return new WinNT.HRESULT(HResult.INSUFFICIENT_BUFFER);
        };
        connect(settings(1, 10_000, Duration.ofSeconds(1)));

        InsufficientBufferException e = assertThrows(InsufficientBufferException.class,
                () -> port.send(ByteBuffer.wrap(new byte[8]), 100));

        assertEquals(List.of(100, 4096, 8192, 10_000), capacities);
        assertEquals(10_000, e.capacityTried());
        assertEquals(HResult.INSUFFICIENT_BUFFER, e.hresult());
    }

    @Test
    void sendGrowsAtMostTo64MiBByDefault() {
        List<Integer> capacities = new ArrayList<>();
        kernel.onSend = (in, inSize, out, capacity, returned) -> {
            capacities.add(capacity);
            return new WinNT.HRESULT(HResult.MORE_DATA);
        };
        connect();

        InsufficientBufferException e = assertThrows(InsufficientBufferException.class,
                () -> port.send(ByteBuffer.wrap(new byte[8]), 1 << 20));

        assertEquals(List.of(1 << 20, 2 << 20, 4 << 20, 8 << 20, 16 << 20, 32 << 20, 64 << 20), capacities);
        assertEquals(64 << 20, e.capacityTried());
    }

    @Test
    void growDoublesFromFourKibAndClampsToTheBound() {
        assertEquals(4096, ReplyCapacity.grow(0, 1 << 26));
        assertEquals(4096, ReplyCapacity.grow(16, 1 << 26));
        assertEquals(16384, ReplyCapacity.grow(8192, 1 << 26));
        assertEquals(1 << 26, ReplyCapacity.grow((1 << 26) - 1, 1 << 26));
        assertEquals(Integer.MAX_VALUE, ReplyCapacity.grow(Integer.MAX_VALUE - 1, Integer.MAX_VALUE));
    }

    @Test
    void sendMapsOtherFailuresWithoutRetrying() {
        kernel.onSend = (in, inSize, out, capacity, returned) -> new WinNT.HRESULT(HResult.INVALID_HANDLE);
        connect();

        assertThrows(InvalidPortHandleException.class, () -> port.send(ByteBuffer.wrap(new byte[8]), 16));

        assertEquals(1, kernel.sends.get());
    }

    @Test
    void sendRejectsAByteCountLargerThanTheBuffer() {
        kernel.onSend = (in, inSize, out, capacity, returned) -> {
            returned.setValue(17);
            return FakeKernel.S_OK;
        };
        connect();

        FilterPortException e = assertThrows(FilterPortException.class,
                () -> port.send(ByteBuffer.wrap(new byte[8]), 16));
        assertTrue(e.getMessage().contains("17 bytes returned for a 16-byte buffer"), e.getMessage());
    }

    // ------------------------------------------------------------------ reply

    @Test
    void replyPassesHeaderPlusBodyWithMessageIdAtOffsetEight() {
        byte[] verdict = new byte[40];
        for (int i = 0; i < verdict.length; i++) {
            verdict[i] = (byte) (i + 1);
        }
        AtomicReference<byte[]> written = new AtomicReference<>();
        AtomicReference<Long> address = new AtomicReference<>();
        kernel.onReply = (buffer, size) -> {
            written.set(buffer.getByteArray(0, size));
            address.set(Pointer.nativeValue(buffer));
            return FakeKernel.S_OK;
        };
        connect();

        port.reply(0x1122334455667788L, ByteBuffer.wrap(verdict));

        assertEquals(16 + 40, written.get().length, "FILTER_REPLY_HEADER + JMF_ASK_REPLY, header included");
        assertEquals(Protocol.REPLY_BUFFER_SIZE, written.get().length);
        assertEquals(0, address.get() % 8, "8-byte aligned reply buffer");
        ByteBuffer reply = ByteBuffer.wrap(written.get()).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0, reply.getInt(0), "Status");
        assertEquals(0, reply.getInt(4), "padding");
        assertEquals(0x1122334455667788L, reply.getLong(8), "MessageId");
        byte[] body = new byte[40];
        reply.position(16).get(body);
        assertArrayEquals(verdict, body);
    }

    @Test
    void aLateReplyIsNoWaiterForReply() {
        kernel.onReply = (buffer, size) -> new WinNT.HRESULT(HResult.NO_WAITER_FOR_REPLY);
        connect();

        NoWaiterForReplyException e = assertThrows(NoWaiterForReplyException.class,
                () -> port.reply(42, ByteBuffer.wrap(new byte[40])));
        assertTrue(e.getMessage().contains("message 42"), e.getMessage());
    }

    // ------------------------------------------------------------------ receive

    @Test
    void receiveReturnsTheMessageAndReissuesThatSlot() {
        connect(settings(2, 1 << 20, Duration.ofSeconds(1)));
        byte[] ask = ask();
        FakeKernel.Get delivered = kernel.deliver(77, 56, ask);

        Notification notification = port.receive();

        assertEquals(77, notification.messageId());
        assertEquals(56, notification.replyLength());
        assertArrayEquals(ask, notification.bodyBytes());
        List<FakeKernel.Get> gets = kernel.gets();
        assertEquals(3, gets.size(), "two initial receives and one re-issue");
        assertEquals(delivered.overlapped(), gets.get(2).overlapped(), "the completed slot is reused");
        assertEquals(2, kernel.pendingCount());
    }

    /** Whether the completion's byte count includes FILTER_MESSAGE_HEADER is not documented: both work. */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void theBodyLengthComesFromTheNotificationHeaderWhicheverWayTheByteCountIsReported(boolean countsHeader) {
        connect(settings(1, 1 << 20, Duration.ofSeconds(1)));
        byte[] shortMessage = FakeKernel.message(100); // shorter than the buffer: the count matters
        kernel.deliver(3, 56, shortMessage, (countsHeader ? 16 : 0) + 100, null);

        Notification notification = port.receive();

        assertArrayEquals(shortMessage, notification.bodyBytes());
        assertEquals(3, notification.messageId());
    }

    @Test
    void aNotificationLengthBeyondTheBufferIsRefusedNamingTheFieldAndTheSlotReissued() {
        connect(settings(1, 1 << 20, Duration.ofSeconds(1)));
        byte[] lying = FakeKernel.message(ASK_SIZE);
        ByteBuffer.wrap(lying).order(ByteOrder.LITTLE_ENDIAN).putInt(4, ASK_SIZE + 1);
        kernel.deliver(4, 56, lying, 16 + ASK_SIZE, null);

        FilterPortException e = assertThrows(FilterPortException.class, () -> port.receive());

        assertTrue(e.getMessage().contains("JMF_NOTIFICATION_HEADER.Length is " + (ASK_SIZE + 1)), e.getMessage());
        assertTrue(e.getMessage().contains("fit the " + ASK_SIZE + " bytes"), e.getMessage());
        assertEquals(1, kernel.pendingCount(), "the slot is re-issued");
        assertTrue(port.isOpen());
    }

    @Test
    void aByteCountThatMatchesNeitherReadingOfLengthIsRefused() {
        connect(settings(1, 1 << 20, Duration.ofSeconds(1)));
        kernel.deliver(5, 56, FakeKernel.message(100), 16 + 99, null);

        FilterPortException e = assertThrows(FilterPortException.class, () -> port.receive());

        assertTrue(e.getMessage().contains("completed with 115 bytes but JMF_NOTIFICATION_HEADER.Length is 100"),
                e.getMessage());
        assertTrue(e.getMessage().contains("expected 100 (the message) or 116"), e.getMessage());
    }

    @Test
    void aHeaderOnlyCompletionCannotReuseThePreviousMessagesLength() {
        connect(settings(1, 1 << 20, Duration.ofSeconds(1)));
        kernel.deliver(6, 56, FakeKernel.message(16), 32, null);
        assertEquals(6, port.receive().messageId());
        // The same buffer completes again with FILTER_MESSAGE_HEADER only: the 16 in Length is stale.
        kernel.complete(true, 16, 0);

        FilterPortException e = assertThrows(FilterPortException.class, () -> port.receive());

        assertTrue(e.getMessage().contains("JMF_NOTIFICATION_HEADER.Length is 0"), e.getMessage());
    }

    @Test
    void receiveWithATimeoutReturnsEmptyWhenNothingArrives() {
        connect();

        Optional<Notification> nothing = port.receive(Duration.ofMillis(30));

        assertTrue(nothing.isEmpty());
        assertTrue(kernel.completionTimeouts.get(0) > 0 && kernel.completionTimeouts.get(0) <= 30,
                "waited " + kernel.completionTimeouts);
        assertEquals(FltLibFilterPort.Settings.DEFAULT_RECEIVERS, kernel.pendingCount(), "nothing consumed");
    }

    @Test
    void receiveWithATimeoutReturnsAMessageThatArrivesInTime() throws Exception {
        connect();
        Future<Optional<Notification>> waiting = threads.submit(() -> port.receive(Duration.ofSeconds(30)));
        kernel.awaitWaiting(1);

        kernel.deliver(5, 56, ask());

        assertEquals(5, waiting.get(10, TimeUnit.SECONDS).orElseThrow().messageId());
    }

    @Test
    void severalThreadsReceiveAtOnceAndEachGetsItsOwnMessage() throws Exception {
        connect(settings(4, 1 << 20, Duration.ofSeconds(1)));
        List<Future<Notification>> receivers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            receivers.add(threads.submit(() -> port.receive()));
        }
        for (int i = 1; i <= 4; i++) {
            kernel.deliver(i, 56, ask());
        }
        Set<Long> ids = new HashSet<>();
        for (Future<Notification> receiver : receivers) {
            ids.add(receiver.get(10, TimeUnit.SECONDS).messageId());
        }
        assertEquals(Set.of(1L, 2L, 3L, 4L), ids);
        assertEquals(4, kernel.pendingCount(), "every slot re-issued");
    }

    @Test
    void aFailedReceiveIsMappedAndItsSlotReissued() {
        connect(settings(1, 1 << 20, Duration.ofSeconds(1)));
        kernel.complete(false, 0, WinError.ERROR_INVALID_HANDLE);

        assertThrows(InvalidPortHandleException.class, () -> port.receive());

        assertEquals(2, kernel.gets().size());
        assertEquals(1, kernel.pendingCount());
    }

    @Test
    void aCompletionShorterThanTheNotificationHeaderIsRejectedAndTheSlotReissued() {
        connect(settings(1, 1 << 20, Duration.ofSeconds(1)));
        kernel.complete(true, 15, 0);

        FilterPortException e = assertThrows(FilterPortException.class, () -> port.receive());

        assertTrue(e.getMessage().contains("completion of 15 bytes"), e.getMessage());
        assertEquals(1, kernel.pendingCount());
    }

    // ------------------------------------------------------------------ a port that cannot receive any more

    @Test
    void onceNoSlotCanBeReissuedThePortIsBrokenNotOpenAndEveryReceiveSaysSoAtOnce() {
        connect(settings(1, 1 << 20, Duration.ofSeconds(1)));
        kernel.getResult = new WinNT.HRESULT(HResult.INVALID_PARAMETER);
        kernel.deliver(1, 56, ask());

        assertEquals(1, port.receive().messageId(), "the message that did arrive is delivered");
        int calls = kernel.getCalls.get();

        assertFalse(port.isOpen(), "a port that can never receive again is not open");
        for (int i = 0; i < 2; i++) {
            PortBrokenException e = assertThrows(PortBrokenException.class, () -> port.receive(Duration.ofSeconds(30)));
            assertInstanceOf(InvalidPortHandleException.class, e, "callers treat it as a lost connection");
            assertEquals(HResult.INVALID_PARAMETER, e.hresult());
            assertEquals(HResult.INVALID_PARAMETER, ((FilterPortException) e.getCause()).hresult());
        }
        assertEquals(2, calls, "the first receive and its failed re-issue");
        assertEquals(calls, kernel.getCalls.get(), "no FilterGetMessage is tried again once broken");
        port.reply(1, ByteBuffer.wrap(new byte[40])); // a message received before still gets its answer
        assertEquals(1, kernel.replies.get());
    }

    @Test
    void aSlotThatFailedIsIssuedAgainWhenAnotherCompletesAndThePortStaysOpen() {
        connect(settings(2, 1 << 20, Duration.ofSeconds(1)));
        kernel.getResult = new WinNT.HRESULT(HResult.INVALID_PARAMETER); // a transient failure
        kernel.deliver(1, 56, ask());
        assertEquals(1, port.receive().messageId());
        assertEquals(1, kernel.pendingCount(), "one slot failed to re-issue");
        assertTrue(port.isOpen(), "one slot still works");

        kernel.getResult = FakeKernel.IO_PENDING;
        kernel.deliver(2, 56, ask());
        assertEquals(2, port.receive().messageId());

        assertEquals(2, kernel.pendingCount(), "the failed slot was issued again");
        assertTrue(port.isOpen());
    }

    @Test
    void aReceiverWaitingWhenTheLastSlotFailsIsWokenWithTheFailure() throws Exception {
        connect(settings(1, 1 << 20, Duration.ofSeconds(1)));
        List<Future<Object>> receivers = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            receivers.add(threads.submit(() -> {
                try {
                    return port.receive();
                } catch (Throwable t) {
                    return t;
                }
            }));
        }
        kernel.awaitWaiting(2);
        kernel.getResult = new WinNT.HRESULT(HResult.INVALID_HANDLE);

        kernel.deliver(1, 56, ask());

        // One receiver gets the message; the other learns that no more can come instead of waiting forever.
        List<Object> outcomes = new ArrayList<>();
        for (Future<Object> receiver : receivers) {
            outcomes.add(receiver.get(10, TimeUnit.SECONDS));
        }
        assertEquals(1, outcomes.stream().filter(Notification.class::isInstance).count(), outcomes.toString());
        assertEquals(1, outcomes.stream().filter(PortBrokenException.class::isInstance).count(),
                outcomes.toString());
        assertTrue(kernel.posts.get() >= 1, "a wake packet was posted");
    }

    // ------------------------------------------------------------------ close

    @Test
    void closeCancelsReleasesWaitingReceiversAndClosesEachHandleOnce() throws Exception {
        connect(settings(2, 1 << 20, Duration.ofSeconds(5)));
        List<Future<Throwable>> receivers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            receivers.add(threads.submit(() -> {
                try {
                    port.receive();
                    return null;
                } catch (Throwable t) {
                    return t;
                }
            }));
        }
        kernel.awaitWaiting(3);

        port.close();

        for (Future<Throwable> receiver : receivers) {
            assertInstanceOf(PortClosedException.class, receiver.get(10, TimeUnit.SECONDS));
        }
        assertEquals(1, kernel.cancels.get());
        assertEquals(1, kernel.closesOf(FakeKernel.PORT));
        assertEquals(1, kernel.closesOf(FakeKernel.IOCP));
        assertEquals(2, kernel.gets().size(), "no receive is issued once closing");
        assertFalse(port.isOpen());
    }

    @Test
    void aMessageDequeuedWhileClosingIsDeliveredButItsSlotIsNotReissued() throws Exception {
        connect(settings(2, 1 << 20, Duration.ofSeconds(5)));
        // The receiver takes this message, then is held until close has set "closed" and cancelled.
        kernel.deliver(9, 56, ask(), kernel.cancelled);
        Future<Notification> receiver = threads.submit(() -> port.receive());
        assertTrue(kernel.gateReached.await(10, TimeUnit.SECONDS));

        port.close();

        assertEquals(9, receiver.get(10, TimeUnit.SECONDS).messageId());
        assertEquals(2, kernel.gets().size(), "no FilterGetMessage once closed: nothing would cancel it");
        assertEquals(1, kernel.closesOf(FakeKernel.PORT));
        assertEquals(1, kernel.closesOf(FakeKernel.IOCP));
    }

    /**
     * A sender leaving while close is between "closed = true" and its drain of the completion port
     * must not close the handles under it: close counts itself in before it marks the port closed.
     * The fake's CancelIoEx (which close calls right after marking it closed) lets the sender leave
     * and waits until it has; any later call on a closed handle is a violation.
     */
    @Test
    void aCallerLeavingDuringCloseDoesNotCloseTheHandlesCloseIsStillDraining() throws Exception {
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        kernel.onSend = (in, inSize, out, capacity, returned) -> {
            inside.countDown();
            release.await(10, TimeUnit.SECONDS);
            return FakeKernel.S_OK;
        };
        connect(settings(1, 1 << 20, Duration.ofSeconds(2)));
        Future<ByteBuffer> sender = threads.submit(() -> port.send(ByteBuffer.wrap(new byte[8]), 16));
        assertTrue(inside.await(10, TimeUnit.SECONDS));
        kernel.onCancel = () -> {
            release.countDown();
            try {
                sender.get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
            assertEquals(0, kernel.closesOf(FakeKernel.IOCP), "the sender closed the handles while close runs");
        };

        port.close();

        assertEquals(List.of(), kernel.violations);
        assertEquals(0, FltLibFilterPort.inFlightCount(port), "the cancelled receive was drained");
        assertEquals(1, kernel.closesOf(FakeKernel.PORT));
        assertEquals(1, kernel.closesOf(FakeKernel.IOCP));
    }

    @Test
    void receiversAndCloseRacingNeverLoseAThreadDuplicateAMessageOrCloseAHandleTwice() throws Exception {
        Random random = new Random(20261122);
        for (int round = 0; round < 30; round++) {
            FakeKernel fake = new FakeKernel();
            FltLibFilterPort racing = FltLibFilterPort.connect(fake.fltLib, fake.kernel32, fake.cancelIo, PORT_NAME,
                    ByteBuffer.wrap(CONTEXT), settings(3, 1 << 20, Duration.ofSeconds(5)));
            List<Long> received = Collections.synchronizedList(new ArrayList<>());
            List<Future<Throwable>> receivers = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                receivers.add(threads.submit(() -> {
                    try {
                        while (true) {
                            received.add(racing.receive().messageId());
                        }
                    } catch (Throwable t) {
                        return t;
                    }
                }));
            }
            int deliveries = random.nextInt(20);
            for (long id = 1; id <= deliveries; id++) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (fake.pendingCount() == 0 && System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                }
                fake.deliver(id, 56, ask());
            }

            racing.close();

            for (Future<Throwable> receiver : receivers) {
                assertInstanceOf(PortClosedException.class, receiver.get(10, TimeUnit.SECONDS), "round " + round);
            }
            assertEquals(received.size(), new HashSet<>(received).size(), "no message twice, round " + round);
            assertTrue(received.stream().allMatch(id -> id >= 1 && id <= deliveries), "round " + round);
            assertEquals(1, fake.closesOf(FakeKernel.PORT), "round " + round);
            assertEquals(1, fake.closesOf(FakeKernel.IOCP), "round " + round);
            assertEquals(0, FltLibFilterPort.inFlightCount(racing), "every cancelled receive drained, round " + round);
            assertEquals(0, fake.pendingCount(), "round " + round);
            assertEquals(List.of(), fake.violations, "round " + round);
        }
    }

    @Test
    void closeIsIdempotentAndEveryCallAfterItFailsWithoutTouchingWindows() {
        connect();
        port.close();
        port.close();

        assertThrows(PortClosedException.class, () -> port.receive());
        assertThrows(PortClosedException.class, () -> port.receive(Duration.ofMillis(1)));
        assertThrows(PortClosedException.class, () -> port.send(ByteBuffer.wrap(new byte[8]), 16));
        PortClosedException e = assertThrows(PortClosedException.class,
                () -> port.reply(1, ByteBuffer.wrap(new byte[40])));
        assertEquals(HResult.OPERATION_ABORTED, e.hresult());

        assertEquals(1, kernel.cancels.get());
        assertEquals(1, kernel.closesOf(FakeKernel.PORT));
        assertEquals(1, kernel.closesOf(FakeKernel.IOCP));
        assertEquals(0, kernel.sends.get());
        assertEquals(0, kernel.replies.get());
    }

    @Test
    void closeDrainsTheAbortedCompletionsBeforeClosingHandles() {
        connect(settings(3, 1 << 20, Duration.ofSeconds(5)));
        assertEquals(3, FltLibFilterPort.inFlightCount(port), "pending receives are in the registry");

        port.close();

        assertTrue(kernel.queue.stream().noneMatch(p -> p.overlapped() != null),
                "every ERROR_OPERATION_ABORTED completion was dequeued");
        assertEquals(0, kernel.pendingCount());
        assertEquals(0, FltLibFilterPort.inFlightCount(port), "nothing needed keeping alive");
    }

    @Test
    void closeKeepsReceiveBuffersAliveWhenCancelledIoNeverCompletes() {
        kernel.cancelCompletesPending = false;
        connect(settings(2, 1 << 20, Duration.ofMillis(200)));

        port.close();

        assertEquals(2, FltLibFilterPort.inFlightCount(port), "buffers the kernel may still write stay reachable");
        assertEquals(1, kernel.closesOf(FakeKernel.PORT));
        assertEquals(1, kernel.closesOf(FakeKernel.IOCP));
    }

    @Test
    void handlesAreClosedOnlyAfterASenderInsideFilterSendMessageLeaves() throws Exception {
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        kernel.onSend = (in, inSize, out, capacity, returned) -> {
            inside.countDown();
            release.await(10, TimeUnit.SECONDS);
            return FakeKernel.S_OK;
        };
        connect(settings(1, 1 << 20, Duration.ofMillis(100)));
        Future<ByteBuffer> sender = threads.submit(() -> port.send(ByteBuffer.wrap(new byte[8]), 16));
        assertTrue(inside.await(5, TimeUnit.SECONDS));

        port.close();
        assertEquals(0, kernel.closesOf(FakeKernel.PORT), "the sender still uses the handle");

        release.countDown();
        assertEquals(0, sender.get(10, TimeUnit.SECONDS).remaining());
        assertEquals(1, kernel.closesOf(FakeKernel.PORT));
        assertEquals(1, kernel.closesOf(FakeKernel.IOCP));
    }

    @Test
    void closeWakesATimedReceiverToo() throws Exception {
        connect();
        Future<Throwable> receiver = threads.submit(() -> {
            try {
                port.receive(Duration.ofDays(1));
                return null;
            } catch (Throwable t) {
                return t;
            }
        });
        kernel.awaitWaiting(1);

        port.close();

        assertInstanceOf(PortClosedException.class, receiver.get(10, TimeUnit.SECONDS));
    }

    // ------------------------------------------------------------------ settings and buffers

    @ParameterizedTest
    @ValueSource(ints = {0, 65})
    void settingsRejectAnImpossibleReceiverCount(int receivers) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new FltLibFilterPort.Settings(ASK_SIZE, receivers, 1, Duration.ZERO));
        assertEquals("receivers must be 1..64: " + receivers, e.getMessage());
    }

    @Test
    void settingsRejectANegativeCloseTimeoutAndWithersChangeOneValue() {
        assertThrows(IllegalArgumentException.class,
                () -> FltLibFilterPort.Settings.forBodySize(ASK_SIZE).withCloseTimeout(Duration.ofMillis(-1)));
        FltLibFilterPort.Settings settings = FltLibFilterPort.Settings.forBodySize(ASK_SIZE)
                .withReceivers(9).withCloseTimeout(Duration.ofSeconds(1)).withMaxReplyCapacity(4096);
        assertEquals(new FltLibFilterPort.Settings(ASK_SIZE, 9, 4096, Duration.ofSeconds(1)), settings);
    }

    @Test
    void aBufferThatIsNotEightByteAlignedIsRefusedNamingItsAddress() {
        Memory backing = new Memory(64);
        int offset = (Pointer.nativeValue(backing) + 1) % 8 == 0 ? 2 : 1;
        Memory misaligned = (Memory) backing.share(offset, 32); // a view: still a Memory, one byte or two in
        long address = Pointer.nativeValue(misaligned);

        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> FilterMessages.requireAligned(misaligned));

        assertTrue(e.getMessage().contains("0x" + Long.toHexString(address) + ", which is not 8-byte aligned"),
                e.getMessage());
        Memory aligned = FilterMessages.aligned(7);
        assertSame(aligned, FilterMessages.requireAligned(aligned));
    }
}
