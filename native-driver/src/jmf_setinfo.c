/*++

Module Name:

    jmf_setinfo.c

Abstract:

    IRP_MJ_SET_INFORMATION:

      - delete dispositions (FileDispositionInformation with DeleteFile set,
        FileDispositionInformationEx with FILE_DISPOSITION_DELETE) are the
        DELETE operation of the policy;
      - renames (FileRenameInformation(Ex)) and hard links
        (FileLinkInformation(Ex)), and their *BypassAccessCheck classes,
        which carry the same buffer, are evaluated at both ends:
          the source as a RENAME (flagged LINK for a link: a link gives the
          file another name, which a RENAME rule on it refuses), then
          the destination, named by FltGetDestinationFileNameInformation,
          as a DELETE of that path when the request replaces an existing
          file (ReplaceIfExists, or FILE_RENAME/LINK_REPLACE_IF_EXISTS in
          the Ex classes), then as a CREATE of it (disposition FILE_CREATE,
          or FILE_SUPERSEDE when it replaces; the write access that putting
          a file with its data there amounts to), flagged DESTINATION;
        the first DENY completes the request with the rule's status;
      - DENY completes the request, ASK asks (inline when synchronous at
        PASSIVE_LEVEL, else the default verdict), AUDIT reports in post with
        the final status; every event of a rename or link names both paths
        (Path, the one the rule matched, and OtherPath, the other end);
      - an audit-only rule's verdict is not applied (nor asked): the request
        passes, reported in post as "would"; a would-DENY of the source
        ends the decisions as a DENY does (the destination is not tried);
      - on a redirected handle, the classes that change the data's file
        (end of file, allocation, valid data length, basic information)
        follow the data to the target (jmf_redirect.c).

    FltGetDestinationFileNameInformation runs at PASSIVE_LEVEL only and
    needs the caller's RootDirectory handle, so it is called here, in the
    pre-operation callback, in the requestor's context. A destination name
    that cannot be had (above PASSIVE_LEVEL, a malformed buffer, a failed
    query) stays empty: like any operation whose name cannot be had, it
    matches only rules without a path pattern.

    The information buffer of IRP_MJ_SET_INFORMATION is a system buffer
    (buffered I/O), so reading it is reading kernel memory; its length is
    checked first.

--*/

#include "jmf_driver.h"

/* What a set-information request asks of the policy (JmfSetInfoClassify). */
typedef struct _JMF_SETINFO_REQUEST {
    JMF_U32 Operation;          /* JMF_OP_RENAME (a rename's or link's source), JMF_OP_DELETE, or 0 */
    BOOLEAN Link;               /* a hard link, not a rename */
    BOOLEAN Replace;            /* replaces an existing destination */
    BOOLEAN NameValid;          /* RootDirectory and FileName[FileNameLength] below can be used */
    HANDLE RootDirectory;
    PWSTR FileName;
    ULONG FileNameLength;       /* bytes */
} JMF_SETINFO_REQUEST;

/*
 * The access a rename's or link's destination is evaluated with: putting a
 * file with its data and attributes at that path, as a create that writes
 * it would. Rules that look for write access to a path see renames and
 * links into it.
 */
#define JMF_DESTINATION_ACCESS (FILE_WRITE_DATA | FILE_APPEND_DATA | FILE_WRITE_ATTRIBUTES | FILE_WRITE_EA)

/* At most: the source, the destination's DELETE, the destination's CREATE. */
#define JMF_SETINFO_MAX_DECISIONS 3

/*
 * JmfSetInfoClassify
 *
 * IRQL: <= APC_LEVEL. The policy operation this set-information is, and
 * for a rename or link its destination as the buffer gives it. The
 * FILE_RENAME_INFORMATION and FILE_LINK_INFORMATION layouts are the same.
 */
static VOID
JmfSetInfoClassify(
    _In_ PFLT_CALLBACK_DATA Data,
    _Out_ JMF_SETINFO_REQUEST *Request
    )
{
    PVOID buffer = Data->Iopb->Parameters.SetFileInformation.InfoBuffer;
    ULONG length = Data->Iopb->Parameters.SetFileInformation.Length;
    BOOLEAN ex = FALSE;
    PFILE_LINK_INFORMATION info;

    RtlZeroMemory(Request, sizeof(*Request));
    switch (Data->Iopb->Parameters.SetFileInformation.FileInformationClass) {
    case FileDispositionInformation:
        if (buffer != NULL && length >= sizeof(FILE_DISPOSITION_INFORMATION) &&
            ((PFILE_DISPOSITION_INFORMATION)buffer)->DeleteFile) {
            Request->Operation = JMF_OP_DELETE;
        }
        return;
    case FileDispositionInformationEx:
        if (buffer != NULL && length >= sizeof(FILE_DISPOSITION_INFORMATION_EX) &&
            FlagOn(((PFILE_DISPOSITION_INFORMATION_EX)buffer)->Flags, FILE_DISPOSITION_DELETE)) {
            Request->Operation = JMF_OP_DELETE;
        }
        return;
    case FileRenameInformationEx:
    case FileRenameInformationExBypassAccessCheck:
        ex = TRUE;
        break;
    case FileRenameInformation:
    case FileRenameInformationBypassAccessCheck:
        break;
    case FileLinkInformationEx:
    case FileLinkInformationExBypassAccessCheck:
        ex = TRUE;
        Request->Link = TRUE;
        break;
    case FileLinkInformation:
    case FileLinkInformationBypassAccessCheck:
        Request->Link = TRUE;
        break;
    default:
        return;
    }

    Request->Operation = JMF_OP_RENAME;
    /* The plain classes: the file system reads ReplaceIfExists from the parameters; either says replace. */
    Request->Replace = (BOOLEAN)(!ex && Data->Iopb->Parameters.SetFileInformation.ReplaceIfExists);
    if (buffer == NULL || length < FIELD_OFFSET(FILE_LINK_INFORMATION, FileName)) {
        return;
    }
    info = (PFILE_LINK_INFORMATION)buffer;
    if (ex) {
        /* FILE_RENAME_REPLACE_IF_EXISTS and FILE_LINK_REPLACE_IF_EXISTS are both 0x1. */
        Request->Replace = (BOOLEAN)FlagOn(info->Flags, Request->Link ? FILE_LINK_REPLACE_IF_EXISTS
                                                                      : FILE_RENAME_REPLACE_IF_EXISTS);
    } else if (info->ReplaceIfExists) {
        Request->Replace = TRUE;
    }
    if (info->FileNameLength != 0 && (info->FileNameLength % sizeof(WCHAR)) == 0 &&
        info->FileNameLength <= length - FIELD_OFFSET(FILE_LINK_INFORMATION, FileName)) {
        Request->NameValid = TRUE;
        Request->RootDirectory = info->RootDirectory;
        Request->FileName = info->FileName;
        Request->FileNameLength = info->FileNameLength;
    }
}

/*
 * JmfSetInfoDestinationName
 *
 * IRQL: <= APC_LEVEL; queries only at PASSIVE_LEVEL. Names Destination
 * (whose NameInfo holds the reference) with the normalized, volume-relative
 * destination of the rename or link, or leaves it empty. Called in the
 * pre-operation callback, in the requestor's context, as RootDirectory (a
 * handle of the requestor) requires.
 */
static VOID
JmfSetInfoDestinationName(
    _Inout_ PJMF_OPERATION Destination,
    _In_ PCFLT_RELATED_OBJECTS FltObjects,
    _In_ const JMF_SETINFO_REQUEST *Request
    )
{
    PFLT_FILE_NAME_INFORMATION nameInfo = NULL;
    NTSTATUS status;

    if (Destination->NameInfo != NULL || !Request->NameValid || KeGetCurrentIrql() != PASSIVE_LEVEL) {
        return;
    }
    status = FltGetDestinationFileNameInformation(FltObjects->Instance, FltObjects->FileObject, Request->RootDirectory,
                                                  Request->FileName, Request->FileNameLength,
                                                  FLT_FILE_NAME_NORMALIZED | FLT_FILE_NAME_QUERY_DEFAULT, &nameInfo);
    if (!NT_SUCCESS(status)) {
        return;
    }
    status = FltParseFileNameInformation(nameInfo);
    if (!NT_SUCCESS(status) || nameInfo->Name.Length < nameInfo->Volume.Length) {
        FltReleaseFileNameInformation(nameInfo);
        return;
    }
    Destination->NameInfo = nameInfo;           /* released by JmfOperationCleanup */
    Destination->Facts.Path = (const JMF_U16 *)(nameInfo->Name.Buffer + nameInfo->Volume.Length / sizeof(WCHAR));
    Destination->Facts.PathChars = (JMF_U32)((nameInfo->Name.Length - nameInfo->Volume.Length) / sizeof(WCHAR));
}

/*
 * JmfSetInfoDestinationVerdict
 *
 * IRQL: any. A verdict that cannot apply to a rename's or link's
 * destination: MODIFY (no create parameters to change) lets it through;
 * REDIRECT (a rename cannot follow a redirect, and data must not end up on
 * two volumes) takes the rule's fallback, counted and flagged.
 */
static VOID
JmfSetInfoDestinationVerdict(
    _Inout_ PJMF_DECISION Decision
    )
{
    switch (Decision->Verdict.Type) {
    case JMF_ACTION_MODIFY:
        Decision->Verdict.Type = JMF_ACTION_ALLOW;
        Decision->Verdict.Status = 0;
        break;
    case JMF_ACTION_REDIRECT:
        JmfDecideFallback(Decision, Decision->Verdict.Flags, Decision->Verdict.Status);
        break;
    default:
        break;
    }
}

/*
 * JmfSetInfoChain
 *
 * IRQL: <= APC_LEVEL. A completion context reporting Decision in post
 * with the final status, with copies of Op's path and other path. NULL
 * when out of memory (the caller reports at once instead).
 */
static PJMF_COMPLETION
JmfSetInfoChain(
    _In_ PJMF_OPERATION Op,
    _In_ const JMF_DECISION *Decision
    )
{
    PJMF_COMPLETION completion;

    completion = JmfCompletionAllocate(NULL, Op->Facts.Operation, Op->Facts.ProcessId);
    if (completion == NULL) {
        return NULL;
    }
    completion->Decision = *Decision;
    completion->Report = TRUE;
    completion->InstanceContext = JmfOperationInstanceContext(Op);
    if (completion->InstanceContext != NULL) {
        FltReferenceContext(completion->InstanceContext);     /* the completion's own reference */
    }
    if (Op->Facts.Path != NULL) {
        completion->PathChars = min(Op->Facts.PathChars, JMF_MAX_PATH_CHARS);
        completion->PathTruncated = (BOOLEAN)(Op->PathTruncated || Op->Facts.PathChars > JMF_MAX_PATH_CHARS);
        completion->Path = JmfCopyPath(Op->Facts.Path, completion->PathChars);
        if (completion->Path == NULL) {
            completion->PathChars = 0;
        }
    }
    if (Op->OtherPath != NULL) {
        completion->OtherPathChars = min(Op->OtherPathChars, JMF_MAX_PATH_CHARS);
        completion->OtherPathTruncated = (BOOLEAN)(Op->OtherPathTruncated || Op->OtherPathChars > JMF_MAX_PATH_CHARS);
        completion->OtherPath = JmfCopyPath(Op->OtherPath, completion->OtherPathChars);
        if (completion->OtherPath == NULL) {
            completion->OtherPathChars = 0;
        }
    }
    return completion;
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
 * Evaluates the source, then (renames and links) the destination, each
 * with its own first-match decision; the first DENY completes the request.
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
    PJMF_COMPLETION chain = NULL;
    PJMF_COMPLETION completion;
    PJMF_HANDLE_CONTEXT handleContext = NULL;
    JMF_SETINFO_REQUEST request;
    JMF_OPERATION source;
    JMF_OPERATION destination;
    PJMF_OPERATION ops[JMF_SETINFO_MAX_DECISIONS];
    JMF_DECISION decisions[JMF_SETINFO_MAX_DECISIONS];
    JMF_U32 destinationOps[2];
    JMF_U32 destinationCount = 0;
    JMF_U32 count = 0;
    JMF_U32 needs = 0;
    JMF_U32 i;
    BOOLEAN sourceReady = FALSE;
    BOOLEAN destinationReady = FALSE;
    BOOLEAN sourceInterested;
    BOOLEAN denied = FALSE;
    BOOLEAN wouldDeny = FALSE;
    BOOLEAN mayWait;
    NTSTATUS denyStatus = STATUS_SUCCESS;

    *CompletionContext = NULL;

    if (!FLT_IS_IRP_OPERATION(Data) || JmfIsClientRequest(Data)) {
        return FLT_PREOP_SUCCESS_NO_CALLBACK;
    }

    /* Size and times of a redirected handle. */
    if (JmfIsRedirectedSetClass(Data->Iopb->Parameters.SetFileInformation.FileInformationClass)) {
        return JmfRedirectPrepare(Data, FltObjects, CompletionContext);
    }

    JmfSetInfoClassify(Data, &request);
    if (request.Operation == 0) {
        return FLT_PREOP_SUCCESS_NO_CALLBACK;
    }
    policy = JmfPolicyAcquire();
    if (policy == NULL) {
        return FLT_PREOP_SUCCESS_NO_CALLBACK;
    }
    mayWait = (BOOLEAN)(KeGetCurrentIrql() == PASSIVE_LEVEL && FltIsOperationSynchronous(Data));

    JmfOperationInitialize(&source, Data, FltObjects, policy, JMF_PHASE_PRE, request.Operation);
    sourceReady = TRUE;
    sourceInterested = JmfOperationInterested(&source, &needs);

    /* Which destination evaluations a rule could decide: DELETE (when it replaces), then CREATE. */
    if (request.Operation == JMF_OP_RENAME) {
        JMF_U32 unused;
        /* Initialized as a CREATE: the volume index is fetched when any create-time rule names volumes. */
        JmfOperationInitialize(&destination, Data, FltObjects, policy, JMF_PHASE_PRE, JMF_OP_CREATE);
        destinationReady = TRUE;
        destination.Facts.Operation = JMF_OP_DELETE;
        destination.PathFixed = TRUE;               /* the destination's name, never the file's own */
        destination.AskFlags = JMF_ASK_FLAG_DESTINATION | (request.Link ? JMF_ASK_FLAG_LINK : 0);
        if (request.Replace && JmfOperationInterested(&destination, &unused)) {
            destinationOps[destinationCount++] = JMF_OP_DELETE;
        }
        destination.Facts.Operation = JMF_OP_CREATE;
        if (JmfOperationInterested(&destination, &unused)) {
            destinationOps[destinationCount++] = JMF_OP_CREATE;
        }
        source.AskFlags = request.Link ? JMF_ASK_FLAG_LINK : 0;
    }
    if (!sourceInterested && destinationCount == 0) {
        goto Cleanup;
    }

    /* The source. */
    if (sourceInterested) {
        if ((needs & JMF_NEED_PATH) != 0) {
            handleContext = JmfHandleContextGet(FltObjects);
            if (handleContext != NULL && handleContext->Path != NULL) {
                JmfOperationUsePath(&source, handleContext->Path, handleContext->PathChars);
            }
        }
        JmfOperationFetch(&source, needs);
        if (JmfDecideMatch(&source, &decisions[count])) {
            if (request.Link) {
                decisions[count].EventFlags |= JMF_EVENT_FLAG_LINK;
            }
            if (decisions[count].Verdict.Type == JMF_ACTION_ASK && !JmfDecisionAuditOnly(&decisions[count])) {
                JmfAsk(&source, &decisions[count], mayWait);
            }
            JmfDecideCount(&decisions[count]);
            if (decisions[count].Verdict.Type == JMF_ACTION_DENY && !JmfDecisionAuditOnly(&decisions[count])) {
                denied = TRUE;
                denyStatus = decisions[count].Verdict.Status;
            }
            wouldDeny = JmfDecisionWouldDeny(&decisions[count]);
            ops[count++] = &source;
        }
    }

    /* The destination: named now (PASSIVE_LEVEL, the requestor's context), for its rules and for the events. */
    if (destinationReady && (destinationCount != 0 || (count != 0 && JmfDecisionReported(&decisions[0])))) {
        JmfSetInfoDestinationName(&destination, FltObjects, &request);
        destination.Facts.DesiredAccess = JMF_DESTINATION_ACCESS;
        destination.Facts.CreateDisposition = request.Replace ? JMF_FILE_SUPERSEDE : JMF_FILE_CREATE;
        source.OtherPath = destination.Facts.Path;
        source.OtherPathChars = destination.Facts.PathChars;
    }
    for (i = 0; i < destinationCount && !denied && !wouldDeny; i++) {     /* (a would-DENY ends it as a DENY does) */
        JMF_DECISION *decision = &decisions[count];
        destination.Facts.Operation = destinationOps[i];
        if (!JmfOperationInterested(&destination, &needs)) {
            continue;
        }
        JmfOperationFetch(&destination, needs);
        if (!JmfDecideMatch(&destination, decision)) {
            continue;
        }
        decision->EventFlags |= JMF_EVENT_FLAG_DESTINATION | (request.Link ? JMF_EVENT_FLAG_LINK : 0);
        if (decision->Verdict.Type == JMF_ACTION_ASK && !JmfDecisionAuditOnly(decision)) {
            JmfAsk(&destination, decision, mayWait);
        }
        JmfSetInfoDestinationVerdict(decision);     /* audit-only too: it is part of the decision */
        JmfDecideCount(decision);
        if (decision->Verdict.Type == JMF_ACTION_DENY && !JmfDecisionAuditOnly(decision)) {
            denied = TRUE;
            denyStatus = decision->Verdict.Status;
        }
        wouldDeny = JmfDecisionWouldDeny(decision);
        ops[count++] = &destination;
    }

    /* Events name both ends: the destination's report names the source (fetched now if no rule needed it). */
    for (i = 0; i < count; i++) {
        if (ops[i] == &destination && JmfDecisionReported(&decisions[i])) {
            JmfOperationFetch(&source, JMF_NEED_PATH);
            destination.OtherPath = source.Facts.Path;
            destination.OtherPathChars = source.Facts.PathChars;
            destination.OtherPathTruncated = source.PathTruncated;
        }
    }

    if (denied) {
        Data->IoStatus.Status = denyStatus;
        Data->IoStatus.Information = 0;
        for (i = 0; i < count; i++) {
            JmfReportOperation(ops[i], &decisions[i], denyStatus);
        }
        result = FLT_PREOP_COMPLETE;
        goto Cleanup;
    }

    /* ALLOW, AUDIT, audit-only (MODIFY and REDIRECT: the core refuses them for RENAME and DELETE
       rules; a destination's CREATE rule had them mapped by JmfSetInfoDestinationVerdict). */
    for (i = count; i > 0; i--) {
        if (!JmfDecisionReported(&decisions[i - 1])) {
            continue;
        }
        JmfOperationFetch(ops[i - 1], JMF_NEED_PATH);
        completion = JmfSetInfoChain(ops[i - 1], &decisions[i - 1]);
        if (completion == NULL) {
            JmfReportOperation(ops[i - 1], &decisions[i - 1], STATUS_SUCCESS);    /* report now, without the final status */
            continue;
        }
        completion->Next = chain;
        chain = completion;
    }
    if (chain != NULL) {
        *CompletionContext = chain;
        chain = NULL;
        result = FLT_PREOP_SUCCESS_WITH_CALLBACK;
    }

Cleanup:
    JmfCompletionFree(chain);
    if (handleContext != NULL) {
        FltReleaseContext(handleContext);
    }
    if (destinationReady) {
        JmfOperationCleanup(&destination);
    }
    if (sourceReady) {
        JmfOperationCleanup(&source);
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
