/*
 * test_driver_match.c - behaviour that only the Java end-to-end tests or
 * only the portable core's unit tests covered, now also checked against
 * the real driver in the emulated kernel: the AUDIT of writes (an event
 * with the final status, the data written), and the matcher's case fold
 * (Latin-1, Greek, Cyrillic; not other scripts) and '?' (one UTF-16 unit,
 * never '\') as the driver applies them to the paths it is given.
 */
#include "test_driver_util.h"

static void test_audit_of_writes(void)
{
    Start();
    EmuFsPut(g_v1, "\\ledger", NULL, 0, 1);
    PB pb;
    memset(&pb, 0, sizeof(pb));
    PbRule(&pb, 41, JMF_OP_WRITE, "\\ledger\\**", JMF_ACTION_AUDIT);
    CHECK_EQ(SendPolicy(&pb).Error, JMF_ERROR_NONE);
    JMF_STATISTICS before;
    GetStatistics(&before);
    NTSTATUS s;
    uint64_t h = TOpen(g_v1, "\\ledger\\2026.txt", GENERIC_WRITE, FILE_CREATE, &s, NULL);
    CHECK_EQ(s, STATUS_SUCCESS);
    uint32_t n = 0;
    CHECK_EQ(EmuFileWrite(h, 0, "debit 10", 8, 0, &n), STATUS_SUCCESS);
    CHECK_EQ(n, 8);
    EmuFileClose(h);
    h = TOpen(g_v1, "\\notes.txt", GENERIC_WRITE, FILE_CREATE, &s, NULL);
    CHECK_EQ(EmuFileWrite(h, 0, "x", 1, 0, &n), STATUS_SUCCESS);        /* no rule: no event */
    EmuFileClose(h);
    char b[16] = {0};
    CHECK_EQ(EmuFsRead(g_v1, "\\ledger\\2026.txt", b, sizeof(b)), 8);    /* audited, not changed */
    CHECK(memcmp(b, "debit 10", 8) == 0);
    JMF_EVENT e[4];
    CHECK_EQ(GetEvents(e, 4), 1);
    char p[128];
    CHECK_EQ(e[0].RuleId, 41);
    CHECK_EQ(e[0].Operation, JMF_OP_WRITE);
    CHECK_EQ(e[0].Verdict, JMF_ACTION_AUDIT);
    CHECK_EQ(e[0].Status, STATUS_SUCCESS);                       /* reported in post, with the final status */
    CHECK_EQ(e[0].ProcessId, TEST_PID);
    CHECK(strcmp(Utf8(e[0].Path, e[0].PathLength, p, sizeof(p)), "\\ledger\\2026.txt") == 0);
    CHECK(strcmp(Utf8(e[0].Volume, e[0].VolumeLength, p, sizeof(p)), "\\Device\\HarddiskVolume1") == 0);
    JMF_STATISTICS st;
    GetStatistics(&st);
    CHECK_EQ(st.Verdicts[JMF_ACTION_AUDIT] - before.Verdicts[JMF_ACTION_AUDIT], 1);
    Stop();
}

/* DENY rule on pattern; returns the status of creating path (denied = STATUS_ACCESS_DENIED). */
static NTSTATUS CreateUnder(const char *path)
{
    NTSTATUS s;
    uint64_t h = TOpen(g_v1, path, GENERIC_WRITE, FILE_CREATE, &s, NULL);
    if (h != 0) {
        EmuFileClose(h);
    }
    return s;
}

static void test_case_fold(void)
{
    Start();
    EmuFsPut(g_v1, "\\Données", NULL, 0, 1);
    EmuFsPut(g_v1, "\\Документы", NULL, 0, 1);
    EmuFsPut(g_v1, "\\Αρχεία", NULL, 0, 1);
    EmuFsPut(g_v1, "\\ⓐⓑ", NULL, 0, 1);                  /* circled letters: not in the fold */
    PB pb;
    memset(&pb, 0, sizeof(pb));
    PbRule(&pb, 42, JMF_OP_CREATE, "\\données\\**", JMF_ACTION_DENY);
    PbRule(&pb, 43, JMF_OP_CREATE, "\\документы\\**", JMF_ACTION_DENY);
    PbRule(&pb, 44, JMF_OP_CREATE, "\\αρχεία\\**", JMF_ACTION_DENY);
    PbRule(&pb, 45, JMF_OP_CREATE, "\\ⓐⓑ\\**", JMF_ACTION_DENY);
    CHECK_EQ(SendPolicy(&pb).Error, JMF_ERROR_NONE);
    CHECK_EQ(CreateUnder("\\DONNÉES\\a.txt"), STATUS_ACCESS_DENIED);           /* Latin-1: É folds with é */
    CHECK_EQ(CreateUnder("\\ДОКУМЕНТЫ\\a.txt"), STATUS_ACCESS_DENIED);         /* Cyrillic */
    CHECK_EQ(CreateUnder("\\ΑΡΧΕΊΑ\\a.txt"), STATUS_ACCESS_DENIED);            /* Greek, with tonos */
    CHECK_EQ(CreateUnder("\\ⓐⓑ\\a.txt"), STATUS_ACCESS_DENIED);
    /* Ⓐ (U+24B6) is not folded with ⓐ: the rule does not match; the file system (ASCII fold) finds no such directory */
    CHECK_EQ(CreateUnder("\\ⒶⒷ\\a.txt"), STATUS_OBJECT_PATH_NOT_FOUND);
    CHECK_EQ(CreateUnder("\\Donnees\\a.txt"), STATUS_OBJECT_PATH_NOT_FOUND);   /* e is not é */
    Stop();
}

static void test_question_mark(void)
{
    Start();
    EmuFsPut(g_v1, "\\tmp", NULL, 0, 1);
    EmuFsPut(g_v1, "\\tmp\\a", NULL, 0, 1);
    PB pb;
    memset(&pb, 0, sizeof(pb));
    PbRule(&pb, 46, JMF_OP_CREATE, "\\tmp\\??.log", JMF_ACTION_DENY);
    PbRule(&pb, 47, JMF_OP_CREATE, "\\tmp\\a?x.txt", JMF_ACTION_DENY);
    CHECK_EQ(SendPolicy(&pb).Error, JMF_ERROR_NONE);
    CHECK_EQ(CreateUnder("\\tmp\\ab.log"), STATUS_ACCESS_DENIED);       /* exactly two */
    CHECK_EQ(CreateUnder("\\tmp\\é1.log"), STATUS_ACCESS_DENIED);       /* one UTF-16 unit each */
    CHECK_EQ(CreateUnder("\\tmp\\AB.LOG"), STATUS_ACCESS_DENIED);       /* literals without regard to case */
    CHECK_EQ(CreateUnder("\\tmp\\a.log"), STATUS_SUCCESS);              /* one is not two */
    CHECK_EQ(CreateUnder("\\tmp\\abc.log"), STATUS_SUCCESS);            /* three is not two */
    CHECK_EQ(CreateUnder("\\tmp\\a\\x.txt"), STATUS_SUCCESS);           /* '?' never matches '\' */
    CHECK_EQ(CreateUnder("\\tmp\\abx.txt"), STATUS_ACCESS_DENIED);
    Stop();
}

const TEST_CASE g_driverMatchTests[] = {
    { "driver: AUDIT of a write: one event with the final status, the data written", test_audit_of_writes },
    { "driver: paths match without regard to case (Latin-1, Greek, Cyrillic), other scripts exactly", test_case_fold },
    { "driver: '?' matches one UTF-16 unit, never '\\'", test_question_mark },
};
const size_t g_driverMatchTestsCount = sizeof(g_driverMatchTests) / sizeof(g_driverMatchTests[0]);
