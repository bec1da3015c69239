package org.jminifilter.cli.answers;

import java.util.Locale;

import org.jminifilter.policy.Action;
import org.jminifilter.service.AskHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Java {@link AskHandler} ({@code --handler}) deciding what the answers section leaves open. A
 * handler that throws, returns null, or returns a verdict the ask cannot take (MODIFY or REDIRECT
 * in post-create, a MODIFY of another operation's parameters, ...) gets the ask's default verdict
 * instead, logged with the handler's class.
 */
public final class HandlerDecider implements Decider {
    private static final Logger LOG = LoggerFactory.getLogger(HandlerDecider.class);

    private final AskHandler handler;

    public HandlerDecider(AskHandler handler) {
        this.handler = handler;
    }

    @Override
    public Action decide(AskContext c) {
        Action verdict;
        try {
            verdict = handler.decide(c.ask());
        } catch (RuntimeException e) {
            LOG.error("the handler {} failed on the ask about {} {} (rule {}): {}; answering its default, {}",
                    handler.getClass().getName(), c.ask().operation().name().toLowerCase(Locale.ROOT),
                    Verdicts.file(c.ask()), c.rule(), e.toString(), Verdicts.describe(c.defaultVerdict()));
            return c.defaultVerdict();
        }
        String problem = verdict == null ? "returned null"
                : Verdicts.problem(verdict, c.ask().operation(), c.ask().isPostCreate()).orElse(null);
        if (problem != null) {
            LOG.error("the handler {} answered the ask about {} {} (rule {}) with a verdict it cannot take: {}; "
                    + "answering its default, {}", handler.getClass().getName(),
                    c.ask().operation().name().toLowerCase(Locale.ROOT), Verdicts.file(c.ask()), c.rule(), problem,
                    Verdicts.describe(c.defaultVerdict()));
            return c.defaultVerdict();
        }
        return verdict;
    }
}
