package org.jminifilter.policy;

import java.util.Optional;

import org.jminifilter.protocol.NtStatus;
import org.jminifilter.protocol.Protocol;

/**
 * What a rule does when it matches, and what an ask's verdict says (one JMF_ACTION). Each kind
 * checks in its constructor what it can know alone (status values, ranges, flag bits); what
 * depends on the rule (operations, phase, volume table) is checked by {@link Rule} and
 * {@link Policy}.
 */
public sealed interface Action permits Action.Allow, Action.Deny, Action.Modify, Action.Redirect,
        Action.Ask, Action.Audit {

    /** The JMF_ACTION_* kind. */
    ActionType type();

    /** True when the action is decided in post-create (JMF_ACTION_FLAG_POST_CREATE). */
    default boolean postCreate() {
        return false;
    }

    /** STATUS_ACCESS_DENIED, the usual status of a DENY (also {@link NtStatus#ACCESS_DENIED}). */
    int STATUS_ACCESS_DENIED = 0xC0000022;

    /** Let the operation through, no event. */
    static Allow allow() {
        return Allow.INSTANCE;
    }

    /** Fail the operation with STATUS_ACCESS_DENIED, in pre-operation. */
    static Deny deny() {
        return new Deny(STATUS_ACCESS_DENIED, false);
    }

    /** Fail the operation with {@code status} (a 32-bit error NTSTATUS such as 0xC0000022), in pre-operation. */
    static Deny deny(int status) {
        return new Deny(status, false);
    }

    /** Fail the operation with {@code status}, for example {@link NtStatus#ACCESS_DENIED}, in pre-operation. */
    static Deny deny(NtStatus status) {
        return new Deny(status.value(), false);
    }

    /** Let the operation through and report an event. */
    static Audit audit() {
        return new Audit(false);
    }

    /**
     * A MODIFY that changes nothing yet; add edits with its {@code with...} methods (a rule or a
     * verdict needs at least one).
     */
    static Modify modify() {
        return Modify.NONE;
    }

    /** Send reads and writes to volume {@code targetVolume} of the policy's table; pass through when it is missing. */
    static Redirect redirect(int targetVolume) {
        return new Redirect(targetVolume, false, 0);
    }

    /** Ask user mode, with the configured timeout and default verdict. */
    static Ask ask() {
        return new Ask(0, DefaultVerdict.CONFIGURED, 0, false);
    }

    /** JMF_ACTION_ALLOW. */
    record Allow() implements Action {
        static final Allow INSTANCE = new Allow();

        @Override
        public ActionType type() {
            return ActionType.ALLOW;
        }
    }

    /**
     * JMF_ACTION_DENY: fail the operation with {@code status}, an error NTSTATUS other than
     * STATUS_FLT_DISALLOW_FAST_IO; in post-create (creates only) when {@code postCreate}.
     */
    record Deny(int status, boolean postCreate) implements Action {
        /** Validates the fields; an IllegalArgumentException names the one at fault. */
        public Deny {
            requireDenyStatus(status, "Action.Status");
        }

        /** This denial, decided in post-create (FltCancelFileOpen). */
        public Deny inPostCreate() {
            return new Deny(status, true);
        }

        @Override
        public String toString() {
            return "Deny[status=" + NtStatus.of(status) + ", postCreate=" + postCreate + "]";
        }

        @Override
        public ActionType type() {
            return ActionType.DENY;
        }
    }

    /**
     * JMF_ACTION_MODIFY: edit the operation's parameters. {@code accessClear}, the create options
     * and {@code disposition} apply to creates; the operation flags (JMF_SL_*) to the one
     * operation the rule names.
     */
    record Modify(int accessClear, int optionsSet, int optionsClear, Optional<Disposition> disposition,
            int operationFlagsSet, int operationFlagsClear) implements Action {
        static final Modify NONE = new Modify(0, 0, 0, Optional.empty(), 0, 0);

        private static final int SL_ANY_VALID =
                Protocol.SL_CREATE_VALID | Protocol.SL_WRITE_VALID | Protocol.SL_READ_VALID;

        /** Validates the fields; an IllegalArgumentException names the one at fault. */

        public Modify {
            if (disposition == null) {
                throw new InvalidFieldException("Action.Disposition", "null (use Optional.empty() to leave it alone)");
            }
            requireMask(optionsSet, Protocol.CREATE_OPTIONS_VALID, "Action.OptionsSet");
            requireMask(optionsClear, Protocol.CREATE_OPTIONS_VALID, "Action.OptionsClear");
            if ((optionsSet & optionsClear) != 0) {
                throw new InvalidFieldException("Action.OptionsClear",
                        String.format("0x%X both set and cleared", optionsSet & optionsClear));
            }
            requireMask(operationFlagsSet, SL_ANY_VALID, "Action.OperationFlagsSet");
            requireMask(operationFlagsClear, SL_ANY_VALID, "Action.OperationFlagsClear");
            if ((operationFlagsSet & operationFlagsClear) != 0) {
                throw new InvalidFieldException("Action.OperationFlagsClear",
                        String.format("0x%X both set and cleared", operationFlagsSet & operationFlagsClear));
            }
        }

        /** True when this MODIFY changes at least one parameter; the kernel refuses one that does not. */
        public boolean changesSomething() {
            return editsCreate() || editsOperationFlags();
        }

        /** True when this MODIFY edits create parameters (access, options or disposition). */
        public boolean editsCreate() {
            return accessClear != 0 || optionsSet != 0 || optionsClear != 0 || disposition.isPresent();
        }

        /** True when this MODIFY edits operation flags. */
        public boolean editsOperationFlags() {
            return operationFlagsSet != 0 || operationFlagsClear != 0;
        }

        /** Also strip these desired-access bits from a create. */
        public Modify withAccessClear(int bits) {
            return new Modify(accessClear | bits, optionsSet, optionsClear, disposition, operationFlagsSet,
                    operationFlagsClear);
        }

        /** Also add these create options. */
        public Modify withOptionsSet(int bits) {
            return new Modify(accessClear, optionsSet | bits, optionsClear, disposition, operationFlagsSet,
                    operationFlagsClear);
        }

        /** Also remove these create options. */
        public Modify withOptionsClear(int bits) {
            return new Modify(accessClear, optionsSet, optionsClear | bits, disposition, operationFlagsSet,
                    operationFlagsClear);
        }

        /** Force this create disposition. */
        public Modify withDisposition(Disposition d) {
            return new Modify(accessClear, optionsSet, optionsClear, Optional.of(d), operationFlagsSet,
                    operationFlagsClear);
        }

        /** Also add these JMF_SL_* operation flags. */
        public Modify withOperationFlagsSet(int bits) {
            return new Modify(accessClear, optionsSet, optionsClear, disposition, operationFlagsSet | bits,
                    operationFlagsClear);
        }

        /** Also remove these JMF_SL_* operation flags. */
        public Modify withOperationFlagsClear(int bits) {
            return new Modify(accessClear, optionsSet, optionsClear, disposition, operationFlagsSet,
                    operationFlagsClear | bits);
        }

        @Override
        public ActionType type() {
            return ActionType.MODIFY;
        }
    }

    /**
     * JMF_ACTION_REDIRECT: send the operation to volume {@code targetVolume} (an index into the
     * policy's volume table) by {@code mechanism}. When the target is missing or invalid (or, by
     * reparse, the open cannot be reparsed: an open by file id, FILE_OPEN_REPARSE_POINT) the
     * operation passes through, or with {@code fallbackDeny} fails with {@code status}.
     */
    record Redirect(int targetVolume, boolean fallbackDeny, int status, RedirectMechanism mechanism) implements Action {
        /** Validates the fields; an IllegalArgumentException names the one at fault. */
        public Redirect {
            if (targetVolume < 0 || targetVolume >= Protocol.MAX_VOLUMES) {
                throw new InvalidFieldException("Action.TargetVolume",
                        targetVolume + " is outside the volume table's range 0.." + (Protocol.MAX_VOLUMES - 1));
            }
            if (fallbackDeny) {
                requireDenyStatus(status, "Action.Status");
            } else if (status != 0) {
                throw new InvalidFieldException("Action.Status", "must be 0 without fallback deny");
            }
            if (mechanism == null) {
                throw new InvalidFieldException("Action.Flags", "a redirect needs a mechanism");
            }
        }

        /** A redirect by the TargetInstance mechanism. */
        public Redirect(int targetVolume, boolean fallbackDeny, int status) {
            this(targetVolume, fallbackDeny, status, RedirectMechanism.TARGET_INSTANCE);
        }

        /** This redirect, denying with {@code status} (32-bit NTSTATUS) when the target is missing or invalid. */
        public Redirect orDeny(int status) {
            return new Redirect(targetVolume, true, status, mechanism);
        }

        /** This redirect, denying with {@code status} when the target is missing or invalid. */
        public Redirect orDeny(NtStatus status) {
            return orDeny(status.value());
        }

        /** This redirect by reparse ({@link RedirectMechanism#REPARSE}): the whole open moves to the target. */
        public Redirect byReparse() {
            return new Redirect(targetVolume, fallbackDeny, status, RedirectMechanism.REPARSE);
        }

        @Override
        public String toString() {
            return "Redirect[targetVolume=" + targetVolume + ", fallbackDeny=" + fallbackDeny + ", status="
                    + NtStatus.of(status) + ", mechanism=" + mechanism.fileName() + "]";
        }

        @Override
        public ActionType type() {
            return ActionType.REDIRECT;
        }
    }

    /**
     * JMF_ACTION_ASK: ask user mode for a verdict, waiting {@code timeoutMs} (0: the configured
     * AskTimeoutMs) and then applying {@code defaultVerdict} ({@code status} with DENY).
     */
    record Ask(int timeoutMs, DefaultVerdict defaultVerdict, int status, boolean postCreate) implements Action {
        /** Validates the fields; an IllegalArgumentException names the one at fault. */
        public Ask {
            if (timeoutMs < 0 || timeoutMs > Protocol.MAX_ASK_TIMEOUT_MS) {
                throw new InvalidFieldException("Action.TimeoutMs", Integer.toUnsignedString(timeoutMs)
                        + " is outside 0.." + Protocol.MAX_ASK_TIMEOUT_MS);
            }
            if (defaultVerdict == null) {
                throw new InvalidFieldException("Action.DefaultVerdict", "null (use CONFIGURED)");
            }
            if (defaultVerdict == DefaultVerdict.DENY) {
                requireDenyStatus(status, "Action.Status");
            } else if (status != 0) {
                throw new InvalidFieldException("Action.Status", "must be 0 unless the default verdict is DENY");
            }
        }

        /** This ask with another timeout (0 for the configured one). */
        public Ask withTimeoutMs(int ms) {
            return new Ask(ms, defaultVerdict, status, postCreate);
        }

        /** This ask, allowing when unanswered. */
        public Ask orAllow() {
            return new Ask(timeoutMs, DefaultVerdict.ALLOW, 0, postCreate);
        }

        /** This ask, denying with {@code denyStatus} (32-bit NTSTATUS) when unanswered. */
        public Ask orDeny(int denyStatus) {
            return new Ask(timeoutMs, DefaultVerdict.DENY, denyStatus, postCreate);
        }

        /** This ask, denying with {@code denyStatus} when unanswered. */
        public Ask orDeny(NtStatus denyStatus) {
            return orDeny(denyStatus.value());
        }

        @Override
        public String toString() {
            return "Ask[timeoutMs=" + timeoutMs + ", defaultVerdict=" + defaultVerdict + ", status="
                    + NtStatus.of(status) + ", postCreate=" + postCreate + "]";
        }

        /** This ask, asked in post-create. */
        public Ask inPostCreate() {
            return new Ask(timeoutMs, defaultVerdict, status, true);
        }

        @Override
        public ActionType type() {
            return ActionType.ASK;
        }
    }

    /** JMF_ACTION_AUDIT: let the operation through and report an event. */
    record Audit(boolean postCreate) implements Action {
        /** This audit, in post-create. */
        public Audit inPostCreate() {
            return new Audit(true);
        }

        @Override
        public ActionType type() {
            return ActionType.AUDIT;
        }
    }

    private static void requireDenyStatus(int status, String field) {
        if (!Protocol.isDenyStatus(status)) {
            throw new InvalidFieldException(field, String.format(
                    "0x%08X is not an error NTSTATUS (0xC...) other than STATUS_FLT_DISALLOW_FAST_IO", status));
        }
    }

    private static void requireMask(int value, int valid, String field) {
        if ((value & ~valid) != 0) {
            throw new InvalidFieldException(field, String.format("bits 0x%X are outside 0x%X", value & ~valid, valid));
        }
    }
}
