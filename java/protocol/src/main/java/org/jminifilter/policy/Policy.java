package org.jminifilter.policy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.jminifilter.protocol.Protocol;

/**
 * An immutable policy: rules tried in order (first match decides, separately in the pre-operation
 * and post-create phases) and the volume table they index. The constructor enforces the checks
 * that need the whole policy: at most JMF_MAX_RULES rules and JMF_MAX_VOLUMES volumes, unique rule
 * ids, every volume index inside the table. Build one with {@link #builder()}:
 *
 * <pre>{@code
 * Policy p = Policy.builder()
 *     .rule(r -> r.id(1).operations(Operation.CREATE).path("\\Users\\*\\secret\\**").deny())
 *     .rule(r -> r.id(2).operations(Operation.WRITE).volume("\\Device\\HarddiskVolume3").audit())
 *     .build();
 * }</pre>
 *
 * <p>{@code mode} {@link Mode#AUDIT_ONLY} (JMF_POLICY_FLAG_AUDIT_ONLY) makes every DENY, MODIFY,
 * REDIRECT and ASK rule audit-only: decided and reported, not applied (see {@link Mode}).
 */
public record Policy(List<Rule> rules, List<Volume> volumes, Mode mode) {
    /** The policy with no rule: everything passes. */
    public static final Policy EMPTY = new Policy(List.of(), List.of());

    /** An enforcing policy (its rules may still be audit-only one by one). */
    public Policy(List<Rule> rules, List<Volume> volumes) {
        this(rules, volumes, Mode.ENFORCE);
    }

    /** Validates the whole policy (limits, unique volumes and rule ids, volume indexes); fails naming the rule and field. */
    public Policy {
        rules = List.copyOf(rules);
        volumes = List.copyOf(volumes);
        if (mode == null) {
            throw new IllegalArgumentException("Mode: null (use Mode.ENFORCE)");
        }
        if (volumes.size() > Protocol.MAX_VOLUMES) {
            throw new IllegalArgumentException("VolumeCount: " + volumes.size() + " volumes, at most "
                    + Protocol.MAX_VOLUMES);
        }
        if (rules.size() > Protocol.MAX_RULES) {
            throw new IllegalArgumentException("RuleCount: " + rules.size() + " rules, at most " + Protocol.MAX_RULES);
        }
        for (int i = 0; i < volumes.size(); i++) {
            for (int j = 0; j < i; j++) {
                if (volumes.get(i).sameAs(volumes.get(j))) {
                    throw new IllegalArgumentException("volume #" + i + " (" + volumes.get(i)
                            + "): the same name as volume #" + j + " (names compare without regard to case)");
                }
            }
        }
        Map<Integer, Integer> seen = new HashMap<>();
        for (int i = 0; i < rules.size(); i++) {
            checkInPolicy(rules.get(i), i, seen, volumes.size());
        }
        int chained = reparseChain(rules);
        if (chained >= 0) {
            Action.Redirect r = (Action.Redirect) rules.get(chained).action();
            throw new InvalidFieldException("Action.TargetVolume", "redirects by reparse to volume " + r.targetVolume()
                    + ", where a redirect by reparse starts: the reopen could be redirected again (loop protection)")
                    .in(context(chained, rules.get(chained).ruleId()));
        }
    }

    /**
     * JmfReparseChainsValidate: the position of the first redirect by reparse whose target volume is
     * the volume of some redirect by reparse (itself included), or -1.
     */
    static int reparseChain(List<Rule> rules) {
        java.util.Set<Integer> sources = new java.util.HashSet<>();
        for (Rule rule : rules) {
            if (rule.action() instanceof Action.Redirect r && r.mechanism() == RedirectMechanism.REPARSE
                    && rule.volume().isPresent()) {
                sources.add(rule.volume().getAsInt());
            }
        }
        for (int i = 0; i < rules.size(); i++) {
            if (rules.get(i).action() instanceof Action.Redirect r && r.mechanism() == RedirectMechanism.REPARSE
                    && sources.contains(r.targetVolume())) {
                return i;
            }
        }
        return -1;
    }

    /** Fails, naming the rule by position and id, when {@code rule} cannot be rule {@code index}. */
    private static void checkInPolicy(Rule rule, int index, Map<Integer, Integer> seen, int volumeCount) {
        if (rule.volume().isPresent() && rule.volume().getAsInt() >= volumeCount) {
            throw new InvalidFieldException("Volume", "index " + rule.volume().getAsInt()
                    + " is outside the volume table (" + volumeCount + " volumes)").in(context(index, rule.ruleId()));
        }
        if (rule.action() instanceof Action.Redirect r && r.targetVolume() >= volumeCount) {
            throw new InvalidFieldException("Action.TargetVolume", "index " + r.targetVolume()
                    + " is outside the volume table (" + volumeCount + " volumes)").in(context(index, rule.ruleId()));
        }
        Integer before = seen.putIfAbsent(rule.ruleId(), index);
        if (before != null) {
            throw new InvalidFieldException("RuleId", "already used by rule #" + before).in(context(index, rule.ruleId()));
        }
    }

    static String context(int index, int ruleId) {
        return "rule #" + index + " (id " + Integer.toUnsignedString(ruleId) + "): ";
    }

    /**
     * True when {@code rule}'s action is decided and reported but not applied: the rule is
     * audit-only, or this policy is and audit-only applies to the rule's action.
     */
    public boolean isAuditOnly(Rule rule) {
        return rule.isAuditOnly() || (mode == Mode.AUDIT_ONLY && Mode.appliesTo(rule.action().type()));
    }

    /** The index of the volume named {@code name} (without regard to case, as the kernel compares), or -1. */
    public int volumeIndex(String name) {
        for (int i = 0; i < volumes.size(); i++) {
            if (CaseFold.equal(volumes.get(i).name(), name)) {
                return i;
            }
        }
        return -1;
    }

    /** A builder that validates each volume and rule as it is added. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds a policy; every method fails at once on a bad rule, naming its position, id and field. */
    public static final class Builder {
        private final List<Rule> rules = new ArrayList<>();
        private final List<Volume> volumes = new ArrayList<>();
        private final Map<Integer, Integer> ids = new HashMap<>();
        private Mode mode = Mode.ENFORCE;

        private Builder() {
        }

        /** Sets the policy's mode; {@link Mode#AUDIT_ONLY} makes every DENY, MODIFY, REDIRECT and ASK rule audit-only. */
        public Builder mode(Mode m) {
            if (m == null) {
                throw new InvalidFieldException("Mode", "null (use Mode.ENFORCE)");
            }
            this.mode = m;
            return this;
        }

        /**
         * Puts the whole policy in audit-only mode: its rules decide as in enforce mode, nothing is
         * applied, and events report what would have been (roll out audit-only, then enforce).
         */
        public Builder auditOnly() {
            return mode(Mode.AUDIT_ONLY);
        }

        /** Adds a volume to the table unless one with that name (without regard to case) is there. */
        public Builder volume(String ntDeviceName) {
            volumeIndexOrAdd(ntDeviceName);
            return this;
        }

        /** Adds a volume to the table unless one with that name is there. */
        public Builder volume(Volume volume) {
            return volume(volume.name());
        }

        private int volumeIndexOrAdd(String name) {
            Volume v = new Volume(name);
            for (int i = 0; i < volumes.size(); i++) {
                if (volumes.get(i).sameAs(v)) {
                    return i;
                }
            }
            if (volumes.size() == Protocol.MAX_VOLUMES) {
                throw new InvalidFieldException("VolumeCount", "the volume table is full (" + Protocol.MAX_VOLUMES
                        + " volumes); cannot add " + name);
            }
            volumes.add(v);
            return volumes.size() - 1;
        }

        /** Adds the rule the callback describes (volumes may be given by name). */
        public Builder rule(Consumer<Rule.Builder> describe) {
            Rule.Builder b = new Rule.Builder().volumes(this::volumeIndexOrAdd);
            int index = rules.size();
            Rule rule;
            try {
                describe.accept(b);
                rule = b.build();
            } catch (InvalidFieldException e) {
                throw e.in(context(index, b.ruleId()));
            }
            return rule(rule);
        }

        /** Adds a rule built elsewhere. */
        public Builder rule(Rule rule) {
            int index = rules.size();
            if (index == Protocol.MAX_RULES) {
                throw new InvalidFieldException("RuleCount", "a policy holds at most " + Protocol.MAX_RULES + " rules")
                        .in(context(index, rule.ruleId()));
            }
            checkInPolicy(rule, index, ids, volumes.size());
            rules.add(rule);
            int chained = reparseChain(rules);
            if (chained >= 0) {
                rules.remove(index);
                ids.remove(rule.ruleId());
                // This rule either reparses to where a reparse starts, or starts where one reparses to.
                throw new InvalidFieldException(chained == index ? "Action.TargetVolume" : "Volume",
                        "with this rule a redirect by reparse would reopen on a volume where a redirect by reparse "
                        + "starts: the reopen could be redirected again (loop protection)")
                        .in(context(index, rule.ruleId()));
            }
            return this;
        }

        /** Adds rules built elsewhere, in order. */
        public Builder rules(List<Rule> more) {
            more.forEach(this::rule);
            return this;
        }

        /** The policy built so far (every rule and volume was validated when added). */
        public Policy build() {
            return new Policy(rules, volumes, mode);
        }
    }
}
