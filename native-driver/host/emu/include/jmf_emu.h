/*
 * jmf_emu.h - the API exported by libjmfemu.so, the emulated Filter Manager.
 *
 * Plain C types only, so the Java side can bind it through JNA.
 *
 * 1. The USER side of the communication port, with fltlib's semantics:
 *    same HRESULTs, same FILTER_MESSAGE_HEADER / FILTER_REPLY_HEADER
 *    (16 bytes each: ReplyLength or Status at 0, MessageId at 8).
 *    Port names are NUL-terminated UTF-16 (uint16_t).
 * 2. A CONTROL API: reset the emulated kernel, create volumes, load the
 *    driver linked into the library (its DriverEntry), issue file
 *    operations as a given process, read violations.
 *    Paths and names in the control API are NUL-terminated UTF-8;
 *    file paths are volume-relative ("\dir\file.txt").
 *
 * Every function returning int32_t "NTSTATUS" returns a Windows NTSTATUS
 * value; HRESULT-returning functions return fltlib's HRESULTs.
 */
#ifndef JMF_EMU_H
#define JMF_EMU_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define JMF_EMU_API __attribute__((visibility("default")))

/* ---- HRESULTs the user side returns (as fltlib does) ---- */
#define EMU_S_OK                         0x00000000
#define EMU_E_FILE_NOT_FOUND             ((int32_t)0x80070002) /* no such port */
#define EMU_E_ACCESS_DENIED              ((int32_t)0x80070005)
#define EMU_E_INVALID_HANDLE             ((int32_t)0x80070006) /* port disconnected or closed */
#define EMU_E_INVALID_PARAMETER          ((int32_t)0x80070057)
#define EMU_E_INSUFFICIENT_BUFFER        ((int32_t)0x8007007A)
#define EMU_E_MORE_DATA                  ((int32_t)0x800700EA)
#define EMU_E_WAIT_TIMEOUT               ((int32_t)0x80070102) /* EmuFilterGetMessageTimeout, EmuWaitForPortConnection */
#define EMU_E_OPERATION_ABORTED          ((int32_t)0x800703E3) /* a pending get was cancelled */
#define EMU_E_CONNECTION_COUNT_LIMIT     ((int32_t)0x800704D6)
#define EMU_E_REVISION_MISMATCH          ((int32_t)0x8007051A)
#define EMU_E_FLT_NO_WAITER_FOR_REPLY    ((int32_t)0x801F0020)

/* ---- user side of the communication port (fltlib) ---- */
JMF_EMU_API int32_t EmuFilterConnectCommunicationPort(const uint16_t *portName, uint32_t options,
        const void *context, uint16_t contextSize, void *securityAttributes, void **port);
JMF_EMU_API int32_t EmuFilterSendMessage(void *port, const void *inBuffer, uint32_t inBufferSize,
        void *outBuffer, uint32_t outBufferSize, uint32_t *bytesReturned);
/* Blocks until a message arrives (or the port is closed/cancelled). */
JMF_EMU_API int32_t EmuFilterGetMessage(void *port, void *messageBuffer, uint32_t messageBufferSize);
/* As above, giving up with EMU_E_WAIT_TIMEOUT after timeoutMs (0xFFFFFFFF = forever). */
JMF_EMU_API int32_t EmuFilterGetMessageTimeout(void *port, void *messageBuffer, uint32_t messageBufferSize,
        uint32_t timeoutMs);
/* Wakes every pending get on the port with EMU_E_OPERATION_ABORTED (CancelIoEx). */
JMF_EMU_API int32_t EmuFilterCancelGets(void *port);
JMF_EMU_API int32_t EmuFilterReplyMessage(void *port, const void *replyBuffer, uint32_t replyBufferSize);
/* Disconnects (the driver's disconnect callback runs) and frees the handle. */
JMF_EMU_API int32_t EmuFilterClose(void *port);

/* ---- the Win32 user-mode surface: fltlib's and kernel32's own names (emu_fltlib.c) ----
 * What a Windows client of the port calls, with Windows' semantics, built on the functions above, so
 * that code written against fltlib.dll and kernel32.dll (jminifilter's FltLibFilterPort through JNA)
 * runs unchanged on Linux against the emulated driver. HRESULTs as fltlib's; BOOL-returning routines
 * set the calling thread's last error (GetLastError) on failure, as kernel32's do.
 *  - HANDLE values are multiples of 4 from 0x1000 up and never reused, so a handle used after
 *    CloseHandle (or closed twice) is told from any other: ERROR_INVALID_HANDLE / E_HANDLE and a
 *    violation naming the routine.
 *  - lpPortName is a NUL-terminated wchar_t string as Linux defines wchar_t: 4-byte units (UTF-32),
 *    which is what JNA passes for a String or WString on Linux and what a C caller compiled without
 *    -fshort-wchar writes for L"..."; it is converted to UTF-16 for the emulated Filter Manager.
 *  - FilterGetMessage with an OVERLAPPED (EMU_OVERLAPPED: Windows' 32-byte x64 layout) returns
 *    HRESULT_FROM_WIN32(ERROR_IO_PENDING) and the message is written into the buffer later, from the
 *    sending thread, as the kernel does; the completion is queued to the I/O completion port the handle
 *    is associated with (CreateIoCompletionPort), with the port's completion key, the OVERLAPPED's
 *    address and, as byte count, the bytes written: FILTER_MESSAGE_HEADER (16) + the message body
 *    (Internal = NTSTATUS, InternalHigh = that count, as Windows writes them). A message already
 *    queued is received at once (OVERLAPPED written, packet queued) and the call still returns
 *    HRESULT_FROM_WIN32(ERROR_IO_PENDING), as documented.
 *    CancelIoEx(port, NULL or that OVERLAPPED) completes it with ERROR_OPERATION_ABORTED; closing the
 *    port handle cancels every pending receive of it. hEvent must be NULL (no event objects).
 *  - The caller's side of the contract, checked where Windows would corrupt memory or misroute a
 *    completion: an OVERLAPPED or a buffer passed again while an operation using it is pending, an
 *    OVERLAPPED written while pending (found at completion), a reply to a message id this handle never
 *    received: each is a violation; the call fails with E_INVALIDARG (or, for the reply, fltlib's
 *    ERROR_FLT_NO_WAITER_FOR_REPLY) and changes nothing. */
typedef struct EMU_OVERLAPPED {
    uintptr_t Internal;         /* NTSTATUS of the I/O; STATUS_PENDING (0x103) while pending */
    uintptr_t InternalHigh;     /* bytes transferred */
    union {
        struct { uint32_t Offset; uint32_t OffsetHigh; } Position;
        void *Pointer;
    } Offsets;
    void *hEvent;
} EMU_OVERLAPPED;
#define EMU_INVALID_HANDLE_VALUE ((void *)(intptr_t)-1)
#define EMU_E_IO_PENDING                 ((int32_t)0x800703E5) /* HRESULT_FROM_WIN32(ERROR_IO_PENDING) */
#define EMU_ERROR_INVALID_HANDLE         6u
#define EMU_ERROR_INVALID_PARAMETER      87u
#define EMU_ERROR_INSUFFICIENT_BUFFER    122u
#define EMU_WAIT_TIMEOUT                 258u
#define EMU_ERROR_ABANDONED_WAIT_0       735u
#define EMU_ERROR_OPERATION_ABORTED      995u
#define EMU_ERROR_NOT_FOUND              1168u

JMF_EMU_API int32_t FilterConnectCommunicationPort(const uint32_t *lpPortName, uint32_t dwOptions, const void *lpContext,
        uint16_t wSizeOfContext, void *lpSecurityAttributes, void **hPort);
JMF_EMU_API int32_t FilterSendMessage(void *hPort, const void *lpInBuffer, uint32_t dwInBufferSize, void *lpOutBuffer,
        uint32_t dwOutBufferSize, uint32_t *lpBytesReturned);
JMF_EMU_API int32_t FilterGetMessage(void *hPort, void *lpMessageBuffer, uint32_t dwMessageBufferSize,
        EMU_OVERLAPPED *lpOverlapped);
JMF_EMU_API int32_t FilterReplyMessage(void *hPort, const void *lpReplyBuffer, uint32_t dwReplyBufferSize);
JMF_EMU_API void *CreateIoCompletionPort(void *FileHandle, void *ExistingCompletionPort, uintptr_t CompletionKey,
        uint32_t NumberOfConcurrentThreads);
JMF_EMU_API int32_t GetQueuedCompletionStatus(void *CompletionPort, uint32_t *lpNumberOfBytesTransferred,
        uintptr_t *lpCompletionKey, EMU_OVERLAPPED **lpOverlapped, uint32_t dwMilliseconds);
JMF_EMU_API int32_t PostQueuedCompletionStatus(void *CompletionPort, uint32_t dwNumberOfBytesTransferred,
        uintptr_t dwCompletionKey, EMU_OVERLAPPED *lpOverlapped);
JMF_EMU_API int32_t CancelIoEx(void *hFile, EMU_OVERLAPPED *lpOverlapped);
JMF_EMU_API int32_t CloseHandle(void *hObject);
JMF_EMU_API uint32_t GetLastError(void);
JMF_EMU_API void SetLastError(uint32_t dwErrCode);
/* FilterConnectCommunicationPort for C compiled with -fshort-wchar (Windows' WCHAR, UTF-16): the
 * user-mode headers of include-user (fltUser.h) bind FilterConnectCommunicationPort to it. */
JMF_EMU_API int32_t FilterConnectCommunicationPortUtf16(const uint16_t *lpPortName, uint32_t dwOptions,
        const void *lpContext, uint16_t wSizeOfContext, void *lpSecurityAttributes, void **hPort);
/* Threads on pthreads: the new thread runs in the creator's emulated process; its handle (CloseHandle)
 * is signalled when the start routine returns, whose value is the exit code (STILL_ACTIVE until then).
 * dwCreationFlags: 0 or STACK_SIZE_PARAM_IS_A_RESERVATION (CREATE_SUSPENDED: ERROR_NOT_SUPPORTED).
 * WaitForSingleObject(Ex) waits on thread handles (WAIT_OBJECT_0, WAIT_TIMEOUT; WAIT_FAILED with
 * ERROR_INVALID_HANDLE otherwise); no user APCs exist, so an alertable wait is a plain one. */
#define EMU_STACK_SIZE_PARAM_IS_A_RESERVATION 0x00010000u
#define EMU_ERROR_NOT_SUPPORTED          50u
#define EMU_STILL_ACTIVE                 259u
#define EMU_WAIT_OBJECT_0                0u
#define EMU_WAIT_FAILED                  0xFFFFFFFFu
#define EMU_INFINITE                     0xFFFFFFFFu
JMF_EMU_API void *CreateThread(void *lpThreadAttributes, size_t dwStackSize, uint32_t (*lpStartAddress)(void *),
        void *lpParameter, uint32_t dwCreationFlags, uint32_t *lpThreadId);
JMF_EMU_API uint32_t WaitForSingleObjectEx(void *hHandle, uint32_t dwMilliseconds, int32_t bAlertable);
JMF_EMU_API uint32_t WaitForSingleObject(void *hHandle, uint32_t dwMilliseconds);
JMF_EMU_API int32_t GetExitCodeThread(void *hThread, uint32_t *lpExitCode);

/* ---- control: the emulated kernel ---- */
/* Resets everything (volumes, filters, processes, violations). 0 on success. */
JMF_EMU_API int32_t EmuReset(void);
/* Creates a volume named ntName (e.g. "\\Device\\HarddiskVolume1") with the
 * given device StackSize; returns its id (>= 1) or a negative value. New
 * volumes get instances of every started filter (InstanceSetup decides). */
#define EMU_VOLUME_NETWORK 0x1   /* FILE_DEVICE_NETWORK_FILE_SYSTEM, FLT_FSTYPE_MUP */
JMF_EMU_API int32_t EmuCreateVolume(const char *ntName, uint32_t stackSize, uint32_t flags);
/* Registers (or updates) a process: its id and the NT path of its image. */
JMF_EMU_API int32_t EmuSetProcess(uint32_t pid, const char *imageNtPath, int32_t privileged);
/* Makes the calling thread run as process pid (registered with EmuSetProcess). */
JMF_EMU_API int32_t EmuSetCurrentProcess(uint32_t pid);
/* The IRQL post-operation callbacks of this major function run at (read and
 * write may run at DISPATCH_LEVEL; creates always run at PASSIVE_LEVEL). */
JMF_EMU_API void EmuSetPostOperationIrql(uint8_t majorFunction, uint8_t irql);
/* The IRQL a filter's asynchronous FltReadFile/FltWriteFile completion routine
 * (PFLT_COMPLETED_ASYNC_IO_CALLBACK) runs at on the emulator's worker:
 * DISPATCH_LEVEL (the default, also after EmuReset) or PASSIVE_LEVEL; the
 * documentation allows any IRQL <= DISPATCH_LEVEL. */
JMF_EMU_API void EmuSetAsyncIoCallbackIrql(uint8_t irql);

/* The driver linked into the library (native-driver/src): calls its
 * DriverEntry with this altitude. Returns DriverEntry's NTSTATUS, or
 * STATUS_NOT_FOUND (0xC0000225) when the library has no driver. */
JMF_EMU_API int32_t EmuLoadDriver(const char *altitude);
/* A real driver binary (PE32+ x64 .sys, as the WDK links it) for EmuLoadDriver to run instead of the
 * driver linked into the library, mapped afresh at every load (emu_pe.c); NULL or "" clears it (the
 * JMF_EMU_SYS environment variable is used then). Only where no driver's sources are linked in
 * (libjmfemu-sys.so, build/emu-tests-sys): a linked driver takes precedence. */
JMF_EMU_API int32_t EmuSetDriverImage(const char *path);
/* Why the last image failed to load ("" if none failed). */
JMF_EMU_API const char *EmuDriverImageError(void);
/* Calls the driver's FilterUnloadCallback (mandatory unload), then checks that
 * nothing leaked (pool by tag, references, contexts, ports, file objects):
 * each leak is recorded as a violation. Returns the callback's NTSTATUS. */
JMF_EMU_API int32_t EmuUnloadDriver(void);

/* An unload request with these flags: EMU_UNLOAD_MANDATORY (FLTFL_FILTER_UNLOAD_MANDATORY: system
 * shutdown, what EmuUnloadDriver does) or 0 (fltmc unload, a service stop), which the driver's
 * callback may refuse with an error status: the driver then stays loaded and that status is
 * returned. After an unload that happened, leaks are checked as by EmuUnloadDriver. */
#define EMU_UNLOAD_MANDATORY 0x1
JMF_EMU_API int32_t EmuUnloadDriverEx(uint32_t flags);

/* The registry the driver sees (ZwOpenKey, ZwCreateKey, ZwQueryValueKey, ZwSetValueKey,
 * ZwDeleteValueKey, ZwClose). It survives EmuUnloadDriver/EmuLoadDriver (an emulated reboot);
 * EmuReset empties it. The driver's RegistryPath is EMU_SERVICE_KEY; key paths are full
 * ("\\REGISTRY\\MACHINE\\..."), compared without regard to case. */
#define EMU_SERVICE_KEY "\\REGISTRY\\MACHINE\\SYSTEM\\CurrentControlSet\\Services\\jminifilter"
/* Sets a value (creating the key and its parents): 0, or -1. */
JMF_EMU_API int32_t EmuRegistrySetValue(const char *keyPath, const char *valueName, uint32_t type,
        const void *data, uint32_t length);
/* Copies up to capacity bytes of a value; returns its length (*type its REG_* type), or -1 if absent. */
JMF_EMU_API int64_t EmuRegistryGetValue(const char *keyPath, const char *valueName, uint32_t *type,
        void *buffer, uint32_t capacity);
JMF_EMU_API int32_t EmuRegistryDeleteValue(const char *keyPath, const char *valueName);
/* Keys created, values set or deleted by the driver since the reset. */
JMF_EMU_API uint32_t EmuRegistryWriteCount(void);

/* Detaches the loaded driver's instance from a volume (FltDetachVolume, as
 * "fltmc detach" does; the driver's teardown callbacks run). May be called
 * from inside a filter callback, e.g. between a create's pre- and post-
 * operation. An instance the driver still holds rundown references on
 * (FltObjectReference) is freed by the last FltObjectDereference. */
JMF_EMU_API int32_t EmuDetachDriver(int32_t volumeId);
/* Attaches the loaded driver to a volume at the given altitude (FltAttachVolumeAtAltitude). */
JMF_EMU_API int32_t EmuAttachDriver(int32_t volumeId, const char *altitude);
/* The Flags argument of the last FltCreateFileEx2/FltCreateFileEx/FltCreateFile
 * any filter made (IO_FORCE_ACCESS_CHECK 0x1, ...); *calls receives how many
 * were made since the reset. */
JMF_EMU_API uint32_t EmuLastFltCreateFileFlags(uint32_t *calls);

/* Waits until the server port of this name (e.g. "\\ScannerPort") has a connected client (its connect
 * callback accepted it): 0; EMU_E_WAIT_TIMEOUT after timeoutMs; EMU_E_FILE_NOT_FOUND if no open server
 * port has the name. For a client started in another thread (a sample's user-mode program). */
JMF_EMU_API int32_t EmuWaitForPortConnection(const char *serverPortName, uint32_t timeoutMs);

/* The altitude the next FltRegisterFilter gets (test filters register directly). */
JMF_EMU_API void EmuSetNextAltitude(const char *altitude);

/* ---- control: transactions (KTM) and transacted opens (Transactional NTFS) ----
 * EmuTransactionBegin creates a transaction (CreateTransaction); EmuSetCurrentTransaction makes
 * the calling thread's later EmuFileOpen/EmuFileOpenRelative transacted (RtlSetCurrentTransaction;
 * 0 clears it). Filters enlisted in it (FltEnlistInTransaction) receive its outcome when it is
 * committed or rolled back. The file systems keep TxF's rules for existing files: a transacted
 * writer locks the file (non-transacted writers: STATUS_TRANSACTIONAL_CONFLICT; another
 * transaction's writer: STATUS_SHARING_VIOLATION), its data and end of file changes are seen only
 * through the transaction's handles until the commit, and go on rollback; a file deleted in the
 * transaction is gone for it at once, for everyone at the commit. Not emulated in a transaction
 * (STATUS_NOT_SUPPORTED): creating, overwriting, renaming or linking a file, deleting a directory
 * or a linked file, other information classes, FSCTL_SET_ZERO_DATA, MDL reads. Transactions are
 * identified by the value EmuTransactionBegin returns. */
JMF_EMU_API int32_t EmuTransactionBegin(uint64_t *transaction);
JMF_EMU_API int32_t EmuSetCurrentTransaction(uint64_t transaction);
JMF_EMU_API int32_t EmuTransactionCommit(uint64_t transaction);
JMF_EMU_API int32_t EmuTransactionRollback(uint64_t transaction);

/* ---- control: file operations, issued as the current process ---- */
/* createOptions may add EMU_OPEN_ASYNC_IO: a handle for asynchronous I/O (no FILE_SYNCHRONOUS_IO_NONALERT,
 * so no FO_SYNCHRONOUS_IO), as CreateFile with FILE_FLAG_OVERLAPPED gives. */
#define EMU_OPEN_ASYNC_IO 0x80000000u
JMF_EMU_API int32_t EmuFileOpen(int32_t volumeId, const char *path, uint32_t desiredAccess,
        uint32_t shareAccess, uint32_t disposition, uint32_t createOptions, uint32_t fileAttributes,
        uint64_t *handle, uint64_t *information);
/* NtCreateFile with OBJECT_ATTRIBUTES.RootDirectory: name ("dir\\f.txt", no leading '\\') is relative to
 * the open directory rootDirectory; the create sees FileObject->FileName = name and RelatedFileObject = the
 * directory's file object. */
JMF_EMU_API int32_t EmuFileOpenRelative(uint64_t rootDirectory, const char *name, uint32_t desiredAccess,
        uint32_t shareAccess, uint32_t disposition, uint32_t createOptions, uint32_t fileAttributes,
        uint64_t *handle, uint64_t *information);
JMF_EMU_API int32_t EmuFileRead(uint64_t handle, int64_t offset, void *buffer, uint32_t length,
        uint32_t *bytesRead);
/* ioFlags: EMU_IO_FAST (a fast I/O flavour of the operation), EMU_IO_WRITE_THROUGH (SL_WRITE_THROUGH),
 * EMU_IO_ASYNC (an asynchronous IRP: no IRP_SYNCHRONOUS_API; these calls still return only when it completed,
 * as EmuFileReadAsync/EmuFileWriteAsync followed by EmuIoWait(INFINITE) would). */
#define EMU_IO_FAST          0x1
#define EMU_IO_WRITE_THROUGH 0x2
#define EMU_IO_ASYNC         0x4
JMF_EMU_API int32_t EmuFileReadEx(uint64_t handle, int64_t offset, void *buffer, uint32_t length,
        uint32_t ioFlags, uint32_t *bytesRead);
JMF_EMU_API int32_t EmuFileWrite(uint64_t handle, int64_t offset, const void *buffer, uint32_t length,
        uint32_t ioFlags, uint32_t *bytesWritten);
/* Asynchronous reads and writes, as NtReadFile/NtWriteFile on a handle opened without FILE_SYNCHRONOUS_IO_*
 * (EMU_OPEN_ASYNC_IO): an IRP without IRP_SYNCHRONOUS_API (FltIsOperationSynchronous is FALSE) that the call
 * starts on the calling thread and returns from at once with the status the I/O manager gives the caller:
 *  - STATUS_PENDING (0x103) when a filter pended the operation on its way (its pre-operation callback returned
 *    FLT_PREOP_PENDING, or a post-operation callback FLT_POSTOP_MORE_PROCESSING_REQUIRED, FltDoCompletion-
 *    ProcessingWhenSafe's posting included): the filter manager marked the IRP pending, so STATUS_PENDING even
 *    if another thread already completed it. The rest of the operation (the filters below, the file system,
 *    the post-operation callbacks) runs on the thread that calls FltCompletePendedPreOperation /
 *    FltCompletePendedPostOperation (a work item's, a filter's own thread), never on the caller's;
 *  - otherwise the operation's final status (it completed on the calling thread).
 * *request receives the request's id (never reused) whenever the operation was issued, whatever the status;
 * each must be waited on once with EmuIoWait, which gives the final status and byte count and releases the
 * operation. 0 and nothing issued when the I/O manager refused it first: STATUS_INVALID_HANDLE,
 * STATUS_ACCESS_DENIED (the handle's granted access), STATUS_INVALID_PARAMETER (request NULL, a NULL buffer
 * with a length, ioFlags other than EMU_IO_WRITE_THROUGH/EMU_IO_ASYNC: EMU_IO_FAST is refused, fast I/O being
 * synchronous by nature; a buffer overlapping the buffer of a read still in flight, or a read's buffer
 * overlapping any request's in flight, which is also a violation).
 * The buffer belongs to the I/O until it completes: the emulator keeps the pointer, the file system reads a
 * write's data or fills a read's buffer when the operation reaches it, so it must stay valid until EmuIoWait
 * has returned the completion; reading it then gives the data.
 * On a handle opened for synchronous I/O (without EMU_OPEN_ASYNC_IO) the I/O manager waits, as NtReadFile does
 * there: the IRP carries IRP_SYNCHRONOUS_API, the call returns the final status only once the operation has
 * completed (whoever pended it), and the request is still to be waited on (EmuIoWait returns at once).
 * Cancelling (CancelIoEx on a file handle, FltSetCancelCompletion, IoCancelIrp) is not emulated. */
JMF_EMU_API int32_t EmuFileReadAsync(uint64_t handle, int64_t offset, void *buffer, uint32_t length,
        uint32_t ioFlags, uint64_t *request);
JMF_EMU_API int32_t EmuFileWriteAsync(uint64_t handle, int64_t offset, const void *buffer, uint32_t length,
        uint32_t ioFlags, uint64_t *request);
/* Waits up to timeoutMs (0: a poll; EMU_INFINITE: until it completes) for a request of EmuFileReadAsync or
 * EmuFileWriteAsync, from any thread. STATUS_SUCCESS (0): it completed; *status receives its final NTSTATUS,
 * *information its IoStatus.Information (the bytes transferred), and the request is gone. STATUS_TIMEOUT
 * (0x102, a success code): not completed yet; wait again. STATUS_INVALID_HANDLE: not a request of this
 * EmuReset's lifetime; a request already waited on (each is waited on once) or waited on by two threads at
 * once is also a violation naming EmuIoWait. A request never waited on when the last filter unloads
 * (EmuCheckLeaks) is a leak violation; EmuReset frees what is left. */
JMF_EMU_API int32_t EmuIoWait(uint64_t request, uint32_t timeoutMs, int32_t *status, uint64_t *information);
/* Renames to newPath on the file's volume ("\\dir\\name"): EmuFileRenameEx(handle, 0, newPath, replace flag). */
JMF_EMU_API int32_t EmuFileRename(uint64_t handle, const char *newPath, int32_t replaceIfExists);
/* Renames (FileRenameInformation*) or hard-links (FileLinkInformation*) the file as NtSetInformationFile
 * does: newName is a volume-relative path ("\\dir\\name", passed on as the full NT path on the file's
 * volume), a simple name (the file's own directory), or, with rootDirectory (a handle of an open
 * directory), a name relative to that directory. flags: */
#define EMU_NAME_REPLACE_IF_EXISTS   0x1  /* ReplaceIfExists (FILE_*_REPLACE_IF_EXISTS with EMU_NAME_EX_CLASS) */
#define EMU_NAME_EX_CLASS            0x2  /* FileRenameInformationEx / FileLinkInformationEx (Flags, not the BOOLEAN) */
#define EMU_NAME_BYPASS_ACCESS_CHECK 0x4  /* the *BypassAccessCheck class (same buffer) */
JMF_EMU_API int32_t EmuFileRenameEx(uint64_t handle, uint64_t rootDirectory, const char *newName, uint32_t flags);
JMF_EMU_API int32_t EmuFileLink(uint64_t handle, uint64_t rootDirectory, const char *linkName, uint32_t flags);
JMF_EMU_API int32_t EmuFileDelete(uint64_t handle);
/* FileDispositionInformationEx with these FILE_DISPOSITION_* flags (1 = DELETE, 2 = POSIX_SEMANTICS, ...). */
JMF_EMU_API int32_t EmuFileDeleteEx(uint64_t handle, uint32_t flags);
JMF_EMU_API int32_t EmuFileSetEndOfFile(uint64_t handle, int64_t endOfFile);
JMF_EMU_API int32_t EmuFileQuerySize(uint64_t handle, int64_t *endOfFile);
JMF_EMU_API int32_t EmuFileClose(uint64_t handle);
/* A directory listing: IRP_MJ_DIRECTORY_CONTROL / IRP_MN_QUERY_DIRECTORY (FileNamesInformation,
 * SL_RESTART_SCAN) on a directory handle; names receives the entries' names as UTF-8, each
 * followed by '\n', *count how many. STATUS_NO_MORE_FILES for an empty directory. */
JMF_EMU_API int32_t EmuFileQueryDirectory(uint64_t handle, char *names, uint32_t capacity, uint32_t *count);
/* IRP_MJ_DIRECTORY_CONTROL / IRP_MN_QUERY_DIRECTORY as NtQueryDirectoryFileEx sends it: infoClass a
 * directory information class (FileDirectoryInformation, FileNamesInformation, ...), flags the SL_* query
 * flags (SL_RESTART_SCAN, SL_RETURN_SINGLE_ENTRY, SL_INDEX_SPECIFIED), pattern the FileName (UTF-8, DOS
 * wildcards allowed; NULL for none). buffer receives the file system's entries as Windows lays them out,
 * *returned IoStatus.Information. The file object keeps its pattern and position between calls. */
JMF_EMU_API int32_t EmuFileQueryDirectoryEx(uint64_t handle, int32_t infoClass, uint32_t flags, const char *pattern,
        void *buffer, uint32_t length, uint32_t *returned);
/* IRP_MJ_LOCK_CONTROL / IRP_MN_LOCK (fail immediately). Locks are granted, not enforced. */
JMF_EMU_API int32_t EmuFileLock(uint64_t handle, int64_t offset, int64_t length, int32_t exclusive);
/* IRP_MJ_FILE_SYSTEM_CONTROL / IRP_MN_USER_FS_REQUEST with a METHOD_BUFFERED code:
 * buffer holds inputLength bytes in and receives up to outputLength bytes. The
 * file system implements FSCTL_SET_ZERO_DATA and grants oplock requests. */
JMF_EMU_API int32_t EmuFileFsControl(uint64_t handle, uint32_t fsControlCode, void *buffer, uint32_t inputLength,
        uint32_t outputLength, uint32_t *returned);
/* IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION (an FsFilter operation), as the memory
 * manager sends it before creating a section (createSection != 0: SyncTypeCreateSection
 * with pageProtection) or for other synchronization (SyncTypeOther, which no filter may fail). */
JMF_EMU_API int32_t EmuFileAcquireForSection(uint64_t handle, int32_t createSection, uint32_t pageProtection);
/* An MDL read (IRP_MJ_READ / IRP_MN_MDL): copies what the MDL maps into buffer and
 * returns the MDL as *mdl, to be given back with EmuFileMdlReadComplete
 * (IRP_MN_COMPLETE_MDL); giving it to another volume's file system is a violation. */
JMF_EMU_API int32_t EmuFileMdlRead(uint64_t handle, int64_t offset, void *buffer, uint32_t length, uint32_t *bytesRead,
        uint64_t *mdl);
JMF_EMU_API int32_t EmuFileMdlReadComplete(uint64_t handle, uint64_t mdl);

/* ---- control: device objects a driver created (IoCreateDevice), opened as a process opens them ----
 * As CreateFile("\\\\?\\GLOBALROOT" + ntName) does: the I/O manager finds the device object by its
 * name (ntName: "\\FileSystem\\Filters\\CdoSample", or that name followed by "\\rest", which the
 * driver sees as FileObject->FileName) and sends IRP_MJ_CREATE to the driver's dispatch routine; no
 * Filter Manager instance is involved. The handles are their own (EmuDeviceClose: IRP_MJ_CLEANUP, then
 * IRP_MJ_CLOSE once no request holds the file object). A volume's name: STATUS_INVALID_PARAMETER (use
 * EmuFileOpen); an unknown or deleted name: STATUS_OBJECT_NAME_NOT_FOUND; a device still
 * DO_DEVICE_INITIALIZING: STATUS_NO_SUCH_DEVICE; a second open of an exclusive device:
 * STATUS_ACCESS_DENIED. Requests are synchronous: buffer holds inputLength bytes in and receives up to
 * outputLength (Information) bytes; EmuDeviceIoControl tries the driver's FastIoDeviceControl first. */
JMF_EMU_API int32_t EmuDeviceOpen(const char *ntName, uint32_t desiredAccess, uint32_t shareAccess, uint32_t disposition,
        uint32_t createOptions, uint64_t *handle, uint64_t *information);
JMF_EMU_API int32_t EmuDeviceRead(uint64_t handle, int64_t offset, void *buffer, uint32_t length, uint32_t *bytesRead);
JMF_EMU_API int32_t EmuDeviceWrite(uint64_t handle, int64_t offset, const void *buffer, uint32_t length, uint32_t *bytesWritten);
JMF_EMU_API int32_t EmuDeviceFsControl(uint64_t handle, uint32_t fsControlCode, void *buffer, uint32_t inputLength,
        uint32_t outputLength, uint32_t *returned);
JMF_EMU_API int32_t EmuDeviceIoControl(uint64_t handle, uint32_t ioControlCode, void *buffer, uint32_t inputLength,
        uint32_t outputLength, uint32_t *returned);
JMF_EMU_API int32_t EmuDeviceClose(uint64_t handle);
/* 1 if a device object of exactly this name exists (created and not yet deleted), else 0. */
JMF_EMU_API int32_t EmuDeviceExists(const char *ntName);

/* ---- control: an observer filter (for tests that look below the driver) ----
 * A minifilter built into the library, registered at the given altitude
 * (below the driver's to see what the driver sends down). For each major
 * function it remembers the parameters its pre-operation callback received
 * last. EMU_OBSERVED has a fixed layout (48 bytes, no padding surprises). */
typedef struct EMU_OBSERVED {
    uint32_t Count;             /* pre-operation callbacks seen for this major function */
    uint32_t RequestorPid;
    int32_t  VolumeId;
    uint32_t DesiredAccess;     /* create: SecurityContext->DesiredAccess */
    uint32_t CreateOptions;     /* create: Parameters.Create.Options & 0x00FFFFFF */
    uint32_t Disposition;       /* create: Parameters.Create.Options >> 24 */
    uint32_t OperationFlags;    /* Iopb->OperationFlags (SL_*) */
    uint32_t Length;            /* read/write: Parameters.Read/Write.Length */
    int64_t  ByteOffset;        /* read/write */
    uint32_t IrpFlags;
    uint32_t Reserved;
} EMU_OBSERVED;
JMF_EMU_API int32_t EmuObserverStart(const char *altitude);
/* Copies what the observer saw last for majorFunction; 0, or -1 if never seen. */
JMF_EMU_API int32_t EmuObserverLast(uint8_t majorFunction, EMU_OBSERVED *observed);
JMF_EMU_API int32_t EmuObserverStop(void);
/* The buffer a read, write or directory query (IRP_MN_QUERY_DIRECTORY) reached the
 * observer with, for C checks that a filter above swapped buffers (not in the Java
 * binding): the parameters' buffer pointer and MDL as received, and for a write the
 * first bytes the file system will write (read through the MDL when there is one). */
typedef struct EMU_OBSERVED_BUFFER {
    uint64_t Buffer;            /* ReadBuffer / WriteBuffer / DirectoryBuffer */
    uint64_t Mdl;               /* MdlAddress, 0 if none */
    uint64_t MdlVirtualAddress; /* MmGetMdlVirtualAddress(MdlAddress), 0 if none */
    uint32_t Length;
    uint32_t Captured;          /* bytes in Data (writes only) */
    uint8_t  Data[64];
} EMU_OBSERVED_BUFFER;
/* Copies the last one seen for majorFunction; 0, or -1 if none was seen. */
JMF_EMU_API int32_t EmuObserverLastBuffer(uint8_t majorFunction, EMU_OBSERVED_BUFFER *observed);

/* ---- control: looking at the file systems directly (no filters) ---- */
/* Returns 1 if path exists on the volume (2 if it is a directory), 0 if not. */
JMF_EMU_API int32_t EmuFsExists(int32_t volumeId, const char *path);
/* Copies up to capacity bytes of the file; returns its size, or -1 if absent. */
JMF_EMU_API int64_t EmuFsRead(int32_t volumeId, const char *path, void *buffer, uint32_t capacity);
/* Creates or replaces a file (parents must exist) or a directory (isDirectory). */
JMF_EMU_API int32_t EmuFsPut(int32_t volumeId, const char *path, const void *data, uint32_t length,
        int32_t isDirectory);

/* ---- control: what the emulator caught ---- */
/* Violations: misuse the real system would bugcheck on or Driver Verifier would report. */
JMF_EMU_API int32_t EmuViolationCount(void);
/* Copies violation index (0-based) as UTF-8 into buffer; returns its length or -1. */
JMF_EMU_API int32_t EmuViolationText(int32_t index, char *buffer, uint32_t capacity);
JMF_EMU_API void EmuViolationsClear(void);
/* Checks leaks now (pool, references, contexts, ports, files) as an unload would. */
JMF_EMU_API void EmuCheckLeaks(void);
/* Pool blocks currently allocated by filters. */
JMF_EMU_API int64_t EmuPoolBlocks(void);

/* TraceLogging events written to registered providers (include/TraceLoggingProvider.h),
 * oldest first: the level (2 error, 3 warning, 4 information, 5 verbose) and the
 * text "<EventName> <Field>=<value> ..." as UTF-8 (NTSTATUS fields in hex). */
JMF_EMU_API int32_t EmuTraceLoggingEventCount(void);
JMF_EMU_API int32_t EmuTraceLoggingEventLevel(int32_t index);
/* Copies event index's text into buffer; returns its length or -1. */
JMF_EMU_API int32_t EmuTraceLoggingEventText(int32_t index, char *buffer, uint32_t capacity);
JMF_EMU_API void EmuTraceLoggingClear(void);

/* DbgPrint/DbgPrintEx output (all of it, whatever the debug filter mask), as lines, oldest first
 * (the last 1024 complete lines; a message printed in several calls up to its '\n' is one line). */
JMF_EMU_API int32_t EmuDbgPrintLineCount(void);
/* Copies line index as UTF-8 into buffer; returns its length or -1. */
JMF_EMU_API int32_t EmuDbgPrintLineText(int32_t index, char *buffer, uint32_t capacity);
JMF_EMU_API void EmuDbgPrintClear(void);

#ifdef __cplusplus
}
#endif

/* ---- the driver's own matcher, for `jminifilter explain` ----
 * Compiles policyBody (a SET_POLICY body) with the driver's portable core (JmfPolicyCompile) and
 * returns, in *ruleIndex, the index of the rule JmfPolicyMatch finds for the operation (or
 * JMF_INDEX_NONE). phase: JMF_PHASE_PRE (1) or JMF_PHASE_POST_CREATE (2); operation: one JMF_OP_*
 * bit; volume: the NT device name (UTF-16, not terminated); observed: post-create JMF_MATCH_* bits.
 * Returns 0, or the JMF_ERROR_* of a policy the driver would refuse. Needs no emulated kernel. */
JMF_EMU_API int32_t EmuExplain(const void *policyBody, uint32_t length, uint32_t phase, uint32_t operation,
        const uint16_t *volume, uint32_t volumeChars, uint32_t processId, uint32_t desiredAccess,
        uint32_t disposition, uint32_t createOptions, uint32_t observed, const uint16_t *path, uint32_t pathChars,
        const uint16_t *image, uint32_t imageChars, uint32_t *ruleIndex);

#endif /* JMF_EMU_H */
