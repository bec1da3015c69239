#include "test_filters.h"

TF g_tf[TF_MAX];
char g_log[4096];

void TfLog(const char *fmt, ...)
{
    size_t n = strlen(g_log);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(g_log + n, sizeof(g_log) - n, fmt, ap);
    va_end(ap);
}

const char *TfMajor(UCHAR m)
{
    switch (m) {
    case IRP_MJ_CREATE: return "create";
    case IRP_MJ_READ: return "read";
    case IRP_MJ_WRITE: return "write";
    case IRP_MJ_QUERY_INFORMATION: return "query";
    case IRP_MJ_SET_INFORMATION: return "set";
    case IRP_MJ_CLEANUP: return "cleanup";
    case IRP_MJ_CLOSE: return "close";
    default: return "other";
    }
}

static FLT_PREOP_CALLBACK_STATUS TfPre(TF *tf, PFLT_CALLBACK_DATA Data, PCFLT_RELATED_OBJECTS Objects, PVOID *Context)
{
    tf->PreCount++;
    tf->LastPre = *Data->Iopb;
    memcpy(&tf->LastPreObjects, Objects, sizeof(*Objects));
    TfLog("%c>%s ", tf->Name, TfMajor(Data->Iopb->MajorFunction));
    return tf->Pre != NULL ? tf->Pre(tf, Data, Objects, Context) : FLT_PREOP_SUCCESS_WITH_CALLBACK;
}

static FLT_POSTOP_CALLBACK_STATUS TfPost(TF *tf, PFLT_CALLBACK_DATA Data, PCFLT_RELATED_OBJECTS Objects, PVOID Context, FLT_POST_OPERATION_FLAGS Flags)
{
    tf->PostCount++;
    tf->LastPost = *Data->Iopb;
    memcpy(&tf->LastPostObjects, Objects, sizeof(*Objects));
    tf->LastPostContext = Context;
    tf->LastPostIrql = KeGetCurrentIrql();
    tf->LastPostThread = (ULONG)(ULONG_PTR)PsGetCurrentThreadId();
    tf->LastPostStatus = Data->IoStatus.Status;
    TfLog("%c<%s ", tf->Name, TfMajor(Data->Iopb->MajorFunction));
    return tf->Post != NULL ? tf->Post(tf, Data, Objects, Context, Flags) : FLT_POSTOP_FINISHED_PROCESSING;
}

static NTSTATUS TfSetup(TF *tf, PCFLT_RELATED_OBJECTS Objects, DEVICE_TYPE DeviceType)
{
    if (tf->Setup != NULL) {
        NTSTATUS s = tf->Setup(tf, Objects, DeviceType);
        if (!NT_SUCCESS(s)) {
            return s;
        }
    }
    int id = Objects->Volume->Id;
    if (id >= 0 && id < TF_VOLUMES) {
        tf->Instance[id] = Objects->Instance;
    }
    return STATUS_SUCCESS;
}

#define TF_CALLBACKS(i) \
    static FLT_PREOP_CALLBACK_STATUS FLTAPI TfPre##i(PFLT_CALLBACK_DATA d, PCFLT_RELATED_OBJECTS o, PVOID *c) { return TfPre(&g_tf[i], d, o, c); } \
    static FLT_POSTOP_CALLBACK_STATUS FLTAPI TfPost##i(PFLT_CALLBACK_DATA d, PCFLT_RELATED_OBJECTS o, PVOID c, FLT_POST_OPERATION_FLAGS f) { return TfPost(&g_tf[i], d, o, c, f); } \
    static NTSTATUS FLTAPI TfSetup##i(PCFLT_RELATED_OBJECTS o, FLT_INSTANCE_SETUP_FLAGS f, DEVICE_TYPE t, FLT_FILESYSTEM_TYPE s) { (void)f; (void)s; return TfSetup(&g_tf[i], o, t); } \
    static NTSTATUS FLTAPI TfUnload##i(FLT_FILTER_UNLOAD_FLAGS f) { (void)f; FltUnregisterFilter(g_tf[i].Filter); return STATUS_SUCCESS; } \
    static const FLT_OPERATION_REGISTRATION TfOps##i[] = { \
        { IRP_MJ_CREATE, 0, TfPre##i, TfPost##i, NULL }, { IRP_MJ_READ, 0, TfPre##i, TfPost##i, NULL }, \
        { IRP_MJ_WRITE, 0, TfPre##i, TfPost##i, NULL }, { IRP_MJ_QUERY_INFORMATION, 0, TfPre##i, TfPost##i, NULL }, \
        { IRP_MJ_SET_INFORMATION, 0, TfPre##i, TfPost##i, NULL }, { IRP_MJ_CLEANUP, 0, TfPre##i, TfPost##i, NULL }, \
        { IRP_MJ_CLOSE, 0, TfPre##i, TfPost##i, NULL }, { IRP_MJ_OPERATION_END, 0, NULL, NULL, NULL } };

TF_CALLBACKS(0)
TF_CALLBACKS(1)
TF_CALLBACKS(2)
TF_CALLBACKS(3)

static const FLT_OPERATION_REGISTRATION *g_ops[TF_MAX] = { TfOps0, TfOps1, TfOps2, TfOps3 };
static PFLT_INSTANCE_SETUP_CALLBACK g_setups[TF_MAX] = { TfSetup0, TfSetup1, TfSetup2, TfSetup3 };
static PFLT_FILTER_UNLOAD_CALLBACK g_unloads[TF_MAX] = { TfUnload0, TfUnload1, TfUnload2, TfUnload3 };
static DRIVER_OBJECT g_drivers[TF_MAX];

TF *TfRegister(int index, const char *altitude, TF_PRE pre, TF_POST post)
{
    TF *tf = &g_tf[index];
    const FLT_CONTEXT_REGISTRATION *contexts = tf->Contexts;
    void *user = tf->User;
    NTSTATUS (*setup)(TF *, PCFLT_RELATED_OBJECTS, DEVICE_TYPE) = tf->Setup;
    memset(tf, 0, sizeof(*tf));
    tf->Contexts = contexts;
    tf->User = user;
    tf->Setup = setup;
    tf->Name = (char)('A' + index);
    tf->Pre = pre;
    tf->Post = post;
    FLT_REGISTRATION reg = { sizeof(FLT_REGISTRATION), FLT_REGISTRATION_VERSION, 0, contexts, g_ops[index], g_unloads[index],
                             g_setups[index], NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL };
    EmuSetNextAltitude(altitude);
    NTSTATUS s = FltRegisterFilter(&g_drivers[index], &reg, &tf->Filter);
    if (!NT_SUCCESS(s)) {
        printf("    FltRegisterFilter failed 0x%08x\n", (unsigned)s);
        return NULL;
    }
    return tf;
}

TF *TfStart(int index, const char *altitude, TF_PRE pre, TF_POST post)
{
    TF *tf = TfRegister(index, altitude, pre, post);
    if (tf != NULL) {
        FltStartFiltering(tf->Filter);
    }
    return tf;
}

void TfUnload(TF *tf) { EmuUnloadFilter(tf->Filter); }

uint64_t TOpen(int volume, const char *path, uint32_t access, uint32_t disposition, NTSTATUS *status, uint64_t *info)
{
    uint64_t h = 0, i = 0;
    NTSTATUS s = EmuFileOpen(volume, path, access, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, disposition, FILE_NON_DIRECTORY_FILE, 0, &h, &i);
    if (status != NULL) {
        *status = s;
    }
    if (info != NULL) {
        *info = i;
    }
    return h;
}

void TPut(int volume, const char *path, const char *content)
{
    EmuFsPut(volume, path, content, (uint32_t)strlen(content), 0);
}
