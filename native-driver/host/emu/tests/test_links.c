/*
 * Renames and hard links in the in-memory file system, the three forms of a
 * new name (full path, simple name, relative to RootDirectory),
 * ReplaceIfExists in the plain and Ex classes, and
 * FltGetDestinationFileNameInformation as a filter above sees it.
 */
#include "test_filters.h"

static uint64_t OpenDir(int v, const char *path)
{
    uint64_t h = 0, info;
    CHECK_EQ(EmuFileOpen(v, path, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, FILE_OPEN,
                         FILE_DIRECTORY_FILE, 0, &h, &info), 0);
    return h;
}

static void test_hard_links(void)
{
    int v = EmuCreateVolume("\\Device\\HarddiskVolume1", 4, 0);
    EmuFsPut(v, "\\a", NULL, 0, 1);
    EmuFsPut(v, "\\b", NULL, 0, 1);
    TPut(v, "\\a\\f.txt", "first");
    NTSTATUS s;
    uint64_t h = TOpen(v, "\\a\\f.txt", GENERIC_READ | GENERIC_WRITE | DELETE, FILE_OPEN, &s, NULL);
    CHECK_EQ(s, 0);
    CHECK_EQ(EmuFileLink(h, 0, "\\b\\g.txt", 0), 0);
    CHECK_EQ(EmuFsExists(v, "\\a\\f.txt"), 1);
    CHECK_EQ(EmuFsExists(v, "\\b\\g.txt"), 1);
    CHECK_EQ(EmuFileWrite(h, 0, "FIRST", 5, 0, NULL), 0);
    char b[8] = {0};
    CHECK_EQ(EmuFsRead(v, "\\b\\g.txt", b, 5), 5);          /* one file, two names */
    CHECK(memcmp(b, "FIRST", 5) == 0);
    CHECK_EQ(EmuFileLink(h, 0, "\\b\\g.txt", 0), STATUS_OBJECT_NAME_COLLISION);
    TPut(v, "\\b\\other.txt", "other");
    CHECK_EQ(EmuFileLink(h, 0, "\\b\\other.txt", 0), STATUS_OBJECT_NAME_COLLISION);
    CHECK_EQ(EmuFileLink(h, 0, "\\b\\other.txt", EMU_NAME_REPLACE_IF_EXISTS | EMU_NAME_EX_CLASS), 0);   /* FILE_LINK_REPLACE_IF_EXISTS */
    CHECK_EQ(EmuFsRead(v, "\\b\\other.txt", b, 5), 5);
    CHECK(memcmp(b, "FIRST", 5) == 0);
    CHECK_EQ(EmuFileLink(h, 0, "\\nowhere\\x.txt", 0), STATUS_OBJECT_PATH_NOT_FOUND);
    uint64_t d = OpenDir(v, "\\a");
    uint64_t dh = 0, info;
    CHECK_EQ(EmuFileOpen(v, "\\a", GENERIC_READ | DELETE, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, FILE_OPEN,
                         FILE_DIRECTORY_FILE, 0, &dh, &info), 0);
    CHECK_EQ(EmuFileLink(dh, 0, "\\b\\dirlink", 0), STATUS_FILE_IS_A_DIRECTORY);
    EmuFileClose(dh);
    EmuFileClose(d);
    /* Deleting the first name leaves the file under its other names. */
    CHECK_EQ(EmuFileDelete(h), 0);
    EmuFileClose(h);
    CHECK_EQ(EmuFsExists(v, "\\a\\f.txt"), 0);
    CHECK_EQ(EmuFsRead(v, "\\b\\g.txt", b, 5), 5);
    h = TOpen(v, "\\b\\g.txt", GENERIC_READ | DELETE, FILE_OPEN, &s, NULL);
    CHECK_EQ(s, 0);
    CHECK_EQ(EmuFileDelete(h), 0);
    EmuFileClose(h);
    CHECK_EQ(EmuFsExists(v, "\\b\\other.txt"), 1);
    h = TOpen(v, "\\b\\other.txt", GENERIC_READ | DELETE, FILE_OPEN, &s, NULL);
    CHECK_EQ(EmuFileDelete(h), 0);
    EmuFileClose(h);
    CHECK_EQ(EmuFsExists(v, "\\b\\other.txt"), 0);      /* the last name: the file is gone */
    CHECK_EQ(EmuFsExists(v, "\\b\\g.txt"), 0);
}

static void test_rename_through_a_link(void)
{
    int v = EmuCreateVolume("\\Device\\HarddiskVolume1", 4, 0);
    TPut(v, "\\f.txt", "f");
    NTSTATUS s;
    uint64_t h = TOpen(v, "\\f.txt", GENERIC_READ | DELETE, FILE_OPEN, &s, NULL);
    CHECK_EQ(EmuFileLink(h, 0, "g.txt", 0), 0);
    EmuFileClose(h);
    h = TOpen(v, "\\g.txt", GENERIC_READ | DELETE, FILE_OPEN, &s, NULL);
    CHECK_EQ(EmuFileRename(h, "\\h.txt", 0), 0);            /* renames the name it was opened by */
    CHECK_EQ(EmuFsExists(v, "\\f.txt"), 1);
    CHECK_EQ(EmuFsExists(v, "\\g.txt"), 0);
    CHECK_EQ(EmuFsExists(v, "\\h.txt"), 1);
    EmuFileClose(h);
}

static void test_rename_forms(void)
{
    int v = EmuCreateVolume("\\Device\\HarddiskVolume1", 4, 0);
    int v2 = EmuCreateVolume("\\Device\\HarddiskVolume2", 4, 0);
    EmuFsPut(v, "\\a", NULL, 0, 1);
    EmuFsPut(v, "\\b", NULL, 0, 1);
    EmuFsPut(v2, "\\b", NULL, 0, 1);
    TPut(v, "\\a\\f.txt", "f");
    NTSTATUS s;
    uint64_t h = TOpen(v, "\\a\\f.txt", GENERIC_READ | DELETE, FILE_OPEN, &s, NULL);
    CHECK_EQ(EmuFileRenameEx(h, 0, "g.txt", 0), 0);                 /* a simple name: the same directory */
    CHECK_EQ(EmuFsExists(v, "\\a\\g.txt"), 1);
    uint64_t b = OpenDir(v, "\\b");
    CHECK_EQ(EmuFileRenameEx(h, b, "h.txt", 0), 0);                 /* relative to RootDirectory */
    CHECK_EQ(EmuFsExists(v, "\\b\\h.txt"), 1);
    CHECK_EQ(EmuFsExists(v, "\\a\\g.txt"), 0);
    uint64_t other = OpenDir(v2, "\\b");
    CHECK_EQ(EmuFileRenameEx(h, other, "h.txt", 0), STATUS_NOT_SAME_DEVICE);
    CHECK_EQ(EmuFileRenameEx(h, 0xdead, "h.txt", 0), STATUS_INVALID_HANDLE);
    TPut(v, "\\a\\taken.txt", "t");
    CHECK_EQ(EmuFileRenameEx(h, 0, "\\a\\taken.txt", EMU_NAME_EX_CLASS), STATUS_OBJECT_NAME_COLLISION);
    CHECK_EQ(EmuFileRenameEx(h, 0, "\\a\\taken.txt", EMU_NAME_EX_CLASS | EMU_NAME_REPLACE_IF_EXISTS), 0);
    CHECK_EQ(EmuFsRead(v, "\\a\\taken.txt", NULL, 0), 1);
    EmuFileClose(other);
    EmuFileClose(b);
    EmuFileClose(h);
}

/* A filter above the file system that asks for the destination of every rename and link. */
static char g_dest[256];
static NTSTATUS g_destStatus;
static KIRQL g_raiseTo;
static uint32_t g_otherContext;     /* a process to call from, as a worker in another context would */
static FLT_PREOP_CALLBACK_STATUS SeeDestination(TF *tf, PFLT_CALLBACK_DATA d, PCFLT_RELATED_OBJECTS o, PVOID *c)
{
    (void)tf; (void)c;
    if (d->Iopb->MajorFunction != IRP_MJ_SET_INFORMATION) {
        return FLT_PREOP_SUCCESS_NO_CALLBACK;
    }
    FILE_INFORMATION_CLASS cls = d->Iopb->Parameters.SetFileInformation.FileInformationClass;
    if (cls != FileRenameInformation && cls != FileRenameInformationEx && cls != FileLinkInformation && cls != FileLinkInformationEx) {
        return FLT_PREOP_SUCCESS_NO_CALLBACK;
    }
    PFILE_RENAME_INFORMATION ri = d->Iopb->Parameters.SetFileInformation.InfoBuffer;
    PFLT_FILE_NAME_INFORMATION name = NULL;
    KIRQL old = PASSIVE_LEVEL;
    if (g_raiseTo != PASSIVE_LEVEL) {
        KeRaiseIrql(g_raiseTo, &old);
    }
    if (g_otherContext != 0) {
        EmuSetCurrentProcess(g_otherContext);
    }
    g_destStatus = FltGetDestinationFileNameInformation(o->Instance, o->FileObject, ri->RootDirectory, ri->FileName, ri->FileNameLength,
                                                        FLT_FILE_NAME_NORMALIZED | FLT_FILE_NAME_QUERY_DEFAULT, &name);
    if (g_otherContext != 0) {
        EmuSetCurrentProcess(TEST_PID);
    }
    if (g_raiseTo != PASSIVE_LEVEL) {
        KeLowerIrql(old);
    }
    g_dest[0] = 0;
    if (NT_SUCCESS(g_destStatus)) {
        EmuWideToUtf8(name->Name.Buffer, name->Name.Length / 2, g_dest, sizeof(g_dest));
        FltReleaseFileNameInformation(name);
    }
    return FLT_PREOP_SUCCESS_NO_CALLBACK;
}

static void test_destination_name(void)
{
    int v = EmuCreateVolume("\\Device\\HarddiskVolume1", 4, 0);
    EmuFsPut(v, "\\Docs", NULL, 0, 1);
    EmuFsPut(v, "\\Docs\\Sub", NULL, 0, 1);
    TPut(v, "\\Docs\\f.txt", "f");
    g_raiseTo = PASSIVE_LEVEL;
    TfStart(0, "300000", SeeDestination, NULL);
    NTSTATUS s;
    uint64_t h = TOpen(v, "\\docs\\f.txt", GENERIC_READ | DELETE, FILE_OPEN, &s, NULL);
    CHECK_EQ(EmuFileRenameEx(h, 0, "\\docs\\sub\\New.txt", 0), 0);
    CHECK_EQ(g_destStatus, 0);
    CHECK(strcmp(g_dest, "\\Device\\HarddiskVolume1\\Docs\\Sub\\New.txt") == 0);     /* normalized: the directories' own case */
    CHECK_EQ(EmuFileRenameEx(h, 0, "Simple.txt", 0), 0);
    CHECK(strcmp(g_dest, "\\Device\\HarddiskVolume1\\Docs\\Sub\\Simple.txt") == 0);
    uint64_t d = OpenDir(v, "\\DOCS");
    CHECK_EQ(EmuFileLink(h, d, "Link.txt", 0), 0);
    CHECK(strcmp(g_dest, "\\Device\\HarddiskVolume1\\Docs\\Link.txt") == 0);
    /* PASSIVE_LEVEL only: called at APC_LEVEL it is a violation naming it. */
    g_raiseTo = APC_LEVEL;
    CHECK_EQ(EmuFileRenameEx(h, 0, "Other.txt", 0), 0);
    CHECK(g_destStatus != 0);
    CHECK_VIOLATION("FltGetDestinationFileNameInformation");
    /* RootDirectory is the requestor's handle: out of the requestor's context it names nothing. */
    g_raiseTo = PASSIVE_LEVEL;
    EmuSetProcess(300, "\\Device\\HarddiskVolume1\\other.exe", 0);
    g_otherContext = 300;
    CHECK_EQ(EmuFileLink(h, d, "Link2.txt", 0), 0);         /* the I/O manager resolved it in the caller's context */
    g_otherContext = 0;
    CHECK_EQ(g_destStatus, STATUS_INVALID_HANDLE);
    CHECK_VIOLATION("requestor's context");
    EmuFileClose(d);
    EmuFileClose(h);
    TfUnload(&g_tf[0]);
}

const TEST_CASE g_linkTests[] = {
    { "fs: hard links share one file; a name's delete leaves the others; no links to directories", test_hard_links },
    { "fs: a rename through a hard link's handle moves that name", test_rename_through_a_link },
    { "fs: rename to a simple name, relative to RootDirectory, another volume, replace in the Ex class", test_rename_forms },
    { "fs: FltGetDestinationFileNameInformation for full, simple and relative names; PASSIVE_LEVEL and the requestor's context only", test_destination_name },
};
const size_t g_linkTestsCount = sizeof(g_linkTests) / sizeof(g_linkTests[0]);
