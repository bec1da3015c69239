/*
 * test_txn.c - the routines Microsoft's delete and change samples brought in
 * (issue 12, "Emulator II"): transactions (FltEnlistInTransaction,
 * FltSet/Get/DeleteTransactionContext, the outcome notifications,
 * ObOpenObjectByPointer + ZwQueryInformationTransaction,
 * IoGetTransactionParameterBlock), file contexts, FltAcquireResource*,
 * FltFsControlFile, FltGetVolumeGuidName, FileIdInformation, STATUS_FILE_DELETED
 * after a delete, and DbgPrint's lines.
 *
 * TX is a filter of this file with a transaction-notification callback and
 * transaction and file contexts; REC (registered twice, above and below TX)
 * records the file system controls it sees.
 */
#include "test_filters.h"

/* ---- TX ---- */
#define TX_TAG 'xTxT'
typedef struct TX_CTX { int Id; } TX_CTX;

static PFLT_FILTER g_txFilter;
static PFLT_INSTANCE g_txInstance[TF_VOLUMES];
static char g_notes[512];           /* "<ctx id>:<notification> ..." in delivery order */
static int g_notifyIrqlBad, g_notifyWrongTransaction, g_cleanups[2];   /* [0] transaction, [1] file contexts freed */
static PKTRANSACTION g_expectTransaction;
static PKTRANSACTION g_preCreateTransaction = (PKTRANSACTION)1;
static PTXN_PARAMETER_BLOCK g_preCreateTxn = (PTXN_PARAMETER_BLOCK)1;
static NTSTATUS g_postCleanupQuery, g_postCleanupFsctl;
static int g_setFileContext;        /* post-create sets a file context */
static NTSTATUS g_preCreateFileContext;

static VOID FLTAPI TxCleanup(PFLT_CONTEXT Context, FLT_CONTEXT_TYPE Type)
{
    (void)Context;
    g_cleanups[Type == FLT_FILE_CONTEXT]++;
}

static NTSTATUS FLTAPI TxNotify(PCFLT_RELATED_OBJECTS Objects, PFLT_CONTEXT Context, ULONG Notification)
{
    size_t n = strlen(g_notes);
    snprintf(g_notes + n, sizeof(g_notes) - n, "%d:%x ", ((TX_CTX *)Context)->Id, (unsigned)Notification);
    g_notifyIrqlBad += KeGetCurrentIrql() != PASSIVE_LEVEL;
    g_notifyWrongTransaction += Objects->Transaction != g_expectTransaction || Objects->Filter != g_txFilter || Objects->FileObject != NULL;
    return STATUS_SUCCESS;
}

static FLT_PREOP_CALLBACK_STATUS FLTAPI TxPre(PFLT_CALLBACK_DATA Data, PCFLT_RELATED_OBJECTS Objects, PVOID *Context)
{
    (void)Context;
    if (Data->Iopb->MajorFunction == IRP_MJ_CREATE) {
        g_preCreateTransaction = Objects->Transaction;
        g_preCreateTxn = IoGetTransactionParameterBlock(Objects->FileObject);
        PFLT_CONTEXT c = NULL;
        g_preCreateFileContext = FltGetFileContext(Objects->Instance, Objects->FileObject, &c);
        return FLT_PREOP_SUCCESS_WITH_CALLBACK;
    }
    return Data->Iopb->MajorFunction == IRP_MJ_CLEANUP ? FLT_PREOP_SYNCHRONIZE : FLT_PREOP_SUCCESS_NO_CALLBACK;
}

static FLT_POSTOP_CALLBACK_STATUS FLTAPI TxPost(PFLT_CALLBACK_DATA Data, PCFLT_RELATED_OBJECTS Objects, PVOID Context, FLT_POST_OPERATION_FLAGS Flags)
{
    (void)Context; (void)Flags;
    if (Data->Iopb->MajorFunction == IRP_MJ_CREATE && NT_SUCCESS(Data->IoStatus.Status) && g_setFileContext) {
        PFLT_CONTEXT c = NULL, old = NULL;
        if (NT_SUCCESS(FltAllocateContext(g_txFilter, FLT_FILE_CONTEXT, sizeof(TX_CTX), PagedPool, &c))) {
            ((TX_CTX *)c)->Id = 77;
            NTSTATUS s = FltSetFileContext(Objects->Instance, Objects->FileObject, FLT_SET_CONTEXT_KEEP_IF_EXISTS, c, &old);
            if (s == STATUS_FLT_CONTEXT_ALREADY_DEFINED) {
                FltReleaseContext(old);
            }
            FltReleaseContext(c);
        }
    }
    if (Data->Iopb->MajorFunction == IRP_MJ_CLEANUP) {
        FILE_STANDARD_INFORMATION info;
        FILE_OBJECTID_BUFFER id;
        g_postCleanupQuery = FltQueryInformationFile(Objects->Instance, Objects->FileObject, &info, sizeof(info), FileStandardInformation, NULL);
        g_postCleanupFsctl = FltFsControlFile(Objects->Instance, Objects->FileObject, FSCTL_GET_OBJECT_ID, NULL, 0, &id, sizeof(id), NULL);
    }
    return FLT_POSTOP_FINISHED_PROCESSING;
}

static NTSTATUS FLTAPI TxSetup(PCFLT_RELATED_OBJECTS Objects, FLT_INSTANCE_SETUP_FLAGS Flags, DEVICE_TYPE Type, FLT_FILESYSTEM_TYPE Fs)
{
    (void)Flags; (void)Type; (void)Fs;
    if (Objects->Volume->Id < TF_VOLUMES) {
        g_txInstance[Objects->Volume->Id] = Objects->Instance;
    }
    return STATUS_SUCCESS;
}

static NTSTATUS FLTAPI TxUnload(FLT_FILTER_UNLOAD_FLAGS Flags) { (void)Flags; FltUnregisterFilter(g_txFilter); return STATUS_SUCCESS; }

static const FLT_CONTEXT_REGISTRATION g_txContexts[] = {
    { FLT_TRANSACTION_CONTEXT, 0, TxCleanup, sizeof(TX_CTX), TX_TAG, NULL, NULL, NULL },
    { FLT_FILE_CONTEXT, 0, TxCleanup, sizeof(TX_CTX), TX_TAG, NULL, NULL, NULL },
    { FLT_CONTEXT_END, 0, NULL, 0, 0, NULL, NULL, NULL } };
static const FLT_OPERATION_REGISTRATION g_txOps[] = {
    { IRP_MJ_CREATE, 0, TxPre, TxPost, NULL }, { IRP_MJ_CLEANUP, 0, TxPre, TxPost, NULL },
    { IRP_MJ_OPERATION_END, 0, NULL, NULL, NULL } };
static DRIVER_OBJECT g_txDriver;

static int TxStart(int withNotifications)
{
    memset(g_txInstance, 0, sizeof(g_txInstance));
    g_notes[0] = 0;
    g_notifyIrqlBad = g_notifyWrongTransaction = g_cleanups[0] = g_cleanups[1] = 0;
    g_setFileContext = 0;
    FLT_REGISTRATION reg = { sizeof(FLT_REGISTRATION), FLT_REGISTRATION_VERSION, 0, g_txContexts, g_txOps, TxUnload, TxSetup,
                             NULL, NULL, NULL, NULL, NULL, NULL, withNotifications ? TxNotify : NULL, NULL, NULL };
    EmuSetNextAltitude("300000");
    CHECK_EQ(FltRegisterFilter(&g_txDriver, &reg, &g_txFilter), STATUS_SUCCESS);
    CHECK_EQ(FltStartFiltering(g_txFilter), STATUS_SUCCESS);
    int v = EmuCreateVolume("\\Device\\HarddiskVolume1", 4, 0);
    CHECK(g_txInstance[v] != NULL);
    return v;
}

static PFLT_CONTEXT TxContext(FLT_CONTEXT_TYPE type, int id)
{
    PFLT_CONTEXT c = NULL;
    CHECK_EQ(FltAllocateContext(g_txFilter, type, sizeof(TX_CTX), PagedPool, &c), STATUS_SUCCESS);
    if (c != NULL) {
        ((TX_CTX *)c)->Id = id;
    }
    return c;
}

/* ---- transactions ---- */

/* Contexts: one per filter, KEEP_IF_EXISTS hands back the one set; enlisting is checked as documented;
 * the commit is delivered (only what was asked for) at PASSIVE_LEVEL with the transaction; then the
 * transaction's contexts go (cleanup callback), and nothing leaks at unload. */
static void test_transaction_context_and_commit(void)
{
    int v = TxStart(1);
    PFLT_INSTANCE inst = g_txInstance[v];
    PKTRANSACTION t = EmuTransactionCreate();
    g_expectTransaction = t;
    PFLT_CONTEXT a = TxContext(FLT_TRANSACTION_CONTEXT, 1), b = TxContext(FLT_TRANSACTION_CONTEXT, 2), old = NULL, got = NULL;
    CHECK_EQ(FltGetTransactionContext(inst, t, &got), STATUS_NOT_FOUND);
    CHECK_EQ(FltSetTransactionContext(inst, t, FLT_SET_CONTEXT_KEEP_IF_EXISTS, a, NULL), STATUS_SUCCESS);
    CHECK_EQ(FltSetTransactionContext(inst, t, FLT_SET_CONTEXT_KEEP_IF_EXISTS, b, &old), STATUS_FLT_CONTEXT_ALREADY_DEFINED);
    CHECK(old == a);
    FltReleaseContext(old);
    FltReleaseContext(b);
    CHECK_EQ(FltGetTransactionContext(inst, t, &got), STATUS_SUCCESS);
    CHECK(got == a);
    FltReleaseContext(got);

    CHECK_EQ(FltEnlistInTransaction(inst, t, a, 0), STATUS_INVALID_PARAMETER_4);
    CHECK_EQ(FltEnlistInTransaction(inst, t, a, TRANSACTION_NOTIFY_COMMIT_COMPLETE), STATUS_INVALID_PARAMETER_4);
    CHECK_EQ(FltEnlistInTransaction(inst, t, a, TRANSACTION_NOTIFY_COMMIT_FINALIZE | TRANSACTION_NOTIFY_ROLLBACK), STATUS_SUCCESS);
    CHECK_EQ(FltEnlistInTransaction(inst, t, a, TRANSACTION_NOTIFY_COMMIT), STATUS_FLT_ALREADY_ENLISTED);
    FltReleaseContext(a);                       /* the link and the enlistment keep it */
    CHECK_EQ(g_cleanups[0], 1);                 /* b only */

    EmuSetIrql(APC_LEVEL);                      /* the outcome comes at PASSIVE_LEVEL whatever the committer's IRQL */
    CHECK_EQ(EmuTransactionEnd(t, 1), STATUS_SUCCESS);
    EmuSetIrql(PASSIVE_LEVEL);
    CHECK(strcmp(g_notes, "1:40000000 ") == 0);
    CHECK_EQ(g_notifyIrqlBad, 0);
    CHECK_EQ(g_notifyWrongTransaction, 0);
    CHECK_EQ(g_cleanups[0], 2);                 /* a went with the transaction */
    CHECK_EQ(FltGetTransactionContext(inst, t, &got), STATUS_NOT_FOUND);
    CHECK_EQ(EmuTransactionEnd(t, 0), STATUS_TRANSACTION_NOT_ACTIVE);
    CHECK_EQ(FltSetTransactionContext(inst, t, FLT_SET_CONTEXT_KEEP_IF_EXISTS, b = TxContext(FLT_TRANSACTION_CONTEXT, 3), NULL),
             STATUS_TRANSACTION_NOT_ACTIVE);
    FltReleaseContext(b);
    CHECK_EQ(EmuUnloadFilter(g_txFilter), STATUS_SUCCESS);
    CHECK_EQ(EmuViolationCount(), 0);
}

/* Every phase of a commit in KTM's order, to every enlisted instance in enlistment order; a rollback is ROLLBACK only. */
static void test_transaction_phases_and_rollback(void)
{
    int v = TxStart(1);
    int v2 = EmuCreateVolume("\\Device\\HarddiskVolume2", 4, 0);
    PKTRANSACTION t = EmuTransactionCreate(), r = EmuTransactionCreate();
    g_expectTransaction = t;
    PFLT_CONTEXT c1 = TxContext(FLT_TRANSACTION_CONTEXT, 1), c2 = TxContext(FLT_TRANSACTION_CONTEXT, 2);
    CHECK_EQ(FltEnlistInTransaction(g_txInstance[v], t, c1, FLT_MAX_TRANSACTION_NOTIFICATIONS), STATUS_SUCCESS);
    CHECK_EQ(FltEnlistInTransaction(g_txInstance[v2], t, c2, TRANSACTION_NOTIFY_PREPARE | TRANSACTION_NOTIFY_COMMIT), STATUS_SUCCESS);
    CHECK_EQ(EmuTransactionEnd(t, 1), STATUS_SUCCESS);
    CHECK(strcmp(g_notes, "1:1 1:2 2:2 1:4 2:4 1:40000000 ") == 0);
    g_notes[0] = 0;
    g_expectTransaction = r;
    CHECK_EQ(FltEnlistInTransaction(g_txInstance[v], r, c1, TRANSACTION_NOTIFY_COMMIT_FINALIZE | TRANSACTION_NOTIFY_ROLLBACK), STATUS_SUCCESS);
    CHECK_EQ(EmuTransactionEnd(r, 0), STATUS_SUCCESS);
    CHECK(strcmp(g_notes, "1:8 ") == 0);
    FltReleaseContext(c1);
    FltReleaseContext(c2);
    CHECK_EQ(g_cleanups[0], 2);                 /* the enlistments' references went with the transactions */
    CHECK_EQ(EmuUnloadFilter(g_txFilter), STATUS_SUCCESS);
    CHECK_EQ(EmuViolationCount(), 0);
}

/* The caller's side: Transaction and TransactionContext are required (violations), a filter without a
 * TransactionNotificationCallback is refused (STATUS_INVALID_PARAMETER). */
static void test_transaction_misuse(void)
{
    int v = TxStart(0);
    PKTRANSACTION t = EmuTransactionCreate();
    PFLT_CONTEXT c = TxContext(FLT_TRANSACTION_CONTEXT, 1), file = TxContext(FLT_FILE_CONTEXT, 2), got = NULL;
    CHECK_EQ(FltEnlistInTransaction(g_txInstance[v], t, c, TRANSACTION_NOTIFY_COMMIT), STATUS_INVALID_PARAMETER);
    CHECK_EQ(EmuViolationCount(), 0);
    int dummy;
    CHECK_EQ(FltEnlistInTransaction(g_txInstance[v], (PKTRANSACTION)&dummy, c, TRANSACTION_NOTIFY_COMMIT), STATUS_INVALID_PARAMETER);
    CHECK_VIOLATION("FltEnlistInTransaction");
    CHECK_EQ(FltEnlistInTransaction(g_txInstance[v], t, NULL, TRANSACTION_NOTIFY_COMMIT), STATUS_INVALID_PARAMETER);
    CHECK_VIOLATION("TransactionContext is required");
    CHECK_EQ(FltEnlistInTransaction(g_txInstance[v], t, file, TRANSACTION_NOTIFY_COMMIT), STATUS_INVALID_PARAMETER);
    CHECK_VIOLATION("TransactionContext is required");
    CHECK_EQ(FltGetTransactionContext(g_txInstance[v], (PKTRANSACTION)&dummy, &got), STATUS_INVALID_PARAMETER);
    CHECK_VIOLATION("FltGetTransactionContext");
    CHECK_EQ(FltSetTransactionContext(g_txInstance[v], t, FLT_SET_CONTEXT_KEEP_IF_EXISTS, file, NULL), STATUS_INVALID_PARAMETER);
    CHECK_VIOLATION("FltSetTransactionContext given a file context");
    EmuSetIrql(DISPATCH_LEVEL);
    (void)FltGetTransactionContext(g_txInstance[v], t, &got);
    EmuSetIrql(PASSIVE_LEVEL);
    CHECK_VIOLATION("FltGetTransactionContext called at DISPATCH_LEVEL");
    FltReleaseContext(c);
    FltReleaseContext(file);
    CHECK_EQ(EmuUnloadFilter(g_txFilter), STATUS_SUCCESS);
}

/* A transaction context the filter took and never released is a context leak at unload, named. */
static void test_transaction_context_leak(void)
{
    int v = TxStart(1);
    PKTRANSACTION t = EmuTransactionCreate();
    PFLT_CONTEXT c = TxContext(FLT_TRANSACTION_CONTEXT, 1), got = NULL;
    CHECK_EQ(FltSetTransactionContext(g_txInstance[v], t, FLT_SET_CONTEXT_KEEP_IF_EXISTS, c, NULL), STATUS_SUCCESS);
    FltReleaseContext(c);
    CHECK_EQ(FltGetTransactionContext(g_txInstance[v], t, &got), STATUS_SUCCESS);     /* never released */
    CHECK_EQ(EmuTransactionEnd(t, 1), STATUS_SUCCESS);
    CHECK_EQ(EmuUnloadFilter(g_txFilter), STATUS_SUCCESS);
    CHECK_VIOLATION("context leak: a transaction context");
}

/* An instance torn down leaves the transactions it enlisted in: its enlistment (and context) go then, and the
 * outcome reaches nobody. */
static void test_transaction_instance_teardown(void)
{
    int v = TxStart(1);
    PKTRANSACTION t = EmuTransactionCreate();
    PFLT_CONTEXT c = TxContext(FLT_TRANSACTION_CONTEXT, 1);
    CHECK_EQ(FltSetTransactionContext(g_txInstance[v], t, FLT_SET_CONTEXT_KEEP_IF_EXISTS, c, NULL), STATUS_SUCCESS);
    CHECK_EQ(FltEnlistInTransaction(g_txInstance[v], t, c, TRANSACTION_NOTIFY_COMMIT), STATUS_SUCCESS);
    FltReleaseContext(c);
    CHECK_EQ(FltDetachVolume(g_txFilter, EmuVolumeById(v), NULL), STATUS_SUCCESS);
    CHECK_EQ(g_cleanups[0], 1);
    CHECK_EQ(EmuTransactionEnd(t, 1), STATUS_SUCCESS);
    CHECK(g_notes[0] == 0);
    CHECK_EQ(EmuUnloadFilter(g_txFilter), STATUS_SUCCESS);
    CHECK_EQ(EmuViolationCount(), 0);
}

/* An open without a current transaction is not transacted: FltObjects->Transaction and IoGetTransactionParameterBlock are NULL. */
static void test_no_open_is_transacted(void)
{
    int v = TxStart(1);
    NTSTATUS s;
    uint64_t h = TOpen(v, "\\f.txt", GENERIC_READ | GENERIC_WRITE, FILE_OVERWRITE_IF, &s, NULL);
    CHECK_EQ(s, STATUS_SUCCESS);
    CHECK(g_preCreateTransaction == NULL);
    CHECK(g_preCreateTxn == NULL);
    EmuFileClose(h);
    CHECK(IoGetTransactionParameterBlock((PFILE_OBJECT)&s) == NULL);
    CHECK_VIOLATION("IoGetTransactionParameterBlock");
    CHECK_EQ(EmuUnloadFilter(g_txFilter), STATUS_SUCCESS);
}

/* ObOpenObjectByPointer + ZwQueryInformationTransaction: the outcome as it is now; the handle's access is
 * checked; a handle never closed is a leak. */
static void test_query_transaction(void)
{
    PKTRANSACTION t = EmuTransactionCreate();
    HANDLE h = NULL, weak = NULL;
    TRANSACTION_BASIC_INFORMATION info;
    ULONG got = 0;
    CHECK_EQ(ObOpenObjectByPointer(t, OBJ_KERNEL_HANDLE, NULL, GENERIC_READ, *TmTransactionObjectType, KernelMode, &h), STATUS_SUCCESS);
    CHECK_EQ(ZwQueryInformationTransaction(h, TransactionBasicInformation, &info, sizeof(info), &got), STATUS_SUCCESS);
    CHECK_EQ(got, sizeof(info));
    CHECK_EQ(info.Outcome, TransactionOutcomeUndetermined);
    CHECK_EQ(info.State, TransactionStateNormal);
    CHECK_EQ(ZwQueryInformationTransaction(h, TransactionBasicInformation, &info, sizeof(info) - 1, NULL), STATUS_INFO_LENGTH_MISMATCH);
    CHECK_EQ(EmuTransactionEnd(t, 0), STATUS_SUCCESS);
    CHECK_EQ(ZwQueryInformationTransaction(h, TransactionBasicInformation, &info, sizeof(info), NULL), STATUS_SUCCESS);
    CHECK_EQ(info.Outcome, TransactionOutcomeAborted);
    CHECK_EQ(info.State, TransactionStateNormal);
    CHECK_EQ(ObOpenObjectByPointer(t, OBJ_KERNEL_HANDLE, NULL, TRANSACTION_COMMIT, NULL, KernelMode, &weak), STATUS_SUCCESS);
    CHECK_EQ(ZwQueryInformationTransaction(weak, TransactionBasicInformation, &info, sizeof(info), NULL), STATUS_ACCESS_DENIED);
    CHECK_EQ(ZwClose(weak), STATUS_SUCCESS);
    CHECK_EQ(ObOpenObjectByPointer(t, OBJ_KERNEL_HANDLE, NULL, GENERIC_READ, *PsProcessType, KernelMode, &weak), STATUS_OBJECT_TYPE_MISMATCH);
    CHECK_EQ(ZwClose(h), STATUS_SUCCESS);
    CHECK_EQ(EmuViolationCount(), 0);
    CHECK_EQ(ObOpenObjectByPointer(t, OBJ_KERNEL_HANDLE, NULL, GENERIC_READ, *TmTransactionObjectType, KernelMode, &h), STATUS_SUCCESS);
    EmuCheckLeaks();
    CHECK_VIOLATION("handle leak: a handle to transaction");
}

/* ---- transacted opens (Transactional NTFS) ---- */
static uint64_t TxOpen(int v, const char *path, uint32_t access, NTSTATUS *s)
{
    uint64_t h = 0, info = 0;
    *s = EmuFileOpen(v, path, access, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, FILE_OPEN, FILE_NON_DIRECTORY_FILE, 0, &h, &info);
    return h;
}

/* A transacted writer: the filters see the transaction; its changes are its own until the commit
 * (read-committed isolation), non-transacted writers are blocked, another transaction's writer too;
 * the commit makes them the file's, after the COMMIT notification and before COMMIT_FINALIZE. */
static void test_transacted_open_commit(void)
{
    int v = TxStart(1);
    TPut(v, "\\t.txt", "old");
    PKTRANSACTION t = EmuTransactionCreate(), other = EmuTransactionCreate();
    NTSTATUS s;
    char b[16] = "";
    uint32_t n = 0;
    CHECK_EQ(EmuSetCurrentTransaction((uint64_t)(uintptr_t)t), STATUS_SUCCESS);
    uint64_t w = TxOpen(v, "\\t.txt", GENERIC_READ | GENERIC_WRITE, &s);
    CHECK_EQ(s, STATUS_SUCCESS);
    CHECK(g_preCreateTransaction == t);
    CHECK(g_preCreateTxn != NULL && g_preCreateTxn->TransactionObject == t && g_preCreateTxn->Length == sizeof(TXN_PARAMETER_BLOCK));
    CHECK_EQ(EmuFileWrite(w, 0, "new!", 4, 0, &n), STATUS_SUCCESS);
    CHECK_EQ(EmuFileRead(w, 0, b, sizeof(b), &n), STATUS_SUCCESS);
    CHECK(n == 4 && memcmp(b, "new!", 4) == 0);             /* the transaction sees its own change */

    CHECK_EQ(EmuSetCurrentTransaction((uint64_t)(uintptr_t)other), STATUS_SUCCESS);
    (void)TxOpen(v, "\\t.txt", GENERIC_WRITE, &s);
    CHECK_EQ(s, STATUS_SHARING_VIOLATION);                   /* one transacted writer per file */
    CHECK_EQ(EmuSetCurrentTransaction(0), STATUS_SUCCESS);
    (void)TxOpen(v, "\\t.txt", GENERIC_WRITE, &s);
    CHECK_EQ(s, STATUS_TRANSACTIONAL_CONFLICT);              /* non-transacted writers are blocked */
    uint64_t r = TxOpen(v, "\\t.txt", GENERIC_READ, &s);
    CHECK_EQ(s, STATUS_SUCCESS);
    CHECK(g_preCreateTransaction == NULL);
    memset(b, 0, sizeof(b));
    CHECK_EQ(EmuFileRead(r, 0, b, sizeof(b), &n), STATUS_SUCCESS);
    CHECK(n == 3 && memcmp(b, "old", 3) == 0);              /* outside: the committed data */
    CHECK_EQ(EmuFsRead(v, "\\t.txt", b, sizeof(b)), 3);

    EmuFileClose(w);
    CHECK_EQ(EmuTransactionEnd(t, 1), STATUS_SUCCESS);
    CHECK_EQ(EmuFsRead(v, "\\t.txt", b, sizeof(b)), 4);
    CHECK(memcmp(b, "new!", 4) == 0);
    CHECK_EQ(EmuFileRead(r, 0, b, sizeof(b), &n), STATUS_SUCCESS);
    CHECK(n == 4);                                           /* a non-transacted handle gets the update on commit */
    EmuFileClose(r);
    uint64_t after = TxOpen(v, "\\t.txt", GENERIC_WRITE, &s);
    CHECK_EQ(s, STATUS_SUCCESS);                             /* the lock went with the transaction */
    EmuFileClose(after);
    CHECK_EQ(EmuTransactionEnd(other, 0), STATUS_SUCCESS);
    CHECK_EQ(EmuUnloadFilter(g_txFilter), STATUS_SUCCESS);
    CHECK_EQ(EmuViolationCount(), 0);
}

/* Rolled back: the file keeps its data and size; a transacted handle still open is spent. */
static void test_transacted_open_rollback(void)
{
    int v = TxStart(1);
    TPut(v, "\\t.txt", "old");
    PKTRANSACTION t = EmuTransactionCreate();
    NTSTATUS s;
    char b[16];
    uint32_t n = 0;
    CHECK_EQ(EmuSetCurrentTransaction((uint64_t)(uintptr_t)t), STATUS_SUCCESS);
    uint64_t w = TxOpen(v, "\\t.txt", GENERIC_READ | GENERIC_WRITE, &s);
    CHECK_EQ(EmuSetCurrentTransaction(0), STATUS_SUCCESS);
    CHECK_EQ(EmuFileWrite(w, 3, "er and longer", 13, 0, &n), STATUS_SUCCESS);
    CHECK_EQ(EmuFileSetEndOfFile(w, 10), STATUS_SUCCESS);
    int64_t size = 0;
    CHECK_EQ(EmuFileQuerySize(w, &size), STATUS_SUCCESS);
    CHECK_EQ(size, 10);
    CHECK_EQ(EmuTransactionEnd(t, 0), STATUS_SUCCESS);
    CHECK_EQ(EmuFsRead(v, "\\t.txt", b, sizeof(b)), 3);
    CHECK(memcmp(b, "old", 3) == 0);
    CHECK_EQ(EmuFileRead(w, 0, b, sizeof(b), &n), STATUS_TRANSACTION_NOT_ACTIVE);
    EmuFileClose(w);
    CHECK_EQ(EmuUnloadFilter(g_txFilter), STATUS_SUCCESS);
    CHECK_EQ(EmuViolationCount(), 0);
}

/* What a transaction cannot do here (STATUS_NOT_SUPPORTED, README); a delete in a transaction (gone for it at
 * its handle's cleanup, for everyone at the commit, kept by a rollback); a filter's transacted open through
 * FltCreateFileEx2's TxnParameters. */
static void test_transacted_open_limits_and_kernel_open(void)
{
    int v = TxStart(1);
    TPut(v, "\\t.txt", "old");
    TPut(v, "\\d.txt", "doomed");
    TPut(v, "\\s.txt", "saved");
    PKTRANSACTION t = EmuTransactionCreate(), r = EmuTransactionCreate();
    NTSTATUS s;
    uint64_t h = 0, info = 0, outside = 0;
    CHECK_EQ(EmuSetCurrentTransaction((uint64_t)(uintptr_t)t), STATUS_SUCCESS);
    CHECK_EQ(EmuFileOpen(v, "\\new.txt", GENERIC_WRITE, 0, FILE_CREATE, FILE_NON_DIRECTORY_FILE, 0, &h, &info), STATUS_NOT_SUPPORTED);
    CHECK_EQ(EmuFsExists(v, "\\new.txt"), 0);
    h = TxOpen(v, "\\d.txt", GENERIC_READ | DELETE, &s);
    CHECK_EQ(s, STATUS_SUCCESS);
    CHECK_EQ(EmuFileDelete(h), STATUS_SUCCESS);
    EmuFileClose(h);
    (void)TxOpen(v, "\\d.txt", GENERIC_READ, &s);
    CHECK_EQ(s, STATUS_OBJECT_NAME_NOT_FOUND);              /* gone for the transaction */
    CHECK_EQ(EmuSetCurrentTransaction(0), STATUS_SUCCESS);
    outside = TxOpen(v, "\\d.txt", GENERIC_READ, &s);
    CHECK_EQ(s, STATUS_SUCCESS);                             /* not outside it, until the commit */
    CHECK_EQ(EmuSetCurrentTransaction((uint64_t)(uintptr_t)r), STATUS_SUCCESS);
    h = TxOpen(v, "\\s.txt", GENERIC_READ | DELETE, &s);
    CHECK_EQ(EmuFileDelete(h), STATUS_SUCCESS);
    EmuFileClose(h);
    CHECK_EQ(EmuSetCurrentTransaction(0), STATUS_SUCCESS);
    CHECK_EQ(EmuTransactionEnd(r, 0), STATUS_SUCCESS);
    CHECK_EQ(EmuFsExists(v, "\\s.txt"), 1);                /* a rollback keeps it */

    TXN_PARAMETER_BLOCK block = { sizeof(TXN_PARAMETER_BLOCK), TXF_MINIVERSION_DEFAULT_VIEW, t };
    IO_DRIVER_CREATE_CONTEXT dc;
    IoInitializeDriverCreateContext(&dc);
    dc.TxnParameters = &block;
    UNICODE_STRING name = RTL_CONSTANT_STRING(L"\\Device\\HarddiskVolume1\\t.txt");
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, &name, OBJ_KERNEL_HANDLE, NULL, NULL);
    IO_STATUS_BLOCK iosb;
    HANDLE kh = NULL;
    PFILE_OBJECT fo = NULL;
    CHECK_EQ(FltCreateFileEx2(g_txFilter, g_txInstance[v], &kh, &fo, FILE_READ_DATA, &oa, &iosb, NULL, 0, FILE_SHARE_VALID_FLAGS, FILE_OPEN, 0, NULL, 0, 0, &dc),
             STATUS_SUCCESS);
    PTXN_PARAMETER_BLOCK got = fo != NULL ? IoGetTransactionParameterBlock(fo) : NULL;
    CHECK(got != NULL && got->TransactionObject == t);
    (void)TxOpen(v, "\\t.txt", GENERIC_WRITE, &s);
    CHECK_EQ(s, STATUS_TRANSACTIONAL_CONFLICT);              /* a transacted reader blocks non-transacted writers */
    ObDereferenceObject(fo);
    FltClose(kh);
    CHECK_EQ(EmuFsExists(v, "\\d.txt"), 1);
    CHECK_EQ(EmuTransactionEnd(t, 1), STATUS_SUCCESS);
    CHECK_EQ(EmuFsExists(v, "\\d.txt"), 0);                /* the commit deletes it */
    char b[8];
    uint32_t n = 0;
    CHECK_EQ(EmuFileRead(outside, 0, b, sizeof(b), &n), STATUS_FILE_DELETED);
    EmuFileClose(outside);
    CHECK_EQ(EmuUnloadFilter(g_txFilter), STATUS_SUCCESS);
    CHECK_EQ(EmuViolationCount(), 0);
}

/* ---- file contexts ---- */

/* Not before the file exists (pre-create); shared by every file object of the file; gone with its last one. */
static void test_file_contexts(void)
{
    int v = TxStart(1);
    g_setFileContext = 1;
    NTSTATUS s;
    uint64_t a = TOpen(v, "\\f.txt", GENERIC_READ | GENERIC_WRITE, FILE_OVERWRITE_IF, &s, NULL);
    CHECK_EQ(g_preCreateFileContext, STATUS_NOT_SUPPORTED);
    uint64_t b = TOpen(v, "\\f.txt", GENERIC_READ, FILE_OPEN, &s, NULL);
    CHECK_EQ(g_cleanups[1], 1);                 /* the second open's context was not set (KEEP_IF_EXISTS) */
    EMU_FILE *fa = EmuFileFromHandle((HANDLE)(ULONG_PTR)a, NULL), *fb = EmuFileFromHandle((HANDLE)(ULONG_PTR)b, NULL);
    PFLT_CONTEXT ca = NULL, cb = NULL;
    CHECK_EQ(FltGetFileContext(g_txInstance[v], &fa->Fo, &ca), STATUS_SUCCESS);
    CHECK_EQ(FltGetFileContext(g_txInstance[v], &fb->Fo, &cb), STATUS_SUCCESS);
    CHECK(ca != NULL && ca == cb);
    CHECK(FltSupportsFileContexts(&fa->Fo));
    FltReleaseContext(ca);
    FltReleaseContext(cb);
    EmuFileClose(a);
    CHECK_EQ(g_cleanups[1], 1);                 /* b still holds the file open */
    EmuFileClose(b);
    CHECK_EQ(g_cleanups[1], 2);
    CHECK_EQ(EmuUnloadFilter(g_txFilter), STATUS_SUCCESS);
    CHECK_EQ(EmuViolationCount(), 0);
}

/* ---- FltFsControlFile, STATUS_FILE_DELETED ---- */
static int g_fsctlSeen[2];
static ULONG g_fsctlCode;
static PFLT_FILTER g_rec[2];
static FLT_PREOP_CALLBACK_STATUS FLTAPI RecPre(PFLT_CALLBACK_DATA Data, PCFLT_RELATED_OBJECTS Objects, PVOID *Context)
{
    (void)Context;
    g_fsctlSeen[Objects->Filter == g_rec[1]]++;
    g_fsctlCode = Data->Iopb->Parameters.FileSystemControl.Common.FsControlCode;
    return FLT_PREOP_SUCCESS_NO_CALLBACK;
}
static const FLT_OPERATION_REGISTRATION g_recOps[] = { { IRP_MJ_FILE_SYSTEM_CONTROL, 0, RecPre, NULL, NULL }, { IRP_MJ_OPERATION_END, 0, NULL, NULL, NULL } };
static DRIVER_OBJECT g_recDrivers[2];

/* TX's post-cleanup asks the file system about the file it cleans up: a live file has no object id
 * (STATUS_OBJECTID_NOT_FOUND), a file deleted by that cleanup answers STATUS_FILE_DELETED, to
 * FltQueryInformationFile too. The FSCTL goes to the filter below TX, not to the one above. */
static void test_fs_control_and_deleted_file(void)
{
    FLT_REGISTRATION reg = { sizeof(FLT_REGISTRATION), FLT_REGISTRATION_VERSION, 0, NULL, g_recOps, NULL, NULL,
                             NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL };
    const char *alt[2] = { "100000", "400000" };
    for (int i = 0; i < 2; i++) {
        EmuSetNextAltitude(alt[i]);
        CHECK_EQ(FltRegisterFilter(&g_recDrivers[i], &reg, &g_rec[i]), STATUS_SUCCESS);
        CHECK_EQ(FltStartFiltering(g_rec[i]), STATUS_SUCCESS);
    }
    g_fsctlSeen[0] = g_fsctlSeen[1] = 0;
    int v = TxStart(1);
    NTSTATUS s;
    uint64_t h = TOpen(v, "\\kept.txt", GENERIC_READ | GENERIC_WRITE, FILE_OVERWRITE_IF, &s, NULL);
    EmuFileClose(h);
    CHECK_EQ(g_postCleanupQuery, STATUS_SUCCESS);
    CHECK_EQ(g_postCleanupFsctl, STATUS_OBJECTID_NOT_FOUND);
    CHECK_EQ(g_fsctlSeen[0], 1);                /* below TX */
    CHECK_EQ(g_fsctlSeen[1], 0);                /* above TX: not sent there */
    CHECK_EQ(g_fsctlCode, FSCTL_GET_OBJECT_ID);

    uint64_t info = 0;
    CHECK_EQ(EmuFileOpen(v, "\\gone.txt", DELETE | GENERIC_WRITE, 7, FILE_OVERWRITE_IF, FILE_NON_DIRECTORY_FILE | FILE_DELETE_ON_CLOSE, 0, &h, &info),
             STATUS_SUCCESS);
    EmuFileClose(h);
    CHECK_EQ(EmuFsExists(v, "\\gone.txt"), 0);
    CHECK_EQ(g_postCleanupQuery, STATUS_FILE_DELETED);
    CHECK_EQ(g_postCleanupFsctl, STATUS_FILE_DELETED);

    /* The caller's side: PASSIVE_LEVEL only; Instance and FileObject required. */
    EMU_FILE *f = NULL;
    h = TOpen(v, "\\kept.txt", GENERIC_READ, FILE_OPEN, &s, NULL);
    f = EmuFileFromHandle((HANDLE)(ULONG_PTR)h, NULL);
    FILE_OBJECTID_BUFFER id;
    CHECK_EQ(FltFsControlFile(g_txInstance[v], &f->Fo, FSCTL_GET_OBJECT_ID, NULL, 0, &id, 8, NULL), STATUS_INVALID_PARAMETER);
    EmuSetIrql(APC_LEVEL);
    CHECK_EQ(FltFsControlFile(g_txInstance[v], &f->Fo, FSCTL_GET_OBJECT_ID, NULL, 0, &id, sizeof(id), NULL), STATUS_INVALID_DEVICE_STATE);
    EmuSetIrql(PASSIVE_LEVEL);
    CHECK_VIOLATION("FltFsControlFile called at APC_LEVEL");
    CHECK_EQ(FltFsControlFile(NULL, &f->Fo, FSCTL_GET_OBJECT_ID, NULL, 0, &id, sizeof(id), NULL), STATUS_INVALID_PARAMETER);
    CHECK_VIOLATION("FltFsControlFile");
    EmuFileClose(h);
    CHECK_EQ(EmuUnloadFilter(g_txFilter), STATUS_SUCCESS);
    for (int i = 0; i < 2; i++) {
        FltUnregisterFilter(g_rec[i]);
    }
}

/* FileIdInformation carries the 64-bit file id FileInternalInformation gives, in the low half. */
static void test_file_id_information(void)
{
    int v = TxStart(1);
    NTSTATUS s;
    uint64_t h = TOpen(v, "\\id.txt", GENERIC_READ | GENERIC_WRITE, FILE_OVERWRITE_IF, &s, NULL);
    EMU_FILE *f = EmuFileFromHandle((HANDLE)(ULONG_PTR)h, NULL);
    FILE_INTERNAL_INFORMATION in;
    FILE_ID_INFORMATION id;
    memset(&id, 0xcc, sizeof(id));
    CHECK_EQ(FltQueryInformationFile(g_txInstance[v], &f->Fo, &in, sizeof(in), FileInternalInformation, NULL), STATUS_SUCCESS);
    CHECK_EQ(FltQueryInformationFile(g_txInstance[v], &f->Fo, &id, sizeof(id), FileIdInformation, NULL), STATUS_SUCCESS);
    uint64_t low;
    memcpy(&low, id.FileId.Identifier, 8);
    CHECK(in.IndexNumber.QuadPart != FILE_INVALID_FILE_ID && (uint64_t)in.IndexNumber.QuadPart == low);
    for (int i = 8; i < 16; i++) {
        CHECK_EQ(id.FileId.Identifier[i], 0);
    }
    CHECK_EQ(id.VolumeSerialNumber, (ULONGLONG)v);
    EmuFileClose(h);
    CHECK_EQ(EmuUnloadFilter(g_txFilter), STATUS_SUCCESS);
}

/* ---- FltGetVolumeGuidName ---- */
static void test_volume_guid_name(void)
{
    int v1 = EmuCreateVolume("\\Device\\HarddiskVolume1", 4, 0), v2 = EmuCreateVolume("\\Device\\HarddiskVolume2", 4, 0);
    int net = EmuCreateVolume("\\Device\\Mup", 4, EMU_VOLUME_NETWORK);
    ULONG need = 0;
    WCHAR small[10], big[64];
    UNICODE_STRING s = { 0, sizeof(small), small }, b = { 0, sizeof(big), big };
    CHECK_EQ(FltGetVolumeGuidName(EmuVolumeById(v1), NULL, &need), STATUS_BUFFER_TOO_SMALL);
    CHECK_EQ(need, 96);
    need = 0;
    CHECK_EQ(FltGetVolumeGuidName(EmuVolumeById(v1), &s, &need), STATUS_BUFFER_TOO_SMALL);
    CHECK_EQ(need, 96);
    CHECK_EQ(FltGetVolumeGuidName(EmuVolumeById(v1), &b, NULL), STATUS_SUCCESS);
    char one[80], two[80];
    EmuWideToUtf8(b.Buffer, b.Length / 2, one, sizeof(one));
    CHECK_EQ(b.Length, 96);
    CHECK(strncmp(one, "\\??\\Volume{", 11) == 0 && one[47] == '}' && one[19] == '-' && one[24] == '-' && one[29] == '-' && one[34] == '-');
    CHECK_EQ(FltGetVolumeGuidName(EmuVolumeById(v2), &b, NULL), STATUS_SUCCESS);
    EmuWideToUtf8(b.Buffer, b.Length / 2, two, sizeof(two));
    CHECK(strcmp(one, two) != 0);
    CHECK_EQ(FltGetVolumeGuidName(EmuVolumeById(net), &b, NULL), STATUS_INVALID_DEVICE_REQUEST);
    CHECK_EQ(EmuViolationCount(), 0);
    CHECK_EQ(FltGetVolumeGuidName(EmuVolumeById(v1), NULL, NULL), STATUS_INVALID_PARAMETER);
    CHECK_VIOLATION("FltGetVolumeGuidName: VolumeGuidName and BufferSizeNeeded both NULL");
    EmuSetIrql(APC_LEVEL);
    (void)FltGetVolumeGuidName(EmuVolumeById(v1), &b, NULL);
    EmuSetIrql(PASSIVE_LEVEL);
    CHECK_VIOLATION("FltGetVolumeGuidName called at APC_LEVEL");
}

/* ---- FltAcquireResource* ---- */
static void test_flt_resources(void)
{
    ERESOURCE *r = ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(ERESOURCE), 'seRT');
    ExInitializeResourceLite(r);
    CHECK(!KeAreApcsDisabled());
    FltAcquireResourceExclusive(r);
    CHECK(KeAreApcsDisabled());                 /* normal kernel APCs disabled while held */
    CHECK(ExIsResourceAcquiredExclusiveLite(r));
    FltReleaseResource(r);
    CHECK(!KeAreApcsDisabled());
    CHECK(!ExIsResourceAcquiredExclusiveLite(r));
    FltAcquireResourceShared(r);
    CHECK(KeAreApcsDisabled());
    CHECK_EQ(ExIsResourceAcquiredSharedLite(r), 1);
    FltReleaseResource(r);
    CHECK(!KeAreApcsDisabled());
    CHECK_EQ(EmuViolationCount(), 0);
    EmuSetIrql(DISPATCH_LEVEL);
    FltAcquireResourceExclusive(r);
    EmuSetIrql(PASSIVE_LEVEL);
    CHECK_VIOLATION("FltAcquireResourceExclusive called at DISPATCH_LEVEL");
    FltReleaseResource(r);
    ExDeleteResourceLite(r);
    ExFreePoolWithTag(r, 'seRT');
}

/* ---- DbgPrint lines ---- */
static void test_dbgprint_lines(void)
{
    char line[256];
    DbgPrint("part one, ");
    CHECK_EQ(EmuDbgPrintLineCount(), 0);        /* no line until its '\n' */
    DbgPrintEx(0, 0, "id %I64x,%I64x ", 0ULL, 0x1234ULL);
    DbgPrint("%ws\nsecond %d\n", L"end", -5);
    CHECK_EQ(EmuDbgPrintLineCount(), 2);
    CHECK(EmuDbgPrintLineText(0, line, sizeof(line)) > 0 && strcmp(line, "part one, id 0,1234 end") == 0);
    CHECK(EmuDbgPrintLineText(1, line, sizeof(line)) > 0 && strcmp(line, "second -5") == 0);
    CHECK_EQ(EmuDbgPrintLineText(2, line, sizeof(line)), -1);
    for (int i = 0; i < 1030; i++) {
        DbgPrint("line %d\n", i);
    }
    CHECK_EQ(EmuDbgPrintLineCount(), 1024);     /* the last 1024 kept, oldest first */
    CHECK(EmuDbgPrintLineText(0, line, sizeof(line)) > 0 && strcmp(line, "line 6") == 0);
    CHECK(EmuDbgPrintLineText(1023, line, sizeof(line)) > 0 && strcmp(line, "line 1029") == 0);
    EmuDbgPrintClear();
    CHECK_EQ(EmuDbgPrintLineCount(), 0);
}

/* ---- GetExceptionInformation (minispy's exception filter reads ExceptionRecord->ExceptionCode) ---- */
static LONG g_filterSaw;
static LONG FilterReadsRecord(PEXCEPTION_POINTERS p)
{
    g_filterSaw = p != NULL && p->ExceptionRecord != NULL ? p->ExceptionRecord->ExceptionCode : 0;
    return EXCEPTION_EXECUTE_HANDLER;
}

static void test_exception_information(void)
{
    volatile NTSTATUS caught = 0;
    g_filterSaw = 0;
    __try {
        ExRaiseStatus(STATUS_INVALID_PARAMETER_3);
    } __except (FilterReadsRecord(GetExceptionInformation())) {
        caught = GetExceptionCode();
    }
    CHECK_EQ(g_filterSaw, STATUS_INVALID_PARAMETER_3);
    CHECK_EQ(caught, STATUS_INVALID_PARAMETER_3);
}

const TEST_CASE g_txnTests[] = {
    { "txn: transaction contexts, enlisting as documented, the commit delivered at PASSIVE_LEVEL, contexts gone with the transaction", test_transaction_context_and_commit },
    { "txn: a commit's phases in order to every enlistment, a rollback is ROLLBACK only", test_transaction_phases_and_rollback },
    { "txn: Transaction and TransactionContext are required; no notification callback: STATUS_INVALID_PARAMETER", test_transaction_misuse },
    { "txn: a transaction context never released is a context leak at unload", test_transaction_context_leak },
    { "txn: instance teardown drops its enlistments and transaction contexts", test_transaction_instance_teardown },
    { "txn: an open outside a transaction is not transacted (FltObjects->Transaction, IoGetTransactionParameterBlock NULL)", test_no_open_is_transacted },
    { "txn: ObOpenObjectByPointer + ZwQueryInformationTransaction give the outcome; access checked; handles leak-checked", test_query_transaction },
    { "txn: a transacted writer: filters see the transaction, its changes isolated until the commit, writers outside blocked", test_transacted_open_commit },
    { "txn: a rollback leaves the file as it was; a transacted handle is spent once its transaction ended", test_transacted_open_rollback },
    { "txn: creating in a transaction is not emulated; a delete in one is isolated until the commit; FltCreateFileEx2's TxnParameters", test_transacted_open_limits_and_kernel_open },
    { "txn: file contexts: not in pre-create, one per file, gone with its last file object", test_file_contexts },
    { "txn: FltFsControlFile goes below the caller; FSCTL_GET_OBJECT_ID and queries answer STATUS_FILE_DELETED after the delete", test_fs_control_and_deleted_file },
    { "txn: FileIdInformation holds FileInternalInformation's id", test_file_id_information },
    { "txn: FltGetVolumeGuidName: \\??\\Volume{GUID}, STATUS_BUFFER_TOO_SMALL with the size, not for network volumes", test_volume_guid_name },
    { "txn: FltAcquireResourceExclusive/Shared disable normal kernel APCs until FltReleaseResource", test_flt_resources },
    { "txn: DbgPrint output kept as lines (%I64x, %ws), the last 1024", test_dbgprint_lines },
    { "txn: GetExceptionInformation() gives the filter the exception's record", test_exception_information },
};
const size_t g_txnTestsCount = sizeof(g_txnTests) / sizeof(g_txnTests[0]);
