package org.jminifilter.emulator;

import static com.sun.jna.platform.win32.WinNT.FILE_READ_DATA;
import static com.sun.jna.platform.win32.WinNT.FILE_WRITE_DATA;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.jminifilter.policy.ActionType;
import org.jminifilter.policy.Disposition;
import org.jminifilter.policy.Operation;
import org.jminifilter.policy.Policy;
import org.jminifilter.protocol.Event;
import org.jminifilter.protocol.NtStatus;
import org.jminifilter.protocol.Protocol;
import org.junit.jupiter.api.Test;

/** REDIRECT by reparse through the real driver: the whole open is re-issued on the other volume. */
class ReparseRedirectEndToEndTest extends EmulatorFixture {

    private void reparseCache() {
        startService(Policy.builder()
                .rule(r -> r.id(50).operations(Operation.CREATE).volume(VOLUME1)
                        .path("\\cache\\**").redirect(VOLUME2).byReparse())
                .build());
    }

    @Test
    void readsAndWritesHappenOnTheTargetAndTheSourceIsUntouched() {
        kernel.putText(v1, "\\cache\\index.txt", "volume one");
        kernel.putText(v2, "\\cache\\index.txt", "volume two");
        reparseCache();

        try (EmulatedFile file = notepad.open(v1, "\\cache\\index.txt", FILE_READ_DATA | FILE_WRITE_DATA,
                Disposition.OPEN).orThrow()) {
            assertEquals("volume two", file.read(0, 100).text());
            IoResult write = file.write(0, "VOLUME");
            assertEquals(NtStatus.SUCCESS, write.status());
        }
        try (EmulatedFile file = notepad.open(v1, "\\cache\\new.txt", FILE_WRITE_DATA, Disposition.CREATE).orThrow()) {
            assertEquals(NtStatus.SUCCESS, file.write(0, "created by reparse").status());
        }

        assertEquals("VOLUME two", kernel.readText(v2, "\\cache\\index.txt").orElseThrow(), "written on volume 2");
        assertEquals("volume one", kernel.readText(v1, "\\cache\\index.txt").orElseThrow(), "source untouched");
        assertEquals("created by reparse", kernel.readText(v2, "\\cache\\new.txt").orElseThrow());
        assertTrue(kernel.readText(v1, "\\cache\\new.txt").isEmpty(), "never created on volume 1");
        List<Event> reparsed = eventsWhere(e -> e.ruleId() == 50);
        assertEquals(2, reparsed.size(), reparsed.toString());
        assertTrue(reparsed.stream().allMatch(e -> e.verdict() == ActionType.REDIRECT
                && e.hasFlag(Protocol.EVENT_FLAG_REPARSE) && !e.hasFlag(Protocol.EVENT_FLAG_REDIRECT_FALLBACK)),
                reparsed.toString());
        assertEquals(0, service.statistics().redirectFallbacks());
    }

    @Test
    void aPolicyThatWouldReparseBackAndForthIsRefusedNamingTheRule() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Policy.builder()
                .rule(r -> r.id(51).operations(Operation.CREATE).volume(VOLUME1).path("\\a\\**").redirect(VOLUME2)
                        .byReparse())
                .rule(r -> r.id(52).operations(Operation.CREATE).volume(VOLUME2).path("\\a\\**").redirect(VOLUME1)
                        .byReparse()));
        assertTrue(e.getMessage().contains("rule #1 (id 52)") && e.getMessage().contains("loop protection"), e.getMessage());
    }
}
