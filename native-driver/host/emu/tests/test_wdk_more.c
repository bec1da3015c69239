/*
 * test_wdk_more.c - the smaller pieces of the WDK surface the avscan sample
 * needs first: initguid.h (DEFINE_GUID defines instead of declaring),
 * IoGetStackLimits, FsRtlEnterFileSystem/FsRtlExitFileSystem,
 * RtlInterlockedSetBits/ClearBits, IS_ALIGNED.
 */
#include <initguid.h>
#include "test_harness.h"
#include <pthread.h>

/* With initguid.h first: a definition, with storage and the given bytes. */
DEFINE_GUID(EMU_TEST_GUID, 0x12345678, 0x9abc, 0xdef0, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08);
static const GUID *DefinedGuid(void) { return &EMU_TEST_GUID; }
/* Without INITGUID the same line only declares it (what every other translation unit sees). */
#undef INITGUID
#include "emu_guiddef.h"
DEFINE_GUID(EMU_TEST_GUID, 0x12345678, 0x9abc, 0xdef0, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08);

static void test_define_guid(void)
{
    static const UCHAR tail[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
    CHECK(EMU_TEST_GUID.Data1 == 0x12345678 && EMU_TEST_GUID.Data2 == 0x9abc && EMU_TEST_GUID.Data3 == 0xdef0);
    CHECK(memcmp(EMU_TEST_GUID.Data4, tail, 8) == 0);
    CHECK(DefinedGuid() == &EMU_TEST_GUID);     /* the declaration names the one definition */
}

typedef struct STACK_PROBE { ULONG_PTR Low, High, Frame; } STACK_PROBE;

static void Probe(STACK_PROBE *p)
{
    IoGetStackLimits(&p->Low, &p->High);
    p->Frame = (ULONG_PTR)__builtin_frame_address(0);
}

static void *ProbeThread(void *arg)
{
    Probe(arg);
    return NULL;
}

static void test_io_get_stack_limits(void)
{
    STACK_PROBE here, there;
    Probe(&here);
    CHECK(here.Low < here.High && here.Low <= here.Frame && here.Frame < here.High);
    ULONG_PTR pool = (ULONG_PTR)ExAllocatePool2(POOL_FLAG_NON_PAGED, 16, 'tsTE');
    CHECK(pool < here.Low || pool >= here.High);        /* pool is not on the stack */
    ExFreePoolWithTag((PVOID)pool, 'tsTE');
    pthread_t t;
    pthread_create(&t, NULL, ProbeThread, &there);
    pthread_join(t, NULL);
    CHECK(there.Low <= there.Frame && there.Frame < there.High);
    CHECK(there.High <= here.Low || there.Low >= here.High);   /* another thread, another stack */
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);                  /* any IRQL */
    Probe(&there);
    KeLowerIrql(old);
    CHECK(there.Low == here.Low && there.High == here.High);
    IoGetStackLimits(NULL, &here.High);
    CHECK_VIOLATION("IoGetStackLimits(");
}

static void test_fs_rtl_enter_exit_file_system(void)
{
    CHECK(!KeAreApcsDisabled());
    FsRtlEnterFileSystem();
    CHECK(KeAreApcsDisabled());
    FsRtlExitFileSystem();
    CHECK(!KeAreApcsDisabled());
    FsRtlExitFileSystem();                              /* unmatched */
    CHECK_VIOLATION("KeLeaveCriticalRegion without KeEnterCriticalRegion");
}

static void test_interlocked_bits_and_alignment(void)
{
    volatile ULONG flags = 0x5;
    CHECK_EQ(RtlInterlockedSetBits(&flags, 0x2), 0x5);
    CHECK_EQ(flags, 0x7);
    CHECK_EQ(RtlInterlockedClearBits(&flags, 0x5), 0x7);
    CHECK_EQ(flags, 0x2);
    RtlInterlockedClearBitsDiscardReturn(&flags, 0x2);
    CHECK_EQ(flags, 0);
    CHECK(IS_ALIGNED(0x1000, 8) && IS_ALIGNED(0x1008, 8) && !IS_ALIGNED(0x1004, 8) && IS_ALIGNED(0x1004, 4));
}

const TEST_CASE g_wdkMoreTests[] = {
    { "wdk: initguid.h makes DEFINE_GUID define the GUID; without it, a declaration of the same object", test_define_guid },
    { "wdk: IoGetStackLimits bounds the calling thread's stack (per thread, any IRQL)", test_io_get_stack_limits },
    { "wdk: FsRtlEnterFileSystem/FsRtlExitFileSystem disable normal kernel APCs, balanced", test_fs_rtl_enter_exit_file_system },
    { "wdk: RtlInterlockedSetBits/ClearBits return the old flags; IS_ALIGNED", test_interlocked_bits_and_alignment },
};
const size_t g_wdkMoreTestsCount = sizeof(g_wdkMoreTests) / sizeof(g_wdkMoreTests[0]);
