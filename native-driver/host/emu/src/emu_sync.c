/*
 * emu_sync.c - synchronisation (spin locks, push locks, events, mutexes,
 * resources, rundown protection), time, and worker threads. Every blocking
 * wait checks the IRQL first: waiting at DISPATCH_LEVEL is a violation.
 */
#include "emu_internal.h"
#include <sched.h>
#include <time.h>

/* ---- spin locks ---- */
static void EmuSpinAcquire(volatile ULONG_PTR *word)
{
    for (;;) {
        ULONG_PTR expected = 0;
        if (__atomic_compare_exchange_n(word, &expected, 1, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
            return;
        }
        sched_yield();
    }
}

static void EmuSpinRelease(volatile ULONG_PTR *word, const char *routine)
{
    if (__atomic_exchange_n(word, 0, __ATOMIC_RELEASE) == 0) {
        EmuViolation("%s: the spin lock was not held", routine);
    }
}

VOID KeInitializeSpinLock(PKSPIN_LOCK SpinLock) { *SpinLock = 0; }

VOID KeAcquireSpinLock(PKSPIN_LOCK SpinLock, PKIRQL OldIrql)
{
    EmuRequireIrql("KeAcquireSpinLock", DISPATCH_LEVEL);
    *OldIrql = KeGetCurrentIrql();
    EmuSpinAcquire(SpinLock);
    EmuSetIrql(DISPATCH_LEVEL);
}

KIRQL KeAcquireSpinLockRaiseToDpc(PKSPIN_LOCK SpinLock)
{
    KIRQL old;
    KeAcquireSpinLock(SpinLock, &old);
    return old;
}

VOID KeReleaseSpinLock(PKSPIN_LOCK SpinLock, KIRQL NewIrql)
{
    EmuSpinRelease(SpinLock, "KeReleaseSpinLock");
    EmuSetIrql(NewIrql);
}

VOID KeAcquireSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock)
{
    if (KeGetCurrentIrql() != DISPATCH_LEVEL) {
        EmuViolation("KeAcquireSpinLockAtDpcLevel called at IRQL %u, not DISPATCH_LEVEL", KeGetCurrentIrql());
    }
    EmuSpinAcquire(SpinLock);
}

VOID KeReleaseSpinLockFromDpcLevel(PKSPIN_LOCK SpinLock) { EmuSpinRelease(SpinLock, "KeReleaseSpinLockFromDpcLevel"); }

VOID KeAcquireInStackQueuedSpinLock(PKSPIN_LOCK SpinLock, PKLOCK_QUEUE_HANDLE LockHandle)
{
    LockHandle->Lock = SpinLock;
    KeAcquireSpinLock(SpinLock, &LockHandle->OldIrql);
}

VOID KeReleaseInStackQueuedSpinLock(PKLOCK_QUEUE_HANDLE LockHandle)
{
    KeReleaseSpinLock(LockHandle->Lock, LockHandle->OldIrql);
}

VOID KeAcquireInStackQueuedSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock, PKLOCK_QUEUE_HANDLE LockHandle)
{
    LockHandle->Lock = SpinLock;
    LockHandle->OldIrql = DISPATCH_LEVEL;
    KeAcquireSpinLockAtDpcLevel(SpinLock);
}

VOID KeReleaseInStackQueuedSpinLockFromDpcLevel(PKLOCK_QUEUE_HANDLE LockHandle) { KeReleaseSpinLockFromDpcLevel(LockHandle->Lock); }

/* Reader/writer spin locks and push locks share one word: bit 0 = exclusive owner, the rest = 2 x shared count. */
static void EmuRwAcquire(volatile LONG_PTR *word, int exclusive)
{
    for (;;) {
        LONG_PTR v = __atomic_load_n(word, __ATOMIC_RELAXED);
        if (exclusive ? v == 0 : (v & 1) == 0) {
            LONG_PTR next = exclusive ? 1 : v + 2;
            if (__atomic_compare_exchange_n(word, &v, next, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
                return;
            }
        }
        sched_yield();
    }
}

static void EmuRwRelease(volatile LONG_PTR *word, int exclusive, const char *routine)
{
    LONG_PTR v = __atomic_load_n(word, __ATOMIC_RELAXED);
    if (v == 0) {
        EmuViolation("%s: the lock was not held", routine);
        return;
    }
    if (exclusive || (v & 1)) {
        __atomic_store_n(word, 0, __ATOMIC_RELEASE);
    } else {
        __atomic_fetch_sub(word, 2, __ATOMIC_RELEASE);
    }
}

KIRQL ExAcquireSpinLockExclusive(PEX_SPIN_LOCK SpinLock)
{
    EmuRequireIrql("ExAcquireSpinLockExclusive", DISPATCH_LEVEL);
    KIRQL old = KeGetCurrentIrql();
    LONG_PTR w = 0;
    (void)w;
    for (;;) {
        LONG v = 0;
        if (__atomic_compare_exchange_n(SpinLock, &v, 1, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
            break;
        }
        sched_yield();
    }
    EmuSetIrql(DISPATCH_LEVEL);
    return old;
}

VOID ExReleaseSpinLockExclusive(PEX_SPIN_LOCK SpinLock, KIRQL OldIrql)
{
    if (__atomic_exchange_n(SpinLock, 0, __ATOMIC_RELEASE) != 1) {
        EmuViolation("ExReleaseSpinLockExclusive: the lock was not held exclusively");
    }
    EmuSetIrql(OldIrql);
}

KIRQL ExAcquireSpinLockShared(PEX_SPIN_LOCK SpinLock)
{
    EmuRequireIrql("ExAcquireSpinLockShared", DISPATCH_LEVEL);
    KIRQL old = KeGetCurrentIrql();
    for (;;) {
        LONG v = __atomic_load_n(SpinLock, __ATOMIC_RELAXED);
        if ((v & 1) == 0 && __atomic_compare_exchange_n(SpinLock, &v, v + 2, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
            break;
        }
        sched_yield();
    }
    EmuSetIrql(DISPATCH_LEVEL);
    return old;
}

VOID ExReleaseSpinLockShared(PEX_SPIN_LOCK SpinLock, KIRQL OldIrql)
{
    LONG v = __atomic_load_n(SpinLock, __ATOMIC_RELAXED);
    if (v < 2 || (v & 1)) {
        EmuViolation("ExReleaseSpinLockShared: the lock was not held shared");
    } else {
        __atomic_fetch_sub(SpinLock, 2, __ATOMIC_RELEASE);
    }
    EmuSetIrql(OldIrql);
}

/* ---- push locks (FltAcquirePushLock* enter a critical region, as documented) ---- */
VOID FltInitializePushLock(PEX_PUSH_LOCK PushLock) { PushLock->Value = 0; }
VOID ExInitializePushLock(PEX_PUSH_LOCK PushLock) { PushLock->Value = 0; }
VOID FltDeletePushLock(PEX_PUSH_LOCK PushLock)
{
    if (PushLock->Value != 0) {
        EmuViolation("FltDeletePushLock: the push lock is still held");
    }
}

static void EmuPushAcquire(PEX_PUSH_LOCK PushLock, int exclusive, const char *routine, int enterRegion)
{
    EmuRequireIrql(routine, APC_LEVEL);
    if (enterRegion) {
        KeEnterCriticalRegion();
    } else if (!KeAreApcsDisabled()) {
        EmuViolation("%s outside a critical region (call KeEnterCriticalRegion first)", routine);
    }
    EmuRwAcquire((volatile LONG_PTR *)&PushLock->Value, exclusive);
}

static void EmuPushRelease(PEX_PUSH_LOCK PushLock, int exclusive, const char *routine, int leaveRegion)
{
    EmuRwRelease((volatile LONG_PTR *)&PushLock->Value, exclusive, routine);
    if (leaveRegion) {
        KeLeaveCriticalRegion();
    }
}

VOID FltAcquirePushLockExclusive(PEX_PUSH_LOCK PushLock) { EmuPushAcquire(PushLock, 1, "FltAcquirePushLockExclusive", 1); }
VOID FltAcquirePushLockShared(PEX_PUSH_LOCK PushLock) { EmuPushAcquire(PushLock, 0, "FltAcquirePushLockShared", 1); }
VOID FltReleasePushLock(PEX_PUSH_LOCK PushLock) { EmuPushRelease(PushLock, 0, "FltReleasePushLock", 1); }
VOID FltAcquirePushLockExclusiveEx(PEX_PUSH_LOCK PushLock, ULONG Flags) { UNREFERENCED_PARAMETER(Flags); FltAcquirePushLockExclusive(PushLock); }
VOID FltAcquirePushLockSharedEx(PEX_PUSH_LOCK PushLock, ULONG Flags) { UNREFERENCED_PARAMETER(Flags); FltAcquirePushLockShared(PushLock); }
VOID FltReleasePushLockEx(PEX_PUSH_LOCK PushLock, ULONG Flags) { UNREFERENCED_PARAMETER(Flags); FltReleasePushLock(PushLock); }
VOID ExAcquirePushLockExclusiveEx(PEX_PUSH_LOCK PushLock, ULONG Flags) { UNREFERENCED_PARAMETER(Flags); EmuPushAcquire(PushLock, 1, "ExAcquirePushLockExclusive", 0); }
VOID ExAcquirePushLockSharedEx(PEX_PUSH_LOCK PushLock, ULONG Flags) { UNREFERENCED_PARAMETER(Flags); EmuPushAcquire(PushLock, 0, "ExAcquirePushLockShared", 0); }
VOID ExReleasePushLockExclusiveEx(PEX_PUSH_LOCK PushLock, ULONG Flags) { UNREFERENCED_PARAMETER(Flags); EmuPushRelease(PushLock, 1, "ExReleasePushLockExclusive", 0); }
VOID ExReleasePushLockSharedEx(PEX_PUSH_LOCK PushLock, ULONG Flags) { UNREFERENCED_PARAMETER(Flags); EmuPushRelease(PushLock, 0, "ExReleasePushLockShared", 0); }

/* ---- dispatcher objects ---- */
#define EMU_DISP_NOTIFICATION 0
#define EMU_DISP_SYNCHRONIZATION 1
#define EMU_DISP_MUTEX 2
#define EMU_DISP_SEMAPHORE 5

VOID KeInitializeEvent(PRKEVENT Event, EVENT_TYPE Type, BOOLEAN State)
{
    Event->Header.Type = Type == NotificationEvent ? EMU_DISP_NOTIFICATION : EMU_DISP_SYNCHRONIZATION;
    Event->Header.SignalState = State ? 1 : 0;
}

LONG KeSetEvent(PRKEVENT Event, KPRIORITY Increment, BOOLEAN Wait)
{
    UNREFERENCED_PARAMETER(Increment);
    UNREFERENCED_PARAMETER(Wait);
    EmuRequireIrql("KeSetEvent", DISPATCH_LEVEL);
    EmuLock();
    LONG old = Event->Header.SignalState;
    Event->Header.SignalState = 1;
    EmuBroadcast();
    EmuUnlock();
    return old;
}

VOID KeClearEvent(PRKEVENT Event) { __atomic_store_n(&Event->Header.SignalState, 0, __ATOMIC_SEQ_CST); }
LONG KeResetEvent(PRKEVENT Event) { return __atomic_exchange_n(&Event->Header.SignalState, 0, __ATOMIC_SEQ_CST); }
LONG KeReadStateEvent(PRKEVENT Event) { return __atomic_load_n(&Event->Header.SignalState, __ATOMIC_SEQ_CST); }

VOID KeInitializeSemaphore(PRKSEMAPHORE Semaphore, LONG Count, LONG Limit)
{
    Semaphore->Header.Type = EMU_DISP_SEMAPHORE;
    Semaphore->Header.SignalState = Count;
    Semaphore->Limit = Limit;
}

LONG KeReleaseSemaphore(PRKSEMAPHORE Semaphore, KPRIORITY Increment, LONG Adjustment, BOOLEAN Wait)
{
    UNREFERENCED_PARAMETER(Increment);
    UNREFERENCED_PARAMETER(Wait);
    EmuRequireIrql("KeReleaseSemaphore", DISPATCH_LEVEL);
    EmuLock();
    LONG old = Semaphore->Header.SignalState;
    if (old + Adjustment > Semaphore->Limit) {
        EmuUnlock();
        EmuViolation("KeReleaseSemaphore above its limit (STATUS_SEMAPHORE_LIMIT_EXCEEDED would be raised)");
        return old;
    }
    Semaphore->Header.SignalState += Adjustment;
    EmuBroadcast();
    EmuUnlock();
    return old;
}

VOID KeInitializeMutex(PRKMUTEX Mutex, ULONG Level)
{
    UNREFERENCED_PARAMETER(Level);
    Mutex->Header.Type = EMU_DISP_MUTEX;
    Mutex->Header.SignalState = 1;
    Mutex->Owner = NULL;
    Mutex->Recursion = 0;
}

LONG KeReleaseMutex(PRKMUTEX Mutex, BOOLEAN Wait)
{
    UNREFERENCED_PARAMETER(Wait);
    EmuLock();
    if (Mutex->Owner != PsGetCurrentThread()) {
        EmuUnlock();
        EmuViolation("KeReleaseMutex by a thread that does not own it (MUTEX_NOT_OWNED)");
        return 0;
    }
    if (--Mutex->Recursion == 0) {
        Mutex->Owner = NULL;
        Mutex->Header.SignalState = 1;
        EmuBroadcast();
    }
    EmuUnlock();
    KeLeaveCriticalRegion();
    return 0;
}

static uint64_t EmuDeadlineFrom(PLARGE_INTEGER Timeout)
{
    if (Timeout == NULL) {
        return 0;
    }
    if (Timeout->QuadPart < 0) {
        return EmuNowNs() + (uint64_t)(-Timeout->QuadPart) * 100u;
    }
    uint64_t now = EmuSystemTime100ns();
    uint64_t at = (uint64_t)Timeout->QuadPart;
    return EmuNowNs() + (at > now ? (at - now) * 100u : 0) + 1;
}

NTSTATUS KeWaitForSingleObject(PVOID Object, KWAIT_REASON WaitReason, KPROCESSOR_MODE WaitMode, BOOLEAN Alertable, PLARGE_INTEGER Timeout)
{
    UNREFERENCED_PARAMETER(WaitReason);
    UNREFERENCED_PARAMETER(WaitMode);
    UNREFERENCED_PARAMETER(Alertable);
    int poll = Timeout != NULL && Timeout->QuadPart == 0;
    if (!EmuRequireIrql("KeWaitForSingleObject (with a non-zero timeout)", poll ? DISPATCH_LEVEL : APC_LEVEL)) {
        return STATUS_TIMEOUT;
    }
    DISPATCHER_HEADER *h = Object;
    uint64_t deadline = poll ? EmuNowNs() : EmuDeadlineFrom(Timeout);
    NTSTATUS status = STATUS_SUCCESS;
    EmuLock();
    for (;;) {
        if (h->Type == EMU_DISP_MUTEX) {
            PKMUTEX m = Object;
            if (m->Owner == PsGetCurrentThread() || h->SignalState > 0) {
                h->SignalState = 0;
                m->Owner = PsGetCurrentThread();
                m->Recursion++;
                EmuUnlock();
                KeEnterCriticalRegion();
                return STATUS_SUCCESS;
            }
        } else if (h->SignalState > 0) {
            if (h->Type != EMU_DISP_NOTIFICATION) {
                h->SignalState--;
            }
            break;
        }
        if (poll || (deadline != 0 && !EmuWaitUntil(deadline))) {
            if (h->SignalState > 0) {
                continue;
            }
            status = STATUS_TIMEOUT;
            break;
        }
        if (deadline == 0) {
            EmuWaitUntil(0);
        }
    }
    EmuUnlock();
    return status;
}

/* ---- fast and guarded mutexes ---- */
VOID ExInitializeFastMutex(PFAST_MUTEX FastMutex)
{
    FastMutex->Count = 1;
    FastMutex->Owner = NULL;
    FastMutex->OldIrql = PASSIVE_LEVEL;
}

static void EmuFastAcquire(PFAST_MUTEX m, const char *routine, int raise)
{
    EmuRequireIrql(routine, APC_LEVEL);
    EmuLock();
    if (m->Owner == PsGetCurrentThread()) {
        EmuUnlock();
        EmuViolation("%s: the thread already owns this fast mutex (it is not recursive: deadlock)", routine);
        return;
    }
    while (m->Count != 1) {
        EmuWaitUntil(0);
    }
    m->Count = 0;
    m->Owner = PsGetCurrentThread();
    EmuUnlock();
    if (raise) {
        m->OldIrql = KeGetCurrentIrql();
        EmuSetIrql(APC_LEVEL);
    }
}

static void EmuFastRelease(PFAST_MUTEX m, const char *routine, int lower)
{
    EmuLock();
    if (m->Owner != PsGetCurrentThread()) {
        EmuUnlock();
        EmuViolation("%s by a thread that does not own the mutex", routine);
        return;
    }
    m->Owner = NULL;
    m->Count = 1;
    EmuBroadcast();
    EmuUnlock();
    if (lower) {
        EmuSetIrql(m->OldIrql);
    }
}

VOID ExAcquireFastMutex(PFAST_MUTEX FastMutex) { EmuFastAcquire(FastMutex, "ExAcquireFastMutex", 1); }
VOID ExReleaseFastMutex(PFAST_MUTEX FastMutex) { EmuFastRelease(FastMutex, "ExReleaseFastMutex", 1); }
VOID ExAcquireFastMutexUnsafe(PFAST_MUTEX FastMutex) { EmuFastAcquire(FastMutex, "ExAcquireFastMutexUnsafe", 0); }
VOID ExReleaseFastMutexUnsafe(PFAST_MUTEX FastMutex) { EmuFastRelease(FastMutex, "ExReleaseFastMutexUnsafe", 0); }
BOOLEAN ExTryToAcquireFastMutex(PFAST_MUTEX FastMutex)
{
    EmuLock();
    int free = FastMutex->Count == 1;
    EmuUnlock();
    if (!free) {
        return FALSE;
    }
    ExAcquireFastMutex(FastMutex);
    return TRUE;
}
VOID KeInitializeGuardedMutex(PKGUARDED_MUTEX Mutex) { ExInitializeFastMutex(Mutex); }
VOID KeAcquireGuardedMutex(PKGUARDED_MUTEX Mutex) { KeEnterGuardedRegion(); EmuFastAcquire(Mutex, "KeAcquireGuardedMutex", 0); }
VOID KeReleaseGuardedMutex(PKGUARDED_MUTEX Mutex) { EmuFastRelease(Mutex, "KeReleaseGuardedMutex", 0); KeLeaveGuardedRegion(); }

/* The driver runtime's defaults (ExInitializeDriverRuntime, emu_wdm.h). */
POOL_TYPE ExDefaultNonPagedPoolType = NonPagedPool;
ULONG ExDefaultMdlProtection = 0;

/* ---- executive resources ---- */
NTSTATUS ExInitializeResourceLite(PERESOURCE Resource) { memset(Resource, 0, sizeof(*Resource)); return STATUS_SUCCESS; }
NTSTATUS ExDeleteResourceLite(PERESOURCE Resource)
{
    if (Resource->Readers || Resource->Writer) {
        EmuViolation("ExDeleteResourceLite on a resource that is still held");
    }
    return STATUS_SUCCESS;
}
static BOOLEAN EmuResourceAcquire(PERESOURCE r, int exclusive, BOOLEAN wait, const char *routine)
{
    EmuRequireIrql(routine, APC_LEVEL);
    if (!KeAreApcsDisabled()) {
        EmuViolation("%s outside a critical region", routine);
    }
    EmuLock();
    for (;;) {
        if (exclusive ? (r->Writer == 0 && r->Readers == 0) || r->Owner == PsGetCurrentThread() : r->Writer == 0 || r->Owner == PsGetCurrentThread()) {
            break;
        }
        if (!wait) {
            EmuUnlock();
            return FALSE;
        }
        EmuWaitUntil(0);
    }
    if (exclusive || r->Owner == PsGetCurrentThread()) {
        r->Writer++;
        r->Owner = PsGetCurrentThread();
    } else {
        r->Readers++;
    }
    EmuUnlock();
    return TRUE;
}
BOOLEAN ExAcquireResourceExclusiveLite(PERESOURCE Resource, BOOLEAN Wait) { return EmuResourceAcquire(Resource, 1, Wait, "ExAcquireResourceExclusiveLite"); }
BOOLEAN ExAcquireResourceSharedLite(PERESOURCE Resource, BOOLEAN Wait) { return EmuResourceAcquire(Resource, 0, Wait, "ExAcquireResourceSharedLite"); }
VOID ExReleaseResourceLite(PERESOURCE Resource)
{
    EmuLock();
    if (Resource->Writer > 0 && Resource->Owner == PsGetCurrentThread()) {
        if (--Resource->Writer == 0) {
            Resource->Owner = NULL;
        }
    } else if (Resource->Readers > 0) {
        Resource->Readers--;
    } else {
        EmuUnlock();
        EmuViolation("ExReleaseResourceLite on a resource that is not held");
        return;
    }
    EmuBroadcast();
    EmuUnlock();
}
BOOLEAN ExIsResourceAcquiredExclusiveLite(PERESOURCE Resource)
{
    EmuRequireIrql("ExIsResourceAcquiredExclusiveLite", DISPATCH_LEVEL);
    EmuLock();
    BOOLEAN mine = (BOOLEAN)(Resource->Writer > 0 && Resource->Owner == PsGetCurrentThread());
    EmuUnlock();
    return mine;
}
/* The number of times the calling thread holds the resource (shared or
 * exclusive). The emulator counts shared owners without telling threads
 * apart, so a shared hold by another thread also answers non-zero: an
 * assertion that the caller holds it can pass where Windows would fail it. */
ULONG ExIsResourceAcquiredSharedLite(PERESOURCE Resource)
{
    EmuRequireIrql("ExIsResourceAcquiredSharedLite", DISPATCH_LEVEL);
    EmuLock();
    ULONG n = Resource->Owner == PsGetCurrentThread() ? (ULONG)Resource->Writer : (ULONG)Resource->Readers;
    EmuUnlock();
    return n;
}
PVOID ExEnterCriticalRegionAndAcquireResourceExclusive(PERESOURCE Resource) { KeEnterCriticalRegion(); ExAcquireResourceExclusiveLite(Resource, TRUE); return NULL; }
PVOID ExEnterCriticalRegionAndAcquireResourceShared(PERESOURCE Resource) { KeEnterCriticalRegion(); ExAcquireResourceSharedLite(Resource, TRUE); return NULL; }
VOID ExReleaseResourceAndLeaveCriticalRegion(PERESOURCE Resource) { ExReleaseResourceLite(Resource); KeLeaveCriticalRegion(); }
/* FltAcquireResourceExclusive/Shared (IRQL <= APC_LEVEL, checked by the acquire): the ERESOURCE routines inside a critical
 * region (normal kernel APCs disabled), waiting; FltReleaseResource (IRQL <= DISPATCH_LEVEL) releases
 * and leaves the region. */
VOID FltAcquireResourceExclusive(PERESOURCE Resource)
{
    KeEnterCriticalRegion();
    EmuResourceAcquire(Resource, 1, TRUE, "FltAcquireResourceExclusive");
}
VOID FltAcquireResourceShared(PERESOURCE Resource)
{
    KeEnterCriticalRegion();
    EmuResourceAcquire(Resource, 0, TRUE, "FltAcquireResourceShared");
}
VOID FltReleaseResource(PERESOURCE Resource)
{
    EmuRequireIrql("FltReleaseResource", DISPATCH_LEVEL);
    ExReleaseResourceLite(Resource);
    KeLeaveCriticalRegion();
}

/* ---- rundown protection: bit 0 = rundown started, the rest = 2 x references ---- */
VOID ExInitializeRundownProtection(PEX_RUNDOWN_REF RunRef) { RunRef->Count = 0; }
VOID ExReInitializeRundownProtection(PEX_RUNDOWN_REF RunRef) { RunRef->Count = 0; }

BOOLEAN ExAcquireRundownProtectionEx(PEX_RUNDOWN_REF RunRef, ULONG Count)
{
    EmuRequireIrql("ExAcquireRundownProtection", DISPATCH_LEVEL);
    EmuLock();
    if (RunRef->Count & 1) {
        EmuUnlock();
        return FALSE;
    }
    RunRef->Count += 2 * (ULONG_PTR)Count;
    EmuUnlock();
    return TRUE;
}
BOOLEAN ExAcquireRundownProtection(PEX_RUNDOWN_REF RunRef) { return ExAcquireRundownProtectionEx(RunRef, 1); }

VOID ExReleaseRundownProtectionEx(PEX_RUNDOWN_REF RunRef, ULONG Count)
{
    EmuLock();
    if (RunRef->Count < 2 * (ULONG_PTR)Count) {
        EmuUnlock();
        EmuViolation("ExReleaseRundownProtection without a matching acquire");
        return;
    }
    RunRef->Count -= 2 * (ULONG_PTR)Count;
    EmuBroadcast();
    EmuUnlock();
}
VOID ExReleaseRundownProtection(PEX_RUNDOWN_REF RunRef) { ExReleaseRundownProtectionEx(RunRef, 1); }

VOID ExWaitForRundownProtectionRelease(PEX_RUNDOWN_REF RunRef)
{
    EmuRequireIrql("ExWaitForRundownProtectionRelease", APC_LEVEL);
    EmuLock();
    RunRef->Count |= 1;
    uint64_t warnAt = EmuNowNs() + 10ull * 1000000000ull;
    while (RunRef->Count != 1) {
        if (!EmuWaitUntil(warnAt) && RunRef->Count != 1) {
            EmuUnlock();
            EmuViolation("ExWaitForRundownProtectionRelease has waited 10 s: %lu reference(s) are never released",
                         (unsigned long)(RunRef->Count >> 1));
            EmuLock();
            warnAt = EmuNowNs() + 3600ull * 1000000000ull;
        }
    }
    EmuUnlock();
}

VOID ExRundownCompleted(PEX_RUNDOWN_REF RunRef) { RunRef->Count = 1; }

/* ---- time ---- */
VOID KeQuerySystemTime(PLARGE_INTEGER CurrentTime) { CurrentTime->QuadPart = (LONGLONG)EmuSystemTime100ns(); }
VOID KeQuerySystemTimePrecise(PLARGE_INTEGER CurrentTime) { CurrentTime->QuadPart = (LONGLONG)EmuSystemTime100ns(); }
ULONGLONG KeQueryInterruptTime(void) { return EmuNowNs() / 100u; }
ULONGLONG KeQueryInterruptTimePrecise(PULONG64 QpcTimeStamp)
{
    if (QpcTimeStamp != NULL) {
        *QpcTimeStamp = EmuNowNs() / 100u;
    }
    return EmuNowNs() / 100u;
}
VOID KeQueryTickCount(PLARGE_INTEGER CurrentCount) { CurrentCount->QuadPart = (LONGLONG)(EmuNowNs() / 15625000u); }
ULONG KeQueryTimeIncrement(void) { return 156250; }
LARGE_INTEGER KeQueryPerformanceCounter(PLARGE_INTEGER PerformanceFrequency)
{
    LARGE_INTEGER li;
    if (PerformanceFrequency != NULL) {
        PerformanceFrequency->QuadPart = 10000000;
    }
    li.QuadPart = (LONGLONG)(EmuNowNs() / 100u);
    return li;
}

NTSTATUS KeDelayExecutionThread(KPROCESSOR_MODE WaitMode, BOOLEAN Alertable, PLARGE_INTEGER Interval)
{
    UNREFERENCED_PARAMETER(WaitMode);
    UNREFERENCED_PARAMETER(Alertable);
    EmuRequireIrql("KeDelayExecutionThread", APC_LEVEL);
    uint64_t deadline = EmuDeadlineFrom(Interval);
    EmuLock();
    while (EmuWaitUntil(deadline)) {
    }
    EmuUnlock();
    return STATUS_SUCCESS;
}

VOID KeStallExecutionProcessor(ULONG MicroSeconds)
{
    struct timespec ts = { (time_t)(MicroSeconds / 1000000u), (long)(MicroSeconds % 1000000u) * 1000 };
    nanosleep(&ts, NULL);
}

/* ---- worker threads ---- */
typedef struct EMU_WORK {
    void (*Routine)(void *);
    void *Arg;
} EMU_WORK;
static long g_workers;

static void *EmuWorkerMain(void *p)
{
    EMU_WORK w = *(EMU_WORK *)p;
    free(p);
    EmuSetIrql(PASSIVE_LEVEL);
    EmuSetThreadProcess(EmuSystemProcess());
    w.Routine(w.Arg);
    if (KeGetCurrentIrql() != PASSIVE_LEVEL) {
        EmuViolation("a work item returned at IRQL %u", KeGetCurrentIrql());
        EmuSetIrql(PASSIVE_LEVEL);     /* the thread ends: it no longer keeps pageable memory out */
    }
    EmuLock();
    g_workers--;
    EmuBroadcast();
    EmuUnlock();
    return NULL;
}

void EmuRunInWorker(void (*routine)(void *), void *arg)
{
    EMU_WORK *w = malloc(sizeof(*w));
    w->Routine = routine;
    w->Arg = arg;
    EmuLock();
    g_workers++;
    EmuUnlock();
    pthread_t t;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    if (pthread_create(&t, &attr, EmuWorkerMain, w) != 0) {
        fprintf(stderr, "emu: cannot start a worker thread\n");
        abort();
    }
    pthread_attr_destroy(&attr);
}

void EmuWaitWorkersIdle(void)
{
    EmuLock();
    while (g_workers > 0) {
        EmuWaitUntil(0);
    }
    EmuUnlock();
}

/* I/O manager work items */
struct _IO_WORKITEM { PDEVICE_OBJECT Device; PIO_WORKITEM_ROUTINE Routine; PVOID Context; int Queued; };
PIO_WORKITEM IoAllocateWorkItem(PDEVICE_OBJECT DeviceObject)
{
    struct _IO_WORKITEM *w = EmuPoolAlloc(sizeof(*w), 'IWoI', 0, 1, "IoAllocateWorkItem");
    if (w != NULL) {
        w->Device = DeviceObject;
    }
    return w;
}
VOID IoFreeWorkItem(PIO_WORKITEM IoWorkItem) { EmuPoolFree(IoWorkItem, 'IWoI', 1, "IoFreeWorkItem"); }
static void EmuIoWorkThunk(void *p)
{
    PIO_WORKITEM w = p;
    w->Queued = 0;
    w->Routine(w->Device, w->Context);
}
VOID IoQueueWorkItem(PIO_WORKITEM IoWorkItem, PIO_WORKITEM_ROUTINE WorkerRoutine, WORK_QUEUE_TYPE QueueType, PVOID Context)
{
    UNREFERENCED_PARAMETER(QueueType);
    EmuRequireIrql("IoQueueWorkItem", DISPATCH_LEVEL);
    if (IoWorkItem->Queued) {
        EmuViolation("IoQueueWorkItem: the work item is already queued");
    }
    IoWorkItem->Queued = 1;
    IoWorkItem->Routine = WorkerRoutine;
    IoWorkItem->Context = Context;
    EmuRunInWorker(EmuIoWorkThunk, IoWorkItem);
}

/* ---- system threads (PsCreateSystemThread) ----
 * Each runs its start routine on a pthread of its own at PASSIVE_LEVEL in
 * the System process. Its handle is a kernel handle (ZwClose it); its thread
 * object is signalled when it terminates (the routine returns or calls
 * PsTerminateSystemThread), so a driver waits for it with
 * KeWaitForSingleObject after ObReferenceObjectByHandle. A thread still
 * running, or a handle still open, when the last filter unloads is a leak. */
#define EMU_THREAD_HANDLES 64
#define EMU_THREAD_HANDLE_BIT 0x40000000u
static EMU_THREAD_BOX *g_threadHandles[EMU_THREAD_HANDLES];
static long g_systemThreads;            /* started and not yet terminated */

typedef struct EMU_SYSTEM_START { EMU_THREAD_BOX *Box; PKSTART_ROUTINE Routine; PVOID Context; } EMU_SYSTEM_START;

static void EmuSystemThreadEnd(void)
{
    EMU_THREAD_BOX *box = CONTAINING_RECORD(EmuCurrentThread(), EMU_THREAD_BOX, T);
    if (KeGetCurrentIrql() != PASSIVE_LEVEL) {
        EmuViolation("a system thread terminated at IRQL %u", KeGetCurrentIrql());
        EmuSetIrql(PASSIVE_LEVEL);
    }
    EmuLock();
    box->T.Header.SignalState = 1;
    g_systemThreads--;
    EmuBroadcast();
    EmuUnlock();
}

static void *EmuSystemThreadMain(void *p)
{
    EMU_SYSTEM_START start = *(EMU_SYSTEM_START *)p;
    free(p);
    EmuAdoptThread(start.Box);
    EmuSetIrql(PASSIVE_LEVEL);
    start.Routine(start.Context);
    EmuSystemThreadEnd();
    return NULL;
}

NTSTATUS PsCreateSystemThread(PHANDLE ThreadHandle, ULONG DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes, HANDLE ProcessHandle,
                              PCLIENT_ID ClientId, PKSTART_ROUTINE StartRoutine, PVOID StartContext)
{
    UNREFERENCED_PARAMETER(DesiredAccess);
    UNREFERENCED_PARAMETER(ProcessHandle);
    *ThreadHandle = NULL;
    if (!EmuRequireIrql("PsCreateSystemThread", PASSIVE_LEVEL) || StartRoutine == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    if (ObjectAttributes == NULL || !(ObjectAttributes->Attributes & OBJ_KERNEL_HANDLE)) {
        EmuViolation("PsCreateSystemThread without OBJ_KERNEL_HANDLE: a driver's thread handle must be a kernel handle");
    }
    EMU_THREAD_BOX *box = EmuNewThreadBox();
    box->T.System = 1;
    EmuLock();
    int slot = -1;
    for (int i = 0; i < EMU_THREAD_HANDLES; i++) {
        if (g_threadHandles[i] == NULL) {
            slot = i;
            g_threadHandles[i] = box;
            break;
        }
    }
    if (slot >= 0) {
        g_systemThreads++;
    }
    EmuUnlock();
    if (slot < 0) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    EMU_SYSTEM_START *start = malloc(sizeof(*start));
    start->Box = box;
    start->Routine = StartRoutine;
    start->Context = StartContext;
    pthread_t t;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    if (pthread_create(&t, &attr, EmuSystemThreadMain, start) != 0) {
        fprintf(stderr, "emu: cannot start a system thread\n");
        abort();
    }
    pthread_attr_destroy(&attr);
    if (ClientId != NULL) {
        ClientId->UniqueProcess = (HANDLE)(ULONG_PTR)4;
        ClientId->UniqueThread = (HANDLE)(ULONG_PTR)box->T.Tid;
    }
    *ThreadHandle = (HANDLE)(ULONG_PTR)(EMU_THREAD_HANDLE_BIT | (unsigned)(slot + 1));
    return STATUS_SUCCESS;
}

NTSTATUS PsTerminateSystemThread(NTSTATUS ExitStatus)
{
    UNREFERENCED_PARAMETER(ExitStatus);
    if (!EmuCurrentThread()->System) {
        EmuViolation("PsTerminateSystemThread on a thread PsCreateSystemThread did not create");
        return STATUS_INVALID_PARAMETER;
    }
    EmuSystemThreadEnd();
    pthread_exit(NULL);
}

int EmuIsThreadHandle(HANDLE h)
{
    ULONG_PTR v = (ULONG_PTR)h;
    return (v & EMU_THREAD_HANDLE_BIT) != 0 && (v & 0x80000000u) == 0 && (v & 0xFFFF) >= 1 && (v & 0xFFFF) <= EMU_THREAD_HANDLES;
}

static EMU_THREAD_BOX *EmuThreadFromHandle(HANDLE h, int remove)
{
    if (!EmuIsThreadHandle(h)) {
        return NULL;
    }
    int i = (int)(((ULONG_PTR)h & 0xFFFF) - 1);
    EmuLock();
    EMU_THREAD_BOX *box = g_threadHandles[i];
    if (remove) {
        g_threadHandles[i] = NULL;
    }
    EmuUnlock();
    return box;
}

NTSTATUS EmuCloseThreadHandle(HANDLE h)
{
    return EmuThreadFromHandle(h, 1) != NULL ? STATUS_SUCCESS : STATUS_INVALID_HANDLE;
}

NTSTATUS ObReferenceObjectByHandle(HANDLE Handle, ACCESS_MASK DesiredAccess, POBJECT_TYPE ObjectType, KPROCESSOR_MODE AccessMode, PVOID *Object, PVOID HandleInformation)
{
    UNREFERENCED_PARAMETER(HandleInformation);
    *Object = NULL;
    EmuRequireIrql("ObReferenceObjectByHandle", APC_LEVEL);
    EMU_THREAD_BOX *box = EmuThreadFromHandle(Handle, 0);
    if (box == NULL) {
        /* A file handle (FltCreateFile's kernel handle, or a user handle in its own process's context). */
        EMU_FILE *file = EmuFileFromHandle(Handle, "ObReferenceObjectByHandle");
        if (file == NULL) {
            return STATUS_INVALID_HANDLE;       /* the emulator has handles to threads and files only */
        }
        if (ObjectType != NULL && ObjectType != *IoFileObjectType) {
            return STATUS_OBJECT_TYPE_MISMATCH;
        }
        /* UserMode: the access the handle was granted must cover DesiredAccess; KernelMode skips the check. */
        if (AccessMode == UserMode && (EmuMapGenericAccess(DesiredAccess) & ~file->Granted) != 0) {
            return STATUS_ACCESS_DENIED;
        }
        EmuObjDriverRef(&file->Hdr, 1, "ObReferenceObjectByHandle");
        *Object = &file->Fo;
        return STATUS_SUCCESS;
    }
    if (ObjectType != NULL && ObjectType != *PsThreadType) {
        return STATUS_OBJECT_TYPE_MISMATCH;
    }
    EmuObjDriverRef(&box->Hdr, 1, "ObReferenceObjectByHandle");
    *Object = &box->T;
    return STATUS_SUCCESS;
}

void EmuThreadsCheckLeaks(void)
{
    EmuLock();
    long running = g_systemThreads;
    int handles = 0;
    for (int i = 0; i < EMU_THREAD_HANDLES; i++) {
        if (g_threadHandles[i] != NULL) {
            handles++;
            g_threadHandles[i] = NULL;
        }
    }
    EmuUnlock();
    if (running > 0) {
        EmuViolation("thread leak: %ld system thread(s) created with PsCreateSystemThread still run after unload", running);
    }
    if (handles > 0) {
        EmuViolation("handle leak: %d thread handle(s) from PsCreateSystemThread were never closed with ZwClose", handles);
    }
}
