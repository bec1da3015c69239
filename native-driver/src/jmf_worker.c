/*++

Module Name:

    jmf_worker.c

Abstract:

    The driver's own worker threads, which ask user mode for pended
    operations (an asynchronous read or write whose issuer must not wait).
    The system's work queues are not used: an ask may wait up to its timeout
    (60 s at most), and a system worker thread held that long starves the
    rest of the system. JMF_WORKER_THREADS system threads
    (PsCreateSystemThread) take pended asks from one queue; more asks wait in
    the queue, so the driver never holds more threads than that.

    A pended operation is completed exactly once, by whoever claims it
    (JMF_WORK.Claimed): the worker once its ask returned, or, at once and
    with the default verdict (AskCancelled),
      - instance teardown, for the operations pended on that instance: the
        documentation requires InstanceTeardownStart to complete every
        pended operation and to pend no new one;
      - unload, for every operation still queued.
    A canceller never touches what the worker is using (the notification
    being sent, the reply); the work is freed when the last of the two lets
    it go (JMF_WORK.References).

--*/

#include "jmf_driver.h"

#define JMF_WORKER_THREADS 2

typedef struct _JMF_WORKERS {
    KSPIN_LOCK Lock;                    /* Queue, Sending, Stopping, instance contexts' AsksRefused */
    LIST_ENTRY Queue;                   /* JMF_WORK waiting for a worker */
    LIST_ENTRY Sending;                 /* JMF_WORK whose ask a worker is sending */
    KSEMAPHORE Ready;                   /* one count per queued work, plus one per thread at stop */
    BOOLEAN Stopping;
    ULONG ThreadCount;
    PKTHREAD Threads[JMF_WORKER_THREADS]; /* referenced (ObReferenceObjectByHandle) until stopped */
} JMF_WORKERS;

static JMF_WORKERS JmfWorkers;

static KSTART_ROUTINE JmfWorkerMain;

/* Only the start is pageable: every other routine here holds the spin lock at times. */
#ifdef ALLOC_PRAGMA
#pragma alloc_text(PAGE, JmfWorkersStart)
#endif

/*
 * JmfWorkRelease
 *
 * IRQL: <= APC_LEVEL. Drops one reference; the last frees the work.
 */
static VOID
JmfWorkRelease(
    _In_ PJMF_WORK Work
    )
{
    if (InterlockedDecrement(&Work->References) == 0) {
        Work->Free(Work);
    }
}

/*
 * JmfWorkerMain
 *
 * IRQL: PASSIVE_LEVEL, one of the driver's system threads. Sends the ask of
 * each queued work (at most its timeout) and completes the operation unless
 * a canceller already did. Ends when the workers stop and the queue is
 * empty.
 */
_Use_decl_annotations_
static VOID
JmfWorkerMain(
    PVOID StartContext
    )
{
    KLOCK_QUEUE_HANDLE lockHandle;
    PJMF_WORK work;

    UNREFERENCED_PARAMETER(StartContext);
    PAGED_CODE();

    for (;;) {
        (VOID)KeWaitForSingleObject(&JmfWorkers.Ready, Executive, KernelMode, FALSE, NULL);

        KeAcquireInStackQueuedSpinLock(&JmfWorkers.Lock, &lockHandle);
        if (IsListEmpty(&JmfWorkers.Queue)) {
            BOOLEAN stop = JmfWorkers.Stopping;
            KeReleaseInStackQueuedSpinLock(&lockHandle);
            if (stop) {
                break;
            }
            continue;                   /* a cancelled work's count */
        }
        work = CONTAINING_RECORD(RemoveHeadList(&JmfWorkers.Queue), JMF_WORK, Link);
        InsertTailList(&JmfWorkers.Sending, &work->Link);
        work->Sending = TRUE;
        KeReleaseInStackQueuedSpinLock(&lockHandle);

        JmfAskSend(&work->Request);

        KeAcquireInStackQueuedSpinLock(&JmfWorkers.Lock, &lockHandle);
        RemoveEntryList(&work->Link);
        work->Sending = FALSE;
        KeReleaseInStackQueuedSpinLock(&lockHandle);

        if (InterlockedExchange(&work->Claimed, 1) == 0) {
            work->Complete(work, FALSE);
        }
        JmfWorkRelease(work);           /* the queue's reference, now the worker's */
    }
    (VOID)PsTerminateSystemThread(STATUS_SUCCESS);
}

/*
 * JmfWorkersStart
 *
 * IRQL: PASSIVE_LEVEL (DriverEntry). Starts the worker threads and keeps a
 * reference to each thread object, so that the unload can wait for them.
 */
_Use_decl_annotations_
NTSTATUS
JmfWorkersStart(
    VOID
    )
{
    OBJECT_ATTRIBUTES attributes;
    HANDLE handle;
    NTSTATUS status = STATUS_SUCCESS;
    ULONG i;

    PAGED_CODE();

    RtlZeroMemory(&JmfWorkers, sizeof(JmfWorkers));
    KeInitializeSpinLock(&JmfWorkers.Lock);
    InitializeListHead(&JmfWorkers.Queue);
    InitializeListHead(&JmfWorkers.Sending);
    KeInitializeSemaphore(&JmfWorkers.Ready, 0, MAXLONG);

    InitializeObjectAttributes(&attributes, NULL, OBJ_KERNEL_HANDLE, NULL, NULL);
    for (i = 0; i < JMF_WORKER_THREADS; i++) {
        status = PsCreateSystemThread(&handle, THREAD_ALL_ACCESS, &attributes, NULL, NULL, JmfWorkerMain, NULL);
        if (!NT_SUCCESS(status)) {
            break;
        }
        status = ObReferenceObjectByHandle(handle, SYNCHRONIZE, *PsThreadType, KernelMode,
                                           (PVOID *)&JmfWorkers.Threads[i], NULL);
        (VOID)ZwClose(handle);
        if (!NT_SUCCESS(status)) {
            /* Cannot happen for a handle just created; the thread still ends at stop. */
            JmfWorkers.Threads[i] = NULL;
        }
        JmfWorkers.ThreadCount += 1;
    }
    if (!NT_SUCCESS(status)) {
        JmfWorkersStop();
    }
    return status;
}

/*
 * JmfWorkersStop
 *
 * IRQL: PASSIVE_LEVEL (unload, after the client port is closed, so asks in
 * flight return at once). Completes every queued operation with its default
 * verdict, lets each thread finish its current ask and end, and waits for
 * the threads.
 */
_Use_decl_annotations_
VOID
JmfWorkersStop(
    VOID
    )
{
    KLOCK_QUEUE_HANDLE lockHandle;
    LIST_ENTRY cancelled;
    PJMF_WORK work;
    ULONG i;

    PAGED_CODE();

    InitializeListHead(&cancelled);
    KeAcquireInStackQueuedSpinLock(&JmfWorkers.Lock, &lockHandle);
    JmfWorkers.Stopping = TRUE;
    while (!IsListEmpty(&JmfWorkers.Queue)) {
        InsertTailList(&cancelled, RemoveHeadList(&JmfWorkers.Queue));
    }
    KeReleaseInStackQueuedSpinLock(&lockHandle);

    while (!IsListEmpty(&cancelled)) {
        work = CONTAINING_RECORD(RemoveHeadList(&cancelled), JMF_WORK, Link);
        if (InterlockedExchange(&work->Claimed, 1) == 0) {
            work->Complete(work, TRUE);
        }
        JmfWorkRelease(work);
    }

    if (JmfWorkers.ThreadCount != 0) {
        (VOID)KeReleaseSemaphore(&JmfWorkers.Ready, IO_NO_INCREMENT, (LONG)JmfWorkers.ThreadCount, FALSE);
    }
    for (i = 0; i < JmfWorkers.ThreadCount; i++) {
        if (JmfWorkers.Threads[i] != NULL) {
            (VOID)KeWaitForSingleObject(JmfWorkers.Threads[i], Executive, KernelMode, FALSE, NULL);
            ObDereferenceObject(JmfWorkers.Threads[i]);
            JmfWorkers.Threads[i] = NULL;
        }
    }
    JmfWorkers.ThreadCount = 0;
}

/*
 * JmfWorkQueue
 *
 * IRQL: <= APC_LEVEL (a pre-operation callback). Queues a pended
 * operation's prepared ask; FALSE when the workers stop or the operation's
 * instance is being torn down (the caller then completes it itself, with
 * the default verdict: nothing new is pended there). The worker may
 * complete the operation before the caller has returned FLT_PREOP_PENDING.
 */
_Use_decl_annotations_
BOOLEAN
JmfWorkQueue(
    PJMF_WORK Work,
    PJMF_INSTANCE_CONTEXT InstanceContext
    )
{
    KLOCK_QUEUE_HANDLE lockHandle;
    BOOLEAN queued = FALSE;

    Work->Claimed = 0;
    Work->References = 1;
    Work->Sending = FALSE;

    KeAcquireInStackQueuedSpinLock(&JmfWorkers.Lock, &lockHandle);
    if (!JmfWorkers.Stopping && JmfWorkers.ThreadCount != 0 && !InstanceContext->AsksRefused) {
        InsertTailList(&JmfWorkers.Queue, &Work->Link);
        queued = TRUE;
    }
    KeReleaseInStackQueuedSpinLock(&lockHandle);

    if (queued) {
        (VOID)KeReleaseSemaphore(&JmfWorkers.Ready, IO_NO_INCREMENT, 1, FALSE);
    }
    return queued;
}

/*
 * JmfWorkCancelInstance
 *
 * IRQL: PASSIVE_LEVEL (InstanceTeardownStart). From now on nothing is pended
 * for this instance; every operation pended on it, queued or being asked
 * about, is completed now with its default verdict. An ask being sent keeps
 * its worker until it returns (the worker then only frees it).
 */
_Use_decl_annotations_
VOID
JmfWorkCancelInstance(
    PJMF_INSTANCE_CONTEXT InstanceContext
    )
{
    KLOCK_QUEUE_HANDLE lockHandle;
    PJMF_WORK claimed[16];
    ULONG count;
    PLIST_ENTRY entry;
    ULONG i;
    BOOLEAN more;

    PAGED_CODE();

    do {
        /* In rounds of at most 16, so the claims need no allocation. */
        count = 0;
        more = FALSE;
        KeAcquireInStackQueuedSpinLock(&JmfWorkers.Lock, &lockHandle);
        InstanceContext->AsksRefused = TRUE;
        for (entry = JmfWorkers.Queue.Flink; entry != &JmfWorkers.Queue && count < RTL_NUMBER_OF(claimed);) {
            PJMF_WORK work = CONTAINING_RECORD(entry, JMF_WORK, Link);
            entry = entry->Flink;
            if (work->Instance == InstanceContext->Instance) {
                RemoveEntryList(&work->Link);       /* ours now, with the queue's reference */
                InitializeListHead(&work->Link);
                work->Claimed = 1;
                claimed[count++] = work;
            }
        }
        for (entry = JmfWorkers.Sending.Flink; entry != &JmfWorkers.Sending && count < RTL_NUMBER_OF(claimed);
             entry = entry->Flink) {
            PJMF_WORK work = CONTAINING_RECORD(entry, JMF_WORK, Link);
            if (work->Instance == InstanceContext->Instance && InterlockedExchange(&work->Claimed, 1) == 0) {
                InterlockedIncrement(&work->References);    /* the worker keeps its own */
                claimed[count++] = work;
            }
        }
        more = (BOOLEAN)(count == RTL_NUMBER_OF(claimed));
        KeReleaseInStackQueuedSpinLock(&lockHandle);

        for (i = 0; i < count; i++) {
            claimed[i]->Complete(claimed[i], TRUE);
            JmfWorkRelease(claimed[i]);
        }
    } while (more);
}
