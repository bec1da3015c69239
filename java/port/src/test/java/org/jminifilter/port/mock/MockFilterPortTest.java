package org.jminifilter.port.mock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jminifilter.policy.Action;
import org.jminifilter.policy.ActionType;
import org.jminifilter.policy.Operation;
import org.jminifilter.policy.Policy;
import org.jminifilter.port.FilterPortException;
import org.jminifilter.port.HResult;
import org.jminifilter.port.InsufficientBufferException;
import org.jminifilter.port.InvalidPortHandleException;
import org.jminifilter.port.NoWaiterForReplyException;
import org.jminifilter.port.Notification;
import org.jminifilter.port.PortAccessDeniedException;
import org.jminifilter.port.PortClosedException;
import org.jminifilter.protocol.Ask;
import org.jminifilter.protocol.AskReply;
import org.jminifilter.protocol.Command;
import org.jminifilter.protocol.Config;
import org.jminifilter.protocol.ErrorCode;
import org.jminifilter.protocol.Event;
import org.jminifilter.protocol.EventBatch;
import org.jminifilter.protocol.Protocol;
import org.jminifilter.protocol.ProtocolException;
import org.jminifilter.protocol.Result;
import org.jminifilter.protocol.Statistics;
import org.jminifilter.protocol.UnlockKey;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The mock port as the service uses it: bytes in and out, exactly as on the real port. */
class MockFilterPortTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    private final MockFilterPort port = new MockFilterPort();
    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void tearDown() {
        port.close();
        threads.shutdownNow();
    }

    static Policy policy(int rules) {
        Policy.Builder builder = Policy.builder();
        for (int i = 0; i < rules; i++) {
            int id = 100 + i;
            builder.rule(r -> r.id(id).operations(Operation.CREATE).path("\\secret" + id + "\\**")
                    .action(Action.deny()));
        }
        return builder.build();
    }

    static Ask ask(int ruleId) {
        return Ask.builder().ruleId(ruleId).processId(1234).createOptions(0x40).volume("\\Device\\HarddiskVolume3")
                .path("\\Users\\bob\\secret.txt").image("\\Device\\HarddiskVolume3\\notepad.exe").build();
    }

    static Event event(long sequence) {
        return Event.builder().time(133_000_000_000_000_000L + sequence).sequence(sequence).ruleId(7)
                .operation(Operation.WRITE).verdict(ActionType.AUDIT).processId(4321).volume("\\Device\\HarddiskVolume3")
                .path("\\log" + sequence + ".txt").build();
    }

    private Result setPolicy(Policy policy) {
        return Result.decode(port.send(new Command.SetPolicy(policy).encode(), Protocol.RESULT_SIZE));
    }

    // ------------------------------------------------------------------ commands

    @Test
    void setPolicyIsAcceptedWithAnIncreasingGenerationByDefault() {
        Policy first = policy(2);
        Policy second = policy(3);

        Result one = setPolicy(first);
        Result two = setPolicy(second);

        assertTrue(one.isSuccess());
        assertEquals(1, one.generation());
        assertEquals(2, two.generation());
        assertEquals(2, port.generation());
        assertEquals(second, port.policy());
        assertEquals(List.of(new Command.SetPolicy(first), new Command.SetPolicy(second)), port.commands());
    }

    @Test
    void setConfigIsAcceptedWithTheCurrentGeneration() {
        setPolicy(policy(1));
        Config config = Config.defaults().withAskTimeoutMs(500);

        Result result = Result.decode(port.send(new Command.SetConfig(config).encode(), 16));

        assertTrue(result.isSuccess());
        assertEquals(1, result.generation());
        assertEquals(config, port.config());
    }

    @Test
    void persistKeepsThePolicyAndTheUnlockedConfigAndTheEmptyOnesClear() {
        Policy p = policy(2);
        Result.decode(port.send(new Command.SetPolicy(p, true).encode(), 16));
        Config locked = Config.defaults().withAskTimeoutMs(700).persisted().locked(UnlockKey.random());
        assertTrue(Result.decode(port.send(new Command.SetConfig(locked).encode(), 16)).isSuccess());

        assertEquals(Optional.of(p), port.persistedPolicy());
        assertEquals(Optional.of(locked.unlocked()), port.persistedConfig(), "the lock is never kept");

        Result.decode(port.send(new Command.SetPolicy(policy(0), false).encode(), 16));
        assertEquals(Optional.of(p), port.persistedPolicy(), "a push without persist leaves it");
        Result.decode(port.send(new Command.SetPolicy(policy(0), true).encode(), 16));
        assertEquals(Optional.empty(), port.persistedPolicy());
    }

    @Test
    void aLockedConfigNeedsItsKeyToChangeOrUnlock() {
        UnlockKey key = UnlockKey.random();
        Config locked = Config.defaults().locked(key);
        assertTrue(Result.decode(port.send(new Command.SetConfig(locked).encode(), 16)).isSuccess());

        Result drop = Result.decode(port.send(new Command.SetConfig(Config.defaults()).encode(), 16));
        Result wrong = Result.decode(port.send(new Command.Unlock(UnlockKey.random()).encode(), 16));
        assertEquals(ErrorCode.LOCKED, drop.error());
        assertEquals(ErrorCode.LOCKED, wrong.error());
        assertEquals(2, port.unlockFailures());
        assertEquals(locked, port.config());

        assertTrue(Result.decode(port.send(new Command.SetConfig(locked.withAskTimeoutMs(900)).encode(), 16)).isSuccess());
        assertTrue(Result.decode(port.send(new Command.Unlock(key).encode(), 16)).isSuccess());
        assertFalse(port.config().isLocked());
        assertEquals(900, port.config().askTimeoutMs());
    }

    @Test
    void aHandlerCanRejectAPolicyAndThePolicyInForceStays() {
        port.onSetPolicy(command -> new Result(0xC000000D, ErrorCode.BAD_PATTERN, 1, 0));

        Result result = setPolicy(policy(2));

        assertFalse(result.isSuccess());
        assertEquals(ErrorCode.BAD_PATTERN, result.error());
        assertEquals(1, result.ruleIndex());
        assertEquals(0, port.generation());
        assertEquals(Policy.EMPTY, port.policy());
    }

    @Test
    void nextCommandHandsOutEachCommandOnceInOrder() throws Exception {
        Future<?> service = threads.submit(() -> {
            port.send(new Command.GetEvents().encode(), 16);
            port.send(new Command.SetConfig(Config.defaults()).encode(), 16);
        });

        assertInstanceOf(Command.GetEvents.class, port.nextCommand(WAIT));
        assertEquals(Config.defaults(), port.nextCommand(Command.SetConfig.class, WAIT).config());
        service.get(5, TimeUnit.SECONDS);
        assertTrue(port.pollCommand(Duration.ofMillis(20)).isEmpty());
        IllegalStateException none = assertThrows(IllegalStateException.class,
                () -> port.nextCommand(Duration.ofMillis(20)));
        assertTrue(none.getMessage().contains("no command"), none.getMessage());
    }

    @Test
    void nextCommandOfATypeThatNeverComesSaysWhatCameInstead() {
        port.send(new Command.GetStatistics().encode(), 1024);

        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> port.nextCommand(Command.SetPolicy.class, Duration.ofMillis(50)));
        assertTrue(e.getMessage().contains("no SetPolicy"), e.getMessage());
        assertTrue(e.getMessage().contains("GetStatistics"), e.getMessage());
    }

    @Test
    void nextCommandOfATypeSkipsTheCommandsOfOtherTypes() throws Exception {
        Policy policy = policy(2);
        Future<?> service = threads.submit(() -> {
            port.send(new Command.SetConfig(Config.defaults()).encode(), 16);
            port.send(new Command.GetEvents().encode(), 16);
            port.send(new Command.SetPolicy(policy).encode(), 16);
            port.send(new Command.GetStatistics().encode(), 4096);
        });

        assertEquals(policy, port.nextCommand(Command.SetPolicy.class).policy());
        assertInstanceOf(Command.GetStatistics.class, port.nextCommand(Command.GetStatistics.class));
        service.get(5, TimeUnit.SECONDS);
        assertTrue(port.pollCommand(Duration.ZERO).isEmpty(), "the skipped commands were taken");
        assertEquals(4, port.commands().size(), "and are still in the history");
    }

    @Test
    void byDefaultTheRecordKeepsTheLastThousandCommandsAndCountsTheRest() {
        int sent = MockFilterPort.DEFAULT_RECORD_LIMIT + 500;
        for (int i = 0; i < sent; i++) {
            port.send(new Command.GetEvents().encode(), EventBatch.size(0));
        }
        setPolicy(policy(1));

        assertEquals(MockFilterPort.DEFAULT_RECORD_LIMIT, port.recordLimit());
        assertEquals(MockFilterPort.DEFAULT_RECORD_LIMIT, port.commands().size(), "the record is bounded");
        assertEquals(new Command.SetPolicy(policy(1)), port.commands().get(MockFilterPort.DEFAULT_RECORD_LIMIT - 1),
                "the newest command is kept");
        assertEquals(sent + 1, port.commandsReceived(), "every command is counted");
    }

    @Test
    void commandsDroppedBeforeBeingTakenAreSkippedAndTheRestComeInOrder() {
        port.setRecordLimit(3);
        for (int rules = 1; rules <= 5; rules++) {
            setPolicy(policy(rules));
        }

        assertEquals(List.of(new Command.SetPolicy(policy(3)), new Command.SetPolicy(policy(4)),
                new Command.SetPolicy(policy(5))), port.commands());
        assertEquals(5, port.commandsReceived());
        assertEquals(policy(3), port.nextCommand(Command.SetPolicy.class).policy(), "the oldest one kept");
        assertEquals(policy(4), port.nextCommand(Command.SetPolicy.class).policy());
        assertEquals(policy(5), port.nextCommand(Command.SetPolicy.class).policy());
        assertTrue(port.pollCommand(Duration.ZERO).isEmpty());
    }

    @Test
    void lowerRecordLimitDropsTheOldestRepliesAtOnce() {
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            long id = port.notify(ByteBuffer.wrap(new byte[] {(byte) i}), Protocol.REPLY_BUFFER_SIZE);
            port.receive();
            port.reply(id, ByteBuffer.wrap(new byte[] {(byte) i}));
            ids.add(id);
        }
        assertEquals(ids, port.replies().stream().map(MockFilterPort.Reply::messageId).toList());

        port.setRecordLimit(2);

        assertEquals(ids.subList(2, 4), port.replies().stream().map(MockFilterPort.Reply::messageId).toList());
        assertEquals(4, port.repliesAccepted());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> port.setRecordLimit(0));
        assertTrue(e.getMessage().contains("at least 1, not 0"), e.getMessage());
        assertEquals(2, port.recordLimit(), "a refused limit changes nothing");
    }

    @Test
    void askByOperationProcessPathAndImageFillsTheRestAndReturnsTheReplyFuture() throws Exception {
        setPolicy(Policy.builder().volume("\\Device\\HarddiskVolume7")
                .rule(r -> r.id(5).operations(Operation.DELETE).action(Action.ask())).build());

        PendingAsk pending = port.ask(Operation.DELETE, 1200, "\\docs\\plan.docx",
                "\\Device\\HarddiskVolume7\\Windows\\explorer.exe");
        Notification n = port.receive(WAIT).orElseThrow();
        Ask ask = Ask.decode(n.body());
        assertEquals(Operation.DELETE, ask.operation());
        assertEquals(1200, ask.processId());
        assertEquals("\\docs\\plan.docx", ask.path());
        assertEquals("\\Device\\HarddiskVolume7\\Windows\\explorer.exe", ask.image());
        assertEquals("\\Device\\HarddiskVolume7", ask.volume(), "the policy's first volume");
        assertEquals(1, ask.generation(), "the generation in force");
        assertEquals(ask, pending.ask());

        port.reply(n.messageId(), new AskReply(Action.deny()).encode());
        assertEquals(new AskReply(Action.deny()), pending.get(5, TimeUnit.SECONDS));
    }

    @Test
    void statisticsTooLargeForTheBufferMakeThePortGrowItAndAskAgain() {
        setPolicy(policy(300));

        ByteBuffer reply = port.send(new Command.GetStatistics().encode(), Protocol.STATISTICS_SIZE);

        Statistics statistics = Statistics.decode(reply);
        assertEquals(Statistics.size(300), reply.remaining());
        assertEquals(300, statistics.rules().size());
        assertEquals(100, statistics.rules().get(0).ruleId());
        assertEquals(399, statistics.rules().get(299).ruleId());
        assertEquals(1, statistics.generation());
        // 160 bytes (too small), 4096 (too small for 4960), 8192: the driver saw it three times.
        long attempts = port.commands().stream().filter(Command.GetStatistics.class::isInstance).count();
        assertEquals(3, attempts);
    }

    @Test
    void growthStopsAtTheBound() {
        MockFilterPort small = new MockFilterPort(8192);
        small.send(new Command.SetPolicy(policy(1000)).encode(), 16);

        InsufficientBufferException e = assertThrows(InsufficientBufferException.class,
                () -> small.send(new Command.GetStatistics().encode(), 160));

        assertEquals(8192, e.capacityTried());
        assertEquals(HResult.INSUFFICIENT_BUFFER, e.hresult());
    }

    @Test
    void getEventsMovesAsManyEventsAsFitOldestFirst() {
        for (int i = 1; i <= 5; i++) {
            port.queueEvent(event(i));
        }

        EventBatch first = EventBatch.decode(port.send(new Command.GetEvents().encode(),
                EventBatch.size(2)));
        EventBatch second = EventBatch.decode(port.send(new Command.GetEvents().encode(), 0));
        EventBatch third = EventBatch.decode(port.send(new Command.GetEvents().encode(), EventBatch.size(3)));
        EventBatch empty = EventBatch.decode(port.send(new Command.GetEvents().encode(), 16));

        assertEquals(List.of(event(1), event(2)), first.events());
        assertEquals(3, first.pending());
        assertEquals(List.of(event(3)), second.events(), "grown to 4096 bytes: 1 event of 2224 bytes fits");
        assertEquals(2, second.pending());
        assertEquals(List.of(event(4), event(5)), third.events());
        assertEquals(0, third.pending());
        assertEquals(0, empty.events().size());
    }

    @Test
    void eventsPastTheQueueCapacityAreDroppedAndCounted() {
        for (int i = 0; i < Protocol.EVENT_QUEUE_CAPACITY + 2; i++) {
            port.queueEvent(event(i));
        }

        EventBatch batch = EventBatch.decode(port.send(new Command.GetEvents().encode(), EventBatch.size(1)));

        assertEquals(2, batch.dropped());
        assertEquals(Protocol.EVENT_QUEUE_CAPACITY - 1, batch.pending());
    }

    @Test
    void aScriptedFailureFailsOnlyTheNextSend() {
        port.failNextSend(HResult.ACCESS_DENIED);

        assertThrows(PortAccessDeniedException.class, () -> port.send(new Command.GetEvents().encode(), 16));
        assertEquals(0, EventBatch.decode(port.send(new Command.GetEvents().encode(), 16)).events().size());
    }

    @Test
    void aPolicyTheDriverWouldRejectIsAnsweredWithAResultNamingTheRuleAndChangesNothing() {
        Policy good = Policy.builder()
                .rule(r -> r.id(1).operations(Operation.CREATE).path("\\a\\**").deny())
                .build();
        Result first = Result.decode(port.send(new Command.SetPolicy(good).encode(), Protocol.RESULT_SIZE));
        Policy next = Policy.builder()
                .rule(r -> r.id(1).operations(Operation.CREATE).path("\\a\\**").deny())
                .rule(r -> r.id(2).operations(Operation.CREATE).path("\\b\\**").deny())
                .build();
        ByteBuffer command = new Command.SetPolicy(next).encode();
        int policy = Protocol.COMMAND_HEADER_SIZE;
        int ruleOffset = command.getInt(policy + 16);
        // Rule #1's DENY status becomes 0, which is not an error NTSTATUS: only the driver's checks catch it.
        command.putInt(policy + ruleOffset + Protocol.RULE_SIZE + 40 + 8, 0);

        Result result = Result.decode(port.send(command, Protocol.RESULT_SIZE));

        assertFalse(result.isSuccess());
        assertEquals(ErrorCode.BAD_STATUS, result.error());
        assertEquals(1, result.ruleIndex());
        assertEquals(first.generation(), result.generation(), "the generation in force is unchanged");
        assertEquals(good, port.policy(), "the policy in force is unchanged");
    }

    @Test
    void anAuditOnlyPolicyIsTakenAndAnAuditOnlyAllowIsRefusedAsTheDriverRefusesIt() {
        Policy audit = Policy.builder().auditOnly()
                .rule(r -> r.id(1).operations(Operation.CREATE).path("\\a\\**").deny())
                .rule(r -> r.id(2).operations(Operation.CREATE).path("\\b\\**").allow())
                .build();
        Result first = Result.decode(port.send(new Command.SetPolicy(audit).encode(), Protocol.RESULT_SIZE));
        assertTrue(first.isSuccess());
        assertEquals(audit, port.policy());

        ByteBuffer command = new Command.SetPolicy(audit).encode();
        int policy = Protocol.COMMAND_HEADER_SIZE;
        int ruleOffset = command.getInt(policy + 16);
        // Rule #1's ALLOW marked audit-only (JMF_ACTION_FLAG_AUDIT_ONLY): the driver's BAD_FLAGS.
        command.putInt(policy + ruleOffset + Protocol.RULE_SIZE + 40 + 4, Protocol.ACTION_FLAG_AUDIT_ONLY);
        Result result = Result.decode(port.send(command, Protocol.RESULT_SIZE));
        assertEquals(ErrorCode.BAD_FLAGS, result.error());
        assertEquals(1, result.ruleIndex());
        assertEquals(audit, port.policy(), "the policy in force is unchanged");
    }

    @Test
    void aMalformedCommandIsRefusedAsTheDriverWouldAndNotRecorded() {
        ByteBuffer command = new Command.GetEvents().encode();
        command.putInt(4, 12); // Length disagrees with the 8 bytes sent

        FilterPortException e = assertThrows(FilterPortException.class, () -> port.send(command, 16));

        assertEquals(HResult.INVALID_PARAMETER, e.hresult());
        assertTrue(e.getMessage().contains("Length"), e.getMessage());
        assertInstanceOf(ProtocolException.class, e.getCause());
        assertTrue(port.commands().isEmpty());
    }

    // ------------------------------------------------------------------ asks

    @Test
    void anAskArrivesAsBytesAndTheReplyCompletesItsFuture() throws Exception {
        PendingAsk pending = port.ask(ask(7));

        Notification notification = port.receive();
        assertEquals(pending.messageId(), notification.messageId());
        assertEquals(Protocol.REPLY_BUFFER_SIZE, notification.replyLength(), "16-byte header + 40-byte reply");
        assertEquals(Protocol.ASK_SIZE, notification.body().remaining());
        assertEquals(ask(7), Ask.decode(notification.body()));

        AskReply verdict = new AskReply(Action.deny());
        port.reply(notification.messageId(), verdict.encode());

        assertEquals(verdict, pending.get(5, TimeUnit.SECONDS));
        assertEquals(1, port.replies().size());
        assertEquals(pending.messageId(), port.replies().get(0).messageId());
        assertEquals(verdict.encode(), port.replies().get(0).body());
    }

    @Test
    void aReplyAfterTheKernelStoppedWaitingIsNoWaiterForReply() {
        PendingAsk pending = port.ask(ask(7));
        Notification notification = port.receive();

        assertTrue(pending.expire());

        ExecutionException timedOut = assertThrows(ExecutionException.class, () -> pending.get(5, TimeUnit.SECONDS));
        assertInstanceOf(TimeoutException.class, timedOut.getCause());
        NoWaiterForReplyException late = assertThrows(NoWaiterForReplyException.class,
                () -> port.reply(notification.messageId(), new AskReply(Action.allow()).encode()));
        assertEquals(HResult.NO_WAITER_FOR_REPLY, late.hresult());
        assertTrue(port.replies().isEmpty());
        assertFalse(pending.expire(), "already expired");
    }

    @Test
    void anAskWithAKernelTimeoutExpiresByItself() {
        PendingAsk pending = port.ask(ask(7), Duration.ofMillis(50));
        Notification notification = port.receive();

        ExecutionException timedOut = assertThrows(ExecutionException.class, () -> pending.get(5, TimeUnit.SECONDS));

        assertInstanceOf(TimeoutException.class, timedOut.getCause());
        assertThrows(NoWaiterForReplyException.class,
                () -> port.reply(notification.messageId(), new AskReply(Action.allow()).encode()));
    }

    @Test
    void replyBytesThatAreNotAnAskReplyFailTheFutureNotTheCall() {
        PendingAsk pending = port.ask(ask(7));
        Notification notification = port.receive();

        port.reply(notification.messageId(), ByteBuffer.allocate(39));

        ExecutionException bad = assertThrows(ExecutionException.class, () -> pending.get(5, TimeUnit.SECONDS));
        assertInstanceOf(ProtocolException.class, bad.getCause());
    }

    @Test
    void aReplyToAMessageNeverSentIsNoWaiterForReply() {
        assertThrows(NoWaiterForReplyException.class, () -> port.reply(999, new AskReply(Action.allow()).encode()));
    }

    @Test
    void rawNotificationsWaitForAReplyOnlyWhenTheyLeaveRoomForOne() {
        long noReply = port.notify(ByteBuffer.wrap(new byte[] {1, 2, 3}), 0);
        long withReply = port.notify(ByteBuffer.wrap(new byte[] {4}), Protocol.REPLY_BUFFER_SIZE);

        Notification first = port.receive();
        Notification second = port.receive();

        assertEquals(noReply, first.messageId());
        assertEquals(0, first.replyLength());
        assertEquals(3, first.body().remaining());
        assertThrows(NoWaiterForReplyException.class, () -> port.reply(noReply, ByteBuffer.allocate(40)));
        port.reply(second.messageId(), ByteBuffer.wrap(new byte[] {9, 9}));
        assertEquals(withReply, port.replies().get(0).messageId());
        assertEquals(2, port.replies().get(0).body().remaining());
    }

    @Test
    void receiveWithATimeoutReturnsEmptyWhenNoAskComes() {
        assertTrue(port.receive(Duration.ofMillis(20)).isEmpty());
    }

    @Test
    void severalReceiversEachGetOneAsk() throws Exception {
        List<Future<Notification>> receivers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            receivers.add(threads.submit(() -> port.receive()));
        }
        Set<Long> sent = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            sent.add(port.ask(ask(i)).messageId());
        }
        Set<Long> received = new HashSet<>();
        for (Future<Notification> receiver : receivers) {
            received.add(receiver.get(5, TimeUnit.SECONDS).messageId());
        }
        assertEquals(sent, received);
    }

    // ------------------------------------------------------------------ close and disconnect

    @Test
    void closeReleasesWaitingReceiversAndFailsEverythingAfter() throws Exception {
        PendingAsk unanswered = port.ask(ask(1));
        port.receive(); // the ask is taken, not answered
        Future<Throwable> receiver = threads.submit(() -> {
            try {
                port.receive();
                return null;
            } catch (Throwable t) {
                return t;
            }
        });
        Thread.sleep(50);

        port.close();
        port.close();

        assertInstanceOf(PortClosedException.class, receiver.get(5, TimeUnit.SECONDS));
        ExecutionException abandoned = assertThrows(ExecutionException.class,
                () -> unanswered.get(5, TimeUnit.SECONDS));
        assertInstanceOf(PortClosedException.class, abandoned.getCause());
        assertFalse(port.isOpen());
        assertThrows(PortClosedException.class, () -> port.send(new Command.GetEvents().encode(), 16));
        assertThrows(PortClosedException.class, () -> port.receive(Duration.ZERO));
        assertThrows(PortClosedException.class, () -> port.reply(1, ByteBuffer.allocate(40)));
        assertThrows(PortClosedException.class, () -> port.ask(ask(2)));
    }

    @Test
    void disconnectFailsReceiversAndCallsWithInvalidHandleUntilClosed() throws Exception {
        Future<Throwable> receiver = threads.submit(() -> {
            try {
                port.receive();
                return null;
            } catch (Throwable t) {
                return t;
            }
        });
        PendingAsk pending = port.ask(ask(1));
        Thread.sleep(50);
        port.receive(Duration.ZERO); // whoever gets the ask, it stays unanswered

        port.disconnect();

        Throwable released = receiver.get(5, TimeUnit.SECONDS);
        if (released != null) {
            assertInstanceOf(InvalidPortHandleException.class, released);
        }
        InvalidPortHandleException e = assertThrows(InvalidPortHandleException.class,
                () -> port.send(new Command.GetEvents().encode(), 16));
        assertEquals(HResult.INVALID_HANDLE, e.hresult());
        assertTrue(e.getMessage().contains("unloading"), e.getMessage());
        assertInstanceOf(InvalidPortHandleException.class,
                assertThrows(ExecutionException.class, () -> pending.get(5, TimeUnit.SECONDS)).getCause());
        assertTrue(port.isOpen(), "the handle stays the caller's to close");
        port.close();
        assertThrows(PortClosedException.class, () -> port.send(new Command.GetEvents().encode(), 16));
    }
}
