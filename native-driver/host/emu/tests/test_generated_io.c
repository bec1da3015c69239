/*
 * test_generated_io.c - I/O a filter builds itself (FltAllocateCallbackData,
 * FltPerformSynchronousIo, FltFreeCallbackData: the operation reaches only the
 * instances below the initiating one), FltGetRoutineAddress (fltmgr.sys's
 * exports only), FltCheckAndGrowNameControl. Test filters A (300000), B (200000), C (100000)
 * on one volume; B initiates.
 */
#include "test_filters.h"
#include <ntintsafe.h>

static PFLT_CALLBACK_DATA g_seenData[TF_MAX];   /* the callback data each filter's pre-query-information saw */
static int g_seenCount[TF_MAX];

static FLT_PREOP_CALLBACK_STATUS SeeQuery(TF *tf, PFLT_CALLBACK_DATA d, PCFLT_RELATED_OBJECTS o, PVOID *c)
{
    (void)o; (void)c;
    if (d->Iopb->MajorFunction == IRP_MJ_QUERY_INFORMATION) {
        int i = tf->Name - 'A';
        g_seenData[i] = d;
        g_seenCount[i]++;
    }
    return FLT_PREOP_SUCCESS_NO_CALLBACK;
}

/* Three filters on a fresh volume with \d\f.txt; B's instance opens f.txt (FltCreateFileEx2, below B). */
static int Setup(PFILE_OBJECT *fo, HANDLE *h)
{
    memset(g_seenData, 0, sizeof(g_seenData));
    memset(g_seenCount, 0, sizeof(g_seenCount));
    int v = EmuCreateVolume("\\Device\\HarddiskVolume1", 4, 0);
    EmuFsPut(v, "\\d", NULL, 0, 1);
    TPut(v, "\\d\\f.txt", "twelve bytes");
    TfStart(0, "300000", SeeQuery, NULL);
    TfStart(1, "200000", SeeQuery, NULL);
    TfStart(2, "100000", SeeQuery, NULL);
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, L"\\Device\\HarddiskVolume1\\d\\f.txt");
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, &name, OBJ_KERNEL_HANDLE | OBJ_CASE_INSENSITIVE, NULL, NULL);
    IO_STATUS_BLOCK iosb;
    CHECK_EQ(FltCreateFileEx2(g_tf[1].Filter, g_tf[1].Instance[v], h, fo, FILE_READ_DATA | SYNCHRONIZE, &oa, &iosb, NULL, 0,
                              FILE_SHARE_READ, FILE_OPEN, FILE_SYNCHRONOUS_IO_NONALERT, NULL, 0, 0, NULL), STATUS_SUCCESS);
    return v;
}

static void Teardown(PFILE_OBJECT fo, HANDLE h)
{
    ObDereferenceObject(fo);
    CHECK_EQ(FltClose(h), STATUS_SUCCESS);
}

/* Only the instances below the initiating one see the operation, with the very callback data allocated;
 * the file system's answer comes back in it. */
static void test_perform_goes_below_the_initiating_instance_only(void)
{
    PFILE_OBJECT fo = NULL;
    HANDLE h = NULL;
    int v = Setup(&fo, &h);
    PFLT_CALLBACK_DATA data = NULL;
    CHECK_EQ(FltAllocateCallbackData(g_tf[1].Instance[v], fo, &data), STATUS_SUCCESS);
    CHECK(data != NULL && data->Iopb->TargetFileObject == fo);
    FILE_STANDARD_INFORMATION info;
    memset(&info, 0, sizeof(info));
    data->Iopb->MajorFunction = IRP_MJ_QUERY_INFORMATION;
    data->Iopb->Parameters.QueryFileInformation.Length = sizeof(info);
    data->Iopb->Parameters.QueryFileInformation.FileInformationClass = FileStandardInformation;
    data->Iopb->Parameters.QueryFileInformation.InfoBuffer = &info;
    FltPerformSynchronousIo(data);
    CHECK_EQ(data->IoStatus.Status, STATUS_SUCCESS);
    CHECK_EQ(data->IoStatus.Information, sizeof(info));
    CHECK_EQ(info.EndOfFile.QuadPart, 12);
    CHECK_EQ(g_seenCount[0], 0);          /* A: above the initiator */
    CHECK_EQ(g_seenCount[1], 0);          /* B: the initiator itself */
    CHECK_EQ(g_seenCount[2], 1);          /* C: below */
    CHECK(g_seenData[2] == data);
    CHECK(FLT_IS_IRP_OPERATION(data) && (data->Flags & FLTFL_CALLBACK_DATA_GENERATED_IO) != 0);
    CHECK_EQ(data->RequestorMode, KernelMode);
    FltFreeCallbackData(data);
    Teardown(fo, h);
}

/* Initiated by the lowest instance: no filter sees it, the file system still answers. A directory
 * query (simrep's use: its own FltQueryDirectoryFile) fills the caller's buffer. */
static void test_perform_from_the_bottom_reaches_the_file_system(void)
{
    PFILE_OBJECT fo = NULL;
    HANDLE h = NULL;
    int v = Setup(&fo, &h);
    ObDereferenceObject(fo);
    CHECK_EQ(FltClose(h), STATUS_SUCCESS);
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, L"\\Device\\HarddiskVolume1\\d");
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, &name, OBJ_KERNEL_HANDLE, NULL, NULL);
    IO_STATUS_BLOCK iosb;
    CHECK_EQ(FltCreateFileEx2(g_tf[2].Filter, g_tf[2].Instance[v], &h, &fo, FILE_LIST_DIRECTORY | SYNCHRONIZE, &oa, &iosb, NULL, 0,
                              FILE_SHARE_READ, FILE_OPEN, FILE_DIRECTORY_FILE | FILE_SYNCHRONOUS_IO_NONALERT, NULL, 0, 0, NULL), STATUS_SUCCESS);
    PFLT_CALLBACK_DATA data = NULL;
    CHECK_EQ(FltAllocateCallbackData(g_tf[2].Instance[v], fo, &data), STATUS_SUCCESS);
    ULONG buffer[64];
    data->Iopb->MajorFunction = IRP_MJ_DIRECTORY_CONTROL;
    data->Iopb->MinorFunction = IRP_MN_QUERY_DIRECTORY;
    data->Iopb->OperationFlags = SL_RESTART_SCAN;
    data->Iopb->Parameters.DirectoryControl.QueryDirectory.Length = sizeof(buffer);
    data->Iopb->Parameters.DirectoryControl.QueryDirectory.FileInformationClass = FileNamesInformation;
    data->Iopb->Parameters.DirectoryControl.QueryDirectory.DirectoryBuffer = buffer;
    FltPerformSynchronousIo(data);
    CHECK_EQ(data->IoStatus.Status, STATUS_SUCCESS);
    PFILE_NAMES_INFORMATION e = (PFILE_NAMES_INFORMATION)buffer;
    CHECK_EQ(e->FileNameLength, 10);
    CHECK(memcmp(e->FileName, L"f.txt", 10) == 0);
    CHECK_EQ(g_seenCount[0] + g_seenCount[1] + g_seenCount[2], 0);
    FltFreeCallbackData(data);
    Teardown(fo, h);
}

static PFLT_CALLBACK_DATA g_passed;
static FLT_PREOP_CALLBACK_STATUS PerformPassed(TF *tf, PFLT_CALLBACK_DATA d, PCFLT_RELATED_OBJECTS o, PVOID *c)
{
    (void)tf; (void)o; (void)c;
    if (d->Iopb->MajorFunction == IRP_MJ_QUERY_INFORMATION && g_passed == NULL) {
        g_passed = d;
        FltPerformSynchronousIo(d);     /* not the filter's to perform */
        FltFreeCallbackData(d);         /* nor to free */
    }
    return FLT_PREOP_SUCCESS_NO_CALLBACK;
}

/* The caller's side of the contract: each a violation naming the routine. */
static void test_contract_violations(void)
{
    PFILE_OBJECT fo = NULL;
    HANDLE h = NULL;
    int v = Setup(&fo, &h);
    PFLT_INSTANCE b = g_tf[1].Instance[v];
    PFLT_CALLBACK_DATA data = NULL;

    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    CHECK(!NT_SUCCESS(FltAllocateCallbackData(b, fo, &data)));
    KeLowerIrql(old);
    CHECK_VIOLATION("FltAllocateCallbackData");
    CHECK(data == NULL);

    CHECK_EQ(FltAllocateCallbackData(NULL, fo, &data), STATUS_INVALID_PARAMETER);
    CHECK_VIOLATION("Instance is required and must be an instance");

    /* Only IRP-based operations can be initiated. */
    CHECK_EQ(FltAllocateCallbackData(b, fo, &data), STATUS_SUCCESS);
    data->Iopb->MajorFunction = IRP_MJ_NETWORK_QUERY_OPEN;
    FltPerformSynchronousIo(data);
    CHECK_VIOLATION("FltPerformSynchronousIo: major function 0xf2 is not an IRP-based operation");
    CHECK_EQ(data->IoStatus.Status, STATUS_INVALID_PARAMETER);
    FltFreeCallbackData(data);

    /* Performed twice without FltReuseCallbackData. */
    CHECK_EQ(FltAllocateCallbackData(b, fo, &data), STATUS_SUCCESS);
    FILE_STANDARD_INFORMATION info;
    data->Iopb->MajorFunction = IRP_MJ_QUERY_INFORMATION;
    data->Iopb->Parameters.QueryFileInformation.Length = sizeof(info);
    data->Iopb->Parameters.QueryFileInformation.FileInformationClass = FileStandardInformation;
    data->Iopb->Parameters.QueryFileInformation.InfoBuffer = &info;
    FltPerformSynchronousIo(data);
    CHECK_EQ(data->IoStatus.Status, STATUS_SUCCESS);
    FltPerformSynchronousIo(data);
    CHECK_VIOLATION("performed again without FltReuseCallbackData");
    CHECK_EQ(g_seenCount[2], 1);

    /* Freed twice. */
    FltFreeCallbackData(data);
    FltFreeCallbackData(data);
    CHECK_VIOLATION("FltFreeCallbackData");

    /* A callback data the filter manager passed to a callback is not the filter's. */
    g_passed = NULL;
    g_tf[2].Pre = PerformPassed;
    FILE_STANDARD_INFORMATION info2;
    CHECK_EQ(FltQueryInformationFile(g_tf[0].Instance[v], fo, &info2, sizeof(info2), FileStandardInformation, NULL), STATUS_SUCCESS);
    g_tf[2].Pre = SeeQuery;
    CHECK(g_passed != NULL);
    CHECK_VIOLATION("FltPerformSynchronousIo");
    CHECK_VIOLATION("FltFreeCallbackData");
    Teardown(fo, h);
}

/* One never freed is pool the filter manager reports at unload. */
static void test_unfreed_callback_data_is_a_leak(void)
{
    PFILE_OBJECT fo = NULL;
    HANDLE h = NULL;
    int v = Setup(&fo, &h);
    PFLT_CALLBACK_DATA data = NULL;
    CHECK_EQ(FltAllocateCallbackData(g_tf[1].Instance[v], fo, &data), STATUS_SUCCESS);
    Teardown(fo, h);
    EmuCheckLeaks();
    CHECK_VIOLATION("tag 'FMcd' (allocated by FltAllocateCallbackData)");
}

/* fltmgr.sys's exports only; what the emulator does not implement is NULL, as an unknown name is on Windows. */
static void test_flt_get_routine_address(void)
{
    CHECK(FltGetRoutineAddress("FltPerformSynchronousIo") == (PVOID)FltPerformSynchronousIo);
    CHECK(FltGetRoutineAddress("FltRegisterFilter") == (PVOID)FltRegisterFilter);   /* not the binary image's wrapper */
    CHECK(FltGetRoutineAddress("FltQueryDirectoryFile") == NULL);                  /* not emulated */
    CHECK(FltGetRoutineAddress("FltNoSuchRoutine") == NULL);
    CHECK(FltGetRoutineAddress("KeSetEvent") == NULL);                             /* ntoskrnl's: MmGetSystemRoutineAddress */
    UNICODE_STRING mm;
    RtlInitUnicodeString(&mm, L"FltPerformSynchronousIo");
    CHECK(MmGetSystemRoutineAddress(&mm) == NULL);                                 /* and fltmgr's are not the kernel's */
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    CHECK(FltGetRoutineAddress("FltFreeCallbackData") == (PVOID)FltFreeCallbackData);   /* <= DISPATCH_LEVEL */
    KeLowerIrql(old);
    CHECK(FltGetRoutineAddress(NULL) == NULL);
    CHECK_VIOLATION("FltGetRoutineAddress(NULL)");
}

/* Grows (contents kept, the filter manager's buffer replaced), never shrinks; a name control the
 * filter manager did not hand out, or one whose buffer the provider replaced, is a violation. */
static void test_check_and_grow_name_control(void)
{
    PFLT_NAME_CONTROL c = EmuNameControlNew(8);
    CHECK(c != NULL && c->Name.MaximumLength == 8 && c->Name.Length == 0);
    memcpy(c->Name.Buffer, L"\\ab", 6);
    c->Name.Length = 6;
    PWCH before = c->Name.Buffer;
    CHECK_EQ(FltCheckAndGrowNameControl(c, 8), STATUS_SUCCESS);
    CHECK(c->Name.Buffer == before);
    CHECK_EQ(FltCheckAndGrowNameControl(c, 4), STATUS_SUCCESS);
    CHECK(c->Name.Buffer == before && c->Name.MaximumLength == 8);
    CHECK_EQ(FltCheckAndGrowNameControl(c, 200), STATUS_SUCCESS);
    CHECK(c->Name.MaximumLength >= 200 && c->Name.Length == 6);
    CHECK(memcmp(c->Name.Buffer, L"\\ab", 6) == 0);
    WCHAR mine[4];
    PWCH fm = c->Name.Buffer;
    c->Name.Buffer = mine;
    CHECK_EQ(FltCheckAndGrowNameControl(c, 400), STATUS_INVALID_PARAMETER);
    CHECK_VIOLATION("Name.Buffer was replaced by the name provider");
    c->Name.Buffer = fm;
    EmuNameControlFree(c);
    FLT_NAME_CONTROL own = { { 0, 0, NULL } };
    CHECK_EQ(FltCheckAndGrowNameControl(&own, 10), STATUS_INVALID_PARAMETER);
    CHECK_VIOLATION("not a FLT_NAME_CONTROL the filter manager passed");
}

/* ntintsafe.h (NameChanger's sizes): the sum or difference, or STATUS_INTEGER_OVERFLOW and the error value. */
static void test_ntintsafe(void)
{
    ULONG r = 0;
    CHECK_EQ(RtlULongAdd(0xfffffff0u, 0x0f, &r), STATUS_SUCCESS);
    CHECK_EQ(r, 0xffffffffu);
    r = 7;
    CHECK_EQ(RtlULongAdd(0xfffffff0u, 0x10, &r), STATUS_INTEGER_OVERFLOW);
    CHECK_EQ(r, ULONG_ERROR);
    CHECK_EQ(RtlULongSub(5, 3, &r), STATUS_SUCCESS);
    CHECK_EQ(r, 2);
    CHECK_EQ(RtlULongSub(3, 5, &r), STATUS_INTEGER_OVERFLOW);
    CHECK_EQ(r, ULONG_ERROR);
    CHECK_EQ(RtlULongMult(0x10000, 0x10000, &r), STATUS_INTEGER_OVERFLOW);
    USHORT u = 0;
    CHECK_EQ(RtlUShortAdd(0xfff0, 0x10, &u), STATUS_INTEGER_OVERFLOW);
    CHECK_EQ(u, USHORT_ERROR);
    SIZE_T z = 0;
    CHECK_EQ(RtlSizeTAdd(SIZE_T_ERROR, 1, &z), STATUS_INTEGER_OVERFLOW);
    CHECK_EQ(RtlSizeTSub(10, 4, &z), STATUS_SUCCESS);
    CHECK_EQ(z, 6);
}

const TEST_CASE g_generatedIoTests[] = {
    { "ntintsafe", test_ntintsafe },
    { "perform_goes_below_the_initiating_instance_only", test_perform_goes_below_the_initiating_instance_only },
    { "perform_from_the_bottom_reaches_the_file_system", test_perform_from_the_bottom_reaches_the_file_system },
    { "generated_io_contract_violations", test_contract_violations },
    { "unfreed_callback_data_is_a_leak", test_unfreed_callback_data_is_a_leak },
    { "flt_get_routine_address", test_flt_get_routine_address },
    { "check_and_grow_name_control", test_check_and_grow_name_control },
};
const size_t g_generatedIoTestsCount = sizeof(g_generatedIoTests) / sizeof(g_generatedIoTests[0]);
