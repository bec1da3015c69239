/*
 * test_devices.c - device objects a driver creates itself (emu_device.c): a
 * control device object opened by name, its IRPs through the driver's
 * dispatch table, its fast I/O table, and the caller's side of the contract
 * (IoCompleteRequest once, with a final status; a dispatch routine completes
 * or pends; IoDeleteDevice once, before the unload). A small driver object of
 * the test's own, no filter involved: as on Windows, a CDO is not a volume.
 */
#include "test_harness.h"
#include <pthread.h>
#include <string.h>

#define TD_NAME "\\Device\\EmuTestCdo"

typedef enum { TD_COMPLETE, TD_NO_COMPLETE, TD_COMPLETE_TWICE, TD_PEND, TD_PEND_UNMARKED, TD_COMPLETE_PENDING } TD_MODE;

static DRIVER_OBJECT g_drv;
static FAST_IO_DISPATCH g_fastIo;
static PDEVICE_OBJECT g_dev;
static TD_MODE g_mode;
static char g_seen[64];                 /* majors in order: C(reate) L(cleanup) X(close) F(sctl) D(evice control) R(ead) */
static WCHAR g_createName[64];
static ULONG g_createOptions;
static int g_irpLooksRight;             /* the stack location and IRP fields as a driver reads them */
static char g_systemIn[16];
static uint64_t g_handle;
static int g_closeInFsctl;
static char g_seenAtFsctlReturn[64];
static BOOLEAN g_fastIoAnswers;
static int g_fastIoCalls;

static void Seen(char c)
{
    size_t n = strlen(g_seen);
    if (n + 1 < sizeof(g_seen)) {
        g_seen[n] = c;
        g_seen[n + 1] = 0;
    }
}

static void *TdCompleter(void *irp)
{
    ((PIRP)irp)->IoStatus.Status = STATUS_SUCCESS;
    ((PIRP)irp)->IoStatus.Information = 7;
    IoCompleteRequest((PIRP)irp, IO_NO_INCREMENT);
    return NULL;
}

static NTSTATUS TdDispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(Irp);
    static const char letters[] = { [IRP_MJ_CREATE] = 'C', [IRP_MJ_CLEANUP] = 'L', [IRP_MJ_CLOSE] = 'X',
                                    [IRP_MJ_FILE_SYSTEM_CONTROL] = 'F', [IRP_MJ_DEVICE_CONTROL] = 'D', [IRP_MJ_READ] = 'R' };
    Seen(sp->MajorFunction < sizeof(letters) && letters[sp->MajorFunction] ? letters[sp->MajorFunction] : '?');
    g_irpLooksRight = Irp->Type == IO_TYPE_IRP && DeviceObject == g_dev && sp->DeviceObject == g_dev && sp->FileObject != NULL &&
                      sp->FileObject->DeviceObject == g_dev && Irp->Tail.Overlay.OriginalFileObject == sp->FileObject &&
                      Irp->CurrentLocation == 1 && Irp->StackCount == 1 && KeGetCurrentIrql() == PASSIVE_LEVEL;
    ULONG_PTR info = 0;
    if (sp->MajorFunction == IRP_MJ_CREATE) {
        size_t n = sp->FileObject->FileName.Length / sizeof(WCHAR);
        memset(g_createName, 0, sizeof(g_createName));
        memcpy(g_createName, sp->FileObject->FileName.Buffer, (n < 63 ? n : 63) * sizeof(WCHAR));
        g_createOptions = sp->Parameters.Create.Options;
        info = FILE_OPENED;
    } else if (sp->MajorFunction == IRP_MJ_FILE_SYSTEM_CONTROL) {
        memcpy(g_systemIn, Irp->AssociatedIrp.SystemBuffer, sp->Parameters.FileSystemControl.InputBufferLength);
        memcpy(Irp->AssociatedIrp.SystemBuffer, "answer", 6);
        info = 6;
        if (g_closeInFsctl) {
            EmuDeviceClose(g_handle);       /* the handle goes while the request is in the driver */
            memcpy(g_seenAtFsctlReturn, g_seen, sizeof(g_seen));
        }
    }
    switch (g_mode) {
    case TD_NO_COMPLETE:
        return STATUS_SUCCESS;
    case TD_PEND:
    case TD_PEND_UNMARKED: {
        if (g_mode == TD_PEND) {
            IoMarkIrpPending(Irp);
        }
        pthread_t t;
        pthread_create(&t, NULL, TdCompleter, Irp);
        pthread_join(t, NULL);              /* completed on another thread before the dispatch routine returns: allowed */
        return STATUS_PENDING;
    }
    case TD_COMPLETE_PENDING:
        IoMarkIrpPending(Irp);
        Irp->IoStatus.Status = STATUS_PENDING;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        return STATUS_PENDING;
    default:
        break;
    }
    NTSTATUS s = sp->MajorFunction == IRP_MJ_READ ? STATUS_INVALID_DEVICE_REQUEST : STATUS_SUCCESS;
    Irp->IoStatus.Status = s;
    Irp->IoStatus.Information = NT_SUCCESS(s) ? info : 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    if (g_mode == TD_COMPLETE_TWICE) {
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
    }
    return s;
}

static BOOLEAN TdFastIoDeviceControl(PFILE_OBJECT FileObject, BOOLEAN Wait, PVOID InputBuffer, ULONG InputBufferLength,
                                     PVOID OutputBuffer, ULONG OutputBufferLength, ULONG IoControlCode, PIO_STATUS_BLOCK IoStatus,
                                     PDEVICE_OBJECT DeviceObject)
{
    (void)FileObject; (void)Wait; (void)InputBuffer; (void)InputBufferLength; (void)OutputBuffer; (void)OutputBufferLength;
    (void)IoControlCode; (void)DeviceObject;
    g_fastIoCalls++;
    if (!g_fastIoAnswers) {
        return FALSE;
    }
    IoStatus->Status = STATUS_SUCCESS;
    IoStatus->Information = 3;
    return TRUE;
}

static void TdDriver(void)
{
    memset(&g_drv, 0, sizeof(g_drv));
    g_drv.Type = 4;
    g_drv.Size = sizeof(g_drv);
    for (int i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; i++) {
        g_drv.MajorFunction[i] = TdDispatch;
    }
    memset(&g_fastIo, 0, sizeof(g_fastIo));
    g_fastIo.SizeOfFastIoDispatch = sizeof(g_fastIo);
    g_fastIo.FastIoDeviceControl = TdFastIoDeviceControl;
    g_drv.FastIoDispatch = &g_fastIo;
    g_mode = TD_COMPLETE;
    g_seen[0] = 0;
    g_closeInFsctl = 0;
    g_fastIoAnswers = FALSE;
    g_fastIoCalls = 0;
}

/* A CDO named TD_NAME, ready for opens (as after DriverEntry). */
static void TdCreate(BOOLEAN exclusive)
{
    TdDriver();
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, L"\\Device\\EmuTestCdo");
    CHECK_EQ(IoCreateDevice(&g_drv, 0, &name, FILE_DEVICE_DISK_FILE_SYSTEM, FILE_DEVICE_SECURE_OPEN, exclusive, &g_dev), STATUS_SUCCESS);
    g_dev->Flags &= ~DO_DEVICE_INITIALIZING;
}

static int32_t TdOpen(const char *name, uint64_t *h)
{
    uint64_t info = 0;
    return EmuDeviceOpen(name, GENERIC_READ | SYNCHRONIZE, 0, FILE_OPEN, FILE_SYNCHRONOUS_IO_NONALERT, h, &info);
}

static void test_create_device_names_and_object(void)
{
    TdDriver();
    UNICODE_STRING name;
    PDEVICE_OBJECT a = NULL, b = NULL, c = (PDEVICE_OBJECT)1;
    RtlInitUnicodeString(&name, L"\\Device\\EmuTestCdo");
    CHECK_EQ(IoCreateDevice(&g_drv, 24, &name, FILE_DEVICE_DISK_FILE_SYSTEM, 0, FALSE, &a), STATUS_SUCCESS);
    CHECK(a != NULL && a->DriverObject == &g_drv && g_drv.DeviceObject == a && a->StackSize == 1 && a->Type == IO_TYPE_DEVICE);
    CHECK(a->DeviceExtension != NULL && ((UCHAR *)a->DeviceExtension)[0] == 0 && ((UCHAR *)a->DeviceExtension)[23] == 0);
    CHECK((a->Flags & DO_DEVICE_INITIALIZING) && (a->Flags & DO_DEVICE_HAS_NAME));
    CHECK(EmuDeviceExists(TD_NAME) == 1);
    /* The same name again, in any case: a collision. */
    RtlInitUnicodeString(&name, L"\\device\\EMUTESTCDO");
    CHECK_EQ(IoCreateDevice(&g_drv, 0, &name, FILE_DEVICE_DISK_FILE_SYSTEM, 0, FALSE, &c), STATUS_OBJECT_NAME_COLLISION);
    CHECK(c == NULL);
    /* A name in an object directory that does not exist, and one that is not a full path. */
    RtlInitUnicodeString(&name, L"\\NoSuchDirectory\\X");
    CHECK_EQ(IoCreateDevice(&g_drv, 0, &name, FILE_DEVICE_DISK_FILE_SYSTEM, 0, FALSE, &c), STATUS_OBJECT_PATH_NOT_FOUND);
    RtlInitUnicodeString(&name, L"Device\\X");
    CHECK_EQ(IoCreateDevice(&g_drv, 0, &name, FILE_DEVICE_DISK_FILE_SYSTEM, 0, FALSE, &c), STATUS_OBJECT_PATH_SYNTAX_BAD);
    /* Unnamed: no extension asked, none given; the newest device heads the driver's list. */
    CHECK_EQ(IoCreateDevice(&g_drv, 0, NULL, FILE_DEVICE_DISK_FILE_SYSTEM, 0, FALSE, &b), STATUS_SUCCESS);
    CHECK(b->DeviceExtension == NULL && g_drv.DeviceObject == b && b->NextDevice == a && !(b->Flags & DO_DEVICE_HAS_NAME));
    IoDeleteDevice(a);
    CHECK(g_drv.DeviceObject == b && b->NextDevice == NULL);
    CHECK(EmuDeviceExists(TD_NAME) == 0);
    IoDeleteDevice(b);
    CHECK(g_drv.DeviceObject == NULL);
}

static void test_initializing_device_cannot_be_opened(void)
{
    TdDriver();
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, L"\\Device\\EmuTestCdo");
    CHECK_EQ(IoCreateDevice(&g_drv, 0, &name, FILE_DEVICE_DISK_FILE_SYSTEM, 0, FALSE, &g_dev), STATUS_SUCCESS);
    uint64_t h = 0;
    CHECK_EQ(TdOpen(TD_NAME, &h), STATUS_NO_SUCH_DEVICE);
    CHECK(g_seen[0] == 0);                  /* the driver never saw it */
    EmuDevicesAfterDriverEntry(&g_drv);     /* what the I/O manager does once DriverEntry returns */
    CHECK(!(g_dev->Flags & DO_DEVICE_INITIALIZING));
    CHECK_EQ(TdOpen(TD_NAME, &h), STATUS_SUCCESS);
    CHECK_EQ(EmuDeviceClose(h), 0);
    IoDeleteDevice(g_dev);
}

static void test_open_cleanup_close_reach_the_dispatch_routines(void)
{
    TdCreate(FALSE);
    uint64_t h = 0, info = 0;
    CHECK_EQ(EmuDeviceOpen(TD_NAME "\\sub\\name", GENERIC_READ, 0, FILE_OPEN, FILE_SYNCHRONOUS_IO_NONALERT, &h, &info), STATUS_SUCCESS);
    CHECK(h != 0 && info == FILE_OPENED && g_irpLooksRight);
    CHECK(memcmp(g_createName, L"\\sub\\name", 10 * sizeof(WCHAR)) == 0);    /* the rest of the name, for the driver */
    CHECK_EQ(g_createOptions, (FILE_OPEN << 24) | FILE_SYNCHRONOUS_IO_NONALERT);
    CHECK_EQ(g_dev->ReferenceCount, 1);
    CHECK_EQ(EmuFileClose(h), STATUS_INVALID_HANDLE);        /* not a file-system handle */
    CHECK_EQ(EmuDeviceClose(h), 0);
    CHECK(strcmp(g_seen, "CLX") == 0);
    CHECK_EQ(g_dev->ReferenceCount, 0);
    CHECK_EQ(EmuDeviceClose(h), STATUS_INVALID_HANDLE);
    /* A name no device has, and a volume's name (EmuFileOpen's). */
    CHECK_EQ(TdOpen("\\Device\\NoSuchDevice", &h), STATUS_OBJECT_NAME_NOT_FOUND);
    CHECK_EQ(TdOpen("\\Device\\EmuTestCdoX", &h), STATUS_OBJECT_NAME_NOT_FOUND);
    EmuCreateVolume("\\Device\\HarddiskVolume1", 4, 0);
    CHECK_EQ(TdOpen("\\Device\\HarddiskVolume1", &h), STATUS_INVALID_PARAMETER);
    IoDeleteDevice(g_dev);
}

static void test_failed_create_gets_no_cleanup_or_close(void)
{
    TdCreate(FALSE);
    g_drv.MajorFunction[IRP_MJ_CREATE] = NULL;  /* the I/O manager's own routine: STATUS_INVALID_DEVICE_REQUEST */
    uint64_t h = 0;
    CHECK_EQ(TdOpen(TD_NAME, &h), STATUS_INVALID_DEVICE_REQUEST);
    CHECK(h == 0 && g_seen[0] == 0 && g_dev->ReferenceCount == 0);
    IoDeleteDevice(g_dev);
}

static void test_buffered_control_and_unsupported_read(void)
{
    TdCreate(FALSE);
    uint64_t h = 0;
    CHECK_EQ(TdOpen(TD_NAME, &h), STATUS_SUCCESS);
    char buffer[16] = "question";
    uint32_t n = 0;
    /* METHOD_BUFFERED: the driver reads the input from and writes the output to the system buffer. */
    CHECK_EQ(EmuDeviceFsControl(h, CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 0x800, METHOD_BUFFERED, FILE_ANY_ACCESS), buffer, 8, 16, &n),
             STATUS_SUCCESS);
    CHECK(memcmp(g_systemIn, "question", 8) == 0);
    CHECK(n == 6 && memcmp(buffer, "answer", 6) == 0);
    CHECK_EQ(EmuDeviceRead(h, 0, buffer, sizeof(buffer), &n), STATUS_INVALID_DEVICE_REQUEST);
    CHECK(n == 0);
    CHECK_EQ(EmuDeviceClose(h), 0);
    CHECK(strcmp(g_seen, "CFRLX") == 0);
    IoDeleteDevice(g_dev);
}

static void test_device_control_tries_fast_io_first(void)
{
    TdCreate(FALSE);
    uint64_t h = 0;
    uint32_t n = 0;
    char buffer[8] = { 0 };
    CHECK_EQ(TdOpen(TD_NAME, &h), STATUS_SUCCESS);
    g_fastIoAnswers = TRUE;
    CHECK_EQ(EmuDeviceIoControl(h, CTL_CODE(0x22, 0x801, METHOD_BUFFERED, FILE_ANY_ACCESS), buffer, 0, sizeof(buffer), &n),
             STATUS_SUCCESS);
    CHECK(n == 3 && g_fastIoCalls == 1 && strchr(g_seen, 'D') == NULL);   /* answered by fast I/O: no IRP */
    g_fastIoAnswers = FALSE;
    CHECK_EQ(EmuDeviceIoControl(h, CTL_CODE(0x22, 0x801, METHOD_BUFFERED, FILE_ANY_ACCESS), buffer, 0, sizeof(buffer), &n),
             STATUS_SUCCESS);
    CHECK(g_fastIoCalls == 2 && strchr(g_seen, 'D') != NULL);             /* FALSE: then the IRP */
    CHECK_EQ(EmuDeviceClose(h), 0);
    IoDeleteDevice(g_dev);
}

static void test_close_waits_for_a_request_in_flight(void)
{
    TdCreate(FALSE);
    CHECK_EQ(TdOpen(TD_NAME, &g_handle), STATUS_SUCCESS);
    g_closeInFsctl = 1;
    char buffer[8] = { 0 };
    uint32_t n = 0;
    CHECK_EQ(EmuDeviceFsControl(g_handle, CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 0x800, METHOD_BUFFERED, FILE_ANY_ACCESS), buffer, 0,
                                sizeof(buffer), &n), STATUS_SUCCESS);
    /* Cleanup came at once; the close only after the FSCTL had returned (it held the file object). */
    CHECK(strcmp(g_seenAtFsctlReturn, "CFL") == 0);
    CHECK(strcmp(g_seen, "CFLX") == 0);
    IoDeleteDevice(g_dev);
}

static void test_exclusive_device_one_open(void)
{
    TdCreate(TRUE);
    uint64_t h = 0, h2 = 0;
    CHECK(g_dev->Flags & DO_EXCLUSIVE);
    CHECK_EQ(TdOpen(TD_NAME, &h), STATUS_SUCCESS);
    CHECK_EQ(TdOpen(TD_NAME, &h2), STATUS_ACCESS_DENIED);
    CHECK(strcmp(g_seen, "C") == 0);
    CHECK_EQ(EmuDeviceClose(h), 0);
    CHECK_EQ(TdOpen(TD_NAME, &h2), STATUS_SUCCESS);
    CHECK_EQ(EmuDeviceClose(h2), 0);
    IoDeleteDevice(g_dev);
}

static void test_pended_irp_completed_elsewhere(void)
{
    TdCreate(FALSE);
    uint64_t h = 0;
    CHECK_EQ(TdOpen(TD_NAME, &h), STATUS_SUCCESS);
    g_mode = TD_PEND;
    char buffer[8] = { 0 };
    uint32_t n = 0;
    CHECK_EQ(EmuDeviceFsControl(h, CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 0x800, METHOD_BUFFERED, FILE_ANY_ACCESS), buffer, 0,
                                sizeof(buffer), &n), STATUS_SUCCESS);
    CHECK_EQ(n, 7);                         /* the completer's Information */
    g_mode = TD_COMPLETE;
    CHECK_EQ(EmuDeviceClose(h), 0);
    IoDeleteDevice(g_dev);
}

static void test_dispatch_contract_violations(void)
{
    TdCreate(FALSE);
    uint64_t h = 0;
    char buffer[8] = { 0 };
    uint32_t n = 0;
    ULONG code = CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 0x800, METHOD_BUFFERED, FILE_ANY_ACCESS);
    CHECK_EQ(TdOpen(TD_NAME, &h), STATUS_SUCCESS);

    g_mode = TD_NO_COMPLETE;
    EmuDeviceFsControl(h, code, buffer, 0, sizeof(buffer), &n);
    CHECK_VIOLATION("IRP_MJ_FILE_SYSTEM_CONTROL of the device object \\Device\\EmuTestCdo returned 0x00000000 without completing the IRP");

    g_mode = TD_COMPLETE_TWICE;
    EmuDeviceFsControl(h, code, buffer, 0, sizeof(buffer), &n);
    CHECK_VIOLATION("was completed twice (bug check 0x44 MULTIPLE_IRP_COMPLETE_REQUESTS)");

    g_mode = TD_PEND_UNMARKED;
    EmuDeviceFsControl(h, code, buffer, 0, sizeof(buffer), &n);
    CHECK_VIOLATION("returned STATUS_PENDING without IoMarkIrpPending");

    g_mode = TD_COMPLETE_PENDING;
    EmuDeviceFsControl(h, code, buffer, 0, sizeof(buffer), &n);
    CHECK_VIOLATION("completed with IoStatus.Status STATUS_PENDING");

    g_mode = TD_COMPLETE;
    IRP stray;
    memset(&stray, 0, sizeof(stray));
    IoCompleteRequest(&stray, IO_NO_INCREMENT);
    CHECK_VIOLATION("not an IRP the I/O manager sent to the driver");
    CHECK_EQ(EmuDeviceClose(h), 0);
    IoDeleteDevice(g_dev);
}

static void test_delete_rules_and_leak(void)
{
    TdCreate(FALSE);
    uint64_t h = 0;
    CHECK_EQ(TdOpen(TD_NAME, &h), STATUS_SUCCESS);
    /* Deleted while open: the name goes at once, the object when its file object is closed. */
    IoDeleteDevice(g_dev);
    CHECK(EmuDeviceExists(TD_NAME) == 0);
    uint64_t h2 = 0;
    CHECK_EQ(TdOpen(TD_NAME, &h2), STATUS_OBJECT_NAME_NOT_FOUND);
    CHECK_EQ(EmuDeviceClose(h), 0);
    CHECK(strcmp(g_seen, "CLX") == 0);      /* the driver still got its cleanup and close */
    IoDeleteDevice(g_dev);
    CHECK_VIOLATION("IoDeleteDevice(");

    /* A device object the driver never deletes is a leak at unload. */
    TdCreate(FALSE);
    EmuCheckLeaks();
    CHECK_VIOLATION("device object leak: the device object \\Device\\EmuTestCdo created by IoCreateDevice was never deleted");
    CHECK(EmuDeviceExists(TD_NAME) == 0);
}

const TEST_CASE g_deviceTests[] = {
    { "devices: IoCreateDevice names (collision, missing directory, not a full path), zeroed extension, the driver's list; IoDeleteDevice unlinks", test_create_device_names_and_object },
    { "devices: a device still DO_DEVICE_INITIALIZING cannot be opened; the I/O manager clears it after DriverEntry", test_initializing_device_cannot_be_opened },
    { "devices: open by name reaches IRP_MJ_CREATE (FileName = the rest), close sends cleanup then close", test_open_cleanup_close_reach_the_dispatch_routines },
    { "devices: a create the driver fails gets neither cleanup nor close", test_failed_create_gets_no_cleanup_or_close },
    { "devices: METHOD_BUFFERED control through the system buffer; an unsupported read fails", test_buffered_control_and_unsupported_read },
    { "devices: a device control goes to FastIoDeviceControl first, the IRP only if it returns FALSE", test_device_control_tries_fast_io_first },
    { "devices: IRP_MJ_CLOSE waits for a request in flight; cleanup does not", test_close_waits_for_a_request_in_flight },
    { "devices: an exclusive device has one open file object at a time", test_exclusive_device_one_open },
    { "devices: an IRP marked pending and completed on another thread", test_pended_irp_completed_elsewhere },
    { "devices: not completing, completing twice, pending unmarked, completing with STATUS_PENDING, a stray IRP", test_dispatch_contract_violations },
    { "devices: deleted while open lives until closed; IoDeleteDevice twice; a device never deleted is a leak", test_delete_rules_and_leak },
};
const size_t g_deviceTestsCount = sizeof(g_deviceTests) / sizeof(g_deviceTests[0]);
