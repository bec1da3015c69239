/*
 * test_driver_modify.c - a create MODIFY that forces the disposition, adds
 * or removes create options, or adds or removes SL_* flags changes what
 * the filters below and the file system see. Those parameters live in the
 * callback data itself (unlike stripped access, which travels through the
 * SecurityContext pointer), so they reach below ONLY because the driver
 * calls FltSetCallbackDataDirty: the emulator hands lower filters the
 * parameters as they were unless the data was marked dirty.
 */
#include "test_driver_util.h"

#define LOWER_ALTITUDE "100000"     /* the library's observer, below the driver */

static int g_forceAccessCheckAbove;

/* A filter above the driver that issues every create with SL_FORCE_ACCESS_CHECK, as the SMB server would. */
static FLT_PREOP_CALLBACK_STATUS AddForceAccessCheck(TF *tf, PFLT_CALLBACK_DATA d, PCFLT_RELATED_OBJECTS o, PVOID *c)
{
    (void)tf; (void)o; (void)c;
    if (d->Iopb->MajorFunction == IRP_MJ_CREATE && g_forceAccessCheckAbove) {
        d->Iopb->OperationFlags |= SL_FORCE_ACCESS_CHECK;
        FltSetCallbackDataDirty(d);
    }
    return FLT_PREOP_SUCCESS_NO_CALLBACK;
}

static void test_modify_forces_disposition(void)
{
    Start();
    CHECK_EQ(EmuObserverStart(LOWER_ALTITUDE), 0);
    EmuFsPut(g_v1, "\\shared", NULL, 0, 1);
    TPut(g_v1, "\\shared\\log.txt", "kept");
    PB pb;
    memset(&pb, 0, sizeof(pb));
    JMF_RULE *r = PbRule(&pb, 31, JMF_OP_CREATE, "\\shared\\**", JMF_ACTION_MODIFY);
    r->Action.Disposition = JMF_FILE_OPEN_IF;      /* never collide, never truncate */
    CHECK_EQ(SendPolicy(&pb).Error, JMF_ERROR_NONE);
    NTSTATUS s;
    uint64_t info = 0;
    uint64_t h = TOpen(g_v1, "\\shared\\log.txt", GENERIC_WRITE, FILE_CREATE, &s, &info);
    CHECK_EQ(s, STATUS_SUCCESS);                        /* FILE_CREATE of an existing file would collide */
    CHECK_EQ(info, FILE_OPENED);
    EMU_OBSERVED o;
    CHECK_EQ(EmuObserverLast(IRP_MJ_CREATE, &o), 0);
    CHECK_EQ(o.Disposition, FILE_OPEN_IF);
    EmuFileClose(h);
    h = TOpen(g_v1, "\\shared\\log.txt", GENERIC_WRITE, FILE_OVERWRITE, &s, &info);
    CHECK_EQ(s, STATUS_SUCCESS);
    CHECK_EQ(info, FILE_OPENED);                        /* not FILE_OVERWRITTEN: the data stays */
    EmuFileClose(h);
    CHECK_EQ(EmuFsRead(g_v1, "\\shared\\log.txt", NULL, 0), 4);
    CHECK_EQ(EmuObserverStop(), 0);
    Stop();
}

static void test_modify_adds_and_removes_create_options(void)
{
    Start();
    CHECK_EQ(EmuObserverStart(LOWER_ALTITUDE), 0);
    EmuFsPut(g_v1, "\\keep", NULL, 0, 1);
    TPut(g_v1, "\\keep\\doc.txt", "doc");
    PB pb;
    memset(&pb, 0, sizeof(pb));
    JMF_RULE *r = PbRule(&pb, 32, JMF_OP_CREATE, "\\keep\\**", JMF_ACTION_MODIFY);
    r->Action.OptionsSet = FILE_WRITE_THROUGH;
    r->Action.OptionsClear = FILE_DELETE_ON_CLOSE;     /* opening here cannot delete */
    CHECK_EQ(SendPolicy(&pb).Error, JMF_ERROR_NONE);
    uint64_t h = 0, info;
    CHECK_EQ(EmuFileOpen(g_v1, "\\keep\\doc.txt", GENERIC_READ | DELETE, FILE_SHARE_READ, FILE_OPEN,
                         FILE_NON_DIRECTORY_FILE | FILE_DELETE_ON_CLOSE, 0, &h, &info), STATUS_SUCCESS);
    EMU_OBSERVED o;
    CHECK_EQ(EmuObserverLast(IRP_MJ_CREATE, &o), 0);
    CHECK_EQ(o.CreateOptions & (FILE_WRITE_THROUGH | FILE_DELETE_ON_CLOSE), FILE_WRITE_THROUGH);
    CHECK(o.CreateOptions & FILE_NON_DIRECTORY_FILE);  /* the caller's other options are kept */
    EmuFileClose(h);
    CHECK_EQ(EmuFsExists(g_v1, "\\keep\\doc.txt"), 1); /* the file system never saw FILE_DELETE_ON_CLOSE */
    CHECK_EQ(EmuObserverStop(), 0);
    Stop();
}

static void test_modify_adds_and_removes_operation_flags(void)
{
    Start();
    CHECK_EQ(EmuObserverStart(LOWER_ALTITUDE), 0);
    g_forceAccessCheckAbove = 1;
    TfStart(0, "400000", AddForceAccessCheck, NULL);   /* above the driver */
    EmuFsPut(g_v1, "\\cs", NULL, 0, 1);
    TPut(g_v1, "\\cs\\f.txt", "f");
    PB pb;
    memset(&pb, 0, sizeof(pb));
    JMF_RULE *r = PbRule(&pb, 33, JMF_OP_CREATE, "\\cs\\**", JMF_ACTION_MODIFY);
    r->Action.OperationFlagsSet = JMF_SL_CASE_SENSITIVE;
    r->Action.OperationFlagsClear = JMF_SL_FORCE_ACCESS_CHECK;
    CHECK_EQ(SendPolicy(&pb).Error, JMF_ERROR_NONE);
    NTSTATUS s;
    uint64_t h = TOpen(g_v1, "\\cs\\f.txt", GENERIC_READ, FILE_OPEN, &s, NULL);
    CHECK_EQ(s, STATUS_SUCCESS);
    EMU_OBSERVED o;
    CHECK_EQ(EmuObserverLast(IRP_MJ_CREATE, &o), 0);
    CHECK_EQ(o.OperationFlags & (SL_CASE_SENSITIVE | SL_FORCE_ACCESS_CHECK), SL_CASE_SENSITIVE);
    EmuFileClose(h);
    /* elsewhere the flag from above reaches the observer untouched (the test filter works) */
    TPut(g_v1, "\\other.txt", "o");
    h = TOpen(g_v1, "\\other.txt", GENERIC_READ, FILE_OPEN, &s, NULL);
    CHECK_EQ(EmuObserverLast(IRP_MJ_CREATE, &o), 0);
    CHECK_EQ(o.OperationFlags & (SL_CASE_SENSITIVE | SL_FORCE_ACCESS_CHECK), SL_FORCE_ACCESS_CHECK);
    EmuFileClose(h);
    g_forceAccessCheckAbove = 0;
    TfUnload(&g_tf[0]);
    CHECK_EQ(EmuObserverStop(), 0);
    Stop();
}

const TEST_CASE g_driverModifyTests[] = {
    { "driver: MODIFY forcing the disposition reaches the file system (FltSetCallbackDataDirty)", test_modify_forces_disposition },
    { "driver: MODIFY adding/removing create options reaches below (FltSetCallbackDataDirty)", test_modify_adds_and_removes_create_options },
    { "driver: MODIFY adding/removing SL_* flags reaches below (FltSetCallbackDataDirty)", test_modify_adds_and_removes_operation_flags },
};
const size_t g_driverModifyTestsCount = sizeof(g_driverModifyTests) / sizeof(g_driverModifyTests[0]);
