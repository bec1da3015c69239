/*
 * test_volume.c - what MetadataManager brought to the emulator:
 * FltCreateSystemVolumeInformationFolder (a hidden, system folder, created
 * with a create only the instances below see), FltGetDiskDeviceObject (the
 * storage device, not the volume's device object), volume opens
 * (FO_VOLUME_OPEN) with FSCTL_LOCK_VOLUME / FSCTL_UNLOCK_VOLUME, and
 * ObReferenceObjectByHandle of a file handle. Test filters A (300000),
 * B (200000), C (100000).
 */
#include "test_filters.h"

static int g_creates[TF_MAX];
static ULONG g_lastCreateFlags[TF_MAX];        /* the target file object's Flags in the last pre-create */

static FLT_PREOP_CALLBACK_STATUS SeeCreate(TF *tf, PFLT_CALLBACK_DATA d, PCFLT_RELATED_OBJECTS o, PVOID *c)
{
    (void)o; (void)c;
    if (d->Iopb->MajorFunction == IRP_MJ_CREATE) {
        g_creates[tf->Name - 'A']++;
        g_lastCreateFlags[tf->Name - 'A'] = d->Iopb->TargetFileObject->Flags;
    }
    return FLT_PREOP_SUCCESS_NO_CALLBACK;
}

static int Setup(void)
{
    memset(g_creates, 0, sizeof(g_creates));
    memset(g_lastCreateFlags, 0, sizeof(g_lastCreateFlags));
    int v = EmuCreateVolume("\\Device\\HarddiskVolume1", 4, 0);
    TfStart(0, "300000", SeeCreate, NULL);
    TfStart(1, "200000", SeeCreate, NULL);
    TfStart(2, "100000", SeeCreate, NULL);
    return v;
}

static ULONG Attributes(int v, const WCHAR *path)
{
    PFLT_VOLUME volume = EmuVolumeById(v);      /* takes the lock itself */
    EmuLock();
    EMU_NODE *n = EmuFsLookup(&volume->Fs, path, EmuWcsLen(path), NULL, NULL, NULL);
    ULONG a = n != NULL ? n->Attributes : 0xFFFFFFFFu;
    EmuUnlock();
    return a;
}

/* Created hidden and system, with a create only the instances below B see; an existing one is kept. */
static void test_system_volume_information_folder(void)
{
    int v = Setup();
    CHECK_EQ(FltCreateSystemVolumeInformationFolder(g_tf[1].Instance[v]), STATUS_SUCCESS);
    CHECK_EQ(EmuFsExists(v, "\\System Volume Information"), 2);
    ULONG a = Attributes(v, L"\\System Volume Information");
    CHECK((a & (FILE_ATTRIBUTE_HIDDEN | FILE_ATTRIBUTE_SYSTEM)) == (FILE_ATTRIBUTE_HIDDEN | FILE_ATTRIBUTE_SYSTEM));
    CHECK_EQ(g_creates[0], 0);
    CHECK_EQ(g_creates[1], 0);
    CHECK_EQ(g_creates[2], 1);
    /* Present already: left as it is (its contents too). */
    TPut(v, "\\System Volume Information\\kept", "x");
    CHECK_EQ(FltCreateSystemVolumeInformationFolder(g_tf[0].Instance[v]), STATUS_SUCCESS);
    CHECK_EQ(EmuFsExists(v, "\\System Volume Information\\kept"), 1);
    CHECK_EQ(g_creates[1], 1);      /* now below A: B and C see it */
    CHECK_EQ(g_creates[2], 2);
}

static void test_system_volume_information_folder_misuse(void)
{
    int v = Setup();
    TPut(v, "\\System Volume Information", "a file in the way");
    CHECK_EQ(FltCreateSystemVolumeInformationFolder(g_tf[1].Instance[v]), STATUS_NOT_A_DIRECTORY);
    CHECK_EQ(FltCreateSystemVolumeInformationFolder(NULL), STATUS_INVALID_PARAMETER);
    CHECK_VIOLATION("FltCreateSystemVolumeInformationFolder");
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    CHECK(!NT_SUCCESS(FltCreateSystemVolumeInformationFolder(g_tf[1].Instance[v])));
    KeLowerIrql(old);
    CHECK_VIOLATION("FltCreateSystemVolumeInformationFolder");
}

/* The storage device a disk volume resides on; a network volume has none. Referenced, so released. */
static void test_disk_device_object(void)
{
    int v = EmuCreateVolume("\\Device\\HarddiskVolume1", 4, 0);
    int n = EmuCreateVolume("\\Device\\Mup", 4, EMU_VOLUME_NETWORK);
    PDEVICE_OBJECT disk = NULL, vdo = NULL;
    CHECK_EQ(FltGetDiskDeviceObject(EmuVolumeById(v), &disk), STATUS_SUCCESS);
    CHECK_EQ(FltGetDeviceObject(EmuVolumeById(v), &vdo), STATUS_SUCCESS);
    CHECK(disk != NULL && disk != vdo);
    CHECK_EQ(disk->DeviceType, FILE_DEVICE_DISK);
    CHECK_EQ(vdo->DeviceType, FILE_DEVICE_DISK_FILE_SYSTEM);
    ObDereferenceObject(vdo);
    PDEVICE_OBJECT none = (PDEVICE_OBJECT)&none;
    CHECK_EQ(FltGetDiskDeviceObject(EmuVolumeById(n), &none), STATUS_FLT_NO_DEVICE_OBJECT);
    CHECK(none == (PDEVICE_OBJECT)&none);      /* not modified on an error */
    EmuCheckLeaks();
    CHECK_VIOLATION("unbalanced references: disk device object of volume \\Device\\HarddiskVolume1");
}

static uint64_t VolumeOpen(int v, NTSTATUS *s)
{
    uint64_t h = 0, info = 0;
    *s = EmuFileOpen(v, "", FILE_READ_DATA | SYNCHRONIZE, FILE_SHARE_READ | FILE_SHARE_WRITE, FILE_OPEN, FILE_SYNCHRONOUS_IO_NONALERT,
                     0, &h, &info);
    return h;
}

static NTSTATUS Fsctl(uint64_t h, ULONG code)
{
    uint32_t returned = 0;
    return EmuFileFsControl(h, code, NULL, 0, 0, &returned);
}

/* FSCTL_LOCK_VOLUME through a volume open (FO_VOLUME_OPEN already in the pre-create): refused while
 * another handle is open, a filter's FltCreateFile handle included; opens refused while locked; the
 * lock ends with FSCTL_UNLOCK_VOLUME or with its handle. */
static void test_volume_lock(void)
{
    int v = Setup();
    TPut(v, "\\f.txt", "x");
    NTSTATUS s;
    uint64_t vol = VolumeOpen(v, &s);
    CHECK_EQ(s, STATUS_SUCCESS);
    CHECK((g_lastCreateFlags[0] & FO_VOLUME_OPEN) != 0);
    CHECK_EQ(Fsctl(vol, FSCTL_UNLOCK_VOLUME), STATUS_NOT_LOCKED);

    uint64_t f = TOpen(v, "\\f.txt", GENERIC_READ, FILE_OPEN, &s, NULL);
    CHECK_EQ(s, STATUS_SUCCESS);
    CHECK_EQ(Fsctl(f, FSCTL_LOCK_VOLUME), STATUS_INVALID_PARAMETER);     /* not a volume open */
    CHECK_EQ(Fsctl(vol, FSCTL_LOCK_VOLUME), STATUS_ACCESS_DENIED);       /* in use */
    CHECK_EQ(EmuFileClose(f), STATUS_SUCCESS);

    /* A filter's own handle keeps the volume in use too. */
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, L"\\Device\\HarddiskVolume1\\f.txt");
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, &name, OBJ_KERNEL_HANDLE, NULL, NULL);
    IO_STATUS_BLOCK iosb;
    HANDLE kh = NULL;
    CHECK_EQ(FltCreateFile(g_tf[1].Filter, g_tf[1].Instance[v], &kh, FILE_READ_DATA | SYNCHRONIZE, &oa, &iosb, NULL, 0,
                           FILE_SHARE_READ, FILE_OPEN, FILE_SYNCHRONOUS_IO_NONALERT, NULL, 0, 0), STATUS_SUCCESS);
    CHECK_EQ(Fsctl(vol, FSCTL_LOCK_VOLUME), STATUS_ACCESS_DENIED);
    CHECK_EQ(FltClose(kh), STATUS_SUCCESS);

    CHECK_EQ(Fsctl(vol, FSCTL_LOCK_VOLUME), STATUS_SUCCESS);
    CHECK_EQ(Fsctl(vol, FSCTL_LOCK_VOLUME), STATUS_ACCESS_DENIED);       /* locked already */
    TOpen(v, "\\f.txt", GENERIC_READ, FILE_OPEN, &s, NULL);
    CHECK_EQ(s, STATUS_ACCESS_DENIED);
    CHECK_EQ(Fsctl(vol, FSCTL_UNLOCK_VOLUME), STATUS_SUCCESS);
    f = TOpen(v, "\\f.txt", GENERIC_READ, FILE_OPEN, &s, NULL);
    CHECK_EQ(s, STATUS_SUCCESS);
    CHECK_EQ(EmuFileClose(f), STATUS_SUCCESS);

    /* Closing the locking handle unlocks. */
    CHECK_EQ(Fsctl(vol, FSCTL_LOCK_VOLUME), STATUS_SUCCESS);
    CHECK_EQ(EmuFileClose(vol), STATUS_SUCCESS);
    f = TOpen(v, "\\f.txt", GENERIC_READ, FILE_OPEN, &s, NULL);
    CHECK_EQ(s, STATUS_SUCCESS);
    CHECK_EQ(EmuFileClose(f), STATUS_SUCCESS);
    /* An ordinary open does not carry the flag. */
    CHECK((g_lastCreateFlags[0] & FO_VOLUME_OPEN) == 0);
}

/* A kernel file handle gives its file object (the one FltCreateFileEx2 gives), referenced. */
static void test_reference_file_handle(void)
{
    int v = Setup();
    TPut(v, "\\f.txt", "x");
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, L"\\Device\\HarddiskVolume1\\f.txt");
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, &name, OBJ_KERNEL_HANDLE, NULL, NULL);
    IO_STATUS_BLOCK iosb;
    HANDLE h = NULL;
    PFILE_OBJECT fo = NULL, byHandle = NULL;
    CHECK_EQ(FltCreateFileEx2(g_tf[1].Filter, g_tf[1].Instance[v], &h, &fo, FILE_READ_DATA | SYNCHRONIZE, &oa, &iosb, NULL, 0,
                              FILE_SHARE_READ, FILE_OPEN, FILE_SYNCHRONOUS_IO_NONALERT, NULL, 0, 0, NULL), STATUS_SUCCESS);
    CHECK_EQ(ObReferenceObjectByHandle(h, FILE_READ_DATA, *IoFileObjectType, KernelMode, (PVOID *)&byHandle, NULL), STATUS_SUCCESS);
    CHECK(byHandle == fo);
    PVOID other = NULL;
    CHECK_EQ(ObReferenceObjectByHandle(h, FILE_READ_DATA, *PsProcessType, KernelMode, &other, NULL), STATUS_OBJECT_TYPE_MISMATCH);
    CHECK(other == NULL);
    CHECK_EQ(FltClose(h), STATUS_SUCCESS);
    ObDereferenceObject(fo);
    /* The second reference is still the driver's: a leak once everything else is released. */
    EmuCheckLeaks();
    CHECK_VIOLATION("unbalanced references: file object of");
}

const TEST_CASE g_volumeTests[] = {
    { "system_volume_information_folder", test_system_volume_information_folder },
    { "system_volume_information_folder_misuse", test_system_volume_information_folder_misuse },
    { "disk_device_object", test_disk_device_object },
    { "volume_lock", test_volume_lock },
    { "reference_file_handle", test_reference_file_handle },
};
const size_t g_volumeTestsCount = sizeof(g_volumeTests) / sizeof(g_volumeTests[0]);
