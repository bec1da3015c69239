package org.jminifilter.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.jminifilter.policy.Action;
import org.jminifilter.policy.ActionType;
import org.jminifilter.policy.Operation;
import org.jminifilter.policy.Policy;
import org.jminifilter.port.FilterPortException;
import org.jminifilter.port.HResult;
import org.jminifilter.port.PortAccessDeniedException;
import org.jminifilter.port.mock.MockFilterPort;
import org.jminifilter.protocol.Ask;
import org.jminifilter.protocol.Command;
import org.jminifilter.protocol.ErrorCode;
import org.jminifilter.protocol.Event;
import org.jminifilter.protocol.Protocol;
import org.jminifilter.protocol.Result;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.event.Level;

/**
 * The service owns its port: a failed start closes it, start() runs once, close() is bounded and
 * works from inside a handler or listener, and waits for the event poller (issue 11, item 18).
 */
class OwnershipTest {
    private static final long WAIT_MS = 5000;
    private static final Policy POLICY = Policy.builder()
            .rule(r -> r.id(1).operations(Operation.CREATE).path("\\secret\\**").deny()).build();

    private final MockFilterPort kernel = new MockFilterPort();
    private final FaultyPort port = new FaultyPort(kernel);
    private PolicyService service;
    private final CountDownLatch releaseCallbacks = new CountDownLatch(1);

    @BeforeEach
    void forgetLogs() {
        RecordingLoggers.clear();
    }

    @AfterEach
    void stop() {
        releaseCallbacks.countDown();
        if (service != null) {
            service.close();
        }
        kernel.close();
    }

    private static Ask ask() {
        return new Ask(1, 1, Operation.CREATE, 4242, 0, 0, Protocol.FILE_OPEN, 0, 3000, "\\Device\\HarddiskVolume1",
                "\\docs\\plan.txt", "\\Device\\HarddiskVolume1\\apps\\editor.exe");
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void assertAllThreadsEnded(PolicyService s) throws InterruptedException {
        for (Thread t : s.threads()) {
            t.join(WAIT_MS);
            assertFalse(t.isAlive(), t.getName() + " still runs");
        }
    }

    @Test
    void aRejectedConfigurationClosesThePortBeforeStartThrows() {
        kernel.onSetConfig(cmd -> new Result(0xC000000D, ErrorCode.BAD_CONFIG, Protocol.INDEX_NONE, 0));
        service = PolicyService.builder(port).policy(POLICY).build();

        assertThrows(CommandRejectedException.class, service::start);

        assertEquals(1, port.closes());
        assertEquals(List.of(), service.threads(), "no thread was started");
        assertFalse(service.isConnected());
    }

    @Test
    void aRejectedPolicyClosesThePortBeforeStartThrows() {
        kernel.onSetPolicy(cmd -> new Result(0xC000000D, ErrorCode.BAD_PATTERN, 0, 0));
        service = PolicyService.builder(port).policy(POLICY).build();

        assertThrows(CommandRejectedException.class, service::start);

        assertEquals(1, port.closes());
        assertEquals(List.of(), service.threads());
    }

    @Test
    void aPortErrorClosesThePortBeforeStartThrows() {
        kernel.failNextSend(HResult.ACCESS_DENIED);
        service = PolicyService.builder(port).policy(POLICY).build();

        assertThrows(PortAccessDeniedException.class, service::start);

        assertEquals(1, port.closes());
    }

    @Test
    void aBuilderMethodThatRejectsItsArgumentClosesThePort() {
        PolicyService.Builder b = PolicyService.builder(port);
        assertThrows(IllegalArgumentException.class, () -> b.askThreads(0));
        assertEquals(1, port.closes());
    }

    @Test
    void aSecondStartIsRefused() {
        service = PolicyService.builder(port).policy(POLICY).build().start();
        int threads = service.threads().size();

        IllegalStateException e = assertThrows(IllegalStateException.class, service::start);

        assertTrue(e.getMessage().contains("already"), e.getMessage());
        assertEquals(2, kernel.commands().stream().filter(c -> !(c instanceof Command.GetEvents)).count(),
                "no configuration or policy was sent again");
        assertEquals(threads, service.threads().size(), "no thread was added");
        assertTrue(service.isConnected());
    }

    @Test
    void startAfterCloseIsRefusedAndCloseBeforeStartClosesThePort() {
        service = PolicyService.builder(port).policy(POLICY).build();
        service.close();
        assertEquals(1, port.closes());
        assertThrows(IllegalStateException.class, service::start);
        assertEquals(List.of(), kernel.commands());
    }

    @Test
    void closeClosesThePortOnceAndEndsEveryThread() throws Exception {
        service = PolicyService.builder(port).policy(POLICY).askThreads(3).build().start();
        assertEquals(4, service.threads().size(), "three ask threads and the event poller");

        service.close();
        service.close();

        assertEquals(1, port.closes());
        for (Thread t : service.threads()) {
            assertFalse(t.isAlive(), t.getName() + ": close() waits for every thread");
        }
        assertFalse(service.isConnected());
        assertThrows(IllegalStateException.class, service::statistics);
    }

    @Test
    void closeFromInsideAnAskHandler() throws Exception {
        CountDownLatch closeReturned = new CountDownLatch(1);
        AtomicReference<PolicyService> self = new AtomicReference<>();
        service = PolicyService.builder(port).policy(POLICY).askThreads(2).askHandler(a -> {
            self.get().close(); // must not wait for its own thread
            closeReturned.countDown();
            return Action.allow();
        }).build();
        self.set(service);
        service.start();

        kernel.ask(ask());

        assertTrue(closeReturned.await(3, TimeUnit.SECONDS), "close() inside the handler returned");
        assertAllThreadsEnded(service);
        assertEquals(1, port.closes());
        assertEquals(List.of(), RecordingLoggers.entries(e -> e.level() == Level.WARN),
                "no thread was left running");
    }

    @Test
    void closeFromInsideAnEventListener() throws Exception {
        CountDownLatch closeReturned = new CountDownLatch(1);
        AtomicReference<PolicyService> self = new AtomicReference<>();
        kernel.queueEvent(new Event(0, 1, 1, Operation.CREATE, ActionType.DENY, 0xC0000022, 1, 0,
                "\\Device\\HarddiskVolume1", "\\secret\\a"));
        service = PolicyService.builder(port).policy(POLICY).eventListener(e -> {
            self.get().close();
            closeReturned.countDown();
        }).build();
        self.set(service);
        service.start();

        assertTrue(closeReturned.await(3, TimeUnit.SECONDS), "close() inside the listener returned");
        assertAllThreadsEnded(service);
        assertEquals(1, port.closes());
    }

    @Test
    void closeWaitsForTheEventPollerToFinish() throws Exception {
        AtomicInteger order = new AtomicInteger();
        AtomicInteger listenerFinished = new AtomicInteger();
        AtomicInteger closeFinished = new AtomicInteger();
        CountDownLatch inListener = new CountDownLatch(1);
        kernel.queueEvent(new Event(0, 1, 1, Operation.CREATE, ActionType.DENY, 0xC0000022, 1, 0,
                "\\Device\\HarddiskVolume1", "\\secret\\a"));
        service = PolicyService.builder(port).policy(POLICY).eventListener(e -> {
            inListener.countDown();
            awaitUninterruptibly(releaseCallbacks); // as a listener busy in code that ignores interrupts
            listenerFinished.set(order.incrementAndGet());
        }).build().start();
        assertTrue(inListener.await(WAIT_MS, TimeUnit.MILLISECONDS));

        Thread closer = new Thread(() -> {
            service.close();
            closeFinished.set(order.incrementAndGet());
        }, "closer");
        closer.start();
        // Release the listener only once close() has closed the port and the ask threads have ended:
        // close() then waits for the poller (or, without the fix, has returned).
        assertTrue(port.closed.await(WAIT_MS, TimeUnit.MILLISECONDS));
        for (Thread t : service.threads()) {
            if (t.getName().startsWith("jminifilter-ask-")) {
                t.join(WAIT_MS);
            }
        }
        // A probe, not a synchronisation: it gives a close() that does not wait for the poller the time
        // to return; a close() that waits cannot return before the listener does, however long this is.
        closer.join(500);
        releaseCallbacks.countDown();
        closer.join(WAIT_MS);

        assertFalse(closer.isAlive());
        assertTrue(listenerFinished.get() > 0 && listenerFinished.get() < closeFinished.get(),
                "the listener finished (" + listenerFinished + ") before close() returned (" + closeFinished + ")");
    }

    @Test
    void closeIsBoundedWhenAHandlerNeverReturns() throws Exception {
        CountDownLatch inHandler = new CountDownLatch(1);
        service = PolicyService.builder(port).policy(POLICY).askThreads(1).closeTimeout(Duration.ofMillis(50))
                .askHandler(a -> {
                    inHandler.countDown();
                    try {
                        releaseCallbacks.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return Action.allow();
                }).build().start();
        kernel.ask(ask());
        assertTrue(inHandler.await(WAIT_MS, TimeUnit.MILLISECONDS));

        assertTimeoutPreemptively(Duration.ofSeconds(10), service::close);

        List<RecordingLoggers.Entry> warned = RecordingLoggers.entries(
                e -> e.level() == Level.WARN && e.message().contains("jminifilter-ask-0"));
        assertEquals(1, warned.size(), "close() names the thread it left running");
        assertEquals(1, port.closes());
    }

    @Test
    void aPortClosedBehindTheServicesBackIsALostConnection() throws Exception {
        service = PolicyService.builder(port).policy(POLICY).askThreads(2).build().start();

        kernel.close();

        assertAllThreadsEnded(service);
        assertFalse(service.isConnected());
    }

    @Test
    void replaceAndStatisticsNeedARunningService() {
        service = PolicyService.builder(port).policy(POLICY).build();
        assertThrows(IllegalStateException.class, () -> service.replacePolicy(POLICY));
        assertThrows(IllegalStateException.class, service::statistics);
        assertThrows(IllegalStateException.class, service::pollEvents);
        assertEquals(List.of(), kernel.commands());
    }

    @Test
    void aFailingPortCloseDoesNotStopClose() throws Exception {
        FaultyPort failing = new FaultyPort(kernel) {
            @Override
            public void close() {
                super.close();
                throw new FilterPortException("a port whose close() throws", 0);
            }
        };
        service = PolicyService.builder(failing).policy(POLICY).build().start();
        service.close();
        assertAllThreadsEnded(service);
    }
}
