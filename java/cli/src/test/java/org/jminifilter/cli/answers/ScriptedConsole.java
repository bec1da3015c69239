package org.jminifilter.cli.answers;

import java.io.EOFException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;

/**
 * A console for tests: lines "typed" at given moments of a fake clock, which a read advances
 * instead of waiting (no terminal, no sleeps). A read that would wait returns the next line if it
 * is typed within the wait (moving the clock to that moment), else moves the clock by the whole
 * wait and returns nothing. {@link #hold()} makes reads that would wait block until {@link #release()}, so a test
 * can queue another ask behind the one being asked.
 */
final class ScriptedConsole implements PromptConsole {

    /** A clock a test moves. */
    static final class FakeClock extends Clock {
        private Instant now;

        FakeClock(Instant start) {
            this.now = start;
        }

        @Override
        public synchronized Instant instant() {
            return now;
        }

        synchronized void set(Instant t) {
            now = t;
        }

        synchronized void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }
    }

    private record Typed(Instant at, String line, boolean slowRead) {
    }

    final FakeClock clock;
    private final Instant start;
    private final Deque<Typed> typed = new ArrayDeque<>();
    private final StringBuilder out = new StringBuilder();
    private boolean endOfInput;
    private boolean held;

    ScriptedConsole(Instant start) {
        this.start = start;
        this.clock = new FakeClock(start);
    }

    /** The person types {@code line} and Enter {@code after} the start. */
    synchronized ScriptedConsole type(Duration after, String line) {
        typed.add(new Typed(start.plus(after), line, false));
        return this;
    }

    /** A read that returns {@code line} only at {@code after}, whatever it was told to wait (a slow machine). */
    synchronized ScriptedConsole typeSlowly(Duration after, String line) {
        typed.add(new Typed(start.plus(after), line, true));
        return this;
    }

    /** After the typed lines, the input ends (stdin closed). */
    synchronized ScriptedConsole thenEnd() {
        endOfInput = true;
        return this;
    }

    synchronized void hold() {
        held = true;
    }

    synchronized void release() {
        held = false;
        notifyAll();
    }

    synchronized String output() {
        return out.toString();
    }

    /** Waits (at most 20 s) until the output holds {@code fragment}. */
    synchronized boolean awaitOutput(String fragment) throws InterruptedException {
        long end = System.nanoTime() + 20_000_000_000L;
        while (out.indexOf(fragment) < 0) {
            long left = (end - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                return false;
            }
            wait(left);
        }
        return true;
    }

    @Override
    public synchronized void write(String text) {
        out.append(text);
        notifyAll();
    }

    @Override
    public synchronized Optional<String> readLine(Duration wait) throws EOFException, InterruptedException {
        long end = System.nanoTime() + 20_000_000_000L;
        while (held && !wait.isZero() && System.nanoTime() < end) {
            wait(1000);
        }
        Typed next = typed.peek();
        if (next == null) {
            if (endOfInput) {
                throw new EOFException("end of the script");
            }
            clock.advance(wait);
            return Optional.empty();
        }
        Instant limit = clock.instant().plus(wait);
        if ((next.slowRead() && !wait.isZero()) || !next.at().isAfter(limit)) {
            typed.poll();
            if (next.at().isAfter(clock.instant())) {
                clock.set(next.at());
            }
            return Optional.of(next.line());
        }
        clock.advance(wait);
        return Optional.empty();
    }
}
