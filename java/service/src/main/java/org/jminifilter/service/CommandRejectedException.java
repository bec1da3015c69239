package org.jminifilter.service;

import org.jminifilter.protocol.Result;

/**
 * The driver refused a SET_POLICY or SET_CONFIG: nothing changed, the policy (or configuration)
 * in force stays. The message names the check that failed and, for a policy, the rule.
 */
public final class CommandRejectedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Result result;

    public CommandRejectedException(String message, Result result) {
        super(message);
        this.result = result;
    }

    /** The driver's JMF_RESULT: status, error code, rule index, generation still in force. */
    public Result result() {
        return result;
    }
}
