/*
 * emu_txn.c - transactions as a minifilter meets them (KTM and TxF through the
 * filter manager), minimally:
 *
 *  - the emulated I/O manager never opens a file inside a transaction: every
 *    file object's IoGetTransactionParameterBlock is NULL and every
 *    operation's FltObjects->Transaction is NULL (README: emulator limits);
 *  - transaction objects exist (tests create them with EmuTransactionCreate)
 *    so that the filter manager's transaction routines can be used as
 *    documented: FltEnlistInTransaction, FltSet/Get/DeleteTransactionContext
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
        EmuViolation("FltEnlistInTransaction(%p): not a transaction (FltObjects->Transaction is NULL for every emulated operation)",
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
    if (t->Outcome != TransactionOutcomeUndetermined || t->State != TransactionStateNormal) {
        EmuUnlock();
        return STATUS_TRANSACTION_NOT_ACTIVE;
    }
    t->State = TransactionStateCommittedNotify;      /* ending: no new enlistments past this point matter */
    EmuUnlock();
    if (commit) {
        static const ULONG phases[] = { TRANSACTION_NOTIFY_PREPREPARE, TRANSACTION_NOTIFY_PREPARE, TRANSACTION_NOTIFY_COMMIT,
                                        TRANSACTION_NOTIFY_COMMIT_FINALIZE };
        for (size_t i = 0; i < RTL_NUMBER_OF(phases); i++) {
            EmuNotify(t, phases[i]);
        }
    } else {
        EmuNotify(t, TRANSACTION_NOTIFY_ROLLBACK);
    }
    EmuLock();
    t->Outcome = commit ? TransactionOutcomeCommitted : TransactionOutcomeAborted;
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

/* IoGetTransactionParameterBlock (any IRQL): no emulated file object is opened in a transaction. */
PTXN_PARAMETER_BLOCK IoGetTransactionParameterBlock(PFILE_OBJECT FileObject)
{
    if (!EmuIsFileObject(FileObject)) {
        EmuViolation("IoGetTransactionParameterBlock(%p): not a file object", (void *)FileObject);
    }
    return NULL;
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
