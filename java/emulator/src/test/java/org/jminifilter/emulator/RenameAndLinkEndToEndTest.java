package org.jminifilter.emulator;

import static com.sun.jna.platform.win32.WinNT.DELETE;
import static com.sun.jna.platform.win32.WinNT.FILE_READ_DATA;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jminifilter.policy.Action;
import org.jminifilter.policy.ActionType;
import org.jminifilter.policy.Disposition;
import org.jminifilter.policy.Operation;
import org.jminifilter.policy.Policy;
import org.jminifilter.protocol.Ask;
import org.jminifilter.protocol.Event;
import org.jminifilter.protocol.NtStatus;
import org.jminifilter.protocol.Protocol;
import org.junit.jupiter.api.Test;

/**
 * Renames and hard links are evaluated at both ends through the whole stack: the destination as
 * a CREATE of it (a DELETE of it when it replaces a file), events carrying both paths, asks about
 * a destination naming it.
 */
class RenameAndLinkEndToEndTest extends EmulatorFixture {

    @Test
    void renameOrLinkIntoADeniedDirectoryIsRefusedAndReportedWithBothPaths() {
        startService(Policy.builder()
                .rule(r -> r.id(1).operations(Operation.CREATE).path("\\secret\\**").deny())
                .build());
        kernel.putText(v1, "\\data\\a.txt", "public");

        try (EmulatedFile f = notepad.open(v1, "\\data\\a.txt", FILE_READ_DATA | DELETE, Disposition.OPEN).orThrow()) {
            assertEquals(NtStatus.ACCESS_DENIED, f.rename("\\secret\\a.txt", false));
            assertEquals(NtStatus.ACCESS_DENIED, f.link("\\secret\\b.txt", EmuLibrary.NAME_EX_CLASS));
            assertEquals(NtStatus.SUCCESS, f.link("\\data\\b.txt", 0));
        }
        assertTrue(kernel.exists(v1, "\\data\\a.txt"), "the file stays where it was");
        assertFalse(kernel.exists(v1, "\\secret\\a.txt"));
        assertFalse(kernel.exists(v1, "\\secret\\b.txt"));
        assertTrue(kernel.exists(v1, "\\data\\b.txt"));

        List<Event> denied = eventsWhere(e -> e.ruleId() == 1);
        assertEquals(2, denied.size(), denied.toString());
        Event rename = denied.get(0);
        assertEquals(Operation.CREATE, rename.operation());
        assertEquals(ActionType.DENY, rename.verdict());
        assertEquals("\\secret\\a.txt", rename.path());
        assertEquals("\\data\\a.txt", rename.otherPath());
        assertTrue(rename.hasFlag(Protocol.EVENT_FLAG_DESTINATION), rename.toString());
        assertFalse(rename.hasFlag(Protocol.EVENT_FLAG_LINK), rename.toString());
        Event link = denied.get(1);
        assertEquals("\\secret\\b.txt", link.path());
        assertTrue(link.hasFlag(Protocol.EVENT_FLAG_DESTINATION) && link.hasFlag(Protocol.EVENT_FLAG_LINK), link.toString());
    }

    @Test
    void replacingAProtectedFileMeetsItsDeleteRule() {
        startService(Policy.builder()
                .rule(r -> r.id(2).operations(Operation.DELETE).path("\\shared\\*.cfg").deny())
                .build());
        kernel.putText(v1, "\\shared\\app.cfg", "protected");
        kernel.putText(v1, "\\data\\evil.cfg", "replacement");

        try (EmulatedFile f = tool.open(v1, "\\data\\evil.cfg", FILE_READ_DATA | DELETE, Disposition.OPEN).orThrow()) {
            assertEquals(NtStatus.ACCESS_DENIED, f.rename("\\shared\\app.cfg", true));
            assertEquals(NtStatus.ACCESS_DENIED,
                    f.rename("\\shared\\app.cfg", EmuLibrary.NAME_EX_CLASS | EmuLibrary.NAME_REPLACE_IF_EXISTS));
            assertEquals(NtStatus.OBJECT_NAME_COLLISION, f.rename("\\shared\\app.cfg", false),
                    "without replace it is only a create: the file system refuses the existing name");
        }
        assertEquals("protected", kernel.readText(v1, "\\shared\\app.cfg").orElseThrow());
        List<Event> denied = eventsWhere(e -> e.ruleId() == 2);
        assertEquals(2, denied.size(), denied.toString());
        assertTrue(denied.stream().allMatch(e -> e.operation() == Operation.DELETE
                && e.hasFlag(Protocol.EVENT_FLAG_DESTINATION) && e.path().equals("\\shared\\app.cfg")
                && e.otherPath().equals("\\data\\evil.cfg")), denied.toString());
    }

    @Test
    void anAskAboutADestinationNamesIt() {
        List<Ask> asks = new CopyOnWriteArrayList<>();
        startService(Policy.builder()
                .rule(r -> r.id(3).operations(Operation.CREATE).path("\\cache\\**").action(Action.ask().withTimeoutMs(5000)))
                .build(), ask -> {
                    asks.add(ask);
                    return Action.deny();
                });
        kernel.putText(v1, "\\data\\a.txt", "a");
        try (EmulatedFile f = notepad.open(v1, "\\data\\a.txt", FILE_READ_DATA | DELETE, Disposition.OPEN).orThrow()) {
            assertEquals(NtStatus.ACCESS_DENIED, f.rename("\\cache\\a.txt", false));
        }
        assertEquals(1, asks.size(), asks.toString());
        Ask ask = asks.get(0);
        assertEquals(Operation.CREATE, ask.operation());
        assertEquals("\\cache\\a.txt", ask.path());
        assertTrue((ask.flags() & Protocol.ASK_FLAG_DESTINATION) != 0, ask.toString());
        assertFalse(kernel.exists(v1, "\\cache\\a.txt"));
    }
}
