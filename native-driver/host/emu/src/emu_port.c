/*
 * emu_port.c - Filter Manager communication ports, both sides.
 *
 * Kernel side: FltBuildDefaultSecurityDescriptor, FltCreateCommunicationPort
 * (name, security descriptor, MaxConnections), connect/disconnect/message
 * callbacks, FltSendMessage with its timeout (STATUS_TIMEOUT, a success
 * code, when no receiver took the message or no reply came in time),
 * FltCloseClientPort, FltCloseCommunicationPort.
 *
 * User side (fltlib's semantics, exported from libjmfemu.so): connect, send,
 * get (blocking, with a timeout variant and cancellation), reply, close.
 * Messages arrive behind a 16-byte FILTER_MESSAGE_HEADER (ReplyLength,
 * MessageId at 8); replies start with a 16-byte FILTER_REPLY_HEADER. A
 * message sent while a get is waiting is delivered straight into that
 * get's buffer, as the documentation says.
 */
#include "emu_internal.h"

typedef struct EMU_MSG_HEADER { uint32_t ReplyLength; uint32_t Padding; uint64_t MessageId; } EMU_MSG_HEADER;
typedef struct EMU_REPLY_HEADER { int32_t Status; uint32_t Padding; uint64_t MessageId; } EMU_REPLY_HEADER;
_Static_assert(sizeof(EMU_MSG_HEADER) == 16 && sizeof(EMU_REPLY_HEADER) == 16, "fltlib's headers are 16 bytes on 64-bit Windows");

typedef struct EMU_MSG {
    LIST_ENTRY Link;
    uint64_t Id;
    const void *Body;
    ULONG Length;
    PVOID Reply;
    ULONG ReplyCapacity;
    ULONG ReplyLength;
    NTSTATUS ReplyStatus;
    int Delivered;
    int Replied;
} EMU_MSG;

typedef struct EMU_GET {
    LIST_ENTRY Link;
    void *Buffer;
    uint32_t Size;
    uint32_t Written;               /* bytes written into Buffer (FILTER_MESSAGE_HEADER included) */
    int Done;
    int32_t Result;
} EMU_GET;

#define EMU_SD_MAGIC 0x44534d45u
typedef struct EMU_SD { uint32_t Magic; ACCESS_MASK Access; } EMU_SD;

#define EMU_UPORT_MAGIC 0x54524f50u
struct _FLT_PORT {
    EMU_OBJ Hdr;
    int IsServer;
    LIST_ENTRY Link;
    /* server */
    PFLT_FILTER Filter;
    WCHAR Name[128];
    int Secured;                    /* built by FltBuildDefaultSecurityDescriptor: administrators and SYSTEM only */
    PVOID ServerCookie;
    PFLT_CONNECT_NOTIFY Connect;
    PFLT_DISCONNECT_NOTIFY Disconnect;
    PFLT_MESSAGE_NOTIFY Message;
    LONG MaxConnections;
    LONG Connections;
    int Closed;
    /* client */
    struct _FLT_PORT *Server;
    PVOID ConnectionCookie;
    int UserClosed;                 /* the user handle was closed (disconnect notified) */
    int KernelClosed;               /* FltCloseClientPort was called */
    int Counted;                    /* still counted in Server->Connections */
    int DisconnectNotified;
    LIST_ENTRY Messages;            /* sent, waiting for a get */
    LIST_ENTRY AwaitingReply;       /* delivered, waiting for a reply */
    LIST_ENTRY Gets;                /* user gets waiting for a message */
    int CancelGeneration;
    int Busy;                       /* senders and gets still using it */
};

/* A user-mode handle. Kept on a list so that EmuReset can invalidate the
 * handles the Java side still holds (they then fail with E_INVALID_HANDLE). */
typedef struct EMU_UPORT { uint32_t Magic; struct _FLT_PORT *Client; LIST_ENTRY Link; } EMU_UPORT;

static LIST_ENTRY g_ports = { &g_ports, &g_ports };
static LIST_ENTRY g_userPorts = { &g_userPorts, &g_userPorts };
static uint64_t g_nextMessageId;

static int32_t EmuHresultFromNt(NTSTATUS s)
{
    if (NT_SUCCESS(s)) {
        return 0;
    }
    if (((ULONG)s & 0x0FFF0000u) == 0x001C0000u) {
        return (int32_t)(0x801F0000u | ((ULONG)s & 0xFFFFu));   /* FACILITY_USERMODE_FILTER_MANAGER */
    }
    return (int32_t)(0x80070000u | (RtlNtStatusToDosError(s) & 0xFFFFu));
}

/* ---- kernel side ---- */
NTSTATUS FltBuildDefaultSecurityDescriptor(PSECURITY_DESCRIPTOR *SecurityDescriptor, ACCESS_MASK DesiredAccess)
{
    EmuRequireIrql("FltBuildDefaultSecurityDescriptor", PASSIVE_LEVEL);
    EMU_SD *sd = EmuPoolAlloc(sizeof(EMU_SD), 'dSMF', 1, 1, "FltBuildDefaultSecurityDescriptor");
    if (sd == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    sd->Magic = EMU_SD_MAGIC;
    sd->Access = DesiredAccess;
    *SecurityDescriptor = sd;
    return STATUS_SUCCESS;
}

VOID FltFreeSecurityDescriptor(PSECURITY_DESCRIPTOR SecurityDescriptor)
{
    EMU_SD *sd = SecurityDescriptor;
    if (sd == NULL || sd->Magic != EMU_SD_MAGIC) {
        EmuViolation("FltFreeSecurityDescriptor(%p): not built by FltBuildDefaultSecurityDescriptor", SecurityDescriptor);
        return;
    }
    sd->Magic = 0;
    EmuPoolFree(sd, 'dSMF', 1, "FltFreeSecurityDescriptor");
}

NTSTATUS RtlCreateSecurityDescriptor(PSECURITY_DESCRIPTOR SecurityDescriptor, ULONG Revision)
{
    UNREFERENCED_PARAMETER(SecurityDescriptor);
    UNREFERENCED_PARAMETER(Revision);
    return STATUS_SUCCESS;
}

NTSTATUS RtlSetDaclSecurityDescriptor(PSECURITY_DESCRIPTOR SecurityDescriptor, BOOLEAN DaclPresent, PVOID Dacl, BOOLEAN DaclDefaulted)
{
    UNREFERENCED_PARAMETER(SecurityDescriptor); UNREFERENCED_PARAMETER(DaclPresent); UNREFERENCED_PARAMETER(Dacl); UNREFERENCED_PARAMETER(DaclDefaulted);
    return STATUS_SUCCESS;
}

static int EmuNameEqualI(const WCHAR *a, const WCHAR *b)
{
    for (;; a++, b++) {
        WCHAR x = *a, y = *b;
        if (x >= 'a' && x <= 'z') x = (WCHAR)(x - 32);
        if (y >= 'a' && y <= 'z') y = (WCHAR)(y - 32);
        if (x != y) {
            return 0;
        }
        if (x == 0) {
            return 1;
        }
    }
}

static struct _FLT_PORT *EmuFindServer(const WCHAR *name)
{
    for (PLIST_ENTRY e = g_ports.Flink; e != &g_ports; e = e->Flink) {
        struct _FLT_PORT *p = CONTAINING_RECORD(e, struct _FLT_PORT, Link);
        if (p->IsServer && !p->Closed && EmuNameEqualI(p->Name, name)) {
            return p;
        }
    }
    return NULL;
}

NTSTATUS FltCreateCommunicationPort(PFLT_FILTER Filter, PFLT_PORT *ServerPort, POBJECT_ATTRIBUTES ObjectAttributes, PVOID ServerPortCookie,
                                    PFLT_CONNECT_NOTIFY ConnectNotifyCallback, PFLT_DISCONNECT_NOTIFY DisconnectNotifyCallback,
                                    PFLT_MESSAGE_NOTIFY MessageNotifyCallback, LONG MaxConnections)
{
    *ServerPort = NULL;
    if (!EmuRequireIrql("FltCreateCommunicationPort", PASSIVE_LEVEL)) {
        return STATUS_INVALID_DEVICE_STATE;
    }
    if (!EmuIsFilter(Filter) || ObjectAttributes == NULL || ObjectAttributes->ObjectName == NULL || ConnectNotifyCallback == NULL
        || DisconnectNotifyCallback == NULL || MaxConnections <= 0) {
        return STATUS_INVALID_PARAMETER;
    }
    if (!(ObjectAttributes->Attributes & OBJ_KERNEL_HANDLE)) {
        EmuViolation("FltCreateCommunicationPort without OBJ_KERNEL_HANDLE in the object attributes");
    }
    EMU_SD *sd = ObjectAttributes->SecurityDescriptor;
    if (sd != NULL && sd->Magic != EMU_SD_MAGIC) {
        EmuViolation("FltCreateCommunicationPort: the security descriptor was not built by FltBuildDefaultSecurityDescriptor (or was freed)");
        return STATUS_INVALID_PARAMETER;
    }
    struct _FLT_PORT *p = calloc(1, sizeof(*p));
    size_t chars = ObjectAttributes->ObjectName->Length / 2;
    if (chars >= RTL_NUMBER_OF(p->Name)) {
        free(p);
        return STATUS_OBJECT_NAME_INVALID;
    }
    memcpy(p->Name, ObjectAttributes->ObjectName->Buffer, chars * 2);
    EmuLock();
    if (EmuFindServer(p->Name) != NULL) {
        EmuUnlock();
        free(p);
        return STATUS_OBJECT_NAME_COLLISION;
    }
    EmuUnlock();
    char utf8[300], name[300];
    EmuWideToUtf8(p->Name, chars, utf8, sizeof(utf8));
    snprintf(name, sizeof(name), "communication server port %.100s", utf8);
    EmuObjInit(&p->Hdr, EMU_OBJ_PORT, name);
    p->IsServer = 1;
    p->Filter = Filter;
    p->Secured = sd != NULL;
    p->ServerCookie = ServerPortCookie;
    p->Connect = ConnectNotifyCallback;
    p->Disconnect = DisconnectNotifyCallback;
    p->Message = MessageNotifyCallback;
    p->MaxConnections = MaxConnections;
    EmuLock();
    InsertTailList(&g_ports, &p->Link);
    EmuUnlock();
    *ServerPort = p;
    return STATUS_SUCCESS;
}

VOID FltCloseCommunicationPort(PFLT_PORT ServerPort)
{
    EmuRequireIrql("FltCloseCommunicationPort", PASSIVE_LEVEL);
    EmuLock();
    if (ServerPort == NULL || !ServerPort->IsServer || ServerPort->Closed) {
        EmuUnlock();
        EmuViolation("FltCloseCommunicationPort(%p): not an open server port", (void *)ServerPort);
        return;
    }
    ServerPort->Closed = 1;     /* no new connections; connected clients stay */
    EmuUnlock();
}

static void EmuEndConnection(struct _FLT_PORT *c)
{
    if (c->Counted) {
        c->Counted = 0;
        c->Server->Connections--;
    }
    EmuBroadcast();
}

static void EmuMaybeFreeClient(struct _FLT_PORT *c)
{
    /* lock held; frees the client port once both sides are done with it */
    if (c->UserClosed && c->KernelClosed && c->Busy == 0) {
        RemoveEntryList(&c->Link);
        c->Hdr.Magic = 0;
        RemoveEntryList(&c->Hdr.AllLink);
        free(c);
    }
}

VOID FltCloseClientPort(PFLT_FILTER Filter, PFLT_PORT *ClientPort)
{
    UNREFERENCED_PARAMETER(Filter);
    EmuRequireIrql("FltCloseClientPort", PASSIVE_LEVEL);
    EmuLock();
    struct _FLT_PORT *c = *ClientPort;
    *ClientPort = NULL;
    if (c == NULL) {
        EmuUnlock();
        return;
    }
    if (c->IsServer || c->KernelClosed) {
        EmuUnlock();
        EmuViolation("FltCloseClientPort(%p): not an open client port (closed twice?)", (void *)c);
        return;
    }
    c->KernelClosed = 1;
    EmuEndConnection(c);
    EmuMaybeFreeClient(c);
    EmuUnlock();
}

static uint64_t EmuDeadline(PLARGE_INTEGER Timeout)
{
    if (Timeout == NULL) {
        return 0;
    }
    if (Timeout->QuadPart <= 0) {
        return EmuNowNs() + (uint64_t)(-Timeout->QuadPart) * 100u + (Timeout->QuadPart == 0 ? 1 : 0);
    }
    uint64_t now = EmuSystemTime100ns(), at = (uint64_t)Timeout->QuadPart;
    return EmuNowNs() + (at > now ? (at - now) * 100u : 0) + 1;
}

/* Lock held. Fills a user get with a message; 0 if the buffer is too small (the message stays queued). */
static int EmuDeliver(EMU_MSG *m, EMU_GET *g)
{
    if (g->Size < sizeof(EMU_MSG_HEADER) + (uint64_t)m->Length) {
        g->Result = EMU_E_INSUFFICIENT_BUFFER;
        g->Done = 1;
        return 0;
    }
    EMU_MSG_HEADER h = { m->Reply != NULL ? m->ReplyCapacity + (uint32_t)sizeof(EMU_REPLY_HEADER) : 0, 0, m->Id };
    memcpy(g->Buffer, &h, sizeof(h));
    memcpy((char *)g->Buffer + sizeof(h), m->Body, m->Length);
    g->Written = (uint32_t)sizeof(h) + m->Length;
    g->Result = EMU_S_OK;
    g->Done = 1;
    m->Delivered = 1;
    return 1;
}

static int EmuPortUsable(struct _FLT_PORT *c) { return !c->UserClosed && !c->KernelClosed; }

NTSTATUS FltSendMessage(PFLT_FILTER Filter, PFLT_PORT *ClientPort, PVOID SenderBuffer, ULONG SenderBufferLength, PVOID ReplyBuffer, PULONG ReplyLength, PLARGE_INTEGER Timeout)
{
    UNREFERENCED_PARAMETER(Filter);
    if (!EmuRequireIrql("FltSendMessage", APC_LEVEL)) {
        return STATUS_INVALID_DEVICE_STATE;
    }
    if (SenderBuffer == NULL || (ReplyBuffer != NULL && ReplyLength == NULL)) {
        return STATUS_INVALID_PARAMETER;
    }
    EMU_MSG m;
    memset(&m, 0, sizeof(m));
    m.Body = SenderBuffer;
    m.Length = SenderBufferLength;
    m.Reply = ReplyBuffer;
    m.ReplyCapacity = ReplyBuffer != NULL ? *ReplyLength : 0;
    uint64_t deadline = EmuDeadline(Timeout);
    EmuLock();
    struct _FLT_PORT *c = *ClientPort;
    if (c == NULL || c->IsServer || !EmuPortUsable(c)) {
        EmuUnlock();
        return STATUS_PORT_DISCONNECTED;
    }
    m.Id = ++g_nextMessageId;
    c->Busy++;
    int delivered = 0;
    while (!IsListEmpty(&c->Gets) && !delivered) {
        EMU_GET *g = CONTAINING_RECORD(RemoveHeadList(&c->Gets), EMU_GET, Link);
        delivered = EmuDeliver(&m, g);
    }
    if (!delivered) {
        InsertTailList(&c->Messages, &m.Link);
    } else if (m.Reply != NULL) {
        InsertTailList(&c->AwaitingReply, &m.Link);
    }
    EmuBroadcast();
    NTSTATUS status = STATUS_SUCCESS;
    for (;;) {
        if (m.Delivered && (m.Reply == NULL || m.Replied)) {
            break;
        }
        if (!EmuPortUsable(c)) {
            status = STATUS_PORT_DISCONNECTED;
            break;
        }
        if (deadline != 0 && !EmuWaitUntil(deadline)) {
            if (m.Delivered && (m.Reply == NULL || m.Replied)) {
                break;
            }
            status = STATUS_TIMEOUT;
            break;
        }
        if (deadline == 0) {
            EmuWaitUntil(0);
        }
    }
    if (status != STATUS_SUCCESS && !(m.Delivered && m.Reply == NULL)) {
        RemoveEntryList(&m.Link);   /* a late reply now finds no waiter */
    }
    if (status == STATUS_SUCCESS && m.Reply != NULL) {
        *ReplyLength = m.ReplyLength;
        status = m.ReplyStatus;
    } else if (m.Reply != NULL && status != STATUS_SUCCESS) {
        *ReplyLength = 0;
    }
    c->Busy--;
    EmuMaybeFreeClient(c);
    EmuUnlock();
    return status;
}

void EmuPortsOnFilterUnregister(PFLT_FILTER filter)
{
    /* The filter manager calls the disconnect callback of every client still
     * connected when the minifilter is about to be unloaded. */
    for (;;) {
        struct _FLT_PORT *c = NULL;
        EmuLock();
        for (PLIST_ENTRY e = g_ports.Flink; e != &g_ports; e = e->Flink) {
            struct _FLT_PORT *p = CONTAINING_RECORD(e, struct _FLT_PORT, Link);
            if (!p->IsServer && p->Server->Filter == filter && !p->DisconnectNotified) {
                c = p;
                break;
            }
        }
        if (c != NULL) {
            c->DisconnectNotified = 1;
        }
        EmuUnlock();
        if (c == NULL) {
            break;
        }
        KIRQL saved = KeGetCurrentIrql();
        EmuSetIrql(PASSIVE_LEVEL);
        c->Server->Disconnect(c->ConnectionCookie);
        EmuSetIrql(saved);
    }
    EmuLock();
    for (PLIST_ENTRY e = g_ports.Flink; e != &g_ports; e = e->Flink) {
        struct _FLT_PORT *p = CONTAINING_RECORD(e, struct _FLT_PORT, Link);
        if (!p->IsServer && p->Server->Filter == filter) {
            EmuEndConnection(p);    /* the user handle stays, disconnected */
        }
    }
    EmuUnlock();
}

void EmuPortsCheckLeaks(void)
{
    for (;;) {
        char msg[300];
        msg[0] = 0;
        EmuLock();
        for (PLIST_ENTRY e = g_ports.Flink; e != &g_ports; e = e->Flink) {
            struct _FLT_PORT *p = CONTAINING_RECORD(e, struct _FLT_PORT, Link);
            if (p->IsServer && !p->Closed && p->Filter->Gone) {
                snprintf(msg, sizeof(msg), "port leak: the %s was never closed with FltCloseCommunicationPort", p->Hdr.Name);
                p->Closed = 1;
                break;
            }
            if (!p->IsServer && !p->KernelClosed && p->Server->Filter->Gone) {
                snprintf(msg, sizeof(msg), "port leak: a client port of the %s was never closed with FltCloseClientPort", p->Server->Hdr.Name);
                p->KernelClosed = 1;
                EmuEndConnection(p);
                break;
            }
        }
        EmuUnlock();
        if (msg[0] == 0) {
            return;
        }
        EmuViolation("%s", msg);
    }
}

void EmuPortsReset(void)
{
    /* Wake every waiter (gets and sends), wait until none uses a port, then free them all. */
    EmuLock();
    for (PLIST_ENTRY e = g_ports.Flink; e != &g_ports; e = e->Flink) {
        struct _FLT_PORT *p = CONTAINING_RECORD(e, struct _FLT_PORT, Link);
        if (!p->IsServer) {
            p->UserClosed = p->KernelClosed = 1;
            p->CancelGeneration++;
        }
    }
    for (PLIST_ENTRY e = g_userPorts.Flink; e != &g_userPorts; e = e->Flink) {
        CONTAINING_RECORD(e, EMU_UPORT, Link)->Client = NULL;
    }
    EmuBroadcast();
    uint64_t limit = EmuNowNs() + 5ull * 1000000000ull;
    for (;;) {
        int busy = 0;
        for (PLIST_ENTRY e = g_ports.Flink; e != &g_ports; e = e->Flink) {
            busy += CONTAINING_RECORD(e, struct _FLT_PORT, Link)->Busy;
        }
        if (busy == 0 || !EmuWaitUntil(limit)) {
            break;
        }
    }
    while (!IsListEmpty(&g_ports)) {
        struct _FLT_PORT *p = CONTAINING_RECORD(RemoveHeadList(&g_ports), struct _FLT_PORT, Link);
        RemoveEntryList(&p->Hdr.AllLink);
        p->Hdr.Magic = 0;
        free(p);
    }
    EmuUnlock();
}

/* ---- user side ---- */
static struct _FLT_PORT *EmuUser(void *port)
{
    EMU_UPORT *u = port;
    EmuLock();
    struct _FLT_PORT *c = (u != NULL && u->Magic == EMU_UPORT_MAGIC) ? u->Client : NULL;
    EmuUnlock();
    return c;
}

int32_t EmuFilterConnectCommunicationPort(const uint16_t *portName, uint32_t options, const void *context, uint16_t contextSize, void *securityAttributes, void **port)
{
    UNREFERENCED_PARAMETER(options);
    UNREFERENCED_PARAMETER(securityAttributes);
    if (port == NULL || portName == NULL || (contextSize > 0 && context == NULL)) {
        return EMU_E_INVALID_PARAMETER;
    }
    *port = NULL;
    EmuLock();
    struct _FLT_PORT *s = EmuFindServer((const WCHAR *)portName);
    if (s == NULL) {
        EmuUnlock();
        return EMU_E_FILE_NOT_FOUND;
    }
    if (s->Secured && !PsGetCurrentProcess()->Privileged) {
        EmuUnlock();
        return EMU_E_ACCESS_DENIED;     /* FLT_PORT_ALL_ACCESS for administrators and SYSTEM only */
    }
    if (s->Connections >= s->MaxConnections) {
        EmuUnlock();
        return EmuHresultFromNt(STATUS_CONNECTION_COUNT_LIMIT);
    }
    s->Connections++;
    struct _FLT_PORT *c = calloc(1, sizeof(*c));
    c->Server = s;
    c->Counted = 1;
    InitializeListHead(&c->Messages);
    InitializeListHead(&c->AwaitingReply);
    InitializeListHead(&c->Gets);
    EmuUnlock();
    char name[300];
    snprintf(name, sizeof(name), "client port of the %.200s", s->Hdr.Name);
    EmuObjInit(&c->Hdr, EMU_OBJ_PORT, name);
    /* The filter manager hands the callback a kernel copy of the context. */
    void *copy = contextSize > 0 ? malloc(contextSize) : NULL;
    if (copy != NULL) {
        memcpy(copy, context, contextSize);
    }
    PVOID cookie = NULL;
    KIRQL saved = KeGetCurrentIrql();
    EmuSetIrql(PASSIVE_LEVEL);
    NTSTATUS status = s->Connect(c, s->ServerCookie, copy, contextSize, &cookie);
    EmuSetIrql(saved);
    free(copy);
    EmuLock();
    if (!NT_SUCCESS(status)) {
        s->Connections--;
        RemoveEntryList(&c->Hdr.AllLink);
        EmuUnlock();
        free(c);
        return EmuHresultFromNt(status);
    }
    c->ConnectionCookie = cookie;
    InsertTailList(&g_ports, &c->Link);
    EmuBroadcast();     /* EmuWaitForPortConnection */
    EmuUnlock();
    EMU_UPORT *u = calloc(1, sizeof(*u));
    u->Magic = EMU_UPORT_MAGIC;
    u->Client = c;
    EmuLock();
    InsertTailList(&g_userPorts, &u->Link);
    EmuUnlock();
    *port = u;
    return EMU_S_OK;
}

int32_t EmuFilterSendMessage(void *port, const void *inBuffer, uint32_t inBufferSize, void *outBuffer, uint32_t outBufferSize, uint32_t *bytesReturned)
{
    struct _FLT_PORT *c = EmuUser(port);
    if (bytesReturned != NULL) {
        *bytesReturned = 0;
    }
    if (c == NULL || bytesReturned == NULL) {
        return c == NULL ? EMU_E_INVALID_HANDLE : EMU_E_INVALID_PARAMETER;
    }
    EmuLock();
    int usable = EmuPortUsable(c) && c->Counted;
    PFLT_MESSAGE_NOTIFY callback = c->Server->Message;
    PVOID cookie = c->ConnectionCookie;
    EmuUnlock();
    if (!usable) {
        return EmuHresultFromNt(STATUS_PORT_DISCONNECTED);
    }
    if (callback == NULL) {
        return EmuHresultFromNt(STATUS_INVALID_PARAMETER);
    }
    ULONG returned = 0;
    KIRQL saved = KeGetCurrentIrql();
    EmuSetIrql(PASSIVE_LEVEL);
    NTSTATUS status = callback(cookie, (PVOID)inBuffer, inBufferSize, outBuffer, outBufferSize, &returned);
    if (KeGetCurrentIrql() != PASSIVE_LEVEL) {
        EmuViolation("the message callback returned at IRQL %u", KeGetCurrentIrql());
    }
    EmuSetIrql(saved);
    if (returned > outBufferSize) {
        EmuViolation("the message callback reported %u bytes returned for an output buffer of %u", returned, outBufferSize);
        returned = outBufferSize;
    }
    *bytesReturned = returned;
    return EmuHresultFromNt(status);
}

int32_t EmuFilterGetMessageTimeout(void *port, void *messageBuffer, uint32_t messageBufferSize, uint32_t timeoutMs)
{
    return EmuPortGetMessage(port, messageBuffer, messageBufferSize, timeoutMs, NULL, NULL);
}

int32_t EmuPortGetMessage(void *port, void *messageBuffer, uint32_t messageBufferSize, uint32_t timeoutMs,
        const volatile int *cancelled, uint32_t *written)
{
    if (written != NULL) {
        *written = 0;
    }
    struct _FLT_PORT *c = EmuUser(port);
    if (c == NULL) {
        return EMU_E_INVALID_HANDLE;
    }
    if (messageBuffer == NULL || messageBufferSize < sizeof(EMU_MSG_HEADER)) {
        return EMU_E_INSUFFICIENT_BUFFER;
    }
    uint64_t deadline = timeoutMs == 0xFFFFFFFFu ? 0 : EmuNowNs() + (uint64_t)timeoutMs * 1000000u + 1;
    EMU_GET g;
    memset(&g, 0, sizeof(g));
    g.Buffer = messageBuffer;
    g.Size = messageBufferSize;
    EmuLock();
    if (!EmuPortUsable(c) || !c->Counted) {
        EmuUnlock();
        return EmuHresultFromNt(STATUS_PORT_DISCONNECTED);
    }
    if (!IsListEmpty(&c->Messages)) {
        EMU_MSG *m = CONTAINING_RECORD(c->Messages.Flink, EMU_MSG, Link);
        if (EmuDeliver(m, &g)) {
            RemoveEntryList(&m->Link);
            if (m->Reply != NULL) {
                InsertTailList(&c->AwaitingReply, &m->Link);
            }
            EmuBroadcast();
        }
        EmuUnlock();
        if (written != NULL) {
            *written = g.Written;
        }
        return g.Result;
    }
    int generation = c->CancelGeneration;
    InsertTailList(&c->Gets, &g.Link);
    c->Busy++;
    int32_t result;
    for (;;) {
        if (g.Done) {
            result = g.Result;
            break;
        }
        if (c->CancelGeneration != generation || (cancelled != NULL && *cancelled)) {
            RemoveEntryList(&g.Link);
            result = EMU_E_OPERATION_ABORTED;
            break;
        }
        if (!EmuPortUsable(c) || !c->Counted) {
            RemoveEntryList(&g.Link);
            result = c->UserClosed ? EMU_E_OPERATION_ABORTED : EmuHresultFromNt(STATUS_PORT_DISCONNECTED);
            break;
        }
        if (deadline != 0 && !EmuWaitUntil(deadline)) {
            if (g.Done) {
                continue;
            }
            RemoveEntryList(&g.Link);
            result = EMU_E_WAIT_TIMEOUT;
            break;
        }
        if (deadline == 0) {
            EmuWaitUntil(0);
        }
    }
    c->Busy--;
    EmuMaybeFreeClient(c);
    EmuUnlock();
    if (written != NULL && result == EMU_S_OK) {
        *written = g.Written;
    }
    return result;
}

int32_t EmuFilterGetMessage(void *port, void *messageBuffer, uint32_t messageBufferSize)
{
    return EmuFilterGetMessageTimeout(port, messageBuffer, messageBufferSize, 0xFFFFFFFFu);
}

int32_t EmuFilterCancelGets(void *port)
{
    struct _FLT_PORT *c = EmuUser(port);
    if (c == NULL) {
        return EMU_E_INVALID_HANDLE;
    }
    EmuLock();
    c->CancelGeneration++;
    EmuBroadcast();
    EmuUnlock();
    return EMU_S_OK;
}

int32_t EmuFilterReplyMessage(void *port, const void *replyBuffer, uint32_t replyBufferSize)
{
    struct _FLT_PORT *c = EmuUser(port);
    if (c == NULL) {
        return EMU_E_INVALID_HANDLE;
    }
    if (replyBuffer == NULL || replyBufferSize < sizeof(EMU_REPLY_HEADER)) {
        return EMU_E_INVALID_PARAMETER;
    }
    EMU_REPLY_HEADER h;
    memcpy(&h, replyBuffer, sizeof(h));
    uint32_t body = replyBufferSize - (uint32_t)sizeof(h);
    EmuLock();
    EMU_MSG *m = NULL;
    for (PLIST_ENTRY e = c->AwaitingReply.Flink; e != &c->AwaitingReply; e = e->Flink) {
        EMU_MSG *x = CONTAINING_RECORD(e, EMU_MSG, Link);
        if (x->Id == h.MessageId) {
            m = x;
            break;
        }
    }
    if (m == NULL) {
        EmuUnlock();
        return EMU_E_FLT_NO_WAITER_FOR_REPLY;
    }
    RemoveEntryList(&m->Link);
    uint32_t copy = body < m->ReplyCapacity ? body : m->ReplyCapacity;
    memcpy(m->Reply, (const char *)replyBuffer + sizeof(h), copy);
    m->ReplyLength = copy;
    m->ReplyStatus = body > m->ReplyCapacity ? STATUS_BUFFER_OVERFLOW : STATUS_SUCCESS;
    /* m lives on the waiting sender's stack: once Replied is set and the lock is released the sender
     * may return, so nothing of m is read after EmuUnlock (reading ReplyCapacity there gave spurious
     * ERROR_MORE_DATA results to replies the kernel had received). */
    int32_t result = body > m->ReplyCapacity ? EmuHresultFromNt(STATUS_BUFFER_OVERFLOW) : EMU_S_OK;
    m->Replied = 1;
    EmuBroadcast();
    EmuUnlock();
    return result;
}

int32_t EmuFilterClose(void *port)
{
    EMU_UPORT *u = port;
    EmuLock();
    if (u == NULL || u->Magic != EMU_UPORT_MAGIC) {
        EmuUnlock();
        return EMU_E_INVALID_HANDLE;
    }
    struct _FLT_PORT *c = u->Client;
    u->Magic = 0;
    RemoveEntryList(&u->Link);
    EmuUnlock();
    free(u);
    if (c == NULL) {
        return EMU_S_OK;     /* invalidated by EmuReset: nothing left to disconnect */
    }
    EmuLock();
    c->UserClosed = 1;
    c->CancelGeneration++;
    int notify = !c->DisconnectNotified && !c->Server->Filter->Gone;
    c->DisconnectNotified = 1;
    c->Busy++;
    EmuBroadcast();
    EmuUnlock();
    if (notify) {
        KIRQL saved = KeGetCurrentIrql();
        EmuSetIrql(PASSIVE_LEVEL);
        c->Server->Disconnect(c->ConnectionCookie);
        EmuSetIrql(saved);
    }
    EmuLock();
    c->Busy--;
    EmuEndConnection(c);
    EmuMaybeFreeClient(c);
    EmuUnlock();
    return EMU_S_OK;
}

/* ---- control: waiting for a client (a user-mode process started in a thread connects on its own) ---- */
int32_t EmuWaitForPortConnection(const char *serverPortName, uint32_t timeoutMs)
{
    WCHAR name[128];
    if (serverPortName == NULL || EmuUtf8ToWide(serverPortName, name, RTL_NUMBER_OF(name)) == 0) {
        return EMU_E_INVALID_PARAMETER;
    }
    uint64_t deadline = EmuNowNs() + (uint64_t)timeoutMs * 1000000u + 1;
    EmuLock();
    for (;;) {
        struct _FLT_PORT *s = EmuFindServer(name);
        if (s == NULL) {
            EmuUnlock();
            return EMU_E_FILE_NOT_FOUND;
        }
        for (PLIST_ENTRY e = g_ports.Flink; e != &g_ports; e = e->Flink) {
            struct _FLT_PORT *c = CONTAINING_RECORD(e, struct _FLT_PORT, Link);
            if (!c->IsServer && c->Server == s && c->Counted && EmuPortUsable(c)) {
                EmuUnlock();
                return EMU_S_OK;    /* in g_ports: the connect callback accepted it */
            }
        }
        if (!EmuWaitUntil(deadline)) {
            EmuUnlock();
            return EMU_E_WAIT_TIMEOUT;
        }
    }
}

int EmuPortWaitQueued(PFLT_PORT clientPort, int count, uint32_t timeoutMs)
{
    uint64_t deadline = EmuNowNs() + (uint64_t)timeoutMs * 1000000u + 1;
    EmuLock();
    for (;;) {
        int queued = 0;
        for (PLIST_ENTRY e = clientPort->Messages.Flink; e != &clientPort->Messages; e = e->Flink) {
            queued++;
        }
        if (queued >= count) {
            EmuUnlock();
            return 1;
        }
        if (!EmuWaitUntil(deadline)) {
            EmuUnlock();
            return 0;
        }
    }
}
