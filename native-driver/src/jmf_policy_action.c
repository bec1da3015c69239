/*++

Module Name:

    jmf_policy_action.c

Abstract:

    Validation of a JMF_ACTION, shared by a rule's action (JmfPolicyCompile)
    and an ask's verdict from user mode (JmfPolicyValidateVerdict), so the
    two can never disagree about what an action may say.

    Checks run in a fixed order (type, flags, the fields the type uses, then
    the fields it does not use) so the error reported is deterministic.

    Environment: any IRQL; touches only its arguments and the policy.

--*/

#include "jmf_policy_internal.h"

#define JMF_OP_MODIFIABLE_CREATE_FIELDS JMF_OP_CREATE
#define JMF_OP_REDIRECTABLE (JMF_OP_CREATE | JMF_OP_READ | JMF_OP_WRITE)

static JMF_BOOL
JmfIsOneOperation(
    JMF_U32 Operations
    )
{
    return (JMF_BOOL)(Operations != 0 && (Operations & ~JMF_OP_ALL) == 0 &&
                      (Operations & (Operations - 1u)) == 0);
}

/* The actions audit-only applies to: those that change what happens to the operation. */
JMF_BOOL
JmfActionMayBeAuditOnly(
    JMF_U32 Type
    )
{
    return (JMF_BOOL)(Type == JMF_ACTION_DENY || Type == JMF_ACTION_MODIFY || Type == JMF_ACTION_REDIRECT ||
                      Type == JMF_ACTION_ASK);
}

/* The SL_* bits a MODIFY may touch on an operation (jmf_protocol.h). */
static JMF_U32
JmfOperationFlagsValid(
    JMF_U32 Operation
    )
{
    switch (Operation) {
    case JMF_OP_CREATE: return JMF_SL_CREATE_VALID;
    case JMF_OP_WRITE:  return JMF_SL_WRITE_VALID;
    case JMF_OP_READ:   return JMF_SL_READ_VALID;
    default:            return 0;
    }
}

/*
 * A MODIFY edits create parameters (only with CREATE among the operations)
 * and/or SL_* operation flags (only when it names exactly one operation,
 * because the same bit means different things for different majors), and
 * must change something.
 */
static JMF_U32
JmfModifyValidate(
    const JMF_ACTION *Action,
    JMF_U32 Operations
    )
{
    JMF_BOOL createFields = (JMF_BOOL)(Action->AccessClear != 0 || Action->OptionsSet != 0 ||
                                       Action->OptionsClear != 0 ||
                                       Action->Disposition != JMF_DISPOSITION_UNCHANGED);
    JMF_U32 opFlags = (JMF_U32)Action->OperationFlagsSet | Action->OperationFlagsClear;

    if (!createFields && opFlags == 0) {
        return JMF_ERROR_BAD_MODIFY;
    }
    if ((Action->OptionsSet | Action->OptionsClear) & ~JMF_CREATE_OPTIONS_VALID) {
        return JMF_ERROR_BAD_MODIFY;
    }
    if ((Action->OptionsSet & Action->OptionsClear) != 0) {
        return JMF_ERROR_BAD_MODIFY;
    }
    if (Action->Disposition != JMF_DISPOSITION_UNCHANGED &&
        Action->Disposition > JMF_FILE_MAXIMUM_DISPOSITION) {
        return JMF_ERROR_BAD_MODIFY;
    }
    if (createFields && (Operations & JMF_OP_MODIFIABLE_CREATE_FIELDS) == 0) {
        return JMF_ERROR_BAD_OPERATIONS;
    }
    if (opFlags != 0) {
        if (!JmfIsOneOperation(Operations)) {
            return JMF_ERROR_BAD_OPERATIONS;
        }
        if ((opFlags & ~JmfOperationFlagsValid(Operations)) != 0) {
            return JMF_ERROR_BAD_MODIFY;
        }
        if ((Action->OperationFlagsSet & Action->OperationFlagsClear) != 0) {
            return JMF_ERROR_BAD_MODIFY;
        }
    }
    return JMF_ERROR_NONE;
}

JMF_U32
JmfActionValidate(
    const JMF_ACTION *Action,
    JMF_U32 Operations,
    JMF_U32 Phase,
    JMF_U16 RuleVolume,
    JMF_U32 VolumeCount,
    JMF_BOOL IsVerdict
    )
{
    JMF_U32 type = Action->Type;
    JMF_U32 error;
    JMF_BOOL usesStatus = 0;

    /* Type. */
    if (type == 0 || type >= JMF_ACTION_COUNT) {
        return JMF_ERROR_BAD_ACTION;
    }
    if (IsVerdict && type == JMF_ACTION_ASK) {
        return JMF_ERROR_BAD_ACTION;
    }
    if (Phase == JMF_PHASE_POST_CREATE && (type == JMF_ACTION_MODIFY || type == JMF_ACTION_REDIRECT)) {
        /* A rule is post-create because of its flags; a verdict because of the ask. */
        return IsVerdict ? JMF_ERROR_BAD_ACTION : JMF_ERROR_BAD_FLAGS;
    }

    /* Flags. */
    if ((Action->Flags & ~JMF_ACTION_FLAGS_VALID) != 0) {
        return JMF_ERROR_BAD_FLAGS;
    }
    if ((Action->Flags & JMF_ACTION_FLAG_POST_CREATE) != 0 &&
        (IsVerdict || Operations != JMF_OP_CREATE ||
         (type != JMF_ACTION_DENY && type != JMF_ACTION_ASK && type != JMF_ACTION_AUDIT))) {
        return JMF_ERROR_BAD_FLAGS;
    }
    if ((Action->Flags & JMF_ACTION_FLAG_FALLBACK_DENY) != 0 && type != JMF_ACTION_REDIRECT) {
        return JMF_ERROR_BAD_FLAGS;
    }
    /* The mechanism belongs to a rule: an ask's verdict cannot choose it (its rule volume is unknown). */
    if ((Action->Flags & JMF_ACTION_FLAG_REPARSE) != 0 && (type != JMF_ACTION_REDIRECT || IsVerdict)) {
        return JMF_ERROR_BAD_FLAGS;
    }

    /*
     * Audit-only: a rule's DENY, MODIFY, REDIRECT or ASK (an ASK is then not
     * asked: nothing blocks on user mode during a rollout). ALLOW and AUDIT
     * already let the operation through; a verdict is applied, never audited.
     */
    if ((Action->Flags & JMF_ACTION_FLAG_AUDIT_ONLY) != 0 &&
        (IsVerdict || !JmfActionMayBeAuditOnly(type))) {
        return JMF_ERROR_BAD_FLAGS;
    }

    /* The fields the type uses. */
    switch (type) {
    case JMF_ACTION_DENY:
        usesStatus = 1;
        break;
    case JMF_ACTION_MODIFY:
        error = JmfModifyValidate(Action, Operations);
        if (error != JMF_ERROR_NONE) {
            return error;
        }
        break;
    case JMF_ACTION_REDIRECT:
        if ((Operations & JMF_OP_CREATE) == 0 || (Operations & ~JMF_OP_REDIRECTABLE) != 0) {
            return JMF_ERROR_BAD_OPERATIONS;
        }
        if (Action->TargetVolume >= VolumeCount || Action->TargetVolume == RuleVolume) {
            return JMF_ERROR_BAD_VOLUME;
        }
        /* A reparse rule on any volume would match its own reopen on the target: it must name its volume. */
        if ((Action->Flags & JMF_ACTION_FLAG_REPARSE) != 0 && RuleVolume == JMF_VOLUME_ANY) {
            return JMF_ERROR_BAD_VOLUME;
        }
        usesStatus = (JMF_BOOL)((Action->Flags & JMF_ACTION_FLAG_FALLBACK_DENY) != 0);
        break;
    case JMF_ACTION_ASK:
        if (Action->TimeoutMs > JMF_MAX_ASK_TIMEOUT_MS) {
            return JMF_ERROR_BAD_TIMEOUT;
        }
        if (Action->DefaultVerdict != 0 && Action->DefaultVerdict != JMF_ACTION_ALLOW &&
            Action->DefaultVerdict != JMF_ACTION_DENY) {
            return JMF_ERROR_BAD_DEFAULT;
        }
        usesStatus = (JMF_BOOL)(Action->DefaultVerdict == JMF_ACTION_DENY);
        break;
    default:
        break;
    }
    if (usesStatus && !JmfIsDenyStatus(Action->Status)) {
        return JMF_ERROR_BAD_STATUS;
    }

    /* The fields it does not use are zero (Disposition: unchanged). */
    if (!usesStatus && Action->Status != 0) {
        return JMF_ERROR_RESERVED;
    }
    if (type != JMF_ACTION_MODIFY &&
        (Action->AccessClear != 0 || Action->OptionsSet != 0 || Action->OptionsClear != 0 ||
         Action->Disposition != JMF_DISPOSITION_UNCHANGED ||
         Action->OperationFlagsSet != 0 || Action->OperationFlagsClear != 0)) {
        return JMF_ERROR_RESERVED;
    }
    if (type != JMF_ACTION_REDIRECT && Action->TargetVolume != 0) {
        return JMF_ERROR_RESERVED;
    }
    if (type != JMF_ACTION_ASK && (Action->TimeoutMs != 0 || Action->DefaultVerdict != 0)) {
        return JMF_ERROR_RESERVED;
    }
    return JMF_ERROR_NONE;
}

/*
 * JmfPolicyValidateVerdict
 *
 * Operation must be one JMF_OP_* bit and Phase a JMF_PHASE_* (post-create
 * only for CREATE), else JMF_ERROR_BAD_OPERATIONS. A verdict carries no
 * JMF_ACTION_FLAG_POST_CREATE: the phase is the ask's. Policy may be NULL
 * (no volume table: no REDIRECT verdict can be valid).
 */
JMF_U32
JmfPolicyValidateVerdict(
    const JMF_POLICY *Policy,
    const JMF_ACTION *Verdict,
    JMF_U32 Operation,
    JMF_U32 Phase
    )
{
    if (!JmfIsOneOperation(Operation)) {
        return JMF_ERROR_BAD_OPERATIONS;
    }
    if (Phase != JMF_PHASE_PRE && !(Phase == JMF_PHASE_POST_CREATE && Operation == JMF_OP_CREATE)) {
        return JMF_ERROR_BAD_OPERATIONS;
    }
    return JmfActionValidate(Verdict, Operation, Phase, JMF_VOLUME_ANY,
                             Policy != 0 ? Policy->VolumeCount : 0, 1);
}
