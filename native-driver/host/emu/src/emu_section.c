/*
 * emu_section.c - sections for data scans (FltRegisterForDataScan,
 * FltCreateSectionForDataScan, FltCloseSectionForDataScan), views of them
 * (ZwMapViewOfSection, ZwUnmapViewOfSection), process handles (ZwOpenProcess)
 * and the closing of these handles (ZwClose, NtClose).
 *
 * What the emulator's section is: the file's data as the emulated file system
 * holds it. A view is a copy of those bytes taken when it is mapped (its size
 * rounded up to whole pages, zero past the end of file, as a real view reads
 * past the end of file): writes made after the map are not seen through the
 * view, and no paging I/O reaches the filters (on Windows the view's page
 * faults are paging reads the filters see). Views are read-only copies: a
 * PAGE_READWRITE view's writes do not reach the file.
 *
 * Caller contract checked (violations name the routine): IRQL (PASSIVE_LEVEL
 * for section creation and mapping, <= APC_LEVEL for registration and close),
 * FltRegisterForDataScan before FltCreateSectionForDataScan on the instance,
 * a live FLT_SECTION_CONTEXT of the instance's filter used for one open
 * section at a time, a file object on the instance's volume, a handle used in
 * its own process's context. At unload, a section never closed with
 * FltCloseSectionForDataScan, a section or process handle never closed and a
 * view never unmapped are leaks (the section object's references are counted
 * with the other objects: ObDereferenceObject).
 *
 * Conflicts: creating the section fails with STATUS_FILE_LOCK_CONFLICT while
 * another file object of the file holds write access (an I/O that could change
 * the data under the scan); a conflicting operation arriving while the section
 * is open does not call the filter's SectionNotificationCallback (not emulated).
 */
#include <string.h>
#include "emu_internal.h"

#define EMU_SECTION_HANDLE_BASE 0x1E700000u    /* apart from the file, registry, thread and device handles */
#define EMU_PROCESS_HANDLE_BASE 0x1E800000u
#define EMU_MAX_SECTIONS 256
#define EMU_MAX_SECTION_HANDLES 256
#define EMU_MAX_PROCESS_HANDLES 64
#define EMU_MAX_VIEWS 256
#define EMU_MAX_SCAN_INSTANCES 64

typedef struct EMU_SECTION_BOX {
    EMU_OBJ Hdr;                    /* directly before the section object the caller gets */
    struct { ULONG Protection; } Section;
    PFLT_INSTANCE Instance;
    PFLT_CONTEXT Context;           /* the filter manager's reference until FltCloseSectionForDataScan */
    EMU_FILE *File;                 /* referenced until the section goes */
    int Closed;                     /* FltCloseSectionForDataScan was called */
    int Handles;
    int Views;
} EMU_SECTION_BOX;

typedef struct { EMU_SECTION_BOX *Section; int Kernel; ULONG Pid; } EMU_SECTION_HANDLE;
typedef struct { ULONG Pid; int Kernel; ULONG Owner; int Open; } EMU_PROCESS_HANDLE;
typedef struct { void *Base; SIZE_T Size; ULONG Pid; EMU_SECTION_BOX *Section; } EMU_VIEW;

static EMU_SECTION_BOX *g_sections[EMU_MAX_SECTIONS];
static EMU_SECTION_HANDLE g_sectionHandles[EMU_MAX_SECTION_HANDLES];
static EMU_PROCESS_HANDLE g_processHandles[EMU_MAX_PROCESS_HANDLES];
static EMU_VIEW g_views[EMU_MAX_VIEWS];
static PFLT_INSTANCE g_scanInstances[EMU_MAX_SCAN_INSTANCES];
/* Section contexts whose section FltCloseSectionForDataScan closed (a second close is STATUS_NOT_FOUND). */
#define EMU_CLOSED_CONTEXTS 64
static PFLT_CONTEXT g_closedContexts[EMU_CLOSED_CONTEXTS];
static unsigned g_closedNext;

static ULONG EmuPid(void) { return (ULONG)(ULONG_PTR)PsGetCurrentProcessId(); }

/* Lock held. Frees the section once closed, without handles, views or driver references. */
static void EmuSectionMaybeFree(EMU_SECTION_BOX *s)
{
    if (!s->Closed || s->Handles > 0 || s->Views > 0 || s->Hdr.DriverRefs > 0) {
        return;
    }
    for (int i = 0; i < EMU_MAX_SECTIONS; i++) {
        if (g_sections[i] == s) {
            g_sections[i] = NULL;
        }
    }
    /* No list holds it any more: nobody else can reach it while the lock is dropped. */
    EMU_FILE *file = s->File;
    EmuUnlock();
    EmuObjUnlink(&s->Hdr);
    s->Hdr.Magic = 0;
    free(s);
    EmuFileRelease(file);
    EmuLock();
}

/* ---- registration ---- */
NTSTATUS FltRegisterForDataScan(PFLT_INSTANCE Instance)
{
    if (!EmuRequireIrql("FltRegisterForDataScan", APC_LEVEL)) {
        return STATUS_INVALID_DEVICE_STATE;
    }
    if (!EmuIsInstance(Instance)) {
        EmuViolation("FltRegisterForDataScan(%p): not an instance", (void *)Instance);
        return STATUS_INVALID_PARAMETER;
    }
    EmuLock();
    int free_ = -1;
    for (int i = 0; i < EMU_MAX_SCAN_INSTANCES; i++) {
        if (g_scanInstances[i] == Instance) {
            EmuUnlock();
            return STATUS_SUCCESS;
        }
        if (g_scanInstances[i] == NULL && free_ < 0) {
            free_ = i;
        }
    }
    if (free_ >= 0) {
        g_scanInstances[free_] = Instance;
    }
    EmuUnlock();
    /* Every emulated volume (disk or network) has data scans: none is a file system that refuses them. */
    return free_ >= 0 ? STATUS_SUCCESS : STATUS_INSUFFICIENT_RESOURCES;
}

static int EmuScanRegistered(PFLT_INSTANCE inst)
{
    EmuLock();
    int found = 0;
    for (int i = 0; i < EMU_MAX_SCAN_INSTANCES; i++) {
        found |= g_scanInstances[i] == inst;
    }
    EmuUnlock();
    return found;
}

/* ---- handles ---- */
static HANDLE EmuSectionHandleAdd(EMU_SECTION_BOX *s, int kernel)
{
    for (int i = 0; i < EMU_MAX_SECTION_HANDLES; i++) {
        if (g_sectionHandles[i].Section == NULL) {
            g_sectionHandles[i].Section = s;
            g_sectionHandles[i].Kernel = kernel;
            g_sectionHandles[i].Pid = EmuPid();
            s->Handles++;
            return (HANDLE)(ULONG_PTR)(EMU_SECTION_HANDLE_BASE + 4u * (unsigned)(i + 1));
        }
    }
    return NULL;
}

static int EmuHandleIndex(HANDLE h, unsigned base, int max)
{
    ULONG_PTR v = (ULONG_PTR)h;
    if (v <= base || v > base + 4u * (unsigned)max || (v - base) % 4 != 0) {
        return -1;
    }
    return (int)((v - base) / 4 - 1);
}

int EmuIsSectionHandle(HANDLE h) { return EmuHandleIndex(h, EMU_SECTION_HANDLE_BASE, EMU_MAX_SECTION_HANDLES) >= 0; }
int EmuIsProcessHandle(HANDLE h) { return EmuHandleIndex(h, EMU_PROCESS_HANDLE_BASE, EMU_MAX_PROCESS_HANDLES) >= 0; }

/* Lock held. The section of an open handle usable here (kernel handle, or a user handle of the
 * current process when previousKernel says so), or NULL with *why set. */
static EMU_SECTION_BOX *EmuSectionFromHandle(HANDLE h, int userOnly, const char **why)
{
    int i = EmuHandleIndex(h, EMU_SECTION_HANDLE_BASE, EMU_MAX_SECTION_HANDLES);
    *why = "not an open section handle";
    if (i < 0 || g_sectionHandles[i].Section == NULL) {
        return NULL;
    }
    EMU_SECTION_HANDLE *r = &g_sectionHandles[i];
    if (userOnly && r->Kernel) {
        *why = "a kernel handle (from user mode's point of view it does not exist)";
        return NULL;
    }
    if (!r->Kernel && r->Pid != EmuPid()) {
        *why = "a user handle of another process (a user handle means something only in its own process)";
        return NULL;
    }
    return r->Section;
}

/* Closes a section handle: ZwClose (userOnly 0) or NtClose / the Win32 CloseHandle (userOnly 1). */
NTSTATUS EmuSectionCloseHandle(HANDLE h, int userOnly, const char *routine)
{
    EmuLock();
    const char *why;
    EMU_SECTION_BOX *s = EmuSectionFromHandle(h, userOnly, &why);
    if (s == NULL) {
        EmuUnlock();
        if (!userOnly) {
            EmuViolation("%s(%p): %s", routine, (void *)h, why);     /* ZwClose of a bad handle bug-checks */
        }
        return STATUS_INVALID_HANDLE;
    }
    g_sectionHandles[EmuHandleIndex(h, EMU_SECTION_HANDLE_BASE, EMU_MAX_SECTION_HANDLES)].Section = NULL;
    s->Handles--;
    EmuSectionMaybeFree(s);
    EmuUnlock();
    return STATUS_SUCCESS;
}

NTSTATUS EmuProcessCloseHandle(HANDLE h, int userOnly, const char *routine)
{
    int i = EmuHandleIndex(h, EMU_PROCESS_HANDLE_BASE, EMU_MAX_PROCESS_HANDLES);
    EmuLock();
    if (i < 0 || !g_processHandles[i].Open || (userOnly && g_processHandles[i].Kernel)
        || (!g_processHandles[i].Kernel && g_processHandles[i].Owner != EmuPid())) {
        EmuUnlock();
        if (!userOnly) {
            EmuViolation("%s(%p): not an open process handle usable in this context", routine, (void *)h);
        }
        return STATUS_INVALID_HANDLE;
    }
    g_processHandles[i].Open = 0;
    EmuUnlock();
    return STATUS_SUCCESS;
}

NTSTATUS NtClose(HANDLE Handle)
{
    if (!EmuRequireIrql("NtClose", PASSIVE_LEVEL)) {
        return STATUS_INVALID_DEVICE_STATE;
    }
    if (EmuIsSectionHandle(Handle)) {
        return EmuSectionCloseHandle(Handle, 1, "NtClose");
    }
    if (EmuIsProcessHandle(Handle)) {
        return EmuProcessCloseHandle(Handle, 1, "NtClose");
    }
    /* PreviousMode is UserMode: a handle the emulator does not know as a user handle is not closed. */
    return STATUS_INVALID_HANDLE;
}

/* ---- processes ---- */
NTSTATUS ZwOpenProcess(PHANDLE ProcessHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes, PCLIENT_ID ClientId)
{
    UNREFERENCED_PARAMETER(DesiredAccess);
    if (!EmuRequireIrql("ZwOpenProcess", PASSIVE_LEVEL)) {
        return STATUS_INVALID_DEVICE_STATE;
    }
    if (ProcessHandle == NULL || ObjectAttributes == NULL) {
        EmuViolation("ZwOpenProcess: ProcessHandle and ObjectAttributes are required");
        return STATUS_INVALID_PARAMETER;
    }
    *ProcessHandle = NULL;
    if (ObjectAttributes->ObjectName != NULL) {
        EmuViolation("ZwOpenProcess: ObjectAttributes must not name the process (ObjectName must be NULL); ClientId identifies it");
        return STATUS_INVALID_PARAMETER_MIX;
    }
    if (ClientId == NULL) {
        return STATUS_INVALID_PARAMETER_MIX;
    }
    ULONG pid = (ULONG)(ULONG_PTR)ClientId->UniqueProcess;
    if (pid != EmuPid() && pid != 4 && EmuFindProcess(pid) == NULL) {
        return STATUS_INVALID_CID;
    }
    if (ClientId->UniqueThread != NULL && pid == EmuPid() && ClientId->UniqueThread != PsGetCurrentThreadId()) {
        /* The emulator knows the threads of the current process only as the current thread. */
        return STATUS_INVALID_CID;
    }
    EmuLock();
    for (int i = 0; i < EMU_MAX_PROCESS_HANDLES; i++) {
        if (!g_processHandles[i].Open) {
            g_processHandles[i].Open = 1;
            g_processHandles[i].Pid = pid;
            g_processHandles[i].Kernel = (ObjectAttributes->Attributes & OBJ_KERNEL_HANDLE) != 0;
            g_processHandles[i].Owner = EmuPid();
            EmuUnlock();
            *ProcessHandle = (HANDLE)(ULONG_PTR)(EMU_PROCESS_HANDLE_BASE + 4u * (unsigned)(i + 1));
            return STATUS_SUCCESS;
        }
    }
    EmuUnlock();
    return STATUS_INSUFFICIENT_RESOURCES;
}

/* The process a handle (or NtCurrentProcess()) stands for; 0 when it is not one usable here. */
static ULONG EmuProcessOfHandle(HANDLE h)
{
    if (h == NtCurrentProcess()) {
        return EmuPid();
    }
    int i = EmuHandleIndex(h, EMU_PROCESS_HANDLE_BASE, EMU_MAX_PROCESS_HANDLES);
    EmuLock();
    ULONG pid = (i >= 0 && g_processHandles[i].Open && (g_processHandles[i].Kernel || g_processHandles[i].Owner == EmuPid()))
                ? g_processHandles[i].Pid : 0;
    EmuUnlock();
    return pid;
}

/* ---- sections ---- */
NTSTATUS FltCreateSectionForDataScan(PFLT_INSTANCE Instance, PFILE_OBJECT FileObject, PFLT_CONTEXT SectionContext, ACCESS_MASK DesiredAccess,
                                     POBJECT_ATTRIBUTES ObjectAttributes, PLARGE_INTEGER MaximumSize, ULONG SectionPageProtection,
                                     ULONG AllocationAttributes, ULONG Flags, PHANDLE SectionHandle, PVOID *SectionObject,
                                     PLARGE_INTEGER SectionFileSize)
{
    UNREFERENCED_PARAMETER(MaximumSize);    /* reserved */
    UNREFERENCED_PARAMETER(Flags);
    const char *r = "FltCreateSectionForDataScan";
    if (!EmuRequireIrql(r, PASSIVE_LEVEL)) {
        return STATUS_INVALID_DEVICE_STATE;
    }
    if (SectionHandle == NULL || SectionObject == NULL) {
        EmuViolation("%s: SectionHandle and SectionObject are required", r);
        return STATUS_INVALID_PARAMETER;
    }
    *SectionHandle = NULL;
    *SectionObject = NULL;
    if (!EmuIsInstance(Instance) || !EmuIsFileObject(FileObject)) {
        EmuViolation("%s(%p, %p): not an instance and a file object", r, (void *)Instance, (void *)FileObject);
        return STATUS_INVALID_PARAMETER;
    }
    EMU_FILE *file = EMU_FILE_FROM_FO(FileObject);
    if (file->Volume != Instance->Volume) {
        EmuViolation("%s: the file object is on %s, the instance on %s", r, file->Volume->Hdr.Name, Instance->Volume->Hdr.Name);
        return STATUS_INVALID_PARAMETER;
    }
    if (!EmuScanRegistered(Instance)) {
        EmuViolation("%s: the instance on %s did not call FltRegisterForDataScan first", r, Instance->Volume->Hdr.Name);
        return STATUS_NOT_SUPPORTED;
    }
    FLT_CONTEXT_TYPE type = 0;
    PFLT_FILTER owner = NULL;
    if (!EmuContextDescribe(SectionContext, &type, &owner) || type != FLT_SECTION_CONTEXT || owner != Instance->Filter) {
        EmuViolation("%s(SectionContext %p): not a live section context (FLT_SECTION_CONTEXT) the instance's filter allocated", r, SectionContext);
        return STATUS_INVALID_PARAMETER;
    }
    if (SectionPageProtection != PAGE_READONLY && SectionPageProtection != PAGE_READWRITE) {
        EmuViolation("%s: SectionPageProtection 0x%x is neither PAGE_READONLY nor PAGE_READWRITE", r, (unsigned)SectionPageProtection);
        return STATUS_INVALID_PAGE_PROTECTION;
    }
    if (AllocationAttributes == 0) {
        EmuViolation("%s: AllocationAttributes is required (SEC_COMMIT, ...)", r);
        return STATUS_INVALID_PARAMETER;
    }
    if ((DesiredAccess & SECTION_MAP_WRITE) && SectionPageProtection == PAGE_READONLY) {
        return STATUS_SECTION_PROTECTION;
    }
    int kernel = ObjectAttributes != NULL && (ObjectAttributes->Attributes & OBJ_KERNEL_HANDLE) != 0;
    EmuLock();
    for (int i = 0; i < EMU_MAX_SECTIONS; i++) {
        if (g_sections[i] != NULL && !g_sections[i]->Closed && g_sections[i]->Context == SectionContext) {
            EmuUnlock();
            EmuViolation("%s: the section context %p already has an open section (close it with FltCloseSectionForDataScan first)", r, SectionContext);
            return STATUS_INVALID_PARAMETER;
        }
    }
    if (file->Closed || file->Cancelled || !file->Opened) {
        EmuUnlock();
        EmuViolation("%s: the file object of %s is not open", r, file->Hdr.Name);
        return STATUS_INVALID_PARAMETER;
    }
    EMU_NODE *node = file->Node;
    uint64_t size = node->Size;
    int otherWriters = node->Writers - (FileObject->WriteAccess != 0);
    EmuUnlock();
    if (size == 0) {
        return STATUS_END_OF_FILE;      /* nothing to map: a section over an empty file cannot be created */
    }
    if (otherWriters > 0) {
        return STATUS_FILE_LOCK_CONFLICT;
    }
    EMU_SECTION_BOX *s = calloc(1, sizeof(*s));
    if (s == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    char name[sizeof(s->Hdr.Name) + 32];
    snprintf(name, sizeof(name), "section for a data scan of %s", file->Hdr.Name);    /* EmuObjInit keeps what fits */
    EmuObjInit(&s->Hdr, EMU_OBJ_SECTION, name);
    s->Section.Protection = SectionPageProtection;
    s->Instance = Instance;
    s->Context = SectionContext;
    s->File = file;
    EmuFileReference(file);
    FltReferenceContext(SectionContext);        /* the filter manager's, dropped by FltCloseSectionForDataScan */
    EmuLock();
    int slot = -1;
    for (int i = 0; i < EMU_MAX_SECTIONS && slot < 0; i++) {
        if (g_sections[i] == NULL) {
            slot = i;
        }
    }
    HANDLE h = slot >= 0 ? EmuSectionHandleAdd(s, kernel) : NULL;
    if (h == NULL) {
        s->Closed = 1;
        EmuSectionMaybeFree(s);
        EmuUnlock();
        FltReleaseContext(SectionContext);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    g_sections[slot] = s;
    for (int i = 0; i < EMU_CLOSED_CONTEXTS; i++) {
        if (g_closedContexts[i] == SectionContext) {
            g_closedContexts[i] = NULL;
        }
    }
    EmuUnlock();
    EmuObjDriverRef(&s->Hdr, 1, r);             /* the caller's: ObDereferenceObject */
    *SectionHandle = h;
    *SectionObject = &s->Section;
    if (SectionFileSize != NULL) {
        SectionFileSize->QuadPart = (LONGLONG)size;
    }
    return STATUS_SUCCESS;
}

NTSTATUS FltCloseSectionForDataScan(PFLT_CONTEXT SectionContext)
{
    const char *r = "FltCloseSectionForDataScan";
    if (!EmuRequireIrql(r, APC_LEVEL)) {
        return STATUS_INVALID_DEVICE_STATE;
    }
    FLT_CONTEXT_TYPE type = 0;
    PFLT_FILTER owner = NULL;
    if (!EmuContextDescribe(SectionContext, &type, &owner) || type != FLT_SECTION_CONTEXT) {
        EmuViolation("%s(%p): not a live section context", r, SectionContext);
        return STATUS_INVALID_PARAMETER;
    }
    EmuLock();
    EMU_SECTION_BOX *s = NULL;
    for (int i = 0; i < EMU_MAX_SECTIONS; i++) {
        if (g_sections[i] != NULL && g_sections[i]->Context == SectionContext && !g_sections[i]->Closed) {
            s = g_sections[i];
        }
    }
    if (s == NULL) {
        int closed = 0;
        for (int i = 0; i < EMU_CLOSED_CONTEXTS; i++) {
            closed |= g_closedContexts[i] == SectionContext;
        }
        EmuUnlock();
        /* Documented: STATUS_NOT_FOUND once closed; STATUS_INVALID_PARAMETER for a context never given to FltCreateSectionForDataScan. */
        return closed ? STATUS_NOT_FOUND : STATUS_INVALID_PARAMETER;
    }
    g_closedContexts[g_closedNext++ % EMU_CLOSED_CONTEXTS] = SectionContext;
    s->Closed = 1;
    EmuSectionMaybeFree(s);
    EmuUnlock();
    FltReleaseContext(SectionContext);
    return STATUS_SUCCESS;
}

/* ObDereferenceObject of a section object (emu_core.c): frees it once nothing else holds it. */
void EmuSectionObDereferenced(EMU_OBJ *h)
{
    EmuLock();
    EmuSectionMaybeFree(CONTAINING_RECORD(h, EMU_SECTION_BOX, Hdr));
    EmuUnlock();
}

/* ---- views ---- */
/* Maps a view of the section behind an open handle into process pid: a page-rounded copy of the file's bytes. */
NTSTATUS EmuSectionMapView(HANDLE SectionHandle, ULONG pid, int userOnly, PVOID *BaseAddress, PLARGE_INTEGER SectionOffset,
                           PSIZE_T ViewSize, ULONG Win32Protect, const char *routine)
{
    EmuLock();
    const char *why;
    EMU_SECTION_BOX *s = EmuSectionFromHandle(SectionHandle, userOnly, &why);
    if (s == NULL) {
        EmuUnlock();
        if (!userOnly) {
            EmuViolation("%s(%p): %s", routine, (void *)SectionHandle, why);
        }
        return STATUS_INVALID_HANDLE;
    }
    if (Win32Protect == PAGE_READWRITE && s->Section.Protection == PAGE_READONLY) {
        EmuUnlock();
        return STATUS_SECTION_PROTECTION;
    }
    uint64_t offset = SectionOffset != NULL ? (uint64_t)SectionOffset->QuadPart : 0;
    EMU_NODE *node = s->File->Node;
    uint64_t size = node->Size;
    uint64_t sectionSize = ROUND_TO_PAGES(size);
    if (offset % 0x10000 != 0 || offset >= sectionSize) {       /* allocation granularity, inside the section */
        EmuUnlock();
        return offset % 0x10000 != 0 ? STATUS_MAPPED_ALIGNMENT : STATUS_INVALID_VIEW_SIZE;
    }
    SIZE_T want = *ViewSize != 0 ? ROUND_TO_PAGES(*ViewSize) : (SIZE_T)(sectionSize - offset);
    if (offset + want > sectionSize) {
        EmuUnlock();
        return STATUS_INVALID_VIEW_SIZE;
    }
    int v = -1;
    for (int i = 0; i < EMU_MAX_VIEWS && v < 0; i++) {
        if (g_views[i].Base == NULL) {
            v = i;
        }
    }
    void *base = v >= 0 ? aligned_alloc(PAGE_SIZE, want) : NULL;
    if (base == NULL) {
        EmuUnlock();
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    memset(base, 0, want);
    if (offset < size) {
        uint64_t n = size - offset < want ? size - offset : want;
        memcpy(base, node->Data + offset, (size_t)n);
    }
    g_views[v].Base = base;
    g_views[v].Size = want;
    g_views[v].Pid = pid;
    g_views[v].Section = s;
    s->Views++;
    EmuUnlock();
    *BaseAddress = base;
    *ViewSize = want;
    return STATUS_SUCCESS;
}

/* Unmaps the view at base in process pid (what ZwUnmapViewOfSection and UnmapViewOfFile do). */
NTSTATUS EmuSectionUnmapView(ULONG pid, PVOID BaseAddress, SIZE_T *size)
{
    EmuLock();
    for (int i = 0; i < EMU_MAX_VIEWS; i++) {
        EMU_VIEW *w = &g_views[i];
        if (w->Base != NULL && w->Pid == pid && (char *)BaseAddress >= (char *)w->Base && (char *)BaseAddress < (char *)w->Base + w->Size) {
            if (size != NULL) {
                *size = w->Size;
            }
            EMU_SECTION_BOX *s = w->Section;
            free(w->Base);
            memset(w, 0, sizeof(*w));
            s->Views--;
            EmuSectionMaybeFree(s);
            EmuUnlock();
            return STATUS_SUCCESS;
        }
    }
    EmuUnlock();
    return STATUS_NOT_MAPPED_VIEW;
}

/* The view holding address in process pid: its base and size (VirtualQuery); 0 if none. */
int EmuSectionViewOf(ULONG pid, const void *address, void **base, SIZE_T *size)
{
    EmuLock();
    for (int i = 0; i < EMU_MAX_VIEWS; i++) {
        EMU_VIEW *w = &g_views[i];
        if (w->Base != NULL && w->Pid == pid && (const char *)address >= (char *)w->Base && (const char *)address < (char *)w->Base + w->Size) {
            *base = w->Base;
            *size = w->Size;
            EmuUnlock();
            return 1;
        }
    }
    EmuUnlock();
    return 0;
}

NTSTATUS ZwMapViewOfSection(HANDLE SectionHandle, HANDLE ProcessHandle, PVOID *BaseAddress, ULONG_PTR ZeroBits, SIZE_T CommitSize,
                            PLARGE_INTEGER SectionOffset, PSIZE_T ViewSize, SECTION_INHERIT InheritDisposition, ULONG AllocationType,
                            ULONG Win32Protect)
{
    UNREFERENCED_PARAMETER(ZeroBits);
    UNREFERENCED_PARAMETER(CommitSize);
    UNREFERENCED_PARAMETER(AllocationType);
    const char *r = "ZwMapViewOfSection";
    if (!EmuRequireIrql(r, PASSIVE_LEVEL)) {
        return STATUS_INVALID_DEVICE_STATE;
    }
    if (BaseAddress == NULL || ViewSize == NULL) {
        EmuViolation("%s: BaseAddress and ViewSize are required", r);
        return STATUS_INVALID_PARAMETER;
    }
    if (InheritDisposition != ViewShare && InheritDisposition != ViewUnmap) {
        EmuViolation("%s: InheritDisposition %d is neither ViewShare nor ViewUnmap", r, (int)InheritDisposition);
        return STATUS_INVALID_PARAMETER_8;
    }
    if (Win32Protect != PAGE_READONLY && Win32Protect != PAGE_READWRITE && Win32Protect != PAGE_WRITECOPY) {
        return STATUS_INVALID_PAGE_PROTECTION;
    }
    if (*BaseAddress != NULL) {
        return STATUS_CONFLICTING_ADDRESSES;    /* the emulator chooses every view's address */
    }
    ULONG pid = EmuProcessOfHandle(ProcessHandle);
    if (pid == 0) {
        EmuViolation("%s: ProcessHandle %p is not a process handle usable here (ZwOpenProcess, or NtCurrentProcess())", r, (void *)ProcessHandle);
        return STATUS_INVALID_HANDLE;
    }
    return EmuSectionMapView(SectionHandle, pid, 0, BaseAddress, SectionOffset, ViewSize, Win32Protect, r);
}

NTSTATUS ZwUnmapViewOfSection(HANDLE ProcessHandle, PVOID BaseAddress)
{
    const char *r = "ZwUnmapViewOfSection";
    if (!EmuRequireIrql(r, PASSIVE_LEVEL)) {
        return STATUS_INVALID_DEVICE_STATE;
    }
    ULONG pid = EmuProcessOfHandle(ProcessHandle);
    if (pid == 0) {
        EmuViolation("%s: ProcessHandle %p is not a process handle usable here", r, (void *)ProcessHandle);
        return STATUS_INVALID_HANDLE;
    }
    NTSTATUS s = EmuSectionUnmapView(pid, BaseAddress, NULL);
    if (s == STATUS_NOT_MAPPED_VIEW) {
        EmuViolation("%s(%p): no view of a section is mapped there in process %lu", r, BaseAddress, (unsigned long)pid);
    }
    return s;
}

/* ---- unload ---- */
void EmuSectionsCheckLeaks(void)
{
    EmuLock();
    for (int i = 0; i < EMU_MAX_VIEWS; i++) {
        EMU_VIEW *w = &g_views[i];
        if (w->Base != NULL) {
            EMU_SECTION_BOX *s = w->Section;
            EmuUnlock();
            EmuViolation("view leak: a view of the %s was never unmapped (ZwUnmapViewOfSection / UnmapViewOfFile)", s->Hdr.Name);
            EmuLock();
            free(w->Base);
            memset(w, 0, sizeof(*w));
            s->Views--;
        }
    }
    for (int i = 0; i < EMU_MAX_SECTION_HANDLES; i++) {
        EMU_SECTION_BOX *s = g_sectionHandles[i].Section;
        if (s != NULL) {
            int kernel = g_sectionHandles[i].Kernel;
            EmuUnlock();
            EmuViolation("handle leak: a %s handle to the %s was never closed (%s)", kernel ? "kernel" : "user", s->Hdr.Name,
                         kernel ? "ZwClose" : "CloseHandle/NtClose");
            EmuLock();
            g_sectionHandles[i].Section = NULL;
            s->Handles--;
        }
    }
    for (int i = 0; i < EMU_MAX_PROCESS_HANDLES; i++) {
        if (g_processHandles[i].Open) {
            ULONG pid = g_processHandles[i].Pid;
            g_processHandles[i].Open = 0;
            EmuUnlock();
            EmuViolation("handle leak: a handle to process %lu from ZwOpenProcess was never closed with ZwClose", (unsigned long)pid);
            EmuLock();
        }
    }
    for (int i = 0; i < EMU_MAX_SECTIONS; i++) {
        EMU_SECTION_BOX *s = g_sections[i];
        if (s != NULL && !s->Closed) {
            PFLT_CONTEXT ctx = s->Context;
            s->Closed = 1;
            EmuUnlock();
            EmuViolation("section leak: the %s was never closed with FltCloseSectionForDataScan", s->Hdr.Name);
            FltReleaseContext(ctx);
            EmuLock();
        }
    }
    /* What is left is held only by driver references (reported with the objects) or is freed now. */
    for (int i = 0; i < EMU_MAX_SECTIONS; i++) {
        if (g_sections[i] != NULL) {
            EmuSectionMaybeFree(g_sections[i]);
        }
    }
    memset(g_scanInstances, 0, sizeof(g_scanInstances));
    EmuUnlock();
}

/* EmuReset: forgets every section, view and handle (the file objects and contexts are reset on their own). */
void EmuSectionsReset(void)
{
    EmuLock();
    for (int i = 0; i < EMU_MAX_VIEWS; i++) {
        free(g_views[i].Base);
    }
    memset(g_views, 0, sizeof(g_views));
    memset(g_sectionHandles, 0, sizeof(g_sectionHandles));
    memset(g_processHandles, 0, sizeof(g_processHandles));
    memset(g_scanInstances, 0, sizeof(g_scanInstances));
    memset(g_closedContexts, 0, sizeof(g_closedContexts));
    EMU_SECTION_BOX *all[EMU_MAX_SECTIONS];
    memcpy(all, g_sections, sizeof(all));
    memset(g_sections, 0, sizeof(g_sections));
    EmuUnlock();
    for (int i = 0; i < EMU_MAX_SECTIONS; i++) {
        if (all[i] != NULL) {
            EmuObjUnlink(&all[i]->Hdr);
            free(all[i]);
        }
    }
}
