/*
 * emu_fs.c - the in-memory file system under each emulated volume: the
 * bottom of every instance stack. Implements what the file system does for
 * IRP_MJ_CREATE (the six dispositions with their real effects and
 * IoStatus.Information values, share access, directory/non-directory
 * options, read-only files, delete-on-close), READ, WRITE,
 * QUERY_INFORMATION, SET_INFORMATION (end of file, allocation, basic,
 * position, disposition, rename, hard link), CLEANUP and CLOSE.
 *
 * Hard links: a file's first name is its node; every other name is a node
 * whose LinkOf is the file (see EMU_NODE). A handle remembers the name it
 * was opened by (EMU_FILE.Entry): a rename moves that name, a delete
 * disposition removes that name, and the file goes with its last name.
 */
#include "emu_internal.h"

static WCHAR EmuFold(WCHAR c) { return (c >= 'a' && c <= 'z') ? (WCHAR)(c - 32) : c; }

static int EmuNameEq(const WCHAR *a, size_t an, const WCHAR *b)
{
    size_t bn = EmuWcsLen(b);
    if (an != bn) {
        return 0;
    }
    for (size_t i = 0; i < an; i++) {
        if (EmuFold(a[i]) != EmuFold(b[i])) {
            return 0;
        }
    }
    return 1;
}

static EMU_NODE *EmuNodeNew(EMU_FS *fs, EMU_NODE *parent, const WCHAR *name, size_t chars, int dir, ULONG attributes)
{
    EMU_NODE *n = calloc(1, sizeof(*n));
    if (chars >= RTL_NUMBER_OF(n->Name)) {
        chars = RTL_NUMBER_OF(n->Name) - 1;
    }
    memcpy(n->Name, name, chars * sizeof(WCHAR));
    n->IsDirectory = dir;
    n->Attributes = (attributes & FILE_ATTRIBUTE_VALID_FLAGS & ~FILE_ATTRIBUTE_NORMAL) | (dir ? FILE_ATTRIBUTE_DIRECTORY : FILE_ATTRIBUTE_ARCHIVE);
    n->Id = ++fs->NextId;
    LARGE_INTEGER now;
    now.QuadPart = (LONGLONG)EmuSystemTime100ns();
    for (int i = 0; i < 4; i++) {
        n->Times[i] = now;
    }
    n->Parent = parent;
    if (parent != NULL) {
        n->Next = parent->Child;
        parent->Child = n;
    }
    return n;
}

static void EmuNodeUnlink(EMU_NODE *n)
{
    if (n->Parent == NULL) {
        return;
    }
    EMU_NODE **pp = &n->Parent->Child;
    while (*pp != NULL && *pp != n) {
        pp = &(*pp)->Next;
    }
    if (*pp == n) {
        *pp = n->Next;
    }
    n->Parent = NULL;
    n->Next = NULL;
}

/* The file a directory entry names (itself unless it is a hard link). */
static EMU_NODE *EmuNodeFile(EMU_NODE *n)
{
    return (n != NULL && n->LinkOf != NULL) ? n->LinkOf : n;
}

static void EmuNodeFree(EMU_NODE *n)
{
    while (n->Child != NULL) {
        EMU_NODE *c = n->Child;
        n->Child = c->Next;
        EmuNodeFree(c);
    }
    free(n->Data);
    free(n->TxData);
    free(n);
}

void EmuFsInit(EMU_FS *fs)
{
    fs->NextId = 4;
    fs->Root = EmuNodeNew(fs, NULL, L"", 0, 1, 0);
}

void EmuFsDestroy(EMU_FS *fs)
{
    if (fs->Root != NULL) {
        EmuNodeFree(fs->Root);
        fs->Root = NULL;
    }
    if (fs->VolumeNode != NULL) {
        EmuNodeFree(fs->VolumeNode);
        fs->VolumeNode = NULL;
    }
    fs->LockedBy = NULL;
    while (fs->Graveyard != NULL) {
        EMU_NODE *n = fs->Graveyard;
        fs->Graveyard = n->Next;
        EmuNodeFree(n);
    }
}

EMU_NODE *EmuFsLookup(EMU_FS *fs, const WCHAR *path, size_t chars, EMU_NODE **parent, const WCHAR **leaf, size_t *leafChars)
{
    EMU_NODE *cur = fs->Root;
    size_t i = 0;
    if (parent) *parent = NULL;
    if (leaf) { *leaf = path; *leafChars = 0; }
    while (i < chars && path[i] == '\\') {
        i++;
    }
    if (i >= chars) {
        return cur;     /* the root directory */
    }
    for (;;) {
        size_t start = i;
        while (i < chars && path[i] != '\\') {
            i++;
        }
        size_t len = i - start;
        while (i < chars && path[i] == '\\') {
            i++;
        }
        int last = i >= chars;
        EMU_NODE *found = NULL;
        if (cur != NULL && cur->IsDirectory) {
            for (EMU_NODE *c = cur->Child; c != NULL; c = c->Next) {
                if (EmuNameEq(path + start, len, c->Name)) {
                    found = c;
                    break;
                }
            }
        }
        if (last) {
            if (parent) *parent = (cur != NULL && cur->IsDirectory) ? cur : NULL;
            if (leaf) { *leaf = path + start; *leafChars = len; }
            return found;
        }
        cur = found;
        if (cur == NULL) {
            return NULL;    /* *parent stays NULL: the path does not exist */
        }
    }
}

/* The node's path from the volume root, as stored ("\Dir\File.txt"). */
size_t EmuNodePath(EMU_NODE *n, WCHAR *out, size_t cap)
{
    EMU_NODE *chain[256];
    int depth = 0;
    for (EMU_NODE *p = n; p != NULL && p->Parent != NULL && depth < 256; p = p->Parent) {
        chain[depth++] = p;
    }
    size_t o = 0;
    if (depth == 0 && cap > 1) {
        out[o++] = '\\';
    }
    for (int d = depth - 1; d >= 0; d--) {
        size_t len = EmuWcsLen(chain[d]->Name);
        if (o + 1 + len + 1 > cap) {
            break;
        }
        out[o++] = '\\';
        memcpy(out + o, chain[d]->Name, len * sizeof(WCHAR));
        o += len;
    }
    if (cap > 0) {
        out[o] = 0;
    }
    return o;
}

static ACCESS_MASK EmuMapGeneric(ACCESS_MASK a)
{
    if (a & GENERIC_READ) a |= FILE_GENERIC_READ;
    if (a & GENERIC_WRITE) a |= FILE_GENERIC_WRITE;
    if (a & GENERIC_EXECUTE) a |= FILE_GENERIC_EXECUTE;
    if (a & (GENERIC_ALL | MAXIMUM_ALLOWED)) a |= FILE_ALL_ACCESS;
    return a & ~(GENERIC_READ | GENERIC_WRITE | GENERIC_EXECUTE | GENERIC_ALL | MAXIMUM_ALLOWED);
}

ACCESS_MASK EmuMapGenericAccess(ACCESS_MASK a) { return EmuMapGeneric(a); }

static int EmuShareConflict(EMU_NODE *n, ACCESS_MASK access, ULONG share)
{
    int r = (access & (FILE_READ_DATA | FILE_EXECUTE)) != 0;
    int w = (access & (FILE_WRITE_DATA | FILE_APPEND_DATA)) != 0;
    int d = (access & DELETE) != 0;
    if (!r && !w && !d) {
        return 0;
    }
    /* Every open handle must share what we ask for, and we must share what they hold. */
    int opens = n->ShareOpens;
    if (r && n->SharedRead < opens) return 1;
    if (w && n->SharedWrite < opens) return 1;
    if (d && n->SharedDelete < opens) return 1;
    if (n->Readers > 0 && !(share & FILE_SHARE_READ)) return 1;
    if (n->Writers > 0 && !(share & FILE_SHARE_WRITE)) return 1;
    if (n->Deleters > 0 && !(share & FILE_SHARE_DELETE)) return 1;
    return 0;
}

/* What IoSetShareAccess records: the file object's ReadAccess, WriteAccess and DeleteAccess. */
static void EmuShareAdd(EMU_NODE *n, EMU_FILE *f, int sign)
{
    n->Readers += sign * (f->Fo.ReadAccess != 0);
    n->Writers += sign * (f->Fo.WriteAccess != 0);
    n->Deleters += sign * (f->Fo.DeleteAccess != 0);
    n->SharedRead += sign * ((f->ShareAccess & FILE_SHARE_READ) != 0);
    n->SharedWrite += sign * ((f->ShareAccess & FILE_SHARE_WRITE) != 0);
    n->SharedDelete += sign * ((f->ShareAccess & FILE_SHARE_DELETE) != 0);
    n->ShareOpens += sign;
}

static void EmuBufResize(uint8_t **data, uint64_t *size, uint64_t *capacity, uint64_t newSize)
{
    if (newSize > *capacity) {
        uint64_t cap = *capacity ? *capacity : 64;
        while (cap < newSize) {
            cap *= 2;
        }
        *data = realloc(*data, (size_t)cap);
        memset(*data + *capacity, 0, (size_t)(cap - *capacity));
        *capacity = cap;
    }
    if (newSize < *size) {
        memset(*data + newSize, 0, (size_t)(*size - newSize));
    }
    *size = newSize;
}

static void EmuTruncate(EMU_NODE *n, uint64_t size) { EmuBufResize(&n->Data, &n->Size, &n->Capacity, size); }

/*
 * Transactional NTFS, as "Basic TxF Concepts" describes it, for existing files:
 *  - a transacted writer (a handle opened in a transaction with any access of
 *    generic write's, here also DELETE) takes the file's transaction lock; there
 *    is one per file (another transaction's writer: STATUS_SHARING_VIOLATION,
 *    also while a non-transacted writer has it open); every later open of the
 *    file in that transaction sees the transaction's view;
 *  - non-transacted writers are blocked by any transacted handle, reader or
 *    writer (STATUS_TRANSACTIONAL_CONFLICT);
 *  - read-committed isolation: the transaction's changes to the data and the
 *    end of file are seen only through its handles until it commits; other
 *    handles (and other transactions) see the committed data; on commit the
 *    view becomes the file's data, on rollback it goes.
 *  - a delete in a transaction (disposition or delete-on-close through the
 *    locking transaction's handles) takes the file away for that transaction
 *    when its last transacted handle is cleaned up (its handles then get
 *    STATUS_FILE_DELETED, its opens STATUS_OBJECT_NAME_NOT_FOUND); outside,
 *    the file stays until the commit removes it; a rollback keeps it.
 * Not emulated in a transaction (STATUS_NOT_SUPPORTED): creating a file,
 * overwriting, deleting a directory or a file with hard links, other
 * set-information classes (rename, link, basic information),
 * FSCTL_SET_ZERO_DATA, MDL reads; directory listings show the committed
 * names; a
 * transacted reader sees the committed data as it is, not as it was when it
 * opened, should another transaction commit meanwhile.
 */
#define EMU_TXF_MODIFY (FILE_WRITE_DATA | FILE_APPEND_DATA | FILE_WRITE_ATTRIBUTES | FILE_WRITE_EA | DELETE | WRITE_DAC | WRITE_OWNER)

/* The transaction's own view is what file sees (its transaction holds the file's lock). */
static int EmuTxOwnView(EMU_FILE *file, EMU_NODE *n)
{
    return file->Transaction != NULL && n->TxWriter == file->Transaction && n->TxView;
}
static uint8_t *EmuViewData(EMU_FILE *file, EMU_NODE *n) { return EmuTxOwnView(file, n) ? n->TxData : n->Data; }
static uint64_t EmuViewSize(EMU_FILE *file, EMU_NODE *n) { return EmuTxOwnView(file, n) ? n->TxSize : n->Size; }

/* Before the locking transaction's first change: its view starts as the committed data. */
static void EmuTxMakeView(EMU_FILE *file, EMU_NODE *n)
{
    if (file->Transaction != NULL && n->TxWriter == file->Transaction && !n->TxView) {
        n->TxSize = 0;
        EmuBufResize(&n->TxData, &n->TxSize, &n->TxCapacity, n->Size);
        if (n->Size != 0) {
            memcpy(n->TxData, n->Data, (size_t)n->Size);
        }
        n->TxView = 1;
    }
}

static int EmuNodeDropName(EMU_FS *fs, EMU_NODE *entry);

/* Lock held: the transaction ended; its views become the files' data (commit) or go (rollback); a file it
 * deleted goes (commit: handles still open outside then find it deleted) or stays (rollback). */
void EmuFsTransactionEnd(EMU_NODE **nodes, int count, int commit)
{
    for (int i = 0; i < count; i++) {
        EMU_NODE *n = nodes[i];
        int deleted = commit && n->TxDeleted;
        n->TxDeletePending = n->TxDeleted = 0;
        if (deleted) {
            /* A file without other names (a transacted delete of a linked file is refused): no graveyard needed. */
            free(n->TxData);
            n->TxData = NULL;
            n->TxView = 0;
            n->TxWriter = NULL;
            EmuNodeDropName(NULL, n);
            n->Deleted = 1;
            if (n->OpenCount == 0) {
                EmuNodeFree(n);
            }
            continue;
        }
        if (n->TxView && commit) {
            free(n->Data);
            n->Data = n->TxData;
            n->Size = n->TxSize;
            n->Capacity = n->TxCapacity;
            n->Times[2].QuadPart = (LONGLONG)EmuSystemTime100ns();
        } else {
            free(n->TxData);
        }
        n->TxData = NULL;
        n->TxSize = n->TxCapacity = 0;
        n->TxView = 0;
        n->TxWriter = NULL;
    }
}

static void EmuFsCreate(EMU_CBD *op)
{
    PIO_STATUS_BLOCK io = &op->Data.IoStatus;
    EMU_FILE *file = EMU_FILE_FROM_FO(op->Iopb.TargetFileObject);
    EMU_FS *fs = &op->Volume->Fs;
    ULONG disposition = op->Iopb.Parameters.Create.Options >> 24;
    ULONG options = op->Iopb.Parameters.Create.Options & FILE_VALID_OPTION_FLAGS;
    ACCESS_MASK access = EmuMapGeneric(op->Iopb.Parameters.Create.SecurityContext != NULL
                                       ? op->Iopb.Parameters.Create.SecurityContext->DesiredAccess : 0);
    /* The access check is made on the ACCESS_STATE the file system receives
     * (what was already granted plus what remains desired), as NTFS makes it,
     * and the handle is granted its result: SecurityContext->DesiredAccess is
     * only what share access is checked and recorded with (IoCheckShareAccess,
     * IoSetShareAccess). So a filter that edits DesiredAccess alone, dirty or
     * not, does not change what the handle gets. */
    PACCESS_STATE accessState = op->Iopb.Parameters.Create.SecurityContext != NULL
                                ? op->Iopb.Parameters.Create.SecurityContext->AccessState : NULL;
    ACCESS_MASK granted = accessState != NULL
                          ? EmuMapGeneric(accessState->PreviouslyGrantedAccess | accessState->RemainingDesiredAccess) : access;
    ULONG share = op->Iopb.Parameters.Create.ShareAccess;
    ULONG attributes = op->Iopb.Parameters.Create.FileAttributes;
    size_t chars = 0;
    const WCHAR *path = EmuFileCreatePath(file, &chars);
    EMU_NODE *parent;
    const WCHAR *leaf;
    size_t leafChars;

    io->Information = 0;
    if (disposition > FILE_MAXIMUM_DISPOSITION || ((options & FILE_DIRECTORY_FILE) && (options & FILE_NON_DIRECTORY_FILE))) {
        io->Status = STATUS_INVALID_PARAMETER;
        return;
    }
    /* A locked volume (FSCTL_LOCK_VOLUME) opens for nobody but through the locking handle's own I/O. */
    if (fs->LockedBy != NULL) {
        io->Status = STATUS_ACCESS_DENIED;
        return;
    }
    EMU_NODE *entry;
    if (file->Fo.Flags & FO_VOLUME_OPEN) {
        /* No file name: the volume itself (the I/O manager set FO_VOLUME_OPEN). */
        if (fs->VolumeNode == NULL) {
            fs->VolumeNode = EmuNodeNew(fs, NULL, L"", 0, 0, 0);
        }
        entry = fs->VolumeNode;
        parent = NULL;
        leaf = path;
        leafChars = 0;
    } else {
        entry = EmuFsLookup(fs, path, chars, &parent, &leaf, &leafChars);
    }
    EMU_NODE *n = EmuNodeFile(entry);
    if (n == NULL && parent == NULL) {
        io->Status = STATUS_OBJECT_PATH_NOT_FOUND;
        return;
    }
    ULONG_PTR info;
    if (n != NULL && file->Transaction != NULL && n->TxWriter == file->Transaction && n->TxDeleted) {
        io->Status = STATUS_OBJECT_NAME_NOT_FOUND;  /* gone for the transaction that deleted it */
        io->Information = FILE_DOES_NOT_EXIST;
        return;
    }
    if (n != NULL) {
        if (n->DeletePending || (file->Transaction != NULL && n->TxWriter == file->Transaction && n->TxDeletePending)) {
            io->Status = STATUS_DELETE_PENDING;
            return;
        }
        if (disposition == FILE_CREATE) {
            io->Status = STATUS_OBJECT_NAME_COLLISION;
            io->Information = FILE_EXISTS;
            return;
        }
        if (n->IsDirectory && (options & FILE_NON_DIRECTORY_FILE)) {
            io->Status = STATUS_FILE_IS_A_DIRECTORY;
            return;
        }
        if (!n->IsDirectory && (options & FILE_DIRECTORY_FILE)) {
            io->Status = STATUS_NOT_A_DIRECTORY;
            return;
        }
        int overwrite = disposition == FILE_SUPERSEDE || disposition == FILE_OVERWRITE || disposition == FILE_OVERWRITE_IF;
        if (overwrite && n->IsDirectory) {
            io->Status = STATUS_INVALID_PARAMETER;
            return;
        }
        if ((n->Attributes & FILE_ATTRIBUTE_READONLY) && (overwrite || (granted & (FILE_WRITE_DATA | FILE_APPEND_DATA)))) {
            io->Status = STATUS_ACCESS_DENIED;
            return;
        }
        if ((options & FILE_DELETE_ON_CLOSE) && (n->Attributes & FILE_ATTRIBUTE_READONLY)) {
            io->Status = STATUS_CANNOT_DELETE;
            return;
        }
        if (!op->IgnoreShareAccess && EmuShareConflict(n, access, share)) {
            io->Status = STATUS_SHARING_VIOLATION;
            return;
        }
        int modify = (granted & EMU_TXF_MODIFY) != 0 || overwrite || (options & FILE_DELETE_ON_CLOSE);
        if (file->Transaction != NULL) {
            if (overwrite || ((options & FILE_DELETE_ON_CLOSE) && (n->LinkCount > 0 || n->IsDirectory))) {
                io->Status = STATUS_NOT_SUPPORTED;  /* not emulated in a transaction */
                return;
            }
            if (modify && n->TxWriter != file->Transaction && (n->TxWriter != NULL || n->Writers > 0)) {
                io->Status = STATUS_SHARING_VIOLATION;      /* one transacted writer per file, none beside writers */
                return;
            }
        } else if (modify && (n->TxWriter != NULL || n->TxOpens > 0)) {
            io->Status = STATUS_TRANSACTIONAL_CONFLICT;     /* non-transacted writers are blocked by transacted handles */
            return;
        }
        if (file->Transaction != NULL) {
            if (modify && n->TxWriter == NULL) {
                n->TxWriter = file->Transaction;            /* the transaction lock, until the transaction ends */
                EmuTransactionLockNode(file->Transaction, n);
            }
            n->TxOpens++;
            file->TxCounted = 1;
        }
        if (overwrite) {
            EmuTruncate(n, 0);
            n->Attributes = (attributes & FILE_ATTRIBUTE_VALID_FLAGS & ~FILE_ATTRIBUTE_NORMAL) | FILE_ATTRIBUTE_ARCHIVE;
            n->Times[2].QuadPart = (LONGLONG)EmuSystemTime100ns();
            info = disposition == FILE_SUPERSEDE ? FILE_SUPERSEDED : FILE_OVERWRITTEN;
        } else {
            info = FILE_OPENED;
        }
    } else {
        if (disposition == FILE_OPEN || disposition == FILE_OVERWRITE) {
            io->Status = STATUS_OBJECT_NAME_NOT_FOUND;
            io->Information = FILE_DOES_NOT_EXIST;
            return;
        }
        if (file->Transaction != NULL) {
            io->Status = STATUS_NOT_SUPPORTED;      /* creating a file in a transaction is not emulated */
            return;
        }
        if (leafChars == 0) {
            io->Status = STATUS_OBJECT_NAME_INVALID;
            return;
        }
        n = entry = EmuNodeNew(fs, parent, leaf, leafChars, (options & FILE_DIRECTORY_FILE) != 0, attributes);
        info = FILE_CREATED;
    }
    file->Node = n;
    file->Entry = entry;
    file->Granted = granted;
    file->ShareAccess = share & FILE_SHARE_VALID_FLAGS;
    file->Options = options;
    file->Opened = 1;
    file->Fo.FsContext = n;
    file->Fo.ReadAccess = (access & (FILE_READ_DATA | FILE_EXECUTE)) != 0;
    file->Fo.WriteAccess = (access & (FILE_WRITE_DATA | FILE_APPEND_DATA)) != 0;
    file->Fo.DeleteAccess = (access & DELETE) != 0;
    file->Fo.SharedRead = (share & FILE_SHARE_READ) != 0;
    file->Fo.SharedWrite = (share & FILE_SHARE_WRITE) != 0;
    file->Fo.SharedDelete = (share & FILE_SHARE_DELETE) != 0;
    file->Fo.Flags |= FO_FILE_OPEN | ((options & (FILE_SYNCHRONOUS_IO_ALERT | FILE_SYNCHRONOUS_IO_NONALERT)) ? FO_SYNCHRONOUS_IO : 0)
                    | ((options & FILE_WRITE_THROUGH) ? FO_WRITE_THROUGH : 0)
                    | ((options & FILE_DELETE_ON_CLOSE) ? FO_DELETE_ON_CLOSE : 0);
    n->OpenCount++;
    EmuShareAdd(n, file, 1);
    io->Status = STATUS_SUCCESS;
    io->Information = info;
}

/* Moves entry n (a file's first name or a link) to leaf in parent. */
static void EmuNodeMove(EMU_NODE *n, EMU_NODE *parent, const WCHAR *leaf, size_t leafChars)
{
    EmuNodeUnlink(n);
    if (leafChars >= RTL_NUMBER_OF(n->Name)) {
        leafChars = RTL_NUMBER_OF(n->Name) - 1;
    }
    memset(n->Name, 0, sizeof(n->Name));
    memcpy(n->Name, leaf, leafChars * sizeof(WCHAR));
    n->Parent = parent;
    n->Next = parent->Child;
    parent->Child = n;
}

/*
 * Removes one name (entry) of a file: a hard link's entry, or the file's
 * first name (the file lives on, nameless, while other names remain).
 * Returns 1 when the file has no name left: the caller marks it deleted.
 * An entry a file object may still point at goes to the Graveyard.
 */
static int EmuNodeDropName(EMU_FS *fs, EMU_NODE *entry)
{
    EMU_NODE *f = EmuNodeFile(entry);
    int hadLinks = f->Links != NULL || f->Nameless;
    if (entry != f) {
        EMU_NODE **pp = &f->Links;
        while (*pp != NULL && *pp != entry) {
            pp = &(*pp)->NextLink;
        }
        if (*pp == entry) {
            *pp = entry->NextLink;
            f->LinkCount--;
        }
    } else if (f->Links != NULL) {
        f->Nameless = 1;
    }
    EmuNodeUnlink(entry);
    if (hadLinks && !entry->InGraveyard) {
        entry->InGraveyard = 1;
        entry->Next = fs->Graveyard;
        fs->Graveyard = entry;
    }
    if (f->DeleteEntry == entry) {
        f->DeleteEntry = NULL;
    }
    if (f->Links != NULL || (entry != f && !f->Nameless)) {
        f->DeletePending = 0;       /* one name went; the file stays under the others */
        return 0;
    }
    return 1;
}

/* Frees a file that has no name left and no file object (unless the Graveyard keeps it). */
static void EmuNodeFreeUnnamed(EMU_NODE *f)
{
    if (!f->InGraveyard) {
        EmuNodeFree(f);
    }
}

/*
 * The existing entry target at a rename's or link's destination: refused
 * without ReplaceIfExists, and when it is a directory or open; replaced
 * (its name removed) otherwise.
 */
static NTSTATUS EmuFsReplace(EMU_FS *fs, EMU_NODE *target, int replace)
{
    EMU_NODE *f = EmuNodeFile(target);
    if (!replace) {
        return STATUS_OBJECT_NAME_COLLISION;
    }
    if (f->IsDirectory || f->OpenCount > 0) {
        return STATUS_ACCESS_DENIED;
    }
    if (EmuNodeDropName(fs, target)) {
        EmuNodeFreeUnnamed(f);
    }
    return STATUS_SUCCESS;
}

/* Checks a FILE_RENAME_INFORMATION / FILE_LINK_INFORMATION buffer (same layout). */
static NTSTATUS EmuFsNameBuffer(PFILE_RENAME_INFORMATION ri, ULONG length)
{
    if (ri == NULL || length < FIELD_OFFSET(FILE_RENAME_INFORMATION, FileName)
        || ri->FileNameLength > length - FIELD_OFFSET(FILE_RENAME_INFORMATION, FileName)
        || ri->FileNameLength == 0 || (ri->FileNameLength & 1)) {
        return STATUS_INVALID_PARAMETER;
    }
    return STATUS_SUCCESS;
}

/* Rename (link = 0) or hard link (link = 1) of file to dest (volume-relative, resolved by EmuFsDestination). */
static NTSTATUS EmuFsRenameOrLink(EMU_FS *fs, EMU_FILE *file, const WCHAR *dest, size_t destChars, int replace, int link)
{
    EMU_NODE *n = file->Node;
    EMU_NODE *entry = file->Entry != NULL ? file->Entry : n;
    EMU_NODE *parent;
    const WCHAR *leaf;
    size_t leafChars;
    if (!link && !(file->Granted & DELETE)) {
        return STATUS_ACCESS_DENIED;
    }
    if (!link && entry->Parent == NULL) {
        return entry == n && n->Parent == NULL && !n->Nameless ? STATUS_INVALID_PARAMETER : STATUS_DELETE_PENDING;
    }
    if (link && n->IsDirectory) {
        return STATUS_FILE_IS_A_DIRECTORY;     /* no hard links to directories */
    }
    EMU_NODE *target = EmuFsLookup(fs, dest, destChars, &parent, &leaf, &leafChars);
    if (parent == NULL || leafChars == 0) {
        return STATUS_OBJECT_PATH_NOT_FOUND;
    }
    for (EMU_NODE *p = parent; p != NULL; p = p->Parent) {
        if (p == n) {
            return STATUS_INVALID_PARAMETER;    /* into itself */
        }
    }
    if (target == entry && !link) {
        /* a change of case only */
    } else if (target != NULL) {
        if (EmuNodeFile(target) == n) {
            return replace ? STATUS_SUCCESS : STATUS_OBJECT_NAME_COLLISION;    /* already a name of this file */
        }
        NTSTATUS s = EmuFsReplace(fs, target, replace);
        if (!NT_SUCCESS(s)) {
            return s;
        }
    }
    if (link) {
        EMU_NODE *l = EmuNodeNew(fs, parent, leaf, leafChars, 0, 0);
        l->LinkOf = n;
        l->NextLink = n->Links;
        n->Links = l;
        n->LinkCount++;
        return STATUS_SUCCESS;
    }
    EmuNodeMove(entry, parent, leaf, leafChars);
    return STATUS_SUCCESS;
}

NTSTATUS EmuFsDestination(EMU_FILE *file, HANDLE rootDirectory, const WCHAR *name, size_t chars, WCHAR *out, size_t cap, size_t *outChars,
                          const char *routine)
{
    size_t o = 0;
    *outChars = 0;
    if (cap > 0) {
        out[0] = 0;
    }
    if (name == NULL || chars == 0) {
        return STATUS_INVALID_PARAMETER;
    }
    if (rootDirectory != NULL) {
        EMU_FILE *root = EmuFileFromHandle(rootDirectory, routine);
        if (root == NULL) {
            return STATUS_INVALID_HANDLE;
        }
        if (root->Volume != file->Volume) {
            return STATUS_NOT_SAME_DEVICE;
        }
        EmuLock();
        if (root->Node == NULL || !root->Node->IsDirectory) {
            EmuUnlock();
            return STATUS_INVALID_PARAMETER;
        }
        o = EmuNodePath(root->Node, out, cap);
        EmuUnlock();
        if (o == 1 && out[0] == '\\') {
            o = 0;      /* the root directory */
        }
    } else if (name[0] == '\\') {
        /* A full NT path: it must name the file's own volume (the I/O manager's check). */
        UNICODE_STRING full = { (USHORT)(chars * sizeof(WCHAR)), (USHORT)(chars * sizeof(WCHAR)), (PWCH)name };
        USHORT prefix = 0;
        PFLT_VOLUME v = EmuVolumeByName(&full, &prefix);
        if (v == NULL) {
            return STATUS_OBJECT_PATH_NOT_FOUND;
        }
        if (v != file->Volume) {
            return STATUS_NOT_SAME_DEVICE;
        }
        name += prefix / sizeof(WCHAR);
        chars -= prefix / sizeof(WCHAR);
        if (chars + 1 > cap) {
            return STATUS_OBJECT_NAME_INVALID;
        }
        memcpy(out, name, chars * sizeof(WCHAR));
        out[chars] = 0;
        *outChars = chars;
        return chars > 1 ? STATUS_SUCCESS : STATUS_OBJECT_NAME_INVALID;
    } else {
        /* A simple name: the file's own directory. */
        EmuLock();
        EMU_NODE *n = file->Entry != NULL ? file->Entry : file->Node;
        if (file->Node == NULL || n == NULL || n->Parent == NULL) {
            EmuUnlock();
            return n == NULL ? STATUS_FILE_CLOSED : STATUS_INVALID_PARAMETER;
        }
        o = n->Parent->Parent == NULL ? 0 : EmuNodePath(n->Parent, out, cap);
        EmuUnlock();
    }
    if (o + 1 + chars + 1 > cap) {
        return STATUS_OBJECT_NAME_INVALID;
    }
    out[o++] = '\\';
    memcpy(out + o, name, chars * sizeof(WCHAR));
    o += chars;
    out[o] = 0;
    *outChars = o;
    return STATUS_SUCCESS;
}

/* A rename's or link's destination, resolved before the file system's lock is taken. */
typedef struct EMU_DEST {
    NTSTATUS Status;
    size_t Chars;
    WCHAR Path[EMU_MAX_PATH];
} EMU_DEST;

static int EmuIsNameClass(FILE_INFORMATION_CLASS c)
{
    switch (c) {
    case FileRenameInformation:
    case FileRenameInformationEx:
    case FileRenameInformationBypassAccessCheck:
    case FileRenameInformationExBypassAccessCheck:
    case FileLinkInformation:
    case FileLinkInformationEx:
    case FileLinkInformationBypassAccessCheck:
    case FileLinkInformationExBypassAccessCheck:
        return 1;
    default:
        return 0;
    }
}

static NTSTATUS EmuFsSetInfo(EMU_CBD *op, EMU_FILE *file, const EMU_DEST *dest)
{
    EMU_NODE *n = file->Node;
    PVOID buf = op->Iopb.Parameters.SetFileInformation.InfoBuffer;
    ULONG len = op->Iopb.Parameters.SetFileInformation.Length;
    switch (op->Iopb.Parameters.SetFileInformation.FileInformationClass) {
    case FileEndOfFileInformation:
    case FileAllocationInformation:
        if (len < sizeof(LARGE_INTEGER)) return STATUS_INFO_LENGTH_MISMATCH;
        if (n->IsDirectory) return STATUS_INVALID_PARAMETER;
        if (!(file->Granted & FILE_WRITE_DATA)) return STATUS_ACCESS_DENIED;
        if (((PLARGE_INTEGER)buf)->QuadPart < 0 || ((PLARGE_INTEGER)buf)->QuadPart > (1LL << 31)) return STATUS_INVALID_PARAMETER;
        if (op->Iopb.Parameters.SetFileInformation.FileInformationClass == FileEndOfFileInformation
            || (uint64_t)((PLARGE_INTEGER)buf)->QuadPart < EmuViewSize(file, n)) {
            if (file->Transaction != NULL) {
                EmuTxMakeView(file, n);
                if (EmuTxOwnView(file, n)) {
                    EmuBufResize(&n->TxData, &n->TxSize, &n->TxCapacity, (uint64_t)((PLARGE_INTEGER)buf)->QuadPart);
                    return STATUS_SUCCESS;
                }
            }
            EmuTruncate(n, (uint64_t)((PLARGE_INTEGER)buf)->QuadPart);
        }
        return STATUS_SUCCESS;
    case FileBasicInformation: {
        if (len < sizeof(FILE_BASIC_INFORMATION)) return STATUS_INFO_LENGTH_MISMATCH;
        if (!(file->Granted & FILE_WRITE_ATTRIBUTES)) return STATUS_ACCESS_DENIED;
        PFILE_BASIC_INFORMATION b = buf;
        if (b->FileAttributes != 0) {
            n->Attributes = (b->FileAttributes & FILE_ATTRIBUTE_VALID_FLAGS & ~(FILE_ATTRIBUTE_NORMAL | FILE_ATTRIBUTE_DIRECTORY))
                          | (n->IsDirectory ? FILE_ATTRIBUTE_DIRECTORY : 0);
        }
        if (b->CreationTime.QuadPart > 0) n->Times[0] = b->CreationTime;
        if (b->LastAccessTime.QuadPart > 0) n->Times[1] = b->LastAccessTime;
        if (b->LastWriteTime.QuadPart > 0) n->Times[2] = b->LastWriteTime;
        if (b->ChangeTime.QuadPart > 0) n->Times[3] = b->ChangeTime;
        return STATUS_SUCCESS;
    }
    case FilePositionInformation:
        if (len < sizeof(FILE_POSITION_INFORMATION)) return STATUS_INFO_LENGTH_MISMATCH;
        file->Fo.CurrentByteOffset = ((PFILE_POSITION_INFORMATION)buf)->CurrentByteOffset;
        return STATUS_SUCCESS;
    case FileDispositionInformation:
    case FileDispositionInformationEx: {
        int ex = op->Iopb.Parameters.SetFileInformation.FileInformationClass == FileDispositionInformationEx;
        if (len < (ex ? sizeof(ULONG) : sizeof(BOOLEAN))) return STATUS_INFO_LENGTH_MISMATCH;
        int del = ex ? (((PFILE_DISPOSITION_INFORMATION_EX)buf)->Flags & FILE_DISPOSITION_DELETE) != 0
                     : ((PFILE_DISPOSITION_INFORMATION)buf)->DeleteFile != 0;
        if (!(file->Granted & DELETE)) return STATUS_ACCESS_DENIED;
        if (del) {
            if (n == op->Volume->Fs.Root) return STATUS_CANNOT_DELETE;
            if ((n->Attributes & FILE_ATTRIBUTE_READONLY)
                && !(ex && (((PFILE_DISPOSITION_INFORMATION_EX)buf)->Flags & FILE_DISPOSITION_IGNORE_READONLY_ATTRIBUTE))) {
                return STATUS_CANNOT_DELETE;
            }
            if (n->IsDirectory && n->Child != NULL) return STATUS_DIRECTORY_NOT_EMPTY;
        }
        if (file->Transaction != NULL) {
            /* The locking transaction's disposition (its DELETE access made it the transacted writer). */
            if (n->TxWriter != file->Transaction || n->LinkCount > 0 || n->IsDirectory) return STATUS_NOT_SUPPORTED;
            n->TxDeletePending = del;
            file->Fo.DeletePending = (BOOLEAN)del;
            return STATUS_SUCCESS;
        }
        n->DeletePending = del;
        n->DeleteEntry = del ? (file->Entry != NULL ? file->Entry : n) : NULL;
        file->Fo.DeletePending = (BOOLEAN)del;
        return STATUS_SUCCESS;
    }
    case FileRenameInformation:
    case FileRenameInformationEx:
    case FileRenameInformationBypassAccessCheck:
    case FileRenameInformationExBypassAccessCheck:
    case FileLinkInformation:
    case FileLinkInformationEx:
    case FileLinkInformationBypassAccessCheck:
    case FileLinkInformationExBypassAccessCheck: {
        /* The destination was resolved before the lock (EmuFsDispatch). */
        FILE_INFORMATION_CLASS c = op->Iopb.Parameters.SetFileInformation.FileInformationClass;
        int ex = c == FileRenameInformationEx || c == FileRenameInformationExBypassAccessCheck
              || c == FileLinkInformationEx || c == FileLinkInformationExBypassAccessCheck;
        int link = c == FileLinkInformation || c == FileLinkInformationEx
                || c == FileLinkInformationBypassAccessCheck || c == FileLinkInformationExBypassAccessCheck;
        PFILE_RENAME_INFORMATION ri = buf;
        int replace = ex ? (ri->Flags & FILE_RENAME_REPLACE_IF_EXISTS) != 0 : ri->ReplaceIfExists != 0;
        if (!NT_SUCCESS(dest->Status)) {
            return dest->Status;
        }
        return EmuFsRenameOrLink(&op->Volume->Fs, file, dest->Path, dest->Chars, replace, link);
    }
    default:
        return STATUS_INVALID_INFO_CLASS;
    }
}

static NTSTATUS EmuFsQueryInfo(EMU_CBD *op, EMU_FILE *file, ULONG_PTR *written)
{
    EMU_NODE *n = file->Node;
    PVOID buf = op->Iopb.Parameters.QueryFileInformation.InfoBuffer;
    ULONG len = op->Iopb.Parameters.QueryFileInformation.Length;
    switch (op->Iopb.Parameters.QueryFileInformation.FileInformationClass) {
    case FileHardLinkInformation:
        return EmuFsQueryHardLinks(n, buf, len, written);      /* emu_dirquery.c */
    case FileBasicInformation: {
        if (len < sizeof(FILE_BASIC_INFORMATION)) return STATUS_INFO_LENGTH_MISMATCH;
        PFILE_BASIC_INFORMATION b = buf;
        memset(b, 0, sizeof(*b));
        b->CreationTime = n->Times[0]; b->LastAccessTime = n->Times[1]; b->LastWriteTime = n->Times[2]; b->ChangeTime = n->Times[3];
        b->FileAttributes = n->Attributes;
        *written = sizeof(*b);
        return STATUS_SUCCESS;
    }
    case FileStandardInformation: {
        if (len < sizeof(FILE_STANDARD_INFORMATION)) return STATUS_INFO_LENGTH_MISMATCH;
        PFILE_STANDARD_INFORMATION s = buf;
        memset(s, 0, sizeof(*s));
        s->AllocationSize.QuadPart = (LONGLONG)((EmuViewSize(file, n) + 4095) & ~4095ull);
        s->EndOfFile.QuadPart = (LONGLONG)EmuViewSize(file, n);
        s->NumberOfLinks = 1 + (ULONG)n->LinkCount;
        s->DeletePending = (BOOLEAN)n->DeletePending;
        s->Directory = (BOOLEAN)n->IsDirectory;
        *written = sizeof(*s);
        return STATUS_SUCCESS;
    }
    case FilePositionInformation:
        if (len < sizeof(FILE_POSITION_INFORMATION)) return STATUS_INFO_LENGTH_MISMATCH;
        ((PFILE_POSITION_INFORMATION)buf)->CurrentByteOffset = file->Fo.CurrentByteOffset;
        *written = sizeof(FILE_POSITION_INFORMATION);
        return STATUS_SUCCESS;
    case FileIdInformation: {
        /* The 64-bit id in the low half (NTFS's file ids fit in 64 bits), the volume's id as serial number. */
        if (len < sizeof(FILE_ID_INFORMATION)) return STATUS_INFO_LENGTH_MISMATCH;
        PFILE_ID_INFORMATION fi = buf;
        memset(fi, 0, sizeof(*fi));
        fi->VolumeSerialNumber = (ULONGLONG)op->Volume->Id;
        memcpy(fi->FileId.Identifier, &n->Id, sizeof(n->Id));
        *written = sizeof(*fi);
        return STATUS_SUCCESS;
    }
    case FileInternalInformation:
        if (len < sizeof(FILE_INTERNAL_INFORMATION)) return STATUS_INFO_LENGTH_MISMATCH;
        ((PFILE_INTERNAL_INFORMATION)buf)->IndexNumber.QuadPart = (LONGLONG)n->Id;
        *written = sizeof(FILE_INTERNAL_INFORMATION);
        return STATUS_SUCCESS;
    case FileAttributeTagInformation:
        if (len < sizeof(FILE_ATTRIBUTE_TAG_INFORMATION)) return STATUS_INFO_LENGTH_MISMATCH;
        ((PFILE_ATTRIBUTE_TAG_INFORMATION)buf)->FileAttributes = n->Attributes;
        ((PFILE_ATTRIBUTE_TAG_INFORMATION)buf)->ReparseTag = 0;
        *written = sizeof(FILE_ATTRIBUTE_TAG_INFORMATION);
        return STATUS_SUCCESS;
    case FileNetworkOpenInformation: {
        if (len < sizeof(FILE_NETWORK_OPEN_INFORMATION)) return STATUS_INFO_LENGTH_MISMATCH;
        PFILE_NETWORK_OPEN_INFORMATION o = buf;
        memset(o, 0, sizeof(*o));
        o->CreationTime = n->Times[0]; o->LastAccessTime = n->Times[1]; o->LastWriteTime = n->Times[2]; o->ChangeTime = n->Times[3];
        o->AllocationSize.QuadPart = (LONGLONG)((EmuViewSize(file, n) + 4095) & ~4095ull);
        o->EndOfFile.QuadPart = (LONGLONG)EmuViewSize(file, n);
        o->FileAttributes = n->Attributes;
        *written = sizeof(*o);
        return STATUS_SUCCESS;
    }
    case FileNameInformation:
    case FileNormalizedNameInformation: {
        if (len < FIELD_OFFSET(FILE_NAME_INFORMATION, FileName)) return STATUS_INFO_LENGTH_MISMATCH;
        WCHAR path[EMU_MAX_PATH];
        size_t chars = EmuNodePath(n, path, RTL_NUMBER_OF(path));
        PFILE_NAME_INFORMATION ni = buf;
        ni->FileNameLength = (ULONG)(chars * 2);
        ULONG room = len - (ULONG)FIELD_OFFSET(FILE_NAME_INFORMATION, FileName);
        ULONG copy = ni->FileNameLength < room ? ni->FileNameLength : room;
        memcpy(ni->FileName, path, copy);
        *written = FIELD_OFFSET(FILE_NAME_INFORMATION, FileName) + copy;
        return copy < ni->FileNameLength ? STATUS_BUFFER_OVERFLOW : STATUS_SUCCESS;
    }
    default:
        return STATUS_INVALID_INFO_CLASS;
    }
}

void EmuFsCleanup(EMU_FILE *file)
{
    EMU_NODE *n = file->Node;
    if (n == NULL || file->CleanedUp) {
        return;
    }
    file->CleanedUp = 1;
    file->Fo.Flags |= FO_CLEANUP_COMPLETE;
    if (file->Volume->Fs.LockedBy == file) {
        file->Volume->Fs.LockedBy = NULL;      /* a volume lock ends with its handle */
    }
    EmuShareAdd(n, file, -1);
    if (file->TxCounted) {
        file->TxCounted = 0;
        n->TxOpens--;
    }
    if (file->Transaction != NULL && n->TxWriter == file->Transaction) {
        /* A transacted delete: the file goes for the transaction now, for everyone at the commit. */
        if (file->Options & FILE_DELETE_ON_CLOSE) {
            n->TxDeletePending = 1;
        }
        if (n->TxDeletePending && n->TxOpens == 0) {
            n->TxDeleted = 1;
        }
        return;
    }
    if (file->Options & FILE_DELETE_ON_CLOSE) {
        n->DeletePending = 1;
        n->DeleteEntry = file->Entry != NULL ? file->Entry : n;
    }
    /* The last handle's cleanup removes the name the delete named (the file goes with its last name). */
    if (n->DeletePending && !n->Deleted && n->ShareOpens == 0
        && EmuNodeDropName(&file->Volume->Fs, n->DeleteEntry != NULL ? n->DeleteEntry : n)) {
        n->Deleted = 1;
    }
}

void EmuFsClose(EMU_FILE *file)
{
    /* Called without the lock: stream context cleanup callbacks run here. */
    EmuLock();
    EMU_NODE *n = file->Node;
    if (n == NULL) {
        EmuUnlock();
        return;
    }
    if (!file->CleanedUp) {
        EmuFsCleanup(file);
    }
    file->Node = NULL;
    file->Fo.FsContext = NULL;
    int last = --n->OpenCount <= 0;
    if (last && n->DeletePending && !n->Deleted
        && EmuNodeDropName(&file->Volume->Fs, n->DeleteEntry != NULL ? n->DeleteEntry : n)) {
        n->Deleted = 1;
    }
    int freeIt = last && n->Deleted && !n->InGraveyard;
    EmuUnlock();
    if (last) {
        /* The stream is torn down with its last file object: stream contexts go with it. */
        EmuContextsOnNodeDelete(n);
    }
    if (freeIt) {
        EmuNodeFree(n);
    }
}

/* An MDL read's MDL: it locks pages of THIS volume's cache, so only this volume's file system may take it back. */
typedef struct EMU_MDL_BOX {
    MDL Mdl;
    PFLT_VOLUME Volume;
    LIST_ENTRY Link;
    uint8_t Data[];
} EMU_MDL_BOX;
static LIST_ENTRY g_mdls = { &g_mdls, &g_mdls };

void EmuFsMdlReset(void)
{
    EmuLock();
    while (!IsListEmpty(&g_mdls)) {
        EMU_MDL_BOX *b = CONTAINING_RECORD(RemoveHeadList(&g_mdls), EMU_MDL_BOX, Link);
        free(b);
    }
    EmuUnlock();
}

/* IRP_MN_MDL / IRP_MN_COMPLETE_MDL reads (lock held). */
static NTSTATUS EmuFsMdlRead(EMU_CBD *op, EMU_FILE *file, EMU_NODE *n, ULONG_PTR *information)
{
    if ((op->Iopb.MinorFunction & IRP_MN_COMPLETE) != 0) {
        PMDL m = op->Iopb.Parameters.Read.MdlAddress;
        EMU_MDL_BOX *found = NULL;
        for (PLIST_ENTRY e = g_mdls.Flink; e != &g_mdls; e = e->Flink) {
            if (&CONTAINING_RECORD(e, EMU_MDL_BOX, Link)->Mdl == m) {
                found = CONTAINING_RECORD(e, EMU_MDL_BOX, Link);
            }
        }
        if (found == NULL) {
            EmuUnlock();
            EmuViolation("IRP_MN_COMPLETE_MDL on %s with an MDL (%p) no MDL read handed out", file->Hdr.Name, (void *)m);
            EmuLock();
            return STATUS_INVALID_PARAMETER;
        }
        if (found->Volume != op->Volume) {
            char owner[120];
            snprintf(owner, sizeof(owner), "%s", found->Volume->Hdr.Name);
            EmuUnlock();
            EmuViolation("IRP_MN_COMPLETE_MDL: an MDL from the cache of %s was given back to the file system of %s (the pages stay locked there)",
                         owner, op->Volume->Hdr.Name);
            EmuLock();
            return STATUS_INVALID_PARAMETER;
        }
        RemoveEntryList(&found->Link);
        free(found);
        return STATUS_SUCCESS;
    }
    LARGE_INTEGER off = op->Iopb.Parameters.Read.ByteOffset;
    if (n->IsDirectory) {
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    if (off.QuadPart < 0) {
        return STATUS_INVALID_PARAMETER;
    }
    if ((uint64_t)off.QuadPart >= n->Size) {
        return STATUS_END_OF_FILE;
    }
    uint64_t count = n->Size - (uint64_t)off.QuadPart;
    if (count > op->Iopb.Parameters.Read.Length) {
        count = op->Iopb.Parameters.Read.Length;
    }
    EMU_MDL_BOX *b = calloc(1, sizeof(*b) + (size_t)count);
    memcpy(b->Data, n->Data + off.QuadPart, (size_t)count);
    b->Mdl.MappedSystemVa = b->Data;
    b->Mdl.ByteCount = (ULONG)count;
    b->Volume = op->Volume;
    InsertTailList(&g_mdls, &b->Link);
    op->ReturnedMdl = &b->Mdl;
    *information = (ULONG_PTR)count;
    file->Fo.CurrentByteOffset.QuadPart = off.QuadPart + (LONGLONG)count;
    return STATUS_SUCCESS;
}

/* FSCTL_SET_ZERO_DATA (lock held): zeroes [FileOffset, BeyondFinalZero) within the file. */
static NTSTATUS EmuFsZeroData(EMU_CBD *op, EMU_NODE *n)
{
    PFILE_ZERO_DATA_INFORMATION z = op->Iopb.Parameters.FileSystemControl.Buffered.SystemBuffer;
    if (z == NULL || op->Iopb.Parameters.FileSystemControl.Buffered.InputBufferLength < sizeof(*z) ||
        z->FileOffset.QuadPart < 0 || z->BeyondFinalZero.QuadPart < z->FileOffset.QuadPart) {
        return STATUS_INVALID_PARAMETER;
    }
    uint64_t from = (uint64_t)z->FileOffset.QuadPart, to = (uint64_t)z->BeyondFinalZero.QuadPart;
    if (to > n->Size) {
        to = n->Size;
    }
    if (from < to) {
        memset(n->Data + from, 0, (size_t)(to - from));
    }
    return STATUS_SUCCESS;
}

static NTSTATUS EmuFsControl(EMU_CBD *op, EMU_NODE *n)
{
    EMU_FILE *file = EMU_FILE_FROM_FO(op->Iopb.TargetFileObject);
    EMU_FS *fs = &op->Volume->Fs;
    switch (op->Iopb.Parameters.FileSystemControl.Common.FsControlCode) {
    case FSCTL_LOCK_VOLUME:
        /* Through a volume open only; not while another handle on the volume is open (NTFS: "in use"),
         * nor while locked. */
        if (!(file->Fo.Flags & FO_VOLUME_OPEN)) {
            return STATUS_INVALID_PARAMETER;
        }
        if (fs->LockedBy != NULL || EmuVolumeOpenHandles(op->Volume, file) > 0) {
            return STATUS_ACCESS_DENIED;
        }
        fs->LockedBy = file;
        return STATUS_SUCCESS;
    case FSCTL_UNLOCK_VOLUME:
        if (!(file->Fo.Flags & FO_VOLUME_OPEN)) {
            return STATUS_INVALID_PARAMETER;
        }
        if (fs->LockedBy != file) {
            return STATUS_NOT_LOCKED;
        }
        fs->LockedBy = NULL;
        return STATUS_SUCCESS;
    case FSCTL_GET_OBJECT_ID:
        /* No file here has an object id (NTFS creates one only on FSCTL_CREATE_OR_GET_OBJECT_ID / SET). */
        return op->Iopb.Parameters.FileSystemControl.Buffered.OutputBufferLength < sizeof(FILE_OBJECTID_BUFFER)
               ? STATUS_INVALID_PARAMETER : STATUS_OBJECTID_NOT_FOUND;
    case FSCTL_SET_ZERO_DATA:
        return n->IsDirectory ? STATUS_INVALID_PARAMETER : EmuFsZeroData(op, n);
    case FSCTL_REQUEST_OPLOCK_LEVEL_1:
    case FSCTL_REQUEST_OPLOCK_LEVEL_2:
    case FSCTL_REQUEST_BATCH_OPLOCK:
    case FSCTL_REQUEST_FILTER_OPLOCK:
    case FSCTL_REQUEST_OPLOCK:
        return STATUS_SUCCESS;      /* granted; breaks are not emulated */
    default:
        return STATUS_INVALID_DEVICE_REQUEST;
    }
}

/* IRP_MJ_DIRECTORY_CONTROL / IRP_MN_QUERY_DIRECTORY: emu_dirquery.c. */

void EmuFsDispatch(EMU_CBD *op)
{
    PIO_STATUS_BLOCK io = &op->Data.IoStatus;
    PFILE_OBJECT fo = op->Iopb.TargetFileObject;
    if (!EmuIsFileObject(fo)) {
        EmuViolation("the file system received a TargetFileObject (%p) that is not a file object", (void *)fo);
        io->Status = STATUS_INVALID_PARAMETER;
        io->Information = 0;
        return;
    }
    EMU_FILE *file = EMU_FILE_FROM_FO(fo);
    if (file->Volume != op->Volume) {
        EmuViolation("the file system of %s received a file object of %s", op->Volume->Hdr.Name, file->Volume->Hdr.Name);
        io->Status = STATUS_INVALID_PARAMETER;
        io->Information = 0;
        return;
    }
    /* The buffer of a read, write or directory query: its MDL when it has one (emu_buffers.c). */
    PVOID iobuf = NULL;
    NTSTATUS bufStatus = EmuFsIoBuffer(op, &iobuf);
    if (!NT_SUCCESS(bufStatus)) {
        io->Status = bufStatus;
        io->Information = 0;
        return;
    }
    EMU_DEST *dest = NULL;
    if (op->Iopb.MajorFunction == IRP_MJ_SET_INFORMATION && EmuIsNameClass(op->Iopb.Parameters.SetFileInformation.FileInformationClass)) {
        /* Where the new name goes (it takes the lock and handle table itself). */
        PFILE_RENAME_INFORMATION ri = op->Iopb.Parameters.SetFileInformation.InfoBuffer;
        dest = calloc(1, sizeof(*dest));
        dest->Status = EmuFsNameBuffer(ri, op->Iopb.Parameters.SetFileInformation.Length);
        if (NT_SUCCESS(dest->Status)) {
            /* The I/O manager resolved RootDirectory in the caller's context before the IRP was sent (NULL: no context check). */
            dest->Status = EmuFsDestination(file, ri->RootDirectory, ri->FileName, ri->FileNameLength / sizeof(WCHAR),
                                            dest->Path, RTL_NUMBER_OF(dest->Path), &dest->Chars, NULL);
        }
    }
    UCHAR major = op->Iopb.MajorFunction;
    if (file->Transaction != NULL && major != IRP_MJ_CLEANUP && major != IRP_MJ_CLOSE) {
        NTSTATUS refused = STATUS_SUCCESS;
        if (!EmuTransactionActive(file->Transaction)) {
            refused = STATUS_TRANSACTION_NOT_ACTIVE;        /* the transaction ended: its handles are spent */
        } else if ((major == IRP_MJ_SET_INFORMATION
                    && op->Iopb.Parameters.SetFileInformation.FileInformationClass != FileDispositionInformation
                    && op->Iopb.Parameters.SetFileInformation.FileInformationClass != FileDispositionInformationEx
                    && op->Iopb.Parameters.SetFileInformation.FileInformationClass != FileEndOfFileInformation
                    && op->Iopb.Parameters.SetFileInformation.FileInformationClass != FileAllocationInformation
                    && op->Iopb.Parameters.SetFileInformation.FileInformationClass != FilePositionInformation)
                   || (major == IRP_MJ_FILE_SYSTEM_CONTROL
                       && op->Iopb.Parameters.FileSystemControl.Common.FsControlCode == FSCTL_SET_ZERO_DATA)
                   || (major == IRP_MJ_READ && (op->Iopb.MinorFunction & IRP_MN_MDL) != 0)) {
            refused = STATUS_NOT_SUPPORTED;                 /* not emulated in a transaction (see above) */
        }
        if (refused != STATUS_SUCCESS) {
            free(dest);
            io->Status = refused;
            io->Information = 0;
            return;
        }
    }
    EmuLock();
    if (op->Iopb.MajorFunction == IRP_MJ_CREATE) {
        EmuFsCreate(op);
        EmuUnlock();
        return;
    }
    if (file->Node == NULL) {
        EmuUnlock();
        free(dest);
        io->Status = STATUS_FILE_CLOSED;
        io->Information = 0;
        return;
    }
    EMU_NODE *n = file->Node;
    io->Information = 0;
    if ((n->Deleted || (file->Transaction != NULL && n->TxWriter == file->Transaction && n->TxDeleted))
        && op->Iopb.MajorFunction != IRP_MJ_CLEANUP && op->Iopb.MajorFunction != IRP_MJ_CLOSE) {
        /* The file went with its last handle's cleanup (delete pending or FILE_DELETE_ON_CLOSE): as NTFS
         * answers for a file object still referenced, every other request fails. */
        EmuUnlock();
        free(dest);
        io->Status = STATUS_FILE_DELETED;
        return;
    }
    switch (op->Iopb.MajorFunction) {
    case IRP_MJ_READ: {
        if ((op->Iopb.MinorFunction & IRP_MN_MDL) != 0) {
            ULONG_PTR information = 0;
            io->Status = EmuFsMdlRead(op, file, n, &information);
            io->Information = information;
            break;
        }
        LARGE_INTEGER off = op->Iopb.Parameters.Read.ByteOffset;
        if (off.LowPart == FILE_USE_FILE_POINTER_POSITION && off.HighPart == -1) {
            off = file->Fo.CurrentByteOffset;
        }
        uint64_t size = EmuViewSize(file, n);
        if (n->IsDirectory) {
            io->Status = STATUS_INVALID_DEVICE_REQUEST;
        } else if (off.QuadPart < 0) {
            io->Status = STATUS_INVALID_PARAMETER;
        } else if ((uint64_t)off.QuadPart >= size) {
            io->Status = STATUS_END_OF_FILE;
        } else {
            uint64_t count = size - (uint64_t)off.QuadPart;
            if (count > op->Iopb.Parameters.Read.Length) {
                count = op->Iopb.Parameters.Read.Length;
            }
            memcpy(iobuf, EmuViewData(file, n) + off.QuadPart, (size_t)count);
            io->Status = STATUS_SUCCESS;
            io->Information = (ULONG_PTR)count;
            file->Fo.CurrentByteOffset.QuadPart = off.QuadPart + (LONGLONG)count;
        }
        break;
    }
    case IRP_MJ_WRITE: {
        LARGE_INTEGER off = op->Iopb.Parameters.Write.ByteOffset;
        ULONG length = op->Iopb.Parameters.Write.Length;
        EmuTxMakeView(file, n);            /* the locking transaction writes into its own view */
        if (off.LowPart == FILE_WRITE_TO_END_OF_FILE && off.HighPart == -1) {
            off.QuadPart = (LONGLONG)EmuViewSize(file, n);
        } else if (off.LowPart == FILE_USE_FILE_POINTER_POSITION && off.HighPart == -1) {
            off = file->Fo.CurrentByteOffset;
        }
        if (n->IsDirectory) {
            io->Status = STATUS_INVALID_DEVICE_REQUEST;
        } else if (off.QuadPart < 0 || off.QuadPart + (LONGLONG)length > (1LL << 31)) {
            io->Status = STATUS_INVALID_PARAMETER;
        } else {
            if (EmuTxOwnView(file, n)) {
                if ((uint64_t)off.QuadPart + length > n->TxSize) {
                    EmuBufResize(&n->TxData, &n->TxSize, &n->TxCapacity, (uint64_t)off.QuadPart + length);
                }
            } else if ((uint64_t)off.QuadPart + length > n->Size) {
                EmuTruncate(n, (uint64_t)off.QuadPart + length);
            }
            memcpy(EmuViewData(file, n) + off.QuadPart, iobuf, length);
            n->Times[2].QuadPart = (LONGLONG)EmuSystemTime100ns();
            io->Status = STATUS_SUCCESS;
            io->Information = length;
            file->Fo.CurrentByteOffset.QuadPart = off.QuadPart + length;
            file->Fo.Flags |= FO_FILE_MODIFIED;
        }
        break;
    }
    case IRP_MJ_QUERY_INFORMATION: {
        ULONG_PTR written = 0;
        io->Status = EmuFsQueryInfo(op, file, &written);
        io->Information = written;
        break;
    }
    case IRP_MJ_SET_INFORMATION:
        io->Status = EmuFsSetInfo(op, file, dest);
        break;
    case IRP_MJ_FLUSH_BUFFERS:
        io->Status = STATUS_SUCCESS;
        break;
    case IRP_MJ_LOCK_CONTROL:
        io->Status = STATUS_SUCCESS;                /* byte-range locks are granted, not enforced */
        break;
    case IRP_MJ_DIRECTORY_CONTROL: {
        ULONG_PTR written = 0;
        io->Status = EmuFsQueryDirectory(op, file, n, iobuf, &written);
        io->Information = written;
        break;
    }
    case IRP_MJ_FILE_SYSTEM_CONTROL:
        io->Status = EmuFsControl(op, n);
        break;
    case IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION:
        io->Status = n->IsDirectory ? STATUS_INVALID_PARAMETER : STATUS_SUCCESS;
        break;
    case IRP_MJ_CLEANUP:
        EmuFsCleanup(file);
        io->Status = STATUS_SUCCESS;
        break;
    case IRP_MJ_CLOSE:
        EmuUnlock();
        EmuFsClose(file);
        io->Status = STATUS_SUCCESS;
        return;
    default:
        io->Status = STATUS_INVALID_DEVICE_REQUEST;
        break;
    }
    EmuUnlock();
    free(dest);
}

/* ---- control: direct access to the file systems (no filters) ---- */
static PFLT_VOLUME EmuVolumeForControl(int32_t volumeId, const char *path, WCHAR *wpath, size_t cap)
{
    PFLT_VOLUME v = EmuVolumeById(volumeId);
    if (v == NULL || path == NULL) {
        return NULL;
    }
    EmuUtf8ToWide(path, wpath, cap);
    return v;
}

int32_t EmuFsExists(int32_t volumeId, const char *path)
{
    WCHAR w[EMU_MAX_PATH];
    PFLT_VOLUME v = EmuVolumeForControl(volumeId, path, w, RTL_NUMBER_OF(w));
    if (v == NULL) {
        return 0;
    }
    EmuLock();
    EMU_NODE *n = EmuNodeFile(EmuFsLookup(&v->Fs, w, EmuWcsLen(w), NULL, NULL, NULL));
    int r = n == NULL ? 0 : n->IsDirectory ? 2 : 1;
    EmuUnlock();
    return r;
}

int64_t EmuFsRead(int32_t volumeId, const char *path, void *buffer, uint32_t capacity)
{
    WCHAR w[EMU_MAX_PATH];
    PFLT_VOLUME v = EmuVolumeForControl(volumeId, path, w, RTL_NUMBER_OF(w));
    if (v == NULL) {
        return -1;
    }
    EmuLock();
    EMU_NODE *n = EmuNodeFile(EmuFsLookup(&v->Fs, w, EmuWcsLen(w), NULL, NULL, NULL));
    int64_t r = -1;
    if (n != NULL && !n->IsDirectory) {
        r = (int64_t)n->Size;
        if (buffer != NULL && n->Size > 0) {
            memcpy(buffer, n->Data, (size_t)(n->Size < capacity ? n->Size : capacity));
        }
    }
    EmuUnlock();
    return r;
}

int32_t EmuFsPut(int32_t volumeId, const char *path, const void *data, uint32_t length, int32_t isDirectory)
{
    WCHAR w[EMU_MAX_PATH];
    PFLT_VOLUME v = EmuVolumeForControl(volumeId, path, w, RTL_NUMBER_OF(w));
    if (v == NULL) {
        return (int32_t)STATUS_INVALID_PARAMETER;
    }
    EmuLock();
    EMU_NODE *parent;
    const WCHAR *leaf;
    size_t leafChars;
    EMU_NODE *n = EmuNodeFile(EmuFsLookup(&v->Fs, w, EmuWcsLen(w), &parent, &leaf, &leafChars));
    NTSTATUS s = STATUS_SUCCESS;
    if (n == NULL && (parent == NULL || leafChars == 0)) {
        s = STATUS_OBJECT_PATH_NOT_FOUND;
    } else {
        if (n == NULL) {
            n = EmuNodeNew(&v->Fs, parent, leaf, leafChars, isDirectory != 0, 0);
        }
        if (!n->IsDirectory) {
            EmuTruncate(n, 0);
            EmuTruncate(n, length);
            if (length > 0) {
                memcpy(n->Data, data, length);
            }
        }
    }
    EmuUnlock();
    return (int32_t)s;
}

NTSTATUS FltIsDirectory(PFILE_OBJECT FileObject, PFLT_INSTANCE Instance, PBOOLEAN IsDirectory)
{
    UNREFERENCED_PARAMETER(Instance);
    EmuRequireIrql("FltIsDirectory", APC_LEVEL);
    if (!EmuIsFileObject(FileObject) || IsDirectory == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    EMU_FILE *f = EMU_FILE_FROM_FO(FileObject);
    EmuLock();
    EMU_NODE *n = f->Node;
    *IsDirectory = (BOOLEAN)(n != NULL && n->IsDirectory);
    EmuUnlock();
    return n != NULL ? STATUS_SUCCESS : STATUS_FILE_CLOSED;
}
