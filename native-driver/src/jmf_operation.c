/*++

Module Name:

    jmf_operation.c

Abstract:

    The facts of one operation, fetched only as far as the policy needs them
    (JmfPolicyInterested): the volume's index in the policy, the requestor's
    process id, the volume-relative normalized path
    (FltGetFileNameInformation + FltParseFileNameInformation) and the
    requestor's image path (SeLocateProcessImageName, PASSIVE_LEVEL only).
    An operation no rule can match costs no name query.

--*/

#include "jmf_driver.h"

/*
 * JmfOperationInitialize
 *
 * IRQL: <= APC_LEVEL (pre-operation callbacks, post-create, work items).
 * Cheap facts only: the process id, for creates the parameters, and the
 * volume index (with the instance context) when it can matter.
 */
_Use_decl_annotations_
VOID
JmfOperationInitialize(
    PJMF_OPERATION Op,
    PFLT_CALLBACK_DATA Data,
    PCFLT_RELATED_OBJECTS FltObjects,
    PJMF_POLICY_REF Policy,
    JMF_U32 Phase,
    JMF_U32 Operation
    )
{
    JMF_U32 wanted;

    RtlZeroMemory(Op, sizeof(*Op));
    Op->Data = Data;
    Op->FltObjects = FltObjects;
    Op->Policy = Policy;
    Op->Facts.Phase = Phase;
    Op->Facts.Operation = Operation;
    Op->Facts.Volume = JMF_VOLUME_ANY;
    Op->Facts.ProcessId = (JMF_U32)FltGetRequestorProcessId(Data);

    /*
     * The volume index costs an instance-context lookup: only when the policy
     * names volumes and some rule could match this operation on some volume
     * (a pre-create also looks at post-create, read/write and delete rules).
     */
    wanted = (Phase == JMF_PHASE_POST_CREATE) ? JMF_INTEREST_POST_CREATE : Operation;
    if (Phase == JMF_PHASE_PRE && Operation == JMF_OP_CREATE) {
        wanted |= JMF_INTEREST_POST_CREATE | JMF_OP_READ | JMF_OP_WRITE | JMF_OP_DELETE;
    }
    if ((Policy->InterestMask & wanted) != 0 && JmfPolicyVolumeCount(Policy->Policy) != 0) {
        (VOID)JmfOperationInstanceContext(Op);
        Op->Facts.Volume = JmfInstanceVolumeIndex(Op->InstanceContext, Policy);
    }

    if (Operation == JMF_OP_CREATE && Data->Iopb->MajorFunction == IRP_MJ_CREATE) {
        ULONG options = Data->Iopb->Parameters.Create.Options;
        Op->Facts.DesiredAccess = (JMF_U32)Data->Iopb->Parameters.Create.SecurityContext->DesiredAccess;
        Op->Facts.CreateOptions = (JMF_U32)(options & JMF_CREATE_OPTIONS_VALID);
        Op->Facts.CreateDisposition = (JMF_U32)((options >> 24) & 0xFF);
    }
}

/*
 * JmfOperationInstanceContext
 *
 * IRQL: <= APC_LEVEL. The instance context (volume name), fetched once.
 */
_Use_decl_annotations_
PJMF_INSTANCE_CONTEXT
JmfOperationInstanceContext(
    PJMF_OPERATION Op
    )
{
    if (Op->InstanceContext == NULL && Op->FltObjects->Instance != NULL &&
        !NT_SUCCESS(FltGetInstanceContext(Op->FltObjects->Instance, (PFLT_CONTEXT *)&Op->InstanceContext))) {
        Op->InstanceContext = NULL;
    }
    return Op->InstanceContext;
}

/*
 * JmfOperationInterested
 *
 * IRQL: <= DISPATCH_LEVEL. Can any rule of this phase match this operation
 * on this volume? *Needs says which strings to fetch.
 */
_Use_decl_annotations_
BOOLEAN
JmfOperationInterested(
    PJMF_OPERATION Op,
    JMF_U32 *Needs
    )
{
    *Needs = 0;
    return (BOOLEAN)(JmfPolicyInterested(Op->Policy->Policy, Op->Facts.Phase, Op->Facts.Operation,
                                         Op->Facts.Volume, Needs) != 0);
}

/*
 * JmfOperationUsePath
 *
 * IRQL: <= DISPATCH_LEVEL. Uses a path the caller already has (a handle
 * context's cache, or the one fetched in pre-create). Path must outlive Op.
 */
_Use_decl_annotations_
VOID
JmfOperationUsePath(
    PJMF_OPERATION Op,
    const JMF_U16 *Path,
    JMF_U32 Chars
    )
{
    Op->Facts.Path = (Path != NULL) ? Path : NULL;
    Op->Facts.PathChars = (Path != NULL) ? Chars : 0;
}

/*
 * JmfOperationFetch
 *
 * IRQL: <= APC_LEVEL. Fetches the strings Needs asks for and the caller has
 * not supplied. The path is the normalized name without the volume part
 * (FLT_FILE_NAME_QUERY_DEFAULT: from the cache when it can, safe in
 * pre-create, post-create and non-paging I/O). A name that cannot be had
 * stays empty and matches only rules without a path pattern. A path the
 * caller fixed (PathFixed: a rename's destination) is never replaced by
 * the file's own name. The image is fetched only at PASSIVE_LEVEL, as
 * SeLocateProcessImageName requires.
 */
_Use_decl_annotations_
VOID
JmfOperationFetch(
    PJMF_OPERATION Op,
    JMF_U32 Needs
    )
{
    NTSTATUS status;

    if ((Needs & JMF_NEED_PATH) != 0 && Op->Facts.Path == NULL && Op->NameInfo == NULL && !Op->PathFixed) {
        status = FltGetFileNameInformation(Op->Data, FLT_FILE_NAME_NORMALIZED | FLT_FILE_NAME_QUERY_DEFAULT,
                                           &Op->NameInfo);
        if (NT_SUCCESS(status)) {
            status = FltParseFileNameInformation(Op->NameInfo);
        }
        if (NT_SUCCESS(status) && Op->NameInfo->Name.Length >= Op->NameInfo->Volume.Length) {
            Op->Facts.Path = (const JMF_U16 *)(Op->NameInfo->Name.Buffer + Op->NameInfo->Volume.Length / sizeof(WCHAR));
            Op->Facts.PathChars = (JMF_U32)((Op->NameInfo->Name.Length - Op->NameInfo->Volume.Length) / sizeof(WCHAR));
        } else if (Op->NameInfo != NULL) {
            FltReleaseFileNameInformation(Op->NameInfo);
            Op->NameInfo = NULL;
        }
    }

    if ((Needs & JMF_NEED_IMAGE) != 0 && Op->Image == NULL && KeGetCurrentIrql() == PASSIVE_LEVEL) {
        PEPROCESS process = FltGetRequestorProcess(Op->Data);
        if (process != NULL && NT_SUCCESS(SeLocateProcessImageName(process, &Op->Image)) && Op->Image != NULL) {
            Op->Facts.Image = (const JMF_U16 *)Op->Image->Buffer;
            Op->Facts.ImageChars = (JMF_U32)(Op->Image->Length / sizeof(WCHAR));
        } else {
            Op->Image = NULL;
        }
    }
}

/*
 * JmfOperationCleanup
 *
 * IRQL: <= APC_LEVEL. Releases what JmfOperationInitialize and
 * JmfOperationFetch took (not the policy: the caller owns that reference).
 */
_Use_decl_annotations_
VOID
JmfOperationCleanup(
    PJMF_OPERATION Op
    )
{
    if (Op->NameInfo != NULL) {
        FltReleaseFileNameInformation(Op->NameInfo);
        Op->NameInfo = NULL;
    }
    if (Op->Image != NULL) {
        ExFreePool(Op->Image);          /* SeLocateProcessImageName: the caller frees with ExFreePool */
        Op->Image = NULL;
    }
    if (Op->InstanceContext != NULL) {
        FltReleaseContext(Op->InstanceContext);
        Op->InstanceContext = NULL;
    }
    Op->Facts.Path = NULL;
    Op->Facts.PathChars = 0;
    Op->Facts.Image = NULL;
    Op->Facts.ImageChars = 0;
}

/*
 * JmfCopyPath
 *
 * IRQL: <= DISPATCH_LEVEL. A non-paged copy of a path (JMF_TAG_PATH), for
 * handle contexts and completion contexts that outlive the name information.
 */
_Use_decl_annotations_
JMF_U16 *
JmfCopyPath(
    const JMF_U16 *Path,
    JMF_U32 Chars
    )
{
    JMF_U16 *copy;

    if (Path == NULL || Chars == 0 || Chars > 0x7FFF) {
        return NULL;
    }
    copy = (JMF_U16 *)JmfAllocateNonPaged((SIZE_T)Chars * sizeof(JMF_U16), JMF_TAG_PATH);
    if (copy != NULL) {
        RtlCopyMemory(copy, Path, (SIZE_T)Chars * sizeof(JMF_U16));
    }
    return copy;
}
