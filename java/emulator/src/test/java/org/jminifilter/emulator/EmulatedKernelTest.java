package org.jminifilter.emulator;

import static com.sun.jna.platform.win32.WinNT.FILE_READ_DATA;
import static com.sun.jna.platform.win32.WinNT.FILE_WRITE_DATA;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jminifilter.policy.Disposition;
import org.junit.jupiter.api.Test;
import org.jminifilter.protocol.NtStatus;

/** The Java control layer over the emulator, with the driver loaded and no policy (everything passes). */
class EmulatedKernelTest extends EmulatorFixture {

    @Test
    void onlyOneKernelAtATime() {
        IllegalStateException e = assertThrows(IllegalStateException.class, EmulatedKernel::start);
        assertTrue(e.getMessage().contains("another EmulatedKernel is open"), e.getMessage());
    }

    @Test
    void createDispositionsHaveTheirRealEffects() {
        kernel.putText(v1, "\\data\\old.txt", "old content");

        OpenResult collision = notepad.open(v1, "\\data\\old.txt", FILE_WRITE_DATA, Disposition.CREATE);
        OpenResult missing = notepad.open(v1, "\\data\\none.txt", FILE_READ_DATA, Disposition.OPEN);
        OpenResult created = notepad.open(v1, "\\data\\new.txt", FILE_WRITE_DATA, Disposition.OPEN_IF);
        OpenResult overwritten = notepad.open(v1, "\\data\\old.txt", FILE_WRITE_DATA, Disposition.OVERWRITE_IF);

        assertEquals(NtStatus.OBJECT_NAME_COLLISION, collision.status());
        assertTrue(collision.file().isEmpty());
        assertEquals(CreateInformation.EXISTS.value(), collision.information(), "as NTFS: FILE_EXISTS");
        assertEquals(NtStatus.OBJECT_NAME_NOT_FOUND, missing.status());
        assertEquals(CreateInformation.CREATED.value(), created.information());
        assertEquals(CreateInformation.OVERWRITTEN.value(), overwritten.information());
        created.orThrow().close();
        overwritten.orThrow().close();
        assertEquals(0, kernel.readFile(v1, "\\data\\old.txt").orElseThrow().length, "overwritten: truncated");
    }

    @Test
    void fileOperationsReachTheFileSystem() {
        try (EmulatedFile f = notepad.open(v1, "\\data\\f.txt", FILE_READ_DATA | FILE_WRITE_DATA
                | com.sun.jna.platform.win32.WinNT.DELETE, Disposition.CREATE).orThrow()) {
            assertEquals(NtStatus.SUCCESS, f.write(0, "hello world").status());
            assertEquals(11, f.size());
            assertEquals(NtStatus.SUCCESS, f.setEndOfFile(5));
            assertEquals("hello", f.read(0, 100).text());
            assertEquals(NtStatus.SUCCESS, f.rename("\\data\\g.txt", false));
        }
        assertFalse(kernel.exists(v1, "\\data\\f.txt"));
        assertEquals("hello", kernel.readText(v1, "\\data\\g.txt").orElseThrow());
        assertTrue(kernel.readFile(v2, "\\data\\g.txt").isEmpty(), "volumes are separate");
    }

    @Test
    void unloadingTheDriverLeavesNoPoolBehind() {
        try (EmulatedFile f = notepad.open(v1, "\\data\\f.txt", FILE_WRITE_DATA, Disposition.CREATE).orThrow()) {
            f.write(0, "x");
        }
        assertEquals(NtStatus.SUCCESS, kernel.unloadDriver());
        assertEquals(0, kernel.poolBlocks(), "the driver's pool after unload");
        assertTrue(kernel.violations().isEmpty(), kernel.violations().toString());
    }
}
