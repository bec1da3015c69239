package org.jminifilter.cli.answers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.jminifilter.policy.CaseFold;
import org.jminifilter.protocol.Protocol;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The answers' pattern matcher is the driver's: the cases of native-driver/host/unit/test_pattern.c,
 * its exponential reference matcher over random small inputs, and JmfPatternMatch itself compiled
 * from the driver's source and run over the same inputs (skipped without a C compiler unless
 * jmf.native.required=true).
 */
class PatternMatcherTest {

    private static boolean match(String pattern, String text) {
        return PatternMatcher.matches(pattern, text);
    }

    /** test_pattern.c's TestMatchCases, one for one. */
    @Test
    void theCUnitTestsCases() {
        assertTrue(match("", ""));
        assertFalse(match("", "a"));
        assertTrue(match("\\Users\\Bob\\a.txt", "\\users\\BOB\\A.TXT"));
        assertFalse(match("\\Users\\Bob\\a.txt", "\\Users\\Bob\\a.txt2"));
        assertFalse(match("\\Users\\Bob\\a.txt", "\\Users\\Bob\\a.tx"));
        assertTrue(match("\\Документы\\Отчёт.doc", "\\ДОКУМЕНТЫ\\ОТЧЁТ.DOC"));
        assertTrue(match("\\Σίσυφος", "\\ΣΊΣΥΦΟΣ"));
        assertTrue(match("\\σισυφος*", "\\ΣΙΣΥΦΟς.txt"));
        assertFalse(match("\\straße", "\\STRASSE"));

        assertTrue(match("a?c", "abc"));
        assertTrue(match("a?c", "aBc"));
        assertFalse(match("a?c", "ac"));
        assertFalse(match("a?c", "a\\c"));
        assertFalse(match("?", ""));

        assertTrue(match("*", ""));
        assertTrue(match("*", "abc"));
        assertFalse(match("*", "a\\b"));
        assertTrue(match("\\a\\*.txt", "\\a\\x.txt"));
        assertTrue(match("\\a\\*.txt", "\\a\\.txt"));
        assertFalse(match("\\a\\*.txt", "\\a\\b\\x.txt"));
        assertTrue(match("\\a\\*\\*.txt", "\\a\\b\\x.txt"));
        assertTrue(match("*a*b*c", "xaybzc"));
        assertFalse(match("*a*b*c", "xaybzcd"));
        assertTrue(match("\\a*", "\\a"));
        assertFalse(match("\\a*", "\\a\\"));

        assertTrue(match("**", ""));
        assertTrue(match("**", "\\a\\b\\c"));
        assertTrue(match("**\\notepad.exe", "\\Device\\HarddiskVolume3\\Windows\\notepad.exe"));
        assertFalse(match("**\\notepad.exe", "\\Windows\\notepad.exe2"));
        assertFalse(match("**\\notepad.exe", "notepad.exe"));
        assertTrue(match("\\Users\\**\\*.docx", "\\Users\\bob\\Documents\\x\\report.docx"));
        assertFalse(match("\\Users\\**\\*.docx", "\\Users\\a.docx"));
        assertTrue(match("\\Users\\**.docx", "\\Users\\a.docx"));
        assertTrue(match("\\Users\\**.docx", "\\Users\\b\\c\\a.docx"));
        assertFalse(match("\\Users\\**\\*.docx", "\\Users\\bob\\report.docx\\x"));
        assertTrue(match("a**b**c", "a\\b\\c"));
        assertTrue(match("a**b", "ab"));
        assertTrue(match("\\a\\**", "\\a\\"));
        assertFalse(match("\\a\\**", "\\a"));
        assertTrue(match("*\\**\\?", "x\\\\y"));
        assertTrue(match("?**?", "ab"));
        assertFalse(match("?**?", "a"));

        String overLong = "*".repeat(Protocol.MAX_PATTERN_CHARS + 1);
        assertFalse(match(overLong, "*"), "an over-long pattern never matches");
    }

    /** test_pattern.c's TestNoBacktracking: the shapes that make backtracking matchers exponential. */
    @Test
    void noBacktracking() {
        char[] text = new char[32767];
        java.util.Arrays.fill(text, 'a');
        text[32766] = '\\';
        String pattern = "*a".repeat(500) + "*b*\\";
        assertFalse(match(pattern, new String(text)));
        text[20000] = 'B';
        assertTrue(match(pattern, new String(text)));
        text[20000] = 'a';
        text[200] = 'b';
        assertFalse(match(pattern, new String(text)), "too early: 500 'a' must come before it");
        text[200] = 'a';
        assertFalse(match("**a".repeat(333) + "*b*\\", new String(text)));
    }

    /** test_pattern.c's RefMatch: the language written the obvious, exponential way. */
    private static boolean reference(String p, String t) {
        if (p.isEmpty()) {
            return t.isEmpty();
        }
        if (p.startsWith("**")) {
            for (int k = 0; k <= t.length(); k++) {
                if (reference(p.substring(2), t.substring(k))) {
                    return true;
                }
            }
            return false;
        }
        if (p.charAt(0) == '*') {
            for (int k = 0; k <= t.length(); k++) {
                if (reference(p.substring(1), t.substring(k))) {
                    return true;
                }
                if (k < t.length() && t.charAt(k) == '\\') {
                    break;
                }
            }
            return false;
        }
        if (t.isEmpty()) {
            return false;
        }
        if (p.charAt(0) == '?') {
            return t.charAt(0) != '\\' && reference(p.substring(1), t.substring(1));
        }
        return CaseFold.upcase(p.charAt(0)) == CaseFold.upcase(t.charAt(0))
                && reference(p.substring(1), t.substring(1));
    }

    private record Case(String pattern, String text) {
    }

    /** Random small patterns and texts over test_pattern.c's alphabets; patterns with "***" are invalid. */
    private static List<Case> randomCases(long seed, int count) {
        char[] patternAlphabet = {'a', 'B', '\\', '?', '*', '\u03C3', '\u0430'};
        char[] textAlphabet = {'A', 'b', '\\', '\u03A3', '\u03C2', '\u0410'};
        Random rnd = new Random(seed);
        List<Case> cases = new ArrayList<>();
        while (cases.size() < count) {
            StringBuilder p = new StringBuilder();
            StringBuilder t = new StringBuilder();
            int pn = rnd.nextInt(10);
            int tn = rnd.nextInt(12);
            for (int i = 0; i < pn; i++) {
                p.append(patternAlphabet[rnd.nextInt(patternAlphabet.length)]);
            }
            if (p.indexOf("***") >= 0) {
                continue;
            }
            for (int i = 0; i < tn; i++) {
                t.append(textAlphabet[rnd.nextInt(textAlphabet.length)]);
            }
            cases.add(new Case(p.toString(), t.toString()));
        }
        return cases;
    }

    @Test
    void agreesWithTheReferenceMatcher() {
        int matches = 0;
        List<String> disagreements = new ArrayList<>();
        for (Case c : randomCases(1234, 100_000)) {
            boolean expected = reference(c.pattern(), c.text());
            matches += expected ? 1 : 0;
            if (expected != match(c.pattern(), c.text()) && disagreements.size() < 10) {
                disagreements.add(c + " reference " + expected);
            }
        }
        assertTrue(disagreements.isEmpty(), disagreements.toString());
        assertTrue(matches > 1000, "the inputs exercised the matching side (" + matches + ")");
    }

    /** The driver's own JmfPatternMatch, compiled for this machine, gives the same answer for every input. */
    @Test
    void agreesWithTheDriversMatcher() throws IOException, InterruptedException {
        Optional<Path> cc = compiler();
        Assumptions.assumeTrue(cc.isPresent(), "no C compiler (cc) on PATH: the agreement with the driver's matcher "
                + "is not checked (set jmf.native.required=true to make this a failure)");
        Path root = Path.of(System.getProperty("jmf.root", "../..")).toAbsolutePath();
        Path dir = Files.createDirectories(Path.of("target/pattern-agreement").toAbsolutePath());
        Path exe = dir.resolve("jmf_pattern_agreement");
        run(List.of(cc.get().toString(), "-std=c11", "-O1", "-Wall", "-Wextra", "-Werror",
                "-I", root.resolve("native-driver/src").toString(),
                "-I", root.resolve("native-driver/include").toString(),
                root.resolve("java/cli/src/test/c/jmf_pattern_agreement.c").toString(),
                root.resolve("native-driver/src/jmf_pattern.c").toString(), "-o", exe.toString()), null);

        List<Case> cases = new ArrayList<>(randomCases(2026, 50_000));
        // Names as they come, and patterns a person writes in an answers section.
        String[] patterns = {"\\Users\\*\\Documents\\**", "**\\*.docx", "**\\explorer.exe", "\\secret\\**", "*",
                "**", "\\", "\\Users\\**\\*.doc?", "\\Windows\\System32\\*.dll", "**\\Downloads\\*.exe"};
        String[] names = {"\\Users\\bob\\Documents\\plan.docx", "\\USERS\\Bob\\documents\\a\\b\\c.DOCX", "\\",
                "", "\\secret", "\\secret\\x", "\\Device\\HarddiskVolume1\\Windows\\explorer.exe",
                "\\Users\\bob\\Downloads\\setup.exe", "\\Windows\\System32\\kernel32.dll",
                "\\Windows\\System32\\drivers\\x.dll", "\\Users\\Ärger\\Documents\\ÄÖÜ.docm"};
        for (String p : patterns) {
            for (String n : names) {
                cases.add(new Case(p, n));
            }
        }
        StringBuilder in = new StringBuilder();
        for (Case c : cases) {
            in.append(hex(c.pattern())).append(' ').append(hex(c.text())).append('\n');
        }
        Path input = dir.resolve("input.txt");
        Files.writeString(input, in, StandardCharsets.US_ASCII);
        String[] lines = run(List.of(exe.toString()), input).split("\n");
        assertEquals("agreement: " + cases.size() + " inputs", lines[lines.length - 1].trim());
        List<String> disagreements = new ArrayList<>();
        int matches = 0;
        for (int i = 0; i < cases.size(); i++) {
            boolean kernel = lines[i].trim().equals("1");
            matches += kernel ? 1 : 0;
            if (kernel != match(cases.get(i).pattern(), cases.get(i).text()) && disagreements.size() < 10) {
                disagreements.add(cases.get(i) + ": the driver says " + kernel);
            }
        }
        assertTrue(disagreements.isEmpty(), disagreements.toString());
        assertTrue(matches > 1000 && matches < cases.size() - 1000, "both outcomes were tried (" + matches + ")");
    }

    private static String hex(String s) {
        if (s.isEmpty()) {
            return "-";
        }
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            b.append(String.format("%04X", (int) c));
        }
        return b.toString();
    }

    private static Optional<Path> compiler() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(dir, "cc");
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        if (Boolean.getBoolean("jmf.native.required")) {
            fail("no C compiler (cc) on PATH, and jmf.native.required=true");
        }
        return Optional.empty();
    }

    private static String run(List<String> command, Path stdin) throws IOException, InterruptedException {
        Path out = Files.createTempFile("jmf-pattern", ".out");
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile());
            if (stdin != null) {
                pb.redirectInput(stdin.toFile());
            }
            Process p = pb.start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail("timed out: " + command);
            }
            String text = Files.readString(out, StandardCharsets.UTF_8);
            assertEquals(0, p.exitValue(), String.join(" ", command) + "\n" + text);
            return text;
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
