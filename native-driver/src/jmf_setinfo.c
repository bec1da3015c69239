/*++

Module Name:

    jmf_setinfo.c

Abstract:

    IRP_MJ_SET_INFORMATION:

      - renames (FileRenameInformation, FileRenameInformationEx) and delete
        dispositions (FileDispositionInformation with DeleteFile set,
        FileDispositionInformationEx with FILE_DISPOSITION_DELETE) are the
        RENAME and DELETE operations of the policy: DENY completes them with
        the rule's status, ASK asks (inline when synchronous at
        PASSIVE_LEVEL, else the default verdict), AUDIT reports in post;
      - on a redirected handle, the classes that change the data's file
        (end of file, allocation, valid data length, basic information)
        follow the data to the target (jmf_redirect.c).

    The information buffer of IRP_MJ_SET_INFORMATION is a system buffer
    (buffered I/O), so reading the delete flag from it is kernel memory; its
    length is checked first.

--*/

#include "jmf_driver.h"

/*
 * JmfSetInfoOperation
 *
 * IRQL: <= APC_LEVEL. The policy operation this set-information is, or 0.
 */
static JMF_U32
JmfSetInfoOperation(
    _In_ PFLT_CALLBACK_DATA Data
    )
{
    PVOID buffer = Data->Iopb->Parameters.SetFileInformation.InfoBuffer;
    ULONG length = Data->Iopb->Parameters.SetFileInformation.Length;

    switch (Data->Iopb->Parameters.SetFileInformation.FileInformationClass) {
    case FileRenameInformation:
    case FileRenameInformationEx:
        return JMF_OP_RENAME;
    case FileDispositionInformation:
        if (buffer != NULL && length >= sizeof(FILE_DISPOSITION_INFORMATION) &&
            ((PFILE_DISPOSITION_INFORMATION)buffer)->DeleteFile) {
            return JMF_OP_DELETE;
        }
        return 0;
    case FileDispositionInformationEx:
        if (buffer != NULL && length >= sizeof(FILE_DISPOSITION_INFORMATION_EX) &&
            FlagOn(((PFILE_DISPOSITION_INFORMATION_EX)buffer)->Flags, FILE_DISPOSITION_DELETE)) {
            return JMF_OP_DELETE;
        }
        return 0;
    default:
        return 0;
    }
}

/* The classes that must reach the file the data of a redirected handle lives in. */
static BOOLEAN
JmfIsRedirectedSetClass(
    _In_ FILE_INFORMATION_CLASS Class
    )
{
    switch (Class) {
    case FileEndOfFileInformation:
    case FileAllocationInformation:
    case FileValidDataLengthInformation:
    case FileBasicInformation:
        return TRUE;
    default:
        return FALSE;
    }
}

/*
 * JmfPreSetInformation
 *
 * IRQL: <= APC_LEVEL. Other classes, and every class when no rule can match
 * and no handle is redirected, cost a switch and one policy reference.
 */
_Use_decl_annotations_
FLT_PREOP_CALLBACK_STATUS FLTAPI
JmfPreSetInformation(
    PFLT_CALLBACK_DATA Data,
    PCFLT_RELATED_OBJECTS FltObjects,
    PVOID *CompletionContext
    )
{
    FLT_PREOP_CALLBACK_STATUS result = FLT_PREOP_SUCCESS_NO_CALLBACK;
    PJMF_POLICY_REF policy = NULL;
    PJMF_COMPLETION completion = NULL;
    PJMF_HANDLE_CONTEXT handleContext = NULL;
    JMF_OPERATION op;
    JMF_DECISION decision;
    JMF_U32 operation;
    JMF_U32 needs = 0;
    BOOLEAN opReady = FALSE;

    *CompletionContext = NULL;

    if (!FLT_IS_IRP_OPERATION(Data) || JmfIsClientRequest(Data)) {
        return FLT_PREOP_SUCCESS_NO_CALLBACK;
    }

    /* Size and times of a redirected handle. */
    if (JmfIsRedirectedSetClass(Data->Iopb->Parameters.SetFileInformation.FileInformationClass)) {
        return JmfRedirectPrepare(Data, FltObjects, CompletionContext);
    }

    operation = JmfSetInfoOperation(Data);
    if (operation == 0) {
        return FLT_PREOP_SUCCESS_NO_CALLBACK;
    }
    policy = JmfPolicyAcquire();
    if (policy == NULL) {
        return FLT_PREOP_SUCCESS_NO_CALLBACK;
    }
    JmfOperationInitialize(&op, Data, FltObjects, policy, JMF_PHASE_PRE, operation);
    opReady = TRUE;
    if (!JmfOperationInterested(&op, &needs)) {
        goto Cleanup;
    }
    if ((needs & JMF_NEED_PATH) != 0) {
        handleContext = JmfHandleContextGet(FltObjects);
        if (handleContext != NULL && handleContext->Path != NULL) {
            JmfOperationUsePath(&op, handleContext->Path, handleContext->PathChars);
        }
    }
    JmfOperationFetch(&op, needs);
    if (!JmfDecideMatch(&op, &decision)) {
        goto Cleanup;
    }
    if (decision.Verdict.Type == JMF_ACTION_ASK) {
        JmfAsk(&op, &decision, (BOOLEAN)(KeGetCurrentIrql() == PASSIVE_LEVEL && FltIsOperationSynchronous(Data)));
    }
    JmfDecideCount(&decision);

    switch (decision.Verdict.Type) {
    case JMF_ACTION_DENY:
        Data->IoStatus.Status = decision.Verdict.Status;
        Data->IoStatus.Information = 0;
        JmfReportOperation(&op, &decision, decision.Verdict.Status);
        result = FLT_PREOP_COMPLETE;
        goto Cleanup;
    default:
        /* ALLOW, AUDIT (MODIFY and REDIRECT are not valid for RENAME/DELETE: the core refuses them). */
        break;
    }
    if (!JmfDecisionReported(&decision)) {
        goto Cleanup;
    }
    completion = JmfCompletionAllocate(NULL, operation, op.Facts.ProcessId);
    if (completion == NULL) {
        JmfReportOperation(&op, &decision, STATUS_SUCCESS);     /* report now, without the final status */
        goto Cleanup;
    }
    completion->Decision = decision;
    completion->Report = TRUE;
    JmfOperationFetch(&op, JMF_NEED_PATH);
    completion->InstanceContext = JmfOperationInstanceContext(&op);
    if (completion->InstanceContext != NULL) {
        FltReferenceContext(completion->InstanceContext);
    }
    if (op.Facts.Path != NULL) {
        completion->PathChars = min(op.Facts.PathChars, JMF_MAX_PATH_CHARS);
        completion->PathTruncated = (BOOLEAN)(op.Facts.PathChars > JMF_MAX_PATH_CHARS);
        completion->Path = JmfCopyPath(op.Facts.Path, completion->PathChars);
        if (completion->Path == NULL) {
            completion->PathChars = 0;
        }
    }
    *CompletionContext = completion;
    completion = NULL;
    result = FLT_PREOP_SUCCESS_WITH_CALLBACK;

Cleanup:
    JmfCompletionFree(completion);
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
 * JmfPostSetInformation
 *
 * IRQL: <= DISPATCH_LEVEL, any thread (also when draining): non-paged
 * memory only, no waits (JmfPostComplete).
 */
_Use_decl_annotations_
FLT_POSTOP_CALLBACK_STATUS FLTAPI
JmfPostSetInformation(
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
