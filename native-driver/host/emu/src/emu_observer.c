/*
 * emu_observer.c - a minifilter built into the library that records what it
 * receives, so that tests (C or Java) can check what a filter above it sent
 * down: stripped access, added SL_* flags, redirected targets.
 */
#include "emu_internal.h"

_Static_assert(sizeof(EMU_OBSERVED) == 48, "EMU_OBSERVED is 48 bytes for the Java binding");

static PFLT_FILTER g_observer;
static EMU_OBSERVED g_seen[256];
static EMU_OBSERVED_BUFFER g_buffers[256];
static int g_buffersSeen[256];
static DRIVER_OBJECT g_observerDriver;

static FLT_PREOP_CALLBACK_STATUS FLTAPI EmuObserverPre(PFLT_CALLBACK_DATA Data, PCFLT_RELATED_OBJECTS FltObjects, PVOID *CompletionContext)
{
    UNREFERENCED_PARAMETER(CompletionContext);
    PFLT_IO_PARAMETER_BLOCK p = Data->Iopb;
    EMU_OBSERVED o;
    memset(&o, 0, sizeof(o));
    o.RequestorPid = FltGetRequestorProcessId(Data);
    o.VolumeId = FltObjects->Volume->Id;
    o.OperationFlags = p->OperationFlags;
    o.IrpFlags = p->IrpFlags;
    if (p->MajorFunction == IRP_MJ_CREATE) {
        o.DesiredAccess = p->Parameters.Create.SecurityContext != NULL ? p->Parameters.Create.SecurityContext->DesiredAccess : 0;
        o.CreateOptions = p->Parameters.Create.Options & FILE_VALID_OPTION_FLAGS;
        o.Disposition = p->Parameters.Create.Options >> 24;
    } else if (p->MajorFunction == IRP_MJ_READ || p->MajorFunction == IRP_MJ_WRITE) {
        o.Length = p->Parameters.Read.Length;
        o.ByteOffset = p->Parameters.Read.ByteOffset.QuadPart;
    }
    /* The buffer as it arrived, and for a write the bytes the file system will take (MDL first, as it does). */
    EMU_OBSERVED_BUFFER b;
    memset(&b, 0, sizeof(b));
    PVOID *buffer;
    PULONG length;
    PMDL *mdl = EmuIopbMdl(p, &buffer, &length);
    if (mdl != NULL) {
        b.Buffer = (uint64_t)(uintptr_t)*buffer;
        b.Mdl = (uint64_t)(uintptr_t)*mdl;
        b.MdlVirtualAddress = *mdl != NULL ? (uint64_t)(uintptr_t)MmGetMdlVirtualAddress(*mdl) : 0;
        b.Length = *length;
        const uint8_t *data = *mdl != NULL ? MmGetMdlVirtualAddress(*mdl) : *buffer;
        if (p->MajorFunction == IRP_MJ_WRITE && data != NULL) {
            b.Captured = *length < sizeof(b.Data) ? *length : (uint32_t)sizeof(b.Data);
            memcpy(b.Data, data, b.Captured);
        }
    }
    EmuLock();
    o.Count = g_seen[p->MajorFunction].Count + 1;
    g_seen[p->MajorFunction] = o;
    if (mdl != NULL) {
        g_buffers[p->MajorFunction] = b;
        g_buffersSeen[p->MajorFunction] = 1;
    }
    EmuUnlock();
    return FLT_PREOP_SUCCESS_NO_CALLBACK;
}

static NTSTATUS FLTAPI EmuObserverUnload(FLT_FILTER_UNLOAD_FLAGS Flags)
{
    UNREFERENCED_PARAMETER(Flags);
    FltUnregisterFilter(g_observer);
    return STATUS_SUCCESS;
}

static const FLT_OPERATION_REGISTRATION g_observerOps[] = {
    { IRP_MJ_CREATE, 0, EmuObserverPre, NULL, NULL },
    { IRP_MJ_READ, 0, EmuObserverPre, NULL, NULL },
    { IRP_MJ_WRITE, 0, EmuObserverPre, NULL, NULL },
    { IRP_MJ_QUERY_INFORMATION, 0, EmuObserverPre, NULL, NULL },
    { IRP_MJ_SET_INFORMATION, 0, EmuObserverPre, NULL, NULL },
    { IRP_MJ_CLEANUP, 0, EmuObserverPre, NULL, NULL },
    { IRP_MJ_LOCK_CONTROL, 0, EmuObserverPre, NULL, NULL },
    { IRP_MJ_DIRECTORY_CONTROL, 0, EmuObserverPre, NULL, NULL },
    { IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION, 0, EmuObserverPre, NULL, NULL },
    { IRP_MJ_OPERATION_END, 0, NULL, NULL, NULL }
};

int32_t EmuObserverStart(const char *altitude)
{
    if (g_observer != NULL && !g_observer->Gone) {
        return (int32_t)STATUS_FLT_DUPLICATE_ENTRY;
    }
    FLT_REGISTRATION reg = { sizeof(FLT_REGISTRATION), FLT_REGISTRATION_VERSION, 0, NULL, g_observerOps, EmuObserverUnload,
                             NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL };
    memset(g_seen, 0, sizeof(g_seen));
    memset(g_buffers, 0, sizeof(g_buffers));
    memset(g_buffersSeen, 0, sizeof(g_buffersSeen));
    EmuSetNextAltitude(altitude != NULL ? altitude : "200000");
    KIRQL saved = KeGetCurrentIrql();
    EmuSetIrql(PASSIVE_LEVEL);
    NTSTATUS s = FltRegisterFilter(&g_observerDriver, &reg, &g_observer);
    if (NT_SUCCESS(s)) {
        s = FltStartFiltering(g_observer);
    }
    EmuSetIrql(saved);
    return (int32_t)s;
}

int32_t EmuObserverLast(uint8_t majorFunction, EMU_OBSERVED *observed)
{
    EmuLock();
    EMU_OBSERVED o = g_seen[majorFunction];
    EmuUnlock();
    if (observed != NULL) {
        *observed = o;
    }
    return o.Count > 0 ? 0 : -1;
}

int32_t EmuObserverLastBuffer(uint8_t majorFunction, EMU_OBSERVED_BUFFER *observed)
{
    EmuLock();
    EMU_OBSERVED_BUFFER b = g_buffers[majorFunction];
    int seen = g_buffersSeen[majorFunction];
    EmuUnlock();
    if (observed != NULL) {
        *observed = b;
    }
    return seen ? 0 : -1;
}

int32_t EmuObserverStop(void)
{
    if (g_observer == NULL || g_observer->Gone) {
        return (int32_t)STATUS_NOT_FOUND;
    }
    NTSTATUS s = EmuUnloadFilter(g_observer);
    g_observer = NULL;
    return (int32_t)s;
}

void EmuObserverReset(void)
{
    g_observer = NULL;     /* EmuReset unregistered and freed every filter */
    memset(g_seen, 0, sizeof(g_seen));
    memset(g_buffers, 0, sizeof(g_buffers));
    memset(g_buffersSeen, 0, sizeof(g_buffersSeen));
}
