package org.jminifilter.emulator;

import static com.sun.jna.platform.win32.WinNT.DELETE;
import static com.sun.jna.platform.win32.WinNT.FILE_READ_DATA;
import static com.sun.jna.platform.win32.WinNT.FILE_WRITE_DATA;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.jminifilter.policy.ActionType;
import org.jminifilter.policy.Disposition;
import org.jminifilter.policy.Operation;
import org.jminifilter.policy.Policy;
import org.jminifilter.protocol.Event;
import org.jminifilter.protocol.Statistics;
import org.junit.jupiter.api.Test;
import org.jminifilter.protocol.NtStatus;

/** AUDIT events as the EventListener receives them, and statistics that match what happened. */
class AuditAndStatisticsEndToEndTest extends EmulatorFixture {

    @Test
    void everyAuditedOperationIsReportedInOrderAndCounted() {
        startService(Policy.builder()
                .rule(r -> r.id(1).operations(Operation.CREATE).path("\\secret\\**").deny())
                .rule(r -> r.id(60).operations(Operation.CREATE, Operation.WRITE, Operation.RENAME, Operation.DELETE)
                        .path("\\data\\**").image("**\\notepad.exe").audit())
                .build());

        try (EmulatedFile f = notepad.open(v1, "\\data\\a.txt", FILE_READ_DATA | FILE_WRITE_DATA | DELETE,
                Disposition.CREATE).orThrow()) {
            assertEquals(NtStatus.SUCCESS, f.write(0, "abc").status());
            assertEquals(NtStatus.SUCCESS, f.rename("\\data\\b.txt", false));
            assertEquals(NtStatus.SUCCESS, f.delete());
        }
        assertFalse(kernel.exists(v1, "\\data\\b.txt"), "deleted when the handle closed");
        try (EmulatedFile f = tool.open(v1, "\\data\\c.txt", FILE_WRITE_DATA, Disposition.CREATE).orThrow()) {
            assertEquals(NtStatus.SUCCESS, f.write(0, "not audited").status(), "tool.exe is not audited");
        }
        assertEquals(NtStatus.ACCESS_DENIED, tool.open(v1, "\\secret\\x", FILE_READ_DATA, Disposition.OPEN_IF).status());

        // The rename is audited at both ends: the source as a RENAME, the destination as a CREATE of it.
        List<Event> audited = eventsWhere(e -> e.ruleId() == 60);
        assertEquals(List.of(Operation.CREATE, Operation.WRITE, Operation.RENAME, Operation.CREATE, Operation.DELETE),
                audited.stream().map(Event::operation).toList(), audited.toString());
        assertEquals("\\data\\b.txt", audited.get(2).otherPath());
        assertEquals("\\data\\b.txt", audited.get(3).path());
        assertEquals("\\data\\a.txt", audited.get(3).otherPath());
        assertTrue(audited.get(3).hasFlag(org.jminifilter.protocol.Protocol.EVENT_FLAG_DESTINATION), audited.toString());
        assertTrue(audited.stream().allMatch(e -> e.verdict() == ActionType.AUDIT && e.processId() == 1200
                && e.volume().equals(VOLUME1)), audited.toString());
        assertEquals("\\data\\a.txt", audited.get(0).path());
        for (int i = 1; i < events.size(); i++) {
            assertTrue(events.get(i).sequence() > events.get(i - 1).sequence(), "oldest first: " + events);
        }

        Statistics s = service.statistics();
        assertEquals(5, s.verdicts(ActionType.AUDIT));
        assertEquals(1, s.verdicts(ActionType.DENY));
        assertEquals(5, matches(60));
        assertEquals(1, matches(1));
        assertEquals(events.size(), s.eventsQueued(), "every event queued was delivered: " + events);
        assertEquals(0, s.eventsDropped());
        assertEquals(0, s.asks());
        assertTrue(s.operations() >= 5, "operations a rule was tried on: " + s.operations());
    }
}
