package org.jminifilter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line as a person types it: output, errors and exit codes. */
class CommandLineTest {
    @TempDir
    Path dir;

    /** What one run printed and returned. */
    record Run(int exit, String out, String err) {
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(exit, out.toString(), err.toString());
    }

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    @Test
    void validateAcceptsAValidFileAndPrintsItsWarnings() throws IOException {
        Path f = write("p.yaml", """
                version: 1
                rules:
                  - {id: docs, operations: [write], path: '\\docs\\**', audit: }
                  - {id: report, operations: [write], path: '\\docs\\r.txt', deny: }
                """);
        Run r = run("validate", f.toString());
        assertEquals(ExitCodes.OK, r.exit(), r.err());
        assertTrue(r.out().contains(f + ":4:5: warning: rule report: never decides anything"), r.out());
        assertTrue(r.out().contains("valid: 2 rules, 0 volumes, 1 warnings"), r.out());
    }

    @Test
    void validateRefusesAnInvalidFileWithEveryErrorPlaced() throws IOException {
        Path f = write("p.yaml", """
                version: 1
                rules:
                  - {id: 1, operations: [wirte], audit: }
                  - {id: 2, operations: [write], deny: STATUS_NOPE}
                """);
        Run r = run("validate", f.toString());
        assertEquals(ExitCodes.INVALID, r.exit());
        assertTrue(r.err().contains(f + ":3:"), r.err());
        assertTrue(r.err().contains("did you mean write?"), r.err());
        assertTrue(r.err().contains(f + ":4:"), r.err());
        assertTrue(r.err().contains("invalid: 2 errors"), r.err());
    }

    @Test
    void validateNamesAMissingFile() {
        Run r = run("validate", dir.resolve("nope.yaml").toString());
        assertEquals(ExitCodes.INVALID, r.exit());
        assertTrue(r.err().contains("nope.yaml: no such file"), r.err());
    }

    @Test
    void driveLettersResolveThroughVolumeOptions() throws IOException {
        Path f = write("p.yaml", """
                version: 1
                rules:
                  - {id: 1, operations: [write], volume: "C:", audit: }
                """);
        Run without = run("validate", f.toString());
        assertEquals(ExitCodes.INVALID, without.exit());
        assertTrue(without.err().contains("cannot resolve \"C:\""), without.err());
        Run with = run("validate", "--volume", "C:=\\Device\\HarddiskVolume4", f.toString());
        assertEquals(ExitCodes.OK, with.exit(), with.err());
    }

    @Test
    void usageErrorsExitTwoAndHelpWorksEverywhere() {
        assertEquals(ExitCodes.USAGE, run("validate").exit());
        assertEquals(ExitCodes.USAGE, run("frobnicate").exit());
        Run help = run("--help");
        assertEquals(ExitCodes.OK, help.exit());
        assertTrue(help.out().contains("validate") && help.out().contains("Exit codes"), help.out());
        assertEquals(ExitCodes.OK, run("validate", "--help").exit());
        Run version = run("version");
        assertTrue(version.out().contains("driver protocol version " + org.jminifilter.protocol.Protocol.PROTOCOL_VERSION),
                version.out());
    }

    /** Every example policy in the repository is valid and has no warning (examples must not rot). */
    @Test
    void everyExamplePolicyIsValidAndClean() throws IOException {
        Path examples = Path.of(System.getProperty("jmf.root", "../.."), "examples", "policies");
        List<Path> files;
        try (Stream<Path> s = Files.list(examples)) {
            files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        assertTrue(files.size() >= 6, "examples found: " + files);
        for (Path f : files) {
            Run r = run("validate", "--volume", "C:=\\Device\\HarddiskVolume1", "--volume",
                    "D:=\\Device\\HarddiskVolume2", f.toString());
            assertEquals(ExitCodes.OK, r.exit(), f + ": " + r.err());
            assertTrue(r.out().contains(", 0 warnings"), f + ": " + r.out());
        }
    }
}
