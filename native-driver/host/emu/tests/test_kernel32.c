/* What the user-mode parts of Microsoft's samples need of kernel32 and fltlib beyond test_fltlib.c's:
 * CreateThread / WaitForSingleObject(Ex) / GetExitCodeThread on pthreads, and
 * FilterConnectCommunicationPortUtf16 (the port name in Windows' UTF-16, as include-user's fltUser.h
 * passes it). */
#include "test_filters.h"

/* A start routine held at a gate the test opens, so "still running" is a fact, not a timing. */
typedef struct GATE {
    pthread_mutex_t Lock;
    pthread_cond_t Cond;
    int Open;
    int Entered;
    PEPROCESS Process;          /* the emulated process the routine ran in */
    void *Parameter;
} GATE;

static uint32_t GatedRoutine(void *p)
{
    GATE *g = p;
    pthread_mutex_lock(&g->Lock);
    g->Process = PsGetCurrentProcess();
    g->Parameter = p;
    g->Entered = 1;
    pthread_cond_broadcast(&g->Cond);
    while (!g->Open) {
        pthread_cond_wait(&g->Cond, &g->Lock);
    }
    pthread_mutex_unlock(&g->Lock);
    return 0x1234;
}

static void GateInit(GATE *g)
{
    memset(g, 0, sizeof(*g));
    pthread_mutex_init(&g->Lock, NULL);
    pthread_cond_init(&g->Cond, NULL);
}

static void GateOpen(GATE *g)
{
    pthread_mutex_lock(&g->Lock);
    g->Open = 1;
    pthread_cond_broadcast(&g->Cond);
    pthread_mutex_unlock(&g->Lock);
}

static void GateWaitEntered(GATE *g)
{
    pthread_mutex_lock(&g->Lock);
    while (!g->Entered) {
        pthread_cond_wait(&g->Cond, &g->Lock);
    }
    pthread_mutex_unlock(&g->Lock);
}

/* The thread runs the routine with its parameter in the creator's process; its handle is signalled
 * when the routine returns, with the routine's value as exit code. */
static void test_create_thread_and_wait(void)
{
    GATE g;
    GateInit(&g);
    CHECK_EQ(EmuSetCurrentProcess(200), 0);
    PEPROCESS creator = PsGetCurrentProcess();
    uint32_t id = 0;
    void *t = CreateThread(NULL, 0, GatedRoutine, &g, 0, &id);
    CHECK(t != NULL);
    CHECK(id != 0 && id % 4 == 0);
    GateWaitEntered(&g);
    CHECK(g.Process == creator);
    CHECK(g.Parameter == &g);
    uint32_t code = 0;
    CHECK(GetExitCodeThread(t, &code));
    CHECK_EQ(code, EMU_STILL_ACTIVE);
    CHECK_EQ(WaitForSingleObjectEx(t, 0, 0), EMU_WAIT_TIMEOUT);
    CHECK_EQ(WaitForSingleObject(t, 10), EMU_WAIT_TIMEOUT);
    GateOpen(&g);
    CHECK_EQ(WaitForSingleObjectEx(t, EMU_INFINITE, 1), EMU_WAIT_OBJECT_0);
    CHECK_EQ(WaitForSingleObject(t, 0), EMU_WAIT_OBJECT_0);    /* stays signalled */
    CHECK(GetExitCodeThread(t, &code));
    CHECK_EQ(code, 0x1234);
    CHECK(CloseHandle(t));
    /* The handle is gone: a wait on it fails and is reported. */
    CHECK_EQ(WaitForSingleObjectEx(t, 0, 0), EMU_WAIT_FAILED);
    CHECK_EQ(GetLastError(), EMU_ERROR_INVALID_HANDLE);
    char text[128];
    snprintf(text, sizeof(text), "WaitForSingleObjectEx: handle 0x%lx used after CloseHandle", (unsigned long)(uintptr_t)t);
    CHECK_VIOLATION(text);
}

/* Closing the handle does not end the thread; the thread object outlives it until the routine returns. */
static void test_close_handle_of_a_running_thread(void)
{
    /* static: the first thread may still be leaving GatedRoutine (reading g) after this test returned. */
    static GATE g;
    GateInit(&g);
    void *t = CreateThread(NULL, 0, GatedRoutine, &g, 0, NULL);
    CHECK(t != NULL);
    GateWaitEntered(&g);
    CHECK(CloseHandle(t));
    GateOpen(&g);
    /* The routine returns and frees the object: nothing to observe but no use after free (ASan). */
    void *u = CreateThread(NULL, 0, GatedRoutine, &g, 0, NULL);     /* the gate is open: returns at once */
    CHECK(u != NULL);
    CHECK_EQ(WaitForSingleObject(u, EMU_INFINITE), EMU_WAIT_OBJECT_0);
    CHECK(CloseHandle(u));
}

static void test_create_thread_bad_input(void)
{
    GATE g;
    GateInit(&g);
    SetLastError(0);
    CHECK(CreateThread(NULL, 0, NULL, &g, 0, NULL) == NULL);
    CHECK_EQ(GetLastError(), EMU_ERROR_INVALID_PARAMETER);
    CHECK(CreateThread(NULL, 0, GatedRoutine, &g, 0x4 /* CREATE_SUSPENDED */, NULL) == NULL);
    CHECK_EQ(GetLastError(), EMU_ERROR_NOT_SUPPORTED);
    CHECK(!g.Entered);
    /* A stack size as a reservation is accepted (and at least the default is given). */
    GateOpen(&g);
    void *t = CreateThread(NULL, 1 << 20, GatedRoutine, &g, EMU_STACK_SIZE_PARAM_IS_A_RESERVATION, NULL);
    CHECK(t != NULL);
    CHECK_EQ(WaitForSingleObject(t, EMU_INFINITE), EMU_WAIT_OBJECT_0);
    CHECK(CloseHandle(t));
}

/* Waiting on a completion port handle is not emulated: said so, not hung. */
static void test_wait_on_other_handles(void)
{
    void *iocp = CreateIoCompletionPort(EMU_INVALID_HANDLE_VALUE, NULL, 0, 0);
    CHECK(iocp != NULL);
    CHECK_EQ(WaitForSingleObject(iocp, 0), EMU_WAIT_FAILED);
    CHECK_EQ(GetLastError(), EMU_ERROR_INVALID_HANDLE);
    CHECK_VIOLATION("waiting on a communication or completion port handle is not emulated");
    CHECK(CloseHandle(iocp));
    uint32_t code;
    CHECK(!GetExitCodeThread(iocp, &code));
    CHECK_EQ(GetLastError(), EMU_ERROR_INVALID_HANDLE);
    CHECK_VIOLATION("GetExitCodeThread");
}

/* UTF-16 port names: the same port as the UTF-32 entry point reaches, and a wrong name is not found. */
static PFLT_PORT g_server16, g_client16;

static NTSTATUS Connect16(PFLT_PORT client, PVOID serverCookie, PVOID context, ULONG size, PVOID *cookie)
{
    (void)serverCookie; (void)context; (void)size;
    g_client16 = client;
    *cookie = NULL;
    return STATUS_SUCCESS;
}

static VOID Disconnect16(PVOID cookie)
{
    (void)cookie;
    FltCloseClientPort(g_tf[0].Filter, &g_client16);
}

static void test_connect_with_utf16_name(void)
{
    TfStart(0, "300000", NULL, NULL);
    UNICODE_STRING name = RTL_CONSTANT_STRING(L"\\ScannerPort");
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, &name, OBJ_KERNEL_HANDLE | OBJ_CASE_INSENSITIVE, NULL, NULL);
    CHECK_EQ(FltCreateCommunicationPort(g_tf[0].Filter, &g_server16, &oa, NULL, Connect16, Disconnect16, NULL, 1), 0);
    void *port = (void *)1;
    CHECK_EQ(FilterConnectCommunicationPortUtf16((const uint16_t *)L"\\ScannerPor", 0, NULL, 0, NULL, &port), EMU_E_FILE_NOT_FOUND);
    CHECK(port == NULL);
    CHECK_EQ(EmuWaitForPortConnection("\\ScannerPort", 0), EMU_E_WAIT_TIMEOUT);
    CHECK_EQ(FilterConnectCommunicationPortUtf16((const uint16_t *)L"\\scannerport", 0, NULL, 0, NULL, &port), EMU_S_OK);
    CHECK(port != NULL && g_client16 != NULL);
    CHECK_EQ(EmuWaitForPortConnection("\\ScannerPort", 0), 0);
    CHECK_EQ(EmuWaitForPortConnection("\\NoSuchPort", 0), EMU_E_FILE_NOT_FOUND);
    CHECK(CloseHandle(port));
    CHECK(g_client16 == NULL);          /* the disconnect callback ran */
    CHECK_EQ(EmuWaitForPortConnection("\\ScannerPort", 0), EMU_E_WAIT_TIMEOUT);
    FltCloseCommunicationPort(g_server16);
    TfUnload(&g_tf[0]);
}

/* A message the kernel sent before the overlapped FilterGetMessage: received at once, and still
 * HRESULT_FROM_WIN32(ERROR_IO_PENDING), as documented (scanner's loop ends on anything else). */
typedef struct SEND16 { pthread_t Thread; NTSTATUS Status; char Reply[4]; ULONG ReplyLength; } SEND16;

static void *Send16(void *p)
{
    SEND16 *s = p;
    LARGE_INTEGER t;
    t.QuadPart = -10000000LL * 60;
    s->ReplyLength = sizeof(s->Reply);
    s->Status = FltSendMessage(g_tf[0].Filter, &g_client16, "scan", 4, s->Reply, &s->ReplyLength, &t);
    return NULL;
}

static void test_overlapped_get_of_a_queued_message_is_pending(void)
{
    TfStart(0, "300000", NULL, NULL);
    UNICODE_STRING name = RTL_CONSTANT_STRING(L"\\ScannerPort");
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, &name, OBJ_KERNEL_HANDLE | OBJ_CASE_INSENSITIVE, NULL, NULL);
    CHECK_EQ(FltCreateCommunicationPort(g_tf[0].Filter, &g_server16, &oa, NULL, Connect16, Disconnect16, NULL, 1), 0);
    void *port = NULL;
    CHECK_EQ(FilterConnectCommunicationPortUtf16((const uint16_t *)L"\\ScannerPort", 0, NULL, 0, NULL, &port), EMU_S_OK);
    void *iocp = CreateIoCompletionPort(port, NULL, 7, 0);
    CHECK(iocp != NULL);
    SEND16 sender;
    memset(&sender, 0, sizeof(sender));
    CHECK_EQ(pthread_create(&sender.Thread, NULL, Send16, &sender), 0);
    CHECK(EmuPortWaitQueued(g_client16, 1, 60000));     /* the message waits for a get */
    uint8_t buf[16 + 8];
    EMU_OVERLAPPED ov;
    memset(&ov, 0, sizeof(ov));
    CHECK_EQ(FilterGetMessage(port, buf, sizeof(buf), &ov), EMU_E_IO_PENDING);
    uint32_t bytes = 0;
    uintptr_t key = 0;
    EMU_OVERLAPPED *done = NULL;
    CHECK(GetQueuedCompletionStatus(iocp, &bytes, &key, &done, 0));     /* queued already: no wait */
    CHECK(done == &ov);
    CHECK_EQ(key, 7);
    CHECK_EQ(bytes, 16 + 4);
    CHECK_EQ(ov.Internal, 0);
    CHECK(memcmp(buf + 16, "scan", 4) == 0);
    uint8_t reply[16 + 1];
    memset(reply, 0, sizeof(reply));
    memcpy(reply + 8, buf + 8, 8);      /* MessageId */
    reply[16] = 1;
    CHECK_EQ(FilterReplyMessage(port, reply, sizeof(reply)), EMU_S_OK);
    pthread_join(sender.Thread, NULL);
    CHECK_EQ(sender.Status, STATUS_SUCCESS);
    CHECK_EQ(sender.ReplyLength, 1);
    CHECK(CloseHandle(port));
    CHECK(CloseHandle(iocp));
    FltCloseCommunicationPort(g_server16);
    TfUnload(&g_tf[0]);
}

const TEST_CASE g_kernel32Tests[] = {
    { "fltlib: an overlapped FilterGetMessage of a message already queued returns ERROR_IO_PENDING", test_overlapped_get_of_a_queued_message_is_pending },
    { "kernel32: CreateThread runs in the creator's process; its handle is signalled with the exit code", test_create_thread_and_wait },
    { "kernel32: closing a running thread's handle leaves the thread running", test_close_handle_of_a_running_thread },
    { "kernel32: CreateThread refuses a NULL routine and CREATE_SUSPENDED", test_create_thread_bad_input },
    { "kernel32: WaitForSingleObject on a completion port is reported, not hung", test_wait_on_other_handles },
    { "fltlib: FilterConnectCommunicationPortUtf16 and EmuWaitForPortConnection", test_connect_with_utf16_name },
};
const size_t g_kernel32TestsCount = sizeof(g_kernel32Tests) / sizeof(g_kernel32Tests[0]);
