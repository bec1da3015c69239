package org.jminifilter.port.fltlib;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.ArgumentMatchers.isNull;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.doReturn;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;

import com.sun.jna.Pointer;
import com.sun.jna.platform.win32.WinDef;
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
import org.jminifilter.port.PortClosedException;
import org.jminifilter.port.PortNotFoundException;
import org.jminifilter.port.ReplyCapacity;
import org.jminifilter.protocol.Protocol;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mockito.ArgumentCaptor;

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
    void connectPassesPortNameAndTheEightByteContextWithItsSizeAsAWord() {
        ArgumentCaptor<WinDef.WORD> size = ArgumentCaptor.forClass(WinDef.WORD.class);
        AtomicReference<byte[]> context = new AtomicReference<>();
        doAnswer(inv -> {
                    Pointer memory = inv.getArgument(2);
                    context.set(memory.getByteArray(0, CONTEXT.length));
                    WinNT.HANDLEByReference handle = inv.getArgument(5);
                    handle.setValue(FakeKernel.PORT);
                    return FakeKernel.S_OK;
                })
                .when(kernel.fltLib).FilterConnectCommunicationPort(any(), anyInt(), any(), size.capture(), any(), any());

        connect();

        verify(kernel.fltLib).FilterConnectCommunicationPort(eq(PORT_NAME), eq(0), any(), any(), isNull(), any());
        assertEquals(8, size.getValue().intValue());
        assertEquals(2, WinDef.WORD.SIZE, "wSizeOfContext is a 16-bit WORD");
        assertArrayEquals(CONTEXT, context.get());
        verify(kernel.kernel32).CreateIoCompletionPort(eq(FakeKernel.PORT), isNull(), eq(FltLibFilterPort.PORT_KEY),
                anyInt());
    }

    @Test
    void connectIssuesEveryReceiveWithAHeaderPlusAskBufferAndItsOwnOverlapped() {
        connect(settings(3, 1 << 20, Duration.ofSeconds(1)));

        List<FakeKernel.Get> gets = kernel.gets();
        assertEquals(3, gets.size());
        Set<Pointer> overlappeds = new HashSet<>();
        for (FakeKernel.Get get : gets) {
            assertEquals(16 + 1728, get.size(), "FILTER_MESSAGE_HEADER + JMF_ASK");
            assertEquals(Protocol.NOTIFICATION_BUFFER_SIZE, get.size());
            assertEquals(0, Pointer.nativeValue(get.buffer()) % 8, "8-byte aligned buffer");
            assertFalse(get.overlapped().getAutoWrite(), "JNA must not write over a pending OVERLAPPED");
            overlappeds.add(get.overlappedPointer());
        }
        assertEquals(3, overlappeds.size(), "one OVERLAPPED per outstanding receive");
        verify(kernel.fltLib, times(3)).FilterGetMessage(eq(FakeKernel.PORT), any(), eq(16 + ASK_SIZE), any());
    }

    @ParameterizedTest
    @ValueSource(ints = {HResult.PORT_NOT_FOUND, HResult.ACCESS_DENIED, HResult.CONNECTION_LIMIT,
        HResult.REVISION_MISMATCH, HResult.INVALID_PARAMETER})
    void everyConnectFailureBecomesItsTypedException(int hresult) {
        doReturn(new WinNT.HRESULT(hresult))
                .when(kernel.fltLib).FilterConnectCommunicationPort(any(), anyInt(), any(), any(), any(), any());

        FilterPortException e = assertThrows(FilterPortException.class, this::connect);

        assertSame(FilterPortException.forHresult("x", hresult).getClass(), e.getClass());
        assertEquals(hresult, e.hresult());
        verify(kernel.fltLib, never()).FilterGetMessage(any(), any(), anyInt(), any());
    }

    @Test
    void connectFailureIsMappedAndOpensNothing() {
        doReturn(new WinNT.HRESULT(HResult.PORT_NOT_FOUND))
                .when(kernel.fltLib).FilterConnectCommunicationPort(any(), anyInt(), any(), any(), any(), any());

        PortNotFoundException e = assertThrows(PortNotFoundException.class, this::connect);

        assertEquals(HResult.PORT_NOT_FOUND, e.hresult());
        assertTrue(e.getMessage().contains("fltmc load jminifilter"), e.getMessage());
        assertTrue(e.getMessage().contains(PORT_NAME), e.getMessage());
        verify(kernel.kernel32, never()).CreateIoCompletionPort(any(), any(), any(), anyInt());
        verify(kernel.kernel32, never()).CloseHandle(any());
    }

    @Test
    void completionPortFailureClosesThePortHandleOnce() {
        doReturn(null)
                .when(kernel.kernel32).CreateIoCompletionPort(any(), any(), any(), anyInt());
        doReturn(WinError.ERROR_ACCESS_DENIED)
                .when(kernel.kernel32).GetLastError();

        FilterPortException e = assertThrows(FilterPortException.class, this::connect);

        assertEquals(HResult.ACCESS_DENIED, e.hresult());
        assertEquals(1, kernel.closesOf(FakeKernel.PORT));
        verify(kernel.fltLib, never()).FilterGetMessage(any(), any(), anyInt(), any());
    }

    @Test
    void connectFailsWhenNoReceiveCanBeIssuedAndClosesTheHandles() {
        kernel.getResult = new WinNT.HRESULT(HResult.INVALID_HANDLE);

        assertThrows(InvalidPortHandleException.class, this::connect);

        assertEquals(1, kernel.closesOf(FakeKernel.PORT));
        assertEquals(1, kernel.closesOf(FakeKernel.IOCP));
    }

    @Test
    void contextLargerThanAWordIsRefusedBeforeCallingFltlib() {
        ByteBuffer huge = ByteBuffer.allocate(0x10000);
        assertThrows(IllegalArgumentException.class, () -> FltLibFilterPort.connect(kernel.fltLib, kernel.kernel32,
                kernel.cancelIo, PORT_NAME, huge, FltLibFilterPort.Settings.forBodySize(ASK_SIZE)));
        verify(kernel.fltLib, never()).FilterConnectCommunicationPort(any(), anyInt(), any(), any(), any(), any());
    }

    // ------------------------------------------------------------------ send

    @Test
    void sendPassesTheExactCommandAndCapacityAndReturnsTheBytesWritten() {
        byte[] command = {3, 0, 0, 0, 32, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19,
            20, 21, 22, 23, 24};
        byte[] result = {0, 0, 0, 0, 0, 0, 0, 0, -1, -1, -1, -1, 7, 0, 0, 0};
        AtomicReference<byte[]> seen = new AtomicReference<>();
        doAnswer(inv -> {
            Pointer in = inv.getArgument(1);
            seen.set(in.getByteArray(0, inv.getArgument(2)));
            Pointer out = inv.getArgument(3);
            out.write(0, result, 0, result.length);
            IntByReference returned = inv.getArgument(5);
            returned.setValue(result.length);
            return FakeKernel.S_OK;
        })
                .when(kernel.fltLib).FilterSendMessage(any(), any(), anyInt(), any(), anyInt(), any());
        connect();
        ByteBuffer buffer = ByteBuffer.allocate(40);
        buffer.position(4);
        buffer.put(command).flip().position(4);

        ByteBuffer reply = port.send(buffer, 16);

        verify(kernel.fltLib).FilterSendMessage(eq(FakeKernel.PORT), any(), eq(32), any(), eq(16), any());
        assertArrayEquals(command, seen.get());
        assertEquals(4, buffer.position(), "the command buffer is not consumed");
        assertEquals(ByteOrder.LITTLE_ENDIAN, reply.order());
        assertEquals(16, reply.remaining());
        assertEquals(7, reply.getInt(12));
    }

    @Test
    void sendGrowsItsBufferOnInsufficientBufferAndMoreDataThenSucceeds() {
        List<Integer> capacities = new ArrayList<>();
        doAnswer(inv -> {
            int capacity = inv.getArgument(4);
            capacities.add(capacity);
            if (capacities.size() == 1) {
                return new WinNT.HRESULT(HResult.INSUFFICIENT_BUFFER);
            }
            if (capacities.size() == 2) {
                return new WinNT.HRESULT(HResult.MORE_DATA);
            }
            IntByReference returned = inv.getArgument(5);
            returned.setValue(5000);
            return FakeKernel.S_OK;
        })
                .when(kernel.fltLib).FilterSendMessage(any(), any(), anyInt(), any(), anyInt(), any());
        connect();

        ByteBuffer reply = port.send(ByteBuffer.wrap(new byte[8]), 176);

        assertEquals(List.of(176, 4096, 8192), capacities);
        assertEquals(5000, reply.remaining());
    }

    @Test
    void sendGivesUpAtTheConfiguredBound() {
        List<Integer> capacities = new ArrayList<>();
        doAnswer(inv -> {
            capacities.add(inv.getArgument(4));
            return new WinNT.HRESULT(HResult.INSUFFICIENT_BUFFER);
        })
                .when(kernel.fltLib).FilterSendMessage(any(), any(), anyInt(), any(), anyInt(), any());
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
        doAnswer(inv -> {
            capacities.add(inv.getArgument(4));
            return new WinNT.HRESULT(HResult.MORE_DATA);
        })
                .when(kernel.fltLib).FilterSendMessage(any(), any(), anyInt(), any(), anyInt(), any());
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
        doReturn(new WinNT.HRESULT(HResult.INVALID_HANDLE))
                .when(kernel.fltLib).FilterSendMessage(any(), any(), anyInt(), any(), anyInt(), any());
        connect();

        assertThrows(InvalidPortHandleException.class, () -> port.send(ByteBuffer.wrap(new byte[8]), 16));

        verify(kernel.fltLib, times(1)).FilterSendMessage(any(), any(), anyInt(), any(), anyInt(), any());
    }

    @Test
    void sendRejectsAByteCountLargerThanTheBuffer() {
        doAnswer(inv -> {
            IntByReference returned = inv.getArgument(5);
            returned.setValue(17);
            return FakeKernel.S_OK;
        })
                .when(kernel.fltLib).FilterSendMessage(any(), any(), anyInt(), any(), anyInt(), any());
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
        doAnswer(inv -> {
            Pointer buffer = inv.getArgument(1);
            written.set(buffer.getByteArray(0, inv.getArgument(2)));
            assertEquals(0, Pointer.nativeValue(buffer) % 8, "8-byte aligned reply buffer");
            return FakeKernel.S_OK;
        })
                .when(kernel.fltLib).FilterReplyMessage(any(), any(), anyInt());
        connect();

        port.reply(0x1122334455667788L, ByteBuffer.wrap(verdict));

        verify(kernel.fltLib).FilterReplyMessage(eq(FakeKernel.PORT), any(), eq(16 + 40));
        assertEquals(Protocol.REPLY_BUFFER_SIZE, written.get().length, "JMF_REPLY_BUFFER_SIZE, header included");
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
        doReturn(new WinNT.HRESULT(HResult.NO_WAITER_FOR_REPLY))
                .when(kernel.fltLib).FilterReplyMessage(any(), any(), anyInt());
        connect();

        NoWaiterForReplyException e = assertThrows(NoWaiterForReplyException.class,
                () -> port.reply(42, ByteBuffer.wrap(new byte[40])));
        assertTrue(e.getMessage().contains("message 42"), e.getMessage());
    }

    // ------------------------------------------------------------------ receive

    @Test
    void receiveReturnsTheMessageAndReissuesThatSlot() {
        connect(settings(2, 1 << 20, Duration.ofSeconds(1)));
        byte[] ask = new byte[ASK_SIZE];
        ask[0] = 1;
        ask[4] = (byte) 0xC0;
        ask[5] = 0x06;
        ask[ASK_SIZE - 1] = 99;
        FakeKernel.Get delivered = kernel.deliver(77, 56, ask);

        Notification notification = port.receive();

        assertEquals(77, notification.messageId());
        assertEquals(56, notification.replyLength());
        assertArrayEquals(ask, notification.bodyBytes());
        List<FakeKernel.Get> gets = kernel.gets();
        assertEquals(3, gets.size(), "two initial receives and one re-issue");
        assertEquals(delivered.overlappedPointer(), gets.get(2).overlappedPointer(), "the completed slot is reused");
        assertEquals(2, kernel.pendingCount());
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
        Future<Optional<Notification>> waiting = threads.submit(() -> port.receive(Duration.ofSeconds(10)));
        Thread.sleep(50);
        kernel.deliver(5, 56, new byte[ASK_SIZE]);

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
            kernel.deliver(i, 56, new byte[ASK_SIZE]);
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
    void aCompletionShorterThanTheMessageHeaderIsRejectedAndTheSlotReissued() {
        connect(settings(1, 1 << 20, Duration.ofSeconds(1)));
        kernel.complete(true, 15, 0);

        FilterPortException e = assertThrows(FilterPortException.class, () -> port.receive());

        assertTrue(e.getMessage().contains("15 bytes"), e.getMessage());
        assertEquals(1, kernel.pendingCount());
    }

    @Test
    void receiveFailsOnceNoSlotCanBeReissued() {
        connect(settings(1, 1 << 20, Duration.ofSeconds(1)));
        kernel.getResult = new WinNT.HRESULT(HResult.INVALID_HANDLE);
        kernel.deliver(1, 56, new byte[ASK_SIZE]);

        assertEquals(1, port.receive().messageId(), "the message that did arrive is delivered");
        assertThrows(InvalidPortHandleException.class, () -> port.receive(Duration.ofSeconds(10)));
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
        Thread.sleep(100);
        kernel.getResult = new WinNT.HRESULT(HResult.INVALID_HANDLE);

        kernel.deliver(1, 56, new byte[ASK_SIZE]);

        // One receiver gets the message; the other learns that no more can come instead of waiting forever.
        List<Object> outcomes = new ArrayList<>();
        for (Future<Object> receiver : receivers) {
            outcomes.add(receiver.get(10, TimeUnit.SECONDS));
        }
        assertEquals(1, outcomes.stream().filter(Notification.class::isInstance).count(), outcomes.toString());
        assertEquals(1, outcomes.stream().filter(InvalidPortHandleException.class::isInstance).count(),
                outcomes.toString());
        assertTrue(kernel.posts.get() >= 1, "a wake packet was posted");
    }

    // ------------------------------------------------------------------ close

    @Test
    void closeCancelsReleasesWaitingReceiversAndClosesEachHandleOnce() throws Exception {
        connect(settings(2, 1 << 20, Duration.ofSeconds(5)));
        CountDownLatch started = new CountDownLatch(3);
        List<Future<Throwable>> receivers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            receivers.add(threads.submit(() -> {
                started.countDown();
                try {
                    port.receive();
                    return null;
                } catch (Throwable t) {
                    return t;
                }
            }));
        }
        assertTrue(started.await(5, TimeUnit.SECONDS));
        Thread.sleep(100); // let them reach GetQueuedCompletionStatus

        port.close();

        for (Future<Throwable> receiver : receivers) {
            assertInstanceOf(PortClosedException.class, receiver.get(10, TimeUnit.SECONDS));
        }
        verify(kernel.cancelIo, times(1)).CancelIoEx(eq(FakeKernel.PORT), isNull());
        assertEquals(1, kernel.closesOf(FakeKernel.PORT));
        assertEquals(1, kernel.closesOf(FakeKernel.IOCP));
        assertEquals(2, kernel.gets().size(), "no receive is issued once closing");
        assertFalse(port.isOpen());
    }

    @Test
    void aMessageDequeuedWhileClosingIsDeliveredButItsSlotIsNotReissued() throws Exception {
        connect(settings(2, 1 << 20, Duration.ofSeconds(5)));
        // The receiver takes this message, then is held until close has set "closed" and cancelled.
        kernel.deliver(9, 56, new byte[ASK_SIZE], kernel.cancelled);
        Future<Notification> receiver = threads.submit(() -> port.receive());
        Thread.sleep(100);

        port.close();

        assertEquals(9, receiver.get(10, TimeUnit.SECONDS).messageId());
        assertEquals(2, kernel.gets().size(), "no FilterGetMessage once closed: nothing would cancel it");
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
                fake.deliver(id, 56, new byte[ASK_SIZE]);
            }
            if (random.nextBoolean()) {
                Thread.sleep(random.nextInt(5));
            }

            racing.close();

            for (Future<Throwable> receiver : receivers) {
                assertInstanceOf(PortClosedException.class, receiver.get(10, TimeUnit.SECONDS), "round " + round);
            }
            assertEquals(received.size(), new HashSet<>(received).size(), "no message twice, round " + round);
            assertTrue(received.stream().allMatch(id -> id >= 1 && id <= deliveries), "round " + round);
            assertEquals(1, fake.closesOf(FakeKernel.PORT), "round " + round);
            assertEquals(1, fake.closesOf(FakeKernel.IOCP), "round " + round);
            assertNull(FltLibFilterPort.keptAlive(racing), "every cancelled receive drained, round " + round);
            assertEquals(0, fake.pendingCount(), "round " + round);
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

        verify(kernel.cancelIo, times(1)).CancelIoEx(any(), any());
        assertEquals(1, kernel.closesOf(FakeKernel.PORT));
        assertEquals(1, kernel.closesOf(FakeKernel.IOCP));
        verify(kernel.fltLib, never()).FilterSendMessage(any(), any(), anyInt(), any(), anyInt(), any());
        verify(kernel.fltLib, never()).FilterReplyMessage(any(), any(), anyInt());
    }

    @Test
    void closeDrainsTheAbortedCompletionsBeforeClosingHandles() {
        connect(settings(3, 1 << 20, Duration.ofSeconds(5)));

        port.close();

        assertTrue(kernel.queue.stream().noneMatch(p -> p.overlapped() != null),
                "every ERROR_OPERATION_ABORTED completion was dequeued");
        assertEquals(0, kernel.pendingCount());
        assertNull(FltLibFilterPort.keptAlive(port), "nothing needed keeping alive");
    }

    @Test
    void closeKeepsReceiveBuffersAliveWhenCancelledIoNeverCompletes() {
        kernel.cancelCompletesPending = false;
        connect(settings(2, 1 << 20, Duration.ofMillis(200)));

        port.close();

        assertTrue(FltLibFilterPort.keptAlive(port) != null, "buffers the kernel may still write stay reachable");
        assertEquals(1, kernel.closesOf(FakeKernel.PORT));
        assertEquals(1, kernel.closesOf(FakeKernel.IOCP));
    }

    @Test
    void handlesAreClosedOnlyAfterASenderInsideFilterSendMessageLeaves() throws Exception {
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        doAnswer(inv -> {
            inside.countDown();
            release.await(10, TimeUnit.SECONDS);
            return FakeKernel.S_OK;
        })
                .when(kernel.fltLib).FilterSendMessage(any(), any(), anyInt(), any(), anyInt(), any());
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
                port.receive(Duration.ofSeconds(30));
                return null;
            } catch (Throwable t) {
                return t;
            }
        });
        Thread.sleep(100);
        long start = System.nanoTime();

        port.close();

        assertInstanceOf(PortClosedException.class, receiver.get(10, TimeUnit.SECONDS));
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5), "released promptly");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 65})
    void settingsRejectAnImpossibleReceiverCount(int receivers) {
        assertThrows(IllegalArgumentException.class,
                () -> new FltLibFilterPort.Settings(ASK_SIZE, receivers, 1, Duration.ZERO));
    }

    @Test
    void alignedMemoryStartsOnAnEightByteBoundary() {
        for (int size : new int[] {1, 7, 16, 1744}) {
            assertEquals(0, Pointer.nativeValue(FltLibFilterPort.alignedMemory(size)) % 8);
            assertTrue(FltLibFilterPort.alignedMemory(size).size() >= size);
        }
    }
}
