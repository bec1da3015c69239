/*
 * test_asks.c - the real driver under the emulator: pageable memory at
 * DISPATCH_LEVEL, asks that must not wait (top-level IRP), pended asks on the
 * driver's own worker threads, unload and teardown that end asks at once,
 * the service's own reads and writes, the full event ring, and commands
 * with a missing or short output buffer.
 *
 * Synchronisation is through the port (the service side receives the ask,
 * so it is known to be in flight), never through sleeps.
 */
#include "test_filters.h"
#include "jmf_protocol.h"
#include "jmf_driver.h"         /* JmfGlobals.Filter, for FltDetachVolume */
#include "test_driver_util.h"   /* ReceiveAsk, ReplyToAsk */

#define AK_ALTITUDE "385100"

static void *g_akPort;
static int g_akV1;

/* ---- a one-rule policy (header, rules, strings), as the Java codec builds it ---- */
static uint8_t *AkPolicy(JMF_U32 id, JMF_U32 ops, const char *path, JMF_U32 action, JMF_U32 timeoutMs,
                         JMF_U32 defaultVerdict, JMF_U32 *length)
{
    JMF_U16 strings[256];
    JMF_U32 chars = 0;
    for (const char *p = path; *p; p++) {
        strings[chars++] = (JMF_U16)(unsigned char)*p;
    }
    JMF_RULE r;
    memset(&r, 0, sizeof(r));
    r.RuleId = id;
    r.Operations = ops;
    r.Volume = JMF_VOLUME_ANY;
    r.Path.Offset = 0;
    r.Path.Length = chars * 2;
    r.Action.Type = action;
    r.Action.Disposition = JMF_DISPOSITION_UNCHANGED;
    if (action == JMF_ACTION_DENY) {
        r.Action.Status = (JMF_I32)0xC0000022;
    }
    if (action == JMF_ACTION_ASK) {
        r.Action.TimeoutMs = timeoutMs;
        r.Action.DefaultVerdict = defaultVerdict;
        if (defaultVerdict == JMF_ACTION_DENY) {
            r.Action.Status = (JMF_I32)0xC0000022;
        }
    }
    JMF_U32 ruleOffset = sizeof(JMF_POLICY_HEADER);
    JMF_U32 stringOffset = (ruleOffset + (JMF_U32)sizeof(JMF_RULE) + 7u) & ~7u;
    JMF_U32 stringBytes = (chars * 2 + 7u) & ~7u;
    JMF_U32 total = stringOffset + stringBytes;
    uint8_t *cmd = calloc(1, sizeof(JMF_COMMAND_HEADER) + total);
    JMF_COMMAND_HEADER h = { JMF_COMMAND_SET_POLICY, (JMF_U32)sizeof(JMF_COMMAND_HEADER) + total };
    memcpy(cmd, &h, sizeof(h));
    JMF_POLICY_HEADER ph;
    memset(&ph, 0, sizeof(ph));
    ph.Magic = JMF_POLICY_MAGIC;
    ph.Version = JMF_POLICY_VERSION;
    ph.TotalLength = total;
    ph.RuleCount = 1;
    ph.RuleOffset = ruleOffset;
    ph.VolumeOffset = ruleOffset + (JMF_U32)sizeof(JMF_RULE);
    ph.StringOffset = stringOffset;
    ph.StringBytes = stringBytes;
    uint8_t *body = cmd + sizeof(JMF_COMMAND_HEADER);
    memcpy(body, &ph, sizeof(ph));
    memcpy(body + ruleOffset, &r, sizeof(r));
    memcpy(body + stringOffset, strings, chars * 2);
    *length = h.Length;
    return cmd;
}

static int32_t AkSend(const void *in, uint32_t inLength, void *out, uint32_t outLength, uint32_t *returned)
{
    EmuSetCurrentProcess(JAVA_PID);
    int32_t hr = EmuFilterSendMessage(g_akPort, in, inLength, out, outLength, returned);
    EmuSetCurrentProcess(TEST_PID);
    return hr;
}

static void AkSetPolicy(JMF_U32 id, JMF_U32 ops, const char *path, JMF_U32 action, JMF_U32 timeoutMs, JMF_U32 defaultVerdict)
{
    JMF_U32 length;
    uint8_t *cmd = AkPolicy(id, ops, path, action, timeoutMs, defaultVerdict, &length);
    JMF_RESULT r;
    uint32_t n = 0;
    CHECK_EQ(AkSend(cmd, length, &r, sizeof(r), &n), 0);
    CHECK_EQ(n, sizeof(r));
    CHECK_EQ(r.Error, JMF_ERROR_NONE);
    free(cmd);
}

static void AkStatistics(JMF_STATISTICS *s)
{
    JMF_COMMAND_HEADER h = { JMF_COMMAND_GET_STATISTICS, sizeof(JMF_COMMAND_HEADER) };
    static uint64_t out[(sizeof(JMF_STATISTICS) + 16 * sizeof(JMF_RULE_STATISTICS)) / 8];
    uint32_t n = 0;
    CHECK_EQ(AkSend(&h, sizeof(h), out, sizeof(out), &n), 0);
    memcpy(s, out, sizeof(*s));
}

/* Pulls one batch of events into out (room for max events); returns the batch header. */
static JMF_EVENT_BATCH AkEvents(JMF_EVENT *events, uint32_t max)
{
    JMF_COMMAND_HEADER h = { JMF_COMMAND_GET_EVENTS, sizeof(JMF_COMMAND_HEADER) };
    size_t bytes = sizeof(JMF_EVENT_BATCH) + (size_t)max * sizeof(JMF_EVENT);
    uint64_t *out = calloc(1, bytes);
    uint32_t n = 0;
    CHECK_EQ(AkSend(&h, sizeof(h), out, (uint32_t)bytes, &n), 0);
    JMF_EVENT_BATCH batch;
    memcpy(&batch, out, sizeof(batch));
    if (batch.Count <= max) {
        memcpy(events, (uint8_t *)out + sizeof(batch), batch.Count * sizeof(JMF_EVENT));
    }
    free(out);
    return batch;
}

static void AkStart(void)
{
    static const uint16_t name[] = { '\\', 'J', 'M', 'i', 'n', 'i', 'F', 'i', 'l', 't', 'e', 'r', 'P', 'o', 'r', 't', 0 };
    g_akV1 = EmuCreateVolume("\\Device\\HarddiskVolume1", 4, 0);
    CHECK_EQ(EmuLoadDriver(AK_ALTITUDE), STATUS_SUCCESS);
    JMF_CONNECT_CONTEXT c = { JMF_CONNECT_MAGIC, JMF_PROTOCOL_VERSION, 0 };
    EmuSetCurrentProcess(JAVA_PID);
    CHECK_EQ(EmuFilterConnectCommunicationPort(name, 0, &c, sizeof(c), NULL, &g_akPort), 0);
    EmuSetCurrentProcess(TEST_PID);
}

static void AkStop(void)
{
    CHECK_EQ(EmuUnloadDriver(), STATUS_SUCCESS);
    EmuFilterClose(g_akPort);
    g_akPort = NULL;
}

/* The service side: receives one ask (blocking up to 10 s); returns its message id, 0 if none came. */
static uint64_t AkReceiveAsk(JMF_ASK *ask)
{
    return ReceiveAsk(g_akPort, ask, 10000);
}

static int32_t AkReply(uint64_t messageId, JMF_U32 verdict)
{
    return ReplyToAsk(g_akPort, messageId, verdict, 0);
}

/* A handle for asynchronous (overlapped) I/O. */
static uint64_t AkOpenAsync(const char *path)
{
    uint64_t h = 0, info = 0;
    CHECK_EQ(EmuFileOpen(g_akV1, path, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, FILE_OPEN,
                         FILE_NON_DIRECTORY_FILE | EMU_OPEN_ASYNC_IO, 0, &h, &info), STATUS_SUCCESS);
    return h;
}

/* A read (or a create) issued from a thread of its own, as TEST_PID. */
typedef struct AK_IO { pthread_t Thread; uint64_t Handle; uint32_t Flags; int Create; const char *Path; NTSTATUS Status; int Done; } AK_IO;

static void *AkIoMain(void *p)
{
    AK_IO *io = p;
    EmuSetCurrentProcess(TEST_PID);
    if (io->Create) {
        uint64_t h = TOpen(g_akV1, io->Path, GENERIC_WRITE, FILE_CREATE, &io->Status, NULL);
        if (h != 0) {
            EmuFileClose(h);
        }
    } else {
        char b[8];
        uint32_t n;
        io->Status = EmuFileReadEx(io->Handle, 0, b, sizeof(b), io->Flags, &n);
    }
    __atomic_store_n(&io->Done, 1, __ATOMIC_SEQ_CST);
    return NULL;
}

/* ---- 1. pageable memory at DISPATCH_LEVEL ---- */

/* A test filter that does what JmfEventQueue used to do: copy a name under a spin lock. */
static KSPIN_LOCK g_akLock;
static WCHAR g_akCopy[64];
/* Not static: the violation names it (emu-tests is linked with -rdynamic). */
FLT_PREOP_CALLBACK_STATUS AkCopyNameUnderLock(TF *tf, PFLT_CALLBACK_DATA d, PCFLT_RELATED_OBJECTS o, PVOID *c);
FLT_PREOP_CALLBACK_STATUS AkCopyNameUnderLock(TF *tf, PFLT_CALLBACK_DATA d, PCFLT_RELATED_OBJECTS o, PVOID *c)
{
    (void)tf; (void)o; (void)c;
    PFLT_FILE_NAME_INFORMATION name = NULL;
    if (d->Iopb->MajorFunction == IRP_MJ_CREATE &&
        NT_SUCCESS(FltGetFileNameInformation(d, FLT_FILE_NAME_OPENED | FLT_FILE_NAME_QUERY_DEFAULT, &name))) {
        KLOCK_QUEUE_HANDLE lh;
        KeAcquireInStackQueuedSpinLock(&g_akLock, &lh);
        memcpy(g_akCopy, name->Name.Buffer, min(name->Name.Length, sizeof(g_akCopy)));  /* a plain memcpy */
        KeReleaseInStackQueuedSpinLock(&lh);
        WCHAR first = name->Name.Buffer[0];     /* at PASSIVE_LEVEL again: legal */
        CHECK_EQ(first, '\\');
        FltReleaseFileNameInformation(name);
    }
    return FLT_PREOP_SUCCESS_NO_CALLBACK;
}

static void test_pageable_touched_under_spin_lock(void)
{
    int v = EmuCreateVolume("\\Device\\HarddiskVolume1", 4, 0);
    KeInitializeSpinLock(&g_akLock);
    TfStart(0, "300000", AkCopyNameUnderLock, NULL);
    NTSTATUS s;
    uint64_t h = TOpen(v, "\\a.txt", GENERIC_WRITE, FILE_CREATE, &s, NULL);
    CHECK_EQ(s, STATUS_SUCCESS);
    EmuFileClose(h);
    CHECK_VIOLATION("pageable memory touched at IRQL 2 (DISPATCH_LEVEL or a spin lock held) by AkCopyNameUnderLock");
    TfUnload(&g_tf[0]);
}

/* The driver reports a pre-create DENY with the path from the name information: no violation. */
static void test_event_names_copied_outside_the_lock(void)
{
    AkStart();
    EmuFsPut(g_akV1, "\\secret", NULL, 0, 1);
    AkSetPolicy(1, JMF_OP_CREATE, "\\secret\\**", JMF_ACTION_DENY, 0, 0);
    NTSTATUS s;
    TOpen(g_akV1, "\\secret\\plan.txt", GENERIC_WRITE, FILE_CREATE, &s, NULL);
    CHECK_EQ(s, STATUS_ACCESS_DENIED);
    JMF_EVENT e[2];
    JMF_EVENT_BATCH b = AkEvents(e, 2);
    CHECK_EQ(b.Count, 1);
    char path[64];
    EmuWideToUtf8((const WCHAR *)e[0].Path, e[0].PathLength / 2, path, sizeof(path));
    CHECK(strcmp(path, "\\secret\\plan.txt") == 0);
    CHECK_EQ(e[0].OtherPathLength, 0);
    AkStop();
}

/* ---- 7. asks from recursive I/O, and pended asks on the driver's own threads ---- */
static void test_top_level_irp_not_waited(void)
{
    AkStart();
    TPut(g_akV1, "\\ask.txt", "data");
    AkSetPolicy(2, JMF_OP_READ, "\\ask.txt", JMF_ACTION_ASK, 20000, JMF_ACTION_DENY);
    NTSTATUS s;
    uint64_t h = TOpen(g_akV1, "\\ask.txt", GENERIC_READ, FILE_OPEN, &s, NULL);
    JMF_STATISTICS before, after;
    AkStatistics(&before);
    IoSetTopLevelIrp((PIRP)FSRTL_CACHE_TOP_LEVEL_IRP);     /* as if the cache manager issued it */
    char b[8];
    uint32_t n;
    CHECK_EQ(EmuFileRead(h, 0, b, 4, &n), STATUS_ACCESS_DENIED);   /* the default verdict, without waiting 20 s */
    IoSetTopLevelIrp(NULL);
    AkStatistics(&after);
    CHECK_EQ(after.AskNotWaited - before.AskNotWaited, 1);
    CHECK_EQ(after.Asks - before.Asks, 0);
    CHECK_EQ(after.DefaultVerdicts - before.DefaultVerdicts, 1);
    JMF_EVENT e[4];
    JMF_EVENT_BATCH batch = AkEvents(e, 4);
    CHECK(batch.Count >= 1);
    CHECK((e[batch.Count - 1].Flags & (JMF_EVENT_FLAG_ASK_NOT_WAITED | JMF_EVENT_FLAG_DEFAULT_VERDICT)) ==
          (JMF_EVENT_FLAG_ASK_NOT_WAITED | JMF_EVENT_FLAG_DEFAULT_VERDICT));
    EmuFileClose(h);
    AkStop();
}

static void test_pended_ask_on_driver_thread(void)
{
    AkStart();
    TPut(g_akV1, "\\ask.txt", "data");
    AkSetPolicy(3, JMF_OP_READ, "\\ask.txt", JMF_ACTION_ASK, 20000, JMF_ACTION_DENY);
    AK_IO io = { .Flags = EMU_IO_ASYNC };
    io.Handle = AkOpenAsync("\\ask.txt");
    pthread_create(&io.Thread, NULL, AkIoMain, &io);
    JMF_ASK ask;
    uint64_t id = AkReceiveAsk(&ask);
    CHECK(id != 0);
    CHECK_EQ(ask.Operation, JMF_OP_READ);
    CHECK_EQ(ask.ProcessId, TEST_PID);
    CHECK_EQ(JmfGlobals.Filter->WorkItemsInFlight, 0);    /* asked from the driver's own thread, not a system work item */
    CHECK_EQ(__atomic_load_n(&io.Done, __ATOMIC_SEQ_CST), 0);
    CHECK_EQ(AkReply(id, JMF_ACTION_ALLOW), 0);
    pthread_join(io.Thread, NULL);
    CHECK_EQ(io.Status, STATUS_SUCCESS);            /* the answer applied to the pended read */
    EmuFileClose(io.Handle);
    AkStop();
}

/* ---- 6. teardown and unload end asks at once ---- */
static void test_teardown_completes_pended_ask(void)
{
    AkStart();
    TPut(g_akV1, "\\ask.txt", "data");
    AkSetPolicy(4, JMF_OP_READ, "\\ask.txt", JMF_ACTION_ASK, 20000, JMF_ACTION_DENY);
    AK_IO io = { .Flags = EMU_IO_ASYNC };
    io.Handle = AkOpenAsync("\\ask.txt");
    JMF_STATISTICS before, after;
    AkStatistics(&before);
    pthread_create(&io.Thread, NULL, AkIoMain, &io);
    JMF_ASK ask;
    uint64_t id = AkReceiveAsk(&ask);               /* in flight: a worker waits for the answer */
    CHECK(id != 0);
    CHECK_EQ(__atomic_load_n(&io.Done, __ATOMIC_SEQ_CST), 0);
    CHECK_EQ(FltDetachVolume(JmfGlobals.Filter, EmuVolumeById(g_akV1), NULL), STATUS_SUCCESS);
    pthread_join(io.Thread, NULL);                  /* teardown completed it; the ask is still unanswered */
    CHECK_EQ(io.Status, STATUS_ACCESS_DENIED);      /* the default verdict */
    AkStatistics(&after);
    CHECK_EQ(after.AskCancelled - before.AskCancelled, 1);
    JMF_EVENT e[4];
    JMF_EVENT_BATCH batch = AkEvents(e, 4);
    CHECK(batch.Count >= 1);
    CHECK(e[batch.Count - 1].Flags & JMF_EVENT_FLAG_ASK_CANCELLED);
    EmuFileClose(io.Handle);
    AkStop();                                       /* the worker's ask ends here, at once */
    CHECK_EQ(AkReply(id, JMF_ACTION_ALLOW), EMU_E_INVALID_HANDLE);  /* the connection is gone */
}

static void test_unload_ends_asks_at_once(void)
{
    AkStart();
    EmuFsPut(g_akV1, "\\ask", NULL, 0, 1);
    TPut(g_akV1, "\\ask\\r.txt", "data");
    AkSetPolicy(5, JMF_OP_READ | JMF_OP_CREATE, "\\ask\\**", JMF_ACTION_ASK, 20000, JMF_ACTION_DENY);
    AK_IO pended = { .Flags = EMU_IO_ASYNC };
    EmuSetCurrentProcess(JAVA_PID);              /* the service opens it (never filtered); TEST_PID reads */
    pended.Handle = AkOpenAsync("\\ask\\r.txt");
    EmuSetCurrentProcess(TEST_PID);
    AK_IO inline_ = { .Create = 1, .Path = "\\ask\\new.txt" };
    JMF_STATISTICS before;
    AkStatistics(&before);
    pthread_create(&pended.Thread, NULL, AkIoMain, &pended);
    JMF_ASK ask;
    CHECK(AkReceiveAsk(&ask) != 0);                 /* the pended read's ask, on a worker */
    pthread_create(&inline_.Thread, NULL, AkIoMain, &inline_);
    CHECK(AkReceiveAsk(&ask) != 0);                 /* the create's ask, inline in its thread */
    uint64_t start = EmuNowNs();
    CHECK_EQ(EmuUnloadDriver(), STATUS_SUCCESS);
    /* Both operations were completed by the unload (it waits for its workers), with their default
     * verdict; their threads see the completion right after (joined, not polled: the I/O thread may
     * not have run yet when the unload returns). */
    pthread_join(pended.Thread, NULL);
    pthread_join(inline_.Thread, NULL);
    uint64_t ms = (EmuNowNs() - start) / 1000000u;
    CHECK_EQ(__atomic_load_n(&pended.Done, __ATOMIC_SEQ_CST), 1);
    CHECK_EQ(pended.Status, STATUS_ACCESS_DENIED);
    CHECK_EQ(inline_.Status, STATUS_ACCESS_DENIED);
    CHECK(ms < 5000);                               /* a quarter of the 20 s ask timeout, generously */
    printf("    unload with two asks in flight (timeout 20000 ms): %llu ms\n", (unsigned long long)ms);
    EmuFilterClose(g_akPort);
    g_akPort = NULL;
    (void)before;
}

/* ---- 22. the service's own reads and writes are never filtered ---- */
static void test_service_reads_and_writes_pass(void)
{
    AkStart();
    TPut(g_akV1, "\\locked.txt", "data");
    AkSetPolicy(6, JMF_OP_READ | JMF_OP_WRITE, "\\locked.txt", JMF_ACTION_DENY, 0, 0);
    NTSTATUS s;
    char b[8];
    uint32_t n;
    uint64_t h = TOpen(g_akV1, "\\locked.txt", GENERIC_READ | GENERIC_WRITE, FILE_OPEN, &s, NULL);
    CHECK_EQ(EmuFileRead(h, 0, b, 4, &n), STATUS_ACCESS_DENIED);     /* anyone else: denied */
    CHECK_EQ(EmuFileWrite(h, 0, "x", 1, 0, &n), STATUS_ACCESS_DENIED);
    EmuFileClose(h);
    JMF_STATISTICS before, after;
    AkStatistics(&before);
    EmuSetCurrentProcess(JAVA_PID);
    h = TOpen(g_akV1, "\\locked.txt", GENERIC_READ | GENERIC_WRITE, FILE_OPEN, &s, NULL);
    CHECK_EQ(EmuFileRead(h, 0, b, 4, &n), STATUS_SUCCESS);
    CHECK_EQ(EmuFileWrite(h, 0, "D", 1, 0, &n), STATUS_SUCCESS);
    EmuFileClose(h);
    EmuSetCurrentProcess(TEST_PID);
    AkStatistics(&after);
    CHECK_EQ(after.Operations - before.Operations, 0);      /* not even tried against the policy */
    CHECK_EQ(after.Verdicts[JMF_ACTION_DENY] - before.Verdicts[JMF_ACTION_DENY], 0);
    AkStop();
}

/* ---- 25. a full event ring drops and counts ---- */
static void test_event_ring_full_drops_and_counts(void)
{
    AkStart();
    AkSetPolicy(7, JMF_OP_WRITE, "\\audit.txt", JMF_ACTION_AUDIT, 0, 0);
    NTSTATUS s;
    uint32_t n;
    uint64_t h = TOpen(g_akV1, "\\audit.txt", GENERIC_WRITE, FILE_CREATE, &s, NULL);
    enum { OVER = 7 };
    JMF_STATISTICS before, after;
    AkStatistics(&before);
    for (int i = 0; i < (int)JMF_EVENT_QUEUE_CAPACITY + OVER; i++) {
        CHECK_EQ(EmuFileWrite(h, i, "w", 1, 0, &n), STATUS_SUCCESS);    /* never blocked by the full ring */
    }
    EmuFileClose(h);
    AkStatistics(&after);
    CHECK_EQ(after.EventsQueued - before.EventsQueued, JMF_EVENT_QUEUE_CAPACITY);
    CHECK_EQ(after.EventsDropped - before.EventsDropped, OVER);
    static JMF_EVENT e[JMF_EVENT_QUEUE_CAPACITY];
    JMF_EVENT_BATCH batch = AkEvents(e, JMF_EVENT_QUEUE_CAPACITY);
    CHECK_EQ(batch.Count, JMF_EVENT_QUEUE_CAPACITY);
    CHECK_EQ(batch.Dropped, OVER);
    CHECK_EQ(batch.Pending, 0);
    CHECK_EQ(e[JMF_EVENT_QUEUE_CAPACITY - 1].Sequence - e[0].Sequence, JMF_EVENT_QUEUE_CAPACITY - 1);
    AkStop();
}

/* ---- 26. a missing or short output buffer: STATUS_BUFFER_TOO_SMALL, nothing changed ---- */
static void test_short_output_buffer_refused(void)
{
    AkStart();
    AkSetPolicy(8, JMF_OP_CREATE, "\\first", JMF_ACTION_DENY, 0, 0);
    JMF_STATISTICS before, after;
    AkStatistics(&before);
    JMF_U32 length;
    uint8_t *cmd = AkPolicy(9, JMF_OP_CREATE, "\\second", JMF_ACTION_DENY, 0, 0, &length);
    uint64_t small[2];
    uint32_t n = 77;
    CHECK_EQ(AkSend(cmd, length, NULL, 0, &n), EMU_E_INSUFFICIENT_BUFFER);
    CHECK_EQ(n, 0);
    CHECK_EQ(AkSend(cmd, length, small, sizeof(JMF_RESULT) - 8, &n), EMU_E_INSUFFICIENT_BUFFER);
    free(cmd);
    JMF_COMMAND_HEADER config[1 + sizeof(JMF_CONFIG) / sizeof(JMF_COMMAND_HEADER)];
    JMF_CONFIG cfg = { 1000, JMF_ACTION_DENY, (JMF_I32)0xC0000022, JMF_DISCONNECT_KEEP_POLICY, 4, 0 };
    config[0].Type = JMF_COMMAND_SET_CONFIG;
    config[0].Length = sizeof(JMF_COMMAND_HEADER) + sizeof(JMF_CONFIG);
    memcpy(&config[1], &cfg, sizeof(cfg));
    CHECK_EQ(AkSend(config, config[0].Length, NULL, 0, &n), EMU_E_INSUFFICIENT_BUFFER);
    CHECK_EQ(AkSend(config, config[0].Length, small, sizeof(JMF_RESULT) - 8, &n), EMU_E_INSUFFICIENT_BUFFER);
    JMF_COMMAND_HEADER get = { JMF_COMMAND_GET_STATISTICS, sizeof(JMF_COMMAND_HEADER) };
    CHECK_EQ(AkSend(&get, sizeof(get), NULL, 0, &n), EMU_E_INSUFFICIENT_BUFFER);
    CHECK_EQ(AkSend(&get, sizeof(get), small, sizeof(small), &n), EMU_E_INSUFFICIENT_BUFFER);
    get.Type = JMF_COMMAND_GET_EVENTS;
    CHECK_EQ(AkSend(&get, sizeof(get), NULL, 0, &n), EMU_E_INSUFFICIENT_BUFFER);
    CHECK_EQ(AkSend(&get, sizeof(get), small, sizeof(small), &n), EMU_E_INSUFFICIENT_BUFFER);
    AkStatistics(&after);
    CHECK_EQ(after.Generation, before.Generation);          /* the policy in force is unchanged */
    NTSTATUS s;
    TPut(g_akV1, "\\first", "1");
    TPut(g_akV1, "\\second", "2");
    TOpen(g_akV1, "\\first", GENERIC_READ, FILE_OPEN, &s, NULL);
    CHECK_EQ(s, STATUS_ACCESS_DENIED);
    uint64_t h = TOpen(g_akV1, "\\second", GENERIC_READ, FILE_OPEN, &s, NULL);
    CHECK_EQ(s, STATUS_SUCCESS);
    EmuFileClose(h);
    AkStop();
}

/* ---- 8. the client process is recorded before the port is published, and released before it is closed ---- */
static volatile int g_akPortWrites, g_akPortWritesWhileProcessSet, g_akPortWritesWithoutProcess;

static void AkOnClientPortWrite(void *context)
{
    (void)context;          /* runs in a signal handler: reads and counts only */
    g_akPortWrites++;
    if (JmfGlobals.ClientProcess == NULL) {
        g_akPortWritesWithoutProcess++;
    } else {
        g_akPortWritesWhileProcessSet++;
    }
}

static void test_client_process_recorded_before_port(void)
{
    static const uint16_t name[] = { '\\', 'J', 'M', 'i', 'n', 'i', 'F', 'i', 'l', 't', 'e', 'r', 'P', 'o', 'r', 't', 0 };
    g_akV1 = EmuCreateVolume("\\Device\\HarddiskVolume1", 4, 0);
    CHECK_EQ(EmuLoadDriver(AK_ALTITUDE), STATUS_SUCCESS);
    JMF_CONNECT_CONTEXT c = { JMF_CONNECT_MAGIC, JMF_PROTOCOL_VERSION, 0 };
    g_akPortWrites = g_akPortWritesWhileProcessSet = g_akPortWritesWithoutProcess = 0;
    if (!EmuWatchWrites(&JmfGlobals.ClientPort, sizeof(JmfGlobals.ClientPort), AkOnClientPortWrite, NULL)) {
        printf("    (no write watch on this machine: not checked)\n");
        CHECK_EQ(EmuUnloadDriver(), STATUS_SUCCESS);
        return;
    }
    EmuSetCurrentProcess(JAVA_PID);
    int32_t hr = EmuFilterConnectCommunicationPort(name, 0, &c, sizeof(c), NULL, &g_akPort);
    EmuSetCurrentProcess(TEST_PID);
    EmuWatchStop();
    CHECK_EQ(hr, 0);
    /* ClientPort was published once, and only once the client's process was recorded: from the
       first moment an ask can reach the service, the service's own I/O is exempt. */
    CHECK_EQ(g_akPortWrites, 1);
    CHECK_EQ(g_akPortWritesWithoutProcess, 0);

    /* Disconnect: the process is released before the port is closed (after which another
       client may connect and record its own process, which must not be the one released). */
    g_akPortWrites = g_akPortWritesWhileProcessSet = g_akPortWritesWithoutProcess = 0;
    CHECK(EmuWatchWrites(&JmfGlobals.ClientPort, sizeof(JmfGlobals.ClientPort), AkOnClientPortWrite, NULL));
    EmuFilterClose(g_akPort);
    g_akPort = NULL;
    EmuWatchStop();
    CHECK(g_akPortWrites >= 1);
    CHECK_EQ(g_akPortWritesWhileProcessSet, 0);
    CHECK_EQ(EmuUnloadDriver(), STATUS_SUCCESS);
}

const TEST_CASE g_askTests[] = {
    { "asks: the client's process is recorded before its port is published, released before it is closed", test_client_process_recorded_before_port },
    { "asks: pageable memory touched under a spin lock is a violation naming the routine", test_pageable_touched_under_spin_lock },
    { "asks: the driver copies event names outside the ring's spin lock", test_event_names_copied_outside_the_lock },
    { "asks: a top-level IRP gets the default verdict without waiting (AskNotWaited)", test_top_level_irp_not_waited },
    { "asks: an asynchronous read is asked from the driver's worker and resumed with the answer", test_pended_ask_on_driver_thread },
    { "asks: instance teardown completes a pended ask at once (AskCancelled)", test_teardown_completes_pended_ask },
    { "asks: unload ends asks in flight at once, inline and pended", test_unload_ends_asks_at_once },
    { "asks: the service's own reads and writes are never filtered", test_service_reads_and_writes_pass },
    { "asks: a full event ring drops and counts the overflow", test_event_ring_full_drops_and_counts },
    { "asks: every command with a missing or short output buffer is refused and changes nothing", test_short_output_buffer_refused },
};
const size_t g_askTestsCount = sizeof(g_askTests) / sizeof(g_askTests[0]);
