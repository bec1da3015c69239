package org.jminifilter.cli.answers;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;

/**
 * The terminal of {@code serve --interactive}, as the prompt sees it: text out, lines in. The real
 * one is {@link StreamConsole}; tests give a scripted one (no terminal, no waiting).
 */
public interface PromptConsole {
    /** Writes {@code text} as it is (no line end added) and flushes. */
    void write(String text);

    /**
     * The next line typed, waiting at most {@code wait}.
     *
     * @return the line (without its end), or empty when none came within {@code wait}
     * @throws java.io.EOFException the input has ended: no answer will ever come from it
     */
    Optional<String> readLine(Duration wait) throws IOException, InterruptedException;
}
