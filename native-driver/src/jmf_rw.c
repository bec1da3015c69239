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
                PASSIVE_LEVEL; otherwise the operation is pended
                (FLT_PREOP_PENDING), asked from a deferred I/O work item and
                resumed with FltCompletePendedPreOperation: an asynchronous
                read never blocks its issuer, and FLT_PREOP_SYNCHRONIZE is
                never used;
      AUDIT     reported in post with the final status.

    Fast I/O that a rule could match, or on a redirected handle, is refused
    (FLT_PREOP_DISALLOW_FASTIO) so it comes again as an IRP.

    The path of a read/write comes from the stream-handle context (cached at
    create when read/write rules need it), else from a name query; the
    process is the requestor of THIS operation (handles are inherited and
    duplicated, so the opener is not always the reader).

--*/

#include "jmf_driver.h"

/* A pended ASK: what the work item needs once the pre-operation callback has returned. */
typedef struct _JMF_RW_PENDING {
    PFLT_DEFERRED_IO_WORKITEM WorkItem;
    FLT_RELATED_OBJECTS Objects;        /* copied: FltObjects is valid only during the callback */
    JMF_OPERATION Op;                   /* its references travel with it */
    JMF_DECISION Decision;
    PJMF_HANDLE_CONTEXT HandleContext;  /* referenced, or NULL */
} JMF_RW_PENDING, *PJMF_RW_PENDING;

_Function_class_(FLT_DEFERRED_IO_WORKITEM_ROUTINE)
_IRQL_requires_(PASSIVE_LEVEL)
static VOID FLTAPI JmfRwAskWorker(_In_ PFLT_DEFERRED_IO_WORKITEM WorkItem, _In_ PFLT_CALLBACK_DATA Data,
                                  _In_opt_ PVOID Context);

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
    JMF_U32 operation = (Data->Iopb->MajorFunction == IRP_MJ_READ) ? JMF_OP_READ : JMF_OP_WRITE;
    UCHAR flags;

    *CompletionContext = NULL;

    switch (Decision->Verdict.Type) {
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

    if (Decision->Verdict.Type == JMF_ACTION_DENY) {
        Data->IoStatus.Status = Decision->Verdict.Status;
        Data->IoStatus.Information = 0;
        if (Op != NULL) {
            JmfReportOperation(Op, Decision, Decision->Verdict.Status);
        }
        result = FLT_PREOP_COMPLETE;
        goto Cleanup;
    }

    if (!redirected && !JmfDecisionReported(Decision)) {
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
    /* A redirected handle was reported at create; its reads and writes are not reported one by one. */
    completion->Report = (BOOLEAN)(JmfDecisionReported(Decision) &&
                                   !(redirected && Decision->Verdict.Type == JMF_ACTION_REDIRECT));
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
    NTSTATUS status;

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
        if (JmfDecideMatch(&op, &decision) && decision.Verdict.Type == JMF_ACTION_ASK) {
            if (KeGetCurrentIrql() == PASSIVE_LEVEL && FltIsOperationSynchronous(Data)) {
                JmfAsk(&op, &decision, TRUE);
            } else {
                /* Pend it and ask from a worker: the issuer of asynchronous I/O must not wait. */
                pending = (PJMF_RW_PENDING)JmfAllocateNonPaged(sizeof(JMF_RW_PENDING), JMF_TAG_COMPLETION);
                if (pending != NULL) {
                    pending->WorkItem = FltAllocateDeferredIoWorkItem();
                }
                if (pending != NULL && pending->WorkItem != NULL) {
                    RtlCopyMemory(&pending->Objects, FltObjects, sizeof(FLT_RELATED_OBJECTS));
                    pending->Op = op;
                    pending->Op.FltObjects = &pending->Objects;
                    pending->Decision = decision;
                    pending->HandleContext = handleContext;
                    status = FltQueueDeferredIoWorkItem(pending->WorkItem, Data, JmfRwAskWorker,
                                                        DelayedWorkQueue, pending);
                    if (NT_SUCCESS(status)) {
                        /* The worker owns the operation's references and the policy's now. */
                        pending = NULL;
                        opReady = FALSE;
                        handleContext = NULL;
                        policy = NULL;
                        result = FLT_PREOP_PENDING;
                        goto Cleanup;
                    }
                }
                /* Not safe to post (or no memory): the default verdict, as for any unanswered ask. */
                JmfAsk(&op, &decision, FALSE);
            }
        }
    }

    result = JmfRwApply(Data, FltObjects, interested ? &op : NULL, &decision, handleContext, CompletionContext);
    handleContext = NULL;                       /* consumed */

Cleanup:
    if (pending != NULL) {
        if (pending->WorkItem != NULL) {
            FltFreeDeferredIoWorkItem(pending->WorkItem);
        }
        JmfFree(pending, JMF_TAG_COMPLETION);
    }
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
 * JmfRwAskWorker
 *
 * IRQL: PASSIVE_LEVEL, a system worker thread. Asks for a pended read or
 * write, applies the verdict and resumes the operation with
 * FltCompletePendedPreOperation. The policy reference taken in the
 * pre-operation callback is used throughout, so the verdict is validated
 * against the policy that asked.
 */
_Use_decl_annotations_
static VOID FLTAPI
JmfRwAskWorker(
    PFLT_DEFERRED_IO_WORKITEM WorkItem,
    PFLT_CALLBACK_DATA Data,
    PVOID Context
    )
{
    PJMF_RW_PENDING pending = (PJMF_RW_PENDING)Context;
    PJMF_POLICY_REF policy;
    FLT_PREOP_CALLBACK_STATUS result;
    PVOID completionContext = NULL;

    if (pending == NULL) {
        FltCompletePendedPreOperation(Data, FLT_PREOP_SUCCESS_NO_CALLBACK, NULL);
        FltFreeDeferredIoWorkItem(WorkItem);
        return;
    }
    policy = pending->Op.Policy;

    JmfAsk(&pending->Op, &pending->Decision, TRUE);
    result = JmfRwApply(Data, &pending->Objects, &pending->Op, &pending->Decision, pending->HandleContext, &completionContext);

    JmfOperationCleanup(&pending->Op);
    JmfFree(pending, JMF_TAG_COMPLETION);
    JmfPolicyRelease(policy);

    /* The documented order: resume the operation, then free the work item. */
    FltCompletePendedPreOperation(Data, result, completionContext);
    FltFreeDeferredIoWorkItem(WorkItem);
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
