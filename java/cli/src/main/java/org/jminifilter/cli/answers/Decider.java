package org.jminifilter.cli.answers;

import org.jminifilter.policy.Action;

/** Decides the asks the answers section leaves open: the console prompt, or a Java handler. */
@FunctionalInterface
public interface Decider {
    /** @return the verdict; the context's default verdict when this decider has none */
    Action decide(AskContext context);
}
