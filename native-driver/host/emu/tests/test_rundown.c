/*
 * test_rundown.c - the lifetime of an instance under rundown references, as
 * documented for FltObjectReference: a reference keeps the object from being
 * freed; once its teardown has started, FltObjectReference fails with
 * STATUS_FLT_DELETING_OBJECT. The emulator frees a torn-down instance at its
 * last FltObjectDereference (the real filter manager waits for it), so a
 * filter that keeps using an instance it holds no reference on is caught by
 * ASan or as "not an instance".
 */
#include "test_filters.h"

static PFLT_FILTER g_filter;
static NTSTATUS g_refInTeardown;
static int g_teardowns;

static VOID FLTAPI RdTeardownStart(PCFLT_RELATED_OBJECTS o, FLT_INSTANCE_TEARDOWN_FLAGS f)
{
    (void)f;
    g_teardowns++;
    g_refInTeardown = FltObjectReference(o->Instance);
    if (NT_SUCCESS(g_refInTeardown)) {
        FltObjectDereference(o->Instance);
    }
}

static NTSTATUS FLTAPI RdUnload(FLT_FILTER_UNLOAD_FLAGS f)
{
    (void)f;
    FltUnregisterFilter(g_filter);
    return STATUS_SUCCESS;
}

static PFLT_INSTANCE RdStart(int volume)
{
    static DRIVER_OBJECT driver;
    static const FLT_OPERATION_REGISTRATION ops[] = { { IRP_MJ_OPERATION_END, 0, NULL, NULL, NULL } };
    FLT_REGISTRATION reg = { sizeof(FLT_REGISTRATION), FLT_REGISTRATION_VERSION, 0, NULL, ops, RdUnload,
                             NULL, NULL, RdTeardownStart, NULL, NULL, NULL, NULL, NULL, NULL, NULL };
    EmuSetNextAltitude("300000");
    CHECK_EQ(FltRegisterFilter(&driver, &reg, &g_filter), STATUS_SUCCESS);
    CHECK_EQ(FltStartFiltering(g_filter), STATUS_SUCCESS);
    PFLT_INSTANCE inst = NULL;
    ULONG n = 0;
    CHECK_EQ(FltEnumerateInstances(EmuVolumeById(volume), g_filter, &inst, 1, &n), STATUS_SUCCESS);    /* referenced */
    CHECK_EQ(n, 1);
    return inst;
}

static HANDLE OpenThrough(PFLT_INSTANCE inst, NTSTATUS *status)
{
    UNICODE_STRING u = RTL_CONSTANT_STRING(L"\\Device\\HarddiskVolume1\\f.txt");
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, &u, OBJ_KERNEL_HANDLE | OBJ_CASE_INSENSITIVE, NULL, NULL);
    IO_STATUS_BLOCK io;
    HANDLE h = NULL;
    *status = FltCreateFileEx2(g_filter, inst, &h, NULL, GENERIC_READ, &oa, &io, NULL, 0, FILE_SHARE_READ, FILE_OPEN,
                               FILE_NON_DIRECTORY_FILE, NULL, 0, 0, NULL);
    return h;
}

static void test_reference_outlives_teardown(void)
{
    int v = EmuCreateVolume("\\Device\\HarddiskVolume1", 4, 0);
    TPut(v, "\\f.txt", "data");
    PFLT_INSTANCE inst = RdStart(v);
    NTSTATUS s;
    HANDLE h = OpenThrough(inst, &s);
    CHECK_EQ(s, STATUS_SUCCESS);
    FltClose(h);
    g_teardowns = 0;
    CHECK_EQ(FltDetachVolume(g_filter, EmuVolumeById(v), NULL), STATUS_SUCCESS);
    CHECK_EQ(g_teardowns, 1);
    CHECK_EQ(g_refInTeardown, STATUS_FLT_DELETING_OBJECT);      /* teardown had started */
    /* Torn down, but the reference keeps it: still an instance, usable for what does not start I/O ... */
    CHECK(EmuIsInstance(inst));
    CHECK_EQ(FltObjectReference(inst), STATUS_FLT_DELETING_OBJECT);
    PFLT_VOLUME vol = NULL;
    CHECK_EQ(FltGetVolumeFromInstance(inst, &vol), STATUS_SUCCESS);
    CHECK(vol == EmuVolumeById(v));
    FltObjectDereference(vol);
    /* ... but no new I/O goes through it. */
    h = OpenThrough(inst, &s);
    CHECK_EQ(s, STATUS_FLT_DELETING_OBJECT);
    CHECK(h == NULL);
    FltObjectDereference(inst);                                 /* the last reference frees it */
    CHECK(!EmuIsInstance(inst));
    EmuUnloadFilter(g_filter);
}

static void test_reference_never_released_is_reported(void)
{
    int v = EmuCreateVolume("\\Device\\HarddiskVolume1", 4, 0);
    PFLT_INSTANCE inst = RdStart(v);
    CHECK_EQ(FltDetachVolume(g_filter, EmuVolumeById(v), NULL), STATUS_SUCCESS);
    CHECK(EmuIsInstance(inst));
    EmuUnloadFilter(g_filter);
    CHECK_VIOLATION("FltUnregisterFilter would wait forever: the torn-down instance at altitude 300000");
    CHECK(!EmuIsInstance(inst));
}

const TEST_CASE g_rundownTests[] = {
    { "rundown: a referenced instance outlives its teardown; FltObjectReference and I/O through it fail; last dereference frees it", test_reference_outlives_teardown },
    { "rundown: a reference on a torn-down instance never released is reported at unregister", test_reference_never_released_is_reported },
};
const size_t g_rundownTestsCount = sizeof(g_rundownTests) / sizeof(g_rundownTests[0]);
