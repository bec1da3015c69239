/*
 * Directory queries (emu_dirquery.c): FsRtlIsNameInExpression, and
 * IRP_MN_QUERY_DIRECTORY's pattern, per-file-object position, flags,
 * information classes and buffer rules as [MS-FSA] 2.1.5.6.3 and
 * ZwQueryDirectoryFile document them.
 */
#include "test_filters.h"

static BOOLEAN Match(const WCHAR *expr, const WCHAR *name, BOOLEAN ignoreCase, PWCH table)
{
    UNICODE_STRING e, n;
    RtlInitUnicodeString(&e, expr);
    RtlInitUnicodeString(&n, name);
    return FsRtlIsNameInExpression(&e, &n, ignoreCase, table);
}

static void test_name_in_expression(void)
{
    /* Empty strings: documented. */
    CHECK_EQ(Match(L"*", L"", TRUE, NULL), FALSE);
    CHECK_EQ(Match(L"", L"", TRUE, NULL), TRUE);
    CHECK_EQ(Match(L"", L"A", TRUE, NULL), FALSE);
    /* '*' and '?' */
    CHECK_EQ(Match(L"*", L"abc", TRUE, NULL), TRUE);
    CHECK_EQ(Match(L"A?C", L"abc", TRUE, NULL), TRUE);
    CHECK_EQ(Match(L"A?C", L"abcd", TRUE, NULL), FALSE);
    CHECK_EQ(Match(L"A?C", L"ac", TRUE, NULL), FALSE);
    CHECK_EQ(Match(L"*.TXT", L"a.b.txt", TRUE, NULL), TRUE);
    CHECK_EQ(Match(L"*.TXT", L"a.txt.log", TRUE, NULL), FALSE);
    CHECK_EQ(Match(L"A*B*C", L"aXXbYYc", TRUE, NULL), TRUE);
    CHECK_EQ(Match(L"A*B*C", L"aXXcYYb", TRUE, NULL), FALSE);
    /* Case: with IgnoreCase FALSE the characters must be equal. */
    CHECK_EQ(Match(L"ABC", L"abc", FALSE, NULL), FALSE);
    CHECK_EQ(Match(L"abc", L"abc", FALSE, NULL), TRUE);
    CHECK_EQ(Match(L"ABC", L"ABC", FALSE, NULL), TRUE);
    /* DOS_STAR: anything but the name's last period. */
    CHECK_EQ(Match(L"<.TXT", L"a.b.txt", TRUE, NULL), TRUE);
    CHECK_EQ(Match(L"<", L"a.b", TRUE, NULL), FALSE);
    CHECK_EQ(Match(L"<", L"ab", TRUE, NULL), TRUE);
    CHECK_EQ(Match(L"<\"*", L"abc", TRUE, NULL), TRUE);         /* "*.*" as the Win32 layer passes it */
    CHECK_EQ(Match(L"<\"*", L"a.b", TRUE, NULL), TRUE);
    /* DOS_QM: one character, or nothing at a period or the end. */
    CHECK_EQ(Match(L"A>>", L"ab", TRUE, NULL), TRUE);
    CHECK_EQ(Match(L"A>>", L"abc", TRUE, NULL), TRUE);
    CHECK_EQ(Match(L"A>>", L"abcd", TRUE, NULL), FALSE);
    CHECK_EQ(Match(L">>>.TXT", L"a.txt", TRUE, NULL), TRUE);
    CHECK_EQ(Match(L">>>.TXT", L"abcd.txt", TRUE, NULL), FALSE);
    CHECK_EQ(Match(L">", L".", TRUE, NULL), FALSE);                /* a period is not "any character" for DOS_QM */
    /* DOS_DOT: a period, or nothing at the end. */
    CHECK_EQ(Match(L"FOO\"*", L"foo", TRUE, NULL), TRUE);
    CHECK_EQ(Match(L"FOO\"*", L"foo.bar", TRUE, NULL), TRUE);
    CHECK_EQ(Match(L"FOO\"*", L"foobar", TRUE, NULL), FALSE);
    /* UpcaseTable: the caller's table upcases the name instead of the system's. */
    static WCHAR table[65536];
    for (size_t i = 0; i < RTL_NUMBER_OF(table); i++) {
        table[i] = (WCHAR)i;
    }
    table[L'x'] = L'Y';
    CHECK_EQ(Match(L"Y", L"x", TRUE, table), TRUE);
    CHECK_EQ(Match(L"Y", L"x", TRUE, NULL), FALSE);
    CHECK_EQ(Match(L"X", L"x", TRUE, NULL), TRUE);
    CHECK_EQ(Match(L"Y", L"x", FALSE, table), FALSE);              /* the table is for case-insensitive matching only */
}

static void test_name_in_expression_contract(void)
{
    CHECK_EQ(Match(L"abc", L"abc", TRUE, NULL), FALSE);            /* Windows' answer: the name is upcased, the expression is not */
    CHECK_VIOLATION("FsRtlIsNameInExpression: IgnoreCase is TRUE but the Expression has the lower-case character");
    CHECK_EQ(Match(L"A*", L"a*", TRUE, NULL), TRUE);
    CHECK_VIOLATION("FsRtlIsNameInExpression: the Name has the wildcard character");
    UNICODE_STRING n;
    RtlInitUnicodeString(&n, L"a");
    CHECK_EQ(FsRtlIsNameInExpression(NULL, &n, TRUE, NULL), FALSE);
    CHECK_VIOLATION("FsRtlIsNameInExpression: Expression is not a valid UNICODE_STRING");
    UNICODE_STRING odd = { 3, 4, L"ab" };
    CHECK_EQ(FsRtlIsNameInExpression(&n, &odd, TRUE, NULL), FALSE);
    CHECK_VIOLATION("FsRtlIsNameInExpression: Name is not a valid UNICODE_STRING");
    KIRQL old;
    KeRaiseIrql(APC_LEVEL, &old);
    Match(L"*", L"a", TRUE, NULL);
    KeLowerIrql(old);
    CHECK_VIOLATION("FsRtlIsNameInExpression called at APC_LEVEL");
}

/* ---- queries ---- */

static int g_v;
static uint64_t OpenDir(const char *path)
{
    uint64_t h = 0, info = 0;
    CHECK_EQ(EmuFileOpen(g_v, path, FILE_LIST_DIRECTORY | SYNCHRONIZE, FILE_SHARE_READ | FILE_SHARE_WRITE, FILE_OPEN, FILE_DIRECTORY_FILE,
                         0, &h, &info), STATUS_SUCCESS);
    return h;
}

static void Populate(void)
{
    g_v = EmuCreateVolume("\\Device\\HarddiskVolume1", 4, 0);
    EmuFsPut(g_v, "\\d", NULL, 0, 1);
    TPut(g_v, "\\d\\b.txt", "hello");
    TPut(g_v, "\\d\\A.txt", "a");
    TPut(g_v, "\\d\\c.log", "c");
    TPut(g_v, "\\d\\a.b.txt", "ab");
    EmuFsPut(g_v, "\\d\\sub", NULL, 0, 1);
}

/* The names of the FILE_NAMES_INFORMATION entries in buf, "|"-separated, checking the chain. */
static void Names(const uint8_t *buf, uint32_t returned, char *out, size_t cap)
{
    out[0] = 0;
    if (returned == 0) {
        return;
    }
    size_t used = 0;
    for (uint32_t at = 0;;) {
        const FILE_NAMES_INFORMATION *e = (const FILE_NAMES_INFORMATION *)(buf + at);
        CHECK_EQ(at % 8, 0);
        CHECK(at + FIELD_OFFSET(FILE_NAMES_INFORMATION, FileName) + e->FileNameLength <= returned);
        char utf8[600];
        EmuWideToUtf8(e->FileName, e->FileNameLength / sizeof(WCHAR), utf8, sizeof(utf8));
        used += (size_t)snprintf(out + used, cap - used, "%s%s", used ? "|" : "", utf8);
        if (e->NextEntryOffset == 0) {
            CHECK_EQ(at + FIELD_OFFSET(FILE_NAMES_INFORMATION, FileName) + e->FileNameLength, returned);
            break;
        }
        at += e->NextEntryOffset;
    }
}

static NTSTATUS Q(uint64_t h, uint32_t flags, const char *pattern, char *names, size_t cap)
{
    static uint8_t buf[4096];
    uint32_t returned = 77;
    memset(buf, 0xCC, sizeof(buf));
    NTSTATUS s = EmuFileQueryDirectoryEx(h, FileNamesInformation, flags, pattern, buf, sizeof(buf), &returned);
    if (!NT_SUCCESS(s)) {
        CHECK_EQ(returned, 0);
    }
    Names(buf, NT_SUCCESS(s) ? returned : 0, names, cap);
    return s;
}

static void test_pattern_position_and_flags(void)
{
    Populate();
    char n[1024];
    uint64_t h = OpenDir("\\d");
    /* The first query's pattern stays with the file object; entries in upper-case name order. */
    CHECK_EQ(Q(h, SL_RETURN_SINGLE_ENTRY, "*.txt", n, sizeof(n)), STATUS_SUCCESS);
    CHECK(strcmp(n, "a.b.txt") == 0);
    CHECK_EQ(Q(h, 0, NULL, n, sizeof(n)), STATUS_SUCCESS);
    CHECK(strcmp(n, "A.txt|b.txt") == 0);
    CHECK_EQ(Q(h, 0, NULL, n, sizeof(n)), STATUS_NO_MORE_FILES);
    /* A new pattern without SL_RESTART_SCAN is ignored. */
    CHECK_EQ(Q(h, 0, "c*", n, sizeof(n)), STATUS_NO_MORE_FILES);
    /* With SL_RESTART_SCAN it replaces the pattern (matched without regard to case)... */
    CHECK_EQ(Q(h, SL_RESTART_SCAN, "C*", n, sizeof(n)), STATUS_SUCCESS);
    CHECK(strcmp(n, "c.log") == 0);
    /* ... and a restart without one keeps it. */
    CHECK_EQ(Q(h, SL_RESTART_SCAN, NULL, n, sizeof(n)), STATUS_SUCCESS);
    CHECK(strcmp(n, "c.log") == 0);
    /* SL_INDEX_SPECIFIED is not a flag NtQueryDirectoryFileEx accepts (SL_QUERY_DIRECTORY_MASK). */
    CHECK_EQ(Q(h, SL_RESTART_SCAN | SL_INDEX_SPECIFIED, NULL, n, sizeof(n)), STATUS_INVALID_PARAMETER);
    /* SL_NO_CURSOR_UPDATE: from the beginning with the given pattern, the file object's own left alone. */
    CHECK_EQ(Q(h, SL_RETURN_SINGLE_ENTRY, NULL, n, sizeof(n)), STATUS_NO_MORE_FILES);     /* "C*" scan at its end */
    CHECK_EQ(Q(h, SL_NO_CURSOR_UPDATE, "*.txt", n, sizeof(n)), STATUS_SUCCESS);
    CHECK(strcmp(n, "a.b.txt|A.txt|b.txt") == 0);
    CHECK_EQ(Q(h, SL_NO_CURSOR_UPDATE | SL_RETURN_SINGLE_ENTRY, NULL, n, sizeof(n)), STATUS_SUCCESS);
    CHECK(strcmp(n, "c.log") == 0);
    CHECK_EQ(Q(h, 0, NULL, n, sizeof(n)), STATUS_NO_MORE_FILES);                           /* still at the end of "C*" */
    EmuFileClose(h);

    /* No match on a file object's first query: no such file; then no more files. */
    h = OpenDir("\\d");
    CHECK_EQ(Q(h, 0, "nothere.*", n, sizeof(n)), STATUS_NO_SUCH_FILE);
    CHECK_EQ(Q(h, 0, NULL, n, sizeof(n)), STATUS_NO_MORE_FILES);
    CHECK_EQ(Q(h, SL_RESTART_SCAN, "nothere", n, sizeof(n)), STATUS_NO_MORE_FILES);
    EmuFileClose(h);

    /* Each file object has its own position; a scan resumes after the last name it returned. */
    h = OpenDir("\\d");
    uint64_t h2 = OpenDir("\\d");
    CHECK_EQ(Q(h, SL_RETURN_SINGLE_ENTRY, NULL, n, sizeof(n)), STATUS_SUCCESS);
    CHECK(strcmp(n, "a.b.txt") == 0);
    CHECK_EQ(Q(h, SL_RETURN_SINGLE_ENTRY, NULL, n, sizeof(n)), STATUS_SUCCESS);
    CHECK(strcmp(n, "A.txt") == 0);
    CHECK_EQ(Q(h2, SL_RETURN_SINGLE_ENTRY, NULL, n, sizeof(n)), STATUS_SUCCESS);
    CHECK(strcmp(n, "a.b.txt") == 0);
    TPut(g_v, "\\d\\0.txt", "0");       /* before the position: not seen by this scan */
    TPut(g_v, "\\d\\z.txt", "z");       /* after it: seen */
    CHECK_EQ(Q(h, 0, NULL, n, sizeof(n)), STATUS_SUCCESS);
    CHECK(strcmp(n, "b.txt|c.log|sub|z.txt") == 0);
    CHECK_EQ(Q(h, SL_RESTART_SCAN, NULL, n, sizeof(n)), STATUS_SUCCESS);
    CHECK(strcmp(n, "0.txt|a.b.txt|A.txt|b.txt|c.log|sub|z.txt") == 0);
    EmuFileClose(h);
    EmuFileClose(h2);

    /* An empty directory listed with "*" (or no pattern) has no more files, not "no such file". */
    EmuFsPut(g_v, "\\e", NULL, 0, 1);
    h = OpenDir("\\e");
    CHECK_EQ(Q(h, 0, "*", n, sizeof(n)), STATUS_NO_MORE_FILES);
    EmuFileClose(h);
    h = OpenDir("\\e");
    CHECK_EQ(Q(h, 0, NULL, n, sizeof(n)), STATUS_NO_MORE_FILES);
    EmuFileClose(h);

    /* The old control call still lists everything (it restarts each time). */
    h = OpenDir("\\d");
    uint32_t count = 0;
    CHECK_EQ(EmuFileQueryDirectory(h, n, sizeof(n), &count), STATUS_SUCCESS);
    CHECK_EQ(count, 7);
    CHECK(strcmp(n, "0.txt\na.b.txt\nA.txt\nb.txt\nc.log\nsub\nz.txt\n") == 0);
    EmuFileClose(h);
}

static void test_bad_requests(void)
{
    Populate();
    uint8_t buf[256];
    uint32_t returned = 5;
    uint64_t h = OpenDir("\\d");
    CHECK_EQ(EmuFileQueryDirectoryEx(h, FileBasicInformation, 0, NULL, buf, sizeof(buf), &returned), STATUS_INVALID_INFO_CLASS);
    CHECK_EQ(returned, 0);
    CHECK_EQ(EmuFileQueryDirectoryEx(h, FileDirectoryInformation, 0, NULL, buf, FIELD_OFFSET(FILE_DIRECTORY_INFORMATION, FileName) - 1, &returned),
             STATUS_INFO_LENGTH_MISMATCH);
    CHECK_EQ(EmuFileQueryDirectoryEx(h, FileNamesInformation, 0, "a\\b", buf, sizeof(buf), &returned), STATUS_OBJECT_NAME_INVALID);
    CHECK_EQ(EmuFileQueryDirectoryEx(h, FileNamesInformation, 0x20, NULL, buf, sizeof(buf), &returned), STATUS_INVALID_PARAMETER);
    /* None of those started the enumeration: the first real query's pattern is still taken. */
    char n[256];
    CHECK_EQ(Q(h, 0, "sub", n, sizeof(n)), STATUS_SUCCESS);
    CHECK(strcmp(n, "sub") == 0);
    EmuFileClose(h);
    uint64_t f = 0, info = 0;
    CHECK_EQ(EmuFileOpen(g_v, "\\d\\b.txt", GENERIC_READ, FILE_SHARE_READ, FILE_OPEN, 0, 0, &f, &info), STATUS_SUCCESS);
    CHECK_EQ(EmuFileQueryDirectoryEx(f, FileNamesInformation, 0, NULL, buf, sizeof(buf), &returned), STATUS_INVALID_PARAMETER);
    EmuFileClose(f);
}

/* When not even the first entry fits: its fixed part and what fits of its name, STATUS_BUFFER_OVERFLOW,
 * and the entry counts as returned. An entry that does not fit after others waits for the next query. */
static void test_overflow(void)
{
    Populate();
    uint8_t buf[256];
    uint32_t returned = 0;
    uint64_t h = OpenDir("\\d");
    ULONG base = FIELD_OFFSET(FILE_NAMES_INFORMATION, FileName);
    memset(buf, 0xCC, sizeof(buf));
    CHECK_EQ(EmuFileQueryDirectoryEx(h, FileNamesInformation, 0, NULL, buf, base + 5, &returned), STATUS_BUFFER_OVERFLOW);
    PFILE_NAMES_INFORMATION e = (PFILE_NAMES_INFORMATION)buf;
    CHECK_EQ(returned, base + 4);
    CHECK_EQ(e->FileNameLength, 14);                   /* "a.b.txt": the whole name's length */
    CHECK_EQ(e->NextEntryOffset, 0);
    CHECK(memcmp(e->FileName, L"a.", 4) == 0);
    CHECK_EQ(buf[base + 4], 0xCC);                      /* nothing past what fits */
    /* One whole entry ("A.txt", 10 bytes) and part of the next: the next is not lost. */
    memset(buf, 0xCC, sizeof(buf));
    CHECK_EQ(EmuFileQueryDirectoryEx(h, FileNamesInformation, 0, NULL, buf, 40, &returned), STATUS_SUCCESS);
    CHECK_EQ(returned, base + 10);
    CHECK_EQ(e->NextEntryOffset, 0);
    CHECK(memcmp(e->FileName, L"A.txt", 10) == 0);
    CHECK_EQ(EmuFileQueryDirectoryEx(h, FileNamesInformation, SL_RETURN_SINGLE_ENTRY, NULL, buf, sizeof(buf), &returned), STATUS_SUCCESS);
    CHECK(e->FileNameLength == 10 && memcmp(e->FileName, L"b.txt", 10) == 0);
    EmuFileClose(h);
}

/* Every directory class: its layout (the WDK's), what each field holds. */
static void test_information_classes(void)
{
    Populate();
    uint64_t f = 0, info = 0;
    CHECK_EQ(EmuFileOpen(g_v, "\\d\\b.txt", GENERIC_READ, FILE_SHARE_READ, FILE_OPEN, 0, 0, &f, &info), STATUS_SUCCESS);
    CHECK_EQ(EmuFileLink(f, 0, "\\d\\hard.txt", 0), STATUS_SUCCESS);
    EmuFileClose(f);
    static const struct { FILE_INFORMATION_CLASS Class; ULONG Base; ULONG IdAt; int Ea; int Short; } k[] = {
        { FileDirectoryInformation, FIELD_OFFSET(FILE_DIRECTORY_INFORMATION, FileName), 0, 0, 0 },
        { FileFullDirectoryInformation, FIELD_OFFSET(FILE_FULL_DIR_INFORMATION, FileName), 0, 1, 0 },
        { FileBothDirectoryInformation, FIELD_OFFSET(FILE_BOTH_DIR_INFORMATION, FileName), 0, 1, 1 },
        { FileIdBothDirectoryInformation, FIELD_OFFSET(FILE_ID_BOTH_DIR_INFORMATION, FileName), FIELD_OFFSET(FILE_ID_BOTH_DIR_INFORMATION, FileId), 1, 1 },
        { FileIdFullDirectoryInformation, FIELD_OFFSET(FILE_ID_FULL_DIR_INFORMATION, FileName), FIELD_OFFSET(FILE_ID_FULL_DIR_INFORMATION, FileId), 1, 0 },
    };
    LONGLONG ids[2] = { 0, 0 };
    for (size_t i = 0; i < RTL_NUMBER_OF(k); i++) {
        uint64_t h = OpenDir("\\d");
        uint8_t buf[1024];
        uint32_t returned = 0;
        memset(buf, 0xCC, sizeof(buf));
        CHECK_EQ(EmuFileQueryDirectoryEx(h, k[i].Class, 0, "b.txt", buf, sizeof(buf), &returned), STATUS_SUCCESS);
        PFILE_DIRECTORY_INFORMATION d = (PFILE_DIRECTORY_INFORMATION)buf;
        CHECK_EQ(returned, k[i].Base + 10);
        CHECK_EQ(d->NextEntryOffset, 0);
        CHECK_EQ(d->FileIndex, 0);
        CHECK_EQ(d->FileNameLength, 10);
        CHECK(memcmp(buf + k[i].Base, L"b.txt", 10) == 0);
        CHECK_EQ(d->EndOfFile.QuadPart, 5);
        CHECK_EQ(d->AllocationSize.QuadPart, 4096);
        CHECK_EQ(d->FileAttributes, FILE_ATTRIBUTE_ARCHIVE);
        CHECK(d->CreationTime.QuadPart > 0 && d->LastWriteTime.QuadPart >= d->CreationTime.QuadPart);
        if (k[i].Ea) {
            CHECK_EQ(((PFILE_FULL_DIR_INFORMATION)buf)->EaSize, 0);
        }
        if (k[i].Short) {
            CHECK_EQ(((PFILE_BOTH_DIR_INFORMATION)buf)->ShortNameLength, 0);
        }
        if (k[i].IdAt != 0) {
            LONGLONG id = ((PLARGE_INTEGER)(buf + k[i].IdAt))->QuadPart;
            CHECK(id != 0);
            /* The hard link is the same file: the same FileId. */
            CHECK_EQ(EmuFileQueryDirectoryEx(h, k[i].Class, SL_RESTART_SCAN, "HARD.TXT", buf, sizeof(buf), &returned), STATUS_SUCCESS);
            CHECK_EQ(((PLARGE_INTEGER)(buf + k[i].IdAt))->QuadPart, id);
            CHECK_EQ(d->EndOfFile.QuadPart, 5);
            ids[k[i].Class == FileIdFullDirectoryInformation] = id;
        }
        /* A directory: FILE_ATTRIBUTE_DIRECTORY, no data. */
        CHECK_EQ(EmuFileQueryDirectoryEx(h, k[i].Class, SL_RESTART_SCAN, "sub", buf, sizeof(buf), &returned), STATUS_SUCCESS);
        CHECK_EQ(d->FileAttributes, FILE_ATTRIBUTE_DIRECTORY);
        CHECK_EQ(d->EndOfFile.QuadPart, 0);
        EmuFileClose(h);
    }
    CHECK(ids[0] == ids[1] && ids[0] != 0);
}

/* FileHardLinkInformation: every name with its parent's file id; BytesNeeded, EntriesReturned, overflow. */
static LONGLONG DirId(const char *dir, const char *name)
{
    uint64_t h = OpenDir(dir);
    uint8_t buf[512];
    uint32_t returned = 0;
    CHECK_EQ(EmuFileQueryDirectoryEx(h, FileIdFullDirectoryInformation, 0, name, buf, sizeof(buf), &returned), STATUS_SUCCESS);
    EmuFileClose(h);
    return ((PFILE_ID_FULL_DIR_INFORMATION)buf)->FileId.QuadPart;
}

static void test_hard_link_information(void)
{
    Populate();
    TF *tf = TfStart(0, "370000", NULL, NULL);
    uint64_t f = 0, info = 0;
    CHECK_EQ(EmuFileOpen(g_v, "\\d\\b.txt", GENERIC_READ, FILE_SHARE_READ, FILE_OPEN, 0, 0, &f, &info), STATUS_SUCCESS);
    CHECK_EQ(EmuFileLink(f, 0, "\\d\\sub\\second.txt", 0), STATUS_SUCCESS);
    EmuFileClose(f);
    UNICODE_STRING name = RTL_CONSTANT_STRING(L"\\Device\\HarddiskVolume1\\d\\b.txt");
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, &name, OBJ_KERNEL_HANDLE, NULL, NULL);
    IO_STATUS_BLOCK iosb;
    HANDLE h = NULL;
    PFILE_OBJECT fo = NULL;
    CHECK_EQ(FltCreateFileEx(tf->Filter, tf->Instance[g_v], &h, &fo, GENERIC_READ, &oa, &iosb, NULL, 0, FILE_SHARE_READ, FILE_OPEN, 0, NULL, 0, 0),
             STATUS_SUCCESS);
    ULONG buf[128];
    ULONG ret = 0;
    PFILE_LINKS_INFORMATION li = (PFILE_LINKS_INFORMATION)buf;
    CHECK_EQ(FltQueryInformationFile(tf->Instance[g_v], fo, buf, sizeof(buf), FileHardLinkInformation, &ret), STATUS_SUCCESS);
    CHECK_EQ(li->EntriesReturned, 2);
    CHECK_EQ(li->BytesNeeded, ret);
    PFILE_LINK_ENTRY_INFORMATION e = &li->Entry;
    CHECK(e->FileNameLength == 10 && memcmp(e->FileName, L"b.txt", 10) == 0);
    CHECK_EQ(e->ParentFileId, DirId("\\", "d"));
    CHECK(e->NextEntryOffset != 0 && e->NextEntryOffset % 8 == 0);
    PFILE_LINK_ENTRY_INFORMATION e2 = (PFILE_LINK_ENTRY_INFORMATION)((uint8_t *)e + e->NextEntryOffset);
    CHECK(e2->FileNameLength == 20 && memcmp(e2->FileName, L"second.txt", 20) == 0);
    CHECK_EQ(e2->ParentFileId, DirId("\\d", "sub"));
    CHECK_EQ(e2->NextEntryOffset, 0);
    ULONG needed = li->BytesNeeded;
    /* Room for the first name only; for none; not even for the fixed part. */
    CHECK_EQ(FltQueryInformationFile(tf->Instance[g_v], fo, buf, FIELD_OFFSET(FILE_LINKS_INFORMATION, Entry.FileName) + 10, FileHardLinkInformation, &ret),
             STATUS_BUFFER_OVERFLOW);
    CHECK_EQ(li->EntriesReturned, 1);
    CHECK_EQ(li->BytesNeeded, needed);
    CHECK_EQ(li->Entry.NextEntryOffset, 0);
    CHECK_EQ(FltQueryInformationFile(tf->Instance[g_v], fo, buf, sizeof(FILE_LINKS_INFORMATION), FileHardLinkInformation, &ret), STATUS_BUFFER_OVERFLOW);
    CHECK_EQ(li->EntriesReturned, 0);
    CHECK_EQ(li->BytesNeeded, needed);
    CHECK_EQ(FltQueryInformationFile(tf->Instance[g_v], fo, buf, 16, FileHardLinkInformation, &ret), STATUS_INFO_LENGTH_MISMATCH);
    ObDereferenceObject(fo);
    FltClose(h);
    TfUnload(tf);
}

const TEST_CASE g_dirQueryTests[] = {
    { "dirquery: FsRtlIsNameInExpression (*, ?, DOS_STAR, DOS_QM, DOS_DOT, case, UpcaseTable)", test_name_in_expression },
    { "dirquery: FsRtlIsNameInExpression's contract (upcased expression, no wildcard in the name, IRQL)", test_name_in_expression_contract },
    { "dirquery: pattern kept per file object, position, SL_RESTART_SCAN, SL_RETURN_SINGLE_ENTRY, NO_SUCH_FILE / NO_MORE_FILES",
      test_pattern_position_and_flags },
    { "dirquery: bad class, short buffer, bad pattern, bad flags, not a directory", test_bad_requests },
    { "dirquery: STATUS_BUFFER_OVERFLOW with a partial first entry; a later entry that does not fit waits", test_overflow },
    { "dirquery: the directory information classes' fields", test_information_classes },
    { "dirquery: FileHardLinkInformation (every name, parent ids, BytesNeeded, overflow)", test_hard_link_information },
};
const size_t g_dirQueryTestsCount = RTL_NUMBER_OF(g_dirQueryTests);
