package org.jminifilter.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.jminifilter.policy.Action;
import org.jminifilter.port.ConnectionLimitException;
import org.jminifilter.port.FilterPort;
import org.jminifilter.port.FilterPortProvider;
import org.jminifilter.port.FilterPorts;
import org.jminifilter.port.HResult;
import org.jminifilter.port.NoWaiterForReplyException;
import org.jminifilter.port.PortClosedException;
import org.jminifilter.port.PortNotFoundException;
import org.jminifilter.port.ProtocolMismatchException;
import org.jminifilter.protocol.AskReply;
import org.jminifilter.protocol.Command;
import org.jminifilter.protocol.ConnectContext;
import org.jminifilter.protocol.Protocol;
import org.jminifilter.protocol.Statistics;
import org.junit.jupiter.api.Test;

/** The emulator's port against the real driver: fltlib's semantics and exceptions. */
class EmulatedKernelPortTest extends EmulatorFixture {

    @Test
    void aWrongProtocolVersionIsRefusedOnConnect() {
        ProtocolMismatchException e = assertThrows(ProtocolMismatchException.class,
                () -> connectPort(new ConnectContext(Protocol.CONNECT_MAGIC, Protocol.PROTOCOL_VERSION + 1)));
        assertEquals(HResult.REVISION_MISMATCH, e.hresult());
        assertThrows(ProtocolMismatchException.class,
                () -> connectPort(new ConnectContext(0x12345678, Protocol.PROTOCOL_VERSION)));
        try (FilterPort good = connectPort()) {
            assertTrue(good.isOpen(), "a refused connection does not hold the port's one connection");
        }
    }

    @Test
    void thePortTakesOneConnectionAtATime() {
        try (FilterPort first = connectPort()) {
            assertTrue(first.isOpen());
            ConnectionLimitException e = assertThrows(ConnectionLimitException.class, () -> connectPort());
            assertEquals(HResult.CONNECTION_LIMIT, e.hresult());
        }
        try (FilterPort again = connectPort()) {
            assertTrue(again.isOpen(), "closing the first connection frees the port");
        }
    }

    @Test
    void theProviderIsFoundByNameAndConnects() {
        FilterPortProvider provider = FilterPorts.provider(EmulatorPortProvider.NAME).orElseThrow();
        assertInstanceOf(EmulatorPortProvider.class, provider);
        assertTrue(provider.isSupported());
        String before = System.getProperty(FilterPorts.PROVIDER_PROPERTY);
        System.setProperty(FilterPorts.PROVIDER_PROPERTY, EmulatorPortProvider.NAME);
        try (FilterPort port = FilterPorts.connect()) {
            ByteBuffer reply = port.send(new Command.GetStatistics().encode(), Statistics.size(0));
            assertEquals(0, Statistics.decode(reply).rules().size());
        } finally {
            if (before == null) {
                System.clearProperty(FilterPorts.PROVIDER_PROPERTY);
            } else {
                System.setProperty(FilterPorts.PROVIDER_PROPERTY, before);
            }
        }
    }

    @Test
    void sendGrowsATooSmallReplyBuffer() {
        try (FilterPort port = connectPort()) {
            ByteBuffer reply = port.send(new Command.GetStatistics().encode(), 8);
            assertEquals(Statistics.size(0), reply.remaining(), "the reply is whole after growing");
        }
    }

    @Test
    void aTimedReceiveWithNothingToReceiveReturnsEmpty() {
        try (FilterPort port = connectPort()) {
            assertTrue(port.receive(Duration.ofMillis(50)).isEmpty());
        }
    }

    @Test
    void closeReleasesAWaitingReceiverAndLaterCallsFail() throws Exception {
        FilterPort port = connectPort();
        FutureTask<Object> receiver = new FutureTask<>(port::receive);
        Thread thread = new Thread(receiver, "receiver");
        thread.setDaemon(true);
        thread.start();
        awaitBlockedIn(thread, blockingGetRoutine());
        port.close();
        ExecutionException e = assertThrows(ExecutionException.class, () -> receiver.get(5, TimeUnit.SECONDS));
        assertInstanceOf(PortClosedException.class, e.getCause());
        assertFalse(port.isOpen());
        assertThrows(PortClosedException.class, () -> port.send(new Command.GetStatistics().encode(), 256));
        port.close(); // idempotent
    }

    /** The native call a receiver waits in inside {@code receive()}: the emulator's get here. */
    String blockingGetRoutine() {
        return "EmuFilterGetMessage";
    }

    /**
     * Waits until {@code thread} is inside the native call {@code routine} (the innermost frame is
     * native and {@code routine}'s JNA proxy frame is on the stack): the receiver is then waiting
     * in the port, not about to enter it. Fails when the thread ends first, or is not there within
     * 10 s.
     */
    static void awaitBlockedIn(Thread thread, String routine) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            StackTraceElement[] stack = thread.getStackTrace();
            if (stack.length > 0 && stack[0].isNativeMethod()
                    && Arrays.stream(stack).anyMatch(f -> f.getMethodName().equals(routine))) {
                return;
            }
            assertTrue(thread.isAlive(), thread.getName() + " ended before it waited in " + routine);
            assertTrue(System.nanoTime() - deadline < 0, thread.getName() + " did not wait in " + routine
                    + " within 10 s; it is at " + Arrays.toString(stack));
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1)); // between looks; the condition decides
        }
    }

    @Test
    void aReplyNobodyWaitsForIsRefused() {
        try (FilterPort port = connectPort()) {
            NoWaiterForReplyException e = assertThrows(NoWaiterForReplyException.class,
                    () -> port.reply(12345, new AskReply(Action.allow()).encode()));
            assertEquals(HResult.NO_WAITER_FOR_REPLY, e.hresult());
        }
    }

    @Test
    void withoutTheDriverThereIsNoPort() {
        kernel.unloadDriver();
        PortNotFoundException e = assertThrows(PortNotFoundException.class, () -> connectPort());
        assertEquals(HResult.PORT_NOT_FOUND, e.hresult());
        assertPortNotFoundMessage(e);
    }

    /** The emulator's own port says how to get one. */
    void assertPortNotFoundMessage(PortNotFoundException e) {
        assertTrue(e.getMessage().contains("EmulatedKernel"), e.getMessage());
    }

    @Test
    void aThreadTheEmulatorHasNotSeenCanSendItsFirstCommand() throws Exception {
        // GET_EVENTS takes the driver's fast mutex; on a thread new to the emulator that once
        // deadlocked (the emulator registered the thread under the lock the mutex code held).
        try (FilterPort port = connectPort()) {
            CompletableFuture<ByteBuffer> reply = new CompletableFuture<>();
            Thread fresh = new Thread(() -> {
                try {
                    reply.complete(port.send(new Command.GetEvents().encode(),
                            org.jminifilter.protocol.EventBatch.size(4)));
                } catch (RuntimeException e) {
                    reply.completeExceptionally(e);
                }
            }, "fresh-thread");
            fresh.setDaemon(true);
            fresh.start();
            assertEquals(0, org.jminifilter.protocol.EventBatch.decode(reply.get(10, TimeUnit.SECONDS)).events().size());
        }
    }
}
