/* The in-memory file system under the stack: dispositions, I/O, information, sharing. */
#include "test_filters.h"

static void test_dispositions(void)
{
    int v = EmuCreateVolume("\\Device\\HarddiskVolume1", 4, 0);
    NTSTATUS s;
    uint64_t info, h;

    h = TOpen(v, "\\a.txt", GENERIC_WRITE, FILE_CREATE, &s, &info);
    CHECK_EQ(s, STATUS_SUCCESS); CHECK_EQ(info, FILE_CREATED);
    CHECK_EQ(EmuFileWrite(h, 0, "hello", 5, 0, NULL), 0);
    EmuFileClose(h);

    TOpen(v, "\\a.txt", GENERIC_READ, FILE_CREATE, &s, &info);
    CHECK_EQ(s, STATUS_OBJECT_NAME_COLLISION); CHECK_EQ(info, FILE_EXISTS);

    TOpen(v, "\\missing.txt", GENERIC_READ, FILE_OPEN, &s, &info);
    CHECK_EQ(s, STATUS_OBJECT_NAME_NOT_FOUND); CHECK_EQ(info, FILE_DOES_NOT_EXIST);
    TOpen(v, "\\missing.txt", GENERIC_WRITE, FILE_OVERWRITE, &s, &info);
    CHECK_EQ(s, STATUS_OBJECT_NAME_NOT_FOUND); CHECK_EQ(info, FILE_DOES_NOT_EXIST);
    CHECK_EQ(EmuFsExists(v, "\\missing.txt"), 0);

    h = TOpen(v, "\\A.TXT", GENERIC_READ, FILE_OPEN, &s, &info);
    CHECK_EQ(s, STATUS_SUCCESS); CHECK_EQ(info, FILE_OPENED);
    EmuFileClose(h);
    h = TOpen(v, "\\a.txt", GENERIC_READ, FILE_OPEN_IF, &s, &info);
    CHECK_EQ(info, FILE_OPENED);
    EmuFileClose(h);
    h = TOpen(v, "\\b.txt", GENERIC_READ, FILE_OPEN_IF, &s, &info);
    CHECK_EQ(info, FILE_CREATED);
    EmuFileClose(h);

    h = TOpen(v, "\\a.txt", GENERIC_WRITE, FILE_OVERWRITE, &s, &info);
    CHECK_EQ(s, STATUS_SUCCESS); CHECK_EQ(info, FILE_OVERWRITTEN);
    EmuFileClose(h);
    CHECK_EQ(EmuFsRead(v, "\\a.txt", NULL, 0), 0);     /* truncated */

    TPut(v, "\\a.txt", "data");
    h = TOpen(v, "\\a.txt", GENERIC_WRITE, FILE_SUPERSEDE, &s, &info);
    CHECK_EQ(info, FILE_SUPERSEDED);
    EmuFileClose(h);
    CHECK_EQ(EmuFsRead(v, "\\a.txt", NULL, 0), 0);
    h = TOpen(v, "\\c.txt", GENERIC_WRITE, FILE_SUPERSEDE, &s, &info);
    CHECK_EQ(info, FILE_CREATED);
    EmuFileClose(h);
    h = TOpen(v, "\\d.txt", GENERIC_WRITE, FILE_OVERWRITE_IF, &s, &info);
    CHECK_EQ(info, FILE_CREATED);
    EmuFileClose(h);
    h = TOpen(v, "\\d.txt", GENERIC_WRITE, FILE_OVERWRITE_IF, &s, &info);
    CHECK_EQ(info, FILE_OVERWRITTEN);
    EmuFileClose(h);

    TOpen(v, "\\nodir\\x.txt", GENERIC_WRITE, FILE_CREATE, &s, &info);
    CHECK_EQ(s, STATUS_OBJECT_PATH_NOT_FOUND);
}

static void test_io_and_information(void)
{
    int v = EmuCreateVolume("\\Device\\HarddiskVolume1", 4, 0);
    NTSTATUS s;
    EmuFsPut(v, "\\dir", NULL, 0, 1);
    uint64_t h = TOpen(v, "\\dir\\f.bin", GENERIC_READ | GENERIC_WRITE | DELETE, FILE_CREATE, &s, NULL);
    CHECK_EQ(s, 0);
    uint32_t n = 0;
    CHECK_EQ(EmuFileWrite(h, 0, "0123456789", 10, 0, &n), 0);
    CHECK_EQ(n, 10);
    char buf[32] = {0};
    CHECK_EQ(EmuFileRead(h, 3, buf, 4, &n), 0);
    CHECK_EQ(n, 4);
    CHECK(memcmp(buf, "3456", 4) == 0);
    CHECK_EQ(EmuFileRead(h, 10, buf, 4, &n), STATUS_END_OF_FILE);
    CHECK_EQ(EmuFileSetEndOfFile(h, 6), 0);
    int64_t size = 0;
    CHECK_EQ(EmuFileQuerySize(h, &size), 0);
    CHECK_EQ(size, 6);
    CHECK_EQ(EmuFileRename(h, "\\dir\\g.bin", 0), 0);
    CHECK_EQ(EmuFsExists(v, "\\dir\\f.bin"), 0);
    CHECK_EQ(EmuFsExists(v, "\\dir\\g.bin"), 1);
    TPut(v, "\\dir\\h.bin", "x");
    CHECK_EQ(EmuFileRename(h, "\\dir\\h.bin", 0), STATUS_OBJECT_NAME_COLLISION);
    CHECK_EQ(EmuFileRename(h, "\\dir\\h.bin", 1), 0);
    CHECK_EQ(EmuFsRead(v, "\\dir\\h.bin", NULL, 0), 6);
    CHECK_EQ(EmuFileDelete(h), 0);
    CHECK_EQ(EmuFsExists(v, "\\dir\\h.bin"), 1);       /* deleted at the last cleanup */
    EmuFileClose(h);
    CHECK_EQ(EmuFsExists(v, "\\dir\\h.bin"), 0);
}

static void test_access_and_sharing(void)
{
    int v = EmuCreateVolume("\\Device\\HarddiskVolume1", 4, 0);
    TPut(v, "\\f.txt", "abc");
    uint64_t h = 0, info;
    CHECK_EQ(EmuFileOpen(v, "\\f.txt", GENERIC_READ, FILE_SHARE_READ, FILE_OPEN, 0, 0, &h, &info), 0);
    uint32_t n;
    CHECK_EQ(EmuFileWrite(h, 0, "zz", 2, 0, &n), STATUS_ACCESS_DENIED);     /* no write access on the handle */
    CHECK_EQ(EmuFileRename(h, "\\g.txt", 0), STATUS_ACCESS_DENIED);        /* no DELETE access */
    uint64_t h2 = 0;
    CHECK_EQ(EmuFileOpen(v, "\\f.txt", GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE, FILE_OPEN, 0, 0, &h2, &info), STATUS_SHARING_VIOLATION);
    CHECK_EQ(EmuFileOpen(v, "\\f.txt", GENERIC_READ, FILE_SHARE_READ, FILE_OPEN, 0, 0, &h2, &info), 0);
    EmuFileClose(h2);
    EmuFileClose(h);
    CHECK_EQ(EmuFileOpen(v, "\\f.txt", GENERIC_WRITE, 0, FILE_OPEN, 0, 0, &h2, &info), 0);
    EmuFileClose(h2);
    EmuFsPut(v, "\\d", NULL, 0, 1);
    CHECK_EQ(EmuFileOpen(v, "\\d", GENERIC_READ, 0, FILE_OPEN, FILE_NON_DIRECTORY_FILE, 0, &h2, &info), STATUS_FILE_IS_A_DIRECTORY);
    CHECK_EQ(EmuFileOpen(v, "\\f.txt", GENERIC_READ, 0, FILE_OPEN, FILE_DIRECTORY_FILE, 0, &h2, &info), STATUS_NOT_A_DIRECTORY);
    CHECK_EQ(EmuFileOpen(v, "\\f.txt", GENERIC_READ | DELETE, 0, FILE_OPEN, FILE_DELETE_ON_CLOSE, 0, &h2, &info), 0);
    EmuFileClose(h2);
    CHECK_EQ(EmuFsExists(v, "\\f.txt"), 0);
}

static void test_directory_listing(void)
{
    int v = EmuCreateVolume("\\Device\\HarddiskVolume1", 4, 0);
    EmuFsPut(v, "\\d", NULL, 0, 1);
    uint64_t h = 0, info;
    char names[64];
    uint32_t count = 7;
    CHECK_EQ(EmuFileOpen(v, "\\d", GENERIC_READ, FILE_SHARE_READ, FILE_OPEN, FILE_DIRECTORY_FILE, 0, &h, &info), 0);
    CHECK_EQ(EmuFileQueryDirectory(h, names, sizeof(names), &count), STATUS_NO_MORE_FILES);
    CHECK_EQ(count, 0);
    TPut(v, "\\d\\a.txt", "a");
    EmuFsPut(v, "\\d\\sub", NULL, 0, 1);
    CHECK_EQ(EmuFileQueryDirectory(h, names, sizeof(names), &count), STATUS_SUCCESS);
    CHECK_EQ(count, 2);
    CHECK(strstr(names, "a.txt\n") != NULL && strstr(names, "sub\n") != NULL);
    CHECK_EQ(EmuFileQueryDirectory(h, names, 8, &count), STATUS_BUFFER_OVERFLOW);
    EmuFileClose(h);
    CHECK_EQ(EmuFileOpen(v, "\\d\\a.txt", GENERIC_READ, FILE_SHARE_READ, FILE_OPEN, 0, 0, &h, &info), 0);
    CHECK_EQ(EmuFileQueryDirectory(h, names, sizeof(names), &count), STATUS_INVALID_PARAMETER);
    EmuFileClose(h);
}

const TEST_CASE g_fsTests[] = {
    { "fs: a directory listing (IRP_MJ_DIRECTORY_CONTROL, FileNamesInformation)", test_directory_listing },
    { "fs: create dispositions and IoStatus.Information", test_dispositions },
    { "fs: read, write, end of file, rename, delete", test_io_and_information },
    { "fs: handle access, share access, directory options, delete on close", test_access_and_sharing },
};
const size_t g_fsTestsCount = sizeof(g_fsTests) / sizeof(g_fsTests[0]);
