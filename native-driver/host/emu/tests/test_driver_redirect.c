/*
 * test_driver_redirect.c - REDIRECT with the real driver under the emulated Filter
 * Manager: the target instance's lifetime (a rundown reference from
 * pre-create until the target closes), the access check the target open
 * must make, post-create's order of cancel and target close, the documented
 * target rules (stack size, altitude) taking the rule's fallback, and
 * handles that stay redirected once their target is gone.
 */
#include "test_driver_util.h"

/* Start() with the two volumes' device stack sizes chosen. */
static void StartWithStacks(uint32_t stackSize1, uint32_t stackSize2)
{
    g_v1 = EmuCreateVolume("\\Device\\HarddiskVolume1", stackSize1, 0);
    g_v2 = EmuCreateVolume("\\Device\\HarddiskVolume2", stackSize2, 0);
    CHECK_EQ(EmuLoadDriver(DRIVER_ALTITUDE), STATUS_SUCCESS);
    g_port = NULL;
    CHECK_EQ(Connect(JMF_CONNECT_MAGIC, &g_port), 0);
}

/* A policy with the two volumes and one REDIRECT rule (CREATE|READ|WRITE on \data\**, volume 1 -> volume 2). */
static JMF_RESULT RedirectPolicy(JMF_U32 ruleId, JMF_U32 flags, JMF_I32 fallbackStatus)
{
    static PB p;
    memset(&p, 0, sizeof(p));
    p.Volumes[0] = "\\Device\\HarddiskVolume1";
    p.Volumes[1] = "\\Device\\HarddiskVolume2";
    p.VolumeCount = 2;
    JMF_RULE *r = PbRule(&p, ruleId, JMF_OP_CREATE | JMF_OP_READ | JMF_OP_WRITE, "\\data\\**", JMF_ACTION_REDIRECT);
    r->Volume = 0;
    r->Action.TargetVolume = 1;
    r->Action.Flags = flags;
    r->Action.Status = fallbackStatus;
    return SendPolicy(&p);
}

#define DENIED ((JMF_I32)0xC0000022)

/* \data\f.txt on both volumes, different contents. */
static void TwoFiles(void)
{
    EmuFsPut(g_v1, "\\data", NULL, 0, 1);
    EmuFsPut(g_v2, "\\data", NULL, 0, 1);
    TPut(g_v1, "\\data\\f.txt", "on volume one");
    TPut(g_v2, "\\data\\f.txt", "on volume two");
}

static void CheckRead(uint64_t h, const char *expected)
{
    char b[32] = {0};
    uint32_t n = 0;
    CHECK_EQ(EmuFileRead(h, 0, b, (uint32_t)strlen(expected), &n), STATUS_SUCCESS);
    CHECK(memcmp(b, expected, strlen(expected)) == 0);
}

/* ---- item: the target instance is held by a rundown reference ---- */

/* A filter below the driver on volume 1 detaches the driver from volume 2
 * while a redirected create is between the driver's pre- and post-create. */
static int g_detachDuringCreate;
static FLT_PREOP_CALLBACK_STATUS DetachTargetInPreCreate(TF *tf, PFLT_CALLBACK_DATA d, PCFLT_RELATED_OBJECTS o, PVOID *c)
{
    (void)tf; (void)o; (void)c;
    if (d->Iopb->MajorFunction == IRP_MJ_CREATE && g_detachDuringCreate && o->Volume == EmuVolumeById(g_v1)) {
        g_detachDuringCreate = 0;
        CHECK_EQ(EmuDetachDriver(g_v2), STATUS_SUCCESS);
    }
    return FLT_PREOP_SUCCESS_NO_CALLBACK;
}

static void test_target_detached_during_create(void)
{
    Start();
    TwoFiles();
    TfStart(0, "200000", DetachTargetInPreCreate, NULL);
    CHECK_EQ(RedirectPolicy(21, JMF_ACTION_FLAG_FALLBACK_DENY, DENIED).Error, JMF_ERROR_NONE);
    JMF_STATISTICS before, after;
    GetStatistics(&before);
    g_detachDuringCreate = 1;
    NTSTATUS s;
    uint64_t h = TOpen(g_v1, "\\data\\f.txt", GENERIC_READ | GENERIC_WRITE, FILE_OPEN, &s, NULL);
    CHECK_EQ(g_detachDuringCreate, 0);
    /* The target went away after pre-create found it: the open there fails, the rule's fallback denies. */
    CHECK_EQ(s, DENIED);
    CHECK_EQ(h, 0);
    GetStatistics(&after);
    CHECK_EQ(after.RedirectFallbacks - before.RedirectFallbacks, 1);
    char v2[16] = {0};
    EmuFsRead(g_v2, "\\data\\f.txt", v2, 13);
    CHECK(memcmp(v2, "on volume two", 13) == 0);
    TfUnload(&g_tf[0]);
    Stop();           /* no reference left on the torn-down instance, nothing freed twice (ASan) */
}

/* Same, with a pass-through fallback: the handle opens where it is and is never redirected. */
static void test_target_detached_during_create_pass_through(void)
{
    Start();
    TwoFiles();
    TfStart(0, "200000", DetachTargetInPreCreate, NULL);
    CHECK_EQ(RedirectPolicy(22, 0, 0).Error, JMF_ERROR_NONE);
    g_detachDuringCreate = 1;
    NTSTATUS s;
    uint64_t h = TOpen(g_v1, "\\data\\f.txt", GENERIC_READ, FILE_OPEN, &s, NULL);
    CHECK_EQ(s, STATUS_SUCCESS);
    CheckRead(h, "on volume one");
    EmuFileClose(h);
    TfUnload(&g_tf[0]);
    Stop();
}

/* ---- item: the target open checks the caller's access when the create demands it ---- */

static HANDLE KernelOpen(TF *tf, int volume, PCWSTR name, ULONG flags, NTSTATUS *status)
{
    UNICODE_STRING u;
    RtlInitUnicodeString(&u, name);
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, &u, OBJ_KERNEL_HANDLE | OBJ_CASE_INSENSITIVE, NULL, NULL);
    IO_STATUS_BLOCK io;
    HANDLE h = NULL;
    *status = FltCreateFileEx2(tf->Filter, tf->Instance[volume], &h, NULL, GENERIC_READ, &oa, &io, NULL, 0,
                               FILE_SHARE_READ, FILE_OPEN, FILE_NON_DIRECTORY_FILE, NULL, 0, flags, NULL);
    return h;
}

static void test_target_open_checks_access(void)
{
    Start();
    TwoFiles();
    TfStart(0, "400000", NULL, NULL);       /* a kernel component above the driver (the SMB server's position) */
    CHECK_EQ(RedirectPolicy(23, JMF_ACTION_FLAG_FALLBACK_DENY, DENIED).Error, JMF_ERROR_NONE);
    uint32_t calls0 = 0, calls = 0;

    /* A user-mode caller: the target open is access-checked. */
    EmuLastFltCreateFileFlags(&calls0);
    NTSTATUS s;
    uint64_t h = TOpen(g_v1, "\\data\\f.txt", GENERIC_READ, FILE_OPEN, &s, NULL);
    CHECK_EQ(s, STATUS_SUCCESS);
    uint32_t flags = EmuLastFltCreateFileFlags(&calls);
    CHECK_EQ(calls - calls0, 1);                            /* the driver's target open */
    CHECK_EQ(flags & IO_FORCE_ACCESS_CHECK, IO_FORCE_ACCESS_CHECK);
    EmuFileClose(h);

    /* A kernel-mode open on behalf of someone else (SL_FORCE_ACCESS_CHECK): checked too. */
    HANDLE k = KernelOpen(&g_tf[0], g_v1, L"\\Device\\HarddiskVolume1\\data\\f.txt", IO_FORCE_ACCESS_CHECK, &s);
    CHECK_EQ(s, STATUS_SUCCESS);
    flags = EmuLastFltCreateFileFlags(&calls0);
    CHECK_EQ(calls0 - calls, 2);                            /* the kernel open, then the driver's target open */
    CHECK_EQ(flags & IO_FORCE_ACCESS_CHECK, IO_FORCE_ACCESS_CHECK);
    FltClose(k);

    /* A kernel-mode open of its own (no SL_FORCE_ACCESS_CHECK): not checked, as for the source. */
    k = KernelOpen(&g_tf[0], g_v1, L"\\Device\\HarddiskVolume1\\data\\f.txt", 0, &s);
    CHECK_EQ(s, STATUS_SUCCESS);
    flags = EmuLastFltCreateFileFlags(&calls);
    CHECK_EQ(calls - calls0, 2);
    CHECK_EQ(flags & IO_FORCE_ACCESS_CHECK, 0);
    FltClose(k);
    TfUnload(&g_tf[0]);
    Stop();
}

/* ---- item: a refused post-create cancel keeps the handle's target ---- */

/* Above the driver: the handle already exists when the driver's post-create runs (FltCancelFileOpen not allowed). */
static FLT_PREOP_CALLBACK_STATUS HandleAlreadyCreated(TF *tf, PFLT_CALLBACK_DATA d, PCFLT_RELATED_OBJECTS o, PVOID *c)
{
    (void)tf; (void)c;
    if (d->Iopb->MajorFunction == IRP_MJ_CREATE && o->FileObject != NULL) {
        o->FileObject->Flags |= FO_HANDLE_CREATED;
    }
    return FLT_PREOP_SUCCESS_NO_CALLBACK;
}

static void test_refused_cancel_keeps_target(void)
{
    Start();
    TwoFiles();
    TfStart(0, "400000", HandleAlreadyCreated, NULL);
    static PB p;
    memset(&p, 0, sizeof(p));
    p.Volumes[0] = "\\Device\\HarddiskVolume1";
    p.Volumes[1] = "\\Device\\HarddiskVolume2";
    p.VolumeCount = 2;
    JMF_RULE *r = PbRule(&p, 24, JMF_OP_CREATE | JMF_OP_READ | JMF_OP_WRITE, "\\data\\**", JMF_ACTION_REDIRECT);
    r->Volume = 0;
    r->Action.TargetVolume = 1;
    r = PbRule(&p, 25, JMF_OP_CREATE, "\\data\\**", JMF_ACTION_DENY);
    r->Action.Flags = JMF_ACTION_FLAG_POST_CREATE;
    CHECK_EQ(SendPolicy(&p).Error, JMF_ERROR_NONE);
    NTSTATUS s;
    uint64_t h = TOpen(g_v1, "\\data\\f.txt", GENERIC_READ | GENERIC_WRITE, FILE_OPEN, &s, NULL);
    CHECK_EQ(s, STATUS_SUCCESS);                /* the post-create DENY could not cancel: the open stands ... */
    CheckRead(h, "on volume two");              /* ... still redirected: its data is on the target */
    CHECK_EQ(EmuFileWrite(h, 0, "ON", 2, 0, NULL), STATUS_SUCCESS);
    char v1[16] = {0};
    EmuFsRead(g_v1, "\\data\\f.txt", v1, 13);
    CHECK(memcmp(v1, "on volume one", 13) == 0);
    EmuFileClose(h);
    TfUnload(&g_tf[0]);
    Stop();
}

/* ---- items: the documented target rules take the fallback ---- */

static void FallbackCase(JMF_U32 ruleId)
{
    JMF_STATISTICS before, after;
    CHECK_EQ(RedirectPolicy(ruleId, JMF_ACTION_FLAG_FALLBACK_DENY, DENIED).Error, JMF_ERROR_NONE);
    GetStatistics(&before);
    NTSTATUS s;
    uint64_t h = TOpen(g_v1, "\\data\\f.txt", GENERIC_READ | GENERIC_WRITE, FILE_OPEN, &s, NULL);
    CHECK_EQ(s, DENIED);
    CHECK_EQ(h, 0);
    GetStatistics(&after);
    CHECK_EQ(after.RedirectFallbacks - before.RedirectFallbacks, 1);
    JMF_EVENT e[4];
    JMF_U32 n = GetEvents(e, 4);
    CHECK_EQ(n, 1);
    if (n == 1) {
        CHECK_EQ(e[0].RuleId, ruleId);
        CHECK_EQ(e[0].Verdict, JMF_ACTION_DENY);
        CHECK_EQ(e[0].Flags & JMF_EVENT_FLAG_REDIRECT_FALLBACK, JMF_EVENT_FLAG_REDIRECT_FALLBACK);
    }
    /* Pass-through fallback: the handle stays on its own volume. */
    CHECK_EQ(RedirectPolicy(ruleId + 1, 0, 0).Error, JMF_ERROR_NONE);
    h = TOpen(g_v1, "\\data\\f.txt", GENERIC_READ, FILE_OPEN, &s, NULL);
    CHECK_EQ(s, STATUS_SUCCESS);
    CheckRead(h, "on volume one");
    EmuFileClose(h);
}

static void test_shallower_target_stack_takes_fallback(void)
{
    StartWithStacks(4, 2);          /* volume 2's device stack is shallower than volume 1's */
    TwoFiles();
    FallbackCase(26);
    Stop();
}

static void test_target_at_another_altitude_takes_fallback(void)
{
    Start();
    TwoFiles();
    CHECK_EQ(EmuDetachDriver(g_v2), STATUS_SUCCESS);
    CHECK_EQ(EmuAttachDriver(g_v2, "385200"), STATUS_SUCCESS);   /* the driver on volume 2, at a second altitude */
    FallbackCase(28);
    Stop();
}

/* ---- item: a redirected handle stays redirected ---- */

/* Pulls the events and checks each is a redirect event of ruleId with flag and the status given
 * for it (statuses[i], or status for all when statuses is NULL). Returns how many. */
static JMF_U32 RedirectEventsWith(JMF_U32 ruleId, JMF_U32 flag, JMF_I32 status, const JMF_I32 *statuses, JMF_U32 count)
{
    static JMF_EVENT e[16];
    JMF_U32 n = GetEvents(e, 16);
    for (JMF_U32 i = 0; i < n; i++) {
        CHECK_EQ(e[i].RuleId, ruleId);
        CHECK_EQ(e[i].Verdict, JMF_ACTION_DENY);
        CHECK_EQ(e[i].Status, statuses != NULL && i < count ? statuses[i] : status);
        CHECK_EQ(e[i].Flags & flag, flag);
        CHECK_EQ(e[i].ProcessId, TEST_PID);
        char path[64];
        EmuWideToUtf8((const WCHAR *)e[i].Path, e[i].PathLength / 2, path, sizeof(path));
        CHECK(strcmp(path, "\\data\\f.txt") == 0);
    }
    return n;
}

static JMF_U32 RedirectEvents(JMF_U32 ruleId, JMF_U32 flag, JMF_I32 status)
{
    return RedirectEventsWith(ruleId, flag, status, NULL, 0);
}

static void TargetLostCase(JMF_U32 ruleId, JMF_U32 flags, JMF_I32 fallbackStatus, NTSTATUS expected)
{
    Start();
    TwoFiles();
    CHECK_EQ(RedirectPolicy(ruleId, flags, fallbackStatus).Error, JMF_ERROR_NONE);
    NTSTATUS s;
    uint64_t h = TOpen(g_v1, "\\data\\f.txt", GENERIC_READ | GENERIC_WRITE, FILE_OPEN, &s, NULL);
    CHECK_EQ(s, STATUS_SUCCESS);
    CheckRead(h, "on volume two");
    JMF_EVENT drain[4];
    GetEvents(drain, 4);
    JMF_STATISTICS before, after;
    GetStatistics(&before);

    CHECK_EQ(EmuDetachDriver(g_v2), STATUS_SUCCESS);     /* the target volume's instance goes: the target closes */

    char b[16] = {0};
    uint32_t n = 99;
    int64_t size = -1;
    CHECK_EQ(EmuFileRead(h, 0, b, 13, &n), expected);
    CHECK_EQ(n, 0);
    CHECK_EQ(EmuFileReadEx(h, 0, b, 13, EMU_IO_FAST, &n), expected);   /* fast I/O refused, the IRP fails */
    CHECK_EQ(EmuFileWrite(h, 0, "XX", 2, 0, &n), expected);
    CHECK_EQ(EmuFileQuerySize(h, &size), expected);
    CHECK_EQ(EmuFileSetEndOfFile(h, 2), expected);
    GetStatistics(&after);
    CHECK_EQ(after.RedirectTargetLost - before.RedirectTargetLost, 5);
    CHECK_EQ(RedirectEvents(ruleId, JMF_EVENT_FLAG_REDIRECT_TARGET_LOST, expected), 5);
    /* Nothing reached the source: its data is unchanged and was never read. */
    char v1[16] = {0};
    CHECK_EQ(EmuFsRead(g_v1, "\\data\\f.txt", v1, 16), 13);
    CHECK(memcmp(v1, "on volume one", 13) == 0);
    CHECK(memcmp(b, "on volume one", 13) != 0);
    EmuFileClose(h);
    Stop();
}

static void test_target_lost_fails_io(void)
{
    TargetLostCase(31, 0, 0, STATUS_VOLUME_DISMOUNTED);
}

static void test_target_lost_fails_io_with_fallback_status(void)
{
    TargetLostCase(32, JMF_ACTION_FLAG_FALLBACK_DENY, DENIED, DENIED);
}

/* What can never follow the redirect is refused on a redirected handle, and passes on any other. */
static void test_refused_on_redirected_handle(void)
{
    Start();
    TwoFiles();
    TPut(g_v1, "\\other.txt", "not redirected");
    CHECK_EQ(RedirectPolicy(33, 0, 0).Error, JMF_ERROR_NONE);
    NTSTATUS s;
    uint64_t h = TOpen(g_v1, "\\data\\f.txt", GENERIC_READ | GENERIC_WRITE, FILE_OPEN, &s, NULL);
    CHECK_EQ(s, STATUS_SUCCESS);
    uint64_t plain = TOpen(g_v1, "\\other.txt", GENERIC_READ | GENERIC_WRITE, FILE_OPEN, &s, NULL);
    CHECK_EQ(s, STATUS_SUCCESS);
    JMF_EVENT drain[4];
    GetEvents(drain, 4);
    JMF_STATISTICS before, after;
    GetStatistics(&before);

    FILE_ZERO_DATA_INFORMATION zero;
    zero.FileOffset.QuadPart = 0;
    zero.BeyondFinalZero.QuadPart = 2;
    uint8_t extents[64] = {0};
    CHECK_EQ(EmuFileAcquireForSection(h, 1, 0x02 /* PAGE_READONLY */), STATUS_ACCESS_DENIED);
    CHECK_EQ(EmuFileLock(h, 0, 4, 1), STATUS_NOT_SUPPORTED);
    CHECK_EQ(EmuFileFsControl(h, FSCTL_REQUEST_OPLOCK_LEVEL_1, NULL, 0, 0, NULL), STATUS_OPLOCK_NOT_GRANTED);
    CHECK_EQ(EmuFileFsControl(h, FSCTL_REQUEST_OPLOCK, NULL, 0, 0, NULL), STATUS_OPLOCK_NOT_GRANTED);
    CHECK_EQ(EmuFileFsControl(h, FSCTL_SET_ZERO_DATA, &zero, sizeof(zero), 0, NULL), STATUS_NOT_SUPPORTED);
    CHECK_EQ(EmuFileFsControl(h, FSCTL_DUPLICATE_EXTENTS_TO_FILE, extents, sizeof(extents), 0, NULL), STATUS_NOT_SUPPORTED);
    GetStatistics(&after);
    CHECK_EQ(after.RedirectRefused - before.RedirectRefused, 6);
    static const JMF_I32 refused[] = { STATUS_ACCESS_DENIED, STATUS_NOT_SUPPORTED, STATUS_OPLOCK_NOT_GRANTED,
                                       STATUS_OPLOCK_NOT_GRANTED, STATUS_NOT_SUPPORTED, STATUS_NOT_SUPPORTED };
    CHECK_EQ(RedirectEventsWith(33, JMF_EVENT_FLAG_REDIRECT_REFUSED, 0, refused, 6), 6);
    /* Neither volume's data changed: zeroing reached neither the stale source nor (unasked) the target. */
    char v1[16] = {0}, v2[16] = {0};
    EmuFsRead(g_v1, "\\data\\f.txt", v1, 13);
    EmuFsRead(g_v2, "\\data\\f.txt", v2, 13);
    CHECK(memcmp(v1, "on volume one", 13) == 0);
    CHECK(memcmp(v2, "on volume two", 13) == 0);
    /* Synchronization other than a section creation must not be failed, and is not. */
    CHECK_EQ(EmuFileAcquireForSection(h, 0, 0), STATUS_SUCCESS);
    CheckRead(h, "on volume two");                      /* the handle itself still works */

    /* The same operations on a handle that is not redirected reach its file system. */
    CHECK_EQ(EmuFileAcquireForSection(plain, 1, 0x02), STATUS_SUCCESS);
    CHECK_EQ(EmuFileLock(plain, 0, 4, 1), STATUS_SUCCESS);
    CHECK_EQ(EmuFileFsControl(plain, FSCTL_REQUEST_OPLOCK_LEVEL_1, NULL, 0, 0, NULL), STATUS_SUCCESS);
    CHECK_EQ(EmuFileFsControl(plain, FSCTL_SET_ZERO_DATA, &zero, sizeof(zero), 0, NULL), STATUS_SUCCESS);
    char o[16] = {0};
    EmuFsRead(g_v1, "\\other.txt", o, 14);
    CHECK(o[0] == 0 && o[1] == 0 && memcmp(o + 2, "t redirected", 12) == 0);
    GetStatistics(&before);
    CHECK_EQ(before.RedirectRefused - after.RedirectRefused, 0);
    EmuFileClose(plain);
    EmuFileClose(h);
    Stop();
}

/* The IRP_MN_COMPLETE of an MDL read follows the redirect while the target is open, and is refused once it is gone. */
static void test_mdl_complete_follows_or_refused(void)
{
    Start();
    TwoFiles();
    CHECK_EQ(RedirectPolicy(34, 0, 0).Error, JMF_ERROR_NONE);
    NTSTATUS s;
    uint64_t h = TOpen(g_v1, "\\data\\f.txt", GENERIC_READ, FILE_OPEN, &s, NULL);
    CHECK_EQ(s, STATUS_SUCCESS);
    char b[16] = {0};
    uint32_t n = 0;
    uint64_t mdl = 0;
    CHECK_EQ(EmuFileMdlRead(h, 0, b, 13, &n, &mdl), STATUS_SUCCESS);
    CHECK(memcmp(b, "on volume two", 13) == 0);
    CHECK_EQ(EmuFileMdlReadComplete(h, mdl), STATUS_SUCCESS);     /* given back to volume 2's file system */

    CHECK_EQ(EmuFileMdlRead(h, 0, b, 13, &n, &mdl), STATUS_SUCCESS);
    JMF_EVENT drain[4];
    GetEvents(drain, 4);
    JMF_STATISTICS before, after;
    GetStatistics(&before);
    CHECK_EQ(EmuDetachDriver(g_v2), STATUS_SUCCESS);
    CHECK_EQ(EmuFileMdlReadComplete(h, mdl), STATUS_VOLUME_DISMOUNTED);     /* never to volume 1's */
    GetStatistics(&after);
    CHECK_EQ(after.RedirectRefused - before.RedirectRefused, 1);
    CHECK_EQ(RedirectEvents(34, JMF_EVENT_FLAG_REDIRECT_REFUSED, STATUS_VOLUME_DISMOUNTED), 1);
    EmuFileClose(h);
    Stop();
}

const TEST_CASE g_redirectTests[] = {
    { "redirect: target detached between pre- and post-create: fallback deny, no use after free", test_target_detached_during_create },
    { "redirect: target detached during create, pass-through fallback: stays on the source", test_target_detached_during_create_pass_through },
    { "redirect: target open access-checked for user mode and SL_FORCE_ACCESS_CHECK, not otherwise", test_target_open_checks_access },
    { "redirect: a post-create DENY that cannot cancel keeps the handle's target", test_refused_cancel_keeps_target },
    { "redirect: a target with a shallower device stack takes the fallback", test_shallower_target_stack_takes_fallback },
    { "redirect: a target instance at another altitude takes the fallback", test_target_at_another_altitude_takes_fallback },
    { "redirect: target torn down: read, fast read, write, query, set fail (VOLUME_DISMOUNTED), counted, reported", test_target_lost_fails_io },
    { "redirect: target torn down: the handle's I/O fails with the rule's fallback status", test_target_lost_fails_io_with_fallback_status },
    { "redirect: section, lock, oplock, zero-data, duplicate-extents refused on a redirected handle only", test_refused_on_redirected_handle },
    { "redirect: an MDL read's IRP_MN_COMPLETE follows the target, refused once it is gone", test_mdl_complete_follows_or_refused },
};
const size_t g_redirectTestsCount = sizeof(g_redirectTests) / sizeof(g_redirectTests[0]);
