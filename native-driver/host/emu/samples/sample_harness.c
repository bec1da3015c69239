/*
 * sample_harness.c - runs one minifilter written elsewhere (one of Microsoft's
 * Windows-driver-samples, compiled unchanged by run-samples.sh) in the
 * emulated Filter Manager and fails on anything the emulator reports.
 *
 * The sample is linked into this program: its DriverEntry is the one
 * EmuLoadDriver calls (as for the project's own driver in tests/). The
 * harness only uses the control API (jmf_emu.h), so it knows nothing of the
 * sample beyond its name:
 *   1. two volumes exist before the load, a third (a network volume) is
 *      created while the sample is loaded (its InstanceSetup runs then);
 *   2. an observer filter below the sample records what reaches it, so the
 *      harness can tell the operations went through the sample's instances;
 *   3. on every volume, as an ordinary process: create a directory and a
 *      file, write, read back and compare, list the directory, reopen the
 *      file, request an oplock (a file system control), with read/write
 *      post-operation callbacks at PASSIVE_LEVEL and
 *      then at DISPATCH_LEVEL (as Filter Manager may call them);
 *   4. unload (mandatory unload), which checks for leaked pool, references,
 *      contexts and file objects;
 *   5. any violation the emulator recorded fails the run, each printed.
 *
 * A sample that needs more (registry values before its DriverEntry, a user-mode
 * client, checks of what it does) gets a project-written file checks/<name>.c,
 * linked in when present, that defines the hooks of harness.h.
 *
 * Usage: sample-<name> <name>   (the name only labels the output)
 * Exit status 0 when the sample ran clean, 1 otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jmf_emu.h"
#include "harness.h"

#define STATUS_SUCCESS      0
#define GENERIC_READ        0x80000000u
#define GENERIC_WRITE       0x40000000u
#define SYNCHRONIZE         0x00100000u
#define FILE_LIST_DIRECTORY 0x00000001u
#define FILE_SHARE_ALL      0x00000007u
#define FILE_OPEN           1u
#define FILE_CREATE         2u
#define FILE_OVERWRITE_IF   5u
#define FILE_DIRECTORY_FILE          0x00000001u
#define FILE_SYNCHRONOUS_IO_NONALERT 0x00000020u
#define FILE_NON_DIRECTORY_FILE      0x00000040u
#define FSCTL_REQUEST_OPLOCK_LEVEL_1 0x00090000u  /* CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 0, METHOD_BUFFERED, FILE_ANY_ACCESS) */
#define IRP_MJ_CREATE            0x00
#define IRP_MJ_READ              0x03
#define IRP_MJ_WRITE             0x04
#define IRP_MJ_DIRECTORY_CONTROL 0x0c
#define PASSIVE_LEVEL  0
#define DISPATCH_LEVEL 2

/* The filter's altitude: HARNESS_ALTITUDE (run-minifilter.sh --altitude), else
 * this one, above the observer (the samples' INFs use 370000 and up). */
#define SAMPLE_ALTITUDE   "370020"
#define OBSERVER_ALTITUDE "100000"

const char *g_sample = "sample";

/* The samples' debug-trace switch (passThrough, swapBuffers, ...: a global
 * ULONG the debugger would set). All bits on: their DbgPrint paths run too
 * (shown with JMF_EMU_TRACE=1). Weak: a sample without it leaves it NULL. */
extern uint32_t gTraceFlags __attribute__((weak));
int g_failures;

/* The hooks a sample's checks/<name>.c may define (harness.h); none by default. */
__attribute__((weak)) void HarnessBeforeLoad(void) {}
__attribute__((weak)) void HarnessWhileLoaded(const int32_t volumes[HARNESS_VOLUMES]) { (void)volumes; }
__attribute__((weak)) void HarnessAfterUnload(void) {}

/* Creates, writes, reads back, lists and reopens a file on one volume. */
static void Exercise(int32_t volume, int round)
{
    char dir[64], file[96], content[128], back[128];
    uint64_t h = 0, d = 0, info = 0;
    uint32_t n = 0;
    int32_t s;

    snprintf(dir, sizeof(dir), "\\dir%d", round);
    snprintf(file, sizeof(file), "%s\\file.txt", dir);
    int len = snprintf(content, sizeof(content), "volume %d round %d: bytes through the sample", volume, round);

    s = EmuFileOpen(volume, dir, FILE_LIST_DIRECTORY | SYNCHRONIZE, FILE_SHARE_ALL, FILE_CREATE,
                    FILE_DIRECTORY_FILE | FILE_SYNCHRONOUS_IO_NONALERT, 0, &d, &info);
    CHECK(s == STATUS_SUCCESS, "create directory %s on volume %d: 0x%08X", dir, volume, (unsigned)s);
    if (s == STATUS_SUCCESS) {
        CHECK(EmuFileClose(d) == STATUS_SUCCESS, "close directory");
    }

    s = EmuFileOpen(volume, file, GENERIC_READ | GENERIC_WRITE | SYNCHRONIZE, FILE_SHARE_ALL, FILE_OVERWRITE_IF,
                    FILE_NON_DIRECTORY_FILE | FILE_SYNCHRONOUS_IO_NONALERT, 0, &h, &info);
    CHECK(s == STATUS_SUCCESS, "create %s on volume %d: 0x%08X", file, volume, (unsigned)s);
    if (s != STATUS_SUCCESS) {
        return;
    }
    s = EmuFileWrite(h, 0, content, (uint32_t)len, 0, &n);
    CHECK(s == STATUS_SUCCESS && n == (uint32_t)len, "write: 0x%08X, %u of %d bytes", (unsigned)s, n, len);
    memset(back, 0, sizeof(back));
    s = EmuFileRead(h, 0, back, sizeof(back), &n);
    CHECK(s == STATUS_SUCCESS && n == (uint32_t)len && memcmp(back, content, (size_t)len) == 0,
          "read back: 0x%08X, %u bytes \"%.*s\"", (unsigned)s, n, (int)n, back);
    /* An asynchronous IRP and a fast I/O write: the other ways data reaches a filter. */
    s = EmuFileWrite(h, len, "!", 1, 0x4 /* EMU_IO_ASYNC */, &n);
    CHECK(s == STATUS_SUCCESS && n == 1, "asynchronous write: 0x%08X", (unsigned)s);
    s = EmuFileWrite(h, len + 1, "?", 1, 0x1 /* EMU_IO_FAST */, &n);
    CHECK(s == STATUS_SUCCESS && n == 1, "fast I/O write: 0x%08X", (unsigned)s);
    /* An oplock request (IRP_MJ_FILE_SYSTEM_CONTROL), which filters such as
     * passThrough follow with FltRequestOperationStatusCallback. */
    uint32_t returned = 0;
    s = EmuFileFsControl(h, FSCTL_REQUEST_OPLOCK_LEVEL_1, NULL, 0, 0, &returned);
    CHECK(s == STATUS_SUCCESS, "FSCTL_REQUEST_OPLOCK_LEVEL_1: 0x%08X", (unsigned)s);
    CHECK(EmuFileClose(h) == STATUS_SUCCESS, "close %s", file);

    char stored[160];
    int64_t size = EmuFsRead(volume, file, stored, sizeof(stored));
    CHECK(size == len + 2 && memcmp(stored, content, (size_t)len) == 0 && stored[len] == '!' && stored[len + 1] == '?',
          "the file system holds %lld bytes, expected %d", (long long)size, len + 2);

    s = EmuFileOpen(volume, dir, FILE_LIST_DIRECTORY | SYNCHRONIZE, FILE_SHARE_ALL, FILE_OPEN,
                    FILE_DIRECTORY_FILE | FILE_SYNCHRONOUS_IO_NONALERT, 0, &d, &info);
    CHECK(s == STATUS_SUCCESS, "open directory %s: 0x%08X", dir, (unsigned)s);
    if (s == STATUS_SUCCESS) {
        char names[256];
        uint32_t count = 0;
        s = EmuFileQueryDirectory(d, names, sizeof(names), &count);
        CHECK(s == STATUS_SUCCESS && count == 1 && strcmp(names, "file.txt\n") == 0,
              "directory listing: 0x%08X, %u entries", (unsigned)s, count);
        CHECK(EmuFileClose(d) == STATUS_SUCCESS, "close directory");
    }

    s = EmuFileOpen(volume, file, GENERIC_READ | SYNCHRONIZE, FILE_SHARE_ALL, FILE_OPEN,
                    FILE_NON_DIRECTORY_FILE | FILE_SYNCHRONOUS_IO_NONALERT, 0, &h, &info);
    CHECK(s == STATUS_SUCCESS, "reopen %s: 0x%08X", file, (unsigned)s);
    if (s == STATUS_SUCCESS) {
        s = EmuFileRead(h, 0, back, (uint32_t)len, &n);
        CHECK(s == STATUS_SUCCESS && n == (uint32_t)len && memcmp(back, content, (size_t)len) == 0,
              "read after reopen: 0x%08X", (unsigned)s);
        CHECK(EmuFileClose(h) == STATUS_SUCCESS, "close %s", file);
    }
}

static uint32_t Seen(uint8_t major)
{
    EMU_OBSERVED o;
    return EmuObserverLast(major, &o) == 0 ? o.Count : 0;
}

int main(int argc, char **argv)
{
    if (argc > 1) {
        g_sample = argv[1];
    }
    CHECK(EmuReset() == 0, "reset");
    int32_t volumes[HARNESS_VOLUMES];
    volumes[0] = EmuCreateVolume("\\Device\\HarddiskVolume1", 4, 0);
    volumes[1] = EmuCreateVolume("\\Device\\HarddiskVolume2", 4, 0);
    CHECK(volumes[0] > 0 && volumes[1] > 0, "volumes");
    CHECK(EmuSetProcess(4242, "\\Device\\HarddiskVolume1\\Windows\\System32\\notepad.exe", 0) == 0, "process");
    CHECK(EmuSetCurrentProcess(4242) == 0, "current process");
    CHECK(EmuObserverStart(OBSERVER_ALTITUDE) == STATUS_SUCCESS, "observer");

    if (&gTraceFlags != NULL) {
        gTraceFlags = 0xFFFFFFFFu;
    }
    HarnessBeforeLoad();
    const char *altitude = getenv("HARNESS_ALTITUDE");
    int32_t s = EmuLoadDriver(altitude != NULL && altitude[0] != '\0' ? altitude : SAMPLE_ALTITUDE);
    CHECK(s == STATUS_SUCCESS, "DriverEntry returned 0x%08X", (unsigned)s);
    if (s == STATUS_SUCCESS) {
        /* A volume that arrives while the sample is loaded. */
        volumes[2] = EmuCreateVolume("\\Device\\Mup", 4, 0x1 /* EMU_VOLUME_NETWORK */);
        CHECK(volumes[2] > 0, "network volume");

        for (int round = 0; round < 2; round++) {
            uint8_t irql = round == 0 ? PASSIVE_LEVEL : DISPATCH_LEVEL;
            EmuSetPostOperationIrql(IRP_MJ_READ, irql);
            EmuSetPostOperationIrql(IRP_MJ_WRITE, irql);
            for (int v = 0; v < 3; v++) {
                if (volumes[v] > 0) {
                    Exercise(volumes[v], round);
                }
            }
        }
        /* What reached the file systems went through the sample's instances
         * (the observer sits below them on every volume). */
        CHECK(Seen(IRP_MJ_CREATE) >= 24 && Seen(IRP_MJ_READ) >= 12 && Seen(IRP_MJ_WRITE) >= 12 &&
              Seen(IRP_MJ_DIRECTORY_CONTROL) >= 6,
              "below the sample: %u creates, %u reads, %u writes, %u directory queries",
              Seen(IRP_MJ_CREATE), Seen(IRP_MJ_READ), Seen(IRP_MJ_WRITE), Seen(IRP_MJ_DIRECTORY_CONTROL));
        HarnessWhileLoaded(volumes);

        s = EmuUnloadDriver();
        CHECK(s == STATUS_SUCCESS, "unload returned 0x%08X", (unsigned)s);
    }
    HarnessAfterUnload();
    CHECK(EmuObserverStop() == STATUS_SUCCESS, "observer stop");
    EmuCheckLeaks();
    CHECK(EmuPoolBlocks() == 0, "%lld pool blocks left", (long long)EmuPoolBlocks());

    int32_t violations = EmuViolationCount();
    for (int32_t i = 0; i < violations; i++) {
        char text[1024];
        if (EmuViolationText(i, text, sizeof(text)) >= 0) {
            fprintf(stderr, "%s: VIOLATION %s\n", g_sample, text);
        }
    }
    CHECK(violations == 0, "%d violations", violations);

    if (g_failures == 0) {
        printf("%s: ran clean (3 volumes, creates/reads/writes/directory queries, unload)\n", g_sample);
        return 0;
    }
    fprintf(stderr, "%s: %d failures\n", g_sample, g_failures);
    return 1;
}
