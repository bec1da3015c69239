/*
 * checks/cdo.c - what Microsoft's cdo sample is for: a control device object
 * (\FileSystem\Filters\CdoSample) a process opens by name, whose IRPs reach
 * the sample's own dispatch routines (no Filter Manager instance: cdo attaches
 * to no volume). Observed through the I/O manager's answers (CdoOperations.c):
 *   - the create succeeds with FILE_OPENED; a second create while the first
 *     file object is open fails with STATUS_DEVICE_ALREADY_ATTACHED (one
 *     outstanding open at a time);
 *   - a file system control on the open handle succeeds; a read (no dispatch
 *     case) fails with STATUS_INVALID_DEVICE_REQUEST; a device control
 *     succeeds, because NtDeviceIoControlFile offers it to the sample's
 *     FastIoDeviceControl first, which handles it as its private control (the
 *     IRP_MJ_DEVICE_CONTROL IRP, had one been sent, would have been refused);
 *   - an optional unload while the CDO is open is refused with
 *     STATUS_FLT_DO_NOT_DETACH, the sample staying loaded;
 *   - cleanup and close clear its state: the CDO can be opened again;
 *   - the mandatory unload deletes the device object (IoDeleteDevice): its
 *     name is gone, and the emulator's leak check would name it otherwise.
 */
#include "harness.h"
#include "jmf_emu.h"

#define CDO_NAME "\\FileSystem\\Filters\\CdoSample"
#define STATUS_SUCCESS                 0x00000000u
#define STATUS_INVALID_DEVICE_REQUEST  0xC0000010u
#define STATUS_OBJECT_NAME_NOT_FOUND   0xC0000034u
#define STATUS_DEVICE_ALREADY_ATTACHED 0xC0000038u
#define STATUS_FLT_DO_NOT_DETACH       0xC01C0010u
#define GENERIC_READ                   0x80000000u
#define SYNCHRONIZE                    0x00100000u
#define FILE_OPEN                      1u
#define FILE_SYNCHRONOUS_IO_NONALERT   0x00000020u
#define FILE_OPENED                    1u
/* CTL_CODE(FILE_DEVICE_FILE_SYSTEM or FILE_DEVICE_UNKNOWN, 0x800, METHOD_BUFFERED, FILE_ANY_ACCESS): private codes. */
#define CDO_PRIVATE_FSCTL              ((0x00000009u << 16) | (0x800u << 2))
#define CDO_PRIVATE_IOCTL              ((0x00000022u << 16) | (0x800u << 2))

static int32_t Open(uint64_t *h, uint64_t *info)
{
    return EmuDeviceOpen(CDO_NAME, GENERIC_READ | SYNCHRONIZE, 0, FILE_OPEN, FILE_SYNCHRONOUS_IO_NONALERT, h, info);
}

void HarnessWhileLoaded(const int32_t volumes[HARNESS_VOLUMES])
{
    (void)volumes;
    uint64_t h = 0, h2 = 0, info = 0;
    uint32_t n = 0;
    char buffer[16] = "in";

    CHECK(EmuDeviceExists(CDO_NAME) == 1, "DriverEntry created no device object named %s", CDO_NAME);
    int32_t s = Open(&h, &info);
    CHECK((uint32_t)s == STATUS_SUCCESS && info == FILE_OPENED, "open %s: 0x%08X, Information %llu", CDO_NAME, (unsigned)s,
          (unsigned long long)info);
    if ((uint32_t)s != STATUS_SUCCESS) {
        return;
    }
    s = Open(&h2, &info);
    CHECK((uint32_t)s == STATUS_DEVICE_ALREADY_ATTACHED && h2 == 0, "a second open while the first is open: 0x%08X", (unsigned)s);

    s = EmuDeviceFsControl(h, CDO_PRIVATE_FSCTL, buffer, 2, sizeof(buffer), &n);
    CHECK((uint32_t)s == STATUS_SUCCESS && n == 0, "private FSCTL on the open CDO: 0x%08X, %u bytes", (unsigned)s, n);
    s = EmuDeviceRead(h, 0, buffer, sizeof(buffer), &n);
    CHECK((uint32_t)s == STATUS_INVALID_DEVICE_REQUEST && n == 0, "read from the CDO: 0x%08X", (unsigned)s);
    s = EmuDeviceIoControl(h, CDO_PRIVATE_IOCTL, buffer, 2, sizeof(buffer), &n);
    CHECK((uint32_t)s == STATUS_SUCCESS && n == 0,
          "device control on the CDO (its FastIoDeviceControl should answer it): 0x%08X", (unsigned)s);

    s = EmuUnloadDriverEx(0);
    CHECK((uint32_t)s == STATUS_FLT_DO_NOT_DETACH, "an optional unload while the CDO is open: 0x%08X", (unsigned)s);
    CHECK(EmuDeviceExists(CDO_NAME) == 1, "the refused unload deleted the CDO");

    CHECK(EmuDeviceClose(h) == 0, "close the CDO");
    s = Open(&h, &info);
    CHECK((uint32_t)s == STATUS_SUCCESS && info == FILE_OPENED,
          "open again after cleanup and close: 0x%08X (the sample's open state was not cleared)", (unsigned)s);
    if ((uint32_t)s == STATUS_SUCCESS) {
        CHECK(EmuDeviceClose(h) == 0, "close the CDO again");
    }
}

void HarnessAfterUnload(void)
{
    uint64_t h = 0, info = 0;
    CHECK(EmuDeviceExists(CDO_NAME) == 0, "the unload left the device object %s", CDO_NAME);
    int32_t s = Open(&h, &info);
    CHECK((uint32_t)s == STATUS_OBJECT_NAME_NOT_FOUND, "open after the unload: 0x%08X", (unsigned)s);
}
