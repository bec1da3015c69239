/*++

Module Name:

    jmf_create.c

Abstract:

    IRP_MJ_CREATE. Pre-create decides the rules of the pre-operation phase
    (and, for an open with FILE_DELETE_ON_CLOSE, the DELETE rules too):

      DENY     completes the create with the rule's status and Information 0
               (FLT_PREOP_COMPLETE): the file system never sees it;
      MODIFY   edits the parameters in the callback data (desired access,
               create options, disposition, SL_* flags; never MajorFunction),
               calls FltSetCallbackDataDirty, and tells the post-create
               callback what it sent down through CompletionContext, because
               the driver's own post-operation callback sees the ORIGINAL
               parameters (seeds: "Modifying the Parameters for an I/O
               Operation", FLT_IO_PARAMETER_BLOCK);
      REDIRECT finds and validates the target instance now; the target file
               is opened in post-create (jmf_redirect.c); or, for a rule
               whose mechanism is reparse, rewrites the name and completes
               the create with STATUS_REPARSE (jmf_reparse.c);
      ASK      asks user mode (PASSIVE_LEVEL, bounded wait) and applies the
               answer or the default verdict;
      AUDIT    lets it through; the event carries the final status.

    A rule in audit-only mode decides the same way (first match, same
    phases) but nothing is applied: no completion, no parameter change, no
    target, no ask, no FltCancelFileOpen; the create passes unchanged and
    the event (Verdict: what would have applied, JMF_EVENT_FLAG_AUDIT_ONLY)
    carries the final status. A would-DENY ends the create's decisions as a
    DENY would: the DELETE rules of a delete-on-close open and the
    post-create phase are not tried.

    Post-create (PASSIVE_LEVEL, in the thread that issued the create) runs
    the post-create phase: rules that can only decide once the file is open
    (directory or not, created by this open or not, or an answer that
    arrives after the open). Its DENY is the documented failure of an I/O in
    a post-operation callback: FltCancelFileOpen, IoStatus.Status a valid
    error status (never STATUS_FLT_DISALLOW_FAST_IO), Information 0,
    FLT_POSTOP_FINISHED_PROCESSING. It happens before the I/O manager
    creates the handle, and it does NOT undo the create: a file this open
    created stays, and a file it overwrote or superseded stays truncated.

--*/

#include "jmf_driver.h"

/*
 * JmfCreateModify
 *
 * IRQL: PASSIVE_LEVEL (pre-create). Applies a MODIFY verdict to the
 * create's parameters. Desired access is stripped from
 * SecurityContext->DesiredAccess and, so that the file system's access
 * check and the handle's granted access agree with it, from the access
 * state's remaining, already-granted and original desired access too.
 * Records what is sent down in Completion. Returns TRUE when something
 * changed (and FltSetCallbackDataDirty was called).
 */
static BOOLEAN
JmfCreateModify(
    _Inout_ PFLT_CALLBACK_DATA Data,
    _In_ const JMF_ACTION *Verdict,
    _Inout_ PJMF_COMPLETION Completion
    )
{
    PFLT_IO_PARAMETER_BLOCK iopb = Data->Iopb;
    PIO_SECURITY_CONTEXT security = iopb->Parameters.Create.SecurityContext;
    ACCESS_MASK access = security->DesiredAccess & ~(ACCESS_MASK)Verdict->AccessClear;
    ULONG oldOptions = iopb->Parameters.Create.Options;
    ULONG disposition = (oldOptions >> 24) & 0xFF;
    ULONG options = oldOptions & JMF_CREATE_OPTIONS_VALID;
    UCHAR flags;
    ULONG newOptions;
    BOOLEAN changed;

    options = ((options & ~Verdict->OptionsClear) | Verdict->OptionsSet) & JMF_CREATE_OPTIONS_VALID;
    if (Verdict->Disposition != JMF_DISPOSITION_UNCHANGED) {
        disposition = Verdict->Disposition & 0xFF;
    }
    newOptions = (disposition << 24) | options;
    flags = (UCHAR)((iopb->OperationFlags & ~Verdict->OperationFlagsClear) | Verdict->OperationFlagsSet);

    changed = (BOOLEAN)(access != security->DesiredAccess || newOptions != oldOptions ||
                        flags != iopb->OperationFlags);
    if (changed) {
        security->DesiredAccess = access;
        if (Verdict->AccessClear != 0 && security->AccessState != NULL) {
            security->AccessState->RemainingDesiredAccess &= ~(ACCESS_MASK)Verdict->AccessClear;
            security->AccessState->PreviouslyGrantedAccess &= ~(ACCESS_MASK)Verdict->AccessClear;
            security->AccessState->OriginalDesiredAccess &= ~(ACCESS_MASK)Verdict->AccessClear;
        }
        iopb->Parameters.Create.Options = newOptions;
        iopb->OperationFlags = flags;
        FltSetCallbackDataDirty(Data);
    }
    Completion->DesiredAccess = access;
    Completion->CreateOptions = newOptions;
    return changed;
}

/*
 * JmfCreateComplete
 *
 * IRQL: PASSIVE_LEVEL. Fails the create in pre-create: the status goes in
 * IoStatus with Information 0 and the caller returns FLT_PREOP_COMPLETE.
 */
static FLT_PREOP_CALLBACK_STATUS
JmfCreateComplete(
    _Inout_ PFLT_CALLBACK_DATA Data,
    _In_ NTSTATUS Status
    )
{
    Data->IoStatus.Status = Status;
    Data->IoStatus.Information = 0;
    return FLT_PREOP_COMPLETE;
}

/*
 * JmfCreateCancel
 *
 * IRQL: PASSIVE_LEVEL (post-create, as FltCancelFileOpen requires). Fails a
 * create that succeeded below, as documented for a post-operation callback.
 * Returns FALSE (and changes nothing) when a handle was already created.
 */
static BOOLEAN
JmfCreateCancel(
    _Inout_ PFLT_CALLBACK_DATA Data,
    _In_ PCFLT_RELATED_OBJECTS FltObjects,
    _In_ NTSTATUS Status
    )
{
    /* Only before a handle exists (FO_HANDLE_CREATED), as FltCancelFileOpen requires. */
    if (FlagOn(FltObjects->FileObject->Flags, FO_HANDLE_CREATED)) {
        return FALSE;
    }
    FltCancelFileOpen(FltObjects->Instance, FltObjects->FileObject);
    Data->IoStatus.Status = Status;
    Data->IoStatus.Information = 0;
    JmfStatsAdd(JmfStatPostCreateCancels);
    return TRUE;
}

/*
 * JmfPreCreate
 *
 * IRQL: PASSIVE_LEVEL. Skips paging files, volume opens, the policy
 * service's own creates, and any create no rule of either phase (nor a
 * read/write rule, whose path is cached at create) can match: those cost
 * one policy reference and no name query.
 */
_Use_decl_annotations_
FLT_PREOP_CALLBACK_STATUS FLTAPI
JmfPreCreate(
    PFLT_CALLBACK_DATA Data,
    PCFLT_RELATED_OBJECTS FltObjects,
    PVOID *CompletionContext
    )
{
    FLT_PREOP_CALLBACK_STATUS result = FLT_PREOP_SUCCESS_NO_CALLBACK;
    PJMF_POLICY_REF policy = NULL;
    PJMF_COMPLETION completion = NULL;
    JMF_OPERATION op;
    JMF_DECISION decision;
    JMF_U32 needsPre = 0;
    JMF_U32 needsPost = 0;
    JMF_U32 needsRead = 0;
    JMF_U32 needsWrite = 0;
    JMF_U32 needsDelete = 0;
    BOOLEAN opReady = FALSE;
    BOOLEAN pre;
    BOOLEAN post;
    BOOLEAN readWrite;
    BOOLEAN deleteOnClose = FALSE;
    BOOLEAN wouldDeny = FALSE;

    *CompletionContext = NULL;

    /*
     * Not filtered: paging files; volume opens (no file); the parent-directory
     * open of a rename (SL_OPEN_TARGET_DIRECTORY: the rename itself is the
     * RENAME operation); the policy service's own creates.
     */
    if (FlagOn(Data->Iopb->OperationFlags, SL_OPEN_PAGING_FILE | SL_OPEN_TARGET_DIRECTORY) ||
        FltObjects->FileObject == NULL ||
        FlagOn(FltObjects->FileObject->Flags, FO_VOLUME_OPEN) ||
        JmfIsClientRequest(Data)) {
        return FLT_PREOP_SUCCESS_NO_CALLBACK;
    }
    policy = JmfPolicyAcquire();
    if (policy == NULL) {
        return FLT_PREOP_SUCCESS_NO_CALLBACK;
    }

    JmfOperationInitialize(&op, Data, FltObjects, policy, JMF_PHASE_PRE, JMF_OP_CREATE);
    opReady = TRUE;
    pre = JmfOperationInterested(&op, &needsPre);
    op.Facts.Phase = JMF_PHASE_POST_CREATE;
    post = JmfOperationInterested(&op, &needsPost);
    op.Facts.Phase = JMF_PHASE_PRE;
    op.Facts.Operation = JMF_OP_READ;
    readWrite = JmfOperationInterested(&op, &needsRead);
    op.Facts.Operation = JMF_OP_WRITE;
    readWrite = (BOOLEAN)(JmfOperationInterested(&op, &needsWrite) || readWrite);
    if (FlagOn(Data->Iopb->Parameters.Create.Options, FILE_DELETE_ON_CLOSE)) {
        /* Opening with delete-on-close deletes the file: it is a DELETE operation too. */
        op.Facts.Operation = JMF_OP_DELETE;
        deleteOnClose = JmfOperationInterested(&op, &needsDelete);
    }
    op.Facts.Operation = JMF_OP_CREATE;
    /* Read/write rules matter here only when they need the path, cached in the handle context. */
    readWrite = (BOOLEAN)(readWrite && ((needsRead | needsWrite) & JMF_NEED_PATH) != 0);
    if (!pre && !post && !readWrite && !deleteOnClose) {
        goto Cleanup;
    }

    /* Without memory the create passes unfiltered (fail open), as the I/O path must not fail for us. */
    completion = JmfCompletionAllocate(policy, JMF_OP_CREATE, op.Facts.ProcessId);
    if (completion == NULL) {
        goto Cleanup;
    }
    completion->DesiredAccess = Data->Iopb->Parameters.Create.SecurityContext->DesiredAccess;
    completion->CreateOptions = Data->Iopb->Parameters.Create.Options;
    completion->PostCreatePhase = post;
    completion->CachePath = readWrite;

    if (pre) {
        JmfOperationFetch(&op, needsPre);
        if (JmfDecideMatch(&op, &decision)) {
            if (decision.Verdict.Type == JMF_ACTION_ASK && !JmfDecisionAuditOnly(&decision)) {
                JmfAsk(&op, &decision, TRUE);
            }
            /* Audit-only: nothing is applied; the event (reported in post) says what would have been. */
            switch (JmfDecisionAuditOnly(&decision) ? 0 : decision.Verdict.Type) {
            case JMF_ACTION_DENY:
                JmfDecideCount(&decision);
                JmfReportOperation(&op, &decision, decision.Verdict.Status);
                result = JmfCreateComplete(Data, decision.Verdict.Status);
                goto Cleanup;

            case JMF_ACTION_MODIFY:
                if (JmfCreateModify(Data, &decision.Verdict, completion)) {
                    decision.EventFlags |= JMF_EVENT_FLAG_MODIFIED;
                }
                break;

            case JMF_ACTION_REDIRECT:
                if ((decision.Verdict.Flags & JMF_ACTION_FLAG_REPARSE) != 0) {
                    /* By reparse: the whole open, directories included, moves to the target (jmf_reparse.c). */
                    if (JmfReparseRedirect(&op, &decision)) {
                        JmfDecideCount(&decision);
                        JmfReportOperation(&op, &decision, STATUS_REPARSE);
                        result = FLT_PREOP_COMPLETE;
                        goto Cleanup;
                    }
                    if (decision.Verdict.Type == JMF_ACTION_DENY) {
                        JmfDecideCount(&decision);
                        JmfReportOperation(&op, &decision, decision.Verdict.Status);
                        result = JmfCreateComplete(Data, decision.Verdict.Status);
                        goto Cleanup;
                    }
                    break;
                }
                if (FlagOn(Data->Iopb->Parameters.Create.Options, FILE_DIRECTORY_FILE)) {
                    /* A directory has no data to redirect: it opens where it is. */
                    decision.Verdict.Type = JMF_ACTION_ALLOW;
                    decision.Verdict.Flags = 0;
                    decision.Verdict.Status = 0;
                    decision.Verdict.TargetVolume = 0;
                    break;
                }
                completion->TargetInstanceContext = JmfRedirectFindTarget(&op, decision.Verdict.TargetVolume,
                                                                          &completion->TargetInstance);
                if (completion->TargetInstanceContext != NULL) {
                    completion->Redirect = TRUE;
                    break;
                }
                JmfDecideFallback(&decision, decision.Verdict.Flags, decision.Verdict.Status);
                if (decision.Verdict.Type == JMF_ACTION_DENY) {
                    JmfDecideCount(&decision);
                    JmfReportOperation(&op, &decision, decision.Verdict.Status);
                    result = JmfCreateComplete(Data, decision.Verdict.Status);
                    goto Cleanup;
                }
                break;

            default:                            /* ALLOW, AUDIT, audit-only */
                break;
            }
            JmfDecideCount(&decision);
            completion->Decision = decision;
            completion->Report = JmfDecisionReported(&decision);
            wouldDeny = JmfDecisionWouldDeny(&decision);
        }
    }

    /* FILE_DELETE_ON_CLOSE: the DELETE rules decide too, before anything is opened (not after a would-DENY). */
    if (deleteOnClose && !wouldDeny) {
        op.Facts.Operation = JMF_OP_DELETE;
        JmfOperationFetch(&op, needsDelete);
        if (JmfDecideMatch(&op, &decision)) {
            if (decision.Verdict.Type == JMF_ACTION_ASK && !JmfDecisionAuditOnly(&decision)) {
                JmfAsk(&op, &decision, TRUE);
            }
            JmfDecideCount(&decision);
            if (decision.Verdict.Type == JMF_ACTION_DENY && !JmfDecisionAuditOnly(&decision)) {
                JmfReportOperation(&op, &decision, decision.Verdict.Status);
                result = JmfCreateComplete(Data, decision.Verdict.Status);
                goto Cleanup;
            }
            wouldDeny = JmfDecisionWouldDeny(&decision);
            JmfReportOperation(&op, &decision, STATUS_SUCCESS);    /* AUDIT, an ask's ALLOW, audit-only: before the fact */
        }
        op.Facts.Operation = JMF_OP_CREATE;
    }
    if (wouldDeny) {
        /* A DENY would have ended the create here: as in enforce mode, no post-create rule decides it. */
        completion->PostCreatePhase = FALSE;
    }

    /* The target open and the read/write cache need the path after this callback. */
    if (completion->Redirect || completion->CachePath || completion->Report) {
        JmfOperationFetch(&op, JMF_NEED_PATH);
        if (op.Facts.Path != NULL) {
            completion->Path = JmfCopyPath(op.Facts.Path, op.Facts.PathChars);
            completion->PathChars = (completion->Path != NULL) ? op.Facts.PathChars : 0;
        }
    }

    *CompletionContext = completion;
    completion = NULL;
    result = FLT_PREOP_SUCCESS_WITH_CALLBACK;

Cleanup:
    JmfCompletionFree(completion);
    if (opReady) {
        JmfOperationCleanup(&op);
    }
    JmfPolicyRelease(policy);
    return result;
}

/*
 * JmfPostCreateHandle
 *
 * IRQL: PASSIVE_LEVEL. Attaches the stream-handle context (path cache,
 * redirect target). Returns the redirect's failure status, or
 * STATUS_SUCCESS; *HandleContext receives the attached context
 * (referenced) or NULL.
 */
static NTSTATUS
JmfPostCreateHandle(
    _In_ PFLT_CALLBACK_DATA Data,
    _In_ PCFLT_RELATED_OBJECTS FltObjects,
    _Inout_ PJMF_COMPLETION Completion,
    _Outptr_result_maybenull_ PJMF_HANDLE_CONTEXT *HandleContext
    )
{
    PJMF_HANDLE_CONTEXT handleContext = NULL;
    NTSTATUS status;

    *HandleContext = NULL;
    status = JmfHandleContextCreate(FltObjects, &handleContext);
    if (NT_SUCCESS(status)) {
        status = JmfHandleContextAttach(FltObjects, handleContext);
    }
    if (!NT_SUCCESS(status)) {
        if (handleContext != NULL) {
            FltReleaseContext(handleContext);
        }
        /* Only a redirect depends on it; a missing path cache just means names are queried later. */
        return Completion->Redirect ? status : STATUS_SUCCESS;
    }

    if (Completion->Redirect) {
        status = JmfRedirectOpenTarget(Data, FltObjects, Completion, handleContext);
        if (NT_SUCCESS(status)) {
            handleContext->RedirectRuleId = Completion->Decision.RuleId;
            handleContext->FallbackFlags = Completion->Decision.Verdict.Flags;
            handleContext->FallbackStatus = Completion->Decision.Verdict.Status;
        }
    } else {
        status = STATUS_SUCCESS;
    }
    /* The path serves read/write rules, and names a redirected handle's events once its target is gone. */
    if ((Completion->CachePath || Completion->Redirect) && Completion->Path != NULL && !Completion->PathTruncated) {
        handleContext->Path = JmfCopyPath(Completion->Path, Completion->PathChars);
        handleContext->PathChars = (handleContext->Path != NULL) ? Completion->PathChars : 0;
    }
    *HandleContext = handleContext;
    return status;
}

/*
 * JmfPostCreate
 *
 * IRQL: PASSIVE_LEVEL, in the thread that issued the create (so
 * FltCancelFileOpen, FltCreateFileEx2 and FltSendMessage are allowed).
 * When draining (the instance is going away) it only frees its context.
 */
_Use_decl_annotations_
FLT_POSTOP_CALLBACK_STATUS FLTAPI
JmfPostCreate(
    PFLT_CALLBACK_DATA Data,
    PCFLT_RELATED_OBJECTS FltObjects,
    PVOID CompletionContext,
    FLT_POST_OPERATION_FLAGS Flags
    )
{
    PJMF_COMPLETION completion = (PJMF_COMPLETION)CompletionContext;
    PJMF_HANDLE_CONTEXT handleContext = NULL;
    PJMF_INSTANCE_CONTEXT instanceContext = NULL;
    JMF_OPERATION op;
    JMF_DECISION decision;
    JMF_U32 needs = 0;
    BOOLEAN opReady = FALSE;
    BOOLEAN isDirectory = FALSE;
    NTSTATUS status;

    if (completion == NULL) {
        return FLT_POSTOP_FINISHED_PROCESSING;
    }
    if (FlagOn(Flags, FLTFL_POST_OPERATION_DRAINING)) {
        goto Cleanup;
    }
    status = Data->IoStatus.Status;
    if (!NT_SUCCESS(status) || status == STATUS_REPARSE) {
        goto Report;
    }

    if ((completion->Redirect || completion->PostCreatePhase) &&
        NT_SUCCESS(FltIsDirectory(FltObjects->FileObject, FltObjects->Instance, &isDirectory)) && isDirectory) {
        /* A directory has no data to redirect: it stays where it is. */
        completion->Redirect = FALSE;
    }

    /* Handle context: read/write path cache and redirect target. */
    if (completion->Redirect || completion->CachePath) {
        status = JmfPostCreateHandle(Data, FltObjects, completion, &handleContext);
        if (!NT_SUCCESS(status) && completion->Redirect) {
            JmfDecideFallback(&completion->Decision, completion->Decision.Verdict.Flags,
                              completion->Decision.Verdict.Status);
            completion->Report = TRUE;
            if (completion->Decision.Verdict.Type == JMF_ACTION_DENY &&
                JmfCreateCancel(Data, FltObjects, completion->Decision.Verdict.Status)) {
                goto Report;
            }
        }
    }

    /* The post-create phase. */
    if (completion->PostCreatePhase && completion->Policy != NULL) {
        JmfOperationInitialize(&op, Data, FltObjects, completion->Policy, JMF_PHASE_POST_CREATE, JMF_OP_CREATE);
        opReady = TRUE;
        if (NT_SUCCESS(FltIsDirectory(FltObjects->FileObject, FltObjects->Instance, &isDirectory))) {
            op.Facts.Observed = isDirectory ? JMF_MATCH_DIRECTORY : JMF_MATCH_NON_DIRECTORY;
        }       /* (the filter manager caches the answer: asking twice costs a lookup) */
        if (Data->IoStatus.Information == FILE_CREATED) {
            op.Facts.Observed |= JMF_MATCH_CREATED;
        }
        if (JmfOperationInterested(&op, &needs)) {
            JmfOperationFetch(&op, needs);      /* the opened file's name */
            if (op.Facts.Path == NULL && completion->Path != NULL) {
                JmfOperationUsePath(&op, completion->Path, completion->PathChars);
            }
            if (JmfDecideMatch(&op, &decision)) {
                if (decision.Verdict.Type == JMF_ACTION_ASK && !JmfDecisionAuditOnly(&decision)) {
                    JmfAsk(&op, &decision, TRUE);
                }
                JmfDecideCount(&decision);
                if (decision.Verdict.Type == JMF_ACTION_DENY && !JmfDecisionAuditOnly(&decision) &&
                    JmfCreateCancel(Data, FltObjects, decision.Verdict.Status) && handleContext != NULL) {
                    /* Cancelled: close what this driver opened for the handle. Only then: when the
                       handle already exists the cancel is refused, and that handle keeps its target. */
                    JmfRedirectCloseTarget(handleContext);
                }
                JmfReportOperation(&op, &decision, Data->IoStatus.Status);
            }
        }
    }

Report:
    if (completion->Report) {
        if (opReady) {
            instanceContext = JmfOperationInstanceContext(&op);
        } else if (!NT_SUCCESS(FltGetInstanceContext(FltObjects->Instance, (PFLT_CONTEXT *)&instanceContext))) {
            instanceContext = NULL;
        }
        JmfReportDecision(&completion->Decision, JMF_OP_CREATE, Data->IoStatus.Status, completion->ProcessId,
                          instanceContext, completion->Path, completion->PathChars, completion->PathTruncated);
        if (!opReady && instanceContext != NULL) {
            FltReleaseContext(instanceContext);
        }
    }

Cleanup:
    if (opReady) {
        JmfOperationCleanup(&op);
    }
    if (handleContext != NULL) {
        FltReleaseContext(handleContext);
    }
    JmfCompletionFree(completion);
    return FLT_POSTOP_FINISHED_PROCESSING;
}
