/*
 * test_wdk_more.c - the smaller pieces of the WDK surface the avscan sample
 * needs first: initguid.h (DEFINE_GUID defines instead of declaring),
 * IoGetStackLimits, FsRtlEnterFileSystem/FsRtlExitFileSystem,
 * RtlInterlockedSetBits/ClearBits, IS_ALIGNED, generic tables.
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

/* Elements: a key and a payload; compared by key. The table's memory comes from the pool (leaks show). */
typedef struct GT_ENTRY { ULONG Key; ULONG Payload; } GT_ENTRY;
static int g_gtAllocs, g_gtFrees;
static CLONG g_gtLastSize;

static RTL_GENERIC_COMPARE_RESULTS GtCompare(PRTL_GENERIC_TABLE Table, PVOID First, PVOID Second)
{
    CHECK(Table->TableContext == (PVOID)0x1234);
    ULONG a = ((GT_ENTRY *)First)->Key, b = ((GT_ENTRY *)Second)->Key;
    return a < b ? GenericLessThan : a > b ? GenericGreaterThan : GenericEqual;
}

static PVOID GtAllocate(PRTL_GENERIC_TABLE Table, CLONG ByteSize)
{
    (void)Table;
    g_gtAllocs++;
    g_gtLastSize = ByteSize;
    return ExAllocatePool2(POOL_FLAG_NON_PAGED, ByteSize, 'tgTE');
}

static VOID GtFree(PRTL_GENERIC_TABLE Table, PVOID Buffer)
{
    (void)Table;
    g_gtFrees++;
    ExFreePoolWithTag(Buffer, 'tgTE');   /* a block the table did not get from GtAllocate would be a bad free */
}

static void test_generic_table(void)
{
    RTL_GENERIC_TABLE table;
    g_gtAllocs = g_gtFrees = 0;
    RtlInitializeGenericTable(&table, GtCompare, GtAllocate, GtFree, (PVOID)0x1234);
    CHECK(RtlIsGenericTableEmpty(&table) && RtlNumberGenericTableElements(&table) == 0);
    CHECK(RtlGetElementGenericTable(&table, 0) == NULL);

    GT_ENTRY e = { 30, 300 };
    BOOLEAN isNew = FALSE;
    GT_ENTRY *p30 = RtlInsertElementGenericTable(&table, &e, sizeof(e), &isNew);
    CHECK(p30 != NULL && p30 != &e && isNew && p30->Key == 30 && p30->Payload == 300);   /* copied into the element */
    CHECK_EQ(g_gtLastSize, sizeof(RTL_SPLAY_LINKS) + sizeof(LIST_ENTRY) + sizeof(GT_ENTRY));
    e.Key = 10; e.Payload = 100;
    GT_ENTRY *p10 = RtlInsertElementGenericTable(&table, &e, sizeof(e), &isNew);
    e.Key = 20; e.Payload = 200;
    GT_ENTRY *p20 = RtlInsertElementGenericTable(&table, &e, sizeof(e), NULL);
    CHECK(p10 != NULL && p20 != NULL && isNew && RtlNumberGenericTableElements(&table) == 3 && !RtlIsGenericTableEmpty(&table));

    /* A duplicate (the same key): the existing element, nothing allocated, nothing changed. */
    e.Key = 10; e.Payload = 999;
    CHECK(RtlInsertElementGenericTable(&table, &e, sizeof(e), &isNew) == p10 && !isNew && p10->Payload == 100);
    CHECK_EQ(g_gtAllocs, 3);

    GT_ENTRY probe = { 20, 0 };
    CHECK(RtlLookupElementGenericTable(&table, &probe) == p20);
    probe.Key = 25;
    CHECK(RtlLookupElementGenericTable(&table, &probe) == NULL);
    /* Indexes follow the order of insertion. */
    CHECK(RtlGetElementGenericTable(&table, 0) == p30 && RtlGetElementGenericTable(&table, 1) == p10 &&
          RtlGetElementGenericTable(&table, 2) == p20 && RtlGetElementGenericTable(&table, 3) == NULL);

    CHECK(!RtlDeleteElementGenericTable(&table, &probe));      /* key 25: not there */
    probe.Key = 10;
    CHECK(RtlDeleteElementGenericTable(&table, &probe));
    CHECK(g_gtFrees == 1 && RtlLookupElementGenericTable(&table, &probe) == NULL && RtlGetElementGenericTable(&table, 0) == p30 &&
          RtlGetElementGenericTable(&table, 1) == p20);
    /* Emptied as avscan empties its cache: element 0 until empty. */
    while (!RtlIsGenericTableEmpty(&table)) {
        CHECK(RtlDeleteElementGenericTable(&table, RtlGetElementGenericTable(&table, 0)));
    }
    CHECK(g_gtFrees == 3 && RtlNumberGenericTableElements(&table) == 0 && EmuPoolBlocks() == 0);

    RTL_GENERIC_TABLE raw;
    memset(&raw, 0, sizeof(raw));
    RtlLookupElementGenericTable(&raw, &probe);
    CHECK_VIOLATION("RtlLookupElementGenericTable(");
}

const TEST_CASE g_wdkMoreTests[] = {
    { "wdk: generic tables: copy-in insert, no duplicates, lookup, insertion-order index, delete frees through the caller", test_generic_table },
    { "wdk: initguid.h makes DEFINE_GUID define the GUID; without it, a declaration of the same object", test_define_guid },
    { "wdk: IoGetStackLimits bounds the calling thread's stack (per thread, any IRQL)", test_io_get_stack_limits },
    { "wdk: FsRtlEnterFileSystem/FsRtlExitFileSystem disable normal kernel APCs, balanced", test_fs_rtl_enter_exit_file_system },
    { "wdk: RtlInterlockedSetBits/ClearBits return the old flags; IS_ALIGNED", test_interlocked_bits_and_alignment },
};
const size_t g_wdkMoreTestsCount = sizeof(g_wdkMoreTests) / sizeof(g_wdkMoreTests[0]);
