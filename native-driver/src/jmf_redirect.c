/*++

Module Name:

    jmf_redirect.c

Abstract:

    REDIRECT: reads and writes of a handle are sent to another volume by
    setting Iopb->TargetInstance to THIS filter's instance on that volume and
    Iopb->TargetFileObject to a file the driver opened there, then
    FltSetCallbackDataDirty (the documented way: the filters below this one
    and the target volume's file system see the new target; this filter's
    own post-operation callback and the filters above see the original).

    Lifetime of a redirect, per stream handle (JMF_HANDLE_CONTEXT):

      pre-create   a REDIRECT verdict names the target volume; the target
                   instance is found in the instance list and validated as
                   documented (same filter, same altitude, another volume,
                   a target device stack at least as deep);
      post-create  the same volume-relative path is opened on the target
                   instance with FltCreateFileEx2 (same access, disposition,
                   options, attributes, sharing; the caller's access checked)
                   and kept in the stream-handle context, which is linked
                   into the target instance context's RedirectList;
      read/write   the target is used under rundown protection
      + size/flush (JmfRedirectBegin .. JmfRedirectEnd), so it is never
                   closed under an operation in flight; fast I/O on the
                   handle is refused so every operation comes as an IRP;
      cleanup      IRP_MJ_CLEANUP of the handle closes the target (FltClose
                   + ObDereferenceObject); so does the teardown of the target
                   instance or of the handle's own instance.

    A target that is missing, invalid, or cannot be opened gives the rule's
    fallback (deny with its Status, or pass through), counted and reported.

    A handle that was redirected stays redirected: once its target is closed
    (the target volume's instance torn down) its reads, writes, size/time
    queries and sets and flushes fail with the rule's fallback deny status,
    or STATUS_VOLUME_DISMOUNTED (RedirectTargetLost), never reaching the
    stale source. What can never follow the redirect is refused on a
    redirected handle (RedirectRefused): section creation (a mapping would
    show the source's data), byte-range locks, oplocks, FSCTLs that change
    or share the source's data, and the IRP_MN_COMPLETE of an MDL read
    whose target is gone. Data never ends up split across two volumes.

--*/

#include "jmf_driver.h"

#ifdef ALLOC_PRAGMA
#pragma alloc_text(PAGE, JmfRedirectFindTarget)
#pragma alloc_text(PAGE, JmfRedirectOpenTarget)
#pragma alloc_text(PAGE, JmfRedirectCloseForInstance)
#endif

/* The information classes whose answer must come from the file the data lives in. */
static BOOLEAN
JmfIsRedirectedQueryClass(
    _In_ FILE_INFORMATION_CLASS Class
    )
{
    switch (Class) {
    case FileBasicInformation:
    case FileStandardInformation:
    case FileNetworkOpenInformation:
    case FileAllInformation:
        return TRUE;
    default:
        return FALSE;
    }
}

/*
 * JmfHandleContextCreate
 *
 * IRQL: <= APC_LEVEL. A new, unattached stream-handle context (non-paged).
 */
_Use_decl_annotations_
NTSTATUS
JmfHandleContextCreate(
    PCFLT_RELATED_OBJECTS FltObjects,
    PJMF_HANDLE_CONTEXT *HandleContext
    )
{
    PJMF_HANDLE_CONTEXT context = NULL;
    NTSTATUS status;

    *HandleContext = NULL;
    status = FltAllocateContext(FltObjects->Filter, FLT_STREAMHANDLE_CONTEXT, sizeof(JMF_HANDLE_CONTEXT),
                                NonPagedPoolNx, (PFLT_CONTEXT *)&context);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    RtlZeroMemory(context, sizeof(*context));
    context->TargetState = JMF_TARGET_NONE;
    ExInitializeRundownProtection(&context->TargetRundown);
    InitializeListHead(&context->TargetLink);
    *HandleContext = context;
    return STATUS_SUCCESS;
}

/*
 * JmfHandleContextAttach
 *
 * IRQL: <= APC_LEVEL. Attaches the context to the handle (post-create, once:
 * an existing context is kept and this one is refused).
 */
_Use_decl_annotations_
NTSTATUS
JmfHandleContextAttach(
    PCFLT_RELATED_OBJECTS FltObjects,
    PJMF_HANDLE_CONTEXT HandleContext
    )
{
    return FltSetStreamHandleContext(FltObjects->Instance, FltObjects->FileObject, FLT_SET_CONTEXT_KEEP_IF_EXISTS,
                                     HandleContext, NULL);
}

/*
 * JmfHandleContextGet
 *
 * IRQL: <= APC_LEVEL. The handle's context (referenced) or NULL.
 */
_Use_decl_annotations_
PJMF_HANDLE_CONTEXT
JmfHandleContextGet(
    PCFLT_RELATED_OBJECTS FltObjects
    )
{
    PJMF_HANDLE_CONTEXT context = NULL;

    if (FltObjects->Instance == NULL || FltObjects->FileObject == NULL ||
        !NT_SUCCESS(FltGetStreamHandleContext(FltObjects->Instance, FltObjects->FileObject,
                                              (PFLT_CONTEXT *)&context))) {
        return NULL;
    }
    return context;
}

/*
 * JmfRedirectCloseTarget
 *
 * IRQL: PASSIVE_LEVEL (FltClose), except that it does nothing when the
 * target is not open. Closes the target once: waits until no redirected
 * operation is in flight (rundown), unlinks it from the target instance,
 * closes the handle and drops the file object and instance references.
 */
_Use_decl_annotations_
VOID
JmfRedirectCloseTarget(
    PJMF_HANDLE_CONTEXT HandleContext
    )
{
    BOOLEAN wasLinked = FALSE;

    if (InterlockedCompareExchange(&HandleContext->TargetState, JMF_TARGET_CLOSING, JMF_TARGET_OPEN) !=
        JMF_TARGET_OPEN) {
        return;
    }
    ExWaitForRundownProtectionRelease(&HandleContext->TargetRundown);

    FltAcquirePushLockExclusive(&JmfGlobals.InstanceLock);
    if (HandleContext->Linked) {
        RemoveEntryList(&HandleContext->TargetLink);
        InitializeListHead(&HandleContext->TargetLink);
        HandleContext->Linked = FALSE;
        wasLinked = TRUE;
    }
    FltReleasePushLock(&JmfGlobals.InstanceLock);

    FltClose(HandleContext->TargetHandle);
    ObDereferenceObject(HandleContext->TargetFileObject);
    FltObjectDereference(HandleContext->TargetInstance);       /* taken in pre-create: the instance may now go */
    FltReleaseContext(HandleContext->TargetInstanceContext);
    HandleContext->TargetHandle = NULL;
    HandleContext->TargetFileObject = NULL;
    HandleContext->TargetInstance = NULL;
    HandleContext->TargetInstanceContext = NULL;

    if (wasLinked) {
        FltReleaseContext(HandleContext);       /* the list's reference */
    }
}

/*
 * JmfRedirectUnlinkFor
 *
 * IRQL: <= APC_LEVEL; the caller holds JmfGlobals.InstanceLock exclusive.
 * Unlinks one open target that lives on InstanceContext's volume or was
 * opened for a handle of InstanceContext's instance, and returns its handle
 * context with the list's reference (the caller releases it), or NULL.
 */
static PJMF_HANDLE_CONTEXT
JmfRedirectUnlinkFor(
    _In_ PJMF_INSTANCE_CONTEXT InstanceContext
    )
{
    PJMF_HANDLE_CONTEXT found = NULL;
    PLIST_ENTRY instanceEntry;
    PLIST_ENTRY entry;

    if (!IsListEmpty(&InstanceContext->RedirectList)) {
        found = CONTAINING_RECORD(InstanceContext->RedirectList.Flink, JMF_HANDLE_CONTEXT, TargetLink);
    }
    for (instanceEntry = JmfGlobals.InstanceList.Flink;
         found == NULL && instanceEntry != &JmfGlobals.InstanceList;
         instanceEntry = instanceEntry->Flink) {
        PJMF_INSTANCE_CONTEXT target = CONTAINING_RECORD(instanceEntry, JMF_INSTANCE_CONTEXT, Link);
        for (entry = target->RedirectList.Flink; entry != &target->RedirectList; entry = entry->Flink) {
            PJMF_HANDLE_CONTEXT candidate = CONTAINING_RECORD(entry, JMF_HANDLE_CONTEXT, TargetLink);
            if (candidate->SourceInstance == InstanceContext->Instance) {
                found = candidate;
                break;
            }
        }
    }
    if (found != NULL) {
        RemoveEntryList(&found->TargetLink);
        InitializeListHead(&found->TargetLink);
        found->Linked = FALSE;
    }
    return found;
}

/*
 * JmfRedirectCloseForInstance
 *
 * IRQL: PASSIVE_LEVEL (instance teardown start; the instance has already
 * left the instance list). Closes every target that lives on this instance's
 * volume and every target opened for a handle of this instance, one at a
 * time (closing waits and calls FltClose, so not under the lock). Each
 * list's reference is taken over and released once its target is closed.
 */
_Use_decl_annotations_
VOID
JmfRedirectCloseForInstance(
    PJMF_INSTANCE_CONTEXT InstanceContext
    )
{
    PJMF_HANDLE_CONTEXT handleContext;

    PAGED_CODE();

    for (;;) {
        FltAcquirePushLockExclusive(&JmfGlobals.InstanceLock);
        handleContext = JmfRedirectUnlinkFor(InstanceContext);
        FltReleasePushLock(&JmfGlobals.InstanceLock);
        if (handleContext == NULL) {
            break;
        }
        JmfRedirectCloseTarget(handleContext);
        FltReleaseContext(handleContext);
    }
}

/*
 * JmfHandleContextCleanup
 *
 * IRQL: <= APC_LEVEL. The handle context is being freed. Its target is
 * normally closed already (IRP_MJ_CLEANUP, or the target's teardown: an
 * open target is linked and the link holds a reference, so this cannot run
 * before it is closed). Frees the cached path.
 */
_Use_decl_annotations_
VOID FLTAPI
JmfHandleContextCleanup(
    PFLT_CONTEXT Context,
    FLT_CONTEXT_TYPE ContextType
    )
{
    PJMF_HANDLE_CONTEXT handleContext = (PJMF_HANDLE_CONTEXT)Context;

    UNREFERENCED_PARAMETER(ContextType);

    if (handleContext->TargetState == JMF_TARGET_OPEN && KeGetCurrentIrql() == PASSIVE_LEVEL) {
        JmfRedirectCloseTarget(handleContext);
    }
    if (handleContext->Redirected) {
        InterlockedDecrement(&JmfGlobals.RedirectedHandles);
    }
    JmfFree(handleContext->Path, JMF_TAG_PATH);
    handleContext->Path = NULL;
}

/*
 * JmfRedirectValidate
 *
 * IRQL: PASSIVE_LEVEL. The documented conditions for changing TargetInstance:
 * an instance of the same filter, at the same altitude, on another volume,
 * whose volume device object has a StackSize at least the source's.
 */
static BOOLEAN
JmfRedirectValidate(
    _In_ PCFLT_RELATED_OBJECTS FltObjects,
    _In_ PJMF_INSTANCE_CONTEXT Target
    )
{
    PFLT_FILTER filter = NULL;
    PFLT_VOLUME sourceVolume = NULL;
    PFLT_VOLUME targetVolume = NULL;
    PDEVICE_OBJECT sourceDevice = NULL;
    PDEVICE_OBJECT targetDevice = NULL;
    BOOLEAN valid = FALSE;

    PAGED_CODE();

    if (!NT_SUCCESS(FltGetFilterFromInstance(Target->Instance, &filter))) {
        goto Cleanup;
    }
    if (filter != JmfGlobals.Filter) {
        goto Cleanup;
    }
    if (FltCompareInstanceAltitudes(FltObjects->Instance, Target->Instance) != 0) {
        goto Cleanup;
    }
    if (!NT_SUCCESS(FltGetVolumeFromInstance(FltObjects->Instance, &sourceVolume)) ||
        !NT_SUCCESS(FltGetVolumeFromInstance(Target->Instance, &targetVolume))) {
        goto Cleanup;
    }
    if (sourceVolume == targetVolume) {
        goto Cleanup;
    }
    if (!NT_SUCCESS(FltGetDeviceObject(sourceVolume, &sourceDevice)) ||
        !NT_SUCCESS(FltGetDeviceObject(targetVolume, &targetDevice))) {
        goto Cleanup;
    }
    valid = (BOOLEAN)(targetDevice->StackSize >= sourceDevice->StackSize);

Cleanup:
    if (targetDevice != NULL) {
        ObDereferenceObject(targetDevice);
    }
    if (sourceDevice != NULL) {
        ObDereferenceObject(sourceDevice);
    }
    if (targetVolume != NULL) {
        FltObjectDereference(targetVolume);
    }
    if (sourceVolume != NULL) {
        FltObjectDereference(sourceVolume);
    }
    if (filter != NULL) {
        FltObjectDereference(filter);
    }
    return valid;
}

/*
 * JmfRedirectFindTarget
 *
 * IRQL: PASSIVE_LEVEL (pre-create). This filter's validated instance
 * context on the policy volume TargetVolume (referenced: release with
 * FltReleaseContext), or NULL when there is none or it breaks a rule.
 * *TargetInstance receives its instance with a rundown reference (release
 * with FltObjectDereference), which keeps the instance from being freed
 * until the target file is open and closed again, even if it is detached
 * meanwhile; NULL when NULL is returned.
 */
_Use_decl_annotations_
PJMF_INSTANCE_CONTEXT
JmfRedirectFindTarget(
    PJMF_OPERATION Op,
    JMF_U16 TargetVolume,
    PFLT_INSTANCE *TargetInstance
    )
{
    PJMF_INSTANCE_CONTEXT target;
    const JMF_U16 *name;
    JMF_U32 chars = 0;

    PAGED_CODE();

    *TargetInstance = NULL;
    if ((JMF_U32)TargetVolume >= JmfPolicyVolumeCount(Op->Policy->Policy)) {
        return NULL;
    }
    name = JmfPolicyVolumeName(Op->Policy->Policy, TargetVolume, &chars);
    if (name == NULL || chars == 0) {
        return NULL;
    }
    target = JmfInstanceFindByName(name, chars);     /* context and instance referenced, or NULL */
    if (target == NULL) {
        return NULL;
    }
    if (!JmfRedirectValidate(Op->FltObjects, target)) {
        FltObjectDereference(target->Instance);
        FltReleaseContext(target);
        return NULL;
    }
    *TargetInstance = target->Instance;
    return target;
}

/*
 * JmfRedirectOpenTarget
 *
 * IRQL: PASSIVE_LEVEL (post-create, in the thread that issued the create).
 * Opens "<target volume><same volume-relative path>" on the target instance
 * with what was sent down for the source (access, disposition, options) and
 * the caller's attributes and sharing. FltCreateFileEx2 on OUR instance
 * sends the create to the filters below us only, so it never re-enters this
 * driver. The access is checked against the caller's token
 * (IO_FORCE_ACCESS_CHECK) whenever the source open was checked: a user-mode
 * caller, or a kernel-mode open with SL_FORCE_ACCESS_CHECK (the SMB server
 * opening on behalf of a remote user). Redirecting must not grant what the
 * target would refuse. The target instance is held by the completion's
 * rundown reference (Completion->TargetInstance), so it cannot be freed
 * under FltCreateFileEx2 even if it is being detached. On success the
 * target is linked into the target instance (which then may close it at
 * teardown) and HandleContext owns it and that rundown reference.
 */
_Use_decl_annotations_
NTSTATUS
JmfRedirectOpenTarget(
    PFLT_CALLBACK_DATA Data,
    PCFLT_RELATED_OBJECTS FltObjects,
    PJMF_COMPLETION Completion,
    PJMF_HANDLE_CONTEXT HandleContext
    )
{
    PJMF_INSTANCE_CONTEXT target = Completion->TargetInstanceContext;
    PJMF_INSTANCE_CONTEXT source = NULL;
    OBJECT_ATTRIBUTES attributes;
    IO_STATUS_BLOCK ioStatus;
    UNICODE_STRING name;
    PWCHAR buffer = NULL;
    HANDLE handle = NULL;
    PFILE_OBJECT fileObject = NULL;
    ULONG bytes;
    ULONG flags;
    NTSTATUS status;

    PAGED_CODE();

    if (target == NULL || Completion->TargetInstance == NULL) {
        status = STATUS_FLT_DELETING_OBJECT;
        goto Cleanup;
    }
    if (Completion->Path == NULL || Completion->PathChars == 0 || Completion->PathTruncated) {
        status = STATUS_OBJECT_NAME_INVALID;
        goto Cleanup;
    }
    if ((Completion->CreateOptions & FILE_OPEN_BY_FILE_ID) != 0) {
        status = STATUS_NOT_SUPPORTED;          /* a file id means nothing on another volume */
        goto Cleanup;
    }
    bytes = (ULONG)(((SIZE_T)target->VolumeNameChars + Completion->PathChars) * sizeof(WCHAR));
    if (target->VolumeNameChars == 0 || bytes > MAXUSHORT - sizeof(WCHAR)) {
        status = STATUS_NAME_TOO_LONG;
        goto Cleanup;
    }
    buffer = (PWCHAR)JmfAllocatePaged(bytes, JMF_TAG_PATH);
    if (buffer == NULL) {
        status = STATUS_INSUFFICIENT_RESOURCES;
        goto Cleanup;
    }
    RtlCopyMemory(buffer, target->VolumeName, target->VolumeNameChars * sizeof(WCHAR));
    RtlCopyMemory(buffer + target->VolumeNameChars, Completion->Path, Completion->PathChars * sizeof(WCHAR));
    name.Buffer = buffer;
    name.Length = (USHORT)bytes;
    name.MaximumLength = (USHORT)bytes;
    InitializeObjectAttributes(&attributes, &name, OBJ_KERNEL_HANDLE | OBJ_CASE_INSENSITIVE, NULL, NULL);

    /* Post-create sees the original parameters: these flags are the caller's (a REDIRECT verdict changes none). */
    flags = (Data->RequestorMode == UserMode || FlagOn(Data->Iopb->OperationFlags, SL_FORCE_ACCESS_CHECK))
        ? IO_FORCE_ACCESS_CHECK : 0;
    status = FltCreateFileEx2(FltObjects->Filter, Completion->TargetInstance, &handle, &fileObject,
                              Completion->DesiredAccess, &attributes, &ioStatus, NULL,
                              Data->Iopb->Parameters.Create.FileAttributes,
                              Data->Iopb->Parameters.Create.ShareAccess,
                              (Completion->CreateOptions >> 24) & 0xFF,
                              Completion->CreateOptions & JMF_CREATE_OPTIONS_VALID,
                              NULL, 0, flags, NULL);
    if (!NT_SUCCESS(status)) {
        handle = NULL;
        fileObject = NULL;
        goto Cleanup;
    }

    if (!NT_SUCCESS(FltGetInstanceContext(FltObjects->Instance, (PFLT_CONTEXT *)&source))) {
        source = NULL;
        status = STATUS_FLT_DELETING_OBJECT;
        goto Cleanup;
    }
    FltAcquirePushLockExclusive(&JmfGlobals.InstanceLock);
    if (target->TearingDown || source->TearingDown || HandleContext->TargetState != JMF_TARGET_NONE) {
        FltReleasePushLock(&JmfGlobals.InstanceLock);
        status = STATUS_FLT_DELETING_OBJECT;
        goto Cleanup;
    }
    FltReferenceContext(target);                /* held while the target is open */
    FltReferenceContext(HandleContext);         /* the list's reference */
    HandleContext->TargetInstanceContext = target;
    HandleContext->TargetInstance = Completion->TargetInstance;    /* its rundown reference moves here */
    Completion->TargetInstance = NULL;
    HandleContext->SourceInstance = FltObjects->Instance;
    HandleContext->TargetHandle = handle;
    HandleContext->TargetFileObject = fileObject;
    InsertTailList(&target->RedirectList, &HandleContext->TargetLink);
    HandleContext->Linked = TRUE;
    HandleContext->Redirected = TRUE;           /* for good: counted until the context is freed */
    InterlockedIncrement(&JmfGlobals.RedirectedHandles);
    InterlockedExchange(&HandleContext->TargetState, JMF_TARGET_OPEN);
    FltReleasePushLock(&JmfGlobals.InstanceLock);
    handle = NULL;
    fileObject = NULL;
    status = STATUS_SUCCESS;

Cleanup:
    if (source != NULL) {
        FltReleaseContext(source);
    }
    if (handle != NULL) {
        FltClose(handle);
    }
    if (fileObject != NULL) {
        ObDereferenceObject(fileObject);
    }
    JmfFree(buffer, JMF_TAG_PATH);
    return status;
}

/*
 * JmfRedirectBegin
 *
 * IRQL: <= DISPATCH_LEVEL. TRUE when the handle's target is open and now
 * protected from closing until JmfRedirectEnd.
 */
_Use_decl_annotations_
BOOLEAN
JmfRedirectBegin(
    PJMF_HANDLE_CONTEXT HandleContext
    )
{
    if (HandleContext->TargetState != JMF_TARGET_OPEN) {
        return FALSE;
    }
    return ExAcquireRundownProtection(&HandleContext->TargetRundown);
}

/*
 * JmfRedirectApply
 *
 * IRQL: <= DISPATCH_LEVEL (pre-operation, or a pended operation's work
 * item). Points the operation at the target and marks the callback data
 * dirty, without which the filter manager ignores the change.
 */
_Use_decl_annotations_
VOID
JmfRedirectApply(
    PFLT_CALLBACK_DATA Data,
    PJMF_HANDLE_CONTEXT HandleContext
    )
{
    Data->Iopb->TargetInstance = HandleContext->TargetInstance;
    Data->Iopb->TargetFileObject = HandleContext->TargetFileObject;
    FltSetCallbackDataDirty(Data);
}

/*
 * JmfRedirectEnd
 *
 * IRQL: <= DISPATCH_LEVEL (post-operation). Ends the protection taken by
 * JmfRedirectBegin. For a successful read or write on a synchronous file
 * object, the file system moved the TARGET's current byte offset (it sees
 * only that file object), so the caller's file object gets the same value,
 * as its file system would have set it.
 */
_Use_decl_annotations_
VOID
JmfRedirectEnd(
    PFLT_CALLBACK_DATA Data,
    PJMF_HANDLE_CONTEXT HandleContext,
    BOOLEAN Succeeded
    )
{
    PFILE_OBJECT source = Data->Iopb->TargetFileObject;     /* the original: post sees the original parameters */

    if (Succeeded &&
        (Data->Iopb->MajorFunction == IRP_MJ_READ || Data->Iopb->MajorFunction == IRP_MJ_WRITE) &&
        source != NULL && FlagOn(source->Flags, FO_SYNCHRONOUS_IO) &&
        HandleContext->TargetFileObject != NULL) {
        source->CurrentByteOffset = HandleContext->TargetFileObject->CurrentByteOffset;
    }
    ExReleaseRundownProtection(&HandleContext->TargetRundown);
}

/*
 * JmfRedirectReport
 *
 * IRQL: <= APC_LEVEL (pre-operation: the instance context is fetched).
 * Counts and reports an operation the driver failed with Status on a
 * redirected handle: an event naming the redirect rule, with EventFlag.
 */
static VOID
JmfRedirectReport(
    _In_ PFLT_CALLBACK_DATA Data,
    _In_ PCFLT_RELATED_OBJECTS FltObjects,
    _In_ PJMF_HANDLE_CONTEXT HandleContext,
    _In_ JMF_U32 Operation,
    _In_ NTSTATUS Status,
    _In_ JMF_STAT Stat,
    _In_ JMF_U32 EventFlag
    )
{
    PJMF_INSTANCE_CONTEXT instanceContext = NULL;
    JMF_DECISION decision;

    JmfStatsAdd(Stat);
    RtlZeroMemory(&decision, sizeof(decision));
    decision.RuleIndex = JMF_INDEX_NONE;
    decision.RuleId = HandleContext->RedirectRuleId;
    decision.EventFlags = EventFlag;
    decision.Verdict.Type = JMF_ACTION_DENY;
    decision.Verdict.Status = Status;
    decision.Verdict.Disposition = JMF_DISPOSITION_UNCHANGED;
    if (!NT_SUCCESS(FltGetInstanceContext(FltObjects->Instance, (PFLT_CONTEXT *)&instanceContext))) {
        instanceContext = NULL;
    }
    JmfReportDecision(&decision, Operation, Status, FltGetRequestorProcessId(Data), instanceContext,
                      HandleContext->Path, HandleContext->PathChars, FALSE);
    if (instanceContext != NULL) {
        FltReleaseContext(instanceContext);
    }
}

/*
 * JmfRedirectTargetLost
 *
 * IRQL: <= APC_LEVEL (pre-operation). A redirected handle whose target is
 * closed (its volume's instance was torn down, or the handle was cleaned
 * up): its data is on the target, so the operation fails rather than reach
 * the source. The status is the rule's fallback deny status when it has
 * one, else STATUS_VOLUME_DISMOUNTED (what I/O on a handle of a dismounted
 * volume gets). Counted (RedirectTargetLost) and reported. Returns
 * FLT_PREOP_COMPLETE.
 */
_Use_decl_annotations_
FLT_PREOP_CALLBACK_STATUS
JmfRedirectTargetLost(
    PFLT_CALLBACK_DATA Data,
    PCFLT_RELATED_OBJECTS FltObjects,
    PJMF_HANDLE_CONTEXT HandleContext,
    JMF_U32 Operation
    )
{
    NTSTATUS status = STATUS_VOLUME_DISMOUNTED;

    if ((HandleContext->FallbackFlags & JMF_ACTION_FLAG_FALLBACK_DENY) != 0 && NT_ERROR(HandleContext->FallbackStatus)) {
        status = HandleContext->FallbackStatus;
    }
    JmfRedirectReport(Data, FltObjects, HandleContext, Operation, status, JmfStatRedirectTargetLost,
                      JMF_EVENT_FLAG_REDIRECT_TARGET_LOST);
    Data->IoStatus.Status = status;
    Data->IoStatus.Information = 0;
    return FLT_PREOP_COMPLETE;
}

/*
 * JmfRedirectRefuse
 *
 * IRQL: <= APC_LEVEL (pre-operation). An operation that can never follow
 * the redirect, on a redirected handle: failed with Status instead of
 * acting on the source. Counted (RedirectRefused) and reported. Returns
 * FLT_PREOP_COMPLETE.
 */
_Use_decl_annotations_
FLT_PREOP_CALLBACK_STATUS
JmfRedirectRefuse(
    PFLT_CALLBACK_DATA Data,
    PCFLT_RELATED_OBJECTS FltObjects,
    PJMF_HANDLE_CONTEXT HandleContext,
    JMF_U32 Operation,
    NTSTATUS Status
    )
{
    JmfRedirectReport(Data, FltObjects, HandleContext, Operation, Status, JmfStatRedirectRefused,
                      JMF_EVENT_FLAG_REDIRECT_REFUSED);
    Data->IoStatus.Status = Status;
    Data->IoStatus.Information = 0;
    return FLT_PREOP_COMPLETE;
}

/*
 * JmfRedirectPrepare
 *
 * IRQL: <= APC_LEVEL (pre-operation). When the handle is redirected, points
 * this IRP at its target and returns FLT_PREOP_SUCCESS_WITH_CALLBACK with a
 * completion context that JmfPostComplete ends; fast I/O on a redirected
 * handle is refused so it comes again as an IRP; when its target is closed
 * the IRP fails (JmfRedirectTargetLost). Costs one interlocked read when no
 * handle is redirected.
 */
_Use_decl_annotations_
FLT_PREOP_CALLBACK_STATUS
JmfRedirectPrepare(
    PFLT_CALLBACK_DATA Data,
    PCFLT_RELATED_OBJECTS FltObjects,
    PVOID *CompletionContext
    )
{
    PJMF_HANDLE_CONTEXT handleContext;
    PJMF_COMPLETION completion;
    FLT_PREOP_CALLBACK_STATUS result;
    BOOLEAN redirected;

    *CompletionContext = NULL;
    if (JmfGlobals.RedirectedHandles == 0) {
        return FLT_PREOP_SUCCESS_NO_CALLBACK;
    }
    handleContext = JmfHandleContextGet(FltObjects);
    if (handleContext == NULL) {
        return FLT_PREOP_SUCCESS_NO_CALLBACK;
    }
    redirected = handleContext->Redirected;
    if (!redirected || !FLT_IS_IRP_OPERATION(Data)) {
        FltReleaseContext(handleContext);
        return (redirected && FLT_IS_FASTIO_OPERATION(Data)) ? FLT_PREOP_DISALLOW_FASTIO
                                                              : FLT_PREOP_SUCCESS_NO_CALLBACK;
    }

    completion = JmfCompletionAllocate(NULL, 0, 0);
    if (completion == NULL) {
        /* The data lives on the target: never let this reach the source instead. */
        FltReleaseContext(handleContext);
        Data->IoStatus.Status = STATUS_INSUFFICIENT_RESOURCES;
        Data->IoStatus.Information = 0;
        return FLT_PREOP_COMPLETE;
    }
    if (!JmfRedirectBegin(handleContext)) {
        /* Its target is closed: the data is there, not on the source. */
        JmfCompletionFree(completion);
        result = JmfRedirectTargetLost(Data, FltObjects, handleContext,
                                       Data->Iopb->MajorFunction == IRP_MJ_QUERY_INFORMATION ? JMF_OP_READ : JMF_OP_WRITE);
        FltReleaseContext(handleContext);
        return result;
    }
    JmfRedirectApply(Data, handleContext);
    completion->HandleContext = handleContext;  /* reference and rundown released in post */
    *CompletionContext = completion;
    return FLT_PREOP_SUCCESS_WITH_CALLBACK;
}

/*
 * JmfPreRedirectable
 *
 * IRQL: <= APC_LEVEL. IRP_MJ_QUERY_INFORMATION (size, times, attributes)
 * and IRP_MJ_FLUSH_BUFFERS follow a redirected handle's data to the target.
 */
_Use_decl_annotations_
FLT_PREOP_CALLBACK_STATUS FLTAPI
JmfPreRedirectable(
    PFLT_CALLBACK_DATA Data,
    PCFLT_RELATED_OBJECTS FltObjects,
    PVOID *CompletionContext
    )
{
    *CompletionContext = NULL;
    if (JmfGlobals.RedirectedHandles == 0) {
        return FLT_PREOP_SUCCESS_NO_CALLBACK;
    }
    if (Data->Iopb->MajorFunction == IRP_MJ_QUERY_INFORMATION && FLT_IS_IRP_OPERATION(Data) &&
        !JmfIsRedirectedQueryClass(Data->Iopb->Parameters.QueryFileInformation.FileInformationClass)) {
        return FLT_PREOP_SUCCESS_NO_CALLBACK;
    }
    return JmfRedirectPrepare(Data, FltObjects, CompletionContext);
}

/*
 * JmfPostRedirected
 *
 * IRQL: <= DISPATCH_LEVEL, any thread (also when draining): non-paged
 * memory only, no waits (JmfPostComplete).
 */
_Use_decl_annotations_
FLT_POSTOP_CALLBACK_STATUS FLTAPI
JmfPostRedirected(
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

/*
 * JmfPreCleanup
 *
 * IRQL: PASSIVE_LEVEL (IRP_MJ_CLEANUP: the last handle to the file object
 * is closing). Closes the handle's redirect target.
 */
_Use_decl_annotations_
FLT_PREOP_CALLBACK_STATUS FLTAPI
JmfPreCleanup(
    PFLT_CALLBACK_DATA Data,
    PCFLT_RELATED_OBJECTS FltObjects,
    PVOID *CompletionContext
    )
{
    PJMF_HANDLE_CONTEXT handleContext;

    UNREFERENCED_PARAMETER(Data);
    *CompletionContext = NULL;

    if (JmfGlobals.RedirectedHandles == 0) {
        return FLT_PREOP_SUCCESS_NO_CALLBACK;
    }
    handleContext = JmfHandleContextGet(FltObjects);
    if (handleContext != NULL) {
        if (KeGetCurrentIrql() == PASSIVE_LEVEL) {
            JmfRedirectCloseTarget(handleContext);
        }
        FltReleaseContext(handleContext);
    }
    return FLT_PREOP_SUCCESS_NO_CALLBACK;
}

/*
 * JmfRedirectRefusedFsctl
 *
 * IRQL: any. The status a file system control is refused with on a
 * redirected handle, or STATUS_SUCCESS when it may pass to the source.
 * Oplocks are granted per file: one on the source would not protect the
 * target's data (refused as an oplock is: STATUS_OPLOCK_NOT_GRANTED).
 * The others change or share the source's data or its allocation, which
 * would split the file across the two volumes.
 */
static NTSTATUS
JmfRedirectRefusedFsctl(
    _In_ ULONG FsControlCode,
    _Out_ JMF_U32 *Operation
    )
{
    *Operation = JMF_OP_WRITE;
    switch (FsControlCode) {
    case FSCTL_REQUEST_OPLOCK_LEVEL_1:
    case FSCTL_REQUEST_OPLOCK_LEVEL_2:
    case FSCTL_REQUEST_BATCH_OPLOCK:
    case FSCTL_REQUEST_FILTER_OPLOCK:
    case FSCTL_REQUEST_OPLOCK:
    case FSCTL_OPLOCK_BREAK_ACKNOWLEDGE:
    case FSCTL_OPBATCH_ACK_CLOSE_PENDING:
    case FSCTL_OPLOCK_BREAK_NOTIFY:
    case FSCTL_OPLOCK_BREAK_ACK_NO_2:
        *Operation = JMF_OP_READ;
        return STATUS_OPLOCK_NOT_GRANTED;
    case FSCTL_OFFLOAD_READ:            /* a token for the source's (stale) data */
    case FSCTL_QUERY_ALLOCATED_RANGES:  /* the source's allocation */
        *Operation = JMF_OP_READ;
        return STATUS_NOT_SUPPORTED;
    case FSCTL_SET_ZERO_DATA:
    case FSCTL_DUPLICATE_EXTENTS_TO_FILE:
    case FSCTL_DUPLICATE_EXTENTS_TO_FILE_EX:
    case FSCTL_FILE_LEVEL_TRIM:
    case FSCTL_OFFLOAD_WRITE:
        return STATUS_NOT_SUPPORTED;
    default:
        return STATUS_SUCCESS;
    }
}

/*
 * JmfPreRedirectGuard
 *
 * IRQL: <= APC_LEVEL (IRP_MJ_LOCK_CONTROL, IRP_MJ_FILE_SYSTEM_CONTROL, and
 * the FsFilter operation IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION). On a
 * redirected handle, refuses what can never follow the redirect (it would
 * act on the stale source): creating a section (its views would map the
 * source's data; only SyncTypeCreateSection may be failed, as documented),
 * byte-range locks (the target's data would stay unlocked), and the file
 * system controls of JmfRedirectRefusedFsctl. Fast I/O locks are refused
 * so they come again as an IRP. Everything else passes untouched; costs one
 * interlocked read when no handle is redirected.
 */
_Use_decl_annotations_
FLT_PREOP_CALLBACK_STATUS FLTAPI
JmfPreRedirectGuard(
    PFLT_CALLBACK_DATA Data,
    PCFLT_RELATED_OBJECTS FltObjects,
    PVOID *CompletionContext
    )
{
    FLT_PREOP_CALLBACK_STATUS result = FLT_PREOP_SUCCESS_NO_CALLBACK;
    PJMF_HANDLE_CONTEXT handleContext;
    NTSTATUS status = STATUS_SUCCESS;
    JMF_U32 operation = JMF_OP_READ;

    *CompletionContext = NULL;
    if (JmfGlobals.RedirectedHandles == 0) {
        return FLT_PREOP_SUCCESS_NO_CALLBACK;
    }
    switch (Data->Iopb->MajorFunction) {
    case IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION:
        if (Data->Iopb->Parameters.AcquireForSectionSynchronization.SyncType != SyncTypeCreateSection) {
            return FLT_PREOP_SUCCESS_NO_CALLBACK;   /* SyncTypeOther must not be failed */
        }
        status = STATUS_ACCESS_DENIED;
        break;
    case IRP_MJ_LOCK_CONTROL:
        status = STATUS_NOT_SUPPORTED;
        break;
    case IRP_MJ_FILE_SYSTEM_CONTROL:
        if (Data->Iopb->MinorFunction != IRP_MN_USER_FS_REQUEST && Data->Iopb->MinorFunction != IRP_MN_KERNEL_CALL) {
            return FLT_PREOP_SUCCESS_NO_CALLBACK;
        }
        status = JmfRedirectRefusedFsctl(Data->Iopb->Parameters.FileSystemControl.Common.FsControlCode, &operation);
        if (status == STATUS_SUCCESS) {
            return FLT_PREOP_SUCCESS_NO_CALLBACK;
        }
        break;
    default:
        return FLT_PREOP_SUCCESS_NO_CALLBACK;
    }

    handleContext = JmfHandleContextGet(FltObjects);
    if (handleContext == NULL) {
        return FLT_PREOP_SUCCESS_NO_CALLBACK;
    }
    if (handleContext->Redirected) {
        if (FLT_IS_FASTIO_OPERATION(Data)) {
            result = FLT_PREOP_DISALLOW_FASTIO;
        } else {
            result = JmfRedirectRefuse(Data, FltObjects, handleContext, operation, status);
        }
    }
    FltReleaseContext(handleContext);
    return result;
}
