/*
 * emu_flt.c - filters, volumes and instances: FltRegisterFilter,
 * FltStartFiltering (instances attached per volume ordered by altitude,
 * InstanceSetup honoured), FltUnregisterFilter (teardown callbacks, contexts
 * freed, references checked), object references and lookups, volume
 * properties; and the control API that creates volumes and loads/unloads
 * the driver linked into the library.
 */
#include "emu_internal.h"
#include <math.h>

static LIST_ENTRY g_filters = { &g_filters, &g_filters };
static LIST_ENTRY g_volumes = { &g_volumes, &g_volumes };
/* Instances torn down while the filter still held rundown references
 * (FltObjectReference and the routines that return a referenced instance):
 * as documented, a rundown reference keeps the object from being freed, so
 * they are freed by the last FltObjectDereference. */
static LIST_ENTRY g_zombies = { &g_zombies, &g_zombies };
static int g_nextVolumeId = 1;
static WCHAR g_nextDosLetter = L'C';     /* IoVolumeDeviceToDosName's drive letters, for disk volumes */
static char g_nextAltitude[32] = "370000";
static PFLT_FILTER g_driverFilter;
static int g_usedSlots;
static FLT_FILTER_UNLOAD_FLAGS g_unloadFlags;

void EmuSetNextAltitude(const char *altitude) { snprintf(g_nextAltitude, sizeof(g_nextAltitude), "%s", altitude); }

/* ---- lookups (all under the global lock) ---- */
int EmuIsFilter(PVOID p)
{
    int r = 0;
    EmuLock();
    for (PLIST_ENTRY e = g_filters.Flink; e != &g_filters; e = e->Flink) {
        if (CONTAINING_RECORD(e, struct _FLT_FILTER, Link) == p) {
            r = 1;
            break;
        }
    }
    EmuUnlock();
    return r;
}

int EmuIsVolume(PVOID p)
{
    int r = 0;
    EmuLock();
    for (PLIST_ENTRY e = g_volumes.Flink; e != &g_volumes; e = e->Flink) {
        if (CONTAINING_RECORD(e, struct _FLT_VOLUME, Link) == p) {
            r = 1;
            break;
        }
    }
    EmuUnlock();
    return r;
}

/* The volume whose device object device is, or NULL (a device object a driver created is no volume's). */
PFLT_VOLUME EmuVolumeByDevice(PVOID device)
{
    PFLT_VOLUME r = NULL;
    EmuLock();
    for (PLIST_ENTRY e = g_volumes.Flink; e != &g_volumes && r == NULL; e = e->Flink) {
        PFLT_VOLUME v = CONTAINING_RECORD(e, struct _FLT_VOLUME, Link);
        if (&v->Dev.Device == device || &v->Disk.Device == device) {   /* the volume device, or the storage device it is mounted on */
            r = v;
        }
    }
    EmuUnlock();
    return r;
}

int EmuIsInstance(PVOID p)
{
    int r = 0;
    EmuLock();
    for (PLIST_ENTRY e = g_zombies.Flink; e != &g_zombies && !r; e = e->Flink) {
        r = CONTAINING_RECORD(e, struct _FLT_INSTANCE, ZombieLink) == p;
    }
    for (PLIST_ENTRY e = g_volumes.Flink; e != &g_volumes && !r; e = e->Flink) {
        PFLT_VOLUME v = CONTAINING_RECORD(e, struct _FLT_VOLUME, Link);
        for (int i = 0; i < v->InstanceCount; i++) {
            if (v->Instances[i] == p) {
                r = 1;
                break;
            }
        }
    }
    EmuUnlock();
    return r;
}

int EmuInstanceTearingDown(PFLT_INSTANCE inst)
{
    EmuLock();
    int r = inst->TearingDown || inst->Zombie;
    EmuUnlock();
    return r;
}

PFLT_VOLUME EmuVolumeById(int id)
{
    PFLT_VOLUME r = NULL;
    EmuLock();
    for (PLIST_ENTRY e = g_volumes.Flink; e != &g_volumes; e = e->Flink) {
        PFLT_VOLUME v = CONTAINING_RECORD(e, struct _FLT_VOLUME, Link);
        if (v->Id == id) {
            r = v;
            break;
        }
    }
    EmuUnlock();
    return r;
}

PFLT_INSTANCE EmuInstanceBelow(PFLT_VOLUME volume, double altitude)
{
    PFLT_INSTANCE r = NULL;
    EmuLock();
    for (int i = 0; i < volume->InstanceCount; i++) {
        PFLT_INSTANCE inst = volume->Instances[i];
        if (!inst->Detached && inst->AltitudeValue < altitude) {
            r = inst;
            break;
        }
    }
    EmuUnlock();
    return r;
}

int EmuFilterCount(void)
{
    int n = 0;
    EmuLock();
    for (PLIST_ENTRY e = g_filters.Flink; e != &g_filters; e = e->Flink) {
        n += !CONTAINING_RECORD(e, struct _FLT_FILTER, Link)->Gone;
    }
    EmuUnlock();
    return n;
}

/* ---- instances ---- */
static void EmuInsertInstance(PFLT_VOLUME v, PFLT_INSTANCE inst)
{
    EmuLock();
    int i = v->InstanceCount;
    while (i > 0 && v->Instances[i - 1]->AltitudeValue < inst->AltitudeValue) {
        v->Instances[i] = v->Instances[i - 1];
        i--;
    }
    v->Instances[i] = inst;
    v->InstanceCount++;
    EmuUnlock();
}

static void EmuRemoveInstance(PFLT_VOLUME v, PFLT_INSTANCE inst)
{
    EmuLock();
    for (int i = 0; i < v->InstanceCount; i++) {
        if (v->Instances[i] == inst) {
            memmove(&v->Instances[i], &v->Instances[i + 1], (size_t)(v->InstanceCount - i - 1) * sizeof(v->Instances[0]));
            v->InstanceCount--;
            break;
        }
    }
    EmuUnlock();
}

static void EmuObjectsFor(FLT_RELATED_OBJECTS *o, PFLT_INSTANCE inst)
{
    FLT_RELATED_OBJECTS tmp = { sizeof(FLT_RELATED_OBJECTS), 0, inst->Filter, inst->Volume, inst, NULL, NULL };
    memcpy(o, &tmp, sizeof(tmp));
}

static NTSTATUS EmuAttachAt(PFLT_FILTER f, PFLT_VOLUME v, FLT_INSTANCE_SETUP_FLAGS flags, PFLT_INSTANCE *out, const char *altitude);
static NTSTATUS EmuAttach(PFLT_FILTER f, PFLT_VOLUME v, FLT_INSTANCE_SETUP_FLAGS flags, PFLT_INSTANCE *out)
{
    return EmuAttachAt(f, v, flags, out, f->Altitude);
}

static NTSTATUS EmuAttachAt(PFLT_FILTER f, PFLT_VOLUME v, FLT_INSTANCE_SETUP_FLAGS flags, PFLT_INSTANCE *out, const char *altitude)
{
    double altitudeValue = strtod(altitude, NULL);
    EmuLock();
    for (int i = 0; i < v->InstanceCount; i++) {
        if (v->Instances[i]->AltitudeValue == altitudeValue) {
            EmuUnlock();
            return STATUS_FLT_INSTANCE_ALTITUDE_COLLISION;
        }
    }
    EmuUnlock();
    if (v->InstanceCount >= 31) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    PFLT_INSTANCE inst = calloc(1, sizeof(*inst));
    char name[120];
    snprintf(name, sizeof(name), "instance at altitude %.20s of the filter on %.60s", altitude, v->Hdr.Name);
    EmuObjInit(&inst->Hdr, EMU_OBJ_INSTANCE, name);
    inst->Filter = f;
    inst->Volume = v;
    inst->AltitudeValue = altitudeValue;
    snprintf(inst->Altitude, sizeof(inst->Altitude), "%s", altitude);
    NTSTATUS status = STATUS_SUCCESS;
    long refsBefore = 0;
    if (f->Registration.InstanceSetupCallback != NULL) {
        FLT_RELATED_OBJECTS objs;
        EmuObjectsFor(&objs, inst);
        /* Not yet in the stack, but lookups on it must work: mark it detached and list it. */
        inst->Detached = 1;
        EmuInsertInstance(v, inst);
        KIRQL saved = KeGetCurrentIrql();
        EmuSetIrql(PASSIVE_LEVEL);
        refsBefore = EmuObjectsDriverRefTotal();
        status = f->Registration.InstanceSetupCallback(&objs, flags, v->DeviceType, v->FsType);
        EmuSetIrql(saved);
        EmuRemoveInstance(v, inst);
        inst->Detached = 0;
    }
    if (!NT_SUCCESS(status)) {
        EmuTransactionsOnInstanceTeardown(inst);
        EmuContextsOnInstanceTeardown(inst);
        /* Only what this setup took: the driver may hold other references for its lifetime (threads). */
        long kept = EmuObjectsDriverRefTotal() - refsBefore;
        if (kept > 0) {
            EmuViolation("InstanceSetup of %s failed (0x%08x) but kept %ld object reference(s) it took", f->Hdr.Name,
                         (unsigned)status, kept);
        }
        EmuObjUnlink(&inst->Hdr);
        free(inst);
        return status;
    }
    EmuInsertInstance(v, inst);
    if (out != NULL) {
        *out = inst;
    }
    return STATUS_SUCCESS;
}

static void EmuInstanceFree(PFLT_INSTANCE inst)
{
    EmuObjUnlink(&inst->Hdr);
    free(inst);
}

static void EmuDetach(PFLT_INSTANCE inst, FLT_INSTANCE_TEARDOWN_FLAGS reason)
{
    PFLT_FILTER f = inst->Filter;
    FLT_RELATED_OBJECTS objs;
    EmuObjectsFor(&objs, inst);
    EmuLock();
    inst->TearingDown = 1;      /* from now on FltObjectReference fails with STATUS_FLT_DELETING_OBJECT */
    EmuUnlock();
    KIRQL saved = KeGetCurrentIrql();
    EmuSetIrql(PASSIVE_LEVEL);
    if (f->Registration.InstanceTeardownStartCallback != NULL) {
        f->Registration.InstanceTeardownStartCallback(&objs, reason);
    }
    /* Its own asynchronous FltReadFile/FltWriteFile: the filter manager waits for them to complete. */
    EmuFltIoDrain(NULL, inst, "at the teardown of its instance");
    /* Operations in flight still owing this instance a post-operation callback get it now, draining. */
    EmuDrainInstance(inst);
    inst->Detached = 1;
    if (f->Registration.InstanceTeardownCompleteCallback != NULL) {
        f->Registration.InstanceTeardownCompleteCallback(&objs, reason);
    }
    EmuSetIrql(saved);
    /* The filter manager frees an instance only once no callback runs on it any more. */
    EmuLock();
    while (inst->PreCallbacksRunning > 0) {
        EmuWaitUntil(0);
    }
    EmuUnlock();
    EmuRemoveInstance(inst->Volume, inst);
    EmuTransactionsOnInstanceTeardown(inst);
    EmuContextsOnInstanceTeardown(inst);
    /* The filter manager waits for the rundown references before it frees the
     * instance; the emulator cannot block the thread that may hold them, so it
     * keeps the instance until the last FltObjectDereference (a reference never
     * released is reported when the filter unregisters). */
    EmuLock();
    int keep = inst->Hdr.DriverRefs > 0;
    if (keep) {
        inst->Zombie = 1;
        InsertTailList(&g_zombies, &inst->ZombieLink);
    }
    EmuUnlock();
    if (!keep) {
        EmuInstanceFree(inst);
    }
}

/* Frees every torn-down instance of filter (NULL: of any filter) whose rundown references are gone, or all when force. */
static void EmuFreeZombies(PFLT_FILTER filter, int force)
{
    for (;;) {
        PFLT_INSTANCE found = NULL;
        EmuLock();
        for (PLIST_ENTRY e = g_zombies.Flink; e != &g_zombies; e = e->Flink) {
            PFLT_INSTANCE z = CONTAINING_RECORD(e, struct _FLT_INSTANCE, ZombieLink);
            if ((filter == NULL || z->Filter == filter) && (force || z->Hdr.DriverRefs <= 0)) {
                found = z;
                RemoveEntryList(&z->ZombieLink);
                break;
            }
        }
        EmuUnlock();
        if (found == NULL) {
            return;
        }
        EmuInstanceFree(found);
    }
}

/* ---- registration ---- */
NTSTATUS FltRegisterFilter(PDRIVER_OBJECT Driver, const FLT_REGISTRATION *Registration, PFLT_FILTER *RetFilter)
{
    if (!EmuRequireIrql("FltRegisterFilter", PASSIVE_LEVEL)) {
        return STATUS_INVALID_DEVICE_STATE;
    }
    if (Driver == NULL || Registration == NULL || RetFilter == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    if (Registration->Size != sizeof(FLT_REGISTRATION) || (Registration->Version >> 8) != 2) {
        EmuViolation("FltRegisterFilter: FLT_REGISTRATION Size %u / Version 0x%x are not those of this fltKernel.h", Registration->Size, Registration->Version);
        return STATUS_INVALID_PARAMETER;
    }
    for (const FLT_CONTEXT_REGISTRATION *c = Registration->ContextRegistration; c != NULL && c->ContextType != FLT_CONTEXT_END; c++) {
        if ((c->ContextType & (c->ContextType - 1)) != 0 || (c->ContextType & ~FLT_ALL_CONTEXTS) != 0) {
            return STATUS_FLT_INVALID_CONTEXT_REGISTRATION;
        }
        if (c->ContextAllocateCallback == NULL && c->Size == 0) {
            return STATUS_FLT_INVALID_CONTEXT_REGISTRATION;
        }
    }
    for (const FLT_OPERATION_REGISTRATION *o = Registration->OperationRegistration; o != NULL && o->MajorFunction != IRP_MJ_OPERATION_END; o++) {
        if (o->MajorFunction > IRP_MJ_MAXIMUM_FUNCTION && o->MajorFunction < (UCHAR)-20) {
            return STATUS_INVALID_PARAMETER;
        }
    }
    if (g_usedSlots >= EMU_MAX_CTX_SLOTS) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    PFLT_FILTER f = calloc(1, sizeof(*f));
    char name[120];
    snprintf(name, sizeof(name), "filter at altitude %s", g_nextAltitude);
    EmuObjInit(&f->Hdr, EMU_OBJ_FILTER, name);
    f->Registration = *Registration;
    f->Driver = Driver;
    memcpy(f->Altitude, g_nextAltitude, sizeof(f->Altitude));
    f->AltitudeValue = strtod(f->Altitude, NULL);
    f->Slot = g_usedSlots++;
    EmuLock();
    InsertTailList(&g_filters, &f->Link);
    EmuUnlock();
    g_driverFilter = f;
    *RetFilter = f;
    return STATUS_SUCCESS;
}

NTSTATUS FltStartFiltering(PFLT_FILTER Filter)
{
    if (!EmuRequireIrql("FltStartFiltering", PASSIVE_LEVEL)) {
        return STATUS_INVALID_DEVICE_STATE;
    }
    if (!EmuIsFilter(Filter) || Filter->Gone) {
        EmuViolation("FltStartFiltering(%p): not a registered filter", (void *)Filter);
        return STATUS_INVALID_PARAMETER;
    }
    if (Filter->Started) {
        return STATUS_INVALID_PARAMETER;
    }
    Filter->Started = 1;
    PFLT_VOLUME list[64];
    int n = 0;
    EmuLock();
    for (PLIST_ENTRY e = g_volumes.Flink; e != &g_volumes && n < 64; e = e->Flink) {
        list[n++] = CONTAINING_RECORD(e, struct _FLT_VOLUME, Link);
    }
    EmuUnlock();
    for (int i = 0; i < n; i++) {
        EmuAttach(Filter, list[i], FLTFL_INSTANCE_SETUP_AUTOMATIC_ATTACHMENT, NULL);
    }
    return STATUS_SUCCESS;
}

VOID FltUnregisterFilter(PFLT_FILTER Filter)
{
    EmuRequireIrql("FltUnregisterFilter", PASSIVE_LEVEL);
    if (!EmuIsFilter(Filter) || Filter->Gone || Filter->Unregistering) {
        EmuViolation("FltUnregisterFilter(%p): not a registered filter (or unregistered twice)", (void *)Filter);
        return;
    }
    Filter->Unregistering = 1;
    EmuPortsOnFilterUnregister(Filter);
    /* Work items hold the filter: wait for them (they must finish). */
    EmuLock();
    uint64_t limit = EmuNowNs() + 10ull * 1000000000ull;
    while (Filter->WorkItemsInFlight > 0 && EmuWaitUntil(limit)) {
    }
    long left = Filter->WorkItemsInFlight;
    EmuUnlock();
    if (left > 0) {
        EmuViolation("FltUnregisterFilter: %ld work item(s) of %s still running after 10 s", left, Filter->Hdr.Name);
    }
    FLT_INSTANCE_TEARDOWN_FLAGS reason = FLTFL_INSTANCE_TEARDOWN_FILTER_UNLOAD
        | ((g_unloadFlags & FLTFL_FILTER_UNLOAD_MANDATORY) ? FLTFL_INSTANCE_TEARDOWN_MANDATORY_FILTER_UNLOAD : 0);
    for (;;) {
        PFLT_INSTANCE inst = NULL;
        EmuLock();
        for (PLIST_ENTRY e = g_volumes.Flink; e != &g_volumes && inst == NULL; e = e->Flink) {
            PFLT_VOLUME v = CONTAINING_RECORD(e, struct _FLT_VOLUME, Link);
            for (int i = 0; i < v->InstanceCount; i++) {
                if (v->Instances[i]->Filter == Filter) {
                    inst = v->Instances[i];
                    break;
                }
            }
        }
        EmuUnlock();
        if (inst == NULL) {
            break;
        }
        EmuDetach(inst, reason);
    }
    EmuContextsOnFilterGone(Filter);
    for (;;) {
        PFLT_INSTANCE held = NULL;
        EmuLock();
        for (PLIST_ENTRY e = g_zombies.Flink; e != &g_zombies; e = e->Flink) {
            PFLT_INSTANCE z = CONTAINING_RECORD(e, struct _FLT_INSTANCE, ZombieLink);
            if (z->Filter == Filter && z->Hdr.DriverRefs > 0) {
                held = z;
                break;
            }
        }
        long n = held != NULL ? held->Hdr.DriverRefs : 0;
        if (held != NULL) {
            held->Hdr.Refs -= n;
            held->Hdr.DriverRefs = 0;
        }
        EmuUnlock();
        if (held == NULL) {
            break;
        }
        EmuViolation("unbalanced references: FltUnregisterFilter would wait forever: the torn-down %s still has %ld rundown reference(s) never released (FltObjectDereference)",
                     held->Hdr.Name, n);
    }
    EmuFreeZombies(Filter, 0);
    if (Filter->Hdr.DriverRefs != 0) {
        EmuViolation("unbalanced references: FltUnregisterFilter would wait forever: %s has %ld FltObjectReference(s) never released",
                     Filter->Hdr.Name, Filter->Hdr.DriverRefs);
        Filter->Hdr.DriverRefs = 0;
    }
    Filter->Gone = 1;
}

/* ---- references ---- */
static EMU_OBJ *EmuFltObject(PVOID p, const char *routine)
{
    if (p != NULL && (EmuIsFilter(p) || EmuIsVolume(p) || EmuIsInstance(p))) {
        return (EMU_OBJ *)p;
    }
    EmuViolation("%s(%p): not a filter, volume or instance", routine, p);
    return NULL;
}

NTSTATUS FltObjectReference(PVOID FltObject)
{
    EmuRequireIrql("FltObjectReference", DISPATCH_LEVEL);
    EMU_OBJ *o = EmuFltObject(FltObject, "FltObjectReference");
    if (o == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    if (o->Type == EMU_OBJ_FILTER && ((PFLT_FILTER)o)->Unregistering) {
        return STATUS_FLT_DELETING_OBJECT;
    }
    if (o->Type == EMU_OBJ_INSTANCE && (((PFLT_INSTANCE)o)->Filter->Unregistering || EmuInstanceTearingDown((PFLT_INSTANCE)o))) {
        return STATUS_FLT_DELETING_OBJECT;      /* teardown has started */
    }
    EmuObjDriverRef(o, 1, "FltObjectReference");
    return STATUS_SUCCESS;
}

VOID FltObjectDereference(PVOID FltObject)
{
    EmuRequireIrql("FltObjectDereference", DISPATCH_LEVEL);
    EMU_OBJ *o = EmuFltObject(FltObject, "FltObjectDereference");
    if (o != NULL) {
        EmuObjDriverRef(o, -1, "FltObjectDereference");
        if (o->Type == EMU_OBJ_INSTANCE) {
            EmuFreeZombies(((PFLT_INSTANCE)o)->Filter, 0);     /* the last rundown reference of a torn-down instance frees it */
        }
    }
}

NTSTATUS FltGetVolumeFromInstance(PFLT_INSTANCE Instance, PFLT_VOLUME *RetVolume)
{
    EmuRequireIrql("FltGetVolumeFromInstance", DISPATCH_LEVEL);
    if (!EmuIsInstance(Instance)) {
        EmuViolation("FltGetVolumeFromInstance(%p): not an instance", (void *)Instance);
        return STATUS_INVALID_PARAMETER;
    }
    EmuObjDriverRef(&Instance->Volume->Hdr, 1, "FltGetVolumeFromInstance");
    *RetVolume = Instance->Volume;
    return STATUS_SUCCESS;
}

NTSTATUS FltGetFilterFromInstance(PFLT_INSTANCE Instance, PFLT_FILTER *RetFilter)
{
    EmuRequireIrql("FltGetFilterFromInstance", DISPATCH_LEVEL);
    if (!EmuIsInstance(Instance)) {
        EmuViolation("FltGetFilterFromInstance(%p): not an instance", (void *)Instance);
        return STATUS_INVALID_PARAMETER;
    }
    EmuObjDriverRef(&Instance->Filter->Hdr, 1, "FltGetFilterFromInstance");
    *RetFilter = Instance->Filter;
    return STATUS_SUCCESS;
}

NTSTATUS FltGetDeviceObject(PFLT_VOLUME Volume, PDEVICE_OBJECT *DeviceObject)
{
    EmuRequireIrql("FltGetDeviceObject", DISPATCH_LEVEL);
    if (!EmuIsVolume(Volume)) {
        EmuViolation("FltGetDeviceObject(%p): not a volume", (void *)Volume);
        return STATUS_INVALID_PARAMETER;
    }
    EmuObjDriverRef(&Volume->Dev.Hdr, 1, "FltGetDeviceObject");
    *DeviceObject = &Volume->Dev.Device;
    return STATUS_SUCCESS;
}

/* The storage device the volume resides on (FILE_DEVICE_DISK), not the volume's device object; a
 * network volume has none (STATUS_FLT_NO_DEVICE_OBJECT, *DiskDeviceObject not modified). */
NTSTATUS FltGetDiskDeviceObject(PFLT_VOLUME Volume, PDEVICE_OBJECT *DiskDeviceObject)
{
    EmuRequireIrql("FltGetDiskDeviceObject", DISPATCH_LEVEL);
    if (!EmuIsVolume(Volume)) {
        EmuViolation("FltGetDiskDeviceObject(%p): not a volume", (void *)Volume);
        return STATUS_INVALID_PARAMETER;
    }
    if (Volume->DeviceType == FILE_DEVICE_NETWORK_FILE_SYSTEM) {
        return STATUS_FLT_NO_DEVICE_OBJECT;
    }
    EmuObjDriverRef(&Volume->Disk.Hdr, 1, "FltGetDiskDeviceObject");
    *DiskDeviceObject = &Volume->Disk.Device;
    return STATUS_SUCCESS;
}

NTSTATUS FltGetVolumeName(PFLT_VOLUME Volume, PUNICODE_STRING VolumeName, PULONG BufferSizeNeeded)
{
    EmuRequireIrql("FltGetVolumeName", APC_LEVEL);
    if (!EmuIsVolume(Volume)) {
        EmuViolation("FltGetVolumeName(%p): not a volume", (void *)Volume);
        return STATUS_INVALID_PARAMETER;
    }
    if (BufferSizeNeeded != NULL) {
        *BufferSizeNeeded = Volume->NameU.Length;
    }
    if (VolumeName == NULL) {
        return STATUS_BUFFER_TOO_SMALL;
    }
    if (VolumeName->MaximumLength < Volume->NameU.Length) {
        return STATUS_BUFFER_TOO_SMALL;
    }
    memcpy(VolumeName->Buffer, Volume->NameU.Buffer, Volume->NameU.Length);
    VolumeName->Length = Volume->NameU.Length;
    return STATUS_SUCCESS;
}

/*
 * FltGetVolumeGuidName (PASSIVE_LEVEL): the mount manager's name of a local
 * volume, "\??\Volume{GUID}" (48 characters, 96 bytes, no trailing
 * backslash). The emulated volumes' GUIDs are fixed by their id:
 * {4a4d4600-0000-4000-8000-<12 hex digits of the id>}. As documented:
 * VolumeGuidName NULL (BufferSizeNeeded then required) or too small:
 * STATUS_BUFFER_TOO_SMALL with the size in BufferSizeNeeded; a network volume:
 * STATUS_INVALID_DEVICE_REQUEST. Volume is required.
 */
NTSTATUS FltGetVolumeGuidName(PFLT_VOLUME Volume, PUNICODE_STRING VolumeGuidName, PULONG BufferSizeNeeded)
{
    if (!EmuRequireIrql("FltGetVolumeGuidName", PASSIVE_LEVEL)) {
        return STATUS_INVALID_DEVICE_STATE;
    }
    if (!EmuIsVolume(Volume)) {
        EmuViolation("FltGetVolumeGuidName(%p): not a volume", (void *)Volume);
        return STATUS_INVALID_PARAMETER;
    }
    if (VolumeGuidName == NULL && BufferSizeNeeded == NULL) {
        EmuViolation("FltGetVolumeGuidName: VolumeGuidName and BufferSizeNeeded both NULL (BufferSizeNeeded must be non-NULL when VolumeGuidName is NULL)");
        return STATUS_INVALID_PARAMETER;
    }
    if (Volume->DeviceType == FILE_DEVICE_NETWORK_FILE_SYSTEM) {
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    char text[64];
    int chars = snprintf(text, sizeof(text), "\\??\\Volume{4a4d4600-0000-4000-8000-%012x}", (unsigned)Volume->Id);
    ULONG bytes = (ULONG)chars * sizeof(WCHAR);
    if (BufferSizeNeeded != NULL) {
        *BufferSizeNeeded = bytes;
    }
    if (VolumeGuidName == NULL || VolumeGuidName->MaximumLength < bytes) {
        return STATUS_BUFFER_TOO_SMALL;
    }
    for (int i = 0; i < chars; i++) {
        VolumeGuidName->Buffer[i] = (WCHAR)text[i];
    }
    VolumeGuidName->Length = (USHORT)bytes;
    return STATUS_SUCCESS;
}

static int EmuUnicodeEqI(PCUNICODE_STRING a, PCUNICODE_STRING b)
{
    if (a->Length != b->Length) {
        return 0;
    }
    for (USHORT i = 0; i < a->Length / 2; i++) {
        WCHAR x = a->Buffer[i], y = b->Buffer[i];
        if (x >= 'a' && x <= 'z') x = (WCHAR)(x - 32);
        if (y >= 'a' && y <= 'z') y = (WCHAR)(y - 32);
        if (x != y) {
            return 0;
        }
    }
    return 1;
}

PFLT_VOLUME EmuVolumeByName(PCUNICODE_STRING name, USHORT *prefixBytes)
{
    PFLT_VOLUME r = NULL;
    EmuLock();
    for (PLIST_ENTRY e = g_volumes.Flink; e != &g_volumes; e = e->Flink) {
        PFLT_VOLUME v = CONTAINING_RECORD(e, struct _FLT_VOLUME, Link);
        UNICODE_STRING head = *name;
        if (prefixBytes != NULL) {
            if (head.Length < v->NameU.Length) {
                continue;
            }
            head.Length = v->NameU.Length;
            if (name->Length > v->NameU.Length && name->Buffer[v->NameU.Length / 2] != '\\') {
                continue;
            }
        }
        if (EmuUnicodeEqI(&head, &v->NameU)) {
            r = v;
            if (prefixBytes != NULL) {
                *prefixBytes = v->NameU.Length;
            }
            break;
        }
    }
    EmuUnlock();
    return r;
}

NTSTATUS FltGetVolumeFromName(PFLT_FILTER Filter, PCUNICODE_STRING VolumeName, PFLT_VOLUME *RetVolume)
{
    UNREFERENCED_PARAMETER(Filter);
    EmuRequireIrql("FltGetVolumeFromName", PASSIVE_LEVEL);
    PFLT_VOLUME v = EmuVolumeByName(VolumeName, NULL);
    if (v == NULL) {
        return STATUS_FLT_VOLUME_NOT_FOUND;
    }
    EmuObjDriverRef(&v->Hdr, 1, "FltGetVolumeFromName");
    *RetVolume = v;
    return STATUS_SUCCESS;
}

NTSTATUS FltGetVolumeInstanceFromName(PFLT_FILTER Filter, PFLT_VOLUME Volume, PCUNICODE_STRING InstanceName, PFLT_INSTANCE *RetInstance)
{
    UNREFERENCED_PARAMETER(InstanceName);
    EmuRequireIrql("FltGetVolumeInstanceFromName", APC_LEVEL);
    if (!EmuIsVolume(Volume)) {
        return STATUS_INVALID_PARAMETER;
    }
    PFLT_INSTANCE r = NULL;
    EmuLock();
    for (int i = 0; i < Volume->InstanceCount; i++) {
        if (Volume->Instances[i]->Filter == Filter && !Volume->Instances[i]->Detached) {
            r = Volume->Instances[i];
            break;
        }
    }
    EmuUnlock();
    if (r == NULL) {
        return STATUS_FLT_INSTANCE_NOT_FOUND;
    }
    EmuObjDriverRef(&r->Hdr, 1, "FltGetVolumeInstanceFromName");
    *RetInstance = r;
    return STATUS_SUCCESS;
}

NTSTATUS FltGetVolumeFromFileObject(PFLT_FILTER Filter, PFILE_OBJECT FileObject, PFLT_VOLUME *RetVolume)
{
    UNREFERENCED_PARAMETER(Filter);
    if (!EmuIsFileObject(FileObject)) {
        return STATUS_INVALID_PARAMETER;
    }
    PFLT_VOLUME v = EMU_FILE_FROM_FO(FileObject)->Volume;
    EmuObjDriverRef(&v->Hdr, 1, "FltGetVolumeFromFileObject");
    *RetVolume = v;
    return STATUS_SUCCESS;
}

static NTSTATUS EmuInstanceAt(PFLT_VOLUME v, int index, PFLT_INSTANCE *out, const char *routine)
{
    PFLT_INSTANCE r = NULL;
    EmuLock();
    if (index >= 0 && index < v->InstanceCount) {
        r = v->Instances[index];
    }
    EmuUnlock();
    if (r == NULL) {
        return STATUS_NO_MORE_ENTRIES;
    }
    EmuObjDriverRef(&r->Hdr, 1, routine);
    *out = r;
    return STATUS_SUCCESS;
}

static int EmuIndexOf(PFLT_INSTANCE inst)
{
    int r = -1;
    EmuLock();
    for (int i = 0; i < inst->Volume->InstanceCount; i++) {
        if (inst->Volume->Instances[i] == inst) {
            r = i;
        }
    }
    EmuUnlock();
    return r;
}

NTSTATUS FltGetTopInstance(PFLT_VOLUME Volume, PFLT_INSTANCE *Instance) { return EmuInstanceAt(Volume, 0, Instance, "FltGetTopInstance"); }
NTSTATUS FltGetBottomInstance(PFLT_VOLUME Volume, PFLT_INSTANCE *Instance) { return EmuInstanceAt(Volume, Volume->InstanceCount - 1, Instance, "FltGetBottomInstance"); }
NTSTATUS FltGetUpperInstance(PFLT_INSTANCE CurrentInstance, PFLT_INSTANCE *UpperInstance) { return EmuInstanceAt(CurrentInstance->Volume, EmuIndexOf(CurrentInstance) - 1, UpperInstance, "FltGetUpperInstance"); }
NTSTATUS FltGetLowerInstance(PFLT_INSTANCE CurrentInstance, PFLT_INSTANCE *LowerInstance)
{
    int i = EmuIndexOf(CurrentInstance);
    return EmuInstanceAt(CurrentInstance->Volume, i < 0 ? -1 : i + 1, LowerInstance, "FltGetLowerInstance");
}

NTSTATUS FltEnumerateInstances(PFLT_VOLUME Volume, PFLT_FILTER Filter, PFLT_INSTANCE *InstanceList, ULONG InstanceListSize, PULONG NumberInstancesReturned)
{
    EmuRequireIrql("FltEnumerateInstances", APC_LEVEL);
    PFLT_INSTANCE found[256];
    ULONG n = 0;
    EmuLock();
    for (PLIST_ENTRY e = g_volumes.Flink; e != &g_volumes; e = e->Flink) {
        PFLT_VOLUME v = CONTAINING_RECORD(e, struct _FLT_VOLUME, Link);
        if (Volume != NULL && v != Volume) {
            continue;
        }
        for (int i = 0; i < v->InstanceCount && n < 256; i++) {
            if (Filter == NULL || v->Instances[i]->Filter == Filter) {
                found[n++] = v->Instances[i];
            }
        }
    }
    EmuUnlock();
    *NumberInstancesReturned = n;
    if (n > InstanceListSize) {
        return STATUS_BUFFER_TOO_SMALL;
    }
    for (ULONG i = 0; i < n; i++) {
        EmuObjDriverRef(&found[i]->Hdr, 1, "FltEnumerateInstances");
        InstanceList[i] = found[i];
    }
    return STATUS_SUCCESS;
}

NTSTATUS FltEnumerateVolumes(PFLT_FILTER Filter, PFLT_VOLUME *VolumeList, ULONG VolumeListSize, PULONG NumberVolumesReturned)
{
    UNREFERENCED_PARAMETER(Filter);
    EmuRequireIrql("FltEnumerateVolumes", APC_LEVEL);
    PFLT_VOLUME found[64];
    ULONG n = 0;
    EmuLock();
    for (PLIST_ENTRY e = g_volumes.Flink; e != &g_volumes && n < 64; e = e->Flink) {
        found[n++] = CONTAINING_RECORD(e, struct _FLT_VOLUME, Link);
    }
    EmuUnlock();
    *NumberVolumesReturned = n;
    if (n > VolumeListSize) {
        return STATUS_BUFFER_TOO_SMALL;
    }
    for (ULONG i = 0; i < n; i++) {
        EmuObjDriverRef(&found[i]->Hdr, 1, "FltEnumerateVolumes");
        VolumeList[i] = found[i];
    }
    return STATUS_SUCCESS;
}

NTSTATUS FltIsVolumeWritable(PVOID FltObject, PBOOLEAN IsWritable)
{
    UNREFERENCED_PARAMETER(FltObject);
    *IsWritable = TRUE;
    return STATUS_SUCCESS;
}

NTSTATUS FltGetFileSystemType(PVOID FltObject, PFLT_FILESYSTEM_TYPE FileSystemType)
{
    if (EmuIsInstance(FltObject)) {
        *FileSystemType = ((PFLT_INSTANCE)FltObject)->Volume->FsType;
    } else if (EmuIsVolume(FltObject)) {
        *FileSystemType = ((PFLT_VOLUME)FltObject)->FsType;
    } else {
        return STATUS_INVALID_PARAMETER;
    }
    return STATUS_SUCCESS;
}

static void EmuPutString(PUNICODE_STRING s, const WCHAR *text, char **cursor)
{
    size_t chars = EmuWcsLen(text);
    memcpy(*cursor, text, chars * 2);
    s->Buffer = (PWCH)*cursor;
    s->Length = s->MaximumLength = (USHORT)(chars * 2);
    *cursor += chars * 2;
}

NTSTATUS FltGetVolumeProperties(PFLT_VOLUME Volume, PFLT_VOLUME_PROPERTIES VolumeProperties, ULONG VolumePropertiesLength, PULONG LengthReturned)
{
    EmuRequireIrql("FltGetVolumeProperties", APC_LEVEL);
    if (!EmuIsVolume(Volume)) {
        return STATUS_INVALID_PARAMETER;
    }
    int network = Volume->DeviceType == FILE_DEVICE_NETWORK_FILE_SYSTEM;
    const WCHAR *driver = network ? L"\\FileSystem\\Mup" : L"\\FileSystem\\Ntfs";
    const WCHAR *device = network ? L"\\Device\\Mup" : L"\\Ntfs";
    ULONG need = (ULONG)sizeof(FLT_VOLUME_PROPERTIES) + (ULONG)((EmuWcsLen(driver) + EmuWcsLen(device)) * 2) + Volume->NameU.Length;
    *LengthReturned = need;
    if (VolumePropertiesLength < sizeof(FLT_VOLUME_PROPERTIES)) {
        return STATUS_BUFFER_TOO_SMALL;
    }
    memset(VolumeProperties, 0, sizeof(*VolumeProperties));
    VolumeProperties->DeviceType = Volume->DeviceType;
    VolumeProperties->DeviceCharacteristics = network ? FILE_REMOTE_DEVICE : 0;
    VolumeProperties->SectorSize = EMU_SECTOR_SIZE;
    if (VolumePropertiesLength < need) {
        return STATUS_BUFFER_OVERFLOW;
    }
    char *cursor = (char *)(VolumeProperties + 1);
    EmuPutString(&VolumeProperties->FileSystemDriverName, driver, &cursor);
    EmuPutString(&VolumeProperties->FileSystemDeviceName, device, &cursor);
    EmuPutString(&VolumeProperties->RealDeviceName, Volume->Name, &cursor);
    return STATUS_SUCCESS;
}

NTSTATUS FltGetInstanceInformation(PFLT_INSTANCE Instance, INSTANCE_INFORMATION_CLASS InformationClass, PVOID Buffer, ULONG BufferSize, PULONG BytesReturned)
{
    if (!EmuIsInstance(Instance)) {
        return STATUS_INVALID_PARAMETER;
    }
    WCHAR alt[32];
    EmuUtf8ToWide(Instance->Altitude, alt, 32);
    USHORT altBytes = (USHORT)(EmuWcsLen(alt) * 2);
    if (InformationClass == InstancePartialInformation) {
        ULONG need = sizeof(INSTANCE_PARTIAL_INFORMATION) + altBytes;
        *BytesReturned = need;
        if (BufferSize < need) {
            return STATUS_BUFFER_TOO_SMALL;
        }
        PINSTANCE_PARTIAL_INFORMATION p = Buffer;
        memset(p, 0, sizeof(*p));
        p->AltitudeLength = altBytes;
        p->AltitudeBufferOffset = sizeof(*p);
        memcpy(p + 1, alt, altBytes);
        return STATUS_SUCCESS;
    }
    if (InformationClass == InstanceBasicInformation) {
        *BytesReturned = sizeof(INSTANCE_BASIC_INFORMATION);
        if (BufferSize < sizeof(INSTANCE_BASIC_INFORMATION)) {
            return STATUS_BUFFER_TOO_SMALL;
        }
        memset(Buffer, 0, sizeof(INSTANCE_BASIC_INFORMATION));
        return STATUS_SUCCESS;
    }
    return STATUS_INVALID_PARAMETER;
}

NTSTATUS FltAttachVolume(PFLT_FILTER Filter, PFLT_VOLUME Volume, PCUNICODE_STRING InstanceName, PFLT_INSTANCE *RetInstance)
{
    UNREFERENCED_PARAMETER(InstanceName);
    EmuRequireIrql("FltAttachVolume", PASSIVE_LEVEL);
    PFLT_INSTANCE inst = NULL;
    NTSTATUS s = EmuAttach(Filter, Volume, FLTFL_INSTANCE_SETUP_MANUAL_ATTACHMENT, &inst);
    if (NT_SUCCESS(s) && RetInstance != NULL) {
        EmuObjDriverRef(&inst->Hdr, 1, "FltAttachVolume");
        *RetInstance = inst;
    }
    return s;
}

NTSTATUS FltAttachVolumeAtAltitude(PFLT_FILTER Filter, PFLT_VOLUME Volume, PCUNICODE_STRING Altitude, PCUNICODE_STRING InstanceName, PFLT_INSTANCE *RetInstance)
{
    UNREFERENCED_PARAMETER(InstanceName);
    EmuRequireIrql("FltAttachVolumeAtAltitude", PASSIVE_LEVEL);
    if (!EmuIsFilter(Filter) || !EmuIsVolume(Volume) || Altitude == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    char altitude[32];
    EmuWideToUtf8(Altitude->Buffer, Altitude->Length / 2, altitude, sizeof(altitude));
    PFLT_INSTANCE inst = NULL;
    NTSTATUS s = EmuAttachAt(Filter, Volume, FLTFL_INSTANCE_SETUP_MANUAL_ATTACHMENT, &inst, altitude);
    if (NT_SUCCESS(s) && RetInstance != NULL) {
        EmuObjDriverRef(&inst->Hdr, 1, "FltAttachVolumeAtAltitude");
        *RetInstance = inst;
    }
    return s;
}

NTSTATUS FltDetachVolume(PFLT_FILTER Filter, PFLT_VOLUME Volume, PCUNICODE_STRING InstanceName)
{
    UNREFERENCED_PARAMETER(InstanceName);
    EmuRequireIrql("FltDetachVolume", PASSIVE_LEVEL);
    PFLT_INSTANCE inst = NULL;
    EmuLock();
    for (int i = 0; i < Volume->InstanceCount; i++) {
        if (Volume->Instances[i]->Filter == Filter && !Volume->Instances[i]->TearingDown) {
            inst = Volume->Instances[i];
        }
    }
    EmuUnlock();
    if (inst == NULL) {
        return STATUS_FLT_INSTANCE_NOT_FOUND;
    }
    if (Filter->Registration.InstanceQueryTeardownCallback != NULL) {
        FLT_RELATED_OBJECTS objs;
        EmuObjectsFor(&objs, inst);
        NTSTATUS s = Filter->Registration.InstanceQueryTeardownCallback(&objs, 0);
        if (!NT_SUCCESS(s)) {
            return STATUS_FLT_DO_NOT_DETACH;
        }
    }
    EmuDetach(inst, FLTFL_INSTANCE_TEARDOWN_MANUAL);
    return STATUS_SUCCESS;
}

/* ---- control ---- */
int32_t EmuCreateVolume(const char *ntName, uint32_t stackSize, uint32_t flags)
{
    if (ntName == NULL || stackSize == 0 || stackSize > 127 || strlen(ntName) >= RTL_NUMBER_OF(((PFLT_VOLUME)0)->Name)) {
        return -1;      /* refused rather than silently truncated */
    }
    PFLT_VOLUME v = calloc(1, sizeof(*v));
    EmuUtf8ToWide(ntName, v->Name, RTL_NUMBER_OF(v->Name));
    v->NameU.Buffer = v->Name;
    v->NameU.Length = (USHORT)(EmuWcsLen(v->Name) * 2);
    v->NameU.MaximumLength = (USHORT)sizeof(v->Name);
    char name[120];
    snprintf(name, sizeof(name), "volume %.80s", ntName);
    EmuObjInit(&v->Hdr, EMU_OBJ_VOLUME, name);
    snprintf(name, sizeof(name), "device object of volume %.80s", ntName);
    EmuObjInit(&v->Dev.Hdr, EMU_OBJ_DEVICE, name);
    v->DeviceType = (flags & EMU_VOLUME_NETWORK) ? FILE_DEVICE_NETWORK_FILE_SYSTEM : FILE_DEVICE_DISK_FILE_SYSTEM;
    v->FsType = (flags & EMU_VOLUME_NETWORK) ? FLT_FSTYPE_MUP : FLT_FSTYPE_NTFS;
    v->Dev.Device.Type = 3;
    v->Dev.Device.Size = sizeof(DEVICE_OBJECT);
    v->Dev.Device.DeviceType = v->DeviceType;
    v->Dev.Device.StackSize = (CCHAR)stackSize;
    v->Dev.Device.Vpb = &v->Vpb;
    v->Vpb.DeviceObject = &v->Dev.Device;
    v->Vpb.RealDevice = &v->Dev.Device;
    snprintf(name, sizeof(name), "disk device object of volume %.80s", ntName);
    EmuObjInit(&v->Disk.Hdr, EMU_OBJ_DEVICE, name);
    v->Disk.Device.Type = 3;
    v->Disk.Device.Size = sizeof(DEVICE_OBJECT);
    v->Disk.Device.DeviceType = FILE_DEVICE_DISK;
    v->Disk.Device.StackSize = 1;
    if (!(flags & EMU_VOLUME_NETWORK)) {
        v->Vpb.RealDevice = &v->Disk.Device;   /* the device the volume is mounted on */
    }
    EmuFsInit(&v->Fs);
    EmuLock();
    v->Id = g_nextVolumeId++;
    if (!(flags & EMU_VOLUME_NETWORK) && g_nextDosLetter <= L'Z') {
        v->DosLetter = g_nextDosLetter++;       /* a network volume has no drive letter of its own */
    }
    InsertTailList(&g_volumes, &v->Link);
    EmuUnlock();
    PFLT_FILTER started[EMU_MAX_CTX_SLOTS];
    int n = 0;
    EmuLock();
    for (PLIST_ENTRY e = g_filters.Flink; e != &g_filters && n < EMU_MAX_CTX_SLOTS; e = e->Flink) {
        PFLT_FILTER f = CONTAINING_RECORD(e, struct _FLT_FILTER, Link);
        if (f->Started && !f->Gone && !f->Unregistering) {
            started[n++] = f;
        }
    }
    EmuUnlock();
    for (int i = 0; i < n; i++) {
        EmuAttach(started[i], v, FLTFL_INSTANCE_SETUP_AUTOMATIC_ATTACHMENT | FLTFL_INSTANCE_SETUP_NEWLY_MOUNTED_VOLUME, NULL);
    }
    return v->Id;
}

void EmuFltReset(void)
{
    /* Filters still registered are unregistered quietly; volumes are dismounted. */
    for (;;) {
        PFLT_FILTER f = NULL;
        EmuLock();
        for (PLIST_ENTRY e = g_filters.Flink; e != &g_filters; e = e->Flink) {
            PFLT_FILTER c = CONTAINING_RECORD(e, struct _FLT_FILTER, Link);
            if (!c->Gone && !c->Unregistering) {
                f = c;
                break;
            }
        }
        EmuUnlock();
        if (f == NULL) {
            break;
        }
        FltUnregisterFilter(f);
    }
    EmuFreeZombies(NULL, 1);
    EmuLock();
    while (!IsListEmpty(&g_filters)) {
        PFLT_FILTER f = CONTAINING_RECORD(RemoveHeadList(&g_filters), struct _FLT_FILTER, Link);
        EmuUnlock();
        EmuObjUnlink(&f->Hdr);
        free(f);
        EmuLock();
    }
    while (!IsListEmpty(&g_volumes)) {
        PFLT_VOLUME v = CONTAINING_RECORD(RemoveHeadList(&g_volumes), struct _FLT_VOLUME, Link);
        EmuUnlock();
        EmuFsDestroy(&v->Fs);
        EmuObjUnlink(&v->Hdr);
        EmuObjUnlink(&v->Dev.Hdr);
        EmuObjUnlink(&v->Disk.Hdr);
        free(v);
        EmuLock();
    }
    g_nextVolumeId = 1;
    g_nextDosLetter = L'C';
    g_usedSlots = 0;
    g_driverFilter = NULL;
    g_unloadFlags = 0;
    EmuUnlock();
}

/* The driver linked into libjmfemu.so (native-driver/src), if any. */
extern NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath) __attribute__((weak));
static DRIVER_OBJECT g_driverObject;
static PFLT_FILTER g_loadedFilter;

int32_t EmuLoadDriver(const char *altitude)
{
    if (DriverEntry == NULL) {
        return (int32_t)STATUS_NOT_FOUND;
    }
    if (g_loadedFilter != NULL && !g_loadedFilter->Gone) {
        return (int32_t)STATUS_FLT_DUPLICATE_ENTRY;
    }
    /* The INF's service (ci/check compares the name); the same string as EMU_SERVICE_KEY of jmf_emu.h. */
    static const char serviceKey[] = "\\REGISTRY\\MACHINE\\SYSTEM\\CurrentControlSet\\Services\\jminifilter";
    _Static_assert(sizeof(serviceKey) == sizeof(EMU_SERVICE_KEY), "EMU_SERVICE_KEY and the INF's service key differ");
    /* A fresh copy per load: RegistryPath is only valid during DriverEntry (overwritten after it returns). */
    static WCHAR reg[sizeof(serviceKey)];
    EmuUtf8ToWide(serviceKey, reg, RTL_NUMBER_OF(reg));
    UNICODE_STRING regPath = { (USHORT)((sizeof(serviceKey) - 1) * 2), (USHORT)sizeof(reg), reg };
    EmuRegistryEnsureKey(serviceKey);       /* installing the service creates it */
    memset(&g_driverObject, 0, sizeof(g_driverObject));
    g_driverObject.Type = 4;
    g_driverObject.Size = sizeof(DRIVER_OBJECT);
    /* As the I/O manager's: the extension names the service (IoOpenDriverRegistryKey finds the keys by it). */
    static DRIVER_EXTENSION extension;
    static WCHAR serviceName[32];
    const char *name = strrchr(serviceKey, '\\') + 1;
    size_t nameChars = EmuUtf8ToWide(name, serviceName, RTL_NUMBER_OF(serviceName));
    memset(&extension, 0, sizeof(extension));
    extension.DriverObject = &g_driverObject;
    extension.ServiceKeyName.Buffer = serviceName;
    extension.ServiceKeyName.Length = (USHORT)(nameChars * sizeof(WCHAR));
    extension.ServiceKeyName.MaximumLength = (USHORT)sizeof(serviceName);
    g_driverObject.DriverExtension = &extension;
    EmuSetNextAltitude(altitude != NULL ? altitude : "265000"); /* the INF's altitude (ci/check verifies) */
    g_driverFilter = NULL;
    PEPROCESS saved = PsGetCurrentProcess();
    EmuSetThreadProcess(EmuSystemProcess());
    EmuSetIrql(PASSIVE_LEVEL);
    NTSTATUS s = DriverEntry(&g_driverObject, &regPath);
    for (size_t i = 0; i < RTL_NUMBER_OF(reg); i++) {
        reg[i] = L'#';                      /* a driver that kept the pointer reads garbage, as on Windows */
    }
    EmuSetThreadProcess(saved);
    if (NT_SUCCESS(s)) {
        EmuDevicesAfterDriverEntry(&g_driverObject);
    }
    g_loadedFilter = NT_SUCCESS(s) ? g_driverFilter : NULL;
    if (!NT_SUCCESS(s)) {
        EmuCheckLeaks();
    }
    return (int32_t)s;
}

static NTSTATUS EmuUnloadFilterFlags(PFLT_FILTER f, FLT_FILTER_UNLOAD_FLAGS flags);

NTSTATUS EmuUnloadFilter(PFLT_FILTER f)
{
    return EmuUnloadFilterFlags(f, FLTFL_FILTER_UNLOAD_MANDATORY);
}

/*
 * An unload with these flags. Without FLTFL_FILTER_UNLOAD_MANDATORY (fltmc
 * unload, a service stop) the callback may refuse by returning an error: the
 * filter then stays loaded, untouched. A mandatory unload (system shutdown)
 * cannot be refused: an error returned, or returning without having called
 * FltUnregisterFilter, is a violation.
 */
static NTSTATUS EmuUnloadFilterFlags(PFLT_FILTER f, FLT_FILTER_UNLOAD_FLAGS flags)
{
    if (f == NULL || f->Gone) {
        return STATUS_INVALID_PARAMETER;
    }
    if (f->Registration.FilterUnloadCallback == NULL) {
        return STATUS_INVALID_DEVICE_REQUEST;    /* a filter without an unload routine cannot be unloaded */
    }
    PEPROCESS saved = PsGetCurrentProcess();
    EmuSetThreadProcess(EmuSystemProcess());
    EmuSetIrql(PASSIVE_LEVEL);
    g_unloadFlags = flags;
    NTSTATUS s = f->Registration.FilterUnloadCallback(flags);
    g_unloadFlags = 0;
    EmuSetThreadProcess(saved);
    int mandatory = (flags & FLTFL_FILTER_UNLOAD_MANDATORY) != 0;
    if (!mandatory && !NT_SUCCESS(s)) {
        if (f->Gone) {
            EmuViolation("the unload callback of %s refused the unload (0x%08x) after calling FltUnregisterFilter",
                         f->Hdr.Name, (unsigned)s);
        }
        return s;                           /* refused: the filter stays loaded */
    }
    if (mandatory && !NT_SUCCESS(s)) {
        EmuViolation("the unload callback of %s returned 0x%08x for a mandatory unload, which cannot be refused",
                     f->Hdr.Name, (unsigned)s);
    }
    if (!f->Gone) {
        EmuViolation("the unload callback of %s returned 0x%08x without calling FltUnregisterFilter", f->Hdr.Name, (unsigned)s);
    }
    EmuWaitWorkersIdle();
    if (EmuFilterCount() == 0) {
        EmuCheckLeaks();    /* pool and references are not per filter: checked once the last filter is gone */
    } else {
        EmuSectionsCheckLeaks();
        EmuContextCheckLeaks();
        EmuPortsCheckLeaks();
    }
    return s;
}

int32_t EmuDetachDriver(int32_t volumeId)
{
    PFLT_VOLUME v = EmuVolumeById(volumeId);
    if (g_loadedFilter == NULL || g_loadedFilter->Gone || v == NULL) {
        return (int32_t)STATUS_INVALID_PARAMETER;
    }
    KIRQL saved = KeGetCurrentIrql();
    EmuSetIrql(PASSIVE_LEVEL);
    NTSTATUS s = FltDetachVolume(g_loadedFilter, v, NULL);
    EmuSetIrql(saved);
    return (int32_t)s;
}

int32_t EmuAttachDriver(int32_t volumeId, const char *altitude)
{
    PFLT_VOLUME v = EmuVolumeById(volumeId);
    if (g_loadedFilter == NULL || g_loadedFilter->Gone || v == NULL || altitude == NULL) {
        return (int32_t)STATUS_INVALID_PARAMETER;
    }
    KIRQL saved = KeGetCurrentIrql();
    EmuSetIrql(PASSIVE_LEVEL);
    NTSTATUS s = EmuAttachAt(g_loadedFilter, v, FLTFL_INSTANCE_SETUP_MANUAL_ATTACHMENT, NULL, altitude);
    EmuSetIrql(saved);
    return (int32_t)s;
}

int32_t EmuUnloadDriver(void)
{
    if (g_loadedFilter == NULL) {
        return (int32_t)STATUS_NOT_FOUND;
    }
    NTSTATUS s = EmuUnloadFilter(g_loadedFilter);
    g_loadedFilter = NULL;
    return (int32_t)s;
}

int32_t EmuUnloadDriverEx(uint32_t flags)
{
    if (g_loadedFilter == NULL) {
        return (int32_t)STATUS_NOT_FOUND;
    }
    NTSTATUS s = EmuUnloadFilterFlags(g_loadedFilter, (FLT_FILTER_UNLOAD_FLAGS)flags);
    if (g_loadedFilter->Gone) {
        g_loadedFilter = NULL;
    }
    return (int32_t)s;
}

void EmuCheckLeaks(void)
{
    EmuThreadsCheckLeaks();
    EmuSectionsCheckLeaks();    /* before the contexts: a section still open holds its section context */
    EmuContextCheckLeaks();
    EmuTransactionsCheckLeaks();
    EmuFilesCheckLeaks();
    EmuAsyncCheckLeaks();
    EmuPortsCheckLeaks();
    EmuDevicesCheckLeaks();
    EmuObjectsCheckLeaks();
    EmuPoolCheckLeaks("at unload");
    EmuMdlCheckLeaks();
    EmuTraceLoggingCheckLeaks();
    EmuRegistryCheckLeaks();
}

LONG FltCompareInstanceAltitudes(PFLT_INSTANCE Instance1, PFLT_INSTANCE Instance2)
{
    if (!EmuIsInstance(Instance1) || !EmuIsInstance(Instance2)) {
        EmuViolation("FltCompareInstanceAltitudes(%p, %p): not instances", (void *)Instance1, (void *)Instance2);
        return 0;
    }
    return Instance1->AltitudeValue > Instance2->AltitudeValue ? 1 : Instance1->AltitudeValue < Instance2->AltitudeValue ? -1 : 0;
}
