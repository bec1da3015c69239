package org.jminifilter.cli.windows;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The command line the Service Control Manager runs for the service (its ImagePath):
 * {@code "JAVA" -Xrs -jar "JAR" service run ARGS...}, each part quoted as Windows programs parse
 * their command line (the rules of CommandLineToArgvW and the C runtime, which java.exe's launcher
 * follows): a part with a space, a tab or a quote, or an empty one, goes in quotes; a quote inside
 * becomes {@code \"}; backslashes are doubled only where they come before a quote. The
 * executable is always quoted, so a path with spaces is never the "unquoted service path" that
 * lets {@code C:\Program.exe} run instead.
 *
 * <p>{@code -Xrs}: the JVM then installs no console control handler, so a user logging off (a
 * CTRL_LOGOFF_EVENT every service process receives) does not start the JVM's shutdown; the SCM's
 * stop and shutdown controls stop the service instead.
 */
public final class ServiceBinaryPath {
    private ServiceBinaryPath() {
    }

    /** The full command line. */
    public static String of(Path javaExecutable, Path jar, List<String> serviceRunArgs) {
        List<String> parts = new ArrayList<>();
        parts.add(javaExecutable.toString());
        parts.add("-Xrs");
        parts.add("-jar");
        parts.add(jar.toString());
        parts.add("service");
        parts.add("run");
        parts.addAll(serviceRunArgs);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < parts.size(); i++) {
            if (i > 0) {
                b.append(' ');
            }
            // The program name is parsed by simpler rules (quotes only, no escapes): always quote it.
            b.append(i == 0 ? '"' + parts.get(0) + '"' : quote(parts.get(i)));
        }
        return b.toString();
    }

    /** One argument, quoted when it must be. */
    public static String quote(String arg) {
        if (!arg.isEmpty() && arg.chars().noneMatch(c -> c == ' ' || c == '\t' || c == '"' || c == '\n')) {
            return arg;
        }
        StringBuilder b = new StringBuilder("\"");
        int backslashes = 0;
        for (int i = 0; i < arg.length(); i++) {
            char c = arg.charAt(i);
            if (c == '\\') {
                backslashes++;
                continue;
            }
            if (c == '"') {
                b.append("\\".repeat(2 * backslashes + 1)).append('"');
            } else {
                b.append("\\".repeat(backslashes)).append(c);
            }
            backslashes = 0;
        }
        // Backslashes before the closing quote would escape it: double them.
        b.append("\\".repeat(2 * backslashes)).append('"');
        return b.toString();
    }

    /**
     * The java executable running this JVM: the process's own command when the OS tells it,
     * else {@code java.home\bin\java.exe}.
     */
    public static Path currentJava() {
        Optional<String> command = ProcessHandle.current().info().command();
        return command.map(Path::of)
                .orElseGet(() -> Path.of(System.getProperty("java.home"), "bin", "java.exe"));
    }

    /**
     * The runnable jar this class was loaded from, absolute.
     *
     * @throws IllegalStateException when not running from a jar (e.g. from classes in a build tree)
     */
    public static Path currentJar() {
        try {
            Path p = Path.of(ServiceBinaryPath.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                    .toAbsolutePath();
            if (!p.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".jar")) {
                throw new IllegalStateException("not running from the runnable jar (" + p + "): install the service "
                        + "with java -jar jminifilter.jar service install ...");
            }
            return p;
        } catch (java.net.URISyntaxException | SecurityException | NullPointerException e) {
            throw new IllegalStateException("cannot tell which jar is running: " + e.getMessage(), e);
        }
    }
}
