package org.jminifilter.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;

import org.jminifilter.policy.Action;
import org.jminifilter.policy.DefaultVerdict;
import org.jminifilter.policy.Operation;
import org.jminifilter.policy.Policy;
import org.jminifilter.port.FilterPortException;
import org.jminifilter.port.HResult;
import org.jminifilter.port.InvalidPortHandleException;
import org.jminifilter.port.PortBrokenException;
import org.jminifilter.port.mock.MockFilterPort;
import org.jminifilter.protocol.Ask;
import org.jminifilter.protocol.AskReply;
import org.jminifilter.protocol.Config;
import org.jminifilter.protocol.Protocol;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.event.Level;

/**
 * Every ask is answered exactly once and no failure ends an ask thread (issue 11, item 16), and an
 * ask nobody can decide gets its default verdict (issue 10, fail-closed defaults). The services
 * here run ONE ask thread, so a second ask answered proves the thread survived the first.
 */
class AskAnsweringTest {
    private static final long WAIT_MS = 5000;
    private static final int STATUS_SHARING_VIOLATION = 0xC0000043;
    private static final int STATUS_LOCK_NOT_GRANTED = 0xC0000055;
    private static final int STATUS_CONFIGURED = 0xC0000061; // STATUS_PRIVILEGE_NOT_HELD
    private static final Config DENY_BY_DEFAULT = Config.defaults().withDefaultVerdict(DefaultVerdict.DENY)
            .withDefaultDenyStatus(STATUS_CONFIGURED);

    /** Rule 7 asks with its own default (deny, sharing violation); rule 8 with the configured one; 9 allows. */
    private static final Policy ASKING = Policy.builder()
            .rule(r -> r.id(7).operations(Operation.CREATE).path("\\own\\**")
                    .action(Action.ask().orDeny(STATUS_SHARING_VIOLATION)))
            .rule(r -> r.id(8).operations(Operation.CREATE).path("\\configured\\**").action(Action.ask()))
            .rule(r -> r.id(9).operations(Operation.CREATE).path("\\open\\**").action(Action.ask().orAllow()))
            .build();

    private final MockFilterPort kernel = new MockFilterPort();
    private final FaultyPort port = new FaultyPort(kernel);
    private PolicyService service;

    @BeforeEach
    void forgetLogs() {
        RecordingLoggers.clear();
    }

    @AfterEach
    void stop() {
        if (service != null) {
            service.close();
        }
        port.close();
    }

    private static Ask ask(int ruleId, String path, boolean postCreate) {
        return new Ask(1, ruleId, Operation.CREATE, 4242, 0x120116, 0, Protocol.FILE_OPEN,
                postCreate ? Protocol.ASK_FLAG_POST_CREATE : 0, 3000, "\\Device\\HarddiskVolume1", path,
                "\\Device\\HarddiskVolume1\\apps\\editor.exe");
    }

    private PolicyService start(AskHandler handler) {
        PolicyService.Builder b = PolicyService.builder(port).policy(ASKING).config(DENY_BY_DEFAULT)
                .eventListener(e -> { }).askThreads(1);
        if (handler != null) {
            b.askHandler(handler);
        }
        service = b.build().start();
        return service;
    }

    private AskReply answerTo(Ask ask) throws Exception {
        return kernel.ask(ask).get(WAIT_MS, TimeUnit.MILLISECONDS);
    }

    /** The handler answers {@code first} for the first ask and DENY(lock not granted) after that. */
    private static AskHandler firstThen(Supplier<Action> first) {
        boolean[] done = {false};
        return a -> {
            synchronized (done) {
                if (!done[0]) {
                    done[0] = true;
                    return first.get();
                }
            }
            return Action.deny(STATUS_LOCK_NOT_GRANTED);
        };
    }

    static Stream<Arguments> unusableVerdicts() {
        return Stream.of(
                Arguments.of("deny().inPostCreate()", (Supplier<Action>) () -> Action.deny().inPostCreate(), false),
                Arguments.of("audit().inPostCreate()", (Supplier<Action>) () -> Action.audit().inPostCreate(), false),
                Arguments.of("ask()", (Supplier<Action>) Action::ask, false),
                Arguments.of("an empty modify()", (Supplier<Action>) Action::modify, false),
                Arguments.of("null", (Supplier<Action>) () -> null, false),
                Arguments.of("redirect in post-create", (Supplier<Action>) () -> Action.redirect(0), true),
                Arguments.of("modify in post-create",
                        (Supplier<Action>) () -> Action.modify().withAccessClear(2), true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unusableVerdicts")
    void aVerdictThatCannotBeSentGetsTheDefaultAndTheThreadGoesOn(String name, Supplier<Action> verdict,
            boolean postCreate) throws Exception {
        start(firstThen(verdict));

        assertEquals(Action.deny(STATUS_SHARING_VIOLATION), answerTo(ask(7, "\\own\\a", postCreate)).verdict(),
                "the rule's own default verdict, at once");
        assertEquals(Action.deny(STATUS_LOCK_NOT_GRANTED), answerTo(ask(8, "\\configured\\b", false)).verdict(),
                "the same (only) ask thread answers the next ask");
        assertEquals(1, service.asksFailed());
        assertEquals(1, service.asksDefaulted());
        assertEquals(2, service.asksAnswered());
        assertTrue(service.isConnected());
    }

    static Stream<Arguments> handlerThrowables() {
        return Stream.of(
                Arguments.of(new IllegalStateException("database down")),
                Arguments.of(new StackOverflowError("simulated")),
                Arguments.of(new OutOfMemoryError("simulated")),
                Arguments.of(new AssertionError("simulated")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("handlerThrowables")
    void aHandlerThatThrowsAnythingGetsTheDefaultAndTheThreadGoesOn(Throwable thrown) throws Exception {
        start(firstThen(() -> {
            if (thrown instanceof Error e) {
                throw e;
            }
            throw (RuntimeException) thrown;
        }));

        assertEquals(Action.deny(STATUS_CONFIGURED), answerTo(ask(8, "\\configured\\a", false)).verdict(),
                "rule 8 names no default: the configured one");
        assertEquals(Action.deny(STATUS_LOCK_NOT_GRANTED), answerTo(ask(8, "\\configured\\b", false)).verdict());
        assertEquals(1, service.asksFailed());
        assertTrue(RecordingLoggers.entries(e -> e.level() == Level.ERROR && e.thrown() == thrown).size() == 1,
                "the failure is logged at ERROR with its stack trace");
    }

    static Stream<Arguments> replyFailures() {
        return Stream.of(
                Arguments.of(new FilterPortException("FilterReplyMessage failed with HRESULT 0x80004005", 0x80004005)),
                Arguments.of(FilterPortException.forHresult("FilterReplyMessage", HResult.INVALID_PARAMETER)),
                Arguments.of(new IllegalStateException("a bug in the port")),
                Arguments.of(new OutOfMemoryError("simulated")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("replyFailures")
    void aReplyThatFailsIsCountedAndTheThreadGoesOn(Throwable failure) throws Exception {
        start(a -> Action.allow());
        port.failNextReply(failure);

        kernel.ask(ask(9, "\\open\\lost", false)); // its reply fails: the kernel would wait out its timeout
        assertEquals(Action.allow(), answerTo(ask(9, "\\open\\next", false)).verdict());

        assertEquals(1, service.repliesFailed());
        assertEquals(1, service.asksAnswered());
        assertTrue(service.isConnected(), "a failed reply does not mean a lost connection");
    }

    static Stream<Arguments> brokenHandles() {
        return Stream.of(
                Arguments.of(FilterPortException.forHresult("FilterReplyMessage", HResult.INVALID_HANDLE)),
                // a port that can never receive again (its subclass)
                Arguments.of(new PortBrokenException("the port broke",
                        FilterPortException.forHresult("FilterGetMessage", HResult.INVALID_PARAMETER))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenHandles")
    void aReplyFailingWithAnInvalidHandleMarksTheServiceDisconnected(InvalidPortHandleException failure)
            throws Exception {
        service = PolicyService.builder(port).policy(ASKING).askHandler(a -> Action.allow()).eventListener(e -> { })
                .askThreads(2).build().start();
        assertTrue(service.isConnected());
        port.failNextReply(failure);

        kernel.ask(ask(9, "\\open\\a", false));

        for (Thread t : service.threads()) {
            t.join(WAIT_MS);
            assertFalse(t.isAlive(), t.getName() + " stops: the connection is gone");
        }
        assertFalse(service.isConnected());
        assertEquals(1, service.repliesFailed());
    }

    @Test
    void aBrokenPortOnReceiveMarksTheServiceDisconnected() throws Exception {
        port.failNextReceive(new PortBrokenException("every FilterGetMessage failed",
                FilterPortException.forHresult("FilterGetMessage", HResult.INVALID_PARAMETER)));
        start(a -> Action.allow());

        for (Thread t : service.threads()) {
            t.join(WAIT_MS);
            assertFalse(t.isAlive(), t.getName() + " stops instead of retrying a port that cannot receive");
        }
        assertFalse(service.isConnected());
        assertEquals(1, port.closes(), "the service closed the useless port");
    }

    @Test
    void aReceiveThatFailsOnceIsRetried() throws Exception {
        port.failNextReceive(FilterPortException.forHresult("FilterGetMessage", HResult.INVALID_PARAMETER));
        start(a -> Action.allow());

        assertEquals(Action.allow(), answerTo(ask(9, "\\open\\a", false)).verdict());
        assertTrue(service.isConnected());
    }

    @Test
    void withoutAHandlerEveryAskGetsItsDefaultVerdict() throws Exception {
        start(null);

        assertEquals(Action.deny(STATUS_SHARING_VIOLATION), answerTo(ask(7, "\\own\\a", false)).verdict(),
                "the rule's orDeny");
        assertEquals(Action.deny(STATUS_CONFIGURED), answerTo(ask(8, "\\configured\\a", false)).verdict(),
                "the configured default verdict");
        assertEquals(Action.allow(), answerTo(ask(9, "\\open\\a", false)).verdict(), "the rule's orAllow");
        assertEquals(Action.deny(STATUS_CONFIGURED), answerTo(ask(77, "\\unknown\\a", false)).verdict(),
                "a rule the service does not know: the configured default");
        assertEquals(4, service.asksDefaulted());
        assertEquals(0, service.asksFailed(), "no handler is not a handler failure");
    }

    @Test
    void anAskOfAnUnknownGenerationGetsTheConfiguredDefault() throws Exception {
        start(null);
        Ask older = new Ask(99, 7, Operation.CREATE, 1, 0, 0, 0, 0, 3000, "\\Device\\HarddiskVolume1", "\\own\\x",
                "\\x.exe");
        assertEquals(Action.deny(STATUS_CONFIGURED), answerTo(older).verdict(),
                "rule 7 of generation 99 is not known: its default may differ");
    }

    @Test
    void anAskOfThePreviousGenerationGetsThatGenerationsDefault() throws Exception {
        start(null);
        service.replacePolicy(Policy.builder().rule(r -> r.id(7).operations(Operation.CREATE).path("\\own\\**")
                .action(Action.ask().orAllow())).build());

        assertEquals(Action.deny(STATUS_SHARING_VIOLATION), answerTo(ask(7, "\\own\\a", false)).verdict(),
                "generation 1's rule 7 denies");
        Ask current = new Ask(2, 7, Operation.CREATE, 1, 0, 0, 0, 0, 3000, "\\Device\\HarddiskVolume1", "\\own\\x",
                "\\x.exe");
        assertEquals(Action.allow(), answerTo(current).verdict(), "generation 2's rule 7 allows");
    }

    /**
     * The service finds an ask's rule by id in an index of the policy (not by walking it): every
     * ask rule of a large policy whose ids come in no order, numbers and named ids (high bit set,
     * negative as an int) mixed, gets its own rule's default verdict.
     */
    @Test
    void everyAskRuleOfALargePolicyWithIdsInAnyOrderGetsItsOwnDefault() throws Exception {
        Policy.Builder b = Policy.builder();
        List<Integer> ids = new java.util.ArrayList<>();
        for (int i = 0; i < 300; i++) {
            int id = i % 2 == 0 ? 0x80000000 | (i * 7919) : 100_000 - i;
            ids.add(id);
            int n = i;
            b.rule(r -> r.id(id).operations(Operation.CREATE).path("\\r" + n + "\\**").action(switch (n % 4) {
                case 0 -> Action.ask().orDeny(0xC0000100 + n);
                case 1 -> Action.ask().orAllow();
                case 2 -> Action.ask();
                default -> Action.audit();
            }));
        }
        service = PolicyService.builder(port).policy(b.build()).config(DENY_BY_DEFAULT).eventListener(e -> { })
                .askThreads(1).build().start();

        for (int i = 0; i < 300; i++) {
            Action expected = switch (i % 4) {
                case 0 -> Action.deny(0xC0000100 + i);
                case 1 -> Action.allow();
                default -> Action.deny(STATUS_CONFIGURED); // the configured default: its own, or not an ask rule
            };
            assertEquals(expected, answerTo(new Ask(1, ids.get(i), Operation.CREATE, 1, 0, 0, 0, 0, 3000,
                    "\\Device\\HarddiskVolume1", "\\r" + i + "\\x", "\\x.exe")).verdict(),
                    "rule #" + i + " (id " + Integer.toUnsignedString(ids.get(i)) + ")");
        }
        assertEquals(Action.deny(STATUS_CONFIGURED), answerTo(new Ask(1, 0x80000001, Operation.CREATE, 1, 0, 0, 0,
                0, 3000, "\\Device\\HarddiskVolume1", "\\x", "\\x.exe")).verdict(), "an id not in the policy");
    }

    @Test
    void buildWarnsWhenThePolicyAsksAndNoHandlerIsSet() {
        PolicyService.builder(new MockFilterPort()).policy(ASKING).build();
        List<RecordingLoggers.Entry> warnings = RecordingLoggers.entries(
                e -> e.level() == Level.WARN && e.logger().equals(PolicyService.class.getName()));
        assertEquals(1, warnings.size(), "one WARN: " + warnings);
        assertTrue(warnings.get(0).message().contains("no ask handler"), warnings.get(0).message());

        RecordingLoggers.clear();
        PolicyService.builder(new MockFilterPort()).policy(ASKING).askHandler(a -> Action.allow()).build();
        PolicyService.builder(new MockFilterPort()).policy(Policy.builder()
                .rule(r -> r.id(1).operations(Operation.CREATE).path("\\a\\**").deny()).build()).build();
        assertEquals(List.of(), RecordingLoggers.entries(e -> e.level() == Level.WARN),
                "no warning with a handler, nor without ASK rules");
    }

    @Test
    void aMalformedAskIsAnsweredAtOnceWithTheConfiguredDefault() throws Exception {
        start(a -> Action.allow());
        long id = kernel.notify(java.nio.ByteBuffer.allocate(12), Protocol.REPLY_BUFFER_SIZE);

        assertEquals(Action.allow(), answerTo(ask(9, "\\open\\a", false)).verdict(), "the thread goes on");
        MockFilterPort.Reply reply = kernel.replies().stream().filter(r -> r.messageId() == id).findFirst()
                .orElseThrow(() -> new AssertionError("the malformed ask got no reply"));
        assertEquals(Action.deny(STATUS_CONFIGURED), AskReply.decode(reply.body()).verdict());
        assertEquals(1, service.asksMalformed());
    }

    @Test
    void aNotificationWithNoRoomForAReplyIsNotAnswered() throws Exception {
        start(a -> Action.allow());
        long id = kernel.notify(java.nio.ByteBuffer.allocate(12), 0);

        assertEquals(Action.allow(), answerTo(ask(9, "\\open\\a", false)).verdict());
        assertTrue(kernel.replies().stream().noneMatch(r -> r.messageId() == id));
        assertEquals(1, service.asksMalformed());
    }

    @Test
    void aLateAnswerIsCountedAsLate() throws Exception {
        java.util.concurrent.CountDownLatch expired = new java.util.concurrent.CountDownLatch(1);
        start(a -> {
            try {
                expired.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Action.allow();
        });
        kernel.ask(ask(9, "\\open\\a", false)).expire();
        expired.countDown();

        assertEquals(Action.allow(), answerTo(ask(9, "\\open\\b", false)).verdict());
        assertEquals(1, service.asksLate());
        assertEquals(1, service.asksAnswered());
        assertEquals(0, service.repliesFailed());
    }
}
