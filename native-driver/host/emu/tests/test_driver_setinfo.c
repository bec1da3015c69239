/*
 * test_driver_setinfo.c - the real driver DENIES deletes (FileDispositionInformation
 * and FileDispositionInformationEx) and renames of a protected file: the caller
 * gets the rule's status, the file stays, the event names the rule.
 *
 * These are the requests whose class the driver reads from
 * FLT_PARAMETERS.SetFileInformation.FileInformationClass, a POINTER_ALIGNMENT
 * member: run against the real .sys (make test-sys) they fail if the
 * emulator lays FLT_PARAMETERS out otherwise than the WDK does (the binary
 * then reads the class from the wrong offset and lets the request through).
 */
#include "test_driver_util.h"

static const char *PathOf(const JMF_EVENT *e, char *out, size_t cap) { return Utf8(e->Path, e->PathLength, out, cap); }

static uint64_t OpenForDelete(int v, const char *path)
{
    NTSTATUS s;
    uint64_t h = TOpen(v, path, GENERIC_READ | DELETE, FILE_OPEN, &s, NULL);
    CHECK_EQ(s, STATUS_SUCCESS);
    return h;
}

static void CheckDenied(const JMF_EVENT *e, JMF_U32 ruleId, JMF_U32 op, const char *path)
{
    char p[128];
    CHECK_EQ(e->RuleId, ruleId);
    CHECK_EQ(e->Operation, op);
    CHECK_EQ(e->Verdict, JMF_ACTION_DENY);
    CHECK_EQ(e->Status, STATUS_ACCESS_DENIED);
    CHECK(strcmp(PathOf(e, p, sizeof(p)), path) == 0);
}

static void test_delete_denied(void)
{
    Start();
    EmuFsPut(g_v1, "\\keep", NULL, 0, 1);
    EmuFsPut(g_v1, "\\tmp", NULL, 0, 1);
    TPut(g_v1, "\\keep\\a.txt", "protected");
    TPut(g_v1, "\\tmp\\b.txt", "scratch");
    PB pb;
    memset(&pb, 0, sizeof(pb));
    PbRule(&pb, 31, JMF_OP_DELETE, "\\keep\\**", JMF_ACTION_DENY);
    CHECK_EQ(SendPolicy(&pb).Error, JMF_ERROR_NONE);

    uint64_t h = OpenForDelete(g_v1, "\\keep\\a.txt");
    CHECK_EQ(EmuFileDelete(h), STATUS_ACCESS_DENIED);                                          /* FileDispositionInformation */
    CHECK_EQ(EmuFileDeleteEx(h, FILE_DISPOSITION_DELETE), STATUS_ACCESS_DENIED);               /* FileDispositionInformationEx */
    CHECK_EQ(EmuFileDeleteEx(h, FILE_DISPOSITION_DELETE | FILE_DISPOSITION_POSIX_SEMANTICS), STATUS_ACCESS_DENIED);
    CHECK_EQ(EmuFileDeleteEx(h, FILE_DISPOSITION_DO_NOT_DELETE), STATUS_SUCCESS);              /* clearing is no delete */
    EmuFileClose(h);
    CHECK_EQ(EmuFsExists(g_v1, "\\keep\\a.txt"), 1);                                            /* still there after close */

    /* the same requests elsewhere delete the file */
    h = OpenForDelete(g_v1, "\\tmp\\b.txt");
    CHECK_EQ(EmuFileDeleteEx(h, FILE_DISPOSITION_DELETE), STATUS_SUCCESS);
    EmuFileClose(h);
    CHECK_EQ(EmuFsExists(g_v1, "\\tmp\\b.txt"), 0);

    JMF_EVENT e[8];
    CHECK_EQ(GetEvents(e, 8), 3);
    for (int i = 0; i < 3; i++) {
        CheckDenied(&e[i], 31, JMF_OP_DELETE, "\\keep\\a.txt");
    }
    Stop();
}

static void test_rename_of_protected_file_denied(void)
{
    Start();
    EmuFsPut(g_v1, "\\keep", NULL, 0, 1);
    EmuFsPut(g_v1, "\\pub", NULL, 0, 1);
    TPut(g_v1, "\\keep\\a.txt", "protected");
    PB pb;
    memset(&pb, 0, sizeof(pb));
    PbRule(&pb, 32, JMF_OP_RENAME, "\\keep\\**", JMF_ACTION_DENY);
    CHECK_EQ(SendPolicy(&pb).Error, JMF_ERROR_NONE);

    uint64_t h = OpenForDelete(g_v1, "\\keep\\a.txt");
    CHECK_EQ(EmuFileRename(h, "\\pub\\a.txt", 0), STATUS_ACCESS_DENIED);                       /* FileRenameInformation */
    CHECK_EQ(EmuFileRenameEx(h, 0, "\\pub\\a.txt", EMU_NAME_EX_CLASS), STATUS_ACCESS_DENIED);  /* FileRenameInformationEx */
    CHECK_EQ(EmuFileRenameEx(h, 0, "b.txt", 0), STATUS_ACCESS_DENIED);                         /* in place */
    EmuFileClose(h);
    CHECK_EQ(EmuFsExists(g_v1, "\\keep\\a.txt"), 1);
    CHECK_EQ(EmuFsExists(g_v1, "\\pub\\a.txt"), 0);
    CHECK_EQ(EmuFsExists(g_v1, "\\keep\\b.txt"), 0);

    JMF_EVENT e[8];
    CHECK_EQ(GetEvents(e, 8), 3);
    for (int i = 0; i < 3; i++) {
        CheckDenied(&e[i], 32, JMF_OP_RENAME, "\\keep\\a.txt");
    }
    Stop();
}

const TEST_CASE g_driverSetInfoTests[] = {
    { "driver: DENY of a delete (FileDispositionInformation and Ex): refused, the file stays", test_delete_denied },
    { "driver: DENY of a rename of a protected file (plain and Ex classes, in place): refused", test_rename_of_protected_file_denied },
};
const size_t g_driverSetInfoTestsCount = sizeof(g_driverSetInfoTests) / sizeof(g_driverSetInfoTests[0]);
