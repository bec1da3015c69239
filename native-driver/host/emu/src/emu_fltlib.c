/*
 * emu_fltlib.c - fltlib's and kernel32's user-mode surface over the emulated ports.
 *
 * FilterConnectCommunicationPort, FilterSendMessage, FilterGetMessage (synchronous
 * and overlapped), FilterReplyMessage, CreateIoCompletionPort,
 * GetQueuedCompletionStatus, PostQueuedCompletionStatus, CancelIoEx, CloseHandle,
 * GetLastError/SetLastError, with Windows' names and semantics (jmf_emu.h says
 * which), built on the user side of emu_port.c (EmuFilter*, EmuPortGetMessage).
 *
 * A pending overlapped FilterGetMessage is a thread blocked in EmuPortGetMessage
 * on the caller's buffer: the sender's thread writes the message into it (as the
 * kernel writes a pending receive's buffer, from another thread), and this thread
 * then writes the OVERLAPPED and queues the completion packet.
 *
 * Locking: g_shim guards every structure here; it may be held while taking the
 * emulator's lock (EmuLock), never the other way round, and is never held while
 * an EmuFilter* call runs (those call the driver).
 */
#include "emu_internal.h"
#include <errno.h>
#include <time.h>

_Static_assert(sizeof(EMU_OVERLAPPED) == 32, "OVERLAPPED is 32 bytes on x64");
_Static_assert(__builtin_offsetof(EMU_OVERLAPPED, InternalHigh) == 8 && __builtin_offsetof(EMU_OVERLAPPED, Offsets) == 16
               && __builtin_offsetof(EMU_OVERLAPPED, hEvent) == 24, "OVERLAPPED's x64 offsets");

#define SHIM_STATUS_PENDING          0x103u
#define SHIM_STATUS_CANCELLED        0xC0000120u
#define SHIM_STATUS_BUFFER_TOO_SMALL 0xC0000023u
#define SHIM_STATUS_PORT_DISCONNECTED 0xC0000037u
#define SHIM_STATUS_UNSUCCESSFUL     0xC0000001u
#define SHIM_E_INVALIDARG            EMU_E_INVALID_PARAMETER
#define SHIM_E_HANDLE                EMU_E_INVALID_HANDLE
#define SHIM_FIRST_HANDLE            0x1000u
#define SHIM_MESSAGE_HEADER_SIZE     16u

typedef enum { SHIM_PORT = 1, SHIM_IOCP, SHIM_THREAD } SHIM_KIND;

typedef struct SHIM_PACKET {
    struct SHIM_PACKET *Next;
    uint32_t Bytes;
    uintptr_t Key;
    EMU_OVERLAPPED *Overlapped;
    uint32_t Error;                 /* 0, or the Win32 error GetQueuedCompletionStatus reports */
} SHIM_PACKET;

typedef struct SHIM_OBJ {
    LIST_ENTRY Link;                /* g_handles while the handle is open */
    SHIM_KIND Kind;
    uintptr_t Value;
    int Refs;                       /* the handle, pending operations, associated ports, waiters */
    int Closed;
    /* port */
    void *UPort;                    /* EmuFilterConnectCommunicationPort's handle */
    struct SHIM_OBJ *Iocp;
    uintptr_t Key;
    int Uses;                       /* calls into EmuFilter* on UPort in progress */
    uint64_t *Received;             /* message ids received on this handle, not replied to yet */
    size_t ReceivedCount, ReceivedCap;
    /* completion port */
    SHIM_PACKET *Head, *Tail;
    /* thread */
    int Exited;                     /* the start routine returned: the handle is signalled */
    uint32_t ExitCode;
} SHIM_OBJ;

typedef struct SHIM_OP {
    LIST_ENTRY Link;                /* g_ops */
    SHIM_OBJ *Port;
    EMU_OVERLAPPED *Overlapped;     /* NULL: a synchronous FilterGetMessage */
    void *Buffer;
    uint32_t Size;
    volatile int Cancelled;         /* written under EmuLock (EmuPortGetMessage reads it there) */
} SHIM_OP;

static pthread_mutex_t g_shim = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_shimCond;
static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static LIST_ENTRY g_handles = { &g_handles, &g_handles };
static LIST_ENTRY g_ops = { &g_ops, &g_ops };
static uintptr_t g_nextHandle = SHIM_FIRST_HANDLE;
static __thread uint32_t g_lastError;

static void ShimInit(void)
{
    pthread_condattr_t a;
    pthread_condattr_init(&a);
    pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
    pthread_cond_init(&g_shimCond, &a);
    pthread_condattr_destroy(&a);
}

static void ShimLock(void)
{
    pthread_once(&g_once, ShimInit);
    pthread_mutex_lock(&g_shim);
}

static void ShimUnlock(void) { pthread_mutex_unlock(&g_shim); }

uint32_t GetLastError(void) { return g_lastError; }
void SetLastError(uint32_t dwErrCode) { g_lastError = dwErrCode; }

static int32_t HresultFromWin32(uint32_t error) { return error == 0 ? 0 : (int32_t)(0x80070000u | (error & 0xFFFFu)); }

/* The Win32 error of a failed get's HRESULT, and the NTSTATUS Windows leaves in OVERLAPPED.Internal. */
static uint32_t Win32FromHresult(int32_t hr) { return ((uint32_t)hr & 0xFFFF0000u) == 0x80070000u ? ((uint32_t)hr & 0xFFFFu) : (uint32_t)hr; }
static uint32_t NtStatusFromHresult(int32_t hr)
{
    switch (hr) {
    case EMU_S_OK: return 0;
    case EMU_E_OPERATION_ABORTED: return SHIM_STATUS_CANCELLED;
    case EMU_E_INSUFFICIENT_BUFFER: return SHIM_STATUS_BUFFER_TOO_SMALL;
    case EMU_E_INVALID_HANDLE: return SHIM_STATUS_PORT_DISCONNECTED;
    default: return SHIM_STATUS_UNSUCCESSFUL;
    }
}

/* Lock held. The open object behind a handle value, or NULL (a violation for a closed or never issued value). */
static SHIM_OBJ *ShimFind(void *handle, int kind, const char *routine)
{
    uintptr_t v = (uintptr_t)handle;
    for (PLIST_ENTRY e = g_handles.Flink; e != &g_handles; e = e->Flink) {
        SHIM_OBJ *o = CONTAINING_RECORD(e, SHIM_OBJ, Link);
        if (o->Value == v) {
            if (kind != 0 && (int)o->Kind != kind) {
                return NULL;            /* the wrong kind of handle: ERROR_INVALID_HANDLE, as Windows */
            }
            return o;
        }
    }
    if (v >= SHIM_FIRST_HANDLE && v < g_nextHandle && v % 4 == 0) {
        EmuViolation("%s: handle 0x%lx used after CloseHandle (Windows may have given the value to another object by then)",
                     routine, (unsigned long)v);
    } else if (v != 0 && handle != EMU_INVALID_HANDLE_VALUE) {
        EmuViolation("%s: 0x%lx is not a handle", routine, (unsigned long)v);
    }
    return NULL;
}

static SHIM_OBJ *ShimNew(SHIM_KIND kind)
{
    SHIM_OBJ *o = calloc(1, sizeof(*o));
    if (o == NULL) {
        return NULL;
    }
    o->Kind = kind;
    o->Value = g_nextHandle;
    g_nextHandle += 4;
    o->Refs = 1;
    InsertTailList(&g_handles, &o->Link);
    return o;
}

/* Lock held. Drops a reference; the last one frees the object (a port's completion port loses one then). */
static void ShimRelease(SHIM_OBJ *o)
{
    while (o != NULL && --o->Refs == 0) {
        SHIM_OBJ *next = o->Iocp;
        while (o->Head != NULL) {
            SHIM_PACKET *p = o->Head;
            o->Head = p->Next;
            free(p);
        }
        free(o->Received);
        free(o);
        o = next;
    }
}

/* Lock held. Whether [p, p + n) overlaps a buffer or OVERLAPPED of a pending operation; a violation then. */
static int ShimInUse(const void *p, size_t n, const char *routine, const char *what)
{
    if (p == NULL || n == 0) {
        return 0;
    }
    uintptr_t a = (uintptr_t)p, b = a + n;
    for (PLIST_ENTRY e = g_ops.Flink; e != &g_ops; e = e->Flink) {
        SHIM_OP *op = CONTAINING_RECORD(e, SHIM_OP, Link);
        uintptr_t ba = (uintptr_t)op->Buffer, bb = ba + op->Size;
        uintptr_t oa = (uintptr_t)op->Overlapped, ob = oa + (op->Overlapped != NULL ? sizeof(EMU_OVERLAPPED) : 0);
        if ((a < bb && ba < b) || (a < ob && oa < b)) {
            EmuViolation("%s: the %s at %p (%zu bytes) is still in use by a pending FilterGetMessage (buffer %p, OVERLAPPED %p):"
                         " on Windows the kernel would write into it when that receive completes",
                         routine, what, p, n, op->Buffer, (void *)op->Overlapped);
            return 1;
        }
    }
    return 0;
}

/* Lock held. Remembers the id of a message received on the port that waits for a reply (a reply must name one). */
static void ShimReceived(SHIM_OBJ *port, const void *buffer)
{
    uint32_t replyLength;
    uint64_t id;
    memcpy(&replyLength, buffer, sizeof(replyLength));
    memcpy(&id, (const char *)buffer + 8, sizeof(id));
    if (replyLength == 0) {
        return;     /* FltSendMessage without a reply buffer: nobody will wait for an answer */
    }
    if (port->ReceivedCount == port->ReceivedCap) {
        size_t cap = port->ReceivedCap == 0 ? 16 : port->ReceivedCap * 2;
        uint64_t *grown = realloc(port->Received, cap * sizeof(*grown));
        if (grown == NULL) {
            return;
        }
        port->Received = grown;
        port->ReceivedCap = cap;
    }
    port->Received[port->ReceivedCount++] = id;
}

static void ShimQueue(SHIM_OBJ *iocp, uint32_t bytes, uintptr_t key, EMU_OVERLAPPED *ov, uint32_t error)
{
    SHIM_PACKET *p = calloc(1, sizeof(*p));
    if (p == NULL) {
        EmuViolation("the emulator could not allocate a completion packet");
        return;
    }
    p->Bytes = bytes;
    p->Key = key;
    p->Overlapped = ov;
    p->Error = error;
    if (iocp->Tail != NULL) {
        iocp->Tail->Next = p;
    } else {
        iocp->Head = p;
    }
    iocp->Tail = p;
    pthread_cond_broadcast(&g_shimCond);
}

/* Lock held. Completes an overlapped receive the way the I/O manager does: OVERLAPPED first, then the packet. */
static void ShimComplete(SHIM_OBJ *port, EMU_OVERLAPPED *ov, int32_t hr, uint32_t written)
{
    ov->InternalHigh = hr == EMU_S_OK ? written : 0;
    ov->Internal = NtStatusFromHresult(hr);
    if (port->Iocp != NULL) {
        ShimQueue(port->Iocp, hr == EMU_S_OK ? written : 0, port->Key, ov, hr == EMU_S_OK ? 0 : Win32FromHresult(hr));
    }
}

static void *ShimReceiver(void *context)
{
    SHIM_OP *op = context;
    uint32_t written = 0;
    int32_t hr = EmuPortGetMessage(op->Port->UPort, op->Buffer, op->Size, 0xFFFFFFFFu, &op->Cancelled, &written);
    ShimLock();
    RemoveEntryList(&op->Link);
    SHIM_OBJ *port = op->Port;
    if (op->Overlapped->Internal != SHIM_STATUS_PENDING) {
        EmuViolation("FilterGetMessage: the OVERLAPPED at %p was written (Internal 0x%lx) while its receive was pending:"
                     " it belongs to the kernel until the completion is dequeued",
                     (void *)op->Overlapped, (unsigned long)op->Overlapped->Internal);
    }
    if (hr == EMU_S_OK) {
        ShimReceived(port, op->Buffer);
    }
    ShimComplete(port, op->Overlapped, hr, written);
    port->Uses--;
    pthread_cond_broadcast(&g_shimCond);
    ShimRelease(port);
    ShimUnlock();
    free(op);
    return NULL;
}

/* ---- fltlib ---- */
static int32_t ShimConnect(const uint16_t *name, uint32_t dwOptions, const void *lpContext, uint16_t wSizeOfContext,
        void *lpSecurityAttributes, void **hPort);

int32_t FilterConnectCommunicationPort(const uint32_t *lpPortName, uint32_t dwOptions, const void *lpContext,
        uint16_t wSizeOfContext, void *lpSecurityAttributes, void **hPort)
{
    if (hPort == NULL || lpPortName == NULL) {
        return SHIM_E_INVALIDARG;
    }
    *hPort = NULL;
    /* wchar_t on Linux is UTF-32: the emulator's names are UTF-16. */
    uint16_t name[512];
    size_t n = 0;
    for (const uint32_t *c = lpPortName; *c != 0; c++) {
        uint32_t cp = *c;
        if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) || n + 3 > RTL_NUMBER_OF(name)) {
            return SHIM_E_INVALIDARG;
        }
        if (cp >= 0x10000) {
            cp -= 0x10000;
            name[n++] = (uint16_t)(0xD800 + (cp >> 10));
            name[n++] = (uint16_t)(0xDC00 + (cp & 0x3FF));
        } else {
            name[n++] = (uint16_t)cp;
        }
    }
    name[n] = 0;
    return ShimConnect(name, dwOptions, lpContext, wSizeOfContext, lpSecurityAttributes, hPort);
}

/* The same for a caller whose WCHAR is Windows' (C compiled with -fshort-wchar: the user-mode headers of
 * include-user, whose fltUser.h binds FilterConnectCommunicationPort to this symbol). */
int32_t FilterConnectCommunicationPortUtf16(const uint16_t *lpPortName, uint32_t dwOptions, const void *lpContext,
        uint16_t wSizeOfContext, void *lpSecurityAttributes, void **hPort)
{
    if (hPort == NULL || lpPortName == NULL) {
        return SHIM_E_INVALIDARG;
    }
    *hPort = NULL;
    return ShimConnect(lpPortName, dwOptions, lpContext, wSizeOfContext, lpSecurityAttributes, hPort);
}

/* Connects (the driver's connect callback runs in the caller's process) and issues the handle. */
static int32_t ShimConnect(const uint16_t *name, uint32_t dwOptions, const void *lpContext, uint16_t wSizeOfContext,
        void *lpSecurityAttributes, void **hPort)
{
    void *uport = NULL;
    int32_t hr = EmuFilterConnectCommunicationPort(name, dwOptions, lpContext, wSizeOfContext, lpSecurityAttributes, &uport);
    if (hr != EMU_S_OK) {
        return hr;
    }
    ShimLock();
    SHIM_OBJ *o = ShimNew(SHIM_PORT);
    if (o != NULL) {
        o->UPort = uport;
        *hPort = (void *)o->Value;
    }
    ShimUnlock();
    if (o == NULL) {
        EmuFilterClose(uport);
        return HresultFromWin32(14);    /* ERROR_OUTOFMEMORY */
    }
    return EMU_S_OK;
}

/* Looks the port up and counts the caller in (ShimLeave counts it out). */
static SHIM_OBJ *ShimEnter(void *hPort, const char *routine)
{
    ShimLock();
    SHIM_OBJ *port = ShimFind(hPort, SHIM_PORT, routine);
    if (port != NULL) {
        port->Uses++;
        port->Refs++;
    }
    ShimUnlock();
    return port;
}

static void ShimLeave(SHIM_OBJ *port)
{
    ShimLock();
    port->Uses--;
    pthread_cond_broadcast(&g_shimCond);
    ShimRelease(port);
    ShimUnlock();
}

int32_t FilterSendMessage(void *hPort, const void *lpInBuffer, uint32_t dwInBufferSize, void *lpOutBuffer,
        uint32_t dwOutBufferSize, uint32_t *lpBytesReturned)
{
    ShimLock();
    int busy = ShimInUse(lpInBuffer, dwInBufferSize, "FilterSendMessage", "input buffer")
            || ShimInUse(lpOutBuffer, dwOutBufferSize, "FilterSendMessage", "output buffer");
    ShimUnlock();
    if (busy) {
        return SHIM_E_INVALIDARG;
    }
    SHIM_OBJ *port = ShimEnter(hPort, "FilterSendMessage");
    if (port == NULL) {
        return SHIM_E_HANDLE;
    }
    int32_t hr = EmuFilterSendMessage(port->UPort, lpInBuffer, dwInBufferSize, lpOutBuffer, dwOutBufferSize, lpBytesReturned);
    ShimLeave(port);
    return hr;
}

int32_t FilterGetMessage(void *hPort, void *lpMessageBuffer, uint32_t dwMessageBufferSize, EMU_OVERLAPPED *lpOverlapped)
{
    ShimLock();
    int busy = ShimInUse(lpMessageBuffer, dwMessageBufferSize, "FilterGetMessage", "message buffer")
            || ShimInUse(lpOverlapped, lpOverlapped != NULL ? sizeof(*lpOverlapped) : 0, "FilterGetMessage", "OVERLAPPED");
    ShimUnlock();
    if (busy) {
        return SHIM_E_INVALIDARG;
    }
    if (lpOverlapped != NULL && lpOverlapped->hEvent != NULL) {
        return SHIM_E_INVALIDARG;   /* the emulator has no event objects: completion ports only */
    }
    SHIM_OBJ *port = ShimEnter(hPort, "FilterGetMessage");
    if (port == NULL) {
        return SHIM_E_HANDLE;
    }
    SHIM_OP *op = calloc(1, sizeof(*op));
    if (op == NULL) {
        ShimLeave(port);
        return HresultFromWin32(14);
    }
    op->Port = port;
    op->Overlapped = lpOverlapped;
    op->Buffer = lpMessageBuffer;
    op->Size = dwMessageBufferSize;
    uint32_t written = 0;
    if (lpOverlapped == NULL) {
        /* Synchronous: blocks until a message comes, CancelIoEx or CloseHandle. Registered so that
         * both find it, and so that its buffer counts as in use. */
        ShimLock();
        InsertTailList(&g_ops, &op->Link);
        ShimUnlock();
        int32_t hr = EmuPortGetMessage(port->UPort, lpMessageBuffer, dwMessageBufferSize, 0xFFFFFFFFu, &op->Cancelled, &written);
        ShimLock();
        RemoveEntryList(&op->Link);
        if (hr == EMU_S_OK) {
            ShimReceived(port, lpMessageBuffer);
        }
        ShimUnlock();
        free(op);
        ShimLeave(port);
        return hr;
    }
    /* A message already queued is received at once: the OVERLAPPED is written and the packet queued
     * before the call returns, and the call still returns ERROR_IO_PENDING, as documented ("If
     * lpOverlapped is not NULL, FilterGetMessage returns ERROR_IO_PENDING"): Microsoft's scanner
     * sample ends its receive loop on anything else. */
    int32_t hr = EmuPortGetMessage(port->UPort, lpMessageBuffer, dwMessageBufferSize, 0, NULL, &written);
    if (hr != EMU_E_WAIT_TIMEOUT) {
        ShimLock();
        if (hr == EMU_S_OK) {
            ShimReceived(port, lpMessageBuffer);
            ShimComplete(port, lpOverlapped, hr, written);
        }
        ShimUnlock();
        free(op);
        ShimLeave(port);
        return hr == EMU_S_OK ? EMU_E_IO_PENDING : hr;      /* a failure at once queues no packet */
    }
    lpOverlapped->InternalHigh = 0;
    lpOverlapped->Internal = SHIM_STATUS_PENDING;
    ShimLock();
    InsertTailList(&g_ops, &op->Link);
    ShimUnlock();
    /* The receiver thread owns the caller's Uses and reference on the port from here on. */
    pthread_t thread;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    int error = pthread_create(&thread, &attr, ShimReceiver, op);
    pthread_attr_destroy(&attr);
    if (error != 0) {
        ShimLock();
        RemoveEntryList(&op->Link);
        ShimUnlock();
        free(op);
        lpOverlapped->Internal = SHIM_STATUS_UNSUCCESSFUL;
        ShimLeave(port);
        return HresultFromWin32(8);     /* ERROR_NOT_ENOUGH_MEMORY */
    }
    return EMU_E_IO_PENDING;
}

int32_t FilterReplyMessage(void *hPort, const void *lpReplyBuffer, uint32_t dwReplyBufferSize)
{
    ShimLock();
    int busy = ShimInUse(lpReplyBuffer, dwReplyBufferSize, "FilterReplyMessage", "reply buffer");
    ShimUnlock();
    if (busy) {
        return SHIM_E_INVALIDARG;
    }
    SHIM_OBJ *port = ShimEnter(hPort, "FilterReplyMessage");
    if (port == NULL) {
        return SHIM_E_HANDLE;
    }
    if (lpReplyBuffer != NULL && dwReplyBufferSize >= 16) {
        uint64_t id;
        memcpy(&id, (const char *)lpReplyBuffer + 8, sizeof(id));
        ShimLock();
        int known = 0;
        for (size_t i = 0; i < port->ReceivedCount; i++) {
            if (port->Received[i] == id) {
                port->Received[i] = port->Received[--port->ReceivedCount];
                known = 1;
                break;
            }
        }
        ShimUnlock();
        if (!known) {
            /* A late reply (the kernel stopped waiting) is normal and only fails; an id this handle
             * never received (or already answered) means the reply buffer holds something else. */
            EmuViolation("FilterReplyMessage: message id %llu was never received on handle 0x%lx as one waiting for a reply (or was already replied to)",
                         (unsigned long long)id, (unsigned long)(uintptr_t)hPort);
            ShimLeave(port);
            return EMU_E_FLT_NO_WAITER_FOR_REPLY;
        }
    }
    int32_t hr = EmuFilterReplyMessage(port->UPort, lpReplyBuffer, dwReplyBufferSize);
    ShimLeave(port);
    return hr;
}

/* ---- kernel32 ---- */

void *CreateIoCompletionPort(void *FileHandle, void *ExistingCompletionPort, uintptr_t CompletionKey,
        uint32_t NumberOfConcurrentThreads)
{
    (void)NumberOfConcurrentThreads;    /* every waiting thread may run: the emulator does not schedule */
    ShimLock();
    SHIM_OBJ *iocp = NULL, *port = NULL;
    uint32_t error = 0;
    if (FileHandle == EMU_INVALID_HANDLE_VALUE) {
        if (ExistingCompletionPort != NULL) {
            error = EMU_ERROR_INVALID_PARAMETER;
        } else if ((iocp = ShimNew(SHIM_IOCP)) == NULL) {
            error = 8;
        }
    } else if ((port = ShimFind(FileHandle, SHIM_PORT, "CreateIoCompletionPort")) == NULL) {
        error = EMU_ERROR_INVALID_HANDLE;
    } else if (port->Iocp != NULL) {
        error = EMU_ERROR_INVALID_PARAMETER;  /* a handle is associated with one completion port, once */
    } else if (ExistingCompletionPort != NULL) {
        if ((iocp = ShimFind(ExistingCompletionPort, SHIM_IOCP, "CreateIoCompletionPort")) == NULL) {
            error = EMU_ERROR_INVALID_HANDLE;
        }
    } else if ((iocp = ShimNew(SHIM_IOCP)) == NULL) {
        error = 8;
    }
    if (error == 0 && port != NULL) {
        port->Iocp = iocp;
        port->Key = CompletionKey;
        iocp->Refs++;
    }
    ShimUnlock();
    if (error != 0) {
        g_lastError = error;
        return NULL;
    }
    return (void *)iocp->Value;
}

int32_t GetQueuedCompletionStatus(void *CompletionPort, uint32_t *lpNumberOfBytesTransferred, uintptr_t *lpCompletionKey,
        EMU_OVERLAPPED **lpOverlapped, uint32_t dwMilliseconds)
{
    if (lpOverlapped == NULL || lpNumberOfBytesTransferred == NULL || lpCompletionKey == NULL) {
        g_lastError = EMU_ERROR_INVALID_PARAMETER;
        return 0;
    }
    *lpOverlapped = NULL;
    ShimLock();
    SHIM_OBJ *iocp = ShimFind(CompletionPort, SHIM_IOCP, "GetQueuedCompletionStatus");
    if (iocp == NULL) {
        ShimUnlock();
        g_lastError = EMU_ERROR_INVALID_HANDLE;
        return 0;
    }
    iocp->Refs++;
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += dwMilliseconds / 1000;
    deadline.tv_nsec += (long)(dwMilliseconds % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    int timedOut = 0;
    while (iocp->Head == NULL && !iocp->Closed && !timedOut) {
        if (dwMilliseconds == 0xFFFFFFFFu) {
            pthread_cond_wait(&g_shimCond, &g_shim);
        } else {
            timedOut = pthread_cond_timedwait(&g_shimCond, &g_shim, &deadline) == ETIMEDOUT;
        }
    }
    SHIM_PACKET *p = iocp->Head;
    uint32_t error;
    if (p != NULL && !iocp->Closed) {
        iocp->Head = p->Next;
        if (iocp->Head == NULL) {
            iocp->Tail = NULL;
        }
        *lpNumberOfBytesTransferred = p->Bytes;
        *lpCompletionKey = p->Key;
        *lpOverlapped = p->Overlapped;
        error = p->Error;
        free(p);
    } else {
        error = iocp->Closed ? EMU_ERROR_ABANDONED_WAIT_0 : EMU_WAIT_TIMEOUT;
    }
    ShimRelease(iocp);
    ShimUnlock();
    if (error != 0) {
        g_lastError = error;
        return 0;
    }
    return 1;
}

int32_t PostQueuedCompletionStatus(void *CompletionPort, uint32_t dwNumberOfBytesTransferred, uintptr_t dwCompletionKey,
        EMU_OVERLAPPED *lpOverlapped)
{
    ShimLock();
    SHIM_OBJ *iocp = ShimFind(CompletionPort, SHIM_IOCP, "PostQueuedCompletionStatus");
    uint32_t error = 0;
    if (iocp == NULL) {
        error = EMU_ERROR_INVALID_HANDLE;
    } else if (ShimInUse(lpOverlapped, lpOverlapped != NULL ? sizeof(*lpOverlapped) : 0, "PostQueuedCompletionStatus", "OVERLAPPED")) {
        error = EMU_ERROR_INVALID_PARAMETER;
    } else {
        ShimQueue(iocp, dwNumberOfBytesTransferred, dwCompletionKey, lpOverlapped, 0);
    }
    ShimUnlock();
    if (error != 0) {
        g_lastError = error;
        return 0;
    }
    return 1;
}

/* Lock held. Marks the port's pending receives (all, or the one with this OVERLAPPED) cancelled; how many. */
static int ShimCancel(SHIM_OBJ *port, EMU_OVERLAPPED *ov)
{
    int count = 0;
    EmuLock();
    for (PLIST_ENTRY e = g_ops.Flink; e != &g_ops; e = e->Flink) {
        SHIM_OP *op = CONTAINING_RECORD(e, SHIM_OP, Link);
        if (op->Port == port && !op->Cancelled && (ov == NULL || op->Overlapped == ov)) {
            op->Cancelled = 1;
            count++;
        }
    }
    EmuBroadcast();
    EmuUnlock();
    return count;
}

int32_t CancelIoEx(void *hFile, EMU_OVERLAPPED *lpOverlapped)
{
    ShimLock();
    SHIM_OBJ *o = ShimFind(hFile, 0, "CancelIoEx");
    uint32_t error = 0;
    if (o == NULL) {
        error = EMU_ERROR_INVALID_HANDLE;
    } else if (o->Kind != SHIM_PORT || ShimCancel(o, lpOverlapped) == 0) {
        error = EMU_ERROR_NOT_FOUND;     /* nothing pending (or it completed already) */
    }
    ShimUnlock();
    if (error != 0) {
        g_lastError = error;
        return 0;
    }
    return 1;
}

int32_t CloseHandle(void *hObject)
{
    ShimLock();
    SHIM_OBJ *o = ShimFind(hObject, 0, "CloseHandle");
    if (o == NULL) {
        ShimUnlock();
        g_lastError = EMU_ERROR_INVALID_HANDLE;
        return 0;
    }
    RemoveEntryList(&o->Link);
    o->Closed = 1;
    void *uport = NULL;
    if (o->Kind == SHIM_PORT) {
        /* The last handle's cleanup cancels the port's pending receives (their ERROR_OPERATION_ABORTED
         * packets still reach the completion port); the connection ends once no call uses it. */
        ShimCancel(o, NULL);
        while (o->Uses > 0) {
            pthread_cond_wait(&g_shimCond, &g_shim);
        }
        uport = o->UPort;
        o->UPort = NULL;
    } else {
        pthread_cond_broadcast(&g_shimCond);    /* waiters: ERROR_ABANDONED_WAIT_0 */
    }
    ShimRelease(o);
    ShimUnlock();
    if (uport != NULL) {
        EmuFilterClose(uport);      /* the driver's disconnect callback runs here, as at the last handle's close */
    }
    return 1;
}

/* ---- kernel32: threads (CreateThread, WaitForSingleObject/Ex) ----
 * A thread is a pthread that runs in the creating thread's emulated process (its I/O and its port
 * connections are that process's, as a Windows thread's are); its handle is signalled when the start
 * routine returns, with its return value as exit code. The thread object lives while the handle is open
 * or the thread runs: closing the handle does not end the thread. */
typedef struct SHIM_START {
    SHIM_OBJ *Thread;
    uint32_t (*Routine)(void *);
    void *Parameter;
    PEPROCESS Process;
} SHIM_START;

static uint32_t g_nextThreadId = 0x2000;

static void *ShimThreadMain(void *context)
{
    SHIM_START start = *(SHIM_START *)context;
    free(context);
    EmuSetThreadProcess(start.Process);
    uint32_t code = start.Routine(start.Parameter);
    ShimLock();
    start.Thread->ExitCode = code;
    start.Thread->Exited = 1;
    pthread_cond_broadcast(&g_shimCond);
    ShimRelease(start.Thread);      /* the running thread's reference */
    ShimUnlock();
    return NULL;
}

void *CreateThread(void *lpThreadAttributes, size_t dwStackSize, uint32_t (*lpStartAddress)(void *), void *lpParameter,
        uint32_t dwCreationFlags, uint32_t *lpThreadId)
{
    (void)lpThreadAttributes;       /* security descriptor and inheritance: no access checks, no child processes */
    if (lpStartAddress == NULL) {
        g_lastError = EMU_ERROR_INVALID_PARAMETER;
        return NULL;
    }
    if ((dwCreationFlags & ~EMU_STACK_SIZE_PARAM_IS_A_RESERVATION) != 0) {
        g_lastError = EMU_ERROR_NOT_SUPPORTED;  /* CREATE_SUSPENDED (no ResumeThread here) or an unknown flag */
        return NULL;
    }
    SHIM_START *start = calloc(1, sizeof(*start));
    if (start == NULL) {
        g_lastError = 8;            /* ERROR_NOT_ENOUGH_MEMORY */
        return NULL;
    }
    start->Routine = lpStartAddress;
    start->Parameter = lpParameter;
    start->Process = PsGetCurrentProcess();
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    size_t stack = 0;
    pthread_attr_getstacksize(&attr, &stack);
    if (dwStackSize > stack) {
        pthread_attr_setstacksize(&attr, dwStackSize);  /* never smaller than the default (sanitizers need room) */
    }
    ShimLock();
    SHIM_OBJ *t = ShimNew(SHIM_THREAD);
    uint32_t id = 0;
    int error = t == NULL ? ENOMEM : 0;
    if (t != NULL) {
        t->Refs++;                  /* the running thread's */
        start->Thread = t;
        id = g_nextThreadId;
        g_nextThreadId += 4;
        pthread_t thread;
        error = pthread_create(&thread, &attr, ShimThreadMain, start);
        if (error != 0) {
            RemoveEntryList(&t->Link);
            t->Refs = 1;
            ShimRelease(t);
            t = NULL;
        }
    }
    ShimUnlock();
    pthread_attr_destroy(&attr);
    if (t == NULL) {
        free(start);
        g_lastError = 8;
        return NULL;
    }
    if (lpThreadId != NULL) {
        *lpThreadId = id;
    }
    return (void *)t->Value;
}

uint32_t WaitForSingleObjectEx(void *hHandle, uint32_t dwMilliseconds, int32_t bAlertable)
{
    (void)bAlertable;   /* nothing queues user APCs here: an alertable wait ends as a plain one (never WAIT_IO_COMPLETION) */
    ShimLock();
    SHIM_OBJ *o = ShimFind(hHandle, 0, "WaitForSingleObjectEx");
    if (o == NULL) {
        ShimUnlock();
        g_lastError = EMU_ERROR_INVALID_HANDLE;
        return EMU_WAIT_FAILED;
    }
    if (o->Kind != SHIM_THREAD) {
        ShimUnlock();
        EmuViolation("WaitForSingleObjectEx(0x%lx): waiting on a communication or completion port handle is not emulated"
                     " (thread handles are)", (unsigned long)(uintptr_t)hHandle);
        g_lastError = EMU_ERROR_INVALID_HANDLE;
        return EMU_WAIT_FAILED;
    }
    o->Refs++;                      /* a handle closed during the wait leaves the object to the waiter */
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += dwMilliseconds / 1000;
    deadline.tv_nsec += (long)(dwMilliseconds % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    int timedOut = 0;
    while (!o->Exited && !timedOut) {
        if (dwMilliseconds == EMU_INFINITE) {
            pthread_cond_wait(&g_shimCond, &g_shim);
        } else {
            timedOut = pthread_cond_timedwait(&g_shimCond, &g_shim, &deadline) == ETIMEDOUT;
        }
    }
    int exited = o->Exited;
    ShimRelease(o);
    ShimUnlock();
    return exited ? EMU_WAIT_OBJECT_0 : EMU_WAIT_TIMEOUT;
}

uint32_t WaitForSingleObject(void *hHandle, uint32_t dwMilliseconds)
{
    return WaitForSingleObjectEx(hHandle, dwMilliseconds, 0);
}

int32_t GetExitCodeThread(void *hThread, uint32_t *lpExitCode)
{
    ShimLock();
    SHIM_OBJ *t = ShimFind(hThread, SHIM_THREAD, "GetExitCodeThread");
    if (t == NULL || lpExitCode == NULL) {
        ShimUnlock();
        g_lastError = t == NULL ? EMU_ERROR_INVALID_HANDLE : EMU_ERROR_INVALID_PARAMETER;
        return 0;
    }
    *lpExitCode = t->Exited ? t->ExitCode : EMU_STILL_ACTIVE;
    ShimUnlock();
    return 1;
}
