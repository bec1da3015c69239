package org.jminifilter.cli.windows;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The service's command line: quoted so that Windows' argument rules give back every part unchanged. */
class ServiceBinaryPathTest {

    @Test
    void plainPartsStayAsTheyAre() {
        assertEquals("C:\\policies\\p.yaml", ServiceBinaryPath.quote("C:\\policies\\p.yaml"));
        assertEquals("--event-log", ServiceBinaryPath.quote("--event-log"));
    }

    @Test
    void spacesQuotesAndTrailingBackslashes() {
        assertEquals("\"C:\\My Policies\\p.yaml\"", ServiceBinaryPath.quote("C:\\My Policies\\p.yaml"));
        assertEquals("\"\"", ServiceBinaryPath.quote(""));
        // a quote inside: escaped, and the backslash before it doubled
        assertEquals("\"a\\\\\\\"b\"", ServiceBinaryPath.quote("a\\\"b"));
        // a folder with a space ending in a backslash: doubled so it does not escape the closing quote
        assertEquals("\"C:\\My Dir\\\\\"", ServiceBinaryPath.quote("C:\\My Dir\\"));
        // backslashes not before a quote are literal
        assertEquals("\"\\\\server\\share x\\f\"", ServiceBinaryPath.quote("\\\\server\\share x\\f"));
    }

    @Test
    void theWholeCommandLineParsesBackToItsParts() {
        Path java = Path.of("C:\\Program Files\\Eclipse Adoptium\\jdk-17\\bin\\java.exe");
        Path jar = Path.of("C:\\Program Files\\jminifilter\\jminifilter.jar");
        List<String> args = List.of("--policy", "C:\\My \"odd\" policies\\p.yaml", "--event-log", "--events-file",
                "D:\\logs dir\\", "--volume", "C:=\\Device\\HarddiskVolume3");
        String line = ServiceBinaryPath.of(java, jar, args);
        assertEquals("\"C:\\Program Files\\Eclipse Adoptium\\jdk-17\\bin\\java.exe\" -Xrs -jar "
                + "\"C:\\Program Files\\jminifilter\\jminifilter.jar\" service run --policy ", line.substring(0,
                        line.indexOf("--policy ") + 9));
        List<String> expected = new ArrayList<>(List.of(java.toString(), "-Xrs", "-jar", jar.toString(), "service",
                "run"));
        expected.addAll(args);
        assertEquals(expected, commandLineToArgv(line));
    }

    /**
     * Windows' rules (CommandLineToArgvW, the C runtime), written out for the test: the program
     * name ends at the closing quote (or the first space when unquoted); then 2n backslashes + quote
     * give n backslashes and toggle quoting, 2n+1 backslashes + quote give n backslashes and a
     * quote, other backslashes are literal, whitespace outside quotes separates.
     */
    static List<String> commandLineToArgv(String line) {
        List<String> out = new ArrayList<>();
        int i = 0;
        StringBuilder arg = new StringBuilder();
        if (line.charAt(0) == '"') {
            int end = line.indexOf('"', 1);
            out.add(line.substring(1, end));
            i = end + 1;
        } else {
            int end = line.indexOf(' ');
            out.add(line.substring(0, end));
            i = end;
        }
        boolean inQuotes = false;
        boolean inArg = false;
        while (i < line.length()) {
            char c = line.charAt(i);
            if (c == '\\') {
                int n = 0;
                while (i < line.length() && line.charAt(i) == '\\') {
                    n++;
                    i++;
                }
                if (i < line.length() && line.charAt(i) == '"') {
                    arg.append("\\".repeat(n / 2));
                    if (n % 2 == 1) {
                        arg.append('"');
                        i++;
                    }
                } else {
                    arg.append("\\".repeat(n));
                }
                inArg = true;
                continue;
            }
            if (c == '"') {
                inQuotes = !inQuotes;
                inArg = true;
            } else if ((c == ' ' || c == '\t') && !inQuotes) {
                if (inArg) {
                    out.add(arg.toString());
                    arg.setLength(0);
                    inArg = false;
                }
            } else {
                arg.append(c);
                inArg = true;
            }
            i++;
        }
        if (inArg) {
            out.add(arg.toString());
        }
        return out;
    }
}
