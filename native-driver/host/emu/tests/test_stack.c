/* The instance stack: order by altitude, every pre/post status, pending, fast I/O, IRQL. */
#include "test_filters.h"
#include <unistd.h>

static int Setup3(void)
{
    /* registered out of altitude order on purpose */
    TfStart(1, "300000", NULL, NULL);
    TfStart(2, "400000", NULL, NULL);
    TfStart(0, "200000", NULL, NULL);
    int v = EmuCreateVolume("\\Device\\HarddiskVolume1", 4, 0);
    g_log[0] = 0;
    return v;
}

static void test_order_by_altitude(void)
{
    int v = Setup3();
    NTSTATUS s;
    uint64_t h = TOpen(v, "\\f.txt", GENERIC_READ, FILE_CREATE, &s, NULL);
    CHECK_EQ(s, 0);
    CHECK(strcmp(g_log, "C>create B>create A>create A<create B<create C<create ") == 0);
    g_log[0] = 0;
    EmuFileClose(h);
    CHECK(strcmp(g_log, "C>cleanup B>cleanup A>cleanup A<cleanup B<cleanup C<cleanup C>close B>close A>close A<close B<close C<close ") == 0);
    for (int i = 0; i < 3; i++) {
        TfUnload(&g_tf[i]);
    }
}

static NTSTATUS SkipNetwork(TF *tf, PCFLT_RELATED_OBJECTS o, DEVICE_TYPE t)
{
    (void)tf; (void)o;
    return t == FILE_DEVICE_NETWORK_FILE_SYSTEM ? STATUS_FLT_DO_NOT_ATTACH : STATUS_SUCCESS;
}

static void test_instance_setup_decides(void)
{
    g_tf[0].Setup = SkipNetwork;
    int disk = EmuCreateVolume("\\Device\\HarddiskVolume1", 4, 0);
    TfStart(0, "300000", NULL, NULL);
    int net = EmuCreateVolume("\\Device\\Mup\\server", 4, EMU_VOLUME_NETWORK);     /* mounted after the filter started */
    CHECK(g_tf[0].Instance[disk] != NULL);
    CHECK(g_tf[0].Instance[net] == NULL);
    NTSTATUS s;
    EmuFileClose(TOpen(net, "\\x", GENERIC_READ, FILE_CREATE, &s, NULL));
    CHECK_EQ(g_tf[0].PreCount, 0);
    EmuFileClose(TOpen(disk, "\\x", GENERIC_READ, FILE_CREATE, &s, NULL));
    CHECK(g_tf[0].PreCount > 0);
    TfUnload(&g_tf[0]);
    g_tf[0].Setup = NULL;
}

static FLT_PREOP_CALLBACK_STATUS PreNoCallback(TF *tf, PFLT_CALLBACK_DATA d, PCFLT_RELATED_OBJECTS o, PVOID *c)
{
    (void)tf; (void)d; (void)o; (void)c;
    return FLT_PREOP_SUCCESS_NO_CALLBACK;
}

static void test_preop_no_callback(void)
{
    int v = Setup3();
    g_tf[1].Pre = PreNoCallback;
    NTSTATUS s;
    uint64_t h = TOpen(v, "\\f.txt", GENERIC_READ, FILE_CREATE, &s, NULL);
    CHECK(strcmp(g_log, "C>create B>create A>create A<create C<create ") == 0);
    EmuFileClose(h);
}

static FLT_PREOP_CALLBACK_STATUS PreDenyCreate(TF *tf, PFLT_CALLBACK_DATA d, PCFLT_RELATED_OBJECTS o, PVOID *c)
{
    (void)tf; (void)o; (void)c;
    if (d->Iopb->MajorFunction != IRP_MJ_CREATE) {
        return FLT_PREOP_SUCCESS_WITH_CALLBACK;
    }
    d->IoStatus.Status = STATUS_ACCESS_DENIED;
    d->IoStatus.Information = 0;
    return FLT_PREOP_COMPLETE;
}

static void test_preop_complete(void)
{
    int v = Setup3();
    g_tf[1].Pre = PreDenyCreate;
    NTSTATUS s;
    uint64_t info = 99;
    TOpen(v, "\\f.txt", GENERIC_READ, FILE_CREATE, &s, &info);
    CHECK_EQ(s, STATUS_ACCESS_DENIED);
    CHECK_EQ(info, 0);
    CHECK(strcmp(g_log, "C>create B>create C<create ") == 0);     /* A and the file system never see it */
    CHECK_EQ(g_tf[2].LastPostStatus, STATUS_ACCESS_DENIED);
    CHECK_EQ(EmuFsExists(v, "\\f.txt"), 0);
}

static FLT_PREOP_CALLBACK_STATUS PreSynchronize(TF *tf, PFLT_CALLBACK_DATA d, PCFLT_RELATED_OBJECTS o, PVOID *c)
{
    (void)tf; (void)d; (void)o; (void)c;
    return FLT_PREOP_SYNCHRONIZE;
}

static void test_preop_synchronize(void)
{
    int v = Setup3();
    EmuSetPostOperationIrql(IRP_MJ_READ, DISPATCH_LEVEL);
    TPut(v, "\\f.txt", "abc");
    g_tf[1].Pre = PreSynchronize;
    NTSTATUS s;
    uint64_t h = TOpen(v, "\\f.txt", GENERIC_READ, FILE_OPEN, &s, NULL);
    char b[4];
    uint32_t n;
    CHECK_EQ(EmuFileRead(h, 0, b, 3, &n), 0);
    CHECK_EQ(g_tf[1].LastPostIrql, PASSIVE_LEVEL);      /* synchronized: same thread, IRQL <= APC */
    CHECK_EQ(g_tf[2].LastPostIrql, DISPATCH_LEVEL);     /* the others complete at DISPATCH */
    CHECK_EQ(g_tf[0].LastPostIrql, DISPATCH_LEVEL);
    int before = g_tf[1].PostCount;
    CHECK_EQ(EmuFileReadEx(h, 0, b, 3, EMU_IO_FAST, &n), 0);      /* not an IRP: treated as SUCCESS_WITH_CALLBACK */
    CHECK_EQ(g_tf[1].PostCount, before + 1);
    EmuFileClose(h);
}

typedef struct PEND { PFLT_CALLBACK_DATA Data; int Post; } PEND;
static PEND g_pend;
static FLT_GENERIC_WORKITEM_ROUTINE PendWorker;
static void PendWorker(PFLT_GENERIC_WORKITEM w, PVOID o, PVOID c)
{
    (void)o; (void)c;
    usleep(20000);
    if (g_pend.Post) {
        FltCompletePendedPostOperation(g_pend.Data);
    } else {
        FltCompletePendedPreOperation(g_pend.Data, FLT_PREOP_SUCCESS_WITH_CALLBACK, (PVOID)0x1234);
    }
    FltFreeGenericWorkItem(w);
}

static FLT_PREOP_CALLBACK_STATUS PrePend(TF *tf, PFLT_CALLBACK_DATA d, PCFLT_RELATED_OBJECTS o, PVOID *c)
{
    (void)o; (void)c;
    if (d->Iopb->MajorFunction != IRP_MJ_READ) {
        return FLT_PREOP_SUCCESS_WITH_CALLBACK;
    }
    g_pend.Data = d;
    g_pend.Post = 0;
    FltQueueGenericWorkItem(FltAllocateGenericWorkItem(), tf->Filter, PendWorker, DelayedWorkQueue, NULL);
    return FLT_PREOP_PENDING;
}

static void test_preop_pending(void)
{
    int v = Setup3();
    TPut(v, "\\f.txt", "abc");
    g_tf[1].Pre = PrePend;
    NTSTATUS s;
    uint64_t h = TOpen(v, "\\f.txt", GENERIC_READ, FILE_OPEN, &s, NULL);
    g_log[0] = 0;
    char b[4] = {0};
    uint32_t n;
    CHECK_EQ(EmuFileRead(h, 0, b, 3, &n), 0);
    CHECK_EQ(n, 3);
    CHECK(strcmp(g_log, "C>read B>read A>read A<read B<read C<read ") == 0);
    CHECK(g_tf[1].LastPostContext == (PVOID)0x1234);    /* the context given to FltCompletePendedPreOperation */
    CHECK(g_tf[0].LastPostThread != (ULONG)(ULONG_PTR)PsGetCurrentThreadId());  /* continued in the worker */
    EmuFileClose(h);
}

static FLT_POSTOP_CALLBACK_STATUS PostPend(TF *tf, PFLT_CALLBACK_DATA d, PCFLT_RELATED_OBJECTS o, PVOID c, FLT_POST_OPERATION_FLAGS f)
{
    (void)o; (void)c; (void)f;
    if (d->Iopb->MajorFunction != IRP_MJ_READ) {
        return FLT_POSTOP_FINISHED_PROCESSING;
    }
    g_pend.Data = d;
    g_pend.Post = 1;
    FltQueueGenericWorkItem(FltAllocateGenericWorkItem(), tf->Filter, PendWorker, DelayedWorkQueue, NULL);
    return FLT_POSTOP_MORE_PROCESSING_REQUIRED;
}

static void test_postop_more_processing(void)
{
    int v = Setup3();
    TPut(v, "\\f.txt", "abc");
    g_tf[1].Post = PostPend;
    NTSTATUS s;
    uint64_t h = TOpen(v, "\\f.txt", GENERIC_READ, FILE_OPEN, &s, NULL);
    g_log[0] = 0;
    char b[4];
    uint32_t n;
    CHECK_EQ(EmuFileRead(h, 0, b, 3, &n), 0);
    CHECK(strcmp(g_log, "C>read B>read A>read A<read B<read C<read ") == 0);
    CHECK(g_tf[2].LastPostThread != (ULONG)(ULONG_PTR)PsGetCurrentThreadId());  /* C's post ran after the worker completed B's */
    EmuFileClose(h);
}

static FLT_PREOP_CALLBACK_STATUS PreNoFastIo(TF *tf, PFLT_CALLBACK_DATA d, PCFLT_RELATED_OBJECTS o, PVOID *c)
{
    (void)tf; (void)o; (void)c;
    return FLT_IS_FASTIO_OPERATION(d) ? FLT_PREOP_DISALLOW_FASTIO : FLT_PREOP_SUCCESS_WITH_CALLBACK;
}

static void test_disallow_fastio(void)
{
    int v = Setup3();
    TPut(v, "\\f.txt", "abc");
    g_tf[1].Pre = PreNoFastIo;
    NTSTATUS s;
    uint64_t h = TOpen(v, "\\f.txt", GENERIC_READ, FILE_OPEN, &s, NULL);
    g_log[0] = 0;
    char b[4] = {0};
    uint32_t n;
    CHECK_EQ(EmuFileReadEx(h, 0, b, 3, EMU_IO_FAST, &n), 0);
    /* fast I/O refused by B: only C's post runs, then the I/O manager reissues it as an IRP */
    CHECK(strcmp(g_log, "C>read B>read C<read C>read B>read A>read A<read B<read C<read ") == 0);
    CHECK_EQ(n, 3);
    CHECK(memcmp(b, "abc", 3) == 0);
    /* returning it for an IRP-based operation is a misuse */
    g_tf[1].Pre = NULL;
    g_tf[0].Pre = PreNoFastIo;
    g_tf[0].Pre = (TF_PRE)NULL;
    EmuFileClose(h);
}

static FLT_PREOP_CALLBACK_STATUS PreAlwaysDisallow(TF *tf, PFLT_CALLBACK_DATA d, PCFLT_RELATED_OBJECTS o, PVOID *c)
{
    (void)tf; (void)o; (void)c;
    return d->Iopb->MajorFunction == IRP_MJ_READ ? FLT_PREOP_DISALLOW_FASTIO : FLT_PREOP_SUCCESS_WITH_CALLBACK;
}

static void test_disallow_fastio_on_irp_is_violation(void)
{
    int v = Setup3();
    TPut(v, "\\f.txt", "abc");
    g_tf[1].Pre = PreAlwaysDisallow;
    NTSTATUS s;
    uint64_t h = TOpen(v, "\\f.txt", GENERIC_READ, FILE_OPEN, &s, NULL);
    char b[4];
    uint32_t n;
    EmuFileRead(h, 0, b, 3, &n);
    CHECK_VIOLATION("FLT_PREOP_DISALLOW_FASTIO for an IRP-based IRP_MJ_READ");
    EmuFileClose(h);
}

static FLT_POSTOP_CALLBACK_STATUS PostTouchesPaged(TF *tf, PFLT_CALLBACK_DATA d, PCFLT_RELATED_OBJECTS o, PVOID c, FLT_POST_OPERATION_FLAGS f)
{
    (void)tf; (void)o; (void)c; (void)f;
    if (d->Iopb->MajorFunction == IRP_MJ_READ) {
        PFLT_FILE_NAME_INFORMATION name = NULL;
        if (NT_SUCCESS(FltGetFileNameInformation(d, FLT_FILE_NAME_NORMALIZED, &name))) {
            FltReleaseFileNameInformation(name);
        }
        PVOID p = ExAllocatePool2(POOL_FLAG_PAGED, 16, 'tseT');
        if (p != NULL) {
            ExFreePoolWithTag(p, 'tseT');
        }
        PVOID q = ExAllocatePool2(POOL_FLAG_NON_PAGED, 16, 'tseT');      /* fine at DISPATCH */
        ExFreePoolWithTag(q, 'tseT');
        UNICODE_STRING a = RTL_CONSTANT_STRING(L"a"), b = RTL_CONSTANT_STRING(L"A");
        (void)RtlCompareUnicodeString(&a, &b, TRUE);
        KEVENT e;
        KeInitializeEvent(&e, NotificationEvent, TRUE);
        LARGE_INTEGER t;
        t.QuadPart = -10000;
        KeWaitForSingleObject(&e, Executive, KernelMode, FALSE, &t);
    }
    return FLT_POSTOP_FINISHED_PROCESSING;
}

static void test_irql_violations_named(void)
{
    int v = EmuCreateVolume("\\Device\\HarddiskVolume1", 4, 0);
    TfStart(0, "300000", NULL, PostTouchesPaged);
    TPut(v, "\\f.txt", "abc");
    NTSTATUS s;
    uint64_t h = TOpen(v, "\\f.txt", GENERIC_READ, FILE_OPEN, &s, NULL);
    char b[4];
    uint32_t n;
    EmuFileRead(h, 0, b, 3, &n);        /* post-read at PASSIVE (the default): nothing to report */
    CHECK_EQ(EmuViolationCount(), 0);
    EmuSetPostOperationIrql(IRP_MJ_READ, DISPATCH_LEVEL);
    EmuFileRead(h, 0, b, 3, &n);
    CHECK_VIOLATION("FltGetFileNameInformation called at DISPATCH_LEVEL");
    CHECK_VIOLATION("ExAllocatePool2 called at DISPATCH_LEVEL");
    CHECK_VIOLATION("RtlCompareUnicodeString called at DISPATCH_LEVEL");
    CHECK_VIOLATION("KeWaitForSingleObject (with a non-zero timeout) called at DISPATCH_LEVEL");
    CHECK_EQ(EmuViolationCount(), 4);
    EmuFileClose(h);
    TfUnload(&g_tf[0]);
}

static FLT_POSTOP_CALLBACK_STATUS SafePart(PFLT_CALLBACK_DATA d, PCFLT_RELATED_OBJECTS o, PVOID c, FLT_POST_OPERATION_FLAGS f)
{
    (void)o; (void)c; (void)f;
    g_tf[0].LastPostIrql = KeGetCurrentIrql();
    PFLT_FILE_NAME_INFORMATION name = NULL;
    if (NT_SUCCESS(FltGetFileNameInformation(d, FLT_FILE_NAME_NORMALIZED, &name))) {
        FltReleaseFileNameInformation(name);
    }
    return FLT_POSTOP_FINISHED_PROCESSING;
}

static FLT_POSTOP_CALLBACK_STATUS PostWhenSafe(TF *tf, PFLT_CALLBACK_DATA d, PCFLT_RELATED_OBJECTS o, PVOID c, FLT_POST_OPERATION_FLAGS f)
{
    (void)tf;
    FLT_POSTOP_CALLBACK_STATUS st = FLT_POSTOP_FINISHED_PROCESSING;
    if (d->Iopb->MajorFunction == IRP_MJ_READ && !FltDoCompletionProcessingWhenSafe(d, o, c, f, SafePart, &st)) {
        d->IoStatus.Status = STATUS_UNSUCCESSFUL;
    }
    return st;
}

static void test_completion_when_safe_and_post_create_passive(void)
{
    int v = EmuCreateVolume("\\Device\\HarddiskVolume1", 4, 0);
    TfStart(0, "300000", NULL, PostWhenSafe);
    TPut(v, "\\f.txt", "abc");
    EmuSetPostOperationIrql(IRP_MJ_READ, DISPATCH_LEVEL);
    EmuSetPostOperationIrql(IRP_MJ_CREATE, DISPATCH_LEVEL);     /* ignored: post-create is always PASSIVE */
    NTSTATUS s;
    uint64_t h = TOpen(v, "\\f.txt", GENERIC_READ, FILE_OPEN, &s, NULL);
    CHECK_EQ(g_tf[0].LastPostIrql, PASSIVE_LEVEL);
    char b[4];
    uint32_t n;
    CHECK_EQ(EmuFileRead(h, 0, b, 3, &n), 0);
    CHECK_EQ(g_tf[0].LastPostIrql, PASSIVE_LEVEL);      /* SafePart ran at PASSIVE in a worker */
    CHECK_EQ(n, 3);
    EmuFileClose(h);
    TfUnload(&g_tf[0]);
}

const TEST_CASE g_stackTests[] = {
    { "stack: pre-ops from the highest altitude down, post-ops back up", test_order_by_altitude },
    { "stack: InstanceSetup decides attachment (new volumes too)", test_instance_setup_decides },
    { "stack: FLT_PREOP_SUCCESS_NO_CALLBACK skips the post-op", test_preop_no_callback },
    { "stack: FLT_PREOP_COMPLETE stops the operation, posts above run", test_preop_complete },
    { "stack: FLT_PREOP_SYNCHRONIZE (IRP: PASSIVE post; fast I/O: with callback)", test_preop_synchronize },
    { "stack: FLT_PREOP_PENDING resumed by FltCompletePendedPreOperation", test_preop_pending },
    { "stack: FLT_POSTOP_MORE_PROCESSING_REQUIRED + FltCompletePendedPostOperation", test_postop_more_processing },
    { "stack: FLT_PREOP_DISALLOW_FASTIO and the IRP reissue", test_disallow_fastio },
    { "stack: DISALLOW_FASTIO on an IRP is a violation", test_disallow_fastio_on_irp_is_violation },
    { "stack: PASSIVE-only routines at DISPATCH are violations naming them", test_irql_violations_named },
    { "stack: FltDoCompletionProcessingWhenSafe; post-create at PASSIVE", test_completion_when_safe_and_post_create_passive },
};
const size_t g_stackTestsCount = sizeof(g_stackTests) / sizeof(g_stackTests[0]);
