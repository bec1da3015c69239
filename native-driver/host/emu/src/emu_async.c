/*
 * emu_async.c - asynchronous reads and writes a process issues
 * (EmuFileReadAsync, EmuFileWriteAsync, EmuIoWait in jmf_emu.h), as the I/O
 * manager handles NtReadFile/NtWriteFile on a handle opened without
 * FILE_SYNCHRONOUS_IO_*: the IRP (no IRP_SYNCHRONOUS_API) is sent down on the
 * caller's thread, and the caller gets STATUS_PENDING back at once when a
 * filter pended it ("Pending an I/O Operation in a Preoperation Callback
 * Routine", "... in a Postoperation Callback Routine": the filter manager
 * marked the IRP pending, so its dispatch routine returns STATUS_PENDING),
 * else the final status. The rest of the operation runs wherever the filter
 * resumes it (FltCompletePendedPreOperation / FltCompletePendedPostOperation
 * in emu_io.c continue it on their caller's thread); the request records the
 * operation, which stays allocated (its file object referenced, the caller's
 * buffer in its parameters) until EmuIoWait returns its completion.
 *
 * The caller's side of the contract is checked where Windows would lose a
 * completion or corrupt memory: a request waited on twice, one never waited
 * on (a leak, at the last unload and after every C test), a buffer handed to
 * a second request while a read into it is in flight.
 */
#include "emu_internal.h"

typedef struct EMU_ASYNC_REQUEST {
    LIST_ENTRY Link;            /* g_requests, under EmuLock */
    uint64_t Id;
    EMU_CBD *Op;                /* owned until EmuIoWait returns its completion */
    UCHAR Major;
    const uint8_t *Buffer;      /* the caller's buffer, in use until the operation completes */
    uint32_t Length;
    int Waiting;                /* a thread is in EmuIoWait on it */
    int Reported;               /* reported as never waited on */
    char What[160];             /* for messages: "IRP_MJ_WRITE of file object of ..." */
} EMU_ASYNC_REQUEST;

static LIST_ENTRY g_requests = { &g_requests, &g_requests };
static uint64_t g_nextId = 1;           /* never reused, not even across EmuReset */
static uint64_t g_firstIdSinceReset = 1;

/* Lock held. The request with this id, or NULL. */
static EMU_ASYNC_REQUEST *EmuAsyncFind(uint64_t id)
{
    for (PLIST_ENTRY e = g_requests.Flink; e != &g_requests; e = e->Flink) {
        EMU_ASYNC_REQUEST *r = CONTAINING_RECORD(e, EMU_ASYNC_REQUEST, Link);
        if (r->Id == id) {
            return r;
        }
    }
    return NULL;
}

/* Lock held. A request still in flight whose buffer the new one's would race with: the I/O manager
 * writes a read's buffer until the read completes, so no other request may use those bytes meanwhile. */
static EMU_ASYNC_REQUEST *EmuAsyncBufferConflict(UCHAR major, const uint8_t *buffer, uint32_t length)
{
    for (PLIST_ENTRY e = g_requests.Flink; e != &g_requests; e = e->Flink) {
        EMU_ASYNC_REQUEST *r = CONTAINING_RECORD(e, EMU_ASYNC_REQUEST, Link);
        if (r->Op->Done || r->Length == 0 || length == 0 || (major != IRP_MJ_READ && r->Major != IRP_MJ_READ)) {
            continue;
        }
        if (buffer < r->Buffer + r->Length && r->Buffer < buffer + length) {
            return r;
        }
    }
    return NULL;
}

static const char *EmuAsyncRoutine(UCHAR major) { return major == IRP_MJ_READ ? "EmuFileReadAsync" : "EmuFileWriteAsync"; }

static NTSTATUS EmuAsyncIssue(UCHAR major, uint64_t handle, int64_t offset, void *buffer, uint32_t length, uint32_t ioFlags,
                              uint64_t *request)
{
    const char *routine = EmuAsyncRoutine(major);
    if (request == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    *request = 0;
    if ((ioFlags & ~(uint32_t)(EMU_IO_WRITE_THROUGH | EMU_IO_ASYNC)) != 0 || (buffer == NULL && length != 0)) {
        return STATUS_INVALID_PARAMETER;    /* EMU_IO_FAST among them: fast I/O is synchronous by nature */
    }
    EmuLock();
    EMU_ASYNC_REQUEST *busy = EmuAsyncBufferConflict(major, buffer, length);
    uint64_t busyId = busy != NULL ? busy->Id : 0;
    UCHAR busyMajor = busy != NULL ? busy->Major : 0;
    EmuUnlock();
    if (busy != NULL) {
        EmuViolation("%s: the buffer %p (%u bytes) overlaps the buffer of request %llu (%s), still in flight: "
                     "the I/O manager uses a buffer until its operation completes (EmuIoWait)", routine, buffer, length,
                     (unsigned long long)busyId, busyMajor == IRP_MJ_READ ? "a read" : "a write");
        return STATUS_INVALID_PARAMETER;
    }
    NTSTATUS refused;
    EMU_CBD *op = EmuNewUserIo(major, handle, offset, buffer, length, ioFlags | EMU_IO_ASYNC, 0, &refused);
    if (op == NULL) {
        return refused;
    }
    EMU_ASYNC_REQUEST *r = calloc(1, sizeof(*r));
    if (r == NULL) {
        EmuFreeOperation(op);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    r->Op = op;
    r->Major = major;
    r->Buffer = buffer;
    r->Length = length;
    snprintf(r->What, sizeof(r->What), "%s of the %s", FltGetIrpName(major), op->File->Hdr.Name);
    int synchronousFile = (op->File->Fo.Flags & FO_SYNCHRONOUS_IO) != 0;
    NTSTATUS status;
    if (synchronousFile) {
        /* A handle opened for synchronous I/O: the I/O manager waits for the operation, however it is pended. */
        op->Iopb.IrpFlags |= IRP_SYNCHRONOUS_API;
        EmuRunOperation(op);
        status = op->Data.IoStatus.Status;
    } else {
        EmuStartOperation(op);
        EmuLock();
        int pended = op->Pended;
        int done = op->Done;
        EmuUnlock();
        if (pended) {
            status = STATUS_PENDING;
        } else {
            if (!done) {        /* nobody pended it, so it ran to its end on this thread */
                EmuViolation("%s: %s neither pended nor completed (emulator error)", routine, r->What);
            }
            status = op->Data.IoStatus.Status;
        }
    }
    EmuLock();
    r->Id = g_nextId++;
    InsertTailList(&g_requests, &r->Link);
    EmuUnlock();
    *request = r->Id;
    return status;
}

int32_t EmuFileReadAsync(uint64_t handle, int64_t offset, void *buffer, uint32_t length, uint32_t ioFlags, uint64_t *request)
{
    return (int32_t)EmuAsyncIssue(IRP_MJ_READ, handle, offset, buffer, length, ioFlags, request);
}

int32_t EmuFileWriteAsync(uint64_t handle, int64_t offset, const void *buffer, uint32_t length, uint32_t ioFlags, uint64_t *request)
{
    return (int32_t)EmuAsyncIssue(IRP_MJ_WRITE, handle, offset, (void *)buffer, length, ioFlags, request);
}

int32_t EmuIoWait(uint64_t request, uint32_t timeoutMs, int32_t *status, uint64_t *information)
{
    if (status != NULL) {
        *status = 0;
    }
    if (information != NULL) {
        *information = 0;
    }
    uint64_t deadline = timeoutMs == EMU_INFINITE ? 0 : EmuNowNs() + (uint64_t)timeoutMs * 1000000u;
    EmuLock();
    EMU_ASYNC_REQUEST *r = EmuAsyncFind(request);
    if (r == NULL || r->Waiting) {
        int twice = r == NULL && request >= g_firstIdSinceReset && request < g_nextId;
        int concurrent = r != NULL;
        EmuUnlock();
        if (twice) {
            EmuViolation("EmuIoWait: request %llu was already waited on (a request is waited on once: its completion "
                         "was returned and its operation released)", (unsigned long long)request);
        } else if (concurrent) {
            EmuViolation("EmuIoWait: request %llu is being waited on by another thread (a request is waited on once)",
                         (unsigned long long)request);
        }
        return (int32_t)STATUS_INVALID_HANDLE;
    }
    r->Waiting = 1;
    while (!r->Op->Done && timeoutMs != 0) {
        if (!EmuWaitUntil(deadline)) {
            break;
        }
    }
    if (!r->Op->Done) {
        r->Waiting = 0;
        EmuUnlock();
        return (int32_t)STATUS_TIMEOUT;
    }
    RemoveEntryList(&r->Link);
    EmuUnlock();
    /* Completed: nothing else touches the operation now (EmuFinish was its completer's last use of it). */
    EMU_CBD *op = r->Op;
    if (status != NULL) {
        *status = (int32_t)op->Data.IoStatus.Status;
    }
    if (information != NULL) {
        *information = op->Data.IoStatus.Information;
    }
    EmuFreeOperation(op);       /* drops the operation's reference on the file object (maybe its close) */
    free(r);
    return (int32_t)STATUS_SUCCESS;
}

void EmuAsyncCheckLeaks(void)
{
    for (;;) {
        char what[160];
        uint64_t id = 0;
        int done = 0;
        EmuLock();
        for (PLIST_ENTRY e = g_requests.Flink; e != &g_requests; e = e->Flink) {
            EMU_ASYNC_REQUEST *r = CONTAINING_RECORD(e, EMU_ASYNC_REQUEST, Link);
            if (!r->Reported && !r->Waiting) {
                r->Reported = 1;
                id = r->Id;
                done = r->Op->Done;
                memcpy(what, r->What, sizeof(what));
                break;
            }
        }
        EmuUnlock();
        if (id == 0) {
            return;
        }
        if (done) {
            EmuViolation("leak: asynchronous request %llu (%s) completed but was never waited on with EmuIoWait "
                         "(its operation, its file object reference and the caller's buffer stay held)", (unsigned long long)id, what);
        } else {
            EmuViolation("leak: asynchronous request %llu (%s) is still pending and was never waited on with EmuIoWait "
                         "(the filter that pended it never resumed it)", (unsigned long long)id, what);
        }
    }
}

/* EmuReset, after EmuFilesReset forgot the operations and freed the file objects: the requests' memory goes. */
void EmuAsyncReset(void)
{
    EmuLock();
    while (!IsListEmpty(&g_requests)) {
        EMU_ASYNC_REQUEST *r = CONTAINING_RECORD(RemoveHeadList(&g_requests), EMU_ASYNC_REQUEST, Link);
        r->Op->Magic = 0;
        free(r->Op);
        free(r);
    }
    g_firstIdSinceReset = g_nextId;
    EmuUnlock();
}
