/*
 * emu_internal.h - private structures of the emulated Filter Manager.
 *
 * One global lock (EmuLock/EmuUnlock) guards every emulator structure; it is
 * never held while a filter callback runs, so callbacks may call back into
 * any routine. Blocking waits use the global condition variable.
 */
#ifndef EMU_INTERNAL_H
#define EMU_INTERNAL_H

#include <fltKernel.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include "jmf_emu.h"

#define EMU_MAX_LEVELS   64
#define EMU_MAX_PATH     1024
#define EMU_MAX_CTX_SLOTS 16

/* ---- core ---- */
void EmuLock(void);
void EmuUnlock(void);
void EmuBroadcast(void);
/* Waits on the global condition (lock held); deadlineNs 0 = forever. Returns 0 on timeout. */
int EmuWaitUntil(uint64_t deadlineNs);
uint64_t EmuNowNs(void);
uint64_t EmuSystemTime100ns(void);

void EmuViolation(const char *format, ...) __attribute__((format(printf, 1, 2)));
/* TraceLogging (emu_tracelogging.c): a provider still registered is a leak; reset forgets all. */
void EmuTraceLoggingCheckLeaks(void);
void EmuTraceLoggingReset(void);
void EmuTrace(const char *format, ...) __attribute__((format(printf, 1, 2)));
/* Records a violation when the current IRQL is above Max; returns 0 then. */
int EmuRequireIrql(const char *routine, KIRQL max);
void EmuSetIrql(KIRQL irql);
int EmuHoldsLock(void);

/* ---- the user side of ports, for the Win32 surface (emu_fltlib.c) ---- */
/* EmuFilterGetMessageTimeout, also given up with EMU_E_OPERATION_ABORTED once *cancelled is set (set it
 * under EmuLock, then EmuBroadcast); *written receives the bytes written into the buffer on success. */
int32_t EmuPortGetMessage(void *port, void *messageBuffer, uint32_t messageBufferSize, uint32_t timeoutMs,
        const volatile int *cancelled, uint32_t *written);

/* ---- pageable memory (emu_pageable.c) ---- */
void *EmuPageableAlloc(SIZE_T bytes, ULONG tag, const char *routine);  /* NULL: use ordinary memory */
void EmuPageableFree(PVOID p);
int EmuPageableContains(const void *p);
void EmuPageableIrql(KIRQL from, KIRQL to);
int EmuPageableEnabled(void);
/* Tests: onWrite(context) runs before each write to [address, address + size) (x86-64; 0 = not available). */
int32_t EmuWatchWrites(void *address, size_t size, void (*onWrite)(void *), void *context);
void EmuWatchStop(void);
char *EmuTagText(ULONG tag, char out[8]);
void EmuWideToUtf8(const WCHAR *s, size_t chars, char *out, size_t cap);
size_t EmuUtf8ToWide(const char *s, WCHAR *out, size_t capChars);
size_t EmuWcsLen(const WCHAR *s);

/* Objects that ObReferenceObject/FltObjectReference accept carry this header
 * (immediately before the public pointer for Ob objects, first for Flt ones). */
#define EMU_OBJ_MAGIC 0x4a424f45u
typedef enum { EMU_OBJ_FILTER = 1, EMU_OBJ_VOLUME, EMU_OBJ_INSTANCE, EMU_OBJ_DEVICE, EMU_OBJ_FILE, EMU_OBJ_PROCESS, EMU_OBJ_THREAD, EMU_OBJ_PORT,
               EMU_OBJ_DEVICE_FILE /* a file object on a device object a driver created (emu_device.c) */,
               EMU_OBJ_TRANSACTION,
               EMU_OBJ_SECTION /* a section for a data scan (emu_section.c) */ } EMU_OBJ_TYPE;
typedef struct EMU_OBJ {
    uint32_t Magic;
    uint32_t Type;
    long Refs;            /* all references, the emulator's own included */
    long DriverRefs;      /* references taken by filter code and not yet released */
    char Name[120];       /* for messages */
    LIST_ENTRY AllLink;   /* g_objects */
} EMU_OBJ;
void EmuObjInit(EMU_OBJ *obj, EMU_OBJ_TYPE type, const char *name);
void EmuObjUnlink(EMU_OBJ *obj);
EMU_OBJ *EmuObFromPointer(PVOID object);
void EmuObjDriverRef(EMU_OBJ *obj, long delta, const char *routine);

/* ---- processes and threads ---- */
struct _EMU_PROCESS {
    ULONG Pid;
    WCHAR Image[300];
    int Privileged;
};
typedef struct EMU_PROCESS_BOX { EMU_OBJ Hdr; struct _EMU_PROCESS P; LIST_ENTRY Link; } EMU_PROCESS_BOX;
struct _EMU_THREAD {
    DISPATCHER_HEADER Header;   /* first: a thread object is waitable (signalled once terminated) */
    struct _EMU_PROCESS *Process;
    ULONG Tid;
    int System;                 /* created by PsCreateSystemThread */
};
typedef struct EMU_THREAD_BOX { EMU_OBJ Hdr; struct _EMU_THREAD T; } EMU_THREAD_BOX;
PEPROCESS EmuFindProcess(ULONG pid);
PEPROCESS EmuSystemProcess(void);
PETHREAD EmuCurrentThread(void);
void EmuSetThreadProcess(PEPROCESS process);
EMU_THREAD_BOX *EmuNewThreadBox(void);
void EmuAdoptThread(EMU_THREAD_BOX *box);
int EmuIsThreadHandle(HANDLE h);
NTSTATUS EmuCloseThreadHandle(HANDLE h);
void EmuThreadsCheckLeaks(void);

/* ---- pool ---- */
void EmuPoolCheckLeaks(const char *when);
size_t EmuPoolOutstanding(void);
PVOID EmuPoolAlloc(SIZE_T bytes, ULONG tag, int paged, int zero, const char *routine);
void EmuPoolFree(PVOID p, ULONG tag, int checkTag, const char *routine);
PVOID EmuPoolAllocAligned(SIZE_T bytes, ULONG tag, int paged, int zero, SIZE_T alignment, const char *routine);
void EmuPoolFreeAligned(PVOID p, ULONG tag, int checkTag, int aligned, const char *routine);
int EmuIsPageableAddress(const void *p, char *what, size_t cap);

/* ---- MDLs and swapped buffers (emu_buffers.c) ---- */
#define EMU_SECTOR_SIZE 512     /* every emulated volume's sector size (FltGetVolumeProperties) */
typedef struct EMU_CBD EMU_CBD;
/* Frees an MDL: IoFreeMdl, or the filter manager/I/O manager (system: the MDLs they own). 0 on a violation. */
int EmuMdlRelease(PMDL mdl, const char *who, int system);
/* The MDL member (and buffer/length) of an operation's parameters, or NULL if it has none. */
PMDL *EmuIopbMdl(PFLT_IO_PARAMETER_BLOCK p, PVOID **buffer, PULONG *length);
/* The buffer the file system uses: the MDL's system address when there is one (checked), else the buffer. */
NTSTATUS EmuFsIoBuffer(EMU_CBD *op, PVOID *buffer);
void EmuOperationMdlsDone(EMU_CBD *op);     /* the I/O manager frees the operation's own MDLs (FltLockUserBuffer) */
void EmuMdlCheckLeaks(void);
void EmuMdlReset(void);

/* ---- file system ---- */
typedef struct EMU_NODE {
    struct EMU_NODE *Parent;
    struct EMU_NODE *Child;     /* first child */
    struct EMU_NODE *Next;      /* next sibling */
    WCHAR Name[256];
    int IsDirectory;
    ULONG Attributes;
    uint8_t *Data;
    uint64_t Size;
    uint64_t Capacity;
    int DeletePending;
    int Deleted;
    int OpenCount;              /* file objects that completed a create */
    int Readers, Writers, Deleters, SharedRead, SharedWrite, SharedDelete, ShareOpens;
    LARGE_INTEGER Times[4];
    uint64_t Id;
    void *StreamContexts[EMU_MAX_CTX_SLOTS];  /* EMU_CONTEXT* per filter slot */
    void *FileContexts[EMU_MAX_CTX_SLOTS];    /* file contexts (one stream per file here) */
    /* Hard links: a file's first name is its node (data, attributes, opens,
     * contexts live there); every other name is a node whose LinkOf is it,
     * listed in the file's Links (through NextLink). A removed name that a
     * file object may still point at (EMU_FILE.Entry) is kept in the file
     * system's Graveyard until the volume goes. */
    struct EMU_NODE *LinkOf;
    struct EMU_NODE *Links;
    struct EMU_NODE *NextLink;
    int LinkCount;              /* names besides the first */
    int Nameless;               /* the first name was removed; other names remain */
    int InGraveyard;
    struct EMU_NODE *DeleteEntry; /* the name a delete disposition removes */
    /* Transactional NTFS (emu_fs.c, "TxF"): the transaction holding the file's transaction lock (its
     * transacted writer), that transaction's view of the data once it changed it (TxView), and the
     * transacted file objects open on it (any transaction; they block non-transacted writers). */
    PKTRANSACTION TxWriter;
    int TxView;
    uint8_t *TxData;
    uint64_t TxSize;
    uint64_t TxCapacity;
    int TxOpens;
    int TxDeletePending;        /* the locking transaction's delete disposition */
    int TxDeleted;              /* deleted in the locking transaction (its last transacted handle cleaned up) */
} EMU_NODE;

typedef struct EMU_FS {
    EMU_NODE *Root;
    uint64_t NextId;
    EMU_NODE *Graveyard;        /* removed names kept for file objects (through Next) */
    EMU_NODE *VolumeNode;       /* what a volume open (no file name: FO_VOLUME_OPEN) opens; not in the tree */
    void *LockedBy;             /* the EMU_FILE of the volume open that holds FSCTL_LOCK_VOLUME, or NULL */
} EMU_FS;

/* ---- filter manager objects ---- */
struct _FLT_FILTER {
    EMU_OBJ Hdr;
    FLT_REGISTRATION Registration;
    PDRIVER_OBJECT Driver;
    char Altitude[32];
    double AltitudeValue;
    int Slot;                   /* index for per-filter context slots */
    int Started;
    int Unregistering;
    int Gone;
    long WorkItemsInFlight;
    LIST_ENTRY Link;
};

typedef struct EMU_DEVICE_BOX { EMU_OBJ Hdr; DEVICE_OBJECT Device; } EMU_DEVICE_BOX;

struct _FLT_VOLUME {
    EMU_OBJ Hdr;
    int Id;
    WCHAR Name[256];            /* longer than a driver may expect: NT device names have no fixed limit */
    UNICODE_STRING NameU;
    EMU_DEVICE_BOX Dev;
    EMU_DEVICE_BOX Disk;        /* the storage device a disk volume resides on (FltGetDiskDeviceObject) */
    VPB Vpb;
    DEVICE_TYPE DeviceType;
    FLT_FILESYSTEM_TYPE FsType;
    EMU_FS Fs;
    struct _FLT_INSTANCE *Instances[EMU_MAX_LEVELS]; /* highest altitude first */
    int InstanceCount;
    void *VolumeContexts[EMU_MAX_CTX_SLOTS];
    LIST_ENTRY Link;
    WCHAR DosLetter;            /* IoVolumeDeviceToDosName: 'C'.. for disk volumes in creation order, 0 for none */
};

struct _FLT_INSTANCE {
    EMU_OBJ Hdr;
    PFLT_FILTER Filter;
    PFLT_VOLUME Volume;
    double AltitudeValue;
    char Altitude[32];
    void *Context;              /* EMU_CONTEXT* instance context */
    int Detached;
    long PreCallbacksRunning;   /* the instance is freed only once none runs (its rundown) */
    int TearingDown;            /* teardown started: FltObjectReference fails with STATUS_FLT_DELETING_OBJECT */
    int Zombie;                 /* torn down, kept only for rundown references (in g_zombies) */
    LIST_ENTRY ZombieLink;
};

PFLT_VOLUME EmuVolumeById(int id);
PFLT_VOLUME EmuVolumeByDevice(PVOID device);
/* An instance whose teardown started (also one kept only for its rundown references). */
int EmuInstanceTearingDown(PFLT_INSTANCE inst);
int EmuIsInstance(PVOID p);
int EmuIsFilter(PVOID p);
int EmuIsVolume(PVOID p);
PFLT_INSTANCE EmuInstanceBelow(PFLT_VOLUME volume, double altitude);
int EmuFilterCount(void);

/* ---- file objects ---- */
typedef struct EMU_FILE {
    EMU_OBJ Hdr;                /* must directly precede Fo */
    FILE_OBJECT Fo;
    PFLT_VOLUME Volume;
    EMU_NODE *Node;             /* the file */
    EMU_NODE *Entry;            /* the name it was opened by (Node, or a hard link of it) */
    WCHAR Path[EMU_MAX_PATH];
    ACCESS_MASK Granted;
    ULONG ShareAccess;
    ULONG Options;
    int Opened;                 /* the file system completed the create */
    int HandleCreated;          /* the caller got a handle */
    int InPostCreate;
    int Cancelled;              /* FltCancelFileOpen closed it */
    int CleanedUp;
    int Closed;
    int Handles;
    PFLT_FILTER OwnerFilter;    /* opened with FltCreateFile*: */
    int OpenedBelow;            /* ... its I/O starts below OpenedBelowAltitude */
    double OpenedBelowAltitude;
    void *HandleContexts[EMU_MAX_CTX_SLOTS]; /* EMU_CONTEXT* stream handle contexts */
    LIST_ENTRY Link;
    WCHAR *ReplacedName;        /* the I/O manager's FileName.Buffer after IoReplaceFileObjectName (malloc), or NULL */
    ULONG_PTR ReparseInformation; /* a create's IoStatus.Information, read when it ended in STATUS_REPARSE */
    size_t RelativeAt;          /* a relative open's create: FileName is Path + RelativeAt, RelatedFileObject the directory */
    PKTRANSACTION Transaction;  /* opened in this transaction (referenced), or NULL */
    TXN_PARAMETER_BLOCK TxnBlock; /* what IoGetTransactionParameterBlock returns for it */
    int TxCounted;              /* counted in its node's TxOpens until cleanup */
    /* Directory enumeration (emu_dirquery.c): the file object's pattern (upper case), set by its first query;
     * the name of the last entry returned (the scan resumes after it in the directory's order). */
    int QueryStarted;
    USHORT QueryPatternChars;
    WCHAR QueryPattern[256];
    int QueryHasLast;
    WCHAR QueryLast[256];
} EMU_FILE;
#define EMU_FILE_FROM_FO(fo) CONTAINING_RECORD((fo), EMU_FILE, Fo)
EMU_FILE *EmuFileAlloc(PFLT_VOLUME volume, const WCHAR *path, size_t chars);
int EmuIsFileObject(PVOID p);
int EmuIsFileObjectName(const void *p); /* p is some file object's FileName.Buffer */
/* The volume-relative path a create opens: FileName, or for a relative open the directory's path + FileName. */
const WCHAR *EmuFileCreatePath(EMU_FILE *f, size_t *chars);
void EmuFileRelease(EMU_FILE *file);     /* drops one emulator reference */
void EmuFileAfterRelease(EMU_FILE *file); /* closes and frees the file object when no reference is left */
void EmuFileReference(EMU_FILE *file);
/* The file object of a handle (user or kernel), or NULL. With routine, a user handle used
 * outside its own process's context is a violation naming routine (and NULL). */
EMU_FILE *EmuFileFromHandle(HANDLE handle, const char *routine);

/* ---- operations ---- */
typedef struct EMU_LEVEL {
    PFLT_INSTANCE Instance;
    FLT_IO_PARAMETER_BLOCK Input;
    FLT_RELATED_OBJECTS Objects;
    PVOID CompletionContext;
    int CallPost;
    int SyncPost;
    NTSTATUS StatusBeforePost;  /* IoStatus.Status as the post-operation callback found it */
    PFLT_GET_OPERATION_STATUS_CALLBACK StatusCallback;  /* FltRequestOperationStatusCallback */
    PVOID StatusContext;
    PMDL SwappedMdl;            /* the MDL this filter swapped in (dirty); the filter manager frees it after the post-operation */
    int RetainSwappedMdl;       /* FltRetainSwappedBufferMdlAddress: the filter frees it */
} EMU_LEVEL;

enum { EMU_OP_PRE, EMU_OP_PENDED_PRE, EMU_OP_POST, EMU_OP_PENDED_POST, EMU_OP_DONE };

#define EMU_CBD_MAGIC 0x44424345u
struct EMU_CBD {
    FLT_CALLBACK_DATA Data;     /* first: PFLT_CALLBACK_DATA is a pointer to this */
    FLT_IO_PARAMETER_BLOCK Iopb;
    uint32_t Magic;
    int State;
    EMU_LEVEL Levels[EMU_MAX_LEVELS];
    int Depth;                  /* levels pushed */
    PFLT_VOLUME Volume;         /* volume the operation currently runs on */
    PFLT_INSTANCE Next;         /* next instance going down, NULL = the file system */
    int FastIo;
    int DisallowedFastIo;
    int Generated;
    KIRQL PostIrql;
    ULONG PendingLevel;
    int InPostCreate;
    EMU_FILE *File;             /* the original target */
    IO_SECURITY_CONTEXT Security;
    ACCESS_STATE AccessState;
    int IgnoreShareAccess;
    int CallbackInProgress;     /* a pre/post callback of this operation is running */
    int EarlyResume;            /* FltCompletePended* came before the callback returned */
    FLT_PREOP_CALLBACK_STATUS EarlyStatus;
    PVOID EarlyContext;
    int Done;
    int Pended;                 /* a filter pended it (FLT_PREOP_PENDING, FLT_POSTOP_MORE_PROCESSING_REQUIRED): the issuer got STATUS_PENDING */
    PMDL ReturnedMdl;           /* an MDL read: the file system's MDL, to be given back with IRP_MN_COMPLETE_MDL */
    LIST_ENTRY OpLink;          /* in the list of operations in flight (for draining) */
    PFLT_INSTANCE Initiator;    /* FltAllocateCallbackData's Instance; NULL for the I/O manager's operations */
    int Performed;              /* FltPerformSynchronousIo ran it */
    PVOID NewSystemBuffer;      /* a SystemBuffer the file system allocated (FLTFL_CALLBACK_DATA_NEW_SYSTEM_BUFFER); none does */
};

#define EMU_CBD_FROM_DATA(d) ((EMU_CBD *)(d))
int EmuIsCallbackData(PFLT_CALLBACK_DATA data);
/* Runs an operation to completion (waiting while it is pended). */
void EmuRunOperation(EMU_CBD *op);
/* Starts an operation and returns once it completed or a filter pended it (Pended, Done tell which; emu_async.c). */
void EmuStartOperation(EMU_CBD *op);
/* NtReadFile/NtWriteFile up to IoCallDriver on a process's handle: the operation, built and not started, or
 * NULL with *refused (STATUS_INVALID_HANDLE, STATUS_ACCESS_DENIED). ioFlags: EMU_IO_*. */
EMU_CBD *EmuNewUserIo(UCHAR major, uint64_t handle, int64_t offset, void *buffer, uint32_t length, uint32_t ioFlags, int fast,
                      NTSTATUS *refused);
/* Asynchronous requests (emu_async.c): one never waited on is a leak (EmuCheckLeaks; the C test harness after each test). */
void EmuAsyncCheckLeaks(void);
void EmuAsyncReset(void);
/* emu_fltio.c: a filter's asynchronous FltReadFile/FltWriteFile */
NTSTATUS EmuFltIoStart(EMU_CBD *op, PFLT_INSTANCE instance, FLT_IO_OPERATION_FLAGS flags, PVOID buffer, ULONG length,
                       PFLT_COMPLETED_ASYNC_IO_CALLBACK callback, PVOID context, const char *routine);
int EmuFltIoCheckFree(const void *block, size_t size, const char *freeRoutine, void (*release)(void *), void *releaseArg);
void EmuFltIoDrain(PFLT_FILTER filter, PFLT_INSTANCE instance, const char *when);
void EmuFltIoReset(void);
EMU_CBD *EmuNewOperation(UCHAR major, EMU_FILE *file, PFLT_INSTANCE startBelow, int fastIo);
void EmuFreeOperation(EMU_CBD *op);
/* EmuNewOperation's work on an operation stored elsewhere (FltAllocateCallbackData's), and
 * EmuFreeOperation's but the free: out of the operations in flight, the file's reference dropped. */
void EmuInitOperation(EMU_CBD *op, UCHAR major, EMU_FILE *file, PFLT_INSTANCE startBelow, int fastIo);
void EmuEndOperation(EMU_CBD *op);
/* data is an operation in flight (looked up without reading it). */
int EmuIsOperationInFlight(PFLT_CALLBACK_DATA data);
/* Instance teardown: calls inst's post-operation callbacks still owed by
 * operations in flight, with FLTFL_POST_OPERATION_DRAINING (emu_io.c). */
void EmuDrainInstance(PFLT_INSTANCE inst);
KIRQL EmuPostIrqlFor(UCHAR major);
/* emu_name.c / emu_nameprov.c: a name from its parts; the name providers below a request
 * (1 when one answered: *status its result, *out the name on success). */
NTSTATUS EmuMakeNameFrom(FLT_FILE_NAME_OPTIONS options, const WCHAR *volume, size_t volChars, const WCHAR *path, size_t chars,
                         PFLT_FILE_NAME_INFORMATION *out);
int EmuNameFromProvider(EMU_FILE *file, PFLT_CALLBACK_DATA data, PFLT_INSTANCE instance, FLT_FILE_NAME_OPTIONS options, NTSTATUS *status,
                        PFLT_FILE_NAME_INFORMATION *out);
/* emu_dirquery.c: IRP_MN_QUERY_DIRECTORY on a directory (the file system's part), and the
 * FsRtlIsNameInExpression match (expression already upper case when ignoreCase). */
NTSTATUS EmuFsQueryDirectory(EMU_CBD *op, EMU_FILE *file, EMU_NODE *dir, void *buffer, ULONG_PTR *written);
WCHAR EmuUpcase(WCHAR c);   /* the system upcase table's mapping (emu_rtl.c) */
NTSTATUS EmuFsQueryHardLinks(EMU_NODE *file, void *buffer, ULONG length, ULONG_PTR *written);
int EmuNameInExpression(const WCHAR *expr, size_t exprChars, const WCHAR *name, size_t nameChars, int ignoreCase, const WCHAR *upcaseTable);
void EmuFsDispatch(EMU_CBD *op);
void EmuFsInit(EMU_FS *fs);
size_t EmuNodePath(EMU_NODE *n, WCHAR *out, size_t cap);
ACCESS_MASK EmuMapGenericAccess(ACCESS_MASK a);
void EmuFsDestroy(EMU_FS *fs);
/* MDLs the file systems handed out by MDL reads and not yet completed (freed at reset). */
void EmuFsMdlReset(void);
void EmuFsCleanup(EMU_FILE *file);
void EmuFsClose(EMU_FILE *file);
EMU_NODE *EmuFsLookup(EMU_FS *fs, const WCHAR *path, size_t chars, EMU_NODE **parent, const WCHAR **leaf, size_t *leafChars);
/* The volume-relative path a rename or link of file to (RootDirectory, FileName) names, as the
 * I/O manager resolves it: relative to RootDirectory's directory; a full NT path on the file's
 * volume ("\Device\HarddiskVolume1\dir\name"); or a simple name in the file's own directory.
 * Takes the lock itself. routine: see EmuFileFromHandle (NULL for the I/O manager's own early
 * resolution, which happens in the caller's context). */
NTSTATUS EmuFsDestination(EMU_FILE *file, HANDLE rootDirectory, const WCHAR *name, size_t chars, WCHAR *out, size_t cap, size_t *outChars,
                          const char *routine);
/* Issues cleanup (if a handle existed) then the final close of a file object, through the filters below startBelow. */
void EmuCloseFileObject(EMU_FILE *file, int sendCleanup);
EMU_CBD *EmuNewFileOperation(UCHAR major, EMU_FILE *file);

/* ---- name providers (emu_name.c) ---- */
/* A FLT_NAME_CONTROL for a GenerateFileNameCallback, with a buffer of bytes; freed with EmuNameControlFree. */
PFLT_NAME_CONTROL EmuNameControlNew(USHORT bytes);
void EmuNameControlFree(PFLT_NAME_CONTROL control);

/* ---- contexts ---- */
void EmuContextsOnFileClose(EMU_FILE *file);
void EmuContextsOnNodeDelete(EMU_NODE *node);
void EmuContextsOnInstanceTeardown(PFLT_INSTANCE instance);
void EmuContextsOnFilterGone(PFLT_FILTER filter);
void EmuContextCheckLeaks(void);
int EmuContextIs(PFLT_CONTEXT context, FLT_CONTEXT_TYPE type, PFLT_FILTER filter);
void EmuContextsOnTransactionEnd(void **slots);

/* ---- transactions (emu_txn.c) ----
 * Transaction objects for the filter manager's transaction routines; the emulated I/O manager
 * opens no file in a transaction. Tests create and end them directly. */
PKTRANSACTION EmuTransactionCreate(void);          /* the emulator holds one reference until EmuTransactionsReset */
/* Ends it: the enlisted filters receive their notifications (commit: PREPREPARE, PREPARE, COMMIT,
 * COMMIT_FINALIZE; rollback: ROLLBACK) at PASSIVE_LEVEL, then its contexts and enlistments go. */
NTSTATUS EmuTransactionEnd(PKTRANSACTION transaction, int commit);
int EmuIsTransaction(PVOID p);
int EmuTransactionActive(PKTRANSACTION transaction);
void **EmuTransactionContextSlot(PKTRANSACTION transaction, PFLT_FILTER filter);  /* NULL: not a transaction */
void EmuTransactionsOnInstanceTeardown(PFLT_INSTANCE instance);
int EmuIsTransactionHandle(HANDLE h);
NTSTATUS EmuTransactionCloseHandle(HANDLE h);
NTSTATUS EmuTransactionOpenHandle(PKTRANSACTION transaction, ACCESS_MASK access, PHANDLE handle);
void EmuTransactionsCheckLeaks(void);
void EmuTransactionsReset(void);
/* Transacted opens: the calling thread's current transaction (EmuSetCurrentTransaction), a file
 * object's reference on its transaction, the file system's record of the files a transaction locked. */
PKTRANSACTION EmuCurrentTransaction(void);
void EmuFileSetTransaction(EMU_FILE *file, PKTRANSACTION transaction);
void EmuTransactionLockNode(PKTRANSACTION transaction, EMU_NODE *node);
/* emu_fs.c: the transaction ended; its views of the nodes it locked become the files' data (commit) or go. */
void EmuFsTransactionEnd(EMU_NODE **nodes, int count, int commit);

/* ---- ports ---- */
void EmuPortsOnFilterUnregister(PFLT_FILTER filter);
void EmuPortsReset(void);
void EmuPortsCheckLeaks(void);
/* Tests: waits until the client port has at least count messages sent and not yet received (1), or timeoutMs passed (0). */
int EmuPortWaitQueued(PFLT_PORT clientPort, int count, uint32_t timeoutMs);

/* ---- work ---- */
void EmuRunInWorker(void (*routine)(void *), void *arg);
void EmuWaitWorkersIdle(void);

/* ---- registry (emu_registry.c) ---- */
int EmuIsRegistryHandle(HANDLE h);
NTSTATUS EmuRegistryClose(HANDLE h);
void EmuRegistryCheckLeaks(void);
void EmuRegistryReset(void);
void EmuRegistryEnsureKey(const char *keyPath);

/* ---- device objects a driver creates (emu_device.c) ---- */
void EmuDevicesAfterDriverEntry(PDRIVER_OBJECT driver);   /* clears DO_DEVICE_INITIALIZING, as the I/O manager does */
void EmuDevicesCheckLeaks(void);
void EmuDevicesReset(void);
void EmuDevFileObDereferenced(EMU_OBJ *h);
int EmuPeImageContains(const void *address);             /* emu_pe.c: address lies in the mapped driver image */

/* ---- sections for data scans, views, process handles (emu_section.c) ---- */
int EmuIsSectionHandle(HANDLE h);
int EmuIsProcessHandle(HANDLE h);
/* userOnly: closed as from user mode (NtClose, CloseHandle): a bad handle is STATUS_INVALID_HANDLE, not a violation. */
NTSTATUS EmuSectionCloseHandle(HANDLE h, int userOnly, const char *routine);
NTSTATUS EmuProcessCloseHandle(HANDLE h, int userOnly, const char *routine);
void EmuSectionObDereferenced(EMU_OBJ *h);
NTSTATUS EmuSectionMapView(HANDLE SectionHandle, ULONG pid, int userOnly, PVOID *BaseAddress, PLARGE_INTEGER SectionOffset,
                           PSIZE_T ViewSize, ULONG Win32Protect, const char *routine);
NTSTATUS EmuSectionUnmapView(ULONG pid, PVOID BaseAddress, SIZE_T *size);
int EmuSectionViewOf(ULONG pid, const void *address, void **base, SIZE_T *size);
void EmuSectionsCheckLeaks(void);
void EmuSectionsReset(void);
/* A live context's type and filter (emu_context.c); 0 when c is not a live context. */
int EmuContextDescribe(PFLT_CONTEXT c, FLT_CONTEXT_TYPE *type, PFLT_FILTER *filter);

/* ---- world ---- */
NTSTATUS EmuUnloadFilter(PFLT_FILTER filter);
PFLT_VOLUME EmuVolumeByName(PCUNICODE_STRING name, USHORT *prefixBytes);
void EmuFltReset(void);
void EmuFilesCheckLeaks(void);
/* Lock held. File objects on volume with a handle not yet cleaned up, except except. */
int EmuVolumeOpenHandles(PFLT_VOLUME volume, EMU_FILE *except);
void EmuObjectsCheckLeaks(void);
long EmuObjectsDriverRefTotal(void);   /* references the driver holds now, all objects */

#endif /* EMU_INTERNAL_H */
