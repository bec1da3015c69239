/*
 * emu_name.c - file name information: FltGetFileNameInformation (opened
 * and normalized names; the normalized name takes each existing
 * component's case from the file system, as normalization does),
 * FltParseFileNameInformation, reference counting, release; names are
 * pool blocks with the filter manager's tag, so a leaked one is reported;
 * they are PAGEABLE (paged out while any thread is at DISPATCH_LEVEL, see
 * emu_pageable.c): FltGetFileNameInformation is callable at <= APC_LEVEL
 * only, and so is touching what it returns.
 */
#include "emu_internal.h"
#include <string.h>

#define EMU_NAME_MAGIC 0x454d414eu
#define EMU_NAME_TAG 'nfMF'     /* shown as "FMfn", the filter manager's own */
typedef struct EMU_NAME {
    uint32_t Magic;
    long Refs;
    FLT_FILE_NAME_INFORMATION Info;
    WCHAR Buffer[1];
} EMU_NAME;

/* path as given, or with each existing component's case from the file system (lock held). */
static size_t EmuNormalizePath(PFLT_VOLUME volume, const WCHAR *p, size_t chars, int normalized, WCHAR *out, size_t cap)
{
    size_t o = 0, i = 0;
    EMU_NODE *dir = normalized ? volume->Fs.Root : NULL;
    while (i < chars && o + 2 < cap) {
        while (i < chars && p[i] == '\\') {
            i++;
        }
        if (i >= chars) {
            break;
        }
        size_t start = i;
        while (i < chars && p[i] != '\\') {
            i++;
        }
        size_t len = i - start;
        const WCHAR *name = p + start;
        EMU_NODE *found = NULL;
        if (dir != NULL) {
            for (EMU_NODE *c = dir->Child; c != NULL; c = c->Next) {
                size_t cl = EmuWcsLen(c->Name);
                size_t k = 0;
                while (k < len && k < cl) {
                    WCHAR a = name[k], b = c->Name[k];
                    if (a >= 'a' && a <= 'z') a = (WCHAR)(a - 32);
                    if (b >= 'a' && b <= 'z') b = (WCHAR)(b - 32);
                    if (a != b) break;
                    k++;
                }
                if (k == len && k == cl) {
                    found = c;
                    break;
                }
            }
        }
        if (found != NULL) {
            name = found->Name;
        }
        dir = found;
        out[o++] = '\\';
        for (size_t k = 0; k < len && o + 1 < cap; k++) {
            out[o++] = name[k];
        }
    }
    if (o == 0 && cap > 1) {
        out[o++] = '\\';
    }
    out[o] = 0;
    return o;
}

static size_t EmuNormalize(EMU_FILE *file, int normalized, WCHAR *out, size_t cap)
{
    if (normalized && file->Node != NULL) {
        return EmuNodePath(file->Entry != NULL ? file->Entry : file->Node, out, cap);    /* the name it was opened by */
    }
    size_t chars = 0;
    const WCHAR *path = EmuFileCreatePath(file, &chars);
    return EmuNormalizePath(file->Volume, path, chars, normalized, out, cap);
}

static NTSTATUS EmuMakeName(EMU_FILE *file, FLT_FILE_NAME_OPTIONS options, PFLT_FILE_NAME_INFORMATION *out, const WCHAR *explicitPath, size_t explicitChars)
{
    WCHAR path[EMU_MAX_PATH];
    size_t chars;
    int normalized = (options & FLT_VALID_FILE_NAME_FORMATS) == FLT_FILE_NAME_NORMALIZED;
    if (explicitPath != NULL) {
        chars = explicitChars < EMU_MAX_PATH - 1 ? explicitChars : EMU_MAX_PATH - 1;
        memcpy(path, explicitPath, chars * 2);
    } else {
        EmuLock();
        chars = EmuNormalize(file, normalized, path, RTL_NUMBER_OF(path));
        EmuUnlock();
    }
    size_t volChars = file->Volume->NameU.Length / 2;
    return EmuMakeNameFrom(options, file->Volume->Name, volChars, path, chars, out);
}

/* A name (pool block with the filter manager's tag) of the volume's name and the volume-relative path. */
NTSTATUS EmuMakeNameFrom(FLT_FILE_NAME_OPTIONS options, const WCHAR *volume, size_t volChars, const WCHAR *path, size_t chars,
                         PFLT_FILE_NAME_INFORMATION *out)
{
    size_t total = volChars + chars;
    EMU_NAME *n = EmuPoolAlloc(sizeof(EMU_NAME) + total * sizeof(WCHAR), EMU_NAME_TAG, 1, 1, "FltGetFileNameInformation");
    if (n == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    n->Magic = EMU_NAME_MAGIC;
    n->Refs = 1;
    memcpy(n->Buffer, volume, volChars * 2);
    memcpy(n->Buffer + volChars, path, chars * 2);
    n->Info.Size = sizeof(FLT_FILE_NAME_INFORMATION);
    n->Info.Format = options & FLT_VALID_FILE_NAME_FORMATS;
    n->Info.Name.Buffer = n->Buffer;
    n->Info.Name.Length = n->Info.Name.MaximumLength = (USHORT)(total * 2);
    n->Info.Volume.Buffer = n->Buffer;
    n->Info.Volume.Length = n->Info.Volume.MaximumLength = (USHORT)(volChars * 2);
    *out = &n->Info;
    return STATUS_SUCCESS;
}

NTSTATUS FltGetFileNameInformation(PFLT_CALLBACK_DATA CallbackData, FLT_FILE_NAME_OPTIONS NameOptions, PFLT_FILE_NAME_INFORMATION *FileNameInformation)
{
    *FileNameInformation = NULL;
    if (!EmuRequireIrql("FltGetFileNameInformation", APC_LEVEL)) {
        return STATUS_INVALID_DEVICE_STATE;
    }
    if (!EmuIsCallbackData(CallbackData)) {
        EmuViolation("FltGetFileNameInformation(%p): not a callback data", (void *)CallbackData);
        return STATUS_INVALID_PARAMETER;
    }
    ULONG format = NameOptions & FLT_VALID_FILE_NAME_FORMATS;
    if (format != FLT_FILE_NAME_NORMALIZED && format != FLT_FILE_NAME_OPENED && format != FLT_FILE_NAME_SHORT) {
        return STATUS_INVALID_PARAMETER;
    }
    if (CallbackData->Iopb->MajorFunction == IRP_MJ_CLOSE) {
        return STATUS_FLT_INVALID_NAME_REQUEST;
    }
    PFILE_OBJECT fo = CallbackData->Iopb->TargetFileObject;
    if (!EmuIsFileObject(fo)) {
        return STATUS_INVALID_PARAMETER;
    }
    NTSTATUS s;
    if (EmuNameFromProvider(EMU_FILE_FROM_FO(fo), CallbackData, NULL, NameOptions, &s, FileNameInformation)) {
        return s;       /* a name provider below the requester answered (emu_nameprov.c) */
    }
    return EmuMakeName(EMU_FILE_FROM_FO(fo), NameOptions, FileNameInformation, NULL, 0);
}

NTSTATUS FltGetFileNameInformationUnsafe(PFILE_OBJECT FileObject, PFLT_INSTANCE Instance, FLT_FILE_NAME_OPTIONS NameOptions, PFLT_FILE_NAME_INFORMATION *FileNameInformation)
{
    *FileNameInformation = NULL;
    if (!EmuRequireIrql("FltGetFileNameInformationUnsafe", APC_LEVEL)) {
        return STATUS_INVALID_DEVICE_STATE;
    }
    if (!EmuIsFileObject(FileObject)) {
        return STATUS_INVALID_PARAMETER;
    }
    NTSTATUS s;
    if (EmuNameFromProvider(EMU_FILE_FROM_FO(FileObject), NULL, Instance, NameOptions, &s, FileNameInformation)) {
        return s;
    }
    return EmuMakeName(EMU_FILE_FROM_FO(FileObject), NameOptions, FileNameInformation, NULL, 0);
}

/*
 * The destination of a rename or hard link, as the documentation describes
 * it: the destination's parent directory's name (normalized: each existing
 * component's case from the file system) plus the new final component, for
 * the three forms of FileName (relative to RootDirectory, a full path, or a
 * simple name in the file's own directory). PASSIVE_LEVEL only, like the
 * real routine (it may open the parent directory); FLT_FILE_NAME_SHORT is
 * not a valid format here. RootDirectory is the requestor's handle: used
 * in another process's context it is a violation (STATUS_INVALID_HANDLE).
 */
NTSTATUS FltGetDestinationFileNameInformation(PFLT_INSTANCE Instance, PFILE_OBJECT FileObject, HANDLE RootDirectory, PWSTR FileName, ULONG FileNameLength,
                                              FLT_FILE_NAME_OPTIONS NameOptions, PFLT_FILE_NAME_INFORMATION *RetFileNameInformation)
{
    *RetFileNameInformation = NULL;
    if (!EmuRequireIrql("FltGetDestinationFileNameInformation", PASSIVE_LEVEL)) {
        return STATUS_INVALID_DEVICE_STATE;
    }
    if (!EmuIsInstance(Instance) || !EmuIsFileObject(FileObject) || FileName == NULL || FileNameLength == 0 || (FileNameLength & 1) != 0) {
        return STATUS_INVALID_PARAMETER;
    }
    ULONG format = NameOptions & FLT_VALID_FILE_NAME_FORMATS;
    if (format != FLT_FILE_NAME_NORMALIZED && format != FLT_FILE_NAME_OPENED) {
        return STATUS_INVALID_PARAMETER;
    }
    EMU_FILE *file = EMU_FILE_FROM_FO(FileObject);
    if (Instance->Volume != file->Volume) {
        EmuViolation("FltGetDestinationFileNameInformation: an instance of %s for a file object of %s",
                     Instance->Volume->Hdr.Name, file->Volume->Hdr.Name);
        return STATUS_INVALID_PARAMETER;
    }
    WCHAR dest[EMU_MAX_PATH];
    size_t chars = 0;
    NTSTATUS s = EmuFsDestination(file, RootDirectory, FileName, FileNameLength / sizeof(WCHAR), dest, RTL_NUMBER_OF(dest), &chars,
                                  "FltGetDestinationFileNameInformation");
    if (!NT_SUCCESS(s)) {
        return s;
    }
    WCHAR path[EMU_MAX_PATH];
    EmuLock();
    chars = EmuNormalizePath(file->Volume, dest, chars, format == FLT_FILE_NAME_NORMALIZED, path, RTL_NUMBER_OF(path));
    EmuUnlock();
    return EmuMakeName(file, NameOptions, RetFileNameInformation, path, chars);
}

static EMU_NAME *EmuName(PFLT_FILE_NAME_INFORMATION info, const char *routine)
{
    EMU_NAME *n = info != NULL ? CONTAINING_RECORD(info, EMU_NAME, Info) : NULL;
    if (n == NULL || n->Magic != EMU_NAME_MAGIC) {
        EmuViolation("%s(%p): not a live FLT_FILE_NAME_INFORMATION (released too often?)", routine, (void *)info);
        return NULL;
    }
    return n;
}

NTSTATUS FltParseFileNameInformation(PFLT_FILE_NAME_INFORMATION FileNameInformation)
{
    EmuRequireIrql("FltParseFileNameInformation", APC_LEVEL);
    if (EmuName(FileNameInformation, "FltParseFileNameInformation") == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    PFLT_FILE_NAME_INFORMATION i = FileNameInformation;
    USHORT total = i->Name.Length / 2, vol = i->Volume.Length / 2;
    PWCH b = i->Name.Buffer;
    USHORT lastSlash = vol;
    for (USHORT k = vol; k < total; k++) {
        if (b[k] == '\\') {
            lastSlash = k;
        }
    }
    i->ParentDir.Buffer = b + vol;
    i->ParentDir.Length = i->ParentDir.MaximumLength = (USHORT)((lastSlash + 1 - vol) * 2);
    USHORT fc = (USHORT)(lastSlash + 1);
    USHORT end = total;
    USHORT colon = total;
    for (USHORT k = fc; k < total; k++) {
        if (b[k] == ':') {
            colon = k;
            break;
        }
    }
    i->Stream.Buffer = b + colon;
    i->Stream.Length = i->Stream.MaximumLength = (USHORT)((end - colon) * 2);
    i->FinalComponent.Buffer = b + fc;
    i->FinalComponent.Length = i->FinalComponent.MaximumLength = (USHORT)((total - fc) * 2);
    USHORT dot = colon;
    for (USHORT k = fc; k < colon; k++) {
        if (b[k] == '.') {
            dot = k;
        }
    }
    i->Extension.Buffer = dot < colon ? b + dot + 1 : b + colon;
    i->Extension.Length = i->Extension.MaximumLength = dot < colon ? (USHORT)((colon - dot - 1) * 2) : 0;
    i->Share.Buffer = NULL;
    i->Share.Length = i->Share.MaximumLength = 0;
    i->NamesParsed = FLTFL_FILE_NAME_PARSED_FINAL_COMPONENT | FLTFL_FILE_NAME_PARSED_EXTENSION | FLTFL_FILE_NAME_PARSED_STREAM | FLTFL_FILE_NAME_PARSED_PARENT_DIR;
    return STATUS_SUCCESS;
}

VOID FltReferenceFileNameInformation(PFLT_FILE_NAME_INFORMATION FileNameInformation)
{
    EMU_NAME *n = EmuName(FileNameInformation, "FltReferenceFileNameInformation");
    if (n != NULL) {
        __atomic_add_fetch(&n->Refs, 1, __ATOMIC_SEQ_CST);
    }
}

VOID FltReleaseFileNameInformation(PFLT_FILE_NAME_INFORMATION FileNameInformation)
{
    EmuRequireIrql("FltReleaseFileNameInformation", APC_LEVEL);
    EMU_NAME *n = EmuName(FileNameInformation, "FltReleaseFileNameInformation");
    if (n != NULL && __atomic_sub_fetch(&n->Refs, 1, __ATOMIC_SEQ_CST) == 0) {
        n->Magic = 0;
        EmuPoolFree(n, EMU_NAME_TAG, 1, "FltReleaseFileNameInformation");
    }
}

/*
 * FLT_NAME_CONTROL: the buffer the filter manager hands a name provider's
 * GenerateFileNameCallback. The provider never frees or replaces Name.Buffer
 * itself; FltCheckAndGrowNameControl (<= APC_LEVEL) replaces it with a larger
 * buffer of the filter manager's, the old contents copied, when it holds
 * fewer than NewSize bytes. Reported: a name control the filter manager did
 * not hand out, a Name.Buffer replaced by hand.
 */
#define EMU_NAME_CONTROL_MAGIC 0x4c434e45u
#define EMU_NAME_CONTROL_TAG 'cnMF'     /* shown as "FMnc" */
typedef struct EMU_NAME_CONTROL {
    FLT_NAME_CONTROL Control;   /* first: the provider's PFLT_NAME_CONTROL points here */
    uint32_t Magic;
    PWCH Buffer;                /* the filter manager's buffer, Control.Name.MaximumLength bytes */
} EMU_NAME_CONTROL;

/* The name controls handed out and not yet taken back: a pointer is looked up here before it is read
 * (a provider may pass its own FLT_NAME_CONTROL, which has no room for the magic). */
#define EMU_MAX_NAME_CONTROLS 64
static EMU_NAME_CONTROL *g_nameControls[EMU_MAX_NAME_CONTROLS];

/* Lock held. */
static int EmuNameControlSlot(const void *c)
{
    for (int i = 0; i < EMU_MAX_NAME_CONTROLS; i++) {
        if (g_nameControls[i] == c) {
            return i;
        }
    }
    return -1;
}

PFLT_NAME_CONTROL EmuNameControlNew(USHORT bytes)
{
    EMU_NAME_CONTROL *c = EmuPoolAlloc(sizeof(*c), EMU_NAME_CONTROL_TAG, 1, 1, "FltGetFileNameInformation");
    PWCH b = bytes != 0 ? EmuPoolAlloc(bytes, EMU_NAME_CONTROL_TAG, 1, 1, "FltGetFileNameInformation") : NULL;
    if (c == NULL || (bytes != 0 && b == NULL)) {
        if (c != NULL) EmuPoolFree(c, EMU_NAME_CONTROL_TAG, 1, "FltGetFileNameInformation");
        return NULL;
    }
    c->Magic = EMU_NAME_CONTROL_MAGIC;
    c->Buffer = b;
    c->Control.Name.Buffer = b;
    c->Control.Name.Length = 0;
    c->Control.Name.MaximumLength = bytes;
    EmuLock();
    int slot = EmuNameControlSlot(c);
    if (slot < 0) {
        slot = EmuNameControlSlot(NULL);
    }
    if (slot >= 0) {
        g_nameControls[slot] = c;
    }
    EmuUnlock();
    if (slot < 0) {
        EmuNameControlFree(&c->Control);
        return NULL;
    }
    return &c->Control;
}

static EMU_NAME_CONTROL *EmuNameControl(PFLT_NAME_CONTROL control, const char *routine)
{
    EMU_NAME_CONTROL *c = (EMU_NAME_CONTROL *)control;
    EmuLock();
    int live = c != NULL && EmuNameControlSlot(c) >= 0;
    EmuUnlock();
    if (!live || c->Magic != EMU_NAME_CONTROL_MAGIC) {
        EmuViolation("%s(%p): not a FLT_NAME_CONTROL the filter manager passed to a name provider", routine, (void *)control);
        return NULL;
    }
    if (c->Control.Name.Buffer != c->Buffer) {
        EmuViolation("%s: FLT_NAME_CONTROL.Name.Buffer was replaced by the name provider (only FltCheckAndGrowNameControl may)", routine);
        return NULL;
    }
    return c;
}

void EmuNameControlFree(PFLT_NAME_CONTROL control)
{
    EMU_NAME_CONTROL *c = (EMU_NAME_CONTROL *)control;
    EmuLock();
    int slot = EmuNameControlSlot(c);
    if (slot >= 0) {
        g_nameControls[slot] = NULL;
    }
    EmuUnlock();
    if (c->Buffer != NULL) {
        EmuPoolFree(c->Buffer, EMU_NAME_CONTROL_TAG, 1, "FltGetFileNameInformation");
    }
    c->Magic = 0;
    EmuPoolFree(c, EMU_NAME_CONTROL_TAG, 1, "FltGetFileNameInformation");
}

NTSTATUS FltCheckAndGrowNameControl(PFLT_NAME_CONTROL NameCtrl, USHORT NewSize)
{
    if (!EmuRequireIrql("FltCheckAndGrowNameControl", APC_LEVEL)) {
        return STATUS_INVALID_DEVICE_STATE;
    }
    EMU_NAME_CONTROL *c = EmuNameControl(NameCtrl, "FltCheckAndGrowNameControl");
    if (c == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    if (NewSize <= c->Control.Name.MaximumLength) {
        return STATUS_SUCCESS;
    }
    PWCH b = EmuPoolAlloc(NewSize, EMU_NAME_CONTROL_TAG, 1, 1, "FltCheckAndGrowNameControl");
    if (b == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    if (c->Buffer != NULL) {
        memcpy(b, c->Buffer, c->Control.Name.Length <= c->Control.Name.MaximumLength ? c->Control.Name.Length : c->Control.Name.MaximumLength);
        EmuPoolFree(c->Buffer, EMU_NAME_CONTROL_TAG, 1, "FltCheckAndGrowNameControl");
    }
    c->Buffer = b;
    c->Control.Name.Buffer = b;
    c->Control.Name.MaximumLength = NewSize;
    return STATUS_SUCCESS;
}

/*
 * Name providers (FLT_REGISTRATION.GenerateFileNameCallback). As documented
 * (PFLT_GENERATE_FILE_NAME): the filter manager lets a name provider answer
 * the name requests of the filters above it. A request from an instance goes
 * to the highest instance strictly below it whose filter registered a
 * GenerateFileNameCallback; with FLT_FILE_NAME_REQUEST_FROM_CURRENT_PROVIDER
 * the requesting instance's own provider counts too. The requester is the
 * instance whose callback the CallbackData is in (Iopb->TargetInstance), the
 * Instance of FltGetFileNameInformationUnsafe (NULL: above every instance),
 * and, while a provider's callback runs on this thread, that provider (its own
 * FltGetFileNameInformation calls are answered from below it). Since Windows 8
 * the callback is asked for every format, the normalized one included, which
 * is what is emulated. The provider fills the filter manager's FLT_NAME_CONTROL
 * (growing it only with FltCheckAndGrowNameControl) with the full name, volume
 * name first; its failure status is the request's.
 *
 * Not emulated: the name cache (every request is answered anew, so
 * CacheFileNameInformation changes nothing and FltPurgeFileNameInformationCache
 * has nothing to purge), and the NormalizeNameComponent(Ex)/NormalizeContextCleanup
 * callbacks, which Windows calls when it expands the components of an opened name
 * itself (short names): this file system has no short names, and the normalized
 * name comes from the provider's GenerateFileNameCallback.
 */
#define EMU_MAX_PROVIDER_NESTING 8
static __thread PFLT_INSTANCE t_providers[EMU_MAX_PROVIDER_NESTING];
static __thread int t_providerDepth;

int EmuNameFromProvider(EMU_FILE *file, PFLT_CALLBACK_DATA data, PFLT_INSTANCE instance, FLT_FILE_NAME_OPTIONS options, NTSTATUS *status,
                        PFLT_FILE_NAME_INFORMATION *out)
{
    PFLT_INSTANCE requester = t_providerDepth > 0 ? t_providers[t_providerDepth - 1]
                            : instance != NULL ? instance
                            : data != NULL ? data->Iopb->TargetInstance : NULL;
    int includeRequester = (options & FLT_FILE_NAME_REQUEST_FROM_CURRENT_PROVIDER) != 0;
    PFLT_VOLUME v = file->Volume;
    PFLT_INSTANCE provider = NULL;
    int below = requester == NULL || !EmuIsInstance(requester) || requester->Volume != v;
    EmuLock();
    for (int i = 0; i < v->InstanceCount && provider == NULL; i++) {
        PFLT_INSTANCE in = v->Instances[i];
        if (!below) {
            if (in != requester) {
                continue;
            }
            below = 1;
            if (!includeRequester) {
                continue;
            }
        }
        if (!in->Detached && !in->TearingDown && in->Filter->Registration.GenerateFileNameCallback != NULL) {
            provider = in;
        }
    }
    EmuUnlock();
    if (provider == NULL) {
        return 0;
    }
    if (t_providerDepth >= EMU_MAX_PROVIDER_NESTING) {
        EmuViolation("FltGetFileNameInformation: name providers nested %d deep (a GenerateFileNameCallback that asks its own "
                     "provider again: FLT_FILE_NAME_REQUEST_FROM_CURRENT_PROVIDER left set?)", t_providerDepth);
        *status = STATUS_FLT_INVALID_NAME_REQUEST;
        return 1;
    }
    /* A small first buffer: a provider must grow it with FltCheckAndGrowNameControl. */
    PFLT_NAME_CONTROL control = EmuNameControlNew(16);
    if (control == NULL) {
        *status = STATUS_INSUFFICIENT_RESOURCES;
        return 1;
    }
    BOOLEAN cache = FALSE;
    t_providers[t_providerDepth++] = provider;
    NTSTATUS s = provider->Filter->Registration.GenerateFileNameCallback(provider, &file->Fo, data, options, &cache, control);
    t_providerDepth--;
    if (NT_SUCCESS(s)) {
        EMU_NAME_CONTROL *c = EmuNameControl(control, "GenerateFileNameCallback");
        if (c == NULL || control->Name.Length > control->Name.MaximumLength || (control->Name.Length & 1) != 0) {
            if (c != NULL) {
                EmuViolation("GenerateFileNameCallback of %s: FLT_NAME_CONTROL.Name.Length %u (MaximumLength %u) is not a valid length",
                             provider->Filter->Hdr.Name, control->Name.Length, control->Name.MaximumLength);
            }
            s = STATUS_INVALID_PARAMETER;
        } else {
            /* The volume part: the volume's name when the provider's name starts with it. */
            const WCHAR *name = control->Name.Buffer;
            size_t chars = control->Name.Length / sizeof(WCHAR);
            size_t volChars = v->NameU.Length / sizeof(WCHAR);
            if (chars < volChars || memcmp(name, v->Name, volChars * sizeof(WCHAR)) != 0) {
                volChars = 0;
            }
            s = EmuMakeNameFrom(options, name, volChars, name + volChars, chars - volChars, out);
        }
    }
    EmuNameControlFree(control);
    *status = s;
    return 1;
}

NTSTATUS FltPurgeFileNameInformationCache(PFLT_INSTANCE Instance, PFILE_OBJECT FileObject)
{
    if (!EmuRequireIrql("FltPurgeFileNameInformationCache", APC_LEVEL)) {
        return STATUS_INVALID_DEVICE_STATE;
    }
    if (!EmuIsInstance(Instance)) {
        EmuViolation("FltPurgeFileNameInformationCache(%p): not an instance", (void *)Instance);
        return STATUS_INVALID_PARAMETER;
    }
    if (FileObject != NULL && !EmuIsFileObject(FileObject)) {
        EmuViolation("FltPurgeFileNameInformationCache: FileObject %p is not a file object", (void *)FileObject);
        return STATUS_INVALID_PARAMETER;
    }
    return STATUS_SUCCESS;
}
