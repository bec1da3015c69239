/* Unloading with leaked pool, references or handles is reported, naming the tag or object. */
#include "test_filters.h"

static int g_mode;
static PVOID g_block;

static NTSTATUS LeakySetup(TF *tf, PCFLT_RELATED_OBJECTS o, DEVICE_TYPE t)
{
    (void)tf; (void)t;
    PFLT_VOLUME volume = NULL;
    PDEVICE_OBJECT device = NULL;
    switch (g_mode) {
    case 1:
        g_block = ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, 'kaeL');
        break;
    case 2:
        FltGetVolumeFromInstance(o->Instance, &volume);      /* never FltObjectDereference'd */
        break;
    case 3:
        FltGetVolumeFromInstance(o->Instance, &volume);
        FltGetDeviceObject(volume, &device);                  /* StackSize read, then ... */
        CHECK_EQ(device->StackSize, 4);
        FltObjectDereference(volume);                         /* ... the device object is never ObDereferenceObject'ed */
        break;
    case 4:
        FltGetVolumeFromInstance(o->Instance, &volume);
        FltGetDeviceObject(volume, &device);
        ObDereferenceObject(device);
        FltObjectDereference(volume);                         /* balanced: nothing to report */
        g_block = ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, 'kaeL');
        ExFreePoolWithTag(g_block, 'kaeL');
        break;
    default:
        break;
    }
    return STATUS_SUCCESS;
}

static void RunLeak(int mode)
{
    g_mode = mode;
    g_tf[0].Setup = LeakySetup;
    EmuCreateVolume("\\Device\\HarddiskVolume1", 4, 0);
    TfStart(0, "300000", NULL, NULL);
    TfUnload(&g_tf[0]);
    g_tf[0].Setup = NULL;
}

static void test_pool_leak_named(void)
{
    RunLeak(1);
    CHECK_VIOLATION("pool leak at unload: 1 block(s), 64 bytes, tag 'Leak'");
}

static void test_volume_reference_leak_named(void)
{
    RunLeak(2);
    CHECK_VIOLATION("volume \\Device\\HarddiskVolume1 still has 1 reference(s)");
}

static void test_device_reference_leak_named(void)
{
    RunLeak(3);
    CHECK_VIOLATION("device object of volume \\Device\\HarddiskVolume1 still has 1 reference(s)");
}

static void test_balanced_is_clean(void)
{
    RunLeak(4);
    CHECK_EQ(EmuViolationCount(), 0);
}

static void test_misuse_of_pool_and_handles(void)
{
    PVOID p = ExAllocatePool2(POOL_FLAG_NON_PAGED, 8, 'tseT');
    ExFreePoolWithTag(p, 'xxxx');
    CHECK_VIOLATION("does not match the block's tag 'Test'");
    ExFreePoolWithTag(p, 'tseT');
    CHECK_VIOLATION("not an allocated pool block");
    int v = EmuCreateVolume("\\Device\\HarddiskVolume1", 4, 0);
    TfStart(0, "300000", NULL, NULL);
    TPut(v, "\\f.txt", "abc");
    UNICODE_STRING u = RTL_CONSTANT_STRING(L"\\Device\\HarddiskVolume1\\f.txt");
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, &u, OBJ_KERNEL_HANDLE, NULL, NULL);
    IO_STATUS_BLOCK io;
    HANDLE h;
    CHECK_EQ(FltCreateFileEx2(g_tf[0].Filter, g_tf[0].Instance[v], &h, NULL, GENERIC_READ, &oa, &io, NULL, 0, FILE_SHARE_READ, FILE_OPEN, 0, NULL, 0, 0, NULL), 0);
    CHECK_EQ(io.Information, FILE_OPENED);
    char b[4];
    ULONG n = 0;
    PFILE_OBJECT fo = NULL;
    FltClose(h);
    CHECK_EQ(FltCreateFileEx2(g_tf[0].Filter, g_tf[0].Instance[v], &h, &fo, GENERIC_READ, &oa, &io, NULL, 0, FILE_SHARE_READ, FILE_OPEN, 0, NULL, 0, 0, NULL), 0);
    g_log[0] = 0;
    CHECK_EQ(FltReadFile(g_tf[0].Instance[v], fo, NULL, 3, b, 0, &n, NULL, NULL), 0);
    CHECK_EQ(n, 3);
    CHECK_EQ(g_tf[0].PreCount, 0);      /* I/O a filter starts goes to the instances below it only */
    TfUnload(&g_tf[0]);                 /* the handle and the file object reference leak */
    CHECK_VIOLATION("handle leak");
    CHECK_VIOLATION("file object of \\Device\\HarddiskVolume1\\f.txt still has 1 reference(s)");
}

const TEST_CASE g_leakTests[] = {
    { "leaks: pool left at unload is named by tag", test_pool_leak_named },
    { "leaks: an unreleased volume reference is named", test_volume_reference_leak_named },
    { "leaks: an unreleased device object reference is named", test_device_reference_leak_named },
    { "leaks: balanced references and pool report nothing", test_balanced_is_clean },
    { "leaks: bad frees, leaked kernel handles and file objects", test_misuse_of_pool_and_handles },
};
const size_t g_leakTestsCount = sizeof(g_leakTests) / sizeof(g_leakTests[0]);
