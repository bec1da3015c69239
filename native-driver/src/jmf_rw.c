/*++

Module Name:

    jmf_rw.c

Abstract:

    IRP_MJ_READ and IRP_MJ_WRITE (paging I/O is skipped at registration and
    again here: the cache and memory manager must never wait on a decision).

      DENY      completes the operation with the rule's status (FLT_PREOP_COMPLETE);
      MODIFY    adds/removes SL_* operation flags (e.g. SL_WRITE_THROUGH on a
                write), FltSetCallbackDataDirty, reported in post with the
                final status;
      REDIRECT  a handle whose create was redirected has every read and write
                sent to its target (jmf_redirect.c); once that target is
                closed they fail (never reaching the source), and so does the
                IRP_MN_COMPLETE of an MDL read (its MDL came from the target);
                a REDIRECT verdict on a handle without a target takes the
                rule's fallback;
      ASK       asked inline when the operation is synchronous and at
                PASSIVE_LEVEL; never when the thread has a top-level IRP (a
                file system or the cache manager holds locks: the default
                verdict, AskNotWaited); otherwise the ask is prepared here,
                the operation pended (FLT_PREOP_PENDING), asked from the
                driver's own worker threads (jmf_worker.c, not the system's
                work queues) and resumed with FltCompletePendedPreOperation:
                an asynchronous read never blocks its issuer, and
                FLT_PREOP_SYNCHRONIZE is never used;
      AUDIT     reported in post with the final status.
    An audit-only rule's verdict is not applied (nor asked): the operation
    passes unchanged and is reported in post as "would" with the final
    status.

    Fast I/O that a rule could match, or on a redirected handle, is refused
    (FLT_PREOP_DISALLOW_FASTIO) so it comes again as an IRP.

    The path of a read/write comes from the stream-handle context (cached at
    create when read/write rules need it), else from a name query; the
    process is the requestor of THIS operation (handles are inherited and
    duplicated, so the opener is not always the reader).

--*/

#include "jmf_driver.h"

/* A pended ASK: what the worker needs once the pre-operation callback has returned (non-paged). */
typedef struct _JMF_RW_PENDING {
    JMF_WORK Work;                      /* the prepared ask, queued to jmf_worker.c */
    PFLT_CALLBACK_DATA Data;
    FLT_RELATED_OBJECTS Objects;        /* copied: FltObjects is valid only during the callback */
    JMF_OPERATION Op;                   /* its references (and the policy's) travel with it */
    PJMF_HANDLE_CONTEXT HandleContext;  /* referenced, or NULL; consumed when the operation completes */
} JMF_RW_PENDING, *PJMF_RW_PENDING;

static JMF_WORK_COMPLETE JmfRwPendedComplete;
static JMF_WORK_FREE JmfRwPendedFree;

/*
 * JmfRwApply
 *
 * IRQL: <= APC_LEVEL (pre-operation, or the ask work item at PASSIVE_LEVEL).
 * Carries out the decision (Verdict.Type 0: no rule decided) and the
 * handle's redirect. Consumes the HandleContext reference. Returns the
 * pre-operation status; *CompletionContext is set with
 * FLT_PREOP_SUCCESS_WITH_CALLBACK.
 */
static FLT_PREOP_CALLBACK_STATUS
JmfRwApply(
    _Inout_ PFLT_CALLBACK_DATA Data,
    _In_ PCFLT_RELATED_OBJECTS FltObjects,
    _In_opt_ PJMF_OPERATION Op,
    _Inout_ PJMF_DECISION Decision,
    _In_opt_ PJMF_HANDLE_CONTEXT HandleContext,
    _Outptr_result_maybenull_ PVOID *CompletionContext
    )
{
    FLT_PREOP_CALLBACK_STATUS result = FLT_PREOP_SUCCESS_NO_CALLBACK;
    PJMF_COMPLETION completion = NULL;
    BOOLEAN redirected = (BOOLEAN)(HandleContext != NULL && HandleContext->Redirected);
    BOOLEAN report;
    JMF_U32 operation = (Data->Iopb->MajorFunction == IRP_MJ_READ) ? JMF_OP_READ : JMF_OP_WRITE;
    UCHAR flags;

    *CompletionContext = NULL;

    /* Audit-only: nothing is applied; the event (reported in post) says what would have been. */
    switch (JmfDecisionAuditOnly(Decision) ? 0 : Decision->Verdict.Type) {
    case JMF_ACTION_MODIFY:
        flags = (UCHAR)((Data->Iopb->OperationFlags & ~Decision->Verdict.OperationFlagsClear) |
                        Decision->Verdict.OperationFlagsSet);
        if (flags != Data->Iopb->OperationFlags) {
            Data->Iopb->OperationFlags = flags;
            FltSetCallbackDataDirty(Data);
            Decision->EventFlags |= JMF_EVENT_FLAG_MODIFIED;
        }
        break;
    case JMF_ACTION_REDIRECT:
        if (!redirected) {
            JmfDecideFallback(Decision, Decision->Verdict.Flags, Decision->Verdict.Status);
        }
        break;
    default:
        break;
    }
    if (Decision->Verdict.Type != 0) {
        JmfDecideCount(Decision);
    }

    if (Decision->Verdict.Type == JMF_ACTION_DENY && !JmfDecisionAuditOnly(Decision)) {
        Data->IoStatus.Status = Decision->Verdict.Status;
        Data->IoStatus.Information = 0;
        if (Op != NULL) {
            JmfReportOperation(Op, Decision, Decision->Verdict.Status);
        }
        result = FLT_PREOP_COMPLETE;
        goto Cleanup;
    }

    /* A redirected handle was reported at create; its reads and writes are not reported one by one
       (nor those an audit-only REDIRECT would send: its create was reported as a would-REDIRECT). */
    report = (BOOLEAN)(JmfDecisionReported(Decision) &&
                       !(Decision->Verdict.Type == JMF_ACTION_REDIRECT && (redirected || JmfDecisionAuditOnly(Decision))));
    if (!redirected && !report) {
        goto Cleanup;
    }
    if (HandleContext != NULL && !redirected) {
        FltReleaseContext(HandleContext);
        HandleContext = NULL;
    }

    completion = JmfCompletionAllocate(NULL, Op != NULL ? Op->Facts.Operation : 0,
                                       Op != NULL ? Op->Facts.ProcessId : 0);
    if (completion == NULL) {
        if (redirected) {
            /* The data lives on the target: never let it silently go to the source. */
            Data->IoStatus.Status = STATUS_INSUFFICIENT_RESOURCES;
            Data->IoStatus.Information = 0;
            result = FLT_PREOP_COMPLETE;
        }
        goto Cleanup;
    }
    completion->Decision = *Decision;
    completion->Report = report;
    if (completion->Report && Op != NULL) {
        JmfOperationFetch(Op, JMF_NEED_PATH);
        completion->InstanceContext = JmfOperationInstanceContext(Op);
        if (completion->InstanceContext != NULL) {
            FltReferenceContext(completion->InstanceContext);
        }
        if (Op->Facts.Path != NULL) {
            completion->Path = JmfCopyPath(Op->Facts.Path, min(Op->Facts.PathChars, JMF_MAX_PATH_CHARS));
            completion->PathChars = (completion->Path != NULL) ? min(Op->Facts.PathChars, JMF_MAX_PATH_CHARS) : 0;
            completion->PathTruncated = (BOOLEAN)(Op->Facts.PathChars > JMF_MAX_PATH_CHARS || Op->PathTruncated);
        }
    }
    if (redirected) {
        if (JmfRedirectBegin(HandleContext)) {
            JmfRedirectApply(Data, HandleContext);
            completion->HandleContext = HandleContext;      /* reference and rundown released in post */
            HandleContext = NULL;
        } else if (FlagOn(Data->Iopb->MinorFunction, IRP_MN_COMPLETE)) {
            /* The MDL came from the target's cache, which is gone: no file system may take it back. */
            result = JmfRedirectRefuse(Data, FltObjects, HandleContext, operation, STATUS_VOLUME_DISMOUNTED);
            goto Cleanup;
        } else {
            /* The target is closed (its volume's instance was torn down): the data is there, not on the source. */
            result = JmfRedirectTargetLost(Data, FltObjects, HandleContext, operation);
            goto Cleanup;
        }
    }
    *CompletionContext = completion;
    completion = NULL;
    result = FLT_PREOP_SUCCESS_WITH_CALLBACK;

Cleanup:
    JmfCompletionFree(completion);
    if (HandleContext != NULL) {
        FltReleaseContext(HandleContext);
    }
    return result;
}

/*
 * JmfPreReadWrite
 *
 * IRQL: <= APC_LEVEL (reads and writes may come at APC_LEVEL). Costs one
 * policy reference (and one interlocked read) when no rule can match and no
 * handle is redirected.
 */
_Use_decl_annotations_
FLT_PREOP_CALLBACK_STATUS FLTAPI
JmfPreReadWrite(
    PFLT_CALLBACK_DATA Data,
    PCFLT_RELATED_OBJECTS FltObjects,
    PVOID *CompletionContext
    )
{
    FLT_PREOP_CALLBACK_STATUS result = FLT_PREOP_SUCCESS_NO_CALLBACK;
    PJMF_POLICY_REF policy = NULL;
    PJMF_HANDLE_CONTEXT handleContext = NULL;
    PJMF_RW_PENDING pending = NULL;
    JMF_OPERATION op;
    JMF_DECISION decision;
    JMF_U32 operation;
    JMF_U32 needs = 0;
    BOOLEAN opReady = FALSE;
    BOOLEAN interested = FALSE;
    BOOLEAN redirected;

    *CompletionContext = NULL;
    RtlZeroMemory(&decision, sizeof(decision));
    decision.RuleIndex = JMF_INDEX_NONE;
    decision.RuleId = JMF_RULE_NONE;

    if (FlagOn(Data->Iopb->IrpFlags, IRP_PAGING_IO) || JmfIsClientRequest(Data)) {
        return FLT_PREOP_SUCCESS_NO_CALLBACK;
    }
    operation = (Data->Iopb->MajorFunction == IRP_MJ_READ) ? JMF_OP_READ : JMF_OP_WRITE;

    policy = JmfPolicyAcquire();
    if (policy != NULL && !FlagOn(Data->Iopb->MinorFunction, IRP_MN_COMPLETE)) {
        /* (IRP_MN_COMPLETE ends an MDL read/write already decided: it only follows its redirect.) */
        JmfOperationInitialize(&op, Data, FltObjects, policy, JMF_PHASE_PRE, operation);
        opReady = TRUE;
        interested = JmfOperationInterested(&op, &needs);
    }
    if (JmfGlobals.RedirectedHandles != 0 || (interested && (needs & JMF_NEED_PATH) != 0)) {
        handleContext = JmfHandleContextGet(FltObjects);
    }
    redirected = (BOOLEAN)(handleContext != NULL && handleContext->Redirected);

    if (FLT_IS_FASTIO_OPERATION(Data)) {
        result = (interested || redirected) ? FLT_PREOP_DISALLOW_FASTIO : FLT_PREOP_SUCCESS_NO_CALLBACK;
        goto Cleanup;
    }
    if (!interested && !redirected) {
        goto Cleanup;
    }

    if (interested) {
        if ((needs & JMF_NEED_PATH) != 0 && handleContext != NULL && handleContext->Path != NULL) {
            JmfOperationUsePath(&op, handleContext->Path, handleContext->PathChars);
        }
        JmfOperationFetch(&op, needs);
        if (JmfDecideMatch(&op, &decision) && decision.Verdict.Type == JMF_ACTION_ASK &&
            !JmfDecisionAuditOnly(&decision)) {             /* an audit-only ASK is not asked */
            if ((KeGetCurrentIrql() == PASSIVE_LEVEL && FltIsOperationSynchronous(Data)) || IoGetTopLevelIrp() != NULL) {
                /* Inline; with a top-level IRP JmfAsk does not wait (pending would not help: the caller holds locks). */
                JmfAsk(&op, &decision, TRUE);
            } else {
                /* Pend it and ask from a worker: the issuer of asynchronous I/O must not wait. */
                pending = (PJMF_RW_PENDING)JmfAllocateNonPaged(sizeof(JMF_RW_PENDING), JMF_TAG_COMPLETION);
                if (pending == NULL || JmfOperationInstanceContext(&op) == NULL) {
                    /* No memory (or no instance context to tie it to): the default verdict, as for any unanswered ask. */
                    JmfAsk(&op, &decision, FALSE);
                } else {
                    JmfAskPrepare(&op, &decision, &pending->Work.Request);
                    pending->Work.Instance = FltObjects->Instance;
                    pending->Work.Complete = JmfRwPendedComplete;
                    pending->Work.Free = JmfRwPendedFree;
                    pending->Data = Data;
                    RtlCopyMemory(&pending->Objects, FltObjects, sizeof(FLT_RELATED_OBJECTS));
                    pending->Op = op;
                    pending->Op.FltObjects = &pending->Objects;
                    pending->HandleContext = handleContext;
                    if (pending->Work.Request.Outcome == JMF_ASK_READY &&
                        JmfWorkQueue(&pending->Work, pending->Op.InstanceContext)) {
                        /* The work owns the operation's references and the policy's now. */
                        pending = NULL;
                        opReady = FALSE;
                        handleContext = NULL;
                        policy = NULL;
                        result = FLT_PREOP_PENDING;
                        goto Cleanup;
                    }
                    /* Not sent: not waited (top-level IRP), unloading, or teardown refuses new pended asks. */
                    if (pending->Work.Request.Outcome == JMF_ASK_READY) {
                        JmfAskCancelled(&pending->Work.Request, &decision);
                        JmfFree(pending->Work.Request.Ask, JMF_TAG_ASK);
                        pending->Work.Request.Ask = NULL;
                    } else {
                        JmfAskConclude(&pending->Work.Request, policy, &decision);
                    }
                }
            }
        }
    }

    result = JmfRwApply(Data, FltObjects, interested ? &op : NULL, &decision, handleContext, CompletionContext);
    handleContext = NULL;                       /* consumed */

Cleanup:
    JmfFree(pending, JMF_TAG_COMPLETION);
    if (handleContext != NULL) {
        FltReleaseContext(handleContext);
    }
    if (opReady) {
        JmfOperationCleanup(&op);
    }
    JmfPolicyRelease(policy);
    return result;
}

/*
 * JmfRwPendedComplete
 *
 * IRQL: PASSIVE_LEVEL: a worker thread once the ask returned, or instance
 * teardown / unload with Cancelled (the default verdict; the ask may still
 * be in flight on a worker, which this does not touch). Applies the verdict
 * and resumes the operation with FltCompletePendedPreOperation. The policy
 * reference taken in the pre-operation callback is used throughout, so the
 * verdict is validated against the policy that asked.
 */
_Use_decl_annotations_
static VOID
JmfRwPendedComplete(
    PJMF_WORK Work,
    BOOLEAN Cancelled
    )
{
    PJMF_RW_PENDING pending = CONTAINING_RECORD(Work, JMF_RW_PENDING, Work);
    FLT_PREOP_CALLBACK_STATUS result;
    PVOID completionContext = NULL;
    JMF_DECISION decision;

    if (Cancelled) {
        JmfAskCancelled(&Work->Request, &decision);
    } else {
        JmfAskConclude(&Work->Request, pending->Op.Policy, &decision);
    }
    result = JmfRwApply(pending->Data, &pending->Objects, &pending->Op, &decision, pending->HandleContext,
                        &completionContext);
    pending->HandleContext = NULL;                  /* consumed */
    FltCompletePendedPreOperation(pending->Data, result, completionContext);
}

/*
 * JmfRwPendedFree
 *
 * IRQL: PASSIVE_LEVEL. The operation is complete and no worker uses the work
 * any more: releases what the pre-operation callback handed over.
 */
_Use_decl_annotations_
static VOID
JmfRwPendedFree(
    PJMF_WORK Work
    )
{
    PJMF_RW_PENDING pending = CONTAINING_RECORD(Work, JMF_RW_PENDING, Work);
    PJMF_POLICY_REF policy = pending->Op.Policy;

    if (pending->HandleContext != NULL) {
        FltReleaseContext(pending->HandleContext);
    }
    JmfFree(Work->Request.Ask, JMF_TAG_ASK);
    JmfOperationCleanup(&pending->Op);
    JmfPolicyRelease(policy);
    JmfFree(pending, JMF_TAG_COMPLETION);
}

/*
 * JmfPostReadWrite
 *
 * IRQL: <= DISPATCH_LEVEL, any thread (also when draining): non-paged
 * memory only, no waits (JmfPostComplete).
 */
_Use_decl_annotations_
FLT_POSTOP_CALLBACK_STATUS FLTAPI
JmfPostReadWrite(
    PFLT_CALLBACK_DATA Data,
    PCFLT_RELATED_OBJECTS FltObjects,
    PVOID CompletionContext,
    FLT_POST_OPERATION_FLAGS Flags
    )
{
    UNREFERENCED_PARAMETER(FltObjects);
    JmfPostComplete(Data, (PJMF_COMPLETION)CompletionContext, Flags);
    return FLT_POSTOP_FINISHED_PROCESSING;
}
