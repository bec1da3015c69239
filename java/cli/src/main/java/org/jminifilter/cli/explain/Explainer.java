package org.jminifilter.cli.explain;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

import org.jminifilter.cli.answers.PatternMatcher;
import org.jminifilter.policy.Access;
import org.jminifilter.policy.Action;
import org.jminifilter.policy.CaseFold;
import org.jminifilter.policy.Disposition;
import org.jminifilter.policy.MatchFlag;
import org.jminifilter.policy.Operation;
import org.jminifilter.policy.PathPattern;
import org.jminifilter.policy.Policy;
import org.jminifilter.policy.Rule;

/**
 * The Java mirror of the driver's decision (jmf_policy.c's first match, in policy order): for one
 * operation, which rule decides in each phase and, for every rule tried before it, why it did
 * not match. The post-create phase is tried for creates that the pre-operation phase did not
 * deny (jmf_create.c: ALLOW, AUDIT, MODIFY, REDIRECT, an ASK answered other than DENY, or no
 * match), with what the open observed.
 */
public final class Explainer {

    /**
     * An operation to explain, as the kernel sees it.
     *
     * @param volume    the volume's NT device name
     * @param path      the volume-relative path ("\dir\file")
     * @param image     the NT path of the requesting process's image, or "" when unknown
     * @param observed  post-create: DIRECTORY or NON_DIRECTORY, and CREATED when the open created the file
     */
    public record Facts(Operation operation, String volume, String path, String image, int processId,
            int desiredAccess, Optional<Disposition> disposition, Set<MatchFlag> observed) {
    }

    /** One rule tried in a phase: it decided (no reason), or the first reason it did not match. */
    public record Trial(int index, Rule rule, Optional<String> whyNot) {
    }

    /** One phase: the rules tried in order and the one that decided, if any. */
    public record Phase(String name, List<Trial> trials, OptionalInt decidedBy) {
    }

    private Explainer() {
    }

    /** The pre-operation phase's decision, and the post-create phase's when it runs. */
    public static List<Phase> explain(Policy policy, Facts facts) {
        List<Phase> phases = new ArrayList<>();
        Phase pre = phase("pre-operation", policy, facts, false);
        phases.add(pre);
        boolean postRuns = facts.operation() == Operation.CREATE && (pre.decidedBy().isEmpty()
                || !stopsPostCreate(policy.rules().get(pre.decidedBy().getAsInt()).action()));
        if (postRuns) {
            phases.add(phase("post-create", policy, facts, true));
        }
        return phases;
    }

    /** Only a pre-operation DENY ends the create before the file system (jmf_create.c); an ASK may (its answer). */
    private static boolean stopsPostCreate(Action a) {
        return a instanceof Action.Deny;
    }

    private static Phase phase(String name, Policy policy, Facts facts, boolean postCreate) {
        List<Trial> trials = new ArrayList<>();
        for (int i = 0; i < policy.rules().size(); i++) {
            Rule rule = policy.rules().get(i);
            if (rule.isPostCreate() != postCreate) {
                continue;
            }
            Optional<String> why = whyNot(policy, rule, facts, postCreate);
            trials.add(new Trial(i, rule, why));
            if (why.isEmpty()) {
                return new Phase(name, trials, OptionalInt.of(i));
            }
        }
        return new Phase(name, trials, OptionalInt.empty());
    }

    /** The first of the rule's matches that does not hold, in words; empty when all hold. */
    static Optional<String> whyNot(Policy policy, Rule rule, Facts f, boolean postCreate) {
        if (!rule.operations().contains(f.operation())) {
            return Optional.of("operations " + rule.operations() + " do not include " + f.operation());
        }
        if (rule.volume().isPresent()) {
            String v = policy.volumes().get(rule.volume().getAsInt()).name();
            if (!CaseFold.equal(v, f.volume())) {
                return Optional.of("volume " + v + " is not " + f.volume());
            }
        }
        if (rule.processId() != 0 && rule.processId() != f.processId()) {
            return Optional.of("process id " + Integer.toUnsignedString(rule.processId()) + " is not "
                    + Integer.toUnsignedString(f.processId()));
        }
        if (rule.desiredAccess() != 0 && (rule.desiredAccess() & f.desiredAccess()) == 0) {
            return Optional.of("asks for none of " + Access.describe(rule.desiredAccess()) + " (the open asks for "
                    + Access.describe(f.desiredAccess()) + ")");
        }
        if (!rule.dispositions().isEmpty()
                && (f.disposition().isEmpty() || !rule.dispositions().contains(f.disposition().get()))) {
            return Optional.of("dispositions " + rule.dispositions() + " do not include "
                    + f.disposition().map(Disposition::name).orElse("(none given)"));
        }
        if (postCreate && !f.observed().containsAll(rule.matchFlags())) {
            return Optional.of("post-create matches " + rule.matchFlags() + " do not all hold (observed "
                    + f.observed() + ")");
        }
        if (rule.path().isPresent() && !PatternMatcher.matches(rule.path().get().pattern(), f.path())) {
            return Optional.of("path " + rule.path().get() + " does not match " + f.path());
        }
        if (rule.image().isPresent()) {
            PathPattern image = rule.image().get();
            if (f.image().isEmpty()) {
                return Optional.of("image " + image + " needs the process's image, which is not known");
            }
            if (!PatternMatcher.matches(image.pattern(), f.image())) {
                return Optional.of("image " + image + " does not match " + f.image());
            }
        }
        return Optional.empty();
    }
}
