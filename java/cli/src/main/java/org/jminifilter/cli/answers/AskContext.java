package org.jminifilter.cli.answers;

import org.jminifilter.policy.Action;
import org.jminifilter.protocol.Ask;

/**
 * An ask the answers section did not decide, as the next decider sees it.
 *
 * @param ask            the kernel's question
 * @param rule           the asking rule's id as the policy file writes it
 * @param defaultVerdict what the kernel applies when no answer comes in time
 */
public record AskContext(Ask ask, String rule, Action defaultVerdict) {
}
