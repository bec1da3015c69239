package org.jminifilter.policy;

import java.util.Arrays;
import java.util.Collection;
import java.util.EnumSet;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.ToIntFunction;

import org.jminifilter.protocol.NtStatus;
import org.jminifilter.protocol.Protocol;

/**
 * One rule of a policy (JMF_RULE): its matches, all of which must hold (an absent or zero match
 * holds for everything), and its action. The constructor enforces every check the kernel makes
 * on a rule alone; {@link Policy} checks what needs the whole policy (unique ids, volume indexes).
 *
 * @param ruleId       chosen by the caller, reported in events and statistics; not JMF_RULE_NONE
 * @param operations   the operations matched; not empty
 * @param volume       an index into the policy's volume table, or empty for any volume
 * @param path         the path pattern, or empty for any path
 * @param image        the process image pattern, or empty for any image
 * @param processId    0 for any process
 * @param desiredAccess creates: matches when the create asks for any of these bits; 0 for any
 * @param dispositions creates: the dispositions matched; empty for any
 * @param matchFlags   post-create matches; any of them needs operations = {CREATE}
 * @param action       what the rule does
 * @param mode         {@link Mode#AUDIT_ONLY} to decide and report the action without applying it
 *                     (DENY, MODIFY, REDIRECT, ASK only), else {@link Mode#ENFORCE}
 */
public record Rule(int ruleId, Set<Operation> operations, OptionalInt volume, Optional<PathPattern> path,
        Optional<PathPattern> image, int processId, int desiredAccess, Set<Disposition> dispositions,
        Set<MatchFlag> matchFlags, Action action, Mode mode) {

    /** An enforcing rule; see the record's components. */
    public Rule(int ruleId, Set<Operation> operations, OptionalInt volume, Optional<PathPattern> path,
            Optional<PathPattern> image, int processId, int desiredAccess, Set<Disposition> dispositions,
            Set<MatchFlag> matchFlags, Action action) {
        this(ruleId, operations, volume, path, image, processId, desiredAccess, dispositions, matchFlags, action,
                Mode.ENFORCE);
    }

    /** Validates the rule alone as the kernel does (see the class comment); fails naming the rule id and the field. */
    public Rule {
        String context = "rule id " + Integer.toUnsignedString(ruleId) + ": ";
        try {
            operations = Operation.copyOf(require(operations, "Operations"));
            dispositions = dispositions == null || dispositions.isEmpty() ? Set.of()
                    : java.util.Collections.unmodifiableSet(EnumSet.copyOf(dispositions));
            matchFlags = matchFlags == null || matchFlags.isEmpty() ? Set.of()
                    : java.util.Collections.unmodifiableSet(EnumSet.copyOf(matchFlags));
            require(volume, "Volume");
            require(path, "Path");
            require(image, "Image");
            require(action, "Action");
            require(mode, "Mode");
            if (mode == Mode.AUDIT_ONLY && !Mode.appliesTo(action.type())) {
                throw new InvalidFieldException("Action.Flags", "audit-only applies to DENY, MODIFY, REDIRECT and ASK; "
                        + action.type() + " already lets the operation through");
            }
            path.ifPresent(p -> requireCanMatch("Path", p, NeverMatches.pathProblem(p.pattern())));
            image.ifPresent(p -> requireCanMatch("Image", p, NeverMatches.imageProblem(p.pattern())));
            validate(ruleId, operations, volume, desiredAccess, dispositions, matchFlags, action);
        } catch (InvalidFieldException e) {
            throw e.in(context);
        }
    }

    private static final Set<Operation> REDIRECTABLE = EnumSet.of(Operation.CREATE, Operation.READ, Operation.WRITE);

    private static void requireCanMatch(String field, PathPattern pattern, String problem) {
        if (problem != null) {
            throw new InvalidFieldException(field, NeverMatches.quote(pattern.pattern()) + " " + problem);
        }
    }

    private static <T> T require(T value, String field) {
        if (value == null) {
            throw new InvalidFieldException(field, "null");
        }
        return value;
    }

    private static void validate(int ruleId, Set<Operation> operations, OptionalInt volume, int desiredAccess,
            Set<Disposition> dispositions, Set<MatchFlag> matchFlags, Action action) {
        if (ruleId == Protocol.RULE_NONE) {
            throw new InvalidFieldException("RuleId", "0xFFFFFFFF is JMF_RULE_NONE, which no rule may use");
        }
        if (operations.isEmpty()) {
            throw new InvalidFieldException("Operations", "empty: a rule matches at least one operation");
        }
        if (volume.isPresent() && (volume.getAsInt() < 0 || volume.getAsInt() >= Protocol.MAX_VOLUMES)) {
            throw new InvalidFieldException("Volume", volume.getAsInt() + " is outside 0.." + (Protocol.MAX_VOLUMES - 1));
        }
        boolean createOnly = operations.equals(EnumSet.of(Operation.CREATE));
        if (desiredAccess != 0 && !createOnly) {
            throw new InvalidFieldException("DesiredAccess",
                    "describes a create: only on a rule whose only operation is CREATE (not " + operations + ")");
        }
        if (!dispositions.isEmpty() && !createOnly) {
            throw new InvalidFieldException("Dispositions",
                    "describe a create: only on a rule whose only operation is CREATE (not " + operations + ")");
        }
        if (!matchFlags.isEmpty()) {
            if (!createOnly) {
                throw new InvalidFieldException("MatchFlags", matchFlags
                        + " make a post-create rule, whose only operation must be CREATE (not " + operations + ")");
            }
            if (matchFlags.contains(MatchFlag.DIRECTORY) && matchFlags.contains(MatchFlag.NON_DIRECTORY)) {
                throw new InvalidFieldException("MatchFlags", "DIRECTORY and NON_DIRECTORY together match nothing");
            }
            if (action instanceof Action.Modify || action instanceof Action.Redirect) {
                throw new InvalidFieldException("MatchFlags", "make a post-create rule, and " + action.type()
                        + " cannot be decided in post-create (only ALLOW, DENY, ASK, AUDIT)");
            }
        }
        if (action.postCreate() && !createOnly) {
            throw new InvalidFieldException("Action.Flags",
                    "post-create needs a rule whose only operation is CREATE (not " + operations + ")");
        }
        if (action instanceof Action.Modify m) {
            if (!m.changesSomething()) {
                throw new InvalidFieldException("Action", "MODIFY changes nothing");
            }
            if (m.editsCreate() && !operations.contains(Operation.CREATE)) {
                throw new InvalidFieldException("Operations",
                        "MODIFY edits create parameters, but the rule has no CREATE");
            }
            if (m.editsOperationFlags()) {
                if (operations.size() != 1) {
                    throw new InvalidFieldException("Operations",
                            "MODIFY of operation flags must name exactly one operation (not " + operations + ")");
                }
                Operation op = operations.iterator().next();
                int bits = m.operationFlagsSet() | m.operationFlagsClear();
                if ((bits & ~op.validOperationFlags()) != 0) {
                    throw new InvalidFieldException("Action.OperationFlagsSet", String.format(
                            "SL_* bits 0x%X are not valid for %s (valid: 0x%X)",
                            bits & ~op.validOperationFlags(), op, op.validOperationFlags()));
                }
            }
        }
        if (action instanceof Action.Redirect r) {
            if (!operations.contains(Operation.CREATE) || !REDIRECTABLE.containsAll(operations)) {
                throw new InvalidFieldException("Operations",
                        "REDIRECT needs CREATE and allows only CREATE, READ, WRITE (not " + operations + ")");
            }
            if (volume.isPresent() && volume.getAsInt() == r.targetVolume()) {
                throw new InvalidFieldException("Action.TargetVolume",
                        "redirects to volume " + r.targetVolume() + ", the volume the rule matches");
            }
            if (r.mechanism() == RedirectMechanism.REPARSE && volume.isEmpty()) {
                throw new InvalidFieldException("Volume", "a redirect by reparse must name the volume it matches "
                        + "(on any volume it would match its own reopen on the target)");
            }
        }
    }

    /** True when this rule is audit-only by itself ({@link Mode#AUDIT_ONLY}); see also {@link Policy#isAuditOnly(Rule)}. */
    public boolean isAuditOnly() {
        return mode == Mode.AUDIT_ONLY;
    }

    /** True when the rule is tried in post-create (a post-create action flag or any match flag). */
    public boolean isPostCreate() {
        return action.postCreate() || !matchFlags.isEmpty();
    }

    /** A builder for the rule with id {@code ruleId}. */
    public static Builder builder(int ruleId) {
        return new Builder().id(ruleId);
    }

    /**
     * Builds a rule; {@link #build()} validates it. Inside {@link Policy.Builder#rule} the volume
     * and redirect target may be named by their NT device name, which adds them to the policy's
     * volume table.
     */
    public static final class Builder {
        private int ruleId;
        private final EnumSet<Operation> operations = EnumSet.noneOf(Operation.class);
        private Object volume; // Integer index or String name
        private String path;
        private String image;
        private int processId;
        private int desiredAccess;
        private final EnumSet<Disposition> dispositions = EnumSet.noneOf(Disposition.class);
        private final EnumSet<MatchFlag> matchFlags = EnumSet.noneOf(MatchFlag.class);
        private Action action;
        private String redirectName;
        private int redirectDenyStatus;
        private RedirectMechanism redirectMechanism = RedirectMechanism.TARGET_INSTANCE;
        private ToIntFunction<String> volumes;
        private Mode mode = Mode.ENFORCE;

        Builder() {
        }

        Builder volumes(ToIntFunction<String> resolver) {
            this.volumes = resolver;
            return this;
        }

        int ruleId() {
            return ruleId;
        }

        /** Sets the rule's id, reported in events and statistics; unique in a policy, not 0xFFFFFFFF. */
        public Builder id(int id) {
            this.ruleId = id;
            return this;
        }

        /** Adds operations to match. */
        public Builder operations(Operation... ops) {
            operations.addAll(Arrays.asList(ops));
            return this;
        }

        /** Adds operations to match. */
        public Builder operations(Collection<Operation> ops) {
            operations.addAll(ops);
            return this;
        }

        /** Matches only volume {@code index} of the policy's volume table. */
        public Builder volume(int index) {
            this.volume = index;
            return this;
        }

        /** Matches only the volume named {@code ntDeviceName} (added to the policy's table when new). */
        public Builder volume(String ntDeviceName) {
            this.volume = ntDeviceName;
            return this;
        }

        /**
         * Matches only paths {@code pattern} matches: a pattern over the volume-relative normalized
         * path, which starts with {@code \} ({@code \secret\**}, {@code **\*.docx}); {@code ?} is one
         * character but {@code \}, {@code *} any run without {@code \}, {@code **} any run; compared
         * without regard to case. A pattern no path can match is refused, with what would match.
         */
        public Builder path(String pattern) {
            this.path = pattern;
            return this;
        }

        /**
         * Matches only processes whose image's NT path {@code pattern} matches
         * ({@code **\notepad.exe}, {@code \Device\HarddiskVolume2\Tools\*.exe}); a bare file name
         * or a DOS path can never match and is refused.
         */
        public Builder image(String pattern) {
            this.image = pattern;
            return this;
        }

        /** Matches only the process {@code pid} (0, the default, for any). */
        public Builder processId(int pid) {
            this.processId = pid;
            return this;
        }

        /**
         * Creates only: matches when the create asks for any bit of {@code mask} ({@link Access}
         * constants, for example {@code Access.FILE_WRITE_DATA | Access.DELETE}); 0 for any.
         */
        public Builder desiredAccess(int mask) {
            this.desiredAccess = mask;
            return this;
        }

        /** Creates only: adds create dispositions to match (none given: any disposition). */
        public Builder dispositions(Disposition... ds) {
            dispositions.addAll(Arrays.asList(ds));
            return this;
        }

        /** Adds post-create matches (directory, non-directory, created); they make the rule a post-create, CREATE-only one. */
        public Builder matchFlags(MatchFlag... flags) {
            matchFlags.addAll(Arrays.asList(flags));
            return this;
        }

        /** Sets what the rule does (replacing an action or redirect given before). */
        public Builder action(Action a) {
            this.action = a;
            this.redirectName = null;
            return this;
        }

        /** The rule lets the operation through with no event ({@link Action#allow()}). */
        public Builder allow() {
            return action(Action.allow());
        }

        /** The rule fails the operation with STATUS_ACCESS_DENIED, in pre-operation. */
        public Builder deny() {
            return action(Action.deny());
        }

        /** The rule fails the operation with {@code status}, a 32-bit error NTSTATUS, in pre-operation. */
        public Builder deny(int status) {
            return action(Action.deny(status));
        }

        /** The rule fails the operation with {@code status}, for example {@link NtStatus#ACCESS_DENIED}. */
        public Builder deny(NtStatus status) {
            return action(Action.deny(status));
        }

        /** Sets the rule's mode: {@link Mode#AUDIT_ONLY} decides and reports its action without applying it. */
        public Builder mode(Mode m) {
            this.mode = m;
            return this;
        }

        /**
         * Makes the rule audit-only: it decides as when it enforces, but the operation passes
         * unchanged and an event reports what would have applied (DENY, MODIFY, REDIRECT, ASK).
         */
        public Builder auditOnly() {
            return mode(Mode.AUDIT_ONLY);
        }

        /** The rule lets the operation through and reports an event. */
        public Builder audit() {
            return action(Action.audit());
        }

        /** Redirects to the volume named {@code ntDeviceName} (added to the policy's table when new). */
        public Builder redirect(String ntDeviceName) {
            this.action = null;
            this.redirectName = ntDeviceName;
            this.redirectDenyStatus = 0;
            this.redirectMechanism = RedirectMechanism.TARGET_INSTANCE;
            return this;
        }

        /** The redirect given with {@code redirect(...)} moves the whole open by reparse ({@link RedirectMechanism#REPARSE}). */
        public Builder byReparse() {
            return mechanism(RedirectMechanism.REPARSE);
        }

        /** The mechanism of the redirect given with {@code redirect(...)} (call it after {@code redirect}). */
        public Builder mechanism(RedirectMechanism mechanism) {
            this.redirectMechanism = java.util.Objects.requireNonNull(mechanism, "mechanism");
            return this;
        }

        /** Redirects to {@code ntDeviceName}, denying with {@code fallbackDenyStatus} (32-bit NTSTATUS) when it is missing. */
        public Builder redirect(String ntDeviceName, int fallbackDenyStatus) {
            redirect(ntDeviceName);
            this.redirectDenyStatus = fallbackDenyStatus;
            return this;
        }

        /** Redirects to {@code ntDeviceName}, denying with {@code fallbackDenyStatus} when it is missing. */
        public Builder redirect(String ntDeviceName, NtStatus fallbackDenyStatus) {
            return redirect(ntDeviceName, fallbackDenyStatus.value());
        }

        /** Validates and returns the rule; fails with a message naming the rule id and field. */
        public Rule build() {
            String context = "rule id " + Integer.toUnsignedString(ruleId) + ": ";
            try {
                OptionalInt volumeIndex = OptionalInt.empty();
                if (volume instanceof Integer i) {
                    volumeIndex = OptionalInt.of(i);
                } else if (volume instanceof String name) {
                    volumeIndex = OptionalInt.of(resolve(name, "Volume"));
                }
                Action a = action;
                if (redirectName != null) {
                    int target = resolve(redirectName, "Action.TargetVolume");
                    Action.Redirect r = redirectDenyStatus == 0 ? Action.redirect(target)
                            : Action.redirect(target).orDeny(redirectDenyStatus);
                    a = redirectMechanism == RedirectMechanism.REPARSE ? r.byReparse() : r;
                }
                if (a == null) {
                    throw new InvalidFieldException("Action", "no action given");
                }
                return new Rule(ruleId, operations, volumeIndex, pattern(path, "Path"), pattern(image, "Image"),
                        processId, desiredAccess, dispositions, matchFlags, a, mode);
            } catch (InvalidFieldException e) {
                throw e.in(context); // rebuilt from field and detail: the id is never named twice
            }
        }

        private int resolve(String name, String field) {
            if (volumes == null) {
                throw new InvalidFieldException(field,
                        "a volume by name needs Policy.Builder.rule(...); use the volume's index here");
            }
            try {
                return volumes.applyAsInt(name);
            } catch (InvalidFieldException e) {
                throw new InvalidFieldException(field, e.detail());
            }
        }

        private static Optional<PathPattern> pattern(String text, String field) {
            if (text == null) {
                return Optional.empty();
            }
            try {
                return Optional.of(new PathPattern(text));
            } catch (InvalidFieldException e) {
                throw new InvalidFieldException(field, e.detail());
            }
        }
    }
}
