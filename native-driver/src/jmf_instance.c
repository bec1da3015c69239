/*++

Module Name:

    jmf_instance.c

Abstract:

    Instances: which volumes jminifilter attaches to, the per-instance
    context (the volume's NT device name, which policies name volumes by),
    and the list of live instances that REDIRECT looks its target up in.

    Attach to local disk file systems only (NTFS, ReFS, FAT, exFAT):
      - network redirectors (MUP) see paths of another machine, whose policy
        is that machine's business, and redirecting to or from them breaks
        the same-filter/same-altitude rule of TargetInstance;
      - CDFS/UDF media are read-only and RAW volumes have no files;
      - named pipes and mailslots are not files.

--*/

#include "jmf_driver.h"
#include "jmf_trace.h"

#ifdef ALLOC_PRAGMA
#pragma alloc_text(PAGE, JmfInstanceSetup)
#pragma alloc_text(PAGE, JmfInstanceQueryTeardown)
#pragma alloc_text(PAGE, JmfInstanceTeardownStart)
#pragma alloc_text(PAGE, JmfInstanceFindByName)
#endif

/*
 * JmfNameEquals
 *
 * IRQL: any. Compares two UTF-16 names without regard to case, with the
 * core's fixed fold (so the kernel and the host agree).
 */
static BOOLEAN
JmfNameEquals(
    _In_reads_(Chars1) const JMF_U16 *Name1,
    _In_ JMF_U32 Chars1,
    _In_reads_(Chars2) const JMF_U16 *Name2,
    _In_ JMF_U32 Chars2
    )
{
    JMF_U32 i;

    if (Chars1 != Chars2) {
        return FALSE;
    }
    for (i = 0; i < Chars1; i++) {
        if (JmfUpcase(Name1[i]) != JmfUpcase(Name2[i])) {
            return FALSE;
        }
    }
    return TRUE;
}

/*
 * JmfInstanceSetup
 *
 * IRQL: PASSIVE_LEVEL. Decides whether to attach (see the file comment) and,
 * when it does, records the volume's name in a new instance context and
 * puts the context in the instance list. Traces the decision: not attached
 * (information), attached (information), attached without a name (warning:
 * no volume rule can match it), setup failed (error: the volume is not
 * filtered).
 */
_Use_decl_annotations_
NTSTATUS FLTAPI
JmfInstanceSetup(
    PCFLT_RELATED_OBJECTS FltObjects,
    FLT_INSTANCE_SETUP_FLAGS Flags,
    DEVICE_TYPE VolumeDeviceType,
    FLT_FILESYSTEM_TYPE VolumeFilesystemType
    )
{
    PJMF_INSTANCE_CONTEXT context = NULL;
    UNICODE_STRING volumeName;
    NTSTATUS status;
    NTSTATUS nameStatus;

    UNREFERENCED_PARAMETER(Flags);
    PAGED_CODE();

    if (VolumeDeviceType != FILE_DEVICE_DISK_FILE_SYSTEM) {
        JMF_TRACE_INFO("InstanceNotAttached",
                       TraceLoggingUInt32((ULONG)VolumeDeviceType, "DeviceType"),
                       TraceLoggingUInt32((ULONG)VolumeFilesystemType, "FilesystemType"));
        return STATUS_FLT_DO_NOT_ATTACH;
    }
    switch (VolumeFilesystemType) {
    case FLT_FSTYPE_NTFS:
    case FLT_FSTYPE_REFS:
    case FLT_FSTYPE_FAT:
    case FLT_FSTYPE_EXFAT:
        break;
    default:
        JMF_TRACE_INFO("InstanceNotAttached",
                       TraceLoggingUInt32((ULONG)VolumeDeviceType, "DeviceType"),
                       TraceLoggingUInt32((ULONG)VolumeFilesystemType, "FilesystemType"));
        return STATUS_FLT_DO_NOT_ATTACH;
    }

    status = FltAllocateContext(FltObjects->Filter, FLT_INSTANCE_CONTEXT, sizeof(JMF_INSTANCE_CONTEXT),
                                NonPagedPoolNx, (PFLT_CONTEXT *)&context);
    if (!NT_SUCCESS(status)) {
        goto Cleanup;
    }
    RtlZeroMemory(context, sizeof(*context));
    context->Instance = FltObjects->Instance;
    context->Volume = FltObjects->Volume;
    InitializeListHead(&context->Link);
    InitializeListHead(&context->RedirectList);

    /* A name longer than the buffer cannot appear in a policy (JMF_MAX_VOLUME_CHARS): leave it unnamed. */
    volumeName.Buffer = context->VolumeName;
    volumeName.Length = 0;
    volumeName.MaximumLength = (USHORT)sizeof(context->VolumeName);
    nameStatus = FltGetVolumeName(FltObjects->Volume, &volumeName, NULL);
    if (NT_SUCCESS(nameStatus)) {
        context->VolumeNameChars = (USHORT)(volumeName.Length / sizeof(WCHAR));
    } else {
        JMF_TRACE_WARNING("InstanceVolumeUnnamed",
                          TraceLoggingNTStatus(nameStatus, "Status"),
                          TraceLoggingUInt32((ULONG)VolumeFilesystemType, "FilesystemType"));
    }

    status = FltSetInstanceContext(FltObjects->Instance, FLT_SET_CONTEXT_KEEP_IF_EXISTS, context, NULL);
    if (!NT_SUCCESS(status)) {
        goto Cleanup;
    }

    /* The list holds its own reference until teardown starts. */
    FltReferenceContext(context);
    FltAcquirePushLockExclusive(&JmfGlobals.InstanceLock);
    InsertTailList(&JmfGlobals.InstanceList, &context->Link);
    context->Listed = TRUE;
    FltReleasePushLock(&JmfGlobals.InstanceLock);
    JMF_TRACE_INFO("InstanceAttached",
                   TraceLoggingCountedWideString(context->VolumeName, context->VolumeNameChars, "Volume"),
                   TraceLoggingUInt32((ULONG)VolumeFilesystemType, "FilesystemType"));

Cleanup:
    if (!NT_SUCCESS(status)) {
        JMF_TRACE_ERROR("InstanceSetupFailed",
                        TraceLoggingNTStatus(status, "Status"),
                        TraceLoggingUInt32((ULONG)VolumeFilesystemType, "FilesystemType"));
    }
    if (context != NULL) {
        FltReleaseContext(context);
    }
    return status;
}

/*
 * JmfInstanceQueryTeardown
 *
 * IRQL: PASSIVE_LEVEL. Called only for a manual detach (fltmc detach,
 * FltDetachVolume): allowed, except while the configuration is LOCKED
 * (tamper resistance), when every volume the driver is attached to counts
 * as protected (a rule for any volume may apply to it) and the detach is
 * refused with STATUS_FLT_DO_NOT_DETACH. An unload or a dismount does not
 * ask: their teardown cannot be refused.
 */
_Use_decl_annotations_
NTSTATUS FLTAPI
JmfInstanceQueryTeardown(
    PCFLT_RELATED_OBJECTS FltObjects,
    FLT_INSTANCE_QUERY_TEARDOWN_FLAGS Flags
    )
{
    UNREFERENCED_PARAMETER(FltObjects);
    UNREFERENCED_PARAMETER(Flags);
    PAGED_CODE();

    if (JmfConfigLocked()) {
        JMF_TRACE_WARNING("DetachRefused", TraceLoggingPointer(FltObjects->Instance, "Instance"));
        return STATUS_FLT_DO_NOT_DETACH;
    }
    return STATUS_SUCCESS;
}

/*
 * JmfInstanceTeardownStart
 *
 * IRQL: PASSIVE_LEVEL. The instance is going away (detach, dismount,
 * unload): it leaves the list so no new redirect targets it, and every
 * redirect target opened ON it (those handles then take their rule's
 * fallback) or FOR a handle opened through it is closed now, and every
 * read or write pended there for an ask is completed now with its default
 * verdict (AskCancelled), as the documentation requires; nothing new is
 * pended there. Contexts of files opened through it are freed by the
 * filter manager afterwards.
 */
_Use_decl_annotations_
VOID FLTAPI
JmfInstanceTeardownStart(
    PCFLT_RELATED_OBJECTS FltObjects,
    FLT_INSTANCE_TEARDOWN_FLAGS Flags
    )
{
    PJMF_INSTANCE_CONTEXT context = NULL;
    BOOLEAN wasListed = FALSE;

    UNREFERENCED_PARAMETER(Flags);
    PAGED_CODE();

    if (!NT_SUCCESS(FltGetInstanceContext(FltObjects->Instance, (PFLT_CONTEXT *)&context))) {
        return;
    }

    FltAcquirePushLockExclusive(&JmfGlobals.InstanceLock);
    context->TearingDown = TRUE;
    if (context->Listed) {
        RemoveEntryList(&context->Link);
        InitializeListHead(&context->Link);
        context->Listed = FALSE;
        wasListed = TRUE;
    }
    FltReleasePushLock(&JmfGlobals.InstanceLock);

    JmfRedirectCloseForInstance(context);

    /* As documented: complete every operation pended here, and pend no new one. */
    JmfWorkCancelInstance(context);

    if (wasListed) {
        FltReleaseContext(context);         /* the list's reference */
    }
    FltReleaseContext(context);             /* FltGetInstanceContext's */
}

/*
 * JmfInstanceContextCleanup
 *
 * IRQL: <= APC_LEVEL. Nothing is allocated outside the context itself.
 */
_Use_decl_annotations_
VOID FLTAPI
JmfInstanceContextCleanup(
    PFLT_CONTEXT Context,
    FLT_CONTEXT_TYPE ContextType
    )
{
    UNREFERENCED_PARAMETER(Context);
    UNREFERENCED_PARAMETER(ContextType);
}

/*
 * JmfInstanceVolumeIndex
 *
 * IRQL: <= APC_LEVEL (reads only non-paged memory; callers are pre-operation
 * callbacks). The index of this instance's volume in the policy's volume
 * table, or JMF_VOLUME_ANY. The answer is cached in the instance context per
 * policy generation (one 64-bit interlocked value), so the name comparison
 * runs once per volume and policy, not per operation.
 */
_Use_decl_annotations_
JMF_U16
JmfInstanceVolumeIndex(
    PJMF_INSTANCE_CONTEXT InstanceContext,
    PJMF_POLICY_REF Policy
    )
{
    LONG64 cached;
    JMF_U16 index;

    if (InstanceContext == NULL || JmfPolicyVolumeCount(Policy->Policy) == 0) {
        return JMF_VOLUME_ANY;
    }
    cached = InterlockedCompareExchange64(&InstanceContext->VolumeIndexCache, 0, 0);
    if (cached != 0 && (JMF_U32)((ULONG64)cached >> 32) == Policy->Generation) {
        return (JMF_U16)(cached & 0xFFFF);
    }
    index = (InstanceContext->VolumeNameChars == 0)
        ? (JMF_U16)JMF_VOLUME_ANY
        : JmfPolicyFindVolume(Policy->Policy, (const JMF_U16 *)InstanceContext->VolumeName,
                              InstanceContext->VolumeNameChars);
    (VOID)InterlockedExchange64(&InstanceContext->VolumeIndexCache,
                                (LONG64)(((ULONG64)Policy->Generation << 32) | index));
    return index;
}

/*
 * JmfInstanceFindByName
 *
 * IRQL: <= APC_LEVEL (push lock). The live instance context of the volume
 * named Name, or NULL. Every context in the list belongs to THIS filter.
 * The caller gets two references and releases both: the context's
 * (FltReleaseContext), which keeps the context memory, and a rundown
 * reference on its Instance (FltObjectDereference), which keeps the
 * instance itself from being freed if it is torn down meanwhile: the
 * context reference alone does not, and the caller goes on to use the
 * instance (FltGetFilterFromInstance, FltCreateFileEx2). Both are taken
 * under the list lock, while teardown cannot have finished; an instance
 * whose teardown has started (STATUS_FLT_DELETING_OBJECT) is not returned.
 */
_Use_decl_annotations_
PJMF_INSTANCE_CONTEXT
JmfInstanceFindByName(
    const JMF_U16 *Name,
    JMF_U32 Chars
    )
{
    PJMF_INSTANCE_CONTEXT found = NULL;
    PLIST_ENTRY entry;

    PAGED_CODE();

    FltAcquirePushLockShared(&JmfGlobals.InstanceLock);
    for (entry = JmfGlobals.InstanceList.Flink; entry != &JmfGlobals.InstanceList; entry = entry->Flink) {
        PJMF_INSTANCE_CONTEXT context = CONTAINING_RECORD(entry, JMF_INSTANCE_CONTEXT, Link);
        if (!context->TearingDown &&
            JmfNameEquals((const JMF_U16 *)context->VolumeName, context->VolumeNameChars, Name, Chars)) {
            if (NT_SUCCESS(FltObjectReference(context->Instance))) {
                FltReferenceContext(context);
                found = context;
            }
            break;
        }
    }
    FltReleasePushLock(&JmfGlobals.InstanceLock);
    return found;
}
