package org.jminifilter.emulator;

import static com.sun.jna.platform.win32.WinNT.FILE_READ_DATA;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jminifilter.policy.Action;
import org.jminifilter.policy.ActionType;
import org.jminifilter.policy.Disposition;
import org.jminifilter.policy.Operation;
import org.jminifilter.policy.Policy;
import org.jminifilter.protocol.Ask;
import org.jminifilter.protocol.Event;
import org.jminifilter.protocol.Protocol;
import org.jminifilter.protocol.Statistics;
import org.junit.jupiter.api.Test;
import org.jminifilter.protocol.NtStatus;

/** ASK through the real driver: Java's AskHandler decides, or the ask times out to its default verdict. */
class AskEndToEndTest extends EmulatorFixture {

    private final List<Ask> asked = new CopyOnWriteArrayList<>();

    @Test
    void javaAnswersTheAsk() {
        kernel.putText(v1, "\\shared\\notes.txt", "notes");
        kernel.putText(v1, "\\shared\\payroll.xlsx", "salaries");
        startService(Policy.builder()
                .rule(r -> r.id(50).operations(Operation.CREATE).path("\\shared\\**")
                        .action(Action.ask().withTimeoutMs(10_000).orAllow()))
                .build(), ask -> {
                    asked.add(ask);
                    return ask.path().endsWith(".xlsx") ? Action.deny(NtStatus.SHARING_VIOLATION.value())
                            : Action.allow();
                });

        OpenResult notes = notepad.open(v1, "\\shared\\notes.txt", FILE_READ_DATA, Disposition.OPEN);
        OpenResult payroll = tool.open(v1, "\\shared\\payroll.xlsx", FILE_READ_DATA, Disposition.OPEN);

        assertEquals(NtStatus.SUCCESS, notes.status());
        notes.orThrow().close();
        assertEquals(NtStatus.SHARING_VIOLATION, payroll.status(), "Java's DENY verdict, with its status");
        assertNoHandle(payroll);

        assertEquals(2, asked.size(), asked.toString());
        Ask first = asked.get(0);
        assertEquals(50, first.ruleId());
        assertEquals(Operation.CREATE, first.operation());
        assertEquals(1200, first.processId());
        assertEquals("\\shared\\notes.txt", first.path());
        assertEquals(VOLUME1, first.volume());
        assertEquals(NOTEPAD_IMAGE, first.image());
        assertEquals(Disposition.OPEN.code(), first.createDisposition());
        assertTrue((first.desiredAccess() & FILE_READ_DATA) != 0, "desired access 0x"
                + Integer.toHexString(first.desiredAccess()));
        assertEquals(10_000, first.timeoutMs());
        assertEquals(1300, asked.get(1).processId());
        assertEquals(TOOL_IMAGE, asked.get(1).image());

        List<Event> answered = eventsWhere(e -> e.ruleId() == 50);
        assertTrue(answered.stream().allMatch(e -> e.hasFlag(Protocol.EVENT_FLAG_ASKED)), answered.toString());
        assertTrue(answered.stream().anyMatch(e -> e.verdict() == ActionType.DENY
                && e.path().equals("\\shared\\payroll.xlsx")), answered.toString());
        Statistics s = service.statistics();
        assertEquals(2, s.asks());
        assertEquals(0, s.askTimeouts());
        assertEquals(2, service.asksAnswered());
    }

    @Test
    void anUnansweredAskTimesOutToItsDefaultVerdict() throws InterruptedException {
        kernel.putText(v1, "\\shared\\notes.txt", "notes");
        int timeoutMs = 200;
        startService(Policy.builder()
                .rule(r -> r.id(51).operations(Operation.CREATE).path("\\shared\\**")
                        .action(Action.ask().withTimeoutMs(timeoutMs).orDeny(NtStatus.ACCESS_DENIED.value())))
                .build(), ask -> {
                    asked.add(ask);
                    sleep(Duration.ofMillis(4L * timeoutMs)); // a person who answers too late
                    return Action.allow();
                });

        long start = System.nanoTime();
        OpenResult result = notepad.open(v1, "\\shared\\notes.txt", FILE_READ_DATA, Disposition.OPEN);
        long waitedMs = Duration.ofNanos(System.nanoTime() - start).toMillis();

        assertEquals(NtStatus.ACCESS_DENIED, result.status(), "the default verdict DENY applied");
        assertNoHandle(result);
        assertTrue(waitedMs >= timeoutMs - 20, "the driver waited for the answer (" + waitedMs + " ms)");
        assertEquals(1, asked.size());

        Event e = onlyEventOf(51);
        assertEquals(ActionType.DENY, e.verdict());
        assertTrue(e.hasFlag(Protocol.EVENT_FLAG_DEFAULT_VERDICT), "flags 0x" + Integer.toHexString(e.flags()));
        assertTrue(e.hasFlag(Protocol.EVENT_FLAG_ASK_TIMEOUT), "flags 0x" + Integer.toHexString(e.flags()));
        assertFalse(e.hasFlag(Protocol.EVENT_FLAG_ASKED));
        Statistics s = service.statistics();
        assertEquals(1, s.asks());
        assertEquals(1, s.askTimeouts());
        assertEquals(1, s.defaultVerdicts());
        // The late answer reaches the driver after its timeout: ERROR_FLT_NO_WAITER_FOR_REPLY.
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (service.asksLate() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(1, service.asksLate(), "the late reply was refused with NoWaiterForReplyException");
    }

    @Test
    void withNoClientConnectedTheAskGetsTheDefaultVerdictAtOnce() {
        kernel.putText(v1, "\\shared\\notes.txt", "notes");
        startService(Policy.builder()
                .rule(r -> r.id(52).operations(Operation.CREATE).path("\\shared\\**")
                        .action(Action.ask().withTimeoutMs(30_000).orDeny(NtStatus.ACCESS_DENIED.value())))
                .build(), ask -> {
                    asked.add(ask);
                    return Action.allow();
                });
        service.close(); // disconnects; the default OnDisconnect keeps the policy
        service = null;

        long start = System.nanoTime();
        OpenResult result = notepad.open(v1, "\\shared\\notes.txt", FILE_READ_DATA, Disposition.OPEN);
        long waitedMs = Duration.ofNanos(System.nanoTime() - start).toMillis();

        assertEquals(NtStatus.ACCESS_DENIED, result.status(), "the policy stayed and its default verdict applied");
        assertTrue(waitedMs < 10_000, "no client: the driver does not wait the 30 s timeout (" + waitedMs + " ms)");
        assertTrue(asked.isEmpty());
        startService(Policy.builder()
                .rule(r -> r.id(52).operations(Operation.CREATE).path("\\shared\\**")
                        .action(Action.ask().withTimeoutMs(30_000).orDeny(NtStatus.ACCESS_DENIED.value())))
                .build());
        Statistics s = service.statistics();
        assertEquals(1, s.askNoClient(), s.toString());
        assertEquals(1, s.defaultVerdicts(), s.toString());
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
