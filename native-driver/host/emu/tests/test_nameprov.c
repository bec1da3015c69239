/*
 * Name providers (emu_name.c): a filter's GenerateFileNameCallback answers the
 * name requests of the filters above it, not its own (unless asked with
 * FLT_FILE_NAME_REQUEST_FROM_CURRENT_PROVIDER) nor those of filters below it;
 * inside the callback its own requests are answered from below it.
 *
 * Three filters on one volume: R (requester, 300000) above P (provider,
 * 200000) above B (below, 100000). P maps \a\b to \x\y.
 */
#include "test_filters.h"

enum { ROLE_R, ROLE_P, ROLE_B, ROLES };
static PFLT_FILTER g_f[ROLES];
static DRIVER_OBJECT g_drv[ROLES];
static WCHAR g_normalized[ROLES][128], g_opened[ROLES][128], g_ownProvider[128];
static NTSTATUS g_status[ROLES];
static int g_ask, g_generateCalls, g_recurse, g_replaceBuffer;
static FLT_FILE_NAME_OPTIONS g_lastOptions;
static PFLT_CALLBACK_DATA g_lastData, g_createData;

/* glibc's wcscmp is for 4-byte wchar_t; WCHAR here is UTF-16. */
static int WEq(const WCHAR *a, const WCHAR *b)
{
    while (*a != 0 && *a == *b) { a++; b++; }
    return *a == *b;
}

static void Save(WCHAR *dst, PFLT_FILE_NAME_INFORMATION n)
{
    size_t chars = n->Name.Length / sizeof(WCHAR);
    if (chars > 127) chars = 127;
    memcpy(dst, n->Name.Buffer, chars * sizeof(WCHAR));
    dst[chars] = 0;
}

static NTSTATUS FLTAPI MapGenerate(PFLT_INSTANCE inst, PFILE_OBJECT fo, PFLT_CALLBACK_DATA data, FLT_FILE_NAME_OPTIONS opts, PBOOLEAN cache,
                                   PFLT_NAME_CONTROL out)
{
    g_generateCalls++;
    g_lastOptions = opts;
    g_lastData = data;
    PFLT_FILE_NAME_INFORMATION lower = NULL;
    /* As NameChanger does: the request goes below this provider (g_recurse: the bug of leaving the flag set). */
    FLT_FILE_NAME_OPTIONS o = g_recurse ? (opts | FLT_FILE_NAME_REQUEST_FROM_CURRENT_PROVIDER) : (opts & ~FLT_FILE_NAME_REQUEST_FROM_CURRENT_PROVIDER);
    NTSTATUS s = data != NULL ? FltGetFileNameInformation(data, o, &lower) : FltGetFileNameInformationUnsafe(fo, inst, o, &lower);
    if (!NT_SUCCESS(s)) {
        return s;
    }
    UNICODE_STRING from = RTL_CONSTANT_STRING(L"\\Device\\HarddiskVolume1\\a\\b");
    UNICODE_STRING to = RTL_CONSTANT_STRING(L"\\Device\\HarddiskVolume1\\x\\y");
    UNICODE_STRING deny = RTL_CONSTANT_STRING(L"\\Device\\HarddiskVolume1\\deny");
    if (RtlEqualUnicodeString(&lower->Name, &deny, TRUE)) {
        FltReleaseFileNameInformation(lower);
        return STATUS_ACCESS_DENIED;
    }
    PCUNICODE_STRING result = RtlEqualUnicodeString(&lower->Name, &from, TRUE) ? &to : &lower->Name;
    if (g_replaceBuffer) {
        static WCHAR mine[64];
        out->Name.Buffer = mine;        /* not the provider's to replace */
        out->Name.MaximumLength = sizeof(mine);
    } else {
        s = FltCheckAndGrowNameControl(out, result->Length);
    }
    if (NT_SUCCESS(s)) {
        RtlCopyMemory(out->Name.Buffer, result->Buffer, result->Length);
        out->Name.Length = result->Length;
        *cache = TRUE;
    }
    FltReleaseFileNameInformation(lower);
    return s;
}

static void Ask(int role, PFLT_CALLBACK_DATA d)
{
    PFLT_FILE_NAME_INFORMATION n = NULL;
    g_status[role] = FltGetFileNameInformation(d, FLT_FILE_NAME_NORMALIZED | FLT_FILE_NAME_QUERY_DEFAULT, &n);
    if (NT_SUCCESS(g_status[role])) {
        Save(g_normalized[role], n);
        FltReleaseFileNameInformation(n);
    }
    if (NT_SUCCESS(FltGetFileNameInformation(d, FLT_FILE_NAME_OPENED | FLT_FILE_NAME_QUERY_DEFAULT, &n))) {
        Save(g_opened[role], n);
        FltReleaseFileNameInformation(n);
    }
    if (role == ROLE_P && NT_SUCCESS(FltGetFileNameInformation(d, FLT_FILE_NAME_NORMALIZED | FLT_FILE_NAME_REQUEST_FROM_CURRENT_PROVIDER, &n))) {
        Save(g_ownProvider, n);
        FltReleaseFileNameInformation(n);
    }
}

#define ROLE_CALLBACKS(i) \
    static FLT_PREOP_CALLBACK_STATUS FLTAPI Pre##i(PFLT_CALLBACK_DATA d, PCFLT_RELATED_OBJECTS o, PVOID *c) \
    { (void)o; (void)c; if (g_ask) { g_createData = d; Ask(i, d); } return FLT_PREOP_SUCCESS_NO_CALLBACK; } \
    static NTSTATUS FLTAPI Unload##i(FLT_FILTER_UNLOAD_FLAGS f) { (void)f; FltUnregisterFilter(g_f[i]); return STATUS_SUCCESS; } \
    static const FLT_OPERATION_REGISTRATION Ops##i[] = { { IRP_MJ_CREATE, 0, Pre##i, NULL, NULL }, { IRP_MJ_OPERATION_END, 0, NULL, NULL, NULL } };
ROLE_CALLBACKS(0)
ROLE_CALLBACKS(1)
ROLE_CALLBACKS(2)

static void Start(int role, const char *altitude, const FLT_OPERATION_REGISTRATION *ops, PFLT_FILTER_UNLOAD_CALLBACK unload, PFLT_GENERATE_FILE_NAME generate)
{
    FLT_REGISTRATION reg = { .Size = sizeof(FLT_REGISTRATION), .Version = FLT_REGISTRATION_VERSION, .OperationRegistration = ops,
                             .FilterUnloadCallback = unload, .GenerateFileNameCallback = generate };
    EmuSetNextAltitude(altitude);
    CHECK_EQ(FltRegisterFilter(&g_drv[role], &reg, &g_f[role]), STATUS_SUCCESS);
    CHECK_EQ(FltStartFiltering(g_f[role]), STATUS_SUCCESS);
}

static int g_v;
static void Setup(void)
{
    memset(g_normalized, 0, sizeof(g_normalized));
    memset(g_opened, 0, sizeof(g_opened));
    memset(g_ownProvider, 0, sizeof(g_ownProvider));
    g_ask = g_generateCalls = g_recurse = g_replaceBuffer = 0;
    g_v = EmuCreateVolume("\\Device\\HarddiskVolume1", 4, 0);
    EmuFsPut(g_v, "\\a", NULL, 0, 1);
    TPut(g_v, "\\a\\b", "data");
    TPut(g_v, "\\a\\c", "other");
    TPut(g_v, "\\deny", "d");
    Start(ROLE_R, "300000", Ops0, Unload0, NULL);
    Start(ROLE_P, "200000", Ops1, Unload1, MapGenerate);
    Start(ROLE_B, "100000", Ops2, Unload2, NULL);
}

static void Teardown(void)
{
    for (int i = 0; i < ROLES; i++) {
        EmuUnloadFilter(g_f[i]);
    }
}

static NTSTATUS OpenAsking(const char *path)
{
    uint64_t h = 0, info = 0;
    g_ask = 1;
    NTSTATUS s = EmuFileOpen(g_v, path, GENERIC_READ, FILE_SHARE_READ, FILE_OPEN, FILE_NON_DIRECTORY_FILE, 0, &h, &info);
    g_ask = 0;
    if (NT_SUCCESS(s)) {
        EmuFileClose(h);
    }
    return s;
}

static void test_provider_answers_the_filters_above(void)
{
    Setup();
    CHECK_EQ(OpenAsking("\\a\\b"), STATUS_SUCCESS);
    /* Above the provider: the mapped name, in both formats. */
    CHECK_EQ(g_status[ROLE_R], STATUS_SUCCESS);
    CHECK(WEq(g_normalized[ROLE_R], L"\\Device\\HarddiskVolume1\\x\\y"));
    CHECK(WEq(g_opened[ROLE_R], L"\\Device\\HarddiskVolume1\\x\\y"));
    /* The provider's own request: from below it, the real name... */
    CHECK(WEq(g_normalized[ROLE_P], L"\\Device\\HarddiskVolume1\\a\\b"));
    /* ... unless it asks its own provider. */
    CHECK(WEq(g_ownProvider, L"\\Device\\HarddiskVolume1\\x\\y"));
    /* Below the provider: never asked. */
    CHECK(WEq(g_normalized[ROLE_B], L"\\Device\\HarddiskVolume1\\a\\b"));
    /* R's two requests and P's one with its own flag: three calls, with the request's CallbackData and format. */
    CHECK_EQ(g_generateCalls, 3);
    CHECK(g_lastData == g_createData);
    CHECK_EQ(FltGetFileNameFormat(g_lastOptions), FLT_FILE_NAME_NORMALIZED);
    CHECK((g_lastOptions & FLT_FILE_NAME_REQUEST_FROM_CURRENT_PROVIDER) != 0);
    /* A name the provider does not map passes through it unchanged. */
    CHECK_EQ(OpenAsking("\\a\\c"), STATUS_SUCCESS);
    CHECK(WEq(g_normalized[ROLE_R], L"\\Device\\HarddiskVolume1\\a\\c"));
    Teardown();
}

static void test_provider_failure_and_unsafe(void)
{
    Setup();
    /* The provider's failure is the request's. */
    CHECK_EQ(OpenAsking("\\deny"), STATUS_SUCCESS);
    CHECK_EQ(g_status[ROLE_R], STATUS_ACCESS_DENIED);
    CHECK_EQ(g_status[ROLE_B], STATUS_SUCCESS);
    /* FltGetFileNameInformationUnsafe: the Instance is the requester; the callback gets no CallbackData. */
    PFLT_INSTANCE top = NULL;
    PFLT_VOLUME vol = NULL;
    UNICODE_STRING vn = RTL_CONSTANT_STRING(L"\\Device\\HarddiskVolume1");
    CHECK_EQ(FltGetVolumeFromName(g_f[ROLE_R], &vn, &vol), STATUS_SUCCESS);
    CHECK_EQ(FltGetTopInstance(vol, &top), STATUS_SUCCESS);
    UNICODE_STRING name = RTL_CONSTANT_STRING(L"\\Device\\HarddiskVolume1\\a\\b");
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, &name, OBJ_KERNEL_HANDLE, NULL, NULL);
    IO_STATUS_BLOCK iosb;
    HANDLE h = NULL;
    PFILE_OBJECT fo = NULL;
    CHECK_EQ(FltCreateFileEx(g_f[ROLE_R], top, &h, &fo, GENERIC_READ, &oa, &iosb, NULL, 0, FILE_SHARE_READ, FILE_OPEN, 0, NULL, 0, 0), STATUS_SUCCESS);
    PFLT_FILE_NAME_INFORMATION n = NULL;
    g_generateCalls = 0;
    CHECK_EQ(FltGetFileNameInformationUnsafe(fo, top, FLT_FILE_NAME_NORMALIZED, &n), STATUS_SUCCESS);
    CHECK(n != NULL && n->Name.Length == name.Length && memcmp(n->Name.Buffer, L"\\Device\\HarddiskVolume1\\x\\y", n->Name.Length) == 0);
    CHECK_EQ(n->Volume.Length, vn.Length);
    CHECK_EQ(g_generateCalls, 1);
    CHECK(g_lastData == NULL);
    FltReleaseFileNameInformation(n);
    CHECK_EQ(FltPurgeFileNameInformationCache(top, fo), STATUS_SUCCESS);
    ObDereferenceObject(fo);
    FltClose(h);
    FltObjectDereference(top);
    FltObjectDereference(vol);
    Teardown();
}

static void test_provider_contract(void)
{
    Setup();
    /* A provider that replaces the name control's buffer itself. */
    g_replaceBuffer = 1;
    CHECK_EQ(OpenAsking("\\a\\b"), STATUS_SUCCESS);
    CHECK_EQ(g_status[ROLE_R], STATUS_INVALID_PARAMETER);
    /* R's two requests and P's request of its own provider: one violation each. */
    for (int i = 0; i < 3; i++) {
        CHECK_VIOLATION("GenerateFileNameCallback: FLT_NAME_CONTROL.Name.Buffer was replaced by the name provider");
    }
    g_replaceBuffer = 0;
    /* A provider that asks itself again and again (FLT_FILE_NAME_REQUEST_FROM_CURRENT_PROVIDER left set). */
    g_recurse = 1;
    CHECK_EQ(OpenAsking("\\a\\b"), STATUS_SUCCESS);
    g_recurse = 0;
    CHECK_EQ(g_status[ROLE_R], STATUS_FLT_INVALID_NAME_REQUEST);
    for (int i = 0; i < 3; i++) {
        CHECK_VIOLATION("name providers nested 8 deep");
    }
    CHECK_EQ(FltPurgeFileNameInformationCache(NULL, NULL), STATUS_INVALID_PARAMETER);
    CHECK_VIOLATION("FltPurgeFileNameInformationCache((nil)): not an instance");
    Teardown();
}

const TEST_CASE g_nameProviderTests[] = {
    { "name providers: GenerateFileNameCallback answers the filters above (mapped \\a\\b -> \\x\\y), not itself nor those below",
      test_provider_answers_the_filters_above },
    { "name providers: a provider's failure is the request's; FltGetFileNameInformationUnsafe's Instance is the requester",
      test_provider_failure_and_unsafe },
    { "name providers: a replaced name control buffer, endless self-requests, FltPurgeFileNameInformationCache misuse", test_provider_contract },
};
const size_t g_nameProviderTestsCount = RTL_NUMBER_OF(g_nameProviderTests);
