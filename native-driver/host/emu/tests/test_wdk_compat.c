/*
 * test_wdk_compat.c - the emulator accepts what Windows accepts from code
 * built with the real WDK: the calls the WDK's macros and inline routines
 * make, which the gcc build of a driver never makes itself.
 */
#include "test_harness.h"
#include <fltKernel.h>
#include "jmf_emu.h"
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

/* ExFreePool is a macro for ExFreePoolWithTag(P, 0) in the WDK: a zero tag
 * frees without a tag check, as on Windows; a wrong non-zero tag still is a
 * violation. */
static void test_free_with_zero_tag(void)
{
    int64_t before = EmuPoolBlocks();
    PVOID p = ExAllocatePool2(POOL_FLAG_NON_PAGED, 16, 'tseT');
    CHECK(p != NULL);
    CHECK_EQ(EmuPoolBlocks(), before + 1);
    ExFreePoolWithTag(p, 0);
    CHECK_EQ(EmuPoolBlocks(), before);
    CHECK_EQ(EmuViolationCount(), 0);
    p = ExAllocatePool2(POOL_FLAG_NON_PAGED, 16, 'tseT');
    ExFreePoolWithTag(p, 'xxxx');
    CHECK_VIOLATION("does not match the block's tag 'Test'");
}

/* The WDK initialises a fast mutex inline, writing its fields itself (the
 * documented initial state: free, no owner, no contention, its event
 * initialised), instead of calling ExInitializeFastMutex: the emulator's
 * acquire and release work on a mutex initialised that way. */
static FAST_MUTEX g_inlineMutex;
static void test_fast_mutex_initialised_inline(void)
{
    memset(&g_inlineMutex, 0xA5, sizeof(g_inlineMutex));
    g_inlineMutex.Count = 1;
    g_inlineMutex.Owner = NULL;
    g_inlineMutex.Contention = 0;
    KeInitializeEvent(&g_inlineMutex.Event, SynchronizationEvent, FALSE);
    ExAcquireFastMutex(&g_inlineMutex);
    CHECK(g_inlineMutex.Owner == (PVOID)PsGetCurrentThread());
    CHECK_EQ(KeGetCurrentIrql(), APC_LEVEL);
    ExReleaseFastMutex(&g_inlineMutex);
    CHECK_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
    CHECK_EQ(ExTryToAcquireFastMutex(&g_inlineMutex), TRUE);
    ExReleaseFastMutex(&g_inlineMutex);
    CHECK_EQ(EmuViolationCount(), 0);
}

/* A corrupt list stops where the WDK's inline list routines stop a real .sys:
 * __fastfail(FAST_FAIL_CORRUPT_LIST_ENTRY), reported, the process ended (so in a child). */
static void test_corrupt_list_fails_fast(void)
{
    int pipefd[2];
    CHECK_EQ(pipe(pipefd), 0);
    fflush(NULL);
    pid_t child = fork();
    if (child == 0) {
        dup2(pipefd[1], 2);
        close(pipefd[0]);
        static LIST_ENTRY head, a, b;
        InitializeListHead(&head);
        InsertTailList(&head, &a);
        InsertTailList(&head, &b);
        RemoveEntryList(&a);
        a.Flink->Blink = &b;          /* a's stale neighbour no longer points back at a */
        RemoveEntryList(&a);          /* a second removal of a removed entry */
        _exit(0);
    }
    close(pipefd[1]);
    char text[512];
    size_t used = 0;
    ssize_t n;
    while (used < sizeof(text) - 1 && (n = read(pipefd[0], text + used, sizeof(text) - 1 - used)) > 0) {
        used += (size_t)n;
    }
    text[used] = 0;
    close(pipefd[0]);
    int status = 0;
    CHECK_EQ(waitpid(child, &status, 0), child);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
    CHECK(strstr(text, "RemoveEntryList: __fastfail(3) (corrupt LIST_ENTRY)") != NULL);
}

const TEST_CASE g_wdkCompatTests[] = {
    { "wdk: ExFreePoolWithTag(P, 0) (the WDK's ExFreePool) frees without a tag check", test_free_with_zero_tag },
    { "wdk: a fast mutex initialised inline as the WDK does it works with acquire/release", test_fast_mutex_initialised_inline },
    { "wdk: a corrupt LIST_ENTRY fails fast in the list routines, as the WDK's inline checks do", test_corrupt_list_fails_fast },
};
const size_t g_wdkCompatTestsCount = sizeof(g_wdkCompatTests) / sizeof(g_wdkCompatTests[0]);
