package org.jminifilter.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.util.List;

import org.jminifilter.cli.ExitCodes;
import org.jminifilter.cli.Main;
import org.jminifilter.policy.Policy;
import org.junit.jupiter.api.Test;

/** {@code jminifilter bench}: it runs on the emulated kernel and prints its table (no timing is asserted). */
class BenchTest {

    @Test
    void benchRunsOnTheEmulatedKernelAndPrintsEveryOperationAndRatio() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(new String[] {"bench", "--emulated", "--files", "20", "--size", "512", "--rules", "300"},
                new PrintWriter(out, true), new PrintWriter(err, true));
        assertEquals(ExitCodes.OK, exit, out + "\n" + err);
        String text = out.toString();
        assertTrue(text.contains("say NOTHING about the driver's cost on Windows"), text);
        assertTrue(text.contains("unloaded (us)") && text.contains("10k rules (us)") && text.contains("10k/unl."), text);
        for (String op : List.of("create", "open", "read", "write", "close")) {
            assertTrue(text.lines().anyMatch(l -> l.matches(op + " +[0-9.]+ +[0-9.]+ +[0-9.]+ +([0-9.]+|n/a) +([0-9.]+|n/a)")),
                    op + " row in\n" + text);
        }
    }

    @Test
    void withoutEmulatedOnLinuxItSaysTheDriverNeedsWindows() {
        org.junit.jupiter.api.Assumptions.assumeFalse(com.sun.jna.Platform.isWindows());
        StringWriter err = new StringWriter();
        int exit = Main.run(new String[] {"bench"}, new PrintWriter(new StringWriter()), new PrintWriter(err, true));
        assertEquals(ExitCodes.NO_DRIVER, exit);
        assertTrue(err.toString().contains("needs Windows") && err.toString().contains("--emulated"), err.toString());
    }

    @Test
    void theLargePolicyHasTenThousandRulesTheKernelAccepts() {
        Policy p = BenchRules.policy(BenchRules.COUNT);
        assertEquals(10_000, p.rules().size());
    }

    @Test
    void theWorkerRunsTheLoopAndReportsFiveMeans() throws Exception {
        org.jminifilter.cli.selftest.WorkerBenchProbe probe = new org.jminifilter.cli.selftest.WorkerBenchProbe();
        String line = probe.bench("C:\\bench", 7, 64);
        BenchLoop.Timings t = WindowsBench.timings(line);
        assertTrue(t.createNs() >= 0 && t.closeNs() >= 0, line);
        assertEquals(List.of(14, 7, 7, 14), probe.counts(), "creates+opens, writes, reads, closes");
        assertThrows(IllegalStateException.class, () -> WindowsBench.timings("E\tcreate C:\\bench\\f0.bin failed"));
    }

    @Test
    void ratiosAreToTheUnloadedRun() {
        assertEquals("2.50", BenchCommand.ratio(250, 100));
        assertEquals("n/a", BenchCommand.ratio(250, 0));
    }
}
