package org.jminifilter.emulator;

import static com.sun.jna.platform.win32.WinNT.FILE_READ_DATA;
import static com.sun.jna.platform.win32.WinNT.FILE_WRITE_DATA;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jminifilter.policy.Action;
import org.jminifilter.policy.ActionType;
import org.jminifilter.policy.Disposition;
import org.jminifilter.policy.Operation;
import org.jminifilter.policy.Policy;
import org.jminifilter.protocol.Event;
import org.jminifilter.protocol.Protocol;
import org.jminifilter.protocol.Statistics;
import org.junit.jupiter.api.Test;
import org.jminifilter.protocol.NtStatus;

/** DENY through the real driver: in pre-create, and in post-create with FltCancelFileOpen semantics. */
class DenyEndToEndTest extends EmulatorFixture {

    @Test
    void preCreateDenyFailsTheOpenWithItsStatusAndLeavesTheFileAlone() {
        kernel.putText(v1, "\\secret\\plan.txt", "the plan");
        startService(Policy.builder()
                .rule(r -> r.id(7).operations(Operation.CREATE).path("\\secret\\**").deny(NtStatus.MEDIA_WRITE_PROTECTED.value()))
                .build());

        OpenResult denied = notepad.open(v1, "\\secret\\plan.txt", FILE_READ_DATA | FILE_WRITE_DATA, Disposition.OPEN);
        OpenResult other = notepad.open(v1, "\\data\\new.txt", FILE_WRITE_DATA, Disposition.CREATE);

        assertEquals(NtStatus.MEDIA_WRITE_PROTECTED, denied.status());
        assertNoHandle(denied);
        assertEquals(NtStatus.SUCCESS, other.status(), "a path the rule does not match passes");
        other.orThrow().close();
        assertEquals("the plan", kernel.readText(v1, "\\secret\\plan.txt").orElseThrow());

        Event e = onlyEventOf(7);
        assertEquals(Operation.CREATE, e.operation());
        assertEquals(ActionType.DENY, e.verdict());
        assertEquals("\\secret\\plan.txt", e.path());
        assertEquals(VOLUME1, e.volume());
        assertEquals(1200, e.processId());
        assertEquals(NtStatus.MEDIA_WRITE_PROTECTED, e.status());
        assertFalse(e.hasFlag(Protocol.EVENT_FLAG_POST_CREATE));
        Statistics s = service.statistics();
        assertEquals(1, s.verdicts(ActionType.DENY));
        assertEquals(1, matches(7));
        assertEquals(0, s.postCreateCancels());
    }

    @Test
    void preCreateDenyOfFileCreateCreatesNothing() {
        startService(Policy.builder().rule(r -> r.id(1).operations(Operation.CREATE).path("\\secret\\**").deny()).build());

        OpenResult denied = tool.open(v1, "\\secret\\new.txt", FILE_WRITE_DATA, Disposition.CREATE);

        assertEquals(NtStatus.ACCESS_DENIED, denied.status());
        assertNoHandle(denied);
        assertFalse(kernel.exists(v1, "\\secret\\new.txt"), "a pre-create DENY never reaches the file system");
    }

    @Test
    void postCreateDenyCancelsTheOpenButTheCreatedFileStays() {
        startService(Policy.builder()
                .rule(r -> r.id(20).operations(Operation.CREATE).path("\\data\\*.exe").image("**\\tool.exe")
                        .action(Action.deny(NtStatus.VIRUS_INFECTED.value()).inPostCreate()))
                .build());

        OpenResult denied = tool.open(v1, "\\data\\payload.exe", FILE_WRITE_DATA, Disposition.CREATE);
        OpenResult byNotepad = notepad.open(v1, "\\data\\other.exe", FILE_WRITE_DATA, Disposition.CREATE);

        assertEquals(NtStatus.VIRUS_INFECTED, denied.status());
        assertNoHandle(denied);
        assertTrue(kernel.exists(v1, "\\data\\payload.exe"),
                "FltCancelFileOpen cannot undo a creation: the new file stays (as documented)");
        assertEquals(0, kernel.readFile(v1, "\\data\\payload.exe").orElseThrow().length);
        assertEquals(NtStatus.SUCCESS, byNotepad.status(), "the image pattern does not match notepad");
        byNotepad.orThrow().close();

        Event e = onlyEventOf(20);
        assertEquals(ActionType.DENY, e.verdict());
        assertTrue(e.hasFlag(Protocol.EVENT_FLAG_POST_CREATE), "decided in post-create");
        assertEquals("\\data\\payload.exe", e.path());
        assertEquals(1300, e.processId());
        Statistics s = service.statistics();
        assertEquals(1, s.postCreateCancels());
        assertEquals(1, s.verdicts(ActionType.DENY));
    }

    @Test
    void postCreateDenyOfAnExistingFileLeavesItsContent() {
        kernel.putText(v1, "\\data\\keep.exe", "original");
        startService(Policy.builder()
                .rule(r -> r.id(21).operations(Operation.CREATE).path("\\data\\*.exe")
                        .action(Action.deny().inPostCreate()))
                .build());

        OpenResult denied = notepad.open(v1, "\\data\\keep.exe", FILE_READ_DATA, Disposition.OPEN);

        assertEquals(NtStatus.ACCESS_DENIED, denied.status());
        assertNoHandle(denied);
        assertEquals("original", kernel.readText(v1, "\\data\\keep.exe").orElseThrow());
        assertEquals(1, service.statistics().postCreateCancels());
    }

    @Test
    void postCreateDenyOfAnOverwriteLeavesTheTruncation() {
        kernel.putText(v1, "\\data\\log.exe", "old content");
        startService(Policy.builder()
                .rule(r -> r.id(22).operations(Operation.CREATE).path("\\data\\*.exe")
                        .action(Action.deny().inPostCreate()))
                .build());

        OpenResult denied = notepad.open(v1, "\\data\\log.exe", FILE_WRITE_DATA, Disposition.OVERWRITE);

        assertEquals(NtStatus.ACCESS_DENIED, denied.status());
        assertNoHandle(denied);
        assertEquals(0, kernel.readFile(v1, "\\data\\log.exe").orElseThrow().length,
                "FltCancelFileOpen cannot undo a truncation (as documented)");
    }
}
