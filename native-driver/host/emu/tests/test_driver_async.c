/*
 * test_driver_async.c - the real driver and asynchronous IRPs (EmuFileReadAsync,
 * EmuFileWriteAsync, EmuIoWait). The driver decides an ASK on a read or write
 * differently when the operation is asynchronous (jmf_rw.c: FltIsOperationSynchronous
 * is FALSE): it pends it (FLT_PREOP_PENDING) and asks from its own worker threads, so
 * the issuer is not blocked. Here the issuer is the test's own thread: the call must
 * come back with STATUS_PENDING while the ask is still unanswered, and the answer,
 * given afterwards on the same thread, decides the completion EmuIoWait returns.
 * No second thread and no sleep: a driver or emulator that blocked the issuer would
 * return only after the ask's timeout, with the default verdict, and fail the test.
 */
#include "test_driver_util.h"

#define DA_TIMEOUT_MS 10000     /* the rule's ask timeout: a wrongly blocked issuer comes back after it */

static void DaAskPolicy(void)
{
    PB pb;
    memset(&pb, 0, sizeof(pb));
    JMF_RULE *r = PbRule(&pb, 31, JMF_OP_READ | JMF_OP_WRITE, "\\ask\\**", JMF_ACTION_ASK);
    r->Action.TimeoutMs = DA_TIMEOUT_MS;
    r->Action.DefaultVerdict = JMF_ACTION_DENY;
    r->Action.Status = (JMF_I32)0xC0000022;
    CHECK_EQ(SendPolicy(&pb).Error, JMF_ERROR_NONE);
}

/* A handle for asynchronous (overlapped) I/O, as TEST_PID. */
static uint64_t DaOpenAsync(const char *path)
{
    uint64_t h = 0, info = 0;
    CHECK_EQ(EmuFileOpen(g_v1, path, GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE, FILE_OPEN,
                         FILE_NON_DIRECTORY_FILE | EMU_OPEN_ASYNC_IO, 0, &h, &info), STATUS_SUCCESS);
    return h;
}

/* The service side: receives one ask (its message id, 0 if none came within 5 s). */
static uint64_t DaReceiveAsk(JMF_ASK *ask)
{
    return ReceiveAsk(g_port, ask, 5000);
}

static void DaReply(uint64_t messageId, JMF_U32 verdict)
{
    CHECK_EQ(ReplyToAsk(g_port, messageId, verdict, verdict == JMF_ACTION_DENY ? (JMF_I32)0xC0000022 : 0), 0);
}

static void test_async_read_and_write_asked_while_the_issuer_goes_on(void)
{
    Start();
    DaAskPolicy();
    EmuFsPut(g_v1, "\\ask", NULL, 0, 1);
    EmuFsPut(g_v1, "\\ask\\f.txt", "data", 4, 0);
    uint64_t h = DaOpenAsync("\\ask\\f.txt");
    JMF_STATISTICS before, after;
    GetStatistics(&before);

    /* A read: pended for its ask; the issuer is back before anybody answered. */
    char buffer[8] = { 0 };
    uint64_t read = 0;
    uint64_t start = EmuNowNs();
    CHECK_EQ(EmuFileReadAsync(h, 0, buffer, 4, 0, &read), STATUS_PENDING);
    CHECK((EmuNowNs() - start) / 1000000u < DA_TIMEOUT_MS);       /* not back because the ask timed out */
    int32_t status = -1;
    uint64_t information = 0;
    CHECK_EQ(EmuIoWait(read, 0, &status, &information), STATUS_TIMEOUT);
    JMF_ASK ask;
    uint64_t id = DaReceiveAsk(&ask);
    CHECK(id != 0);
    CHECK_EQ(ask.Operation, JMF_OP_READ);
    CHECK_EQ(ask.ProcessId, TEST_PID);              /* the issuer, though the worker asks */
    CHECK_EQ(EmuIoWait(read, 0, &status, &information), STATUS_TIMEOUT);     /* asked, not answered: still pending */
    DaReply(id, JMF_ACTION_ALLOW);
    CHECK_EQ(EmuIoWait(read, EMU_INFINITE, &status, &information), STATUS_SUCCESS);
    CHECK_EQ(status, STATUS_SUCCESS);
    CHECK_EQ(information, 4);
    CHECK(memcmp(buffer, "data", 4) == 0);

    /* A write, denied by the answer: completed with the rule's status, the file untouched. */
    uint64_t write = 0;
    CHECK_EQ(EmuFileWriteAsync(h, 0, "XXXX", 4, 0, &write), STATUS_PENDING);
    id = DaReceiveAsk(&ask);
    CHECK(id != 0);
    CHECK_EQ(ask.Operation, JMF_OP_WRITE);
    DaReply(id, JMF_ACTION_DENY);
    CHECK_EQ(EmuIoWait(write, EMU_INFINITE, &status, &information), STATUS_SUCCESS);
    CHECK_EQ(status, STATUS_ACCESS_DENIED);
    CHECK_EQ(information, 0);
    char back[8] = { 0 };
    CHECK_EQ(EmuFsRead(g_v1, "\\ask\\f.txt", back, sizeof(back)), 4);
    CHECK(memcmp(back, "data", 4) == 0);

    GetStatistics(&after);
    CHECK_EQ(after.Asks - before.Asks, 2);
    CHECK_EQ(after.DefaultVerdicts - before.DefaultVerdicts, 0);    /* both answered, none timed out */
    EmuFileClose(h);
    Stop();
}

static void test_async_read_pended_for_an_ask_completed_by_teardown(void)
{
    Start();
    DaAskPolicy();
    EmuFsPut(g_v1, "\\ask", NULL, 0, 1);
    EmuFsPut(g_v1, "\\ask\\t.txt", "data", 4, 0);
    uint64_t h = DaOpenAsync("\\ask\\t.txt");
    char buffer[8] = { 0 };
    uint64_t read = 0;
    CHECK_EQ(EmuFileReadAsync(h, 0, buffer, 4, 0, &read), STATUS_PENDING);
    JMF_ASK ask;
    CHECK(DaReceiveAsk(&ask) != 0);                 /* in flight on a worker, never answered */
    CHECK_EQ(EmuDetachDriver(g_v1), STATUS_SUCCESS);
    /* The instance teardown completed it with the default verdict before the detach returned. */
    int32_t status = -1;
    uint64_t information = 7;
    CHECK_EQ(EmuIoWait(read, 0, &status, &information), STATUS_SUCCESS);
    CHECK_EQ(status, STATUS_ACCESS_DENIED);
    CHECK_EQ(information, 0);
    CHECK_EQ(buffer[0], 0);
    EmuFileClose(h);
    Stop();
}

const TEST_CASE g_driverAsyncTests[] = {
    { "driver async: an asked read or write returns STATUS_PENDING; the answer completes it", test_async_read_and_write_asked_while_the_issuer_goes_on },
    { "driver async: a request pended for an ask is completed by instance teardown", test_async_read_pended_for_an_ask_completed_by_teardown },
};
const size_t g_driverAsyncTestsCount = sizeof(g_driverAsyncTests) / sizeof(g_driverAsyncTests[0]);
