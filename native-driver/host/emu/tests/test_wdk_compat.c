/*
 * test_wdk_compat.c - the emulator accepts what Windows accepts from code
 * built with the real WDK: the calls the WDK's macros and inline routines
 * make, which the gcc build of a driver never makes itself.
 */
#include "test_harness.h"
#include <fltKernel.h>
#include "jmf_emu.h"

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

const TEST_CASE g_wdkCompatTests[] = {
    { "wdk: ExFreePoolWithTag(P, 0) (the WDK's ExFreePool) frees without a tag check", test_free_with_zero_tag },
    { "wdk: a fast mutex initialised inline as the WDK does it works with acquire/release", test_fast_mutex_initialised_inline },
};
const size_t g_wdkCompatTestsCount = sizeof(g_wdkCompatTests) / sizeof(g_wdkCompatTests[0]);
