package org.jminifilter.cli.answers;

import java.util.EnumSet;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

import org.jminifilter.policy.Action;
import org.jminifilter.policy.ActionType;
import org.jminifilter.policy.DefaultVerdict;
import org.jminifilter.policy.Operation;
import org.jminifilter.policy.Rule;
import org.jminifilter.protocol.Ask;
import org.jminifilter.protocol.Config;
import org.jminifilter.protocol.NtStatus;
import org.jminifilter.protocol.Protocol;

/** What an ask's verdict may be, and what the kernel applies when there is none. */
public final class Verdicts {
    private Verdicts() {
    }

    /**
     * Why {@code verdict} cannot answer an ask about {@code operation} (in post-create when
     * {@code postCreate}), or empty when it can. The checks are the kernel's
     * (JmfPolicyValidateVerdict: the verdict as an action of a rule with that one operation), made
     * by the policy API's {@link Rule} validation, which mirrors them.
     */
    public static Optional<String> problem(Action verdict, Operation operation, boolean postCreate) {
        if (verdict.type() == ActionType.ASK) {
            return Optional.of("an answer cannot ask again");
        }
        if (postCreate && !appliesInPostCreate(verdict)) {
            return Optional.of(verdict.type() + " cannot answer a post-create ask (only allow, audit or deny)");
        }
        try {
            new Rule(1, EnumSet.of(operation), OptionalInt.empty(), Optional.empty(), Optional.empty(), 0, 0, Set.of(),
                    Set.of(), verdict);
            return Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.of(e.getMessage().replaceFirst("^rule id 1: ", ""));
        }
    }

    /** ALLOW, DENY and AUDIT: what a post-create ask may be answered with. */
    public static boolean appliesInPostCreate(Action verdict) {
        return switch (verdict.type()) {
            case ALLOW, DENY, AUDIT -> true;
            default -> false;
        };
    }

    /**
     * The verdict the kernel applies to {@code ask} when no answer comes (JmfAskDefault): the asking
     * rule's default ({@code ask: {default: ...}}), or the configuration's when the rule says
     * {@code configured} or is not in the policy in force; a DENY without an error status denies
     * with STATUS_ACCESS_DENIED, and anything but DENY allows.
     *
     * @param ruleAction the asking rule's ASK action, or null when the policy in force lacks the rule
     */
    public static Action defaultVerdict(Action.Ask ruleAction, Config config) {
        DefaultVerdict type;
        int status;
        if (ruleAction != null && ruleAction.defaultVerdict() != DefaultVerdict.CONFIGURED) {
            type = ruleAction.defaultVerdict();
            status = ruleAction.status();
        } else {
            type = config.defaultVerdict();
            status = config.defaultDenyStatus();
        }
        if (type != DefaultVerdict.DENY) {
            return Action.allow();
        }
        return Action.deny(Protocol.isDenyStatus(status) ? status : Action.STATUS_ACCESS_DENIED);
    }

    /** "allow", "deny (STATUS_ACCESS_DENIED)", ...: a verdict as a person reads it. */
    public static String describe(Action verdict) {
        if (verdict instanceof Action.Deny d) {
            return "deny (" + NtStatus.of(d.status()).name() + ")";
        }
        return verdict.type().name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The ask's file as one name: the volume's NT name and the path. */
    public static String file(Ask ask) {
        return ask.volume() + ask.path();
    }
}
