/*
 * test_reparse.c - the emulated I/O manager's part of STATUS_REPARSE (test
 * filters, not the driver): a pre-create that replaces the name with
 * IoReplaceFileObjectName and completes with STATUS_REPARSE / IO_REPARSE has
 * the open re-issued on the volume the new name starts with, through that
 * volume's whole instance stack; a reparse loop ends after the documented
 * limit; the misuses are violations naming the routine.
 */
#include "test_filters.h"

static const WCHAR *g_newName;          /* what the reparsing filter puts in the file object */
static int g_mode;                      /* 0 replace properly, 1 no replacement, 2 by hand, 3 free the buffer */
static WCHAR g_byHand[64];

/* Filter A on volume 1 (or every volume when g_newName loops): reparses every create of \r\*. */
static FLT_PREOP_CALLBACK_STATUS Reparser(TF *tf, PFLT_CALLBACK_DATA d, PCFLT_RELATED_OBJECTS o, PVOID *c)
{
    (void)tf; (void)c;
    if (d->Iopb->MajorFunction != IRP_MJ_CREATE || o->FileObject->FileName.Length < 6 ||
        o->FileObject->FileName.Buffer[1] != 'r' || g_newName == NULL) {
        return FLT_PREOP_SUCCESS_NO_CALLBACK;
    }
    size_t chars = 0;
    while (g_newName[chars] != 0) chars++;
    switch (g_mode) {
    case 0:
        CHECK_EQ(IoReplaceFileObjectName(o->FileObject, (PWSTR)g_newName, (USHORT)(chars * 2)), STATUS_SUCCESS);
        break;
    case 2:
        memcpy(g_byHand, g_newName, chars * 2);
        o->FileObject->FileName.Buffer = g_byHand;
        o->FileObject->FileName.Length = o->FileObject->FileName.MaximumLength = (USHORT)(chars * 2);
        break;
    case 3:
        ExFreePoolWithTag(o->FileObject->FileName.Buffer, 0);
        break;
    default:
        break;
    }
    d->IoStatus.Status = STATUS_REPARSE;
    d->IoStatus.Information = IO_REPARSE;
    return FLT_PREOP_COMPLETE;
}

static PFLT_VOLUME g_createdOn;
static FLT_PREOP_CALLBACK_STATUS Watch(TF *tf, PFLT_CALLBACK_DATA d, PCFLT_RELATED_OBJECTS o, PVOID *c)
{
    (void)tf; (void)c;
    if (d->Iopb->MajorFunction == IRP_MJ_CREATE) {
        g_createdOn = o->Volume;
    }
    return FLT_PREOP_SUCCESS_NO_CALLBACK;
}

static void test_reparse_reissued_on_target_stack(void)
{
    int v1 = EmuCreateVolume("\\Device\\HarddiskVolume1", 4, 0);
    int v2 = EmuCreateVolume("\\Device\\HarddiskVolume2", 4, 0);
    EmuFsPut(v2, "\\other", NULL, 0, 1);
    TPut(v2, "\\other\\x.txt", "two");
    g_mode = 0;
    g_newName = L"\\Device\\HarddiskVolume2\\other\\x.txt";
    TfStart(0, "300000", Reparser, NULL);
    TfStart(1, "400000", Watch, NULL);          /* above the reparser: sees the re-issued create from the top */
    NTSTATUS s;
    uint64_t info;
    uint64_t h = TOpen(v1, "\\r.txt", GENERIC_READ, FILE_OPEN, &s, &info);
    CHECK_EQ(s, STATUS_SUCCESS);
    CHECK_EQ(g_createdOn, EmuVolumeById(v2));
    char b[8] = {0};
    uint32_t n;
    CHECK_EQ(EmuFileRead(h, 0, b, 3, &n), STATUS_SUCCESS);
    CHECK(memcmp(b, "two", 3) == 0);
    EmuFileClose(h);
    /* A device no volume has: the path is not found. */
    g_newName = L"\\Device\\HarddiskVolume9\\x.txt";
    CHECK_EQ(TOpen(v1, "\\r.txt", GENERIC_READ, FILE_OPEN, &s, NULL), 0);
    CHECK_EQ(s, STATUS_OBJECT_PATH_NOT_FOUND);
    CHECK_EQ(EmuViolationCount(), 0);
    TfUnload(&g_tf[1]);
    TfUnload(&g_tf[0]);
}

static void test_reparse_loop_ends(void)
{
    int v1 = EmuCreateVolume("\\Device\\HarddiskVolume1", 4, 0);
    g_mode = 0;
    g_newName = L"\\Device\\HarddiskVolume1\\r.txt";    /* back to itself, for ever */
    TF *tf = TfStart(0, "300000", Reparser, NULL);
    NTSTATUS s;
    CHECK_EQ(TOpen(v1, "\\r.txt", GENERIC_READ, FILE_OPEN, &s, NULL), 0);
    CHECK_EQ(s, STATUS_REPARSE_POINT_NOT_RESOLVED);
    CHECK_EQ(tf->PreCount, 64);                 /* 63 reparses re-issued, the 64th refused */
    CHECK_EQ(EmuViolationCount(), 0);
    TfUnload(tf);
}

static void CheckOneViolation(const char *needle)
{
    char text[512] = {0};
    CHECK_EQ(EmuViolationCount(), 1);
    EmuViolationText(0, text, sizeof(text));
    CHECK(strstr(text, needle) != NULL);
    EmuViolationsClear();
}

static void test_reparse_misuse(void)
{
    int v1 = EmuCreateVolume("\\Device\\HarddiskVolume1", 4, 0);
    EmuCreateVolume("\\Device\\HarddiskVolume2", 4, 0);
    g_newName = L"\\Device\\HarddiskVolume2\\x.txt";
    TfStart(0, "300000", Reparser, NULL);
    NTSTATUS s;
    g_mode = 1;
    CHECK_EQ(TOpen(v1, "\\r.txt", GENERIC_READ, FILE_OPEN, &s, NULL), 0);
    CheckOneViolation("without replacing the name (IoReplaceFileObjectName)");
    g_mode = 2;
    CHECK_EQ(TOpen(v1, "\\r.txt", GENERIC_READ, FILE_OPEN, &s, NULL), 0);
    CheckOneViolation("replaced without IoReplaceFileObjectName");
    g_mode = 3;
    CHECK_EQ(TOpen(v1, "\\r.txt", GENERIC_READ, FILE_OPEN, &s, NULL), 0);
    CHECK(EmuViolationCount() >= 1);
    char text[512] = {0};
    EmuViolationText(0, text, sizeof(text));
    CHECK(strstr(text, "FileName.Buffer: the I/O manager owns it") != NULL);
    EmuViolationsClear();
    TfUnload(&g_tf[0]);
}

/* A relative open as NtCreateFile issues it: FileName relative, RelatedFileObject the directory. */
static int g_sawRelative;
static FLT_PREOP_CALLBACK_STATUS SeeRelative(TF *tf, PFLT_CALLBACK_DATA d, PCFLT_RELATED_OBJECTS o, PVOID *c)
{
    (void)tf; (void)c;
    if (d->Iopb->MajorFunction == IRP_MJ_CREATE && o->FileObject->RelatedFileObject != NULL) {
        PFLT_FILE_NAME_INFORMATION name = NULL;
        CHECK_EQ(o->FileObject->FileName.Length, 10);                      /* "f.txt" */
        CHECK_EQ(FltGetFileNameInformation(d, FLT_FILE_NAME_NORMALIZED | FLT_FILE_NAME_QUERY_DEFAULT, &name), STATUS_SUCCESS);
        if (name != NULL) {
            UNICODE_STRING expected;
            RtlInitUnicodeString(&expected, L"\\Device\\HarddiskVolume1\\dir\\f.txt");
            CHECK(RtlEqualUnicodeString(&name->Name, &expected, TRUE));
            FltReleaseFileNameInformation(name);
        }
        g_sawRelative++;
    }
    return FLT_PREOP_SUCCESS_NO_CALLBACK;
}

static void test_relative_open(void)
{
    int v1 = EmuCreateVolume("\\Device\\HarddiskVolume1", 4, 0);
    EmuFsPut(v1, "\\dir", NULL, 0, 1);
    TPut(v1, "\\dir\\f.txt", "rel");
    g_sawRelative = 0;
    TF *tf = TfStart(0, "300000", SeeRelative, NULL);
    uint64_t dir = 0, h = 0, info;
    CHECK_EQ(EmuFileOpen(v1, "\\dir", GENERIC_READ, FILE_SHARE_READ, FILE_OPEN, FILE_DIRECTORY_FILE, 0, &dir, &info), 0);
    CHECK_EQ(EmuFileOpenRelative(dir, "f.txt", GENERIC_READ, FILE_SHARE_READ, FILE_OPEN, 0, 0, &h, &info), 0);
    CHECK_EQ(g_sawRelative, 1);
    char b[4] = {0};
    uint32_t n;
    CHECK_EQ(EmuFileRead(h, 0, b, 3, &n), STATUS_SUCCESS);
    CHECK(memcmp(b, "rel", 3) == 0);
    EmuFileClose(h);
    CHECK_EQ(EmuFileOpenRelative(dir, "\\f.txt", GENERIC_READ, 0, FILE_OPEN, 0, 0, &h, &info), STATUS_OBJECT_NAME_INVALID);
    EmuFileClose(dir);
    CHECK_EQ(EmuViolationCount(), 0);
    TfUnload(tf);
}

const TEST_CASE g_reparseTests[] = {
    { "reparse: a relative open carries its name and RelatedFileObject; the name query resolves it", test_relative_open },
    { "reparse: STATUS_REPARSE/IO_REPARSE re-issues the open on the named volume's whole stack", test_reparse_reissued_on_target_stack },
    { "reparse: a reparse loop ends with STATUS_REPARSE_POINT_NOT_RESOLVED after 63 reparses", test_reparse_loop_ends },
    { "reparse: no replacement, a buffer replaced or freed by hand are violations", test_reparse_misuse },
};
const size_t g_reparseTestsCount = sizeof(g_reparseTests) / sizeof(g_reparseTests[0]);
