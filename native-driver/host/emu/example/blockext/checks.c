/*
 * checks.c - what blockext must do, checked by the harness while it is loaded
 * (run-minifilter.sh --checks; the hooks are samples/harness.h's).
 */
#include <string.h>

#include "harness.h"
#include "jmf_emu.h"

#define STATUS_SUCCESS       0
#define STATUS_ACCESS_DENIED ((int32_t)0xC0000022)
#define GENERIC_READ         0x80000000u
#define GENERIC_WRITE        0x40000000u
#define SYNCHRONIZE          0x00100000u
#define FILE_SHARE_ALL       0x00000007u
#define FILE_OPEN            1u
#define FILE_OVERWRITE_IF    5u
#define FILE_SYNCHRONOUS_IO_NONALERT 0x00000020u
#define FILE_NON_DIRECTORY_FILE      0x00000040u

static int32_t Open(int32_t volume, const char *path, uint32_t disposition, uint64_t *handle)
{
    uint64_t info = 0;
    return EmuFileOpen(volume, path, GENERIC_READ | GENERIC_WRITE | SYNCHRONIZE, FILE_SHARE_ALL, disposition,
                       FILE_NON_DIRECTORY_FILE | FILE_SYNCHRONOUS_IO_NONALERT, 0, handle, &info);
}

void HarnessWhileLoaded(const int32_t volumes[HARNESS_VOLUMES])
{
    for (int v = 0; v < HARNESS_VOLUMES; v++) {
        uint64_t h = 0;
        /* A new file with the extension is refused, in any case, and is not created. */
        CHECK(Open(volumes[v], "\\report.blocked", FILE_OVERWRITE_IF, &h) == STATUS_ACCESS_DENIED,
              "a .blocked file was created on volume %d", volumes[v]);
        CHECK(!EmuFsExists(volumes[v], "\\report.blocked"), "the refused file exists on volume %d", volumes[v]);
        CHECK(Open(volumes[v], "\\REPORT.BLOCKED", FILE_OVERWRITE_IF, &h) == STATUS_ACCESS_DENIED,
              "the extension's case let it through on volume %d", volumes[v]);
        /* One already there (put below the filters) cannot be opened either. */
        CHECK(EmuFsPut(volumes[v], "\\old.blocked", "x", 1, 0) == 0, "put old.blocked");
        CHECK(Open(volumes[v], "\\old.blocked", FILE_OPEN, &h) == STATUS_ACCESS_DENIED,
              "an existing .blocked file opened on volume %d", volumes[v]);
        /* Other names open: a longer extension, the word elsewhere in the name. */
        const char *allowed[] = { "\\report.blocked2", "\\blocked.txt", "\\report.blocked.txt" };
        for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++) {
            int32_t s = Open(volumes[v], allowed[i], FILE_OVERWRITE_IF, &h);
            CHECK(s == STATUS_SUCCESS, "%s refused on volume %d: 0x%08X", allowed[i], volumes[v], (unsigned)s);
            if (s == STATUS_SUCCESS) {
                CHECK(EmuFileClose(h) == STATUS_SUCCESS, "close %s", allowed[i]);
            }
        }
    }
}
