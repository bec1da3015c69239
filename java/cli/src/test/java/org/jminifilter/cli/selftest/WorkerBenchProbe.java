package org.jminifilter.cli.selftest;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.util.List;

/** Runs a {@link Worker}'s {@code bench} request against a counting fake kernel32 (for the bench package's test). */
public final class WorkerBenchProbe {
    private final WindowsSideTest.CountingFileApi api = new WindowsSideTest.CountingFileApi();

    /** The worker's answer line to {@code bench FOLDER COUNT SIZE}. */
    public String bench(String folder, int count, int size) throws IOException {
        StringWriter out = new StringWriter();
        new Worker(api).serve(new BufferedReader(new StringReader(
                WorkerProtocol.request("bench", folder, count, size) + "\n")), new PrintWriter(out), 1);
        return out.toString().lines().toList().get(1);
    }

    /** Creates (and opens), writes, reads, closes the fake saw. */
    public List<Integer> counts() {
        return List.of(api.creates, api.writes, api.reads, api.closes);
    }
}
