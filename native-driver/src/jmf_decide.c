/*++

Module Name:

    jmf_decide.c

Abstract:

    From facts to a verdict, the same way for every operation: first-match
    with the portable core, per-rule and per-verdict counting, the redirect
    fallback, and the event that reports what was applied (or, for an
    audit-only rule, what would have applied: JmfDecisionAuditOnly).

--*/

#include "jmf_driver.h"

/* Event flags that make even an ALLOW worth reporting. */
#define JMF_EVENT_FLAGS_NOTEWORTHY (JMF_EVENT_FLAG_ASKED | JMF_EVENT_FLAG_DEFAULT_VERDICT | \
                                    JMF_EVENT_FLAG_REDIRECT_FALLBACK | JMF_EVENT_FLAG_MODIFIED)

/*
 * JmfDecideMatch
 *
 * IRQL: <= APC_LEVEL. The first rule of the operation's phase that matches
 * its facts. Counts the operation and the rule's match. Returns FALSE (and
 * a decision with Verdict.Type 0) when no rule matches.
 */
_Use_decl_annotations_
BOOLEAN
JmfDecideMatch(
    PJMF_OPERATION Op,
    PJMF_DECISION Decision
    )
{
    const JMF_RULE *rule;
    JMF_U32 index;

    RtlZeroMemory(Decision, sizeof(*Decision));
    Decision->RuleIndex = JMF_INDEX_NONE;
    Decision->RuleId = JMF_RULE_NONE;
    Decision->Verdict.Disposition = JMF_DISPOSITION_UNCHANGED;
    if (Op->Facts.Phase == JMF_PHASE_POST_CREATE) {
        Decision->EventFlags |= JMF_EVENT_FLAG_POST_CREATE;
    }

    JmfStatsAdd(JmfStatOperations);
    index = JmfPolicyMatch(Op->Policy->Policy, &Op->Facts);
    if (index == JMF_INDEX_NONE || index >= Op->Policy->RuleCount) {
        return FALSE;
    }
    rule = JmfPolicyRule(Op->Policy->Policy, index);
    if (rule == NULL) {
        return FALSE;
    }
    InterlockedIncrement64(&Op->Policy->RuleMatches[index]);
    Decision->RuleIndex = index;
    Decision->RuleId = rule->RuleId;
    Decision->Verdict = rule->Action;
    Decision->Verdict.Flags &= ~JMF_ACTION_FLAG_POST_CREATE;    /* the phase is known; not part of the verdict */
    if ((rule->Action.Flags & JMF_ACTION_FLAG_AUDIT_ONLY) != 0) {
        /* Decided as in enforce mode; the caller applies nothing and reports what would have applied. */
        Decision->Verdict.Flags &= ~JMF_ACTION_FLAG_AUDIT_ONLY;
        Decision->EventFlags |= JMF_EVENT_FLAG_AUDIT_ONLY;
    }
    return TRUE;
}

/*
 * JmfDecideCount
 *
 * IRQL: <= DISPATCH_LEVEL. Counts the verdict finally applied; an
 * audit-only decision by the verdict that would have applied, and in
 * AuditOnly.
 */
_Use_decl_annotations_
VOID
JmfDecideCount(
    const JMF_DECISION *Decision
    )
{
    JmfStatsVerdict(Decision->Verdict.Type);
    if (JmfDecisionAuditOnly(Decision)) {
        JmfStatsAdd(JmfStatAuditOnly);
    }
}

/*
 * JmfDecisionAuditOnly
 *
 * IRQL: any. True when an audit-only rule decided: the caller applies
 * nothing (no deny, no parameter change, no redirect, no ask, no cancel),
 * lets the operation through unchanged and reports the decision, whose
 * event carries JMF_EVENT_FLAG_AUDIT_ONLY and the verdict that would have
 * applied.
 */
_Use_decl_annotations_
BOOLEAN
JmfDecisionAuditOnly(
    const JMF_DECISION *Decision
    )
{
    return (BOOLEAN)((Decision->EventFlags & JMF_EVENT_FLAG_AUDIT_ONLY) != 0);
}

/*
 * JmfDecisionWouldDeny
 *
 * IRQL: any. True for an audit-only DENY: in enforce mode the operation
 * would end here, so, as there, no later decision is made for it (no
 * post-create phase, no rename destination); the operation still passes.
 */
_Use_decl_annotations_
BOOLEAN
JmfDecisionWouldDeny(
    const JMF_DECISION *Decision
    )
{
    return (BOOLEAN)(JmfDecisionAuditOnly(Decision) && Decision->Verdict.Type == JMF_ACTION_DENY);
}

/*
 * JmfDecideFallback
 *
 * IRQL: <= DISPATCH_LEVEL. A REDIRECT whose target is missing or invalid
 * becomes the rule's fallback: DENY with its Status, or a pass-through
 * (ALLOW). Counted and flagged for the event.
 */
_Use_decl_annotations_
VOID
JmfDecideFallback(
    PJMF_DECISION Decision,
    JMF_U32 FallbackFlags,
    JMF_I32 FallbackStatus
    )
{
    JmfStatsAdd(JmfStatRedirectFallbacks);
    Decision->EventFlags |= JMF_EVENT_FLAG_REDIRECT_FALLBACK;
    Decision->Verdict.TargetVolume = 0;
    if ((FallbackFlags & JMF_ACTION_FLAG_FALLBACK_DENY) != 0 && JmfIsDenyStatus(FallbackStatus)) {
        Decision->Verdict.Type = JMF_ACTION_DENY;
        Decision->Verdict.Status = FallbackStatus;
    } else {
        Decision->Verdict.Type = JMF_ACTION_ALLOW;
        Decision->Verdict.Status = 0;
    }
    Decision->Verdict.Flags = 0;
}

/*
 * JmfDecisionReported
 *
 * IRQL: any. Every verdict but a plain rule ALLOW produces an event.
 */
_Use_decl_annotations_
BOOLEAN
JmfDecisionReported(
    const JMF_DECISION *Decision
    )
{
    if (Decision->Verdict.Type == 0) {
        return FALSE;
    }
    return (BOOLEAN)(Decision->Verdict.Type != JMF_ACTION_ALLOW ||
                     (Decision->EventFlags & JMF_EVENT_FLAGS_NOTEWORTHY) != 0);
}

/*
 * JmfReportDecisionEx
 *
 * IRQL: <= DISPATCH_LEVEL (post-operation callbacks): every argument is
 * non-paged. Queues the event of a reported decision; OtherPath is a
 * rename's or link's other end (or NULL).
 */
_Use_decl_annotations_
VOID
JmfReportDecisionEx(
    const JMF_DECISION *Decision,
    JMF_U32 Operation,
    NTSTATUS Status,
    JMF_U32 ProcessId,
    PJMF_INSTANCE_CONTEXT InstanceContext,
    const JMF_U16 *Path,
    JMF_U32 PathChars,
    BOOLEAN PathTruncated,
    const JMF_U16 *OtherPath,
    JMF_U32 OtherPathChars,
    BOOLEAN OtherPathTruncated
    )
{
    JMF_U32 flags = Decision->EventFlags;
    const WCHAR *volume = NULL;
    JMF_U32 volumeChars = 0;

    if (!JmfDecisionReported(Decision)) {
        return;
    }
    if (PathTruncated) {
        flags |= JMF_EVENT_FLAG_PATH_TRUNCATED;
    }
    if (OtherPathTruncated) {
        flags |= JMF_EVENT_FLAG_OTHER_PATH_TRUNCATED;
    }
    if (InstanceContext != NULL) {
        volume = InstanceContext->VolumeName;
        volumeChars = InstanceContext->VolumeNameChars;
    }
    JmfEventQueue(Decision->RuleId, Operation, Decision->Verdict.Type, Status, ProcessId, flags,
                  volume, volumeChars, Path, PathChars, OtherPath, OtherPathChars);
}

/*
 * JmfReportDecision
 *
 * IRQL: <= DISPATCH_LEVEL. JmfReportDecisionEx for an operation with one path.
 */
_Use_decl_annotations_
VOID
JmfReportDecision(
    const JMF_DECISION *Decision,
    JMF_U32 Operation,
    NTSTATUS Status,
    JMF_U32 ProcessId,
    PJMF_INSTANCE_CONTEXT InstanceContext,
    const JMF_U16 *Path,
    JMF_U32 PathChars,
    BOOLEAN PathTruncated
    )
{
    JmfReportDecisionEx(Decision, Operation, Status, ProcessId, InstanceContext, Path, PathChars, PathTruncated,
                        NULL, 0, FALSE);
}

/*
 * JmfReportOperation
 *
 * IRQL: <= APC_LEVEL (fetches the path and the instance context when
 * needed; callers are pre-operation callbacks of non-paging I/O, post-create
 * and work items, where a name query is allowed).
 */
_Use_decl_annotations_
VOID
JmfReportOperation(
    PJMF_OPERATION Op,
    const JMF_DECISION *Decision,
    NTSTATUS Status
    )
{
    if (!JmfDecisionReported(Decision)) {
        return;
    }
    JmfOperationFetch(Op, JMF_NEED_PATH);      /* an event names its file even when no rule needed the path */
    JmfReportDecisionEx(Decision, Op->Facts.Operation, Status, Op->Facts.ProcessId, JmfOperationInstanceContext(Op),
                        Op->Facts.Path, Op->Facts.PathChars, Op->PathTruncated,
                        Op->OtherPath, Op->OtherPathChars, Op->OtherPathTruncated);
}

/*
 * JmfCompletionAllocate
 *
 * IRQL: <= DISPATCH_LEVEL. A zeroed completion context (non-paged: the
 * post-operation callback may run at DISPATCH_LEVEL) holding its own
 * reference to Policy.
 */
_Use_decl_annotations_
PJMF_COMPLETION
JmfCompletionAllocate(
    PJMF_POLICY_REF Policy,
    JMF_U32 Operation,
    JMF_U32 ProcessId
    )
{
    PJMF_COMPLETION completion;

    completion = (PJMF_COMPLETION)JmfAllocateNonPaged(sizeof(JMF_COMPLETION), JMF_TAG_COMPLETION);
    if (completion == NULL) {
        return NULL;
    }
    completion->Decision.RuleIndex = JMF_INDEX_NONE;
    completion->Decision.RuleId = JMF_RULE_NONE;
    completion->Decision.Verdict.Disposition = JMF_DISPOSITION_UNCHANGED;
    completion->Operation = Operation;
    completion->ProcessId = ProcessId;
    if (Policy != NULL) {
        JmfPolicyReference(Policy);
        completion->Policy = Policy;
    }
    return completion;
}

/*
 * JmfCompletionFree
 *
 * IRQL: <= DISPATCH_LEVEL. Releases everything a completion context holds,
 * and the completions chained to it (Next: at most a rename's two
 * destination decisions, so the recursion is at most three deep).
 */
_Use_decl_annotations_
VOID
JmfCompletionFree(
    PJMF_COMPLETION Completion
    )
{
    if (Completion == NULL) {
        return;
    }
    JmfCompletionFree(Completion->Next);
    if (Completion->TargetInstanceContext != NULL) {
        FltReleaseContext(Completion->TargetInstanceContext);
    }
    if (Completion->TargetInstance != NULL) {
        FltObjectDereference(Completion->TargetInstance);      /* JmfRedirectFindTarget's rundown reference */
    }
    if (Completion->HandleContext != NULL) {
        FltReleaseContext(Completion->HandleContext);
    }
    if (Completion->InstanceContext != NULL) {
        FltReleaseContext(Completion->InstanceContext);
    }
    JmfFree(Completion->OtherPath, JMF_TAG_PATH);
    JmfFree(Completion->Path, JMF_TAG_PATH);
    JmfPolicyRelease(Completion->Policy);
    JmfFree(Completion, JMF_TAG_COMPLETION);
}

/*
 * JmfPostComplete
 *
 * IRQL: <= DISPATCH_LEVEL, any thread (also when draining): non-paged
 * memory only, no waits. The common end of a pre-operation decision: ends
 * a redirect's protection (and carries the target's byte offset back to a
 * synchronous caller's file object), reports the event with the final
 * status, and frees the completion context.
 */
_Use_decl_annotations_
VOID
JmfPostComplete(
    PFLT_CALLBACK_DATA Data,
    PJMF_COMPLETION Completion,
    FLT_POST_OPERATION_FLAGS Flags
    )
{
    BOOLEAN draining = (BOOLEAN)FlagOn(Flags, FLTFL_POST_OPERATION_DRAINING);

    if (Completion == NULL) {
        return;
    }
    if (Completion->HandleContext != NULL) {
        JmfRedirectEnd(Data, Completion->HandleContext, (BOOLEAN)(!draining && NT_SUCCESS(Data->IoStatus.Status)));
    }
    if (!draining) {
        PJMF_COMPLETION each;
        for (each = Completion; each != NULL; each = each->Next) {
            if (each->Report) {
                JmfReportDecisionEx(&each->Decision, each->Operation, Data->IoStatus.Status, each->ProcessId,
                                    each->InstanceContext, each->Path, each->PathChars, each->PathTruncated,
                                    each->OtherPath, each->OtherPathChars, each->OtherPathTruncated);
            }
        }
    }
    JmfCompletionFree(Completion);
}
