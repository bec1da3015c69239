/*
 * emu_fltio.c - a filter's own asynchronous FltReadFile/FltWriteFile (a
 * CallbackRoutine given), as the documentation describes them: the call
 * returns STATUS_PENDING once the request is issued, the I/O (the instances
 * below the caller, then the file system) runs later, and the
 * PFLT_COMPLETED_ASYNC_IO_CALLBACK is called when it completes, "at IRQL <=
 * DISPATCH_LEVEL" in an arbitrary thread context. Here the I/O and then the
 * callback run on an emulator worker (EmuRunInWorker), the callback at
 * DISPATCH_LEVEL unless a test chose PASSIVE_LEVEL (EmuSetAsyncIoCallbackIrql),
 * so a callback touching pageable memory is caught by emu_pageable.c.
 *
 * The caller's side of the contract ("the caller must not free the buffer
 * until the callback routine is called") is checked where pool is freed
 * (EmuFltIoCheckFree from ExFreePool*); an I/O still in flight when its
 * filter unloads or its instance is torn down is waited for (drained) and
 * reported only if it never completes. EmuReset drains them all.
 */
#include "emu_internal.h"

#define EMU_FLTIO_DRAIN_SECONDS 10u    /* an I/O below that never completes: reported, not waited for forever */

typedef struct EMU_FLTIO {
    LIST_ENTRY Link;                    /* g_fltIo, under EmuLock */
    EMU_CBD *Op;                        /* owned by the worker until the callback returned */
    PFLT_INSTANCE Instance;             /* the initiating instance */
    PFLT_COMPLETED_ASYNC_IO_CALLBACK Callback;
    PVOID Context;
    FLT_IO_OPERATION_FLAGS Flags;
    LARGE_INTEGER Before;               /* the byte offset, restored with FLTFL_IO_OPERATION_DO_NOT_UPDATE_BYTE_OFFSET */
    const uint8_t *Buffer;              /* the caller's buffer: in use until the callback is called */
    ULONG Length;
    int Completed;                      /* the I/O completed: the buffer is the caller's again */
    int Reported;                       /* reported as never completing */
    void (*Release)(void *);            /* a pool block freed while in flight: released after the callback */
    void *ReleaseArg;
    const char *Routine;
    char What[160];
} EMU_FLTIO;

static LIST_ENTRY g_fltIo = { &g_fltIo, &g_fltIo };
static KIRQL g_callbackIrql = DISPATCH_LEVEL;

void EmuSetAsyncIoCallbackIrql(uint8_t irql) { g_callbackIrql = irql > DISPATCH_LEVEL ? DISPATCH_LEVEL : (KIRQL)irql; }

static void EmuFltIoWorker(void *p)
{
    EMU_FLTIO *io = p;
    EMU_CBD *op = io->Op;
    EmuRunOperation(op);
    if (io->Flags & FLTFL_IO_OPERATION_DO_NOT_UPDATE_BYTE_OFFSET) {
        op->File->Fo.CurrentByteOffset = io->Before;
    }
    EmuLock();
    io->Completed = 1;          /* from here the callback may free the buffer */
    KIRQL irql = g_callbackIrql;
    EmuUnlock();
    EmuSetIrql(irql);
    io->Callback(&op->Data, io->Context);
    if (KeGetCurrentIrql() != irql) {
        EmuViolation("%s: the completion routine (PFLT_COMPLETED_ASYNC_IO_CALLBACK) of %s returned at IRQL %u; it was called at %u",
                     io->Routine, io->What, KeGetCurrentIrql(), irql);
    }
    EmuSetIrql(PASSIVE_LEVEL);
    EmuFreeOperation(op);       /* drops the operation's reference on the file object */
    EmuLock();
    RemoveEntryList(&io->Link);
    void (*release)(void *) = io->Release;
    void *releaseArg = io->ReleaseArg;
    EmuBroadcast();
    EmuUnlock();
    if (release != NULL) {
        release(releaseArg);
    }
    free(io);
}

NTSTATUS EmuFltIoStart(EMU_CBD *op, PFLT_INSTANCE instance, FLT_IO_OPERATION_FLAGS flags, PVOID buffer, ULONG length,
                       PFLT_COMPLETED_ASYNC_IO_CALLBACK callback, PVOID context, const char *routine)
{
    EMU_FLTIO *io = calloc(1, sizeof(*io));
    if (io == NULL) {
        EmuFreeOperation(op);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    io->Op = op;
    io->Instance = instance;
    io->Callback = callback;
    io->Context = context;
    io->Flags = flags;
    io->Before = op->File->Fo.CurrentByteOffset;
    io->Buffer = buffer;
    io->Length = length;
    io->Routine = routine;
    snprintf(io->What, sizeof(io->What), "%s of the %s", FltGetIrpName(op->Iopb.MajorFunction), op->File->Hdr.Name);
    EmuLock();
    InsertTailList(&g_fltIo, &io->Link);
    EmuUnlock();
    EmuRunInWorker(EmuFltIoWorker, io);
    return STATUS_PENDING;
}

/* ExFreePool*: a block holding the buffer of an I/O still in flight. Returns 1 when reported: the worker then
 * releases the block after the callback (release(releaseArg)), so the I/O never writes freed memory. */
int EmuFltIoCheckFree(const void *block, size_t size, const char *freeRoutine, void (*release)(void *), void *releaseArg)
{
    const uint8_t *b = block;
    EmuLock();
    for (PLIST_ENTRY e = g_fltIo.Flink; e != &g_fltIo; e = e->Flink) {
        EMU_FLTIO *io = CONTAINING_RECORD(e, EMU_FLTIO, Link);
        if (!io->Completed && io->Buffer != NULL && io->Buffer < b + size && b < io->Buffer + (io->Length != 0 ? io->Length : 1)) {
            char what[160];
            const char *routine = io->Routine;
            memcpy(what, io->What, sizeof(what));
            if (io->Release == NULL) {
                io->Release = release;
                io->ReleaseArg = releaseArg;
            }
            EmuUnlock();
            EmuViolation("%s(%p): the block holds the buffer of %s's %s, still in flight: the caller must not free the buffer "
                         "until the completion routine is called", freeRoutine, block, routine, what);
            return 1;
        }
    }
    EmuUnlock();
    return 0;
}

/* Waits for the I/Os issued by instances of filter (or instance; both NULL: all) to complete; reports those that never do. */
void EmuFltIoDrain(PFLT_FILTER filter, PFLT_INSTANCE instance, const char *when)
{
    uint64_t deadline = EmuNowNs() + (uint64_t)EMU_FLTIO_DRAIN_SECONDS * 1000000000u;
    EmuLock();
    for (;;) {
        EMU_FLTIO *pending = NULL;
        for (PLIST_ENTRY e = g_fltIo.Flink; e != &g_fltIo; e = e->Flink) {
            EMU_FLTIO *io = CONTAINING_RECORD(e, EMU_FLTIO, Link);
            if (!io->Reported && (instance == NULL || io->Instance == instance) && (filter == NULL || io->Instance->Filter == filter)) {
                pending = io;
                break;
            }
        }
        if (pending == NULL) {
            break;
        }
        if (!EmuWaitUntil(deadline)) {
            pending->Reported = 1;
            char what[160];
            const char *routine = pending->Routine;
            memcpy(what, pending->What, sizeof(what));
            EmuUnlock();
            EmuViolation("leak: %s's %s was still in flight %s and did not complete within %u s "
                         "(an instance below or the file system never completed it)", routine, what, when, EMU_FLTIO_DRAIN_SECONDS);
            EmuLock();
        }
    }
    EmuUnlock();
}

void EmuFltIoReset(void)
{
    EmuFltIoDrain(NULL, NULL, "at EmuReset");
    g_callbackIrql = DISPATCH_LEVEL;
}
