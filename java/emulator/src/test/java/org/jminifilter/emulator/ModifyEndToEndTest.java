package org.jminifilter.emulator;

import static com.sun.jna.platform.win32.WinNT.FILE_APPEND_DATA;
import static com.sun.jna.platform.win32.WinNT.FILE_READ_DATA;
import static com.sun.jna.platform.win32.WinNT.FILE_WRITE_DATA;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jminifilter.policy.Action;
import org.jminifilter.policy.ActionType;
import org.jminifilter.policy.Disposition;
import org.jminifilter.policy.Operation;
import org.jminifilter.policy.Policy;
import org.jminifilter.protocol.Event;
import org.jminifilter.protocol.Protocol;
import org.junit.jupiter.api.Test;

/**
 * MODIFY through the real driver. What the caller sees is checked here; what a filter BELOW the
 * driver sees (the stripped access, the added SL_WRITE_THROUGH) needs a test filter under the
 * driver, which jmf_emu.h does not offer to Java: the C emulator tests check that part.
 */
class ModifyEndToEndTest extends EmulatorFixture {

    @Test
    void strippedWriteAccessLetsTheOpenSucceedButTheWriteFails() {
        kernel.putText(v1, "\\data\\report.txt", "Q3: 42");
        startService(Policy.builder()
                .rule(r -> r.id(30).operations(Operation.CREATE).path("\\data\\**").image("**\\tool.exe")
                        .action(Action.modify().withAccessClear(FILE_WRITE_DATA | FILE_APPEND_DATA)))
                .build());

        try (EmulatedFile file = tool.open(v1, "\\data\\report.txt", FILE_READ_DATA | FILE_WRITE_DATA,
                Disposition.OPEN).orThrow()) {
            IoResult read = file.read(0, 64);
            IoResult write = file.write(0, "Q3: 0");

            assertEquals(NtStatus.SUCCESS, read.status());
            assertEquals("Q3: 42", read.text());
            assertEquals(NtStatus.ACCESS_DENIED, write.status(), "the handle was granted no write access");
            assertEquals(0, write.information());
        }
        try (EmulatedFile file = notepad.open(v1, "\\data\\report.txt", FILE_READ_DATA | FILE_WRITE_DATA,
                Disposition.OPEN).orThrow()) {
            assertEquals(NtStatus.SUCCESS, file.write(0, "Q3: 43").status(), "notepad is not modified");
        }
        assertEquals("Q3: 43", kernel.readText(v1, "\\data\\report.txt").orElseThrow());

        Event e = onlyEventOf(30);
        assertEquals(ActionType.MODIFY, e.verdict());
        assertEquals(Operation.CREATE, e.operation());
        assertTrue(e.hasFlag(Protocol.EVENT_FLAG_MODIFIED), "MODIFY changed the desired access");
        assertEquals(1, service.statistics().verdicts(ActionType.MODIFY));
    }

    @Test
    void writeThroughAddedByModifyKeepsTheWriteWorking() {
        startService(Policy.builder()
                .rule(r -> r.id(31).operations(Operation.WRITE).path("\\data\\journal.log")
                        .action(Action.modify().withOperationFlagsSet(Protocol.SL_WRITE_THROUGH)))
                .build());

        try (EmulatedFile file = notepad.open(v1, "\\data\\journal.log", FILE_WRITE_DATA, Disposition.CREATE)
                .orThrow()) {
            IoResult write = file.write(0, "entry 1");
            assertEquals(NtStatus.SUCCESS, write.status());
            assertEquals(7, write.information());
        }
        assertEquals("entry 1", kernel.readText(v1, "\\data\\journal.log").orElseThrow());
        Event e = onlyEventOf(31);
        assertEquals(Operation.WRITE, e.operation());
        assertEquals(ActionType.MODIFY, e.verdict());
        assertTrue(e.hasFlag(Protocol.EVENT_FLAG_MODIFIED), "SL_WRITE_THROUGH was not set: a change");
    }
}
