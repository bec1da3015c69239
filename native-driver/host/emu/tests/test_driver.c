/*
 * test_driver.c - the REAL driver (native-driver/src, compiled unchanged)
 * under the emulated Filter Manager: policies pushed over the emulated port
 * exactly as user mode would (bytes built per jmf_protocol.h), and file
 * operations issued by an emulated process. Small test filters sit below
 * the driver to observe what it sends down.
 */
#include "test_driver_util.h"
#include <unistd.h>

/* ---- a test filter below the driver observes what it sends down ---- */
static ACCESS_MASK g_lowerAccess;
static FLT_PREOP_CALLBACK_STATUS SeeAccess(TF *tf, PFLT_CALLBACK_DATA d, PCFLT_RELATED_OBJECTS o, PVOID *c)
{
    (void)tf; (void)o; (void)c;
    if (d->Iopb->MajorFunction == IRP_MJ_CREATE) {
        g_lowerAccess = d->Iopb->Parameters.Create.SecurityContext->DesiredAccess;
    }
    return FLT_PREOP_SUCCESS_WITH_CALLBACK;
}

static void Observer(void)
{
    TfStart(0, "200000", SeeAccess, NULL);
}

/* ---- tests ---- */
static void test_load_unload_with_client(void)
{
    Start();
    void *second = NULL;
    CHECK_EQ(Connect(JMF_CONNECT_MAGIC, &second), EMU_E_CONNECTION_COUNT_LIMIT);     /* MaxConnections = 1 */
    Stop();
    CHECK_EQ(EmuPoolBlocks(), 0);
}

static void test_connect_checks_context(void)
{
    g_v1 = EmuCreateVolume("\\Device\\HarddiskVolume1", 4, 0);
    CHECK_EQ(EmuLoadDriver(DRIVER_ALTITUDE), STATUS_SUCCESS);
    void *p = NULL;
    CHECK_EQ(Connect(0x12345678u, &p), EMU_E_REVISION_MISMATCH);
    CHECK_EQ(Connect(JMF_CONNECT_MAGIC, &p), 0);       /* the refused connection did not take the slot */
    EmuFilterClose(p);
    CHECK_EQ(EmuUnloadDriver(), STATUS_SUCCESS);
}

static void test_bad_policy_named(void)
{
    Start();
    PB pb;
    memset(&pb, 0, sizeof(pb));
    PbRule(&pb, 1, JMF_OP_CREATE, "\\secret\\**", JMF_ACTION_DENY);
    JMF_RESULT r = SendPolicy(&pb);
    CHECK_EQ(r.Error, JMF_ERROR_NONE);
    JMF_U32 good = r.Generation;
    PbRule(&pb, 2, JMF_OP_CREATE, "\\x", JMF_ACTION_DENY)->Action.Status = 0;    /* not an error status */
    r = SendPolicy(&pb);
    CHECK_EQ(r.Error, JMF_ERROR_BAD_STATUS);
    CHECK_EQ(r.RuleIndex, 1);
    CHECK_EQ(r.Generation, good);               /* the policy in force is unchanged */
    NTSTATUS s;
    EmuFsPut(g_v1, "\\secret", NULL, 0, 1);
    TOpen(g_v1, "\\secret\\a.txt", GENERIC_WRITE, FILE_CREATE, &s, NULL);
    CHECK_EQ(s, STATUS_ACCESS_DENIED);
    Stop();
}

static void test_deny_pre_create(void)
{
    Start();
    Observer();
    EmuFsPut(g_v1, "\\secret", NULL, 0, 1);
    PB pb;
    memset(&pb, 0, sizeof(pb));
    PbRule(&pb, 7, JMF_OP_CREATE, "\\secret\\**", JMF_ACTION_DENY);
    CHECK_EQ(SendPolicy(&pb).Error, JMF_ERROR_NONE);
    JMF_STATISTICS before;
    GetStatistics(&before);
    NTSTATUS s;
    uint64_t info = 9;
    g_log[0] = 0;
    TOpen(g_v1, "\\Secret\\plan.txt", GENERIC_WRITE, FILE_CREATE, &s, &info);
    CHECK_EQ(s, STATUS_ACCESS_DENIED);
    CHECK_EQ(info, 0);
    CHECK_EQ(g_tf[0].PreCount, 0);                        /* completed in pre-create: nothing below saw it */
    CHECK_EQ(EmuFsExists(g_v1, "\\secret\\plan.txt"), 0);
    /* the connected service's own I/O is never filtered */
    EmuSetCurrentProcess(JAVA_PID);
    uint64_t h = TOpen(g_v1, "\\secret\\plan.txt", GENERIC_WRITE, FILE_CREATE, &s, NULL);
    CHECK_EQ(s, STATUS_SUCCESS);
    EmuFileClose(h);
    EmuSetCurrentProcess(TEST_PID);
    JMF_STATISTICS st;
    GetStatistics(&st);
    CHECK_EQ(st.Verdicts[JMF_ACTION_DENY] - before.Verdicts[JMF_ACTION_DENY], 1);
    TfUnload(&g_tf[0]);
    Stop();
}

static void test_deny_post_create_does_not_undo(void)
{
    Start();
    PB pb;
    memset(&pb, 0, sizeof(pb));
    JMF_RULE *r = PbRule(&pb, 8, JMF_OP_CREATE, "\\**.exe", JMF_ACTION_DENY);
    r->Action.Flags = JMF_ACTION_FLAG_POST_CREATE;
    r->MatchFlags = JMF_MATCH_CREATED;
    CHECK_EQ(SendPolicy(&pb).Error, JMF_ERROR_NONE);
    JMF_STATISTICS before;
    GetStatistics(&before);
    NTSTATUS s;
    uint64_t info = 9;
    uint64_t h = TOpen(g_v1, "\\evil.exe", GENERIC_WRITE, FILE_CREATE, &s, &info);
    CHECK_EQ(s, STATUS_ACCESS_DENIED);
    CHECK_EQ(info, 0);
    CHECK_EQ(h, 0);
    CHECK_EQ(EmuFsExists(g_v1, "\\evil.exe"), 1);        /* FltCancelFileOpen does not delete what the create made */
    JMF_STATISTICS st;
    GetStatistics(&st);
    CHECK_EQ(st.PostCreateCancels - before.PostCreateCancels, 1);
    h = TOpen(g_v1, "\\evil.exe", GENERIC_READ, FILE_OPEN, &s, NULL);     /* opening, not creating: allowed */
    CHECK_EQ(s, STATUS_SUCCESS);
    EmuFileClose(h);
    Stop();
}

static void test_modify_strips_access(void)
{
    Start();
    Observer();
    TPut(g_v1, "\\ro.txt", "read only please");
    PB pb;
    memset(&pb, 0, sizeof(pb));
    JMF_RULE *r = PbRule(&pb, 9, JMF_OP_CREATE, "\\ro.txt", JMF_ACTION_MODIFY);
    r->Action.AccessClear = FILE_WRITE_DATA | FILE_APPEND_DATA;
    CHECK_EQ(SendPolicy(&pb).Error, JMF_ERROR_NONE);
    NTSTATUS s;
    uint64_t h = TOpen(g_v1, "\\ro.txt", GENERIC_READ | GENERIC_WRITE, FILE_OPEN, &s, NULL);
    CHECK_EQ(s, STATUS_SUCCESS);
    CHECK_EQ(g_lowerAccess & (FILE_WRITE_DATA | FILE_APPEND_DATA), 0);      /* the filter below sees the stripped access */
    CHECK(g_lowerAccess & FILE_READ_DATA);
    uint32_t n;
    CHECK_EQ(EmuFileWrite(h, 0, "x", 1, 0, &n), STATUS_ACCESS_DENIED);   /* the handle has no write access */
    char b[4];
    CHECK_EQ(EmuFileRead(h, 0, b, 4, &n), 0);
    EmuFileClose(h);
    TfUnload(&g_tf[0]);
    Stop();
}

static ULONG g_lowerSawWriteThrough;
static FLT_PREOP_CALLBACK_STATUS SeeWriteThrough(TF *tf, PFLT_CALLBACK_DATA d, PCFLT_RELATED_OBJECTS o, PVOID *c)
{
    (void)tf; (void)o; (void)c;
    if (d->Iopb->MajorFunction == IRP_MJ_WRITE) {
        g_lowerSawWriteThrough = d->Iopb->OperationFlags & SL_WRITE_THROUGH;
    }
    return FLT_PREOP_SUCCESS_NO_CALLBACK;
}

static void test_modify_write_through(void)
{
    Start();
    CHECK_EQ(EmuObserverStart("100000"), 0);      /* the library's own observer, as the Java tests use it */
    TfStart(0, "200000", SeeWriteThrough, NULL);
    PB pb;
    memset(&pb, 0, sizeof(pb));
    JMF_RULE *r = PbRule(&pb, 10, JMF_OP_WRITE, "\\journal\\**", JMF_ACTION_MODIFY);
    r->Action.OperationFlagsSet = JMF_SL_WRITE_THROUGH;
    CHECK_EQ(SendPolicy(&pb).Error, JMF_ERROR_NONE);
    EmuFsPut(g_v1, "\\journal", NULL, 0, 1);
    NTSTATUS s;
    uint64_t h = TOpen(g_v1, "\\journal\\log.txt", GENERIC_WRITE, FILE_CREATE, &s, NULL);
    g_lowerSawWriteThrough = 0;
    CHECK_EQ(EmuFileWrite(h, 0, "entry", 5, 0, NULL), 0);
    CHECK_EQ(g_lowerSawWriteThrough, SL_WRITE_THROUGH);
    EMU_OBSERVED o;
    CHECK_EQ(EmuObserverLast(IRP_MJ_WRITE, &o), 0);
    CHECK_EQ(o.OperationFlags & SL_WRITE_THROUGH, SL_WRITE_THROUGH);
    CHECK_EQ(o.Length, 5);
    CHECK_EQ(o.RequestorPid, TEST_PID);
    CHECK_EQ(o.VolumeId, g_v1);
    EmuFileClose(h);
    h = TOpen(g_v1, "\\other.txt", GENERIC_WRITE, FILE_CREATE, &s, NULL);
    CHECK_EQ(EmuFileWrite(h, 0, "entry", 5, 0, NULL), 0);
    CHECK_EQ(g_lowerSawWriteThrough, 0);
    EmuFileClose(h);
    TfUnload(&g_tf[0]);
    CHECK_EQ(EmuObserverStop(), 0);
    Stop();
}

static void test_redirect_reads_and_writes(void)
{
    Start();
    EmuSetPostOperationIrql(IRP_MJ_READ, DISPATCH_LEVEL);
    EmuSetPostOperationIrql(IRP_MJ_WRITE, DISPATCH_LEVEL);
    EmuFsPut(g_v1, "\\data", NULL, 0, 1);
    EmuFsPut(g_v2, "\\data", NULL, 0, 1);
    TPut(g_v1, "\\data\\f.txt", "on volume one");
    TPut(g_v2, "\\data\\f.txt", "on volume two");
    PB pb;
    memset(&pb, 0, sizeof(pb));
    pb.Volumes[0] = "\\Device\\HarddiskVolume1";
    pb.Volumes[1] = "\\Device\\HarddiskVolume2";
    pb.VolumeCount = 2;
    JMF_RULE *r = PbRule(&pb, 11, JMF_OP_CREATE | JMF_OP_READ | JMF_OP_WRITE, "\\data\\**", JMF_ACTION_REDIRECT);
    r->Volume = 0;
    r->Action.TargetVolume = 1;
    JMF_RESULT res = SendPolicy(&pb);
    CHECK_EQ(res.Error, JMF_ERROR_NONE);
    CHECK_EQ(res.RuleIndex, JMF_INDEX_NONE);
    NTSTATUS s;
    uint64_t h = TOpen(g_v1, "\\data\\f.txt", GENERIC_READ | GENERIC_WRITE, FILE_OPEN, &s, NULL);
    CHECK_EQ(s, STATUS_SUCCESS);
    char b[16] = {0};
    uint32_t n = 0;
    CHECK_EQ(EmuFileRead(h, 0, b, 13, &n), 0);
    CHECK(memcmp(b, "on volume two", 13) == 0);
    CHECK_EQ(EmuFileWrite(h, 0, "ON", 2, 0, &n), 0);
    char v1[16] = {0}, v2[16] = {0};
    EmuFsRead(g_v1, "\\data\\f.txt", v1, 13);
    EmuFsRead(g_v2, "\\data\\f.txt", v2, 13);
    CHECK(memcmp(v1, "on volume one", 13) == 0);
    CHECK(memcmp(v2, "ON volume two", 13) == 0);
    CHECK_EQ(EmuFileReadEx(h, 0, b, 2, EMU_IO_FAST, &n), 0);     /* fast I/O refused, reissued as an IRP, still redirected */
    CHECK(memcmp(b, "ON", 2) == 0);
    EmuFileClose(h);
    Stop();
}

typedef struct ANSWERER { pthread_t Thread; JMF_U32 Verdict; int Asked; int Reply; } ANSWERER;

static void *AnswerMain(void *p)
{
    ANSWERER *a = p;
    static uint64_t buf[(JMF_NOTIFICATION_BUFFER_SIZE + 7) / 8];
    EmuSetCurrentProcess(JAVA_PID);
    if (EmuFilterGetMessageTimeout(g_port, buf, (uint32_t)JMF_NOTIFICATION_BUFFER_SIZE, 5000) != 0) {
        return NULL;
    }
    a->Asked = 1;
    JMF_FILTER_MESSAGE_HEADER mh;
    memcpy(&mh, buf, sizeof(mh));
    JMF_ASK ask;
    memcpy(&ask, (uint8_t *)buf + sizeof(mh), sizeof(ask));
    CHECK_EQ(ask.Header.Type, JMF_NOTIFICATION_ASK);
    CHECK_EQ(ask.ProcessId, TEST_PID);
    CHECK_EQ(ask.Operation, JMF_OP_CREATE);
    CHECK_EQ(mh.ReplyLength, JMF_REPLY_BUFFER_SIZE);
    if (!a->Reply) {
        return NULL;
    }
    uint8_t reply[JMF_REPLY_BUFFER_SIZE];
    memset(reply, 0, sizeof(reply));
    JMF_FILTER_REPLY_HEADER rh = { 0, 0, mh.MessageId };
    JMF_ASK_REPLY ar;
    memset(&ar, 0, sizeof(ar));
    ar.Verdict.Type = a->Verdict;
    ar.Verdict.Disposition = JMF_DISPOSITION_UNCHANGED;
    if (a->Verdict == JMF_ACTION_DENY) {
        ar.Verdict.Status = (JMF_I32)0xC0000022;
    }
    memcpy(reply, &rh, sizeof(rh));
    memcpy(reply + sizeof(rh), &ar, sizeof(ar));
    CHECK_EQ(EmuFilterReplyMessage(g_port, reply, sizeof(reply)), 0);
    return NULL;
}

static void test_ask_answered_and_timed_out(void)
{
    Start();
    PB pb;
    memset(&pb, 0, sizeof(pb));
    JMF_RULE *r = PbRule(&pb, 12, JMF_OP_CREATE, "\\ask\\**", JMF_ACTION_ASK);
    r->Action.TimeoutMs = 200;
    r->Action.DefaultVerdict = JMF_ACTION_ALLOW;
    CHECK_EQ(SendPolicy(&pb).Error, JMF_ERROR_NONE);
    JMF_STATISTICS before;
    GetStatistics(&before);
    EmuFsPut(g_v1, "\\ask", NULL, 0, 1);
    ANSWERER a = { .Verdict = JMF_ACTION_DENY, .Reply = 1 };
    pthread_create(&a.Thread, NULL, AnswerMain, &a);
    usleep(20000);
    NTSTATUS s;
    TOpen(g_v1, "\\ask\\a.txt", GENERIC_WRITE, FILE_CREATE, &s, NULL);
    pthread_join(a.Thread, NULL);
    CHECK(a.Asked);
    CHECK_EQ(s, STATUS_ACCESS_DENIED);                    /* user mode's verdict */
    ANSWERER silent = { .Reply = 0 };
    pthread_create(&silent.Thread, NULL, AnswerMain, &silent);
    usleep(20000);
    uint64_t h = TOpen(g_v1, "\\ask\\b.txt", GENERIC_WRITE, FILE_CREATE, &s, NULL);
    pthread_join(silent.Thread, NULL);
    CHECK(silent.Asked);
    CHECK_EQ(s, STATUS_SUCCESS);                          /* no answer in 200 ms: the default verdict */
    EmuFileClose(h);
    JMF_STATISTICS st;
    GetStatistics(&st);
    CHECK_EQ(st.Asks - before.Asks, 2);
    CHECK_EQ(st.AskTimeouts - before.AskTimeouts, 1);
    Stop();
}

static void test_events_pulled(void)
{
    Start();
    EmuFsPut(g_v1, "\\audit", NULL, 0, 1);
    PB pb;
    memset(&pb, 0, sizeof(pb));
    PbRule(&pb, 13, JMF_OP_CREATE | JMF_OP_WRITE, "\\audit\\**", JMF_ACTION_AUDIT);
    CHECK_EQ(SendPolicy(&pb).Error, JMF_ERROR_NONE);
    NTSTATUS s;
    uint64_t h = TOpen(g_v1, "\\audit\\x.txt", GENERIC_WRITE, FILE_CREATE, &s, NULL);
    CHECK_EQ(s, STATUS_SUCCESS);
    EmuFileClose(h);
    JMF_COMMAND_HEADER ch = { JMF_COMMAND_GET_EVENTS, sizeof(JMF_COMMAND_HEADER) };
    static uint64_t out[(sizeof(JMF_EVENT_BATCH) + 4 * sizeof(JMF_EVENT)) / 8];
    uint32_t n = 0;
    EmuSetCurrentProcess(JAVA_PID);
    CHECK_EQ(EmuFilterSendMessage(g_port, &ch, sizeof(ch), out, sizeof(out), &n), 0);
    EmuSetCurrentProcess(TEST_PID);
    JMF_EVENT_BATCH batch;
    memcpy(&batch, out, sizeof(batch));
    CHECK(batch.Count >= 1);
    if (batch.Count >= 1) {
        JMF_EVENT e;
        memcpy(&e, (uint8_t *)out + sizeof(batch), sizeof(e));
        CHECK_EQ(e.RuleId, 13);
        CHECK_EQ(e.Operation, JMF_OP_CREATE);
        CHECK_EQ(e.Verdict, JMF_ACTION_AUDIT);
        CHECK_EQ(e.ProcessId, TEST_PID);
        char path[64];
        EmuWideToUtf8((const WCHAR *)e.Path, e.PathLength / 2, path, sizeof(path));
        CHECK(strcmp(path, "\\audit\\x.txt") == 0);
    }
    Stop();
}

static void *CloseMidAsk(void *p)
{
    (void)p;
    static uint64_t buf[(JMF_NOTIFICATION_BUFFER_SIZE + 7) / 8];
    EmuSetCurrentProcess(JAVA_PID);
    if (EmuFilterGetMessageTimeout(g_port, buf, (uint32_t)JMF_NOTIFICATION_BUFFER_SIZE, 5000) == 0) {
        EmuFilterClose(g_port);     /* the service goes away while the kernel waits for its answer */
        g_port = NULL;
    }
    return NULL;
}

static void test_ask_client_disconnects_mid_ask(void)
{
    Start();
    PB pb;
    memset(&pb, 0, sizeof(pb));
    JMF_RULE *r = PbRule(&pb, 14, JMF_OP_CREATE, "\\ask\\**", JMF_ACTION_ASK);
    r->Action.TimeoutMs = 10000;
    r->Action.DefaultVerdict = JMF_ACTION_DENY;
    r->Action.Status = (JMF_I32)0xC0000022;
    CHECK_EQ(SendPolicy(&pb).Error, JMF_ERROR_NONE);
    EmuFsPut(g_v1, "\\ask", NULL, 0, 1);
    pthread_t t;
    pthread_create(&t, NULL, CloseMidAsk, NULL);
    usleep(20000);
    uint64_t start = EmuNowNs();
    NTSTATUS s;
    TOpen(g_v1, "\\ask\\a.txt", GENERIC_WRITE, FILE_CREATE, &s, NULL);
    uint64_t ms = (EmuNowNs() - start) / 1000000u;
    pthread_join(t, NULL);
    CHECK_EQ(s, STATUS_ACCESS_DENIED);      /* the default verdict */
    CHECK(ms < 5000);                       /* at once, not after the 10 s timeout */
    printf("    disconnect mid-ask: default verdict after %llu ms (timeout 10000 ms)\n", (unsigned long long)ms);
    Stop();
}

typedef struct FLOODER { pthread_t Thread; int Index; NTSTATUS Status; } FLOODER;

static void *FloodMain(void *p)
{
    FLOODER *f = p;
    char path[64];
    snprintf(path, sizeof(path), "\\ask\\f%d.txt", f->Index);
    EmuSetCurrentProcess(TEST_PID);
    uint64_t h = TOpen(g_v1, path, GENERIC_WRITE, FILE_CREATE, &f->Status, NULL);
    if (h != 0) {
        EmuFileClose(h);
    }
    return NULL;
}

static void test_ask_flood_without_reader(void)
{
    Start();
    PB pb;
    memset(&pb, 0, sizeof(pb));
    JMF_RULE *r = PbRule(&pb, 15, JMF_OP_CREATE, "\\ask\\**", JMF_ACTION_ASK);
    r->Action.TimeoutMs = 200;
    r->Action.DefaultVerdict = JMF_ACTION_DENY;
    r->Action.Status = (JMF_I32)0xC0000022;
    CHECK_EQ(SendPolicy(&pb).Error, JMF_ERROR_NONE);
    EmuFsPut(g_v1, "\\ask", NULL, 0, 1);
    JMF_STATISTICS before, after;
    GetStatistics(&before);
    enum { N = 24 };
    static FLOODER f[N];
    uint64_t start = EmuNowNs();
    for (int i = 0; i < N; i++) {
        f[i].Index = i;
        pthread_create(&f[i].Thread, NULL, FloodMain, &f[i]);
    }
    for (int i = 0; i < N; i++) {
        pthread_join(f[i].Thread, NULL);
        CHECK_EQ(f[i].Status, STATUS_ACCESS_DENIED);
    }
    uint64_t ms = (EmuNowNs() - start) / 1000000u;
    GetStatistics(&after);
    JMF_U64 timeouts = after.AskTimeouts - before.AskTimeouts, over = after.AskOverLimit - before.AskOverLimit;
    CHECK_EQ(timeouts + over, N);                          /* each one either waited its 200 ms or was over the limit */
    CHECK(over >= N - JMF_DEFAULT_MAX_ASKS_IN_FLIGHT);
    CHECK_EQ(after.DefaultVerdicts - before.DefaultVerdicts, N);
    CHECK(ms < 3000);
    printf("    flood: %d creates, %llu asks timed out, %llu over MaxAsksInFlight, all done in %llu ms\n",
           N, (unsigned long long)timeouts, (unsigned long long)over, (unsigned long long)ms);
    Stop();
}

/* The counters say "since the driver started": a reload starts them at zero. */
static void test_statistics_restart_at_load(void)
{
    Start();
    EmuFsPut(g_v1, "\\secret", NULL, 0, 1);
    PB pb;
    memset(&pb, 0, sizeof(pb));
    PbRule(&pb, 7, JMF_OP_CREATE, "\\secret\\**", JMF_ACTION_DENY);
    CHECK_EQ(SendPolicy(&pb).Error, JMF_ERROR_NONE);
    NTSTATUS s;
    TOpen(g_v1, "\\secret\\a.txt", GENERIC_WRITE, FILE_CREATE, &s, NULL);
    CHECK_EQ(s, STATUS_ACCESS_DENIED);
    JMF_STATISTICS st;
    GetStatistics(&st);
    CHECK(st.Verdicts[JMF_ACTION_DENY] >= 1);
    CHECK(st.Operations >= 1);
    Stop();
    EmuReset();

    Start();
    GetStatistics(&st);
    CHECK_EQ(st.Verdicts[JMF_ACTION_DENY], 0);
    CHECK_EQ(st.Operations, 0);
    CHECK_EQ(st.PoliciesRejected, 0);
    Stop();
}

const TEST_CASE g_driverTests[] = {
    { "driver: statistics restart at zero when the driver is loaded again", test_statistics_restart_at_load },
    { "driver: loads, one client, unloads cleanly with it connected", test_load_unload_with_client },
    { "driver: connect refuses a wrong context with STATUS_REVISION_MISMATCH", test_connect_checks_context },
    { "driver: a rejected policy names the rule and leaves the old one", test_bad_policy_named },
    { "driver: DENY in pre-create; the service's own I/O passes", test_deny_pre_create },
    { "driver: DENY in post-create cancels the open, the created file stays", test_deny_post_create_does_not_undo },
    { "driver: MODIFY strips write access; the caller's write then fails", test_modify_strips_access },
    { "driver: MODIFY adds SL_WRITE_THROUGH seen by a lower filter", test_modify_write_through },
    { "driver: REDIRECT reads and writes to the other volume (posts at DISPATCH)", test_redirect_reads_and_writes },
    { "driver: ASK answered by user mode, and timed out to the default", test_ask_answered_and_timed_out },
    { "driver: AUDIT events pulled with GET_EVENTS", test_events_pulled },
    { "driver: client disconnects mid-ask: default verdict at once", test_ask_client_disconnects_mid_ask },
    { "driver: ask flood without a reader: bounded waits, default verdicts, counted", test_ask_flood_without_reader },
};

const size_t g_driverTestsCount = sizeof(g_driverTests) / sizeof(g_driverTests[0]);
