/* FltCancelFileOpen, file names, contexts. */
#include "test_filters.h"

static FLT_POSTOP_CALLBACK_STATUS PostCancel(TF *tf, PFLT_CALLBACK_DATA d, PCFLT_RELATED_OBJECTS o, PVOID c, FLT_POST_OPERATION_FLAGS f)
{
    (void)tf; (void)c; (void)f;
    if (d->Iopb->MajorFunction == IRP_MJ_CREATE && NT_SUCCESS(d->IoStatus.Status)) {
        FltCancelFileOpen(o->Instance, o->FileObject);
        d->IoStatus.Status = STATUS_ACCESS_DENIED;
        d->IoStatus.Information = 0;
    }
    return FLT_POSTOP_FINISHED_PROCESSING;
}

static void test_cancel_file_open(void)
{
    TfStart(0, "200000", NULL, NULL);
    TfStart(1, "300000", NULL, PostCancel);
    TfStart(2, "400000", NULL, NULL);
    int v = EmuCreateVolume("\\Device\\HarddiskVolume1", 4, 0);
    NTSTATUS s;
    uint64_t info = 7;
    g_log[0] = 0;
    uint64_t h = TOpen(v, "\\new.txt", GENERIC_WRITE, FILE_CREATE, &s, &info);
    CHECK_EQ(s, STATUS_ACCESS_DENIED);
    CHECK_EQ(info, 0);
    CHECK_EQ(h, 0);
    /* A (below B) and the file system see the cleanup and close; C sees the failed create */
    CHECK(strcmp(g_log, "C>create B>create A>create A<create B<create A>cleanup A<cleanup A>close A<close C<create ") == 0);
    CHECK_EQ(g_tf[2].LastPostStatus, STATUS_ACCESS_DENIED);
    CHECK_EQ(EmuFsExists(v, "\\new.txt"), 1);              /* the create is not undone */
    TPut(v, "\\old.txt", "precious");
    TOpen(v, "\\old.txt", GENERIC_WRITE, FILE_OVERWRITE, &s, &info);
    CHECK_EQ(s, STATUS_ACCESS_DENIED);
    CHECK_EQ(EmuFsRead(v, "\\old.txt", NULL, 0), 0);       /* nor the truncation */
    /* the file is closed: it can be opened exclusively again */
    g_tf[1].Post = NULL;
    uint64_t h2 = 0;
    CHECK_EQ(EmuFileOpen(v, "\\old.txt", GENERIC_READ, 0, FILE_OPEN, 0, 0, &h2, &info), 0);
    EmuFileClose(h2);
}

static FLT_POSTOP_CALLBACK_STATUS PostCancelLate(TF *tf, PFLT_CALLBACK_DATA d, PCFLT_RELATED_OBJECTS o, PVOID c, FLT_POST_OPERATION_FLAGS f)
{
    (void)tf; (void)c; (void)f;
    if (d->Iopb->MajorFunction == IRP_MJ_READ) {
        FltCancelFileOpen(o->Instance, o->FileObject);
    }
    if (d->Iopb->MajorFunction == IRP_MJ_CREATE && (d->Iopb->Parameters.Create.Options >> 24) == FILE_OPEN_IF) {
        d->IoStatus.Status = STATUS_ACCESS_DENIED;      /* fails the create without FltCancelFileOpen */
        d->IoStatus.Information = 0;
    }
    return FLT_POSTOP_FINISHED_PROCESSING;
}

static void test_cancel_misuse(void)
{
    TfStart(0, "300000", NULL, PostCancelLate);
    int v = EmuCreateVolume("\\Device\\HarddiskVolume1", 4, 0);
    TPut(v, "\\f.txt", "abc");
    NTSTATUS s;
    uint64_t h = TOpen(v, "\\f.txt", GENERIC_READ, FILE_OPEN, &s, NULL);
    char b[4];
    uint32_t n;
    CHECK_EQ(EmuFileRead(h, 0, b, 3, &n), 0);
    CHECK_VIOLATION("after its handle was created");
    EmuFileClose(h);
    TOpen(v, "\\f.txt", GENERIC_READ, FILE_OPEN_IF, &s, NULL);
    CHECK_EQ(s, STATUS_ACCESS_DENIED);
    CHECK_VIOLATION("without FltCancelFileOpen");
}

static PFLT_FILE_NAME_INFORMATION g_name;
static FLT_PREOP_CALLBACK_STATUS PreName(TF *tf, PFLT_CALLBACK_DATA d, PCFLT_RELATED_OBJECTS o, PVOID *c)
{
    (void)tf; (void)o; (void)c;
    if (d->Iopb->MajorFunction == IRP_MJ_CREATE && g_name == NULL) {
        CHECK_EQ(FltGetFileNameInformation(d, FLT_FILE_NAME_NORMALIZED | FLT_FILE_NAME_QUERY_DEFAULT, &g_name), 0);
        CHECK_EQ(FltParseFileNameInformation(g_name), 0);
    }
    return FLT_PREOP_SUCCESS_WITH_CALLBACK;
}

static int UEq(PCUNICODE_STRING u, PCWSTR s)
{
    UNICODE_STRING t;
    RtlInitUnicodeString(&t, s);
    return RtlEqualUnicodeString(u, &t, FALSE);
}

static void test_file_names(void)
{
    TfStart(0, "300000", PreName, NULL);
    int v = EmuCreateVolume("\\Device\\HarddiskVolume1", 4, 0);
    EmuFsPut(v, "\\Users", NULL, 0, 1);
    TPut(v, "\\Users\\Report.Final.docx", "x");
    NTSTATUS s;
    uint64_t h = TOpen(v, "\\USERS\\report.final.DOCX", GENERIC_READ, FILE_OPEN, &s, NULL);
    CHECK(g_name != NULL);
    if (g_name != NULL) {
        CHECK(UEq(&g_name->Name, L"\\Device\\HarddiskVolume1\\Users\\Report.Final.docx"));   /* normalized: the case on disk */
        CHECK(UEq(&g_name->Volume, L"\\Device\\HarddiskVolume1"));
        CHECK(UEq(&g_name->ParentDir, L"\\Users\\"));
        CHECK(UEq(&g_name->FinalComponent, L"Report.Final.docx"));
        CHECK(UEq(&g_name->Extension, L"docx"));
        CHECK_EQ(g_name->Stream.Length, 0);
        FltReleaseFileNameInformation(g_name);
        g_name = NULL;
    }
    EmuFileClose(h);
    TfUnload(&g_tf[0]);
}

/* ---- contexts ---- */
typedef struct HCTX { int Value; } HCTX;
static int g_cleanups;
static VOID HandleCtxCleanup(PFLT_CONTEXT c, FLT_CONTEXT_TYPE t)
{
    CHECK_EQ(t, FLT_STREAMHANDLE_CONTEXT);
    CHECK_EQ(((HCTX *)c)->Value, 42);
    g_cleanups++;
}
static const FLT_CONTEXT_REGISTRATION g_ctxReg[] = {
    { FLT_STREAMHANDLE_CONTEXT, 0, HandleCtxCleanup, sizeof(HCTX), 'xtCH', NULL, NULL, NULL },
    { FLT_CONTEXT_END, 0, NULL, 0, 0, NULL, NULL, NULL }
};
static int g_seen;
static int g_leakOne;

static FLT_POSTOP_CALLBACK_STATUS PostCtx(TF *tf, PFLT_CALLBACK_DATA d, PCFLT_RELATED_OBJECTS o, PVOID c, FLT_POST_OPERATION_FLAGS f)
{
    (void)c; (void)f;
    HCTX *ctx = NULL;
    if (d->Iopb->MajorFunction == IRP_MJ_CREATE && NT_SUCCESS(d->IoStatus.Status)) {
        CHECK_EQ(FltAllocateContext(tf->Filter, FLT_STREAMHANDLE_CONTEXT, sizeof(HCTX), NonPagedPoolNx, (PFLT_CONTEXT *)&ctx), 0);
        ctx->Value = 42;
        CHECK_EQ(FltSetStreamHandleContext(o->Instance, o->FileObject, FLT_SET_CONTEXT_KEEP_IF_EXISTS, ctx, NULL), 0);
        if (!g_leakOne) {
            FltReleaseContext(ctx);
        }
    } else if (d->Iopb->MajorFunction == IRP_MJ_READ) {
        if (NT_SUCCESS(FltGetStreamHandleContext(o->Instance, o->FileObject, (PFLT_CONTEXT *)&ctx))) {
            g_seen = ctx->Value;
            FltReleaseContext(ctx);
        }
    }
    return FLT_POSTOP_FINISHED_PROCESSING;
}

static void test_stream_handle_contexts(void)
{
    g_tf[0].Contexts = g_ctxReg;
    TfStart(0, "300000", NULL, PostCtx);
    int v = EmuCreateVolume("\\Device\\HarddiskVolume1", 4, 0);
    TPut(v, "\\f.txt", "abc");
    g_cleanups = 0;
    g_seen = 0;
    g_leakOne = 0;
    NTSTATUS s;
    uint64_t h = TOpen(v, "\\f.txt", GENERIC_READ, FILE_OPEN, &s, NULL);
    char b[4];
    uint32_t n;
    EmuFileRead(h, 0, b, 3, &n);
    CHECK_EQ(g_seen, 42);
    CHECK_EQ(g_cleanups, 0);
    EmuFileClose(h);
    CHECK_EQ(g_cleanups, 1);            /* freed with the file object */
    EmuSetPostOperationIrql(IRP_MJ_READ, DISPATCH_LEVEL);
    h = TOpen(v, "\\f.txt", GENERIC_READ, FILE_OPEN, &s, NULL);
    EmuFileRead(h, 0, b, 3, &n);        /* getting a context at DISPATCH_LEVEL: documented IRQL <= APC_LEVEL */
    CHECK_VIOLATION("FltGetStreamHandleContext called at DISPATCH_LEVEL");
    EmuFileClose(h);
    EmuSetPostOperationIrql(IRP_MJ_READ, PASSIVE_LEVEL);
    g_leakOne = 1;                      /* now one reference is never released */
    h = TOpen(v, "\\f.txt", GENERIC_READ, FILE_OPEN, &s, NULL);
    EmuFileClose(h);
    TfUnload(&g_tf[0]);
    CHECK_VIOLATION("context leak: a stream handle context of filter at altitude 300000 (tag 'HCtx')");
    g_tf[0].Contexts = NULL;
}

const TEST_CASE g_cancelTests[] = {
    { "cancel: FltCancelFileOpen closes below, caller gets the error, create/overwrite stay", test_cancel_file_open },
    { "cancel: after the handle exists, or failing without it, is reported", test_cancel_misuse },
    { "names: normalized name in pre-create, parsed components", test_file_names },
    { "contexts: stream handle context lifetime, cleanup callback, leak named by tag", test_stream_handle_contexts },
};
const size_t g_cancelTestsCount = sizeof(g_cancelTests) / sizeof(g_cancelTests[0]);
