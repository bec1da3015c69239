/*
 * emu_pe.c - runs a real driver binary (a PE32+ x64 .sys linked against the
 * WDK) in the emulator, natively, as Wine runs PE code: no CPU emulation,
 * a loader and calling-convention thunks.
 *
 *   - the image is mapped afresh for every DriverEntry (as Windows loads a
 *     driver afresh), its sections copied, its DIR64 relocations applied;
 *   - its imports from FLTMGR.SYS and ntoskrnl.exe are resolved by name to
 *     the emulator's routines through ms_abi -> System V thunks; an import
 *     the emulator does not implement fails the load, naming it;
 *   - every function pointer the driver hands to the emulator (its
 *     FLT_REGISTRATION callbacks, port callbacks, work item routines, ...)
 *     is replaced by a System V -> ms_abi thunk before the emulator sees it;
 *   - the /GS cookie is seeded before the entry point runs (GsDriverEntry's
 *     __security_init_cookie would otherwise read KUSER_SHARED_DATA, a
 *     kernel address);
 *   - `int 0x29` (__fastfail: a /GS cookie mismatch, a corrupt LIST_ENTRY)
 *     and any other fault inside the image are reported as the bug check
 *     Windows would raise, naming the image offset, and end the process.
 *
 * Which image: EmuSetDriverImage(path) or the JMF_EMU_SYS environment
 * variable. Then EmuLoadDriver runs the image's entry point instead of the
 * DriverEntry linked into the program: this file's DriverEntry is weak, so a
 * build that links the driver's sources (the gcc build) keeps using them.
 *
 * x86-64 Linux only (the thunks are x86-64 code); elsewhere the routines
 * exist and report that the image cannot run.
 */
#define _GNU_SOURCE
#include "emu_internal.h"
#include <TraceLoggingProvider.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

/* ---- PE structures (from the PE/COFF specification) ---- */
#define PE_DIR_EXPORT 0
#define PE_DIR_IMPORT 1
#define PE_DIR_BASERELOC 5
#define PE_DIR_LOAD_CONFIG 10
#define PE_REL_ABSOLUTE 0
#define PE_REL_DIR64 10
#define PE_SCN_CNT_CODE 0x00000020u
#define PE_SCN_MEM_EXECUTE 0x20000000u
#define PE_SCN_MEM_WRITE 0x80000000u
#define PE_DEFAULT_COOKIE 0x00002B992DDFA232ULL

#pragma pack(push, 1)
typedef struct { uint16_t Machine, NumberOfSections; uint32_t TimeDateStamp, PointerToSymbolTable, NumberOfSymbols;
                 uint16_t SizeOfOptionalHeader, Characteristics; } PE_FILE_HEADER;
typedef struct { uint32_t VirtualAddress, Size; } PE_DATA_DIRECTORY;
typedef struct {
    uint16_t Magic; uint8_t MajorLinker, MinorLinker;
    uint32_t SizeOfCode, SizeOfInitializedData, SizeOfUninitializedData, AddressOfEntryPoint, BaseOfCode;
    uint64_t ImageBase; uint32_t SectionAlignment, FileAlignment;
    uint16_t MajorOs, MinorOs, MajorImage, MinorImage, MajorSubsystem, MinorSubsystem;
    uint32_t Win32Version, SizeOfImage, SizeOfHeaders, CheckSum; uint16_t Subsystem, DllCharacteristics;
    uint64_t StackReserve, StackCommit, HeapReserve, HeapCommit; uint32_t LoaderFlags, NumberOfRvaAndSizes;
    PE_DATA_DIRECTORY DataDirectory[16];
} PE_OPTIONAL_HEADER64;
typedef struct { char Name[8]; uint32_t VirtualSize, VirtualAddress, SizeOfRawData, PointerToRawData,
                 PointerToRelocations, PointerToLinenumbers; uint16_t NumberOfRelocations, NumberOfLinenumbers;
                 uint32_t Characteristics; } PE_SECTION_HEADER;
typedef struct { uint32_t OriginalFirstThunk, TimeDateStamp, ForwarderChain, Name, FirstThunk; } PE_IMPORT_DESCRIPTOR;
#pragma pack(pop)

/* ---- calling-convention adapters ----
 * A thunk loads its target into r11 and jumps to an adapter:
 *   emu_pe_ms_to_sysv: the driver (ms_abi) calls an emulator routine (System V).
 *     Up to 18 integer/pointer arguments (FltCreateFileEx2 has 16): the first
 *     four from rcx, rdx, r8, r9, the rest from the caller's stack; rsi, rdi
 *     and xmm6-xmm15 are preserved as the ms_abi caller expects.
 *   emu_pe_sysv_to_ms: the emulator calls a driver callback (up to 6 arguments).
 * No floating-point arguments cross the boundary (kernel code has none). */
#if defined(__x86_64__)
__asm__(
    ".text\n"
    ".p2align 4\n"
    ".type emu_pe_ms_to_sysv,@function\n"
    "emu_pe_ms_to_sysv:\n"
    "    push %rbp\n"
    "    mov %rsp, %rbp\n"
    "    push %rsi\n"
    "    push %rdi\n"
    "    sub $256, %rsp\n"                /* 96: arguments 7..18; 160: xmm6..xmm15 */
    "    movdqu %xmm6, 96(%rsp)\n"
    "    movdqu %xmm7, 112(%rsp)\n"
    "    movdqu %xmm8, 128(%rsp)\n"
    "    movdqu %xmm9, 144(%rsp)\n"
    "    movdqu %xmm10, 160(%rsp)\n"
    "    movdqu %xmm11, 176(%rsp)\n"
    "    movdqu %xmm12, 192(%rsp)\n"
    "    movdqu %xmm13, 208(%rsp)\n"
    "    movdqu %xmm14, 224(%rsp)\n"
    "    movdqu %xmm15, 240(%rsp)\n"
    "    mov 64(%rbp), %rax\n  mov %rax, 0(%rsp)\n"
    "    mov 72(%rbp), %rax\n  mov %rax, 8(%rsp)\n"
    "    mov 80(%rbp), %rax\n  mov %rax, 16(%rsp)\n"
    "    mov 88(%rbp), %rax\n  mov %rax, 24(%rsp)\n"
    "    mov 96(%rbp), %rax\n  mov %rax, 32(%rsp)\n"
    "    mov 104(%rbp), %rax\n mov %rax, 40(%rsp)\n"
    "    mov 112(%rbp), %rax\n mov %rax, 48(%rsp)\n"
    "    mov 120(%rbp), %rax\n mov %rax, 56(%rsp)\n"
    "    mov 128(%rbp), %rax\n mov %rax, 64(%rsp)\n"
    "    mov 136(%rbp), %rax\n mov %rax, 72(%rsp)\n"
    "    mov 144(%rbp), %rax\n mov %rax, 80(%rsp)\n"
    "    mov 152(%rbp), %rax\n mov %rax, 88(%rsp)\n"
    "    mov %rcx, %rdi\n"
    "    mov %rdx, %rsi\n"
    "    mov %r8, %rdx\n"
    "    mov %r9, %rcx\n"
    "    mov 48(%rbp), %r8\n"
    "    mov 56(%rbp), %r9\n"
    "    xor %eax, %eax\n"                /* no vector registers for a variadic callee (DbgPrint) */
    "    call *%r11\n"
    "    movdqu 96(%rsp), %xmm6\n"
    "    movdqu 112(%rsp), %xmm7\n"
    "    movdqu 128(%rsp), %xmm8\n"
    "    movdqu 144(%rsp), %xmm9\n"
    "    movdqu 160(%rsp), %xmm10\n"
    "    movdqu 176(%rsp), %xmm11\n"
    "    movdqu 192(%rsp), %xmm12\n"
    "    movdqu 208(%rsp), %xmm13\n"
    "    movdqu 224(%rsp), %xmm14\n"
    "    movdqu 240(%rsp), %xmm15\n"
    "    add $256, %rsp\n"
    "    pop %rdi\n"
    "    pop %rsi\n"
    "    pop %rbp\n"
    "    ret\n"
    ".size emu_pe_ms_to_sysv, .-emu_pe_ms_to_sysv\n"
    ".p2align 4\n"
    ".type emu_pe_sysv_to_ms,@function\n"
    "emu_pe_sysv_to_ms:\n"
    "    push %rbp\n"
    "    mov %rsp, %rbp\n"
    "    sub $48, %rsp\n"                 /* 32 bytes of home space + arguments 5 and 6 */
    "    mov %r8, 32(%rsp)\n"
    "    mov %r9, 40(%rsp)\n"
    "    mov %rcx, %r9\n"
    "    mov %rdx, %r8\n"
    "    mov %rsi, %rdx\n"
    "    mov %rdi, %rcx\n"
    "    call *%r11\n"
    "    leave\n"
    "    ret\n"
    ".size emu_pe_sysv_to_ms, .-emu_pe_sysv_to_ms\n");
extern char emu_pe_ms_to_sysv[], emu_pe_sysv_to_ms[];
#define EMU_PE_SUPPORTED 1
#else
#define EMU_PE_SUPPORTED 0
#endif

#define PE_THUNK_SIZE 32
#define PE_THUNK_PAGES 16
typedef struct PE_THUNK { const void *Target; const void *Adapter; void *Code; } PE_THUNK;
static pthread_mutex_t g_peLock = PTHREAD_MUTEX_INITIALIZER;
static uint8_t *g_thunkCode;
static PE_THUNK g_thunks[PE_THUNK_PAGES * 4096 / PE_THUNK_SIZE];
static size_t g_thunkCount;

/* A thunk that calls target through adapter; the same pair always gives the
 * same thunk (a callback registered twice compares equal). NULL stays NULL. */
static void *PeThunk(const void *target, const void *adapter)
{
    if (target == NULL || !EMU_PE_SUPPORTED) {
        return NULL;
    }
    void *code = NULL;
    pthread_mutex_lock(&g_peLock);
    for (size_t i = 0; i < g_thunkCount; i++) {
        if (g_thunks[i].Target == target && g_thunks[i].Adapter == adapter) {
            code = g_thunks[i].Code;
            break;
        }
    }
    if (code == NULL && g_thunkCode == NULL) {
        /* Written while other threads run earlier thunks: the pages stay writable and executable. */
        void *m = mmap(NULL, PE_THUNK_PAGES * 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        g_thunkCode = m == MAP_FAILED ? NULL : m;
    }
    if (code == NULL && g_thunkCode != NULL && g_thunkCount < sizeof(g_thunks) / sizeof(g_thunks[0])) {
        uint8_t *p = g_thunkCode + g_thunkCount * PE_THUNK_SIZE;
        uint64_t t = (uint64_t)(uintptr_t)target, a = (uint64_t)(uintptr_t)adapter;
        memset(p, 0xCC, PE_THUNK_SIZE);
        p[0] = 0x49; p[1] = 0xBB; memcpy(p + 2, &t, 8);       /* movabs r11, target */
        p[10] = 0x48; p[11] = 0xB8; memcpy(p + 12, &a, 8);    /* movabs rax, adapter */
        p[20] = 0xFF; p[21] = 0xE0;                           /* jmp rax */
        __builtin___clear_cache((char *)p, (char *)p + PE_THUNK_SIZE);
        g_thunks[g_thunkCount].Target = target;
        g_thunks[g_thunkCount].Adapter = adapter;
        g_thunks[g_thunkCount].Code = p;
        g_thunkCount++;
        code = p;
    }
    pthread_mutex_unlock(&g_peLock);
    if (code == NULL) {
        EmuViolation("emu_pe: out of thunks for %p", target);
    }
    return code;
}

#if EMU_PE_SUPPORTED
/* A driver callback (ms_abi), callable by the emulator as an ordinary C function pointer. */
#define PE_CALLBACK(type, fn) ((type)PeThunk((const void *)(fn), emu_pe_sysv_to_ms))
/* An emulator routine, callable by the driver through its import address table. */
#define PE_EXPORT(fn) PeThunk((const void *)(fn), emu_pe_ms_to_sysv)
#else
#define PE_CALLBACK(type, fn) ((type)NULL)
#define PE_EXPORT(fn) NULL
#endif

/* ---- routines whose arguments carry driver callbacks ---- */
typedef struct PE_REGISTRATION {
    struct PE_REGISTRATION *Next;
    FLT_REGISTRATION Registration;
    FLT_CONTEXT_REGISTRATION *Contexts;
    FLT_OPERATION_REGISTRATION *Operations;
} PE_REGISTRATION;
static PE_REGISTRATION *g_registrations;   /* kept until the image is unmapped: the filter points into them */

static void PeFreeRegistrations(void)
{
    while (g_registrations != NULL) {
        PE_REGISTRATION *r = g_registrations;
        g_registrations = r->Next;
        free(r->Contexts);
        free(r->Operations);
        free(r);
    }
}

/* FltRegisterFilter: the same registration with every callback wrapped. */
static NTSTATUS PeFltRegisterFilter(PDRIVER_OBJECT Driver, const FLT_REGISTRATION *Registration, PFLT_FILTER *RetFilter)
{
    if (Registration == NULL) {
        return FltRegisterFilter(Driver, Registration, RetFilter);
    }
    PE_REGISTRATION *r = calloc(1, sizeof(*r));
    if (r == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    r->Registration = *Registration;
    FLT_REGISTRATION *g = &r->Registration;
    size_t n = 0;
    if (Registration->ContextRegistration != NULL) {
        while (Registration->ContextRegistration[n].ContextType != FLT_CONTEXT_END) n++;
        r->Contexts = calloc(n + 1, sizeof(*r->Contexts));
        if (r->Contexts == NULL) { free(r); return STATUS_INSUFFICIENT_RESOURCES; }
        for (size_t i = 0; i <= n; i++) {
            FLT_CONTEXT_REGISTRATION *c = &r->Contexts[i];
            *c = Registration->ContextRegistration[i];
            c->ContextCleanupCallback = PE_CALLBACK(PFLT_CONTEXT_CLEANUP_CALLBACK, c->ContextCleanupCallback);
            c->ContextAllocateCallback = PE_CALLBACK(PFLT_CONTEXT_ALLOCATE_CALLBACK, c->ContextAllocateCallback);
            c->ContextFreeCallback = PE_CALLBACK(PFLT_CONTEXT_FREE_CALLBACK, c->ContextFreeCallback);
        }
        g->ContextRegistration = r->Contexts;
    }
    n = 0;
    if (Registration->OperationRegistration != NULL) {
        while (Registration->OperationRegistration[n].MajorFunction != IRP_MJ_OPERATION_END) n++;
        r->Operations = calloc(n + 1, sizeof(*r->Operations));
        if (r->Operations == NULL) { free(r->Contexts); free(r); return STATUS_INSUFFICIENT_RESOURCES; }
        for (size_t i = 0; i <= n; i++) {
            FLT_OPERATION_REGISTRATION *o = &r->Operations[i];
            *o = Registration->OperationRegistration[i];
            o->PreOperation = PE_CALLBACK(PFLT_PRE_OPERATION_CALLBACK, o->PreOperation);
            o->PostOperation = PE_CALLBACK(PFLT_POST_OPERATION_CALLBACK, o->PostOperation);
        }
        g->OperationRegistration = r->Operations;
    }
    g->FilterUnloadCallback = PE_CALLBACK(PFLT_FILTER_UNLOAD_CALLBACK, g->FilterUnloadCallback);
    g->InstanceSetupCallback = PE_CALLBACK(PFLT_INSTANCE_SETUP_CALLBACK, g->InstanceSetupCallback);
    g->InstanceQueryTeardownCallback = PE_CALLBACK(PFLT_INSTANCE_QUERY_TEARDOWN_CALLBACK, g->InstanceQueryTeardownCallback);
    g->InstanceTeardownStartCallback = PE_CALLBACK(PFLT_INSTANCE_TEARDOWN_CALLBACK, g->InstanceTeardownStartCallback);
    g->InstanceTeardownCompleteCallback = PE_CALLBACK(PFLT_INSTANCE_TEARDOWN_CALLBACK, g->InstanceTeardownCompleteCallback);
    g->GenerateFileNameCallback = PE_CALLBACK(PFLT_GENERATE_FILE_NAME, g->GenerateFileNameCallback);
    g->NormalizeNameComponentCallback = PE_CALLBACK(PFLT_NORMALIZE_NAME_COMPONENT, g->NormalizeNameComponentCallback);
    g->NormalizeContextCleanupCallback = PE_CALLBACK(PFLT_NORMALIZE_CONTEXT_CLEANUP, g->NormalizeContextCleanupCallback);
    g->TransactionNotificationCallback = PE_CALLBACK(PFLT_TRANSACTION_NOTIFICATION_CALLBACK, g->TransactionNotificationCallback);
    g->NormalizeNameComponentExCallback = PE_CALLBACK(PFLT_NORMALIZE_NAME_COMPONENT_EX, g->NormalizeNameComponentExCallback);
    g->SectionNotificationCallback = PE_CALLBACK(PFLT_SECTION_CONFLICT_NOTIFICATION_CALLBACK, g->SectionNotificationCallback);
    pthread_mutex_lock(&g_peLock);
    r->Next = g_registrations;
    g_registrations = r;
    pthread_mutex_unlock(&g_peLock);
    return FltRegisterFilter(Driver, g, RetFilter);
}

static NTSTATUS PeFltCreateCommunicationPort(PFLT_FILTER Filter, PFLT_PORT *ServerPort, POBJECT_ATTRIBUTES ObjectAttributes,
                                             PVOID ServerPortCookie, PFLT_CONNECT_NOTIFY Connect, PFLT_DISCONNECT_NOTIFY Disconnect,
                                             PFLT_MESSAGE_NOTIFY Message, LONG MaxConnections)
{
    return FltCreateCommunicationPort(Filter, ServerPort, ObjectAttributes, ServerPortCookie,
                                      PE_CALLBACK(PFLT_CONNECT_NOTIFY, Connect), PE_CALLBACK(PFLT_DISCONNECT_NOTIFY, Disconnect),
                                      PE_CALLBACK(PFLT_MESSAGE_NOTIFY, Message), MaxConnections);
}

static NTSTATUS PeFltQueueDeferredIoWorkItem(PFLT_DEFERRED_IO_WORKITEM FltWorkItem, PFLT_CALLBACK_DATA Data,
                                             PFLT_DEFERRED_IO_WORKITEM_ROUTINE WorkerRoutine, WORK_QUEUE_TYPE QueueType, PVOID Context)
{
    return FltQueueDeferredIoWorkItem(FltWorkItem, Data, PE_CALLBACK(PFLT_DEFERRED_IO_WORKITEM_ROUTINE, WorkerRoutine), QueueType, Context);
}

static NTSTATUS PeFltQueueGenericWorkItem(PFLT_GENERIC_WORKITEM FltWorkItem, PVOID FltObject, PFLT_GENERIC_WORKITEM_ROUTINE WorkerRoutine,
                                          WORK_QUEUE_TYPE QueueType, PVOID Context)
{
    return FltQueueGenericWorkItem(FltWorkItem, FltObject, PE_CALLBACK(PFLT_GENERIC_WORKITEM_ROUTINE, WorkerRoutine), QueueType, Context);
}

static VOID PeIoQueueWorkItem(PIO_WORKITEM IoWorkItem, PIO_WORKITEM_ROUTINE WorkerRoutine, WORK_QUEUE_TYPE QueueType, PVOID Context)
{
    IoQueueWorkItem(IoWorkItem, PE_CALLBACK(PIO_WORKITEM_ROUTINE, WorkerRoutine), QueueType, Context);
}

static BOOLEAN PeFltDoCompletionProcessingWhenSafe(PFLT_CALLBACK_DATA Data, PCFLT_RELATED_OBJECTS FltObjects, PVOID CompletionContext,
                                                   FLT_POST_OPERATION_FLAGS Flags, PFLT_POST_OPERATION_CALLBACK SafePostCallback,
                                                   PFLT_POSTOP_CALLBACK_STATUS RetPostOperationStatus)
{
    return FltDoCompletionProcessingWhenSafe(Data, FltObjects, CompletionContext, Flags,
                                             PE_CALLBACK(PFLT_POST_OPERATION_CALLBACK, SafePostCallback), RetPostOperationStatus);
}

static NTSTATUS PeFltReadFile(PFLT_INSTANCE Instance, PFILE_OBJECT FileObject, PLARGE_INTEGER ByteOffset, ULONG Length, PVOID Buffer,
                              FLT_IO_OPERATION_FLAGS Flags, PULONG BytesRead, PFLT_COMPLETED_ASYNC_IO_CALLBACK CallbackRoutine, PVOID CallbackContext)
{
    return FltReadFile(Instance, FileObject, ByteOffset, Length, Buffer, Flags, BytesRead,
                       PE_CALLBACK(PFLT_COMPLETED_ASYNC_IO_CALLBACK, CallbackRoutine), CallbackContext);
}

static NTSTATUS PeFltWriteFile(PFLT_INSTANCE Instance, PFILE_OBJECT FileObject, PLARGE_INTEGER ByteOffset, ULONG Length, PVOID Buffer,
                               FLT_IO_OPERATION_FLAGS Flags, PULONG BytesWritten, PFLT_COMPLETED_ASYNC_IO_CALLBACK CallbackRoutine, PVOID CallbackContext)
{
    return FltWriteFile(Instance, FileObject, ByteOffset, Length, Buffer, Flags, BytesWritten,
                        PE_CALLBACK(PFLT_COMPLETED_ASYNC_IO_CALLBACK, CallbackRoutine), CallbackContext);
}

static NTSTATUS PePsCreateSystemThread(PHANDLE ThreadHandle, ULONG DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                                       HANDLE ProcessHandle, PCLIENT_ID ClientId, PKSTART_ROUTINE StartRoutine, PVOID StartContext)
{
    return PsCreateSystemThread(ThreadHandle, DesiredAccess, ObjectAttributes, ProcessHandle, ClientId,
                                PE_CALLBACK(PKSTART_ROUTINE, StartRoutine), StartContext);
}

static NTSTATUS PeFltRequestOperationStatusCallback(PFLT_CALLBACK_DATA Data, PFLT_GET_OPERATION_STATUS_CALLBACK CallbackRoutine,
                                                     PVOID RequesterContext)
{
    return FltRequestOperationStatusCallback(Data, PE_CALLBACK(PFLT_GET_OPERATION_STATUS_CALLBACK, CallbackRoutine), RequesterContext);
}

/* ExRaiseStatus from the binary: the emulator's exceptions unwind to a
 * setjmp-based __try, and the image's __try blocks are the compiler's SEH
 * tables, which the loader does not interpret. So the raise is reported
 * (the README's limit, named here so the report says why) and returns, as
 * an exception no __try handles would have stopped the system on Windows. */
static VOID PeExRaiseStatus(NTSTATUS Status)
{
    EmuViolation("ExRaiseStatus(0x%08X) called by the driver binary: its __try/__except blocks are SEH tables the "
                 "emulator's loader does not interpret, so no handler can run (compile the driver's sources against "
                 "the emulator to test its exception paths)", (unsigned)Status);
}

/* IoGetCurrentProcess is a macro in the emulator's headers; the kernel exports it as a routine. */
/* A generic table keeps the driver's three routines: wrapped, the emulator calls them. */
static VOID PeRtlInitializeGenericTable(PRTL_GENERIC_TABLE Table, PRTL_GENERIC_COMPARE_ROUTINE CompareRoutine,
                                        PRTL_GENERIC_ALLOCATE_ROUTINE AllocateRoutine, PRTL_GENERIC_FREE_ROUTINE FreeRoutine,
                                        PVOID TableContext)
{
    RtlInitializeGenericTable(Table, PE_CALLBACK(PRTL_GENERIC_COMPARE_ROUTINE, CompareRoutine),
                              PE_CALLBACK(PRTL_GENERIC_ALLOCATE_ROUTINE, AllocateRoutine),
                              PE_CALLBACK(PRTL_GENERIC_FREE_ROUTINE, FreeRoutine), TableContext);
}

static PEPROCESS PeIoGetCurrentProcess(void)
{
    return PsGetCurrentProcess();
}

/* ---- ETW, as TraceLogging in the driver binary uses it ----
 * The WDK's TraceLogging macros compile into EtwRegister / EtwSetInformation /
 * EtwWriteTransfer / EtwUnregister calls. A registration is tracked as the
 * emulator's TraceLogging providers are (one still registered at unload is a
 * violation). As with the emulator's own TraceLoggingProvider.h, a session
 * listens at every level: the provider's enable callback is called at
 * registration, as ETW calls it when a session is already enabled, and each
 * event written is decoded from its TraceLogging metadata (event name, field
 * names and types, the level of its EVENT_DESCRIPTOR) into the emulator's
 * event record, "<EventName> <Field>=<value> ...". */
typedef VOID (__attribute__((ms_abi)) *PE_ETW_ENABLE_CALLBACK)(LPCGUID SourceId, ULONG ControlCode, UCHAR Level, ULONGLONG MatchAnyKeyword,
                                                               ULONGLONG MatchAllKeyword, PVOID FilterData, PVOID CallbackContext);
#define PE_EVENT_CONTROL_CODE_ENABLE_PROVIDER 1
typedef struct PE_ETW_PROVIDER { EMU_TLG_PROVIDER Provider; int InUse; } PE_ETW_PROVIDER;
static PE_ETW_PROVIDER g_etw[8];

static NTSTATUS PeEtwRegister(LPCGUID ProviderId, PVOID EnableCallback, PVOID CallbackContext, PULONGLONG RegHandle)
{
    if (ProviderId == NULL || RegHandle == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    pthread_mutex_lock(&g_peLock);
    PE_ETW_PROVIDER *p = NULL;
    for (size_t i = 0; i < RTL_NUMBER_OF(g_etw); i++) {
        if (!g_etw[i].InUse) {
            p = &g_etw[i];
            memset(p, 0, sizeof(*p));
            p->InUse = 1;
            break;
        }
    }
    pthread_mutex_unlock(&g_peLock);
    if (p == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    p->Provider.Name = "driver image ETW provider";
    p->Provider.Id = *ProviderId;
    NTSTATUS s = EmuTraceLoggingRegister(&p->Provider);
    if (!NT_SUCCESS(s)) {
        p->InUse = 0;
        return s;
    }
    *RegHandle = (ULONGLONG)(uintptr_t)p;
    if (EnableCallback != NULL) {
        ((PE_ETW_ENABLE_CALLBACK)EnableCallback)(ProviderId, PE_EVENT_CONTROL_CODE_ENABLE_PROVIDER, 0xff, ~0ULL, 0, NULL, CallbackContext);
    }
    return STATUS_SUCCESS;
}

static PE_ETW_PROVIDER *PeEtwFind(ULONGLONG handle)
{
    for (size_t i = 0; i < RTL_NUMBER_OF(g_etw); i++) {
        if (g_etw[i].InUse && (ULONGLONG)(uintptr_t)&g_etw[i] == handle) {
            return &g_etw[i];
        }
    }
    return NULL;
}

static NTSTATUS PeEtwUnregister(ULONGLONG RegHandle)
{
    PE_ETW_PROVIDER *p = PeEtwFind(RegHandle);
    if (p == NULL) {
        return STATUS_INVALID_HANDLE;
    }
    EmuTraceLoggingUnregister(&p->Provider);
    p->InUse = 0;
    return STATUS_SUCCESS;
}

static NTSTATUS PeEtwSetInformation(ULONGLONG RegHandle, ULONG InformationClass, PVOID EventInformation, ULONG InformationLength)
{
    (void)InformationClass;
    (void)EventInformation;
    (void)InformationLength;
    return PeEtwFind(RegHandle) != NULL ? STATUS_SUCCESS : STATUS_INVALID_HANDLE;
}

/* EVENT_DESCRIPTOR and EVENT_DATA_DESCRIPTOR (evntprov.h, as documented). */
typedef struct PE_EVENT_DESCRIPTOR { USHORT Id; UCHAR Version, Channel, Level, Opcode; USHORT Task; ULONGLONG Keyword; } PE_EVENT_DESCRIPTOR;
typedef struct PE_EVENT_DATA_DESCRIPTOR { ULONGLONG Ptr; ULONG Size; UCHAR Type, Reserved1; USHORT Reserved2; } PE_EVENT_DATA_DESCRIPTOR;
#define PE_EVENT_DATA_TYPE_EVENT_METADATA 1
#define PE_EVENT_DATA_TYPE_PROVIDER_METADATA 2
/* TraceLogging in-types and out-types (TraceLoggingProvider.h documents the field macros they come from). */
#define PE_TLG_IN_UNICODESTRING 1
#define PE_TLG_IN_ANSISTRING 2
#define PE_TLG_IN_INT8 3
#define PE_TLG_IN_UINT8 4
#define PE_TLG_IN_INT16 5
#define PE_TLG_IN_UINT16 6
#define PE_TLG_IN_INT32 7
#define PE_TLG_IN_UINT32 8
#define PE_TLG_IN_INT64 9
#define PE_TLG_IN_UINT64 10
#define PE_TLG_IN_BOOL32 13
#define PE_TLG_IN_HEXINT32 20
#define PE_TLG_IN_HEXINT64 21
#define PE_TLG_IN_COUNTEDSTRING 22
#define PE_TLG_IN_COUNTEDANSISTRING 23
#define PE_TLG_OUT_BOOLEAN 3
#define PE_TLG_OUT_HEX 4
#define PE_TLG_OUT_NTSTATUS 14
#define PE_TLG_MAX_FIELDS 24

static ULONGLONG PeEtwInteger(const PE_EVENT_DATA_DESCRIPTOR *d, int isSigned)
{
    uint8_t bytes[8] = { 0 };
    ULONG n = d->Size < 8 ? d->Size : 8;
    if (d->Ptr != 0) memcpy(bytes, (const void *)(uintptr_t)d->Ptr, n);
    ULONGLONG v = 0;
    memcpy(&v, bytes, 8);
    if (isSigned && n > 0 && n < 8 && (bytes[n - 1] & 0x80)) {
        v |= ~0ULL << (8 * n);
    }
    return v;
}

static NTSTATUS PeEtwWriteTransfer(ULONGLONG RegHandle, const PE_EVENT_DESCRIPTOR *EventDescriptor, LPCGUID ActivityId,
                                   LPCGUID RelatedActivityId, ULONG UserDataCount, const PE_EVENT_DATA_DESCRIPTOR *UserData)
{
    (void)ActivityId;
    (void)RelatedActivityId;
    PE_ETW_PROVIDER *p = PeEtwFind(RegHandle);
    if (p == NULL) {
        return STATUS_INVALID_HANDLE;
    }
    const uint8_t *meta = NULL;
    ULONG metaSize = 0, first = 0;
    for (ULONG i = 0; i < UserDataCount; i++) {
        if (UserData[i].Type == PE_EVENT_DATA_TYPE_EVENT_METADATA) {
            meta = (const uint8_t *)(uintptr_t)UserData[i].Ptr;
            metaSize = UserData[i].Size;
        }
        if (UserData[i].Type == PE_EVENT_DATA_TYPE_EVENT_METADATA || UserData[i].Type == PE_EVENT_DATA_TYPE_PROVIDER_METADATA) {
            first = i + 1;
        }
    }
    if (meta == NULL || metaSize < 4) {
        return STATUS_SUCCESS;      /* not a TraceLogging event: nothing the emulator records */
    }
    /* UINT16 size, tag bytes (the high bit chains), the event name, then per field:
     * its name, an in-type (the high bit: an out-type follows), an out-type (the high
     * bit: tag bytes follow). */
    ULONG at = 2;
    while (at < metaSize && (meta[at] & 0x80)) at++;
    at++;
    const char *eventName = (const char *)meta + at;
    at += (ULONG)strnlen(eventName, metaSize - at) + 1;
    EMU_TLG_FIELD fields[PE_TLG_MAX_FIELDS + 3];
    WCHAR wide[PE_TLG_MAX_FIELDS][128];
    char ansi[PE_TLG_MAX_FIELDS][128];
    size_t n = 0;
    memset(fields, 0, sizeof(fields));
    fields[n++].Kind = EmuTlgBegin;
    fields[n].Kind = EmuTlgLevel;
    fields[n++].Value = EventDescriptor != NULL ? EventDescriptor->Level : 0;
    ULONG value = first;
    for (size_t k = 0; at < metaSize && k < PE_TLG_MAX_FIELDS; k++) {
        const char *name = (const char *)meta + at;
        at += (ULONG)strnlen(name, metaSize - at) + 1;
        if (at >= metaSize) break;
        uint8_t inType = meta[at++], outType = 0;
        if (inType & 0x80) {
            outType = at < metaSize ? meta[at++] : 0;
            if (outType & 0x80) {
                while (at < metaSize && (meta[at] & 0x80)) at++;
                at++;
            }
        }
        inType &= 0x1f;
        outType &= 0x7f;
        EMU_TLG_FIELD *f = &fields[n];
        f->Name = name;
        if (value >= UserDataCount) break;
        const PE_EVENT_DATA_DESCRIPTOR *d = &UserData[value++];
        switch (inType) {
        case PE_TLG_IN_INT8: case PE_TLG_IN_INT16: case PE_TLG_IN_INT32: case PE_TLG_IN_INT64:
            f->Kind = outType == PE_TLG_OUT_NTSTATUS ? EmuTlgNTStatus : EmuTlgInt32;
            f->Value = PeEtwInteger(d, f->Kind == EmuTlgInt32);
            if (f->Kind == EmuTlgNTStatus) f->Value &= 0xffffffffu;
            break;
        case PE_TLG_IN_UINT8: case PE_TLG_IN_UINT16: case PE_TLG_IN_UINT32: case PE_TLG_IN_UINT64:
            f->Kind = outType == PE_TLG_OUT_NTSTATUS ? EmuTlgNTStatus : outType == PE_TLG_OUT_BOOLEAN ? EmuTlgBoolean
                    : outType == PE_TLG_OUT_HEX ? EmuTlgHexUInt32 : EmuTlgUInt64;
            f->Value = PeEtwInteger(d, 0);
            break;
        case PE_TLG_IN_BOOL32:
            f->Kind = EmuTlgBoolean;
            f->Value = PeEtwInteger(d, 0);
            break;
        case PE_TLG_IN_HEXINT32: case PE_TLG_IN_HEXINT64:
            f->Kind = EmuTlgHexUInt32;
            f->Value = PeEtwInteger(d, 0);
            break;
        case PE_TLG_IN_ANSISTRING:
        case PE_TLG_IN_COUNTEDANSISTRING: {
            if (inType == PE_TLG_IN_COUNTEDANSISTRING) {   /* a UINT16 byte count, then the bytes */
                if (value >= UserDataCount) break;
                d = &UserData[value++];
            }
            size_t len = d->Size < sizeof(ansi[k]) - 1 ? d->Size : sizeof(ansi[k]) - 1;
            if (d->Ptr != 0) memcpy(ansi[k], (const void *)(uintptr_t)d->Ptr, len);
            ansi[k][len] = 0;
            f->Kind = EmuTlgString;
            f->Pointer = ansi[k];
            break;
        }
        case PE_TLG_IN_UNICODESTRING:
        case PE_TLG_IN_COUNTEDSTRING: {
            if (inType == PE_TLG_IN_COUNTEDSTRING) {
                if (value >= UserDataCount) break;
                d = &UserData[value++];
            }
            size_t chars = d->Size / sizeof(WCHAR);
            if (chars > RTL_NUMBER_OF(wide[k])) chars = RTL_NUMBER_OF(wide[k]);
            if (d->Ptr != 0) memcpy(wide[k], (const void *)(uintptr_t)d->Ptr, chars * sizeof(WCHAR));
            if (inType == PE_TLG_IN_UNICODESTRING && chars > 0 && wide[k][chars - 1] == 0) chars--;
            f->Kind = EmuTlgCountedWideString;
            f->Pointer = wide[k];
            f->Count = (ULONG)chars;
            break;
        }
        default:
            f->Kind = EmuTlgBegin;      /* a type the emulator does not show: skipped */
            break;
        }
        n++;
    }
    fields[n].Kind = EmuTlgEnd;
    EmuTraceLoggingWrite(&p->Provider, eventName, fields);
    return STATUS_SUCCESS;
}

/* ---- the routines a driver binary may import ---- */
/* Routines the emulator implements under the kernel's own name and signature,
 * without callbacks among their arguments. */
#define PE_PLAIN_EXPORTS(X) \
    X(DbgBreakPoint) X(DbgPrint) X(DbgPrintEx) \
    X(ExAcquireFastMutex) X(ExAcquireFastMutexUnsafe) X(ExAcquirePushLockExclusiveEx) X(ExAcquirePushLockSharedEx) \
    X(ExAcquireResourceExclusiveLite) X(ExAcquireResourceSharedLite) X(ExAcquireRundownProtection) X(ExAcquireRundownProtectionEx) \
    X(ExAcquireSpinLockExclusive) X(ExAcquireSpinLockShared) X(ExAllocateFromNPagedLookasideList) X(ExAllocateFromPagedLookasideList) \
    X(ExAllocatePool2) X(ExAllocatePool3) X(ExAllocatePoolUninitialized) X(ExAllocatePoolWithTag) X(ExAllocatePoolZero) \
    X(ExDeleteNPagedLookasideList) X(ExDeletePagedLookasideList) X(ExDeleteResourceLite) \
    X(ExEnterCriticalRegionAndAcquireResourceExclusive) X(ExEnterCriticalRegionAndAcquireResourceShared) \
    X(ExFreePool) X(ExFreePool2) X(ExFreePoolWithTag) X(ExFreeToNPagedLookasideList) X(ExFreeToPagedLookasideList) \
    X(ExGetPreviousMode) X(ExIsResourceAcquiredExclusiveLite) X(ExIsResourceAcquiredSharedLite) X(ExInitializeFastMutex) X(ExInitializeNPagedLookasideList) X(ExInitializePagedLookasideList) \
    X(ExInitializePushLock) X(ExInitializeResourceLite) X(ExInitializeRundownProtection) X(ExReInitializeRundownProtection) \
    X(ExReleaseFastMutex) X(ExReleaseFastMutexUnsafe) X(ExReleasePushLockExclusiveEx) X(ExReleasePushLockSharedEx) \
    X(ExReleaseResourceAndLeaveCriticalRegion) X(ExReleaseResourceLite) X(ExReleaseRundownProtection) X(ExReleaseRundownProtectionEx) \
    X(ExReleaseSpinLockExclusive) X(ExReleaseSpinLockShared) X(ExRundownCompleted) X(ExTryToAcquireFastMutex) \
    X(ExWaitForRundownProtectionRelease) \
    X(FltAcquirePushLockExclusive) X(FltAcquirePushLockExclusiveEx) X(FltAcquirePushLockShared) X(FltAcquirePushLockSharedEx) \
    X(FltAllocateContext) X(FltAllocateDeferredIoWorkItem) X(FltAllocateGenericWorkItem) X(FltAttachVolume) \
    X(FltAttachVolumeAtAltitude) X(FltBuildDefaultSecurityDescriptor) X(FltCancelFileOpen) X(FltCancelFileOpenEx) \
    X(FltClearCallbackDataDirty) X(FltClose) X(FltCloseClientPort) X(FltCloseCommunicationPort) X(FltCompareInstanceAltitudes) \
    X(FltCompletePendedPostOperation) X(FltCompletePendedPreOperation) X(FltCreateFile) X(FltCreateFileEx) X(FltCreateFileEx2) \
    X(FltDeleteContext) X(FltDeleteFileContext) X(FltDeleteInstanceContext) X(FltDeletePushLock) \
    X(FltDeleteStreamContext) X(FltDeleteStreamHandleContext) X(FltDetachVolume) X(FltEnumerateInstances) X(FltEnumerateVolumes) \
    X(FltFreeDeferredIoWorkItem) X(FltFreeGenericWorkItem) X(FltFreeSecurityDescriptor) X(FltGetBottomInstance) \
    X(FltGetDestinationFileNameInformation) X(FltGetDeviceObject) X(FltGetDiskDeviceObject) X(FltGetFileContext) \
    X(FltGetFileNameInformation) X(FltGetFileNameInformationUnsafe) X(FltGetFileSystemType) X(FltGetFilterFromInstance) \
    X(FltGetInstanceContext) X(FltGetInstanceInformation) X(FltGetIrpName) X(FltGetLowerInstance) X(FltGetNewSystemBufferAddress) \
    X(FltGetRequestorProcess) X(FltGetRequestorProcessId) X(FltGetRequestorProcessIdEx) X(FltGetStreamContext) \
    X(FltGetStreamHandleContext) X(FltGetTopInstance) X(FltGetUpperInstance) X(FltGetVolumeContext) X(FltGetVolumeFromFileObject) \
    X(FltGetVolumeFromInstance) X(FltGetVolumeFromName) X(FltGetVolumeInstanceFromName) X(FltGetVolumeName) \
    X(FltGetVolumeProperties) X(FltInitializePushLock) X(FltIsCallbackDataDirty) X(FltIsDirectory) X(FltIsOperationSynchronous) \
    X(FltIsVolumeWritable) X(FltLockUserBuffer) X(FltDecodeParameters) X(FltObjectDereference) X(FltObjectReference) \
    X(FltParseFileNameInformation) X(FltQueryInformationFile) X(FltReferenceContext) \
    X(FltReferenceFileNameInformation) X(FltReleaseContext) X(FltReleaseContexts) X(FltReleaseFileNameInformation) \
    X(FltReleasePushLock) X(FltReleasePushLockEx) X(FltSendMessage) X(FltSetCallbackDataDirty) X(FltSetFileContext) \
    X(FltSetInformationFile) X(FltSetInstanceContext) X(FltSetStreamContext) X(FltSetStreamHandleContext) X(FltSetVolumeContext) \
    X(FltStartFiltering) X(FltSupportsFileContexts) X(FltSupportsStreamContexts) X(FltSupportsStreamHandleContexts) \
    X(FltUnregisterFilter) \
    X(IoOpenDriverRegistryKey) \
    X(FltAllocatePoolAlignedWithTag) X(FltFreePoolAlignedWithTag) X(FltGetSwappedBufferMdlAddress) X(FltRetainSwappedBufferMdlAddress) \
    X(IoAllocateMdl) X(IoFreeMdl) X(MmBuildMdlForNonPagedPool) X(MmMapLockedPagesSpecifyCache) X(MmUnmapLockedPages) \
    X(IoVolumeDeviceToDosName) \
    X(IoAllocateWorkItem) X(IoCreateDevice) X(IoGetStackLimits) X(IoDeleteDevice) X(IofCompleteRequest) X(IoFreeWorkItem) X(IoThreadToProcess) X(IoGetTopLevelIrp) X(IoSetTopLevelIrp) X(IoReplaceFileObjectName) \
    X(KeAcquireGuardedMutex) X(KeAcquireInStackQueuedSpinLock) X(KeAcquireInStackQueuedSpinLockAtDpcLevel) X(KeAcquireSpinLock) \
    X(KeAcquireSpinLockAtDpcLevel) X(KeAcquireSpinLockRaiseToDpc) X(KeAreApcsDisabled) X(KeBugCheck) X(KeBugCheckEx) \
    X(KeClearEvent) X(KeDelayExecutionThread) X(KeEnterCriticalRegion) X(KeEnterGuardedRegion) X(KeGetCurrentIrql) \
    X(KeGetCurrentProcessorNumber) X(KeInitializeEvent) X(KeInitializeGuardedMutex) X(KeInitializeMutex) X(KeInitializeSemaphore) \
    X(KeInitializeSpinLock) X(KeLeaveCriticalRegion) X(KeLeaveGuardedRegion) X(KeLowerIrql) X(KeQueryActiveProcessorCount) \
    X(KeQueryInterruptTime) X(KeQueryInterruptTimePrecise) X(KeQueryPerformanceCounter) X(KeQuerySystemTime) \
    X(KeQuerySystemTimePrecise) X(KeQueryTickCount) X(KeQueryTimeIncrement) X(KeRaiseIrql) X(KeRaiseIrqlToDpcLevel) \
    X(KeReadStateEvent) X(KeReleaseGuardedMutex) X(KeReleaseInStackQueuedSpinLock) X(KeReleaseInStackQueuedSpinLockFromDpcLevel) \
    X(KeReleaseMutex) X(KeReleaseSemaphore) X(KeReleaseSpinLock) X(KeReleaseSpinLockFromDpcLevel) X(KeResetEvent) X(KeSetEvent) \
    X(KeStallExecutionProcessor) X(KeWaitForSingleObject) \
    X(ObDereferenceObjectDeferDelete) X(ObReferenceObjectByHandle) X(ObReferenceObjectByPointer) X(ObfDereferenceObject) \
    X(ObfReferenceObject) X(ProbeForRead) X(ProbeForWrite) \
    X(PsGetCurrentProcess) X(PsGetCurrentProcessId) X(PsGetCurrentThread) X(PsGetCurrentThreadId) X(PsGetProcessId) \
    X(PsGetThreadId) X(PsGetThreadProcess) X(PsGetThreadProcessId) X(PsIsSystemProcess) X(PsIsSystemThread) \
    X(PsLookupProcessByProcessId) X(PsTerminateSystemThread) \
    X(RtlAppendUnicodeStringToString) X(RtlAppendUnicodeToString) X(RtlCompareMemory) X(RtlCompareUnicodeString) \
    X(RtlCompareUnicodeStrings) X(RtlCopyUnicodeString) X(RtlDeleteElementGenericTable) X(RtlGetElementGenericTable) \
    X(RtlInsertElementGenericTable) X(RtlIsGenericTableEmpty) X(RtlLookupElementGenericTable) X(RtlNumberGenericTableElements) X(RtlCreateSecurityDescriptor) X(RtlDowncaseUnicodeChar) \
    X(RtlEqualUnicodeString) X(RtlFreeUnicodeString) X(RtlGetVersion) X(RtlInitUnicodeString) X(RtlInitUnicodeStringEx) \
    X(RtlIntegerToUnicodeString) X(RtlIsNtDdiVersionAvailable) X(RtlNtStatusToDosError) X(RtlPrefixUnicodeString) \
    X(RtlRandomEx) X(RtlSetDaclSecurityDescriptor) X(RtlSuffixUnicodeString) X(RtlUnicodeStringToInteger) \
    X(FsRtlIsNameInExpression) X(RtlUpcaseUnicodeChar) X(RtlUpcaseUnicodeString) X(SeLocateProcessImageName) X(SeSinglePrivilegeCheck) X(ZwClose) \
    X(ZwCreateKey) X(ZwDeleteValueKey) X(ZwOpenKey) X(ZwQueryValueKey) X(ZwSetValueKey) \
    X(FltAllocateCallbackData) X(FltPerformSynchronousIo) \
    X(FltFreeCallbackData) X(FltCheckAndGrowNameControl) X(FltPurgeFileNameInformationCache) X(FltCreateSystemVolumeInformationFolder) \
    X(FltEnlistInTransaction) X(FltSetTransactionContext) X(FltGetTransactionContext) X(FltDeleteTransactionContext) \
    X(IoGetTransactionParameterBlock) X(ObOpenObjectByPointer) X(ZwQueryInformationTransaction) \
    X(FltAcquireResourceExclusive) X(FltAcquireResourceShared) X(FltReleaseResource) X(FltFsControlFile) X(FltGetVolumeGuidName) \
    X(FltRegisterForDataScan) X(FltCreateSectionForDataScan) X(FltCloseSectionForDataScan) X(ZwOpenProcess) \
    X(ZwMapViewOfSection) X(ZwUnmapViewOfSection) X(NtClose) X(FsRtlIsNtstatusExpected) \
    X(FltGetEcpListFromCallbackData) X(FltFindExtraCreateParameter) X(FltIsEcpFromUserMode) X(FltCancellableWaitForSingleObject)

static PVOID PeMmGetSystemRoutineAddress(PUNICODE_STRING SystemRoutineName);
static PVOID PeFltGetRoutineAddress(PCSTR FltMgrRoutineName);

/* Data: the import address table slot holds the exported variable's address,
 * which is what the emulator's variable of the same name holds (the headers
 * declare these objects as POBJECT_TYPE *, the address of the kernel's variable). */
typedef struct PE_EXPORT_ENTRY { const char *Name; const void *Routine; POBJECT_TYPE *const *Data; } PE_EXPORT_ENTRY;
#define PE_PLAIN_ENTRY(name) { #name, (const void *)(name), NULL },
static const PE_EXPORT_ENTRY g_exports[] = {
    PE_PLAIN_EXPORTS(PE_PLAIN_ENTRY)
    /* routines with callbacks among their arguments: the callbacks are wrapped */
    { "FltRegisterFilter", (const void *)PeFltRegisterFilter, NULL },
    { "FltCreateCommunicationPort", (const void *)PeFltCreateCommunicationPort, NULL },
    { "FltQueueDeferredIoWorkItem", (const void *)PeFltQueueDeferredIoWorkItem, NULL },
    { "FltQueueGenericWorkItem", (const void *)PeFltQueueGenericWorkItem, NULL },
    { "IoQueueWorkItem", (const void *)PeIoQueueWorkItem, NULL },
    { "RtlInitializeGenericTable", (const void *)PeRtlInitializeGenericTable, NULL },
    { "PsCreateSystemThread", (const void *)PePsCreateSystemThread, NULL },
    { "FltDoCompletionProcessingWhenSafe", (const void *)PeFltDoCompletionProcessingWhenSafe, NULL },
    { "FltRequestOperationStatusCallback", (const void *)PeFltRequestOperationStatusCallback, NULL },
    { "ExRaiseStatus", (const void *)PeExRaiseStatus, NULL },
    { "FltReadFile", (const void *)PeFltReadFile, NULL },
    { "FltWriteFile", (const void *)PeFltWriteFile, NULL },
    { "MmGetSystemRoutineAddress", (const void *)PeMmGetSystemRoutineAddress, NULL },
    { "FltGetRoutineAddress", (const void *)PeFltGetRoutineAddress, NULL },
    /* macros in the emulator's headers, routines in the kernel */
    { "IoGetCurrentProcess", (const void *)PeIoGetCurrentProcess, NULL },
    /* ETW (TraceLogging) */
    { "EtwRegister", (const void *)PeEtwRegister, NULL },
    { "EtwUnregister", (const void *)PeEtwUnregister, NULL },
    { "EtwSetInformation", (const void *)PeEtwSetInformation, NULL },
    { "EtwWriteTransfer", (const void *)PeEtwWriteTransfer, NULL },
    /* object types (data) */
    { "PsProcessType", NULL, &PsProcessType },
    { "PsThreadType", NULL, &PsThreadType },
    { "IoFileObjectType", NULL, &IoFileObjectType },
    { "ExEventObjectType", NULL, &ExEventObjectType },
    { "TmTransactionObjectType", NULL, &TmTransactionObjectType },
    /* the C library routines ntoskrnl.exe exports */
    { "strlen", (const void *)strlen, NULL },
    { "wcslen", (const void *)EmuWcsLen, NULL },
    { "memcmp", (const void *)memcmp, NULL },
    { "memcpy", (const void *)memcpy, NULL },
    { "memmove", (const void *)memmove, NULL },
    { "memset", (const void *)memset, NULL },
};

/* The value for an import address table slot: a thunk to the routine, or the data's address; NULL if unknown. */
static void *PeResolveImport(const char *dll, const char *name)
{
    if (strcasecmp(dll, "ntoskrnl.exe") != 0 && strcasecmp(dll, "FLTMGR.SYS") != 0 && strcasecmp(dll, "HAL.dll") != 0) {
        return NULL;
    }
    for (size_t i = 0; i < sizeof(g_exports) / sizeof(g_exports[0]); i++) {
        if (strcmp(g_exports[i].Name, name) == 0) {
            return g_exports[i].Data != NULL ? (void *)*g_exports[i].Data : PE_EXPORT(g_exports[i].Routine);
        }
    }
    return NULL;
}

/* ---- FltGetRoutineAddress: fltmgr.sys's exports by name ---- */
/* The plain exports again, looked up for a driver compiled with the emulator's
 * headers (no image): there the routine itself is what the driver calls. */
static const PE_EXPORT_ENTRY g_plainExports[] = { PE_PLAIN_EXPORTS(PE_PLAIN_ENTRY) };
/* The Flt* routines g_exports wraps for an image, as such a driver calls them. */
static const struct { const char *Name; const void *Routine; } g_nativeWrapped[] = {
    { "FltRegisterFilter", (const void *)FltRegisterFilter },
    { "FltCreateCommunicationPort", (const void *)FltCreateCommunicationPort },
    { "FltQueueDeferredIoWorkItem", (const void *)FltQueueDeferredIoWorkItem },
    { "FltQueueGenericWorkItem", (const void *)FltQueueGenericWorkItem },
    { "FltDoCompletionProcessingWhenSafe", (const void *)FltDoCompletionProcessingWhenSafe },
    { "FltReadFile", (const void *)FltReadFile },
    { "FltWriteFile", (const void *)FltWriteFile },
};

/* What a driver may call under a name fltmgr.sys exports (its Flt* routines),
 * or NULL. A driver image (which imports PeFltGetRoutineAddress under the
 * routine's name) gets what its import address table would hold (a thunk); a
 * driver compiled with the emulator's headers the routine itself. A name the
 * emulator does not implement gives NULL, as Windows gives NULL for a name
 * fltmgr.sys does not export. */
static void *PeFltRoutine(const char *name, int image)
{
    if (strncmp(name, "Flt", 3) != 0) {
        return NULL;
    }
    if (image) {
        return PeResolveImport("FLTMGR.SYS", name);
    }
    for (size_t i = 0; i < sizeof(g_nativeWrapped) / sizeof(g_nativeWrapped[0]); i++) {
        if (strcmp(g_nativeWrapped[i].Name, name) == 0) {
            return (void *)g_nativeWrapped[i].Routine;
        }
    }
    for (size_t i = 0; i < sizeof(g_plainExports) / sizeof(g_plainExports[0]); i++) {
        if (strcmp(g_plainExports[i].Name, name) == 0) {
            return (void *)g_plainExports[i].Routine;
        }
    }
    return NULL;
}

/* <= DISPATCH_LEVEL; only fltmgr.sys's exports. */
PVOID FltGetRoutineAddress(PCSTR FltMgrRoutineName)
{
    if (!EmuRequireIrql("FltGetRoutineAddress", DISPATCH_LEVEL)) {
        return NULL;
    }
    if (FltMgrRoutineName == NULL) {
        EmuViolation("FltGetRoutineAddress(NULL): FltMgrRoutineName is required");
        return NULL;
    }
    return PeFltRoutine(FltMgrRoutineName, 0);
}

/* FltGetRoutineAddress as a driver image imports it. */
static PVOID PeFltGetRoutineAddress(PCSTR FltMgrRoutineName)
{
    if (!EmuRequireIrql("FltGetRoutineAddress", DISPATCH_LEVEL)) {
        return NULL;
    }
    if (FltMgrRoutineName == NULL) {
        EmuViolation("FltGetRoutineAddress(NULL): FltMgrRoutineName is required");
        return NULL;
    }
    return PeFltRoutine(FltMgrRoutineName, 1);
}

/* ---- MmGetSystemRoutineAddress: the kernel's and the HAL's exports by name ----
 * What the loader resolves imports from (g_exports), without FltMgr's routines: the documentation
 * says the routine finds only routines ntoskrnl.exe and hal.dll export. A driver binary gets the same
 * ms_abi thunk its import address table would hold; a driver compiled against the emulator gets the
 * emulator's routine itself (the entries that wrap driver callbacks for a binary are mapped back). */
static int PeRoutineName(PUNICODE_STRING SystemRoutineName, char *name, size_t cap)
{
    if (!EmuRequireIrql("MmGetSystemRoutineAddress", PASSIVE_LEVEL)) {
        return 0;
    }
    if (SystemRoutineName == NULL || SystemRoutineName->Buffer == NULL || SystemRoutineName->Length % 2 != 0) {
        EmuViolation("MmGetSystemRoutineAddress: SystemRoutineName is not an initialized UNICODE_STRING");
        return 0;
    }
    size_t chars = SystemRoutineName->Length / 2;
    if (chars == 0 || chars >= cap) {
        return 0;
    }
    for (size_t i = 0; i < chars; i++) {
        WCHAR c = SystemRoutineName->Buffer[i];
        if (c == 0 || c >= 0x80) {
            return 0;       /* export names are ASCII */
        }
        name[i] = (char)c;
    }
    name[chars] = 0;
    return strncmp(name, "Flt", 3) != 0;
}

static PVOID PeMmGetSystemRoutineAddress(PUNICODE_STRING SystemRoutineName)
{
    char name[128];
    return PeRoutineName(SystemRoutineName, name, sizeof(name)) ? PeResolveImport("ntoskrnl.exe", name) : NULL;
}

PVOID MmGetSystemRoutineAddress(PUNICODE_STRING SystemRoutineName)
{
    static const struct { const char *Name; const void *Routine; } native[] = {
        { "MmGetSystemRoutineAddress", (const void *)MmGetSystemRoutineAddress },
        { "IoQueueWorkItem", (const void *)IoQueueWorkItem },
        { "PsCreateSystemThread", (const void *)PsCreateSystemThread },
        { "IoGetCurrentProcess", (const void *)PsGetCurrentProcess },
    };
    char name[128];
    if (!PeRoutineName(SystemRoutineName, name, sizeof(name))) {
        return NULL;
    }
    for (size_t i = 0; i < RTL_NUMBER_OF(native); i++) {
        if (strcmp(native[i].Name, name) == 0) {
            return (PVOID)native[i].Routine;
        }
    }
    for (size_t i = 0; i < RTL_NUMBER_OF(g_exports); i++) {
        const PE_EXPORT_ENTRY *e = &g_exports[i];
        if (strcmp(e->Name, name) == 0) {
            if (e->Data != NULL) {
                return (PVOID)*e->Data;
            }
            /* A wrapper for driver binaries only (ETW's): not callable as the kernel routine here. */
            return strncmp(e->Name, "Etw", 3) == 0 ? NULL : (PVOID)e->Routine;
        }
    }
    return NULL;
}

/* ---- the image ---- */
typedef struct PE_IMAGE {
    uint8_t *Base;
    size_t Size;
    uint8_t *Entry;
    char Path[1024];
} PE_IMAGE;
static PE_IMAGE g_image;
static char g_imagePath[1024];
static char g_peError[512];

static int PeFail(const char *format, ...) __attribute__((format(printf, 1, 2)));
static int PeFail(const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    vsnprintf(g_peError, sizeof(g_peError), format, ap);
    va_end(ap);
    return 0;
}

static int PeRange(size_t total, uint64_t offset, uint64_t length)
{
    return offset <= total && length <= total - offset;
}

/* Maps, relocates and binds the image; 0 with g_peError on failure. */
static int PeMap(const char *path, PE_IMAGE *image)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return PeFail("cannot open %s: %s", path, strerror(errno));
    }
    uint8_t *file = NULL;
    size_t size = 0, cap = 0, n;
    uint8_t chunk[65536];
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        if (size + n > cap) {
            cap = (size + n) * 2;
            uint8_t *g = realloc(file, cap);
            if (g == NULL) { free(file); fclose(f); return PeFail("out of memory reading %s", path); }
            file = g;
        }
        memcpy(file + size, chunk, n);
        size += n;
    }
    fclose(f);
    int ok = 0;
    uint8_t *base = MAP_FAILED;
    size_t imageSize = 0;
    uint32_t peOffset;
    if (size < 0x40 || file[0] != 'M' || file[1] != 'Z') {
        PeFail("%s: not a PE image (no MZ header)", path);
        goto out;
    }
    memcpy(&peOffset, file + 0x3c, 4);
    if (!PeRange(size, peOffset, 4 + sizeof(PE_FILE_HEADER)) || memcmp(file + peOffset, "PE\0\0", 4) != 0) {
        PeFail("%s: not a PE image (no PE signature)", path);
        goto out;
    }
    PE_FILE_HEADER fh;
    memcpy(&fh, file + peOffset + 4, sizeof(fh));
    size_t optOffset = peOffset + 4 + sizeof(fh);
    PE_OPTIONAL_HEADER64 oh;
    if (fh.Machine != 0x8664 || fh.SizeOfOptionalHeader < sizeof(oh) || !PeRange(size, optOffset, sizeof(oh))) {
        PeFail("%s: not a PE32+ x64 image (machine 0x%x)", path, fh.Machine);
        goto out;
    }
    memcpy(&oh, file + optOffset, sizeof(oh));
    if (oh.Magic != 0x20b || oh.SizeOfImage == 0 || oh.SizeOfHeaders > size || oh.AddressOfEntryPoint >= oh.SizeOfImage) {
        PeFail("%s: bad optional header (magic 0x%x, image size %u)", path, oh.Magic, oh.SizeOfImage);
        goto out;
    }
    imageSize = (oh.SizeOfImage + 4095u) & ~(size_t)4095u;
    base = mmap(NULL, imageSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED) {
        PeFail("%s: cannot map %zu bytes", path, imageSize);
        goto out;
    }
    memcpy(base, file, oh.SizeOfHeaders);
    size_t secOffset = optOffset + fh.SizeOfOptionalHeader;
    if (!PeRange(size, secOffset, (uint64_t)fh.NumberOfSections * sizeof(PE_SECTION_HEADER))) {
        PeFail("%s: section table out of the file", path);
        goto out;
    }
    PE_SECTION_HEADER *sections = calloc(fh.NumberOfSections + 1u, sizeof(*sections));
    if (sections == NULL) {
        PeFail("out of memory");
        goto out;
    }
    memcpy(sections, file + secOffset, fh.NumberOfSections * sizeof(*sections));
    for (unsigned i = 0; i < fh.NumberOfSections; i++) {
        PE_SECTION_HEADER *s = &sections[i];
        uint32_t raw = s->SizeOfRawData < s->VirtualSize || s->VirtualSize == 0 ? s->SizeOfRawData : s->VirtualSize;
        uint32_t span = s->VirtualSize > s->SizeOfRawData ? s->VirtualSize : s->SizeOfRawData;
        if (!PeRange(imageSize, s->VirtualAddress, span) || !PeRange(size, s->PointerToRawData, raw)) {
            PeFail("%s: section %.8s out of bounds", path, s->Name);
            free(sections);
            goto out;
        }
        memcpy(base + s->VirtualAddress, file + s->PointerToRawData, raw);
    }
    /* relocations: the image runs wherever mmap put it */
    int64_t delta = (int64_t)((uintptr_t)base - oh.ImageBase);
    PE_DATA_DIRECTORY rd = oh.DataDirectory[PE_DIR_BASERELOC];
    if (delta != 0 && rd.Size != 0) {
        if (!PeRange(imageSize, rd.VirtualAddress, rd.Size)) { free(sections); PeFail("%s: relocations out of the image", path); goto out; }
        uint32_t at = 0;
        while (at + 8 <= rd.Size) {
            uint32_t page, blockSize;
            memcpy(&page, base + rd.VirtualAddress + at, 4);
            memcpy(&blockSize, base + rd.VirtualAddress + at + 4, 4);
            if (blockSize < 8 || at + blockSize > rd.Size) break;
            for (uint32_t k = 8; k + 2 <= blockSize; k += 2) {
                uint16_t entry;
                memcpy(&entry, base + rd.VirtualAddress + at + k, 2);
                unsigned type = entry >> 12, off = entry & 0xfff;
                if (type == PE_REL_ABSOLUTE) continue;
                if (type != PE_REL_DIR64 || !PeRange(imageSize, (uint64_t)page + off, 8)) {
                    free(sections);
                    PeFail("%s: relocation type %u at RVA 0x%x not supported", path, type, page + off);
                    goto out;
                }
                uint64_t v;
                memcpy(&v, base + page + off, 8);
                v += (uint64_t)delta;
                memcpy(base + page + off, &v, 8);
            }
            at += blockSize;
        }
    }
    /* imports: by name, from the kernel modules only */
    PE_DATA_DIRECTORY id = oh.DataDirectory[PE_DIR_IMPORT];
    if (id.Size != 0) {
        for (uint32_t d = id.VirtualAddress; PeRange(imageSize, d, sizeof(PE_IMPORT_DESCRIPTOR)); d += sizeof(PE_IMPORT_DESCRIPTOR)) {
            PE_IMPORT_DESCRIPTOR desc;
            memcpy(&desc, base + d, sizeof(desc));
            if (desc.Name == 0 && desc.FirstThunk == 0) break;
            if (desc.Name >= imageSize) { free(sections); PeFail("%s: bad import descriptor", path); goto out; }
            const char *dll = (const char *)base + desc.Name;
            uint32_t lookup = desc.OriginalFirstThunk != 0 ? desc.OriginalFirstThunk : desc.FirstThunk;
            for (uint32_t k = 0;; k++) {
                uint64_t entry;
                if (!PeRange(imageSize, lookup + 8ull * k, 8) || !PeRange(imageSize, desc.FirstThunk + 8ull * k, 8)) {
                    free(sections); PeFail("%s: import table of %s out of the image", path, dll); goto out;
                }
                memcpy(&entry, base + lookup + 8ull * k, 8);
                if (entry == 0) break;
                if (entry >> 63) { free(sections); PeFail("%s: import by ordinal %u from %s is not supported", path, (unsigned)(entry & 0xffff), dll); goto out; }
                if ((entry & 0x7fffffff) + 2 >= imageSize) { free(sections); PeFail("%s: bad import name", path); goto out; }
                const char *name = (const char *)base + (entry & 0x7fffffff) + 2;
                void *thunk = PeResolveImport(dll, name);
                if (thunk == NULL) {
                    free(sections);
                    PeFail("%s imports %s!%s, which the emulator does not implement", path, dll, name);
                    goto out;
                }
                uint64_t address = (uint64_t)(uintptr_t)thunk;
                memcpy(base + desc.FirstThunk + 8ull * k, &address, 8);
            }
        }
    }
    /* the /GS cookie: the load config's, or the default value in a writable section */
    uint64_t cookie = 0;
    for (int tries = 0; tries < 8 && (cookie == 0 || cookie == PE_DEFAULT_COOKIE); tries++) {
        cookie = ((uint64_t)random() << 24 ^ (uint64_t)random() ^ EmuNowNs()) & 0x0000FFFFFFFFFFFFull;
    }
    for (unsigned i = 0; i < fh.NumberOfSections; i++) {
        PE_SECTION_HEADER *s = &sections[i];
        if (!(s->Characteristics & PE_SCN_MEM_WRITE)) continue;
        for (uint32_t o = 0; o + 8 <= s->VirtualSize; o += 8) {
            uint64_t v;
            memcpy(&v, base + s->VirtualAddress + o, 8);
            if (v == PE_DEFAULT_COOKIE) {
                memcpy(base + s->VirtualAddress + o, &cookie, 8);
            }
        }
    }
    /* protections: code executable and not writable, the rest not executable. A code
     * section counts as executable without MEM_EXECUTE: the WDK links INIT with
     * /section:INIT,d, which leaves it CNT_CODE | MEM_DISCARDABLE only, and Windows runs it. */
    for (unsigned i = 0; i < fh.NumberOfSections; i++) {
        PE_SECTION_HEADER *s = &sections[i];
        uint32_t span = s->VirtualSize > s->SizeOfRawData ? s->VirtualSize : s->SizeOfRawData;
        uintptr_t from = (uintptr_t)(base + s->VirtualAddress) & ~(uintptr_t)4095;
        uintptr_t to = ((uintptr_t)(base + s->VirtualAddress + span) + 4095) & ~(uintptr_t)4095;
        int prot = PROT_READ | ((s->Characteristics & (PE_SCN_MEM_EXECUTE | PE_SCN_CNT_CODE)) ? PROT_EXEC : 0)
                 | ((s->Characteristics & PE_SCN_MEM_WRITE) ? PROT_WRITE : 0);
        if (to > from) mprotect((void *)from, to - from, prot);
    }
    free(sections);
    image->Base = base;
    image->Size = imageSize;
    image->Entry = base + oh.AddressOfEntryPoint;
    snprintf(image->Path, sizeof(image->Path), "%s", path);
    base = MAP_FAILED;
    ok = 1;
out:
    if (base != MAP_FAILED) {
        munmap(base, imageSize);
    }
    free(file);
    return ok;
}

/* ---- __fastfail ----
 * What the WDK's inline code does on a corrupt list and what /GS does on a
 * cookie mismatch: bug check KERNEL_SECURITY_CHECK_FAILURE (0x139), here a
 * violation on stderr and the end of the process (nothing can safely go on). */
void EmuFastFail(unsigned int Code, const char *Routine)
{
    char text[256];
    snprintf(text, sizeof(text), "emu: violation: %s: __fastfail(%u)%s: KERNEL_SECURITY_CHECK_FAILURE (0x139), "
             "the system would crash\n", Routine, Code, Code == FAST_FAIL_CORRUPT_LIST_ENTRY ? " (corrupt LIST_ENTRY)" : "");
    if (write(2, text, strlen(text)) < 0) {
        /* nothing more to do: aborting anyway */
    }
    signal(SIGABRT, SIG_DFL);
    abort();
}

/* ---- faults inside the image ---- */
static struct sigaction g_oldSegv, g_oldIll, g_oldBus;

static void PeFault(int sig, siginfo_t *info, void *uc)
{
    uintptr_t rip = 0;
#if defined(__x86_64__)
    rip = (uintptr_t)((ucontext_t *)uc)->uc_mcontext.gregs[REG_RIP];
#endif
    uint8_t *base = g_image.Base;
    if (base != NULL && rip >= (uintptr_t)base && rip < (uintptr_t)base + g_image.Size) {
        char text[256];
        uintptr_t rva = rip - (uintptr_t)base;
        if (rip + 2 <= (uintptr_t)base + g_image.Size && base[rva] == 0xCD && base[rva + 1] == 0x29) {
            unsigned long long code = 0;
#if defined(__x86_64__)
            code = (unsigned long long)((ucontext_t *)uc)->uc_mcontext.gregs[REG_RCX];
#endif
            snprintf(text, sizeof(text), "emu: violation: __fastfail(%llu) in the driver image at RVA 0x%lx: "
                     "KERNEL_SECURITY_CHECK_FAILURE (0x139), the system would crash\n", code, (unsigned long)rva);
        } else {
            uintptr_t a = info != NULL ? (uintptr_t)info->si_addr : 0;
            char where[64] = "";
            if (a >= (uintptr_t)base && a < (uintptr_t)base + g_image.Size) {
                snprintf(where, sizeof(where), ", image RVA 0x%lx", (unsigned long)(a - (uintptr_t)base));
            }
            snprintf(text, sizeof(text), "emu: violation: signal %d in the driver image at RVA 0x%lx (address %p%s): "
                     "the system would crash\n", sig, (unsigned long)rva, (void *)a, where);
        }
        if (write(2, text, strlen(text)) < 0) {
            /* nothing more to do: aborting anyway */
        }
        signal(SIGABRT, SIG_DFL);
        abort();
    }
    /* not the image's: whoever handled it before */
    struct sigaction *old = sig == SIGSEGV ? &g_oldSegv : sig == SIGILL ? &g_oldIll : &g_oldBus;
    if ((old->sa_flags & SA_SIGINFO) && old->sa_sigaction != NULL) {
        old->sa_sigaction(sig, info, uc);
    } else if (old->sa_handler != SIG_DFL && old->sa_handler != SIG_IGN) {
        old->sa_handler(sig);
    } else {
        sigaction(sig, old, NULL);   /* returning re-executes the fault under the default action */
    }
}

/* Installed when the program starts, before the emulator's pageable-memory
 * handler (emu_pageable.c), which is installed later and so sees a fault
 * first: a touch of pageable memory the emulator protects is its business
 * (resolved there and the instruction retried); what it passes on reaches
 * this handler, which names the image offset of a fault in the driver image,
 * and otherwise passes it on in turn (ASan, the JVM, the default action). */
__attribute__((constructor(101))) static void PeInstallFaultHandler(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = PeFault;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, &g_oldSegv);
    sigaction(SIGILL, &sa, &g_oldIll);
    sigaction(SIGBUS, &sa, &g_oldBus);
}

/* ---- public ---- */
int32_t EmuSetDriverImage(const char *path)
{
    if (path != NULL && strlen(path) >= sizeof(g_imagePath)) {
        return (int32_t)STATUS_NAME_TOO_LONG;
    }
    snprintf(g_imagePath, sizeof(g_imagePath), "%s", path != NULL ? path : "");
    return (int32_t)STATUS_SUCCESS;
}

const char *EmuDriverImageError(void)
{
    return g_peError;
}

static const char *PeImagePath(void)
{
    if (g_imagePath[0] != '\0') {
        return g_imagePath;
    }
    const char *env = getenv("JMF_EMU_SYS");
    return env != NULL && env[0] != '\0' ? env : NULL;
}

/* The entry point of a driver image: GsDriverEntry, which sets up the /GS
 * cookie's complement and jumps to the driver's DriverEntry. */
typedef NTSTATUS (__attribute__((ms_abi)) *PE_DRIVER_ENTRY)(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath);

NTSTATUS EmuPeDriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    const char *path = PeImagePath();
    if (path == NULL) {
        PeFail("no driver image (EmuSetDriverImage or JMF_EMU_SYS) and no driver linked in");
        return STATUS_NOT_FOUND;
    }
    if (!EMU_PE_SUPPORTED) {
        PeFail("a driver image runs only on x86-64");
        return STATUS_NOT_SUPPORTED;
    }
    /* A fresh image for every load, as Windows maps a driver anew: the previous
     * one is unmapped (a call into it would now fault, as into an unloaded driver). */
    if (g_image.Base != NULL) {
        munmap(g_image.Base, g_image.Size);
        memset(&g_image, 0, sizeof(g_image));
        PeFreeRegistrations();
    }
    PE_IMAGE image;
    memset(&image, 0, sizeof(image));
    if (!PeMap(path, &image)) {
        fprintf(stderr, "emu: cannot load the driver image: %s\n", g_peError);
        return STATUS_INVALID_IMAGE_FORMAT;
    }
    g_image = image;
    DriverObject->DriverStart = g_image.Base;
    DriverObject->DriverSize = (ULONG)g_image.Size;
    PE_DRIVER_ENTRY entry = (PE_DRIVER_ENTRY)(void *)g_image.Entry;
    return entry(DriverObject, RegistryPath);
}

/* Whether address lies in the driver image mapped now: its routines are ms_abi (emu_device.c calls the
 * dispatch and fast I/O routines a driver stores in its DRIVER_OBJECT through this). */
int EmuPeImageContains(const void *address)
{
    uintptr_t a = (uintptr_t)address;
    return g_image.Base != NULL && a >= (uintptr_t)g_image.Base && a < (uintptr_t)g_image.Base + g_image.Size;
}

/* Used by EmuLoadDriver when no driver's sources are linked into the program. */
__attribute__((weak)) NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    return EmuPeDriverEntry(DriverObject, RegistryPath);
}
