/*
 * test_driver_reparse.c - REDIRECT by reparse (JMF_ACTION_FLAG_REPARSE) with the
 * real driver under the emulated Filter Manager and I/O manager: the open is
 * re-issued on the target volume, so every operation on the handle happens
 * there and the source is untouched; the policy compiler's loop protection;
 * open by file id and FILE_OPEN_REPARSE_POINT take the rule's fallback.
 */
#include "test_driver_util.h"

#define DENIED ((JMF_I32)0xC0000022)

/* Records the volume each operation reached, below the driver (a test filter: creates only). */
static PFLT_VOLUME g_createdOn;
static int g_creates;
static FLT_PREOP_CALLBACK_STATUS Record(TF *tf, PFLT_CALLBACK_DATA d, PCFLT_RELATED_OBJECTS o, PVOID *c)
{
    (void)tf; (void)c;
    if (d->Iopb->MajorFunction == IRP_MJ_CREATE) {
        g_createdOn = o->Volume;
        g_creates++;
    }
    return FLT_PREOP_SUCCESS_NO_CALLBACK;
}
static void RecordReset(void)
{
    g_createdOn = NULL;
    g_creates = 0;
}

/* The volume the observer (below the driver) saw majorFunction on last, and how often. */
static int SeenOn(uint8_t majorFunction, uint32_t *count)
{
    EMU_OBSERVED o;
    memset(&o, 0, sizeof(o));
    if (EmuObserverLast(majorFunction, &o) != 0) {
        return -1;
    }
    if (count != NULL) {
        *count = o.Count;
    }
    return o.VolumeId;
}

/* Two volumes, one REDIRECT-by-reparse rule: \data\** on volume 1 -> volume 2 (CREATE only: it moves the open). */
static JMF_RESULT ReparsePolicy(JMF_U32 ruleId, JMF_U32 flags, JMF_I32 fallbackStatus)
{
    static PB p;
    memset(&p, 0, sizeof(p));
    p.Volumes[0] = "\\Device\\HarddiskVolume1";
    p.Volumes[1] = "\\Device\\HarddiskVolume2";
    p.VolumeCount = 2;
    JMF_RULE *r = PbRule(&p, ruleId, JMF_OP_CREATE, "\\data\\**", JMF_ACTION_REDIRECT);
    r->Volume = 0;
    r->Action.TargetVolume = 1;
    r->Action.Flags = JMF_ACTION_FLAG_REPARSE | flags;
    r->Action.Status = fallbackStatus;
    return SendPolicy(&p);
}

static void TwoFiles(void)
{
    EmuFsPut(g_v1, "\\data", NULL, 0, 1);
    EmuFsPut(g_v2, "\\data", NULL, 0, 1);
    TPut(g_v1, "\\data\\f.txt", "on volume one");
    TPut(g_v2, "\\data\\f.txt", "on volume two");
}

static void CheckFile(int volume, const char *path, const char *expected)
{
    char b[64] = {0};
    int64_t n = EmuFsRead(volume, path, b, sizeof(b) - 1);
    CHECK_EQ(n, (int64_t)strlen(expected));
    CHECK(strcmp(b, expected) == 0);
}

/* Every operation on the handle reaches volume 2's file; volume 1's stays as it was. */
static void test_reparse_whole_handle_on_target(void)
{
    Start();
    TwoFiles();
    TfStart(0, "200000", Record, NULL);         /* below the driver, on both volumes */
    CHECK_EQ(EmuObserverStart("100000"), 0);
    CHECK_EQ(ReparsePolicy(31, 0, 0).Error, JMF_ERROR_NONE);
    JMF_EVENT drain[4];
    GetEvents(drain, 4);
    RecordReset();

    NTSTATUS s;
    uint64_t h = TOpen(g_v1, "\\data\\f.txt", GENERIC_READ | GENERIC_WRITE, FILE_OPEN, &s, NULL);
    CHECK_EQ(s, STATUS_SUCCESS);
    CHECK(h != 0);
    /* The file system of volume 1 never saw the open: the driver completed it with STATUS_REPARSE. */
    CHECK_EQ(g_createdOn, EmuVolumeById(g_v2));
    CHECK_EQ(g_creates, 1);

    char b[32] = {0};
    uint32_t n = 0;
    CHECK_EQ(EmuFileRead(h, 0, b, 13, &n), STATUS_SUCCESS);
    CHECK(memcmp(b, "on volume two", 13) == 0);
    CHECK_EQ(SeenOn(IRP_MJ_READ, NULL), g_v2);
    CHECK_EQ(EmuFileWrite(h, 0, "ON", 2, 0, &n), STATUS_SUCCESS);
    CHECK_EQ(SeenOn(IRP_MJ_WRITE, NULL), g_v2);
    /* What the TargetInstance mechanism must refuse is allowed here, and happens on volume 2. */
    CHECK_EQ(EmuFileLock(h, 0, 4, 1), STATUS_SUCCESS);
    CHECK_EQ(SeenOn(IRP_MJ_LOCK_CONTROL, NULL), g_v2);
    CHECK_EQ(EmuFileAcquireForSection(h, 1, 0x04 /* PAGE_READWRITE */), STATUS_SUCCESS);
    CHECK_EQ(SeenOn(IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION, NULL), g_v2);
    int64_t size = 0;
    CHECK_EQ(EmuFileQuerySize(h, &size), STATUS_SUCCESS);
    CHECK_EQ(size, 13);
    CHECK_EQ(SeenOn(IRP_MJ_QUERY_INFORMATION, NULL), g_v2);
    CHECK_EQ(EmuFileSetEndOfFile(h, 9), STATUS_SUCCESS);
    CHECK_EQ(SeenOn(IRP_MJ_SET_INFORMATION, NULL), g_v2);
    EmuFileClose(h);
    CHECK_EQ(SeenOn(IRP_MJ_CLEANUP, NULL), g_v2);
    CHECK_EQ(EmuObserverStop(), 0);

    CheckFile(g_v2, "\\data\\f.txt", "ON volume");
    CheckFile(g_v1, "\\data\\f.txt", "on volume one");

    /* One event, on the source: the REDIRECT verdict, STATUS_REPARSE, flag REPARSE. */
    JMF_EVENT e[4];
    JMF_U32 count = GetEvents(e, 4);
    CHECK_EQ(count, 1);
    if (count == 1) {
        CHECK_EQ(e[0].RuleId, 31);
        CHECK_EQ(e[0].Verdict, JMF_ACTION_REDIRECT);
        CHECK_EQ(e[0].Status, STATUS_REPARSE);
        CHECK_EQ(e[0].Flags & (JMF_EVENT_FLAG_REPARSE | JMF_EVENT_FLAG_REDIRECT_FALLBACK), JMF_EVENT_FLAG_REPARSE);
        char path[64];
        CHECK(strcmp(Utf8(e[0].Path, e[0].PathLength, path, sizeof(path)), "\\data\\f.txt") == 0);
    }
    TfUnload(&g_tf[0]);
    Stop();
}

/* A new file and a new directory are created on volume 2 only; a folder opened by reparse is volume 2's. */
static void test_reparse_create_and_directory(void)
{
    Start();
    EmuFsPut(g_v1, "\\data", NULL, 0, 1);
    EmuFsPut(g_v2, "\\data", NULL, 0, 1);
    EmuFsPut(g_v2, "\\data\\only2", NULL, 0, 1);
    TfStart(0, "200000", Record, NULL);
    CHECK_EQ(ReparsePolicy(32, 0, 0).Error, JMF_ERROR_NONE);

    NTSTATUS s;
    uint64_t info = 0;
    uint64_t h = TOpen(g_v1, "\\data\\new.txt", GENERIC_WRITE, FILE_CREATE, &s, &info);
    CHECK_EQ(s, STATUS_SUCCESS);
    CHECK_EQ(info, FILE_CREATED);
    uint32_t n;
    CHECK_EQ(EmuFileWrite(h, 0, "new", 3, 0, &n), STATUS_SUCCESS);
    EmuFileClose(h);
    CHECK_EQ(EmuFsExists(g_v1, "\\data\\new.txt"), 0);
    CheckFile(g_v2, "\\data\\new.txt", "new");

    /* Directories move too (unlike the TargetInstance mechanism): this one exists on volume 2 only. */
    RecordReset();
    uint64_t d = 0;
    CHECK_EQ(EmuFileOpen(g_v1, "\\data\\only2", GENERIC_READ, FILE_SHARE_READ, FILE_OPEN, FILE_DIRECTORY_FILE, 0, &d, &info),
             STATUS_SUCCESS);
    CHECK_EQ(g_createdOn, EmuVolumeById(g_v2));
    EmuFileClose(d);

    /* A directory listing of a redirected folder (\\data\\sub matches \\data\\**) lists volume 2's folder. */
    EmuFsPut(g_v1, "\\data\\sub", NULL, 0, 1);
    EmuFsPut(g_v2, "\\data\\sub", NULL, 0, 1);
    TPut(g_v1, "\\data\\sub\\one.txt", "1");
    TPut(g_v2, "\\data\\sub\\two.txt", "2");
    TPut(g_v2, "\\data\\sub\\three.txt", "3");
    CHECK_EQ(EmuFileOpen(g_v1, "\\data\\sub", GENERIC_READ, FILE_SHARE_READ, FILE_OPEN, FILE_DIRECTORY_FILE, 0, &d, &info),
             STATUS_SUCCESS);
    char names[256];
    uint32_t count = 0;
    CHECK_EQ(EmuFileQueryDirectory(d, names, sizeof(names), &count), STATUS_SUCCESS);
    CHECK_EQ(count, 2);
    CHECK(strstr(names, "two.txt\n") != NULL && strstr(names, "three.txt\n") != NULL);
    CHECK(strstr(names, "one.txt") == NULL);
    EmuFileClose(d);
    TfUnload(&g_tf[0]);
    Stop();
}

/* A relative open (RootDirectory = an open directory of volume 1) is reparsed by its full name. */
static void test_reparse_relative_open(void)
{
    Start();
    TwoFiles();
    CHECK_EQ(ReparsePolicy(36, 0, 0).Error, JMF_ERROR_NONE);
    uint64_t dir = 0, h = 0, info;
    /* \\data itself does not match \\data\\**: the directory opens on volume 1. */
    CHECK_EQ(EmuFileOpen(g_v1, "\\data", GENERIC_READ, FILE_SHARE_READ, FILE_OPEN, FILE_DIRECTORY_FILE, 0, &dir, &info),
             STATUS_SUCCESS);
    CHECK_EQ(EmuFileOpenRelative(dir, "f.txt", GENERIC_READ | GENERIC_WRITE, 0, FILE_OPEN, 0, 0, &h, &info), STATUS_SUCCESS);
    char b[16] = {0};
    uint32_t n;
    CHECK_EQ(EmuFileRead(h, 0, b, 13, &n), STATUS_SUCCESS);
    CHECK(memcmp(b, "on volume two", 13) == 0);
    CHECK_EQ(EmuFileWrite(h, 0, "ON", 2, 0, &n), STATUS_SUCCESS);
    EmuFileClose(h);
    EmuFileClose(dir);
    CheckFile(g_v2, "\\data\\f.txt", "ON volume two");
    CheckFile(g_v1, "\\data\\f.txt", "on volume one");
    Stop();
}

/* Open by file id and FILE_OPEN_REPARSE_POINT are not reparsed: the rule's fallback, with REPARSE and REDIRECT_FALLBACK. */
static void test_reparse_refused_opens_take_fallback(void)
{
    Start();
    TwoFiles();
    CHECK_EQ(ReparsePolicy(33, JMF_ACTION_FLAG_FALLBACK_DENY, DENIED).Error, JMF_ERROR_NONE);
    JMF_EVENT drain[4];
    GetEvents(drain, 4);
    JMF_STATISTICS before, after;
    GetStatistics(&before);
    uint64_t h = 0, info;
    CHECK_EQ(EmuFileOpen(g_v1, "\\data\\f.txt", GENERIC_READ, 0, FILE_OPEN, FILE_OPEN_REPARSE_POINT, 0, &h, &info), DENIED);
    CHECK_EQ(EmuFileOpen(g_v1, "\\data\\f.txt", GENERIC_READ, 0, FILE_OPEN, FILE_OPEN_BY_FILE_ID, 0, &h, &info), DENIED);
    GetStatistics(&after);
    CHECK_EQ(after.RedirectFallbacks - before.RedirectFallbacks, 2);
    JMF_EVENT e[4];
    JMF_U32 count = GetEvents(e, 4);
    CHECK_EQ(count, 2);
    for (JMF_U32 i = 0; i < count; i++) {
        CHECK_EQ(e[i].Verdict, JMF_ACTION_DENY);
        CHECK_EQ(e[i].Status, DENIED);
        CHECK_EQ(e[i].Flags & (JMF_EVENT_FLAG_REPARSE | JMF_EVENT_FLAG_REDIRECT_FALLBACK),
                 JMF_EVENT_FLAG_REPARSE | JMF_EVENT_FLAG_REDIRECT_FALLBACK);
    }
    /* Pass-through fallback: FILE_OPEN_REPARSE_POINT opens the source itself. */
    CHECK_EQ(ReparsePolicy(34, 0, 0).Error, JMF_ERROR_NONE);
    CHECK_EQ(EmuFileOpen(g_v1, "\\data\\f.txt", GENERIC_READ, 0, FILE_OPEN, FILE_OPEN_REPARSE_POINT, 0, &h, &info), STATUS_SUCCESS);
    char b[16] = {0};
    uint32_t n;
    CHECK_EQ(EmuFileRead(h, 0, b, 13, &n), STATUS_SUCCESS);
    CHECK(memcmp(b, "on volume one", 13) == 0);
    EmuFileClose(h);
    Stop();
}

/* A target volume the driver is not attached to takes the fallback (no name is invented for it). */
static void test_reparse_missing_target_takes_fallback(void)
{
    Start();
    TwoFiles();
    CHECK_EQ(EmuDetachDriver(g_v2), STATUS_SUCCESS);
    CHECK_EQ(ReparsePolicy(35, JMF_ACTION_FLAG_FALLBACK_DENY, DENIED).Error, JMF_ERROR_NONE);
    NTSTATUS s;
    CHECK_EQ(TOpen(g_v1, "\\data\\f.txt", GENERIC_READ, FILE_OPEN, &s, NULL), 0);
    CHECK_EQ(s, DENIED);
    Stop();
}

/* Loop protection: policies whose reopen could be redirected again are refused, naming the rule. */
static void test_reparse_loops_refused_by_the_compiler(void)
{
    Start();
    static PB p;
    memset(&p, 0, sizeof(p));
    p.Volumes[0] = "\\Device\\HarddiskVolume1";
    p.Volumes[1] = "\\Device\\HarddiskVolume2";
    p.VolumeCount = 2;
    /* back and forth: 1 -> 2 and 2 -> 1 */
    JMF_RULE *a = PbRule(&p, 41, JMF_OP_CREATE, "\\data\\**", JMF_ACTION_REDIRECT);
    a->Volume = 0; a->Action.TargetVolume = 1; a->Action.Flags = JMF_ACTION_FLAG_REPARSE;
    JMF_RULE *b = PbRule(&p, 42, JMF_OP_CREATE, "\\data\\**", JMF_ACTION_REDIRECT);
    b->Volume = 1; b->Action.TargetVolume = 0; b->Action.Flags = JMF_ACTION_FLAG_REPARSE;
    JMF_RESULT r = SendPolicy(&p);
    CHECK_EQ(r.Error, JMF_ERROR_BAD_VOLUME);
    CHECK_EQ(r.RuleIndex, 0);
    /* a rule on any volume would match its own reopen */
    memset(&p, 0, sizeof(p));
    p.Volumes[0] = "\\Device\\HarddiskVolume1";
    p.Volumes[1] = "\\Device\\HarddiskVolume2";
    p.VolumeCount = 2;
    JMF_RULE *any = PbRule(&p, 43, JMF_OP_CREATE, "\\data\\**", JMF_ACTION_REDIRECT);
    any->Action.TargetVolume = 1; any->Action.Flags = JMF_ACTION_FLAG_REPARSE;
    r = SendPolicy(&p);
    CHECK_EQ(r.Error, JMF_ERROR_BAD_VOLUME);
    /* the flag on anything but REDIRECT */
    memset(&p, 0, sizeof(p));
    JMF_RULE *deny = PbRule(&p, 44, JMF_OP_CREATE, "\\data\\**", JMF_ACTION_DENY);
    deny->Action.Flags = JMF_ACTION_FLAG_REPARSE;
    r = SendPolicy(&p);
    CHECK_EQ(r.Error, JMF_ERROR_BAD_FLAGS);
    /* A plain (TargetInstance) redirect back is fine: it never re-issues the open. */
    memset(&p, 0, sizeof(p));
    p.Volumes[0] = "\\Device\\HarddiskVolume1";
    p.Volumes[1] = "\\Device\\HarddiskVolume2";
    p.VolumeCount = 2;
    a = PbRule(&p, 45, JMF_OP_CREATE, "\\data\\**", JMF_ACTION_REDIRECT);
    a->Volume = 0; a->Action.TargetVolume = 1; a->Action.Flags = JMF_ACTION_FLAG_REPARSE;
    b = PbRule(&p, 46, JMF_OP_CREATE, "\\data\\**", JMF_ACTION_REDIRECT);
    b->Volume = 1; b->Action.TargetVolume = 0;
    CHECK_EQ(SendPolicy(&p).Error, JMF_ERROR_NONE);
    /* The reopen on volume 2 meets rule 46 (TargetInstance back to volume 1): it is not reparsed again. */
    TwoFiles();
    NTSTATUS s;
    uint64_t h = TOpen(g_v1, "\\data\\f.txt", GENERIC_READ, FILE_OPEN, &s, NULL);
    CHECK_EQ(s, STATUS_SUCCESS);
    char buf[16] = {0};
    uint32_t n;
    CHECK_EQ(EmuFileRead(h, 0, buf, 13, &n), STATUS_SUCCESS);
    CHECK(memcmp(buf, "on volume one", 13) == 0);     /* reparsed to 2, whose handle reads 1 by TargetInstance */
    EmuFileClose(h);
    Stop();
}

const TEST_CASE g_driverReparseTests[] = {
    { "driver reparse: every operation on the handle happens on the target, the source is untouched", test_reparse_whole_handle_on_target },
    { "driver reparse: creates and directories land on the target", test_reparse_create_and_directory },
    { "driver reparse: a relative open is reparsed by its full name", test_reparse_relative_open },
    { "driver reparse: open by id and FILE_OPEN_REPARSE_POINT take the fallback", test_reparse_refused_opens_take_fallback },
    { "driver reparse: a target the driver is not attached to takes the fallback", test_reparse_missing_target_takes_fallback },
    { "driver reparse: loops refused by the policy compiler", test_reparse_loops_refused_by_the_compiler },
};
const size_t g_driverReparseTestsCount = sizeof(g_driverReparseTests) / sizeof(g_driverReparseTests[0]);
