/*
 * emu_pageable.c - pageable memory that is really paged out at DISPATCH_LEVEL.
 *
 * Driver Verifier's IRQL checking pages out pageable memory whenever a thread
 * raises to DISPATCH_LEVEL (every spin lock acquire), so a driver that touches
 * paged pool or a file name information buffer at DISPATCH_LEVEL bugchecks
 * (DRIVER_IRQL_NOT_LESS_OR_EQUAL, 0xD1) on the first try. The emulator does the
 * same with the MMU:
 *
 *   - every pageable block (paged pool, FLT_FILE_NAME_INFORMATION buffers, the
 *     string SeLocateProcessImageName returns) gets pages of its own (mmap),
 *     followed by a guard page;
 *   - while ANY thread runs at DISPATCH_LEVEL or above (and so while any spin
 *     lock is held), every pageable block is PROT_NONE;
 *   - the SIGSEGV handler looks at the faulting thread: at DISPATCH_LEVEL it
 *     records a violation naming the routine that touched the memory (the
 *     first frame outside libc, the sanitizers and the emulator) and what the
 *     block is, then lets the access go on; at PASSIVE/APC_LEVEL the access is
 *     legal and simply "pages in": the thread waits until no thread is at
 *     DISPATCH_LEVEL any more and retries.
 *
 * So a plain memcpy or a pointer dereference by driver code is caught, not
 * only the emulator's own routines. Faults outside pageable blocks go to the
 * handler that was installed before (a JVM's, the sanitizers'). A protection
 * key per thread would avoid the cross-thread waits, but needs CPU support the
 * CI machines do not all have. JMF_EMU_PAGEABLE=0 turns paging out off (the
 * blocks are then ordinary memory).
 */
#define _GNU_SOURCE
#include "emu_internal.h"
#include <dlfcn.h>
#include <execinfo.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <ucontext.h>

#define EMU_PAGEABLE_SLOTS 4096

typedef struct EMU_PAGEABLE_SLOT {
    uintptr_t Start;            /* 0 = free; the data's first page */
    size_t Bytes;               /* mapped, guard page excluded */
    size_t Size;                /* as asked for */
    ULONG Tag;
    const char *Routine;        /* the allocator, for messages */
} EMU_PAGEABLE_SLOT;

static EMU_PAGEABLE_SLOT g_slots[EMU_PAGEABLE_SLOTS];
static pthread_mutex_t g_pageLock = PTHREAD_MUTEX_INITIALIZER;  /* slots, g_dispatchThreads, protections */
static int g_dispatchThreads;                                    /* threads at IRQL >= DISPATCH_LEVEL */
static volatile int g_pagedOut;                                  /* pageable blocks are PROT_NONE now */
static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static struct sigaction g_previous;
static int g_enabled;
static size_t g_page;

static void EmuPageableFault(int sig, siginfo_t *info, void *uc);

static void EmuPageableInit(void)
{
    const char *env = getenv("JMF_EMU_PAGEABLE");
    g_page = (size_t)sysconf(_SC_PAGESIZE);
    g_enabled = env == NULL || strcmp(env, "0") != 0;
    if (!g_enabled) {
        return;
    }
    void *warm[2];
    (void)backtrace(warm, 2);  /* loads the unwinder now, not inside the signal handler */
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = EmuPageableFault;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, &g_previous);
}

int EmuPageableEnabled(void)
{
    pthread_once(&g_once, EmuPageableInit);
    return g_enabled;
}

/* Lock held. */
static void EmuProtectAll(int prot)
{
    for (int i = 0; i < EMU_PAGEABLE_SLOTS; i++) {
        if (g_slots[i].Start != 0) {
            mprotect((void *)g_slots[i].Start, g_slots[i].Bytes, prot);
        }
    }
}

void *EmuPageableAlloc(SIZE_T bytes, ULONG tag, const char *routine)
{
    if (!EmuPageableEnabled()) {
        return NULL;
    }
    size_t data = ((bytes ? bytes : 1) + g_page - 1) / g_page * g_page;
    uint8_t *map = mmap(NULL, data + g_page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (map == MAP_FAILED) {
        return NULL;
    }
    mprotect(map + data, g_page, PROT_NONE);    /* guard page: an overrun faults */
    pthread_mutex_lock(&g_pageLock);
    int slot = -1;
    for (int i = 0; i < EMU_PAGEABLE_SLOTS; i++) {
        if (g_slots[i].Start == 0) {
            slot = i;
            break;
        }
    }
    if (slot < 0) {
        pthread_mutex_unlock(&g_pageLock);
        munmap(map, data + g_page);
        return NULL;                            /* the caller falls back to ordinary memory */
    }
    g_slots[slot].Bytes = data;
    g_slots[slot].Size = bytes;
    g_slots[slot].Tag = tag;
    g_slots[slot].Routine = routine;
    __atomic_store_n(&g_slots[slot].Start, (uintptr_t)map, __ATOMIC_RELEASE);
    if (g_pagedOut) {
        mprotect(map, data, PROT_NONE);
    }
    pthread_mutex_unlock(&g_pageLock);
    /* The block starts at a page boundary, so that nothing else shares its pages. */
    return map;
}

int EmuPageableOwns(PVOID p)
{
    uintptr_t a = (uintptr_t)p;
    for (int i = 0; i < EMU_PAGEABLE_SLOTS; i++) {
        uintptr_t s = __atomic_load_n(&g_slots[i].Start, __ATOMIC_ACQUIRE);
        if (s != 0 && a == s) {
            return 1;
        }
    }
    return 0;
}

/* p lies inside a pageable block (not only at its start). */
int EmuPageableContains(const void *p)
{
    uintptr_t a = (uintptr_t)p;
    for (int i = 0; i < EMU_PAGEABLE_SLOTS; i++) {
        uintptr_t s = __atomic_load_n(&g_slots[i].Start, __ATOMIC_ACQUIRE);
        if (s != 0 && a >= s && a < s + g_slots[i].Bytes) {
            return 1;
        }
    }
    return 0;
}

void EmuPageableFree(PVOID p)
{
    uintptr_t a = (uintptr_t)p;
    size_t bytes = 0;
    pthread_mutex_lock(&g_pageLock);
    for (int i = 0; i < EMU_PAGEABLE_SLOTS; i++) {
        if (g_slots[i].Start == a) {
            bytes = g_slots[i].Bytes;
            __atomic_store_n(&g_slots[i].Start, 0, __ATOMIC_RELEASE);
            break;
        }
    }
    pthread_mutex_unlock(&g_pageLock);
    if (bytes != 0) {
        munmap(p, bytes + g_page);
    }
}

/* Called by every IRQL change of the current thread. */
void EmuPageableIrql(KIRQL from, KIRQL to)
{
    int up = from < DISPATCH_LEVEL && to >= DISPATCH_LEVEL;
    int down = from >= DISPATCH_LEVEL && to < DISPATCH_LEVEL;
    if ((!up && !down) || !EmuPageableEnabled()) {
        return;
    }
    pthread_mutex_lock(&g_pageLock);
    if (up && g_dispatchThreads++ == 0) {
        EmuProtectAll(PROT_NONE);
        g_pagedOut = 1;
    } else if (down && --g_dispatchThreads == 0) {
        EmuProtectAll(PROT_READ | PROT_WRITE);
        g_pagedOut = 0;
    }
    pthread_mutex_unlock(&g_pageLock);
}

/* ---- the fault handler ---- */
static void EmuPut(char *out, size_t cap, size_t *o, const char *s)
{
    while (*s && *o + 1 < cap) {
        out[(*o)++] = *s++;
    }
    out[*o] = 0;
}

static int EmuIsRuntimeFrame(const Dl_info *di)
{
    const char *f = di->dli_fname != NULL ? di->dli_fname : "";
    const char *s = di->dli_sname != NULL ? di->dli_sname : "";
    return strstr(f, "libc.") != NULL || strstr(f, "libasan") != NULL || strstr(f, "libubsan") != NULL ||
           strstr(f, "ld-linux") != NULL || strncmp(s, "Emu", 3) == 0 || strncmp(s, "__asan", 6) == 0 ||
           strncmp(s, "__interceptor", 13) == 0 || strncmp(s, "mem", 3) == 0 || strncmp(s, "__mem", 5) == 0;
}

/* "JmfEventQueue (called from JmfReportDecision)", or module+offset without symbols. */
static void EmuNameToucher(char *out, size_t cap)
{
    void *frames[24];
    int n = backtrace(frames, 24);
    size_t o = 0;
    int named = 0;
    out[0] = 0;
    for (int i = 2; i < n && named < 2; i++) {
        Dl_info di;
        memset(&di, 0, sizeof(di));
        if (dladdr(frames[i], &di) == 0 || EmuIsRuntimeFrame(&di)) {
            continue;
        }
        char piece[200];
        if (di.dli_sname != NULL) {
            snprintf(piece, sizeof(piece), "%s", di.dli_sname);
        } else {
            const char *base = di.dli_fname != NULL ? strrchr(di.dli_fname, '/') : NULL;
            snprintf(piece, sizeof(piece), "%s+0x%lx", base != NULL ? base + 1 : (di.dli_fname ? di.dli_fname : "?"),
                     (unsigned long)((uintptr_t)frames[i] - (uintptr_t)di.dli_fbase));
        }
        EmuPut(out, cap, &o, named == 0 ? "" : " (called from ");
        EmuPut(out, cap, &o, piece);
        if (named == 1) {
            EmuPut(out, cap, &o, ")");
        }
        named++;
    }
    if (named == 0) {
        EmuPut(out, cap, &o, "an unnamed routine");
    }
}

/* ---- write watch (tests): a callback before each write to a variable ----
 * The variable's page is made read-only; a write faults, the callback runs,
 * the page is made writable for exactly one instruction (the trap flag) and
 * read-only again. x86-64 only (the trap flag); elsewhere EmuWatchWrites
 * returns 0 and the caller skips its check. */
static volatile uintptr_t g_watchPage;
static uintptr_t g_watchAddr;
static size_t g_watchSize;
static void (*g_watchFn)(void *);
static void *g_watchCtx;
static __thread int t_stepping;
static struct sigaction g_previousTrap;

static int EmuWatchFault(uintptr_t a, void *uc)
{
#if defined(__x86_64__)
    uintptr_t page = g_watchPage;
    if (page == 0 || a < page || a >= page + g_page) {
        return 0;
    }
    if (a >= g_watchAddr && a < g_watchAddr + g_watchSize && g_watchFn != NULL) {
        g_watchFn(g_watchCtx);
    }
    mprotect((void *)page, g_page, PROT_READ | PROT_WRITE);
    ((ucontext_t *)uc)->uc_mcontext.gregs[REG_EFL] |= 0x100;    /* trap after this one instruction */
    t_stepping = 1;
    return 1;
#else
    (void)a;
    (void)uc;
    return 0;
#endif
}

#if defined(__x86_64__)
static void EmuWatchTrap(int sig, siginfo_t *info, void *uc)
{
    if (!t_stepping) {
        if ((g_previousTrap.sa_flags & SA_SIGINFO) && g_previousTrap.sa_sigaction != NULL) {
            g_previousTrap.sa_sigaction(sig, info, uc);
        }
        return;
    }
    t_stepping = 0;
    ((ucontext_t *)uc)->uc_mcontext.gregs[REG_EFL] &= ~(greg_t)0x100;
    if (g_watchPage != 0) {
        mprotect((void *)g_watchPage, g_page, PROT_READ);
    }
}
#endif

int32_t EmuWatchWrites(void *address, size_t size, void (*onWrite)(void *), void *context)
{
#if defined(__x86_64__)
    if (!EmuPageableEnabled()) {
        return 0;
    }
    static int trapInstalled;
    if (!trapInstalled) {
        struct sigaction sa;
        memset(&sa, 0, sizeof(sa));
        sa.sa_sigaction = EmuWatchTrap;
        sa.sa_flags = SA_SIGINFO | SA_NODEFER;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGTRAP, &sa, &g_previousTrap);
        trapInstalled = 1;
    }
    g_watchAddr = (uintptr_t)address;
    g_watchSize = size;
    g_watchFn = onWrite;
    g_watchCtx = context;
    g_watchPage = (uintptr_t)address & ~(uintptr_t)(g_page - 1);
    if ((uintptr_t)address + size > g_watchPage + g_page) {
        g_watchPage = 0;
        return 0;                                   /* straddles two pages: not supported */
    }
    mprotect((void *)g_watchPage, g_page, PROT_READ);
    return 1;
#else
    (void)address; (void)size; (void)onWrite; (void)context;
    return 0;
#endif
}

void EmuWatchStop(void)
{
    uintptr_t page = g_watchPage;
    g_watchPage = 0;
    if (page != 0) {
        mprotect((void *)page, g_page, PROT_READ | PROT_WRITE);
    }
}

static void EmuPageableFault(int sig, siginfo_t *info, void *uc)
{
    uintptr_t a = (uintptr_t)info->si_addr;
    int slot = -1;
    if (EmuWatchFault(a, uc)) {
        return;
    }
    for (int i = 0; i < EMU_PAGEABLE_SLOTS; i++) {
        uintptr_t s = __atomic_load_n(&g_slots[i].Start, __ATOMIC_ACQUIRE);
        if (s != 0 && a >= s && a < s + g_slots[i].Bytes) {
            slot = i;
            break;
        }
    }
    if (slot < 0) {
        /* Not ours: whoever handled SIGSEGV before (the JVM, ASan), or the default action. */
        if ((g_previous.sa_flags & SA_SIGINFO) && g_previous.sa_sigaction != NULL) {
            g_previous.sa_sigaction(sig, info, uc);
            return;
        }
        if (g_previous.sa_handler != SIG_DFL && g_previous.sa_handler != SIG_IGN && g_previous.sa_handler != NULL) {
            g_previous.sa_handler(sig);
            return;
        }
        signal(SIGSEGV, SIG_DFL);
        return;                                 /* faults again, with the default action */
    }
    EMU_PAGEABLE_SLOT s = g_slots[slot];
    KIRQL irql = KeGetCurrentIrql();
    if (irql >= DISPATCH_LEVEL) {
        /* What Driver Verifier stops on. Report it, then let the access go on
         * (the block stays accessible until no thread is at DISPATCH_LEVEL). */
        char who[400];
        char tag[8];
        EmuNameToucher(who, sizeof(who));
        mprotect((void *)s.Start, s.Bytes, PROT_READ | PROT_WRITE);
        EmuViolation("pageable memory touched at IRQL %u (DISPATCH_LEVEL or a spin lock held) by %s: %zu bytes from %s (tag '%s'); "
                     "Driver Verifier pages it out at every spin lock acquire: DRIVER_IRQL_NOT_LESS_OR_EQUAL (0xD1)",
                     irql, who, s.Size, s.Routine, EmuTagText(s.Tag, tag));
        return;
    }
    if (EmuHoldsLock()) {
        /* The emulator's own access under its lock must not wait for other threads. */
        mprotect((void *)s.Start, s.Bytes, PROT_READ | PROT_WRITE);
        return;
    }
    /* A legal access at PASSIVE/APC_LEVEL: "page it in" once no thread is at DISPATCH_LEVEL. */
    uint64_t limit = EmuNowNs() + 10ull * 1000000000ull;
    while (__atomic_load_n(&g_pagedOut, __ATOMIC_ACQUIRE)) {
        if (EmuNowNs() > limit) {
            /* A thread stayed at DISPATCH_LEVEL for 10 s: say so rather than hang. */
            mprotect((void *)s.Start, s.Bytes, PROT_READ | PROT_WRITE);
            EmuViolation("a thread has stayed at DISPATCH_LEVEL for 10 s (a spin lock never released?)");
            return;
        }
        sched_yield();
    }
}
