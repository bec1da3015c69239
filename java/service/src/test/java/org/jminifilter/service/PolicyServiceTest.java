package org.jminifilter.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import org.jminifilter.policy.Action;
import org.jminifilter.policy.ActionType;
import org.jminifilter.policy.DefaultVerdict;
import org.jminifilter.policy.Operation;
import org.jminifilter.policy.Policy;
import org.jminifilter.port.FilterPort;
import org.jminifilter.port.Notification;
import org.jminifilter.port.mock.MockFilterPort;
import org.jminifilter.port.mock.PendingAsk;
import org.jminifilter.protocol.Ask;
import org.jminifilter.protocol.AskReply;
import org.jminifilter.protocol.Command;
import org.jminifilter.protocol.Config;
import org.jminifilter.protocol.ErrorCode;
import org.jminifilter.protocol.Event;
import org.jminifilter.protocol.Protocol;
import org.jminifilter.protocol.Result;
import org.jminifilter.protocol.RuleStatistics;
import org.jminifilter.protocol.Statistics;
import org.jminifilter.protocol.UnlockKey;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The service against the mock port: the bytes it sends and how it answers what the "kernel" sends. */
class PolicyServiceTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final int STATUS_SHARING_VIOLATION = 0xC0000043;

    private final MockFilterPort port = new MockFilterPort();
    private final List<Event> events = Collections.synchronizedList(new ArrayList<>());
    private PolicyService service;

    private static Policy policy(int... ids) {
        Policy.Builder b = Policy.builder();
        for (int id : ids) {
            b.rule(r -> r.id(id).operations(Operation.CREATE).path("\\secret\\" + id + "\\**").deny());
        }
        return b.build();
    }

    private static Ask ask(boolean postCreate, int timeoutMs) {
        return new Ask(1, 7, Operation.CREATE, 4242, 0x120116, 0, Protocol.FILE_OPEN,
                postCreate ? Protocol.ASK_FLAG_POST_CREATE : 0, timeoutMs, "\\Device\\HarddiskVolume1",
                "\\docs\\plan.txt", "\\Device\\HarddiskVolume1\\apps\\editor.exe");
    }

    private PolicyService start(Policy p, AskHandler handler, Config config) {
        service = PolicyService.builder(port).policy(p).askHandler(handler).config(config)
                .eventListener(events::add).eventInterval(Duration.ofMillis(20)).askThreads(2).build().start();
        return service;
    }

    @AfterEach
    void stop() {
        if (service != null) {
            service.close();
        }
        port.close();
    }

    @Test
    void startSendsTheConfigurationThenThePolicy() {
        Config config = Config.defaults().withAskTimeoutMs(1500).withDefaultVerdict(DefaultVerdict.DENY);
        Policy p = policy(10, 20);
        start(p, a -> Action.allow(), config);

        List<Command> sent = port.commands();
        assertInstanceOf(Command.SetConfig.class, sent.get(0));
        assertEquals(config, ((Command.SetConfig) sent.get(0)).config());
        assertInstanceOf(Command.SetPolicy.class, sent.get(1));
        assertEquals(p, ((Command.SetPolicy) sent.get(1)).policy());
        assertEquals(p, port.policy(), "the kernel side decoded the same policy from the bytes");
    }

    @Test
    void persistPolicyPushesEveryPolicyWithThePersistFlag() {
        service = PolicyService.builder(port).policy(policy(1)).persistPolicy(true).build().start();
        service.replacePolicy(policy(2, 3));

        // Only the SET_POLICY commands: the event poller's GET_EVENTS may come between them.
        java.util.List<Command.SetPolicy> pushes = port.commands().stream().filter(Command.SetPolicy.class::isInstance)
                .map(Command.SetPolicy.class::cast).toList();
        assertEquals(2, pushes.size(), pushes.toString());
        assertTrue(pushes.get(0).persist());
        assertTrue(pushes.get(1).persist());
        assertEquals(Optional.of(policy(2, 3)), port.persistedPolicy());
    }

    @Test
    void unlockUsesTheKeyTheServiceLockedWith() {
        Config locked = Config.defaults().locked(UnlockKey.random());
        start(policy(1), a -> Action.allow(), locked);
        assertTrue(port.config().isLocked());

        service.unlock();

        assertFalse(port.config().isLocked());
        assertEquals(0, port.unlockFailures());
    }

    @Test
    void unlockWithoutALockIsRefusedPlainly() {
        start(policy(1), a -> Action.allow(), Config.defaults());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> service.unlock());
        assertTrue(e.getMessage().contains("not locked"), e.getMessage());
    }

    @Test
    void aServiceStartingAgainstAnEarlierLockKeepsItAndStillPushesItsPolicy() {
        Config earlier = Config.defaults().withAskTimeoutMs(444).locked(UnlockKey.random());
        Result.decode(port.send(new Command.SetConfig(earlier).encode(), Protocol.RESULT_SIZE));

        start(policy(5), a -> Action.allow(), Config.defaults().locked(UnlockKey.random()));

        assertEquals(earlier, port.config(), "the earlier lock and its configuration stay");
        assertEquals(policy(5), port.policy());
        assertEquals(1, port.unlockFailures());
    }

    @Test
    void aRejectedPolicyNamesTheRuleAndKeepsTheOneInForce() {
        Policy first = policy(10);
        start(first, a -> Action.allow(), Config.defaults());
        int generation = port.generation();
        port.onSetPolicy(cmd -> new Result(0xC000000D, ErrorCode.BAD_PATTERN, 1, generation));

        CommandRejectedException e = assertThrows(CommandRejectedException.class,
                () -> service.replacePolicy(policy(10, 77)));

        assertTrue(e.getMessage().contains("rule id 77"), e.getMessage());
        assertTrue(e.getMessage().contains("pattern"), e.getMessage());
        assertEquals(ErrorCode.BAD_PATTERN, e.result().error());
        assertEquals(first, service.policy(), "the service still reports the policy in force");
    }

    @Test
    void aRejectedConfigurationStopsTheStart() {
        port.onSetConfig(cmd -> new Result(0xC000000D, ErrorCode.BAD_CONFIG, Protocol.INDEX_NONE, 0));
        PolicyService s = PolicyService.builder(port).policy(policy(1)).build();
        CommandRejectedException e = assertThrows(CommandRejectedException.class, s::start);
        assertTrue(e.getMessage().contains("configuration"), e.getMessage());
        assertEquals(1, port.commands().size(), "no policy is pushed after a refused configuration");
    }

    @Test
    void anAskIsAnsweredWithTheHandlersVerdict() throws Exception {
        List<Ask> seen = Collections.synchronizedList(new ArrayList<>());
        start(policy(1), a -> {
            seen.add(a);
            return a.path().endsWith(".txt") ? Action.deny(STATUS_SHARING_VIOLATION) : Action.allow();
        }, Config.defaults());

        PendingAsk pending = port.ask(ask(false, 3000));
        AskReply reply = pending.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);

        assertEquals(Action.deny(STATUS_SHARING_VIOLATION), reply.verdict());
        assertEquals(List.of(ask(false, 3000)), seen);
        assertEquals(1, service.asksAnswered());
    }

    @Test
    void aFailingHandlerGetsTheConfiguredDefaultVerdictAtOnce() throws Exception {
        start(policy(1), a -> {
            throw new IllegalStateException("database down");
        }, Config.defaults().withDefaultVerdict(DefaultVerdict.DENY).withDefaultDenyStatus(STATUS_SHARING_VIOLATION));

        AskReply reply = port.ask(ask(false, 3000)).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);

        assertEquals(Action.deny(STATUS_SHARING_VIOLATION), reply.verdict());
        assertEquals(1, service.asksFailed());
    }

    @Test
    void aVerdictThatCannotApplyInPostCreateIsReplacedByTheDefault() throws Exception {
        start(policy(1), a -> Action.redirect(0), Config.defaults());

        AskReply reply = port.ask(ask(true, 3000)).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);

        assertEquals(ActionType.ALLOW, reply.verdict().type());
        assertEquals(1, service.asksFailed());
    }

    @Test
    void aLateAnswerIsCountedNotLost() throws Exception {
        CountDownLatch expired = new CountDownLatch(1);
        start(policy(1), a -> {
            try {
                expired.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Action.allow();
        }, Config.defaults());

        PendingAsk pending = port.ask(ask(false, 50));
        ExecutionException e = assertThrows(ExecutionException.class, () -> {
            pending.expire();
            pending.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        });
        assertInstanceOf(TimeoutException.class, e.getCause());
        expired.countDown();

        waitFor(() -> service.asksLate() == 1);
        assertEquals(0, service.asksAnswered());
    }

    @Test
    void eventsReachTheListenerInOrderAndDropsAreReported() throws Exception {
        List<Long> dropped = Collections.synchronizedList(new ArrayList<>());
        service = PolicyService.builder(port).policy(policy(1)).eventInterval(Duration.ofMillis(20))
                .eventListener(new EventListener() {
                    @Override
                    public void onEvent(Event event) {
                        events.add(event);
                    }

                    @Override
                    public void onDropped(long total) {
                        dropped.add(total);
                    }
                }).build();
        int n = Protocol.EVENT_QUEUE_CAPACITY + 3;
        for (int i = 0; i < n; i++) {
            port.queueEvent(new Event(0, i, 1, Operation.CREATE, ActionType.DENY, 0xC0000022, 100 + i, 0,
                    "\\Device\\HarddiskVolume1", "\\secret\\" + i));
        }
        service.start();

        waitFor(() -> events.size() == Protocol.EVENT_QUEUE_CAPACITY);
        for (int i = 0; i < events.size(); i++) {
            assertEquals(100 + i, events.get(i).processId(), "event " + i + " out of order");
        }
        waitFor(() -> !dropped.isEmpty());
        assertEquals(3L, dropped.get(dropped.size() - 1));
    }

    @Test
    void statisticsGrowTheReplyBufferForMoreRulesThanPushed() {
        start(policy(1), a -> Action.allow(), Config.defaults());
        List<RuleStatistics> rules = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            rules.add(new RuleStatistics(i + 1, i * 3L));
        }
        Statistics stats = new Statistics(9, 1234, Map.of(ActionType.DENY, 17L), 5, 1, 0, 0, 0, 1, 0, 0, 17, 0, 0,
                3, 4, 5, 6, 7, rules);
        port.onGetStatistics(() -> stats);

        assertEquals(stats, service.statistics());
    }

    @Test
    void whenTheDriverGoesAwayTheThreadsStopInsteadOfSpinning() throws Exception {
        AtomicInteger receives = new AtomicInteger();
        FilterPort counting = new FilterPort() {
            @Override
            public ByteBuffer send(ByteBuffer command, int replyCapacity) {
                return port.send(command, replyCapacity);
            }

            @Override
            public Notification receive() {
                receives.incrementAndGet();
                return port.receive();
            }

            @Override
            public Optional<Notification> receive(Duration timeout) {
                receives.incrementAndGet();
                return port.receive(timeout);
            }

            @Override
            public void reply(long messageId, ByteBuffer replyBody) {
                port.reply(messageId, replyBody);
            }

            @Override
            public boolean isOpen() {
                return port.isOpen();
            }

            @Override
            public void close() {
                port.close();
            }
        };
        service = PolicyService.builder(counting).policy(policy(1)).askThreads(2)
                .eventInterval(Duration.ofMillis(20)).build().start();
        assertTrue(service.isConnected());

        port.disconnect();

        for (Thread t : service.threads()) {
            t.join(WAIT.toMillis());
            assertFalse(t.isAlive(), t.getName() + " stopped");
        }
        assertFalse(service.isConnected());
        // Every thread has ended: no receive can come after this count.
        assertTrue(receives.get() <= 4, "each ask thread gave up at once, receives: " + receives.get());
    }

    @Test
    void closeReleasesTheAskThreadsAndThePort() throws Exception {
        start(policy(1), a -> Action.allow(), Config.defaults());
        service.close();
        assertFalse(port.isOpen());
        for (Thread t : service.threads()) {
            assertFalse(t.isAlive(), t.getName() + ": close() waited for it");
        }
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("condition not met within " + WAIT);
            }
            Thread.sleep(5);
        }
    }
}
