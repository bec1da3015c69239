package org.jminifilter.emulator;

import static com.sun.jna.platform.win32.WinNT.FILE_READ_DATA;
import static com.sun.jna.platform.win32.WinNT.FILE_WRITE_DATA;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.jminifilter.policy.ActionType;
import org.jminifilter.policy.Disposition;
import org.jminifilter.policy.Operation;
import org.jminifilter.policy.Policy;
import org.jminifilter.protocol.Event;
import org.junit.jupiter.api.Test;
import org.jminifilter.protocol.NtStatus;

/** REDIRECT through the real driver: reads and writes go to the other volume's file (TargetInstance). */
class RedirectEndToEndTest extends EmulatorFixture {

    private void redirectCache() {
        startService(Policy.builder()
                .rule(r -> r.id(40).operations(Operation.CREATE, Operation.READ, Operation.WRITE).volume(VOLUME1)
                        .path("\\cache\\**").redirect(VOLUME2))
                .build());
    }

    @Test
    void writesLandOnTheOtherVolume() {
        redirectCache();

        try (EmulatedFile file = notepad.open(v1, "\\cache\\data.bin", FILE_READ_DATA | FILE_WRITE_DATA,
                Disposition.OPEN_IF).orThrow()) {
            IoResult write = file.write(0, "written through volume 1");
            assertEquals(NtStatus.SUCCESS, write.status());
            assertEquals(24, write.information());
            IoResult back = file.read(0, 100);
            assertEquals("written through volume 1", back.text(), "reads come from the same (redirected) file");
        }

        assertEquals("written through volume 1", kernel.readText(v2, "\\cache\\data.bin").orElseThrow(),
                "the data is on volume 2");
        assertEquals("", kernel.readText(v1, "\\cache\\data.bin").orElse(""),
                "volume 1's file got none of the data");
        List<Event> redirected = eventsWhere(e -> e.ruleId() == 40);
        assertTrue(redirected.stream().anyMatch(e -> e.verdict() == ActionType.REDIRECT
                && e.operation() == Operation.CREATE && e.path().equals("\\cache\\data.bin")), redirected.toString());
    }

    @Test
    void readsComeFromTheOtherVolume() {
        kernel.putText(v1, "\\cache\\index.txt", "volume one");
        kernel.putText(v2, "\\cache\\index.txt", "volume two");
        redirectCache();

        try (EmulatedFile file = notepad.open(v1, "\\cache\\index.txt", FILE_READ_DATA, Disposition.OPEN).orThrow()) {
            IoResult read = file.read(0, 100);
            assertEquals(NtStatus.SUCCESS, read.status());
            assertEquals("volume two", read.text());
        }
        try (EmulatedFile file = notepad.open(v1, "\\data\\x.txt", FILE_WRITE_DATA, Disposition.CREATE).orThrow()) {
            assertEquals(NtStatus.SUCCESS, file.write(0, "not redirected").status());
        }
        assertEquals("not redirected", kernel.readText(v1, "\\data\\x.txt").orElseThrow(), "outside \\cache");
        assertEquals(0, service.statistics().redirectFallbacks());
    }

    @Test
    void aMissingTargetVolumePassesThroughOrDeniesAsTheRuleSays() {
        startService(Policy.builder()
                .rule(r -> r.id(41).operations(Operation.CREATE, Operation.READ, Operation.WRITE)
                        .path("\\cache\\**").redirect("\\Device\\HarddiskVolume9"))
                .rule(r -> r.id(42).operations(Operation.CREATE, Operation.READ, Operation.WRITE)
                        .path("\\shared\\**").redirect("\\Device\\HarddiskVolume9", NtStatus.NOT_FOUND.value()))
                .build());

        try (EmulatedFile file = notepad.open(v1, "\\cache\\a.txt", FILE_WRITE_DATA, Disposition.CREATE).orThrow()) {
            assertEquals(NtStatus.SUCCESS, file.write(0, "stays here").status());
        }
        OpenResult denied = notepad.open(v1, "\\shared\\b.txt", FILE_WRITE_DATA, Disposition.CREATE);

        assertEquals("stays here", kernel.readText(v1, "\\cache\\a.txt").orElseThrow(), "passed through");
        assertEquals(NtStatus.NOT_FOUND, denied.status(), "the fallback DENY with the rule's status");
        assertTrue(denied.file().isEmpty());
        assertTrue(service.statistics().redirectFallbacks() >= 2, "both fallbacks counted");
        assertTrue(eventsWhere(e -> e.ruleId() == 42).stream()
                .anyMatch(e -> e.hasFlag(org.jminifilter.protocol.Protocol.EVENT_FLAG_REDIRECT_FALLBACK)), events.toString());
    }

    @Test
    void aHandleWhoseTargetVolumeGoesAwayStaysRedirectedAndFails() {
        kernel.putText(v1, "\\cache\\index.txt", "volume one");
        kernel.putText(v2, "\\cache\\index.txt", "volume two");
        redirectCache();

        try (EmulatedFile file = notepad.open(v1, "\\cache\\index.txt", FILE_READ_DATA | FILE_WRITE_DATA,
                Disposition.OPEN).orThrow()) {
            assertEquals("volume two", file.read(0, 100).text());
            assertEquals(NtStatus.SUCCESS, kernel.detachDriver(v2), "fltmc detach of the target volume");

            IoResult read = file.read(0, 100);
            IoResult write = file.write(0, "lost");
            assertEquals(NtStatus.VOLUME_DISMOUNTED, read.status(), "never the source's data");
            assertEquals(NtStatus.VOLUME_DISMOUNTED, write.status(), "never written to the source");
        }

        assertEquals("volume one", kernel.readText(v1, "\\cache\\index.txt").orElseThrow(), "source untouched");
        assertEquals(2, service.statistics().redirectTargetLost());
        List<Event> lost = eventsWhere(e -> e.ruleId() == 40
                && e.hasFlag(org.jminifilter.protocol.Protocol.EVENT_FLAG_REDIRECT_TARGET_LOST));
        assertEquals(2, lost.size(), events.toString());
        assertTrue(lost.stream().allMatch(e -> e.verdict() == ActionType.DENY
                && e.path().equals("\\cache\\index.txt")), lost.toString());
    }
}
