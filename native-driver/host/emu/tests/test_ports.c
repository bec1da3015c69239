/* Communication ports: connect, limits, security, messages, FltSendMessage timeouts, replies, close. */
#include "test_filters.h"
#include <unistd.h>

static PFLT_PORT g_server, g_client;
static int g_connects, g_disconnects;
static ULONG g_connectPid;
static NTSTATUS g_connectStatus;

static NTSTATUS OnConnect(PFLT_PORT client, PVOID serverCookie, PVOID context, ULONG size, PVOID *cookie)
{
    (void)serverCookie;
    g_connectPid = (ULONG)(ULONG_PTR)PsGetCurrentProcessId();
    if (!NT_SUCCESS(g_connectStatus)) {
        return g_connectStatus;
    }
    CHECK_EQ(size, 4);
    CHECK(memcmp(context, "ctx!", 4) == 0);
    g_client = client;
    g_connects++;
    *cookie = (PVOID)0x77;
    return STATUS_SUCCESS;
}

static VOID OnDisconnect(PVOID cookie)
{
    CHECK(cookie == (PVOID)0x77);
    g_disconnects++;
    FltCloseClientPort(g_tf[0].Filter, &g_client);
}

static NTSTATUS OnMessage(PVOID cookie, PVOID in, ULONG inLength, PVOID out, ULONG outLength, PULONG returned)
{
    (void)cookie;
    if (outLength < inLength) {
        return STATUS_BUFFER_TOO_SMALL;
    }
    for (ULONG i = 0; i < inLength; i++) {
        ((char *)out)[i] = (char)(((char *)in)[i] ^ 0x20);
    }
    *returned = inLength;
    return STATUS_SUCCESS;
}

static const uint16_t g_portName[] = { '\\', 'T', 'e', 's', 't', 'P', 'o', 'r', 't', 0 };

static void StartPort(LONG max)
{
    TfStart(0, "300000", NULL, NULL);
    g_server = g_client = NULL;
    g_connects = g_disconnects = 0;
    g_connectStatus = STATUS_SUCCESS;
    PSECURITY_DESCRIPTOR sd = NULL;
    CHECK_EQ(FltBuildDefaultSecurityDescriptor(&sd, FLT_PORT_ALL_ACCESS), 0);
    UNICODE_STRING name = RTL_CONSTANT_STRING(L"\\TestPort");
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, &name, OBJ_KERNEL_HANDLE | OBJ_CASE_INSENSITIVE, NULL, sd);
    CHECK_EQ(FltCreateCommunicationPort(g_tf[0].Filter, &g_server, &oa, NULL, OnConnect, OnDisconnect, OnMessage, max), 0);
    FltFreeSecurityDescriptor(sd);
}

static void StopPort(void)
{
    FltCloseCommunicationPort(g_server);
    TfUnload(&g_tf[0]);
}

static void test_connect_rules(void)
{
    StartPort(1);
    void *p1 = NULL, *p2 = NULL;
    static const uint16_t wrong[] = { '\\', 'N', 'o', 'p', 'e', 0 };
    CHECK_EQ(EmuFilterConnectCommunicationPort(wrong, 0, "ctx!", 4, NULL, &p1), EMU_E_FILE_NOT_FOUND);
    CHECK_EQ(EmuFilterConnectCommunicationPort(g_portName, 0, "ctx!", 4, NULL, &p1), EMU_E_ACCESS_DENIED);  /* pid 100: not an administrator */
    EmuSetCurrentProcess(200);
    g_connectStatus = STATUS_REVISION_MISMATCH;
    CHECK_EQ(EmuFilterConnectCommunicationPort(g_portName, 0, "ctx!", 4, NULL, &p1), EMU_E_REVISION_MISMATCH);
    g_connectStatus = STATUS_SUCCESS;
    CHECK_EQ(EmuFilterConnectCommunicationPort(g_portName, 0, "ctx!", 4, NULL, &p1), EMU_S_OK);
    CHECK_EQ(g_connectPid, 200);            /* the connect callback runs in the connecting process */
    CHECK_EQ(EmuFilterConnectCommunicationPort(g_portName, 0, "ctx!", 4, NULL, &p2), EMU_E_CONNECTION_COUNT_LIMIT);
    CHECK_EQ(EmuFilterClose(p1), EMU_S_OK);
    CHECK_EQ(g_disconnects, 1);
    CHECK_EQ(EmuFilterConnectCommunicationPort(g_portName, 0, "ctx!", 4, NULL, &p2), EMU_S_OK);    /* the slot is free again */
    EmuFilterClose(p2);
    StopPort();
    EmuSetCurrentProcess(TEST_PID);
}

static void test_send_message_command(void)
{
    StartPort(1);
    EmuSetCurrentProcess(200);
    void *p = NULL;
    CHECK_EQ(EmuFilterConnectCommunicationPort(g_portName, 0, "ctx!", 4, NULL, &p), 0);
    char out[8] = {0};
    uint32_t n = 0;
    CHECK_EQ(EmuFilterSendMessage(p, "abc", 3, out, sizeof(out), &n), 0);
    CHECK_EQ(n, 3);
    CHECK(memcmp(out, "ABC", 3) == 0);
    CHECK_EQ(EmuFilterSendMessage(p, "abcdef", 6, out, 2, &n), EMU_E_INSUFFICIENT_BUFFER);    /* STATUS_BUFFER_TOO_SMALL */
    EmuFilterClose(p);
    StopPort();
}

typedef struct SENDER {
    pthread_t Thread;
    LONGLONG Timeout100ns;
    int WantReply;
    NTSTATUS Status;
    char Reply[16];
    ULONG ReplyLength;
} SENDER;

static void *SenderMain(void *p)
{
    SENDER *s = p;
    LARGE_INTEGER t;
    t.QuadPart = s->Timeout100ns;
    s->ReplyLength = sizeof(s->Reply);
    s->Status = FltSendMessage(g_tf[0].Filter, &g_client, "ask?", 4, s->WantReply ? s->Reply : NULL, s->WantReply ? &s->ReplyLength : NULL,
                               s->Timeout100ns == 0 ? NULL : &t);
    return NULL;
}


static void test_send_get_reply(void)
{
    StartPort(1);
    EmuSetCurrentProcess(200);
    void *p = NULL;
    CHECK_EQ(EmuFilterConnectCommunicationPort(g_portName, 0, "ctx!", 4, NULL, &p), 0);
    SENDER s = { .Timeout100ns = -10000000LL * 5, .WantReply = 1 };
    pthread_create(&s.Thread, NULL, SenderMain, &s);
    uint8_t buf[16 + 4];
    CHECK_EQ(EmuFilterGetMessage(p, buf, sizeof(buf)), 0);
    uint32_t replyLength;
    uint64_t id;
    memcpy(&replyLength, buf, 4);
    memcpy(&id, buf + 8, 8);
    CHECK_EQ(replyLength, 16 + 16);         /* the kernel's reply room plus FILTER_REPLY_HEADER */
    CHECK(memcmp(buf + 16, "ask?", 4) == 0);
    uint8_t reply[16 + 5] = {0};
    memcpy(reply + 8, &id, 8);
    memcpy(reply + 16, "yes!!", 5);
    CHECK_EQ(EmuFilterReplyMessage(p, reply, sizeof(reply)), 0);
    pthread_join(s.Thread, NULL);
    CHECK_EQ(s.Status, STATUS_SUCCESS);
    CHECK_EQ(s.ReplyLength, 5);
    CHECK(memcmp(s.Reply, "yes!!", 5) == 0);
    CHECK_EQ(EmuFilterReplyMessage(p, reply, sizeof(reply)), EMU_E_FLT_NO_WAITER_FOR_REPLY);   /* already answered */
    /* too small a receive buffer */
    SENDER s2 = { .Timeout100ns = -10000000LL, .WantReply = 0 };
    pthread_create(&s2.Thread, NULL, SenderMain, &s2);
    usleep(20000);
    CHECK_EQ(EmuFilterGetMessage(p, buf, 17), EMU_E_INSUFFICIENT_BUFFER);
    CHECK_EQ(EmuFilterGetMessage(p, buf, sizeof(buf)), 0);
    pthread_join(s2.Thread, NULL);
    CHECK_EQ(s2.Status, STATUS_SUCCESS);
    EmuFilterClose(p);
    StopPort();
}

static void test_timeouts_and_late_reply(void)
{
    StartPort(1);
    EmuSetCurrentProcess(200);
    void *p = NULL;
    CHECK_EQ(EmuFilterConnectCommunicationPort(g_portName, 0, "ctx!", 4, NULL, &p), 0);
    SENDER s = { .Timeout100ns = -500000LL, .WantReply = 1 };      /* 50 ms, nobody receives */
    pthread_create(&s.Thread, NULL, SenderMain, &s);
    pthread_join(s.Thread, NULL);
    CHECK_EQ(s.Status, STATUS_TIMEOUT);
    CHECK(NT_SUCCESS(s.Status));            /* STATUS_TIMEOUT is a success code */
    uint8_t buf[20];
    CHECK_EQ(EmuFilterGetMessageTimeout(p, buf, sizeof(buf), 10), EMU_E_WAIT_TIMEOUT);   /* the timed-out message is gone */
    SENDER s2 = { .Timeout100ns = -500000LL, .WantReply = 1 };     /* received but never answered in time */
    pthread_create(&s2.Thread, NULL, SenderMain, &s2);
    CHECK_EQ(EmuFilterGetMessage(p, buf, sizeof(buf)), 0);
    pthread_join(s2.Thread, NULL);
    CHECK_EQ(s2.Status, STATUS_TIMEOUT);
    uint8_t reply[16 + 4] = {0};
    memcpy(reply + 8, buf + 8, 8);
    CHECK_EQ(EmuFilterReplyMessage(p, reply, sizeof(reply)), EMU_E_FLT_NO_WAITER_FOR_REPLY);    /* the late reply */
    EmuFilterClose(p);
    StopPort();
}

static void *CancelLater(void *p)
{
    usleep(30000);
    EmuFilterCancelGets(p);
    return NULL;
}

static void test_close_and_disconnect(void)
{
    StartPort(1);
    EmuSetCurrentProcess(200);
    void *p = NULL;
    CHECK_EQ(EmuFilterConnectCommunicationPort(g_portName, 0, "ctx!", 4, NULL, &p), 0);
    uint8_t buf[20];
    pthread_t t;
    pthread_create(&t, NULL, CancelLater, p);
    CHECK_EQ(EmuFilterGetMessage(p, buf, sizeof(buf)), EMU_E_OPERATION_ABORTED);
    pthread_join(t, NULL);
    CHECK_EQ(EmuFilterClose(p), 0);
    CHECK_EQ(g_disconnects, 1);
    SENDER s = { .Timeout100ns = -500000LL, .WantReply = 1 };
    pthread_create(&s.Thread, NULL, SenderMain, &s);
    pthread_join(s.Thread, NULL);
    CHECK_EQ(s.Status, STATUS_PORT_DISCONNECTED);
    /* unloading with a client connected: the filter manager calls the disconnect callback */
    CHECK_EQ(EmuFilterConnectCommunicationPort(g_portName, 0, "ctx!", 4, NULL, &p), 0);
    StopPort();
    CHECK_EQ(g_disconnects, 2);
    CHECK_EQ(EmuFilterSendMessage(p, "a", 1, buf, sizeof(buf), (uint32_t *)buf), EMU_E_INVALID_HANDLE);
    EmuFilterClose(p);
}

typedef struct GETTER { pthread_t Thread; void *Port; int32_t Result; } GETTER;
static void *GetterMain(void *p)
{
    GETTER *g = p;
    uint8_t buf[64];
    g->Result = EmuFilterGetMessage(g->Port, buf, sizeof(buf));
    return NULL;
}

static void test_reset_with_a_blocked_get(void)
{
    StartPort(1);
    EmuSetCurrentProcess(200);
    GETTER g = { .Result = 1 };
    CHECK_EQ(EmuFilterConnectCommunicationPort(g_portName, 0, "ctx!", 4, NULL, &g.Port), 0);
    pthread_create(&g.Thread, NULL, GetterMain, &g);
    usleep(20000);
    EmuReset();                 /* what the Java side does between runs */
    pthread_join(g.Thread, NULL);
    CHECK(g.Result == EMU_E_OPERATION_ABORTED || g.Result == EMU_E_INVALID_HANDLE);
    uint8_t buf[32];
    CHECK_EQ(EmuFilterGetMessage(g.Port, buf, sizeof(buf)), EMU_E_INVALID_HANDLE);    /* the old handle is dead ... */
    CHECK_EQ(EmuFilterClose(g.Port), EMU_S_OK);                                       /* ... and can still be closed */
}

const TEST_CASE g_portTests[] = {
    { "ports: name, security, connect status, MaxConnections (0x800704D6)", test_connect_rules },
    { "ports: FilterSendMessage runs the message callback; status -> HRESULT", test_send_message_command },
    { "ports: FltSendMessage -> FilterGetMessage -> FilterReplyMessage", test_send_get_reply },
    { "ports: STATUS_TIMEOUT without receiver or reply; late reply 0x801F0020", test_timeouts_and_late_reply },
    { "ports: cancelled get, close, disconnect callback, unload with a client", test_close_and_disconnect },
    { "ports: EmuReset wakes a blocked get and invalidates its handle", test_reset_with_a_blocked_get },
};
const size_t g_portTestsCount = sizeof(g_portTests) / sizeof(g_portTests[0]);
