package org.jminifilter.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jminifilter.policy.Access;
import org.jminifilter.policy.Action;
import org.jminifilter.policy.ActionType;
import org.jminifilter.policy.Operation;
import org.jminifilter.policy.Policy;
import org.jminifilter.policy.Rule;
import org.junit.jupiter.api.Test;

/**
 * Statuses are {@link NtStatus} wherever they appear and print as names or hex, never as a
 * negative decimal; the builders accept them; the access constants are the documented values;
 * the Ask and Event builders fill in defaults.
 */
class StatusTypesTest {
    private static final String NEGATIVE_DECIMAL = "-1073741790";

    @Test
    void ntStatusPrintsItsNameOrHex() {
        assertEquals("STATUS_ACCESS_DENIED (0xC0000022)", NtStatus.ACCESS_DENIED.toString());
        assertEquals("STATUS_ACCESS_DENIED", NtStatus.of(0xC0000022).name());
        assertEquals(NtStatus.ACCESS_DENIED, NtStatus.of(0xC0000022));
        assertEquals("0xC0DE0001", NtStatus.of(0xC0DE0001).toString(), "an unknown status prints as hex");
        assertEquals("STATUS_SUCCESS (0x00000000)", NtStatus.SUCCESS.toString());
        assertTrue(NtStatus.ACCESS_DENIED.isError());
        assertFalse(NtStatus.TIMEOUT.isError());
        assertTrue(NtStatus.TIMEOUT.isSuccess());
    }

    @Test
    void eventsAndResultsReturnNtStatusAndPrintNoNegativeDecimal() {
        Event e = Event.builder().status(NtStatus.ACCESS_DENIED).verdict(ActionType.DENY).build();
        assertEquals(NtStatus.ACCESS_DENIED, e.status());
        assertEquals(0xC0000022, e.statusCode());
        assertFalse(e.toString().contains(NEGATIVE_DECIMAL), e.toString());
        assertTrue(e.toString().contains("STATUS_ACCESS_DENIED"), e.toString());
        assertEquals(e, Event.decode(e.encode()), "the status survives the wire");

        Result r = new Result(0xC000000D, ErrorCode.BAD_PATTERN, 2, 5);
        assertEquals(NtStatus.INVALID_PARAMETER, r.status());
        assertEquals(r, Result.decode(r.encode()));
        assertTrue(r.toString().contains("STATUS_INVALID_PARAMETER (0xC000000D)"), r.toString());
        assertTrue(r.describe().contains("STATUS_INVALID_PARAMETER"), r.describe());
    }

    @Test
    void actionsAndConfigsPrintTheirStatusesByName() {
        for (Object o : new Object[] {Action.deny(0xC0000022), Action.ask().orDeny(0xC0000022),
            Action.redirect(1).orDeny(0xC0000022), Config.defaults().withDefaultDenyStatus(0xC0000022)}) {
            assertFalse(o.toString().contains(NEGATIVE_DECIMAL), o.toString());
            assertTrue(o.toString().contains("STATUS_ACCESS_DENIED"), o.toString());
        }
    }

    @Test
    void buildersAcceptNtStatusAlongsideInt() {
        assertEquals(Action.deny(0xC0000043), Action.deny(NtStatus.SHARING_VIOLATION));
        assertEquals(Action.ask().orDeny(0xC0000022), Action.ask().orDeny(NtStatus.ACCESS_DENIED));
        assertEquals(Action.redirect(1).orDeny(0xC0000225), Action.redirect(1).orDeny(NtStatus.NOT_FOUND));
        assertEquals(Config.defaults().withDefaultDenyStatus(0xC0000043),
                Config.defaults().withDefaultDenyStatus(NtStatus.SHARING_VIOLATION));
        Rule byInt = Rule.builder(1).operations(Operation.CREATE).deny(0xC0000906).build();
        Rule byStatus = Rule.builder(1).operations(Operation.CREATE).deny(NtStatus.VIRUS_INFECTED).build();
        assertEquals(byInt, byStatus);
        Policy p = Policy.builder().volume("\\Device\\HarddiskVolume1")
                .rule(r -> r.id(2).operations(Operation.CREATE).redirect("\\Device\\HarddiskVolume2", NtStatus.NOT_FOUND))
                .build();
        assertEquals(Action.redirect(1).orDeny(0xC0000225), p.rules().get(0).action());
        // Still validated: a success status is no deny status.
        assertThrows(IllegalArgumentException.class, () -> Action.deny(NtStatus.SUCCESS));
    }

    @Test
    void accessConstantsAreWinntsValues() {
        // winnt.h: FILE_GENERIC_READ 0x120089, FILE_GENERIC_WRITE 0x120116, FILE_GENERIC_EXECUTE 0x1200A0,
        // FILE_ALL_ACCESS 0x1F01FF; GENERIC_* the top four bits.
        assertEquals(0x00120089, Access.FILE_GENERIC_READ);
        assertEquals(0x00120116, Access.FILE_GENERIC_WRITE);
        assertEquals(0x001200A0, Access.FILE_GENERIC_EXECUTE);
        assertEquals(0x001F01FF, Access.FILE_ALL_ACCESS);
        assertEquals(0x40000000, Access.GENERIC_WRITE);
        assertEquals(0x80000000, Access.GENERIC_READ);
        assertEquals(0x00010000, Access.DELETE);
        assertEquals("FILE_WRITE_DATA|SYNCHRONIZE", Access.describe(Access.FILE_WRITE_DATA | Access.SYNCHRONIZE));
        assertEquals("FILE_READ_DATA|0x800", Access.describe(0x801));
        assertEquals("0", Access.describe(0));
    }

    @Test
    void askAndEventBuildersHaveDefaultsAndValidate() {
        Ask a = Ask.builder().operation(Operation.DELETE).processId(1200).path("\\docs\\plan.docx").build();
        assertEquals(Operation.DELETE, a.operation());
        assertEquals(1200, a.processId());
        assertEquals("\\docs\\plan.docx", a.path());
        assertEquals("\\Device\\HarddiskVolume1", a.volume());
        assertTrue(a.image().endsWith("\\notepad.exe"));
        assertFalse(a.isPostCreate());
        assertTrue(Ask.builder().postCreate().build().isPostCreate());
        assertEquals(a, Ask.decode(a.encode()));
        assertThrows(IllegalArgumentException.class, () -> Ask.builder().timeoutMs(-1).build());

        Event e = Event.builder().operation(Operation.RENAME).path("\\a.txt").otherPath("\\b.txt").ruleId(3).build();
        assertEquals("\\b.txt", e.otherPath());
        assertEquals(3, e.ruleId());
        assertEquals(NtStatus.SUCCESS, e.status());
        assertEquals(e, Event.decode(e.encode()));
        assertThrows(IllegalArgumentException.class, () -> Event.builder().flags(0x80000000).build());
    }
}
