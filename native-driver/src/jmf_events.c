/*++

Module Name:

    jmf_events.c

Abstract:

    The bounded event queue: a non-paged ring of JMF_EVENT_QUEUE_CAPACITY
    events under a spin lock. Producers (any callback, up to DISPATCH_LEVEL)
    never wait and never allocate: when the ring is full the event is dropped
    and counted. User mode pulls events with JMF_COMMAND_GET_EVENTS.

    A producer holds the spin lock only to RESERVE its slot (and its sequence
    number) and, later, to PUBLISH it. It fills the slot in between, at its
    own IRQL and without the lock: the names it copies may be pageable (a
    FLT_FILE_NAME_INFORMATION buffer is only guaranteed resident at
    <= APC_LEVEL), and nothing pageable may be touched while a spin lock is
    held. The slot itself is non-paged: it is the staging record. Drains
    deliver only published slots, oldest first, and stop at the first slot
    still being filled.

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
    BOOLEAN *Published;             /* per slot: filled and ready to drain (under Lock) */
    ULONG Head;                     /* oldest */
    ULONG Count;                    /* reserved slots, published or not */
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
    JmfRing.Published = (BOOLEAN *)JmfAllocateNonPaged((SIZE_T)JMF_EVENT_QUEUE_CAPACITY * sizeof(BOOLEAN),
                                                       JMF_TAG_EVENTS);
    if (JmfRing.Slots == NULL || JmfRing.Published == NULL) {
        JmfEventsShutdown();
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    return STATUS_SUCCESS;
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
    JmfFree(JmfRing.Published, JMF_TAG_EVENTS);
    JmfRing.Slots = NULL;
    JmfRing.Published = NULL;
    JmfRing.Count = 0;
}

/*
 * JmfEventCopyName
 *
 * IRQL: the caller's (never under the ring's lock). Copies at most Capacity
 * code units; returns the bytes copied and says whether the name was cut.
 */
static JMF_U16
JmfEventCopyName(
    _Out_writes_(Capacity) JMF_U16 *Field,
    _In_ JMF_U32 Capacity,
    _In_reads_opt_(Chars) const JMF_U16 *Name,
    _In_ JMF_U32 Chars,
    _Out_ BOOLEAN *Truncated
    )
{
    *Truncated = FALSE;
    if (Name == NULL) {
        return 0;
    }
    if (Chars > Capacity) {
        Chars = Capacity;
        *Truncated = TRUE;
    }
    if (Chars != 0) {
        RtlCopyMemory(Field, Name, Chars * sizeof(JMF_U16));
    }
    return (JMF_U16)(Chars * sizeof(JMF_U16));
}

/*
 * JmfEventQueue
 *
 * IRQL: <= DISPATCH_LEVEL. Appends one event, truncating the strings to the
 * event's fixed capacity (and saying so in Flags). Full ring: dropped and
 * counted. Never blocks beyond the spin lock, which it holds only to reserve
 * and to publish the slot: Volume, Path and OtherPath (a second name, e.g. a
 * rename's destination, or NULL) are copied without the lock, so they may be
 * pageable when the caller runs at <= APC_LEVEL (a name information buffer);
 * a caller at DISPATCH_LEVEL must pass non-paged memory.
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
    JMF_U64 sequence;
    ULONG index;
    BOOLEAN truncated;

    if (JmfRing.Slots == NULL) {
        return;
    }
    KeQuerySystemTimePrecise(&now);

    /* Reserve a slot (or drop). Nothing but the ring is touched under the lock. */
    KeAcquireInStackQueuedSpinLock(&JmfRing.Lock, &lockHandle);
    if (JmfRing.Count >= JMF_EVENT_QUEUE_CAPACITY) {
        JmfRing.Sequence += 1;
        JmfRing.Dropped += 1;
        KeReleaseInStackQueuedSpinLock(&lockHandle);
        JmfStatsAdd(JmfStatEventsDropped);
        return;
    }
    index = (JmfRing.Head + JmfRing.Count) % JMF_EVENT_QUEUE_CAPACITY;
    JmfRing.Published[index] = FALSE;
    sequence = JmfRing.Sequence;
    JmfRing.Sequence += 1;
    JmfRing.Count += 1;
    KeReleaseInStackQueuedSpinLock(&lockHandle);

    /* Fill it at the caller's IRQL: the slot is ours until it is published. */
    event = &JmfRing.Slots[index];
    RtlZeroMemory(event, sizeof(*event));
    event->Time = (JMF_U64)now.QuadPart;
    event->Sequence = sequence;
    event->RuleId = RuleId;
    event->Operation = Operation;
    event->Verdict = Verdict;
    event->Status = (JMF_I32)Status;
    event->ProcessId = ProcessId;
    event->VolumeLength = JmfEventCopyName(event->Volume, JMF_MAX_VOLUME_CHARS, (const JMF_U16 *)Volume, VolumeChars,
                                           &truncated);
    event->PathLength = JmfEventCopyName(event->Path, JMF_MAX_PATH_CHARS, Path, PathChars, &truncated);
    if (truncated) {
        Flags |= JMF_EVENT_FLAG_PATH_TRUNCATED;
    }
    event->OtherPathLength = JmfEventCopyName(event->OtherPath, JMF_MAX_PATH_CHARS, OtherPath, OtherPathChars, &truncated);
    if (truncated) {
        Flags |= JMF_EVENT_FLAG_OTHER_PATH_TRUNCATED;
    }
    event->Flags = Flags;

    KeAcquireInStackQueuedSpinLock(&JmfRing.Lock, &lockHandle);
    JmfRing.Published[index] = TRUE;
    KeReleaseInStackQueuedSpinLock(&lockHandle);
    JmfStatsAdd(JmfStatEventsQueued);
}

/*
 * JmfEventsReady
 *
 * IRQL: DISPATCH_LEVEL, the ring's lock held. How many of the oldest slots,
 * at most Room, are published (a slot still being filled ends the run).
 */
static ULONG
JmfEventsReady(
    _In_ ULONG Room
    )
{
    ULONG n = 0;

    while (n < Room && n < JmfRing.Count &&
           JmfRing.Published[(JmfRing.Head + n) % JMF_EVENT_QUEUE_CAPACITY]) {
        n++;
    }
    return n;
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
    take = JmfEventsReady(room);
    KeReleaseInStackQueuedSpinLock(&lockHandle);

    bytes = sizeof(JMF_EVENT_BATCH) + (SIZE_T)take * sizeof(JMF_EVENT);
    batch = (JMF_EVENT_BATCH *)JmfAllocateNonPaged(bytes, JMF_TAG_EVENTS);
    if (batch == NULL) {
        status = STATUS_INSUFFICIENT_RESOURCES;
        goto Cleanup;
    }
    events = (JMF_EVENT *)(batch + 1);

    KeAcquireInStackQueuedSpinLock(&JmfRing.Lock, &lockHandle);
    take = JmfEventsReady(take);        /* still published: only drains (serialised) remove */
    for (i = 0; i < take; i++) {
        events[i] = JmfRing.Slots[(JmfRing.Head + i) % JMF_EVENT_QUEUE_CAPACITY];
    }
    batch->Count = take;
    batch->Pending = JmfRing.Count - take;
    batch->Dropped = JmfRing.Dropped;
    KeReleaseInStackQueuedSpinLock(&lockHandle);

    bytes = sizeof(JMF_EVENT_BATCH) + (SIZE_T)take * sizeof(JMF_EVENT);
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
