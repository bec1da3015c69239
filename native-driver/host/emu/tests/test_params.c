/* Parameters: dirty vs not dirty, the own-post-sees-original rule, CompletionContext, TargetInstance. */
#include "test_filters.h"

static ULONG g_newLength;
static int g_dirty;

static FLT_PREOP_CALLBACK_STATUS PreShrinkRead(TF *tf, PFLT_CALLBACK_DATA d, PCFLT_RELATED_OBJECTS o, PVOID *c)
{
    (void)tf; (void)o;
    if (d->Iopb->MajorFunction != IRP_MJ_READ) {
        return FLT_PREOP_SUCCESS_WITH_CALLBACK;
    }
    CHECK(!FltIsCallbackDataDirty(d));
    d->Iopb->Parameters.Read.Length = g_newLength;
    if (g_dirty) {
        FltSetCallbackDataDirty(d);
        CHECK(FltIsCallbackDataDirty(d));
    }
    *c = (PVOID)0xC0FFEE;
    return FLT_PREOP_SUCCESS_WITH_CALLBACK;
}

static void test_dirty_parameters(void)
{
    TfStart(0, "200000", NULL, NULL);
    TfStart(1, "300000", PreShrinkRead, NULL);
    TfStart(2, "400000", NULL, NULL);
    int v = EmuCreateVolume("\\Device\\HarddiskVolume1", 4, 0);
    TPut(v, "\\f.txt", "0123456789");
    NTSTATUS s;
    uint64_t h = TOpen(v, "\\f.txt", GENERIC_READ, FILE_OPEN, &s, NULL);
    char b[16];
    uint32_t n;

    g_newLength = 2;
    g_dirty = 0;        /* changed without FltSetCallbackDataDirty: ignored */
    CHECK_EQ(EmuFileRead(h, 0, b, 8, &n), 0);
    CHECK_EQ(n, 8);
    CHECK_EQ(g_tf[0].LastPre.Parameters.Read.Length, 8);

    g_dirty = 1;        /* dirty: the filters below and the file system get it */
    CHECK_EQ(EmuFileRead(h, 0, b, 8, &n), 0);
    CHECK_EQ(n, 2);
    CHECK_EQ(g_tf[0].LastPre.Parameters.Read.Length, 2);
    CHECK_EQ(g_tf[0].LastPost.Parameters.Read.Length, 2);
    CHECK_EQ(g_tf[1].LastPost.Parameters.Read.Length, 8);     /* its own post sees the original */
    CHECK_EQ(g_tf[2].LastPost.Parameters.Read.Length, 8);     /* and so does every filter above */
    CHECK(g_tf[1].LastPostContext == (PVOID)0xC0FFEE);        /* CompletionContext reaches the post */
    CHECK(g_tf[0].LastPostContext == NULL);
    EmuFileClose(h);
}

static FLT_PREOP_CALLBACK_STATUS PreSetThenClear(TF *tf, PFLT_CALLBACK_DATA d, PCFLT_RELATED_OBJECTS o, PVOID *c)
{
    (void)tf; (void)o; (void)c;
    if (d->Iopb->MajorFunction == IRP_MJ_WRITE) {
        d->Iopb->OperationFlags |= SL_WRITE_THROUGH;
        FltSetCallbackDataDirty(d);
        FltClearCallbackDataDirty(d);
        CHECK(!FltIsCallbackDataDirty(d));
    }
    return FLT_PREOP_SUCCESS_WITH_CALLBACK;
}

static void test_clear_dirty_discards(void)
{
    TfStart(0, "200000", NULL, NULL);
    TfStart(1, "300000", PreSetThenClear, NULL);
    int v = EmuCreateVolume("\\Device\\HarddiskVolume1", 4, 0);
    NTSTATUS s;
    uint64_t h = TOpen(v, "\\f.txt", GENERIC_WRITE, FILE_CREATE, &s, NULL);
    CHECK_EQ(EmuFileWrite(h, 0, "x", 1, 0, NULL), 0);
    CHECK_EQ(g_tf[0].LastPre.OperationFlags & SL_WRITE_THROUGH, 0);
    CHECK_EQ(EmuFileWrite(h, 0, "x", 1, EMU_IO_WRITE_THROUGH, NULL), 0);     /* the caller's own flag does arrive */
    CHECK_EQ(g_tf[0].LastPre.OperationFlags & SL_WRITE_THROUGH, SL_WRITE_THROUGH);
    EmuFileClose(h);
}

/* ---- TargetInstance ---- */
typedef struct REDIRECT {
    PFLT_INSTANCE Target;
    PFILE_OBJECT TargetFile;
} REDIRECT;
static REDIRECT g_redirect;

static FLT_PREOP_CALLBACK_STATUS PreRedirect(TF *tf, PFLT_CALLBACK_DATA d, PCFLT_RELATED_OBJECTS o, PVOID *c)
{
    (void)tf; (void)o; (void)c;
    if (d->Iopb->MajorFunction == IRP_MJ_READ || d->Iopb->MajorFunction == IRP_MJ_WRITE) {
        d->Iopb->TargetInstance = g_redirect.Target;
        d->Iopb->TargetFileObject = g_redirect.TargetFile;
        FltSetCallbackDataDirty(d);
    }
    return FLT_PREOP_SUCCESS_WITH_CALLBACK;
}

static HANDLE OpenOn(TF *tf, PFLT_INSTANCE inst, PCWSTR name, PFILE_OBJECT *fo)
{
    UNICODE_STRING u;
    RtlInitUnicodeString(&u, name);
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, &u, OBJ_KERNEL_HANDLE | OBJ_CASE_INSENSITIVE, NULL, NULL);
    IO_STATUS_BLOCK io;
    HANDLE h = NULL;
    NTSTATUS s = FltCreateFileEx2(tf->Filter, inst, &h, fo, GENERIC_READ | GENERIC_WRITE, &oa, &io, NULL, 0,
                                  FILE_SHARE_READ | FILE_SHARE_WRITE, FILE_OPEN_IF, FILE_NON_DIRECTORY_FILE, NULL, 0, 0, NULL);
    CHECK_EQ(s, STATUS_SUCCESS);
    return h;
}

static void test_redirect_to_other_volume(void)
{
    int v1 = EmuCreateVolume("\\Device\\HarddiskVolume1", 4, 0);
    int v2 = EmuCreateVolume("\\Device\\HarddiskVolume2", 6, 0);
    TfStart(0, "200000", NULL, NULL);          /* A: below, on both volumes */
    TfStart(1, "300000", PreRedirect, NULL);   /* B: redirects */
    TfStart(2, "400000", NULL, NULL);          /* C: above */
    TPut(v1, "\\src.txt", "source");
    TPut(v2, "\\dst.txt", "target");
    PFILE_OBJECT fo2 = NULL;
    HANDLE h2 = OpenOn(&g_tf[1], g_tf[1].Instance[v2], L"\\Device\\HarddiskVolume2\\dst.txt", &fo2);
    g_redirect.Target = g_tf[1].Instance[v2];
    g_redirect.TargetFile = fo2;
    NTSTATUS s;
    uint64_t h = TOpen(v1, "\\src.txt", GENERIC_READ | GENERIC_WRITE, FILE_OPEN, &s, NULL);
    g_log[0] = 0;
    char b[8] = {0};
    uint32_t n;
    CHECK_EQ(EmuFileRead(h, 0, b, 6, &n), 0);
    CHECK(memcmp(b, "target", 6) == 0);                   /* served by volume 2's file */
    CHECK(strcmp(g_log, "C>read B>read A>read A<read B<read C<read ") == 0);
    CHECK(g_tf[0].LastPreObjects.Volume == EmuVolumeById(v2));   /* A ran on volume 2 ... */
    CHECK(g_tf[0].LastPreObjects.Instance == g_tf[0].Instance[v2]);
    CHECK(g_tf[0].LastPreObjects.FileObject == fo2);
    CHECK(g_tf[1].LastPostObjects.Instance == g_tf[1].Instance[v1]);    /* B's post: its own instance and file */
    CHECK(g_tf[1].LastPost.TargetFileObject != fo2);
    CHECK_EQ(EmuFileWrite(h, 0, "TARGET", 6, 0, NULL), 0);
    char check[8] = {0};
    EmuFsRead(v2, "\\dst.txt", check, 6);
    CHECK(memcmp(check, "TARGET", 6) == 0);
    EmuFsRead(v1, "\\src.txt", check, 6);
    CHECK(memcmp(check, "source", 6) == 0);
    EmuFileClose(h);
    ObDereferenceObject(fo2);
    FltClose(h2);
    for (int i = 2; i >= 0; i--) {
        TfUnload(&g_tf[i]);
    }
}

static void RedirectCase(PFLT_INSTANCE target, PFILE_OBJECT fo, int v1, const char *expected)
{
    g_redirect.Target = target;
    g_redirect.TargetFile = fo;
    NTSTATUS s;
    uint64_t h = TOpen(v1, "\\src.txt", GENERIC_READ, FILE_OPEN, &s, NULL);
    char b[8];
    uint32_t n;
    CHECK_EQ(EmuFileRead(h, 0, b, 6, &n), STATUS_INVALID_PARAMETER);
    CHECK_VIOLATION(expected);
    EmuFileClose(h);
}

static void test_redirect_rules_enforced(void)
{
    int v1 = EmuCreateVolume("\\Device\\HarddiskVolume1", 4, 0);
    int v2 = EmuCreateVolume("\\Device\\HarddiskVolume2", 6, 0);
    int v3 = EmuCreateVolume("\\Device\\HarddiskVolume3", 2, 0);    /* a shallower stack */
    TfStart(0, "200000", NULL, NULL);
    TfStart(1, "300000", PreRedirect, NULL);
    TPut(v1, "\\src.txt", "source");
    TPut(v2, "\\dst.txt", "target");
    TPut(v3, "\\dst.txt", "target");
    PFILE_OBJECT fo2 = NULL, fo3 = NULL;
    HANDLE h2 = OpenOn(&g_tf[1], g_tf[1].Instance[v2], L"\\Device\\HarddiskVolume2\\dst.txt", &fo2);
    HANDLE h3 = OpenOn(&g_tf[1], g_tf[1].Instance[v3], L"\\Device\\HarddiskVolume3\\dst.txt", &fo3);
    PFLT_INSTANCE b1 = g_tf[1].Instance[v1], b2 = g_tf[1].Instance[v2], b3 = g_tf[1].Instance[v3];
    UNICODE_STRING alt = RTL_CONSTANT_STRING(L"350000");
    PFLT_INSTANCE otherAltV2 = NULL, otherAltV1 = NULL;
    CHECK_EQ(FltAttachVolumeAtAltitude(g_tf[1].Filter, EmuVolumeById(v2), &alt, NULL, &otherAltV2), 0);

    RedirectCase(g_tf[0].Instance[v2], fo2, v1, "instance of another filter");
    RedirectCase(otherAltV2, fo2, v1, "another altitude (350000)");
    RedirectCase(b3, fo3, v1, "StackSize 2 is smaller than 4");
    RedirectCase(b2, fo3, v1, "not a file of the target instance's volume");
    RedirectCase((PFLT_INSTANCE)&alt, fo2, v1, "which is not an instance");
    /* B's second instance on volume 1 (at 350000) now sees the read first; redirecting to its 300000 one is "same volume" */
    CHECK_EQ(FltAttachVolumeAtAltitude(g_tf[1].Filter, EmuVolumeById(v1), &alt, NULL, &otherAltV1), 0);
    RedirectCase(b1, fo2, v1, "on the same volume");

    FltObjectDereference(otherAltV1);
    FltObjectDereference(otherAltV2);
    ObDereferenceObject(fo2);
    ObDereferenceObject(fo3);
    FltClose(h2);
    FltClose(h3);
    TfUnload(&g_tf[1]);
    TfUnload(&g_tf[0]);
}

const TEST_CASE g_paramTests[] = {
    { "params: only dirty changes reach below; own post and above see the original; CompletionContext", test_dirty_parameters },
    { "params: FltClearCallbackDataDirty discards the change", test_clear_dirty_discards },
    { "params: TargetInstance redirects below that altitude on the other volume", test_redirect_to_other_volume },
    { "params: TargetInstance rules (filter, altitude, volume, stack size, file object) caught", test_redirect_rules_enforced },
};
const size_t g_paramTestsCount = sizeof(g_paramTests) / sizeof(g_paramTests[0]);
