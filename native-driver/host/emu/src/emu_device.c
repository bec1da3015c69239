/*
 * emu_device.c - device objects a driver creates itself (IoCreateDevice,
 * IoDeleteDevice), such as a minifilter's control device object (CDO), and
 * the I/O manager's path to them: a process opens one by its name and the
 * I/O manager sends IRPs straight to the driver's dispatch table
 * (DRIVER_OBJECT.MajorFunction) and fast I/O table (FastIoDispatch), with no
 * Filter Manager instance involved (a CDO is not a file-system volume).
 *
 * What the documentation says, and what is checked as a violation naming the
 * routine:
 *   - IoCreateDevice (PASSIVE_LEVEL): a full object name in an existing object
 *     directory, unique (STATUS_OBJECT_NAME_COLLISION); the device object and
 *     its zeroed extension are the I/O manager's (no driver pool); it is born
 *     with DO_DEVICE_INITIALIZING, which the I/O manager clears for devices
 *     created in DriverEntry once DriverEntry returns, and the driver clears
 *     for any other; while it is set nobody can open the device by name.
 *   - IoDeleteDevice (<= APC_LEVEL, once per device object): the name goes at
 *     once; the object itself when its last reference (open file objects) goes.
 *     A device object still not deleted when the driver unloads is a leak.
 *   - A dispatch routine runs at PASSIVE_LEVEL and must return at it; it either
 *     completes the IRP (IoCompleteRequest) and returns its status, or marks it
 *     pending (IoMarkIrpPending) and returns STATUS_PENDING. Returning another
 *     status without completing it (the IRP is lost: the caller waits forever),
 *     STATUS_PENDING without IoMarkIrpPending, completing an IRP twice (bug check
 *     0x44 MULTIPLE_IRP_COMPLETE_REQUESTS), completing with STATUS_PENDING, and
 *     IoCompleteRequest above DISPATCH_LEVEL are violations.
 *   - Cleanup when the handle is closed; close when the file object's last
 *     reference goes (an IRP in flight holds one, so a close never overtakes it).
 *   - NtDeviceIoControlFile tries the driver's FastIoDeviceControl first; an IRP
 *     follows only if it returns FALSE. Reads and writes go as IRPs (a device
 *     file object has no cache map, so the fast read/write paths never apply).
 *     Buffers: METHOD_BUFFERED control codes and DO_BUFFERED_IO devices get a
 *     system buffer (AssociatedIrp.SystemBuffer), others the caller's (UserBuffer).
 *
 * The routines the driver stores in its DRIVER_OBJECT are called through
 * ms_abi when they lie in a driver image the PE loader mapped (emu_pe.c).
 */
#include "emu_internal.h"
#include <string.h>

#define EMU_MAX_DEVICE_HANDLES 64
#define EMU_DEVICE_HANDLE_BASE 0x40000000u   /* apart from the file handles of emu_io.c */

typedef struct EMU_DEVICE {
    LIST_ENTRY Link;            /* g_devices */
    WCHAR Name[256];
    USHORT NameChars;           /* 0: unnamed, or the name was removed by IoDeleteDevice */
    int Deleted;                /* IoDeleteDevice was called */
    long OpenFiles;             /* device file objects not yet closed */
    PVOID Extension;
    EMU_DEVICE_BOX Box;         /* Hdr directly precedes the DEVICE_OBJECT */
} EMU_DEVICE;

typedef struct EMU_DEVFILE {
    EMU_OBJ Hdr;                /* directly precedes Fo; Hdr.Refs: the I/O manager's references */
    FILE_OBJECT Fo;
    EMU_DEVICE *Device;
    WCHAR Name[EMU_MAX_PATH];   /* the rest of the name after the device's */
    int HandleOpen;
    int CleanedUp;
    int Closed;
    LIST_ENTRY Link;            /* g_devfiles */
} EMU_DEVFILE;

typedef struct EMU_IRP {
    IRP Irp;
    IO_STACK_LOCATION Stack[1]; /* the stack locations follow the IRP, as Windows allocates them */
    LIST_ENTRY Link;            /* g_irps: IRPs the I/O manager has sent and not yet taken back */
    int Completed;
    const char *Major;
} EMU_IRP;

static LIST_ENTRY g_devices = { &g_devices, &g_devices };
static LIST_ENTRY g_devfiles = { &g_devfiles, &g_devfiles };
static LIST_ENTRY g_irps = { &g_irps, &g_irps };
static struct { EMU_DEVFILE *File; ULONG Pid; } g_devHandles[EMU_MAX_DEVICE_HANDLES];

/* The object directories a driver may create a named device object in. */
static const char *const g_objectDirectories[] = { "\\Device", "\\FileSystem", "\\FileSystem\\Filters", "\\Driver" };

/* ---- driver routines, natively or through ms_abi ---- */

#if defined(__x86_64__)
typedef NTSTATUS (__attribute__((ms_abi)) *EMU_MS_DISPATCH)(PDEVICE_OBJECT, PIRP);
typedef BOOLEAN (__attribute__((ms_abi)) *EMU_MS_FAST_IO_DEVICE_CONTROL)(PFILE_OBJECT, BOOLEAN, PVOID, ULONG, PVOID, ULONG, ULONG,
                                                                        PIO_STATUS_BLOCK, PDEVICE_OBJECT);
#endif

static NTSTATUS EmuCallDispatchRoutine(PDRIVER_DISPATCH routine, PDEVICE_OBJECT device, PIRP irp)
{
#if defined(__x86_64__)
    if (EmuPeImageContains((const void *)routine)) {
        return ((EMU_MS_DISPATCH)(void *)routine)(device, irp);
    }
#endif
    return routine(device, irp);
}

static BOOLEAN EmuCallFastIoDeviceControl(PFAST_IO_DEVICE_CONTROL routine, PFILE_OBJECT fo, PVOID in, ULONG inLength, PVOID out,
                                          ULONG outLength, ULONG code, PIO_STATUS_BLOCK iosb, PDEVICE_OBJECT device)
{
#if defined(__x86_64__)
    if (EmuPeImageContains((const void *)routine)) {
        return ((EMU_MS_FAST_IO_DEVICE_CONTROL)(void *)routine)(fo, TRUE, in, inLength, out, outLength, code, iosb, device);
    }
#endif
    return routine(fo, TRUE, in, inLength, out, outLength, code, iosb, device);
}

/* ---- names ---- */
static WCHAR EmuFold(WCHAR c) { return (c >= 'a' && c <= 'z') ? (WCHAR)(c - 'a' + 'A') : c; }

static int EmuNameEqI(const WCHAR *a, size_t aChars, const WCHAR *b, size_t bChars)
{
    if (aChars != bChars) {
        return 0;
    }
    for (size_t i = 0; i < aChars; i++) {
        if (EmuFold(a[i]) != EmuFold(b[i])) {
            return 0;
        }
    }
    return 1;
}

static int EmuIsObjectDirectory(const WCHAR *name, size_t chars)
{
    for (size_t i = 0; i < RTL_NUMBER_OF(g_objectDirectories); i++) {
        WCHAR w[64];
        size_t n = EmuUtf8ToWide(g_objectDirectories[i], w, RTL_NUMBER_OF(w));
        if (EmuNameEqI(name, chars, w, n)) {
            return 1;
        }
    }
    return 0;
}

/* The device whose name is name or a prefix of it ending at a '\' (lock held); *restAt: where the rest starts. */
static EMU_DEVICE *EmuDeviceByName(const WCHAR *name, size_t chars, size_t *restAt)
{
    for (PLIST_ENTRY e = g_devices.Flink; e != &g_devices; e = e->Flink) {
        EMU_DEVICE *d = CONTAINING_RECORD(e, EMU_DEVICE, Link);
        size_t n = d->NameChars;
        if (n == 0 || chars < n || (chars > n && name[n] != '\\')) {
            continue;
        }
        if (EmuNameEqI(name, n, d->Name, n)) {
            *restAt = n;
            return d;
        }
    }
    return NULL;
}

static EMU_DEVICE *EmuDeviceFromObject(PDEVICE_OBJECT device)
{
    for (PLIST_ENTRY e = g_devices.Flink; e != &g_devices; e = e->Flink) {
        EMU_DEVICE *d = CONTAINING_RECORD(e, EMU_DEVICE, Link);
        if (&d->Box.Device == device) {
            return d;
        }
    }
    return NULL;
}

/* ---- IoCreateDevice / IoDeleteDevice ---- */
NTSTATUS IoCreateDevice(PDRIVER_OBJECT DriverObject, ULONG DeviceExtensionSize, PUNICODE_STRING DeviceName, DEVICE_TYPE DeviceType,
                        ULONG DeviceCharacteristics, BOOLEAN Exclusive, PDEVICE_OBJECT *DeviceObject)
{
    if (!EmuRequireIrql("IoCreateDevice", PASSIVE_LEVEL)) {
        return STATUS_INVALID_DEVICE_STATE;
    }
    if (DriverObject == NULL || DriverObject->Type != 4 /* IO_TYPE_DRIVER */ || DeviceObject == NULL) {
        EmuViolation("IoCreateDevice(%p, ..., %p): not a driver object, or no place for the device object",
                     (void *)DriverObject, (void *)DeviceObject);
        return STATUS_INVALID_PARAMETER;
    }
    *DeviceObject = NULL;
    size_t chars = 0;
    if (DeviceName != NULL) {
        if ((DeviceName->Length & 1) != 0 || DeviceName->Length > DeviceName->MaximumLength ||
            (DeviceName->Length > 0 && DeviceName->Buffer == NULL)) {
            EmuViolation("IoCreateDevice: DeviceName is not a valid UNICODE_STRING (Length %u, MaximumLength %u)",
                         DeviceName->Length, DeviceName->MaximumLength);
            return STATUS_INVALID_PARAMETER;
        }
        chars = DeviceName->Length / sizeof(WCHAR);
        if (chars == 0 || DeviceName->Buffer[0] != '\\') {
            return STATUS_OBJECT_PATH_SYNTAX_BAD;       /* "The string must be a full path name." */
        }
        if (chars >= RTL_NUMBER_OF(((EMU_DEVICE *)0)->Name) || DeviceName->Buffer[chars - 1] == '\\') {
            return STATUS_OBJECT_NAME_INVALID;
        }
        size_t dir = chars;
        while (dir > 0 && DeviceName->Buffer[dir - 1] != '\\') {
            dir--;
        }
        if (dir <= 1 || !EmuIsObjectDirectory(DeviceName->Buffer, dir - 1)) {
            return STATUS_OBJECT_PATH_NOT_FOUND;
        }
    }
    EMU_DEVICE *d = calloc(1, sizeof(*d));
    if (d == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    if (DeviceExtensionSize > 0) {
        d->Extension = aligned_alloc(16, (DeviceExtensionSize + 15u) & ~15u);
        if (d->Extension == NULL) {
            free(d);
            return STATUS_INSUFFICIENT_RESOURCES;
        }
        memset(d->Extension, 0, DeviceExtensionSize);   /* "The device extension is zeroed." */
    }
    char utf8[EMU_MAX_PATH], label[120];
    if (chars > 0) {
        memcpy(d->Name, DeviceName->Buffer, chars * sizeof(WCHAR));
        EmuWideToUtf8(d->Name, chars, utf8, sizeof(utf8));
        snprintf(label, sizeof(label), "device object %.100s", utf8);
    } else {
        snprintf(label, sizeof(label), "unnamed device object");
    }
    PDEVICE_OBJECT dev = &d->Box.Device;
    dev->Type = IO_TYPE_DEVICE;
    dev->Size = (USHORT)(sizeof(DEVICE_OBJECT) + DeviceExtensionSize);
    dev->DriverObject = DriverObject;
    dev->DeviceExtension = d->Extension;
    dev->DeviceType = DeviceType;
    dev->Characteristics = DeviceCharacteristics;
    dev->StackSize = 1;
    dev->AlignmentRequirement = 0;
    dev->SectorSize = 0;
    dev->Flags = DO_DEVICE_INITIALIZING | (chars > 0 ? DO_DEVICE_HAS_NAME : 0) | (Exclusive ? DO_EXCLUSIVE : 0);
    KeInitializeEvent(&dev->DeviceLock, SynchronizationEvent, TRUE);
    EmuLock();
    size_t restAt = 0;
    EMU_DEVICE *same = chars > 0 ? EmuDeviceByName(d->Name, chars, &restAt) : NULL;
    if (same != NULL && restAt == chars) {
        EmuUnlock();
        free(d->Extension);
        free(d);
        return STATUS_OBJECT_NAME_COLLISION;
    }
    EmuUnlock();
    if (chars > 0) {
        UNICODE_STRING n = { (USHORT)(chars * sizeof(WCHAR)), (USHORT)(chars * sizeof(WCHAR)), d->Name };
        USHORT prefix = 0;
        if (EmuVolumeByName(&n, &prefix) != NULL && prefix == n.Length) {
            free(d->Extension);
            free(d);
            return STATUS_OBJECT_NAME_COLLISION;    /* a volume's device object has that name */
        }
    }
    EmuObjInit(&d->Box.Hdr, EMU_OBJ_DEVICE, label);
    EmuLock();
    d->NameChars = (USHORT)chars;
    InsertTailList(&g_devices, &d->Link);
    dev->NextDevice = DriverObject->DeviceObject;   /* the driver's list of its device objects, newest first */
    DriverObject->DeviceObject = dev;
    EmuUnlock();
    *DeviceObject = dev;
    return STATUS_SUCCESS;
}

static void EmuDeviceFree(EMU_DEVICE *d)
{
    EmuObjUnlink(&d->Box.Hdr);
    free(d->Extension);
    free(d);
}

/* Frees d once it is deleted and no file object is left on it (lock held on entry, released). */
static void EmuDeviceFreeIfUnusedAndUnlock(EMU_DEVICE *d)
{
    if (!d->Deleted || d->OpenFiles > 0) {
        EmuUnlock();
        return;
    }
    RemoveEntryList(&d->Link);
    EmuUnlock();
    EmuDeviceFree(d);
}

VOID IoDeleteDevice(PDEVICE_OBJECT DeviceObject)
{
    EmuRequireIrql("IoDeleteDevice", APC_LEVEL);
    EmuLock();
    EMU_DEVICE *d = EmuDeviceFromObject(DeviceObject);
    if (d == NULL || d->Deleted) {
        EmuUnlock();
        EmuViolation("IoDeleteDevice(%p): %s", (void *)DeviceObject,
                     d != NULL ? "deleted twice (a driver can call IoDeleteDevice only once for a given device object)"
                               : "not a device object created by IoCreateDevice (or already deleted)");
        return;
    }
    d->Deleted = 1;
    d->NameChars = 0;       /* the name goes now: nobody can open it any more */
    PDRIVER_OBJECT driver = DeviceObject->DriverObject;
    for (PDEVICE_OBJECT *p = &driver->DeviceObject; *p != NULL; p = &(*p)->NextDevice) {
        if (*p == DeviceObject) {
            *p = DeviceObject->NextDevice;
            break;
        }
    }
    EmuDeviceFreeIfUnusedAndUnlock(d);
}

void EmuDevicesAfterDriverEntry(PDRIVER_OBJECT driver)
{
    /* "The I/O Manager clears DO_DEVICE_INITIALIZING for any device object that the driver creates in its DriverEntry routine." */
    EmuLock();
    for (PDEVICE_OBJECT d = driver->DeviceObject; d != NULL; d = d->NextDevice) {
        d->Flags &= ~(ULONG)DO_DEVICE_INITIALIZING;
    }
    EmuUnlock();
}

void EmuDevicesCheckLeaks(void)
{
    for (;;) {
        EMU_DEVICE *leak = NULL;
        EmuLock();
        for (PLIST_ENTRY e = g_devices.Flink; e != &g_devices; e = e->Flink) {
            EMU_DEVICE *d = CONTAINING_RECORD(e, EMU_DEVICE, Link);
            if (!d->Deleted) {
                leak = d;
                break;
            }
        }
        EmuUnlock();
        if (leak == NULL) {
            return;
        }
        EmuViolation("device object leak: the %s created by IoCreateDevice was never deleted with IoDeleteDevice",
                     leak->Box.Hdr.Name);
        IoDeleteDevice(&leak->Box.Device);
    }
}

/* ---- IRPs ---- */
static const char *EmuIrpMajorName(UCHAR m)
{
    static const char *const names[] = {
        "IRP_MJ_CREATE", "IRP_MJ_CREATE_NAMED_PIPE", "IRP_MJ_CLOSE", "IRP_MJ_READ", "IRP_MJ_WRITE", "IRP_MJ_QUERY_INFORMATION",
        "IRP_MJ_SET_INFORMATION", "IRP_MJ_QUERY_EA", "IRP_MJ_SET_EA", "IRP_MJ_FLUSH_BUFFERS", "IRP_MJ_QUERY_VOLUME_INFORMATION",
        "IRP_MJ_SET_VOLUME_INFORMATION", "IRP_MJ_DIRECTORY_CONTROL", "IRP_MJ_FILE_SYSTEM_CONTROL", "IRP_MJ_DEVICE_CONTROL",
        "IRP_MJ_INTERNAL_DEVICE_CONTROL", "IRP_MJ_SHUTDOWN", "IRP_MJ_LOCK_CONTROL", "IRP_MJ_CLEANUP", "IRP_MJ_CREATE_MAILSLOT",
        "IRP_MJ_QUERY_SECURITY", "IRP_MJ_SET_SECURITY", "IRP_MJ_POWER", "IRP_MJ_SYSTEM_CONTROL", "IRP_MJ_DEVICE_CHANGE",
        "IRP_MJ_QUERY_QUOTA", "IRP_MJ_SET_QUOTA", "IRP_MJ_PNP" };
    return m < RTL_NUMBER_OF(names) ? names[m] : "IRP_MJ_?";
}

static EMU_IRP *EmuIrpAlloc(EMU_DEVFILE *f, UCHAR major, UCHAR minor, ULONG irpFlags)
{
    EMU_IRP *ei = calloc(1, sizeof(*ei));
    PIRP irp = &ei->Irp;
    irp->Type = IO_TYPE_IRP;
    irp->Size = (USHORT)(sizeof(IRP) + sizeof(IO_STACK_LOCATION));
    irp->StackCount = 1;
    irp->CurrentLocation = 1;   /* IoCallDriver has moved it to the device's (only) stack location */
    irp->Flags = irpFlags;
    irp->RequestorMode = UserMode;
    irp->IoStatus.Status = STATUS_PENDING;  /* what the I/O manager finds until the driver completes it */
    InitializeListHead(&irp->ThreadListEntry);
    irp->Tail.Overlay.Thread = PsGetCurrentThread();
    irp->Tail.Overlay.OriginalFileObject = &f->Fo;
    irp->Tail.Overlay.CurrentStackLocation = &ei->Stack[0];
    PIO_STACK_LOCATION sp = &ei->Stack[0];
    sp->MajorFunction = major;
    sp->MinorFunction = minor;
    sp->DeviceObject = &f->Device->Box.Device;
    sp->FileObject = &f->Fo;
    ei->Major = EmuIrpMajorName(major);
    EmuLock();
    InsertTailList(&g_irps, &ei->Link);
    EmuUnlock();
    return ei;
}

VOID IofCompleteRequest(PIRP Irp, CCHAR PriorityBoost)
{
    UNREFERENCED_PARAMETER(PriorityBoost);
    EmuRequireIrql("IoCompleteRequest", DISPATCH_LEVEL);
    EmuLock();
    EMU_IRP *ei = NULL;
    for (PLIST_ENTRY e = g_irps.Flink; e != &g_irps; e = e->Flink) {
        if (&CONTAINING_RECORD(e, EMU_IRP, Link)->Irp == Irp) {
            ei = CONTAINING_RECORD(e, EMU_IRP, Link);
            break;
        }
    }
    if (ei == NULL) {
        EmuUnlock();
        EmuViolation("IoCompleteRequest(%p): not an IRP the I/O manager sent to the driver (or completed and gone)", (void *)Irp);
        return;
    }
    if (ei->Completed) {
        EmuUnlock();
        EmuViolation("IoCompleteRequest: the %s IRP %p was completed twice (bug check 0x44 MULTIPLE_IRP_COMPLETE_REQUESTS)",
                     ei->Major, (void *)Irp);
        return;
    }
    if (Irp->IoStatus.Status == STATUS_PENDING) {
        EmuUnlock();
        EmuViolation("IoCompleteRequest: the %s IRP %p completed with IoStatus.Status STATUS_PENDING (a final status is required)",
                     ei->Major, (void *)Irp);
        EmuLock();
    }
    ei->Completed = 1;
    EmuBroadcast();
    EmuUnlock();
}

/*
 * Sends an IRP to the device's driver as IoCallDriver does and waits for its
 * completion; returns the final IoStatus.Status (and the IRP, for Information).
 */
static NTSTATUS EmuSendIrp(EMU_DEVFILE *f, EMU_IRP *ei)
{
    PDEVICE_OBJECT dev = &f->Device->Box.Device;
    PIRP irp = &ei->Irp;
    UCHAR major = ei->Stack[0].MajorFunction;
    PDRIVER_DISPATCH routine = dev->DriverObject->MajorFunction[major];
    if (routine == NULL) {
        /* The I/O manager fills a new driver object's table with its own routine, which fails the request. */
        irp->IoStatus.Status = STATUS_INVALID_DEVICE_REQUEST;
        irp->IoStatus.Information = 0;
        ei->Completed = 1;
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    KIRQL saved = KeGetCurrentIrql();
    EmuSetIrql(PASSIVE_LEVEL);
    NTSTATUS returned = EmuCallDispatchRoutine(routine, dev, irp);
    KIRQL after = KeGetCurrentIrql();
    if (after != PASSIVE_LEVEL) {
        EmuViolation("the dispatch routine for %s of the %s returned at IRQL %u (it was called at PASSIVE_LEVEL)",
                     ei->Major, f->Device->Box.Hdr.Name, after);
    }
    EmuSetIrql(saved);
    EmuLock();
    int completed = ei->Completed;
    EmuUnlock();
    if (returned == STATUS_PENDING) {
        if (!(ei->Stack[0].Control & SL_PENDING_RETURNED)) {
            EmuViolation("the dispatch routine for %s of the %s returned STATUS_PENDING without IoMarkIrpPending",
                         ei->Major, f->Device->Box.Hdr.Name);
        }
        EmuLock();
        uint64_t limit = EmuNowNs() + 10ull * 1000000000ull;
        while (!ei->Completed && EmuWaitUntil(limit)) {
        }
        completed = ei->Completed;
        EmuUnlock();
        if (!completed) {
            EmuViolation("the %s IRP the dispatch routine of the %s pended was not completed within 10 s (IoCompleteRequest)",
                         ei->Major, f->Device->Box.Hdr.Name);
            irp->IoStatus.Status = STATUS_CANCELLED;
        }
        return irp->IoStatus.Status;
    }
    if (!completed) {
        EmuViolation("the dispatch routine for %s of the %s returned 0x%08x without completing the IRP (IoCompleteRequest) "
                     "or returning STATUS_PENDING: the IRP is lost and its caller waits forever",
                     ei->Major, f->Device->Box.Hdr.Name, (unsigned)returned);
        irp->IoStatus.Status = returned;
    }
    return irp->IoStatus.Status;
}

static void EmuIrpFree(EMU_IRP *ei)
{
    EmuLock();
    RemoveEntryList(&ei->Link);
    EmuUnlock();
    free(ei);
}

/* ---- device file objects ---- */
/* Drops one reference; the last one sends IRP_MJ_CLOSE (if the create succeeded) and frees the file object. */
static void EmuDevFileRelease(EMU_DEVFILE *f)
{
    EmuLock();
    long left = --f->Hdr.Refs;
    EmuUnlock();
    if (left > 0) {
        return;
    }
    if (f->HandleOpen || f->CleanedUp) {
        EMU_IRP *ei = EmuIrpAlloc(f, IRP_MJ_CLOSE, 0, IRP_CLOSE_OPERATION | IRP_SYNCHRONOUS_API);
        EmuSendIrp(f, ei);
        EmuIrpFree(ei);
    }
    f->Closed = 1;
    EMU_DEVICE *d = f->Device;
    EmuLock();
    RemoveEntryList(&f->Link);
    d->OpenFiles--;
    d->Box.Device.ReferenceCount--;
    d->Box.Hdr.Refs--;
    EmuDeviceFreeIfUnusedAndUnlock(d);
    EmuObjUnlink(&f->Hdr);
    free(f);
}

/* ObDereferenceObject of a device file object the driver had referenced (emu_core.c). */
void EmuDevFileObDereferenced(EMU_OBJ *h)
{
    EMU_DEVFILE *f = CONTAINING_RECORD(h, EMU_DEVFILE, Hdr);
    EmuLock();
    long left = f->Hdr.Refs;
    if (left <= 0) {
        f->Hdr.Refs = 1;    /* EmuObjDriverRef already took it off: let EmuDevFileRelease take the last one */
    }
    EmuUnlock();
    if (left <= 0) {
        EmuDevFileRelease(f);
    }
}

static EMU_DEVFILE *EmuDevHandleGet(uint64_t h, int remove)
{
    uint64_t i = h - EMU_DEVICE_HANDLE_BASE - 1;
    if (h <= EMU_DEVICE_HANDLE_BASE || i >= EMU_MAX_DEVICE_HANDLES) {
        return NULL;
    }
    ULONG pid = (ULONG)(ULONG_PTR)PsGetCurrentProcessId();
    EmuLock();
    EMU_DEVFILE *f = g_devHandles[i].File;
    if (f != NULL && g_devHandles[i].Pid != pid) {
        f = NULL;           /* a handle means something only in its own process */
    }
    if (f != NULL && remove) {
        g_devHandles[i].File = NULL;
    }
    if (f != NULL && !remove) {
        f->Hdr.Refs++;      /* the I/O manager's reference for the request */
    }
    EmuUnlock();
    return f;
}

int32_t EmuDeviceOpen(const char *ntName, uint32_t desiredAccess, uint32_t shareAccess, uint32_t disposition, uint32_t createOptions,
                      uint64_t *handle, uint64_t *information)
{
    if (handle != NULL) {
        *handle = 0;
    }
    if (information != NULL) {
        *information = 0;
    }
    if (ntName == NULL || handle == NULL) {
        return (int32_t)STATUS_INVALID_PARAMETER;
    }
    if (disposition > FILE_MAXIMUM_DISPOSITION || (createOptions & ~FILE_VALID_OPTION_FLAGS) || (shareAccess & ~FILE_SHARE_VALID_FLAGS)) {
        return (int32_t)STATUS_INVALID_PARAMETER;   /* the I/O manager's own checks */
    }
    WCHAR w[EMU_MAX_PATH];
    size_t chars = EmuUtf8ToWide(ntName, w, RTL_NUMBER_OF(w));
    UNICODE_STRING n = { (USHORT)(chars * sizeof(WCHAR)), (USHORT)(chars * sizeof(WCHAR)), w };
    USHORT prefix = 0;
    if (EmuVolumeByName(&n, &prefix) != NULL) {
        return (int32_t)STATUS_INVALID_PARAMETER;   /* a volume: EmuFileOpen, through the Filter Manager */
    }
    size_t restAt = 0;
    EmuLock();
    EMU_DEVICE *d = EmuDeviceByName(w, chars, &restAt);
    if (d == NULL) {
        EmuUnlock();
        return (int32_t)STATUS_OBJECT_NAME_NOT_FOUND;
    }
    if (d->Box.Device.Flags & DO_DEVICE_INITIALIZING) {
        EmuUnlock();
        return (int32_t)STATUS_NO_SUCH_DEVICE;      /* the I/O manager opens no device still initializing */
    }
    if ((d->Box.Device.Flags & DO_EXCLUSIVE) && d->OpenFiles > 0) {
        EmuUnlock();
        return (int32_t)STATUS_ACCESS_DENIED;       /* an exclusive device: one open file object at a time */
    }
    /* The file object holds a reference on the device object until it is closed. */
    d->OpenFiles++;
    d->Box.Device.ReferenceCount++;
    d->Box.Hdr.Refs++;
    EmuUnlock();

    EMU_DEVFILE *f = calloc(1, sizeof(*f));
    char label[120];
    snprintf(label, sizeof(label), "file object of the %.100s", d->Box.Hdr.Name);
    EmuObjInit(&f->Hdr, EMU_OBJ_DEVICE_FILE, label);
    f->Device = d;
    size_t restChars = chars - restAt;
    memcpy(f->Name, w + restAt, restChars * sizeof(WCHAR));
    f->Fo.Type = IO_TYPE_FILE;
    f->Fo.Size = (CSHORT)sizeof(FILE_OBJECT);
    f->Fo.DeviceObject = &d->Box.Device;
    f->Fo.FileName.Buffer = f->Name;
    f->Fo.FileName.Length = (USHORT)(restChars * sizeof(WCHAR));
    f->Fo.FileName.MaximumLength = (USHORT)sizeof(f->Name);
    f->Fo.Flags = (createOptions & (FILE_SYNCHRONOUS_IO_ALERT | FILE_SYNCHRONOUS_IO_NONALERT)) ? FO_SYNCHRONOUS_IO : 0;
    KeInitializeEvent(&f->Fo.Event, NotificationEvent, FALSE);
    KeInitializeEvent(&f->Fo.Lock, SynchronizationEvent, FALSE);
    InitializeListHead(&f->Fo.IrpList);
    EmuLock();
    InsertTailList(&g_devfiles, &f->Link);
    EmuUnlock();

    IO_SECURITY_CONTEXT security;
    ACCESS_STATE accessState;
    memset(&security, 0, sizeof(security));
    memset(&accessState, 0, sizeof(accessState));
    security.DesiredAccess = EmuMapGenericAccess(desiredAccess);
    security.AccessState = &accessState;
    accessState.OriginalDesiredAccess = accessState.RemainingDesiredAccess = security.DesiredAccess;
    EMU_IRP *ei = EmuIrpAlloc(f, IRP_MJ_CREATE, 0, IRP_CREATE_OPERATION | IRP_SYNCHRONOUS_API);
    ei->Stack[0].Parameters.Create.SecurityContext = &security;
    ei->Stack[0].Parameters.Create.Options = (disposition << 24) | createOptions;
    ei->Stack[0].Parameters.Create.ShareAccess = (USHORT)shareAccess;
    NTSTATUS s = EmuSendIrp(f, ei);
    if (information != NULL) {
        *information = ei->Irp.IoStatus.Information;
    }
    EmuIrpFree(ei);
    if (!NT_SUCCESS(s)) {
        EmuDevFileRelease(f);       /* the driver failed the create: no cleanup or close for it */
        return (int32_t)s;
    }
    f->Fo.Flags |= FO_HANDLE_CREATED;
    EmuLock();
    int slot = -1;
    for (int i = 0; i < EMU_MAX_DEVICE_HANDLES && slot < 0; i++) {
        if (g_devHandles[i].File == NULL) {
            slot = i;
            g_devHandles[i].File = f;
            g_devHandles[i].Pid = (ULONG)(ULONG_PTR)PsGetCurrentProcessId();
        }
    }
    f->HandleOpen = slot >= 0;
    EmuUnlock();
    if (slot < 0) {
        f->HandleOpen = 1;          /* no handle after a successful create: as the I/O manager, clean up and close */
        EMU_IRP *c = EmuIrpAlloc(f, IRP_MJ_CLEANUP, 0, IRP_CLOSE_OPERATION | IRP_SYNCHRONOUS_API);
        EmuSendIrp(f, c);
        EmuIrpFree(c);
        f->CleanedUp = 1;
        EmuDevFileRelease(f);
        return (int32_t)STATUS_INSUFFICIENT_RESOURCES;
    }
    *handle = EMU_DEVICE_HANDLE_BASE + 1u + (uint64_t)slot;
    return (int32_t)s;
}

int32_t EmuDeviceClose(uint64_t handle)
{
    EMU_DEVFILE *f = EmuDevHandleGet(handle, 1);
    if (f == NULL) {
        return (int32_t)STATUS_INVALID_HANDLE;
    }
    /* The last handle: IRP_MJ_CLEANUP now; IRP_MJ_CLOSE when the last reference goes (an IRP in flight keeps one). */
    EMU_IRP *ei = EmuIrpAlloc(f, IRP_MJ_CLEANUP, 0, IRP_CLOSE_OPERATION | IRP_SYNCHRONOUS_API);
    EmuSendIrp(f, ei);
    EmuIrpFree(ei);
    f->CleanedUp = 1;
    f->HandleOpen = 0;
    f->Fo.Flags |= FO_CLEANUP_COMPLETE;
    EmuDevFileRelease(f);
    return 0;
}

/* A request on an open handle: read, write, FSCTL or IOCTL, buffered as the I/O manager buffers it. */
static NTSTATUS EmuDeviceRequest(uint64_t handle, UCHAR major, UCHAR minor, uint32_t code, int64_t offset, void *buffer,
                                 uint32_t inputLength, uint32_t outputLength, uint32_t *returned)
{
    if (returned != NULL) {
        *returned = 0;
    }
    EMU_DEVFILE *f = EmuDevHandleGet(handle, 0);
    if (f == NULL) {
        return STATUS_INVALID_HANDLE;
    }
    PDEVICE_OBJECT dev = &f->Device->Box.Device;
    int control = major == IRP_MJ_FILE_SYSTEM_CONTROL || major == IRP_MJ_DEVICE_CONTROL;
    int buffered = control ? (code & 3) == METHOD_BUFFERED : (dev->Flags & DO_BUFFERED_IO) != 0;
    NTSTATUS s;
    ULONG_PTR info = 0;
    void *system = NULL;
    if (buffered) {
        size_t size = inputLength > outputLength ? inputLength : outputLength;
        system = calloc(1, size > 0 ? size : 1);
        if (buffer != NULL && inputLength > 0 && major != IRP_MJ_READ) {
            memcpy(system, buffer, inputLength);
        }
    }
    if (major == IRP_MJ_DEVICE_CONTROL && dev->DriverObject->FastIoDispatch != NULL &&
        dev->DriverObject->FastIoDispatch->SizeOfFastIoDispatch > FIELD_OFFSET(FAST_IO_DISPATCH, FastIoDeviceControl) &&
        dev->DriverObject->FastIoDispatch->FastIoDeviceControl != NULL) {
        /* NtDeviceIoControlFile offers the request to the driver's fast I/O routine first, with the caller's buffers. */
        IO_STATUS_BLOCK iosb = { { STATUS_PENDING }, 0 };
        KIRQL saved = KeGetCurrentIrql();
        EmuSetIrql(PASSIVE_LEVEL);
        BOOLEAN done = EmuCallFastIoDeviceControl(dev->DriverObject->FastIoDispatch->FastIoDeviceControl, &f->Fo, buffer,
                                                  inputLength, buffer, outputLength, code, &iosb, dev);
        if (KeGetCurrentIrql() != PASSIVE_LEVEL) {
            EmuViolation("FastIoDeviceControl of the %s returned at IRQL %u (it was called at PASSIVE_LEVEL)",
                         f->Device->Box.Hdr.Name, KeGetCurrentIrql());
        }
        EmuSetIrql(saved);
        if (done) {
            if (iosb.Status == STATUS_PENDING) {
                EmuViolation("FastIoDeviceControl of the %s returned TRUE leaving IoStatus->Status STATUS_PENDING",
                             f->Device->Box.Hdr.Name);
            }
            free(system);
            if (returned != NULL) {
                *returned = (uint32_t)iosb.Information;
            }
            EmuDevFileRelease(f);
            return iosb.Status;
        }
    }
    EMU_IRP *ei = EmuIrpAlloc(f, major, minor, IRP_SYNCHRONOUS_API | (buffered ? IRP_BUFFERED_IO : 0) |
                              (major == IRP_MJ_READ ? IRP_READ_OPERATION | IRP_INPUT_OPERATION : 0) |
                              (major == IRP_MJ_WRITE ? IRP_WRITE_OPERATION : 0));
    PIO_STACK_LOCATION sp = &ei->Stack[0];
    ei->Irp.AssociatedIrp.SystemBuffer = system;
    ei->Irp.UserBuffer = buffer;
    if (major == IRP_MJ_READ || major == IRP_MJ_WRITE) {
        sp->Parameters.Read.Length = major == IRP_MJ_READ ? outputLength : inputLength;
        sp->Parameters.Read.ByteOffset.QuadPart = offset;
    } else {
        sp->Parameters.DeviceIoControl.OutputBufferLength = outputLength;
        sp->Parameters.DeviceIoControl.InputBufferLength = inputLength;
        sp->Parameters.DeviceIoControl.IoControlCode = code;     /* FileSystemControl.FsControlCode: the same place */
        sp->Parameters.DeviceIoControl.Type3InputBuffer = (code & 3) == METHOD_NEITHER ? buffer : NULL;
    }
    s = EmuSendIrp(f, ei);
    info = ei->Irp.IoStatus.Information;
    EmuIrpFree(ei);
    if (buffered && buffer != NULL && !NT_ERROR(s) && major != IRP_MJ_WRITE) {
        /* The I/O manager copies Information bytes of the system buffer back to the caller's output buffer. */
        memcpy(buffer, system, info < outputLength ? info : outputLength);
    }
    free(system);
    if (returned != NULL) {
        *returned = (uint32_t)info;
    }
    EmuDevFileRelease(f);
    return s;
}

int32_t EmuDeviceRead(uint64_t handle, int64_t offset, void *buffer, uint32_t length, uint32_t *bytesRead)
{
    return (int32_t)EmuDeviceRequest(handle, IRP_MJ_READ, 0, 0, offset, buffer, 0, length, bytesRead);
}

int32_t EmuDeviceWrite(uint64_t handle, int64_t offset, const void *buffer, uint32_t length, uint32_t *bytesWritten)
{
    return (int32_t)EmuDeviceRequest(handle, IRP_MJ_WRITE, 0, 0, offset, (void *)buffer, length, 0, bytesWritten);
}

int32_t EmuDeviceFsControl(uint64_t handle, uint32_t fsControlCode, void *buffer, uint32_t inputLength, uint32_t outputLength,
                           uint32_t *returned)
{
    return (int32_t)EmuDeviceRequest(handle, IRP_MJ_FILE_SYSTEM_CONTROL, IRP_MN_USER_FS_REQUEST, fsControlCode, 0, buffer,
                                     inputLength, outputLength, returned);
}

int32_t EmuDeviceIoControl(uint64_t handle, uint32_t ioControlCode, void *buffer, uint32_t inputLength, uint32_t outputLength,
                           uint32_t *returned)
{
    return (int32_t)EmuDeviceRequest(handle, IRP_MJ_DEVICE_CONTROL, 0, ioControlCode, 0, buffer, inputLength, outputLength, returned);
}

int32_t EmuDeviceExists(const char *ntName)
{
    if (ntName == NULL) {
        return 0;
    }
    WCHAR w[EMU_MAX_PATH];
    size_t chars = EmuUtf8ToWide(ntName, w, RTL_NUMBER_OF(w));
    size_t restAt = 0;
    EmuLock();
    EMU_DEVICE *d = EmuDeviceByName(w, chars, &restAt);
    int r = d != NULL && restAt == chars;
    EmuUnlock();
    return r;
}

void EmuDevicesReset(void)
{
    EmuLock();
    memset(g_devHandles, 0, sizeof(g_devHandles));
    while (!IsListEmpty(&g_irps)) {
        PLIST_ENTRY e = RemoveHeadList(&g_irps);
        InitializeListHead(e);      /* an IRP a test abandoned: forgotten, its owner frees it */
    }
    while (!IsListEmpty(&g_devfiles)) {
        EMU_DEVFILE *f = CONTAINING_RECORD(RemoveHeadList(&g_devfiles), EMU_DEVFILE, Link);
        EmuUnlock();
        EmuObjUnlink(&f->Hdr);
        free(f);
        EmuLock();
    }
    while (!IsListEmpty(&g_devices)) {
        EMU_DEVICE *d = CONTAINING_RECORD(RemoveHeadList(&g_devices), EMU_DEVICE, Link);
        EmuUnlock();
        EmuDeviceFree(d);
        EmuLock();
    }
    EmuUnlock();
}
