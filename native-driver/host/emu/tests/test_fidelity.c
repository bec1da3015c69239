/*
 * test_fidelity.c - Filter Manager behaviour found missing by an outside
 * reading of the emulator (issue 12): STATUS_FLT_DISALLOW_FAST_IO named where
 * a filter sets it, FLTFL_POST_OPERATION_DRAINING on instance teardown, and a
 * handle's granted access from the access check the file system makes.
 */
#include "test_filters.h"

static int SetupAB(void)
{
    TfStart(0, "200000", NULL, NULL);
    TfStart(1, "300000", NULL, NULL);
    int v = EmuCreateVolume("\\Device\\HarddiskVolume1", 4, 0);
    g_log[0] = 0;
    return v;
}

/* A sets STATUS_FLT_DISALLOW_FAST_IO as the read's status in its post-operation
 * callback; B, above, overwrites it. The final status is clean, so only a
 * check where each filter returns can name A. */
static FLT_POSTOP_CALLBACK_STATUS PostSetsDisallow(TF *tf, PFLT_CALLBACK_DATA d, PCFLT_RELATED_OBJECTS o, PVOID c, FLT_POST_OPERATION_FLAGS f)
{
    (void)tf; (void)o; (void)c; (void)f;
    if (d->Iopb->MajorFunction == IRP_MJ_READ) {
        d->IoStatus.Status = STATUS_FLT_DISALLOW_FAST_IO;
    }
    return FLT_POSTOP_FINISHED_PROCESSING;
}

static FLT_POSTOP_CALLBACK_STATUS PostRestoresSuccess(TF *tf, PFLT_CALLBACK_DATA d, PCFLT_RELATED_OBJECTS o, PVOID c, FLT_POST_OPERATION_FLAGS f)
{
    (void)tf; (void)o; (void)c; (void)f;
    if (d->Iopb->MajorFunction == IRP_MJ_READ && d->IoStatus.Status == STATUS_FLT_DISALLOW_FAST_IO) {
        d->IoStatus.Status = STATUS_SUCCESS;
    }
    return FLT_POSTOP_FINISHED_PROCESSING;
}

static void test_disallow_fast_io_named_where_set(void)
{
    int v = SetupAB();
    TPut(v, "\\f.txt", "abc");
    g_tf[0].Post = PostSetsDisallow;
    g_tf[1].Post = PostRestoresSuccess;
    NTSTATUS s;
    uint64_t h = TOpen(v, "\\f.txt", GENERIC_READ, FILE_OPEN, &s, NULL);
    CHECK_EQ(s, STATUS_SUCCESS);
    char b[4];
    uint32_t n = 0;
    CHECK_EQ(EmuFileRead(h, 0, b, 3, &n), STATUS_SUCCESS);
    CHECK_VIOLATION("filter at altitude 200000 set IoStatus.Status of IRP_MJ_READ to STATUS_FLT_DISALLOW_FAST_IO");
    CHECK(!TestTakeViolation("filter at altitude 300000"));   /* B, which only restored it, is not named */
    EmuFileClose(h);
}

/* A filter that returns FLT_PREOP_DISALLOW_FASTIO is the filter manager's
 * own use of the status: the filters above see it in their post-operation
 * callbacks and are not blamed for it. */
static FLT_PREOP_CALLBACK_STATUS PreNoFastIo(TF *tf, PFLT_CALLBACK_DATA d, PCFLT_RELATED_OBJECTS o, PVOID *c)
{
    (void)tf; (void)o; (void)c;
    return FLT_IS_FASTIO_OPERATION(d) ? FLT_PREOP_DISALLOW_FASTIO : FLT_PREOP_SUCCESS_WITH_CALLBACK;
}

static void test_disallow_fast_io_by_filter_manager_not_blamed(void)
{
    int v = SetupAB();
    TPut(v, "\\f.txt", "abc");
    g_tf[0].Pre = PreNoFastIo;
    NTSTATUS s;
    uint64_t h = TOpen(v, "\\f.txt", GENERIC_READ, FILE_OPEN, &s, NULL);
    char b[4];
    uint32_t n = 0;
    CHECK_EQ(EmuFileReadEx(h, 0, b, 3, EMU_IO_FAST, &n), STATUS_SUCCESS);
    CHECK_EQ(n, 3);
    CHECK_EQ(EmuViolationCount(), 0);
    EmuFileClose(h);
}

/* Draining: B (above) has seen the read's pre-operation callback and owes a
 * post-operation callback when A (below) pends the read; A's work item
 * detaches B's instance, then lets the read go on. The filter manager calls
 * B's post-operation callback during the teardown with
 * FLTFL_POST_OPERATION_DRAINING, at IRQL <= APC_LEVEL, on a copy of the
 * callback data, so B can free its CompletionContext; B is not called again
 * when the read completes, and the read still completes for the caller. */
typedef struct DRAIN_SEEN {
    PFLT_CALLBACK_DATA PreData;
    int Posts;
    FLT_POST_OPERATION_FLAGS Flags;
    KIRQL Irql;
    PVOID Context;
    PFLT_CALLBACK_DATA PostData;
    UCHAR Major;
    PFLT_VOLUME Volume;
    NTSTATUS DirtyProbe;
} DRAIN_SEEN;
static DRAIN_SEEN g_drain;

static FLT_PREOP_CALLBACK_STATUS PreBContext(TF *tf, PFLT_CALLBACK_DATA d, PCFLT_RELATED_OBJECTS o, PVOID *c)
{
    (void)tf;
    if (d->Iopb->MajorFunction != IRP_MJ_READ) {
        return FLT_PREOP_SUCCESS_NO_CALLBACK;
    }
    g_drain.PreData = d;
    g_drain.Volume = o->Volume;
    *c = ExAllocatePool2(POOL_FLAG_NON_PAGED, 32, 'nirD');
    return FLT_PREOP_SUCCESS_WITH_CALLBACK;
}

static FLT_POSTOP_CALLBACK_STATUS PostBFree(TF *tf, PFLT_CALLBACK_DATA d, PCFLT_RELATED_OBJECTS o, PVOID c, FLT_POST_OPERATION_FLAGS f)
{
    (void)tf; (void)o;
    if (c == NULL) {
        return FLT_POSTOP_FINISHED_PROCESSING;
    }
    g_drain.Posts++;
    g_drain.Flags = f;
    g_drain.Irql = KeGetCurrentIrql();
    g_drain.Context = c;
    g_drain.PostData = d;
    g_drain.Major = d->Iopb->MajorFunction;
    ExFreePoolWithTag(c, 'nirD');
    return FLT_POSTOP_FINISHED_PROCESSING;
}

static FLT_GENERIC_WORKITEM_ROUTINE DetachThenResume;
static void DetachThenResume(PFLT_GENERIC_WORKITEM w, PVOID o, PVOID c)
{
    PFLT_CALLBACK_DATA pended = c;
    (void)o;
    CHECK_EQ(FltDetachVolume(g_tf[1].Filter, g_drain.Volume, NULL), STATUS_SUCCESS);
    FltCompletePendedPreOperation(pended, FLT_PREOP_SUCCESS_NO_CALLBACK, NULL);
    FltFreeGenericWorkItem(w);
}

static FLT_PREOP_CALLBACK_STATUS PreAPendAndDetachB(TF *tf, PFLT_CALLBACK_DATA d, PCFLT_RELATED_OBJECTS o, PVOID *c)
{
    (void)o; (void)c;
    if (d->Iopb->MajorFunction != IRP_MJ_READ) {
        return FLT_PREOP_SUCCESS_NO_CALLBACK;
    }
    FltQueueGenericWorkItem(FltAllocateGenericWorkItem(), tf->Filter, DetachThenResume, DelayedWorkQueue, d);
    return FLT_PREOP_PENDING;
}

static void test_teardown_drains_post_callbacks(void)
{
    int v = SetupAB();
    TPut(v, "\\f.txt", "abc");
    memset(&g_drain, 0, sizeof(g_drain));
    g_tf[0].Pre = PreAPendAndDetachB;
    g_tf[1].Pre = PreBContext;
    g_tf[1].Post = PostBFree;
    NTSTATUS s;
    uint64_t h = TOpen(v, "\\f.txt", GENERIC_READ, FILE_OPEN, &s, NULL);
    CHECK_EQ(s, STATUS_SUCCESS);
    char b[4] = {0};
    uint32_t n = 0;
    CHECK_EQ(EmuFileRead(h, 0, b, 3, &n), STATUS_SUCCESS);
    CHECK_EQ(n, 3);
    CHECK(memcmp(b, "abc", 3) == 0);
    CHECK_EQ(g_drain.Posts, 1);                                 /* drained once, not called again on completion */
    CHECK_EQ(g_drain.Flags, FLTFL_POST_OPERATION_DRAINING);
    CHECK(g_drain.Irql <= APC_LEVEL);
    CHECK(g_drain.Context != NULL);
    CHECK(g_drain.PostData != NULL && g_drain.PostData != g_drain.PreData);    /* a copy of the callback data */
    CHECK_EQ(g_drain.Major, IRP_MJ_READ);
    EmuFileClose(h);
}

/* A draining callback that tries normal completion processing is reported. */
static FLT_POSTOP_CALLBACK_STATUS PostBMoreProcessing(TF *tf, PFLT_CALLBACK_DATA d, PCFLT_RELATED_OBJECTS o, PVOID c, FLT_POST_OPERATION_FLAGS f)
{
    (void)tf; (void)o;
    if (c == NULL) {
        return FLT_POSTOP_FINISHED_PROCESSING;
    }
    ExFreePoolWithTag(c, 'nirD');
    if (f & FLTFL_POST_OPERATION_DRAINING) {
        FltSetCallbackDataDirty(d);
        return FLT_POSTOP_MORE_PROCESSING_REQUIRED;
    }
    return FLT_POSTOP_FINISHED_PROCESSING;
}

static void test_draining_callback_must_finish(void)
{
    int v = SetupAB();
    TPut(v, "\\f.txt", "abc");
    memset(&g_drain, 0, sizeof(g_drain));
    g_tf[0].Pre = PreAPendAndDetachB;
    g_tf[1].Pre = PreBContext;
    g_tf[1].Post = PostBMoreProcessing;
    NTSTATUS s;
    uint64_t h = TOpen(v, "\\f.txt", GENERIC_READ, FILE_OPEN, &s, NULL);
    char b[4];
    uint32_t n = 0;
    CHECK_EQ(EmuFileRead(h, 0, b, 3, &n), STATUS_SUCCESS);
    CHECK_VIOLATION("FltSetCallbackDataDirty(");
    CHECK_VIOLATION("with FLTFL_POST_OPERATION_DRAINING for IRP_MJ_READ");
    EmuFileClose(h);
}

/* A handle's granted access is the result of the file system's access check
 * on the ACCESS_STATE it receives, not SecurityContext->DesiredAccess as the
 * filters leave it: stripping FILE_WRITE_DATA from DesiredAccess alone, without
 * FltSetCallbackDataDirty or with it, leaves the handle able to write; stripping
 * it from the ACCESS_STATE too, as the driver's MODIFY does (JmfCreateModify),
 * takes it away. */
static int g_stripMode;     /* 1 DesiredAccess, 2 DesiredAccess + dirty, 3 DesiredAccess + ACCESS_STATE + dirty */
static FLT_PREOP_CALLBACK_STATUS PreStripWrite(TF *tf, PFLT_CALLBACK_DATA d, PCFLT_RELATED_OBJECTS o, PVOID *c)
{
    (void)tf; (void)o; (void)c;
    if (d->Iopb->MajorFunction != IRP_MJ_CREATE) {
        return FLT_PREOP_SUCCESS_NO_CALLBACK;
    }
    const ACCESS_MASK strip = FILE_WRITE_DATA | FILE_APPEND_DATA;
    PIO_SECURITY_CONTEXT sc = d->Iopb->Parameters.Create.SecurityContext;
    sc->DesiredAccess &= ~strip;
    if (g_stripMode == 3) {
        sc->AccessState->RemainingDesiredAccess &= ~strip;
        sc->AccessState->PreviouslyGrantedAccess &= ~strip;
        sc->AccessState->OriginalDesiredAccess &= ~strip;
    }
    if (g_stripMode >= 2) {
        FltSetCallbackDataDirty(d);
    }
    return FLT_PREOP_SUCCESS_NO_CALLBACK;
}

static NTSTATUS WriteThroughStrippedOpen(int mode)
{
    int v = SetupAB();
    TPut(v, "\\w.txt", "abc");
    g_stripMode = mode;
    g_tf[1].Pre = PreStripWrite;
    NTSTATUS s;
    uint64_t h = TOpen(v, "\\w.txt", GENERIC_READ | GENERIC_WRITE, FILE_OPEN, &s, NULL);
    CHECK_EQ(s, STATUS_SUCCESS);
    uint32_t n = 0;
    NTSTATUS w = EmuFileWrite(h, 0, "xyz", 3, 0, &n);
    char b[4] = {0};
    CHECK_EQ(EmuFileRead(h, 0, b, 3, &n), STATUS_SUCCESS);   /* read access is untouched */
    EmuFileClose(h);
    TfUnload(&g_tf[1]);
    TfUnload(&g_tf[0]);
    return w;
}

static void test_granted_access_ignores_desired_access_edit(void)
{
    CHECK_EQ(WriteThroughStrippedOpen(1), STATUS_SUCCESS);
}

static void test_granted_access_ignores_dirty_desired_access_edit(void)
{
    CHECK_EQ(WriteThroughStrippedOpen(2), STATUS_SUCCESS);
}

static void test_granted_access_follows_access_state(void)
{
    CHECK_EQ(WriteThroughStrippedOpen(3), STATUS_ACCESS_DENIED);
}

/* FltRequestOperationStatusCallback (what passThrough and the oplock-aware
 * samples use): the callback runs once the operation has been sent below,
 * with the status IoCallDriver returned, the parameters this filter's
 * pre-operation callback saw and the requester's context. */
static int g_statusCalls;
static NTSTATUS g_statusSeen;
static UCHAR g_statusMajor;
static PVOID g_statusContext;
static NTSTATUS g_statusRequest;

static VOID RecordStatus(PCFLT_RELATED_OBJECTS o, PFLT_IO_PARAMETER_BLOCK iopb, NTSTATUS status, PVOID context)
{
    (void)o;
    g_statusCalls++;
    g_statusSeen = status;
    g_statusMajor = iopb->MajorFunction;
    g_statusContext = context;
}

static FLT_PREOP_CALLBACK_STATUS PreRequestsStatus(TF *tf, PFLT_CALLBACK_DATA d, PCFLT_RELATED_OBJECTS o, PVOID *c)
{
    (void)tf; (void)o; (void)c;
    if (d->Iopb->MajorFunction == IRP_MJ_CREATE || d->Iopb->MajorFunction == IRP_MJ_WRITE) {
        g_statusRequest = FltRequestOperationStatusCallback(d, RecordStatus, &g_statusCalls);
    }
    return FLT_PREOP_SUCCESS_WITH_CALLBACK;
}

static FLT_POSTOP_CALLBACK_STATUS PostRequestsStatus(TF *tf, PFLT_CALLBACK_DATA d, PCFLT_RELATED_OBJECTS o, PVOID c, FLT_POST_OPERATION_FLAGS f)
{
    (void)tf; (void)o; (void)c; (void)f;
    if (d->Iopb->MajorFunction == IRP_MJ_READ) {
        g_statusRequest = FltRequestOperationStatusCallback(d, RecordStatus, NULL);
    }
    return FLT_POSTOP_FINISHED_PROCESSING;
}

static void test_operation_status_callback(void)
{
    int v = SetupAB();
    TPut(v, "\\f.txt", "abc");
    g_statusCalls = 0;
    g_tf[0].Pre = PreRequestsStatus;
    NTSTATUS s;
    TOpen(v, "\\missing.txt", GENERIC_READ, FILE_OPEN, &s, NULL);
    CHECK_EQ(s, STATUS_OBJECT_NAME_NOT_FOUND);
    CHECK_EQ(g_statusRequest, STATUS_SUCCESS);
    CHECK_EQ(g_statusCalls, 1);
    CHECK_EQ(g_statusSeen, STATUS_OBJECT_NAME_NOT_FOUND);
    CHECK_EQ(g_statusMajor, IRP_MJ_CREATE);
    uint64_t h = TOpen(v, "\\f.txt", GENERIC_READ | GENERIC_WRITE, FILE_OPEN, &s, NULL);
    CHECK_EQ(s, STATUS_SUCCESS);
    CHECK_EQ(g_statusCalls, 2);
    uint32_t n = 0;
    CHECK_EQ(EmuFileWrite(h, 0, "xyz", 3, 0, &n), STATUS_SUCCESS);
    CHECK_EQ(g_statusCalls, 3);
    CHECK_EQ(g_statusSeen, STATUS_SUCCESS);
    CHECK_EQ(g_statusMajor, IRP_MJ_WRITE);
    CHECK(g_statusContext == &g_statusCalls);
    /* Only from a pre-operation callback: documented STATUS_INVALID_PARAMETER, no callback. */
    g_tf[0].Pre = NULL;
    g_tf[0].Post = PostRequestsStatus;
    char b[4];
    CHECK_EQ(EmuFileRead(h, 0, b, 3, &n), STATUS_SUCCESS);
    CHECK_EQ(g_statusRequest, STATUS_INVALID_PARAMETER);
    CHECK_EQ(g_statusCalls, 3);
    /* Not for fast I/O: a violation naming the routine. */
    g_tf[0].Post = NULL;
    g_tf[0].Pre = PreRequestsStatus;
    CHECK_EQ(EmuFileWrite(h, 3, "!", 1, EMU_IO_FAST, &n), STATUS_SUCCESS);
    CHECK_EQ(g_statusRequest, STATUS_INVALID_PARAMETER);
    CHECK_VIOLATION("FltRequestOperationStatusCallback on IRP_MJ_WRITE, which is not IRP-based");
    g_tf[0].Pre = NULL;
    EmuFileClose(h);
}

static void test_irp_names(void)
{
    CHECK(strcmp(FltGetIrpName(IRP_MJ_CREATE), "IRP_MJ_CREATE") == 0);
    CHECK(strcmp(FltGetIrpName(IRP_MJ_DIRECTORY_CONTROL), "IRP_MJ_DIRECTORY_CONTROL") == 0);
    CHECK(strcmp(FltGetIrpName(IRP_MJ_PNP), "IRP_MJ_PNP") == 0);
    CHECK(strcmp(FltGetIrpName(IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION), "IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION") == 0);
    CHECK(strcmp(FltGetIrpName(IRP_MJ_VOLUME_DISMOUNT), "IRP_MJ_VOLUME_DISMOUNT") == 0);
}

/* What ctx asserts about its locks, and the runtime's NX opt-in. */
static void test_resource_ownership_queries(void)
{
    ERESOURCE r;
    CHECK_EQ(ExInitializeResourceLite(&r), STATUS_SUCCESS);
    KeEnterCriticalRegion();
    CHECK(!ExIsResourceAcquiredExclusiveLite(&r));
    CHECK_EQ(ExIsResourceAcquiredSharedLite(&r), 0);
    CHECK(ExAcquireResourceExclusiveLite(&r, TRUE));
    CHECK(ExAcquireResourceExclusiveLite(&r, TRUE));
    CHECK(ExIsResourceAcquiredExclusiveLite(&r));
    CHECK_EQ(ExIsResourceAcquiredSharedLite(&r), 2);
    ExReleaseResourceLite(&r);
    ExReleaseResourceLite(&r);
    CHECK(!ExIsResourceAcquiredExclusiveLite(&r));
    CHECK(ExAcquireResourceSharedLite(&r, TRUE));
    CHECK(!ExIsResourceAcquiredExclusiveLite(&r));
    CHECK_EQ(ExIsResourceAcquiredSharedLite(&r), 1);
    ExReleaseResourceLite(&r);
    CHECK_EQ(ExIsResourceAcquiredSharedLite(&r), 0);
    KeLeaveCriticalRegion();
    CHECK_EQ(ExDeleteResourceLite(&r), STATUS_SUCCESS);
    CHECK_EQ(EmuViolationCount(), 0);

    POOL_TYPE savedType = ExDefaultNonPagedPoolType;
    ExInitializeDriverRuntime(0);
    CHECK_EQ(ExDefaultNonPagedPoolType, savedType);
    ExInitializeDriverRuntime(DrvRtPoolNxOptIn);
    CHECK_EQ(ExDefaultNonPagedPoolType, NonPagedPoolNx);
    CHECK_EQ(ExDefaultMdlProtection, MdlMappingNoExecute);
    ExDefaultNonPagedPoolType = savedType;      /* process-wide, as in the kernel: leave it as found */
    ExDefaultMdlProtection = 0;
}

const TEST_CASE g_fidelityTests[] = {
    { "fidelity: ExIsResourceAcquiredExclusiveLite/SharedLite follow the caller's holds; ExInitializeDriverRuntime opts in to NX pool", test_resource_ownership_queries },
    { "fidelity: FltRequestOperationStatusCallback reports IoCallDriver's status, only from pre-operation IRP callbacks", test_operation_status_callback },
    { "fidelity: FltGetIrpName names IRP and filter manager major codes", test_irp_names },
    { "fidelity: stripping DesiredAccess without FltSetCallbackDataDirty leaves the handle's granted access", test_granted_access_ignores_desired_access_edit },
    { "fidelity: stripping DesiredAccess alone, even dirty, leaves the granted access (the check is on the ACCESS_STATE)", test_granted_access_ignores_dirty_desired_access_edit },
    { "fidelity: stripping the ACCESS_STATE too (the driver's MODIFY) takes the access from the handle", test_granted_access_follows_access_state },
    { "fidelity: instance teardown drains owed post-operation callbacks (FLTFL_POST_OPERATION_DRAINING, a copy, once)", test_teardown_drains_post_callbacks },
    { "fidelity: a draining post-operation callback must only clean up and finish", test_draining_callback_must_finish },
    { "fidelity: STATUS_FLT_DISALLOW_FAST_IO set in a post-operation callback names the filter, though overwritten above", test_disallow_fast_io_named_where_set },
    { "fidelity: FLT_PREOP_DISALLOW_FASTIO's status is not blamed on the filters above", test_disallow_fast_io_by_filter_manager_not_blamed },
};
const size_t g_fidelityTestsCount = sizeof(g_fidelityTests) / sizeof(g_fidelityTests[0]);
