package org.jminifilter.cli.windows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/** The control folder's protected DACL, built call by call: the sequence, the sizes, the failures. */
class ControlFolderTest {
    @TempDir
    Path dir;

    /** Records the calls; SIDs of the real sizes (Administrators 16 bytes, SYSTEM 12); fails what it is told to. */
    static final class FakeSecurity implements SecurityApi {
        record FakeSid(int type, int length) implements Sid {
        }

        static final class FakeAcl implements Acl {
            final int size;
            final List<String> aces = new ArrayList<>();
            int used = ControlFolder.ACL_HEADER;

            FakeAcl(int size) {
                this.size = size;
            }
        }

        final List<String> calls = new ArrayList<>();
        final Map<String, Integer> failures = new HashMap<>();
        FakeAcl set;

        private void call(String function, String args) {
            calls.add(function + " " + args);
            Integer code = failures.get(function);
            if (code != null) {
                throw new Win32Error(function, code);
            }
        }

        @Override
        public Sid wellKnownSid(int type) {
            call("CreateWellKnownSid", String.valueOf(type));
            return new FakeSid(type, type == WIN_BUILTIN_ADMINISTRATORS_SID ? 16 : 12);
        }

        @Override
        public Acl initializeAcl(int size) {
            call("InitializeAcl", String.valueOf(size));
            return new FakeAcl(size);
        }

        @Override
        public void addAccessAllowedAce(Acl acl, int aceFlags, int accessMask, Sid sid) {
            call("AddAccessAllowedAceEx", ((FakeSid) sid).type() + " flags " + aceFlags + " mask 0x"
                    + Integer.toHexString(accessMask));
            FakeAcl a = (FakeAcl) acl;
            a.used += ControlFolder.ACE_HEADER + sid.length();
            if (a.used > a.size) {
                throw new Win32Error("AddAccessAllowedAceEx", 1344); // ERROR_ALLOTTED_SPACE_EXCEEDED
            }
            a.aces.add(((FakeSid) sid).type() + "");
        }

        @Override
        public void setFileSecurity(String path, int securityInformation, Sid owner, Acl dacl) {
            call("SetNamedSecurityInfo", path + " 0x" + Integer.toHexString(securityInformation) + " owner "
                    + ((FakeSid) owner).type());
            set = (FakeAcl) dacl;
        }
    }

    private final FakeSecurity api = new FakeSecurity();

    @Test
    void administratorsAndSystemOnlyInheritedProtectedOwnedByAdministrators() throws IOException {
        Path folder = dir.resolve("ProgramData").resolve("jminifilter");
        new ControlFolder(api).restrict(folder);
        assertTrue(Files.isDirectory(folder));
        assertEquals(List.of(
                "CreateWellKnownSid 26",
                "CreateWellKnownSid 22",
                "InitializeAcl 52", // 8 + (8 + 16) + (8 + 12)
                "AddAccessAllowedAceEx 26 flags 3 mask 0x1f01ff",
                "AddAccessAllowedAceEx 22 flags 3 mask 0x1f01ff",
                "SetNamedSecurityInfo " + folder + " 0x80000005 owner 26"), api.calls);
        assertEquals(List.of("26", "22"), api.set.aces);
        assertEquals(api.set.size, api.set.used, "the ACL is exactly as large as its ACEs");
    }

    @Test
    void notElevatedIsAnIOExceptionNamingTheFolder() {
        api.failures.put("SetNamedSecurityInfo", Win32Error.ERROR_ACCESS_DENIED);
        Path folder = dir.resolve("jminifilter");
        IOException e = assertThrows(IOException.class, () -> new ControlFolder(api).restrict(folder));
        assertTrue(e.getMessage().startsWith("cannot restrict " + folder + " to Administrators and SYSTEM"),
                e.getMessage());
        assertTrue(e.getMessage().contains("not elevated"), e.getMessage());
    }

    @Test
    void aFailedSidStopsBeforeAnyAcl() {
        api.failures.put("CreateWellKnownSid", Win32Error.ERROR_INVALID_PARAMETER);
        assertThrows(IOException.class, () -> new ControlFolder(api).restrict(dir.resolve("x")));
        assertEquals(List.of("CreateWellKnownSid 26"), api.calls);
    }

    @Test
    @DisabledOnOs(OS.WINDOWS)
    void elsewhereThanWindowsTheSocketIsLeftAsGiven() throws IOException {
        Path socket = dir.resolve("sub").resolve("control.sock");
        assertSame(socket, ControlFolder.prepare(socket));
        assertFalse(Files.exists(socket.getParent()));
    }
}
