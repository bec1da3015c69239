/*
 * emu_context.c - minifilter contexts: allocation from the registration's
 * pool tag, reference counting, linking to instances, volumes, streams and
 * stream handles, the cleanup callback when the last reference goes, and
 * removal when the object they are attached to goes away (instance
 * teardown, last close of a stream or file, close of a file object, the end
 * of a transaction).
 */
#include "emu_internal.h"

#define EMU_CTX_MAGIC 0x58544345u
typedef struct EMU_CONTEXT {
    uint32_t Magic;
    FLT_CONTEXT_TYPE Type;
    USHORT Paged;
    long Refs;
    PFLT_FILTER Filter;
    PFLT_INSTANCE Instance;             /* the instance it was set through */
    const FLT_CONTEXT_REGISTRATION *Reg;
    void **Slot;                        /* where it is linked, or NULL */
    LIST_ENTRY Link;
    SIZE_T Size;
    uint64_t Pad;
} EMU_CONTEXT;
_Static_assert(sizeof(EMU_CONTEXT) % 16 == 0, "context bodies stay 16-byte aligned");

static LIST_ENTRY g_contexts = { &g_contexts, &g_contexts };

static const char *EmuContextTypeName(FLT_CONTEXT_TYPE t)
{
    switch (t) {
    case FLT_VOLUME_CONTEXT: return "volume context";
    case FLT_INSTANCE_CONTEXT: return "instance context";
    case FLT_FILE_CONTEXT: return "file context";
    case FLT_STREAM_CONTEXT: return "stream context";
    case FLT_STREAMHANDLE_CONTEXT: return "stream handle context";
    case FLT_TRANSACTION_CONTEXT: return "transaction context";
    case FLT_SECTION_CONTEXT: return "section context";
    default: return "context";
    }
}

static EMU_CONTEXT *EmuCtx(PFLT_CONTEXT c, const char *routine)
{
    if (c == NULL) {
        EmuViolation("%s(NULL)", routine);
        return NULL;
    }
    EMU_CONTEXT *h = (EMU_CONTEXT *)c - 1;
    EmuLock();
    for (PLIST_ENTRY e = g_contexts.Flink; e != &g_contexts; e = e->Flink) {
        if (e == &h->Link) {
            EmuUnlock();
            return h;
        }
    }
    EmuUnlock();
    EmuViolation("%s(%p): not a live context (released too often, or never allocated by FltAllocateContext)", routine, c);
    return NULL;
}

int EmuContextDescribe(PFLT_CONTEXT c, FLT_CONTEXT_TYPE *type, PFLT_FILTER *filter)
{
    if (c == NULL) {
        return 0;
    }
    EMU_CONTEXT *h = (EMU_CONTEXT *)c - 1;
    EmuLock();
    for (PLIST_ENTRY e = g_contexts.Flink; e != &g_contexts; e = e->Flink) {
        if (e == &h->Link) {
            *type = h->Type;
            *filter = h->Filter;
            EmuUnlock();
            return 1;
        }
    }
    EmuUnlock();
    return 0;
}

NTSTATUS FltAllocateContext(PFLT_FILTER Filter, FLT_CONTEXT_TYPE ContextType, SIZE_T ContextSize, POOL_TYPE PoolType, PFLT_CONTEXT *ReturnedContext)
{
    *ReturnedContext = NULL;
    int paged = PoolType == PagedPool;
    if (!EmuRequireIrql("FltAllocateContext", paged ? APC_LEVEL : DISPATCH_LEVEL)) {
        return STATUS_INVALID_DEVICE_STATE;
    }
    if (!EmuIsFilter(Filter)) {
        EmuViolation("FltAllocateContext(%p): not a filter", (void *)Filter);
        return STATUS_INVALID_PARAMETER;
    }
    if (Filter->Unregistering) {
        return STATUS_FLT_DELETING_OBJECT;
    }
    const FLT_CONTEXT_REGISTRATION *reg = NULL;
    for (const FLT_CONTEXT_REGISTRATION *c = Filter->Registration.ContextRegistration; c != NULL && c->ContextType != FLT_CONTEXT_END; c++) {
        if (c->ContextType != ContextType) {
            continue;
        }
        if (c->Size == FLT_VARIABLE_SIZED_CONTEXTS || c->Size == ContextSize
            || ((c->Flags & FLTFL_CONTEXT_REGISTRATION_NO_EXACT_SIZE_MATCH) && ContextSize <= c->Size)) {
            reg = c;
            break;
        }
    }
    if (reg == NULL) {
        return STATUS_FLT_CONTEXT_ALLOCATION_NOT_FOUND;
    }
    if (paged && ContextType == FLT_VOLUME_CONTEXT) {
        EmuViolation("FltAllocateContext: volume contexts must come from non-paged pool");
    }
    EMU_CONTEXT *h = EmuPoolAlloc(sizeof(EMU_CONTEXT) + ContextSize, reg->PoolTag, paged, 0, "FltAllocateContext");
    if (h == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    memset(h, 0, sizeof(*h));
    h->Magic = EMU_CTX_MAGIC;
    h->Type = ContextType;
    h->Paged = (USHORT)paged;
    h->Refs = 1;
    h->Filter = Filter;
    h->Reg = reg;
    h->Size = ContextSize;
    EmuLock();
    InsertTailList(&g_contexts, &h->Link);
    EmuUnlock();
    *ReturnedContext = h + 1;
    return STATUS_SUCCESS;
}

typedef struct EMU_CLEANUP { EMU_CONTEXT *Ctx; } EMU_CLEANUP;

static void EmuContextFree(EMU_CONTEXT *h)
{
    if (h->Reg->ContextCleanupCallback != NULL) {
        KIRQL saved = KeGetCurrentIrql();
        EmuSetIrql(saved > APC_LEVEL ? APC_LEVEL : saved);
        h->Reg->ContextCleanupCallback(h + 1, h->Type);
        EmuSetIrql(saved);
    }
    h->Magic = 0;
    EmuPoolFree(h, h->Reg->PoolTag, 1, "the context's release");
}

static void EmuContextFreeWorker(void *p) { EmuContextFree(p); }

static void EmuContextDrop(EMU_CONTEXT *h, const char *routine)
{
    EmuLock();
    long refs = --h->Refs;
    if (refs == 0) {
        RemoveEntryList(&h->Link);
    }
    EmuUnlock();
    if (refs < 0) {
        EmuViolation("%s: the %s has no reference left to release", routine, EmuContextTypeName(h->Type));
        return;
    }
    if (refs == 0) {
        if (KeGetCurrentIrql() > APC_LEVEL) {
            EmuRunInWorker(EmuContextFreeWorker, h);     /* cleanup callbacks run at IRQL <= APC_LEVEL */
        } else {
            EmuContextFree(h);
        }
    }
}

VOID FltReferenceContext(PFLT_CONTEXT Context)
{
    EMU_CONTEXT *h = EmuCtx(Context, "FltReferenceContext");
    if (h != NULL) {
        EmuLock();
        h->Refs++;
        EmuUnlock();
    }
}

VOID FltReleaseContext(PFLT_CONTEXT Context)
{
    EmuRequireIrql("FltReleaseContext", DISPATCH_LEVEL);
    EMU_CONTEXT *h = EmuCtx(Context, "FltReleaseContext");
    if (h != NULL) {
        EmuContextDrop(h, "FltReleaseContext");
    }
}

VOID FltReleaseContexts(PFLT_RELATED_CONTEXTS Contexts)
{
    PFLT_CONTEXT *all[] = { &Contexts->VolumeContext, &Contexts->InstanceContext, &Contexts->FileContext,
                            &Contexts->StreamContext, &Contexts->StreamHandleContext, &Contexts->TransactionContext };
    for (size_t i = 0; i < RTL_NUMBER_OF(all); i++) {
        if (*all[i] != NULL) {
            FltReleaseContext(*all[i]);
            *all[i] = NULL;
        }
    }
}

/* Unlinks a context from its slot and drops the link's reference (or hands it to *Out). */
static void EmuUnlinkSlot(void **slot, PFLT_CONTEXT *out)
{
    EmuLock();
    EMU_CONTEXT *h = *slot;
    if (h != NULL) {
        *slot = NULL;
        h->Slot = NULL;
    }
    EmuUnlock();
    if (h == NULL) {
        return;
    }
    if (out != NULL) {
        *out = h + 1;
    } else {
        EmuContextDrop(h, "the context's unlinking");
    }
}

VOID FltDeleteContext(PFLT_CONTEXT Context)
{
    EMU_CONTEXT *h = EmuCtx(Context, "FltDeleteContext");
    if (h != NULL && h->Slot != NULL) {
        EmuUnlinkSlot(h->Slot, NULL);
    }
}

static NTSTATUS EmuSetContext(void **slot, PFLT_INSTANCE inst, FLT_CONTEXT_TYPE type, FLT_SET_CONTEXT_OPERATION Operation,
                              PFLT_CONTEXT NewContext, PFLT_CONTEXT *OldContext, const char *routine)
{
    if (OldContext != NULL) {
        *OldContext = NULL;
    }
    EMU_CONTEXT *h = EmuCtx(NewContext, routine);
    if (h == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    if (h->Type != type) {
        EmuViolation("%s given a %s", routine, EmuContextTypeName(h->Type));
        return STATUS_INVALID_PARAMETER;
    }
    if (inst != NULL && h->Filter != inst->Filter) {
        EmuViolation("%s: the context belongs to another filter", routine);
        return STATUS_INVALID_PARAMETER;
    }
    EmuLock();
    if (h->Slot != NULL) {
        EmuUnlock();
        return STATUS_FLT_CONTEXT_ALREADY_LINKED;
    }
    EMU_CONTEXT *old = *slot;
    if (old != NULL && Operation == FLT_SET_CONTEXT_KEEP_IF_EXISTS) {
        if (OldContext != NULL) {
            old->Refs++;
            *OldContext = old + 1;
        }
        EmuUnlock();
        return STATUS_FLT_CONTEXT_ALREADY_DEFINED;
    }
    if (old != NULL) {
        old->Slot = NULL;
    }
    *slot = h;
    h->Slot = slot;
    h->Instance = inst;
    h->Refs++;     /* the link's reference */
    EmuUnlock();
    if (old != NULL) {
        if (OldContext != NULL) {
            *OldContext = old + 1;     /* the caller now owns the link's reference */
        } else {
            EmuContextDrop(old, routine);
        }
    }
    return STATUS_SUCCESS;
}

static NTSTATUS EmuGetContext(void **slot, PFLT_CONTEXT *Context)
{
    EmuLock();
    EMU_CONTEXT *h = *slot;
    if (h != NULL) {
        h->Refs++;
    }
    EmuUnlock();
    *Context = h != NULL ? h + 1 : NULL;
    return h != NULL ? STATUS_SUCCESS : STATUS_NOT_FOUND;
}

static void **EmuHandleSlot(PFLT_INSTANCE Instance, PFILE_OBJECT FileObject, const char *routine)
{
    if (!EmuIsInstance(Instance) || !EmuIsFileObject(FileObject)) {
        EmuViolation("%s(%p, %p): not an instance and a file object", routine, (void *)Instance, (void *)FileObject);
        return NULL;
    }
    return &EMU_FILE_FROM_FO(FileObject)->HandleContexts[Instance->Filter->Slot];
}

static void **EmuStreamSlot(PFLT_INSTANCE Instance, PFILE_OBJECT FileObject, const char *routine)
{
    if (!EmuIsInstance(Instance) || !EmuIsFileObject(FileObject)) {
        EmuViolation("%s(%p, %p): not an instance and a file object", routine, (void *)Instance, (void *)FileObject);
        return NULL;
    }
    EMU_FILE *f = EMU_FILE_FROM_FO(FileObject);
    if (f->Node == NULL) {
        return NULL;    /* no stream yet (pre-create) or any more */
    }
    return &f->Node->StreamContexts[Instance->Filter->Slot];
}

NTSTATUS FltSetStreamHandleContext(PFLT_INSTANCE Instance, PFILE_OBJECT FileObject, FLT_SET_CONTEXT_OPERATION Operation, PFLT_CONTEXT NewContext, PFLT_CONTEXT *OldContext)
{
    EmuRequireIrql("FltSetStreamHandleContext", APC_LEVEL);
    void **slot = EmuHandleSlot(Instance, FileObject, "FltSetStreamHandleContext");
    if (slot == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    EMU_FILE *f = EMU_FILE_FROM_FO(FileObject);
    if (!f->Opened || f->Closed || f->Cancelled) {
        return STATUS_FLT_DELETING_OBJECT;
    }
    return EmuSetContext(slot, Instance, FLT_STREAMHANDLE_CONTEXT, Operation, NewContext, OldContext, "FltSetStreamHandleContext");
}

NTSTATUS FltGetStreamHandleContext(PFLT_INSTANCE Instance, PFILE_OBJECT FileObject, PFLT_CONTEXT *Context)
{
    EmuRequireIrql("FltGetStreamHandleContext", APC_LEVEL);     /* documented: IRQL <= APC_LEVEL */
    *Context = NULL;
    void **slot = EmuHandleSlot(Instance, FileObject, "FltGetStreamHandleContext");
    return slot == NULL ? STATUS_INVALID_PARAMETER : EmuGetContext(slot, Context);
}

NTSTATUS FltDeleteStreamHandleContext(PFLT_INSTANCE Instance, PFILE_OBJECT FileObject, PFLT_CONTEXT *OldContext)
{
    if (OldContext != NULL) {
        *OldContext = NULL;
    }
    void **slot = EmuHandleSlot(Instance, FileObject, "FltDeleteStreamHandleContext");
    if (slot == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    if (*slot == NULL) {
        return STATUS_NOT_FOUND;
    }
    EmuUnlinkSlot(slot, OldContext);
    return STATUS_SUCCESS;
}

NTSTATUS FltSetStreamContext(PFLT_INSTANCE Instance, PFILE_OBJECT FileObject, FLT_SET_CONTEXT_OPERATION Operation, PFLT_CONTEXT NewContext, PFLT_CONTEXT *OldContext)
{
    EmuRequireIrql("FltSetStreamContext", APC_LEVEL);
    void **slot = EmuStreamSlot(Instance, FileObject, "FltSetStreamContext");
    if (slot == NULL) {
        return STATUS_NOT_SUPPORTED;
    }
    return EmuSetContext(slot, Instance, FLT_STREAM_CONTEXT, Operation, NewContext, OldContext, "FltSetStreamContext");
}

NTSTATUS FltGetStreamContext(PFLT_INSTANCE Instance, PFILE_OBJECT FileObject, PFLT_CONTEXT *Context)
{
    EmuRequireIrql("FltGetStreamContext", APC_LEVEL);     /* documented: IRQL <= APC_LEVEL */
    *Context = NULL;
    void **slot = EmuStreamSlot(Instance, FileObject, "FltGetStreamContext");
    return slot == NULL ? STATUS_NOT_SUPPORTED : EmuGetContext(slot, Context);
}

NTSTATUS FltDeleteStreamContext(PFLT_INSTANCE Instance, PFILE_OBJECT FileObject, PFLT_CONTEXT *OldContext)
{
    if (OldContext != NULL) {
        *OldContext = NULL;
    }
    void **slot = EmuStreamSlot(Instance, FileObject, "FltDeleteStreamContext");
    if (slot == NULL || *slot == NULL) {
        return STATUS_NOT_FOUND;
    }
    EmuUnlinkSlot(slot, OldContext);
    return STATUS_SUCCESS;
}

/*
 * File contexts: one per file (all its streams; the emulated file systems have
 * one stream per file, so a file's and its stream's lifetimes coincide). As
 * documented, not before the file system has opened the file (pre-create:
 * STATUS_NOT_SUPPORTED) and removed with the file's last file object.
 */
static void **EmuFileSlot(PFLT_INSTANCE Instance, PFILE_OBJECT FileObject, const char *routine)
{
    if (!EmuIsInstance(Instance) || !EmuIsFileObject(FileObject)) {
        EmuViolation("%s(%p, %p): not an instance and a file object", routine, (void *)Instance, (void *)FileObject);
        return NULL;
    }
    EMU_FILE *f = EMU_FILE_FROM_FO(FileObject);
    if (f->Node == NULL) {
        return NULL;    /* no file yet (pre-create) or any more */
    }
    return &f->Node->FileContexts[Instance->Filter->Slot];
}

NTSTATUS FltSetFileContext(PFLT_INSTANCE Instance, PFILE_OBJECT FileObject, FLT_SET_CONTEXT_OPERATION Operation, PFLT_CONTEXT NewContext, PFLT_CONTEXT *OldContext)
{
    EmuRequireIrql("FltSetFileContext", APC_LEVEL);
    void **slot = EmuFileSlot(Instance, FileObject, "FltSetFileContext");
    if (slot == NULL) {
        if (OldContext != NULL) {
            *OldContext = NULL;
        }
        return STATUS_NOT_SUPPORTED;
    }
    return EmuSetContext(slot, Instance, FLT_FILE_CONTEXT, Operation, NewContext, OldContext, "FltSetFileContext");
}

NTSTATUS FltGetFileContext(PFLT_INSTANCE Instance, PFILE_OBJECT FileObject, PFLT_CONTEXT *Context)
{
    EmuRequireIrql("FltGetFileContext", APC_LEVEL);     /* documented: IRQL <= APC_LEVEL */
    *Context = NULL;
    void **slot = EmuFileSlot(Instance, FileObject, "FltGetFileContext");
    return slot == NULL ? STATUS_NOT_SUPPORTED : EmuGetContext(slot, Context);
}

NTSTATUS FltDeleteFileContext(PFLT_INSTANCE Instance, PFILE_OBJECT FileObject, PFLT_CONTEXT *OldContext)
{
    if (OldContext != NULL) {
        *OldContext = NULL;
    }
    void **slot = EmuFileSlot(Instance, FileObject, "FltDeleteFileContext");
    if (slot == NULL || *slot == NULL) {
        return STATUS_NOT_FOUND;
    }
    EmuUnlinkSlot(slot, OldContext);
    return STATUS_SUCCESS;
}
BOOLEAN FltSupportsFileContexts(PFILE_OBJECT FileObject) { return (BOOLEAN)EmuIsFileObject(FileObject); }

/*
 * Transaction contexts (FltSet/Get/DeleteTransactionContext, IRQL <= APC_LEVEL):
 * one per filter on a transaction object (emu_txn.c), set through an instance;
 * removed when the transaction ends (after its outcome was delivered) or the
 * instance is torn down. A Transaction that is not a transaction object (NULL:
 * FltObjects->Transaction of an operation outside a transaction) is a violation.
 */
static void **EmuTxnSlot(PFLT_INSTANCE Instance, PKTRANSACTION Transaction, const char *routine)
{
    if (!EmuIsInstance(Instance)) {
        EmuViolation("%s(%p): not an instance", routine, (void *)Instance);
        return NULL;
    }
    void **slot = EmuTransactionContextSlot(Transaction, Instance->Filter);
    if (slot == NULL) {
        EmuViolation("%s(%p, %p): not a transaction (FltObjects->Transaction is NULL outside a transaction)", routine,
                     (void *)Instance, (void *)Transaction);
    }
    return slot;
}

NTSTATUS FltSetTransactionContext(PFLT_INSTANCE Instance, PKTRANSACTION Transaction, FLT_SET_CONTEXT_OPERATION Operation, PFLT_CONTEXT NewContext, PFLT_CONTEXT *OldContext)
{
    EmuRequireIrql("FltSetTransactionContext", APC_LEVEL);
    if (OldContext != NULL) {
        *OldContext = NULL;
    }
    void **slot = EmuTxnSlot(Instance, Transaction, "FltSetTransactionContext");
    if (slot == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    if (EmuInstanceTearingDown(Instance)) {
        return STATUS_FLT_DELETING_OBJECT;
    }
    if (!EmuTransactionActive(Transaction)) {
        return STATUS_TRANSACTION_NOT_ACTIVE;   /* its contexts are gone with its outcome */
    }
    return EmuSetContext(slot, Instance, FLT_TRANSACTION_CONTEXT, Operation, NewContext, OldContext, "FltSetTransactionContext");
}

NTSTATUS FltGetTransactionContext(PFLT_INSTANCE Instance, PKTRANSACTION Transaction, PFLT_CONTEXT *Context)
{
    EmuRequireIrql("FltGetTransactionContext", APC_LEVEL);
    *Context = NULL;
    void **slot = EmuTxnSlot(Instance, Transaction, "FltGetTransactionContext");
    return slot == NULL ? STATUS_INVALID_PARAMETER : EmuGetContext(slot, Context);
}

NTSTATUS FltDeleteTransactionContext(PFLT_INSTANCE Instance, PKTRANSACTION Transaction, PFLT_CONTEXT *OldContext)
{
    EmuRequireIrql("FltDeleteTransactionContext", APC_LEVEL);
    if (OldContext != NULL) {
        *OldContext = NULL;
    }
    void **slot = EmuTxnSlot(Instance, Transaction, "FltDeleteTransactionContext");
    if (slot == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    if (EmuInstanceTearingDown(Instance)) {
        return STATUS_FLT_DELETING_OBJECT;
    }
    if (*slot == NULL) {
        return STATUS_NOT_FOUND;
    }
    EmuUnlinkSlot(slot, OldContext);
    return STATUS_SUCCESS;
}

/* A live context of this type that filter allocated (FltEnlistInTransaction's TransactionContext): 1, else 0. */
int EmuContextIs(PFLT_CONTEXT context, FLT_CONTEXT_TYPE type, PFLT_FILTER filter)
{
    if (context == NULL) {
        return 0;
    }
    EMU_CONTEXT *h = (EMU_CONTEXT *)context - 1;
    int found = 0;
    EmuLock();
    for (PLIST_ENTRY e = g_contexts.Flink; e != &g_contexts && !found; e = e->Flink) {
        found = e == &h->Link && h->Type == type && h->Filter == filter;
    }
    EmuUnlock();
    return found;
}

/* The transaction ended: every filter's context on it is unlinked (the link's reference dropped). */
void EmuContextsOnTransactionEnd(void **slots)
{
    for (int i = 0; i < EMU_MAX_CTX_SLOTS; i++) {
        EmuUnlinkSlot(&slots[i], NULL);
    }
}

BOOLEAN FltSupportsStreamContexts(PFILE_OBJECT FileObject) { return (BOOLEAN)EmuIsFileObject(FileObject); }
BOOLEAN FltSupportsStreamHandleContexts(PFILE_OBJECT FileObject) { return (BOOLEAN)EmuIsFileObject(FileObject); }

NTSTATUS FltSetInstanceContext(PFLT_INSTANCE Instance, FLT_SET_CONTEXT_OPERATION Operation, PFLT_CONTEXT NewContext, PFLT_CONTEXT *OldContext)
{
    EmuRequireIrql("FltSetInstanceContext", APC_LEVEL);
    if (!EmuIsInstance(Instance)) {
        EmuViolation("FltSetInstanceContext(%p): not an instance", (void *)Instance);
        return STATUS_INVALID_PARAMETER;
    }
    return EmuSetContext(&Instance->Context, Instance, FLT_INSTANCE_CONTEXT, Operation, NewContext, OldContext, "FltSetInstanceContext");
}

NTSTATUS FltGetInstanceContext(PFLT_INSTANCE Instance, PFLT_CONTEXT *Context)
{
    EmuRequireIrql("FltGetInstanceContext", APC_LEVEL);     /* documented: IRQL <= APC_LEVEL */
    *Context = NULL;
    if (!EmuIsInstance(Instance)) {
        EmuViolation("FltGetInstanceContext(%p): not an instance", (void *)Instance);
        return STATUS_INVALID_PARAMETER;
    }
    return EmuGetContext(&Instance->Context, Context);
}

NTSTATUS FltDeleteInstanceContext(PFLT_INSTANCE Instance, PFLT_CONTEXT *OldContext)
{
    if (OldContext != NULL) {
        *OldContext = NULL;
    }
    if (!EmuIsInstance(Instance) || Instance->Context == NULL) {
        return STATUS_NOT_FOUND;
    }
    EmuUnlinkSlot(&Instance->Context, OldContext);
    return STATUS_SUCCESS;
}

NTSTATUS FltSetVolumeContext(PFLT_VOLUME Volume, FLT_SET_CONTEXT_OPERATION Operation, PFLT_CONTEXT NewContext, PFLT_CONTEXT *OldContext)
{
    EmuRequireIrql("FltSetVolumeContext", APC_LEVEL);
    EMU_CONTEXT *h = EmuCtx(NewContext, "FltSetVolumeContext");
    if (h == NULL || !EmuIsVolume(Volume)) {
        return STATUS_INVALID_PARAMETER;
    }
    return EmuSetContext(&Volume->VolumeContexts[h->Filter->Slot], NULL, FLT_VOLUME_CONTEXT, Operation, NewContext, OldContext, "FltSetVolumeContext");
}

NTSTATUS FltGetVolumeContext(PFLT_FILTER Filter, PFLT_VOLUME Volume, PFLT_CONTEXT *Context)
{
    EmuRequireIrql("FltGetVolumeContext", APC_LEVEL);     /* documented: IRQL <= APC_LEVEL */
    *Context = NULL;
    if (!EmuIsFilter(Filter) || !EmuIsVolume(Volume)) {
        return STATUS_INVALID_PARAMETER;
    }
    return EmuGetContext(&Volume->VolumeContexts[Filter->Slot], Context);
}

/* ---- teardown ---- */
void EmuContextsOnFileClose(EMU_FILE *file)
{
    for (int i = 0; i < EMU_MAX_CTX_SLOTS; i++) {
        EmuUnlinkSlot(&file->HandleContexts[i], NULL);
    }
}

void EmuContextsOnNodeDelete(EMU_NODE *node)
{
    for (int i = 0; i < EMU_MAX_CTX_SLOTS; i++) {
        EmuUnlinkSlot(&node->StreamContexts[i], NULL);
        EmuUnlinkSlot(&node->FileContexts[i], NULL);
    }
}

static void EmuUnlinkWhere(int (*match)(EMU_CONTEXT *, void *), void *arg)
{
    for (;;) {
        void **slot = NULL;
        EmuLock();
        for (PLIST_ENTRY e = g_contexts.Flink; e != &g_contexts; e = e->Flink) {
            EMU_CONTEXT *h = CONTAINING_RECORD(e, EMU_CONTEXT, Link);
            if (h->Slot != NULL && match(h, arg)) {
                slot = h->Slot;
                break;
            }
        }
        EmuUnlock();
        if (slot == NULL) {
            return;
        }
        EmuUnlinkSlot(slot, NULL);
    }
}

static int EmuMatchInstance(EMU_CONTEXT *h, void *arg) { return h->Instance == arg; }
static int EmuMatchFilter(EMU_CONTEXT *h, void *arg) { return h->Filter == arg; }

void EmuContextsOnInstanceTeardown(PFLT_INSTANCE instance) { EmuUnlinkWhere(EmuMatchInstance, instance); }
void EmuContextsOnFilterGone(PFLT_FILTER filter) { EmuUnlinkWhere(EmuMatchFilter, filter); }

void EmuContextCheckLeaks(void)
{
    EmuWaitWorkersIdle();
    for (;;) {
        EMU_CONTEXT *h = NULL;
        EmuLock();
        for (PLIST_ENTRY e = g_contexts.Flink; e != &g_contexts; e = e->Flink) {
            EMU_CONTEXT *c = CONTAINING_RECORD(e, EMU_CONTEXT, Link);
            if (c->Filter->Gone) {
                h = c;
                break;
            }
        }
        if (h == NULL) {
            EmuUnlock();
            return;
        }
        RemoveEntryList(&h->Link);
        if (h->Slot != NULL) {
            *h->Slot = NULL;
        }
        EmuUnlock();
        char tag[8];
        EmuViolation("context leak: a %s of %s (tag '%s') still has %ld reference(s)%s: FltReleaseContext was not called",
                     EmuContextTypeName(h->Type), h->Filter->Hdr.Name, EmuTagText(h->Reg->PoolTag, tag), h->Refs,
                     h->Slot != NULL ? " besides its link" : "");
        h->Magic = 0;
        EmuPoolFree(h, h->Reg->PoolTag, 1, "the context leak check");
    }
}

void EmuContextsReset(void)
{
    EmuLock();
    InitializeListHead(&g_contexts);
    EmuUnlock();
}
