/*
 * emu_io.c - how an operation travels: pre-operation callbacks from the
 * highest altitude down, the file system, post-operation callbacks back up,
 * as documented in "Passing I/O operations down the minifilter instance
 * stack", "Writing postoperation callback routines" and
 * FLT_IO_PARAMETER_BLOCK:
 *
 *  - each level's input parameters are snapshotted; a change reaches the
 *    levels below only if the filter called FltSetCallbackDataDirty,
 *    otherwise it is undone; each post-operation callback gets back the
 *    parameters its own pre-operation callback received;
 *  - a dirty TargetInstance change must name an instance of the same filter
 *    at the same altitude on another volume whose device stack is at least
 *    as deep, with a TargetFileObject of that volume; the operation then
 *    continues below that altitude on that volume; anything else is a
 *    violation (Driver Verifier would stop the system);
 *  - every pre/post status, pending in both directions, SYNCHRONIZE,
 *    DISALLOW_FASTIO (fast I/O is an operation flavour that the "I/O
 *    manager" reissues as an IRP), FltDoCompletionProcessingWhenSafe,
 *    FltCancelFileOpen;
 *  - the IRQL each callback runs at: pre at PASSIVE_LEVEL, post-create and
 *    synchronized posts at PASSIVE_LEVEL, other posts at the IRQL the test
 *    configured for that major function (EmuSetPostOperationIrql).
 *
 * Also: file objects and handles, I/O a filter initiates (FltCreateFileEx2,
 * FltReadFile, ...), work items, and the control API's file operations.
 */
#include "emu_internal.h"

static KIRQL g_postIrql[256];
static LIST_ENTRY g_files = { &g_files, &g_files };
static LIST_ENTRY g_operations = { &g_operations, &g_operations };     /* EMU_CBD.OpLink, under EmuLock */

#define EMU_MAX_HANDLES 4096
typedef struct EMU_HANDLE { EMU_FILE *File; int Kernel; ULONG Pid; } EMU_HANDLE;  /* Pid: a user handle's process */
static EMU_HANDLE g_handles[EMU_MAX_HANDLES];

void EmuSetPostOperationIrql(uint8_t majorFunction, uint8_t irql) { g_postIrql[majorFunction] = irql; }
KIRQL EmuPostIrqlFor(UCHAR major) { return major == IRP_MJ_CREATE ? PASSIVE_LEVEL : g_postIrql[major]; }

static const char *EmuMajorName(UCHAR m)
{
    switch (m) {
    case IRP_MJ_CREATE: return "IRP_MJ_CREATE";
    case IRP_MJ_CLOSE: return "IRP_MJ_CLOSE";
    case IRP_MJ_READ: return "IRP_MJ_READ";
    case IRP_MJ_WRITE: return "IRP_MJ_WRITE";
    case IRP_MJ_QUERY_INFORMATION: return "IRP_MJ_QUERY_INFORMATION";
    case IRP_MJ_SET_INFORMATION: return "IRP_MJ_SET_INFORMATION";
    case IRP_MJ_FLUSH_BUFFERS: return "IRP_MJ_FLUSH_BUFFERS";
    case IRP_MJ_CLEANUP: return "IRP_MJ_CLEANUP";
    case IRP_MJ_FILE_SYSTEM_CONTROL: return "IRP_MJ_FILE_SYSTEM_CONTROL";
    case IRP_MJ_LOCK_CONTROL: return "IRP_MJ_LOCK_CONTROL";
    case IRP_MJ_DIRECTORY_CONTROL: return "IRP_MJ_DIRECTORY_CONTROL";
    case IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION: return "IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION";
    default: return "an operation";
    }
}

/* ---- file objects ---- */
EMU_FILE *EmuFileAlloc(PFLT_VOLUME volume, const WCHAR *path, size_t chars)
{
    EMU_FILE *f = calloc(1, sizeof(*f));
    if (chars >= EMU_MAX_PATH) {
        chars = EMU_MAX_PATH - 1;
    }
    memcpy(f->Path, path, chars * sizeof(WCHAR));
    char utf8[EMU_MAX_PATH * 3], name[120];
    EmuWideToUtf8(path, chars, utf8, sizeof(utf8));
    snprintf(name, sizeof(name), "file object of %.40s%.60s", volume->Hdr.Name + 7, utf8);
    EmuObjInit(&f->Hdr, EMU_OBJ_FILE, name);
    f->Volume = volume;
    f->Fo.Type = 5;
    f->Fo.Size = (CSHORT)sizeof(FILE_OBJECT);
    f->Fo.DeviceObject = &volume->Dev.Device;
    f->Fo.Vpb = &volume->Vpb;
    f->Fo.FileName.Buffer = f->Path;
    f->Fo.FileName.Length = (USHORT)(chars * sizeof(WCHAR));
    f->Fo.FileName.MaximumLength = (USHORT)sizeof(f->Path);
    if (chars == 0) {
        f->Fo.Flags |= FO_VOLUME_OPEN;          /* no name: the I/O manager opens the volume itself */
    }
    KeInitializeEvent(&f->Fo.Event, NotificationEvent, FALSE);
    KeInitializeEvent(&f->Fo.Lock, SynchronizationEvent, FALSE);
    InitializeListHead(&f->Fo.IrpList);
    EmuLock();
    InsertTailList(&g_files, &f->Link);
    EmuUnlock();
    return f;
}

int EmuVolumeOpenHandles(PFLT_VOLUME volume, EMU_FILE *except)
{
    int n = 0;
    for (PLIST_ENTRY e = g_files.Flink; e != &g_files; e = e->Flink) {
        EMU_FILE *f = CONTAINING_RECORD(e, EMU_FILE, Link);
        n += f != except && f->Volume == volume && f->Opened && f->Handles > 0 && !f->CleanedUp;
    }
    return n;
}

int EmuIsFileObject(PVOID p)
{
    EMU_OBJ *h = EmuObFromPointer(p);
    return h != NULL && h->Type == EMU_OBJ_FILE;
}

void EmuFileReference(EMU_FILE *file)
{
    EmuLock();
    file->Hdr.Refs++;
    EmuUnlock();
}

void EmuFileRelease(EMU_FILE *file)
{
    EmuLock();
    file->Hdr.Refs--;
    EmuUnlock();
    EmuFileAfterRelease(file);
}

static void EmuFileFree(EMU_FILE *file)
{
    EmuContextsOnFileClose(file);
    EmuFileSetTransaction(file, NULL);      /* its reference on the transaction goes with it */
    EmuLock();
    RemoveEntryList(&file->Link);
    EmuUnlock();
    EmuObjUnlink(&file->Hdr);
    free(file->ReplacedName);
    free(file);
}

/* ---- file object names (the I/O manager owns FileName.Buffer) ---- */

/* FileName.Buffer is the I/O manager's: the original name, or the last IoReplaceFileObjectName copy. */
static int EmuFileNameIsOwned(EMU_FILE *f)
{
    return f->Fo.FileName.Buffer == f->Path + f->RelativeAt ||
           (f->ReplacedName != NULL && f->Fo.FileName.Buffer == f->ReplacedName);
}

const WCHAR *EmuFileCreatePath(EMU_FILE *f, size_t *chars)
{
    if (f->Fo.RelatedFileObject != NULL && f->RelativeAt != 0 && f->Fo.FileName.Buffer == f->Path + f->RelativeAt) {
        *chars = f->RelativeAt + f->Fo.FileName.Length / sizeof(WCHAR);   /* the directory's path + the relative name */
        return f->Path;
    }
    *chars = f->Fo.FileName.Length / sizeof(WCHAR);
    return f->Fo.FileName.Buffer;
}

int EmuIsFileObjectName(const void *p)
{
    int found = 0;
    EmuLock();
    for (PLIST_ENTRY e = g_files.Flink; e != &g_files && !found; e = e->Flink) {
        EMU_FILE *f = CONTAINING_RECORD(e, EMU_FILE, Link);
        found = (p == f->Path + f->RelativeAt || (f->ReplacedName != NULL && p == f->ReplacedName));
    }
    EmuUnlock();
    return found;
}

/*
 * IoReplaceFileObjectName (ntifs.h, Windows 7 and later; PASSIVE_LEVEL): the
 * documented way to replace a file object's name, so that the I/O manager
 * keeps control of the buffer's lifetime. The new name is copied into a
 * buffer the I/O manager owns; the old one, if the I/O manager allocated it,
 * is freed here. STATUS_INVALID_PARAMETER when the file object has no name to
 * replace. A FileName.Buffer some filter put there by hand is a violation.
 */
NTSTATUS IoReplaceFileObjectName(PFILE_OBJECT FileObject, PWSTR NewFileName, USHORT FileNameLength)
{
    if (!EmuRequireIrql("IoReplaceFileObjectName", PASSIVE_LEVEL)) {
        return STATUS_INVALID_DEVICE_STATE;
    }
    if (!EmuIsFileObject(FileObject)) {
        EmuViolation("IoReplaceFileObjectName(%p): not a file object", (void *)FileObject);
        return STATUS_INVALID_PARAMETER;
    }
    EMU_FILE *f = EMU_FILE_FROM_FO(FileObject);
    if (!EmuFileNameIsOwned(f)) {
        EmuViolation("IoReplaceFileObjectName: %s's FileName.Buffer was replaced without IoReplaceFileObjectName "
                     "(the I/O manager owns that buffer)", f->Hdr.Name);
        return STATUS_INVALID_PARAMETER;
    }
    if (FileObject->FileName.Buffer == NULL || FileObject->FileName.Length == 0) {
        return STATUS_INVALID_PARAMETER;        /* "The provided file object doesn't have a name to replace." */
    }
    if (NewFileName == NULL || (FileNameLength & 1) != 0) {
        EmuViolation("IoReplaceFileObjectName(%s, %p, %u): not a UTF-16 name", f->Hdr.Name, (void *)NewFileName, FileNameLength);
        return STATUS_INVALID_PARAMETER;
    }
    WCHAR *copy = malloc(FileNameLength + sizeof(WCHAR));
    if (copy == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    memcpy(copy, NewFileName, FileNameLength);
    copy[FileNameLength / sizeof(WCHAR)] = 0;
    free(f->ReplacedName);
    f->ReplacedName = copy;
    FileObject->FileName.Buffer = copy;
    FileObject->FileName.Length = FileNameLength;
    FileObject->FileName.MaximumLength = FileNameLength;
    return STATUS_SUCCESS;
}

void EmuFileAfterRelease(EMU_FILE *file)
{
    EmuLock();
    if (file->Hdr.Refs > 0 || file->Closed == 2) {
        EmuUnlock();
        return;
    }
    int sendClose = file->Opened && !file->Closed;
    file->Closed = 2;
    EmuUnlock();
    if (sendClose) {
        EMU_CBD *op = EmuNewFileOperation(IRP_MJ_CLOSE, file);
        op->Iopb.IrpFlags = IRP_CLOSE_OPERATION | IRP_SYNCHRONOUS_API;
        EmuRunOperation(op);
        EmuFreeOperation(op);
        EmuFsClose(file);
    }
    EmuFileFree(file);
}

void EmuCloseFileObject(EMU_FILE *file, int sendCleanup)
{
    if (sendCleanup && file->Handles > 0) {
        file->Handles = 0;
        if (file->Opened && !file->Cancelled && !file->Closed) {
            EMU_CBD *op = EmuNewFileOperation(IRP_MJ_CLEANUP, file);
            op->Iopb.IrpFlags = IRP_CLOSE_OPERATION | IRP_SYNCHRONOUS_API;
            EmuRunOperation(op);
            EmuFreeOperation(op);
        }
    }
    EmuFileRelease(file);
}

/* ---- handles ---- */
static uint64_t EmuHandleAdd(EMU_FILE *file, int kernel)
{
    ULONG pid = (ULONG)(ULONG_PTR)PsGetCurrentProcessId();
    EmuLock();
    for (int i = 0; i < EMU_MAX_HANDLES; i++) {
        if (g_handles[i].File == NULL) {
            g_handles[i].File = file;
            g_handles[i].Kernel = kernel;
            g_handles[i].Pid = pid;
            EmuUnlock();
            return (uint64_t)(i + 1) | (kernel ? 0x80000000u : 0);
        }
    }
    EmuUnlock();
    return 0;
}

static EMU_FILE *EmuHandleGet(uint64_t h, int kernel, int remove)
{
    uint64_t i = (h & 0x7fffffffu) - 1;
    if (h == 0 || i >= EMU_MAX_HANDLES || ((h & 0x80000000u) != 0) != (kernel != 0)) {
        return NULL;
    }
    EmuLock();
    EMU_FILE *f = g_handles[i].File;
    if (remove) {
        g_handles[i].File = NULL;
    }
    EmuUnlock();
    return f;
}

EMU_FILE *EmuFileFromHandle(HANDLE handle, const char *routine)
{
    uint64_t h = (uint64_t)(ULONG_PTR)handle;
    int kernel = (h & 0x80000000u) != 0;
    EMU_FILE *f = EmuHandleGet(h, kernel, 0);
    if (f != NULL && !kernel && routine != NULL) {
        /* A user handle means something only in its own process's handle table. */
        ULONG pid = (ULONG)(ULONG_PTR)PsGetCurrentProcessId();
        EmuLock();
        ULONG owner = g_handles[(h & 0x7fffffffu) - 1].Pid;
        EmuUnlock();
        if (owner != pid) {
            EmuViolation("%s: user handle 0x%llx of process %lu used in the context of process %lu "
                         "(a user handle must be referenced in its requestor's context)",
                         routine, (unsigned long long)h, (unsigned long)owner, (unsigned long)pid);
            return NULL;
        }
    }
    return f;
}

void EmuFilesCheckLeaks(void)
{
    for (int i = 0; i < EMU_MAX_HANDLES; i++) {
        EmuLock();
        EMU_FILE *f = g_handles[i].Kernel ? g_handles[i].File : NULL;
        if (f != NULL) {
            g_handles[i].File = NULL;
        }
        EmuUnlock();
        if (f != NULL) {
            EmuViolation("handle leak: a kernel handle to the %s (opened with FltCreateFile*) was never closed with FltClose", f->Hdr.Name);
            EmuCloseFileObject(f, 1);
        }
    }
}

/* ---- operations ---- */
int EmuIsCallbackData(PFLT_CALLBACK_DATA data)
{
    return data != NULL && EMU_CBD_FROM_DATA(data)->Magic == EMU_CBD_MAGIC;
}

static PFLT_INSTANCE EmuTopInstance(PFLT_VOLUME v) { return EmuInstanceBelow(v, 1e300); }

EMU_CBD *EmuNewOperation(UCHAR major, EMU_FILE *file, PFLT_INSTANCE startBelow, int fastIo)
{
    EMU_CBD *op = calloc(1, sizeof(*op));
    EmuInitOperation(op, major, file, startBelow, fastIo);
    return op;
}

void EmuInitOperation(EMU_CBD *op, UCHAR major, EMU_FILE *file, PFLT_INSTANCE startBelow, int fastIo)
{
    op->Magic = EMU_CBD_MAGIC;
    *(PFLT_IO_PARAMETER_BLOCK *)&op->Data.Iopb = &op->Iopb;
    *(PETHREAD *)&op->Data.Thread = PsGetCurrentThread();
    op->Data.RequestorMode = startBelow != NULL ? KernelMode : UserMode;
    op->Data.Flags = fastIo ? FLTFL_CALLBACK_DATA_FAST_IO_OPERATION : FLTFL_CALLBACK_DATA_IRP_OPERATION;
    if (startBelow != NULL) {
        op->Data.Flags |= FLTFL_CALLBACK_DATA_GENERATED_IO;
        op->Generated = 1;
    }
    op->Iopb.MajorFunction = major;
    op->Iopb.TargetFileObject = &file->Fo;
    op->Volume = file->Volume;
    op->Next = startBelow != NULL ? EmuInstanceBelow(file->Volume, startBelow->AltitudeValue) : EmuTopInstance(file->Volume);
    op->FastIo = fastIo;
    op->File = file;
    op->Data.IoStatus.Status = STATUS_SUCCESS;
    op->Data.IoStatus.Information = 0;
    op->Security.AccessState = &op->AccessState;
    EmuFileReference(file);
    EmuLock();
    InsertTailList(&g_operations, &op->OpLink);
    EmuUnlock();
}

/* An operation on a file object: from the top, or below the instance that opened it. */
EMU_CBD *EmuNewFileOperation(UCHAR major, EMU_FILE *file)
{
    EMU_CBD *op = EmuNewOperation(major, file, NULL, 0);
    if (file->OpenedBelow) {
        op->Next = EmuInstanceBelow(file->Volume, file->OpenedBelowAltitude);
        op->Data.Flags |= FLTFL_CALLBACK_DATA_GENERATED_IO;
        op->Data.RequestorMode = KernelMode;
        op->Generated = 1;
    }
    return op;
}

int EmuIsOperationInFlight(PFLT_CALLBACK_DATA data)
{
    int found = 0;
    EmuLock();
    for (PLIST_ENTRY e = g_operations.Flink; e != &g_operations && !found; e = e->Flink) {
        found = &CONTAINING_RECORD(e, EMU_CBD, OpLink)->Data == data;
    }
    EmuUnlock();
    return found;
}

void EmuFreeOperation(EMU_CBD *op)
{
    EmuEndOperation(op);
    op->Magic = 0;
    free(op);
}

void EmuEndOperation(EMU_CBD *op)
{
    EMU_FILE *file = op->File;
    EmuOperationMdlsDone(op);
    EmuLock();
    RemoveEntryList(&op->OpLink);
    EmuUnlock();
    op->File = NULL;
    EmuFileRelease(file);
}

static const FLT_OPERATION_REGISTRATION *EmuFindOpReg(PFLT_FILTER f, UCHAR major)
{
    for (const FLT_OPERATION_REGISTRATION *o = f->Registration.OperationRegistration; o != NULL && o->MajorFunction != IRP_MJ_OPERATION_END; o++) {
        if (o->MajorFunction == major) {
            return o;
        }
    }
    return NULL;
}

static void EmuContinueUp(EMU_CBD *op);
static void EmuFinish(EMU_CBD *op);

enum { EMU_DOWN, EMU_UP };

/* The rules of FLT_IO_PARAMETER_BLOCK for a dirty TargetInstance/TargetFileObject. Returns 0 on a violation. */
static int EmuCheckTarget(EMU_CBD *op, EMU_LEVEL *lv)
{
    PFLT_INSTANCE cur = lv->Instance, next = op->Iopb.TargetInstance;
    PFILE_OBJECT fo = op->Iopb.TargetFileObject;
    const char *who = cur->Filter->Hdr.Name;
    if (next != cur) {
        if (!EmuIsInstance(next)) {
            EmuViolation("%s set Iopb->TargetInstance to %p, which is not an instance (Driver Verifier: invalid TargetInstance)", who, (void *)next);
            return 0;
        }
        if (next->Filter != cur->Filter) {
            EmuViolation("%s redirected %s to an instance of another filter (%s): TargetInstance must be an instance of the same minifilter",
                         who, EmuMajorName(op->Iopb.MajorFunction), next->Filter->Hdr.Name);
            return 0;
        }
        if (next->Volume == cur->Volume) {
            EmuViolation("%s redirected %s to an instance on the same volume (%s): TargetInstance must be on another volume",
                         who, EmuMajorName(op->Iopb.MajorFunction), cur->Volume->Hdr.Name);
            return 0;
        }
        if (next->AltitudeValue != cur->AltitudeValue) {
            EmuViolation("%s redirected %s to an instance at another altitude (%s): TargetInstance must be at the same altitude",
                         who, EmuMajorName(op->Iopb.MajorFunction), next->Altitude);
            return 0;
        }
        if (next->Volume->Dev.Device.StackSize < cur->Volume->Dev.Device.StackSize) {
            EmuViolation("%s redirected %s to %s whose device StackSize %d is smaller than %d of %s: the target stack must be at least as deep",
                         who, EmuMajorName(op->Iopb.MajorFunction), next->Volume->Hdr.Name, next->Volume->Dev.Device.StackSize,
                         cur->Volume->Dev.Device.StackSize, cur->Volume->Hdr.Name);
            return 0;
        }
    }
    if (fo != lv->Input.TargetFileObject || next != cur) {
        if (!EmuIsFileObject(fo)) {
            EmuViolation("%s set Iopb->TargetFileObject to %p, which is not a file object", who, (void *)fo);
            return 0;
        }
        if (EMU_FILE_FROM_FO(fo)->Volume != next->Volume) {
            EmuViolation("%s set Iopb->TargetFileObject to a %s, not a file of the target instance's volume %s",
                         who, EMU_FILE_FROM_FO(fo)->Hdr.Name, next->Volume->Hdr.Name);
            return 0;
        }
    }
    return 1;
}

/* Applies what a pre-operation callback returned (directly or through FltCompletePendedPreOperation). */
static int EmuApplyPre(EMU_CBD *op, EMU_LEVEL *lv, FLT_PREOP_CALLBACK_STATUS st, PVOID ctx)
{
    const FLT_OPERATION_REGISTRATION *reg = EmuFindOpReg(lv->Instance->Filter, op->Iopb.MajorFunction);
    const char *who = lv->Instance->Filter->Hdr.Name;
    lv->CompletionContext = ctx;
    if (op->Iopb.MajorFunction != lv->Input.MajorFunction) {
        EmuViolation("%s changed Iopb->MajorFunction (a filter must start a new operation instead)", who);
        op->Iopb.MajorFunction = lv->Input.MajorFunction;
    }
    int callPost = reg != NULL && reg->PostOperation != NULL;
    switch (st) {
    case FLT_PREOP_SUCCESS_WITH_CALLBACK:
        lv->CallPost = callPost;
        break;
    case FLT_PREOP_SYNCHRONIZE:
        if (!callPost) {
            EmuViolation("%s returned FLT_PREOP_SYNCHRONIZE for %s without a post-operation callback", who, EmuMajorName(op->Iopb.MajorFunction));
        }
        lv->CallPost = callPost;
        lv->SyncPost = !op->FastIo;     /* for non-IRP operations it is SUCCESS_WITH_CALLBACK */
        break;
    case FLT_PREOP_SUCCESS_NO_CALLBACK:
        if (ctx != NULL) {
            EmuViolation("%s returned a CompletionContext with FLT_PREOP_SUCCESS_NO_CALLBACK (it would leak)", who);
        }
        lv->CallPost = 0;
        break;
    case FLT_PREOP_COMPLETE:
        if (op->Data.IoStatus.Status == STATUS_PENDING) {
            EmuViolation("%s completed %s with IoStatus.Status STATUS_PENDING", who, EmuMajorName(op->Iopb.MajorFunction));
        }
        if (op->Data.IoStatus.Status == STATUS_FLT_DISALLOW_FAST_IO) {
            EmuViolation("%s completed %s with STATUS_FLT_DISALLOW_FAST_IO, which only the filter manager may use", who, EmuMajorName(op->Iopb.MajorFunction));
        }
        if (ctx != NULL) {
            EmuViolation("%s returned a CompletionContext with FLT_PREOP_COMPLETE (it would leak)", who);
        }
        if (op->Iopb.MajorFunction == IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION && !NT_SUCCESS(op->Data.IoStatus.Status) &&
            lv->Input.Parameters.AcquireForSectionSynchronization.SyncType != SyncTypeCreateSection) {
            EmuViolation("%s failed IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION with SyncTypeOther (0x%08x): only a section creation may be failed",
                         who, (unsigned)op->Data.IoStatus.Status);
        }
        lv->CallPost = 0;
        op->Iopb = lv->Input;
        return EMU_UP;
    case FLT_PREOP_DISALLOW_FASTIO:
        if (!op->FastIo) {
            EmuViolation("%s returned FLT_PREOP_DISALLOW_FASTIO for an IRP-based %s", who, EmuMajorName(op->Iopb.MajorFunction));
            lv->CallPost = 0;
            break;
        }
        op->DisallowedFastIo = 1;
        op->Data.IoStatus.Status = STATUS_FLT_DISALLOW_FAST_IO;
        op->Data.IoStatus.Information = 0;
        lv->CallPost = 0;
        op->Iopb = lv->Input;
        return EMU_UP;
    default:
        EmuViolation("%s returned pre-operation status %d for %s, which is not valid here", who, (int)st, EmuMajorName(op->Iopb.MajorFunction));
        lv->CallPost = callPost;
        break;
    }
    if (op->Data.Flags & FLTFL_CALLBACK_DATA_DIRTY) {
        op->Data.Flags &= ~FLTFL_CALLBACK_DATA_DIRTY;
        if (!EmuCheckTarget(op, lv)) {
            /* Reported; the operation fails here. The filter still gets its post-operation
               callback (it may hold references for it), so a test fails instead of hanging. */
            op->Iopb = lv->Input;
            op->Data.IoStatus.Status = STATUS_INVALID_PARAMETER;
            op->Data.IoStatus.Information = 0;
            return EMU_UP;
        }
        PVOID *buffer;
        PULONG length;
        PMDL *mdl = EmuIopbMdl(&op->Iopb, &buffer, &length);
        if (mdl != NULL && *mdl != NULL && *mdl != *EmuIopbMdl(&lv->Input, &buffer, &length)) {
            lv->SwappedMdl = *mdl;      /* swapped in: the filter manager frees it after this level's post-operation */
        }
        if (op->Iopb.TargetInstance != lv->Instance) {
            PFLT_INSTANCE target = op->Iopb.TargetInstance;
            EmuTrace("%s redirected %s to %s", who, EmuMajorName(op->Iopb.MajorFunction), target->Volume->Hdr.Name);
            op->Volume = target->Volume;
            op->Next = EmuInstanceBelow(target->Volume, target->AltitudeValue);
        }
    } else if (memcmp(&op->Iopb, &lv->Input, sizeof(op->Iopb)) != 0) {
        EmuTrace("%s changed the parameters of %s without FltSetCallbackDataDirty: the change is ignored", who, EmuMajorName(op->Iopb.MajorFunction));
        op->Iopb = lv->Input;
    }
    return EMU_DOWN;
}

static void EmuCallChecked(KIRQL irql, const char *what, const char *who)
{
    KIRQL now = KeGetCurrentIrql();
    if (now != irql) {
        EmuViolation("%s of %s returned at IRQL %u, entered at %u", what, who, now, irql);
    }
}

/* The file system has returned the operation's status (the emulated
 * IoCallDriver returned): the filters whose pre-operation callbacks asked for
 * it (FltRequestOperationStatusCallback) are told, lowest first, each with the
 * parameters its pre-operation callback received. Not for an operation a
 * filter completed: it never reached IoCallDriver. */
static void EmuCallStatusCallbacks(EMU_CBD *op)
{
    for (int i = op->Depth - 1; i >= 0; i--) {
        EMU_LEVEL *lv = &op->Levels[i];
        if (lv->StatusCallback == NULL) {
            continue;
        }
        PFLT_GET_OPERATION_STATUS_CALLBACK cb = lv->StatusCallback;
        lv->StatusCallback = NULL;
        FLT_IO_PARAMETER_BLOCK snapshot = lv->Input;
        KIRQL saved = KeGetCurrentIrql();
        EmuSetIrql(PASSIVE_LEVEL);
        cb(&lv->Objects, &snapshot, op->Data.IoStatus.Status, lv->StatusContext);
        EmuCallChecked(PASSIVE_LEVEL, "the operation status callback", lv->Instance->Filter->Hdr.Name);
        EmuSetIrql(saved);
    }
}

static void EmuContinueDown(EMU_CBD *op)
{
    for (;;) {
        PFLT_INSTANCE inst = op->Next;
        if (inst == NULL) {
            EmuFsDispatch(op);
            EmuCallStatusCallbacks(op);
            EmuContinueUp(op);
            return;
        }
        op->Next = EmuInstanceBelow(op->Volume, inst->AltitudeValue);
        const FLT_OPERATION_REGISTRATION *reg = EmuFindOpReg(inst->Filter, op->Iopb.MajorFunction);
        if (reg == NULL || (reg->PreOperation == NULL && reg->PostOperation == NULL)
            || ((reg->Flags & FLTFL_OPERATION_REGISTRATION_SKIP_PAGING_IO) && (op->Iopb.IrpFlags & IRP_PAGING_IO))) {
            continue;
        }
        if (op->Depth >= EMU_MAX_LEVELS) {
            EmuViolation("%s: more than %d levels (a redirection loop?)", EmuMajorName(op->Iopb.MajorFunction), EMU_MAX_LEVELS);
            op->Data.IoStatus.Status = STATUS_INTERNAL_ERROR;
            EmuContinueUp(op);
            return;
        }
        EMU_LEVEL *lv = &op->Levels[op->Depth++];
        memset(lv, 0, sizeof(*lv));
        lv->Instance = inst;
        op->Iopb.TargetInstance = inst;
        lv->Input = op->Iopb;
        /* Transaction: the one the file object was opened in (IoGetTransactionParameterBlock), if any. */
        PKTRANSACTION txn = EmuIsFileObject(op->Iopb.TargetFileObject) ? EMU_FILE_FROM_FO(op->Iopb.TargetFileObject)->Transaction : NULL;
        FLT_RELATED_OBJECTS objs = { sizeof(FLT_RELATED_OBJECTS), 0, inst->Filter, op->Volume, inst, op->Iopb.TargetFileObject, txn };
        memcpy(&lv->Objects, &objs, sizeof(objs));
        if (reg->PreOperation == NULL) {
            lv->CallPost = 1;
            continue;
        }
        op->Data.Flags &= ~FLTFL_CALLBACK_DATA_DIRTY;
        PVOID ctx = NULL;
        EmuLock();
        op->CallbackInProgress = 1;
        op->State = EMU_OP_PRE;
        op->EarlyResume = 0;
        inst->PreCallbacksRunning++;
        EmuUnlock();
        KIRQL saved = KeGetCurrentIrql();
        EmuSetIrql(PASSIVE_LEVEL);
        FLT_PREOP_CALLBACK_STATUS st = reg->PreOperation(&op->Data, &lv->Objects, &ctx);
        EmuCallChecked(PASSIVE_LEVEL, "the pre-operation callback", inst->Filter->Hdr.Name);
        EmuSetIrql(saved);
        if (st == FLT_PREOP_PENDING) {
            /* "Pending an I/O Operation in a Preoperation Callback Routine": IRP-based operations only, NULL CompletionContext. */
            if (!FLT_IS_IRP_OPERATION(&op->Data)) {
                EmuViolation("%s returned FLT_PREOP_PENDING for %s, which is not an IRP-based operation (%s): only IRP-based operations may be pended",
                             inst->Filter->Hdr.Name, EmuMajorName(op->Iopb.MajorFunction), op->FastIo ? "fast I/O" : "a file system filter callback");
            }
            if (ctx != NULL) {
                EmuViolation("%s returned FLT_PREOP_PENDING for %s with a CompletionContext (it must be NULL; pass it to FltCompletePendedPreOperation)",
                             inst->Filter->Hdr.Name, EmuMajorName(op->Iopb.MajorFunction));
            }
            EmuLock();
            op->Pended = 1;             /* the filter manager marked the IRP pending: its dispatch returns STATUS_PENDING */
            op->CallbackInProgress = 0;
            if (!op->EarlyResume) {
                op->State = EMU_OP_PENDED_PRE;
                inst->PreCallbacksRunning--;
                EmuBroadcast();
                EmuUnlock();
                return;     /* FltCompletePendedPreOperation resumes it */
            }
            op->EarlyResume = 0;
            st = op->EarlyStatus;
            ctx = op->EarlyContext;
            EmuUnlock();
        } else {
            EmuLock();
            op->CallbackInProgress = 0;
            EmuUnlock();
        }
        int up = EmuApplyPre(op, lv, st, ctx) == EMU_UP;
        EmuLock();
        inst->PreCallbacksRunning--;
        EmuBroadcast();
        EmuUnlock();
        if (up) {
            EmuContinueUp(op);
            return;
        }
    }
}

/* STATUS_FLT_DISALLOW_FAST_IO is the filter manager's own: a filter that sets
 * it as the operation's status in a post-operation callback (or before
 * completing a pended one) is named where it does it, since a filter above
 * may overwrite the status before the operation completes. */
static void EmuCheckPostStatus(EMU_CBD *op, EMU_LEVEL *lv)
{
    if (op->Data.IoStatus.Status == STATUS_FLT_DISALLOW_FAST_IO && lv->StatusBeforePost != STATUS_FLT_DISALLOW_FAST_IO) {
        EmuViolation("%s set IoStatus.Status of %s to STATUS_FLT_DISALLOW_FAST_IO in its post-operation callback, which only the filter manager may use",
                     lv->Instance->Filter->Hdr.Name, EmuMajorName(lv->Input.MajorFunction));
    }
}

/* A level is done with (its post-operation callback returned, or it had none): as the
 * documentation of FltRetainSwappedBufferMdlAddress says, the filter manager frees an MDL
 * the filter swapped in, unless the filter retained it. */
static void EmuLevelDone(EMU_CBD *op, EMU_LEVEL *lv)
{
    if (lv->SwappedMdl != NULL && !lv->RetainSwappedMdl) {
        EmuMdlRelease(lv->SwappedMdl, "the filter manager (freeing the MDL a filter swapped in, after its post-operation callback; "
                      "a filter frees it itself only after FltRetainSwappedBufferMdlAddress)", 0);
    }
    lv->SwappedMdl = NULL;
    op->Depth--;
}

static void EmuContinueUp(EMU_CBD *op)
{
    while (op->Depth > 0) {
        EMU_LEVEL *lv = &op->Levels[op->Depth - 1];
        EmuLock();      /* an instance teardown may have drained this level meanwhile */
        int callPost = lv->CallPost;
        lv->CallPost = 0;
        EmuUnlock();
        if (!callPost) {
            EmuLevelDone(op, lv);
            continue;
        }
        const FLT_OPERATION_REGISTRATION *reg = EmuFindOpReg(lv->Instance->Filter, lv->Input.MajorFunction);
        op->Iopb = lv->Input;      /* the filter's own input parameters */
        op->Volume = lv->Instance->Volume;
        op->Data.Flags &= ~FLTFL_CALLBACK_DATA_DIRTY;
        op->Data.Flags |= FLTFL_CALLBACK_DATA_POST_OPERATION;
        KIRQL irql = (lv->SyncPost || op->FastIo) ? PASSIVE_LEVEL : EmuPostIrqlFor(op->Iopb.MajorFunction);
        if (op->Iopb.MajorFunction == IRP_MJ_CREATE) {
            op->File->InPostCreate = 1;
        }
        EmuLock();
        op->CallbackInProgress = 1;
        op->State = EMU_OP_POST;
        op->EarlyResume = 0;
        EmuUnlock();
        lv->StatusBeforePost = op->Data.IoStatus.Status;
        KIRQL saved = KeGetCurrentIrql();
        EmuSetIrql(irql);
        FLT_POSTOP_CALLBACK_STATUS st = reg->PostOperation(&op->Data, &lv->Objects, lv->CompletionContext, 0);
        EmuCallChecked(irql, "the post-operation callback", lv->Instance->Filter->Hdr.Name);
        EmuSetIrql(saved);
        EmuLock();
        op->CallbackInProgress = 0;
        if (st == FLT_POSTOP_MORE_PROCESSING_REQUIRED) {
            if (!FLT_IS_IRP_OPERATION(&op->Data)) {
                EmuUnlock();
                EmuViolation("%s returned FLT_POSTOP_MORE_PROCESSING_REQUIRED for %s, which is not an IRP-based operation (%s)",
                             lv->Instance->Filter->Hdr.Name, EmuMajorName(op->Iopb.MajorFunction), op->FastIo ? "fast I/O" : "a file system filter callback");
                EmuLock();
            } else {
                op->Pended = 1;         /* completion stopped: the filter manager's dispatch returns STATUS_PENDING */
                if (!op->EarlyResume) {
                    op->State = EMU_OP_PENDED_POST;
                    EmuUnlock();
                    return;     /* FltCompletePendedPostOperation resumes it */
                }
            }
            op->EarlyResume = 0;
        } else if (st != FLT_POSTOP_FINISHED_PROCESSING) {
            EmuUnlock();
            EmuViolation("%s returned post-operation status %d, which is not valid here", lv->Instance->Filter->Hdr.Name, (int)st);
            EmuLock();
        }
        EmuUnlock();
        EmuCheckPostStatus(op, lv);
        EmuLevelDone(op, lv);
    }
    EmuFinish(op);
}

/*
 * Draining, as the filter manager does when an instance is torn down: every
 * operation in flight for which inst received a pre-operation callback and
 * still owes it a post-operation callback gets that callback now, even though
 * the operation has not completed, with FLTFL_POST_OPERATION_DRAINING, at
 * PASSIVE_LEVEL, on a copy of the callback data (so routines that need the
 * real operation, FltCompletePendedPostOperation, FltSetCallbackDataDirty...,
 * are reported). The callback may only clean up (its CompletionContext) and
 * must return FLT_POSTOP_FINISHED_PROCESSING; the operation then goes on
 * without it.
 */
typedef struct EMU_DRAIN {
    FLT_CALLBACK_DATA Data;
    FLT_IO_PARAMETER_BLOCK Iopb;
    FLT_RELATED_OBJECTS Objects;
    PVOID Context;
    PFLT_POST_OPERATION_CALLBACK Post;
} EMU_DRAIN;

void EmuDrainInstance(PFLT_INSTANCE inst)
{
    for (;;) {
        EMU_DRAIN d;
        int found = 0;
        EmuLock();
        for (PLIST_ENTRY e = g_operations.Flink; e != &g_operations && !found; e = e->Flink) {
            EMU_CBD *op = CONTAINING_RECORD(e, EMU_CBD, OpLink);
            for (int i = 0; i < op->Depth && i < EMU_MAX_LEVELS; i++) {
                EMU_LEVEL *lv = &op->Levels[i];
                if (lv->Instance != inst || !lv->CallPost) {
                    continue;
                }
                const FLT_OPERATION_REGISTRATION *reg = EmuFindOpReg(inst->Filter, lv->Input.MajorFunction);
                lv->CallPost = 0;       /* taken: the operation will not call it again */
                if (reg == NULL || reg->PostOperation == NULL) {
                    continue;
                }
                memset(&d, 0, sizeof(d));
                memcpy(&d.Data, &op->Data, sizeof(d.Data));
                d.Iopb = lv->Input;
                *(PFLT_IO_PARAMETER_BLOCK *)&d.Data.Iopb = &d.Iopb;
                d.Data.Flags = (op->Data.Flags & ~FLTFL_CALLBACK_DATA_DIRTY) | FLTFL_CALLBACK_DATA_POST_OPERATION;
                memcpy(&d.Objects, &lv->Objects, sizeof(d.Objects));
                d.Context = lv->CompletionContext;
                d.Post = reg->PostOperation;
                found = 1;
                break;
            }
        }
        EmuUnlock();
        if (!found) {
            return;
        }
        KIRQL saved = KeGetCurrentIrql();
        EmuSetIrql(PASSIVE_LEVEL);
        FLT_POSTOP_CALLBACK_STATUS st = d.Post(&d.Data, &d.Objects, d.Context, FLTFL_POST_OPERATION_DRAINING);
        EmuCallChecked(PASSIVE_LEVEL, "the draining post-operation callback", inst->Filter->Hdr.Name);
        EmuSetIrql(saved);
        if (st != FLT_POSTOP_FINISHED_PROCESSING) {
            EmuViolation("%s returned post-operation status %d with FLTFL_POST_OPERATION_DRAINING for %s: a draining callback must only clean up and return FLT_POSTOP_FINISHED_PROCESSING",
                         inst->Filter->Hdr.Name, (int)st, EmuMajorName(d.Iopb.MajorFunction));
        }
    }
}

static void EmuFinish(EMU_CBD *op)
{
    op->Iopb.TargetFileObject = &op->File->Fo;
    if (op->Iopb.MajorFunction == IRP_MJ_CREATE) {
        EMU_FILE *file = op->File;
        NTSTATUS status = op->Data.IoStatus.Status;
        file->InPostCreate = 0;
        if (file->Cancelled) {
            if (NT_SUCCESS(status)) {
                EmuViolation("FltCancelFileOpen was called on %s but the create completed with success status 0x%08x", file->Hdr.Name, (unsigned)status);
                op->Data.IoStatus.Status = STATUS_UNSUCCESSFUL;
            }
            if (op->Data.IoStatus.Information != 0) {
                EmuViolation("the create of %s was cancelled but IoStatus.Information is %lu, not 0", file->Hdr.Name, (unsigned long)op->Data.IoStatus.Information);
            }
        } else if (!NT_SUCCESS(status) && file->Opened) {
            EmuViolation("a post-create callback failed the create of %s (0x%08x) without FltCancelFileOpen: the file stays open in the file system",
                         file->Hdr.Name, (unsigned)status);
            EmuFsClose(file);
            file->Opened = 0;
        }
    }
    if (op->Data.IoStatus.Status == STATUS_FLT_DISALLOW_FAST_IO && !op->DisallowedFastIo) {
        EmuViolation("%s completed with STATUS_FLT_DISALLOW_FAST_IO, which only the filter manager may use (set by the file system or by a filter after its callback)", EmuMajorName(op->Iopb.MajorFunction));
    }
    EmuLock();
    op->State = EMU_OP_DONE;
    op->Done = 1;
    EmuBroadcast();
    EmuUnlock();
}

void EmuStartOperation(EMU_CBD *op)
{
    EmuContinueDown(op);
}

void EmuRunOperation(EMU_CBD *op)
{
    EmuContinueDown(op);
    EmuLock();
    while (!op->Done) {
        EmuWaitUntil(0);
    }
    EmuUnlock();
}

/* ---- callback data routines ---- */
static EMU_CBD *EmuOp(PFLT_CALLBACK_DATA Data, const char *routine);

/* FltRequestOperationStatusCallback: only from a pre-operation callback
 * (STATUS_INVALID_PARAMETER otherwise, as documented), only for an IRP-based
 * operation other than IRP_MJ_CLOSE. CallbackRoutine runs once the operation
 * has been sent below (EmuCallStatusCallbacks). */
NTSTATUS FltRequestOperationStatusCallback(PFLT_CALLBACK_DATA Data, PFLT_GET_OPERATION_STATUS_CALLBACK CallbackRoutine,
                                           PVOID RequesterContext)
{
    EMU_CBD *op = EmuOp(Data, "FltRequestOperationStatusCallback");
    if (op == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    if (CallbackRoutine == NULL) {
        EmuViolation("FltRequestOperationStatusCallback: CallbackRoutine is NULL (required)");
        return STATUS_INVALID_PARAMETER;
    }
    EmuLock();
    int inPre = op->State == EMU_OP_PRE && op->CallbackInProgress && op->Depth > 0;
    EmuUnlock();
    if (!inPre || op->Iopb.MajorFunction == IRP_MJ_CLOSE) {
        return STATUS_INVALID_PARAMETER;
    }
    if (!FLT_IS_IRP_OPERATION(Data)) {
        EmuViolation("FltRequestOperationStatusCallback on %s, which is not IRP-based (check FLT_IS_IRP_OPERATION first)",
                     EmuMajorName(op->Iopb.MajorFunction));
        return STATUS_INVALID_PARAMETER;
    }
    EMU_LEVEL *lv = &op->Levels[op->Depth - 1];
    lv->StatusCallback = CallbackRoutine;
    lv->StatusContext = RequesterContext;
    return STATUS_SUCCESS;
}

PCHAR FltGetIrpName(UCHAR IrpMajorCode)
{
    static const char *const names[] = {
        "IRP_MJ_CREATE", "IRP_MJ_CREATE_NAMED_PIPE", "IRP_MJ_CLOSE", "IRP_MJ_READ", "IRP_MJ_WRITE",
        "IRP_MJ_QUERY_INFORMATION", "IRP_MJ_SET_INFORMATION", "IRP_MJ_QUERY_EA", "IRP_MJ_SET_EA",
        "IRP_MJ_FLUSH_BUFFERS", "IRP_MJ_QUERY_VOLUME_INFORMATION", "IRP_MJ_SET_VOLUME_INFORMATION",
        "IRP_MJ_DIRECTORY_CONTROL", "IRP_MJ_FILE_SYSTEM_CONTROL", "IRP_MJ_DEVICE_CONTROL",
        "IRP_MJ_INTERNAL_DEVICE_CONTROL", "IRP_MJ_SHUTDOWN", "IRP_MJ_LOCK_CONTROL", "IRP_MJ_CLEANUP",
        "IRP_MJ_CREATE_MAILSLOT", "IRP_MJ_QUERY_SECURITY", "IRP_MJ_SET_SECURITY", "IRP_MJ_POWER",
        "IRP_MJ_SYSTEM_CONTROL", "IRP_MJ_DEVICE_CHANGE", "IRP_MJ_QUERY_QUOTA", "IRP_MJ_SET_QUOTA", "IRP_MJ_PNP",
    };
    /* The filter manager's own codes for operations that are not IRPs. */
    static const char *const fltNames[] = {
        NULL, "IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION", "IRP_MJ_RELEASE_FOR_SECTION_SYNCHRONIZATION",
        "IRP_MJ_ACQUIRE_FOR_MOD_WRITE", "IRP_MJ_RELEASE_FOR_MOD_WRITE", "IRP_MJ_ACQUIRE_FOR_CC_FLUSH",
        "IRP_MJ_RELEASE_FOR_CC_FLUSH", "IRP_MJ_QUERY_OPEN", NULL, NULL, NULL, NULL, NULL,
        "IRP_MJ_FAST_IO_CHECK_IF_POSSIBLE", "IRP_MJ_NETWORK_QUERY_OPEN", "IRP_MJ_MDL_READ", "IRP_MJ_MDL_READ_COMPLETE",
        "IRP_MJ_PREPARE_MDL_WRITE", "IRP_MJ_MDL_WRITE_COMPLETE", "IRP_MJ_VOLUME_MOUNT", "IRP_MJ_VOLUME_DISMOUNT",
    };
    if (IrpMajorCode <= IRP_MJ_MAXIMUM_FUNCTION) {
        return (PCHAR)names[IrpMajorCode];
    }
    unsigned neg = 256u - IrpMajorCode;
    if (neg < sizeof(fltNames) / sizeof(fltNames[0]) && fltNames[neg] != NULL) {
        return (PCHAR)fltNames[neg];
    }
    return (PCHAR)"IRP_MJ_UNKNOWN";
}
static EMU_CBD *EmuOp(PFLT_CALLBACK_DATA Data, const char *routine)
{
    if (!EmuIsCallbackData(Data)) {
        EmuViolation("%s(%p): not a callback data of an operation in progress", routine, (void *)Data);
        return NULL;
    }
    return EMU_CBD_FROM_DATA(Data);
}

VOID FltSetCallbackDataDirty(PFLT_CALLBACK_DATA Data)
{
    EmuRequireIrql("FltSetCallbackDataDirty", DISPATCH_LEVEL);
    if (EmuOp(Data, "FltSetCallbackDataDirty") != NULL) {
        Data->Flags |= FLTFL_CALLBACK_DATA_DIRTY;
    }
}

VOID FltClearCallbackDataDirty(PFLT_CALLBACK_DATA Data)
{
    EmuRequireIrql("FltClearCallbackDataDirty", DISPATCH_LEVEL);
    if (EmuOp(Data, "FltClearCallbackDataDirty") != NULL) {
        Data->Flags &= ~FLTFL_CALLBACK_DATA_DIRTY;
    }
}

BOOLEAN FltIsCallbackDataDirty(PFLT_CALLBACK_DATA Data)
{
    EmuRequireIrql("FltIsCallbackDataDirty", DISPATCH_LEVEL);
    return (BOOLEAN)(EmuOp(Data, "FltIsCallbackDataDirty") != NULL && (Data->Flags & FLTFL_CALLBACK_DATA_DIRTY) != 0);
}

VOID FltCompletePendedPreOperation(PFLT_CALLBACK_DATA CallbackData, FLT_PREOP_CALLBACK_STATUS CallbackStatus, PVOID Context)
{
    EmuRequireIrql("FltCompletePendedPreOperation", DISPATCH_LEVEL);
    EMU_CBD *op = EmuOp(CallbackData, "FltCompletePendedPreOperation");
    if (op == NULL) {
        return;
    }
    if (CallbackStatus == FLT_PREOP_PENDING || CallbackStatus == FLT_PREOP_DISALLOW_FASTIO) {
        EmuViolation("FltCompletePendedPreOperation with status %d: only SUCCESS_WITH_CALLBACK, SUCCESS_NO_CALLBACK or COMPLETE", (int)CallbackStatus);
        CallbackStatus = FLT_PREOP_SUCCESS_NO_CALLBACK;
        Context = NULL;
    } else if (CallbackStatus == FLT_PREOP_SYNCHRONIZE) {
        /* Documented: "Cannot be FLT_PREOP_PENDING, FLT_PREOP_SYNCHRONIZE, or FLT_PREOP_DISALLOW_FASTIO". The post-operation
           callback still runs (as with SUCCESS_WITH_CALLBACK), so a CompletionContext is not lost. */
        EmuViolation("FltCompletePendedPreOperation with FLT_PREOP_SYNCHRONIZE, which it does not accept (only SUCCESS_WITH_CALLBACK, "
                     "SUCCESS_NO_CALLBACK or COMPLETE)");
        CallbackStatus = FLT_PREOP_SUCCESS_WITH_CALLBACK;
    }
    EmuLock();
    if (op->State == EMU_OP_PRE && op->CallbackInProgress) {
        op->EarlyResume = 1;
        op->EarlyStatus = CallbackStatus;
        op->EarlyContext = Context;
        EmuUnlock();
        return;
    }
    if (op->State != EMU_OP_PENDED_PRE) {
        EmuUnlock();
        EmuViolation("FltCompletePendedPreOperation on an operation that is not pended in a pre-operation callback");
        return;
    }
    op->State = EMU_OP_PRE;
    EmuUnlock();
    if (EmuApplyPre(op, &op->Levels[op->Depth - 1], CallbackStatus, Context) == EMU_UP) {
        EmuContinueUp(op);
    } else {
        EmuContinueDown(op);
    }
}

VOID FltCompletePendedPostOperation(PFLT_CALLBACK_DATA CallbackData)
{
    EmuRequireIrql("FltCompletePendedPostOperation", DISPATCH_LEVEL);
    EMU_CBD *op = EmuOp(CallbackData, "FltCompletePendedPostOperation");
    if (op == NULL) {
        return;
    }
    EmuLock();
    if (op->State == EMU_OP_POST && op->CallbackInProgress) {
        op->EarlyResume = 1;
        EmuUnlock();
        return;
    }
    if (op->State != EMU_OP_PENDED_POST) {
        EmuUnlock();
        EmuViolation("FltCompletePendedPostOperation on an operation that is not pended in a post-operation callback");
        return;
    }
    op->State = EMU_OP_POST;
    EmuUnlock();
    EmuCheckPostStatus(op, &op->Levels[op->Depth - 1]);
    EmuLevelDone(op, &op->Levels[op->Depth - 1]);
    EmuContinueUp(op);
}

typedef struct EMU_SAFE_POST {
    EMU_CBD *Op;
    PFLT_POST_OPERATION_CALLBACK Callback;
    FLT_RELATED_OBJECTS Objects;
    PVOID Context;
    FLT_POST_OPERATION_FLAGS Flags;
} EMU_SAFE_POST;

static void EmuSafePostWorker(void *p)
{
    EMU_SAFE_POST *s = p;
    FLT_POSTOP_CALLBACK_STATUS st = s->Callback(&s->Op->Data, &s->Objects, s->Context, s->Flags);
    PFLT_CALLBACK_DATA data = &s->Op->Data;
    free(s);
    if (st == FLT_POSTOP_FINISHED_PROCESSING) {
        FltCompletePendedPostOperation(data);
    }
}

BOOLEAN FltDoCompletionProcessingWhenSafe(PFLT_CALLBACK_DATA Data, PCFLT_RELATED_OBJECTS FltObjects, PVOID CompletionContext, FLT_POST_OPERATION_FLAGS Flags,
                                          PFLT_POST_OPERATION_CALLBACK SafePostCallback, PFLT_POSTOP_CALLBACK_STATUS RetPostOperationStatus)
{
    EMU_CBD *op = EmuOp(Data, "FltDoCompletionProcessingWhenSafe");
    if (op == NULL || !FLT_IS_IRP_OPERATION(Data) || (Data->Iopb->IrpFlags & IRP_PAGING_IO)) {
        return FALSE;   /* not an IRP operation: the caller must handle it otherwise */
    }
    if (KeGetCurrentIrql() <= APC_LEVEL) {
        *RetPostOperationStatus = SafePostCallback(Data, FltObjects, CompletionContext, Flags);
        return TRUE;
    }
    EMU_SAFE_POST *s = calloc(1, sizeof(*s));
    s->Op = op;
    s->Callback = SafePostCallback;
    memcpy(&s->Objects, FltObjects, sizeof(s->Objects));
    s->Context = CompletionContext;
    s->Flags = Flags;
    *RetPostOperationStatus = FLT_POSTOP_MORE_PROCESSING_REQUIRED;
    EmuRunInWorker(EmuSafePostWorker, s);
    return TRUE;
}

VOID FltCancelFileOpen(PFLT_INSTANCE Instance, PFILE_OBJECT FileObject)
{
    EmuRequireIrql("FltCancelFileOpen", APC_LEVEL);
    if (!EmuIsFileObject(FileObject) || !EmuIsInstance(Instance)) {
        EmuViolation("FltCancelFileOpen(%p, %p): not an instance and a file object", (void *)Instance, (void *)FileObject);
        return;
    }
    EMU_FILE *file = EMU_FILE_FROM_FO(FileObject);
    if (file->HandleCreated || !file->InPostCreate) {
        EmuViolation("FltCancelFileOpen on the %s after its handle was created: it may only be called in a post-create callback", file->Hdr.Name);
        return;
    }
    if (!file->Opened || file->Cancelled) {
        EmuViolation("FltCancelFileOpen on the %s, whose create did not succeed or was already cancelled", file->Hdr.Name);
        return;
    }
    file->Cancelled = 1;
    file->Fo.Flags |= FO_FILE_OPEN_CANCELLED;
    /* The filters below and the file system see the cleanup and the close; nothing the create did is undone. */
    EMU_CBD *op = EmuNewOperation(IRP_MJ_CLEANUP, file, Instance, 0);
    op->Iopb.IrpFlags = IRP_CLOSE_OPERATION | IRP_SYNCHRONOUS_API;
    EmuRunOperation(op);
    EmuFreeOperation(op);
    op = EmuNewOperation(IRP_MJ_CLOSE, file, Instance, 0);
    op->Iopb.IrpFlags = IRP_CLOSE_OPERATION | IRP_SYNCHRONOUS_API;
    EmuRunOperation(op);
    EmuFreeOperation(op);
    EmuFsClose(file);
    file->Closed = 1;
}

NTSTATUS FltCancelFileOpenEx(PFLT_INSTANCE Instance, PFILE_OBJECT FileObject, ULONG Flags)
{
    UNREFERENCED_PARAMETER(Flags);
    FltCancelFileOpen(Instance, FileObject);
    return STATUS_SUCCESS;
}

ULONG FltGetRequestorProcessId(PFLT_CALLBACK_DATA CallbackData)
{
    EmuRequireIrql("FltGetRequestorProcessId", DISPATCH_LEVEL);
    return CallbackData->Thread != NULL ? CallbackData->Thread->Process->Pid : PsGetCurrentProcess()->Pid;
}

HANDLE FltGetRequestorProcessIdEx(PFLT_CALLBACK_DATA CallbackData) { return (HANDLE)(ULONG_PTR)FltGetRequestorProcessId(CallbackData); }

PEPROCESS FltGetRequestorProcess(PFLT_CALLBACK_DATA CallbackData)
{
    EmuRequireIrql("FltGetRequestorProcess", DISPATCH_LEVEL);
    return CallbackData->Thread != NULL ? CallbackData->Thread->Process : PsGetCurrentProcess();
}

/* As documented: fast I/O, an IRP with IRP_SYNCHRONOUS_API, or a file object opened for synchronous I/O. */
BOOLEAN FltIsOperationSynchronous(PFLT_CALLBACK_DATA CallbackData)
{
    PFILE_OBJECT fo = CallbackData->Iopb->TargetFileObject;
    return (BOOLEAN)(FLT_IS_FASTIO_OPERATION(CallbackData) || (CallbackData->Iopb->IrpFlags & IRP_SYNCHRONOUS_API) != 0 ||
                     (fo != NULL && (fo->Flags & FO_SYNCHRONOUS_IO) != 0));
}
/* FltLockUserBuffer, FltGetNewSystemBufferAddress: emu_buffers.c */
NTSTATUS FltDecodeParameters(PFLT_CALLBACK_DATA CallbackData, PMDL **MdlAddressPointer, PVOID **Buffer, PULONG *Length, PVOID DesiredAccess)
{
    UNREFERENCED_PARAMETER(DesiredAccess);
    PFLT_IO_PARAMETER_BLOCK p = CallbackData->Iopb;
    if (p->MajorFunction == IRP_MJ_READ || p->MajorFunction == IRP_MJ_WRITE) {
        if (MdlAddressPointer) *MdlAddressPointer = &p->Parameters.Read.MdlAddress;
        if (Buffer) *Buffer = &p->Parameters.Read.ReadBuffer;
        if (Length) *Length = &p->Parameters.Read.Length;
        return STATUS_SUCCESS;
    }
    return STATUS_INVALID_PARAMETER;
}

/* ---- I/O a filter initiates ---- */
static uint32_t g_lastCreateFlags;
static uint32_t g_createFileCalls;

uint32_t EmuLastFltCreateFileFlags(uint32_t *calls)
{
    EmuLock();
    uint32_t flags = g_lastCreateFlags;
    if (calls != NULL) {
        *calls = g_createFileCalls;
    }
    EmuUnlock();
    return flags;
}

NTSTATUS FltCreateFileEx2(PFLT_FILTER Filter, PFLT_INSTANCE Instance, PHANDLE FileHandle, PFILE_OBJECT *FileObject, ACCESS_MASK DesiredAccess,
                          POBJECT_ATTRIBUTES ObjectAttributes, PIO_STATUS_BLOCK IoStatusBlock, PLARGE_INTEGER AllocationSize, ULONG FileAttributes,
                          ULONG ShareAccess, ULONG CreateDisposition, ULONG CreateOptions, PVOID EaBuffer, ULONG EaLength, ULONG Flags,
                          PIO_DRIVER_CREATE_CONTEXT DriverContext)
{
    UNREFERENCED_PARAMETER(AllocationSize);
    UNREFERENCED_PARAMETER(EaBuffer);
    UNREFERENCED_PARAMETER(EaLength);
    if (!EmuRequireIrql("FltCreateFileEx2", PASSIVE_LEVEL)) {
        return STATUS_INVALID_DEVICE_STATE;
    }
    if (FileHandle != NULL) {
        *FileHandle = NULL;
    }
    if (FileObject != NULL) {
        *FileObject = NULL;
    }
    if (!EmuIsFilter(Filter) || FileHandle == NULL || ObjectAttributes == NULL || ObjectAttributes->ObjectName == NULL || IoStatusBlock == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    if (Instance != NULL && !EmuIsInstance(Instance)) {
        EmuViolation("FltCreateFileEx2: Instance %p is not an instance", (void *)Instance);
        return STATUS_INVALID_PARAMETER;
    }
    EmuLock();
    g_lastCreateFlags = Flags;          /* IO_FORCE_ACCESS_CHECK, IO_IGNORE_SHARE_ACCESS_CHECK ...: tests read them */
    g_createFileCalls++;
    EmuUnlock();
    if (Instance != NULL && EmuInstanceTearingDown(Instance)) {
        return STATUS_FLT_DELETING_OBJECT;      /* no new I/O through an instance being torn down */
    }
    if (!(ObjectAttributes->Attributes & OBJ_KERNEL_HANDLE)) {
        EmuViolation("FltCreateFileEx2 without OBJ_KERNEL_HANDLE: the handle would land in the current process's handle table");
    }
    if (ObjectAttributes->RootDirectory != NULL) {
        return STATUS_NOT_SUPPORTED;
    }
    USHORT prefix = 0;
    PFLT_VOLUME v = EmuVolumeByName(ObjectAttributes->ObjectName, &prefix);
    if (v == NULL) {
        IoStatusBlock->Status = STATUS_OBJECT_PATH_NOT_FOUND;
        IoStatusBlock->Information = 0;
        return STATUS_OBJECT_PATH_NOT_FOUND;
    }
    if (Instance != NULL && Instance->Volume != v) {
        return STATUS_INVALID_PARAMETER;
    }
    /* A kernel open is transacted only through DriverContext->TxnParameters (not the thread's current transaction). */
    PKTRANSACTION txn = NULL;
    if (DriverContext != NULL && DriverContext->TxnParameters != NULL) {
        txn = ((PTXN_PARAMETER_BLOCK)DriverContext->TxnParameters)->TransactionObject;
        if (!EmuIsTransaction(txn)) {
            EmuViolation("FltCreateFileEx2: DriverContext->TxnParameters does not name a transaction");
            return STATUS_INVALID_PARAMETER;
        }
    }
    EMU_FILE *file = EmuFileAlloc(v, ObjectAttributes->ObjectName->Buffer + prefix / 2, (ObjectAttributes->ObjectName->Length - prefix) / 2);
    EmuFileSetTransaction(file, txn);
    file->OwnerFilter = Filter;
    file->OpenedBelow = Instance != NULL;
    file->OpenedBelowAltitude = Instance != NULL ? Instance->AltitudeValue : 0;
    EMU_CBD *op = EmuNewOperation(IRP_MJ_CREATE, file, Instance, 0);
    op->Data.RequestorMode = KernelMode;
    op->Security.DesiredAccess = EmuMapGenericAccess(DesiredAccess);
    op->AccessState.OriginalDesiredAccess = op->AccessState.RemainingDesiredAccess = op->Security.DesiredAccess;
    op->Iopb.IrpFlags = IRP_CREATE_OPERATION | IRP_SYNCHRONOUS_API;
    op->Iopb.Parameters.Create.SecurityContext = &op->Security;
    op->Iopb.Parameters.Create.Options = (CreateDisposition << 24) | (CreateOptions & FILE_VALID_OPTION_FLAGS);
    op->Iopb.Parameters.Create.FileAttributes = (USHORT)FileAttributes;
    op->Iopb.Parameters.Create.ShareAccess = (USHORT)ShareAccess;
    op->IgnoreShareAccess = (Flags & IO_IGNORE_SHARE_ACCESS_CHECK) != 0;
    if (Flags & IO_FORCE_ACCESS_CHECK) {
        op->Iopb.OperationFlags |= SL_FORCE_ACCESS_CHECK;   /* as IoCreateFileEx does: the file system checks the caller's access */
    }
    EmuRunOperation(op);
    NTSTATUS status = op->Data.IoStatus.Status;
    IoStatusBlock->Status = status;
    IoStatusBlock->Information = op->Data.IoStatus.Information;
    EmuFreeOperation(op);
    if (!NT_SUCCESS(status) || !file->Opened) {
        EmuFileRelease(file);
        return NT_SUCCESS(status) ? STATUS_UNSUCCESSFUL : status;
    }
    file->HandleCreated = 1;
    file->Handles = 1;
    file->Fo.Flags |= FO_HANDLE_CREATED;
    *FileHandle = (HANDLE)(ULONG_PTR)EmuHandleAdd(file, 1);
    if (FileObject != NULL) {
        EmuObjDriverRef(&file->Hdr, 1, "FltCreateFileEx2");
        *FileObject = &file->Fo;
    }
    return status;
}

NTSTATUS FltCreateFileEx(PFLT_FILTER Filter, PFLT_INSTANCE Instance, PHANDLE FileHandle, PFILE_OBJECT *FileObject, ACCESS_MASK DesiredAccess,
                         POBJECT_ATTRIBUTES ObjectAttributes, PIO_STATUS_BLOCK IoStatusBlock, PLARGE_INTEGER AllocationSize, ULONG FileAttributes,
                         ULONG ShareAccess, ULONG CreateDisposition, ULONG CreateOptions, PVOID EaBuffer, ULONG EaLength, ULONG Flags)
{
    return FltCreateFileEx2(Filter, Instance, FileHandle, FileObject, DesiredAccess, ObjectAttributes, IoStatusBlock, AllocationSize, FileAttributes,
                            ShareAccess, CreateDisposition, CreateOptions, EaBuffer, EaLength, Flags, NULL);
}

NTSTATUS FltCreateFile(PFLT_FILTER Filter, PFLT_INSTANCE Instance, PHANDLE FileHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                       PIO_STATUS_BLOCK IoStatusBlock, PLARGE_INTEGER AllocationSize, ULONG FileAttributes, ULONG ShareAccess, ULONG CreateDisposition,
                       ULONG CreateOptions, PVOID EaBuffer, ULONG EaLength, ULONG Flags)
{
    return FltCreateFileEx2(Filter, Instance, FileHandle, NULL, DesiredAccess, ObjectAttributes, IoStatusBlock, AllocationSize, FileAttributes,
                            ShareAccess, CreateDisposition, CreateOptions, EaBuffer, EaLength, Flags, NULL);
}

NTSTATUS FltClose(HANDLE FileHandle)
{
    EmuRequireIrql("FltClose", PASSIVE_LEVEL);
    EMU_FILE *file = EmuHandleGet((uint64_t)(ULONG_PTR)FileHandle, 1, 1);
    if (file == NULL) {
        EmuViolation("FltClose(%p): not an open kernel handle (INVALID_KERNEL_HANDLE)", (void *)FileHandle);
        return STATUS_INVALID_HANDLE;
    }
    EmuCloseFileObject(file, 1);
    return STATUS_SUCCESS;
}

NTSTATUS ZwClose(HANDLE Handle)
{
    if (EmuIsRegistryHandle(Handle)) {
        return EmuRegistryClose(Handle);
    }
    if (EmuIsThreadHandle(Handle)) {
        EmuRequireIrql("ZwClose", PASSIVE_LEVEL);
        return EmuCloseThreadHandle(Handle);
    }
    if (EmuIsTransactionHandle(Handle)) {
        EmuRequireIrql("ZwClose", PASSIVE_LEVEL);
        return EmuTransactionCloseHandle(Handle);
    }
    if (EmuIsSectionHandle(Handle) || EmuIsProcessHandle(Handle)) {     /* emu_section.c */
        EmuRequireIrql("ZwClose", PASSIVE_LEVEL);
        return EmuIsSectionHandle(Handle) ? EmuSectionCloseHandle(Handle, 0, "ZwClose") : EmuProcessCloseHandle(Handle, 0, "ZwClose");
    }
    return FltClose(Handle);
}

static EMU_FILE *EmuFilterIoFile(PFLT_INSTANCE Instance, PFILE_OBJECT FileObject, const char *routine)
{
    if (!EmuIsInstance(Instance) || !EmuIsFileObject(FileObject)) {
        EmuViolation("%s(%p, %p): not an instance and a file object", routine, (void *)Instance, (void *)FileObject);
        return NULL;
    }
    EMU_FILE *file = EMU_FILE_FROM_FO(FileObject);
    if (file->Volume != Instance->Volume) {
        EmuViolation("%s: the file object is on %s, the instance on %s", routine, file->Volume->Hdr.Name, Instance->Volume->Hdr.Name);
        return NULL;
    }
    return file;
}

static NTSTATUS EmuFilterReadWrite(UCHAR major, PFLT_INSTANCE Instance, PFILE_OBJECT FileObject, PLARGE_INTEGER ByteOffset, ULONG Length, PVOID Buffer,
                                   FLT_IO_OPERATION_FLAGS Flags, PULONG Bytes, PFLT_COMPLETED_ASYNC_IO_CALLBACK CallbackRoutine, PVOID CallbackContext,
                                   const char *routine)
{
    EmuRequireIrql(routine, CallbackRoutine != NULL ? APC_LEVEL : PASSIVE_LEVEL);
    EMU_FILE *file = EmuFilterIoFile(Instance, FileObject, routine);
    if (file == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    EMU_CBD *op = EmuNewOperation(major, file, Instance, 0);
    op->Iopb.IrpFlags = (major == IRP_MJ_READ ? IRP_READ_OPERATION : IRP_WRITE_OPERATION) | (CallbackRoutine == NULL ? IRP_SYNCHRONOUS_API : 0)
                      | ((Flags & FLTFL_IO_OPERATION_NON_CACHED) ? IRP_NOCACHE : 0) | ((Flags & FLTFL_IO_OPERATION_PAGING) ? IRP_PAGING_IO : 0);
    op->Iopb.Parameters.Read.Length = Length;
    if (ByteOffset != NULL) {
        op->Iopb.Parameters.Read.ByteOffset = *ByteOffset;
    } else {
        op->Iopb.Parameters.Read.ByteOffset.LowPart = FILE_USE_FILE_POINTER_POSITION;
        op->Iopb.Parameters.Read.ByteOffset.HighPart = -1;
    }
    op->Iopb.Parameters.Read.ReadBuffer = Buffer;
    if (CallbackRoutine != NULL) {
        /* Asynchronous: STATUS_PENDING now, the I/O and the callback on a worker (emu_fltio.c); Bytes is not set. */
        return EmuFltIoStart(op, Instance, Flags, Buffer, Length, CallbackRoutine, CallbackContext, routine);
    }
    LARGE_INTEGER before = FileObject->CurrentByteOffset;
    EmuRunOperation(op);
    NTSTATUS status = op->Data.IoStatus.Status;
    if (Bytes != NULL) {
        *Bytes = (ULONG)op->Data.IoStatus.Information;
    }
    if (Flags & FLTFL_IO_OPERATION_DO_NOT_UPDATE_BYTE_OFFSET) {
        FileObject->CurrentByteOffset = before;
    }
    EmuFreeOperation(op);
    return status;
}

NTSTATUS FltReadFile(PFLT_INSTANCE InitiatingInstance, PFILE_OBJECT FileObject, PLARGE_INTEGER ByteOffset, ULONG Length, PVOID Buffer,
                     FLT_IO_OPERATION_FLAGS Flags, PULONG BytesRead, PFLT_COMPLETED_ASYNC_IO_CALLBACK CallbackRoutine, PVOID CallbackContext)
{
    return EmuFilterReadWrite(IRP_MJ_READ, InitiatingInstance, FileObject, ByteOffset, Length, Buffer, Flags, BytesRead, CallbackRoutine, CallbackContext, "FltReadFile");
}

NTSTATUS FltWriteFile(PFLT_INSTANCE InitiatingInstance, PFILE_OBJECT FileObject, PLARGE_INTEGER ByteOffset, ULONG Length, PVOID Buffer,
                      FLT_IO_OPERATION_FLAGS Flags, PULONG BytesWritten, PFLT_COMPLETED_ASYNC_IO_CALLBACK CallbackRoutine, PVOID CallbackContext)
{
    return EmuFilterReadWrite(IRP_MJ_WRITE, InitiatingInstance, FileObject, ByteOffset, Length, Buffer, Flags, BytesWritten, CallbackRoutine, CallbackContext, "FltWriteFile");
}

NTSTATUS FltQueryInformationFile(PFLT_INSTANCE Instance, PFILE_OBJECT FileObject, PVOID FileInformation, ULONG Length,
                                 FILE_INFORMATION_CLASS FileInformationClass, PULONG LengthReturned)
{
    EmuRequireIrql("FltQueryInformationFile", PASSIVE_LEVEL);
    EMU_FILE *file = EmuFilterIoFile(Instance, FileObject, "FltQueryInformationFile");
    if (file == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    EMU_CBD *op = EmuNewOperation(IRP_MJ_QUERY_INFORMATION, file, Instance, 0);
    op->Iopb.IrpFlags = IRP_SYNCHRONOUS_API;
    op->Iopb.Parameters.QueryFileInformation.Length = Length;
    op->Iopb.Parameters.QueryFileInformation.FileInformationClass = FileInformationClass;
    op->Iopb.Parameters.QueryFileInformation.InfoBuffer = FileInformation;
    EmuRunOperation(op);
    NTSTATUS s = op->Data.IoStatus.Status;
    if (LengthReturned != NULL) {
        *LengthReturned = (ULONG)op->Data.IoStatus.Information;
    }
    EmuFreeOperation(op);
    return s;
}

NTSTATUS FltSetInformationFile(PFLT_INSTANCE Instance, PFILE_OBJECT FileObject, PVOID FileInformation, ULONG Length, FILE_INFORMATION_CLASS FileInformationClass)
{
    EmuRequireIrql("FltSetInformationFile", PASSIVE_LEVEL);
    EMU_FILE *file = EmuFilterIoFile(Instance, FileObject, "FltSetInformationFile");
    if (file == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    EMU_CBD *op = EmuNewOperation(IRP_MJ_SET_INFORMATION, file, Instance, 0);
    op->Iopb.IrpFlags = IRP_SYNCHRONOUS_API;
    op->Iopb.Parameters.SetFileInformation.Length = Length;
    op->Iopb.Parameters.SetFileInformation.FileInformationClass = FileInformationClass;
    op->Iopb.Parameters.SetFileInformation.InfoBuffer = FileInformation;
    EmuRunOperation(op);
    NTSTATUS s = op->Data.IoStatus.Status;
    EmuFreeOperation(op);
    return s;
}

/*
 * FltFsControlFile (PASSIVE_LEVEL): an IRP_MJ_FILE_SYSTEM_CONTROL /
 * IRP_MN_USER_FS_REQUEST sent to the instances below Instance and the file
 * system, synchronously. The emulated FSCTLs are METHOD_BUFFERED: the I/O
 * manager's system buffer holds the input and receives the output, which is
 * copied to OutputBuffer (LengthReturned bytes). Instance and FileObject are
 * required (a violation otherwise).
 */
NTSTATUS FltFsControlFile(PFLT_INSTANCE Instance, PFILE_OBJECT FileObject, ULONG FsControlCode, PVOID InputBuffer, ULONG InputBufferLength,
                          PVOID OutputBuffer, ULONG OutputBufferLength, PULONG LengthReturned)
{
    if (LengthReturned != NULL) {
        *LengthReturned = 0;
    }
    if (!EmuRequireIrql("FltFsControlFile", PASSIVE_LEVEL)) {
        return STATUS_INVALID_DEVICE_STATE;
    }
    EMU_FILE *file = EmuFilterIoFile(Instance, FileObject, "FltFsControlFile");
    if (file == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    if (InputBuffer == NULL) {
        InputBufferLength = 0;
    }
    if (OutputBuffer == NULL) {
        OutputBufferLength = 0;
    }
    ULONG size = InputBufferLength > OutputBufferLength ? InputBufferLength : OutputBufferLength;
    void *system = size != 0 ? calloc(1, size) : NULL;
    if (size != 0 && system == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    if (InputBufferLength != 0) {
        memcpy(system, InputBuffer, InputBufferLength);
    }
    EMU_CBD *op = EmuNewOperation(IRP_MJ_FILE_SYSTEM_CONTROL, file, Instance, 0);
    op->Iopb.MinorFunction = IRP_MN_USER_FS_REQUEST;
    op->Iopb.IrpFlags = IRP_SYNCHRONOUS_API;
    op->Iopb.Parameters.FileSystemControl.Buffered.FsControlCode = FsControlCode;
    op->Iopb.Parameters.FileSystemControl.Buffered.InputBufferLength = InputBufferLength;
    op->Iopb.Parameters.FileSystemControl.Buffered.OutputBufferLength = OutputBufferLength;
    op->Iopb.Parameters.FileSystemControl.Buffered.SystemBuffer = system;
    EmuRunOperation(op);
    NTSTATUS s = op->Data.IoStatus.Status;
    ULONG_PTR info = op->Data.IoStatus.Information;
    EmuFreeOperation(op);
    if (!NT_ERROR(s) && OutputBufferLength != 0) {
        if (info > OutputBufferLength) {
            info = OutputBufferLength;
        }
        memcpy(OutputBuffer, system, info);
        if (LengthReturned != NULL) {
            *LengthReturned = (ULONG)info;
        }
    }
    free(system);
    return s;
}

/* ---- work items ---- */
struct _FLT_GENERIC_WORKITEM {
    int Queued;
    PFLT_FILTER Filter;
    PVOID FltObject;
    PFLT_GENERIC_WORKITEM_ROUTINE Routine;
    PFLT_DEFERRED_IO_WORKITEM_ROUTINE DeferredRoutine;
    PFLT_CALLBACK_DATA Data;
    PVOID Context;
};
struct _FLT_DEFERRED_IO_WORKITEM { struct _FLT_GENERIC_WORKITEM Item; };

PFLT_GENERIC_WORKITEM FltAllocateGenericWorkItem(void)
{
    return EmuPoolAlloc(sizeof(struct _FLT_GENERIC_WORKITEM), 'iwMF', 0, 1, "FltAllocateGenericWorkItem");
}

VOID FltFreeGenericWorkItem(PFLT_GENERIC_WORKITEM FltWorkItem)
{
    if (FltWorkItem != NULL && FltWorkItem->Queued) {
        EmuViolation("FltFreeGenericWorkItem on a work item that is still queued");
    }
    EmuPoolFree(FltWorkItem, 'iwMF', 1, "FltFreeGenericWorkItem");
}

static void EmuWorkItemMain(void *p)
{
    struct _FLT_GENERIC_WORKITEM *w = p;
    PFLT_FILTER f = w->Filter;
    w->Queued = 0;
    if (w->DeferredRoutine != NULL) {
        w->DeferredRoutine((PFLT_DEFERRED_IO_WORKITEM)w, w->Data, w->Context);
    } else {
        w->Routine(w, w->FltObject, w->Context);
    }
    EmuLock();
    f->WorkItemsInFlight--;
    EmuBroadcast();
    EmuUnlock();
}

NTSTATUS FltQueueGenericWorkItem(PFLT_GENERIC_WORKITEM FltWorkItem, PVOID FltObject, PFLT_GENERIC_WORKITEM_ROUTINE WorkerRoutine, WORK_QUEUE_TYPE QueueType, PVOID Context)
{
    UNREFERENCED_PARAMETER(QueueType);
    EmuRequireIrql("FltQueueGenericWorkItem", DISPATCH_LEVEL);
    PFLT_FILTER f = EmuIsFilter(FltObject) ? FltObject : EmuIsInstance(FltObject) ? ((PFLT_INSTANCE)FltObject)->Filter : NULL;
    if (f == NULL) {
        EmuViolation("FltQueueGenericWorkItem: FltObject %p is neither a filter nor an instance", FltObject);
        return STATUS_INVALID_PARAMETER;
    }
    if (f->Unregistering) {
        return STATUS_FLT_DELETING_OBJECT;
    }
    if (FltWorkItem->Queued) {
        EmuViolation("FltQueueGenericWorkItem: the work item is already queued");
        return STATUS_INVALID_PARAMETER;
    }
    FltWorkItem->Queued = 1;
    FltWorkItem->Filter = f;
    FltWorkItem->FltObject = FltObject;
    FltWorkItem->Routine = WorkerRoutine;
    FltWorkItem->DeferredRoutine = NULL;
    FltWorkItem->Context = Context;
    EmuLock();
    f->WorkItemsInFlight++;
    EmuUnlock();
    EmuRunInWorker(EmuWorkItemMain, FltWorkItem);
    return STATUS_SUCCESS;
}

PFLT_DEFERRED_IO_WORKITEM FltAllocateDeferredIoWorkItem(void)
{
    return EmuPoolAlloc(sizeof(struct _FLT_DEFERRED_IO_WORKITEM), 'iwMF', 0, 1, "FltAllocateDeferredIoWorkItem");
}

VOID FltFreeDeferredIoWorkItem(PFLT_DEFERRED_IO_WORKITEM FltWorkItem)
{
    if (FltWorkItem != NULL && FltWorkItem->Item.Queued) {
        EmuViolation("FltFreeDeferredIoWorkItem on a work item that is still queued");
    }
    EmuPoolFree(FltWorkItem, 'iwMF', 1, "FltFreeDeferredIoWorkItem");
}

NTSTATUS FltQueueDeferredIoWorkItem(PFLT_DEFERRED_IO_WORKITEM FltWorkItem, PFLT_CALLBACK_DATA Data, PFLT_DEFERRED_IO_WORKITEM_ROUTINE WorkerRoutine, WORK_QUEUE_TYPE QueueType, PVOID Context)
{
    UNREFERENCED_PARAMETER(QueueType);
    EmuRequireIrql("FltQueueDeferredIoWorkItem", DISPATCH_LEVEL);
    EMU_CBD *op = EmuOp(Data, "FltQueueDeferredIoWorkItem");
    /* As documented: not an IRP, paging I/O, or a thread with a top-level IRP (a file system or the cache manager
       holds locks) is not safe to post; an instance being torn down posts nothing new. */
    if (op == NULL || !FLT_IS_IRP_OPERATION(Data) || (Data->Iopb->IrpFlags & IRP_PAGING_IO) || IoGetTopLevelIrp() != NULL) {
        return STATUS_FLT_NOT_SAFE_TO_POST_OPERATION;
    }
    PFLT_FILTER f = op->Depth > 0 ? op->Levels[op->Depth - 1].Instance->Filter : NULL;
    if (f == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    if (EmuInstanceTearingDown(op->Levels[op->Depth - 1].Instance)) {
        return STATUS_FLT_DELETING_OBJECT;
    }
    struct _FLT_GENERIC_WORKITEM *w = &FltWorkItem->Item;
    w->Queued = 1;
    w->Filter = f;
    w->Data = Data;
    w->DeferredRoutine = WorkerRoutine;
    w->Context = Context;
    EmuLock();
    f->WorkItemsInFlight++;
    EmuUnlock();
    EmuRunInWorker(EmuWorkItemMain, w);
    return STATUS_SUCCESS;
}

/* ---- control: file operations ---- */

/*
 * The I/O manager and object manager after a create completed with
 * STATUS_REPARSE (EmuFileOpen): with Information IO_REPARSE the file object's
 * FileName now holds a full NT path ("\Device\HarddiskVolume2\dir\f.txt")
 * that a filter put there with IoReplaceFileObjectName; the volume is found by
 * its device name prefix and the open is re-issued there, through that
 * volume's whole instance stack, with the same parameters. Returns
 * STATUS_REPARSE with *volume / name / *chars set for the next pass, or the
 * status the open fails with:
 *  - STATUS_REPARSE_POINT_NOT_RESOLVED after EMU_MAX_REPARSES reparses of one
 *    open ("There is a maximum of 63 reparse points allowed in a particular
 *    path", Symbolic Link Programming Considerations; the status is the one a
 *    reparse-point loop gives, ERROR_CANT_RESOLVE_FILENAME);
 *  - STATUS_IO_REPARSE_TAG_NOT_HANDLED for any other Information (a reparse
 *    tag whose data no filter interpreted: the emulator has no reparse points);
 *  - STATUS_OBJECT_PATH_NOT_FOUND when no volume has that device name.
 * Violations: STATUS_REPARSE on a volume open (bug check 0xF9,
 * DRIVER_RETURNED_STATUS_REPARSE_FOR_VOLUME_OPEN), IO_REPARSE with the name
 * not replaced through IoReplaceFileObjectName (the open would loop on the
 * same name), or a FileName.Buffer replaced by hand.
 */
#define EMU_MAX_REPARSES 63
static NTSTATUS EmuReparse(EMU_FILE *file, unsigned reparses, PFLT_VOLUME *volume, WCHAR *name, size_t capacity, size_t *chars)
{
    ULONG_PTR information = file->ReparseInformation;
    if (file->Path[0] == 0) {
        EmuViolation("a filter completed the volume open of %s with STATUS_REPARSE (bug check 0xF9, "
                     "DRIVER_RETURNED_STATUS_REPARSE_FOR_VOLUME_OPEN)", (*volume)->Hdr.Name);
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    if (information != IO_REPARSE) {
        return STATUS_IO_REPARSE_TAG_NOT_HANDLED;
    }
    if (!EmuFileNameIsOwned(file)) {
        EmuViolation("a create of %s returned STATUS_REPARSE with a FileName.Buffer replaced without IoReplaceFileObjectName "
                     "(the I/O manager owns and frees that buffer)", file->Hdr.Name);
        return STATUS_INVALID_PARAMETER;
    }
    if (file->ReplacedName == NULL) {
        EmuViolation("a create of %s returned STATUS_REPARSE / IO_REPARSE without replacing the name "
                     "(IoReplaceFileObjectName): the open would be re-issued on the same name", file->Hdr.Name);
        return STATUS_INVALID_PARAMETER;
    }
    if (reparses >= EMU_MAX_REPARSES) {          /* this would be reparse number reparses + 1 */
        return STATUS_REPARSE_POINT_NOT_RESOLVED;
    }
    USHORT prefix = 0;
    PFLT_VOLUME target = EmuVolumeByName(&file->Fo.FileName, &prefix);
    if (target == NULL) {
        return STATUS_OBJECT_PATH_NOT_FOUND;
    }
    size_t rest = (file->Fo.FileName.Length - prefix) / sizeof(WCHAR);
    if (rest >= capacity || rest >= EMU_MAX_PATH) {
        return STATUS_OBJECT_NAME_INVALID;
    }
    memcpy(name, file->Fo.FileName.Buffer + prefix / sizeof(WCHAR), rest * sizeof(WCHAR));
    *chars = rest;
    *volume = target;
    return STATUS_REPARSE;
}
/*
 * The I/O manager's create (NtCreateFile): a new file object for the name, the
 * create through the volume's whole stack, STATUS_REPARSE handled (EmuReparse).
 * With root (a directory's file object, RootDirectory of the caller's
 * OBJECT_ATTRIBUTES) the name is relative: FileObject->FileName holds it and
 * RelatedFileObject is root for the create (the file system and name queries
 * combine the two); afterwards the emulator keeps the full path as the name.
 */
static int32_t EmuOpen(PFLT_VOLUME v, EMU_FILE *root, const WCHAR *name, size_t nameChars, uint32_t desiredAccess,
                       uint32_t shareAccess, uint32_t disposition, uint32_t createOptions, uint32_t fileAttributes,
                       uint64_t *handle, uint64_t *information)
{
    /* Handles are for synchronous I/O (as CreateFile without FILE_FLAG_OVERLAPPED) unless EMU_OPEN_ASYNC_IO. */
    ULONG syncOption = (createOptions & EMU_OPEN_ASYNC_IO) ? 0 : FILE_SYNCHRONOUS_IO_NONALERT;
    createOptions &= ~(uint32_t)EMU_OPEN_ASYNC_IO;
    if (disposition > FILE_MAXIMUM_DISPOSITION || (createOptions & ~FILE_VALID_OPTION_FLAGS) || (shareAccess & ~FILE_SHARE_VALID_FLAGS)) {
        return (int32_t)STATUS_INVALID_PARAMETER;   /* the I/O manager's own checks */
    }
    WCHAR w[EMU_MAX_PATH];
    size_t chars = 0;
    size_t relativeAt = 0;
    if (root != NULL) {
        size_t rootChars = root->Fo.FileName.Length / sizeof(WCHAR);
        if (rootChars + 1 + nameChars >= EMU_MAX_PATH) {
            return (int32_t)STATUS_OBJECT_NAME_INVALID;
        }
        memcpy(w, root->Fo.FileName.Buffer, rootChars * sizeof(WCHAR));
        chars = rootChars;
        if (chars == 0 || w[chars - 1] != '\\') {
            w[chars++] = '\\';
        }
        relativeAt = chars;
    }
    if (chars + nameChars >= EMU_MAX_PATH) {
        return (int32_t)STATUS_OBJECT_NAME_INVALID;
    }
    memcpy(w + chars, name, nameChars * sizeof(WCHAR));
    chars += nameChars;
    for (unsigned reparses = 0;; reparses++) {
        EMU_FILE *file = EmuFileAlloc(v, w, chars);
        EmuFileSetTransaction(file, EmuCurrentTransaction());   /* RtlSetCurrentTransaction: the thread's opens are transacted */
        if (root != NULL) {
            /* As NtCreateFile leaves it for the create: the relative name, and the directory it is relative to. */
            file->Fo.FileName.Buffer = file->Path + relativeAt;
            file->Fo.FileName.Length = (USHORT)((chars - relativeAt) * sizeof(WCHAR));
            file->Fo.RelatedFileObject = &root->Fo;
            file->RelativeAt = relativeAt;
        }
        EMU_CBD *op = EmuNewOperation(IRP_MJ_CREATE, file, NULL, 0);
        op->Security.DesiredAccess = EmuMapGenericAccess(desiredAccess) | SYNCHRONIZE;
        op->AccessState.OriginalDesiredAccess = op->AccessState.RemainingDesiredAccess = op->Security.DesiredAccess;
        op->Iopb.IrpFlags = IRP_CREATE_OPERATION | IRP_SYNCHRONOUS_API;
        op->Iopb.Parameters.Create.SecurityContext = &op->Security;
        op->Iopb.Parameters.Create.Options = (disposition << 24) | createOptions | syncOption;
        op->Iopb.Parameters.Create.FileAttributes = (USHORT)fileAttributes;
        op->Iopb.Parameters.Create.ShareAccess = (USHORT)shareAccess;
        EmuRunOperation(op);
        NTSTATUS status = op->Data.IoStatus.Status;
        if (information != NULL) {
            *information = op->Data.IoStatus.Information;
        }
        file->ReparseInformation = op->Data.IoStatus.Information;
        EmuFreeOperation(op);
        if (status == STATUS_REPARSE) {
            /* The I/O manager's part of a reparse: the file object is discarded (the file system never opened it)
               and the open starts again from the name it now carries, an absolute one: RootDirectory no longer applies. */
            if (information != NULL) {
                *information = 0;
            }
            status = EmuReparse(file, reparses, &v, w, RTL_NUMBER_OF(w), &chars);
            EmuFileRelease(file);
            root = NULL;
            relativeAt = 0;
            if (status == STATUS_REPARSE) {
                continue;
            }
            return (int32_t)status;
        }
        if (file->RelativeAt != 0 && EmuFileNameIsOwned(file) && file->ReplacedName == NULL) {
            /* RelatedFileObject is only for the create: from now on the file object names its full path. */
            file->Fo.FileName.Buffer = file->Path;
            file->Fo.FileName.Length = (USHORT)(chars * sizeof(WCHAR));
            file->Fo.RelatedFileObject = NULL;
            file->RelativeAt = 0;
        }
        if (NT_SUCCESS(status) && file->Opened && !file->Cancelled) {
            file->HandleCreated = 1;
            file->Handles = 1;
            file->Fo.Flags |= FO_HANDLE_CREATED;
            *handle = EmuHandleAdd(file, 0);
            return (int32_t)status;
        }
        EmuFileRelease(file);
        return (int32_t)status;
    }
}

int32_t EmuFileOpen(int32_t volumeId, const char *path, uint32_t desiredAccess, uint32_t shareAccess, uint32_t disposition,
                    uint32_t createOptions, uint32_t fileAttributes, uint64_t *handle, uint64_t *information)
{
    PFLT_VOLUME v = EmuVolumeById(volumeId);
    if (handle != NULL) {
        *handle = 0;
    }
    if (information != NULL) {
        *information = 0;
    }
    if (v == NULL || path == NULL || handle == NULL) {
        return (int32_t)STATUS_INVALID_PARAMETER;
    }
    WCHAR w[EMU_MAX_PATH];
    size_t chars = EmuUtf8ToWide(path, w, RTL_NUMBER_OF(w));
    return EmuOpen(v, NULL, w, chars, desiredAccess, shareAccess, disposition, createOptions, fileAttributes, handle, information);
}

int32_t EmuFileOpenRelative(uint64_t rootDirectory, const char *name, uint32_t desiredAccess, uint32_t shareAccess,
                            uint32_t disposition, uint32_t createOptions, uint32_t fileAttributes, uint64_t *handle,
                            uint64_t *information)
{
    if (handle != NULL) {
        *handle = 0;
    }
    if (information != NULL) {
        *information = 0;
    }
    if (name == NULL || handle == NULL) {
        return (int32_t)STATUS_INVALID_PARAMETER;
    }
    EMU_FILE *root = EmuHandleGet(rootDirectory, 0, 0);
    if (root == NULL) {
        return (int32_t)STATUS_INVALID_HANDLE;
    }
    if (name[0] == '\\') {
        return (int32_t)STATUS_OBJECT_NAME_INVALID;      /* relative to RootDirectory: no leading '\' */
    }
    WCHAR w[EMU_MAX_PATH];
    size_t chars = EmuUtf8ToWide(name, w, RTL_NUMBER_OF(w));
    EmuFileReference(root);                              /* the I/O manager's reference for the create */
    int32_t s = EmuOpen(root->Volume, root, w, chars, desiredAccess, shareAccess, disposition, createOptions, fileAttributes,
                        handle, information);
    EmuFileRelease(root);
    return s;
}

/* NtReadFile/NtWriteFile up to IoCallDriver: the handle and its granted access checked, the operation
 * built (not started). Also for emu_async.c's asynchronous requests. */
EMU_CBD *EmuNewUserIo(UCHAR major, uint64_t handle, int64_t offset, void *buffer, uint32_t length, uint32_t ioFlags, int fast,
                      NTSTATUS *refused)
{
    EMU_FILE *file = EmuHandleGet(handle, 0, 0);
    if (file == NULL) {
        *refused = STATUS_INVALID_HANDLE;
        return NULL;
    }
    ACCESS_MASK need = major == IRP_MJ_READ ? FILE_READ_DATA : FILE_WRITE_DATA | FILE_APPEND_DATA;
    if (!(file->Granted & need)) {
        *refused = STATUS_ACCESS_DENIED;    /* NtReadFile/NtWriteFile check the handle's granted access */
        return NULL;
    }
    EMU_CBD *op = EmuNewOperation(major, file, NULL, fast);
    op->Iopb.IrpFlags = (major == IRP_MJ_READ ? IRP_READ_OPERATION : IRP_WRITE_OPERATION) |
                        ((ioFlags & EMU_IO_ASYNC) && !fast ? 0 : IRP_SYNCHRONOUS_API);
    if (major == IRP_MJ_WRITE && ((ioFlags & EMU_IO_WRITE_THROUGH) || (file->Fo.Flags & FO_WRITE_THROUGH))) {
        op->Iopb.OperationFlags |= SL_WRITE_THROUGH;
    }
    op->Iopb.Parameters.Read.Length = length;
    op->Iopb.Parameters.Read.ByteOffset.QuadPart = offset;
    op->Iopb.Parameters.Read.ReadBuffer = buffer;
    *refused = STATUS_SUCCESS;
    return op;
}

static NTSTATUS EmuUserIo(UCHAR major, uint64_t handle, int64_t offset, void *buffer, uint32_t length, uint32_t ioFlags, uint32_t *done)
{
    if (done != NULL) {
        *done = 0;
    }
    int fast = (ioFlags & EMU_IO_FAST) != 0;
    for (;;) {
        NTSTATUS refused;
        EMU_CBD *op = EmuNewUserIo(major, handle, offset, buffer, length, ioFlags, fast, &refused);
        if (op == NULL) {
            return refused;
        }
        EmuRunOperation(op);
        NTSTATUS status = op->Data.IoStatus.Status;
        int reissue = op->DisallowedFastIo;
        if (done != NULL) {
            *done = (uint32_t)op->Data.IoStatus.Information;
        }
        EmuFreeOperation(op);
        if (reissue) {
            fast = 0;   /* the fast I/O path failed: the I/O manager sends an IRP */
            continue;
        }
        return status;
    }
}

int32_t EmuFileReadEx(uint64_t handle, int64_t offset, void *buffer, uint32_t length, uint32_t ioFlags, uint32_t *bytesRead)
{
    return (int32_t)EmuUserIo(IRP_MJ_READ, handle, offset, buffer, length, ioFlags, bytesRead);
}

int32_t EmuFileRead(uint64_t handle, int64_t offset, void *buffer, uint32_t length, uint32_t *bytesRead)
{
    return EmuFileReadEx(handle, offset, buffer, length, 0, bytesRead);
}

int32_t EmuFileWrite(uint64_t handle, int64_t offset, const void *buffer, uint32_t length, uint32_t ioFlags, uint32_t *bytesWritten)
{
    return (int32_t)EmuUserIo(IRP_MJ_WRITE, handle, offset, (void *)buffer, length, ioFlags, bytesWritten);
}

static NTSTATUS EmuUserSetInfo(uint64_t handle, FILE_INFORMATION_CLASS cls, PVOID buffer, ULONG length, int replace)
{
    EMU_FILE *file = EmuHandleGet(handle, 0, 0);
    if (file == NULL) {
        return STATUS_INVALID_HANDLE;
    }
    EMU_CBD *op = EmuNewOperation(IRP_MJ_SET_INFORMATION, file, NULL, 0);
    op->Iopb.IrpFlags = IRP_SYNCHRONOUS_API;
    op->Iopb.Parameters.SetFileInformation.Length = length;
    op->Iopb.Parameters.SetFileInformation.FileInformationClass = cls;
    op->Iopb.Parameters.SetFileInformation.InfoBuffer = buffer;
    op->Iopb.Parameters.SetFileInformation.ReplaceIfExists = (BOOLEAN)replace;
    EmuRunOperation(op);
    NTSTATUS s = op->Data.IoStatus.Status;
    EmuFreeOperation(op);
    return s;
}

/*
 * A rename or hard link as NtSetInformationFile issues it: the name in the
 * buffer is what a Win32 caller's path becomes (a volume-relative path
 * "\dir\name" becomes the full NT path "\Device\HarddiskVolumeN\dir\name";
 * a name without '\' stays a simple name in the file's directory, or a name
 * relative to rootDirectory). ReplaceIfExists is in the buffer (a BOOLEAN for
 * the plain classes, FILE_*_REPLACE_IF_EXISTS in Flags for the Ex classes)
 * and in Parameters.SetFileInformation.ReplaceIfExists.
 */
static NTSTATUS EmuUserRenameOrLink(uint64_t handle, uint64_t rootDirectory, const char *name, uint32_t flags, int link)
{
    if (name == NULL || (flags & ~(uint32_t)(EMU_NAME_REPLACE_IF_EXISTS | EMU_NAME_EX_CLASS | EMU_NAME_BYPASS_ACCESS_CHECK)) != 0) {
        return STATUS_INVALID_PARAMETER;
    }
    EMU_FILE *file = EmuHandleGet(handle, 0, 0);
    if (file == NULL) {
        return STATUS_INVALID_HANDLE;
    }
    WCHAR w[EMU_MAX_PATH];
    size_t chars = 0;
    if (name[0] == '\\' && rootDirectory == 0) {
        size_t v = file->Volume->NameU.Length / sizeof(WCHAR);
        memcpy(w, file->Volume->Name, v * sizeof(WCHAR));
        chars = v + EmuUtf8ToWide(name, w + v, RTL_NUMBER_OF(w) - v);
    } else {
        chars = EmuUtf8ToWide(name, w, RTL_NUMBER_OF(w));
    }
    int replace = (flags & EMU_NAME_REPLACE_IF_EXISTS) != 0;
    int ex = (flags & EMU_NAME_EX_CLASS) != 0;
    int bypass = (flags & EMU_NAME_BYPASS_ACCESS_CHECK) != 0;
    FILE_INFORMATION_CLASS cls;
    if (link) {
        cls = ex ? (bypass ? FileLinkInformationExBypassAccessCheck : FileLinkInformationEx)
                 : (bypass ? FileLinkInformationBypassAccessCheck : FileLinkInformation);
    } else {
        cls = ex ? (bypass ? FileRenameInformationExBypassAccessCheck : FileRenameInformationEx)
                 : (bypass ? FileRenameInformationBypassAccessCheck : FileRenameInformation);
    }
    ULONG length = (ULONG)(FIELD_OFFSET(FILE_RENAME_INFORMATION, FileName) + chars * sizeof(WCHAR));
    PFILE_RENAME_INFORMATION ri = calloc(1, length + sizeof(WCHAR));
    if (ex) {
        ri->Flags = replace ? FILE_RENAME_REPLACE_IF_EXISTS : 0;    /* FILE_LINK_REPLACE_IF_EXISTS has the same value */
    } else {
        ri->ReplaceIfExists = (BOOLEAN)replace;
    }
    ri->RootDirectory = (HANDLE)(ULONG_PTR)rootDirectory;
    ri->FileNameLength = (ULONG)(chars * sizeof(WCHAR));
    memcpy(ri->FileName, w, chars * sizeof(WCHAR));
    NTSTATUS s = EmuUserSetInfo(handle, cls, ri, length, replace);
    free(ri);
    return s;
}

int32_t EmuFileRenameEx(uint64_t handle, uint64_t rootDirectory, const char *newName, uint32_t flags)
{
    return (int32_t)EmuUserRenameOrLink(handle, rootDirectory, newName, flags, 0);
}

int32_t EmuFileLink(uint64_t handle, uint64_t rootDirectory, const char *linkName, uint32_t flags)
{
    return (int32_t)EmuUserRenameOrLink(handle, rootDirectory, linkName, flags, 1);
}

int32_t EmuFileRename(uint64_t handle, const char *newPath, int32_t replaceIfExists)
{
    return EmuFileRenameEx(handle, 0, newPath, replaceIfExists != 0 ? EMU_NAME_REPLACE_IF_EXISTS : 0);
}

int32_t EmuFileDelete(uint64_t handle)
{
    FILE_DISPOSITION_INFORMATION d = { TRUE };
    return (int32_t)EmuUserSetInfo(handle, FileDispositionInformation, &d, sizeof(d), 0);
}

int32_t EmuFileDeleteEx(uint64_t handle, uint32_t flags)
{
    FILE_DISPOSITION_INFORMATION_EX d = { flags };
    return (int32_t)EmuUserSetInfo(handle, FileDispositionInformationEx, &d, sizeof(d), 0);
}

int32_t EmuFileSetEndOfFile(uint64_t handle, int64_t endOfFile)
{
    FILE_END_OF_FILE_INFORMATION e;
    e.EndOfFile.QuadPart = endOfFile;
    return (int32_t)EmuUserSetInfo(handle, FileEndOfFileInformation, &e, sizeof(e), 0);
}

int32_t EmuFileQuerySize(uint64_t handle, int64_t *endOfFile)
{
    EMU_FILE *file = EmuHandleGet(handle, 0, 0);
    if (file == NULL) {
        return (int32_t)STATUS_INVALID_HANDLE;
    }
    FILE_STANDARD_INFORMATION si;
    memset(&si, 0, sizeof(si));
    EMU_CBD *op = EmuNewOperation(IRP_MJ_QUERY_INFORMATION, file, NULL, 0);
    op->Iopb.IrpFlags = IRP_SYNCHRONOUS_API;
    op->Iopb.Parameters.QueryFileInformation.Length = sizeof(si);
    op->Iopb.Parameters.QueryFileInformation.FileInformationClass = FileStandardInformation;
    op->Iopb.Parameters.QueryFileInformation.InfoBuffer = &si;
    EmuRunOperation(op);
    NTSTATUS s = op->Data.IoStatus.Status;
    EmuFreeOperation(op);
    if (endOfFile != NULL) {
        *endOfFile = si.EndOfFile.QuadPart;
    }
    return (int32_t)s;
}

/* Runs one operation a process issues on its handle; the caller fills the parameters in setup. */
static NTSTATUS EmuUserOp(uint64_t handle, UCHAR major, UCHAR minor, ULONG flags, void (*setup)(EMU_CBD *op, void *arg), void *arg,
                          ULONG_PTR *information)
{
    EMU_FILE *file = EmuHandleGet(handle, 0, 0);
    if (information != NULL) {
        *information = 0;
    }
    if (file == NULL) {
        return STATUS_INVALID_HANDLE;
    }
    EMU_CBD *op = EmuNewOperation(major, file, NULL, 0);
    if (flags != 0) {
        op->Data.Flags = flags;
    }
    op->Iopb.MinorFunction = minor;
    op->Iopb.IrpFlags = flags == 0 ? IRP_SYNCHRONOUS_API : 0;
    setup(op, arg);
    EmuRunOperation(op);
    NTSTATUS s = op->Data.IoStatus.Status;
    if (information != NULL) {
        *information = op->Data.IoStatus.Information;
    }
    EmuFreeOperation(op);
    return s;
}

typedef struct EMU_LOCK_ARGS { LARGE_INTEGER Length; int64_t Offset; int Exclusive; } EMU_LOCK_ARGS;
/* A directory listing (IRP_MJ_DIRECTORY_CONTROL / IRP_MN_QUERY_DIRECTORY, FileNamesInformation). */
typedef struct EMU_DIR_QUERY { uint8_t *Buffer; ULONG Length; } EMU_DIR_QUERY;
static void EmuSetupDirectory(EMU_CBD *op, void *arg)
{
    EMU_DIR_QUERY *q = arg;
    op->Iopb.Parameters.DirectoryControl.QueryDirectory.Length = q->Length;
    op->Iopb.Parameters.DirectoryControl.QueryDirectory.FileInformationClass = FileNamesInformation;
    op->Iopb.Parameters.DirectoryControl.QueryDirectory.DirectoryBuffer = q->Buffer;
    op->Iopb.OperationFlags = SL_RESTART_SCAN;
}

int32_t EmuFileQueryDirectory(uint64_t handle, char *names, uint32_t capacity, uint32_t *count)
{
    if (count != NULL) {
        *count = 0;
    }
    if (names == NULL || capacity == 0) {
        return (int32_t)STATUS_INVALID_PARAMETER;
    }
    names[0] = 0;
    EMU_DIR_QUERY q = { malloc(65536), 65536 };
    ULONG_PTR info = 0;
    NTSTATUS s = EmuUserOp(handle, IRP_MJ_DIRECTORY_CONTROL, IRP_MN_QUERY_DIRECTORY, 0, EmuSetupDirectory, &q, &info);
    if (NT_SUCCESS(s) && info > 0) {
        size_t used = 0;
        uint32_t n = 0;
        for (PFILE_NAMES_INFORMATION e = (PFILE_NAMES_INFORMATION)q.Buffer;; e = (PFILE_NAMES_INFORMATION)((uint8_t *)e + e->NextEntryOffset)) {
            char utf8[EMU_MAX_PATH * 3];
            EmuWideToUtf8(e->FileName, e->FileNameLength / sizeof(WCHAR), utf8, sizeof(utf8));
            size_t len = strlen(utf8);
            if (used + len + 2 > capacity) {
                s = STATUS_BUFFER_OVERFLOW;
                break;
            }
            memcpy(names + used, utf8, len);
            used += len;
            names[used++] = '\n';
            names[used] = 0;
            n++;
            if (e->NextEntryOffset == 0) {
                break;
            }
        }
        if (count != NULL) {
            *count = n;
        }
    }
    free(q.Buffer);
    return (int32_t)s;
}

static void EmuSetupLock(EMU_CBD *op, void *arg)
{
    EMU_LOCK_ARGS *a = arg;
    op->Iopb.Parameters.LockControl.Length = &a->Length;
    op->Iopb.Parameters.LockControl.ByteOffset.QuadPart = a->Offset;
    op->Iopb.Parameters.LockControl.ProcessId = PsGetCurrentProcess();
    op->Iopb.Parameters.LockControl.FailImmediately = TRUE;
    op->Iopb.Parameters.LockControl.ExclusiveLock = (BOOLEAN)(a->Exclusive != 0);
}

int32_t EmuFileLock(uint64_t handle, int64_t offset, int64_t length, int32_t exclusive)
{
    EMU_LOCK_ARGS a;
    a.Length.QuadPart = length;
    a.Offset = offset;
    a.Exclusive = exclusive;
    return (int32_t)EmuUserOp(handle, IRP_MJ_LOCK_CONTROL, IRP_MN_LOCK, 0, EmuSetupLock, &a, NULL);
}

typedef struct EMU_FSCTL_ARGS { uint32_t Code; void *Buffer; uint32_t In; uint32_t Out; } EMU_FSCTL_ARGS;
static void EmuSetupFsctl(EMU_CBD *op, void *arg)
{
    EMU_FSCTL_ARGS *a = arg;
    op->Iopb.Parameters.FileSystemControl.Buffered.FsControlCode = a->Code;
    op->Iopb.Parameters.FileSystemControl.Buffered.InputBufferLength = a->In;
    op->Iopb.Parameters.FileSystemControl.Buffered.OutputBufferLength = a->Out;
    op->Iopb.Parameters.FileSystemControl.Buffered.SystemBuffer = a->Buffer;
}

int32_t EmuFileFsControl(uint64_t handle, uint32_t fsControlCode, void *buffer, uint32_t inputLength, uint32_t outputLength, uint32_t *returned)
{
    EMU_FSCTL_ARGS a = { fsControlCode, buffer, inputLength, outputLength };
    ULONG_PTR info = 0;
    NTSTATUS s = EmuUserOp(handle, IRP_MJ_FILE_SYSTEM_CONTROL, IRP_MN_USER_FS_REQUEST, 0, EmuSetupFsctl, &a, &info);
    if (returned != NULL) {
        *returned = (uint32_t)info;
    }
    return (int32_t)s;
}

typedef struct EMU_SECTION_ARGS { int Create; uint32_t Protection; } EMU_SECTION_ARGS;
static void EmuSetupSection(EMU_CBD *op, void *arg)
{
    EMU_SECTION_ARGS *a = arg;
    op->Iopb.Parameters.AcquireForSectionSynchronization.SyncType = a->Create ? SyncTypeCreateSection : SyncTypeOther;
    op->Iopb.Parameters.AcquireForSectionSynchronization.PageProtection = a->Create ? a->Protection : 0;
}

int32_t EmuFileAcquireForSection(uint64_t handle, int32_t createSection, uint32_t pageProtection)
{
    EMU_SECTION_ARGS a = { createSection != 0, pageProtection };
    return (int32_t)EmuUserOp(handle, IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION, 0, FLTFL_CALLBACK_DATA_FS_FILTER_OPERATION,
                              EmuSetupSection, &a, NULL);
}

typedef struct EMU_MDL_ARGS { int64_t Offset; uint32_t Length; PMDL Mdl; } EMU_MDL_ARGS;
static void EmuSetupMdl(EMU_CBD *op, void *arg)
{
    EMU_MDL_ARGS *a = arg;
    op->Iopb.IrpFlags |= IRP_READ_OPERATION;
    op->Iopb.Parameters.Read.ByteOffset.QuadPart = a->Offset;
    op->Iopb.Parameters.Read.Length = a->Length;
    op->Iopb.Parameters.Read.MdlAddress = a->Mdl;
}

int32_t EmuFileMdlRead(uint64_t handle, int64_t offset, void *buffer, uint32_t length, uint32_t *bytesRead, uint64_t *mdl)
{
    EMU_MDL_ARGS a = { offset, length, NULL };
    *mdl = 0;
    if (bytesRead != NULL) {
        *bytesRead = 0;
    }
    EMU_FILE *file = EmuHandleGet(handle, 0, 0);
    if (file != NULL && !(file->Granted & FILE_READ_DATA)) {
        return (int32_t)STATUS_ACCESS_DENIED;
    }
    EMU_CBD *op;
    if (file == NULL) {
        return (int32_t)STATUS_INVALID_HANDLE;
    }
    op = EmuNewOperation(IRP_MJ_READ, file, NULL, 0);
    op->Iopb.MinorFunction = IRP_MN_MDL;
    op->Iopb.IrpFlags = IRP_READ_OPERATION | IRP_SYNCHRONOUS_API;
    EmuSetupMdl(op, &a);
    EmuRunOperation(op);
    NTSTATUS s = op->Data.IoStatus.Status;
    PMDL m = op->ReturnedMdl;                        /* the file system's MDL (Irp->MdlAddress on Windows) */
    if (NT_SUCCESS(s) && m != NULL) {
        if (buffer != NULL) {
            memcpy(buffer, m->MappedSystemVa, m->ByteCount < length ? m->ByteCount : length);
        }
        if (bytesRead != NULL) {
            *bytesRead = (uint32_t)op->Data.IoStatus.Information;
        }
        *mdl = (uint64_t)(uintptr_t)m;
    }
    EmuFreeOperation(op);
    return (int32_t)s;
}

int32_t EmuFileMdlReadComplete(uint64_t handle, uint64_t mdl)
{
    EMU_MDL_ARGS a = { 0, 0, (PMDL)(uintptr_t)mdl };
    return (int32_t)EmuUserOp(handle, IRP_MJ_READ, IRP_MN_COMPLETE_MDL, 0, EmuSetupMdl, &a, NULL);
}

int32_t EmuFileClose(uint64_t handle)
{
    EMU_FILE *file = EmuHandleGet(handle, 0, 1);
    if (file == NULL) {
        return (int32_t)STATUS_INVALID_HANDLE;
    }
    EmuCloseFileObject(file, 1);
    return 0;
}

void EmuFilesReset(void)
{
    for (int i = 0; i < EMU_MAX_HANDLES; i++) {
        g_handles[i].File = NULL;
    }
    EmuLock();
    while (!IsListEmpty(&g_operations)) {   /* an operation a test abandoned: forget it, unlinked */
        PLIST_ENTRY e = RemoveHeadList(&g_operations);
        InitializeListHead(e);
    }
    while (!IsListEmpty(&g_files)) {
        EMU_FILE *f = CONTAINING_RECORD(RemoveHeadList(&g_files), EMU_FILE, Link);
        EmuUnlock();
        EmuObjUnlink(&f->Hdr);
        free(f);
        EmuLock();
    }
    EmuUnlock();
    memset(g_postIrql, 0, sizeof(g_postIrql));
    EmuFsMdlReset();
    EmuLock();
    g_lastCreateFlags = 0;
    g_createFileCalls = 0;
    EmuUnlock();
}
