/*
 * checks/delete.c - what Microsoft's delete sample is for: noticing that a file
 * was deleted. The sample reports a delete with DbgPrint from its
 * post-cleanup callback ("A file \"<name>\" (<context>) has been deleted!"),
 * after FltQueryInformationFile answers STATUS_FILE_DELETED and
 * FSCTL_GET_OBJECT_ID (FltFsControlFile) tells a whole file from a stream.
 * The emulator keeps DbgPrint output as lines (EmuDbgPrintLine*), so:
 *   - a file created with FILE_DELETE_ON_CLOSE and closed is reported deleted;
 *   - a file deleted with FileDispositionInformation is reported deleted;
 *   - a file whose delete disposition was set and then cleared is not
 *     reported (and still exists), nor is a file only written and closed;
 *   - in a transaction (EmuTransactionBegin, EmuSetCurrentTransaction), its
 *     transacted path: the delete is reported "deleted in a transaction!"
 *     (it enlists, keeps a pending notification in a transaction context),
 *     the file stays for everyone else, and the outcome is reported:
 *     "deleted due to a transaction commit!" (the file is then gone) or
 *     "saved due to a transaction rollback!" (the file is still there).
 */
#include <stdio.h>
#include <string.h>

#include "jmf_emu.h"
#include "harness.h"

#define STATUS_SUCCESS          0
#define DELETE                  0x00010000u
#define GENERIC_READ            0x80000000u
#define GENERIC_WRITE           0x40000000u
#define SYNCHRONIZE             0x00100000u
#define FILE_SHARE_ALL          0x00000007u
#define FILE_OPEN_EXISTING      1u   /* FILE_OPEN */
#define FILE_OVERWRITE_IF       5u
#define FILE_SYNCHRONOUS_IO_NONALERT 0x00000020u
#define FILE_NON_DIRECTORY_FILE 0x00000040u
#define FILE_DELETE_ON_CLOSE    0x00001000u

/* The lines reporting a delete of a file whose name ends with leaf. */
static int Reported(const char *leaf)
{
    int found = 0;
    char line[1024], needle[128];
    snprintf(needle, sizeof(needle), "%s\" (", leaf);
    for (int32_t i = 0; i < EmuDbgPrintLineCount(); i++) {
        if (EmuDbgPrintLineText(i, line, sizeof(line)) >= 0 && strstr(line, "delete!DfPostCleanupCallback: A file \"") != NULL &&
            strstr(line, needle) != NULL && strstr(line, "has been deleted!") != NULL) {
            found++;
        }
    }
    return found;
}

/* Lines of who's reports about the file ending with leaf that end with ending. */
static int Said(const char *who, const char *leaf, const char *ending)
{
    int found = 0;
    char line[1024], needle[128];
    snprintf(needle, sizeof(needle), "%s\" (", leaf);
    for (int32_t i = 0; i < EmuDbgPrintLineCount(); i++) {
        if (EmuDbgPrintLineText(i, line, sizeof(line)) >= 0 && strstr(line, who) != NULL && strstr(line, needle) != NULL) {
            size_t n = strlen(line), e = strlen(ending);
            found += n >= e && strcmp(line + n - e, ending) == 0;
        }
    }
    return found;
}

/* Opens an existing file in transaction t for deletion. */
static uint64_t OpenInTransaction(int32_t volume, uint64_t t, const char *path, uint32_t options)
{
    uint64_t h = 0, info = 0;
    CHECK(EmuSetCurrentTransaction(t) == STATUS_SUCCESS, "enter the transaction");
    int32_t s = EmuFileOpen(volume, path, DELETE | GENERIC_READ | SYNCHRONIZE, FILE_SHARE_ALL, FILE_OPEN_EXISTING,
                            FILE_NON_DIRECTORY_FILE | FILE_SYNCHRONOUS_IO_NONALERT | options, 0, &h, &info);
    CHECK(EmuSetCurrentTransaction(0) == STATUS_SUCCESS, "leave the transaction");
    CHECK(s == STATUS_SUCCESS, "open %s in a transaction: 0x%08X", path, (unsigned)s);
    return s == STATUS_SUCCESS ? h : 0;
}

static uint64_t Create(int32_t volume, const char *path, uint32_t options)
{
    uint64_t h = 0, info = 0;
    int32_t s = EmuFileOpen(volume, path, DELETE | GENERIC_READ | GENERIC_WRITE | SYNCHRONIZE, FILE_SHARE_ALL, FILE_OVERWRITE_IF,
                            FILE_NON_DIRECTORY_FILE | FILE_SYNCHRONOUS_IO_NONALERT | options, 0, &h, &info);
    CHECK(s == STATUS_SUCCESS, "create %s: 0x%08X", path, (unsigned)s);
    uint32_t n = 0;
    if (s == STATUS_SUCCESS) {
        CHECK(EmuFileWrite(h, 0, "doomed", 6, 0, &n) == STATUS_SUCCESS, "write %s", path);
    }
    return s == STATUS_SUCCESS ? h : 0;
}

void HarnessWhileLoaded(const int32_t volumes[HARNESS_VOLUMES])
{
    int32_t v = volumes[0];
    EmuDbgPrintClear();

    /* FILE_DELETE_ON_CLOSE: the sample's pre-create flags the stream, its post-cleanup sees it gone. */
    uint64_t h = Create(v, "\\onclose.txt", FILE_DELETE_ON_CLOSE);
    if (h != 0) {
        CHECK(EmuFileClose(h) == STATUS_SUCCESS, "close onclose.txt");
    }
    CHECK(EmuFsExists(v, "\\onclose.txt") == 0, "onclose.txt still exists after its delete-on-close handle closed");
    CHECK(Reported("\\onclose.txt") == 1, "the sample reported onclose.txt's delete %d times, expected once", Reported("\\onclose.txt"));

    /* FileDispositionInformation: its pre/post set-information callbacks flag the stream. */
    h = Create(v, "\\disposed.txt", 0);
    if (h != 0) {
        CHECK(EmuFileDelete(h) == STATUS_SUCCESS, "FileDispositionInformation on disposed.txt");
        CHECK(EmuFileClose(h) == STATUS_SUCCESS, "close disposed.txt");
    }
    CHECK(EmuFsExists(v, "\\disposed.txt") == 0, "disposed.txt still exists");
    CHECK(Reported("\\disposed.txt") == 1, "the sample reported disposed.txt's delete %d times, expected once", Reported("\\disposed.txt"));

    /* A delete disposition set then cleared (FileDispositionInformationEx without FILE_DISPOSITION_DELETE): no delete. */
    h = Create(v, "\\spared.txt", 0);
    if (h != 0) {
        CHECK(EmuFileDelete(h) == STATUS_SUCCESS, "set the disposition of spared.txt");
        CHECK(EmuFileDeleteEx(h, 0) == STATUS_SUCCESS, "clear the disposition of spared.txt");
        CHECK(EmuFileClose(h) == STATUS_SUCCESS, "close spared.txt");
    }
    CHECK(EmuFsExists(v, "\\spared.txt") == 1, "spared.txt was deleted");
    CHECK(Reported("\\spared.txt") == 0, "the sample reported spared.txt deleted, but it exists");

    /* Written and closed: nothing to report. */
    h = Create(v, "\\kept.txt", 0);
    if (h != 0) {
        CHECK(EmuFileClose(h) == STATUS_SUCCESS, "close kept.txt");
    }
    CHECK(Reported("\\kept.txt") == 0, "the sample reported kept.txt deleted, but it exists");

    /* Deleted on close in a transaction that commits. */
    uint64_t t = 0;
    CHECK(EmuFsPut(v, "\\tx-commit.txt", "doomed", 6, 0) == 0, "put tx-commit.txt");
    CHECK(EmuTransactionBegin(&t) == STATUS_SUCCESS, "begin a transaction");
    h = OpenInTransaction(v, t, "\\tx-commit.txt", FILE_DELETE_ON_CLOSE);
    if (h != 0) {
        CHECK(EmuFileClose(h) == STATUS_SUCCESS, "close tx-commit.txt");
    }
    CHECK(Said("delete!DfPostCleanupCallback: A file", "\\tx-commit.txt", "has been deleted in a transaction!") == 1,
          "the sample did not report tx-commit.txt deleted in a transaction");
    CHECK(Reported("\\tx-commit.txt") == 0, "tx-commit.txt was reported deleted outside its transaction");
    CHECK(EmuFsExists(v, "\\tx-commit.txt") == 1, "tx-commit.txt is gone before its transaction committed");
    CHECK(EmuTransactionCommit(t) == STATUS_SUCCESS, "commit");
    CHECK(Said("delete!DfTransactionNotificationCallback: A file", "\\tx-commit.txt", "has been deleted due to a transaction commit!") == 1,
          "the sample did not report tx-commit.txt's delete at the commit");
    CHECK(EmuFsExists(v, "\\tx-commit.txt") == 0, "tx-commit.txt is still there after the commit");

    /* Deleted with FileDispositionInformation in a transaction that rolls back. */
    CHECK(EmuFsPut(v, "\\tx-rollback.txt", "spared", 6, 0) == 0, "put tx-rollback.txt");
    CHECK(EmuTransactionBegin(&t) == STATUS_SUCCESS, "begin a transaction");
    h = OpenInTransaction(v, t, "\\tx-rollback.txt", 0);
    if (h != 0) {
        CHECK(EmuFileDelete(h) == STATUS_SUCCESS, "FileDispositionInformation on tx-rollback.txt in the transaction");
        CHECK(EmuFileClose(h) == STATUS_SUCCESS, "close tx-rollback.txt");
    }
    CHECK(Said("delete!DfPostCleanupCallback: A file", "\\tx-rollback.txt", "has been deleted in a transaction!") == 1,
          "the sample did not report tx-rollback.txt deleted in a transaction");
    CHECK(EmuTransactionRollback(t) == STATUS_SUCCESS, "rollback");
    CHECK(Said("delete!DfTransactionNotificationCallback: A file", "\\tx-rollback.txt", "has been saved due to a transaction rollback!") == 1,
          "the sample did not report tx-rollback.txt saved by the rollback");
    CHECK(Said("delete!DfTransactionNotificationCallback: A file", "\\tx-rollback.txt", "deleted due to a transaction commit!") == 0,
          "the sample reported a rolled back delete as committed");
    CHECK(EmuFsExists(v, "\\tx-rollback.txt") == 1, "tx-rollback.txt is gone after the rollback");
}
