/*
 * emu_core.c - the emulated kernel's foundations: the global lock, time,
 * IRQL tracking, violations, object headers and references, processes and
 * threads, tracked pool, debug output.
 */
#include "emu_internal.h"
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_cond;
static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static __thread KIRQL t_irql;
static __thread EMU_THREAD_BOX *t_thread;
static __thread int t_criticalRegion;

static void EmuInitOnce(void)
{
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&g_cond, &attr);
    pthread_condattr_destroy(&attr);
}

/*
 * The global lock is not recursive, and registering a thread the emulator has
 * not seen (EmuCurrentThread) takes it. So a thread is registered BEFORE it
 * first takes the lock: code holding the lock may then ask for the current
 * thread or process (ExAcquireFastMutex does) without deadlocking itself.
 */
static __thread int t_registering;
static __thread int t_holdsLock;
void EmuLock(void)
{
    pthread_once(&g_once, EmuInitOnce);
    if (!t_registering) {
        (void)EmuCurrentThread();
    }
    pthread_mutex_lock(&g_lock);
    t_holdsLock = 1;
}
void EmuUnlock(void) { t_holdsLock = 0; pthread_mutex_unlock(&g_lock); }
int EmuHoldsLock(void) { return t_holdsLock; }
void EmuBroadcast(void) { pthread_cond_broadcast(&g_cond); }

uint64_t EmuNowNs(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int EmuWaitUntil(uint64_t deadlineNs)
{
    if (deadlineNs == 0) {
        pthread_cond_wait(&g_cond, &g_lock);
        return 1;
    }
    if (EmuNowNs() >= deadlineNs) {
        return 0;
    }
    struct timespec ts = { (time_t)(deadlineNs / 1000000000ull), (long)(deadlineNs % 1000000000ull) };
    pthread_cond_timedwait(&g_cond, &g_lock, &ts);
    return EmuNowNs() < deadlineNs;
}

uint64_t EmuSystemTime100ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return 116444736000000000ull + (uint64_t)ts.tv_sec * 10000000ull + (uint64_t)ts.tv_nsec / 100u;
}

/* ---- violations ---- */
#define EMU_MAX_VIOLATIONS 256
static char *g_violations[EMU_MAX_VIOLATIONS];
static int g_violationCount;

void EmuViolation(const char *format, ...)
{
    char text[1024];
    va_list ap;
    va_start(ap, format);
    vsnprintf(text, sizeof(text), format, ap);
    va_end(ap);
    if (getenv("JMF_EMU_TRACE") != NULL) {
        fprintf(stderr, "emu: VIOLATION: %s\n", text);
    }
    EmuLock();
    if (g_violationCount < EMU_MAX_VIOLATIONS) {
        g_violations[g_violationCount++] = strdup(text);
    }
    EmuUnlock();
}

void EmuTrace(const char *format, ...)
{
    if (getenv("JMF_EMU_TRACE") == NULL) {
        return;
    }
    va_list ap;
    va_start(ap, format);
    fprintf(stderr, "emu: ");
    vfprintf(stderr, format, ap);
    fprintf(stderr, "\n");
    va_end(ap);
}

int32_t EmuViolationCount(void)
{
    EmuLock();
    int n = g_violationCount;
    EmuUnlock();
    return n;
}

int32_t EmuViolationText(int32_t index, char *buffer, uint32_t capacity)
{
    int32_t result = -1;
    EmuLock();
    if (index >= 0 && index < g_violationCount && buffer != NULL && capacity > 0) {
        snprintf(buffer, capacity, "%s", g_violations[index]);
        result = (int32_t)strlen(g_violations[index]);
    }
    EmuUnlock();
    return result;
}

void EmuViolationsClear(void)
{
    EmuLock();
    for (int i = 0; i < g_violationCount; i++) {
        free(g_violations[i]);
    }
    g_violationCount = 0;
    EmuUnlock();
}

/* ---- IRQL ---- */
static const char *EmuIrqlName(KIRQL irql)
{
    switch (irql) {
    case PASSIVE_LEVEL: return "PASSIVE_LEVEL";
    case APC_LEVEL: return "APC_LEVEL";
    case DISPATCH_LEVEL: return "DISPATCH_LEVEL";
    default: return "a device IRQL";
    }
}

int EmuRequireIrql(const char *routine, KIRQL max)
{
    if (t_irql > max) {
        EmuViolation("%s called at %s (IRQL %u); it requires IRQL <= %s",
                     routine, EmuIrqlName(t_irql), t_irql, EmuIrqlName(max));
        return 0;
    }
    return 1;
}

/* Every IRQL change goes through here: crossing DISPATCH_LEVEL pages pageable memory out or in. */
static void EmuIrqlTo(KIRQL irql)
{
    KIRQL from = t_irql;
    t_irql = irql;
    EmuPageableIrql(from, irql);
}

void EmuSetIrql(KIRQL irql) { EmuIrqlTo(irql); }
KIRQL KeGetCurrentIrql(void) { return t_irql; }

void KeRaiseIrql(KIRQL NewIrql, PKIRQL OldIrql)
{
    if (NewIrql < t_irql) {
        EmuViolation("KeRaiseIrql to %u below the current IRQL %u (IRQL_NOT_GREATER_OR_EQUAL)", NewIrql, t_irql);
    }
    *OldIrql = t_irql;
    EmuIrqlTo(NewIrql);
}

void KeLowerIrql(KIRQL NewIrql)
{
    if (NewIrql > t_irql) {
        EmuViolation("KeLowerIrql to %u above the current IRQL %u (IRQL_NOT_LESS_OR_EQUAL)", NewIrql, t_irql);
    }
    EmuIrqlTo(NewIrql);
}

KIRQL KeRaiseIrqlToDpcLevel(void)
{
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    return old;
}

void EmuPagedCodeCheck(const char *Function)
{
    if (t_irql > APC_LEVEL) {
        EmuViolation("PAGED_CODE: %s (pageable) runs at IRQL %u", Function, t_irql);
    }
}

VOID KeEnterCriticalRegion(void) { t_criticalRegion++; }
VOID KeLeaveCriticalRegion(void)
{
    if (--t_criticalRegion < 0) {
        EmuViolation("KeLeaveCriticalRegion without KeEnterCriticalRegion");
        t_criticalRegion = 0;
    }
}
VOID KeEnterGuardedRegion(void) { t_criticalRegion++; }
VOID KeLeaveGuardedRegion(void) { KeLeaveCriticalRegion(); }
BOOLEAN KeAreApcsDisabled(void) { return (BOOLEAN)(t_criticalRegion > 0 || t_irql >= APC_LEVEL); }
ULONG KeGetCurrentProcessorNumber(void) { return 0; }
ULONG KeQueryActiveProcessorCount(PKAFFINITY ActiveProcessors)
{
    if (ActiveProcessors != NULL) {
        *ActiveProcessors = 3;
    }
    return 2;
}

/* ---- text helpers ---- */
char *EmuTagText(ULONG tag, char out[8])
{
    /* As the debugger shows a pool tag: the bytes in memory order. */
    for (int i = 0; i < 4; i++) {
        unsigned char c = (unsigned char)(tag >> (8 * i));
        out[i] = (c >= 32 && c < 127) ? (char)c : '?';
    }
    out[4] = 0;
    return out;
}

size_t EmuWcsLen(const WCHAR *s)
{
    size_t n = 0;
    while (s[n] != 0) {
        n++;
    }
    return n;
}

void EmuWideToUtf8(const WCHAR *s, size_t chars, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < chars && s != NULL; i++) {
        uint32_t c = s[i];
        if (c >= 0xD800 && c < 0xDC00 && i + 1 < chars && s[i + 1] >= 0xDC00 && s[i + 1] < 0xE000) {
            c = 0x10000 + ((c - 0xD800) << 10) + (uint32_t)(s[i + 1] - 0xDC00);
            i++;
        }
        char b[4];
        size_t n;
        if (c < 0x80) { b[0] = (char)c; n = 1; }
        else if (c < 0x800) { b[0] = (char)(0xC0 | (c >> 6)); b[1] = (char)(0x80 | (c & 0x3F)); n = 2; }
        else if (c < 0x10000) { b[0] = (char)(0xE0 | (c >> 12)); b[1] = (char)(0x80 | ((c >> 6) & 0x3F)); b[2] = (char)(0x80 | (c & 0x3F)); n = 3; }
        else { b[0] = (char)(0xF0 | (c >> 18)); b[1] = (char)(0x80 | ((c >> 12) & 0x3F)); b[2] = (char)(0x80 | ((c >> 6) & 0x3F)); b[3] = (char)(0x80 | (c & 0x3F)); n = 4; }
        if (o + n + 1 > cap) {
            break;
        }
        memcpy(out + o, b, n);
        o += n;
    }
    if (cap > 0) {
        out[o] = 0;
    }
}

size_t EmuUtf8ToWide(const char *s, WCHAR *out, size_t capChars)
{
    size_t o = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p != 0 && o + 1 < capChars) {
        uint32_t c;
        if (*p < 0x80) { c = *p++; }
        else if ((*p & 0xE0) == 0xC0 && p[1]) { c = ((uint32_t)(*p & 0x1F) << 6) | (p[1] & 0x3F); p += 2; }
        else if ((*p & 0xF0) == 0xE0 && p[1] && p[2]) { c = ((uint32_t)(*p & 0x0F) << 12) | ((uint32_t)(p[1] & 0x3F) << 6) | (p[2] & 0x3F); p += 3; }
        else if ((*p & 0xF8) == 0xF0 && p[1] && p[2] && p[3]) { c = ((uint32_t)(*p & 0x07) << 18) | ((uint32_t)(p[1] & 0x3F) << 12) | ((uint32_t)(p[2] & 0x3F) << 6) | (p[3] & 0x3F); p += 4; }
        else { c = '?'; p++; }
        if (c >= 0x10000) {
            if (o + 2 >= capChars) {
                break;
            }
            c -= 0x10000;
            out[o++] = (WCHAR)(0xD800 + (c >> 10));
            out[o++] = (WCHAR)(0xDC00 + (c & 0x3FF));
        } else {
            out[o++] = (WCHAR)c;
        }
    }
    if (capChars > 0) {
        out[o] = 0;
    }
    return o;
}

/* ---- objects ---- */
static LIST_ENTRY g_objects = { &g_objects, &g_objects };

void EmuObjInit(EMU_OBJ *obj, EMU_OBJ_TYPE type, const char *name)
{
    obj->Magic = EMU_OBJ_MAGIC;
    obj->Type = (uint32_t)type;
    obj->Refs = 1;
    obj->DriverRefs = 0;
    snprintf(obj->Name, sizeof(obj->Name), "%s", name);
    EmuLock();
    InsertTailList(&g_objects, &obj->AllLink);
    EmuUnlock();
}

void EmuObjUnlink(EMU_OBJ *obj)
{
    EmuLock();
    RemoveEntryList(&obj->AllLink);
    EmuUnlock();
    obj->Magic = 0;
}

EMU_OBJ *EmuObFromPointer(PVOID object)
{
    if (object == NULL) {
        return NULL;
    }
    EMU_OBJ *h = (EMU_OBJ *)((char *)object - sizeof(EMU_OBJ));
    EmuLock();
    for (PLIST_ENTRY e = g_objects.Flink; e != &g_objects; e = e->Flink) {
        if (CONTAINING_RECORD(e, EMU_OBJ, AllLink) == h) {
            EmuUnlock();
            return h;
        }
    }
    EmuUnlock();
    return NULL;
}

void EmuObjDriverRef(EMU_OBJ *obj, long delta, const char *routine)
{
    EmuLock();
    obj->DriverRefs += delta;
    obj->Refs += delta;
    long now = obj->DriverRefs;
    EmuUnlock();
    if (now < 0) {
        EmuViolation("%s: %s released more references than the driver took (reference count underflow)", routine, obj->Name);
        EmuLock();
        obj->DriverRefs = 0;
        obj->Refs -= delta;
        EmuUnlock();
    }
}

long EmuObjectsDriverRefTotal(void)
{
    long total = 0;
    EmuLock();
    for (PLIST_ENTRY e = g_objects.Flink; e != &g_objects; e = e->Flink) {
        total += CONTAINING_RECORD(e, EMU_OBJ, AllLink)->DriverRefs;
    }
    EmuUnlock();
    return total;
}

void EmuObjectsCheckLeaks(void)
{
    EmuLock();
    for (PLIST_ENTRY e = g_objects.Flink; e != &g_objects; e = e->Flink) {
        EMU_OBJ *o = CONTAINING_RECORD(e, EMU_OBJ, AllLink);
        if (o->DriverRefs != 0) {
            long n = o->DriverRefs;
            EmuUnlock();
            EmuViolation("unbalanced references: %s still has %ld reference(s) taken by the driver", o->Name, n);
            EmuLock();
            o->Refs -= o->DriverRefs;
            o->DriverRefs = 0;
        }
    }
    EmuUnlock();
}

LONG_PTR ObfReferenceObject(PVOID Object)
{
    EMU_OBJ *h = EmuObFromPointer(Object);
    if (h == NULL) {
        EmuViolation("ObReferenceObject(%p): not an object of the emulated kernel", Object);
        return 0;
    }
    EmuObjDriverRef(h, 1, "ObReferenceObject");
    return h->Refs;
}

LONG_PTR ObfDereferenceObject(PVOID Object)
{
    EmuRequireIrql("ObDereferenceObject", DISPATCH_LEVEL);
    EMU_OBJ *h = EmuObFromPointer(Object);
    if (h == NULL) {
        EmuViolation("ObDereferenceObject(%p): not an object of the emulated kernel (freed, or never referenced)", Object);
        return 0;
    }
    EmuObjDriverRef(h, -1, "ObDereferenceObject");
    if (h->Type == EMU_OBJ_FILE) {
        EMU_FILE *file = CONTAINING_RECORD(h, EMU_FILE, Hdr);
        EmuFileAfterRelease(file);
        return 0;
    }
    if (h->Type == EMU_OBJ_DEVICE_FILE) {
        EmuDevFileObDereferenced(h);
        return 0;
    }
    if (h->Type == EMU_OBJ_SECTION) {
        EmuSectionObDereferenced(h);
        return 0;
    }
    return h->Refs;
}

VOID ObDereferenceObjectDeferDelete(PVOID Object) { ObfDereferenceObject(Object); }

NTSTATUS ObReferenceObjectByPointer(PVOID Object, ACCESS_MASK DesiredAccess, POBJECT_TYPE ObjectType, KPROCESSOR_MODE AccessMode)
{
    UNREFERENCED_PARAMETER(DesiredAccess);
    UNREFERENCED_PARAMETER(ObjectType);
    UNREFERENCED_PARAMETER(AccessMode);
    return ObfReferenceObject(Object) != 0 ? STATUS_SUCCESS : STATUS_INVALID_PARAMETER;
}

static struct _OBJECT_TYPE { int Dummy; } g_types[4];
static POBJECT_TYPE g_typePtrs[4] = { &g_types[0], &g_types[1], &g_types[2], &g_types[3] };
POBJECT_TYPE *PsProcessType = &g_typePtrs[0];
POBJECT_TYPE *PsThreadType = &g_typePtrs[1];
POBJECT_TYPE *IoFileObjectType = &g_typePtrs[2];
POBJECT_TYPE *ExEventObjectType = &g_typePtrs[3];

/* ---- processes and threads ---- */
static LIST_ENTRY g_processes = { &g_processes, &g_processes };
static EMU_PROCESS_BOX *g_system;
static ULONG g_nextTid = 1000;

static EMU_PROCESS_BOX *EmuFindProcessBox(ULONG pid)
{
    for (PLIST_ENTRY e = g_processes.Flink; e != &g_processes; e = e->Flink) {
        EMU_PROCESS_BOX *b = CONTAINING_RECORD(e, EMU_PROCESS_BOX, Link);
        if (b->P.Pid == pid) {
            return b;
        }
    }
    return NULL;
}

static EMU_PROCESS_BOX *EmuAddProcess(ULONG pid, const char *image, int privileged)
{
    EmuLock();
    EMU_PROCESS_BOX *b = EmuFindProcessBox(pid);
    EmuUnlock();
    if (b == NULL) {
        b = calloc(1, sizeof(*b));
        char name[64];
        snprintf(name, sizeof(name), "process %u", pid);
        EmuObjInit(&b->Hdr, EMU_OBJ_PROCESS, name);
        b->P.Pid = pid;
        EmuLock();
        InsertTailList(&g_processes, &b->Link);
        EmuUnlock();
    }
    EmuUtf8ToWide(image != NULL ? image : "", b->P.Image, RTL_NUMBER_OF(b->P.Image));
    b->P.Privileged = privileged;
    return b;
}

PEPROCESS EmuFindProcess(ULONG pid)
{
    EmuLock();
    EMU_PROCESS_BOX *b = EmuFindProcessBox(pid);
    EmuUnlock();
    return b != NULL ? &b->P : NULL;
}

PEPROCESS EmuSystemProcess(void)
{
    if (g_system == NULL) {
        g_system = EmuAddProcess(4, "System", 1);
    }
    return &g_system->P;
}

EMU_THREAD_BOX *EmuNewThreadBox(void)
{
    EMU_THREAD_BOX *box = calloc(1, sizeof(*box));
    EmuLock();
    box->T.Tid = g_nextTid += 4;
    EmuUnlock();
    char name[64];
    snprintf(name, sizeof(name), "thread %u", box->T.Tid);
    EmuObjInit(&box->Hdr, EMU_OBJ_THREAD, name);
    box->T.Header.Type = 0;             /* a notification object: signalled when the thread ends */
    box->T.Process = EmuSystemProcess();
    return box;
}

void EmuAdoptThread(EMU_THREAD_BOX *box) { t_thread = box; }

PETHREAD EmuCurrentThread(void)
{
    if (t_thread == NULL && !t_registering) {
        /* Threads the emulator did not start (test main, JVM threads) and its
         * workers run in the System process until told otherwise. Thread boxes
         * live as long as the process: threads are few. While registering,
         * EmuLock must not come back here (t_registering). */
        t_registering = 1;
        t_thread = EmuNewThreadBox();
        t_registering = 0;
    }
    return &t_thread->T;
}

/* ---- the top-level IRP, per thread ---- */
static __thread PIRP t_topLevelIrp;
PIRP IoGetTopLevelIrp(VOID) { EmuRequireIrql("IoGetTopLevelIrp", DISPATCH_LEVEL); return t_topLevelIrp; }
VOID IoSetTopLevelIrp(PIRP Irp) { EmuRequireIrql("IoSetTopLevelIrp", DISPATCH_LEVEL); t_topLevelIrp = Irp; }

void EmuSetThreadProcess(PEPROCESS process) { EmuCurrentThread()->Process = process; }

int32_t EmuSetProcess(uint32_t pid, const char *imageNtPath, int32_t privileged)
{
    EmuSystemProcess();
    EmuAddProcess(pid, imageNtPath, privileged);
    return 0;
}

int32_t EmuSetCurrentProcess(uint32_t pid)
{
    PEPROCESS p = EmuFindProcess(pid);
    if (p == NULL) {
        return (int32_t)STATUS_INVALID_PARAMETER;
    }
    EmuSetThreadProcess(p);
    return 0;
}

HANDLE PsGetCurrentProcessId(void) { return (HANDLE)(ULONG_PTR)EmuCurrentThread()->Process->Pid; }
HANDLE PsGetCurrentThreadId(void) { return (HANDLE)(ULONG_PTR)EmuCurrentThread()->Tid; }
PEPROCESS PsGetCurrentProcess(void) { return EmuCurrentThread()->Process; }
PETHREAD PsGetCurrentThread(void) { return EmuCurrentThread(); }
PEPROCESS IoThreadToProcess(PETHREAD Thread) { return Thread != NULL ? Thread->Process : NULL; }
PEPROCESS PsGetThreadProcess(PETHREAD Thread) { return IoThreadToProcess(Thread); }
HANDLE PsGetThreadProcessId(PETHREAD Thread) { return (HANDLE)(ULONG_PTR)(Thread != NULL ? Thread->Process->Pid : 0); }
HANDLE PsGetThreadId(PETHREAD Thread) { return (HANDLE)(ULONG_PTR)(Thread != NULL ? Thread->Tid : 0); }
HANDLE PsGetProcessId(PEPROCESS Process) { return (HANDLE)(ULONG_PTR)(Process != NULL ? Process->Pid : 0); }
BOOLEAN PsIsSystemThread(PETHREAD Thread) { return (BOOLEAN)(Thread != NULL && Thread->Process->Pid == 4); }
BOOLEAN PsIsSystemProcess(PEPROCESS Process) { return (BOOLEAN)(Process != NULL && Process->Pid == 4); }
PEPROCESS PsInitialSystemProcess_get(void) { return EmuSystemProcess(); }
KPROCESSOR_MODE ExGetPreviousMode(void) { return UserMode; }

NTSTATUS PsLookupProcessByProcessId(HANDLE ProcessId, PEPROCESS *Process)
{
    EmuRequireIrql("PsLookupProcessByProcessId", APC_LEVEL);
    PEPROCESS p = EmuFindProcess((ULONG)(ULONG_PTR)ProcessId);
    if (p == NULL) {
        *Process = NULL;
        return STATUS_INVALID_PARAMETER;
    }
    EmuObjDriverRef(&CONTAINING_RECORD(p, EMU_PROCESS_BOX, P)->Hdr, 1, "PsLookupProcessByProcessId");
    *Process = p;
    return STATUS_SUCCESS;
}

NTSTATUS SeLocateProcessImageName(PEPROCESS Process, PUNICODE_STRING *pImageFileName)
{
    EmuRequireIrql("SeLocateProcessImageName", PASSIVE_LEVEL);
    if (Process == NULL || pImageFileName == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    size_t chars = EmuWcsLen(Process->Image);
    /* One pool block holding the UNICODE_STRING and its buffer; the caller frees it with ExFreePool. */
    PUNICODE_STRING s = EmuPoolAlloc(sizeof(UNICODE_STRING) + (chars + 1) * sizeof(WCHAR), 'nImS', 1, 1, "SeLocateProcessImageName");
    if (s == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    s->Buffer = (PWCH)(s + 1);
    memcpy(s->Buffer, Process->Image, chars * sizeof(WCHAR));
    s->Length = (USHORT)(chars * sizeof(WCHAR));
    s->MaximumLength = (USHORT)((chars + 1) * sizeof(WCHAR));
    *pImageFileName = s;
    return STATUS_SUCCESS;
}

BOOLEAN SeSinglePrivilegeCheck(LARGE_INTEGER PrivilegeValue, KPROCESSOR_MODE PreviousMode)
{
    UNREFERENCED_PARAMETER(PrivilegeValue);
    UNREFERENCED_PARAMETER(PreviousMode);
    return (BOOLEAN)EmuCurrentThread()->Process->Privileged;
}

/* ---- pool ----
 * Non-paged blocks: the header directly precedes the data (one malloc).
 * Pageable blocks: the data has pages of its own (emu_pageable.c, paged out
 * while any thread is at DISPATCH_LEVEL) and the header lives apart, so the
 * emulator can walk its lists without touching pageable memory. */
#define EMU_POOL_MAGIC 0x4c4f4f50u
typedef struct EMU_POOL_HDR {
    uint32_t Magic;
    ULONG Tag;
    SIZE_T Size;
    int Paged;
    int Separate;               /* data apart from the header: EMU_POOL_PAGES (pages of its own) or EMU_POOL_HEAP (an aligned heap block) */
    LIST_ENTRY Link;
    const char *Routine;
    void *Data;
    int Aligned;                /* FltAllocatePoolAlignedWithTag's: freed only by FltFreePoolAlignedWithTag */
    int Pad;
} EMU_POOL_HDR;
enum { EMU_POOL_INLINE, EMU_POOL_PAGES, EMU_POOL_HEAP };
_Static_assert(sizeof(EMU_POOL_HDR) % 16 == 0, "pool blocks stay 16-byte aligned");
static LIST_ENTRY g_pool = { &g_pool, &g_pool };
static size_t g_poolCount;

static void EmuPoolRelease(EMU_POOL_HDR *h)
{
    h->Magic = 0;
    if (h->Separate == EMU_POOL_PAGES) {
        EmuPageableFree(h->Data);
    } else if (h->Separate == EMU_POOL_HEAP) {
        free(h->Data);
    }
    free(h);
}

PVOID EmuPoolAlloc(SIZE_T bytes, ULONG tag, int paged, int zero, const char *routine)
{
    return EmuPoolAllocAligned(bytes, tag, paged, zero, 0, routine);
}

/* alignment 0: an ordinary pool block (16-byte aligned); otherwise a power of 2
 * the data starts at (FltAllocatePoolAlignedWithTag), freed only by EmuPoolFreeAligned. */
PVOID EmuPoolAllocAligned(SIZE_T bytes, ULONG tag, int paged, int zero, SIZE_T alignment, const char *routine)
{
    if (!EmuRequireIrql(routine, paged ? APC_LEVEL : DISPATCH_LEVEL)) {
        return NULL;
    }
    if (tag == 0) {
        EmuViolation("%s with pool tag 0: every allocation needs a tag", routine);
    }
    if (bytes > ((SIZE_T)1 << 32)) {
        return NULL;
    }
    /* Pageable blocks start at a page boundary: aligned for any sector size up to a page. */
    void *data = paged && alignment <= 4096 ? EmuPageableAlloc(bytes, tag, routine) : NULL;
    int separate = data != NULL ? EMU_POOL_PAGES : EMU_POOL_INLINE;
    if (data == NULL && alignment > 0) {
        if (posix_memalign(&data, alignment < sizeof(void *) ? sizeof(void *) : alignment, bytes ? bytes : 1) != 0) {
            return NULL;
        }
        separate = EMU_POOL_HEAP;
    }
    EMU_POOL_HDR *h = malloc(sizeof(EMU_POOL_HDR) + (data != NULL ? 0 : (bytes ? bytes : 1)));
    if (h == NULL) {
        if (separate == EMU_POOL_PAGES) {
            EmuPageableFree(data);
        } else if (separate == EMU_POOL_HEAP) {
            free(data);
        }
        return NULL;
    }
    h->Magic = EMU_POOL_MAGIC;
    h->Tag = tag;
    h->Size = bytes;
    h->Paged = paged;
    h->Separate = separate;
    h->Aligned = alignment > 0;
    h->Pad = 0;
    h->Routine = routine;
    h->Data = data != NULL ? data : (void *)(h + 1);
    /* At PASSIVE/APC_LEVEL (checked above): a fresh pageable block is touched legally here. */
    memset(h->Data, zero ? 0 : 0xCD, bytes);
    EmuLock();
    InsertTailList(&g_pool, &h->Link);
    g_poolCount++;
    EmuUnlock();
    return h->Data;
}

void EmuPoolFree(PVOID p, ULONG tag, int checkTag, const char *routine)
{
    EmuPoolFreeAligned(p, tag, checkTag, 0, routine);
}

static void EmuPoolReleaseThunk(void *h) { EmuPoolRelease(h); }

/* aligned: the caller is FltFreePoolAlignedWithTag. Each kind of block goes back the way it came. */
void EmuPoolFreeAligned(PVOID p, ULONG tag, int checkTag, int aligned, const char *routine)
{
    if (p == NULL) {
        EmuViolation("%s(NULL) (BAD_POOL_CALLER)", routine);
        return;
    }
    EmuLock();
    EMU_POOL_HDR *h = NULL;
    for (PLIST_ENTRY e = g_pool.Flink; e != &g_pool; e = e->Flink) {
        EMU_POOL_HDR *x = CONTAINING_RECORD(e, EMU_POOL_HDR, Link);
        if (x->Data == p) {
            h = x;
            break;
        }
    }
    if (h == NULL) {
        EmuUnlock();
        if (EmuIsFileObjectName(p)) {
            EmuViolation("%s(%p): a file object's FileName.Buffer: the I/O manager owns it (replace it with IoReplaceFileObjectName)", routine, p);
            return;
        }
        EmuViolation("%s(%p): not an allocated pool block (double free or foreign pointer: BAD_POOL_CALLER)", routine, p);
        return;
    }
    RemoveEntryList(&h->Link);
    g_poolCount--;
    EmuUnlock();
    if (!EmuRequireIrql(routine, h->Paged ? APC_LEVEL : DISPATCH_LEVEL)) {
        /* still freed, so later leak reports stay about real leaks */
    }
    if (checkTag && tag != h->Tag) {
        char a[8], b[8];
        EmuViolation("%s: tag '%s' does not match the block's tag '%s' (BAD_POOL_CALLER)", routine, EmuTagText(tag, a), EmuTagText(h->Tag, b));
    }
    if (h->Aligned && !aligned) {
        EmuViolation("%s(%p): the block was allocated by %s; free it with FltFreePoolAlignedWithTag (BAD_POOL_CALLER)", routine, p, h->Routine);
    } else if (!h->Aligned && aligned) {
        EmuViolation("%s(%p): the block was allocated by %s, not by FltAllocatePoolAlignedWithTag (BAD_POOL_CALLER)", routine, p, h->Routine);
    }
    if (EmuFltIoCheckFree(h->Data, h->Size, routine, EmuPoolReleaseThunk, h)) {
        return;     /* reported; the memory goes once that I/O completed, so the emulator does not corrupt the heap */
    }
    if (h->Separate != EMU_POOL_PAGES) {
        memset(h->Data, 0xDD, h->Size);     /* a use after free reads garbage (ASan reports it) */
    }
    EmuPoolRelease(h);
}

/* Whether p lies in pageable memory: a paged pool block, or any other pageable block
 * (file name information, emu_pageable.c). what (optional) receives a description. */
int EmuIsPageableAddress(const void *p, char *what, size_t cap)
{
    uintptr_t a = (uintptr_t)p;
    int found = 0;
    EmuLock();
    for (PLIST_ENTRY e = g_pool.Flink; e != &g_pool && !found; e = e->Flink) {
        EMU_POOL_HDR *h = CONTAINING_RECORD(e, EMU_POOL_HDR, Link);
        uintptr_t start = (uintptr_t)h->Data;
        if (h->Paged && a >= start && a < start + (h->Size ? h->Size : 1)) {
            char t[8];
            if (what != NULL) {
                snprintf(what, cap, "a paged pool block, tag '%s', allocated by %s", EmuTagText(h->Tag, t), h->Routine);
            }
            found = 1;
        }
    }
    EmuUnlock();
    if (!found && EmuPageableContains(p)) {
        if (what != NULL) {
            snprintf(what, cap, "pageable memory");
        }
        found = 1;
    }
    return found;
}

size_t EmuPoolOutstanding(void)
{
    EmuLock();
    size_t n = g_poolCount;
    EmuUnlock();
    return n;
}

int64_t EmuPoolBlocks(void) { return (int64_t)EmuPoolOutstanding(); }

void EmuPoolCheckLeaks(const char *when)
{
    /* One violation per tag, naming it, its block count and bytes. */
    for (;;) {
        EmuLock();
        if (IsListEmpty(&g_pool)) {
            EmuUnlock();
            return;
        }
        EMU_POOL_HDR *first = CONTAINING_RECORD(g_pool.Flink, EMU_POOL_HDR, Link);
        ULONG tag = first->Tag;
        const char *routine = first->Routine;
        size_t blocks = 0, bytes = 0;
        for (PLIST_ENTRY e = g_pool.Flink; e != &g_pool;) {
            EMU_POOL_HDR *h = CONTAINING_RECORD(e, EMU_POOL_HDR, Link);
            e = e->Flink;
            if (h->Tag == tag) {
                blocks++;
                bytes += h->Size;
                RemoveEntryList(&h->Link);
                g_poolCount--;
                EmuPoolRelease(h);
            }
        }
        EmuUnlock();
        char t[8];
        EmuViolation("pool leak %s: %zu block(s), %zu bytes, tag '%s' (allocated by %s)", when, blocks, bytes, EmuTagText(tag, t), routine);
    }
}

void EmuPoolReset(void)
{
    EmuLock();
    while (!IsListEmpty(&g_pool)) {
        EMU_POOL_HDR *h = CONTAINING_RECORD(RemoveHeadList(&g_pool), EMU_POOL_HDR, Link);
        EmuPoolRelease(h);
    }
    g_poolCount = 0;
    EmuUnlock();
}

PVOID ExAllocatePool2(POOL_FLAGS Flags, SIZE_T NumberOfBytes, ULONG Tag)
{
    int paged = (Flags & POOL_FLAG_PAGED) != 0;
    if (!(Flags & (POOL_FLAG_PAGED | POOL_FLAG_NON_PAGED | POOL_FLAG_NON_PAGED_EXECUTE))) {
        EmuViolation("ExAllocatePool2: flags 0x%llx name no pool type", (unsigned long long)Flags);
        return NULL;
    }
    return EmuPoolAlloc(NumberOfBytes, Tag, paged, !(Flags & POOL_FLAG_UNINITIALIZED), "ExAllocatePool2");
}

PVOID ExAllocatePool3(POOL_FLAGS Flags, SIZE_T NumberOfBytes, ULONG Tag, PVOID ExtendedParameters, ULONG ExtendedParametersCount)
{
    UNREFERENCED_PARAMETER(ExtendedParameters);
    UNREFERENCED_PARAMETER(ExtendedParametersCount);
    return ExAllocatePool2(Flags, NumberOfBytes, Tag);
}

static int EmuPoolTypePaged(POOL_TYPE t) { return (t & 1) != 0 && t < 512; }
PVOID ExAllocatePoolWithTag(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag) { return EmuPoolAlloc(NumberOfBytes, Tag, EmuPoolTypePaged(PoolType), 0, "ExAllocatePoolWithTag"); }
PVOID ExAllocatePoolZero(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag) { return EmuPoolAlloc(NumberOfBytes, Tag, EmuPoolTypePaged(PoolType), 1, "ExAllocatePoolZero"); }
PVOID ExAllocatePoolUninitialized(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag) { return EmuPoolAlloc(NumberOfBytes, Tag, EmuPoolTypePaged(PoolType), 0, "ExAllocatePoolUninitialized"); }
/* A zero tag is not checked, as on Windows: it is what the WDK makes of ExFreePool
 * (a macro for ExFreePoolWithTag(P, 0) since Windows 10 2004), so a real .sys calls it. */
VOID ExFreePoolWithTag(PVOID P, ULONG Tag) { EmuPoolFree(P, Tag, Tag != 0, "ExFreePoolWithTag"); }
VOID ExFreePool(PVOID P) { EmuPoolFree(P, 0, 0, "ExFreePool"); }
VOID ExFreePool2(PVOID P, ULONG Tag, PVOID ExtendedParameters, ULONG ExtendedParametersCount)
{
    UNREFERENCED_PARAMETER(ExtendedParameters);
    UNREFERENCED_PARAMETER(ExtendedParametersCount);
    EmuPoolFree(P, Tag, 1, "ExFreePool2");
}

VOID ExInitializeNPagedLookasideList(PNPAGED_LOOKASIDE_LIST Lookaside, PALLOCATE_FUNCTION Allocate, PFREE_FUNCTION Free, ULONG Flags, SIZE_T Size, ULONG Tag, USHORT Depth)
{
    UNREFERENCED_PARAMETER(Allocate); UNREFERENCED_PARAMETER(Free); UNREFERENCED_PARAMETER(Flags);
    Lookaside->Type = NonPagedPoolNx; Lookaside->Tag = Tag; Lookaside->Size = Size; Lookaside->Depth = Depth;
}
VOID ExDeleteNPagedLookasideList(PNPAGED_LOOKASIDE_LIST Lookaside) { UNREFERENCED_PARAMETER(Lookaside); }
PVOID ExAllocateFromNPagedLookasideList(PNPAGED_LOOKASIDE_LIST Lookaside) { return EmuPoolAlloc(Lookaside->Size, Lookaside->Tag, 0, 0, "ExAllocateFromNPagedLookasideList"); }
VOID ExFreeToNPagedLookasideList(PNPAGED_LOOKASIDE_LIST Lookaside, PVOID Entry) { EmuPoolFree(Entry, Lookaside->Tag, 1, "ExFreeToNPagedLookasideList"); }
VOID ExInitializePagedLookasideList(PPAGED_LOOKASIDE_LIST Lookaside, PALLOCATE_FUNCTION Allocate, PFREE_FUNCTION Free, ULONG Flags, SIZE_T Size, ULONG Tag, USHORT Depth)
{
    EmuRequireIrql("ExInitializePagedLookasideList", APC_LEVEL);
    ExInitializeNPagedLookasideList(Lookaside, Allocate, Free, Flags, Size, Tag, Depth);
    Lookaside->Type = PagedPool;
}
VOID ExDeletePagedLookasideList(PPAGED_LOOKASIDE_LIST Lookaside) { UNREFERENCED_PARAMETER(Lookaside); }
PVOID ExAllocateFromPagedLookasideList(PPAGED_LOOKASIDE_LIST Lookaside) { return EmuPoolAlloc(Lookaside->Size, Lookaside->Tag, 1, 0, "ExAllocateFromPagedLookasideList"); }
VOID ExFreeToPagedLookasideList(PPAGED_LOOKASIDE_LIST Lookaside, PVOID Entry) { EmuPoolFree(Entry, Lookaside->Tag, 1, "ExFreeToPagedLookasideList"); }

/* ---- user buffers ---- */
VOID EmuAssertFailed(PCSTR Macro, PCSTR Expression, PCSTR Message, PCSTR File, int Line)
{
    EmuViolation("%s(%s) failed at %s:%d%s%s", Macro, Expression, File, Line, Message != NULL ? ": " : "", Message != NULL ? Message : "");
}

/* ---- structured exception handling (the macros are in emu_ntdef.h) ---- */
static __thread EMU_SEH_FRAME *t_sehTop;    /* innermost active __try */
static __thread LONG t_sehCode;             /* GetExceptionCode() */
static __thread int t_sehHandlerPending;    /* handed from __except's filter to its handler */
static __thread long long t_sehFinally;     /* handed from a __try to its __finally block */

void EmuSehPush(EMU_SEH_FRAME *Frame, const char *File, int Line)
{
    Frame->File = File;
    Frame->Line = Line;
    Frame->Raised = 0;
    Frame->Code = 0;
    Frame->Next = t_sehTop;
    Frame->Active = 1;
    t_sehTop = Frame;
}

/* Takes Frame (and any frame above it, left by a jump out of a nested __try)
 * off the thread's list. */
static void EmuSehPop(EMU_SEH_FRAME *Frame)
{
    if (!Frame->Active) {
        return;
    }
    while (t_sehTop != NULL && t_sehTop != Frame) {
        t_sehTop->Active = 0;
        t_sehTop = t_sehTop->Next;
    }
    if (t_sehTop == Frame) {
        t_sehTop = Frame->Next;
    }
    Frame->Active = 0;
}

/* The cleanup attribute: the scope of a __try was left by return, goto or
 * break (a __finally, if any, is skipped: see emu_ntdef.h). */
void EmuSehScopeExit(EMU_SEH_FRAME *Frame)
{
    EmuSehPop(Frame);
}

/* Sends Code to the innermost __try; with none, the exception is unhandled:
 * Windows stops with KMODE_EXCEPTION_NOT_HANDLED, the emulator reports it and
 * returns to the caller. */
static void EmuSehRaise(LONG Code, const char *Routine)
{
    EMU_SEH_FRAME *frame = t_sehTop;
    if (frame == NULL) {
        EmuViolation("%s raised exception 0x%08X with no __try/__except to handle it on this thread (KMODE_EXCEPTION_NOT_HANDLED)",
                     Routine, (unsigned)Code);
        return;
    }
    EmuSehPop(frame);
    frame->Code = Code;
    frame->Raised = 1;
    t_sehCode = Code;
    longjmp(frame->Jump, 1);
}

int EmuSehExceptEnd(EMU_SEH_FRAME *Frame, int Disposition)
{
    t_sehHandlerPending = 0;
    if (!Frame->Raised) {
        EmuSehPop(Frame);  /* the end of the block, or __leave */
        return 0;
    }
    if (Disposition > 0) {
        t_sehCode = Frame->Code;
        t_sehHandlerPending = 1;
        return 1;
    }
    if (Disposition < 0) {
        EmuViolation("__try at %s:%d: the __except filter returned EXCEPTION_CONTINUE_EXECUTION for exception 0x%08X, which is not continuable (STATUS_NONCONTINUABLE_EXCEPTION)",
                     Frame->File, Frame->Line, (unsigned)Frame->Code);
        EmuSehRaise(STATUS_NONCONTINUABLE_EXCEPTION, "an __except filter");
        return 0;
    }
    EmuSehRaise(Frame->Code, "an __except filter passing the exception on (EXCEPTION_CONTINUE_SEARCH)");
    return 0;
}

int EmuSehExceptTake(void)
{
    int pending = t_sehHandlerPending;
    t_sehHandlerPending = 0;
    return pending;
}

void EmuSehFinallyEnd(EMU_SEH_FRAME *Frame)
{
    if (!Frame->Raised) {
        EmuSehPop(Frame);
        t_sehFinally = EMU_SEH_RUN_FINALLY;
    } else {
        t_sehFinally = EMU_SEH_RUN_FINALLY | EMU_SEH_ABNORMAL | (long long)(uint32_t)Frame->Code;
    }
}

long long EmuSehFinallyTake(void)
{
    long long state = t_sehFinally;
    t_sehFinally = 0;
    return state;
}

/* After a __finally block: an exception passing through goes on outwards. */
long long EmuSehFinallyExit(long long State)
{
    if ((State & EMU_SEH_ABNORMAL) != 0) {
        EmuSehRaise((LONG)(uint32_t)State, "an exception passing through a __finally");
    }
    return 0;
}

LONG EmuSehExceptionCode(void)
{
    return t_sehCode;
}

/* GetExceptionInformation(): the exception being filtered on this thread (no CPU context). */
PEXCEPTION_POINTERS EmuSehExceptionInformation(void)
{
    static __thread EXCEPTION_RECORD record;
    static __thread EXCEPTION_POINTERS pointers;
    memset(&record, 0, sizeof(record));
    record.ExceptionCode = t_sehCode;
    pointers.ExceptionRecord = &record;
    pointers.ContextRecord = NULL;
    return &pointers;
}

VOID ExRaiseStatus(NTSTATUS Status)
{
    EmuSehRaise(Status, "ExRaiseStatus");
}

/* A failed probe raises, as Windows does; the driver must catch it. */
static void EmuProbe(const char *routine, const volatile VOID *Address, SIZE_T Length, ULONG Alignment)
{
    if (Length == 0) {
        return;
    }
    char what[160];
    if (Alignment != 0 && ((ULONG_PTR)Address & (Alignment - 1)) != 0) {
        snprintf(what, sizeof(what), "%s(%p, %zu, %u) (misaligned: STATUS_DATATYPE_MISALIGNMENT)", routine, (const void *)Address, (size_t)Length, Alignment);
        EmuSehRaise(STATUS_DATATYPE_MISALIGNMENT, what);
    } else if ((ULONG_PTR)Address + Length < (ULONG_PTR)Address) {
        snprintf(what, sizeof(what), "%s(%p, %zu, %u) (the range wraps: STATUS_ACCESS_VIOLATION)", routine, (const void *)Address, (size_t)Length, Alignment);
        EmuSehRaise(STATUS_ACCESS_VIOLATION, what);
    }
}

VOID ProbeForRead(const volatile VOID *Address, SIZE_T Length, ULONG Alignment)
{
    EmuProbe("ProbeForRead", Address, Length, Alignment);
}

VOID ProbeForWrite(volatile VOID *Address, SIZE_T Length, ULONG Alignment)
{
    EmuProbe("ProbeForWrite", Address, Length, Alignment);
}

/* ---- debug output: a small formatter that knows %wZ and %ws ---- */
static void EmuFormat(char *out, size_t cap, const char *fmt, va_list ap)
{
    size_t o = 0;
    while (*fmt && o + 1 < cap) {
        if (*fmt != '%') {
            out[o++] = *fmt++;
            continue;
        }
        const char *start = fmt++;
        while (*fmt && strchr("-+ #0123456789.*", *fmt)) {
            fmt++;
        }
        /* Flags and width end here: the digits of a size prefix (I64, I32) are not a width. */
        size_t flagLen = (size_t)(fmt - start);
        char piece[512];
        piece[0] = 0;
        if (fmt[0] == 'w' && fmt[1] == 'Z') {
            PUNICODE_STRING s = va_arg(ap, PUNICODE_STRING);
            if (s != NULL) {
                EmuWideToUtf8(s->Buffer, s->Length / 2, piece, sizeof(piece));
            }
            fmt += 2;
        } else if ((fmt[0] == 'w' && fmt[1] == 's') || (fmt[0] == 'l' && fmt[1] == 's')) {
            PCWSTR s = va_arg(ap, PCWSTR);
            if (s != NULL) {
                EmuWideToUtf8(s, EmuWcsLen(s), piece, sizeof(piece));
            }
            fmt += 2;
        } else if (fmt[0] == 'S') {
            PCWSTR s = va_arg(ap, PCWSTR);
            if (s != NULL) {
                EmuWideToUtf8(s, EmuWcsLen(s), piece, sizeof(piece));
            }
            fmt += 1;
        } else if (fmt[0] == 'Z') {
            PANSI_STRING s = va_arg(ap, PANSI_STRING);
            if (s != NULL) {
                snprintf(piece, sizeof(piece), "%.*s", (int)s->Length, s->Buffer);
            }
            fmt += 1;
        } else {
            int isLongLong = 0, isLong = 0;
            if (strncmp(fmt, "I64", 3) == 0) { isLongLong = 1; fmt += 3; }
            else if (strncmp(fmt, "I32", 3) == 0) { fmt += 3; }
            else if (strncmp(fmt, "ll", 2) == 0) { isLongLong = 1; fmt += 2; }
            else if (fmt[0] == 'I') { isLongLong = 1; fmt += 1; }
            else if (fmt[0] == 'l' || fmt[0] == 'h' || fmt[0] == 'z') { isLong = fmt[0] == 'z'; fmt += 1; }
            char spec[32];
            char conv = *fmt ? *fmt++ : 'd';
            char flags[16];
            size_t fl = 0;
            for (const char *q = start + 1; q < start + flagLen && fl + 1 < sizeof(flags); q++) {
                if (strchr("-+ #0123456789.", *q)) {
                    flags[fl++] = *q;
                }
            }
            flags[fl] = 0;
            switch (conv) {
            case 'd': case 'i':
                snprintf(spec, sizeof(spec), "%%%slld", flags);
                snprintf(piece, sizeof(piece), spec, isLongLong || isLong ? va_arg(ap, long long) : (long long)va_arg(ap, int));
                break;
            case 'u': case 'x': case 'X': case 'o':
                snprintf(spec, sizeof(spec), "%%%sll%c", flags, conv);
                snprintf(piece, sizeof(piece), spec, isLongLong || isLong ? va_arg(ap, unsigned long long) : (unsigned long long)va_arg(ap, unsigned int));
                break;
            case 'p':
                snprintf(piece, sizeof(piece), "%p", va_arg(ap, void *));
                break;
            case 's': {
                const char *s = va_arg(ap, const char *);
                snprintf(piece, sizeof(piece), "%s", s != NULL ? s : "(null)");
                break;
            }
            case 'c':
                piece[0] = (char)va_arg(ap, int);
                piece[1] = 0;
                break;
            case '%':
                piece[0] = '%';
                piece[1] = 0;
                break;
            default:
                snprintf(piece, sizeof(piece), "%%%c", conv);
                break;
            }
        }
        for (size_t i = 0; piece[i] && o + 1 < cap; i++) {
            out[o++] = piece[i];
        }
    }
    out[o] = 0;
}

/*
 * Debug output: every DbgPrint/DbgPrintEx is formatted (the Windows format
 * language: %wZ, %ws, %I64x, ...) and kept as lines for the control API
 * (EmuDbgPrintLine*): a call's text is appended to the line in progress and a
 * '\n' ends it, so a message printed in several calls reads as one line, as in
 * a debugger. All output is kept, whatever the component's debug filter mask
 * would show on Windows. JMF_EMU_TRACE=1 also prints it to stderr.
 */
#define EMU_DBG_LINES 1024
static char *g_dbgLines[EMU_DBG_LINES];     /* a ring: the oldest kept at g_dbgFirst */
static int g_dbgFirst, g_dbgCount;
static char g_dbgPartial[2048];
static size_t g_dbgPartialLen;

static void EmuDbgKeepLine(void)
{
    char *line = strdup(g_dbgPartial);
    if (g_dbgCount == EMU_DBG_LINES) {
        free(g_dbgLines[g_dbgFirst]);
        g_dbgLines[g_dbgFirst] = line;
        g_dbgFirst = (g_dbgFirst + 1) % EMU_DBG_LINES;
    } else {
        g_dbgLines[(g_dbgFirst + g_dbgCount++) % EMU_DBG_LINES] = line;
    }
    g_dbgPartialLen = 0;
    g_dbgPartial[0] = 0;
}

static void EmuDbgOutput(const char *text)
{
    if (getenv("JMF_EMU_TRACE") != NULL) {
        fprintf(stderr, "dbg: %s", text);
    }
    EmuLock();
    for (const char *p = text; *p; p++) {
        if (*p == '\n') {
            EmuDbgKeepLine();
        } else if (g_dbgPartialLen + 1 < sizeof(g_dbgPartial)) {
            g_dbgPartial[g_dbgPartialLen++] = *p;
            g_dbgPartial[g_dbgPartialLen] = 0;
        }
    }
    EmuUnlock();
}

int32_t EmuDbgPrintLineCount(void)
{
    EmuLock();
    int32_t n = g_dbgCount;
    EmuUnlock();
    return n;
}

int32_t EmuDbgPrintLineText(int32_t index, char *buffer, uint32_t capacity)
{
    int32_t result = -1;
    EmuLock();
    if (index >= 0 && index < g_dbgCount && buffer != NULL && capacity > 0) {
        const char *line = g_dbgLines[(g_dbgFirst + index) % EMU_DBG_LINES];
        snprintf(buffer, capacity, "%s", line);
        result = (int32_t)strlen(line);
    }
    EmuUnlock();
    return result;
}

void EmuDbgPrintClear(void)
{
    EmuLock();
    for (int i = 0; i < g_dbgCount; i++) {
        free(g_dbgLines[(g_dbgFirst + i) % EMU_DBG_LINES]);
    }
    g_dbgFirst = g_dbgCount = 0;
    g_dbgPartialLen = 0;
    g_dbgPartial[0] = 0;
    EmuUnlock();
}

ULONG DbgPrint(PCSTR Format, ...)
{
    char text[2048];
    va_list ap;
    va_start(ap, Format);
    EmuFormat(text, sizeof(text), Format, ap);
    va_end(ap);
    EmuDbgOutput(text);
    return 0;
}

ULONG DbgPrintEx(ULONG ComponentId, ULONG Level, PCSTR Format, ...)
{
    UNREFERENCED_PARAMETER(ComponentId);
    UNREFERENCED_PARAMETER(Level);
    char text[2048];
    va_list ap;
    va_start(ap, Format);
    EmuFormat(text, sizeof(text), Format, ap);
    va_end(ap);
    EmuDbgOutput(text);
    return 0;
}

VOID DbgBreakPoint(void) { EmuViolation("DbgBreakPoint reached"); }

VOID KeBugCheckEx(ULONG BugCheckCode, ULONG_PTR P1, ULONG_PTR P2, ULONG_PTR P3, ULONG_PTR P4)
{
    fprintf(stderr, "emu: KeBugCheckEx(0x%x, %lx, %lx, %lx, %lx): the system would crash\n",
            BugCheckCode, (unsigned long)P1, (unsigned long)P2, (unsigned long)P3, (unsigned long)P4);
    abort();
}

VOID KeBugCheck(ULONG BugCheckCode) { KeBugCheckEx(BugCheckCode, 0, 0, 0, 0); }
