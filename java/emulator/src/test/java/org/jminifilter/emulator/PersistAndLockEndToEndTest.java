package org.jminifilter.emulator;

import static com.sun.jna.platform.win32.WinNT.FILE_WRITE_DATA;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jminifilter.policy.Disposition;
import org.jminifilter.policy.Operation;
import org.jminifilter.policy.Policy;
import org.jminifilter.port.FilterPort;
import org.jminifilter.protocol.Config;
import org.jminifilter.protocol.ErrorCode;
import org.jminifilter.protocol.NtStatus;
import org.jminifilter.protocol.UnlockKey;
import org.jminifilter.service.CommandRejectedException;
import org.jminifilter.service.KernelClient;
import org.junit.jupiter.api.Test;

/** Policy from boot and the locked mode, through the Java client and the real driver. */
class PersistAndLockEndToEndTest extends EmulatorFixture {

    private static final NtStatus FLT_DO_NOT_DETACH = NtStatus.of(0xC01C0010);

    private static final Policy SECRET = Policy.builder()
            .rule(r -> r.id(7).operations(Operation.CREATE).path("\\secret\\**").deny()).build();

    private NtStatus create(String path) {
        OpenResult r = notepad.open(v1, path, FILE_WRITE_DATA, Disposition.OPEN_IF);
        r.file().ifPresent(EmulatedFile::close);
        return r.status();
    }

    @Test
    void aPersistedPolicyIsEnforcedAfterAReloadWithNoServiceAndClearingEndsIt() {
        try (FilterPort port = connectPort()) {
            new KernelClient(port).setPolicy(SECRET, true);
        }
        kernel.unloadDriver();
        kernel.loadDriver();                             // an emulated reboot: no service connected
        assertEquals(NtStatus.ACCESS_DENIED, create("\\secret\\a.txt"));
        assertEquals(NtStatus.SUCCESS, create("\\data\\a.txt"));

        try (FilterPort port = connectPort()) {
            new KernelClient(port).setPolicy(Policy.EMPTY, true); // clears what was kept
        }
        kernel.unloadDriver();
        kernel.loadDriver();
        assertEquals(NtStatus.SUCCESS, create("\\secret\\b.txt"));
    }

    @Test
    void aPushWithoutPersistIsGoneAfterAReload() {
        try (FilterPort port = connectPort()) {
            new KernelClient(port).setPolicy(SECRET);
        }
        assertEquals(NtStatus.ACCESS_DENIED, create("\\secret\\a.txt"));
        kernel.unloadDriver();
        kernel.loadDriver();
        assertEquals(NtStatus.SUCCESS, create("\\secret\\a.txt"));
    }

    @Test
    void lockedRefusesUnloadAndDetachUntilUnlockedWithTheRightKey() {
        UnlockKey key = UnlockKey.random();
        try (FilterPort port = connectPort()) {
            KernelClient client = new KernelClient(port);
            client.setPolicy(SECRET);
            client.setConfig(Config.defaults().locked(key));

            assertEquals(FLT_DO_NOT_DETACH, kernel.requestUnload());
            assertEquals(FLT_DO_NOT_DETACH, kernel.detachDriver(v1));
            assertEquals(NtStatus.ACCESS_DENIED, create("\\secret\\a.txt"), "still loaded, still enforcing");

            CommandRejectedException wrong = assertThrows(CommandRejectedException.class,
                    () -> client.unlock(UnlockKey.random()));
            assertEquals(ErrorCode.LOCKED, wrong.result().error());
            CommandRejectedException drop = assertThrows(CommandRejectedException.class,
                    () -> client.setConfig(Config.defaults()));
            assertEquals(ErrorCode.LOCKED, drop.result().error());
            assertTrue(drop.getMessage().contains("unlock"), drop.getMessage());
            assertEquals(FLT_DO_NOT_DETACH, kernel.requestUnload());

            client.unlock(key);
            assertEquals(NtStatus.SUCCESS, kernel.detachDriver(v1));
        }
        assertEquals(NtStatus.SUCCESS, kernel.requestUnload());
    }

    @Test
    void aLockedDriverStillUnloadsWhenTheUnloadIsMandatory() {
        try (FilterPort port = connectPort()) {
            new KernelClient(port).setConfig(Config.defaults().persisted().locked(UnlockKey.random()));
        }
        assertEquals(FLT_DO_NOT_DETACH, kernel.requestUnload());
        assertEquals(NtStatus.SUCCESS, kernel.unloadDriver()); // system shutdown
        kernel.loadDriver();                                   // the lock is never persisted
        assertEquals(NtStatus.SUCCESS, kernel.requestUnload());
    }
}
