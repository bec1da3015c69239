/* Misuses a real system would stop on (Driver Verifier), each reported. */
#include "test_filters.h"
#include <pthread.h>
#include <unistd.h>

static int g_case;

static FLT_PREOP_CALLBACK_STATUS PreMisuse(TF *tf, PFLT_CALLBACK_DATA d, PCFLT_RELATED_OBJECTS o, PVOID *c)
{
    (void)tf; (void)o;
    if (d->Iopb->MajorFunction != IRP_MJ_READ) {
        return FLT_PREOP_SUCCESS_WITH_CALLBACK;
    }
    switch (g_case) {
    case 1:
        *c = (PVOID)1;
        return FLT_PREOP_SUCCESS_NO_CALLBACK;          /* a context nobody will free */
    case 2:
        d->Iopb->MajorFunction = IRP_MJ_WRITE;         /* never allowed */
        FltSetCallbackDataDirty(d);
        return FLT_PREOP_SUCCESS_WITH_CALLBACK;
    case 3: {
        KIRQL old;
        KeRaiseIrql(DISPATCH_LEVEL, &old);             /* returns with the IRQL raised */
        return FLT_PREOP_SUCCESS_WITH_CALLBACK;
    }
    case 4:
        d->IoStatus.Status = STATUS_PENDING;           /* completing with STATUS_PENDING */
        return FLT_PREOP_COMPLETE;
    default:
        return FLT_PREOP_SUCCESS_WITH_CALLBACK;
    }
}

static void Run(int which, NTSTATUS expectedStatus, const char *violation)
{
    g_case = which;
    int v = EmuCreateVolume("\\Device\\HarddiskVolume1", 4, 0);
    TfStart(0, "200000", NULL, NULL);
    TfStart(1, "300000", PreMisuse, NULL);
    TPut(v, "\\f.txt", "abc");
    NTSTATUS s;
    uint64_t h = TOpen(v, "\\f.txt", GENERIC_READ, FILE_OPEN, &s, NULL);
    char b[4];
    uint32_t n;
    NTSTATUS r = EmuFileRead(h, 0, b, 3, &n);
    if (expectedStatus != -1) {
        CHECK_EQ(r, expectedStatus);
    }
    CHECK_VIOLATION(violation);
    if (which == 2) {
        CHECK_EQ(g_tf[0].LastPre.MajorFunction, IRP_MJ_READ);   /* the change was undone */
    }
    EmuFileClose(h);
    EmuSetIrql(PASSIVE_LEVEL);
    TfUnload(&g_tf[1]);
    TfUnload(&g_tf[0]);
}

static void test_context_with_no_callback(void) { Run(1, STATUS_SUCCESS, "CompletionContext with FLT_PREOP_SUCCESS_NO_CALLBACK"); }
static void test_major_function_changed(void) { Run(2, STATUS_SUCCESS, "changed Iopb->MajorFunction"); }
static void test_returned_at_raised_irql(void) { Run(3, STATUS_SUCCESS, "pre-operation callback of filter at altitude 300000 returned at IRQL 2"); }
static void test_complete_with_pending(void) { Run(4, -1, "completed IRP_MJ_READ with IoStatus.Status STATUS_PENDING"); }

static FLT_PREOP_CALLBACK_STATUS PreSyncNoPost(TF *tf, PFLT_CALLBACK_DATA d, PCFLT_RELATED_OBJECTS o, PVOID *c)
{
    (void)tf; (void)d; (void)o; (void)c;
    return FLT_PREOP_SYNCHRONIZE;
}

static FLT_PREOP_CALLBACK_STATUS FLTAPI PreOnly(PFLT_CALLBACK_DATA d, PCFLT_RELATED_OBJECTS o, PVOID *c) { return PreSyncNoPost(NULL, d, o, c); }
static NTSTATUS FLTAPI UnloadPreOnly(FLT_FILTER_UNLOAD_FLAGS f);
static PFLT_FILTER g_preOnly;
static NTSTATUS FLTAPI UnloadPreOnly(FLT_FILTER_UNLOAD_FLAGS f) { (void)f; FltUnregisterFilter(g_preOnly); return STATUS_SUCCESS; }

static void test_synchronize_without_post(void)
{
    static const FLT_OPERATION_REGISTRATION ops[] = { { IRP_MJ_READ, 0, PreOnly, NULL, NULL }, { IRP_MJ_OPERATION_END, 0, NULL, NULL, NULL } };
    FLT_REGISTRATION reg = { sizeof(reg), FLT_REGISTRATION_VERSION, 0, NULL, ops, UnloadPreOnly, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL };
    static DRIVER_OBJECT driver;
    int v = EmuCreateVolume("\\Device\\HarddiskVolume1", 4, 0);
    EmuSetNextAltitude("300000");
    CHECK_EQ(FltRegisterFilter(&driver, &reg, &g_preOnly), 0);
    CHECK_EQ(FltStartFiltering(g_preOnly), 0);
    TPut(v, "\\f.txt", "abc");
    NTSTATUS s;
    uint64_t h = TOpen(v, "\\f.txt", GENERIC_READ, FILE_OPEN, &s, NULL);
    char b[4];
    uint32_t n;
    CHECK_EQ(EmuFileRead(h, 0, b, 3, &n), 0);
    CHECK_VIOLATION("FLT_PREOP_SYNCHRONIZE for IRP_MJ_READ without a post-operation callback");
    EmuFileClose(h);
    CHECK_EQ(EmuUnloadFilter(g_preOnly), 0);
}

static FLT_GENERIC_WORKITEM_ROUTINE CompleteLater;
static PFLT_CALLBACK_DATA g_pended;
static void CompleteLater(PFLT_GENERIC_WORKITEM w, PVOID o, PVOID c)
{
    (void)o; (void)c;
    g_pended->IoStatus.Status = STATUS_ACCESS_DENIED;
    g_pended->IoStatus.Information = 0;
    FltCompletePendedPreOperation(g_pended, FLT_PREOP_COMPLETE, NULL);
    FltFreeGenericWorkItem(w);
}

static FLT_PREOP_CALLBACK_STATUS PrePendThenComplete(TF *tf, PFLT_CALLBACK_DATA d, PCFLT_RELATED_OBJECTS o, PVOID *c)
{
    (void)o; (void)c;
    if (d->Iopb->MajorFunction != IRP_MJ_WRITE) {
        return FLT_PREOP_SUCCESS_WITH_CALLBACK;
    }
    g_pended = d;
    FltQueueGenericWorkItem(FltAllocateGenericWorkItem(), tf->Filter, CompleteLater, DelayedWorkQueue, NULL);
    return FLT_PREOP_PENDING;
}

static void test_pended_then_completed(void)
{
    int v = EmuCreateVolume("\\Device\\HarddiskVolume1", 4, 0);
    TfStart(0, "200000", NULL, NULL);
    TfStart(1, "300000", PrePendThenComplete, NULL);
    TfStart(2, "400000", NULL, NULL);
    NTSTATUS s;
    uint64_t h = TOpen(v, "\\f.txt", GENERIC_WRITE, FILE_CREATE, &s, NULL);
    g_log[0] = 0;
    CHECK_EQ(EmuFileWrite(h, 0, "data", 4, 0, NULL), STATUS_ACCESS_DENIED);
    CHECK(strcmp(g_log, "C>write B>write C<write ") == 0);
    CHECK_EQ(EmuFsRead(v, "\\f.txt", NULL, 0), 0);     /* the file system never wrote */
    EmuFileClose(h);
}

/*
 * A thread the emulator has never seen (a JVM thread calling in through JNA)
 * whose first kernel call is ExAcquireFastMutex: registering the thread must
 * not take the emulator's global lock while the mutex code holds it. Run on a
 * fresh pthread with a bounded wait, so a regression fails instead of hanging.
 */
static FAST_MUTEX g_freshMutex;
static volatile int g_freshDone;
static void *FreshThreadMain(void *p)
{
    (void)p;
    ExAcquireFastMutex(&g_freshMutex);
    ExReleaseFastMutex(&g_freshMutex);
    __atomic_store_n(&g_freshDone, 1, __ATOMIC_SEQ_CST);
    return NULL;
}

static void test_fresh_thread_acquires_fast_mutex(void)
{
    ExInitializeFastMutex(&g_freshMutex);
    g_freshDone = 0;
    pthread_t t;
    CHECK_EQ(pthread_create(&t, NULL, FreshThreadMain, NULL), 0);
    for (int i = 0; i < 200 && !__atomic_load_n(&g_freshDone, __ATOMIC_SEQ_CST); i++) {
        usleep(10000);
    }
    if (!__atomic_load_n(&g_freshDone, __ATOMIC_SEQ_CST)) {
        /* The stuck thread holds the emulator's lock: nothing else can run. */
        printf("FAIL threads: a thread new to the emulator deadlocked in ExAcquireFastMutex\n"
               "emu: 0 passed, 1 failed\n");
        fflush(stdout);
        _exit(1);
    }
    pthread_join(t, NULL);
}

const TEST_CASE g_misuseTests[] = {
    { "threads: a thread new to the emulator takes a fast mutex first (no self-deadlock)", test_fresh_thread_acquires_fast_mutex },
    { "misuse: a CompletionContext with SUCCESS_NO_CALLBACK", test_context_with_no_callback },
    { "misuse: changing MajorFunction is reported and undone", test_major_function_changed },
    { "misuse: a callback returning at a raised IRQL", test_returned_at_raised_irql },
    { "misuse: FLT_PREOP_COMPLETE with STATUS_PENDING", test_complete_with_pending },
    { "misuse: FLT_PREOP_SYNCHRONIZE without a post-operation callback", test_synchronize_without_post },
    { "stack: a pended pre-op completed with FLT_PREOP_COMPLETE from a worker", test_pended_then_completed },
};
const size_t g_misuseTestsCount = sizeof(g_misuseTests) / sizeof(g_misuseTests[0]);
