/*
 * emu_dirquery.c - directory enumeration: what the emulated file system does
 * for IRP_MJ_DIRECTORY_CONTROL / IRP_MN_QUERY_DIRECTORY, and the name match it
 * uses, FsRtlIsNameInExpression.
 *
 * The query follows [MS-FSA] 2.1.5.6.3 "Directory Information Queries" and the
 * ZwQueryDirectoryFile / NtQueryDirectoryFileEx / FLT_PARAMETERS documentation:
 *  - the file object keeps the pattern of its first query (an empty FileName
 *    means "*") for every later query; a later query replaces it only with a
 *    non-empty FileName and SL_RESTART_SCAN;
 *  - the scan resumes after the last entry returned on that file object
 *    (SL_RESTART_SCAN: from the beginning), in the directory's order, which is
 *    NTFS's: names compared in upper case;
 *  - SL_RETURN_SINGLE_ENTRY: at most one entry;
 *  - as many whole entries (each 8-byte aligned, NextEntryOffset chaining
 *    them, 0 in the last) as fit; when not even the first fits, its fixed part
 *    and as much of its name as fits, STATUS_BUFFER_OVERFLOW (FileNameLength
 *    still the whole name's), and the entry counts as returned;
 *  - a buffer smaller than the class's fixed part: STATUS_INFO_LENGTH_MISMATCH;
 *    a class that is not a directory class: STATUS_INVALID_INFO_CLASS;
 *    not a directory: STATUS_INVALID_PARAMETER; a pattern that is not a valid
 *    name component (wildcards allowed): STATUS_OBJECT_NAME_INVALID;
 *  - nothing returned: STATUS_NO_SUCH_FILE on a file object's first query with
 *    a pattern that is not "*", STATUS_NO_MORE_FILES otherwise (FastFat's rule:
 *    an empty directory listed with "*" has no more files, a name that is not
 *    there is no such file).
 * SL_NO_CURSOR_UPDATE: a scan from the beginning that leaves the file object's
 * pattern and position alone (wdm.h's description). SL_RETURN_ON_DISK_ENTRIES_ONLY
 * changes nothing (it is for virtualizing filters above). NtQueryDirectoryFileEx
 * (the control API) refuses flags outside SL_QUERY_DIRECTORY_MASK, so
 * SL_INDEX_SPECIFIED comes only in a filter's own IRP.
 * FileIndex is 0 in every entry and SL_INDEX_SPECIFIED is ignored, as [MS-FSA]
 * allows and NTFS does (an entry's position is not fixed). Not emulated: the
 * "." and ".." entries NTFS and FAT return for a subdirectory, short (8.3)
 * names (ShortNameLength 0, as on a volume with short names disabled), EAs
 * (EaSize 0). Runs under the emulator lock (EmuFsDispatch).
 */
#include "emu_internal.h"

/* ---- FsRtlIsNameInExpression ---- */

static WCHAR EmuExprUpcase(WCHAR c, const WCHAR *table) { return table != NULL ? table[c] : EmuUpcase(c); }

/*
 * Does expression e (upper case when ignoreCase) match name n? A table
 * m[i][j] = "e[i..] matches n[j..]", filled from the ends:
 *   '*'       zero or more characters;
 *   '?'       exactly one character;
 *   DOS_STAR  zero or more characters, but not the name's last '.';
 *   DOS_QM    one character other than '.', or nothing at a '.' or the end
 *             (so a run of DOS_QMs stops at the '.' or the end);
 *   DOS_DOT   a '.', or nothing at the end of the name;
 *   anything else itself (the name's character upcased when ignoreCase).
 */
int EmuNameInExpression(const WCHAR *e, size_t en, const WCHAR *n, size_t nn, int ignoreCase, const WCHAR *table)
{
    if (en == 0 || nn == 0) {
        return en == 0 && nn == 0;      /* documented: "*" does not match an empty name; two empty strings match */
    }
    size_t lastDot = (size_t)-1;
    for (size_t j = 0; j < nn; j++) {
        if (n[j] == L'.') lastDot = j;
    }
    size_t w = nn + 1;
    unsigned char *m = calloc((en + 1) * w, 1);
    if (m == NULL) {
        return 0;
    }
    m[en * w + nn] = 1;
    for (size_t i = en; i-- > 0;) {
        for (size_t j = nn + 1; j-- > 0;) {
            WCHAR c = e[i];
            int more = j < nn;
            WCHAR x = more ? (ignoreCase ? EmuExprUpcase(n[j], table) : n[j]) : 0;
            int r;
            switch (c) {
            case L'*':
                r = m[(i + 1) * w + j] || (more && m[i * w + j + 1]);
                break;
            case L'?':
                r = more && m[(i + 1) * w + j + 1];
                break;
            case DOS_STAR:
                r = m[(i + 1) * w + j] || (more && j != lastDot && m[i * w + j + 1]);
                break;
            case DOS_QM:
                r = (more && n[j] != L'.') ? m[(i + 1) * w + j + 1] : m[(i + 1) * w + j];
                break;
            case DOS_DOT:
                r = more ? (n[j] == L'.' && m[(i + 1) * w + j + 1]) : m[(i + 1) * w + j];
                break;
            default:
                r = more && c == x && m[(i + 1) * w + j + 1];
                break;
            }
            m[i * w + j] = (unsigned char)r;
        }
    }
    int result = m[0];
    free(m);
    return result;
}

static int EmuIsWildcard(WCHAR c) { return c == L'*' || c == L'?' || c == DOS_STAR || c == DOS_QM || c == DOS_DOT; }

static int EmuUnicodeStringOk(PCUNICODE_STRING s)
{
    return s != NULL && (s->Length % sizeof(WCHAR)) == 0 && s->Length <= s->MaximumLength && (s->Length == 0 || s->Buffer != NULL);
}

/*
 * FsRtlIsNameInExpression (PASSIVE_LEVEL): whether Name matches Expression.
 * The documented contract, checked as violations: both strings valid; with
 * IgnoreCase the Expression already in upper case (the routine upcases only
 * the name, with UpcaseTable when given, else the system's table); Name free
 * of wildcards. An expression with lower-case letters still gets Windows'
 * answer (those letters then match nothing in an upcased name).
 */
BOOLEAN FsRtlIsNameInExpression(PUNICODE_STRING Expression, PUNICODE_STRING Name, BOOLEAN IgnoreCase, PWCH UpcaseTable)
{
    EmuRequireIrql("FsRtlIsNameInExpression", PASSIVE_LEVEL);
    if (!EmuUnicodeStringOk(Expression) || !EmuUnicodeStringOk(Name)) {
        EmuViolation("FsRtlIsNameInExpression: %s is not a valid UNICODE_STRING (NULL, odd Length, Length above MaximumLength or no Buffer)",
                     EmuUnicodeStringOk(Expression) ? "Name" : "Expression");
        return FALSE;
    }
    size_t en = Expression->Length / sizeof(WCHAR), nn = Name->Length / sizeof(WCHAR);
    if (IgnoreCase) {
        for (size_t i = 0; i < en; i++) {
            WCHAR c = Expression->Buffer[i];
            if (EmuExprUpcase(c, UpcaseTable) != c) {
                EmuViolation("FsRtlIsNameInExpression: IgnoreCase is TRUE but the Expression has the lower-case character U+%04X at %zu "
                             "(the expression must be upcased first, e.g. RtlUpcaseUnicodeString, or use FsRtlIsNameInUnUpcasedExpression)",
                             (unsigned)c, i);
                break;
            }
        }
    }
    for (size_t j = 0; j < nn; j++) {
        if (EmuIsWildcard(Name->Buffer[j])) {
            EmuViolation("FsRtlIsNameInExpression: the Name has the wildcard character U+%04X at %zu (a name cannot contain wildcards)",
                         (unsigned)Name->Buffer[j], j);
            break;
        }
    }
    return (BOOLEAN)EmuNameInExpression(Expression->Buffer, en, Name->Buffer, nn, IgnoreCase, UpcaseTable);
}

/* ---- the directory query ---- */

typedef struct EMU_DIR_CLASS {
    FILE_INFORMATION_CLASS Class;
    ULONG Base;             /* FIELD_OFFSET(..., FileName): the fixed part */
    ULONG NameLengthAt;     /* FIELD_OFFSET(..., FileNameLength) */
    int Times;              /* has the times, sizes and attributes of FILE_DIRECTORY_INFORMATION */
    int Ea;                 /* EaSize at FIELD_OFFSET(FILE_FULL_DIR_INFORMATION, EaSize) */
    ULONG FileIdAt;         /* 0: no FileId */
} EMU_DIR_CLASS;

static const EMU_DIR_CLASS g_dirClasses[] = {
    { FileDirectoryInformation, FIELD_OFFSET(FILE_DIRECTORY_INFORMATION, FileName), FIELD_OFFSET(FILE_DIRECTORY_INFORMATION, FileNameLength), 1, 0, 0 },
    { FileFullDirectoryInformation, FIELD_OFFSET(FILE_FULL_DIR_INFORMATION, FileName), FIELD_OFFSET(FILE_FULL_DIR_INFORMATION, FileNameLength), 1, 1, 0 },
    { FileBothDirectoryInformation, FIELD_OFFSET(FILE_BOTH_DIR_INFORMATION, FileName), FIELD_OFFSET(FILE_BOTH_DIR_INFORMATION, FileNameLength), 1, 1, 0 },
    { FileNamesInformation, FIELD_OFFSET(FILE_NAMES_INFORMATION, FileName), FIELD_OFFSET(FILE_NAMES_INFORMATION, FileNameLength), 0, 0, 0 },
    { FileIdBothDirectoryInformation, FIELD_OFFSET(FILE_ID_BOTH_DIR_INFORMATION, FileName), FIELD_OFFSET(FILE_ID_BOTH_DIR_INFORMATION, FileNameLength), 1, 1,
      FIELD_OFFSET(FILE_ID_BOTH_DIR_INFORMATION, FileId) },
    { FileIdFullDirectoryInformation, FIELD_OFFSET(FILE_ID_FULL_DIR_INFORMATION, FileName), FIELD_OFFSET(FILE_ID_FULL_DIR_INFORMATION, FileNameLength), 1, 1,
      FIELD_OFFSET(FILE_ID_FULL_DIR_INFORMATION, FileId) },
};

static size_t EmuNodeNameChars(const EMU_NODE *c)
{
    size_t k = 0;
    while (k < RTL_NUMBER_OF(c->Name) && c->Name[k] != 0) k++;
    return k;
}

/* The directory's order: names compared code unit by code unit in upper case (NTFS's collation). */
static int EmuDirCompare(const WCHAR *a, size_t an, const WCHAR *b, size_t bn)
{
    for (size_t i = 0; i < an && i < bn; i++) {
        WCHAR x = EmuUpcase(a[i]), y = EmuUpcase(b[i]);
        if (x != y) return x < y ? -1 : 1;
    }
    return an == bn ? 0 : (an < bn ? -1 : 1);
}

/* The first entry after the file object's last one (all when it has none) that matches its pattern. */
static EMU_NODE *EmuDirNext(EMU_FILE *file, EMU_NODE *dir)
{
    size_t lastChars = file->QueryHasLast ? EmuWcsLen(file->QueryLast) : 0;
    EMU_NODE *best = NULL;
    size_t bestChars = 0;
    for (EMU_NODE *c = dir->Child; c != NULL; c = c->Next) {
        size_t chars = EmuNodeNameChars(c);
        if (file->QueryHasLast && EmuDirCompare(c->Name, chars, file->QueryLast, lastChars) <= 0) {
            continue;
        }
        if (best != NULL && EmuDirCompare(c->Name, chars, best->Name, bestChars) >= 0) {
            continue;
        }
        if (!EmuNameInExpression(file->QueryPattern, file->QueryPatternChars, c->Name, chars, 1, NULL)) {
            continue;
        }
        best = c;
        bestChars = chars;
    }
    return best;
}

/* A FileName pattern: a valid name component, wildcards allowed ([MS-FSCC] 2.1.5). */
static int EmuPatternValid(const WCHAR *p, size_t chars)
{
    if (chars == 0 || chars > 255) {
        return 0;
    }
    for (size_t i = 0; i < chars; i++) {
        WCHAR c = p[i];
        if (c < 0x20 || c == L'\\' || c == L'/' || c == L':' || c == L'|') {
            return 0;
        }
    }
    return 1;
}

static void EmuDirFill(const EMU_DIR_CLASS *k, uint8_t *entry, EMU_NODE *c)
{
    EMU_NODE *f = c->LinkOf != NULL ? c->LinkOf : c;      /* a hard link's file */
    if (k->Times) {
        PFILE_DIRECTORY_INFORMATION d = (PFILE_DIRECTORY_INFORMATION)entry;
        d->CreationTime = f->Times[0];
        d->LastAccessTime = f->Times[1];
        d->LastWriteTime = f->Times[2];
        d->ChangeTime = f->Times[3];
        d->EndOfFile.QuadPart = f->IsDirectory ? 0 : (LONGLONG)f->Size;
        d->AllocationSize.QuadPart = f->IsDirectory ? 0 : (LONGLONG)((f->Size + 4095) & ~4095ull);
        d->FileAttributes = f->Attributes != 0 ? f->Attributes : FILE_ATTRIBUTE_NORMAL;
    }
    if (k->FileIdAt != 0) {
        ((PLARGE_INTEGER)(entry + k->FileIdAt))->QuadPart = (LONGLONG)f->Id;
    }
}

static NTSTATUS EmuFsQueryDirectoryAt(EMU_CBD *op, EMU_FILE *file, EMU_NODE *dir, void *buffer, ULONG_PTR *written);

/* SL_NO_CURSOR_UPDATE (wdm.h): as if SL_RESTART_SCAN, and the file object's pattern and position stay as they were. */
NTSTATUS EmuFsQueryDirectory(EMU_CBD *op, EMU_FILE *file, EMU_NODE *dir, void *buffer, ULONG_PTR *written)
{
    if (!(op->Iopb.OperationFlags & SL_NO_CURSOR_UPDATE)) {
        return EmuFsQueryDirectoryAt(op, file, dir, buffer, written);
    }
    int started = file->QueryStarted, hasLast = file->QueryHasLast;
    USHORT chars = file->QueryPatternChars;
    WCHAR pattern[RTL_NUMBER_OF(file->QueryPattern)], lastName[RTL_NUMBER_OF(file->QueryLast)];
    memcpy(pattern, file->QueryPattern, sizeof(pattern));
    memcpy(lastName, file->QueryLast, sizeof(lastName));
    UCHAR flags = op->Iopb.OperationFlags;
    op->Iopb.OperationFlags |= SL_RESTART_SCAN;
    NTSTATUS s = EmuFsQueryDirectoryAt(op, file, dir, buffer, written);
    op->Iopb.OperationFlags = flags;
    file->QueryStarted = started;
    file->QueryHasLast = hasLast;
    file->QueryPatternChars = chars;
    memcpy(file->QueryPattern, pattern, sizeof(pattern));
    memcpy(file->QueryLast, lastName, sizeof(lastName));
    return s;
}

static NTSTATUS EmuFsQueryDirectoryAt(EMU_CBD *op, EMU_FILE *file, EMU_NODE *dir, void *buffer, ULONG_PTR *written)
{
    *written = 0;
    if (op->Iopb.MinorFunction != IRP_MN_QUERY_DIRECTORY) {
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    const EMU_DIR_CLASS *k = NULL;
    for (size_t i = 0; i < RTL_NUMBER_OF(g_dirClasses); i++) {
        if (g_dirClasses[i].Class == op->Iopb.Parameters.DirectoryControl.QueryDirectory.FileInformationClass) {
            k = &g_dirClasses[i];
        }
    }
    if (k == NULL) {
        return STATUS_INVALID_INFO_CLASS;
    }
    ULONG length = op->Iopb.Parameters.DirectoryControl.QueryDirectory.Length;
    if (length < k->Base) {
        return STATUS_INFO_LENGTH_MISMATCH;
    }
    if (!dir->IsDirectory) {
        return STATUS_INVALID_PARAMETER;
    }
    if (buffer == NULL) {
        return STATUS_INVALID_USER_BUFFER;
    }
    ULONG flags = op->Iopb.OperationFlags;
    PUNICODE_STRING name = op->Iopb.Parameters.DirectoryControl.QueryDirectory.FileName;
    size_t patternChars = (name != NULL && name->Buffer != NULL) ? name->Length / sizeof(WCHAR) : 0;
    int firstQuery = !file->QueryStarted;
    if (firstQuery || (patternChars > 0 && (flags & SL_RESTART_SCAN))) {
        if (patternChars == 0) {
            file->QueryPattern[0] = L'*';
            file->QueryPatternChars = 1;
        } else {
            if (!EmuPatternValid(name->Buffer, patternChars)) {
                return STATUS_OBJECT_NAME_INVALID;
            }
            for (size_t i = 0; i < patternChars; i++) {
                file->QueryPattern[i] = EmuUpcase(name->Buffer[i]);
            }
            file->QueryPatternChars = (USHORT)patternChars;
        }
        file->QueryPattern[file->QueryPatternChars] = 0;
        file->QueryStarted = 1;
    }
    if (flags & SL_RESTART_SCAN) {
        file->QueryHasLast = 0;
    }
    int matchAll = file->QueryPatternChars == 1 && file->QueryPattern[0] == L'*';
    uint8_t *out = buffer;
    ULONG at = 0, count = 0;
    uint8_t *last = NULL;
    NTSTATUS status = STATUS_SUCCESS;
    for (;;) {
        EMU_NODE *c = EmuDirNext(file, dir);
        if (c == NULL) {
            break;
        }
        ULONG nameBytes = (ULONG)(EmuNodeNameChars(c) * sizeof(WCHAR));
        ULONG copy = nameBytes;
        if ((uint64_t)at + k->Base + nameBytes > length) {
            if (count > 0) {
                break;              /* this entry waits for the next query */
            }
            copy = (length - k->Base) & ~1u;
            status = STATUS_BUFFER_OVERFLOW;
        }
        uint8_t *entry = out + at;
        memset(entry, 0, k->Base);
        EmuDirFill(k, entry, c);
        *(PULONG)(entry + k->NameLengthAt) = nameBytes;
        memcpy(entry + k->Base, c->Name, copy);
        if (last != NULL) {
            *(PULONG)last = (ULONG)(entry - last);      /* NextEntryOffset, the first field of every class */
        }
        last = entry;
        memcpy(file->QueryLast, c->Name, sizeof(file->QueryLast));
        file->QueryHasLast = 1;
        *written = at + k->Base + copy;
        count++;
        if (status == STATUS_BUFFER_OVERFLOW || (flags & SL_RETURN_SINGLE_ENTRY)) {
            break;
        }
        at = (ULONG)((*written + 7u) & ~(ULONG_PTR)7u);
    }
    if (count == 0) {
        return (firstQuery && !matchAll) ? STATUS_NO_SUCH_FILE : STATUS_NO_MORE_FILES;
    }
    return status;
}

/* ---- the control API ---- */

int32_t EmuFileQueryDirectoryEx(uint64_t handle, int32_t infoClass, uint32_t flags, const char *pattern, void *buffer, uint32_t length,
                                uint32_t *returned)
{
    if (returned != NULL) {
        *returned = 0;
    }
    if ((flags & ~(uint32_t)SL_QUERY_DIRECTORY_MASK) != 0 || (buffer == NULL && length != 0)) {
        return (int32_t)STATUS_INVALID_PARAMETER;   /* the I/O manager's check of NtQueryDirectoryFileEx's QueryFlags */
    }
    EMU_FILE *file = EmuFileFromHandle((HANDLE)(ULONG_PTR)handle, NULL);
    if (file == NULL || (handle & 0x80000000u) != 0) {
        return (int32_t)STATUS_INVALID_HANDLE;
    }
    WCHAR wide[512];
    UNICODE_STRING name = { 0, 0, NULL };
    if (pattern != NULL) {
        size_t chars = EmuUtf8ToWide(pattern, wide, RTL_NUMBER_OF(wide));
        name.Buffer = wide;
        name.Length = name.MaximumLength = (USHORT)(chars * sizeof(WCHAR));
    }
    EMU_CBD *op = EmuNewOperation(IRP_MJ_DIRECTORY_CONTROL, file, NULL, 0);
    op->Iopb.MinorFunction = IRP_MN_QUERY_DIRECTORY;
    op->Iopb.IrpFlags = IRP_SYNCHRONOUS_API;
    op->Iopb.OperationFlags = (UCHAR)flags;
    op->Iopb.Parameters.DirectoryControl.QueryDirectory.Length = length;
    op->Iopb.Parameters.DirectoryControl.QueryDirectory.FileName = pattern != NULL ? &name : NULL;
    op->Iopb.Parameters.DirectoryControl.QueryDirectory.FileInformationClass = (FILE_INFORMATION_CLASS)infoClass;
    op->Iopb.Parameters.DirectoryControl.QueryDirectory.DirectoryBuffer = buffer;
    EmuRunOperation(op);
    NTSTATUS s = op->Data.IoStatus.Status;
    if (returned != NULL) {
        *returned = (uint32_t)op->Data.IoStatus.Information;
    }
    EmuFreeOperation(op);
    return (int32_t)s;
}

/*
 * FileHardLinkInformation ([MS-FSCC] 2.4.27.1, FILE_LINKS_INFORMATION): every
 * name of the file - its first name unless that was removed, then its hard
 * links - each with its parent directory's file id. As many entries (8-byte
 * aligned) as fit; BytesNeeded is what all of them take, EntriesReturned how
 * many were returned (0 when none fits), STATUS_BUFFER_OVERFLOW when not all
 * were; a buffer smaller than FILE_LINKS_INFORMATION STATUS_INFO_LENGTH_MISMATCH.
 */
NTSTATUS EmuFsQueryHardLinks(EMU_NODE *file, void *buffer, ULONG length, ULONG_PTR *written)
{
    *written = 0;
    if (length < sizeof(FILE_LINKS_INFORMATION)) {
        return STATUS_INFO_LENGTH_MISMATCH;
    }
    PFILE_LINKS_INFORMATION info = buffer;
    ULONG base = FIELD_OFFSET(FILE_LINK_ENTRY_INFORMATION, FileName);
    ULONG end = FIELD_OFFSET(FILE_LINKS_INFORMATION, Entry), needed = end, count = 0;
    int all = 1;
    PFILE_LINK_ENTRY_INFORMATION last = NULL;
    for (EMU_NODE *name = file->Nameless ? file->Links : file; name != NULL; name = name == file ? file->Links : name->NextLink) {
        ULONG bytes = (ULONG)(EmuNodeNameChars(name) * sizeof(WCHAR));
        ULONG start = (needed + 7u) & ~7u;
        if (needed == (ULONG)FIELD_OFFSET(FILE_LINKS_INFORMATION, Entry)) {
            start = needed;
        }
        needed = start + base + bytes;
        if (!all || (uint64_t)start + base + bytes > length) {
            all = 0;
            continue;
        }
        PFILE_LINK_ENTRY_INFORMATION e = (PFILE_LINK_ENTRY_INFORMATION)((uint8_t *)buffer + start);
        memset(e, 0, base);
        e->ParentFileId = name->Parent != NULL ? (LONGLONG)name->Parent->Id : 0;
        e->FileNameLength = bytes;
        memcpy(e->FileName, name->Name, bytes);
        if (last != NULL) {
            last->NextEntryOffset = (ULONG)((uint8_t *)e - (uint8_t *)last);
        }
        last = e;
        end = start + base + bytes;
        count++;
    }
    info->BytesNeeded = needed;
    info->EntriesReturned = count;
    if (count == 0) {
        memset(&info->Entry, 0, sizeof(info->Entry));
    }
    *written = count == 0 ? FIELD_OFFSET(FILE_LINKS_INFORMATION, Entry) : end;
    return all ? STATUS_SUCCESS : STATUS_BUFFER_OVERFLOW;
}
