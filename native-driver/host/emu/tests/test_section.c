/*
 * test_section.c - data-scan sections and views (FltRegisterForDataScan,
 * FltCreateSectionForDataScan, FltCloseSectionForDataScan, ZwOpenProcess,
 * ZwMapViewOfSection, ZwUnmapViewOfSection, ZwClose/NtClose of their
 * handles), ECP lookups on creates, FltCancellableWaitForSingleObject,
 * GetExceptionInformation/FsRtlIsNtstatusExpected: what avscan needs.
 */
#include <stddef.h>
#include <string.h>
#include "test_filters.h"
#include <ntdddisk.h>

static const FLT_CONTEXT_REGISTRATION g_secReg[] = {
    { FLT_SECTION_CONTEXT, 0, NULL, 16, 'cSvA', NULL, NULL, NULL },
    { FLT_CONTEXT_END, 0, NULL, 0, 0, NULL, NULL, NULL }
};

typedef enum { SCAN_NONE, SCAN_FULL, SCAN_LEAK_SECTION, SCAN_LEAK_VIEW, SCAN_LEAK_HANDLE, SCAN_LEAK_OBJECT, SCAN_MISUSE,
               SCAN_USER_HANDLE } SCAN_MODE;
static SCAN_MODE g_mode;
static int g_register = 1;
static NTSTATUS g_createStatus, g_mapStatus, g_closeStatus, g_secondClose;
static char g_seen[64];
static SIZE_T g_viewSize;
static LONGLONG g_fileSize;
static int g_zeroPastEnd;

static NTSTATUS ScanSetup(TF *tf, PCFLT_RELATED_OBJECTS o, DEVICE_TYPE t)
{
    (void)tf; (void)t;
    return g_register ? FltRegisterForDataScan(o->Instance) : STATUS_SUCCESS;
}

/* What avscan's kernel-mode scan does at pre-cleanup (scan.c: AvScanInKernel, AvMapSectionAndScan). */
static void Scan(PCFLT_RELATED_OBJECTS o)
{
    PFLT_CONTEXT ctx = NULL;
    CHECK_EQ(FltAllocateContext(o->Filter, FLT_SECTION_CONTEXT, 16, PagedPool, &ctx), STATUS_SUCCESS);
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, NULL, OBJ_KERNEL_HANDLE, NULL, NULL);
    HANDLE section = NULL;
    PVOID object = NULL;
    LARGE_INTEGER fileSize = { 0 };
    g_createStatus = FltCreateSectionForDataScan(o->Instance, o->FileObject, ctx, SECTION_MAP_READ,
                                                 g_mode == SCAN_USER_HANDLE ? NULL : &oa, NULL, PAGE_READONLY, SEC_COMMIT, 0,
                                                 &section, &object, &fileSize);
    if (!NT_SUCCESS(g_createStatus)) {
        FltReleaseContext(ctx);
        return;
    }
    g_fileSize = fileSize.QuadPart;
    if (g_mode == SCAN_MISUSE) {
        PFLT_CONTEXT other = NULL;
        /* The same context for a second section while the first is open. */
        HANDLE h2;
        PVOID o2;
        CHECK_EQ(FltCreateSectionForDataScan(o->Instance, o->FileObject, ctx, SECTION_MAP_READ, &oa, NULL, PAGE_READONLY, SEC_COMMIT, 0,
                                             &h2, &o2, NULL), STATUS_INVALID_PARAMETER);
        CHECK_VIOLATION("already has an open section");
        /* Not a section context. */
        CHECK_EQ(FltAllocateContext(o->Filter, FLT_SECTION_CONTEXT, 16, PagedPool, &other), STATUS_SUCCESS);
        CHECK_EQ(FltCloseSectionForDataScan(other), STATUS_INVALID_PARAMETER);   /* never given to FltCreateSectionForDataScan */
        FltReleaseContext(other);
        /* A read-write view of a read-only section. */
        PVOID base = NULL;
        SIZE_T size = 0;
        CHECK_EQ(ZwMapViewOfSection(section, NtCurrentProcess(), &base, 0, 0, NULL, &size, ViewUnmap, 0, PAGE_READWRITE),
                 STATUS_SECTION_PROTECTION);
        /* NtClose of a kernel handle: PreviousMode user, the handle is not closed (and nothing is reported). */
        CHECK_EQ(NtClose(section), STATUS_INVALID_HANDLE);
        /* Unmapping what is not a view. */
        CHECK_EQ(ZwUnmapViewOfSection(NtCurrentProcess(), g_seen), STATUS_NOT_MAPPED_VIEW);
        CHECK_VIOLATION("ZwUnmapViewOfSection");
    }
    HANDLE process = NULL;
    CLIENT_ID cid = { PsGetCurrentProcessId(), PsGetCurrentThreadId() };
    OBJECT_ATTRIBUTES poa;
    InitializeObjectAttributes(&poa, NULL, OBJ_KERNEL_HANDLE, NULL, NULL);
    CHECK_EQ(ZwOpenProcess(&process, PROCESS_ALL_ACCESS, &poa, &cid), STATUS_SUCCESS);
    PVOID base = NULL;
    SIZE_T size = 0;
    g_mapStatus = ZwMapViewOfSection(section, process, &base, 0, 0, NULL, &size, ViewUnmap, 0, PAGE_READONLY);
    if (NT_SUCCESS(g_mapStatus)) {
        g_viewSize = size;
        size_t n = (size_t)(fileSize.QuadPart < (LONGLONG)sizeof(g_seen) - 1 ? fileSize.QuadPart : (LONGLONG)sizeof(g_seen) - 1);
        memcpy(g_seen, base, n);
        g_seen[n] = 0;
        g_zeroPastEnd = 1;
        for (SIZE_T i = (SIZE_T)fileSize.QuadPart; i < size; i++) {
            g_zeroPastEnd &= ((char *)base)[i] == 0;
        }
        if (g_mode != SCAN_LEAK_VIEW) {
            CHECK_EQ(ZwUnmapViewOfSection(process, base), STATUS_SUCCESS);
        }
    }
    CHECK_EQ(ZwClose(process), STATUS_SUCCESS);
    if (g_mode != SCAN_LEAK_OBJECT) {
        ObDereferenceObject(object);
    }
    if (g_mode != SCAN_LEAK_HANDLE) {
        CHECK_EQ(g_mode == SCAN_USER_HANDLE ? NtClose(section) : ZwClose(section), STATUS_SUCCESS);
    }
    if (g_mode != SCAN_LEAK_SECTION) {
        g_closeStatus = FltCloseSectionForDataScan(ctx);
        g_secondClose = FltCloseSectionForDataScan(ctx);
    }
    FltReleaseContext(ctx);
}

static FLT_PREOP_CALLBACK_STATUS PreScan(TF *tf, PFLT_CALLBACK_DATA d, PCFLT_RELATED_OBJECTS o, PVOID *c)
{
    (void)tf; (void)c;
    if (d->Iopb->MajorFunction == IRP_MJ_CLEANUP && g_mode != SCAN_NONE) {
        Scan(o);
    }
    return FLT_PREOP_SUCCESS_NO_CALLBACK;
}

static int StartScanner(void)
{
    g_tf[0].Contexts = g_secReg;
    g_tf[0].Setup = ScanSetup;
    TfStart(0, "320000", PreScan, NULL);
    int v = EmuCreateVolume("\\Device\\HarddiskVolume1", 4, 0);
    memset(g_seen, 0, sizeof(g_seen));
    g_createStatus = g_mapStatus = g_closeStatus = g_secondClose = -1;
    return v;
}

static void StopScanner(void)
{
    TfUnload(&g_tf[0]);
    g_tf[0].Contexts = NULL;
    g_tf[0].Setup = NULL;
    g_mode = SCAN_NONE;
    g_register = 1;
}

static void OpenClose(int v, const char *path, uint32_t access)
{
    NTSTATUS s;
    uint64_t h = TOpen(v, path, access, FILE_OPEN, &s, NULL);
    CHECK_EQ(s, STATUS_SUCCESS);
    EmuFileClose(h);
}

static void test_data_scan_view_bytes(void)
{
    int v = StartScanner();
    TPut(v, "\\eicar.txt", "some bytes to scan");
    g_mode = SCAN_FULL;
    OpenClose(v, "\\eicar.txt", GENERIC_READ);
    CHECK_EQ(g_createStatus, STATUS_SUCCESS);
    CHECK_EQ(g_fileSize, 18);
    CHECK_EQ(g_mapStatus, STATUS_SUCCESS);
    CHECK(strcmp(g_seen, "some bytes to scan") == 0);
    CHECK_EQ(g_viewSize, PAGE_SIZE);                /* whole pages, */
    CHECK(g_zeroPastEnd);                           /* zero past the end of file */
    CHECK_EQ(g_closeStatus, STATUS_SUCCESS);
    CHECK_EQ(g_secondClose, STATUS_NOT_FOUND);      /* documented: the section context was already closed */
    /* The view is the file's data at map time: a rewritten file shows its new bytes. */
    TPut(v, "\\eicar.txt", "other");
    OpenClose(v, "\\eicar.txt", GENERIC_READ);
    CHECK(strcmp(g_seen, "other") == 0);
    /* An empty file has nothing to map. */
    TPut(v, "\\empty.txt", "");
    OpenClose(v, "\\empty.txt", GENERIC_READ);
    CHECK_EQ(g_createStatus, STATUS_END_OF_FILE);
    StopScanner();
    CHECK_EQ(EmuViolationCount(), 0);
}

static void test_data_scan_user_handle(void)
{
    int v = StartScanner();
    TPut(v, "\\u.txt", "user view");
    g_mode = SCAN_USER_HANDLE;                      /* no OBJ_KERNEL_HANDLE: a handle of the current process */
    OpenClose(v, "\\u.txt", GENERIC_READ);
    CHECK_EQ(g_createStatus, STATUS_SUCCESS);
    CHECK(strcmp(g_seen, "user view") == 0);
    CHECK_EQ(g_closeStatus, STATUS_SUCCESS);
    StopScanner();
    CHECK_EQ(EmuViolationCount(), 0);
}

static void test_data_scan_conflict_and_registration(void)
{
    int v = StartScanner();
    TPut(v, "\\w.txt", "written elsewhere");
    NTSTATUS s;
    uint64_t writer = TOpen(v, "\\w.txt", GENERIC_WRITE, FILE_OPEN, &s, NULL);     /* another file object with write access */
    CHECK_EQ(s, STATUS_SUCCESS);
    g_mode = SCAN_FULL;
    OpenClose(v, "\\w.txt", GENERIC_READ);
    CHECK_EQ(g_createStatus, STATUS_FILE_LOCK_CONFLICT);
    g_mode = SCAN_NONE;
    EmuFileClose(writer);
    g_mode = SCAN_FULL;
    OpenClose(v, "\\w.txt", GENERIC_READ | GENERIC_WRITE);     /* its own write access is no conflict */
    CHECK_EQ(g_createStatus, STATUS_SUCCESS);
    StopScanner();
    CHECK_EQ(EmuViolationCount(), 0);

    /* Without FltRegisterForDataScan on the instance. */
    g_register = 0;
    v = StartScanner();
    TPut(v, "\\x.txt", "x");
    g_mode = SCAN_FULL;
    OpenClose(v, "\\x.txt", GENERIC_READ);
    CHECK_EQ(g_createStatus, STATUS_NOT_SUPPORTED);
    CHECK_VIOLATION("did not call FltRegisterForDataScan first");
    StopScanner();
}

static void test_data_scan_misuse(void)
{
    int v = StartScanner();
    TPut(v, "\\m.txt", "misuse");
    g_mode = SCAN_MISUSE;
    OpenClose(v, "\\m.txt", GENERIC_READ);
    CHECK_EQ(g_createStatus, STATUS_SUCCESS);
    CHECK_EQ(g_closeStatus, STATUS_SUCCESS);
    StopScanner();
}

static void test_data_scan_leaks(void)
{
    static const struct { SCAN_MODE Mode; const char *Text; } cases[] = {
        { SCAN_LEAK_SECTION, "section leak: the section for a data scan of" },
        { SCAN_LEAK_VIEW, "view leak: a view of the section for a data scan" },
        { SCAN_LEAK_HANDLE, "handle leak: a kernel handle to the section for a data scan" },
        { SCAN_LEAK_OBJECT, "unbalanced references: section for a data scan" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int v = StartScanner();
        TPut(v, "\\l.txt", "leaky");
        g_mode = cases[i].Mode;
        OpenClose(v, "\\l.txt", GENERIC_READ);
        CHECK_EQ(g_createStatus, STATUS_SUCCESS);
        StopScanner();
        CHECK_VIOLATION(cases[i].Text);
    }
}

static void test_zw_open_process(void)
{
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, NULL, OBJ_KERNEL_HANDLE, NULL, NULL);
    HANDLE h = NULL;
    CLIENT_ID bad = { (HANDLE)(ULONG_PTR)987654, NULL };
    CHECK_EQ(ZwOpenProcess(&h, PROCESS_ALL_ACCESS, &oa, &bad), STATUS_INVALID_CID);
    CLIENT_ID me = { PsGetCurrentProcessId(), NULL };
    CHECK_EQ(ZwOpenProcess(&h, PROCESS_ALL_ACCESS, &oa, &me), STATUS_SUCCESS);
    CHECK(h != NULL);
    CHECK_EQ(NtClose(h), STATUS_INVALID_HANDLE);        /* a kernel handle, seen from user mode */
    CHECK_EQ(ZwClose(h), STATUS_SUCCESS);
    ZwClose(h);
    CHECK_VIOLATION("ZwClose(");
    CHECK_EQ(ZwOpenProcess(&h, PROCESS_ALL_ACCESS, &oa, &me), STATUS_SUCCESS);
    EmuSetIrql(APC_LEVEL);
    HANDLE h2;
    ZwOpenProcess(&h2, PROCESS_ALL_ACCESS, &oa, &me);
    CHECK_VIOLATION("ZwOpenProcess called at APC_LEVEL");
    EmuSetIrql(PASSIVE_LEVEL);
    TfStart(0, "320000", NULL, NULL);
    TfUnload(&g_tf[0]);                                 /* the last filter goes: the handle never closed is a leak */
    CHECK_VIOLATION("handle leak: a handle to process");
}

static NTSTATUS g_ecpStatus;
static PECP_LIST g_ecpList = (PECP_LIST)1;

static FLT_PREOP_CALLBACK_STATUS PreEcp(TF *tf, PFLT_CALLBACK_DATA d, PCFLT_RELATED_OBJECTS o, PVOID *c)
{
    (void)tf; (void)c;
    if (d->Iopb->MajorFunction == IRP_MJ_CREATE) {
        g_ecpStatus = FltGetEcpListFromCallbackData(o->Filter, d, &g_ecpList);
    } else if (d->Iopb->MajorFunction == IRP_MJ_READ) {
        PECP_LIST l;
        FltGetEcpListFromCallbackData(o->Filter, d, &l);
        CHECK_VIOLATION("only creates carry ECP lists");
        PVOID ctx = (PVOID)1;
        CHECK_EQ(FltFindExtraCreateParameter(o->Filter, (PECP_LIST)g_seen, &GUID_ECP_PREFETCH_OPEN, &ctx, NULL), STATUS_NOT_FOUND);
        CHECK(ctx == NULL);
        CHECK_VIOLATION("FltFindExtraCreateParameter(list");
        CHECK(!FltIsEcpFromUserMode(o->Filter, g_seen));
        CHECK_VIOLATION("FltIsEcpFromUserMode(");
    }
    return FLT_PREOP_SUCCESS_NO_CALLBACK;
}

static void test_ecp_list_of_a_create(void)
{
    TfStart(0, "320000", PreEcp, NULL);
    int v = EmuCreateVolume("\\Device\\HarddiskVolume1", 4, 0);
    TPut(v, "\\e.txt", "ecp");
    NTSTATUS s;
    uint64_t h = TOpen(v, "\\e.txt", GENERIC_READ, FILE_OPEN, &s, NULL);
    CHECK_EQ(g_ecpStatus, STATUS_SUCCESS);
    CHECK(g_ecpList == NULL);                          /* the emulated I/O manager attaches no ECP list */
    char b[4];
    uint32_t n;
    EmuFileRead(h, 0, b, 3, &n);
    EmuFileClose(h);
    TfUnload(&g_tf[0]);
    /* The prefetcher's GUID as ntifs.h has it. */
    CHECK(GUID_ECP_PREFETCH_OPEN.Data1 == 0xe1777b21 && GUID_ECP_PREFETCH_OPEN.Data2 == 0x847e && GUID_ECP_PREFETCH_OPEN.Data4[7] == 0x55);
    /* The CSV names avscan's csvfs.c uses, as ntifs.h and ntdddisk.h have them (DISK_CLUSTER_INFO is not in the
     * generated layout table: its probe includes fltKernel.h only). */
    CHECK(GUID_ECP_CSV_QUERY_FILE_REVISION.Data1 == 0x44aec90b && GUID_ECP_CSV_DOWN_LEVEL_OPEN.Data1 == 0x4248be44);
    CHECK_EQ(IOCTL_DISK_GET_CLUSTER_INFO, 0x00070214);
    CHECK(sizeof(DISK_CLUSTER_INFO) == 32 && offsetof(DISK_CLUSTER_INFO, Flags) == 8 && offsetof(DISK_CLUSTER_INFO, FlagsMask) == 16 &&
          offsetof(DISK_CLUSTER_INFO, Notify) == 24);
}

static NTSTATUS g_waitStatus[2];

static FLT_PREOP_CALLBACK_STATUS PreWait(TF *tf, PFLT_CALLBACK_DATA d, PCFLT_RELATED_OBJECTS o, PVOID *c)
{
    (void)tf; (void)o; (void)c;
    if (d->Iopb->MajorFunction == IRP_MJ_CREATE) {
        KEVENT e;
        KeInitializeEvent(&e, NotificationEvent, FALSE);
        LARGE_INTEGER t = { .QuadPart = -10000 };       /* 1 ms */
        g_waitStatus[0] = FltCancellableWaitForSingleObject(&e, &t, d);
        KeSetEvent(&e, 0, FALSE);
        g_waitStatus[1] = FltCancellableWaitForSingleObject(&e, &t, d);
    }
    return FLT_PREOP_SUCCESS_NO_CALLBACK;
}

static void test_cancellable_wait(void)
{
    TfStart(0, "320000", PreWait, NULL);
    int v = EmuCreateVolume("\\Device\\HarddiskVolume1", 4, 0);
    TPut(v, "\\w.txt", "w");
    NTSTATUS s;
    EmuFileClose(TOpen(v, "\\w.txt", GENERIC_READ, FILE_OPEN, &s, NULL));
    CHECK_EQ(g_waitStatus[0], STATUS_TIMEOUT);
    CHECK_EQ(g_waitStatus[1], STATUS_SUCCESS);
    TfUnload(&g_tf[0]);
    KEVENT e;
    KeInitializeEvent(&e, NotificationEvent, TRUE);
    EmuSetIrql(APC_LEVEL);
    CHECK_EQ(FltCancellableWaitForSingleObject(&e, NULL, NULL), STATUS_SUCCESS);   /* no callback data: APC_LEVEL is allowed */
    EmuSetIrql(DISPATCH_LEVEL);
    FltCancellableWaitForSingleObject(&e, NULL, NULL);
    CHECK_VIOLATION("FltCancellableWaitForSingleObject called at DISPATCH_LEVEL");
    EmuSetIrql(PASSIVE_LEVEL);
}

static LONG Filter(PEXCEPTION_POINTERS p, NTSTATUS *seen)
{
    *seen = p->ExceptionRecord->ExceptionCode;
    return FsRtlIsNtstatusExpected(*seen) ? EXCEPTION_EXECUTE_HANDLER : EXCEPTION_CONTINUE_SEARCH;
}

static void test_exception_information(void)
{
    NTSTATUS seen = 0;
    volatile int handled = 0;
    __try {
        ExRaiseStatus(STATUS_INVALID_USER_BUFFER);
    } __except (Filter(GetExceptionInformation(), &seen)) {
        handled = 1;
    }
    CHECK(handled);
    CHECK_EQ(seen, STATUS_INVALID_USER_BUFFER);
    volatile int outer = 0;
    __try {
        __try {
            ExRaiseStatus(STATUS_ACCESS_VIOLATION);     /* not "expected": the inner filter passes it on */
        } __except (Filter(GetExceptionInformation(), &seen)) {
            handled = 2;
        }
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        outer = 1;
    }
    CHECK(outer && handled == 1);
    CHECK_EQ(seen, STATUS_ACCESS_VIOLATION);
    CHECK(!FsRtlIsNtstatusExpected(STATUS_DATATYPE_MISALIGNMENT) && FsRtlIsNtstatusExpected(STATUS_END_OF_FILE));
}

const TEST_CASE g_sectionTests[] = {
    { "section: a data-scan section's view holds the file's bytes at map time, page-rounded, zero past the end", test_data_scan_view_bytes },
    { "section: without OBJ_KERNEL_HANDLE the handle is the current process's (NtClose closes it)", test_data_scan_user_handle },
    { "section: another writer is a STATUS_FILE_LOCK_CONFLICT; no FltRegisterForDataScan is STATUS_NOT_SUPPORTED and reported", test_data_scan_conflict_and_registration },
    { "section: a second section on one context, a read-write view of a read-only section, NtClose of a kernel handle", test_data_scan_misuse },
    { "section: unclosed section, unmapped view, unclosed handle, undereferenced object are leaks at unload", test_data_scan_leaks },
    { "section: ZwOpenProcess by client id; ZwClose/NtClose of its handle; IRQL", test_zw_open_process },
    { "ecp: a create carries no ECP list; lookups of lists/contexts the emulator never gave are reported", test_ecp_list_of_a_create },
    { "wait: FltCancellableWaitForSingleObject times out or ends when signalled; IRQL by callback data", test_cancellable_wait },
    { "seh: GetExceptionInformation carries the status; FsRtlIsNtstatusExpected", test_exception_information },
};
const size_t g_sectionTestsCount = sizeof(g_sectionTests) / sizeof(g_sectionTests[0]);
