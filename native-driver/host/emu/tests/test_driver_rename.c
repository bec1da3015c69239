/*
 * test_driver_rename.c - the real driver on renames and hard links: the
 * destination is evaluated as a CREATE of it (a DELETE of it when the
 * request replaces a file), whatever form the new name takes; events name
 * both paths; an ask about a destination names the destination.
 */
#include "test_driver_util.h"
#include <unistd.h>

static const char *PathOf(const JMF_EVENT *e, char *out, size_t cap) { return Utf8(e->Path, e->PathLength, out, cap); }
static const char *OtherOf(const JMF_EVENT *e, char *out, size_t cap) { return Utf8(e->OtherPath, e->OtherPathLength, out, cap); }

static uint64_t OpenForRename(int v, const char *path)
{
    NTSTATUS s;
    uint64_t h = TOpen(v, path, GENERIC_READ | DELETE, FILE_OPEN, &s, NULL);
    CHECK_EQ(s, STATUS_SUCCESS);
    return h;
}

static uint64_t OpenDirectory(int v, const char *path)
{
    uint64_t h = 0, info;
    CHECK_EQ(EmuFileOpen(v, path, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, FILE_OPEN,
                         FILE_DIRECTORY_FILE, 0, &h, &info), 0);
    return h;
}

static void test_rename_into_denied_directory(void)
{
    Start();
    EmuFsPut(g_v1, "\\pub", NULL, 0, 1);
    EmuFsPut(g_v1, "\\secret", NULL, 0, 1);
    TPut(g_v1, "\\pub\\a.txt", "public");
    PB pb;
    memset(&pb, 0, sizeof(pb));
    PbRule(&pb, 21, JMF_OP_CREATE, "\\secret\\**", JMF_ACTION_DENY);
    CHECK_EQ(SendPolicy(&pb).Error, JMF_ERROR_NONE);
    uint64_t h = OpenForRename(g_v1, "\\pub\\a.txt");
    /* a full path, the Ex class, the BypassAccessCheck class, relative to RootDirectory: each is refused */
    CHECK_EQ(EmuFileRename(h, "\\Secret\\a.txt", 0), STATUS_ACCESS_DENIED);
    CHECK_EQ(EmuFileRenameEx(h, 0, "\\secret\\a.txt", EMU_NAME_EX_CLASS), STATUS_ACCESS_DENIED);
    CHECK_EQ(EmuFileRenameEx(h, 0, "\\secret\\a.txt", EMU_NAME_BYPASS_ACCESS_CHECK), STATUS_ACCESS_DENIED);
    uint64_t dir = OpenDirectory(g_v1, "\\secret");
    CHECK_EQ(EmuFileRenameEx(h, dir, "b.txt", 0), STATUS_ACCESS_DENIED);
    EmuFileClose(dir);
    CHECK_EQ(EmuFsExists(g_v1, "\\pub\\a.txt"), 1);               /* the file stays where it was */
    CHECK_EQ(EmuFsExists(g_v1, "\\secret\\a.txt"), 0);
    CHECK_EQ(EmuFsExists(g_v1, "\\secret\\b.txt"), 0);
    JMF_EVENT e[8];
    CHECK_EQ(GetEvents(e, 8), 4);
    char p[128], o[128];
    CHECK_EQ(e[0].RuleId, 21);
    CHECK_EQ(e[0].Operation, JMF_OP_CREATE);
    CHECK_EQ(e[0].Verdict, JMF_ACTION_DENY);
    CHECK_EQ(e[0].Status, STATUS_ACCESS_DENIED);
    CHECK_EQ(e[0].Flags & (JMF_EVENT_FLAG_DESTINATION | JMF_EVENT_FLAG_LINK), JMF_EVENT_FLAG_DESTINATION);
    CHECK(strcmp(PathOf(&e[0], p, sizeof(p)), "\\secret\\a.txt") == 0);
    CHECK(strcmp(OtherOf(&e[0], o, sizeof(o)), "\\pub\\a.txt") == 0);
    CHECK(strcmp(PathOf(&e[3], p, sizeof(p)), "\\secret\\b.txt") == 0);
    /* elsewhere, and a simple name in place: allowed */
    CHECK_EQ(EmuFileRenameEx(h, 0, "c.txt", 0), STATUS_SUCCESS);
    CHECK_EQ(EmuFsExists(g_v1, "\\pub\\c.txt"), 1);
    EmuFileClose(h);
    Stop();
}

static void test_link_into_denied_directory(void)
{
    Start();
    EmuFsPut(g_v1, "\\pub", NULL, 0, 1);
    EmuFsPut(g_v1, "\\secret", NULL, 0, 1);
    TPut(g_v1, "\\pub\\a.txt", "public");
    PB pb;
    memset(&pb, 0, sizeof(pb));
    PbRule(&pb, 22, JMF_OP_CREATE, "\\secret\\**", JMF_ACTION_DENY);
    CHECK_EQ(SendPolicy(&pb).Error, JMF_ERROR_NONE);
    uint64_t h = OpenForRename(g_v1, "\\pub\\a.txt");
    CHECK_EQ(EmuFileLink(h, 0, "\\secret\\a.txt", 0), STATUS_ACCESS_DENIED);
    CHECK_EQ(EmuFileLink(h, 0, "\\secret\\a.txt", EMU_NAME_EX_CLASS), STATUS_ACCESS_DENIED);
    CHECK_EQ(EmuFsExists(g_v1, "\\secret\\a.txt"), 0);
    CHECK_EQ(EmuFileLink(h, 0, "\\pub\\b.txt", 0), STATUS_SUCCESS);
    CHECK_EQ(EmuFsExists(g_v1, "\\pub\\b.txt"), 1);
    JMF_EVENT e[4];
    CHECK_EQ(GetEvents(e, 4), 2);
    char p[128], o[128];
    CHECK_EQ(e[0].Operation, JMF_OP_CREATE);
    CHECK_EQ(e[0].Flags & (JMF_EVENT_FLAG_DESTINATION | JMF_EVENT_FLAG_LINK), JMF_EVENT_FLAG_DESTINATION | JMF_EVENT_FLAG_LINK);
    CHECK(strcmp(PathOf(&e[0], p, sizeof(p)), "\\secret\\a.txt") == 0);
    CHECK(strcmp(OtherOf(&e[0], o, sizeof(o)), "\\pub\\a.txt") == 0);
    EmuFileClose(h);
    Stop();
}

static void test_replace_needs_the_destination_delete_rule(void)
{
    Start();
    EmuFsPut(g_v1, "\\pub", NULL, 0, 1);
    EmuFsPut(g_v1, "\\keep", NULL, 0, 1);
    TPut(g_v1, "\\keep\\x.txt", "protected");
    TPut(g_v1, "\\pub\\y.txt", "intruder");
    PB pb;
    memset(&pb, 0, sizeof(pb));
    PbRule(&pb, 23, JMF_OP_DELETE, "\\keep\\*", JMF_ACTION_DENY);
    PbRule(&pb, 24, JMF_OP_CREATE, "\\keep\\*", JMF_ACTION_AUDIT);
    CHECK_EQ(SendPolicy(&pb).Error, JMF_ERROR_NONE);
    uint64_t h = OpenForRename(g_v1, "\\pub\\y.txt");
    CHECK_EQ(EmuFileRename(h, "\\keep\\x.txt", 1), STATUS_ACCESS_DENIED);            /* ReplaceIfExists */
    CHECK_EQ(EmuFileRenameEx(h, 0, "\\keep\\x.txt", EMU_NAME_EX_CLASS | EMU_NAME_REPLACE_IF_EXISTS), STATUS_ACCESS_DENIED);
    CHECK_EQ(EmuFileLink(h, 0, "\\keep\\x.txt", EMU_NAME_EX_CLASS | EMU_NAME_REPLACE_IF_EXISTS), STATUS_ACCESS_DENIED);
    char b[16] = {0};
    CHECK_EQ(EmuFsRead(g_v1, "\\keep\\x.txt", b, sizeof(b)), 9);
    CHECK(memcmp(b, "protected", 9) == 0);
    CHECK_EQ(EmuFsExists(g_v1, "\\pub\\y.txt"), 1);
    /* without replace the destination is only created: the CREATE rule decides (and the file system refuses) */
    CHECK_EQ(EmuFileRename(h, "\\keep\\x.txt", 0), STATUS_OBJECT_NAME_COLLISION);
    CHECK_EQ(EmuFileRenameEx(h, 0, "\\keep\\x.txt", EMU_NAME_EX_CLASS), STATUS_OBJECT_NAME_COLLISION);
    JMF_EVENT e[8];
    CHECK_EQ(GetEvents(e, 8), 5);
    char p[128];
    for (int i = 0; i < 3; i++) {
        CHECK_EQ(e[i].RuleId, 23);
        CHECK_EQ(e[i].Operation, JMF_OP_DELETE);
        CHECK(e[i].Flags & JMF_EVENT_FLAG_DESTINATION);
        CHECK(strcmp(PathOf(&e[i], p, sizeof(p)), "\\keep\\x.txt") == 0);
    }
    CHECK(e[2].Flags & JMF_EVENT_FLAG_LINK);
    for (int i = 3; i < 5; i++) {
        CHECK_EQ(e[i].RuleId, 24);
        CHECK_EQ(e[i].Operation, JMF_OP_CREATE);
        CHECK_EQ(e[i].Verdict, JMF_ACTION_AUDIT);
        CHECK_EQ(e[i].Status, STATUS_OBJECT_NAME_COLLISION);      /* the audit carries the final status */
    }
    EmuFileClose(h);
    Stop();
}

static void test_audit_of_rename_names_both_paths(void)
{
    Start();
    EmuFsPut(g_v1, "\\docs", NULL, 0, 1);
    EmuFsPut(g_v1, "\\out", NULL, 0, 1);
    TPut(g_v1, "\\docs\\a.txt", "a");
    PB pb;
    memset(&pb, 0, sizeof(pb));
    PbRule(&pb, 25, JMF_OP_RENAME, "\\docs\\**", JMF_ACTION_AUDIT);
    PbRule(&pb, 26, JMF_OP_CREATE, "\\out\\**", JMF_ACTION_AUDIT);
    CHECK_EQ(SendPolicy(&pb).Error, JMF_ERROR_NONE);
    uint64_t h = OpenForRename(g_v1, "\\docs\\a.txt");
    CHECK_EQ(EmuFileRename(h, "\\out\\b.txt", 0), STATUS_SUCCESS);
    EmuFileClose(h);
    JMF_EVENT e[4];
    CHECK_EQ(GetEvents(e, 4), 2);
    char p[128], o[128];
    CHECK_EQ(e[0].RuleId, 25);                                /* the source, as a RENAME */
    CHECK_EQ(e[0].Operation, JMF_OP_RENAME);
    CHECK_EQ(e[0].Verdict, JMF_ACTION_AUDIT);
    CHECK_EQ(e[0].Status, STATUS_SUCCESS);
    CHECK_EQ(e[0].Flags & (JMF_EVENT_FLAG_DESTINATION | JMF_EVENT_FLAG_LINK), 0);
    CHECK(strcmp(PathOf(&e[0], p, sizeof(p)), "\\docs\\a.txt") == 0);
    CHECK(strcmp(OtherOf(&e[0], o, sizeof(o)), "\\out\\b.txt") == 0);
    CHECK_EQ(e[1].RuleId, 26);                                /* the destination, as a CREATE */
    CHECK_EQ(e[1].Operation, JMF_OP_CREATE);
    CHECK(e[1].Flags & JMF_EVENT_FLAG_DESTINATION);
    CHECK(strcmp(PathOf(&e[1], p, sizeof(p)), "\\out\\b.txt") == 0);
    CHECK(strcmp(OtherOf(&e[1], o, sizeof(o)), "\\docs\\a.txt") == 0);
    Stop();
}

static void test_destination_create_facts(void)
{
    Start();
    EmuFsPut(g_v1, "\\pub", NULL, 0, 1);
    EmuFsPut(g_v1, "\\ro", NULL, 0, 1);
    EmuFsPut(g_v1, "\\fixed", NULL, 0, 1);
    TPut(g_v1, "\\pub\\a.txt", "a");
    TPut(g_v1, "\\fixed\\old.txt", "old");
    PB pb;
    memset(&pb, 0, sizeof(pb));
    /* "no writing in \ro": a create rule on write access also sees renames into it */
    PbRule(&pb, 28, JMF_OP_CREATE, "\\ro\\**", JMF_ACTION_DENY)->DesiredAccess = FILE_WRITE_DATA;
    /* "nothing in \fixed is superseded": a rename that replaces is a FILE_SUPERSEDE there, one that does not a FILE_CREATE */
    PbRule(&pb, 29, JMF_OP_CREATE, "\\fixed\\**", JMF_ACTION_DENY)->Dispositions = 1u << JMF_FILE_SUPERSEDE;
    CHECK_EQ(SendPolicy(&pb).Error, JMF_ERROR_NONE);
    uint64_t h = OpenForRename(g_v1, "\\pub\\a.txt");
    CHECK_EQ(EmuFileRename(h, "\\ro\\a.txt", 0), STATUS_ACCESS_DENIED);
    CHECK_EQ(EmuFileRename(h, "\\fixed\\old.txt", 1), STATUS_ACCESS_DENIED);
    CHECK_EQ(EmuFsRead(g_v1, "\\fixed\\old.txt", NULL, 0), 3);
    CHECK_EQ(EmuFileRename(h, "\\fixed\\new.txt", 0), STATUS_SUCCESS);
    CHECK_EQ(EmuFsExists(g_v1, "\\fixed\\new.txt"), 1);
    EmuFileClose(h);
    Stop();
}

static void test_destination_modify_and_redirect(void)
{
    Start();
    EmuFsPut(g_v1, "\\pub", NULL, 0, 1);
    EmuFsPut(g_v1, "\\cache", NULL, 0, 1);
    EmuFsPut(g_v1, "\\ro", NULL, 0, 1);
    TPut(g_v1, "\\pub\\a.txt", "a");
    TPut(g_v1, "\\pub\\b.txt", "b");
    PB pb;
    memset(&pb, 0, sizeof(pb));
    pb.Volumes[0] = "\\Device\\HarddiskVolume1";
    pb.Volumes[1] = "\\Device\\HarddiskVolume2";
    pb.VolumeCount = 2;
    /* files under \cache live on volume 2: a rename cannot follow, so the rule's fallback applies */
    JMF_RULE *r = PbRule(&pb, 51, JMF_OP_CREATE, "\\cache\\**", JMF_ACTION_REDIRECT);
    r->Volume = 0;
    r->Action.TargetVolume = 1;
    r->Action.Flags = JMF_ACTION_FLAG_FALLBACK_DENY;
    r->Action.Status = (JMF_I32)STATUS_ACCESS_DENIED;
    /* a MODIFY has no create parameters to change on a rename: it passes */
    PbRule(&pb, 52, JMF_OP_CREATE, "\\ro\\**", JMF_ACTION_MODIFY)->Action.AccessClear = FILE_WRITE_DATA;
    CHECK_EQ(SendPolicy(&pb).Error, JMF_ERROR_NONE);
    JMF_STATISTICS before;
    GetStatistics(&before);
    uint64_t h = OpenForRename(g_v1, "\\pub\\a.txt");
    CHECK_EQ(EmuFileRename(h, "\\cache\\a.txt", 0), STATUS_ACCESS_DENIED);
    CHECK_EQ(EmuFileRename(h, "\\ro\\a.txt", 0), STATUS_SUCCESS);
    CHECK_EQ(EmuFsExists(g_v1, "\\ro\\a.txt"), 1);
    EmuFileClose(h);
    JMF_STATISTICS st;
    GetStatistics(&st);
    CHECK_EQ(st.RedirectFallbacks - before.RedirectFallbacks, 1);
    JMF_EVENT e[4];
    CHECK_EQ(GetEvents(e, 4), 1);                       /* the fallback; the MODIFY that changed nothing is not reported */
    CHECK_EQ(e[0].RuleId, 51);
    CHECK_EQ(e[0].Verdict, JMF_ACTION_DENY);
    CHECK_EQ(e[0].Flags & (JMF_EVENT_FLAG_REDIRECT_FALLBACK | JMF_EVENT_FLAG_DESTINATION),
             JMF_EVENT_FLAG_REDIRECT_FALLBACK | JMF_EVENT_FLAG_DESTINATION);
    Stop();
}

static void test_long_other_path_truncated(void)
{
    Start();
    EmuFsPut(g_v1, "\\pub", NULL, 0, 1);
    TPut(g_v1, "\\pub\\a.txt", "a");
    char dir[1024] = "";
    for (int level = 0; level < 3; level++) {           /* three 200-character directories: a 608-character path */
        strcat(dir, "\\");
        size_t at = strlen(dir);
        memset(dir + at, 'd', 200);
        dir[at + 200] = 0;
        EmuFsPut(g_v1, dir, NULL, 0, 1);
    }
    char dest[1100];
    snprintf(dest, sizeof(dest), "%s\\x.txt", dir);
    PB pb;
    memset(&pb, 0, sizeof(pb));
    PbRule(&pb, 53, JMF_OP_RENAME, "\\pub\\**", JMF_ACTION_AUDIT);
    PbRule(&pb, 54, JMF_OP_CREATE, "\\ddd*\\**", JMF_ACTION_AUDIT);
    CHECK_EQ(SendPolicy(&pb).Error, JMF_ERROR_NONE);
    uint64_t h = OpenForRename(g_v1, "\\pub\\a.txt");
    CHECK_EQ(EmuFileRename(h, dest, 0), STATUS_SUCCESS);
    EmuFileClose(h);
    JMF_EVENT e[4];
    CHECK_EQ(GetEvents(e, 4), 2);
    CHECK_EQ(e[0].RuleId, 53);
    CHECK_EQ(e[0].OtherPathLength, JMF_MAX_PATH_CHARS * 2);
    CHECK_EQ(e[0].Flags & (JMF_EVENT_FLAG_OTHER_PATH_TRUNCATED | JMF_EVENT_FLAG_PATH_TRUNCATED), JMF_EVENT_FLAG_OTHER_PATH_TRUNCATED);
    CHECK_EQ(e[1].RuleId, 54);
    CHECK_EQ(e[1].PathLength, JMF_MAX_PATH_CHARS * 2);
    CHECK_EQ(e[1].Flags & (JMF_EVENT_FLAG_OTHER_PATH_TRUNCATED | JMF_EVENT_FLAG_PATH_TRUNCATED), JMF_EVENT_FLAG_PATH_TRUNCATED);
    char p[1100];
    CHECK(strncmp(Utf8(e[0].OtherPath, e[0].OtherPathLength, p, sizeof(p)), dest, JMF_MAX_PATH_CHARS) == 0);
    Stop();
}

typedef struct DEST_ANSWERER { pthread_t Thread; int Asked; JMF_U32 Operation; JMF_U32 Flags; char Path[128]; } DEST_ANSWERER;

static void *AnswerDestination(void *p)
{
    DEST_ANSWERER *a = p;
    static uint64_t buf[(JMF_NOTIFICATION_BUFFER_SIZE + 7) / 8];
    EmuSetCurrentProcess(JAVA_PID);
    if (EmuFilterGetMessageTimeout(g_port, buf, (uint32_t)JMF_NOTIFICATION_BUFFER_SIZE, 5000) != 0) {
        return NULL;
    }
    JMF_FILTER_MESSAGE_HEADER mh;
    JMF_ASK ask;
    memcpy(&mh, buf, sizeof(mh));
    memcpy(&ask, (uint8_t *)buf + sizeof(mh), sizeof(ask));
    a->Asked = 1;
    a->Operation = ask.Operation;
    a->Flags = ask.Flags;
    Utf8(ask.Path, ask.PathLength, a->Path, sizeof(a->Path));
    uint8_t reply[JMF_REPLY_BUFFER_SIZE];
    memset(reply, 0, sizeof(reply));
    JMF_FILTER_REPLY_HEADER rh = { 0, 0, mh.MessageId };
    JMF_ASK_REPLY ar;
    memset(&ar, 0, sizeof(ar));
    ar.Verdict.Type = JMF_ACTION_DENY;
    ar.Verdict.Status = (JMF_I32)0xC0000022;
    ar.Verdict.Disposition = JMF_DISPOSITION_UNCHANGED;
    memcpy(reply, &rh, sizeof(rh));
    memcpy(reply + sizeof(rh), &ar, sizeof(ar));
    CHECK_EQ(EmuFilterReplyMessage(g_port, reply, sizeof(reply)), 0);
    return NULL;
}

static void test_ask_about_a_destination(void)
{
    Start();
    EmuFsPut(g_v1, "\\pub", NULL, 0, 1);
    EmuFsPut(g_v1, "\\ask", NULL, 0, 1);
    TPut(g_v1, "\\pub\\a.txt", "a");
    PB pb;
    memset(&pb, 0, sizeof(pb));
    JMF_RULE *r = PbRule(&pb, 27, JMF_OP_CREATE, "\\ask\\**", JMF_ACTION_ASK);
    r->Action.TimeoutMs = 5000;
    r->Action.DefaultVerdict = JMF_ACTION_ALLOW;
    CHECK_EQ(SendPolicy(&pb).Error, JMF_ERROR_NONE);
    uint64_t h = OpenForRename(g_v1, "\\pub\\a.txt");
    DEST_ANSWERER a;
    memset(&a, 0, sizeof(a));
    pthread_create(&a.Thread, NULL, AnswerDestination, &a);
    CHECK_EQ(EmuFileLink(h, 0, "\\ask\\n.txt", 0), STATUS_ACCESS_DENIED);      /* user mode's DENY */
    pthread_join(a.Thread, NULL);
    CHECK(a.Asked);
    CHECK_EQ(a.Operation, JMF_OP_CREATE);
    CHECK_EQ(a.Flags & (JMF_ASK_FLAG_DESTINATION | JMF_ASK_FLAG_LINK), JMF_ASK_FLAG_DESTINATION | JMF_ASK_FLAG_LINK);
    CHECK(strcmp(a.Path, "\\ask\\n.txt") == 0);
    CHECK_EQ(EmuFsExists(g_v1, "\\ask\\n.txt"), 0);
    EmuFileClose(h);
    Stop();
}

const TEST_CASE g_driverRenameTests[] = {
    { "driver: a rename into a denied directory is refused in every name form; the file stays", test_rename_into_denied_directory },
    { "driver: a hard link into a denied directory is refused (DESTINATION|LINK event)", test_link_into_denied_directory },
    { "driver: replace-if-exists meets the destination's DELETE rule; without replace the CREATE rule", test_replace_needs_the_destination_delete_rule },
    { "driver: the audit of a rename names both paths, source and destination", test_audit_of_rename_names_both_paths },
    { "driver: an ask about a link's destination names the destination", test_ask_about_a_destination },
    { "driver: a long other path is cut at 512 units and flagged OTHER_PATH_TRUNCATED", test_long_other_path_truncated },
    { "driver: a destination's REDIRECT takes the rule's fallback, its MODIFY lets it through", test_destination_modify_and_redirect },
    { "driver: a destination is a create with write access, FILE_CREATE or FILE_SUPERSEDE (replace)", test_destination_create_facts },
};
const size_t g_driverRenameTestsCount = sizeof(g_driverRenameTests) / sizeof(g_driverRenameTests[0]);
