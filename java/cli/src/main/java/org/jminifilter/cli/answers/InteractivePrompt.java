package org.jminifilter.cli.answers;

import java.io.EOFException;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

import org.jminifilter.policy.Action;
import org.jminifilter.protocol.Ask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code serve --interactive}: the person at the console answers the asks the answers section
 * leaves open. Each question shows the operation, the file, the process and its image, the asking
 * rule and what the kernel applies without an answer, with the kernel's timeout counting down; the
 * person types {@code a} (allow) or {@code d} (deny) and Enter, or lets the time run out (the
 * kernel then applies the rule's default). Questions come one at a time, in the order the asks
 * arrived; the others wait their turn, and one whose time ran out while waiting is not shown.
 *
 * <p>The countdown starts when the service receives the ask: the kernel started counting when it
 * sent it, so the kernel may give up a little earlier than shown. An answer that comes after the
 * timeout is still sent (the service counts it late) and reported as late: the kernel had
 * already applied its default. A line typed after a question timed out is reported as a late answer
 * to it when the next question starts, and ignored.
 */
public final class InteractivePrompt implements Decider {
    private static final Logger LOG = LoggerFactory.getLogger(InteractivePrompt.class);
    private static final Duration TICK = Duration.ofSeconds(1);

    private final PromptConsole console;
    private final Clock clock;
    private final ReentrantLock turn = new ReentrantLock(true); // fair: questions in arrival order
    private final AtomicInteger waiting = new AtomicInteger();
    private final AtomicLong late = new AtomicLong();
    private volatile boolean inputEnded;
    private String lastTimedOut; // guarded by turn

    /**
     * @param console the terminal
     * @param clock   for the deadlines and the countdown
     */
    public InteractivePrompt(PromptConsole console, Clock clock) {
        this.console = console;
        this.clock = clock;
    }

    /** Questions waiting for their turn now. */
    public int waiting() {
        return waiting.get();
    }

    /** Answers that came after the kernel's timeout. */
    public long lateAnswers() {
        return late.get();
    }

    @Override
    public Action decide(AskContext c) {
        Instant deadline = clock.instant().plusMillis(c.ask().timeoutMs());
        if (inputEnded) {
            return c.defaultVerdict();
        }
        waiting.incrementAndGet();
        boolean mine = false;
        try {
            long left = Duration.between(clock.instant(), deadline).toMillis();
            mine = turn.tryLock(Math.max(0, left), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            waiting.decrementAndGet();
        }
        if (!mine) {
            LOG.warn("the question about {} {} timed out while waiting its turn; the kernel applies {}",
                    op(c.ask()), Verdicts.file(c.ask()), Verdicts.describe(c.defaultVerdict()));
            return c.defaultVerdict();
        }
        try {
            return ask(c, deadline);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return c.defaultVerdict();
        } finally {
            turn.unlock();
        }
    }

    private Action ask(AskContext c, Instant deadline) throws InterruptedException {
        Ask ask = c.ask();
        try {
            discardTypedAhead();
        } catch (IOException e) {
            return inputEnded(c);
        }
        if (!clock.instant().isBefore(deadline)) {
            console.write(String.format("%n[jminifilter] the question about %s %s timed out while waiting its turn; "
                    + "the kernel applied %s%n", op(ask), Verdicts.file(ask), Verdicts.describe(c.defaultVerdict())));
            return c.defaultVerdict();
        }
        console.write(String.format("%n[jminifilter] rule %s asks%s:%n  %-9s %s%n  %-9s %s%n  %-9s %s  %s%n"
                + "  %-9s %s%n", c.rule(), ask.isPostCreate() ? " (after the open)" : "", "operation", op(ask),
                "file", Verdicts.file(ask), "process", Integer.toUnsignedString(ask.processId()), ask.image(),
                "no answer", Verdicts.describe(c.defaultVerdict())));
        while (true) {
            long left = Duration.between(clock.instant(), deadline).toMillis();
            if (left <= 0) {
                console.write(String.format("%n  no answer in time: the kernel applied %s%n",
                        Verdicts.describe(c.defaultVerdict())));
                lastTimedOut = op(ask) + " " + Verdicts.file(ask);
                return c.defaultVerdict();
            }
            int queued = waiting.get();
            console.write(String.format("\r  allow or deny? [a/d] %d s left%s ", (left + 999) / 1000,
                    queued > 0 ? " (" + queued + " more waiting)" : ""));
            Optional<String> line;
            try {
                line = console.readLine(Duration.ofMillis(Math.min(TICK.toMillis(), left)));
            } catch (IOException e) {
                return inputEnded(c);
            }
            if (line.isEmpty()) {
                continue;
            }
            String w = line.get().trim().toLowerCase(Locale.ROOT);
            Action verdict;
            if (w.equals("a") || w.equals("allow")) {
                verdict = Action.allow();
            } else if (w.equals("d") || w.equals("deny")) {
                verdict = Action.deny();
            } else {
                console.write(String.format("%n  \"%s\": type a (allow) or d (deny), then Enter%n", line.get().trim()));
                continue;
            }
            long over = Duration.between(deadline, clock.instant()).toMillis();
            if (over >= 0) {
                late.incrementAndGet();
                console.write(String.format("  late: %s came %d ms after the kernel's timeout; the kernel had already "
                        + "applied %s%n", Verdicts.describe(verdict), over, Verdicts.describe(c.defaultVerdict())));
                LOG.warn("late answer {} to the ask about {} {}: the kernel had applied {}", Verdicts.describe(verdict),
                        op(ask), Verdicts.file(ask), Verdicts.describe(c.defaultVerdict()));
            } else {
                console.write(String.format("  %s%n", Verdicts.describe(verdict)));
            }
            lastTimedOut = null;
            return verdict;
        }
    }

    /** Lines typed while no question was shown: late answers to the last question that timed out. */
    private void discardTypedAhead() throws IOException, InterruptedException {
        for (Optional<String> line; (line = console.readLine(Duration.ZERO)).isPresent();) {
            if (lastTimedOut != null) {
                late.incrementAndGet();
                console.write(String.format("%n[jminifilter] \"%s\" came after the question about %s had timed out "
                        + "(the kernel had applied its default); ignored%n", line.get().trim(), lastTimedOut));
            } else {
                console.write(String.format("%n[jminifilter] \"%s\" was typed while no question was shown; ignored%n",
                        line.get().trim()));
            }
        }
        lastTimedOut = null;
    }

    private Action inputEnded(AskContext c) {
        if (!inputEnded) {
            inputEnded = true;
            console.write(String.format("%n[jminifilter] the console's input has ended: from now on every ask gets "
                    + "its rule's default verdict%n"));
            LOG.warn("--interactive: the console's input has ended; asks get their default verdicts");
        }
        return c.defaultVerdict();
    }

    private static String op(Ask ask) {
        return ask.operation().name().toLowerCase(Locale.ROOT);
    }
}
