package org.jminifilter.service;

import org.jminifilter.policy.Action;
import org.jminifilter.protocol.Ask;

/**
 * Decides an ASK: the driver holds the operation until the verdict comes back or the ask's
 * timeout passes (then the ask's default verdict applies). Called on one of the service's ask
 * threads; several asks may be decided at once.
 */
@FunctionalInterface
public interface AskHandler {
    /**
     * @return the verdict: ALLOW, DENY, MODIFY, REDIRECT or AUDIT (never ASK); in post-create
     *         ({@link Ask#isPostCreate()}) only ALLOW, DENY or AUDIT apply
     */
    Action decide(Ask ask);
}
