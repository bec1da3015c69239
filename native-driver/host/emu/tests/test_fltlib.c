/* The Win32 surface (emu_fltlib.c): overlapped FilterGetMessage on an I/O completion port,
 * CancelIoEx, CloseHandle, and the caller's side of the contract. */
#include "test_filters.h"

static PFLT_PORT g_server, g_client;
static int g_disconnects;

static NTSTATUS OnConnect(PFLT_PORT client, PVOID serverCookie, PVOID context, ULONG size, PVOID *cookie)
{
    (void)serverCookie; (void)context; (void)size;
    g_client = client;
    *cookie = NULL;
    return STATUS_SUCCESS;
}

static VOID OnDisconnect(PVOID cookie)
{
    (void)cookie;
    g_disconnects++;
    FltCloseClientPort(g_tf[0].Filter, &g_client);
}

/* wchar_t as JNA and Linux C pass it: 4-byte units. */
static const uint32_t g_name[] = { '\\', 'S', 'h', 'i', 'm', 'P', 'o', 'r', 't', 0 };

static void *StartPort(void)
{
    TfStart(0, "300000", NULL, NULL);
    g_server = g_client = NULL;
    g_disconnects = 0;
    UNICODE_STRING name = RTL_CONSTANT_STRING(L"\\ShimPort");
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, &name, OBJ_KERNEL_HANDLE | OBJ_CASE_INSENSITIVE, NULL, NULL);
    CHECK_EQ(FltCreateCommunicationPort(g_tf[0].Filter, &g_server, &oa, NULL, OnConnect, OnDisconnect, NULL, 1), 0);
    void *port = NULL;
    static const uint32_t wrong[] = { '\\', 'S', 'h', 'i', 'm', 0 };
    CHECK_EQ(FilterConnectCommunicationPort(wrong, 0, NULL, 0, NULL, &port), EMU_E_FILE_NOT_FOUND);
    CHECK_EQ(FilterConnectCommunicationPort(g_name, 0, NULL, 0, NULL, &port), EMU_S_OK);
    CHECK(port != NULL);
    return port;
}

static void StopPort(void)
{
    FltCloseCommunicationPort(g_server);
    TfUnload(&g_tf[0]);
}

typedef struct SENDER {
    pthread_t Thread;
    const char *Body;
    int WantReply;
    NTSTATUS Status;
    char Reply[16];
    ULONG ReplyLength;
} SENDER;

static void *SenderMain(void *p)
{
    SENDER *s = p;
    LARGE_INTEGER t;
    t.QuadPart = -10000000LL * 10;
    s->ReplyLength = sizeof(s->Reply);
    s->Status = FltSendMessage(g_tf[0].Filter, &g_client, (PVOID)s->Body, (ULONG)strlen(s->Body), s->WantReply ? s->Reply : NULL,
                               s->WantReply ? &s->ReplyLength : NULL, &t);
    return NULL;
}

static void test_overlapped_receive_completes_on_the_iocp(void)
{
    void *port = StartPort();
    void *iocp = CreateIoCompletionPort(port, NULL, 0x55, 0);
    CHECK(iocp != NULL);
    CHECK(CreateIoCompletionPort(port, NULL, 0x56, 0) == NULL);    /* associated once only */
    CHECK_EQ(GetLastError(), EMU_ERROR_INVALID_PARAMETER);
    uint8_t buf[16 + 32];
    EMU_OVERLAPPED ov;
    memset(&ov, 0, sizeof(ov));
    CHECK_EQ(FilterGetMessage(port, buf, sizeof(buf), &ov), EMU_E_IO_PENDING);
    /* nothing yet: a bounded wait times out with no OVERLAPPED */
    uint32_t bytes = 1;
    uintptr_t key = 1;
    EMU_OVERLAPPED *done = &ov;
    CHECK_EQ(GetQueuedCompletionStatus(iocp, &bytes, &key, &done, 0), 0);
    CHECK_EQ(GetLastError(), EMU_WAIT_TIMEOUT);
    CHECK(done == NULL);
    SENDER s = { .Body = "ask-me", .WantReply = 1 };
    pthread_create(&s.Thread, NULL, SenderMain, &s);
    CHECK_EQ(GetQueuedCompletionStatus(iocp, &bytes, &key, &done, 0xFFFFFFFFu), 1);
    CHECK(done == &ov);
    CHECK_EQ(key, 0x55);
    CHECK_EQ(bytes, 16 + 6);               /* FILTER_MESSAGE_HEADER + the message */
    CHECK_EQ(ov.Internal, 0);
    CHECK_EQ(ov.InternalHigh, 16 + 6);
    CHECK(memcmp(buf + 16, "ask-me", 6) == 0);
    uint8_t reply[16 + 3] = {0};
    memcpy(reply + 8, buf + 8, 8);
    memcpy(reply + 16, "yes", 3);
    CHECK_EQ(FilterReplyMessage(port, reply, sizeof(reply)), 0);
    pthread_join(s.Thread, NULL);
    CHECK_EQ(s.Status, STATUS_SUCCESS);
    CHECK_EQ(s.ReplyLength, 3);
    /* a late reply (already answered here) is only an error */
    CHECK_EQ(FilterReplyMessage(port, reply, sizeof(reply)), EMU_E_FLT_NO_WAITER_FOR_REPLY);
    CHECK_VIOLATION("already replied to");
    /* PostQueuedCompletionStatus goes through the same queue */
    CHECK_EQ(PostQueuedCompletionStatus(iocp, 7, 0x99, NULL), 1);
    CHECK_EQ(GetQueuedCompletionStatus(iocp, &bytes, &key, &done, 0xFFFFFFFFu), 1);
    CHECK(done == NULL);
    CHECK_EQ(bytes, 7);
    CHECK_EQ(key, 0x99);
    CHECK_EQ(CloseHandle(port), 1);
    CHECK_EQ(g_disconnects, 1);
    CHECK_EQ(CloseHandle(iocp), 1);
    StopPort();
}

static void test_cancel_io_ex(void)
{
    void *port = StartPort();
    void *iocp = CreateIoCompletionPort(port, NULL, 1, 0);
    uint8_t b1[64], b2[64];
    EMU_OVERLAPPED o1, o2;
    memset(&o1, 0, sizeof(o1));
    memset(&o2, 0, sizeof(o2));
    CHECK_EQ(FilterGetMessage(port, b1, sizeof(b1), &o1), EMU_E_IO_PENDING);
    CHECK_EQ(FilterGetMessage(port, b2, sizeof(b2), &o2), EMU_E_IO_PENDING);
    CHECK_EQ(CancelIoEx(port, &o1), 1);
    uint32_t bytes = 1;
    uintptr_t key = 0;
    EMU_OVERLAPPED *done = NULL;
    CHECK_EQ(GetQueuedCompletionStatus(iocp, &bytes, &key, &done, 0xFFFFFFFFu), 0);
    CHECK(done == &o1);                     /* only that one */
    CHECK_EQ(GetLastError(), EMU_ERROR_OPERATION_ABORTED);
    CHECK_EQ(bytes, 0);
    CHECK_EQ(key, 1);
    CHECK_EQ(o1.Internal, 0xC0000120);      /* STATUS_CANCELLED */
    CHECK_EQ(CancelIoEx(port, &o1), 0);
    CHECK_EQ(GetLastError(), EMU_ERROR_NOT_FOUND);
    CHECK_EQ(CancelIoEx(port, NULL), 1);    /* every pending receive of the handle */
    CHECK_EQ(GetQueuedCompletionStatus(iocp, &bytes, &key, &done, 0xFFFFFFFFu), 0);
    CHECK(done == &o2);
    CHECK_EQ(GetLastError(), EMU_ERROR_OPERATION_ABORTED);
    CHECK_EQ(CancelIoEx(port, NULL), 0);
    CHECK_EQ(GetLastError(), EMU_ERROR_NOT_FOUND);
    /* closing the handle cancels what is still pending; the packet still arrives */
    CHECK_EQ(FilterGetMessage(port, b1, sizeof(b1), &o1), EMU_E_IO_PENDING);
    CHECK_EQ(CloseHandle(port), 1);
    CHECK_EQ(GetQueuedCompletionStatus(iocp, &bytes, &key, &done, 0xFFFFFFFFu), 0);
    CHECK(done == &o1);
    CHECK_EQ(GetLastError(), EMU_ERROR_OPERATION_ABORTED);
    CHECK_EQ(g_disconnects, 1);
    CHECK_EQ(CloseHandle(iocp), 1);
    StopPort();
}

static void test_pending_overlapped_and_buffer_reuse_is_caught(void)
{
    void *port = StartPort();
    void *iocp = CreateIoCompletionPort(port, NULL, 1, 0);
    uint8_t b1[64], b2[64];
    EMU_OVERLAPPED o1, o2;
    memset(&o1, 0, sizeof(o1));
    memset(&o2, 0, sizeof(o2));
    CHECK_EQ(FilterGetMessage(port, b1, sizeof(b1), &o1), EMU_E_IO_PENDING);
    CHECK_EQ(FilterGetMessage(port, b2, sizeof(b2), &o1), EMU_E_INVALID_PARAMETER);     /* the same OVERLAPPED */
    CHECK_VIOLATION("OVERLAPPED at");
    CHECK_EQ(FilterGetMessage(port, b1 + 8, 32, &o2), EMU_E_INVALID_PARAMETER);         /* part of the same buffer */
    CHECK_VIOLATION("message buffer at");
    uint32_t n = 0;
    CHECK_EQ(FilterSendMessage(port, "x", 1, b1, sizeof(b1), &n), EMU_E_INVALID_PARAMETER);
    CHECK_VIOLATION("output buffer");
    CHECK_EQ(PostQueuedCompletionStatus(iocp, 0, 0, &o1), 0);
    CHECK_VIOLATION("PostQueuedCompletionStatus");
    /* the caller "resets" its OVERLAPPED while the kernel still owns it: found at completion */
    memset(&o1, 0, sizeof(o1));
    CHECK_EQ(CancelIoEx(port, NULL), 1);
    uint32_t bytes;
    uintptr_t key;
    EMU_OVERLAPPED *done = NULL;
    CHECK_EQ(GetQueuedCompletionStatus(iocp, &bytes, &key, &done, 0xFFFFFFFFu), 0);
    CHECK(done == &o1);
    CHECK_VIOLATION("was written (Internal 0x0) while its receive was pending");
    /* a reply naming a message id this handle never received */
    uint8_t reply[16] = {0};
    reply[8] = 42;
    CHECK_EQ(FilterReplyMessage(port, reply, sizeof(reply)), EMU_E_FLT_NO_WAITER_FOR_REPLY);
    CHECK_VIOLATION("message id 42 was never received");
    CHECK_EQ(CloseHandle(port), 1);
    CHECK_EQ(CloseHandle(iocp), 1);
    StopPort();
}

static void test_close_handle_twice(void)
{
    void *port = StartPort();
    void *iocp = CreateIoCompletionPort(EMU_INVALID_HANDLE_VALUE, NULL, 0, 0);
    CHECK(iocp != NULL);
    CHECK(CreateIoCompletionPort(port, iocp, 3, 0) == iocp);   /* associated with an existing port */
    CHECK_EQ(CloseHandle(port), 1);
    CHECK_EQ(CloseHandle(port), 0);
    CHECK_EQ(GetLastError(), EMU_ERROR_INVALID_HANDLE);
    CHECK_VIOLATION("CloseHandle: handle");
    uint8_t b[32];
    uint32_t n;
    CHECK_EQ(FilterSendMessage(port, "x", 1, b, sizeof(b), &n), EMU_E_INVALID_HANDLE);
    CHECK_VIOLATION("FilterSendMessage: handle");
    CHECK_EQ(CloseHandle(iocp), 1);
    uint32_t bytes;
    uintptr_t key;
    EMU_OVERLAPPED *done;
    CHECK_EQ(GetQueuedCompletionStatus(iocp, &bytes, &key, &done, 0), 0);
    CHECK_EQ(GetLastError(), EMU_ERROR_INVALID_HANDLE);
    CHECK_VIOLATION("GetQueuedCompletionStatus: handle");
    CHECK_EQ(CloseHandle((void *)0x7), 0);
    CHECK_VIOLATION("is not a handle");
    StopPort();
}

static void test_synchronous_get(void)
{
    void *port = StartPort();
    SENDER s = { .Body = "note", .WantReply = 0 };
    pthread_create(&s.Thread, NULL, SenderMain, &s);
    uint8_t buf[32];
    CHECK_EQ(FilterGetMessage(port, buf, sizeof(buf), NULL), 0);     /* blocks until the message */
    CHECK(memcmp(buf + 16, "note", 4) == 0);
    pthread_join(s.Thread, NULL);
    CHECK_EQ(s.Status, STATUS_SUCCESS);
    /* the message wanted no reply: replying names an id nobody can wait for */
    uint8_t reply[16] = {0};
    memcpy(reply + 8, buf + 8, 8);
    CHECK_EQ(FilterReplyMessage(port, reply, sizeof(reply)), EMU_E_FLT_NO_WAITER_FOR_REPLY);
    CHECK_VIOLATION("as one waiting for a reply");
    CHECK_EQ(CloseHandle(port), 1);
    StopPort();
}

const TEST_CASE g_fltlibTests[] = {
    { "fltlib: overlapped FilterGetMessage completes on the IOCP (key, 16 + body bytes)", test_overlapped_receive_completes_on_the_iocp },
    { "fltlib: CancelIoEx (one, all, ERROR_NOT_FOUND); CloseHandle cancels", test_cancel_io_ex },
    { "fltlib: a pending OVERLAPPED or buffer reused, an OVERLAPPED written, an unknown reply id", test_pending_overlapped_and_buffer_reuse_is_caught },
    { "fltlib: CloseHandle twice and handles used after close", test_close_handle_twice },
    { "fltlib: synchronous FilterGetMessage blocks until the message", test_synchronous_get },
};
const size_t g_fltlibTestsCount = sizeof(g_fltlibTests) / sizeof(g_fltlibTests[0]);
