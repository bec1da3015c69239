/*
 * test_fltio_async.c - a filter's own FltReadFile/FltWriteFile with a
 * CallbackRoutine (emu_fltio.c): the call returns STATUS_PENDING before the
 * I/O below runs, the completion routine gets the status and byte count on
 * another thread at the IRQL chosen (DISPATCH_LEVEL by default), written data
 * is in the file system by then, a completion routine touching paged pool at
 * DISPATCH_LEVEL is reported, the buffer freed while the I/O is in flight is
 * reported, unloading drains the I/O; without a CallbackRoutine the call stays
 * synchronous.
 *
 * Filter A (the caller) sits above filter B, whose pre-read/pre-write callback
 * waits at a gate the test opens: the I/O is held below, so "not yet called"
 * is checked while it certainly is in flight. Waits are on conditions; the
 * 10 s guard only turns a hang into a failure.
 */
#include "test_filters.h"
#include <sched.h>

#define FA_GUARD_SECONDS 10
#define FA_TAG 'tAiF'

static pthread_mutex_t g_faLock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_faCond = PTHREAD_COND_INITIALIZER;
static int g_faGateArmed;       /* B's pre-read/write waits until the test opens the gate */
static int g_faGateReached;     /* B's pre-operation is waiting at the gate */
static int g_faGateOpen;
static pthread_t g_faBelowThread;       /* the thread B's pre-read/write ran on */
static int g_faCalls;           /* completion routine calls */
static NTSTATUS g_faStatus;
static ULONG_PTR g_faInformation;
static KIRQL g_faIrql;
static pthread_t g_faThread;
static volatile uint8_t *g_faTouch;     /* memory the completion routine reads (paged pool in one test) */

static void FaReset(void)
{
    pthread_mutex_lock(&g_faLock);
    g_faGateArmed = g_faGateReached = g_faGateOpen = 0;
    g_faCalls = 0;
    g_faStatus = -1;
    g_faInformation = 0;
    g_faIrql = 0xff;
    g_faTouch = NULL;
    pthread_mutex_unlock(&g_faLock);
}

static FLT_PREOP_CALLBACK_STATUS FaGatePre(TF *tf, PFLT_CALLBACK_DATA Data, PCFLT_RELATED_OBJECTS Objects, PVOID *Context)
{
    UNREFERENCED_PARAMETER(tf);
    UNREFERENCED_PARAMETER(Objects);
    UNREFERENCED_PARAMETER(Context);
    UCHAR m = Data->Iopb->MajorFunction;
    if (m == IRP_MJ_READ || m == IRP_MJ_WRITE) {
        pthread_mutex_lock(&g_faLock);
        g_faBelowThread = pthread_self();
        if (g_faGateArmed) {
            g_faGateReached = 1;
            pthread_cond_broadcast(&g_faCond);
            struct timespec until;      /* a synchronous FltReadFile would wait here on the test's own thread */
            clock_gettime(CLOCK_REALTIME, &until);
            until.tv_sec += FA_GUARD_SECONDS;
            while (!g_faGateOpen && pthread_cond_timedwait(&g_faCond, &g_faLock, &until) == 0) {
            }
        }
        pthread_mutex_unlock(&g_faLock);
    }
    return FLT_PREOP_SUCCESS_NO_CALLBACK;
}

static VOID FaCompleted(PFLT_CALLBACK_DATA CallbackData, PFLT_CONTEXT Context)
{
    UNREFERENCED_PARAMETER(Context);
    if (g_faTouch != NULL) {
        (void)g_faTouch[0];
    }
    pthread_mutex_lock(&g_faLock);
    g_faStatus = CallbackData->IoStatus.Status;
    g_faInformation = CallbackData->IoStatus.Information;
    g_faIrql = KeGetCurrentIrql();
    g_faThread = pthread_self();
    g_faCalls++;
    pthread_cond_broadcast(&g_faCond);
    pthread_mutex_unlock(&g_faLock);
}

/* Waits until *flag is nonzero; 0 after the guard time. */
static int FaWait(const int *flag)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += FA_GUARD_SECONDS;
    int ok = 1;
    pthread_mutex_lock(&g_faLock);
    while (*flag == 0 && ok) {
        ok = pthread_cond_timedwait(&g_faCond, &g_faLock, &until) == 0 || *flag != 0;
    }
    int v = *flag;
    pthread_mutex_unlock(&g_faLock);
    return v;
}

static int FaGet(const int *flag)
{
    pthread_mutex_lock(&g_faLock);
    int v = *flag;
    pthread_mutex_unlock(&g_faLock);
    return v;
}

static void FaOpenGate(void)
{
    pthread_mutex_lock(&g_faLock);
    g_faGateOpen = 1;
    pthread_cond_broadcast(&g_faCond);
    pthread_mutex_unlock(&g_faLock);
}

static void FaArmGate(void)
{
    pthread_mutex_lock(&g_faLock);
    g_faGateArmed = 1;
    pthread_mutex_unlock(&g_faLock);
}

/* A above B on a new volume holding \f.txt = "hello"; opens it through A's instance. */
static int FaSetup(HANDLE *h, PFILE_OBJECT *fo)
{
    FaReset();
    int v = EmuCreateVolume("\\Device\\HarddiskVolume1", 4, 0);
    TfStart(0, "300000", NULL, NULL);
    TfStart(1, "200000", FaGatePre, NULL);
    TPut(v, "\\f.txt", "hello");
    UNICODE_STRING u = RTL_CONSTANT_STRING(L"\\Device\\HarddiskVolume1\\f.txt");
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, &u, OBJ_KERNEL_HANDLE, NULL, NULL);
    IO_STATUS_BLOCK io;
    CHECK_EQ(FltCreateFileEx2(g_tf[0].Filter, g_tf[0].Instance[v], h, fo, GENERIC_READ | GENERIC_WRITE, &oa, &io, NULL, 0,
                              FILE_SHARE_READ, FILE_OPEN, 0, NULL, 0, 0, NULL), 0);
    return v;
}

static void FaTeardown(HANDLE h, PFILE_OBJECT fo)
{
    ObDereferenceObject(fo);
    FltClose(h);
    TfUnload(&g_tf[1]);
    TfUnload(&g_tf[0]);
}

static void test_read_pends_then_completes_at_dispatch(void)
{
    HANDLE h;
    PFILE_OBJECT fo;
    int v = FaSetup(&h, &fo);
    uint8_t *buf = ExAllocatePool2(POOL_FLAG_NON_PAGED, 8, FA_TAG);
    memset(buf, 0, 8);
    FaArmGate();
    LARGE_INTEGER off = { .QuadPart = 0 };
    ULONG n = 0xdead;
    CHECK_EQ(FltReadFile(g_tf[0].Instance[v], fo, &off, 5, buf, 0, &n, FaCompleted, NULL), STATUS_PENDING);
    CHECK(FaWait(&g_faGateReached));        /* the read is held below A, in flight */
    CHECK_EQ(FaGet(&g_faCalls), 0);         /* so its completion routine has not been called */
    CHECK_EQ(n, 0xdead);                    /* BytesRead is not set for an asynchronous call */
    CHECK(!pthread_equal(g_faBelowThread, pthread_self()));   /* the I/O below runs on another thread */
    FaOpenGate();
    CHECK(FaWait(&g_faCalls));
    CHECK_EQ(g_faCalls, 1);
    CHECK_EQ(g_faStatus, STATUS_SUCCESS);
    CHECK_EQ(g_faInformation, 5);
    CHECK_EQ(g_faIrql, DISPATCH_LEVEL);
    CHECK(!pthread_equal(g_faThread, pthread_self()));
    CHECK(memcmp(buf, "hello", 5) == 0);
    ExFreePoolWithTag(buf, FA_TAG);
    FaTeardown(h, fo);
}

static void test_write_completes_at_passive_and_reaches_the_fs(void)
{
    HANDLE h;
    PFILE_OBJECT fo;
    int v = FaSetup(&h, &fo);
    EmuSetAsyncIoCallbackIrql(PASSIVE_LEVEL);
    uint8_t *buf = ExAllocatePool2(POOL_FLAG_NON_PAGED, 8, FA_TAG);
    memcpy(buf, "WORLD", 5);
    FaArmGate();
    LARGE_INTEGER off = { .QuadPart = 0 };
    CHECK_EQ(FltWriteFile(g_tf[0].Instance[v], fo, &off, 5, buf, 0, NULL, FaCompleted, NULL), STATUS_PENDING);
    CHECK(FaWait(&g_faGateReached));
    CHECK_EQ(FaGet(&g_faCalls), 0);
    FaOpenGate();
    CHECK(FaWait(&g_faCalls));
    CHECK_EQ(g_faStatus, STATUS_SUCCESS);
    CHECK_EQ(g_faInformation, 5);
    CHECK_EQ(g_faIrql, PASSIVE_LEVEL);
    CHECK(!pthread_equal(g_faThread, pthread_self()));
    char back[8] = { 0 };
    ULONG n = 0;
    CHECK_EQ(FltReadFile(g_tf[0].Instance[v], fo, &off, 5, back, 0, &n, NULL, NULL), STATUS_SUCCESS);
    CHECK_EQ(n, 5);
    CHECK(memcmp(back, "WORLD", 5) == 0);
    ExFreePoolWithTag(buf, FA_TAG);
    FaTeardown(h, fo);
}

static void test_completion_touching_paged_pool_at_dispatch_is_reported(void)
{
    HANDLE h;
    PFILE_OBJECT fo;
    int v = FaSetup(&h, &fo);
    uint8_t *paged = ExAllocatePool2(POOL_FLAG_PAGED, 16, FA_TAG);
    memset(paged, 1, 16);
    g_faTouch = paged;
    char buf[8];
    LARGE_INTEGER off = { .QuadPart = 0 };
    CHECK_EQ(FltReadFile(g_tf[0].Instance[v], fo, &off, 5, buf, 0, NULL, FaCompleted, NULL), STATUS_PENDING);
    CHECK(FaWait(&g_faCalls));
    CHECK_VIOLATION("pageable memory touched at IRQL 2");
    g_faTouch = NULL;
    ExFreePoolWithTag(paged, FA_TAG);
    FaTeardown(h, fo);
}

static void test_buffer_freed_in_flight_is_reported(void)
{
    HANDLE h;
    PFILE_OBJECT fo;
    int v = FaSetup(&h, &fo);
    uint8_t *buf = ExAllocatePool2(POOL_FLAG_NON_PAGED, 8, FA_TAG);
    FaArmGate();
    LARGE_INTEGER off = { .QuadPart = 0 };
    CHECK_EQ(FltReadFile(g_tf[0].Instance[v], fo, &off, 5, buf, 0, NULL, FaCompleted, NULL), STATUS_PENDING);
    CHECK(FaWait(&g_faGateReached));
    ExFreePoolWithTag(buf, FA_TAG);
    CHECK_VIOLATION("FltReadFile's IRP_MJ_READ of the file object of \\Device\\HarddiskVolume1\\f.txt, still in flight");
    FaOpenGate();
    CHECK(FaWait(&g_faCalls));
    FaTeardown(h, fo);
}

/* Opens the gate once the caller's instance is being torn down (FltObjectReference then fails with
 * STATUS_FLT_DELETING_OBJECT), so the I/O is certainly still in flight when the unload starts. The instance
 * cannot go meanwhile: its teardown waits for that I/O, which waits for this gate. */
static void *FaOpener(void *arg)
{
    PFLT_INSTANCE instance = arg;
    if (FaWait(&g_faGateReached)) {
        for (;;) {
            NTSTATUS s = FltObjectReference(instance);
            if (!NT_SUCCESS(s)) {
                break;
            }
            FltObjectDereference(instance);
            sched_yield();
        }
        FaOpenGate();
    }
    return NULL;
}

static void test_unload_waits_for_the_io_in_flight(void)
{
    HANDLE h;
    PFILE_OBJECT fo;
    int v = FaSetup(&h, &fo);
    static char buf[8];             /* not pool: the unload's leak check would count a block the I/O still holds */
    FaArmGate();
    LARGE_INTEGER off = { .QuadPart = 0 };
    CHECK_EQ(FltReadFile(g_tf[0].Instance[v], fo, &off, 5, buf, 0, NULL, FaCompleted, NULL), STATUS_PENDING);
    pthread_t t;
    CHECK_EQ(pthread_create(&t, NULL, FaOpener, g_tf[0].Instance[v]), 0);
    ObDereferenceObject(fo);        /* the operation keeps its own reference on the file object */
    FltClose(h);
    TfUnload(&g_tf[0]);             /* the caller's instance goes: the filter manager waits for its I/O */
    CHECK_EQ(FaGet(&g_faCalls), 1);
    pthread_join(t, NULL);
    TfUnload(&g_tf[1]);
}

static void test_without_callback_stays_synchronous(void)
{
    HANDLE h;
    PFILE_OBJECT fo;
    int v = FaSetup(&h, &fo);
    char buf[8] = { 0 };
    LARGE_INTEGER off = { .QuadPart = 0 };
    ULONG n = 0;
    g_faBelowThread = (pthread_t)0;
    CHECK_EQ(FltReadFile(g_tf[0].Instance[v], fo, &off, 5, buf, 0, &n, NULL, NULL), STATUS_SUCCESS);
    CHECK_EQ(n, 5);
    CHECK(memcmp(buf, "hello", 5) == 0);
    CHECK(pthread_equal(g_faBelowThread, pthread_self()));    /* the I/O below ran on the caller's thread */
    FaTeardown(h, fo);
}

const TEST_CASE g_fltIoAsyncTests[] = {
    { "fltio: FltReadFile with a callback pends; the callback runs later on a worker at DISPATCH_LEVEL", test_read_pends_then_completes_at_dispatch },
    { "fltio: FltWriteFile's callback at the IRQL chosen; the data is in the file system", test_write_completes_at_passive_and_reaches_the_fs },
    { "fltio: a completion routine touching paged pool at DISPATCH_LEVEL is reported", test_completion_touching_paged_pool_at_dispatch_is_reported },
    { "fltio: the buffer freed while the I/O is in flight is reported", test_buffer_freed_in_flight_is_reported },
    { "fltio: unloading the caller waits for its I/O in flight", test_unload_waits_for_the_io_in_flight },
    { "fltio: without a callback FltReadFile stays synchronous", test_without_callback_stays_synchronous },
};
const size_t g_fltIoAsyncTestsCount = sizeof(g_fltIoAsyncTests) / sizeof(g_fltIoAsyncTests[0]);
