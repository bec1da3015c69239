/*
 * checks/swapBuffers.c - what swapBuffers is for: reads, writes and directory
 * queries reach the file system in a buffer of the filter's own (with an MDL
 * for IRPs), and the caller still gets and stores the right bytes.
 *
 * The observer filter sits below the sample: for each operation it records
 * the buffer pointer and MDL it received and, for a write, the bytes the file
 * system takes (through the MDL, as a file system does). Without the swap it
 * would see the caller's own buffer and no MDL. Checked on every volume, with
 * read/write post-operation callbacks at PASSIVE_LEVEL and at DISPATCH_LEVEL
 * (where swapBuffers' post-read goes through FltDoCompletionProcessingWhenSafe
 * and FltLockUserBuffer).
 */
#include <stdio.h>
#include <string.h>

#include "jmf_emu.h"
#include "harness.h"

#define STATUS_SUCCESS  0
#define GENERIC_READ    0x80000000u
#define GENERIC_WRITE   0x40000000u
#define SYNCHRONIZE     0x00100000u
#define FILE_LIST_DIRECTORY 0x00000001u
#define FILE_SHARE_ALL  0x00000007u
#define FILE_OPEN       1u
#define FILE_OVERWRITE_IF 5u
#define FILE_DIRECTORY_FILE          0x00000001u
#define FILE_SYNCHRONOUS_IO_NONALERT 0x00000020u
#define FILE_NON_DIRECTORY_FILE      0x00000040u
#define IRP_MJ_READ              0x03
#define IRP_MJ_WRITE             0x04
#define IRP_MJ_DIRECTORY_CONTROL 0x0c
#define PASSIVE_LEVEL  0
#define DISPATCH_LEVEL 2

static uint64_t Addr(const void *p) { return (uint64_t)(uintptr_t)p; }

static void CheckVolume(int32_t volume, int irql)
{
    char path[64];
    snprintf(path, sizeof(path), "\\swap%d.txt", irql);
    uint64_t h = 0, info = 0;
    int32_t s = EmuFileOpen(volume, path, GENERIC_READ | GENERIC_WRITE | SYNCHRONIZE, FILE_SHARE_ALL, FILE_OVERWRITE_IF,
                            FILE_NON_DIRECTORY_FILE | FILE_SYNCHRONOUS_IO_NONALERT, 0, &h, &info);
    CHECK(s == STATUS_SUCCESS, "create %s on volume %d: 0x%08X", path, volume, (unsigned)s);
    if (s != STATUS_SUCCESS) {
        return;
    }
    char src[48];
    int len = snprintf(src, sizeof(src), "swapped on volume %d at IRQL %d", volume, irql);
    uint32_t n = 0;
    EMU_OBSERVED_BUFFER b;

    /* A write (IRP): below the sample, a buffer and MDL of its own holding the caller's bytes. */
    s = EmuFileWrite(h, 0, src, (uint32_t)len, 0, &n);
    CHECK(s == STATUS_SUCCESS && n == (uint32_t)len, "write: 0x%08X, %u bytes", (unsigned)s, n);
    CHECK(EmuObserverLastBuffer(IRP_MJ_WRITE, &b) == 0, "the observer saw no write");
    CHECK(b.Buffer != 0 && b.Buffer != Addr(src), "volume %d: the write reached the file system in the caller's buffer (not swapped)", volume);
    CHECK(b.Mdl != 0 && b.MdlVirtualAddress == b.Buffer, "volume %d: the swapped write has no MDL describing its buffer", volume);
    CHECK(b.Captured == (uint32_t)len && memcmp(b.Data, src, (size_t)len) == 0, "volume %d: the swapped write buffer does not hold the caller's bytes", volume);

    /* A fast I/O write: the buffer is swapped, there is no MDL (fast I/O has none). */
    s = EmuFileWrite(h, len, "!", 1, 0x1 /* EMU_IO_FAST */, &n);
    CHECK(s == STATUS_SUCCESS && n == 1, "fast I/O write: 0x%08X", (unsigned)s);
    CHECK(EmuObserverLastBuffer(IRP_MJ_WRITE, &b) == 0 && b.Mdl == 0 && b.Captured == 1 && b.Data[0] == '!',
          "volume %d: fast I/O write below the sample: MDL %llx, %u bytes", volume, (unsigned long long)b.Mdl, b.Captured);

    char stored[64];
    int64_t size = EmuFsRead(volume, path, stored, sizeof(stored));
    CHECK(size == len + 1 && memcmp(stored, src, (size_t)len) == 0 && stored[len] == '!',
          "volume %d: the file system holds %lld bytes, expected %d", volume, (long long)size, len + 1);

    /* A read (IRP): filled in the sample's buffer, copied back into the caller's. */
    char dst[64];
    memset(dst, 0, sizeof(dst));
    s = EmuFileRead(h, 0, dst, sizeof(dst), &n);
    CHECK(s == STATUS_SUCCESS && n == (uint32_t)len + 1 && memcmp(dst, src, (size_t)len) == 0 && dst[len] == '!',
          "volume %d: read back: 0x%08X, %u bytes \"%.*s\"", volume, (unsigned)s, n, (int)n, dst);
    CHECK(EmuObserverLastBuffer(IRP_MJ_READ, &b) == 0, "the observer saw no read");
    CHECK(b.Buffer != 0 && b.Buffer != Addr(dst) && b.Mdl != 0 && b.MdlVirtualAddress == b.Buffer,
          "volume %d: the read reached the file system in the caller's buffer or without an MDL", volume);
    CHECK(EmuFileClose(h) == STATUS_SUCCESS, "close %s", path);

    /* A directory query: swapped to a nonpaged buffer with an MDL (the caller's query has none). */
    uint64_t d = 0;
    s = EmuFileOpen(volume, "\\", FILE_LIST_DIRECTORY | SYNCHRONIZE, FILE_SHARE_ALL, FILE_OPEN,
                    FILE_DIRECTORY_FILE | FILE_SYNCHRONOUS_IO_NONALERT, 0, &d, &info);
    CHECK(s == STATUS_SUCCESS, "open the root directory: 0x%08X", (unsigned)s);
    if (s == STATUS_SUCCESS) {
        char names[1024];
        uint32_t count = 0;
        s = EmuFileQueryDirectory(d, names, sizeof(names), &count);
        CHECK(s == STATUS_SUCCESS && strstr(names, path + 1) != NULL, "volume %d: directory listing 0x%08X lacks %s", volume, (unsigned)s, path + 1);
        CHECK(EmuObserverLastBuffer(IRP_MJ_DIRECTORY_CONTROL, &b) == 0 && b.Mdl != 0 && b.MdlVirtualAddress == b.Buffer,
              "volume %d: the directory query reached the file system without the sample's MDL", volume);
        CHECK(EmuFileClose(d) == STATUS_SUCCESS, "close the root directory");
    }
}

void HarnessWhileLoaded(const int32_t volumes[HARNESS_VOLUMES])
{
    for (int round = 0; round < 2; round++) {
        uint8_t irql = round == 0 ? PASSIVE_LEVEL : DISPATCH_LEVEL;
        EmuSetPostOperationIrql(IRP_MJ_READ, irql);
        EmuSetPostOperationIrql(IRP_MJ_WRITE, irql);
        EmuSetPostOperationIrql(IRP_MJ_DIRECTORY_CONTROL, irql);
        for (int v = 0; v < HARNESS_VOLUMES; v++) {
            if (volumes[v] > 0) {
                CheckVolume(volumes[v], irql);
            }
        }
    }
    EmuSetPostOperationIrql(IRP_MJ_READ, PASSIVE_LEVEL);
    EmuSetPostOperationIrql(IRP_MJ_WRITE, PASSIVE_LEVEL);
    EmuSetPostOperationIrql(IRP_MJ_DIRECTORY_CONTROL, PASSIVE_LEVEL);
}
