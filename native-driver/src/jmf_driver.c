/*++

Module Name:

    jmf_driver.c

Abstract:

    Registration and lifetime of jminifilter.sys: DriverEntry builds the
    FLT_REGISTRATION (operations, contexts, instance callbacks), creates the
    communication port and starts filtering; JmfUnload undoes all of it in
    the reverse order and returns cleanly even while a client is connected.

--*/

#include "jmf_driver.h"
#include "jmf_trace.h"

JMF_GLOBALS JmfGlobals;

_Function_class_(FLT_FILTER_UNLOAD_CALLBACK)
_IRQL_requires_(PASSIVE_LEVEL)
static NTSTATUS FLTAPI JmfUnload(_In_ FLT_FILTER_UNLOAD_FLAGS Flags);

#ifdef ALLOC_PRAGMA
#pragma alloc_text(INIT, DriverEntry)
#pragma alloc_text(PAGE, JmfUnload)
#pragma alloc_text(PAGE, JmfAllocatePaged)
#endif

/*
 * The operations the policy can act on, and those redirection must follow.
 * Paging I/O is skipped by registration: the policy governs what callers
 * ask for, and paging I/O (the cache and the memory manager moving pages)
 * must never wait on a decision (see README, "what is not redirected").
 */
static const FLT_OPERATION_REGISTRATION JmfOperations[] = {
    { IRP_MJ_CREATE,            0,                                          JmfPreCreate,          JmfPostCreate },
    { IRP_MJ_READ,              FLTFL_OPERATION_REGISTRATION_SKIP_PAGING_IO, JmfPreReadWrite,       JmfPostReadWrite },
    { IRP_MJ_WRITE,             FLTFL_OPERATION_REGISTRATION_SKIP_PAGING_IO, JmfPreReadWrite,       JmfPostReadWrite },
    { IRP_MJ_SET_INFORMATION,   FLTFL_OPERATION_REGISTRATION_SKIP_PAGING_IO, JmfPreSetInformation,  JmfPostSetInformation },
    { IRP_MJ_QUERY_INFORMATION, 0,                                          JmfPreRedirectable,    JmfPostRedirected },
    { IRP_MJ_FLUSH_BUFFERS,     0,                                          JmfPreRedirectable,    JmfPostRedirected },
    { IRP_MJ_CLEANUP,           0,                                          JmfPreCleanup,         NULL },
    /* What can never follow a redirect is refused on a redirected handle (jmf_redirect.c). */
    { IRP_MJ_LOCK_CONTROL,      0,                                          JmfPreRedirectGuard,   NULL },
    { IRP_MJ_FILE_SYSTEM_CONTROL, 0,                                        JmfPreRedirectGuard,   NULL },
    { IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION, 0,                        JmfPreRedirectGuard,   NULL },
    { IRP_MJ_OPERATION_END }
};

/* Contexts come from non-paged pool: post-operation callbacks read them at DISPATCH_LEVEL. */
static const FLT_CONTEXT_REGISTRATION JmfContexts[] = {
    { FLT_INSTANCE_CONTEXT,     0, JmfInstanceContextCleanup, sizeof(JMF_INSTANCE_CONTEXT), JMF_TAG_INSTANCE_CTX },
    { FLT_STREAMHANDLE_CONTEXT, 0, JmfHandleContextCleanup,   sizeof(JMF_HANDLE_CONTEXT),   JMF_TAG_HANDLE_CTX },
    { FLT_CONTEXT_END }
};

static const FLT_REGISTRATION JmfRegistration = {
    sizeof(FLT_REGISTRATION),
    FLT_REGISTRATION_VERSION,
    0,                              /* Flags: unload is allowed (FLTFL_REGISTRATION_DO_NOT_SUPPORT_SERVICE_STOP not set) */
    JmfContexts,
    JmfOperations,
    JmfUnload,
    JmfInstanceSetup,
    JmfInstanceQueryTeardown,
    JmfInstanceTeardownStart,
    NULL,                           /* InstanceTeardownComplete: nothing left to do there */
    NULL, NULL, NULL,               /* name provider callbacks: not a name provider */
    NULL,                           /* TransactionNotification */
    NULL,                           /* NormalizeNameComponentEx */
    NULL                            /* SectionNotification */
};

/*
 * DriverEntry
 *
 * IRQL: PASSIVE_LEVEL (system thread). Initializes the globals, registers
 * with the filter manager, creates the communication port and starts
 * filtering. Any failure undoes what was done, through the one cleanup path,
 * which traces the step that failed and unregisters the trace provider last.
 */
_Use_decl_annotations_
NTSTATUS
DriverEntry(
    PDRIVER_OBJECT DriverObject,
    PUNICODE_STRING RegistryPath
    )
{
    NTSTATUS status;
    NTSTATUS traceStatus;
    BOOLEAN eventsReady = FALSE;
    BOOLEAN workersReady = FALSE;
    BOOLEAN persistReady = FALSE;
    NTSTATUS persistStatus;
    PCSTR step;

    /* First: everything below may trace. A failure only means no traces (see JmfTraceRegister). */
    traceStatus = JmfTraceRegister();

    RtlZeroMemory(&JmfGlobals, sizeof(JmfGlobals));
    JmfGlobals.DriverObject = DriverObject;
    ExInitializeRundownProtection(&JmfGlobals.Rundown);
    FltInitializePushLock(&JmfGlobals.InstanceLock);
    InitializeListHead(&JmfGlobals.InstanceList);
    JmfPolicyStoreInitialize();
    JmfConfigInitialize();
    JmfStatsInitialize();
    /* Only valid during DriverEntry: copied. Failing only turns persistence off (traced). */
    persistStatus = JmfPersistInitialize(RegistryPath);
    persistReady = TRUE;

    step = "JmfEventsInitialize";
    status = JmfEventsInitialize();
    if (!NT_SUCCESS(status)) {
        goto Cleanup;
    }
    eventsReady = TRUE;

    step = "JmfWorkersStart";
    status = JmfWorkersStart();
    if (!NT_SUCCESS(status)) {
        goto Cleanup;
    }
    workersReady = TRUE;

    /*
     * Policy from boot: in force before the first operation is filtered, and before the
     * port exists (a client's first push then always comes after it). Never fails the load.
     */
    JmfPersistLoad();

    step = "FltRegisterFilter";
    status = FltRegisterFilter(DriverObject, &JmfRegistration, &JmfGlobals.Filter);
    if (!NT_SUCCESS(status)) {
        goto Cleanup;
    }

    step = "JmfPortCreate";
    status = JmfPortCreate();
    if (!NT_SUCCESS(status)) {
        goto Cleanup;
    }

    step = "FltStartFiltering";
    status = FltStartFiltering(JmfGlobals.Filter);

Cleanup:
    if (NT_SUCCESS(status)) {
        JMF_TRACE_INFO("DriverLoaded",
                       TraceLoggingUInt32(JMF_PROTOCOL_VERSION, "ProtocolVersion"),
                       TraceLoggingNTStatus(traceStatus, "TraceRegisterStatus"),
                       TraceLoggingNTStatus(persistStatus, "PersistStatus"));
    } else {
        JMF_TRACE_ERROR("DriverLoadFailed",
                        TraceLoggingString(step, "Step"),
                        TraceLoggingNTStatus(status, "Status"));
        JmfGlobals.Unloading = TRUE;
        JmfPortClose();
        if (workersReady) {
            JmfWorkersStop();
        }
        if (JmfGlobals.Filter != NULL) {
            FltUnregisterFilter(JmfGlobals.Filter);
            JmfGlobals.Filter = NULL;
        }
        JmfPolicyStoreShutdown();           /* a persisted policy may be in force already */
        if (eventsReady) {
            JmfEventsShutdown();
        }
        if (persistReady) {
            JmfPersistShutdown();
        }
        FltDeletePushLock(&JmfGlobals.InstanceLock);
        JmfTraceUnregister();               /* last: ETW must not call into an unloaded image */
    }
    return status;
}

/*
 * JmfUnload
 *
 * IRQL: PASSIVE_LEVEL. Called for a service stop (or mandatory unload).
 * Refuses only a non-mandatory unload (fltmc unload, a service stop) while
 * the configuration is LOCKED: STATUS_FLT_DO_NOT_DETACH, with nothing
 * changed. A mandatory unload (system shutdown) always proceeds. Never
 * waits out an ask:
 *   1. Unloading is set: no new ask is sent (default verdict, AskCancelled);
 *   2. the server port and the client's connection are closed, so every
 *      FltSendMessage in flight returns at once (its ask gets the default
 *      verdict, AskCancelled);
 *   3. the worker threads complete what is still queued (default verdict)
 *      and end; the unload waits for them;
 *   4. rundown: nothing uses the port or the policy any more;
 *   5. unregistering drains every callback and tears the instances down
 *      (their teardown completes what is still pended there) and frees every
 *      context (their cleanup callbacks close redirect targets). Then the
 *      policy and the event queue are freed, and the trace provider is
 *      unregistered last.
 */
_Use_decl_annotations_
static NTSTATUS FLTAPI
JmfUnload(
    FLT_FILTER_UNLOAD_FLAGS Flags
    )
{
    PEPROCESS process;

    PAGED_CODE();

    if ((Flags & FLTFL_FILTER_UNLOAD_MANDATORY) == 0 && JmfConfigLocked()) {
        JMF_TRACE_WARNING("UnloadRefused", TraceLoggingUInt32(Flags, "Flags"));
        return STATUS_FLT_DO_NOT_DETACH;
    }

    JMF_TRACE_INFO("DriverUnloading", TraceLoggingUInt32(Flags, "Flags"));

    JmfGlobals.Unloading = TRUE;
    KeMemoryBarrier();

    /* No new connection, and the client's connection closed: asks in flight return now. */
    JmfPortClose();

    JmfWorkersStop();

    /* Wait for asks and pended operations still using the port or the policy. */
    ExWaitForRundownProtectionRelease(&JmfGlobals.Rundown);

    FltUnregisterFilter(JmfGlobals.Filter);
    JmfGlobals.Filter = NULL;

    /* The filter manager calls the disconnect callback before unloading; never leak the process reference. */
    process = (PEPROCESS)InterlockedExchangePointer((PVOID volatile *)&JmfGlobals.ClientProcess, NULL);
    if (process != NULL) {
        ObDereferenceObject(process);
    }

    JmfPolicyStoreShutdown();
    JmfEventsShutdown();
    JmfPersistShutdown();
    RtlSecureZeroMemory(&JmfGlobals.UnlockKey, sizeof(JmfGlobals.UnlockKey));
    FltDeletePushLock(&JmfGlobals.InstanceLock);
    JmfTraceUnregister();                   /* last: nothing traces after this */
    return STATUS_SUCCESS;
}

/*
 * Allocation helpers. ExAllocatePool2 returns zeroed memory; the tags are
 * those of jmf_driver.h.
 */
_Use_decl_annotations_
PVOID
JmfAllocateNonPaged(
    SIZE_T Bytes,
    ULONG Tag
    )
{
    return ExAllocatePool2(POOL_FLAG_NON_PAGED, Bytes, Tag);
}

_Use_decl_annotations_
PVOID
JmfAllocatePaged(
    SIZE_T Bytes,
    ULONG Tag
    )
{
    PAGED_CODE();
    return ExAllocatePool2(POOL_FLAG_PAGED, Bytes, Tag);
}

_Use_decl_annotations_
VOID
JmfFree(
    PVOID Block,
    ULONG Tag
    )
{
    if (Block != NULL) {
        ExFreePoolWithTag(Block, Tag);
    }
}
