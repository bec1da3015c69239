/*
 * checks/simrep.c - what Microsoft's simrep sample is for: an open of a path
 * under its "old mapping" is completed with STATUS_REPARSE and a new name, and
 * the I/O manager's re-issued open lands on the "new mapping".
 *
 * Before DriverEntry: the Parameters values simrep.inf's AddRegistry section
 * creates (OldMapping "\x\y", NewMapping "\a\b", RemapRenamesAndLinks 0).
 * While loaded: simrep declines automatic attachment (its InstanceSetup), so
 * the harness's common exercise ran without it; here it is attached by hand
 * to the first volume, as "fltmc attach" would, and opens under \x\y must land
 * under \a\b on that volume only, an open of a sibling that merely shares the
 * prefix (\x\yz) must not, and names compare without regard to case (the
 * creates are not case-sensitive).
 */
#include <string.h>

#include "jmf_emu.h"
#include "harness.h"

#define STATUS_SUCCESS       0
#define GENERIC_READ         0x80000000u
#define GENERIC_WRITE        0x40000000u
#define SYNCHRONIZE          0x00100000u
#define FILE_SHARE_ALL       0x00000007u
#define FILE_OPEN            1u
#define FILE_CREATE          2u
#define FILE_SYNCHRONOUS_IO_NONALERT 0x00000020u
#define FILE_NON_DIRECTORY_FILE      0x00000040u
#define FILE_DIRECTORY_FILE          0x00000001u
#define FILE_LIST_DIRECTORY  0x00000001u
#define REG_SZ               1u
#define REG_DWORD            4u
#define SIMREP_ALTITUDE      "370020"   /* the harness loads the sample there */

#define PARAMETERS EMU_SERVICE_KEY "\\Parameters"

static void SetString(const char *name, const uint16_t *value, uint32_t chars)
{
    /* REG_SZ: UTF-16 with its terminating NUL counted, as the INF writes it. */
    CHECK(EmuRegistrySetValue(PARAMETERS, name, REG_SZ, value, (chars + 1) * 2) == 0, "registry value %s", name);
}

void HarnessBeforeLoad(void)
{
    static const uint16_t oldMapping[] = u"\\x\\y";
    static const uint16_t newMapping[] = u"\\a\\b";
    uint32_t debugLevel = 0x1F, remap = 0;
    CHECK(EmuRegistrySetValue(PARAMETERS, "DebugLevel", REG_DWORD, &debugLevel, 4) == 0, "DebugLevel");
    CHECK(EmuRegistrySetValue(PARAMETERS, "RemapRenamesAndLinks", REG_DWORD, &remap, 4) == 0, "RemapRenamesAndLinks");
    SetString("NewMapping", newMapping, 4);
    SetString("OldMapping", oldMapping, 4);
}

/* Opens path on the volume (creating it with disposition FILE_CREATE), writes text when given, closes. */
static int32_t OpenFile(int32_t volume, const char *path, uint32_t disposition, const char *text)
{
    uint64_t h = 0, info = 0;
    int32_t s = EmuFileOpen(volume, path, GENERIC_READ | GENERIC_WRITE | SYNCHRONIZE, FILE_SHARE_ALL, disposition,
                            FILE_NON_DIRECTORY_FILE | FILE_SYNCHRONOUS_IO_NONALERT, 0, &h, &info);
    if (s != STATUS_SUCCESS) {
        return s;
    }
    if (text != NULL) {
        uint32_t n = 0;
        CHECK(EmuFileWrite(h, 0, text, (uint32_t)strlen(text), 0, &n) == STATUS_SUCCESS && n == strlen(text), "write %s", path);
    }
    CHECK(EmuFileClose(h) == STATUS_SUCCESS, "close %s", path);
    return s;
}

/* Reads path through the filters (an open, a read, a close) into out. */
static int32_t ReadThrough(int32_t volume, const char *path, char *out, uint32_t capacity)
{
    uint64_t h = 0, info = 0;
    memset(out, 0, capacity);
    int32_t s = EmuFileOpen(volume, path, GENERIC_READ | SYNCHRONIZE, FILE_SHARE_ALL, FILE_OPEN,
                            FILE_NON_DIRECTORY_FILE | FILE_SYNCHRONOUS_IO_NONALERT, 0, &h, &info);
    if (s != STATUS_SUCCESS) {
        return s;
    }
    uint32_t n = 0;
    s = EmuFileRead(h, 0, out, capacity - 1, &n);
    CHECK(EmuFileClose(h) == STATUS_SUCCESS, "close %s", path);
    return s;
}

static void Dirs(int32_t volume)
{
    static const char *const dirs[] = { "\\x", "\\x\\y", "\\x\\yz", "\\a", "\\a\\b" };
    for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
        if (EmuFsExists(volume, dirs[i]) == 0) {
            CHECK(EmuFsPut(volume, dirs[i], NULL, 0, 1) == 0, "directory %s", dirs[i]);
        }
    }
}

void HarnessWhileLoaded(const int32_t volumes[HARNESS_VOLUMES])
{
    int32_t v1 = volumes[0], v2 = volumes[1];
    char back[128];
    Dirs(v1);
    Dirs(v2);
    CHECK(EmuFsPut(v1, "\\a\\b\\target.txt", "mapped-to content", 17, 0) == 0, "\\a\\b\\target.txt");
    CHECK(EmuFsPut(v1, "\\x\\y\\target.txt", "mapped-from content", 19, 0) == 0, "\\x\\y\\target.txt");
    CHECK(EmuFsPut(v1, "\\a\\b\\only-in-b.txt", "b", 1, 0) == 0, "\\a\\b\\only-in-b.txt");

    /* Not attached yet (automatic attachment declined): no redirection. */
    CHECK(ReadThrough(v1, "\\x\\y\\target.txt", back, sizeof(back)) == STATUS_SUCCESS && strcmp(back, "mapped-from content") == 0,
          "before the manual attach an open of \\x\\y\\target.txt read \"%s\"", back);

    CHECK(EmuAttachDriver(v1, SIMREP_ALTITUDE) == STATUS_SUCCESS, "manual attach to the first volume");

    /* An existing file under the old mapping: the open lands on the new mapping's file. */
    CHECK(ReadThrough(v1, "\\x\\y\\target.txt", back, sizeof(back)) == STATUS_SUCCESS && strcmp(back, "mapped-to content") == 0,
          "an open of \\x\\y\\target.txt read \"%s\", expected the content of \\a\\b\\target.txt", back);
    /* Case-insensitive creates compare without regard to case. */
    CHECK(ReadThrough(v1, "\\X\\Y\\target.txt", back, sizeof(back)) == STATUS_SUCCESS && strcmp(back, "mapped-to content") == 0,
          "an open of \\X\\Y\\target.txt read \"%s\"", back);

    /* A new file created under the old mapping is created under the new one. */
    CHECK(OpenFile(v1, "\\x\\y\\created.txt", FILE_CREATE, "created through the mapping") == STATUS_SUCCESS, "create \\x\\y\\created.txt");
    CHECK(EmuFsExists(v1, "\\a\\b\\created.txt") == 1, "\\a\\b\\created.txt exists after the create of \\x\\y\\created.txt");
    CHECK(EmuFsExists(v1, "\\x\\y\\created.txt") == 0, "\\x\\y\\created.txt was created although the open was reparsed");
    CHECK(EmuFsRead(v1, "\\a\\b\\created.txt", back, sizeof(back)) == 27 && memcmp(back, "created through the mapping", 27) == 0,
          "the created file holds what was written");

    /* A sibling that only shares the prefix ("\x\yz" is not under "\x\y") is not redirected. */
    CHECK(OpenFile(v1, "\\x\\yz\\sibling.txt", FILE_CREATE, NULL) == STATUS_SUCCESS, "create \\x\\yz\\sibling.txt");
    CHECK(EmuFsExists(v1, "\\x\\yz\\sibling.txt") == 1 && EmuFsExists(v1, "\\a\\b\\z\\sibling.txt") == 0,
          "\\x\\yz\\sibling.txt was redirected");

    /* The mapping's own directory is redirected too (an exact match): listing \x\y lists \a\b. */
    uint64_t d = 0, info = 0;
    int32_t s = EmuFileOpen(v1, "\\x\\y", FILE_LIST_DIRECTORY | SYNCHRONIZE, FILE_SHARE_ALL, FILE_OPEN,
                            FILE_DIRECTORY_FILE | FILE_SYNCHRONOUS_IO_NONALERT, 0, &d, &info);
    CHECK(s == STATUS_SUCCESS, "open directory \\x\\y: 0x%08X", (unsigned)s);
    if (s == STATUS_SUCCESS) {
        char names[256];
        uint32_t count = 0;
        s = EmuFileQueryDirectory(d, names, sizeof(names), &count);
        CHECK(s == STATUS_SUCCESS && count == 3 && strstr(names, "only-in-b.txt\n") != NULL,
              "listing \\x\\y gave %u entries \"%s\", expected the three of \\a\\b", count, names);
        CHECK(EmuFileClose(d) == STATUS_SUCCESS, "close directory");
    }

    /* The second volume has no simrep instance: nothing is redirected there. */
    CHECK(OpenFile(v2, "\\x\\y\\other.txt", FILE_CREATE, NULL) == STATUS_SUCCESS, "create \\x\\y\\other.txt on the second volume");
    CHECK(EmuFsExists(v2, "\\x\\y\\other.txt") == 1 && EmuFsExists(v2, "\\a\\b\\other.txt") == 0,
          "a create on the second volume (no simrep instance) was redirected");
}
