package org.jminifilter.protocol;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;

/**
 * Finds the repository root and the machine's C compiler for the conformance test, and runs
 * programs. Without a compiler the test is skipped, unless jmf.native.required=true (CI), where
 * it fails.
 */
final class NativeToolchain {
    private NativeToolchain() {
    }

    /** The repository root: system property jmf.root, else the nearest parent holding the header. */
    static Path root() {
        String prop = System.getProperty("jmf.root");
        if (prop != null && !prop.isBlank() && Files.isRegularFile(header(Paths.get(prop)))) {
            return Paths.get(prop).toAbsolutePath();
        }
        for (Path p = Paths.get("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(header(p))) {
                return p;
            }
        }
        throw new IllegalStateException("cannot find native-driver/include/jmf_protocol.h (jmf.root=" + prop + ")");
    }

    static Path header(Path root) {
        return root.resolve("native-driver/include/jmf_protocol.h");
    }

    /**
     * The C compiler: {@code cc} from PATH. When there is none this fails the test if
     * jmf.native.required=true, and otherwise returns empty with {@link #NO_COMPILER} said on
     * stderr; the caller then skips with that message.
     */
    static Optional<Path> compiler() {
        Optional<Path> cc = onPath("cc");
        if (cc.isEmpty()) {
            if (Boolean.getBoolean("jmf.native.required")) {
                fail(NO_COMPILER + ", and jmf.native.required=true");
            }
            System.err.println("SKIPPED: " + NO_COMPILER);
        }
        return cc;
    }

    static final String NO_COMPILER = "no C compiler (cc) on PATH: the C/Java protocol conformance test"
            + " is skipped (set jmf.native.required=true to make this a failure)";

    /** Skips the calling test when {@code skipReason} is set. */
    static void assumeRan(String skipReason) {
        Assumptions.assumeTrue(skipReason == null, skipReason);
    }

    private static Optional<Path> onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            for (String candidate : List.of(name, name + ".exe")) {
                Path p = Paths.get(dir, candidate);
                if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                    return Optional.of(p);
                }
            }
        }
        return Optional.empty();
    }

    /** Runs {@code command}; returns its standard output, failing the test on a non-zero exit. */
    static String run(List<String> command) throws IOException, InterruptedException {
        return run(command, null);
    }

    /** Runs {@code command} with {@code stdin} (or nothing) as its standard input. */
    static String run(List<String> command, Path stdin) throws IOException, InterruptedException {
        Path out = Files.createTempFile("jmf-run", ".out");
        try {
            ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true)
                    .redirectOutput(out.toFile());
            if (stdin != null) {
                pb.redirectInput(stdin.toFile());
            }
            Process p = pb.start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail("timed out: " + command);
            }
            String text = Files.readString(out, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                fail("exit " + p.exitValue() + ": " + String.join(" ", command) + "\n" + text);
            }
            return text;
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
