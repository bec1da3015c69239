/*
 * emu_generated_io.c - I/O a minifilter builds itself: FltAllocateCallbackData,
 * FltPerformSynchronousIo, FltFreeCallbackData; and I/O the filter manager
 * performs for one: FltCreateSystemVolumeInformationFolder.
 *
 * As documented: the callback data is the filter's until FltFreeCallbackData
 * (<= DISPATCH_LEVEL); FltAllocateCallbackData and FltPerformSynchronousIo run
 * at <= APC_LEVEL; the operation goes only to the instances BELOW the
 * initiating instance (FltAllocateCallbackData's Instance) and to the file
 * system, never to that instance or those above it; only IRP-based operations
 * can be initiated (not fast I/O, not the FsFilter callbacks). Reported as
 * violations naming the routine: a wrong IRQL, a callback data the filter did
 * not allocate given to FltPerformSynchronousIo or FltFreeCallbackData, one
 * freed twice, one performed again without FltReuseCallbackData (not
 * emulated), an operation that is not IRP-based, a target file object of
 * another volume. The callback data is a pool block of the filter manager's
 * (tag "FMcd"): one never freed is reported at unload like any pool leak.
 * Not emulated: an IRP_MJ_CREATE through FltPerformSynchronousIo (the file
 * object would have to be created by the caller), FltPerformAsynchronousIo,
 * FltReissueSynchronousIo, FltReuseCallbackData.
 */
#include "emu_internal.h"
#include <string.h>

#define EMU_CBD_TAG 'dcMF'      /* shown as "FMcd" */

/* The callback data allocated and not yet freed: a pointer is looked up here
 * before it is read, so a second FltFreeCallbackData is reported, not a
 * use of freed memory. (One leaked across EmuReset stays listed; its
 * address may come back from the pool, and is then listed once.) */
#define EMU_MAX_ALLOCATED_CBD 256
static EMU_CBD *g_allocated[EMU_MAX_ALLOCATED_CBD];

/* Lock held. The slot of op, or -1. */
static int EmuAllocatedSlot(const void *op)
{
    for (int i = 0; i < EMU_MAX_ALLOCATED_CBD; i++) {
        if (g_allocated[i] == op) {
            return i;
        }
    }
    return -1;
}

NTSTATUS FltAllocateCallbackData(PFLT_INSTANCE Instance, PFILE_OBJECT FileObject, PFLT_CALLBACK_DATA *RetNewCallbackData)
{
    if (RetNewCallbackData == NULL) {
        EmuViolation("FltAllocateCallbackData: RetNewCallbackData is NULL");
        return STATUS_INVALID_PARAMETER;
    }
    *RetNewCallbackData = NULL;
    if (!EmuRequireIrql("FltAllocateCallbackData", APC_LEVEL)) {
        return STATUS_INVALID_DEVICE_STATE;
    }
    if (!EmuIsInstance(Instance)) {
        EmuViolation("FltAllocateCallbackData(%p): Instance is required and must be an instance", (void *)Instance);
        return STATUS_INVALID_PARAMETER;
    }
    if (FileObject != NULL && !EmuIsFileObject(FileObject)) {
        EmuViolation("FltAllocateCallbackData: FileObject %p is not a file object", (void *)FileObject);
        return STATUS_INVALID_PARAMETER;
    }
    EMU_CBD *op = EmuPoolAlloc(sizeof(EMU_CBD), EMU_CBD_TAG, 0, 1, "FltAllocateCallbackData");
    if (op == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    op->Magic = EMU_CBD_MAGIC;
    *(PFLT_IO_PARAMETER_BLOCK *)&op->Data.Iopb = &op->Iopb;
    *(PETHREAD *)&op->Data.Thread = PsGetCurrentThread();
    op->Data.RequestorMode = KernelMode;
    op->Data.Flags = FLTFL_CALLBACK_DATA_IRP_OPERATION | FLTFL_CALLBACK_DATA_GENERATED_IO;
    op->Iopb.TargetFileObject = FileObject;
    op->Iopb.TargetInstance = Instance;
    op->Initiator = Instance;
    EmuLock();
    int slot = EmuAllocatedSlot(op);
    if (slot < 0) {
        slot = EmuAllocatedSlot(NULL);
    }
    if (slot >= 0) {
        g_allocated[slot] = op;
    }
    EmuUnlock();
    if (slot < 0) {
        op->Magic = 0;
        EmuPoolFree(op, EMU_CBD_TAG, 1, "FltAllocateCallbackData");
        EmuViolation("FltAllocateCallbackData: more than %d callback data allocated and not freed (leaking FltFreeCallbackData?)",
                     EMU_MAX_ALLOCATED_CBD);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    *RetNewCallbackData = &op->Data;
    return STATUS_SUCCESS;
}

/* The filter-allocated callback data behind Data, or NULL (reported, naming routine). */
static EMU_CBD *EmuAllocatedData(PFLT_CALLBACK_DATA Data, const char *routine)
{
    EmuLock();
    int allocated = Data != NULL && EmuAllocatedSlot(EMU_CBD_FROM_DATA(Data)) >= 0;
    EmuUnlock();
    if (allocated) {
        return EMU_CBD_FROM_DATA(Data);
    }
    /* Not (or no longer) one the filter allocated: a callback's own, or freed already. Which one only
     * a live callback data can say; the operations in flight are looked up without reading Data. */
    if (!EmuIsOperationInFlight(Data) || !EmuIsCallbackData(Data)) {
        EmuViolation("%s(%p): not a live callback data (freed already?)", routine, (void *)Data);
        return NULL;
    }
    EMU_CBD *op = EMU_CBD_FROM_DATA(Data);
    if (op->Initiator == NULL) {
        EmuViolation("%s(%p): a callback data the filter manager passed to a callback, not one FltAllocateCallbackData allocated",
                     routine, (void *)Data);
        return NULL;
    }
    return op;
}

VOID FltPerformSynchronousIo(PFLT_CALLBACK_DATA CallbackData)
{
    if (!EmuRequireIrql("FltPerformSynchronousIo", APC_LEVEL)) {
        return;
    }
    EMU_CBD *op = EmuAllocatedData(CallbackData, "FltPerformSynchronousIo");
    if (op == NULL) {
        return;
    }
    if (op->Performed) {
        EmuViolation("FltPerformSynchronousIo(%p): performed again without FltReuseCallbackData", (void *)CallbackData);
        return;
    }
    op->Performed = 1;
    UCHAR major = op->Iopb.MajorFunction;
    if (major > IRP_MJ_MAXIMUM_FUNCTION) {
        EmuViolation("FltPerformSynchronousIo: major function 0x%02x is not an IRP-based operation (fast I/O and FsFilter "
                     "operations cannot be initiated)", (unsigned)major);
        op->Data.IoStatus.Status = STATUS_INVALID_PARAMETER;
        op->Data.IoStatus.Information = 0;
        return;
    }
    if (major == IRP_MJ_CREATE) {
        EmuTrace("FltPerformSynchronousIo: IRP_MJ_CREATE is not emulated (use FltCreateFileEx2)");
        op->Data.IoStatus.Status = STATUS_NOT_SUPPORTED;
        op->Data.IoStatus.Information = 0;
        return;
    }
    PFILE_OBJECT fo = op->Iopb.TargetFileObject;
    if (!EmuIsFileObject(fo)) {
        EmuViolation("FltPerformSynchronousIo: TargetFileObject %p is not a file object", (void *)fo);
        op->Data.IoStatus.Status = STATUS_INVALID_PARAMETER;
        op->Data.IoStatus.Information = 0;
        return;
    }
    EMU_FILE *file = EMU_FILE_FROM_FO(fo);
    PFLT_INSTANCE initiator = op->Initiator;
    if (file->Volume != initiator->Volume) {
        EmuViolation("FltPerformSynchronousIo: the file object is on %s, the initiating instance on %s",
                     file->Volume->Hdr.Name, initiator->Volume->Hdr.Name);
        op->Data.IoStatus.Status = STATUS_INVALID_PARAMETER;
        op->Data.IoStatus.Information = 0;
        return;
    }
    if (EmuInstanceTearingDown(initiator)) {
        op->Data.IoStatus.Status = STATUS_FLT_DELETING_OBJECT;  /* no new I/O through an instance being torn down */
        op->Data.IoStatus.Information = 0;
        return;
    }
    /* The caller filled the parameter block; the run state starts afresh from the initiating instance down. */
    FLT_IO_PARAMETER_BLOCK iopb = op->Iopb;
    FLT_CALLBACK_DATA_FLAGS flags = op->Data.Flags;
    EmuInitOperation(op, major, file, initiator, 0);
    op->Iopb = iopb;
    op->Iopb.TargetInstance = initiator;
    op->Iopb.IrpFlags |= IRP_SYNCHRONOUS_API;
    op->Data.Flags = flags | FLTFL_CALLBACK_DATA_IRP_OPERATION | FLTFL_CALLBACK_DATA_GENERATED_IO;
    op->Data.RequestorMode = KernelMode;
    EmuRunOperation(op);
    EmuEndOperation(op);
}

VOID FltFreeCallbackData(PFLT_CALLBACK_DATA CallbackData)
{
    EmuRequireIrql("FltFreeCallbackData", DISPATCH_LEVEL);
    EMU_CBD *op = EmuAllocatedData(CallbackData, "FltFreeCallbackData");
    if (op == NULL) {
        return;
    }
    EmuLock();
    int slot = EmuAllocatedSlot(op);
    if (slot >= 0) {
        g_allocated[slot] = NULL;
    }
    EmuUnlock();
    op->Magic = 0;
    EmuPoolFree(op, EMU_CBD_TAG, 1, "FltFreeCallbackData");
}

/*
 * FltCreateSystemVolumeInformationFolder: the folder "System Volume Information"
 * in the root of Instance's volume, created (FILE_ATTRIBUTE_HIDDEN |
 * FILE_ATTRIBUTE_SYSTEM) when it is not there; an existing one is left as it
 * is. The create is the filter manager's on behalf of Instance: only the
 * instances below it see it. PASSIVE_LEVEL (as RtlCreateSystemVolumeInformationFolder,
 * which it wraps). No access control lists are emulated (the SYSTEM-only ACL
 * NTFS gets is not modelled). A name in the way that is not a folder gives the
 * create's failure (STATUS_NOT_A_DIRECTORY).
 */
NTSTATUS FltCreateSystemVolumeInformationFolder(PFLT_INSTANCE Instance)
{
    if (!EmuRequireIrql("FltCreateSystemVolumeInformationFolder", PASSIVE_LEVEL)) {
        return STATUS_INVALID_DEVICE_STATE;
    }
    if (!EmuIsInstance(Instance)) {
        EmuViolation("FltCreateSystemVolumeInformationFolder(%p): not an instance", (void *)Instance);
        return STATUS_INVALID_PARAMETER;
    }
    static const WCHAR folder[] = L"\\System Volume Information";
    WCHAR path[EMU_MAX_PATH];
    size_t volumeChars = Instance->Volume->NameU.Length / sizeof(WCHAR);
    size_t folderChars = RTL_NUMBER_OF(folder) - 1;
    if (volumeChars + folderChars >= RTL_NUMBER_OF(path)) {
        return STATUS_NAME_TOO_LONG;
    }
    memcpy(path, Instance->Volume->NameU.Buffer, volumeChars * sizeof(WCHAR));
    memcpy(path + volumeChars, folder, folderChars * sizeof(WCHAR));
    UNICODE_STRING name = { (USHORT)((volumeChars + folderChars) * sizeof(WCHAR)), (USHORT)((volumeChars + folderChars) * sizeof(WCHAR)), path };
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, &name, OBJ_KERNEL_HANDLE | OBJ_CASE_INSENSITIVE, NULL, NULL);
    IO_STATUS_BLOCK iosb;
    HANDLE h = NULL;
    NTSTATUS s = FltCreateFileEx2(Instance->Filter, Instance, &h, NULL, FILE_LIST_DIRECTORY | SYNCHRONIZE, &oa, &iosb, NULL,
                                  FILE_ATTRIBUTE_HIDDEN | FILE_ATTRIBUTE_SYSTEM, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                                  FILE_OPEN_IF, FILE_DIRECTORY_FILE | FILE_SYNCHRONOUS_IO_NONALERT, NULL, 0, 0, NULL);
    if (NT_SUCCESS(s)) {
        FltClose(h);
    }
    return s;
}
