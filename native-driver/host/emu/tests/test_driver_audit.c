/*
 * test_driver_audit.c - audit-only rollout with the real driver: the same
 * policy in enforce mode denies, modifies, redirects, asks and cancels; in
 * audit-only mode (policy-level, and per rule mixed with enforcing rules)
 * the operation passes unchanged, on its own volume, with the original
 * parameters (the observer filter below the driver sees them), no ask is
 * sent, no open is cancelled, and the "would" event names the rule, the
 * verdict that would have applied and JMF_EVENT_FLAG_AUDIT_ONLY.
 */
#include "test_driver_util.h"

#define LOWER_ALTITUDE "100000"     /* the library's observer, below the driver */
#define DENIED ((JMF_I32)0xC0000022)

enum { ENFORCE, AUDIT_ONLY_POLICY, AUDIT_ONLY_RULE, MODES };
static const char *const g_modeNames[MODES] = { "enforce", "audit-only policy", "audit-only rule" };

/* Makes pb's rules audit-only the way Mode says (after they were added). */
static void SetMode(PB *pb, int mode)
{
    if (mode == AUDIT_ONLY_POLICY) {
        pb->Flags = JMF_POLICY_FLAG_AUDIT_ONLY;
    } else if (mode == AUDIT_ONLY_RULE) {
        for (JMF_U32 i = 0; i < pb->RuleCount; i++) {
            pb->Rules[i].Action.Flags |= JMF_ACTION_FLAG_AUDIT_ONLY;
        }
    }
}

static void CheckEvent(const JMF_EVENT *e, JMF_U32 ruleId, JMF_U32 operation, JMF_U32 verdict, JMF_I32 status,
                       int auditOnly)
{
    CHECK_EQ(e->RuleId, ruleId);
    CHECK_EQ(e->Operation, operation);
    CHECK_EQ(e->Verdict, verdict);
    CHECK_EQ(e->Status, status);
    CHECK_EQ(e->Flags & JMF_EVENT_FLAG_AUDIT_ONLY, auditOnly ? JMF_EVENT_FLAG_AUDIT_ONLY : 0);
}

/* A pre-create DENY: enforced it fails the create; audit-only the file is created and a would-DENY reported. */
static void test_deny_both_ways(void)
{
    for (int mode = 0; mode < MODES; mode++) {
        printf("     (%s)\n", g_modeNames[mode]);
        Start();
        EmuFsPut(g_v1, "\\secret", NULL, 0, 1);
        PB pb;
        memset(&pb, 0, sizeof(pb));
        PbRule(&pb, 41, JMF_OP_CREATE, "\\secret\\**", JMF_ACTION_DENY);
        SetMode(&pb, mode);
        CHECK_EQ(SendPolicy(&pb).Error, JMF_ERROR_NONE);
        NTSTATUS s;
        uint64_t h = TOpen(g_v1, "\\secret\\new.txt", GENERIC_WRITE, FILE_CREATE, &s, NULL);
        JMF_EVENT e[4];
        JMF_STATISTICS st;
        GetStatistics(&st);
        CHECK_EQ(GetEvents(e, 4), 1);
        CHECK_EQ(st.Verdicts[JMF_ACTION_DENY], 1);       /* by the verdict that (would have) applied */
        if (mode == ENFORCE) {
            CHECK_EQ(s, DENIED);
            CHECK_EQ(EmuFsExists(g_v1, "\\secret\\new.txt"), 0);
            CheckEvent(&e[0], 41, JMF_OP_CREATE, JMF_ACTION_DENY, DENIED, 0);
            CHECK_EQ(st.AuditOnly, 0);
        } else {
            CHECK_EQ(s, STATUS_SUCCESS);
            CHECK_EQ(EmuFsExists(g_v1, "\\secret\\new.txt"), 1);
            CheckEvent(&e[0], 41, JMF_OP_CREATE, JMF_ACTION_DENY, STATUS_SUCCESS, 1);
            CHECK_EQ(st.AuditOnly, 1);
            EmuFileClose(h);
        }
        Stop();
    }
}

/* A create MODIFY: enforced the file system sees the new parameters; audit-only it sees the caller's. */
static void test_modify_both_ways(void)
{
    for (int mode = 0; mode < MODES; mode++) {
        printf("     (%s)\n", g_modeNames[mode]);
        Start();
        CHECK_EQ(EmuObserverStart(LOWER_ALTITUDE), 0);
        EmuFsPut(g_v1, "\\shared", NULL, 0, 1);
        TPut(g_v1, "\\shared\\log.txt", "kept");
        PB pb;
        memset(&pb, 0, sizeof(pb));
        JMF_RULE *r = PbRule(&pb, 42, JMF_OP_CREATE, "\\shared\\**", JMF_ACTION_MODIFY);
        r->Action.AccessClear = FILE_WRITE_DATA;
        r->Action.Disposition = JMF_FILE_OPEN_IF;          /* never truncate */
        SetMode(&pb, mode);
        CHECK_EQ(SendPolicy(&pb).Error, JMF_ERROR_NONE);
        NTSTATUS s;
        uint64_t info = 0;
        uint64_t h = TOpen(g_v1, "\\shared\\log.txt", FILE_READ_DATA | FILE_WRITE_DATA, FILE_OVERWRITE_IF, &s, &info);
        CHECK_EQ(s, STATUS_SUCCESS);
        EMU_OBSERVED o;
        CHECK_EQ(EmuObserverLast(IRP_MJ_CREATE, &o), 0);
        JMF_EVENT e[4];
        CHECK_EQ(GetEvents(e, 4), 1);
        if (mode == ENFORCE) {
            CHECK_EQ(o.Disposition, FILE_OPEN_IF);
            CHECK_EQ(o.DesiredAccess & FILE_WRITE_DATA, 0);
            CHECK_EQ(info, FILE_OPENED);
            CHECK_EQ(EmuFsRead(g_v1, "\\shared\\log.txt", NULL, 0), 4);
            CheckEvent(&e[0], 42, JMF_OP_CREATE, JMF_ACTION_MODIFY, STATUS_SUCCESS, 0);
            CHECK(e[0].Flags & JMF_EVENT_FLAG_MODIFIED);
        } else {
            CHECK_EQ(o.Disposition, FILE_OVERWRITE_IF);        /* the caller's parameters, untouched */
            CHECK_EQ(o.DesiredAccess & FILE_WRITE_DATA, FILE_WRITE_DATA);
            CHECK_EQ(info, FILE_OVERWRITTEN);
            CHECK_EQ(EmuFsRead(g_v1, "\\shared\\log.txt", NULL, 0), 0);
            CheckEvent(&e[0], 42, JMF_OP_CREATE, JMF_ACTION_MODIFY, STATUS_SUCCESS, 1);
            CHECK_EQ(e[0].Flags & JMF_EVENT_FLAG_MODIFIED, 0);   /* nothing was changed */
        }
        EmuFileClose(h);
        CHECK_EQ(EmuObserverStop(), 0);
        Stop();
    }
}

/* A REDIRECT: enforced the handle's data is on volume 2; audit-only it stays on volume 1, one would-REDIRECT. */
static void test_redirect_both_ways(void)
{
    for (int mode = 0; mode < MODES; mode++) {
        printf("     (%s)\n", g_modeNames[mode]);
        Start();
        CHECK_EQ(EmuObserverStart(LOWER_ALTITUDE), 0);
        EmuFsPut(g_v1, "\\data", NULL, 0, 1);
        EmuFsPut(g_v2, "\\data", NULL, 0, 1);
        TPut(g_v1, "\\data\\f.txt", "on volume one");
        TPut(g_v2, "\\data\\f.txt", "on volume two");
        PB pb;
        memset(&pb, 0, sizeof(pb));
        pb.Volumes[0] = "\\Device\\HarddiskVolume1";
        pb.Volumes[1] = "\\Device\\HarddiskVolume2";
        pb.VolumeCount = 2;
        JMF_RULE *r = PbRule(&pb, 43, JMF_OP_CREATE | JMF_OP_READ | JMF_OP_WRITE, "\\data\\**", JMF_ACTION_REDIRECT);
        r->Volume = 0;
        r->Action.TargetVolume = 1;
        r->Action.Flags = JMF_ACTION_FLAG_FALLBACK_DENY;
        r->Action.Status = DENIED;
        SetMode(&pb, mode);
        CHECK_EQ(SendPolicy(&pb).Error, JMF_ERROR_NONE);
        NTSTATUS s;
        uint64_t h = TOpen(g_v1, "\\data\\f.txt", GENERIC_READ | GENERIC_WRITE, FILE_OPEN, &s, NULL);
        CHECK_EQ(s, STATUS_SUCCESS);
        char b[16] = {0};
        uint32_t n = 0;
        CHECK_EQ(EmuFileRead(h, 0, b, 13, &n), STATUS_SUCCESS);
        EMU_OBSERVED o;
        CHECK_EQ(EmuObserverLast(IRP_MJ_READ, &o), 0);
        CHECK_EQ(EmuFileWrite(h, 0, "ON", 2, 0, &n), STATUS_SUCCESS);
        EmuFileClose(h);
        char v1[16] = {0}, v2[16] = {0};
        EmuFsRead(g_v1, "\\data\\f.txt", v1, 13);
        EmuFsRead(g_v2, "\\data\\f.txt", v2, 13);
        JMF_EVENT e[8];
        CHECK_EQ(GetEvents(e, 8), 1);                        /* the create; reads and writes are not reported one by one */
        if (mode == ENFORCE) {
            CHECK(memcmp(b, "on volume two", 13) == 0);
            CHECK_EQ(o.VolumeId, g_v2);
            CHECK(memcmp(v1, "on volume one", 13) == 0);
            CHECK(memcmp(v2, "ON volume two", 13) == 0);
            CheckEvent(&e[0], 43, JMF_OP_CREATE, JMF_ACTION_REDIRECT, STATUS_SUCCESS, 0);
        } else {
            CHECK(memcmp(b, "on volume one", 13) == 0);
            CHECK_EQ(o.VolumeId, g_v1);                      /* the read went to its own volume */
            CHECK(memcmp(v1, "ON volume one", 13) == 0);
            CHECK(memcmp(v2, "on volume two", 13) == 0);
            CheckEvent(&e[0], 43, JMF_OP_CREATE, JMF_ACTION_REDIRECT, STATUS_SUCCESS, 1);
        }
        CHECK_EQ(EmuObserverStop(), 0);
        Stop();
    }
}

/* An ASK: audit-only it is never sent (nobody is asked, nothing waits); the event says it would have asked. */
static void test_ask_not_asked(void)
{
    for (int mode = AUDIT_ONLY_POLICY; mode < MODES; mode++) {
        printf("     (%s)\n", g_modeNames[mode]);
        Start();
        PB pb;
        memset(&pb, 0, sizeof(pb));
        JMF_RULE *r = PbRule(&pb, 44, JMF_OP_CREATE | JMF_OP_WRITE, "\\ask\\**", JMF_ACTION_ASK);
        r->Action.TimeoutMs = 1;                            /* were it asked, no receiver: a timeout, counted */
        r->Action.DefaultVerdict = JMF_ACTION_DENY;
        r->Action.Status = DENIED;
        SetMode(&pb, mode);
        CHECK_EQ(SendPolicy(&pb).Error, JMF_ERROR_NONE);
        EmuFsPut(g_v1, "\\ask", NULL, 0, 1);
        NTSTATUS s;
        uint64_t h = TOpen(g_v1, "\\ask\\f.txt", GENERIC_WRITE, FILE_CREATE, &s, NULL);
        CHECK_EQ(s, STATUS_SUCCESS);
        uint32_t n = 0;
        CHECK_EQ(EmuFileWrite(h, 0, "x", 1, 0, &n), STATUS_SUCCESS);
        EmuFileClose(h);
        JMF_STATISTICS st;
        GetStatistics(&st);
        CHECK_EQ(st.Asks, 0);
        CHECK_EQ(st.AskTimeouts + st.AskNoClient + st.DefaultVerdicts, 0);
        CHECK_EQ(st.Verdicts[JMF_ACTION_ASK], 2);
        CHECK_EQ(st.AuditOnly, 2);
        JMF_EVENT e[4];
        CHECK_EQ(GetEvents(e, 4), 2);
        CheckEvent(&e[0], 44, JMF_OP_CREATE, JMF_ACTION_ASK, STATUS_SUCCESS, 1);
        CheckEvent(&e[1], 44, JMF_OP_WRITE, JMF_ACTION_ASK, STATUS_SUCCESS, 1);
        Stop();
    }
}

/* A post-create DENY: enforced the open is cancelled (FltCancelFileOpen); audit-only it is not. */
static void test_post_create_deny_both_ways(void)
{
    for (int mode = 0; mode < MODES; mode++) {
        printf("     (%s)\n", g_modeNames[mode]);
        Start();
        TPut(g_v1, "\\pc.txt", "pc");
        PB pb;
        memset(&pb, 0, sizeof(pb));
        JMF_RULE *r = PbRule(&pb, 45, JMF_OP_CREATE, "\\pc.txt", JMF_ACTION_DENY);
        r->MatchFlags = JMF_MATCH_NON_DIRECTORY;
        SetMode(&pb, mode);
        CHECK_EQ(SendPolicy(&pb).Error, JMF_ERROR_NONE);
        NTSTATUS s;
        uint64_t h = TOpen(g_v1, "\\pc.txt", GENERIC_READ, FILE_OPEN, &s, NULL);
        JMF_STATISTICS st;
        GetStatistics(&st);
        JMF_EVENT e[4];
        CHECK_EQ(GetEvents(e, 4), 1);
        CHECK(e[0].Flags & JMF_EVENT_FLAG_POST_CREATE);
        if (mode == ENFORCE) {
            CHECK_EQ(s, DENIED);
            CHECK_EQ(st.PostCreateCancels, 1);
            CheckEvent(&e[0], 45, JMF_OP_CREATE, JMF_ACTION_DENY, DENIED, 0);
        } else {
            CHECK_EQ(s, STATUS_SUCCESS);
            CHECK_EQ(st.PostCreateCancels, 0);
            CheckEvent(&e[0], 45, JMF_OP_CREATE, JMF_ACTION_DENY, STATUS_SUCCESS, 1);
            EmuFileClose(h);
        }
        Stop();
    }
}

/* A write DENY: audit-only the data reaches the file; the would-DENY carries the write's final status. */
static void test_write_deny_audit_only(void)
{
    Start();
    TPut(g_v1, "\\w.txt", "old");
    PB pb;
    memset(&pb, 0, sizeof(pb));
    PbRule(&pb, 46, JMF_OP_WRITE, "\\w.txt", JMF_ACTION_DENY);
    SetMode(&pb, AUDIT_ONLY_POLICY);
    CHECK_EQ(SendPolicy(&pb).Error, JMF_ERROR_NONE);
    NTSTATUS s;
    uint64_t h = TOpen(g_v1, "\\w.txt", GENERIC_WRITE, FILE_OPEN, &s, NULL);
    CHECK_EQ(s, STATUS_SUCCESS);
    uint32_t n = 0;
    CHECK_EQ(EmuFileWrite(h, 0, "new", 3, 0, &n), STATUS_SUCCESS);
    CHECK_EQ(n, 3);
    EmuFileClose(h);
    char b[4] = {0};
    EmuFsRead(g_v1, "\\w.txt", b, 3);
    CHECK(memcmp(b, "new", 3) == 0);
    JMF_EVENT e[4];
    CHECK_EQ(GetEvents(e, 4), 1);
    CheckEvent(&e[0], 46, JMF_OP_WRITE, JMF_ACTION_DENY, STATUS_SUCCESS, 1);
    Stop();
}

/*
 * Per rule, mixed with enforcing rules: an audit-only rule decides where it
 * stands in the policy (first match), so a later enforcing rule for the
 * same operation does not decide it; enforcing rules elsewhere still apply.
 */
static void test_mixed_per_rule(void)
{
    Start();
    EmuFsPut(g_v1, "\\a", NULL, 0, 1);
    EmuFsPut(g_v1, "\\b", NULL, 0, 1);
    PB pb;
    memset(&pb, 0, sizeof(pb));
    PbRule(&pb, 51, JMF_OP_CREATE, "\\a\\**", JMF_ACTION_DENY)->Action.Flags = JMF_ACTION_FLAG_AUDIT_ONLY;
    PbRule(&pb, 52, JMF_OP_CREATE, "\\b\\**", JMF_ACTION_DENY);
    PbRule(&pb, 53, JMF_OP_CREATE, "**", JMF_ACTION_DENY);  /* enforcing, after both */
    CHECK_EQ(SendPolicy(&pb).Error, JMF_ERROR_NONE);
    NTSTATUS s;
    uint64_t h = TOpen(g_v1, "\\a\\x.txt", GENERIC_WRITE, FILE_CREATE, &s, NULL);
    CHECK_EQ(s, STATUS_SUCCESS);
    EmuFileClose(h);
    TOpen(g_v1, "\\b\\x.txt", GENERIC_WRITE, FILE_CREATE, &s, NULL);
    CHECK_EQ(s, DENIED);
    TOpen(g_v1, "\\c.txt", GENERIC_WRITE, FILE_CREATE, &s, NULL);
    CHECK_EQ(s, DENIED);
    CHECK_EQ(EmuFsExists(g_v1, "\\a\\x.txt"), 1);
    CHECK_EQ(EmuFsExists(g_v1, "\\b\\x.txt"), 0);
    JMF_EVENT e[4];
    CHECK_EQ(GetEvents(e, 4), 3);
    CheckEvent(&e[0], 51, JMF_OP_CREATE, JMF_ACTION_DENY, STATUS_SUCCESS, 1);
    CheckEvent(&e[1], 52, JMF_OP_CREATE, JMF_ACTION_DENY, DENIED, 0);
    CheckEvent(&e[2], 53, JMF_OP_CREATE, JMF_ACTION_DENY, DENIED, 0);
    JMF_STATISTICS st;
    GetStatistics(&st);
    CHECK_EQ(st.Verdicts[JMF_ACTION_DENY], 3);
    CHECK_EQ(st.AuditOnly, 1);
    Stop();
}

/*
 * A would-DENY ends the operation's decisions as a DENY does, so the
 * "would" events are the events enforce mode gives: no post-create rule
 * decides a create, no rule decides a rename's destination.
 */
static void test_would_deny_ends_decisions(void)
{
    for (int mode = 0; mode < MODES; mode++) {
        printf("     (%s)\n", g_modeNames[mode]);
        Start();
        EmuFsPut(g_v1, "\\g", NULL, 0, 1);
        EmuFsPut(g_v1, "\\r", NULL, 0, 1);
        EmuFsPut(g_v1, "\\out", NULL, 0, 1);
        TPut(g_v1, "\\r\\a.txt", "a");
        PB pb;
        memset(&pb, 0, sizeof(pb));
        PbRule(&pb, 61, JMF_OP_CREATE, "\\g\\**", JMF_ACTION_DENY);
        PbRule(&pb, 62, JMF_OP_RENAME, "\\r\\**", JMF_ACTION_DENY);
        SetMode(&pb, mode);
        /* enforcing in every mode (AUDIT is never audit-only): they would report if tried */
        PbRule(&pb, 63, JMF_OP_CREATE, "\\g\\**", JMF_ACTION_AUDIT)->Action.Flags = JMF_ACTION_FLAG_POST_CREATE;
        PbRule(&pb, 64, JMF_OP_CREATE, "\\out\\**", JMF_ACTION_AUDIT);
        CHECK_EQ(SendPolicy(&pb).Error, JMF_ERROR_NONE);
        NTSTATUS s;
        uint64_t h = TOpen(g_v1, "\\g\\new.txt", GENERIC_WRITE, FILE_CREATE, &s, NULL);
        CHECK_EQ(s, (mode == ENFORCE ? DENIED : STATUS_SUCCESS));
        if (h != 0) {
            EmuFileClose(h);
        }
        h = TOpen(g_v1, "\\r\\a.txt", GENERIC_READ | DELETE, FILE_OPEN, &s, NULL);
        CHECK_EQ(s, STATUS_SUCCESS);
        uint64_t dir = 0, info;
        CHECK_EQ(EmuFileOpen(g_v1, "\\out", GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                             FILE_OPEN, FILE_DIRECTORY_FILE, 0, &dir, &info), 0);
        CHECK_EQ(EmuFileRenameEx(h, dir, "a.txt", 0), (mode == ENFORCE ? DENIED : STATUS_SUCCESS));
        EmuFileClose(dir);
        EmuFileClose(h);
        CHECK_EQ(EmuFsExists(g_v1, "\\out\\a.txt"), (mode == ENFORCE ? 0 : 1));
        JMF_EVENT e[8];
        CHECK_EQ(GetEvents(e, 8), 2);                        /* the same two events either way */
        CheckEvent(&e[0], 61, JMF_OP_CREATE, JMF_ACTION_DENY, mode == ENFORCE ? DENIED : STATUS_SUCCESS,
                   mode != ENFORCE);
        CheckEvent(&e[1], 62, JMF_OP_RENAME, JMF_ACTION_DENY, mode == ENFORCE ? DENIED : STATUS_SUCCESS,
                   mode != ENFORCE);
        Stop();
    }
}

const TEST_CASE g_driverAuditTests[] = {
    { "driver audit-only: pre-create DENY enforced vs. passed and reported as would-DENY", test_deny_both_ways },
    { "driver audit-only: create MODIFY enforced vs. the original parameters below", test_modify_both_ways },
    { "driver audit-only: REDIRECT enforced vs. data left on its own volume", test_redirect_both_ways },
    { "driver audit-only: an ASK is not asked; would-ASK reported", test_ask_not_asked },
    { "driver audit-only: post-create DENY enforced (FltCancelFileOpen) vs. not cancelled", test_post_create_deny_both_ways },
    { "driver audit-only: a write would-DENY lets the data through", test_write_deny_audit_only },
    { "driver audit-only: per rule, mixed with enforcing rules, first match decides", test_mixed_per_rule },
    { "driver audit-only: a would-DENY ends the decisions (post-create, rename destination) as a DENY does", test_would_deny_ends_decisions },
};
const size_t g_driverAuditTestsCount = sizeof(g_driverAuditTests) / sizeof(g_driverAuditTests[0]);
