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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.jminifilter.protocol.NtStatus;

/**
 * MODIFY through the real driver: what the caller sees, and what a test filter BELOW the driver
 * (the emulator's {@link ObserverFilter}) is given: the stripped desired access, the added SL_WRITE_THROUGH.
 */
class ModifyEndToEndTest extends EmulatorFixture {

    private ObserverFilter below;

    @BeforeEach
    void startObserver() {
        below = kernel.startObserver();
    }

    @AfterEach
    void stopObserver() {
        if (below != null) {
            below.close();
        }
    }

    @Test
    void strippedWriteAccessLetsTheOpenSucceedButTheWriteFails() {
        kernel.putText(v1, "\\data\\report.txt", "Q3: 42");
        startService(Policy.builder()
                .rule(r -> r.id(30).operations(Operation.CREATE).path("\\data\\**").image("**\\tool.exe")
                        .action(Action.modify().withAccessClear(FILE_WRITE_DATA | FILE_APPEND_DATA)))
                .build());

        try (EmulatedFile file = tool.open(v1, "\\data\\report.txt", FILE_READ_DATA | FILE_WRITE_DATA,
                Disposition.OPEN).orThrow()) {
            ObservedOperation create = below.lastCreate();
            assertEquals(1300, create.requestorPid(), "the lower filter saw tool.exe's create");
            assertEquals(0, create.desiredAccess() & (FILE_WRITE_DATA | FILE_APPEND_DATA),
                    "the lower filter sees the stripped access: 0x" + Integer.toHexString(create.desiredAccess()));
            assertTrue((create.desiredAccess() & FILE_READ_DATA) != 0, "read access is kept");
            IoResult read = file.read(0, 64);
            IoResult write = file.write(0, "Q3: 0");

            assertEquals(NtStatus.SUCCESS, read.status());
            assertEquals("Q3: 42", read.text());
            assertEquals(NtStatus.ACCESS_DENIED, write.status(), "the handle was granted no write access");
            assertEquals(0, write.information());
        }
        try (EmulatedFile file = notepad.open(v1, "\\data\\report.txt", FILE_READ_DATA | FILE_WRITE_DATA,
                Disposition.OPEN).orThrow()) {
            assertEquals(1200, below.lastCreate().requestorPid());
            assertTrue((below.lastCreate().desiredAccess() & FILE_WRITE_DATA) != 0,
                    "notepad's access reaches below unchanged");
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
            int before = below.last(ObservedOperation.IRP_MJ_WRITE).map(ObservedOperation::count).orElse(0);
            IoResult write = file.write(0, "entry 1");
            assertEquals(NtStatus.SUCCESS, write.status());
            assertEquals(7, write.information());
            ObservedOperation seen = below.lastWrite();
            assertEquals(before + 1, seen.count(), "the lower filter saw the write");
            assertEquals(7, seen.length());
            assertTrue((seen.operationFlags() & Protocol.SL_WRITE_THROUGH) != 0,
                    "the lower filter sees SL_WRITE_THROUGH: flags 0x" + Integer.toHexString(seen.operationFlags()));
        }
        try (EmulatedFile other = notepad.open(v1, "\\data\\other.log", FILE_WRITE_DATA, Disposition.CREATE)
                .orThrow()) {
            assertEquals(NtStatus.SUCCESS, other.write(0, "x").status());
            assertEquals(1, below.lastWrite().length());
            assertEquals(0, below.lastWrite().operationFlags() & Protocol.SL_WRITE_THROUGH,
                    "no rule, no write-through");
        }
        assertEquals("entry 1", kernel.readText(v1, "\\data\\journal.log").orElseThrow());
        Event e = onlyEventOf(31);
        assertEquals(Operation.WRITE, e.operation());
        assertEquals(ActionType.MODIFY, e.verdict());
        assertTrue(e.hasFlag(Protocol.EVENT_FLAG_MODIFIED), "SL_WRITE_THROUGH was not set: a change");
    }
}
