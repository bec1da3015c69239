/*
 * checks/change.c - what Microsoft's change sample is for: telling which files
 * were changed. It keeps a file context per file (FltSetFileContext), marks it
 * dirty on a write (or an end-of-file change), and when a file object of a
 * dirty file closes outside a transaction it reports, with DbgPrint,
 * "[CG] CgPreClose: Non-transacted file ID <high>,<low> is dirty". The
 * emulator keeps DbgPrint output as lines (EmuDbgPrintLine*), so:
 *   - a file written and closed is reported dirty at its close;
 *   - a file only read, on its own, is not (no new report);
 *   - once dirty, a file stays dirty for its file context's life: a later
 *     read-only open of the same file, while the writer's handle is still
 *     open (the file context lives as long as one file object), is reported
 *     again when it closes, with the same file id;
 *   - in a transaction (EmuTransactionBegin, EmuSetCurrentTransaction), its
 *     transacted path: it enlists, marks the file dirty for the transaction
 *     only, says nothing at the transacted handle's close, and reports
 *     "[CG] CgProcessTransactionOutcome: Transacted file ID ... is dirty" when
 *     the transaction commits (outside, the file keeps its data until then);
 *     a rolled back transaction's write is not reported (and is undone).
 */
#include <stdio.h>
#include <string.h>

#include "jmf_emu.h"
#include "harness.h"

#define STATUS_SUCCESS          0
#define GENERIC_READ            0x80000000u
#define GENERIC_WRITE           0x40000000u
#define SYNCHRONIZE             0x00100000u
#define FILE_SHARE_ALL          0x00000007u
#define FILE_OPEN               1u
#define FILE_OVERWRITE_IF       5u
#define FILE_SYNCHRONOUS_IO_NONALERT 0x00000020u
#define FILE_NON_DIRECTORY_FILE 0x00000040u

#define DIRTY "[CG] CgPreClose: Non-transacted file ID "
#define TX_DIRTY "[CG] CgProcessTransactionOutcome: Transacted file ID "

/* How many reports starting with prefix were printed; the last one's "<high>,<low>" id in id. */
static int Reports(const char *prefix, char *id, size_t cap)
{
    int n = 0;
    char line[1024];
    for (int32_t i = 0; i < EmuDbgPrintLineCount(); i++) {
        if (EmuDbgPrintLineText(i, line, sizeof(line)) < 0) {
            continue;
        }
        char *p = strstr(line, prefix);
        char *end = p != NULL ? strstr(p, " is dirty") : NULL;
        if (end != NULL) {
            n++;
            p += strlen(prefix);
            snprintf(id, cap, "%.*s", (int)(end - p), p);
        }
    }
    return n;
}

static int DirtyReports(char *id, size_t cap) { return Reports(DIRTY, id, cap); }

static uint64_t Open(int32_t volume, const char *path, uint32_t access, uint32_t disposition)
{
    uint64_t h = 0, info = 0;
    int32_t s = EmuFileOpen(volume, path, access | SYNCHRONIZE, FILE_SHARE_ALL, disposition,
                            FILE_NON_DIRECTORY_FILE | FILE_SYNCHRONOUS_IO_NONALERT, 0, &h, &info);
    CHECK(s == STATUS_SUCCESS, "open %s: 0x%08X", path, (unsigned)s);
    return s == STATUS_SUCCESS ? h : 0;
}

void HarnessWhileLoaded(const int32_t volumes[HARNESS_VOLUMES])
{
    int32_t v = volumes[1];
    char id[64] = "", again[64] = "";
    uint32_t n = 0;
    char buffer[16];
    EmuDbgPrintClear();

    /* Only read: not dirty. */
    CHECK(EmuFsPut(v, "\\read-only.txt", "untouched", 9, 0) == 0, "put read-only.txt");
    uint64_t h = Open(v, "\\read-only.txt", GENERIC_READ, FILE_OPEN);
    if (h != 0) {
        CHECK(EmuFileRead(h, 0, buffer, sizeof(buffer), &n) == STATUS_SUCCESS, "read read-only.txt");
        CHECK(EmuFileClose(h) == STATUS_SUCCESS, "close read-only.txt");
    }
    CHECK(DirtyReports(id, sizeof(id)) == 0, "a file only read was reported dirty (%s)", id);

    /* Written: dirty at its close. The writer keeps a second handle open so the file context lives on. */
    uint64_t keep = Open(v, "\\changed.txt", GENERIC_READ | GENERIC_WRITE, FILE_OVERWRITE_IF);
    h = Open(v, "\\changed.txt", GENERIC_READ | GENERIC_WRITE, FILE_OPEN);
    if (h != 0) {
        CHECK(EmuFileWrite(h, 0, "changed", 7, 0, &n) == STATUS_SUCCESS, "write changed.txt");
        CHECK(EmuFileClose(h) == STATUS_SUCCESS, "close changed.txt");
    }
    CHECK(DirtyReports(id, sizeof(id)) == 1, "a file written and closed was reported dirty %d times, expected once",
          DirtyReports(id, sizeof(id)));
    CHECK(strncmp(id, "0,", 2) == 0 && strlen(id) > 2, "the dirty report names file id \"%s\", expected 0,<64-bit id>", id);

    /* A read-only open of the same file: the file context is the same, still dirty. */
    h = Open(v, "\\changed.txt", GENERIC_READ, FILE_OPEN);
    if (h != 0) {
        CHECK(EmuFileClose(h) == STATUS_SUCCESS, "close changed.txt (read-only)");
    }
    CHECK(DirtyReports(again, sizeof(again)) == 2 && strcmp(again, id) == 0,
          "the same file's next close reported %d dirty closes (id %s, first %s), expected 2 with the same id",
          DirtyReports(again, sizeof(again)), again, id);
    if (keep != 0) {
        CHECK(EmuFileClose(keep) == STATUS_SUCCESS, "close changed.txt's first handle");
    }

    /* In a transaction that commits. */
    char txid[64] = "", data[32];
    int before = DirtyReports(id, sizeof(id));
    CHECK(EmuFsPut(v, "\\tx-commit.txt", "committed?", 10, 0) == 0, "put tx-commit.txt");
    uint64_t t = 0;
    CHECK(EmuTransactionBegin(&t) == STATUS_SUCCESS && EmuSetCurrentTransaction(t) == STATUS_SUCCESS, "begin a transaction");
    h = Open(v, "\\tx-commit.txt", GENERIC_READ | GENERIC_WRITE, FILE_OPEN);
    CHECK(EmuSetCurrentTransaction(0) == STATUS_SUCCESS, "leave the transaction");
    if (h != 0) {
        CHECK(EmuFileWrite(h, 0, "COMMITTED!", 10, 0, &n) == STATUS_SUCCESS, "transacted write");
        CHECK(EmuFileClose(h) == STATUS_SUCCESS, "close the transacted handle");
    }
    CHECK(Reports(TX_DIRTY, txid, sizeof(txid)) == 0, "a transacted write was reported before its transaction ended");
    CHECK(DirtyReports(id, sizeof(id)) == before, "the transacted handle's close was reported as a non-transacted change");
    CHECK(EmuFsRead(v, "\\tx-commit.txt", data, sizeof(data)) == 10 && memcmp(data, "committed?", 10) == 0,
          "the transaction's write is visible outside it before the commit");
    CHECK(EmuTransactionCommit(t) == STATUS_SUCCESS, "commit");
    CHECK(Reports(TX_DIRTY, txid, sizeof(txid)) == 1 && strncmp(txid, "0,", 2) == 0,
          "the committed transaction's file was reported dirty %d times (id %s), expected once", Reports(TX_DIRTY, txid, sizeof(txid)), txid);
    CHECK(EmuFsRead(v, "\\tx-commit.txt", data, sizeof(data)) == 10 && memcmp(data, "COMMITTED!", 10) == 0,
          "the committed write is not in the file");

    /* In a transaction that rolls back. */
    CHECK(EmuFsPut(v, "\\tx-rollback.txt", "kept", 4, 0) == 0, "put tx-rollback.txt");
    CHECK(EmuTransactionBegin(&t) == STATUS_SUCCESS && EmuSetCurrentTransaction(t) == STATUS_SUCCESS, "begin a transaction");
    h = Open(v, "\\tx-rollback.txt", GENERIC_READ | GENERIC_WRITE, FILE_OPEN);
    CHECK(EmuSetCurrentTransaction(0) == STATUS_SUCCESS, "leave the transaction");
    if (h != 0) {
        CHECK(EmuFileWrite(h, 0, "lost", 4, 0, &n) == STATUS_SUCCESS, "transacted write");
        CHECK(EmuFileClose(h) == STATUS_SUCCESS, "close the transacted handle");
    }
    CHECK(EmuTransactionRollback(t) == STATUS_SUCCESS, "rollback");
    CHECK(Reports(TX_DIRTY, txid, sizeof(txid)) == 1, "a rolled back transaction's file was reported dirty");
    CHECK(EmuFsRead(v, "\\tx-rollback.txt", data, sizeof(data)) == 4 && memcmp(data, "kept", 4) == 0,
          "the rolled back write stayed in the file");
}
