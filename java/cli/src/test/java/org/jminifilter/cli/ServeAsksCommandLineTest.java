package org.jminifilter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.jminifilter.cli.CommandLineTest.Run;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code serve}'s ask options and {@code validate} of an answers section, as a person types them. */
class ServeAsksCommandLineTest {
    @TempDir
    Path dir;

    private Path policy() throws IOException {
        return Files.writeString(dir.resolve("p.yaml"), """
                version: 1
                rules:
                  - {id: docs, operations: [delete], path: '\\docs\\**', ask: {default: deny}}
                answers:
                  - {rule: docs, image: '**\\backup.exe', allow: }
                """);
    }

    @Test
    void askOptionsAreCheckedBeforeAnythingStarts() throws IOException {
        String p = policy().toString();
        Run jarAlone = CommandLineTest.run("serve", "--policy", p, "--handler-jar", dir.resolve("h.jar").toString());
        assertEquals(ExitCodes.USAGE, jarAlone.exit(), jarAlone.err());
        assertTrue(jarAlone.err().contains("--handler-jar needs --handler CLASS"), jarAlone.err());

        Run both = CommandLineTest.run("serve", "--policy", p, "--interactive", "--handler", "a.B");
        assertEquals(ExitCodes.USAGE, both.exit(), both.err());
        assertTrue(both.err().contains("--interactive and --handler exclude each other"), both.err());

        Run missing = CommandLineTest.run("serve", "--policy", p, "--handler", "com.example.Missing");
        assertEquals(ExitCodes.INVALID, missing.exit(), missing.err());
        assertTrue(missing.err().contains("jminifilter: --handler com.example.Missing: no such class in the class "
                + "path"), missing.err());

        Run help = CommandLineTest.run("serve", "--help");
        assertTrue(help.out().contains("--interactive") && help.out().contains("--handler=CLASS")
                && help.out().contains("--handler-jar=JAR"), help.out());
    }

    @Test
    void validateReportsAnswersWithTheirPlaces() throws IOException {
        Path f = Files.writeString(dir.resolve("bad.yaml"), """
                version: 1
                rules:
                  - {id: docs, operations: [delete], path: '\\docs\\**', ask: {default: deny}}
                answers:
                  - {rule: doc, allow: }
                """);
        Run r = CommandLineTest.run("validate", f.toString());
        assertEquals(ExitCodes.INVALID, r.exit());
        assertTrue(r.err().contains(f + ":5:12: error: answers[0].rule: no rule \"doc\" in this file; the ask rules "
                + "are docs; did you mean docs?"), r.err());
        Run ok = CommandLineTest.run("validate", policy().toString());
        assertEquals(ExitCodes.OK, ok.exit(), ok.err());
    }
}
