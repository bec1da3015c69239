/*++

Module Name:

    jmf_events.c

Abstract:

    The bounded event queue: a non-paged ring of JMF_EVENT_QUEUE_CAPACITY
    events under a spin lock. Producers (any callback, up to DISPATCH_LEVEL)
    never wait and never allocate: when the ring is full the event is dropped
    and counted. User mode pulls events with JMF_COMMAND_GET_EVENTS.

    Draining copies the oldest events to a kernel buffer under the lock,
    writes them to the user buffer OUTSIDE the lock (user memory may fault,
    which is not allowed at DISPATCH_LEVEL), and only then removes them, so
    a faulting user buffer loses nothing. A fast mutex serialises drains so
    that what was copied is exactly what is removed.

--*/

#include "jmf_driver.h"

#ifdef ALLOC_PRAGMA
#pragma alloc_text(PAGE, JmfEventsInitialize)
#pragma alloc_text(PAGE, JmfEventsShutdown)
#endif

typedef struct _JMF_EVENT_RING {
    KSPIN_LOCK Lock;
    FAST_MUTEX DrainMutex;
    JMF_EVENT *Slots;               /* JMF_EVENT_QUEUE_CAPACITY, non-paged */
    ULONG Head;                     /* oldest */
    ULONG Count;
    JMF_U64 Sequence;               /* next sequence number (dropped events included) */
    JMF_U64 Dropped;
} JMF_EVENT_RING;

static JMF_EVENT_RING JmfRing;

/*
 * JmfEventsInitialize
 *
 * IRQL: PASSIVE_LEVEL (DriverEntry). Allocates the ring once; producers
 * never allocate.
 */
_Use_decl_annotations_
NTSTATUS
JmfEventsInitialize(
    VOID
    )
{
    PAGED_CODE();

    RtlZeroMemory(&JmfRing, sizeof(JmfRing));
    KeInitializeSpinLock(&JmfRing.Lock);
    ExInitializeFastMutex(&JmfRing.DrainMutex);
    JmfRing.Slots = (JMF_EVENT *)JmfAllocateNonPaged((SIZE_T)JMF_EVENT_QUEUE_CAPACITY * sizeof(JMF_EVENT),
                                                     JMF_TAG_EVENTS);
    return (JmfRing.Slots != NULL) ? STATUS_SUCCESS : STATUS_INSUFFICIENT_RESOURCES;
}

/*
 * JmfEventsShutdown
 *
 * IRQL: PASSIVE_LEVEL (unload, after every callback has drained).
 */
_Use_decl_annotations_
VOID
JmfEventsShutdown(
    VOID
    )
{
    PAGED_CODE();
    JmfFree(JmfRing.Slots, JMF_TAG_EVENTS);
    JmfRing.Slots = NULL;
    JmfRing.Count = 0;
}

/*
 * JmfEventQueue
 *
 * IRQL: <= DISPATCH_LEVEL. Appends one event, truncating the strings to the
 * event's fixed capacity (and saying so in Flags). Full ring: dropped and
 * counted. Never blocks beyond the spin lock; Volume, Path and OtherPath
 * (a rename's or link's other end, or NULL) are kernel memory (non-paged
 * when the caller runs at DISPATCH_LEVEL).
 */
_Use_decl_annotations_
VOID
JmfEventQueue(
    JMF_U32 RuleId,
    JMF_U32 Operation,
    JMF_U32 Verdict,
    NTSTATUS Status,
    JMF_U32 ProcessId,
    JMF_U32 Flags,
    const WCHAR *Volume,
    JMF_U32 VolumeChars,
    const JMF_U16 *Path,
    JMF_U32 PathChars,
    const JMF_U16 *OtherPath,
    JMF_U32 OtherPathChars
    )
{
    KLOCK_QUEUE_HANDLE lockHandle;
    LARGE_INTEGER now;
    JMF_EVENT *event;

    if (JmfRing.Slots == NULL) {
        return;
    }
    if (Volume == NULL || VolumeChars > JMF_MAX_VOLUME_CHARS) {
        VolumeChars = (Volume == NULL) ? 0 : JMF_MAX_VOLUME_CHARS;
    }
    if (Path == NULL) {
        PathChars = 0;
    } else if (PathChars > JMF_MAX_PATH_CHARS) {
        PathChars = JMF_MAX_PATH_CHARS;
        Flags |= JMF_EVENT_FLAG_PATH_TRUNCATED;
    }
    if (OtherPath == NULL) {
        OtherPathChars = 0;
    } else if (OtherPathChars > JMF_MAX_PATH_CHARS) {
        OtherPathChars = JMF_MAX_PATH_CHARS;
        Flags |= JMF_EVENT_FLAG_OTHER_PATH_TRUNCATED;
    }
    KeQuerySystemTimePrecise(&now);

    KeAcquireInStackQueuedSpinLock(&JmfRing.Lock, &lockHandle);
    if (JmfRing.Count >= JMF_EVENT_QUEUE_CAPACITY) {
        JmfRing.Sequence += 1;
        JmfRing.Dropped += 1;
        KeReleaseInStackQueuedSpinLock(&lockHandle);
        JmfStatsAdd(JmfStatEventsDropped);
        return;
    }
    event = &JmfRing.Slots[(JmfRing.Head + JmfRing.Count) % JMF_EVENT_QUEUE_CAPACITY];
    RtlZeroMemory(event, sizeof(*event));
    event->Time = (JMF_U64)now.QuadPart;
    event->Sequence = JmfRing.Sequence;
    event->RuleId = RuleId;
    event->Operation = Operation;
    event->Verdict = Verdict;
    event->Status = (JMF_I32)Status;
    event->ProcessId = ProcessId;
    event->Flags = Flags;
    event->VolumeLength = (JMF_U16)(VolumeChars * sizeof(JMF_U16));
    event->PathLength = (JMF_U16)(PathChars * sizeof(JMF_U16));
    if (VolumeChars != 0) {
        RtlCopyMemory(event->Volume, Volume, VolumeChars * sizeof(JMF_U16));
    }
    if (PathChars != 0) {
        RtlCopyMemory(event->Path, Path, PathChars * sizeof(JMF_U16));
    }
    event->OtherPathLength = (JMF_U16)(OtherPathChars * sizeof(JMF_U16));
    if (OtherPathChars != 0) {
        RtlCopyMemory(event->OtherPath, OtherPath, OtherPathChars * sizeof(JMF_U16));
    }
    JmfRing.Sequence += 1;
    JmfRing.Count += 1;
    KeReleaseInStackQueuedSpinLock(&lockHandle);
    JmfStatsAdd(JmfStatEventsQueued);
}

/*
 * JmfEventsDrain
 *
 * IRQL: PASSIVE_LEVEL (message callback, GET_EVENTS). OutputBuffer is
 * UNTRUSTED user memory, 8-byte aligned (checked by the caller), written
 * only inside __try. Moves as many events as fit (at least one must fit).
 * Not pageable: it holds the ring's spin lock.
 */
_Use_decl_annotations_
NTSTATUS
JmfEventsDrain(
    PVOID OutputBuffer,
    ULONG OutputBufferLength,
    PULONG ReturnLength
    )
{
    KLOCK_QUEUE_HANDLE lockHandle;
    JMF_EVENT_BATCH *batch = NULL;
    JMF_EVENT *events;
    ULONG room;
    ULONG take;
    ULONG i;
    SIZE_T bytes;
    NTSTATUS status;

    *ReturnLength = 0;
    if (OutputBuffer == NULL || OutputBufferLength < sizeof(JMF_EVENT_BATCH) + sizeof(JMF_EVENT)) {
        return STATUS_BUFFER_TOO_SMALL;
    }
    room = (OutputBufferLength - (ULONG)sizeof(JMF_EVENT_BATCH)) / (ULONG)sizeof(JMF_EVENT);
    if (room > JMF_EVENT_QUEUE_CAPACITY) {
        room = JMF_EVENT_QUEUE_CAPACITY;
    }

    ExAcquireFastMutex(&JmfRing.DrainMutex);

    /* Size the kernel copy for what is there now (only producers add meanwhile). */
    KeAcquireInStackQueuedSpinLock(&JmfRing.Lock, &lockHandle);
    take = min(room, JmfRing.Count);
    KeReleaseInStackQueuedSpinLock(&lockHandle);

    bytes = sizeof(JMF_EVENT_BATCH) + (SIZE_T)take * sizeof(JMF_EVENT);
    batch = (JMF_EVENT_BATCH *)JmfAllocateNonPaged(bytes, JMF_TAG_EVENTS);
    if (batch == NULL) {
        status = STATUS_INSUFFICIENT_RESOURCES;
        goto Cleanup;
    }
    events = (JMF_EVENT *)(batch + 1);

    KeAcquireInStackQueuedSpinLock(&JmfRing.Lock, &lockHandle);
    for (i = 0; i < take; i++) {
        events[i] = JmfRing.Slots[(JmfRing.Head + i) % JMF_EVENT_QUEUE_CAPACITY];
    }
    batch->Count = take;
    batch->Pending = JmfRing.Count - take;
    batch->Dropped = JmfRing.Dropped;
    KeReleaseInStackQueuedSpinLock(&lockHandle);

    __try {
        RtlCopyMemory(OutputBuffer, batch, bytes);
        status = STATUS_SUCCESS;
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        status = GetExceptionCode();
    }

    if (NT_SUCCESS(status)) {
        /* Delivered: now remove them (still the oldest: only drains remove). */
        KeAcquireInStackQueuedSpinLock(&JmfRing.Lock, &lockHandle);
        JmfRing.Head = (JmfRing.Head + take) % JMF_EVENT_QUEUE_CAPACITY;
        JmfRing.Count -= take;
        KeReleaseInStackQueuedSpinLock(&lockHandle);
        *ReturnLength = (ULONG)bytes;
    }

Cleanup:
    ExReleaseFastMutex(&JmfRing.DrainMutex);
    JmfFree(batch, JMF_TAG_EVENTS);
    return status;
}
