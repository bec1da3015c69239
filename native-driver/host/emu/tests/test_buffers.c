/*
 * test_buffers.c - MDLs, device-aligned pool, IoVolumeDeviceToDosName and
 * swapped buffers on the emulated I/O path (src/emu_buffers.c, emu_dosname.c).
 */
#include "test_filters.h"

#define TAG 'fuBT'

/* ---- MDLs ---- */
static void test_mdl_fields_as_the_wdk(void)
{
    uint8_t *pool = ExAllocatePoolWithTag(NonPagedPool, 3 * PAGE_SIZE, TAG);
    uint8_t *va = pool + 100;
    PMDL m = IoAllocateMdl(va, 5000, FALSE, FALSE, NULL);
    CHECK(m != NULL);
    CHECK(m->StartVa == PAGE_ALIGN(va));
    CHECK_EQ(m->ByteOffset, BYTE_OFFSET(va));
    CHECK_EQ(MmGetMdlByteCount(m), 5000);
    CHECK(MmGetMdlVirtualAddress(m) == va);
    CHECK_EQ(m->Size, sizeof(MDL) + sizeof(PFN_NUMBER) * ADDRESS_AND_SIZE_TO_SPAN_PAGES(va, 5000));
    CHECK_EQ(m->MdlFlags, 0);
    CHECK(m->Next == NULL);
    MmBuildMdlForNonPagedPool(m);
    CHECK(m->MdlFlags & MDL_SOURCE_IS_NONPAGED_POOL);
    CHECK(m->MappedSystemVa == va);
    CHECK(MmGetSystemAddressForMdlSafe(m, NormalPagePriority | MdlMappingNoExecute) == va);
    CHECK_EQ(ROUND_TO_SIZE(5000, 512), 5120);
    CHECK_EQ(ROUND_TO_SIZE(5120, 512), 5120);
    IoFreeMdl(m);
    ExFreePoolWithTag(pool, TAG);
    CHECK_EQ(EmuViolationCount(), 0);
}

static void test_mdl_double_free_and_foreign_pointer(void)
{
    uint8_t *pool = ExAllocatePoolWithTag(NonPagedPool, 64, TAG);
    PMDL m = IoAllocateMdl(pool, 64, FALSE, FALSE, NULL);
    IoFreeMdl(m);
    CHECK_EQ(EmuViolationCount(), 0);
    IoFreeMdl(m);
    CHECK_VIOLATION("the MDL was already freed (by IoFreeMdl) (double free)");
    MDL fake;
    memset(&fake, 0, sizeof(fake));
    IoFreeMdl(&fake);
    CHECK_VIOLATION("not an MDL IoAllocateMdl returned");
    ExFreePoolWithTag(pool, TAG);
}

static void test_mdl_leak_at_unload(void)
{
    uint8_t *pool = ExAllocatePoolWithTag(NonPagedPool, 64, TAG);
    PMDL m = IoAllocateMdl(pool, 64, FALSE, FALSE, NULL);
    CHECK(m != NULL);
    ExFreePoolWithTag(pool, TAG);
    EmuCheckLeaks();
    CHECK_VIOLATION("MDL leak at unload: 1 MDL(s)");
    EmuCheckLeaks();                        /* reported once */
    CHECK_EQ(EmuViolationCount(), 1);
}

static void test_mdl_build_rejects_pageable_and_stack(void)
{
    uint8_t *paged = ExAllocatePoolWithTag(PagedPool, 256, TAG);
    PMDL m = IoAllocateMdl(paged + 16, 128, FALSE, FALSE, NULL);
    MmBuildMdlForNonPagedPool(m);
    CHECK_VIOLATION("MmBuildMdlForNonPagedPool(");
    CHECK_EQ(EmuViolationCount(), 1);
    char text[512];
    CHECK(EmuViolationText(0, text, sizeof(text)) > 0 && strstr(text, "a paged pool block, tag") != NULL);
    CHECK_EQ(m->MdlFlags & MDL_SOURCE_IS_NONPAGED_POOL, 0);
    IoFreeMdl(m);
    uint8_t local[64];
    m = IoAllocateMdl(local, sizeof(local), FALSE, FALSE, NULL);
    MmBuildMdlForNonPagedPool(m);
    CHECK_VIOLATION("kernel stack");
    IoFreeMdl(m);
    ExFreePoolWithTag(paged, TAG);
}

static void test_mdl_mapping_rules(void)
{
    uint8_t *pool = ExAllocatePoolWithTag(NonPagedPool, 64, TAG);
    PMDL m = IoAllocateMdl(pool, 64, FALSE, FALSE, NULL);
    /* Neither built nor locked: mapping it is a bug check on Windows. */
    CHECK(MmGetSystemAddressForMdlSafe(m, NormalPagePriority) == NULL);
    CHECK_VIOLATION("not locked");
    MmBuildMdlForNonPagedPool(m);
    CHECK(MmMapLockedPagesSpecifyCache(m, KernelMode, MmCached, NULL, FALSE, 7) == NULL);
    CHECK_VIOLATION("Priority 0x00000007");
    CHECK(MmMapLockedPagesSpecifyCache(m, KernelMode, MmCached, NULL, FALSE, NormalPagePriority) == pool);
    CHECK_VIOLATION("already maps it");
    MmUnmapLockedPages(pool, m);
    CHECK_VIOLATION("its mapping must not be released");
    int seen = EmuViolationCount();
    EmuSetIrql(DISPATCH_LEVEL);
    CHECK(MmGetSystemAddressForMdlSafe(m, HighPagePriority) == pool);   /* allowed at DISPATCH_LEVEL */
    IoFreeMdl(m);
    EmuSetIrql(PASSIVE_LEVEL);
    CHECK_EQ(EmuViolationCount(), seen);
    EmuSetIrql(HIGH_LEVEL);
    CHECK(IoAllocateMdl(pool, 64, FALSE, FALSE, NULL) == NULL);
    EmuSetIrql(PASSIVE_LEVEL);
    CHECK_VIOLATION("IoAllocateMdl called at");
    CHECK(IoAllocateMdl(pool, 64, FALSE, TRUE, NULL) != NULL);
    CHECK_VIOLATION("ChargeQuota");
    EmuMdlReset();
    ExFreePoolWithTag(pool, TAG);
}

/* ---- device-aligned pool ---- */
static void test_aligned_pool(void)
{
    int v = EmuCreateVolume("\\Device\\HarddiskVolume1", 4, 0);
    TF *tf = TfStart(0, "300000", NULL, NULL);
    PFLT_INSTANCE inst = tf->Instance[v];
    int64_t before = EmuPoolBlocks();
    void *p[8];
    for (int i = 0; i < 8; i++) {
        p[i] = FltAllocatePoolAlignedWithTag(inst, NonPagedPool, 100 + (SIZE_T)i, TAG);
        CHECK(p[i] != NULL && IS_ALIGNED(p[i], EMU_SECTOR_SIZE));
    }
    CHECK_EQ(EmuPoolBlocks(), before + 8);
    for (int i = 0; i < 8; i++) {
        FltFreePoolAlignedWithTag(inst, p[i], TAG);
    }
    CHECK_EQ(EmuPoolBlocks(), before);
    /* The device's alignment requirement, when larger than a sector. */
    EmuVolumeById(v)->Dev.Device.AlignmentRequirement = PAGE_SIZE - 1;
    void *q = FltAllocatePoolAlignedWithTag(inst, NonPagedPool, 10, TAG);
    CHECK(IS_ALIGNED(q, PAGE_SIZE));
    CHECK_EQ(EmuViolationCount(), 0);
    /* Freed the wrong way, with the wrong tag, at the wrong IRQL. */
    ExFreePool(q);
    CHECK_VIOLATION("free it with FltFreePoolAlignedWithTag");
    void *plain = ExAllocatePoolWithTag(NonPagedPool, 10, TAG);
    FltFreePoolAlignedWithTag(inst, plain, TAG);
    CHECK_VIOLATION("not by FltAllocatePoolAlignedWithTag");
    q = FltAllocatePoolAlignedWithTag(inst, NonPagedPool, 10, TAG);
    FltFreePoolAlignedWithTag(inst, q, 'xxxx');
    CHECK_VIOLATION("does not match");
    EmuSetIrql(DISPATCH_LEVEL);
    q = FltAllocatePoolAlignedWithTag(inst, NonPagedPool, 10, TAG);    /* nonpaged: DISPATCH_LEVEL is fine */
    CHECK(q != NULL);
    CHECK(FltAllocatePoolAlignedWithTag(inst, PagedPool, 10, TAG) == NULL);
    EmuSetIrql(PASSIVE_LEVEL);
    CHECK_VIOLATION("FltAllocatePoolAlignedWithTag called at DISPATCH_LEVEL");
    CHECK(FltAllocatePoolAlignedWithTag(NULL, NonPagedPool, 10, TAG) == NULL);
    CHECK_VIOLATION("Instance is required");
    EmuCheckLeaks();
    CHECK_VIOLATION("tag 'TBuf' (allocated by FltAllocatePoolAlignedWithTag)");
    TfUnload(tf);
}

/* ---- IoVolumeDeviceToDosName ---- */
static void test_dos_names(void)
{
    int c = EmuCreateVolume("\\Device\\HarddiskVolume1", 4, 0);
    int n = EmuCreateVolume("\\Device\\Mup", 4, 1 /* EMU_VOLUME_NETWORK */);
    int d = EmuCreateVolume("\\Device\\HarddiskVolume2", 4, 0);
    const WCHAR *expect[] = { L"C:", L"D:" };
    int disks[] = { c, d };
    for (int i = 0; i < 2; i++) {
        PDEVICE_OBJECT dev = NULL;
        CHECK_EQ(FltGetDiskDeviceObject(EmuVolumeById(disks[i]), &dev), STATUS_SUCCESS);
        UNICODE_STRING name = { 0, 0, NULL };
        CHECK_EQ(IoVolumeDeviceToDosName(dev, &name), STATUS_SUCCESS);
        CHECK_EQ(name.Length, 4);
        CHECK_EQ(name.MaximumLength, 6);
        CHECK(memcmp(name.Buffer, expect[i], 6) == 0);     /* null-terminated */
        ExFreePool(name.Buffer);
        ObDereferenceObject(dev);
    }
    /* A network volume has no storage device (FltGetDiskDeviceObject), and no letter through its volume device. */
    PDEVICE_OBJECT net = NULL;
    CHECK_EQ(FltGetDiskDeviceObject(EmuVolumeById(n), &net), STATUS_FLT_NO_DEVICE_OBJECT);
    CHECK_EQ(FltGetDeviceObject(EmuVolumeById(n), &net), STATUS_SUCCESS);
    UNICODE_STRING none = { 0, 0, NULL };
    CHECK(!NT_SUCCESS(IoVolumeDeviceToDosName(net, &none)));
    CHECK(none.Buffer == NULL);
    ObDereferenceObject(net);
    CHECK_EQ(EmuViolationCount(), 0);
    /* Not freed: a leak naming the routine. At DISPATCH_LEVEL, or on something else: violations. */
    PDEVICE_OBJECT dev = NULL;
    FltGetDiskDeviceObject(EmuVolumeById(c), &dev);
    UNICODE_STRING kept = { 0, 0, NULL };
    CHECK_EQ(IoVolumeDeviceToDosName(dev, &kept), STATUS_SUCCESS);
    EmuSetIrql(DISPATCH_LEVEL);
    UNICODE_STRING late = { 0, 0, NULL };
    CHECK(!NT_SUCCESS(IoVolumeDeviceToDosName(dev, &late)));
    EmuSetIrql(PASSIVE_LEVEL);
    CHECK_VIOLATION("IoVolumeDeviceToDosName called at DISPATCH_LEVEL");
    int notADevice = 0;
    CHECK(!NT_SUCCESS(IoVolumeDeviceToDosName(&notADevice, &late)));
    CHECK_VIOLATION("VolumeDeviceObject must be a volume's device object");
    ObDereferenceObject(dev);
    EmuCheckLeaks();
    CHECK_VIOLATION("allocated by IoVolumeDeviceToDosName");
}

/* ---- swapped buffers on the I/O path ---- */
typedef struct SWAP {
    int SwapBuffer, SwapMdl, BuildMdl, Retain, FreeSwappedMdl;
    uint8_t *Buffer;            /* the filter's own */
    PMDL Mdl;
    PVOID CallerBuffer;         /* what the pre-operation received */
    PVOID PostBuffer;           /* what the post-operation received */
    PMDL PostSwappedMdl;        /* FltGetSwappedBufferMdlAddress in the post-operation */
    NTSTATUS LockStatus;
    PMDL LockedMdl;
    PVOID LockedAddress;
    int LockInPost;
    CSHORT UnmappedFlags;       /* the locked MDL's flags after MmUnmapLockedPages */
    PVOID Remapped;
} SWAP;
static SWAP g_swap;

static FLT_PREOP_CALLBACK_STATUS SwapPre(TF *tf, PFLT_CALLBACK_DATA d, PCFLT_RELATED_OBJECTS o, PVOID *c)
{
    (void)tf; (void)o; (void)c;
    PFLT_IO_PARAMETER_BLOCK p = d->Iopb;
    if (p->MajorFunction != IRP_MJ_READ && p->MajorFunction != IRP_MJ_WRITE) {
        return FLT_PREOP_SUCCESS_NO_CALLBACK;
    }
    g_swap.CallerBuffer = p->Parameters.Read.ReadBuffer;
    g_swap.Buffer = FltAllocatePoolAlignedWithTag(o->Instance, NonPagedPool, p->Parameters.Read.Length, TAG);
    memset(g_swap.Buffer, 0, p->Parameters.Read.Length);
    if (p->MajorFunction == IRP_MJ_WRITE) {
        memcpy(g_swap.Buffer, p->Parameters.Write.WriteBuffer, p->Parameters.Write.Length);
    }
    g_swap.Mdl = IoAllocateMdl(g_swap.Buffer, p->Parameters.Read.Length, FALSE, FALSE, NULL);
    if (g_swap.BuildMdl) {
        MmBuildMdlForNonPagedPool(g_swap.Mdl);
    }
    if (g_swap.SwapBuffer) {
        p->Parameters.Read.ReadBuffer = g_swap.Buffer;
    }
    if (g_swap.SwapMdl) {
        p->Parameters.Read.MdlAddress = g_swap.Mdl;
    }
    FltSetCallbackDataDirty(d);
    return FLT_PREOP_SUCCESS_WITH_CALLBACK;
}

static FLT_POSTOP_CALLBACK_STATUS SwapPost(TF *tf, PFLT_CALLBACK_DATA d, PCFLT_RELATED_OBJECTS o, PVOID c, FLT_POST_OPERATION_FLAGS f)
{
    (void)tf; (void)c; (void)f;
    PFLT_IO_PARAMETER_BLOCK p = d->Iopb;
    g_swap.PostBuffer = p->Parameters.Read.ReadBuffer;
    g_swap.PostSwappedMdl = FltGetSwappedBufferMdlAddress(d);
    if (g_swap.LockInPost) {
        g_swap.LockStatus = FltLockUserBuffer(d);
        g_swap.LockedMdl = p->Parameters.Read.MdlAddress;
        g_swap.LockedAddress = g_swap.LockedMdl != NULL ? MmGetSystemAddressForMdlSafe(g_swap.LockedMdl, NormalPagePriority) : NULL;
        if (g_swap.LockedAddress != NULL) {
            MmUnmapLockedPages(g_swap.LockedAddress, g_swap.LockedMdl);
            g_swap.UnmappedFlags = g_swap.LockedMdl->MdlFlags;
            g_swap.Remapped = MmGetSystemAddressForMdlSafe(g_swap.LockedMdl, NormalPagePriority);
        }
    }
    if (p->MajorFunction == IRP_MJ_READ && NT_SUCCESS(d->IoStatus.Status)) {
        memcpy(p->Parameters.Read.ReadBuffer, g_swap.Buffer, d->IoStatus.Information);
    }
    if (g_swap.Retain) {
        FltRetainSwappedBufferMdlAddress(d);
    }
    FltFreePoolAlignedWithTag(o->Instance, g_swap.Buffer, TAG);
    if (!g_swap.SwapMdl || g_swap.FreeSwappedMdl) {
        IoFreeMdl(g_swap.Mdl);      /* not handed to the filter manager (FreeSwappedMdl: the bug of freeing it anyway) */
    }
    return FLT_POSTOP_FINISHED_PROCESSING;
}

static uint64_t SwapSetup(int *volume)
{
    *volume = EmuCreateVolume("\\Device\\HarddiskVolume1", 4, 0);
    CHECK_EQ(EmuObserverStart("100000"), STATUS_SUCCESS);
    TfStart(0, "300000", SwapPre, SwapPost);
    TPut(*volume, "\\f.txt", "");
    NTSTATUS s;
    uint64_t h = TOpen(*volume, "\\f.txt", GENERIC_READ | GENERIC_WRITE, FILE_OPEN, &s, NULL);
    CHECK_EQ(s, STATUS_SUCCESS);
    return h;
}

static void test_swapped_buffers_reach_the_file_system(void)
{
    memset(&g_swap, 0, sizeof(g_swap));
    g_swap.SwapBuffer = g_swap.SwapMdl = g_swap.BuildMdl = 1;
    int v;
    uint64_t h = SwapSetup(&v);
    char data[] = "swapped bytes";
    uint32_t n = 0;
    CHECK_EQ(EmuFileWrite(h, 0, data, sizeof(data), 0, &n), STATUS_SUCCESS);
    EMU_OBSERVED_BUFFER b;
    CHECK_EQ(EmuObserverLastBuffer(IRP_MJ_WRITE, &b), 0);
    CHECK(b.Buffer == (uint64_t)(uintptr_t)g_swap.Buffer && b.Buffer != (uint64_t)(uintptr_t)data);
    CHECK(b.Mdl == (uint64_t)(uintptr_t)g_swap.Mdl && b.MdlVirtualAddress == b.Buffer);
    CHECK(b.Captured == sizeof(data) && memcmp(b.Data, data, sizeof(data)) == 0);
    CHECK(g_swap.PostBuffer == (PVOID)data);                /* the post-operation sees the caller's buffer again */
    CHECK(g_swap.PostSwappedMdl == g_swap.Mdl);
    char stored[32];
    CHECK_EQ(EmuFsRead(v, "\\f.txt", stored, sizeof(stored)), sizeof(data));
    CHECK(memcmp(stored, data, sizeof(data)) == 0);
    /* The filter manager freed the swapped-in MDL after the post-operation callback. */
    PMDL swapped = g_swap.Mdl;
    CHECK_EQ(EmuViolationCount(), 0);
    IoFreeMdl(swapped);
    CHECK_VIOLATION("already freed (by the filter manager");
    char back[32];
    memset(back, 0, sizeof(back));
    CHECK_EQ(EmuFileRead(h, 0, back, sizeof(back), &n), STATUS_SUCCESS);
    CHECK_EQ(n, sizeof(data));
    CHECK(memcmp(back, data, sizeof(data)) == 0);
    CHECK_EQ(EmuObserverLastBuffer(IRP_MJ_READ, &b), 0);
    CHECK(b.Buffer == (uint64_t)(uintptr_t)g_swap.Buffer && b.Buffer != (uint64_t)(uintptr_t)back);
    EmuFileClose(h);
    TfUnload(&g_tf[0]);
    EmuObserverStop();
    EmuCheckLeaks();
    CHECK_EQ(EmuViolationCount(), 1);
}

/* A file system uses the MDL when there is one: swapping only the MDL is enough. */
static void test_file_system_uses_the_mdl_first(void)
{
    memset(&g_swap, 0, sizeof(g_swap));
    g_swap.SwapMdl = g_swap.BuildMdl = 1;
    int v;
    uint64_t h = SwapSetup(&v);
    TPut(v, "\\f.txt", "file content");
    char back[32];
    memset(back, 'x', sizeof(back));
    /* SwapPost copies the filter's buffer back over the caller's: had the file system written
       into the caller's buffer (ReadBuffer) instead of the MDL's, the caller would get zeros. */
    uint32_t n = 0;
    CHECK_EQ(EmuFileRead(h, 0, back, 12, &n), STATUS_SUCCESS);
    EMU_OBSERVED_BUFFER b;
    CHECK_EQ(EmuObserverLastBuffer(IRP_MJ_READ, &b), 0);
    CHECK(b.Buffer == (uint64_t)(uintptr_t)back);          /* the buffer pointer is the caller's ... */
    CHECK(b.MdlVirtualAddress == (uint64_t)(uintptr_t)g_swap.Buffer);  /* ... the MDL the filter's */
    CHECK(memcmp(back, "file content", 12) == 0);
    EmuFileClose(h);
    TfUnload(&g_tf[0]);
    EmuObserverStop();
}

static FLT_POSTOP_CALLBACK_STATUS NoCopyPost(TF *tf, PFLT_CALLBACK_DATA d, PCFLT_RELATED_OBJECTS o, PVOID c, FLT_POST_OPERATION_FLAGS f)
{
    (void)tf; (void)d; (void)c; (void)f;
    FltFreePoolAlignedWithTag(o->Instance, g_swap.Buffer, TAG);
    return FLT_POSTOP_FINISHED_PROCESSING;
}

/* Without copying back, the caller's buffer stays untouched: the file system wrote into the MDL's. */
static void test_mdl_first_caller_buffer_untouched(void)
{
    memset(&g_swap, 0, sizeof(g_swap));
    g_swap.SwapMdl = g_swap.BuildMdl = 1;
    int v = EmuCreateVolume("\\Device\\HarddiskVolume1", 4, 0);
    TfStart(0, "300000", SwapPre, NoCopyPost);
    TPut(v, "\\f.txt", "file content");
    NTSTATUS s;
    uint64_t h = TOpen(v, "\\f.txt", GENERIC_READ, FILE_OPEN, &s, NULL);
    char back[12];
    memset(back, 'x', sizeof(back));
    uint32_t n = 0;
    CHECK_EQ(EmuFileRead(h, 0, back, sizeof(back), &n), STATUS_SUCCESS);
    CHECK_EQ(n, 12);
    CHECK(memcmp(back, "xxxxxxxxxxxx", 12) == 0);
    EmuFileClose(h);
    TfUnload(&g_tf[0]);
    EmuCheckLeaks();
    CHECK_EQ(EmuViolationCount(), 0);
}

static void test_unbuilt_mdl_and_retain(void)
{
    memset(&g_swap, 0, sizeof(g_swap));
    g_swap.SwapBuffer = g_swap.SwapMdl = 1;     /* BuildMdl = 0: MmBuildMdlForNonPagedPool forgotten */
    int v;
    uint64_t h = SwapSetup(&v);
    char data[] = "abc";
    uint32_t n = 0;
    CHECK_EQ(EmuFileWrite(h, 0, data, 3, 0, &n), STATUS_INSUFFICIENT_RESOURCES);
    CHECK_VIOLATION("neither nonpaged nor locked");
    /* FltRetainSwappedBufferMdlAddress: the filter frees it, the filter manager does not. */
    g_swap.BuildMdl = 1;
    g_swap.Retain = 1;
    CHECK_EQ(EmuFileWrite(h, 0, data, 3, 0, &n), STATUS_SUCCESS);
    IoFreeMdl(g_swap.Mdl);
    CHECK_EQ(EmuViolationCount(), 1);
    /* Freeing a swapped-in MDL without retaining it: the filter manager's free is a double free. */
    g_swap.Retain = 0;
    g_swap.FreeSwappedMdl = 1;
    CHECK_EQ(EmuFileWrite(h, 0, data, 3, 0, &n), STATUS_SUCCESS);
    CHECK_VIOLATION("only after FltRetainSwappedBufferMdlAddress)(");
    EmuFileClose(h);
    TfUnload(&g_tf[0]);
    EmuObserverStop();
}

/* FltLockUserBuffer in a post-operation: an MDL for the caller's buffer, the I/O manager's to free. */
static void test_lock_user_buffer(void)
{
    memset(&g_swap, 0, sizeof(g_swap));
    g_swap.SwapBuffer = g_swap.SwapMdl = g_swap.BuildMdl = 1;
    g_swap.LockInPost = 1;
    int v;
    uint64_t h = SwapSetup(&v);
    TPut(v, "\\f.txt", "locked");
    char back[16];
    uint32_t n = 0;
    CHECK_EQ(EmuFileRead(h, 0, back, sizeof(back), &n), STATUS_SUCCESS);
    CHECK_EQ(g_swap.LockStatus, STATUS_SUCCESS);
    CHECK(g_swap.LockedMdl != NULL && g_swap.LockedMdl != g_swap.Mdl);
    CHECK(g_swap.LockedAddress == (PVOID)back);
    CHECK((g_swap.UnmappedFlags & MDL_MAPPED_TO_SYSTEM_VA) == 0 && (g_swap.UnmappedFlags & MDL_PAGES_LOCKED) != 0);
    CHECK(g_swap.Remapped == (PVOID)back);
    CHECK(memcmp(back, "locked", 6) == 0);
    CHECK_EQ(EmuViolationCount(), 0);
    /* Freed with the operation: freeing it again is a double free, no leak remains. */
    IoFreeMdl(g_swap.LockedMdl);
    CHECK_VIOLATION("already freed (by the I/O manager");
    EmuFileClose(h);
    TfUnload(&g_tf[0]);
    EmuObserverStop();
    EmuCheckLeaks();
    CHECK_EQ(EmuViolationCount(), 1);
    /* Not from a callback data; at DISPATCH_LEVEL. */
    FLT_CALLBACK_DATA fake;
    memset(&fake, 0, sizeof(fake));
    CHECK(!NT_SUCCESS(FltLockUserBuffer(&fake)));
    CHECK_VIOLATION("FltLockUserBuffer");
    CHECK(FltGetNewSystemBufferAddress(&fake) == NULL);
    CHECK_VIOLATION("FltGetNewSystemBufferAddress");
}

static FLT_POSTOP_CALLBACK_STATUS NewSystemBufferPost(TF *tf, PFLT_CALLBACK_DATA d, PCFLT_RELATED_OBJECTS o, PVOID c, FLT_POST_OPERATION_FLAGS f)
{
    (void)tf; (void)o; (void)c; (void)f;
    /* The emulated file systems never allocate a SystemBuffer: no flag, NULL. */
    CHECK_EQ(d->Flags & FLTFL_CALLBACK_DATA_NEW_SYSTEM_BUFFER, 0);
    CHECK(FltGetNewSystemBufferAddress(d) == NULL);
    return FLT_POSTOP_FINISHED_PROCESSING;
}

static void test_new_system_buffer(void)
{
    int v = EmuCreateVolume("\\Device\\HarddiskVolume1", 4, 0);
    TfStart(0, "300000", NULL, NewSystemBufferPost);
    TPut(v, "\\f.txt", "x");
    NTSTATUS s;
    uint64_t h = TOpen(v, "\\f.txt", GENERIC_READ, FILE_OPEN, &s, NULL);
    char b[1];
    uint32_t n;
    CHECK_EQ(EmuFileRead(h, 0, b, 1, &n), STATUS_SUCCESS);
    CHECK(g_tf[0].PostCount > 0);
    EmuFileClose(h);
    TfUnload(&g_tf[0]);
    CHECK_EQ(EmuViolationCount(), 0);
}

const TEST_CASE g_bufferTests[] = {
    { "buffers: IoAllocateMdl/MmBuildMdlForNonPagedPool/MmGetSystemAddressForMdlSafe as the WDK defines them", test_mdl_fields_as_the_wdk },
    { "buffers: IoFreeMdl twice or on a foreign pointer is a violation", test_mdl_double_free_and_foreign_pointer },
    { "buffers: an MDL never freed is a leak at unload", test_mdl_leak_at_unload },
    { "buffers: MmBuildMdlForNonPagedPool on paged pool or the stack is a violation", test_mdl_build_rejects_pageable_and_stack },
    { "buffers: mapping an unlocked MDL, unmapping a nonpaged one, bad priority, IRQL and ChargeQuota", test_mdl_mapping_rules },
    { "buffers: FltAllocatePoolAlignedWithTag aligns to the volume, is tracked and freed its own way", test_aligned_pool },
    { "buffers: IoVolumeDeviceToDosName gives C:, D:, none for network volumes; PASSIVE_LEVEL, freed by the caller", test_dos_names },
    { "buffers: swapped buffers reach the file system, the post-op sees the caller's, the filter manager frees the MDL", test_swapped_buffers_reach_the_file_system },
    { "buffers: the file system uses the MDL first", test_file_system_uses_the_mdl_first },
    { "buffers: MDL first: the caller's buffer is untouched without a copy back", test_mdl_first_caller_buffer_untouched },
    { "buffers: an unbuilt swapped MDL is a violation; FltRetainSwappedBufferMdlAddress keeps it; freeing it without is a double free", test_unbuilt_mdl_and_retain },
    { "buffers: FltLockUserBuffer builds the operation's MDL (mapped, unmapped, mapped again), freed with it", test_lock_user_buffer },
    { "buffers: FltGetNewSystemBufferAddress is NULL without FLTFL_CALLBACK_DATA_NEW_SYSTEM_BUFFER", test_new_system_buffer },
};
const size_t g_bufferTestsCount = sizeof(g_bufferTests) / sizeof(g_bufferTests[0]);
