/*
 * checks/scanner.c - what Microsoft's scanner sample is for, observed: its
 * user-mode scanner (user/scanUser.c, compiled unchanged against include-user
 * and renamed SampleUserMain by run-samples.sh) runs as an administrator's
 * process over libjmfemu's fltlib/kernel32 surface, connects to "\ScannerPort"
 * and answers the driver's scan requests; files whose first bytes hold "foul"
 * cannot be opened (post-create: FltCancelFileOpen, STATUS_ACCESS_DENIED) nor
 * written with it (pre-write: STATUS_ACCESS_DENIED), clean ones can, and only
 * the extensions the service's Parameters key lists are scanned (read through
 * IoOpenDriverRegistryKey, which the sample finds with MmGetSystemRoutineAddress).
 *
 * The client stops as the sample means it to: the unload disconnects its port,
 * its pending FilterGetMessage calls complete with ERROR_INVALID_HANDLE ("Port
 * is disconnected, probably due to scanner filter unloading"), its threads end
 * and its main closes the port and the completion port and returns.
 */
#define _GNU_SOURCE     /* pthread_timedjoin_np */
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "jmf_emu.h"
#include "harness.h"

#define STATUS_SUCCESS       0x00000000
#define STATUS_ACCESS_DENIED ((int32_t)0xC0000022)
#define GENERIC_READ         0x80000000u
#define GENERIC_WRITE        0x40000000u
#define SYNCHRONIZE          0x00100000u
#define FILE_SHARE_ALL       0x00000007u
#define FILE_OPEN            1u
#define FILE_CREATE          2u
#define FILE_SYNCHRONOUS_IO_NONALERT 0x00000020u
#define FILE_NON_DIRECTORY_FILE      0x00000040u
#define REG_MULTI_SZ         7u

#define SCANUSER_PID   4300
#define HARNESS_PID    4242     /* sample_harness.c's ordinary process */
#define CONNECT_WAIT_MS 60000u  /* a failsafe: the client connects at once */

/* scanUser.c's main (run-samples.sh renames it). */
int SampleUserMain(int argc, char **argv);

static pthread_t g_client;
static int g_clientStarted;
static int g_clientResult = -1;

static void *RunScanUser(void *unused)
{
    (void)unused;
    static char name[] = "scanuser";
    char *argv[] = { name, NULL };
    EmuSetCurrentProcess(SCANUSER_PID);
    g_clientResult = SampleUserMain(1, argv);
    return NULL;
}

/* The INF's HKR,Parameters AddReg entry: a REG_MULTI_SZ of extensions (the sample's default is "doc" alone). */
void HarnessBeforeLoad(void)
{
    static const uint16_t extensions[] = u"doc\0log\0";     /* + the literal's NUL: the list's final NUL */
    CHECK(EmuRegistrySetValue(EMU_SERVICE_KEY "\\Parameters", "Extensions", REG_MULTI_SZ, extensions,
                              (uint32_t)sizeof(extensions)) == 0, "Parameters\\Extensions");
    /* scanuser.exe runs elevated: the port's security descriptor admits administrators and SYSTEM only. */
    CHECK(EmuSetProcess(SCANUSER_PID, "\\Device\\HarddiskVolume1\\Program Files\\scanner\\scanuser.exe", 1) == 0,
          "scanuser process");
}

static int32_t Open(int32_t volume, const char *path, uint32_t access, uint32_t disposition, uint64_t *handle)
{
    uint64_t info = 0;
    *handle = 0;
    return EmuFileOpen(volume, path, access | SYNCHRONIZE, FILE_SHARE_ALL, disposition,
                       FILE_NON_DIRECTORY_FILE | FILE_SYNCHRONOUS_IO_NONALERT, 0, handle, &info);
}

/* Opens an existing file for reading: its status; the handle is closed again. */
static int32_t TryOpen(int32_t volume, const char *path)
{
    uint64_t h = 0;
    int32_t s = Open(volume, path, GENERIC_READ, FILE_OPEN, &h);
    if (s == STATUS_SUCCESS) {
        CHECK(EmuFileClose(h) == STATUS_SUCCESS, "close %s", path);
    }
    return s;
}

static void Put(int32_t volume, const char *path, const char *content)
{
    CHECK(EmuFsPut(volume, path, content, (uint32_t)strlen(content), 0) == 0, "put %s", path);
}

void HarnessWhileLoaded(const int32_t volumes[HARNESS_VOLUMES])
{
    const int32_t disk = volumes[0], network = volumes[2];
    /* Files already on the volumes (written while no scanner ran): straight into the file systems. */
    Put(disk, "\\report.doc", "quarterly figures, all fine");
    Put(disk, "\\rant.doc", "this text has a foul word in it");
    Put(disk, "\\rant.log", "foul language logged");
    Put(disk, "\\rant.txt", "foul, but .txt is not scanned");
    Put(network, "\\rant.doc", "foul on a network volume");

    /* Before the client connects nothing is scanned (ClientPort NULL: the sample lets everything through). */
    CHECK(TryOpen(disk, "\\rant.doc") == STATUS_SUCCESS, "rant.doc opens while no scanner is connected");

    g_clientStarted = pthread_create(&g_client, NULL, RunScanUser, NULL) == 0;
    CHECK(g_clientStarted, "start scanuser");
    if (!g_clientStarted) {
        return;
    }
    int32_t w = EmuWaitForPortConnection("\\ScannerPort", CONNECT_WAIT_MS);
    CHECK(w == 0, "scanuser connects to \\ScannerPort: 0x%08X", (unsigned)w);
    if (w != 0) {
        return;
    }

    /* Post-create scans (the client reads the first bytes and answers SafeToOpen). */
    int32_t s = TryOpen(disk, "\\rant.doc");
    CHECK(s == STATUS_ACCESS_DENIED, "rant.doc (foul) is refused: 0x%08X", (unsigned)s);
    s = TryOpen(disk, "\\report.doc");
    CHECK(s == STATUS_SUCCESS, "report.doc (clean) opens: 0x%08X", (unsigned)s);
    s = TryOpen(disk, "\\rant.log");
    CHECK(s == STATUS_ACCESS_DENIED, "rant.log (foul; .log listed in Parameters\\Extensions) is refused: 0x%08X", (unsigned)s);
    s = TryOpen(disk, "\\rant.txt");
    CHECK(s == STATUS_SUCCESS, "rant.txt (foul, extension not scanned) opens: 0x%08X", (unsigned)s);
    s = TryOpen(network, "\\rant.doc");
    CHECK(s == STATUS_SUCCESS, "rant.doc on the network volume (no instance there) opens: 0x%08X", (unsigned)s);
    char stored[64];
    CHECK(EmuFsRead(disk, "\\rant.doc", stored, sizeof(stored)) == 31, "a refused file stays as it was (scanner blocks, never deletes)");

    /* The scanner's own process is trusted: its opens are not scanned (ScannerPreCreate). */
    EmuSetCurrentProcess(SCANUSER_PID);
    s = TryOpen(disk, "\\rant.doc");
    EmuSetCurrentProcess(HARNESS_PID);
    CHECK(s == STATUS_SUCCESS, "scanuser itself opens rant.doc: 0x%08X", (unsigned)s);

    /* Pre-write scans: a new .doc takes clean text and refuses foul text. */
    uint64_t h = 0;
    uint32_t n = 0;
    s = Open(disk, "\\new.doc", GENERIC_READ | GENERIC_WRITE, FILE_CREATE, &h);
    CHECK(s == STATUS_SUCCESS, "create new.doc: 0x%08X", (unsigned)s);
    if (s == STATUS_SUCCESS) {
        static const char clean[] = "clean words only. ";
        static const char dirty[] = "and then something foul";
        s = EmuFileWrite(h, 0, clean, (uint32_t)strlen(clean), 0, &n);
        CHECK(s == STATUS_SUCCESS && n == strlen(clean), "clean write: 0x%08X, %u bytes", (unsigned)s, n);
        s = EmuFileWrite(h, (int64_t)strlen(clean), dirty, (uint32_t)strlen(dirty), 0, &n);
        CHECK(s == STATUS_ACCESS_DENIED && n == 0, "foul write refused: 0x%08X, %u bytes", (unsigned)s, n);
        CHECK(EmuFileClose(h) == STATUS_SUCCESS, "close new.doc");     /* pre-cleanup rescans: clean */
        memset(stored, 0, sizeof(stored));
        CHECK(EmuFsRead(disk, "\\new.doc", stored, sizeof(stored)) == (int64_t)strlen(clean) &&
              memcmp(stored, clean, strlen(clean)) == 0, "new.doc holds the clean text only");
        CHECK(TryOpen(disk, "\\new.doc") == STATUS_SUCCESS, "new.doc reopens");
    }
    /* The client stays connected: the unload disconnects it (HarnessAfterUnload). */
}

void HarnessAfterUnload(void)
{
    if (!g_clientStarted) {
        return;
    }
    struct timespec limit;
    clock_gettime(CLOCK_REALTIME, &limit);
    limit.tv_sec += CONNECT_WAIT_MS / 1000;     /* a failsafe, not a synchronisation */
    int joined = pthread_timedjoin_np(g_client, NULL, &limit) == 0;
    CHECK(joined, "scanuser's main returns once the unload disconnected its port");
    if (joined) {
        CHECK(g_clientResult == 0, "scanuser's main returned 0x%08X", (unsigned)g_clientResult);
    }
}
