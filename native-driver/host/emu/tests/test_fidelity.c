/*
 * test_fidelity.c - Filter Manager behaviour found missing by an outside
 * reading of the emulator (issue 12): STATUS_FLT_DISALLOW_FAST_IO named where
 * a filter sets it, FLTFL_POST_OPERATION_DRAINING on instance teardown, and a
 * handle's granted access from the access check the file system makes.
 */
#include "test_filters.h"

static int SetupAB(void)
{
    TfStart(0, "200000", NULL, NULL);
    TfStart(1, "300000", NULL, NULL);
    int v = EmuCreateVolume("\\Device\\HarddiskVolume1", 4, 0);
    g_log[0] = 0;
    return v;
}

/* A sets STATUS_FLT_DISALLOW_FAST_IO as the read's status in its post-operation
 * callback; B, above, overwrites it. The final status is clean, so only a
 * check where each filter returns can name A. */
static FLT_POSTOP_CALLBACK_STATUS PostSetsDisallow(TF *tf, PFLT_CALLBACK_DATA d, PCFLT_RELATED_OBJECTS o, PVOID c, FLT_POST_OPERATION_FLAGS f)
{
    (void)tf; (void)o; (void)c; (void)f;
    if (d->Iopb->MajorFunction == IRP_MJ_READ) {
        d->IoStatus.Status = STATUS_FLT_DISALLOW_FAST_IO;
    }
    return FLT_POSTOP_FINISHED_PROCESSING;
}

static FLT_POSTOP_CALLBACK_STATUS PostRestoresSuccess(TF *tf, PFLT_CALLBACK_DATA d, PCFLT_RELATED_OBJECTS o, PVOID c, FLT_POST_OPERATION_FLAGS f)
{
    (void)tf; (void)o; (void)c; (void)f;
    if (d->Iopb->MajorFunction == IRP_MJ_READ && d->IoStatus.Status == STATUS_FLT_DISALLOW_FAST_IO) {
        d->IoStatus.Status = STATUS_SUCCESS;
    }
    return FLT_POSTOP_FINISHED_PROCESSING;
}

static void test_disallow_fast_io_named_where_set(void)
{
    int v = SetupAB();
    TPut(v, "\\f.txt", "abc");
    g_tf[0].Post = PostSetsDisallow;
    g_tf[1].Post = PostRestoresSuccess;
    NTSTATUS s;
    uint64_t h = TOpen(v, "\\f.txt", GENERIC_READ, FILE_OPEN, &s, NULL);
    CHECK_EQ(s, STATUS_SUCCESS);
    char b[4];
    uint32_t n = 0;
    CHECK_EQ(EmuFileRead(h, 0, b, 3, &n), STATUS_SUCCESS);
    CHECK_VIOLATION("filter at altitude 200000 set IoStatus.Status of IRP_MJ_READ to STATUS_FLT_DISALLOW_FAST_IO");
    CHECK(!TestTakeViolation("filter at altitude 300000"));   /* B, which only restored it, is not named */
    EmuFileClose(h);
}

/* A filter that returns FLT_PREOP_DISALLOW_FASTIO is the filter manager's
 * own use of the status: the filters above see it in their post-operation
 * callbacks and are not blamed for it. */
static FLT_PREOP_CALLBACK_STATUS PreNoFastIo(TF *tf, PFLT_CALLBACK_DATA d, PCFLT_RELATED_OBJECTS o, PVOID *c)
{
    (void)tf; (void)o; (void)c;
    return FLT_IS_FASTIO_OPERATION(d) ? FLT_PREOP_DISALLOW_FASTIO : FLT_PREOP_SUCCESS_WITH_CALLBACK;
}

static void test_disallow_fast_io_by_filter_manager_not_blamed(void)
{
    int v = SetupAB();
    TPut(v, "\\f.txt", "abc");
    g_tf[0].Pre = PreNoFastIo;
    NTSTATUS s;
    uint64_t h = TOpen(v, "\\f.txt", GENERIC_READ, FILE_OPEN, &s, NULL);
    char b[4];
    uint32_t n = 0;
    CHECK_EQ(EmuFileReadEx(h, 0, b, 3, EMU_IO_FAST, &n), STATUS_SUCCESS);
    CHECK_EQ(n, 3);
    CHECK_EQ(EmuViolationCount(), 0);
    EmuFileClose(h);
}

const TEST_CASE g_fidelityTests[] = {
    { "fidelity: STATUS_FLT_DISALLOW_FAST_IO set in a post-operation callback names the filter, though overwritten above", test_disallow_fast_io_named_where_set },
    { "fidelity: FLT_PREOP_DISALLOW_FASTIO's status is not blamed on the filters above", test_disallow_fast_io_by_filter_manager_not_blamed },
};
const size_t g_fidelityTestsCount = sizeof(g_fidelityTests) / sizeof(g_fidelityTests[0]);
