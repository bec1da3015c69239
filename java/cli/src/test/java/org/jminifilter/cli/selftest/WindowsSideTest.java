package org.jminifilter.cli.selftest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

import org.jminifilter.cli.FakeVolumeWin32;
import org.jminifilter.cli.WindowsVolumes;
import org.jminifilter.policy.Action;
import org.jminifilter.policy.Disposition;
import org.jminifilter.protocol.NtStatus;
import org.junit.jupiter.api.Test;

/**
 * The Windows implementation's logic on Linux: the whole suite through {@link WorkerProcess},
 * {@link WorkerProtocol} and {@link Worker} with Win32 results (a fake kernel32 over the real
 * driver on the emulated kernel), the mapping of Win32 errors to the expected NTSTATUS, the
 * worker's protocol, and the drive letters of {@link WindowsMachine}. Not a run on Windows.
 */
class WindowsSideTest {

    private static final SelfTestSuite SUITE = SelfTestSuite.standard().withAskTimeout(Duration.ofMillis(300));

    @Test
    void theSuitePassesThroughWorkersThatSeeOnlyWin32Errors() {
        SelfTestReport report;
        List<String> calls;
        try (WorkerBackedMachine m = new WorkerBackedMachine(EmulatedMachine.start(), false)) {
            report = SUITE.run(m);
            calls = m.lastApi.calls;
        }
        StringWriter table = new StringWriter();
        report.printTable(new PrintWriter(table));
        assertTrue(report.passed(), table.toString());
        assertEquals(SelfTestSuite.SCENARIOS, report.names());
        // Observed statuses are Win32 errors here, as on Windows without a trustworthy NTSTATUS.
        assertTrue(table.toString().contains("Win32 5 (ERROR_ACCESS_DENIED)"), table.toString());
        assertTrue(table.toString().contains("Win32 225 (ERROR_VIRUS_INFECTED)"), table.toString());
        // The worker made the Win32 calls the scenarios describe: CREATE_NEW for a create, OPEN_ALWAYS for open-if.
        assertTrue(calls.stream().anyMatch(c -> c.matches("CreateFile .*\\\\denied\\\\new\\.txt 0x2 1 0x80")), calls.toString());
        assertTrue(calls.stream().anyMatch(c -> c.matches("CreateFile .*\\\\asked\\\\allow-me\\.txt 0x1 4 0x80")),
                calls.toString());
        assertTrue(calls.stream().anyMatch(c -> c.matches("MoveFileEx .*\\\\outbox\\\\doc\\.txt .*\\\\denied\\\\doc\\.txt 0")),
                calls.toString());
    }

    @Test
    void theSuitePassesWithExactNtStatusesToo() {
        try (WorkerBackedMachine m = new WorkerBackedMachine(EmulatedMachine.start(), true)) {
            SelfTestReport report = SUITE.run(m);
            StringWriter table = new StringWriter();
            report.printTable(new PrintWriter(table));
            assertTrue(report.passed(), table.toString());
            assertTrue(table.toString().contains("STATUS_VIRUS_INFECTED (Win32 225 (ERROR_VIRUS_INFECTED))"),
                    table.toString());
        }
    }

    @Test
    void aWrongStatusThroughWorkersFails() {
        // The post-create DENY answers STATUS_ACCESS_DENIED: ERROR_ACCESS_DENIED is not ERROR_VIRUS_INFECTED.
        SelfTestSuite broken = SUITE.withAction(SelfTestSuite.RULE_QUARANTINE,
                Action.deny(NtStatus.ACCESS_DENIED).inPostCreate());
        try (WorkerBackedMachine m = new WorkerBackedMachine(EmulatedMachine.start(), false)) {
            SelfTestReport report = broken.run(m);
            assertFalse(report.scenario("post-create-deny").passed(), report.scenario("post-create-deny").toString());
            assertTrue(report.scenario("pre-create-deny").passed());
        }
    }

    @Test
    void win32ErrorsMatchTheNtStatusTheyComeFrom() {
        Outcome denied = new Outcome(Optional.empty(), Win32Errors.ERROR_ACCESS_DENIED, -1, 0, new byte[0]);
        assertTrue(denied.is(NtStatus.ACCESS_DENIED));
        assertFalse(denied.is(NtStatus.VIRUS_INFECTED));
        assertFalse(denied.is(NtStatus.SUCCESS));
        assertFalse(denied.succeeded());
        Outcome collision = new Outcome(Optional.empty(), Win32Errors.ERROR_FILE_EXISTS, -1, 0, new byte[0]);
        assertTrue(collision.is(NtStatus.OBJECT_NAME_COLLISION), "CreateFile(CREATE_NEW) reports ERROR_FILE_EXISTS");
        // An NTSTATUS with no known Win32 mapping needs the exact NTSTATUS: a Win32 error alone never matches it.
        Outcome unknown = new Outcome(Optional.empty(), 1234, -1, 0, new byte[0]);
        assertFalse(unknown.is(NtStatus.ENCRYPTION_FAILED));
        Outcome exact = new Outcome(Optional.of(NtStatus.ENCRYPTION_FAILED), 6000, -1, 0, new byte[0]);
        assertTrue(exact.is(NtStatus.ENCRYPTION_FAILED));
        assertFalse(exact.is(NtStatus.ACCESS_DENIED));
        assertThrows(IllegalArgumentException.class, () -> new Outcome(Optional.empty(), -1, -1, 0, new byte[0]));
    }

    @Test
    void theWorkerProtocolRefusesWhatItCannotCarry() {
        assertThrows(IllegalArgumentException.class, () -> WorkerProtocol.request("open", "C:\\a\tb"));
        assertThrows(IllegalArgumentException.class, () -> WorkerProtocol.creationDisposition(Disposition.SUPERSEDE));
        assertThrows(IllegalArgumentException.class, () -> WorkerProtocol.flagsAndAttributes(0x40));
        assertEquals(0x80000080, WorkerProtocol.flagsAndAttributes(WorkerProtocol.FILE_WRITE_THROUGH));
        assertEquals(Map.of(Disposition.CREATE, 1, Disposition.OVERWRITE_IF, 2, Disposition.OPEN, 3,
                Disposition.OPEN_IF, 4, Disposition.OVERWRITE, 5), Map.of(
                Disposition.CREATE, WorkerProtocol.creationDisposition(Disposition.CREATE),
                Disposition.OVERWRITE_IF, WorkerProtocol.creationDisposition(Disposition.OVERWRITE_IF),
                Disposition.OPEN, WorkerProtocol.creationDisposition(Disposition.OPEN),
                Disposition.OPEN_IF, WorkerProtocol.creationDisposition(Disposition.OPEN_IF),
                Disposition.OVERWRITE, WorkerProtocol.creationDisposition(Disposition.OVERWRITE)));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> WorkerProtocol.outcome("R\t5\tzz\t-1\t0\t"));
        assertTrue(e.getMessage().contains("malformed"), e.getMessage());
        e = assertThrows(IllegalStateException.class, () -> WorkerProtocol.outcome(null));
        assertTrue(e.getMessage().contains("ended"), e.getMessage());
        e = assertThrows(IllegalStateException.class, () -> WorkerProtocol.outcome("E\tno open handle 9"));
        assertTrue(e.getMessage().contains("no open handle 9"), e.getMessage());
        Outcome ok = WorkerProtocol.outcome("R\t0\t-\t3\t5\taGVsbG8=");
        assertEquals(Optional.of(NtStatus.SUCCESS), ok.ntStatus());
        assertEquals("hello", ok.text());
        assertEquals(3, ok.handle());
        Outcome failed = WorkerProtocol.outcome("R\t225\tc0000906\t-1\t0\t");
        assertEquals(Optional.of(NtStatus.VIRUS_INFECTED), failed.ntStatus());
    }

    @Test
    void theWorkerAnswersBadRequestsWithAnErrorLineAndClosesWhatIsLeftOpen() throws Exception {
        CountingFileApi api = new CountingFileApi();
        StringWriter out = new StringWriter();
        new Worker(api).serve(new BufferedReader(new StringReader(String.join("\n",
                "open\tC:\\x\\a.txt\t2\t1\t80", "frobnicate", "write\t9\t0\taGk=", "read\t1\t0\t-1", "open\tC:\\x")
                + "\n")), new PrintWriter(out), 77);
        List<String> lines = out.toString().lines().toList();
        assertEquals("ready\t77", lines.get(0));
        assertEquals("R\t0\t-\t1\t0\t", lines.get(1));
        assertTrue(lines.get(2).startsWith("E\t") && lines.get(2).contains("unknown request \"frobnicate\""), lines.get(2));
        assertTrue(lines.get(3).startsWith("E\t") && lines.get(3).contains("no open handle 9"), lines.get(3));
        assertTrue(lines.get(4).startsWith("E\t") && lines.get(4).contains("not 0..1 MiB"), lines.get(4));
        assertTrue(lines.get(5).startsWith("E\t") && lines.get(5).contains("takes 4 field(s)"), lines.get(5));
        assertEquals(1, api.closes, "the handle left open is closed when the input ends");
    }

    @Test
    void drivesResolveToVolumeDevicesAndTheTwoMustDiffer() {
        WindowsVolumes volumes = FakeVolumeWin32.volumes();
        WindowsMachine m = WindowsMachine.of("c:", "R:\\", volumes, List.of("java"));
        assertEquals(new Volume("C:", "\\Device\\HarddiskVolume3"), m.first());
        assertEquals(new Volume("R:", "\\Device\\HarddiskVolume7"), m.second());
        assertEquals("R:\\jmf\\a.txt", WindowsMachine.win32Path(m.second(), "\\jmf\\a.txt"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> WindowsMachine.of("C:", "Q:", volumes, List.of("java")))
                .getMessage().contains("prepare.ps1"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> WindowsMachine.of("C:", "C:", volumes, List.of("java")))
                .getMessage().contains("same volume"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> WindowsMachine.of("S:", "R:", volumes, List.of("java")))
                .getMessage().contains("not a local disk volume"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> WindowsMachine.of("C:", "Z:", volumes, List.of("java")))
                .getMessage().contains("not a local disk volume"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> WindowsMachine.of("C:", "D:", volumes, List.of("java")))
                .getMessage().contains("--redirect-volume D: is \\Device\\CdRom0, not a local disk volume"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> WindowsMachine.of("C:", "data", volumes, List.of("java")))
                .getMessage().contains("--redirect-volume data: no such drive or mount folder"));
    }

    /**
     * The self-test resolves its volumes where policy files do (WindowsVolumes): a mount folder or a
     * bare letter names the same volume in both, and the scenarios' paths start at the mount folder.
     */
    @Test
    void theSelfTestsVolumesResolveAsPolicyFilesVolumeNames() {
        WindowsVolumes volumes = FakeVolumeWin32.volumes();
        WindowsMachine m = WindowsMachine.of("c", "C:\\mnt\\data\\", volumes, List.of("java"));
        assertEquals(new Volume("C:", "\\Device\\HarddiskVolume3"), m.first());
        assertEquals(new Volume("C:\\mnt\\data", "\\Device\\HarddiskVolume5"), m.second());
        assertEquals(volumes.ntDeviceName("C:\\mnt\\data"), Optional.of(m.second().ntName()));
        assertEquals(volumes.ntDeviceName("c"), Optional.of(m.first().ntName()));
        assertEquals("C:\\mnt\\data\\jmf\\a.txt", WindowsMachine.win32Path(m.second(), "\\jmf\\a.txt"));
        for (String notAVolume : List.of("S:", "Z:", "Q:", "C:\\not\\a\\mount")) {
            assertEquals(Optional.empty(), volumes.ntDeviceName(notAVolume), notAVolume);
            assertThrows(IllegalArgumentException.class, () -> WindowsMachine.of("C:", notAVolume, volumes,
                    List.of("java")), notAVolume);
        }
        IllegalArgumentException guid = assertThrows(IllegalArgumentException.class,
                () -> WindowsMachine.of(FakeVolumeWin32.GUID_C, "R:", volumes, List.of("java")));
        assertTrue(guid.getMessage().contains("a volume GUID path cannot be used here"), guid.getMessage());
    }

    /** A fake kernel32 that succeeds at everything and counts closes. */
    static final class CountingFileApi implements FileApi {
        int creates;
        int writes;
        int reads;
        int closes;
        long next = 100;

        @Override
        public Result createFile(String path, int desiredAccess, int creationDisposition, int flagsAndAttributes) {
            creates++;
            return Result.ok(next++, 0, new byte[0]);
        }

        @Override
        public Result writeFile(long handle, long offset, byte[] data) {
            writes++;
            return Result.ok(handle, data.length, new byte[0]);
        }

        @Override
        public Result readFile(long handle, long offset, int length) {
            reads++;
            return Result.ok(handle, length, new byte[length]);
        }

        @Override
        public Result closeHandle(long handle) {
            closes++;
            return Result.ok(0, 0, new byte[0]);
        }

        @Override
        public Result moveFileEx(String from, String to, int flags) {
            return Result.failed(Win32Errors.ERROR_ACCESS_DENIED, OptionalInt.empty());
        }
    }
}
