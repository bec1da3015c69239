package org.jminifilter.service;

import org.jminifilter.policy.Action;
import org.jminifilter.protocol.Ask;

/**
 * Decides an ASK: the driver holds the operation until the verdict comes back or the ask's
 * timeout passes (then the ask's default verdict applies).
 *
 * <p>Called on one of the service's ask threads ({@code jminifilter-ask-N}); several asks may be
 * decided at once, so an implementation must be thread-safe. It may call
 * {@link PolicyService#close()}.
 */
@FunctionalInterface
public interface AskHandler {
    /**
     * @return the verdict: ALLOW, DENY, MODIFY, REDIRECT or AUDIT (never ASK), without a
     *         post-create flag (the phase is the ask's); in post-create ({@link Ask#isPostCreate()})
     *         only ALLOW, DENY or AUDIT apply. Anything else, null, or a throw (exception or error)
     *         makes the service answer the ask's default verdict at once (the rule's
     *         {@code orDeny}/{@code orAllow}, else the configured one), counted in
     *         {@link PolicyService#asksFailed()}.
     */
    Action decide(Ask ask);
}
