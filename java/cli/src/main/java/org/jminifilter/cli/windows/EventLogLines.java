package org.jminifilter.cli.windows;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Where the installed service's own messages go: a service has no console, so what serve would
 * print on standard error (slf4j-simple's log lines, a refused policy file's problems) becomes one
 * Event Log event per line, id {@link EventLogIds#SERVICE_MESSAGE}. slf4j-simple's level word
 * gives the type (ERROR, WARN, else information); a continuation line (a stack trace's
 * {@code at ...}, indented) keeps the type of the line it continues.
 */
public final class EventLogLines extends OutputStream {
    private final EventLogWriter writer;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private final int fixedType;
    private int lastType = EventLogIds.EVENTLOG_INFORMATION_TYPE;

    /** Lines typed by their slf4j-simple level word. */
    public EventLogLines(EventLogWriter writer) {
        this(writer, 0);
    }

    /** Lines all of one type (serve's error output: {@link EventLogIds#EVENTLOG_ERROR_TYPE}), or 0 to detect. */
    public EventLogLines(EventLogWriter writer, int fixedType) {
        this.writer = writer;
        this.fixedType = fixedType;
    }

    /** A PrintStream over this, for System.setErr or a PrintWriter. */
    public PrintStream printStream() {
        return new PrintStream(this, true, StandardCharsets.UTF_8);
    }

    @Override
    public synchronized void write(int b) {
        if (b == '\n') {
            emit();
        } else if (b != '\r') {
            line.write(b);
        }
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        for (int i = off; i < off + len; i++) {
            write(b[i]);
        }
    }

    @Override
    public synchronized void flush() {
        // A partial line waits for its end: one event per line.
    }

    @Override
    public synchronized void close() {
        emit();
    }

    private void emit() {
        String text = line.toString(StandardCharsets.UTF_8);
        line.reset();
        if (text.isBlank()) {
            return;
        }
        lastType = fixedType != 0 ? fixedType : typeOf(text, lastType);
        writer.message(lastType, text);
    }

    /** The event type of one line; {@code previous} for a continuation line. */
    static int typeOf(String text, int previous) {
        if (Character.isWhitespace(text.charAt(0)) || text.startsWith("Caused by:")) {
            return previous;
        }
        if (text.contains(" ERROR ") || text.startsWith("ERROR") || text.startsWith("jminifilter: ")) {
            return EventLogIds.EVENTLOG_ERROR_TYPE;
        }
        if (text.contains(" WARN ") || text.startsWith("WARN")) {
            return EventLogIds.EVENTLOG_WARNING_TYPE;
        }
        return EventLogIds.EVENTLOG_INFORMATION_TYPE;
    }
}
