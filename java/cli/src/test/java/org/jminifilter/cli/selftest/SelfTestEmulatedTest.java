package org.jminifilter.cli.selftest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

import org.jminifilter.cli.ExitCodes;
import org.jminifilter.cli.Main;
import org.jminifilter.emulator.EmulatedKernel;
import org.jminifilter.policy.Action;
import org.junit.jupiter.api.Test;

/**
 * {@code jminifilter selftest --emulated}: every scenario passes against the real driver on the
 * emulated kernel, over the emulator's port class and over the Windows one through the fltlib
 * shim ({@code --port fltlib-shim}), and a broken policy makes the suite fail, naming the
 * scenario, with exit 1.
 */
class SelfTestEmulatedTest {

    record Run(int exit, String out, String err) {
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void everyScenarioPassesOnTheEmulatedKernel() {
        Run r = run("selftest", "--emulated", "--ask-timeout-ms", "500");
        assertEquals(ExitCodes.OK, r.exit(), r.out() + r.err());
        for (String scenario : SelfTestSuite.SCENARIOS) {
            assertTrue(r.out().lines().anyMatch(l -> l.startsWith(scenario + " ") && l.contains(" PASS ")),
                    scenario + " in\n" + r.out());
        }
        assertFalse(r.out().contains("FAIL"), r.out());
        assertTrue(r.out().contains("PASS: " + SelfTestSuite.SCENARIOS.size() + " scenarios"), r.out());
    }

    @Test
    void jsonReportsEveryScenario() throws Exception {
        Run r = run("selftest", "--emulated", "--json", "--ask-timeout-ms", "300");
        assertEquals(ExitCodes.OK, r.exit(), r.out() + r.err());
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertTrue(json.get("passed").asBoolean(), r.out());
        assertEquals(SelfTestSuite.SCENARIOS.size(), json.get("scenarios").size());
        for (int i = 0; i < SelfTestSuite.SCENARIOS.size(); i++) {
            assertEquals(SelfTestSuite.SCENARIOS.get(i), json.get("scenarios").get(i).get("scenario").asText());
            assertEquals("PASS", json.get("scenarios").get(i).get("result").asText());
        }
    }

    /**
     * {@code --port fltlib-shim}: every scenario passes with the service on FltLibFilterPort, and the
     * shim really served it: emu_fltlib.c issued handles during the run (the port's and its
     * completion port's at least), which the default run does not make it do.
     */
    @Test
    void withPortFltLibShimEveryScenarioPassesOnTheWindowsPortClassThroughTheShim() throws Exception {
        long next = nextShimHandle();
        Run r = run("selftest", "--emulated", "--port", "fltlib-shim", "--json", "--ask-timeout-ms", "300");
        long issued = shimHandlesIssuedSince(next);

        assertEquals(ExitCodes.OK, r.exit(), r.out() + r.err());
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertTrue(json.get("passed").asBoolean(), r.out());
        assertEquals(SelfTestSuite.SCENARIOS.size(), json.get("scenarios").size());
        assertTrue(json.get("notes").toString().contains("org.jminifilter.port.fltlib.FltLibFilterPort"), r.out());
        assertTrue(json.get("machine").asText().contains("FltLibFilterPort"), r.out());
        assertTrue(issued >= 2, "the fltlib shim issued " + issued + " handle(s) during the run; the port and its"
                + " completion port need 2");
    }

    @Test
    void byDefaultTheServiceRunsOnTheEmulatorsPortClassAndTheShimIsNotUsed() throws Exception {
        long next = nextShimHandle();
        Run r = run("selftest", "--emulated", "--json", "--ask-timeout-ms", "300");
        long issued = shimHandlesIssuedSince(next);

        assertEquals(ExitCodes.OK, r.exit(), r.out() + r.err());
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertTrue(json.get("notes").toString().contains("org.jminifilter.emulator.EmulatedKernelPort"), r.out());
        assertEquals(0, issued, "the fltlib shim issued handles though the run did not ask for it");
    }

    @Test
    void portNeedsEmulatedAndAKnownName() {
        Run without = run("selftest", "--port", "fltlib-shim");
        assertEquals(ExitCodes.USAGE, without.exit(), without.err());
        assertTrue(without.err().contains("--port goes with --emulated"), without.err());
        Run unknown = run("selftest", "--emulated", "--port", "fltlib");
        assertEquals(ExitCodes.USAGE, unknown.exit(), unknown.err());
        assertTrue(unknown.err().contains("\"fltlib\" is not a port: one of emulated, fltlib-shim"), unknown.err());
        assertEquals("", unknown.out());
    }

    /** Two functions of emu_fltlib.c, bound from libjmfemu.so, to read how many handles it has issued. */
    interface ShimHandles extends Library {
        Pointer CreateIoCompletionPort(Pointer fileHandle, Pointer existingCompletionPort, long completionKey,
                int numberOfConcurrentThreads);

        int CloseHandle(Pointer handle);
    }

    /**
     * A new completion port's handle value (FileHandle INVALID_HANDLE_VALUE), closed at once: the shim
     * numbers handles 4 apart and never gives a value again.
     */
    private static long probeShimHandle() {
        ShimHandles shim = Native.load(EmulatedKernel.libraryFile().toString(), ShimHandles.class);
        Pointer handle = shim.CreateIoCompletionPort(new Pointer(-1L), null, 0, 0);
        assertNotNull(handle, "the shim's CreateIoCompletionPort failed");
        assertNotEquals(0, shim.CloseHandle(handle), "the shim's CloseHandle failed");
        return Pointer.nativeValue(handle);
    }

    /** The handle value the shim gives next. */
    private static long nextShimHandle() {
        return probeShimHandle() + 4;
    }

    /** How many handles the shim issued since {@link #nextShimHandle()} returned {@code next}. */
    private static long shimHandlesIssuedSince(long next) {
        return (probeShimHandle() - next) / 4;
    }

    @Test
    void aPolicyThatDoesNotDenyFailsThePreCreateDenyScenarioWithExit1() {
        // The pre-create DENY rule audits instead: the expectations stay, so the suite must see the difference.
        SelfTestSuite broken = SelfTestSuite.standard().withAskTimeout(Duration.ofMillis(300))
                .withAction(SelfTestSuite.RULE_DENIED, Action.audit());
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = SelfTestCommand.run(EmulatedMachine::start, broken, new PrintWriter(out, true),
                new PrintWriter(err, true), false);

        assertEquals(ExitCodes.INVALID, exit, out.toString() + err);
        assertTrue(out.toString().lines().anyMatch(l -> l.startsWith("pre-create-deny ") && l.contains(" FAIL ")),
                out.toString());
        assertTrue(out.toString().contains("FAIL: "), out.toString());
        assertTrue(out.toString().lines().anyMatch(l -> l.startsWith("modify-strip-write ") && l.contains(" PASS ")),
                "the other scenarios still pass:\n" + out);
    }

    @Test
    void anAskAnsweredWrongFailsTheAskScenario() {
        SelfTestSuite broken = SelfTestSuite.standard().withAskTimeout(Duration.ofMillis(300))
                .withAction(SelfTestSuite.RULE_QUARANTINE, Action.deny(org.jminifilter.protocol.NtStatus.ACCESS_DENIED)
                        .inPostCreate());
        SelfTestReport report;
        try (Machine m = EmulatedMachine.start()) {
            report = broken.run(m);
        }
        assertFalse(report.passed());
        assertFalse(report.scenario("post-create-deny").passed(), report.scenario("post-create-deny").toString());
        assertTrue(report.scenario("pre-create-deny").passed(), report.scenario("pre-create-deny").toString());
    }

    @Test
    void withoutEmulatedOnLinuxItSaysTheRealDriverNeedsWindows() {
        org.junit.jupiter.api.Assumptions.assumeFalse(com.sun.jna.Platform.isWindows());
        Run r = run("selftest");
        assertEquals(ExitCodes.NO_DRIVER, r.exit());
        assertTrue(r.err().contains("needs Windows") && r.err().contains("--emulated"), r.err());
    }

    @Test
    void whenTheServiceHoldsTheConnectionItSaysToStopItAndExits3() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = SelfTestCommand.run(() -> new WorkerBackedMachine(EmulatedMachine.start(), false) {
            @Override
            public org.jminifilter.port.FilterPort connect() {
                throw new org.jminifilter.port.ConnectionLimitException("FilterConnectCommunicationPort failed with"
                        + " HRESULT 0x800704D6", 0x800704D6);
            }
        }, SelfTestSuite.standard(), new PrintWriter(out, true), new PrintWriter(err, true), false);
        assertEquals(ExitCodes.NO_DRIVER, exit, err.toString());
        assertTrue(err.toString().contains("jminifilter service stop"), err.toString());
        assertEquals("", out.toString());
    }
}
