/*
 * emu_txn.c - transactions as a minifilter meets them (KTM and TxF through the
 * filter manager), minimally:
 *
 *  - a process opens a file in a transaction after EmuSetCurrentTransaction
 *    (as RtlSetCurrentTransaction makes NtCreateFile transacted), a filter
 *    with FltCreateFileEx2's DriverContext->TxnParameters: the file object
 *    references the transaction, IoGetTransactionParameterBlock returns its
 *    block, and every operation on it has FltObjects->Transaction; the file
 *    system's Transactional NTFS rules (locks, views, the outcome) are in
 *    emu_fs.c; files opened outside a transaction are not transacted;
 *  - transaction objects (EmuTransactionBegin/Commit/Rollback, or
 *    EmuTransactionCreate/End for tests) serve the filter manager's
 *    transaction routines as documented: FltEnlistInTransaction, FltSet/Get/DeleteTransactionContext
 *    (emu_context.c), the outcome delivered to the enlisted filters'
 *    TransactionNotificationCallback when the transaction ends, and
 *    ObOpenObjectByPointer / ZwQueryInformationTransaction / ZwClose on it;
 *  - contexts on a transaction are removed when it ends (a filter's
 *    transaction context may hold a reference on the transaction object, so
 *    they cannot wait for the object to go) and when their instance is torn
 *    down; enlistments hold a reference on their context and go with the
 *    transaction or the instance. Leaks are caught like other contexts'.
 *
 * IRQL: the notifications are delivered at PASSIVE_LEVEL; the routines check
 * their documented maximum.
 */
#include "emu_internal.h"

typedef struct EMU_ENLISTMENT {
    PFLT_INSTANCE Instance;
    PFLT_CONTEXT Context;               /* referenced while enlisted */
    NOTIFICATION_MASK Mask;
    struct EMU_ENLISTMENT *Next;
} EMU_ENLISTMENT;

struct _KTRANSACTION {
    GUID Id;
    ULONG State;                        /* TRANSACTION_STATE */
    ULONG Outcome;                      /* TRANSACTION_OUTCOME */
    int Ending;                         /* EmuTransactionEnd delivering the outcome */
    EMU_NODE **Locked;                  /* files whose transaction lock it holds (TxF) */
    int LockedCount, LockedCapacity;
    void *Contexts[EMU_MAX_CTX_SLOTS];  /* EMU_CONTEXT* per filter slot */
    EMU_ENLISTMENT *Enlistments;        /* in enlistment order */
};

typedef struct EMU_TXN_BOX {
    EMU_OBJ Hdr;                        /* directly precedes T: an Ob object */
    struct _KTRANSACTION T;
    LIST_ENTRY Link;
} EMU_TXN_BOX;

static LIST_ENTRY g_transactions = { &g_transactions, &g_transactions };
static ULONG g_nextTransaction = 1;

static struct _OBJECT_TYPE { int Dummy; } g_transactionType;
static POBJECT_TYPE g_transactionTypePtr = &g_transactionType;
POBJECT_TYPE *TmTransactionObjectType = &g_transactionTypePtr;

/* Kernel handles to transactions (ObOpenObjectByPointer), closed by ZwClose. */
#define EMU_TXN_HANDLE_BASE 0x3A700000u   /* apart from file (bit 31 / below 4096), thread (bit 30) and registry handles */
#define EMU_TXN_HANDLES 64
typedef struct EMU_TXN_HANDLE { PKTRANSACTION Transaction; ACCESS_MASK Access; } EMU_TXN_HANDLE;
static EMU_TXN_HANDLE g_txnHandles[EMU_TXN_HANDLES];

PKTRANSACTION EmuTransactionCreate(void)
{
    EMU_TXN_BOX *b = calloc(1, sizeof(*b));
    EmuLock();
    ULONG n = g_nextTransaction++;
    EmuUnlock();
    char name[64];
    snprintf(name, sizeof(name), "transaction %u", (unsigned)n);
    EmuObjInit(&b->Hdr, EMU_OBJ_TRANSACTION, name);
    b->Hdr.Refs = 1;                    /* the emulator's own, until the reset */
    b->T.Id.Data1 = 0x7a7a0000u | n;
    b->T.Id.Data2 = 0x4a4d;             /* "JM" */
    b->T.Id.Data3 = 0x4654;             /* "FT" */
    b->T.State = TransactionStateNormal;
    b->T.Outcome = TransactionOutcomeUndetermined;
    EmuLock();
    InsertTailList(&g_transactions, &b->Link);
    EmuUnlock();
    return &b->T;
}

int EmuIsTransaction(PVOID p)
{
    EMU_OBJ *h = EmuObFromPointer(p);
    return h != NULL && h->Type == EMU_OBJ_TRANSACTION;
}

int EmuTransactionActive(PKTRANSACTION t)
{
    EmuLock();
    int active = t->Outcome == TransactionOutcomeUndetermined;
    EmuUnlock();
    return active;
}

void **EmuTransactionContextSlot(PKTRANSACTION transaction, PFLT_FILTER filter)
{
    return EmuIsTransaction(transaction) ? &transaction->Contexts[filter->Slot] : NULL;
}

/*
 * FltEnlistInTransaction (IRQL <= APC_LEVEL): the instance's filter is told
 * the transaction's outcome through its TransactionNotificationCallback, with
 * TransactionContext (referenced until the transaction ends). Instance,
 * Transaction and TransactionContext are required: anything else is a
 * violation. Documented failures: STATUS_FLT_ALREADY_ENLISTED,
 * STATUS_FLT_DELETING_OBJECT, STATUS_INVALID_PARAMETER (no
 * TransactionNotificationCallback registered), STATUS_INVALID_PARAMETER_4
 * (NotificationMask zero or with bits outside FLT_MAX_TRANSACTION_NOTIFICATIONS).
 */
NTSTATUS FltEnlistInTransaction(PFLT_INSTANCE Instance, PKTRANSACTION Transaction, PFLT_CONTEXT TransactionContext, NOTIFICATION_MASK NotificationMask)
{
    EmuRequireIrql("FltEnlistInTransaction", APC_LEVEL);
    if (!EmuIsInstance(Instance)) {
        EmuViolation("FltEnlistInTransaction(%p): not an instance", (void *)Instance);
        return STATUS_INVALID_PARAMETER;
    }
    if (!EmuIsTransaction(Transaction)) {
        EmuViolation("FltEnlistInTransaction(%p): not a transaction (FltObjects->Transaction is NULL outside a transaction)",
                     (void *)Transaction);
        return STATUS_INVALID_PARAMETER;
    }
    if (!EmuContextIs(TransactionContext, FLT_TRANSACTION_CONTEXT, Instance->Filter)) {
        EmuViolation("FltEnlistInTransaction(%p): TransactionContext is required and must be a transaction context %s allocated",
                     TransactionContext, Instance->Filter->Hdr.Name);
        return STATUS_INVALID_PARAMETER;
    }
    if (NotificationMask == 0 || (NotificationMask & ~(NOTIFICATION_MASK)FLT_MAX_TRANSACTION_NOTIFICATIONS) != 0) {
        return STATUS_INVALID_PARAMETER_4;
    }
    if (Instance->Filter->Registration.TransactionNotificationCallback == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    if (EmuInstanceTearingDown(Instance)) {
        return STATUS_FLT_DELETING_OBJECT;
    }
    EMU_ENLISTMENT *n = calloc(1, sizeof(*n));
    if (n == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    EmuLock();
    if (Transaction->Outcome != TransactionOutcomeUndetermined) {
        EmuUnlock();
        free(n);
        return STATUS_TRANSACTION_NOT_ACTIVE;
    }
    EMU_ENLISTMENT **pp = &Transaction->Enlistments;
    for (; *pp != NULL; pp = &(*pp)->Next) {
        if ((*pp)->Instance == Instance) {
            EmuUnlock();
            free(n);
            return STATUS_FLT_ALREADY_ENLISTED;
        }
    }
    n->Instance = Instance;
    n->Context = TransactionContext;
    n->Mask = NotificationMask;
    *pp = n;
    EmuUnlock();
    FltReferenceContext(TransactionContext);
    return STATUS_SUCCESS;
}

/* Removes (and returns) the first enlistment matching instance (NULL: any), or NULL. */
static EMU_ENLISTMENT *EmuTakeEnlistment(PKTRANSACTION t, PFLT_INSTANCE instance)
{
    EmuLock();
    for (EMU_ENLISTMENT **pp = &t->Enlistments; *pp != NULL; pp = &(*pp)->Next) {
        if (instance == NULL || (*pp)->Instance == instance) {
            EMU_ENLISTMENT *e = *pp;
            *pp = e->Next;
            EmuUnlock();
            return e;
        }
    }
    EmuUnlock();
    return NULL;
}

static void EmuDropEnlistment(EMU_ENLISTMENT *e)
{
    FltReleaseContext(e->Context);
    free(e);
}

static void EmuTxfOutcome(PKTRANSACTION t, int commit);

/* One notification to every enlistment that asked for it, in enlistment order. */
static void EmuNotify(PKTRANSACTION t, ULONG notification)
{
    for (int i = 0;; i++) {
        EMU_ENLISTMENT *e;
        EmuLock();
        e = t->Enlistments;
        for (int k = 0; e != NULL && k < i; k++) {
            e = e->Next;
        }
        PFLT_INSTANCE inst = e != NULL ? e->Instance : NULL;
        PFLT_CONTEXT ctx = e != NULL ? e->Context : NULL;
        int wanted = e != NULL && (e->Mask & notification) != 0;
        EmuUnlock();
        if (e == NULL) {
            return;
        }
        if (!wanted) {
            continue;
        }
        FLT_RELATED_OBJECTS objs = { sizeof(FLT_RELATED_OBJECTS), 0, inst->Filter, inst->Volume, inst, NULL, t };
        KIRQL saved = KeGetCurrentIrql();
        EmuSetIrql(PASSIVE_LEVEL);
        NTSTATUS s = inst->Filter->Registration.TransactionNotificationCallback(&objs, ctx, notification);
        KIRQL now = KeGetCurrentIrql();
        EmuSetIrql(saved);
        if (now != PASSIVE_LEVEL) {
            EmuViolation("the transaction notification callback of %s returned at IRQL %u, entered at PASSIVE_LEVEL", inst->Filter->Hdr.Name, now);
        }
        if (s == STATUS_PENDING) {
            /* Documented (the filter then calls FltCommitComplete, ...), but not emulated. */
            EmuViolation("the transaction notification callback of %s returned STATUS_PENDING for notification 0x%x: "
                         "completing a notification later (FltCommitComplete, FltRollbackComplete, ...) is not emulated",
                         inst->Filter->Hdr.Name, (unsigned)notification);
        }
    }
}

NTSTATUS EmuTransactionEnd(PKTRANSACTION t, int commit)
{
    if (!EmuIsTransaction(t)) {
        return STATUS_INVALID_PARAMETER;
    }
    EmuLock();
    if (t->Outcome != TransactionOutcomeUndetermined || t->Ending) {
        EmuUnlock();
        return STATUS_TRANSACTION_NOT_ACTIVE;
    }
    t->Ending = 1;
    EmuUnlock();
    if (commit) {
        /* TxF commits its part during the COMMIT phase; COMMIT_FINALIZE comes once every resource manager has. */
        EmuNotify(t, TRANSACTION_NOTIFY_PREPREPARE);
        EmuNotify(t, TRANSACTION_NOTIFY_PREPARE);
        EmuNotify(t, TRANSACTION_NOTIFY_COMMIT);
        EmuTxfOutcome(t, 1);
        EmuNotify(t, TRANSACTION_NOTIFY_COMMIT_FINALIZE);
    } else {
        EmuTxfOutcome(t, 0);
        EmuNotify(t, TRANSACTION_NOTIFY_ROLLBACK);
    }
    EmuLock();
    t->Outcome = commit ? TransactionOutcomeCommitted : TransactionOutcomeAborted;
    if (commit) {
        t->State = TransactionStateCommittedNotify;  /* committed, the notifications sent */
    }
    EmuUnlock();
    for (EMU_ENLISTMENT *e; (e = EmuTakeEnlistment(t, NULL)) != NULL;) {
        EmuDropEnlistment(e);
    }
    EmuContextsOnTransactionEnd(t->Contexts);
    return STATUS_SUCCESS;
}

void EmuTransactionsOnInstanceTeardown(PFLT_INSTANCE instance)
{
    for (;;) {
        EMU_ENLISTMENT *found = NULL;
        EmuLock();
        PLIST_ENTRY e = g_transactions.Flink;
        EmuUnlock();
        for (; e != &g_transactions && found == NULL; e = e->Flink) {
            found = EmuTakeEnlistment(&CONTAINING_RECORD(e, EMU_TXN_BOX, Link)->T, instance);
        }
        if (found == NULL) {
            return;
        }
        EmuDropEnlistment(found);
    }
}

/* IoGetTransactionParameterBlock (any IRQL): the block of a file object opened in a transaction, else NULL. */
PTXN_PARAMETER_BLOCK IoGetTransactionParameterBlock(PFILE_OBJECT FileObject)
{
    if (!EmuIsFileObject(FileObject)) {
        EmuViolation("IoGetTransactionParameterBlock(%p): not a file object", (void *)FileObject);
        return NULL;
    }
    EMU_FILE *f = EMU_FILE_FROM_FO(FileObject);
    return f->Transaction != NULL ? &f->TxnBlock : NULL;
}

/* ---- transacted opens (the I/O manager's side; the file system's is in emu_fs.c) ---- */
static __thread PKTRANSACTION t_currentTransaction;

/* NULL once the transaction is gone (EmuReset). */
PKTRANSACTION EmuCurrentTransaction(void)
{
    return t_currentTransaction != NULL && EmuIsTransaction(t_currentTransaction) ? t_currentTransaction : NULL;
}

/* The file object takes a reference on its transaction for its life (dropped with transaction NULL). */
void EmuFileSetTransaction(EMU_FILE *file, PKTRANSACTION transaction)
{
    EmuLock();
    if (file->Transaction != NULL) {
        CONTAINING_RECORD(file->Transaction, EMU_TXN_BOX, T)->Hdr.Refs--;
    }
    file->Transaction = transaction;
    if (transaction != NULL) {
        CONTAINING_RECORD(transaction, EMU_TXN_BOX, T)->Hdr.Refs++;
        file->TxnBlock.Length = (USHORT)sizeof(TXN_PARAMETER_BLOCK);
        file->TxnBlock.TxFsContext = TXF_MINIVERSION_DEFAULT_VIEW;
        file->TxnBlock.TransactionObject = transaction;
    }
    EmuUnlock();
}

/* Lock held. */
void EmuTransactionLockNode(PKTRANSACTION t, EMU_NODE *node)
{
    if (t->LockedCount == t->LockedCapacity) {
        t->LockedCapacity = t->LockedCapacity ? t->LockedCapacity * 2 : 8;
        t->Locked = realloc(t->Locked, (size_t)t->LockedCapacity * sizeof(*t->Locked));
    }
    t->Locked[t->LockedCount++] = node;
}

/* The file system's part of the outcome: the locked files get the transaction's view (commit) or keep theirs. */
static void EmuTxfOutcome(PKTRANSACTION t, int commit)
{
    EmuLock();
    EmuFsTransactionEnd(t->Locked, t->LockedCount, commit);
    free(t->Locked);
    t->Locked = NULL;
    t->LockedCount = t->LockedCapacity = 0;
    EmuUnlock();
}

/* ---- control API: transactions and transacted opens (jmf_emu.h) ---- */
int32_t EmuTransactionBegin(uint64_t *transaction)
{
    if (transaction == NULL) {
        return (int32_t)STATUS_INVALID_PARAMETER;
    }
    *transaction = (uint64_t)(uintptr_t)EmuTransactionCreate();
    return STATUS_SUCCESS;
}

static PKTRANSACTION EmuTransactionFromId(uint64_t id)
{
    PKTRANSACTION t = (PKTRANSACTION)(uintptr_t)id;
    return id != 0 && EmuIsTransaction(t) ? t : NULL;
}

int32_t EmuSetCurrentTransaction(uint64_t transaction)
{
    PKTRANSACTION t = EmuTransactionFromId(transaction);
    if (transaction != 0 && t == NULL) {
        return (int32_t)STATUS_INVALID_PARAMETER;
    }
    t_currentTransaction = t;
    return STATUS_SUCCESS;
}

int32_t EmuTransactionCommit(uint64_t transaction)
{
    PKTRANSACTION t = EmuTransactionFromId(transaction);
    return t != NULL ? (int32_t)EmuTransactionEnd(t, 1) : (int32_t)STATUS_INVALID_PARAMETER;
}

int32_t EmuTransactionRollback(uint64_t transaction)
{
    PKTRANSACTION t = EmuTransactionFromId(transaction);
    return t != NULL ? (int32_t)EmuTransactionEnd(t, 0) : (int32_t)STATUS_INVALID_PARAMETER;
}

/* ---- handles to transactions ---- */
int EmuIsTransactionHandle(HANDLE h)
{
    uintptr_t v = (uintptr_t)h;
    return v >= EMU_TXN_HANDLE_BASE && v < EMU_TXN_HANDLE_BASE + EMU_TXN_HANDLES * 4 && (v - EMU_TXN_HANDLE_BASE) % 4 == 0;
}

static EMU_TXN_HANDLE *EmuTxnHandle(HANDLE h)
{
    if (!EmuIsTransactionHandle(h)) {
        return NULL;
    }
    EMU_TXN_HANDLE *e = &g_txnHandles[((uintptr_t)h - EMU_TXN_HANDLE_BASE) / 4];
    return e->Transaction != NULL ? e : NULL;
}

/* Called by ObOpenObjectByPointer for a transaction object (emu_core.c). */
NTSTATUS EmuTransactionOpenHandle(PKTRANSACTION t, ACCESS_MASK access, PHANDLE handle)
{
    EmuLock();
    for (int i = 0; i < EMU_TXN_HANDLES; i++) {
        if (g_txnHandles[i].Transaction == NULL) {
            g_txnHandles[i].Transaction = t;
            g_txnHandles[i].Access = access;
            CONTAINING_RECORD(t, EMU_TXN_BOX, T)->Hdr.Refs++;     /* the handle's reference */
            EmuUnlock();
            *handle = (HANDLE)(uintptr_t)(EMU_TXN_HANDLE_BASE + (uintptr_t)i * 4);
            return STATUS_SUCCESS;
        }
    }
    EmuUnlock();
    return STATUS_INSUFFICIENT_RESOURCES;
}

NTSTATUS EmuTransactionCloseHandle(HANDLE h)
{
    EmuLock();
    EMU_TXN_HANDLE *e = EmuTxnHandle(h);
    if (e == NULL) {
        EmuUnlock();
        EmuViolation("ZwClose(%p): not an open transaction handle", (void *)h);
        return STATUS_INVALID_HANDLE;
    }
    CONTAINING_RECORD(e->Transaction, EMU_TXN_BOX, T)->Hdr.Refs--;
    e->Transaction = NULL;
    EmuUnlock();
    return STATUS_SUCCESS;
}

/*
 * ZwQueryInformationTransaction (PASSIVE_LEVEL): TransactionBasicInformation
 * (the handle needs TRANSACTION_QUERY_INFORMATION) gives the id, state and
 * outcome; the other classes are not emulated (STATUS_INVALID_INFO_CLASS).
 */
NTSTATUS ZwQueryInformationTransaction(HANDLE TransactionHandle, TRANSACTION_INFORMATION_CLASS TransactionInformationClass,
                                       PVOID TransactionInformation, ULONG TransactionInformationLength, PULONG ReturnLength)
{
    if (!EmuRequireIrql("ZwQueryInformationTransaction", PASSIVE_LEVEL)) {
        return STATUS_INVALID_DEVICE_STATE;
    }
    EmuLock();
    EMU_TXN_HANDLE *e = EmuTxnHandle(TransactionHandle);
    if (e == NULL) {
        EmuUnlock();
        EmuViolation("ZwQueryInformationTransaction(%p): not an open transaction handle", (void *)TransactionHandle);
        return STATUS_INVALID_HANDLE;
    }
    if (TransactionInformationClass != TransactionBasicInformation) {
        EmuUnlock();
        return STATUS_INVALID_INFO_CLASS;
    }
    if (!(e->Access & TRANSACTION_QUERY_INFORMATION)) {
        EmuUnlock();
        return STATUS_ACCESS_DENIED;
    }
    if (TransactionInformationLength < sizeof(TRANSACTION_BASIC_INFORMATION)) {
        EmuUnlock();
        return STATUS_INFO_LENGTH_MISMATCH;
    }
    PTRANSACTION_BASIC_INFORMATION b = TransactionInformation;
    b->TransactionId = e->Transaction->Id;
    b->State = e->Transaction->State;
    b->Outcome = e->Transaction->Outcome;
    EmuUnlock();
    if (ReturnLength != NULL) {
        *ReturnLength = sizeof(TRANSACTION_BASIC_INFORMATION);
    }
    return STATUS_SUCCESS;
}

void EmuTransactionsCheckLeaks(void)
{
    for (int i = 0; i < EMU_TXN_HANDLES; i++) {
        EmuLock();
        PKTRANSACTION t = g_txnHandles[i].Transaction;
        if (t != NULL) {
            g_txnHandles[i].Transaction = NULL;
            CONTAINING_RECORD(t, EMU_TXN_BOX, T)->Hdr.Refs--;
        }
        EmuUnlock();
        if (t != NULL) {
            EmuViolation("handle leak: a handle to %s (ObOpenObjectByPointer) was never closed (ZwClose)",
                         CONTAINING_RECORD(t, EMU_TXN_BOX, T)->Hdr.Name);
        }
    }
}

void EmuTransactionsReset(void)
{
    EmuLock();
    memset(g_txnHandles, 0, sizeof(g_txnHandles));
    while (!IsListEmpty(&g_transactions)) {
        EMU_TXN_BOX *b = CONTAINING_RECORD(RemoveHeadList(&g_transactions), EMU_TXN_BOX, Link);
        EmuUnlock();
        for (EMU_ENLISTMENT *e = b->T.Enlistments, *next; e != NULL; e = next) {
            next = e->Next;
            free(e);                    /* the contexts went with the reset */
        }
        free(b->T.Locked);              /* the volumes (and their files) went with the reset */
        EmuObjUnlink(&b->Hdr);
        free(b);
        EmuLock();
    }
    g_nextTransaction = 1;
    EmuUnlock();
}

/*
 * ObOpenObjectByPointer (PASSIVE_LEVEL): a handle to an object the caller has
 * a pointer to. Emulated for transaction objects (ObjectType
 * *TmTransactionObjectType or NULL), the only objects a minifilter here opens
 * this way; other objects: STATUS_NOT_SUPPORTED. A handle without
 * OBJ_KERNEL_HANDLE would land in the current process's handle table: a
 * violation, as for FltCreateFileEx2.
 */
NTSTATUS ObOpenObjectByPointer(PVOID Object, ULONG HandleAttributes, PACCESS_STATE PassedAccessState, ACCESS_MASK DesiredAccess,
                               POBJECT_TYPE ObjectType, KPROCESSOR_MODE AccessMode, PHANDLE Handle)
{
    UNREFERENCED_PARAMETER(PassedAccessState);
    UNREFERENCED_PARAMETER(AccessMode);
    if (!EmuRequireIrql("ObOpenObjectByPointer", PASSIVE_LEVEL)) {
        return STATUS_INVALID_DEVICE_STATE;
    }
    if (Handle == NULL) {
        EmuViolation("ObOpenObjectByPointer: Handle is NULL");
        return STATUS_INVALID_PARAMETER;
    }
    *Handle = NULL;
    EMU_OBJ *h = EmuObFromPointer(Object);
    if (h == NULL) {
        EmuViolation("ObOpenObjectByPointer(%p): not an object of the emulated kernel", Object);
        return STATUS_INVALID_PARAMETER;
    }
    if (h->Type != EMU_OBJ_TRANSACTION) {
        return ObjectType == *TmTransactionObjectType ? STATUS_OBJECT_TYPE_MISMATCH : STATUS_NOT_SUPPORTED;
    }
    if (ObjectType != NULL && ObjectType != *TmTransactionObjectType) {
        return STATUS_OBJECT_TYPE_MISMATCH;
    }
    if (!(HandleAttributes & OBJ_KERNEL_HANDLE)) {
        EmuViolation("ObOpenObjectByPointer without OBJ_KERNEL_HANDLE: the handle would land in the current process's handle table");
    }
    ACCESS_MASK access = DesiredAccess;
    if (access & GENERIC_READ) access |= TRANSACTION_GENERIC_READ;
    if (access & GENERIC_ALL) access |= TRANSACTION_ALL_ACCESS;
    return EmuTransactionOpenHandle((PKTRANSACTION)Object, access, Handle);
}
