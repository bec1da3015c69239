/*
 * test_async.c - asynchronous IRPs (EmuFileReadAsync, EmuFileWriteAsync,
 * EmuIoWait): the caller gets STATUS_PENDING back while a filter holds the
 * operation, the rest of the operation runs on the thread that resumes it,
 * the wait gives the final status and byte count; a synchronous IRP a filter
 * pends still blocks its caller; and the contract of pending and of the
 * requests (IRP-based operations only, a NULL CompletionContext, no
 * FLT_PREOP_SYNCHRONIZE through FltCompletePendedPreOperation, one completion,
 * one wait, no request left unwaited, no buffer shared with a read in flight).
 *
 * Synchronisation is on the pended state itself (the filter publishes the
 * callback data it holds; the resuming thread waits for it and for the
 * caller's return), never on sleeps. The one timed wait, 10 s, only turns a
 * caller that wrongly blocks into a failure instead of a hang.
 */
#include "test_filters.h"
#include <sched.h>

#define AS_GUARD_SECONDS 10

static pthread_mutex_t g_asLock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_asCond = PTHREAD_COND_INITIALIZER;
static PFLT_CALLBACK_DATA g_asHeld;     /* the operation the pending filter holds */
static int g_asHeldInPost;              /* held by FLT_POSTOP_MORE_PROCESSING_REQUIRED (else FLT_PREOP_PENDING) */
static int g_asCallerReturned;          /* the issuing call has returned */
static int g_asCompleting;              /* the resuming thread is about to resume it */
static BOOLEAN g_asSynchronous;         /* FltIsOperationSynchronous, as the pending filter saw it */
static ULONG g_asLowerPreThread;        /* the thread filter A's (the lowest's) pre-operation callback ran on */
static UCHAR g_asMajor;                 /* the major function the filters pend */
static PVOID g_asPendContext;           /* what the pending filter returns as CompletionContext */

static void AsReset(UCHAR major)
{
    pthread_mutex_lock(&g_asLock);
    g_asHeld = NULL;
    g_asHeldInPost = 0;
    g_asCallerReturned = 0;
    g_asCompleting = 0;
    g_asSynchronous = FALSE;
    g_asLowerPreThread = 0;
    g_asMajor = major;
    g_asPendContext = NULL;
    pthread_mutex_unlock(&g_asLock);
}

static void AsPublish(PFLT_CALLBACK_DATA d, int inPost)
{
    pthread_mutex_lock(&g_asLock);
    g_asSynchronous = FltIsOperationSynchronous(d);
    g_asHeld = d;
    g_asHeldInPost = inPost;
    pthread_cond_broadcast(&g_asCond);
    pthread_mutex_unlock(&g_asLock);
}

static void AsSet(int *flag)
{
    pthread_mutex_lock(&g_asLock);
    *flag = 1;
    pthread_cond_broadcast(&g_asCond);
    pthread_mutex_unlock(&g_asLock);
}

static int AsGet(const int *flag)
{
    pthread_mutex_lock(&g_asLock);
    int v = *flag;
    pthread_mutex_unlock(&g_asLock);
    return v;
}

/* Waits until a filter holds an operation (and, with caller, until the caller has returned); 0 after the guard time. */
static int AsWaitHeld(int caller)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += AS_GUARD_SECONDS;
    int ok = 1;
    pthread_mutex_lock(&g_asLock);
    while (g_asHeld == NULL || (caller && !g_asCallerReturned)) {
        if (pthread_cond_timedwait(&g_asCond, &g_asLock, &until) != 0) {
            ok = 0;
            break;
        }
    }
    pthread_mutex_unlock(&g_asLock);
    return ok;
}

/* B (300000): pends g_asMajor in its pre-operation callback. */
static FLT_PREOP_CALLBACK_STATUS AsPrePend(TF *tf, PFLT_CALLBACK_DATA d, PCFLT_RELATED_OBJECTS o, PVOID *c)
{
    (void)tf; (void)o;
    if (d->Iopb->MajorFunction != g_asMajor) {
        return FLT_PREOP_SUCCESS_WITH_CALLBACK;
    }
    *c = g_asPendContext;
    AsPublish(d, 0);
    return FLT_PREOP_PENDING;
}

/* B (300000): pends g_asMajor in its post-operation callback. */
static FLT_POSTOP_CALLBACK_STATUS AsPostPend(TF *tf, PFLT_CALLBACK_DATA d, PCFLT_RELATED_OBJECTS o, PVOID c, FLT_POST_OPERATION_FLAGS f)
{
    (void)tf; (void)o; (void)c; (void)f;
    if (d->Iopb->MajorFunction != g_asMajor) {
        return FLT_POSTOP_FINISHED_PROCESSING;
    }
    AsPublish(d, 1);
    return FLT_POSTOP_MORE_PROCESSING_REQUIRED;
}

/* A (200000): records the thread its pre-operation callback runs on. */
static FLT_PREOP_CALLBACK_STATUS AsPreRecordThread(TF *tf, PFLT_CALLBACK_DATA d, PCFLT_RELATED_OBJECTS o, PVOID *c)
{
    (void)tf; (void)o; (void)c;
    if (d->Iopb->MajorFunction == g_asMajor) {
        g_asLowerPreThread = (ULONG)(ULONG_PTR)PsGetCurrentThreadId();
    }
    return FLT_PREOP_SUCCESS_WITH_CALLBACK;
}

/* The thread that resumes the held operation (the filter's worker): once it is held and the caller has returned;
 * with Status (pre only, default FLT_PREOP_SUCCESS_WITH_CALLBACK) and Context; Twice: resumes it a second time. */
typedef struct AS_RESUMER {
    pthread_t Thread;
    int WaitForCaller;
    FLT_PREOP_CALLBACK_STATUS Status;
    PVOID Context;
    int Twice;
    int CallerBlocked;
    ULONG Tid;
} AS_RESUMER;

static void *AsResumerMain(void *p)
{
    AS_RESUMER *r = p;
    r->Tid = (ULONG)(ULONG_PTR)PsGetCurrentThreadId();
    if (!AsWaitHeld(r->WaitForCaller)) {
        r->CallerBlocked = 1;       /* held, but the caller never came back: resume it anyway so the test ends */
        if (!AsWaitHeld(0)) {
            return NULL;
        }
    }
    AsSet(&g_asCompleting);
    for (int i = 0; i < (r->Twice ? 2 : 1); i++) {
        if (g_asHeldInPost) {
            FltCompletePendedPostOperation(g_asHeld);
        } else {
            FltCompletePendedPreOperation(g_asHeld, r->Status, r->Context);
        }
    }
    return NULL;
}

static int AsSetup(void)
{
    int v = EmuCreateVolume("\\Device\\HarddiskVolume1", 4, 0);
    TfStart(0, "200000", AsPreRecordThread, NULL);
    TfStart(1, "300000", NULL, NULL);
    TfStart(2, "400000", NULL, NULL);
    return v;
}

/* A handle as CreateFile with FILE_FLAG_OVERLAPPED gives (no FO_SYNCHRONOUS_IO), or a synchronous one. */
static uint64_t AsOpen(int v, const char *path, uint32_t access, uint32_t disposition, int async)
{
    uint64_t h = 0, info = 0;
    CHECK_EQ(EmuFileOpen(v, path, access, FILE_SHARE_READ | FILE_SHARE_WRITE, disposition,
                         FILE_NON_DIRECTORY_FILE | (async ? EMU_OPEN_ASYNC_IO : 0), 0, &h, &info), STATUS_SUCCESS);
    return h;
}

/* ---- 1. a write pended in a pre-operation callback ---- */
static void test_async_write_pended_in_pre(void)
{
    int v = AsSetup();
    AsReset(IRP_MJ_WRITE);
    g_tf[1].Pre = AsPrePend;
    uint64_t h = AsOpen(v, "\\w.txt", GENERIC_WRITE, FILE_CREATE, 1);
    AS_RESUMER r = { .WaitForCaller = 1 };
    pthread_create(&r.Thread, NULL, AsResumerMain, &r);
    ULONG me = (ULONG)(ULONG_PTR)PsGetCurrentThreadId();
    static const char data[] = "hello async";
    uint64_t request = 0;
    g_log[0] = 0;
    NTSTATUS s = EmuFileWriteAsync(h, 0, data, 11, 0, &request);
    /* Back while B holds it (the resumer waits for this return): nothing below B has run. */
    CHECK_EQ(s, STATUS_PENDING);
    CHECK(request != 0);
    CHECK(strcmp(g_log, "C>write B>write ") == 0);
    int32_t status = -1;
    uint64_t information = 99;
    CHECK_EQ(EmuIoWait(request, 0, &status, &information), STATUS_TIMEOUT);    /* a poll: not completed */
    CHECK_EQ(EmuFsRead(v, "\\w.txt", NULL, 0), 0);                             /* the file system has not written */
    CHECK(!g_asSynchronous);                                                   /* FltIsOperationSynchronous: FALSE */
    AsSet(&g_asCallerReturned);
    CHECK_EQ(EmuIoWait(request, EMU_INFINITE, &status, &information), STATUS_SUCCESS);
    pthread_join(r.Thread, NULL);
    CHECK(!r.CallerBlocked);
    CHECK_EQ(status, STATUS_SUCCESS);
    CHECK_EQ(information, 11);
    CHECK(strcmp(g_log, "C>write B>write A>write A<write B<write C<write ") == 0);
    /* The rest of the operation ran on the resuming thread: A's pre, every post. */
    CHECK(r.Tid != me);
    CHECK_EQ(g_asLowerPreThread, r.Tid);
    CHECK_EQ(g_tf[0].LastPostThread, r.Tid);
    CHECK_EQ(g_tf[1].LastPostThread, r.Tid);
    CHECK_EQ(g_tf[2].LastPostThread, r.Tid);
    char back[16] = { 0 };
    CHECK_EQ(EmuFsRead(v, "\\w.txt", back, sizeof(back)), 11);
    CHECK(memcmp(back, "hello async", 11) == 0);
    EmuFileClose(h);
}

/* ---- 2. a read pended in a post-operation callback ---- */
static void test_async_read_pended_in_post(void)
{
    int v = AsSetup();
    AsReset(IRP_MJ_READ);
    g_tf[1].Post = AsPostPend;
    TPut(v, "\\r.txt", "0123456789");
    uint64_t h = AsOpen(v, "\\r.txt", GENERIC_READ, FILE_OPEN, 1);
    AS_RESUMER r = { .WaitForCaller = 1 };
    pthread_create(&r.Thread, NULL, AsResumerMain, &r);
    ULONG me = (ULONG)(ULONG_PTR)PsGetCurrentThreadId();
    char buffer[16] = { 0 };
    uint64_t request = 0;
    g_log[0] = 0;
    NTSTATUS s = EmuFileReadAsync(h, 2, buffer, 6, 0, &request);
    CHECK_EQ(s, STATUS_PENDING);
    CHECK(request != 0);
    CHECK(strcmp(g_log, "C>read B>read A>read A<read B<read ") == 0);   /* C's post waits for B */
    int32_t status = -1;
    uint64_t information = 99;
    CHECK_EQ(EmuIoWait(request, 0, &status, &information), STATUS_TIMEOUT);
    AsSet(&g_asCallerReturned);
    CHECK_EQ(EmuIoWait(request, EMU_INFINITE, &status, &information), STATUS_SUCCESS);
    pthread_join(r.Thread, NULL);
    CHECK(!r.CallerBlocked);
    CHECK_EQ(status, STATUS_SUCCESS);
    CHECK_EQ(information, 6);
    CHECK(memcmp(buffer, "234567", 6) == 0);
    CHECK(strcmp(g_log, "C>read B>read A>read A<read B<read C<read ") == 0);
    CHECK_EQ(g_tf[0].LastPostThread, me);               /* A and B completed on the caller's thread ... */
    CHECK_EQ(g_tf[1].LastPostThread, me);
    CHECK_EQ(g_tf[2].LastPostThread, r.Tid);            /* ... C once B's worker resumed it */
    EmuFileClose(h);
}

/* ---- 3. a read pended in pre: the caller's buffer is filled later, by the resuming thread ---- */
static void test_async_read_buffer_filled_at_completion(void)
{
    int v = AsSetup();
    AsReset(IRP_MJ_READ);
    g_tf[1].Pre = AsPrePend;
    TPut(v, "\\r.txt", "abcdef");
    uint64_t h = AsOpen(v, "\\r.txt", GENERIC_READ, FILE_OPEN, 1);
    AS_RESUMER r = { .WaitForCaller = 1 };
    pthread_create(&r.Thread, NULL, AsResumerMain, &r);
    char *buffer = calloc(1, 8);          /* heap: ASan sees any use of it after it is freed */
    uint64_t request = 0;
    CHECK_EQ(EmuFileReadAsync(h, 0, buffer, 6, 0, &request), STATUS_PENDING);
    CHECK_EQ(buffer[0], 0);                                 /* nothing read yet */
    AsSet(&g_asCallerReturned);
    int32_t status = -1;
    uint64_t information = 0;
    CHECK_EQ(EmuIoWait(request, EMU_INFINITE, &status, &information), STATUS_SUCCESS);
    pthread_join(r.Thread, NULL);
    CHECK_EQ(status, STATUS_SUCCESS);
    CHECK_EQ(information, 6);
    CHECK(memcmp(buffer, "abcdef", 6) == 0);
    free(buffer);
    EmuFileClose(h);
}

/* ---- 4. not pended: the final status at once; the request is still waited on ---- */
static void test_async_not_pended_returns_final_status(void)
{
    int v = AsSetup();
    AsReset(IRP_MJ_WRITE);
    uint64_t h = AsOpen(v, "\\n.txt", GENERIC_WRITE, FILE_CREATE, 1);
    uint64_t request = 0;
    CHECK_EQ(EmuFileWriteAsync(h, 0, "xyz", 3, 0, &request), STATUS_SUCCESS);
    CHECK(request != 0);
    CHECK_EQ(EmuFsRead(v, "\\n.txt", NULL, 0), 3);
    int32_t status = -1;
    uint64_t information = 0;
    CHECK_EQ(EmuIoWait(request, 0, &status, &information), STATUS_SUCCESS);
    CHECK_EQ(status, STATUS_SUCCESS);
    CHECK_EQ(information, 3);
    /* Refused by the I/O manager before any IRP: no request. */
    CHECK_EQ(EmuFileReadAsync(h, 0, (char[4]){ 0 }, 3, 0, &request), STATUS_ACCESS_DENIED);
    CHECK_EQ(request, 0);
    CHECK_EQ(EmuFileWriteAsync(h, 0, "xyz", 3, EMU_IO_FAST, &request), STATUS_INVALID_PARAMETER);
    CHECK_EQ(request, 0);
    CHECK_EQ(EmuFileWriteAsync(0x7777, 0, "xyz", 3, 0, &request), STATUS_INVALID_HANDLE);
    CHECK_EQ(request, 0);
    EmuFileClose(h);
}

/* ---- 5. a synchronous IRP a filter pends still blocks its caller until it completes ---- */
typedef struct AS_CALLER {
    pthread_t Thread;
    uint64_t Handle;
    int Async;                  /* EmuFileWriteAsync (on a synchronous handle) instead of EmuFileWrite */
    NTSTATUS Status;
    uint32_t Bytes;
    uint64_t Request;
    int SawCompleting;          /* the resumer had started to resume it when the call returned */
} AS_CALLER;

static void *AsCallerMain(void *p)
{
    AS_CALLER *c = p;
    EmuSetCurrentProcess(TEST_PID);
    if (c->Async) {
        c->Status = EmuFileWriteAsync(c->Handle, 0, "sync!", 5, 0, &c->Request);
    } else {
        c->Status = EmuFileWrite(c->Handle, 0, "sync!", 5, 0, &c->Bytes);
    }
    c->SawCompleting = AsGet(&g_asCompleting);
    AsSet(&g_asCallerReturned);
    return NULL;
}

static void AsSynchronousBlocks(int async)
{
    int v = AsSetup();
    AsReset(IRP_MJ_WRITE);
    g_tf[1].Pre = AsPrePend;
    AS_CALLER c = { .Async = async };
    c.Handle = AsOpen(v, "\\s.txt", GENERIC_WRITE, FILE_CREATE, 0);
    pthread_create(&c.Thread, NULL, AsCallerMain, &c);
    CHECK(AsWaitHeld(0));                                    /* B holds it */
    CHECK(g_asSynchronous);                                  /* FltIsOperationSynchronous: TRUE */
    CHECK_EQ(AsGet(&g_asCallerReturned), 0);
    AsSet(&g_asCompleting);
    FltCompletePendedPreOperation(g_asHeld, FLT_PREOP_SUCCESS_WITH_CALLBACK, NULL);
    pthread_join(c.Thread, NULL);
    CHECK_EQ(c.SawCompleting, 1);                            /* it returned only after the completion started */
    CHECK_EQ(c.Status, STATUS_SUCCESS);                      /* the final status, never STATUS_PENDING */
    if (async) {
        int32_t status = -1;
        uint64_t information = 0;
        CHECK_EQ(EmuIoWait(c.Request, 0, &status, &information), STATUS_SUCCESS);
        CHECK_EQ(status, STATUS_SUCCESS);
        CHECK_EQ(information, 5);
    } else {
        CHECK_EQ(c.Bytes, 5);
    }
    CHECK_EQ(EmuFsRead(v, "\\s.txt", NULL, 0), 5);
    EmuFileClose(c.Handle);
}

static void test_sync_irp_pended_blocks_caller(void) { AsSynchronousBlocks(0); }
static void test_async_call_on_sync_handle_blocks_caller(void) { AsSynchronousBlocks(1); }

/* ---- 6. the caller's contract: one wait per request, no request left, no buffer shared with a read ---- */
static void test_request_waited_twice(void)
{
    int v = AsSetup();
    uint64_t h = AsOpen(v, "\\t.txt", GENERIC_WRITE, FILE_CREATE, 1);
    uint64_t request = 0;
    CHECK_EQ(EmuFileWriteAsync(h, 0, "ab", 2, 0, &request), STATUS_SUCCESS);
    int32_t status;
    uint64_t information;
    CHECK_EQ(EmuIoWait(request, EMU_INFINITE, &status, &information), STATUS_SUCCESS);
    CHECK_EQ(EmuIoWait(request, EMU_INFINITE, &status, &information), STATUS_INVALID_HANDLE);
    CHECK_VIOLATION("was already waited on");
    CHECK_EQ(EmuIoWait(request + 1000, 0, &status, &information), STATUS_INVALID_HANDLE);   /* never issued: no violation */
    EmuFileClose(h);
}

/* A thread that waits for a request until it completes. */
typedef struct AS_WAITER { pthread_t Thread; uint64_t Request; int32_t Result; int32_t Status; uint64_t Information; } AS_WAITER;
static void *AsWaiterMain(void *p)
{
    AS_WAITER *w = p;
    w->Result = EmuIoWait(w->Request, EMU_INFINITE, &w->Status, &w->Information);
    return NULL;
}

static void test_request_waited_by_two_threads(void)
{
    int v = AsSetup();
    AsReset(IRP_MJ_WRITE);
    g_tf[1].Pre = AsPrePend;
    uint64_t h = AsOpen(v, "\\two.txt", GENERIC_WRITE, FILE_CREATE, 1);
    AS_WAITER w = { 0 };
    CHECK_EQ(EmuFileWriteAsync(h, 0, "two", 3, 0, &w.Request), STATUS_PENDING);
    pthread_create(&w.Thread, NULL, AsWaiterMain, &w);
    /* Polls until the other thread is inside its wait: a poll of ours then finds the request taken (the state
       itself is the condition; the bound only turns a wait that never starts into a failure). */
    NTSTATUS s = STATUS_TIMEOUT;
    uint64_t until = EmuNowNs() + (uint64_t)AS_GUARD_SECONDS * 1000000000u;
    while (s == STATUS_TIMEOUT && EmuNowNs() < until) {
        int32_t status;
        uint64_t information;
        s = EmuIoWait(w.Request, 0, &status, &information);
        sched_yield();
    }
    CHECK_EQ(s, STATUS_INVALID_HANDLE);
    CHECK_VIOLATION("is being waited on by another thread");
    FltCompletePendedPreOperation(g_asHeld, FLT_PREOP_SUCCESS_WITH_CALLBACK, NULL);
    pthread_join(w.Thread, NULL);
    CHECK_EQ(w.Result, STATUS_SUCCESS);                     /* the first waiter still gets the completion */
    CHECK_EQ(w.Status, STATUS_SUCCESS);
    CHECK_EQ(w.Information, 3);
    EmuFileClose(h);
}

static void test_request_never_waited_is_a_leak(void)
{
    int v = EmuCreateVolume("\\Device\\HarddiskVolume1", 4, 0);
    TfStart(0, "200000", NULL, NULL);
    AsReset(IRP_MJ_WRITE);
    uint64_t h = AsOpen(v, "\\l.txt", GENERIC_WRITE, FILE_CREATE, 1);
    uint64_t request = 0;
    CHECK_EQ(EmuFileWriteAsync(h, 0, "ab", 2, 0, &request), STATUS_SUCCESS);
    EmuFileClose(h);
    TfUnload(&g_tf[0]);                                     /* the last filter: leaks are checked */
    CHECK_VIOLATION("was never waited on with EmuIoWait");
    EmuAsyncCheckLeaks();                                   /* reported once */
    int32_t status;
    uint64_t information;
    CHECK_EQ(EmuIoWait(request, 0, &status, &information), STATUS_SUCCESS);    /* still there to be waited on */
    CHECK_EQ(information, 2);
}

static void test_buffer_of_a_read_in_flight(void)
{
    int v = AsSetup();
    AsReset(IRP_MJ_READ);
    g_tf[1].Pre = AsPrePend;
    TPut(v, "\\b.txt", "abcdef");
    uint64_t h = AsOpen(v, "\\b.txt", GENERIC_READ | GENERIC_WRITE, FILE_OPEN, 1);
    AS_RESUMER r = { .WaitForCaller = 1 };
    pthread_create(&r.Thread, NULL, AsResumerMain, &r);
    char buffer[8] = { 0 };
    uint64_t first = 0, second = 7;
    CHECK_EQ(EmuFileReadAsync(h, 0, buffer, 4, 0, &first), STATUS_PENDING);
    CHECK_EQ(EmuFileWriteAsync(h, 0, buffer + 2, 4, 0, &second), STATUS_INVALID_PARAMETER);
    CHECK_VIOLATION("overlaps the buffer of request");
    CHECK_EQ(second, 0);
    CHECK_EQ(g_tf[1].PreCount, 2);                          /* the create and the read: the refused write never started */
    AsSet(&g_asCallerReturned);
    int32_t status;
    uint64_t information;
    CHECK_EQ(EmuIoWait(first, EMU_INFINITE, &status, &information), STATUS_SUCCESS);
    pthread_join(r.Thread, NULL);
    CHECK_EQ(information, 4);
    CHECK(memcmp(buffer, "abcd", 4) == 0);
    /* Completed: the buffer is the caller's again. */
    g_tf[1].Pre = NULL;
    CHECK_EQ(EmuFileWriteAsync(h, 0, buffer + 2, 2, 0, &second), STATUS_SUCCESS);
    CHECK_EQ(EmuIoWait(second, 0, &status, &information), STATUS_SUCCESS);
    EmuFileClose(h);
}

/* ---- 7. the filter's side: what may be pended, and how it is resumed ---- */
static void test_pended_completed_twice(void)
{
    int v = AsSetup();
    AsReset(IRP_MJ_WRITE);
    g_tf[1].Pre = AsPrePend;
    uint64_t h = AsOpen(v, "\\d.txt", GENERIC_WRITE, FILE_CREATE, 1);
    uint64_t request = 0;
    AS_RESUMER r = { .WaitForCaller = 1, .Twice = 1 };      /* resumes it, then again once that returned */
    pthread_create(&r.Thread, NULL, AsResumerMain, &r);
    CHECK_EQ(EmuFileWriteAsync(h, 0, "once", 4, 0, &request), STATUS_PENDING);
    int postsOfA = g_tf[0].PostCount;
    AsSet(&g_asCallerReturned);
    pthread_join(r.Thread, NULL);
    CHECK_VIOLATION("FltCompletePendedPreOperation on an operation that is not pended");
    CHECK_EQ(g_tf[0].PostCount, postsOfA + 1);              /* once, not twice */
    int32_t status;
    uint64_t information;
    CHECK_EQ(EmuIoWait(request, 0, &status, &information), STATUS_SUCCESS);
    CHECK_EQ(information, 4);
    /* The same for a post-operation pend. */
    AsReset(IRP_MJ_WRITE);
    g_tf[1].Pre = NULL;
    g_tf[1].Post = AsPostPend;
    AS_RESUMER r2 = { .WaitForCaller = 1, .Twice = 1 };
    pthread_create(&r2.Thread, NULL, AsResumerMain, &r2);
    CHECK_EQ(EmuFileWriteAsync(h, 4, "twice", 5, 0, &request), STATUS_PENDING);
    int postsOfC = g_tf[2].PostCount;
    AsSet(&g_asCallerReturned);
    pthread_join(r2.Thread, NULL);
    CHECK_VIOLATION("FltCompletePendedPostOperation on an operation that is not pended");
    CHECK_EQ(g_tf[2].PostCount, postsOfC + 1);
    CHECK_EQ(EmuIoWait(request, 0, &status, &information), STATUS_SUCCESS);
    CHECK_EQ(information, 5);
    EmuFileClose(h);
}

/* Pends and resumes at once, from inside the callback (before it returns FLT_PREOP_PENDING). */
static FLT_PREOP_CALLBACK_STATUS AsPrePendResumedInline(TF *tf, PFLT_CALLBACK_DATA d, PCFLT_RELATED_OBJECTS o, PVOID *c)
{
    (void)tf; (void)o;
    if (d->Iopb->MajorFunction != g_asMajor) {
        return FLT_PREOP_SUCCESS_WITH_CALLBACK;
    }
    *c = g_asPendContext;
    FltCompletePendedPreOperation(d, FLT_PREOP_SUCCESS_WITH_CALLBACK, NULL);
    return FLT_PREOP_PENDING;
}

static void test_fast_io_may_not_be_pended(void)
{
    int v = AsSetup();
    AsReset(IRP_MJ_READ);
    g_tf[1].Pre = AsPrePendResumedInline;
    TPut(v, "\\f.txt", "abc");
    uint64_t h = AsOpen(v, "\\f.txt", GENERIC_READ, FILE_OPEN, 0);
    char b[4];
    uint32_t n = 0;
    CHECK_EQ(EmuFileReadEx(h, 0, b, 3, EMU_IO_FAST, &n), STATUS_SUCCESS);
    CHECK_VIOLATION("returned FLT_PREOP_PENDING for IRP_MJ_READ, which is not an IRP-based operation (fast I/O)");
    CHECK_EQ(EmuFileReadEx(h, 0, b, 3, 0, &n), STATUS_SUCCESS);     /* an IRP may be: no violation */
    EmuFileClose(h);
}

/* A filter of its own for a file system filter callback (the test filters do not register one). */
static PFLT_FILTER g_asSectionFilter;
static FLT_PREOP_CALLBACK_STATUS FLTAPI AsPreSection(PFLT_CALLBACK_DATA d, PCFLT_RELATED_OBJECTS o, PVOID *c)
{
    (void)o; (void)c;
    FltCompletePendedPreOperation(d, FLT_PREOP_SUCCESS_NO_CALLBACK, NULL);
    return FLT_PREOP_PENDING;
}
static NTSTATUS FLTAPI AsUnloadSection(FLT_FILTER_UNLOAD_FLAGS f) { (void)f; FltUnregisterFilter(g_asSectionFilter); return STATUS_SUCCESS; }

static void test_fs_filter_callback_may_not_be_pended(void)
{
    static const FLT_OPERATION_REGISTRATION ops[] = {
        { IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION, 0, AsPreSection, NULL, NULL }, { IRP_MJ_OPERATION_END, 0, NULL, NULL, NULL } };
    FLT_REGISTRATION reg = { sizeof(reg), FLT_REGISTRATION_VERSION, 0, NULL, ops, AsUnloadSection, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL };
    static DRIVER_OBJECT driver;
    int v = EmuCreateVolume("\\Device\\HarddiskVolume1", 4, 0);
    EmuSetNextAltitude("300000");
    CHECK_EQ(FltRegisterFilter(&driver, &reg, &g_asSectionFilter), 0);
    CHECK_EQ(FltStartFiltering(g_asSectionFilter), 0);
    TPut(v, "\\m.txt", "abc");
    uint64_t h = AsOpen(v, "\\m.txt", GENERIC_READ, FILE_OPEN, 1);
    CHECK_EQ(EmuFileAcquireForSection(h, 1, PAGE_READONLY), STATUS_SUCCESS);
    CHECK_VIOLATION("returned FLT_PREOP_PENDING for IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION, which is not an IRP-based operation (a file system filter callback)");
    EmuFileClose(h);
    CHECK_EQ(EmuUnloadFilter(g_asSectionFilter), 0);
}

static void test_pending_with_completion_context(void)
{
    int v = AsSetup();
    AsReset(IRP_MJ_WRITE);
    g_tf[1].Pre = AsPrePendResumedInline;
    g_asPendContext = (PVOID)0x5678;
    uint64_t h = AsOpen(v, "\\c.txt", GENERIC_WRITE, FILE_CREATE, 1);
    uint64_t request = 0;
    CHECK_EQ(EmuFileWriteAsync(h, 0, "ctx", 3, 0, &request), STATUS_PENDING);   /* pended: STATUS_PENDING, though already done */
    CHECK_VIOLATION("returned FLT_PREOP_PENDING for IRP_MJ_WRITE with a CompletionContext");
    int32_t status;
    uint64_t information;
    CHECK_EQ(EmuIoWait(request, 0, &status, &information), STATUS_SUCCESS);
    CHECK_EQ(status, STATUS_SUCCESS);
    EmuFileClose(h);
}

static void test_resume_with_synchronize_is_refused(void)
{
    int v = AsSetup();
    AsReset(IRP_MJ_WRITE);
    g_tf[1].Pre = AsPrePend;
    uint64_t h = AsOpen(v, "\\y.txt", GENERIC_WRITE, FILE_CREATE, 1);
    uint64_t request = 0;
    AS_RESUMER r = { .WaitForCaller = 1, .Status = FLT_PREOP_SYNCHRONIZE, .Context = (PVOID)0x99 };
    pthread_create(&r.Thread, NULL, AsResumerMain, &r);
    CHECK_EQ(EmuFileWriteAsync(h, 0, "sy", 2, 0, &request), STATUS_PENDING);
    int posts = g_tf[1].PostCount;
    AsSet(&g_asCallerReturned);
    pthread_join(r.Thread, NULL);
    CHECK_VIOLATION("FltCompletePendedPreOperation with FLT_PREOP_SYNCHRONIZE");
    CHECK_EQ(g_tf[1].PostCount, posts + 1);                 /* its post-operation callback still ran, with the context */
    CHECK(g_tf[1].LastPostContext == (PVOID)0x99);
    int32_t status;
    uint64_t information;
    CHECK_EQ(EmuIoWait(request, 0, &status, &information), STATUS_SUCCESS);
    EmuFileClose(h);
}

/* ---- 8. pended the documented way: FltQueueDeferredIoWorkItem, resumed by the work item ---- */
static NTSTATUS g_asQueueStatus;
static ULONG g_asWorkerThread;

static VOID AsDeferredWorker(PFLT_DEFERRED_IO_WORKITEM w, PFLT_CALLBACK_DATA d, PVOID c)
{
    (void)c;
    g_asWorkerThread = (ULONG)(ULONG_PTR)PsGetCurrentThreadId();
    FltFreeDeferredIoWorkItem(w);
    FltCompletePendedPreOperation(d, FLT_PREOP_SUCCESS_WITH_CALLBACK, NULL);
}

static FLT_PREOP_CALLBACK_STATUS AsPrePostToWorkItem(TF *tf, PFLT_CALLBACK_DATA d, PCFLT_RELATED_OBJECTS o, PVOID *c)
{
    (void)tf; (void)o; (void)c;
    if (d->Iopb->MajorFunction != g_asMajor) {
        return FLT_PREOP_SUCCESS_WITH_CALLBACK;
    }
    PFLT_DEFERRED_IO_WORKITEM w = FltAllocateDeferredIoWorkItem();
    g_asQueueStatus = FltQueueDeferredIoWorkItem(w, d, AsDeferredWorker, DelayedWorkQueue, NULL);
    if (!NT_SUCCESS(g_asQueueStatus)) {
        FltFreeDeferredIoWorkItem(w);
        return FLT_PREOP_SUCCESS_WITH_CALLBACK;     /* not safe to post: processed here, as the documentation asks */
    }
    return FLT_PREOP_PENDING;
}

static void test_pended_through_deferred_io_work_item(void)
{
    int v = AsSetup();
    AsReset(IRP_MJ_WRITE);
    g_tf[1].Pre = AsPrePostToWorkItem;
    uint64_t h = AsOpen(v, "\\q.txt", GENERIC_WRITE, FILE_CREATE, 1);
    ULONG me = (ULONG)(ULONG_PTR)PsGetCurrentThreadId();
    uint64_t request = 0;
    /* STATUS_PENDING whether or not the work item has already resumed it: the IRP was marked pending. */
    CHECK_EQ(EmuFileWriteAsync(h, 0, "item", 4, 0, &request), STATUS_PENDING);
    int32_t status = -1;
    uint64_t information = 0;
    CHECK_EQ(EmuIoWait(request, EMU_INFINITE, &status, &information), STATUS_SUCCESS);
    CHECK_EQ(g_asQueueStatus, STATUS_SUCCESS);
    CHECK_EQ(status, STATUS_SUCCESS);
    CHECK_EQ(information, 4);
    CHECK(g_asWorkerThread != 0 && g_asWorkerThread != me);
    CHECK_EQ(EmuFsRead(v, "\\q.txt", NULL, 0), 4);
    /* With a top-level IRP on the thread it is not safe to post: the filter processes it at once, nothing pends. */
    IoSetTopLevelIrp((PIRP)FSRTL_CACHE_TOP_LEVEL_IRP);
    CHECK_EQ(EmuFileWriteAsync(h, 4, "more", 4, 0, &request), STATUS_SUCCESS);
    IoSetTopLevelIrp(NULL);
    CHECK_EQ(g_asQueueStatus, STATUS_FLT_NOT_SAFE_TO_POST_OPERATION);
    CHECK_EQ(EmuIoWait(request, 0, &status, &information), STATUS_SUCCESS);
    CHECK_EQ(information, 4);
    CHECK_EQ(EmuFsRead(v, "\\q.txt", NULL, 0), 8);
    EmuFileClose(h);
}

const TEST_CASE g_asyncTests[] = {
    { "async: a write pended in pre returns STATUS_PENDING; the rest runs on the resuming thread", test_async_write_pended_in_pre },
    { "async: a read pended in post (MORE_PROCESSING_REQUIRED) returns STATUS_PENDING", test_async_read_pended_in_post },
    { "async: a pended read fills the caller's buffer at completion", test_async_read_buffer_filled_at_completion },
    { "async: not pended: the final status at once; refused calls issue nothing", test_async_not_pended_returns_final_status },
    { "async: a synchronous IRP a filter pends blocks its caller until completion", test_sync_irp_pended_blocks_caller },
    { "async: EmuFileWriteAsync on a synchronous handle blocks as NtWriteFile does", test_async_call_on_sync_handle_blocks_caller },
    { "async: a request waited on twice is a violation", test_request_waited_twice },
    { "async: a request waited on by two threads at once is a violation", test_request_waited_by_two_threads },
    { "async: a request never waited on is a leak", test_request_never_waited_is_a_leak },
    { "async: a buffer shared with a read in flight is refused", test_buffer_of_a_read_in_flight },
    { "async: completing a pended operation twice is a violation", test_pended_completed_twice },
    { "async: FLT_PREOP_PENDING for fast I/O is a violation", test_fast_io_may_not_be_pended },
    { "async: FLT_PREOP_PENDING for a file system filter callback is a violation", test_fs_filter_callback_may_not_be_pended },
    { "async: FLT_PREOP_PENDING with a CompletionContext is a violation", test_pending_with_completion_context },
    { "async: FltCompletePendedPreOperation refuses FLT_PREOP_SYNCHRONIZE", test_resume_with_synchronize_is_refused },
    { "async: pended through FltQueueDeferredIoWorkItem; not safe to post with a top-level IRP", test_pended_through_deferred_io_work_item },
};
const size_t g_asyncTestsCount = sizeof(g_asyncTests) / sizeof(g_asyncTests[0]);
