/*
 * emu_buffers.c - MDLs, device-aligned pool and swapped buffers, as a
 * minifilter that swaps buffers (Microsoft's swapBuffers sample) relies on:
 *
 *  - IoAllocateMdl / IoFreeMdl / MmBuildMdlForNonPagedPool /
 *    MmMapLockedPagesSpecifyCache / MmUnmapLockedPages; the MDL macros and
 *    MmGetSystemAddressForMdlSafe are the WDK's inlines (emu_wdm.h). Every MDL
 *    is tracked: one the driver allocated and did not free by unload is a
 *    leak, a second IoFreeMdl is a double free (freed MDLs stay in a
 *    quarantine, poisoned for ASan, so their address is not reused at once),
 *    MmBuildMdlForNonPagedPool on pageable memory or on the stack is a
 *    violation (its documentation forbids both).
 *  - FltAllocatePoolAlignedWithTag / FltFreePoolAlignedWithTag: pool aligned
 *    to the instance's volume (its sector size, EMU_SECTOR_SIZE, or the device
 *    object's AlignmentRequirement if larger), tracked as pool.
 *  - The filter manager's side of a swap (FLT_CALLBACK_DATA documentation,
 *    FltRetainSwappedBufferMdlAddress): an MDL a filter swapped in with
 *    FltSetCallbackDataDirty is freed by the filter manager once that
 *    filter's post-operation callback is done (emu_io.c calls
 *    EmuMdlRelease), unless it called FltRetainSwappedBufferMdlAddress.
 *  - The file system's side (EmuFsIoBuffer): it uses the MDL when there is
 *    one (as FASTFAT's FatMapUserBuffer does), else the buffer pointer; an
 *    MDL whose pages are neither locked nor nonpaged, freed, or shorter than
 *    the operation's Length is a violation.
 *  - FltLockUserBuffer builds the operation's own MDL (freed with the
 *    operation, as the I/O manager frees an IRP's MDLs at completion);
 *    FltGetNewSystemBufferAddress as documented.
 *
 * The emulator has one address space: an MDL's "system address" is the
 * address it describes (Windows maps the same pages a second time; a test
 * cannot tell the two apart except by the address, which only a real
 * machine shows).
 */
#define _GNU_SOURCE
#include "emu_internal.h"
#include <stddef.h>
#include <string.h>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define EMU_POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define EMU_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define EMU_POISON(p, n) ((void)(p), (void)(n))
#define EMU_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#define EMU_MDL_MAGIC 0x4c444d45u
#define EMU_MDL_QUARANTINE 1024

typedef struct EMU_MDL_BOX {
    uint32_t Magic;
    int System;                 /* the I/O manager's (FltLockUserBuffer), freed with its operation */
    EMU_CBD *Operation;         /* System: the operation that owns it */
    const char *FreedBy;        /* in the quarantine: who freed it */
    size_t Bytes;               /* the MDL and its PFN array */
    LIST_ENTRY Link;            /* g_live or g_freed */
    MDL Mdl;                    /* followed by its PFN array, as IoAllocateMdl's */
} EMU_MDL_BOX;

static LIST_ENTRY g_live = { &g_live, &g_live };
static LIST_ENTRY g_freed = { &g_freed, &g_freed };
static size_t g_freedCount;

/* Lock held. Looks the pointer up without touching it (it may be anything). */
static EMU_MDL_BOX *EmuMdlFind(LIST_ENTRY *list, PMDL mdl)
{
    for (PLIST_ENTRY e = list->Flink; e != list; e = e->Flink) {
        EMU_MDL_BOX *b = CONTAINING_RECORD(e, EMU_MDL_BOX, Link);
        if (&b->Mdl == mdl) {
            return b;
        }
    }
    return NULL;
}

/* The MDL header as MmInitializeMdl (wdm.h) sets it, then tracked. */
static PMDL EmuMdlNew(PVOID va, ULONG length, int system, EMU_CBD *op)
{
    size_t pages = ADDRESS_AND_SIZE_TO_SPAN_PAGES(va, length);
    size_t bytes = sizeof(MDL) + pages * sizeof(PFN_NUMBER);
    EMU_MDL_BOX *b = calloc(1, offsetof(EMU_MDL_BOX, Mdl) + bytes);
    if (b == NULL) {
        return NULL;
    }
    b->Magic = EMU_MDL_MAGIC;
    b->System = system;
    b->Operation = op;
    b->Bytes = bytes;
    b->Mdl.Next = NULL;
    b->Mdl.Size = (CSHORT)bytes;
    b->Mdl.MdlFlags = 0;
    b->Mdl.StartVa = PAGE_ALIGN(va);
    b->Mdl.ByteOffset = BYTE_OFFSET(va);
    b->Mdl.ByteCount = length;
    EmuLock();
    InsertTailList(&g_live, &b->Link);
    EmuUnlock();
    return &b->Mdl;
}

/* Describes why mdl is not a live MDL (lock held); 0 if it is one. */
static int EmuMdlNotLive(PMDL mdl, char *why, size_t cap)
{
    if (EmuMdlFind(&g_live, mdl) != NULL) {
        return 0;
    }
    EMU_MDL_BOX *f = EmuMdlFind(&g_freed, mdl);
    if (f != NULL) {
        snprintf(why, cap, "the MDL was already freed (by %s)", f->FreedBy);
    } else {
        snprintf(why, cap, "not an MDL IoAllocateMdl returned");
    }
    return 1;
}

int EmuMdlRelease(PMDL mdl, const char *who, int system)
{
    char why[160];
    if (mdl == NULL) {
        EmuViolation("%s(NULL): no MDL", who);
        return 0;
    }
    EmuLock();
    if (EmuMdlNotLive(mdl, why, sizeof(why))) {
        EmuUnlock();
        EmuViolation("%s(%p): %s%s", who, (void *)mdl, why, strstr(why, "already") != NULL ? " (double free)" : "");
        return 0;
    }
    EMU_MDL_BOX *b = EmuMdlFind(&g_live, mdl);
    if (b->System && !system) {
        EmuUnlock();
        EmuViolation("%s(%p): FltLockUserBuffer built this MDL for the operation; the I/O manager frees it when the operation completes", who, (void *)mdl);
        return 0;
    }
    RemoveEntryList(&b->Link);
    b->FreedBy = who;
    b->Operation = NULL;
    InsertTailList(&g_freed, &b->Link);
    EMU_POISON(&b->Mdl, b->Bytes);      /* a use after free is reported by ASan */
    if (++g_freedCount > EMU_MDL_QUARANTINE) {
        EMU_MDL_BOX *old = CONTAINING_RECORD(RemoveHeadList(&g_freed), EMU_MDL_BOX, Link);
        g_freedCount--;
        EMU_UNPOISON(&old->Mdl, old->Bytes);
        free(old);
    }
    EmuUnlock();
    return 1;
}

/* IRQL <= DISPATCH_LEVEL. Minifilters have no IRP of their own, so Irp must be NULL here. */
PMDL IoAllocateMdl(PVOID VirtualAddress, ULONG Length, BOOLEAN SecondaryBuffer, BOOLEAN ChargeQuota, PIRP Irp)
{
    if (!EmuRequireIrql("IoAllocateMdl", DISPATCH_LEVEL)) {
        return NULL;
    }
    if (ChargeQuota) {
        EmuViolation("IoAllocateMdl with ChargeQuota TRUE: reserved for the system, drivers must pass FALSE");
    }
    if (Irp != NULL) {
        EmuViolation("IoAllocateMdl with an Irp (%p): a minifilter has no IRP to chain it to (it sets the MDL in the callback data's parameters)", (void *)Irp);
        return NULL;
    }
    if (SecondaryBuffer) {
        EmuViolation("IoAllocateMdl with SecondaryBuffer TRUE and no Irp: it must be FALSE when no IRP is associated");
    }
    /* Windows 7 and later describe at most 4 GB - PAGE_SIZE. */
    if ((ULONGLONG)Length > 0xFFFFFFFFull - PAGE_SIZE + 1) {
        return NULL;
    }
    return EmuMdlNew(VirtualAddress, Length, 0, NULL);
}

/* IRQL <= DISPATCH_LEVEL. */
VOID IoFreeMdl(PMDL Mdl)
{
    EmuRequireIrql("IoFreeMdl", DISPATCH_LEVEL);
    EmuMdlRelease(Mdl, "IoFreeMdl", 0);
}

/* Whether [p, p + n) lies on the calling thread's stack. */
static int EmuOnThisStack(const void *p, size_t n)
{
    pthread_attr_t attr;
    void *base = NULL;
    size_t size = 0;
    if (pthread_getattr_np(pthread_self(), &attr) != 0) {
        return 0;
    }
    pthread_attr_getstack(&attr, &base, &size);
    pthread_attr_destroy(&attr);
    uintptr_t a = (uintptr_t)p, lo = (uintptr_t)base, hi = lo + size;
    return a >= lo && a < hi && (n == 0 || a + n <= hi);
}

/* IRQL <= DISPATCH_LEVEL. The MDL must describe nonpaged memory, not a kernel stack (documentation). */
VOID MmBuildMdlForNonPagedPool(PMDL MemoryDescriptorList)
{
    char why[200];
    EmuRequireIrql("MmBuildMdlForNonPagedPool", DISPATCH_LEVEL);
    if (MemoryDescriptorList == NULL) {
        EmuViolation("MmBuildMdlForNonPagedPool(NULL)");
        return;
    }
    EmuLock();
    int bad = EmuMdlNotLive(MemoryDescriptorList, why, sizeof(why));
    EmuUnlock();
    if (bad) {
        EmuViolation("MmBuildMdlForNonPagedPool(%p): %s", (void *)MemoryDescriptorList, why);
        return;
    }
    PMDL m = MemoryDescriptorList;
    PVOID va = MmGetMdlVirtualAddress(m);
    if (m->ByteCount > 0 && (EmuIsPageableAddress(va, why, sizeof(why)) ||
                             EmuIsPageableAddress((char *)va + m->ByteCount - 1, why, sizeof(why)))) {
        EmuViolation("MmBuildMdlForNonPagedPool(%p): the MDL describes %s, not nonpaged memory (lock pageable memory with MmProbeAndLockPages)",
                     (void *)m, why);
        return;
    }
    if (EmuOnThisStack(va, m->ByteCount)) {
        EmuViolation("MmBuildMdlForNonPagedPool(%p): the MDL describes a buffer on the kernel stack (%p); stack pages must be probed and locked (MmProbeAndLockPages)",
                     (void *)m, va);
        return;
    }
    PPFN_NUMBER pfn = MmGetMdlPfnArray(m);
    size_t pages = ADDRESS_AND_SIZE_TO_SPAN_PAGES(va, m->ByteCount);
    for (size_t i = 0; i < pages; i++) {
        pfn[i] = ((ULONG_PTR)m->StartVa >> PAGE_SHIFT) + i;    /* one address space: the "frames" are the pages */
    }
    m->MappedSystemVa = va;
    m->MdlFlags |= MDL_SOURCE_IS_NONPAGED_POOL;
}

/* KernelMode: IRQL <= DISPATCH_LEVEL; the pages must be locked (MmProbeAndLockPages, FltLockUserBuffer). */
PVOID MmMapLockedPagesSpecifyCache(PMDL MemoryDescriptorList, KPROCESSOR_MODE AccessMode, MEMORY_CACHING_TYPE CacheType,
                                   PVOID RequestedAddress, ULONG BugCheckOnFailure, ULONG Priority)
{
    char why[160];
    UNREFERENCED_PARAMETER(RequestedAddress);
    UNREFERENCED_PARAMETER(BugCheckOnFailure);
    PMDL m = MemoryDescriptorList;
    if (AccessMode != KernelMode) {
        EmuRequireIrql("MmMapLockedPagesSpecifyCache", APC_LEVEL);
        EmuTrace("MmMapLockedPagesSpecifyCache(UserMode): mappings into a process are not emulated");
        return NULL;
    }
    if (!EmuRequireIrql("MmMapLockedPagesSpecifyCache", DISPATCH_LEVEL) || m == NULL) {
        return NULL;
    }
    EmuLock();
    int bad = EmuMdlNotLive(m, why, sizeof(why));
    EmuUnlock();
    if (bad) {
        EmuViolation("MmMapLockedPagesSpecifyCache(%p): %s", (void *)m, why);
        return NULL;
    }
    ULONG priority = Priority & ~(ULONG)(MdlMappingNoWrite | MdlMappingNoExecute | MdlMappingWithGuardPtes);
    if (priority != LowPagePriority && priority != NormalPagePriority && priority != HighPagePriority) {
        EmuViolation("MmMapLockedPagesSpecifyCache: Priority 0x%08x is not an MM_PAGE_PRIORITY OR'd with MdlMapping* flags", (unsigned)Priority);
        return NULL;
    }
    if ((int)CacheType < MmNonCached || CacheType >= MmMaximumCacheType) {
        EmuViolation("MmMapLockedPagesSpecifyCache: CacheType %d is not a MEMORY_CACHING_TYPE", (int)CacheType);
        return NULL;
    }
    if (m->MdlFlags & MDL_SOURCE_IS_NONPAGED_POOL) {
        EmuViolation("MmMapLockedPagesSpecifyCache(%p): the MDL was built by MmBuildMdlForNonPagedPool, which already maps it (use MmGetSystemAddressForMdlSafe)",
                     (void *)m);
        return m->MappedSystemVa;
    }
    if (!(m->MdlFlags & MDL_PAGES_LOCKED)) {
        EmuViolation("MmMapLockedPagesSpecifyCache(%p): the MDL's pages are not locked (MmProbeAndLockPages or MmBuildMdlForNonPagedPool first)", (void *)m);
        return NULL;
    }
    if (!(m->MdlFlags & MDL_MAPPED_TO_SYSTEM_VA)) {
        m->MappedSystemVa = MmGetMdlVirtualAddress(m);
        m->MdlFlags |= MDL_MAPPED_TO_SYSTEM_VA;
    }
    return m->MappedSystemVa;
}

/* IRQL <= DISPATCH_LEVEL: undoes MmMapLockedPagesSpecifyCache. */
VOID MmUnmapLockedPages(PVOID BaseAddress, PMDL MemoryDescriptorList)
{
    char why[160];
    PMDL m = MemoryDescriptorList;
    EmuRequireIrql("MmUnmapLockedPages", DISPATCH_LEVEL);
    if (m == NULL) {
        EmuViolation("MmUnmapLockedPages(%p, NULL)", BaseAddress);
        return;
    }
    EmuLock();
    int bad = EmuMdlNotLive(m, why, sizeof(why));
    EmuUnlock();
    if (bad) {
        EmuViolation("MmUnmapLockedPages(%p, %p): %s", BaseAddress, (void *)m, why);
        return;
    }
    if (m->MdlFlags & MDL_SOURCE_IS_NONPAGED_POOL) {
        EmuViolation("MmUnmapLockedPages(%p, %p): the MDL was built by MmBuildMdlForNonPagedPool; its mapping must not be released", BaseAddress, (void *)m);
        return;
    }
    if (!(m->MdlFlags & MDL_MAPPED_TO_SYSTEM_VA) || m->MappedSystemVa != BaseAddress) {
        EmuViolation("MmUnmapLockedPages(%p, %p): not the address MmMapLockedPagesSpecifyCache returned for this MDL", BaseAddress, (void *)m);
        return;
    }
    m->MdlFlags &= ~MDL_MAPPED_TO_SYSTEM_VA;
    m->MappedSystemVa = NULL;
}

void EmuMdlCheckLeaks(void)
{
    for (;;) {
        EmuLock();
        EMU_MDL_BOX *leak = NULL;
        size_t count = 0;
        for (PLIST_ENTRY e = g_live.Flink; e != &g_live;) {
            EMU_MDL_BOX *b = CONTAINING_RECORD(e, EMU_MDL_BOX, Link);
            e = e->Flink;
            if (!b->System) {
                if (leak == NULL) {
                    leak = b;
                }
                count++;
            }
        }
        if (leak == NULL) {
            EmuUnlock();
            return;
        }
        PVOID va = MmGetMdlVirtualAddress(&leak->Mdl);
        ULONG bytes = leak->Mdl.ByteCount;
        /* Reported once, all of them, then forgotten (they are freed). */
        for (PLIST_ENTRY e = g_live.Flink; e != &g_live;) {
            EMU_MDL_BOX *b = CONTAINING_RECORD(e, EMU_MDL_BOX, Link);
            e = e->Flink;
            if (!b->System) {
                RemoveEntryList(&b->Link);
                free(b);
            }
        }
        EmuUnlock();
        EmuViolation("MDL leak at unload: %zu MDL(s) from IoAllocateMdl never freed with IoFreeMdl (the first describes %lu bytes at %p)",
                     count, (unsigned long)bytes, va);
    }
}

void EmuMdlReset(void)
{
    EmuLock();
    while (!IsListEmpty(&g_live)) {
        free(CONTAINING_RECORD(RemoveHeadList(&g_live), EMU_MDL_BOX, Link));
    }
    while (!IsListEmpty(&g_freed)) {
        EMU_MDL_BOX *b = CONTAINING_RECORD(RemoveHeadList(&g_freed), EMU_MDL_BOX, Link);
        EMU_UNPOISON(&b->Mdl, b->Bytes);
        free(b);
    }
    g_freedCount = 0;
    EmuUnlock();
}

/* ---- the operations' buffers ---- */
PMDL *EmuIopbMdl(PFLT_IO_PARAMETER_BLOCK p, PVOID **buffer, PULONG *length)
{
    switch (p->MajorFunction) {
    case IRP_MJ_READ:
    case IRP_MJ_WRITE:
        if (p->MinorFunction & IRP_MN_MDL) {
            return NULL;        /* an MDL read/write: the file system's own cache MDL */
        }
        *buffer = &p->Parameters.Read.ReadBuffer;
        *length = &p->Parameters.Read.Length;
        return &p->Parameters.Read.MdlAddress;
    case IRP_MJ_DIRECTORY_CONTROL:
        if (p->MinorFunction != IRP_MN_QUERY_DIRECTORY) {
            return NULL;
        }
        *buffer = &p->Parameters.DirectoryControl.QueryDirectory.DirectoryBuffer;
        *length = &p->Parameters.DirectoryControl.QueryDirectory.Length;
        return &p->Parameters.DirectoryControl.QueryDirectory.MdlAddress;
    default:
        return NULL;
    }
}

static const char *EmuIopbName(PFLT_IO_PARAMETER_BLOCK p)
{
    return p->MajorFunction == IRP_MJ_READ ? "IRP_MJ_READ" : p->MajorFunction == IRP_MJ_WRITE ? "IRP_MJ_WRITE" : "IRP_MJ_DIRECTORY_CONTROL";
}

NTSTATUS EmuFsIoBuffer(EMU_CBD *op, PVOID *buffer)
{
    PVOID *bufp;
    PULONG lenp;
    char why[160];
    *buffer = NULL;
    PMDL *mdlp = EmuIopbMdl(&op->Iopb, &bufp, &lenp);
    if (mdlp == NULL) {
        return STATUS_SUCCESS;
    }
    PMDL m = *mdlp;
    if (m == NULL) {
        *buffer = *bufp;
        return STATUS_SUCCESS;
    }
    EmuLock();
    int bad = EmuMdlNotLive(m, why, sizeof(why));
    EmuUnlock();
    if (bad) {
        EmuViolation("the file system of %s received %s with MdlAddress %p: %s", op->Volume->Hdr.Name, EmuIopbName(&op->Iopb), (void *)m, why);
        return STATUS_INVALID_PARAMETER;
    }
    if (!(m->MdlFlags & (MDL_SOURCE_IS_NONPAGED_POOL | MDL_PAGES_LOCKED))) {
        EmuViolation("the file system of %s received %s with an MDL (%p) whose pages are neither nonpaged nor locked "
                     "(MmBuildMdlForNonPagedPool or MmProbeAndLockPages missing): mapping it fails",
                     op->Volume->Hdr.Name, EmuIopbName(&op->Iopb), (void *)m);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    if (m->ByteCount < *lenp) {
        EmuViolation("the file system of %s received %s with an MDL (%p) of %lu bytes for Length %lu: it would access past the buffer",
                     op->Volume->Hdr.Name, EmuIopbName(&op->Iopb), (void *)m, (unsigned long)m->ByteCount, (unsigned long)*lenp);
        return STATUS_INVALID_PARAMETER;
    }
    /* As a file system maps it: MmGetSystemAddressForMdlSafe. */
    *buffer = (m->MdlFlags & (MDL_MAPPED_TO_SYSTEM_VA | MDL_SOURCE_IS_NONPAGED_POOL)) ? m->MappedSystemVa : MmGetMdlVirtualAddress(m);
    return STATUS_SUCCESS;
}

void EmuOperationMdlsDone(EMU_CBD *op)
{
    for (;;) {
        PMDL m = NULL;
        EmuLock();
        for (PLIST_ENTRY e = g_live.Flink; e != &g_live; e = e->Flink) {
            EMU_MDL_BOX *b = CONTAINING_RECORD(e, EMU_MDL_BOX, Link);
            if (b->System && b->Operation == op) {
                m = &b->Mdl;
                break;
            }
        }
        EmuUnlock();
        if (m == NULL) {
            return;
        }
        EmuMdlRelease(m, "the I/O manager (the operation's FltLockUserBuffer MDL, at completion)", 1);
    }
}

static EMU_CBD *EmuBufferOp(PFLT_CALLBACK_DATA data, const char *routine)
{
    if (!EmuIsCallbackData(data)) {
        EmuViolation("%s(%p): not a callback data of an operation in progress", routine, (void *)data);
        return NULL;
    }
    return EMU_CBD_FROM_DATA(data);
}

/*
 * IRQL <= APC_LEVEL. Locks the operation's buffer and sets the parameters'
 * MdlAddress to an MDL describing it (already set: nothing to do). Only
 * IRP_MJ_READ / IRP_MJ_WRITE (not IRP_MN_MDL) and IRP_MN_QUERY_DIRECTORY are
 * emulated; the other operations the documentation lists have no MDL member
 * in the emulator's parameters (STATUS_NOT_IMPLEMENTED, traced).
 */
NTSTATUS FltLockUserBuffer(PFLT_CALLBACK_DATA CallbackData)
{
    EmuRequireIrql("FltLockUserBuffer", APC_LEVEL);
    EMU_CBD *op = EmuBufferOp(CallbackData, "FltLockUserBuffer");
    if (op == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    PFLT_IO_PARAMETER_BLOCK p = CallbackData->Iopb;
    PVOID *bufp;
    PULONG lenp;
    PMDL *mdlp = EmuIopbMdl(p, &bufp, &lenp);
    if (mdlp == NULL) {
        switch (p->MajorFunction) {
        case IRP_MJ_DEVICE_CONTROL: case IRP_MJ_INTERNAL_DEVICE_CONTROL: case IRP_MJ_FILE_SYSTEM_CONTROL:
        case IRP_MJ_QUERY_EA: case IRP_MJ_SET_EA: case IRP_MJ_QUERY_QUOTA: case IRP_MJ_SET_QUOTA: case IRP_MJ_QUERY_SECURITY:
            EmuTrace("FltLockUserBuffer on %s: not emulated", FltGetIrpName(p->MajorFunction));
            return STATUS_NOT_IMPLEMENTED;
        default:
            return STATUS_INVALID_PARAMETER;    /* no MDL parameter, or an IRP_MN_MDL read/write */
        }
    }
    if (!FLT_IS_IRP_OPERATION(CallbackData)) {
        return STATUS_INVALID_PARAMETER;        /* fast I/O has no MDL to carry it */
    }
    if (*mdlp != NULL) {
        return STATUS_SUCCESS;
    }
    if (*bufp == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    PMDL m = EmuMdlNew(*bufp, *lenp, 1, op);
    if (m == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    m->MdlFlags |= MDL_PAGES_LOCKED | (p->MajorFunction != IRP_MJ_WRITE ? MDL_WRITE_OPERATION : 0);
    m->Process = PsGetCurrentProcess();
    size_t offset = (size_t)((char *)mdlp - (char *)p);
    *mdlp = m;
    /* In a pre-operation callback the MDL goes down with the operation (no FltSetCallbackDataDirty needed). */
    EmuLock();
    if ((op->State == EMU_OP_PRE || op->State == EMU_OP_PENDED_PRE) && op->Depth > 0 && p == &op->Iopb) {
        *(PMDL *)((char *)&op->Levels[op->Depth - 1].Input + offset) = m;
    }
    EmuUnlock();
    return STATUS_SUCCESS;
}

/* IRQL <= DISPATCH_LEVEL. The emulated file systems never allocate a SystemBuffer of
 * their own, so FLTFL_CALLBACK_DATA_NEW_SYSTEM_BUFFER is never set and this returns NULL. */
PVOID FltGetNewSystemBufferAddress(PFLT_CALLBACK_DATA CallbackData)
{
    EmuRequireIrql("FltGetNewSystemBufferAddress", DISPATCH_LEVEL);
    EMU_CBD *op = EmuBufferOp(CallbackData, "FltGetNewSystemBufferAddress");
    if (op == NULL || !(CallbackData->Flags & FLTFL_CALLBACK_DATA_NEW_SYSTEM_BUFFER)) {
        return NULL;
    }
    return op->NewSystemBuffer;
}

/* The level whose post-operation callback is running (or pended), or NULL. */
static EMU_LEVEL *EmuPostLevel(EMU_CBD *op)
{
    EmuLock();
    EMU_LEVEL *lv = (op->State == EMU_OP_POST || op->State == EMU_OP_PENDED_POST) && op->Depth > 0 ? &op->Levels[op->Depth - 1] : NULL;
    EmuUnlock();
    return lv;
}

/* Any IRQL. From a post-operation callback: the MDL the caller swapped in, or NULL. */
PMDL FltGetSwappedBufferMdlAddress(PFLT_CALLBACK_DATA CallbackData)
{
    EMU_CBD *op = EmuBufferOp(CallbackData, "FltGetSwappedBufferMdlAddress");
    EMU_LEVEL *lv = op != NULL && !FLT_IS_FASTIO_OPERATION(CallbackData) ? EmuPostLevel(op) : NULL;
    return lv != NULL ? lv->SwappedMdl : NULL;
}

/* Any IRQL, only from a post-operation callback: the caller frees the swapped-in MDL itself. */
VOID FltRetainSwappedBufferMdlAddress(PFLT_CALLBACK_DATA CallbackData)
{
    EMU_CBD *op = EmuBufferOp(CallbackData, "FltRetainSwappedBufferMdlAddress");
    EMU_LEVEL *lv = op != NULL ? EmuPostLevel(op) : NULL;
    if (op != NULL && lv == NULL) {
        EmuViolation("FltRetainSwappedBufferMdlAddress outside a post-operation callback (it may only be called from one)");
        return;
    }
    if (lv != NULL) {
        lv->RetainSwappedMdl = 1;
    }
}

/* ---- device-aligned pool ---- */
static SIZE_T EmuVolumeAlignment(PFLT_VOLUME v)
{
    SIZE_T a = EMU_SECTOR_SIZE;
    SIZE_T device = (SIZE_T)v->Dev.Device.AlignmentRequirement + 1;     /* a mask: FILE_WORD_ALIGNMENT is 1 */
    return device > a ? device : a;
}

/* NonPaged types: IRQL <= DISPATCH_LEVEL, otherwise <= APC_LEVEL (EmuPoolAllocAligned checks). */
PVOID FltAllocatePoolAlignedWithTag(PFLT_INSTANCE Instance, POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag)
{
    if (!EmuIsInstance(Instance)) {
        EmuViolation("FltAllocatePoolAlignedWithTag(%p): Instance is required and must be an instance", (void *)Instance);
        return NULL;
    }
    int paged;
    switch (PoolType) {
    case NonPagedPool: case NonPagedPoolCacheAligned: case NonPagedPoolNx: case NonPagedPoolNxCacheAligned:
        paged = 0;
        break;
    case PagedPool: case PagedPoolCacheAligned:
        paged = 1;
        break;
    default:
        EmuViolation("FltAllocatePoolAlignedWithTag: PoolType %d is not NonPagedPool, PagedPool or their CacheAligned forms", (int)PoolType);
        return NULL;
    }
    SIZE_T alignment = EmuVolumeAlignment(Instance->Volume);
    /* Zero bytes: the smallest block that satisfies the alignment requirement. */
    return EmuPoolAllocAligned(NumberOfBytes != 0 ? NumberOfBytes : alignment, Tag, paged, 0, alignment, "FltAllocatePoolAlignedWithTag");
}

/* IRQL <= DISPATCH_LEVEL (a paged block: <= APC_LEVEL). */
VOID FltFreePoolAlignedWithTag(PFLT_INSTANCE Instance, PVOID Buffer, ULONG Tag)
{
    EmuRequireIrql("FltFreePoolAlignedWithTag", DISPATCH_LEVEL);
    if (!EmuIsInstance(Instance)) {
        EmuViolation("FltFreePoolAlignedWithTag(%p, %p): Instance must be an instance", (void *)Instance, Buffer);
    }
    EmuPoolFreeAligned(Buffer, Tag, 1, 1, "FltFreePoolAlignedWithTag");
}
