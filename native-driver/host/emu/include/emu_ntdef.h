/*
 * emu_ntdef.h - base types, NTSTATUS values, lists, strings, Rtl and
 * Interlocked routines of the Windows kernel, for the Linux emulator.
 *
 * Sizes follow LLP64 Windows, not LP64 Linux: ULONG and LONG are 32 bits,
 * pointers and ULONG_PTR 64 bits. WCHAR is 16 bits: everything that includes
 * these headers is compiled with -fshort-wchar so that L"..." literals are
 * UTF-16 as on Windows.
 *
 * Written from the WDK documentation; not derived from the WDK headers.
 */
#ifndef EMU_NTDEF_H
#define EMU_NTDEF_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "emu_sal.h"

#if !defined(__SIZEOF_WCHAR_T__) || __SIZEOF_WCHAR_T__ != 2
#error "the jminifilter emulator headers need -fshort-wchar (WCHAR is 16 bits on Windows)"
#endif

/* The kernel CRT's wcslen (ntoskrnl.exe exports it; the WDK's string.h declares it). glibc's counts
 * 4-byte units whatever -fshort-wchar says, so the name maps to a 16-bit count. A macro rather than a
 * definition: defining wcslen would replace the C library's (and ASan's interceptor) for the process. */
static inline size_t EmuKernelWcslen(const wchar_t *s)
{
    size_t n = 0;
    while (s[n] != 0) {
        n++;
    }
    return n;
}
#define wcslen(s) EmuKernelWcslen(s)

/* ---- integer types ---- */
typedef void VOID, *PVOID, **PPVOID;
typedef const void *PCVOID;
typedef char CHAR, *PCHAR, *PSTR, *LPSTR;
typedef const char *PCSTR, *LPCSTR, *PCSZ;
typedef signed char SCHAR, *PSCHAR;
typedef unsigned char UCHAR, *PUCHAR, BYTE, *PBYTE, BOOLEAN, *PBOOLEAN;
typedef char CCHAR;
typedef short SHORT, CSHORT, *PSHORT;
typedef unsigned short USHORT, *PUSHORT, WORD, *PWORD;
typedef int LONG, *PLONG, INT, *PINT, BOOL;
typedef unsigned int ULONG, *PULONG, UINT, *PUINT, DWORD, *PDWORD, ULONG32, *PULONG32;
typedef int LONG32, *PLONG32, INT32;
typedef unsigned int UINT32;
typedef long long LONGLONG, *PLONGLONG, LONG64, *PLONG64, INT64;
typedef unsigned long long ULONGLONG, *PULONGLONG, ULONG64, *PULONG64, DWORD64, UINT64, DWORDLONG;
typedef intptr_t LONG_PTR, *PLONG_PTR, INT_PTR, SSIZE_T;
typedef uintptr_t ULONG_PTR, *PULONG_PTR, UINT_PTR, SIZE_T, *PSIZE_T, DWORD_PTR;
typedef wchar_t WCHAR, *PWCHAR, *PWCH, *PWSTR, *LPWSTR, *PWCHAR_T;
typedef const WCHAR *PCWSTR, *LPCWSTR, *PCWCH;
typedef UCHAR KIRQL, *PKIRQL;
typedef CCHAR KPROCESSOR_MODE;
typedef LONG NTSTATUS, *PNTSTATUS;
typedef LONG HRESULT;
typedef ULONG ACCESS_MASK, *PACCESS_MASK;
typedef ULONG DEVICE_TYPE;
typedef PVOID HANDLE, *PHANDLE;
typedef ULONG LOGICAL;
typedef ULONG CLONG;
typedef LONG KPRIORITY;
typedef ULONG_PTR KAFFINITY, *PKAFFINITY;

typedef union _LARGE_INTEGER {
    struct { ULONG LowPart; LONG HighPart; };
    struct { ULONG LowPart; LONG HighPart; } u;
    LONGLONG QuadPart;
} LARGE_INTEGER, *PLARGE_INTEGER;

typedef union _ULARGE_INTEGER {
    struct { ULONG LowPart; ULONG HighPart; };
    struct { ULONG LowPart; ULONG HighPart; } u;
    ULONGLONG QuadPart;
} ULARGE_INTEGER, *PULARGE_INTEGER;

typedef struct _GUID { ULONG Data1; USHORT Data2; USHORT Data3; UCHAR Data4[8]; } GUID, *LPGUID;
typedef const GUID *LPCGUID;
#include "emu_guiddef.h"

_Static_assert(sizeof(ULONG) == 4, "ULONG is 32 bits");
_Static_assert(sizeof(WCHAR) == 2, "WCHAR is 16 bits");
_Static_assert(sizeof(LARGE_INTEGER) == 8, "LARGE_INTEGER is 64 bits");

#ifndef NULL
#define NULL ((void *)0)
#endif
#define TRUE 1
#define FALSE 0
#define MAXULONG 0xffffffffu
#define MAXLONG 0x7fffffff
#define MAXUSHORT 0xffff
#define MAXUCHAR 0xff
#define MAXULONG_PTR (~((ULONG_PTR)0))
#define MAXLONGLONG (0x7fffffffffffffffLL)
#define MAXULONGLONG (~0ULL)
#define MAXSIZE_T (~((SIZE_T)0))

/* ---- compile-time helpers ---- */
#define C_ASSERT(e) _Static_assert(e, #e)
#define FIELD_OFFSET(type, field) ((LONG)offsetof(type, field))
#define RTL_FIELD_SIZE(type, field) (sizeof(((type *)0)->field))
#define RTL_SIZEOF_THROUGH_FIELD(type, field) (FIELD_OFFSET(type, field) + RTL_FIELD_SIZE(type, field))
#define RTL_NUMBER_OF(a) (sizeof(a) / sizeof((a)[0]))
#define ARRAYSIZE(a) RTL_NUMBER_OF(a)
#define _ARRAYSIZE(a) RTL_NUMBER_OF(a)
#define CONTAINING_RECORD(address, type, field) \
    ((type *)((PCHAR)(address) - (ULONG_PTR)offsetof(type, field)))
#define UNREFERENCED_PARAMETER(p) ((void)(p))
#define DBG_UNREFERENCED_PARAMETER(p) ((void)(p))
#define DBG_UNREFERENCED_LOCAL_VARIABLE(v) ((void)(v))
#define ALIGN_DOWN_BY(length, alignment) ((ULONG_PTR)(length) & ~((ULONG_PTR)(alignment) - 1))
#define ALIGN_UP_BY(length, alignment) (ALIGN_DOWN_BY(((ULONG_PTR)(length) + (alignment) - 1), (alignment)))
#define ALIGN_DOWN_POINTER_BY(p, a) ((PVOID)ALIGN_DOWN_BY(p, a))
#define ALIGN_UP_POINTER_BY(p, a) ((PVOID)ALIGN_UP_BY(p, a))
#define ALIGN_UP(length, type) ALIGN_UP_BY(length, sizeof(type))
#define IS_ALIGNED(_pointer, _alignment) ((((ULONG_PTR)(_pointer)) & ((_alignment) - 1)) == 0)
#define ALIGN_DOWN(length, type) ALIGN_DOWN_BY(length, sizeof(type))
#define FlagOn(_F, _SF) ((_F) & (_SF))
#define BooleanFlagOn(F, SF) ((BOOLEAN)(((F) & (SF)) != 0))
#define SetFlag(_F, _SF) ((_F) |= (_SF))
#define ClearFlag(_F, _SF) ((_F) &= ~(_SF))
#define min(a, b) (((a) < (b)) ? (a) : (b))
#define max(a, b) (((a) > (b)) ? (a) : (b))
#define Add2Ptr(P, I) ((PVOID)((PUCHAR)(P) + (I)))
#define PtrOffset(B, O) ((ULONG)((ULONG_PTR)(O) - (ULONG_PTR)(B)))
#define ULongToPtr(ul) ((PVOID)(ULONG_PTR)(ULONG)(ul))
#define UlongToPtr(ul) ULongToPtr(ul)
#define LongToPtr(l) ((PVOID)(LONG_PTR)(LONG)(l))
#define PtrToUlong(p) ((ULONG)(ULONG_PTR)(p))
#define PtrToLong(p) ((LONG)(LONG_PTR)(p))
#define HandleToULong(h) ((ULONG)(ULONG_PTR)(h))
#define HandleToUlong(h) HandleToULong(h)
#define HandleToLong(h) ((LONG)(LONG_PTR)(h))
#define ULongToHandle(ul) ((HANDLE)(ULONG_PTR)(ul))
#define UlongToHandle(ul) ULongToHandle(ul)
#define LongToHandle(l) ((HANDLE)(LONG_PTR)(l))
#define PtrToUshort(p) ((USHORT)(ULONG_PTR)(p))
#define MAKELONG(a, b) ((LONG)(((USHORT)(a)) | ((ULONG)((USHORT)(b))) << 16))
/* An optional pointer argument was given (ntdef.h). */
#define ARGUMENT_PRESENT(ArgumentPointer) ((CHAR *)((ULONG_PTR)(ArgumentPointer)) != (CHAR *)NULL)
/* The separator of object manager (and file) path components. */
#define OBJ_NAME_PATH_SEPARATOR ((WCHAR)L'\\')

/* Structured exception handling on setjmp/longjmp, as close to the compiler's
 * as gcc allows (emu_core.c runs it):
 *   __try { ... } __except (filter) { ... }   and   __try { ... } __finally { ... }
 * A __try pushes a frame on the thread's frame list and takes a setjmp; the
 * emulator's own exceptions (ExRaiseStatus, a failed ProbeForRead/Write) jump
 * to the innermost frame, where the filter is evaluated (GetExceptionCode()
 * gives the status): EXCEPTION_EXECUTE_HANDLER runs the handler,
 * EXCEPTION_CONTINUE_SEARCH passes the exception to the next frame out; a
 * __finally runs on normal exit, on __leave and while an exception passes
 * through it (AbnormalTermination() is then nonzero), after which the exception
 * goes on outwards. __leave jumps to the end of the innermost __try block (a
 * local label, so it works from inside loops and switches).
 * What cannot be emulated (README, "The emulator"): a return, goto or break out
 * of a __try skips its __finally (the frame is popped by a cleanup attribute,
 * so nothing dangles); a local changed inside __try and read after an
 * exception must be volatile (longjmp); a filter runs after the inner
 * __finally blocks, not before them; hardware faults (a bad pointer) are not
 * exceptions but crashes (ASan reports them); EXCEPTION_CONTINUE_EXECUTION is
 * reported, as ExRaiseStatus is not continuable.
 * A __try is a compound statement: write it where a declaration may stand
 * (not as the lone body of an unbraced if/else/loop). */
#include <setjmp.h>
/* gcc warns of every local a longjmp might clobber; the rule above (volatile
 * for a local changed in __try and read after an exception) is the
 * emulator's documented limit, and MSVC code has no reason to follow it. */
#if !defined(__clang__)
#pragma GCC diagnostic ignored "-Wclobbered"
#endif
typedef struct EMU_SEH_FRAME {
    jmp_buf Jump;
    struct EMU_SEH_FRAME *Next;
    const char *File;
    int Line;
    volatile int Active;  /* on the thread's frame list */
    volatile int Raised;  /* an exception jumped here */
    volatile LONG Code;
} EMU_SEH_FRAME;
void EmuSehPush(EMU_SEH_FRAME *Frame, const char *File, int Line);
void EmuSehScopeExit(EMU_SEH_FRAME *Frame);
int EmuSehExceptEnd(EMU_SEH_FRAME *Frame, int Disposition);
int EmuSehExceptTake(void);
void EmuSehFinallyEnd(EMU_SEH_FRAME *Frame);
long long EmuSehFinallyTake(void);
long long EmuSehFinallyExit(long long State);
LONG EmuSehExceptionCode(void);
#define EMU_SEH_RUN_FINALLY 0x100000000LL
#define EMU_SEH_ABNORMAL 0x200000000LL
#define __try                                                                         \
    { __label__ _emuSehLeave;                                                         \
      EMU_SEH_FRAME _emuSeh __attribute__((cleanup(EmuSehScopeExit)));                \
      EmuSehPush(&_emuSeh, __FILE__, __LINE__);                                       \
      if (setjmp(_emuSeh.Jump) == 0)
#define __except(...)                                                                 \
      _emuSehLeave: __attribute__((unused));                                          \
      EmuSehExceptEnd(&_emuSeh, _emuSeh.Raised ? (int)(__VA_ARGS__) : 0);             \
    }                                                                                 \
    if (EmuSehExceptTake())
#define __finally                                                                     \
      _emuSehLeave: __attribute__((unused));                                          \
      EmuSehFinallyEnd(&_emuSeh);                                                     \
    }                                                                                 \
    for (long long _emuSehFin = EmuSehFinallyTake(); _emuSehFin != 0; _emuSehFin = EmuSehFinallyExit(_emuSehFin))
#define __leave goto _emuSehLeave
#define try __try
#define except __except
#define finally __finally
#define leave __leave
#define GetExceptionCode() EmuSehExceptionCode()
#define _exception_code() EmuSehExceptionCode()
#define exception_code() EmuSehExceptionCode()
/* What an exception filter receives from GetExceptionInformation(): the record of the
 * exception being filtered (its ExceptionCode is GetExceptionCode()'s); no CPU context. */
#define EXCEPTION_MAXIMUM_PARAMETERS 15
typedef struct _EXCEPTION_RECORD {
    NTSTATUS ExceptionCode;
    ULONG ExceptionFlags;
    struct _EXCEPTION_RECORD *ExceptionRecord;
    PVOID ExceptionAddress;
    ULONG NumberParameters;
    ULONG_PTR ExceptionInformation[EXCEPTION_MAXIMUM_PARAMETERS];
} EXCEPTION_RECORD, *PEXCEPTION_RECORD;
typedef struct _CONTEXT *PCONTEXT;
typedef struct _EXCEPTION_POINTERS {
    PEXCEPTION_RECORD ExceptionRecord;
    PCONTEXT ContextRecord;
} EXCEPTION_POINTERS, *PEXCEPTION_POINTERS;
PEXCEPTION_POINTERS EmuSehExceptionInformation(void);
#define GetExceptionInformation() EmuSehExceptionInformation()
#define AbnormalTermination() ((_emuSehFin & EMU_SEH_ABNORMAL) != 0)
#define _abnormal_termination() AbnormalTermination()
#define EXCEPTION_EXECUTE_HANDLER 1
#define EXCEPTION_CONTINUE_SEARCH 0
#define EXCEPTION_CONTINUE_EXECUTION (-1)

/* ---- NTSTATUS ---- */
#define NT_SUCCESS(Status) (((NTSTATUS)(Status)) >= 0)
#define NT_INFORMATION(Status) ((((ULONG)(Status)) >> 30) == 1)
#define NT_WARNING(Status) ((((ULONG)(Status)) >> 30) == 2)
#define NT_ERROR(Status) ((((ULONG)(Status)) >> 30) == 3)

#define STATUS_SUCCESS                   ((NTSTATUS)0x00000000L)
#define STATUS_WAIT_0                    ((NTSTATUS)0x00000000L)
#define STATUS_WAIT_1                    ((NTSTATUS)0x00000001L)
#define STATUS_ALERTED                   ((NTSTATUS)0x00000101L)
#define STATUS_TIMEOUT                   ((NTSTATUS)0x00000102L)
#define STATUS_PENDING                   ((NTSTATUS)0x00000103L)
#define STATUS_REPARSE                   ((NTSTATUS)0x00000104L)
#define STATUS_REPARSE_POINT_NOT_RESOLVED ((NTSTATUS)0xC0000280L)
#define STATUS_OBJECTID_NOT_FOUND        ((NTSTATUS)0xC00002F0L)
#define STATUS_TRANSACTION_NOT_ACTIVE    ((NTSTATUS)0xC0190003L)
#define STATUS_TRANSACTIONAL_CONFLICT    ((NTSTATUS)0xC0190001L)
#define STATUS_IO_REPARSE_TAG_NOT_HANDLED ((NTSTATUS)0xC0000279L)
#define STATUS_MORE_ENTRIES              ((NTSTATUS)0x00000105L)
#define STATUS_NOT_ALL_ASSIGNED          ((NTSTATUS)0x00000106L)
#define STATUS_OPLOCK_BREAK_IN_PROGRESS  ((NTSTATUS)0x00000108L)
#define STATUS_OBJECT_NAME_EXISTS        ((NTSTATUS)0x40000000L)
#define STATUS_DATATYPE_MISALIGNMENT     ((NTSTATUS)0x80000002L)
#define STATUS_BREAKPOINT                ((NTSTATUS)0x80000003L)
#define STATUS_BUFFER_OVERFLOW           ((NTSTATUS)0x80000005L)
#define STATUS_NO_MORE_FILES             ((NTSTATUS)0x80000006L)
#define STATUS_NO_MORE_ENTRIES           ((NTSTATUS)0x8000001AL)
#define STATUS_UNSUCCESSFUL              ((NTSTATUS)0xC0000001L)
#define STATUS_NOT_IMPLEMENTED           ((NTSTATUS)0xC0000002L)
#define STATUS_INVALID_INFO_CLASS        ((NTSTATUS)0xC0000003L)
#define STATUS_INFO_LENGTH_MISMATCH      ((NTSTATUS)0xC0000004L)
#define STATUS_ACCESS_VIOLATION          ((NTSTATUS)0xC0000005L)
#define STATUS_INVALID_HANDLE            ((NTSTATUS)0xC0000008L)
#define STATUS_INVALID_PARAMETER         ((NTSTATUS)0xC000000DL)
#define STATUS_NO_SUCH_DEVICE            ((NTSTATUS)0xC000000EL)
#define STATUS_NO_SUCH_FILE              ((NTSTATUS)0xC000000FL)
#define STATUS_INVALID_DEVICE_REQUEST    ((NTSTATUS)0xC0000010L)
#define STATUS_END_OF_FILE               ((NTSTATUS)0xC0000011L)
#define STATUS_NO_MEMORY                 ((NTSTATUS)0xC0000017L)
#define STATUS_INVALID_PARAMETER_MIX     ((NTSTATUS)0xC0000030L)
#define STATUS_INVALID_PARAMETER_8       ((NTSTATUS)0xC00000F6L)
#define STATUS_MAPPED_ALIGNMENT          ((NTSTATUS)0xC0000220L)
#define STATUS_CONFLICTING_ADDRESSES     ((NTSTATUS)0xC0000018L)
#define STATUS_NOT_MAPPED_VIEW           ((NTSTATUS)0xC0000019L)
#define STATUS_INVALID_VIEW_SIZE         ((NTSTATUS)0xC000001FL)
#define STATUS_INVALID_CID               ((NTSTATUS)0xC000000BL)
#define STATUS_INVALID_PAGE_PROTECTION   ((NTSTATUS)0xC0000045L)
#define STATUS_SECTION_PROTECTION        ((NTSTATUS)0xC000004EL)
#define STATUS_FILE_LOCK_CONFLICT        ((NTSTATUS)0xC0000054L)
#define STATUS_ILLEGAL_INSTRUCTION       ((NTSTATUS)0xC000001DL)
#define STATUS_INSTRUCTION_MISALIGNMENT  ((NTSTATUS)0xC00000AAL)
#define STATUS_ACCESS_DENIED             ((NTSTATUS)0xC0000022L)
#define STATUS_NOT_LOCKED                ((NTSTATUS)0xC000002AL)
#define STATUS_BUFFER_TOO_SMALL          ((NTSTATUS)0xC0000023L)
#define STATUS_OBJECT_TYPE_MISMATCH      ((NTSTATUS)0xC0000024L)
#define STATUS_NONCONTINUABLE_EXCEPTION  ((NTSTATUS)0xC0000025L)
#define STATUS_INVALID_DISPOSITION       ((NTSTATUS)0xC0000026L)
#define STATUS_OBJECT_NAME_INVALID       ((NTSTATUS)0xC0000033L)
#define STATUS_OBJECT_NAME_NOT_FOUND     ((NTSTATUS)0xC0000034L)
#define STATUS_OBJECT_NAME_COLLISION     ((NTSTATUS)0xC0000035L)
#define STATUS_PORT_DISCONNECTED         ((NTSTATUS)0xC0000037L)
#define STATUS_OBJECT_PATH_INVALID       ((NTSTATUS)0xC0000039L)
#define STATUS_OBJECT_PATH_NOT_FOUND     ((NTSTATUS)0xC000003AL)
#define STATUS_DATA_ERROR                ((NTSTATUS)0xC000003EL)
#define STATUS_FILE_TOO_LARGE            ((NTSTATUS)0xC0000904L)
#define STATUS_OBJECT_PATH_SYNTAX_BAD    ((NTSTATUS)0xC000003BL)
#define STATUS_SHARING_VIOLATION         ((NTSTATUS)0xC0000043L)
#define STATUS_FILE_LOCK_CONFLICT        ((NTSTATUS)0xC0000054L)
#define STATUS_NO_MEDIA_IN_DEVICE        ((NTSTATUS)0xC0000013L)
#define STATUS_FILE_INVALID              ((NTSTATUS)0xC0000098L)
#define STATUS_INTEGER_OVERFLOW          ((NTSTATUS)0xC0000095L)
#define STATUS_INVALID_DEVICE_OBJECT_PARAMETER ((NTSTATUS)0xC0000369L)
#define STATUS_DELETE_PENDING            ((NTSTATUS)0xC0000056L)
#define STATUS_REVISION_MISMATCH         ((NTSTATUS)0xC0000059L)
#define STATUS_INSUFFICIENT_RESOURCES    ((NTSTATUS)0xC000009AL)
#define STATUS_FILE_IS_A_DIRECTORY       ((NTSTATUS)0xC00000BAL)
#define STATUS_NOT_SAME_DEVICE           ((NTSTATUS)0xC00000D4L)
#define STATUS_NOT_SUPPORTED             ((NTSTATUS)0xC00000BBL)
#define STATUS_OPLOCK_NOT_GRANTED        ((NTSTATUS)0xC00000E2L)
#define STATUS_VOLUME_DISMOUNTED         ((NTSTATUS)0xC000026EL)
#define STATUS_INTERNAL_ERROR            ((NTSTATUS)0xC00000E5L)
#define STATUS_INVALID_USER_BUFFER       ((NTSTATUS)0xC00000E8L)
#define STATUS_INVALID_PARAMETER_1       ((NTSTATUS)0xC00000EFL)
#define STATUS_INVALID_PARAMETER_2       ((NTSTATUS)0xC00000F0L)
#define STATUS_INVALID_PARAMETER_3       ((NTSTATUS)0xC00000F1L)
#define STATUS_INVALID_PARAMETER_4       ((NTSTATUS)0xC00000F2L)
#define STATUS_DIRECTORY_NOT_EMPTY       ((NTSTATUS)0xC0000101L)
#define STATUS_NOT_A_DIRECTORY           ((NTSTATUS)0xC0000103L)
#define STATUS_NAME_TOO_LONG             ((NTSTATUS)0xC0000106L)
#define STATUS_CANCELLED                 ((NTSTATUS)0xC0000120L)
#define STATUS_CANNOT_DELETE             ((NTSTATUS)0xC0000121L)
#define STATUS_FILE_DELETED              ((NTSTATUS)0xC0000123L)
#define STATUS_FILE_CLOSED               ((NTSTATUS)0xC0000128L)
#define STATUS_THREAD_IS_TERMINATING     ((NTSTATUS)0xC000004BL)
#define STATUS_INVALID_DEVICE_STATE      ((NTSTATUS)0xC0000184L)
#define STATUS_DEVICE_ALREADY_ATTACHED   ((NTSTATUS)0xC0000038L)
#define STATUS_INVALID_IMAGE_FORMAT      ((NTSTATUS)0xC000007BL)
#define STATUS_NOT_FOUND                 ((NTSTATUS)0xC0000225L)
#define STATUS_CONNECTION_COUNT_LIMIT    ((NTSTATUS)0xC0000246L)
#define STATUS_VIRUS_INFECTED            ((NTSTATUS)0xC0000906L)
#define STATUS_FLT_NO_HANDLER_DEFINED    ((NTSTATUS)0xC01C0001L)
#define STATUS_FLT_CONTEXT_ALREADY_DEFINED ((NTSTATUS)0xC01C0002L)
#define STATUS_FLT_INVALID_ASYNCHRONOUS_REQUEST ((NTSTATUS)0xC01C0003L)
#define STATUS_FLT_DISALLOW_FAST_IO      ((NTSTATUS)0xC01C0004L)
#define STATUS_FLT_INVALID_NAME_REQUEST  ((NTSTATUS)0xC01C0005L)
#define STATUS_FLT_NOT_SAFE_TO_POST_OPERATION ((NTSTATUS)0xC01C0006L)
#define STATUS_FLT_NOT_INITIALIZED       ((NTSTATUS)0xC01C0007L)
#define STATUS_FLT_FILTER_NOT_READY      ((NTSTATUS)0xC01C0008L)
#define STATUS_FLT_POST_OPERATION_CLEANUP ((NTSTATUS)0xC01C0009L)
#define STATUS_FLT_INTERNAL_ERROR        ((NTSTATUS)0xC01C000AL)
#define STATUS_FLT_DELETING_OBJECT       ((NTSTATUS)0xC01C000BL)
#define STATUS_FLT_MUST_BE_NONPAGED_POOL ((NTSTATUS)0xC01C000CL)
#define STATUS_FLT_DUPLICATE_ENTRY       ((NTSTATUS)0xC01C000DL)
#define STATUS_FLT_CBDQ_DISABLED         ((NTSTATUS)0xC01C000EL)
#define STATUS_FLT_DO_NOT_ATTACH         ((NTSTATUS)0xC01C000FL)
#define STATUS_FLT_DO_NOT_DETACH         ((NTSTATUS)0xC01C0010L)
#define STATUS_FLT_INSTANCE_ALTITUDE_COLLISION ((NTSTATUS)0xC01C0011L)
#define STATUS_FLT_INSTANCE_NAME_COLLISION ((NTSTATUS)0xC01C0012L)
#define STATUS_FLT_FILTER_NOT_FOUND      ((NTSTATUS)0xC01C0013L)
#define STATUS_FLT_VOLUME_NOT_FOUND      ((NTSTATUS)0xC01C0014L)
#define STATUS_FLT_INSTANCE_NOT_FOUND    ((NTSTATUS)0xC01C0015L)
#define STATUS_FLT_CONTEXT_ALLOCATION_NOT_FOUND ((NTSTATUS)0xC01C0016L)
#define STATUS_FLT_INVALID_CONTEXT_REGISTRATION ((NTSTATUS)0xC01C0017L)
#define STATUS_FLT_NAME_CACHE_MISS       ((NTSTATUS)0xC01C0018L)
#define STATUS_FLT_NO_DEVICE_OBJECT      ((NTSTATUS)0xC01C0019L)
#define STATUS_FLT_VOLUME_ALREADY_MOUNTED ((NTSTATUS)0xC01C001AL)
#define STATUS_FLT_ALREADY_ENLISTED      ((NTSTATUS)0xC01C001BL)
#define STATUS_FLT_CONTEXT_ALREADY_LINKED ((NTSTATUS)0xC01C001CL)
#define STATUS_FLT_NO_WAITER_FOR_REPLY   ((NTSTATUS)0xC01C0020L)

/* ---- lists ---- */
typedef struct _LIST_ENTRY {
    struct _LIST_ENTRY *Flink;
    struct _LIST_ENTRY *Blink;
} LIST_ENTRY, *PLIST_ENTRY;

typedef struct _SINGLE_LIST_ENTRY {
    struct _SINGLE_LIST_ENTRY *Next;
} SINGLE_LIST_ENTRY, *PSINGLE_LIST_ENTRY;

/* The WDK's list routines check their neighbours' links and __fastfail
 * (FAST_FAIL_CORRUPT_LIST_ENTRY, bug check 0x139) on a corrupt list, so a real
 * .sys stops there; the emulator's do the same checks (emu_pe.c reports them
 * and ends the process), so the gcc build stops where the binary would. */
#define FAST_FAIL_CORRUPT_LIST_ENTRY 3
__attribute__((noreturn)) void EmuFastFail(unsigned int Code, const char *Routine);
#define EMU_LIST_CHECK(ok, routine) do { if (!(ok)) EmuFastFail(FAST_FAIL_CORRUPT_LIST_ENTRY, routine); } while (0)

FORCEINLINE VOID InitializeListHead(PLIST_ENTRY ListHead)
{
    ListHead->Flink = ListHead->Blink = ListHead;
}
FORCEINLINE BOOLEAN IsListEmpty(const LIST_ENTRY *ListHead)
{
    return (BOOLEAN)(ListHead->Flink == ListHead);
}
FORCEINLINE BOOLEAN RemoveEntryList(PLIST_ENTRY Entry)
{
    PLIST_ENTRY Blink = Entry->Blink, Flink = Entry->Flink;
    EMU_LIST_CHECK(Flink->Blink == Entry && Blink->Flink == Entry, "RemoveEntryList");
    Blink->Flink = Flink;
    Flink->Blink = Blink;
    return (BOOLEAN)(Flink == Blink);
}
FORCEINLINE PLIST_ENTRY RemoveHeadList(PLIST_ENTRY ListHead)
{
    PLIST_ENTRY Entry = ListHead->Flink;
    RemoveEntryList(Entry);
    return Entry;
}
FORCEINLINE PLIST_ENTRY RemoveTailList(PLIST_ENTRY ListHead)
{
    PLIST_ENTRY Entry = ListHead->Blink;
    RemoveEntryList(Entry);
    return Entry;
}
FORCEINLINE VOID InsertTailList(PLIST_ENTRY ListHead, PLIST_ENTRY Entry)
{
    PLIST_ENTRY Blink = ListHead->Blink;
    EMU_LIST_CHECK(Blink->Flink == ListHead, "InsertTailList");
    Entry->Flink = ListHead;
    Entry->Blink = Blink;
    Blink->Flink = Entry;
    ListHead->Blink = Entry;
}
FORCEINLINE VOID InsertHeadList(PLIST_ENTRY ListHead, PLIST_ENTRY Entry)
{
    PLIST_ENTRY Flink = ListHead->Flink;
    EMU_LIST_CHECK(Flink->Blink == ListHead, "InsertHeadList");
    Entry->Flink = Flink;
    Entry->Blink = ListHead;
    Flink->Blink = Entry;
    ListHead->Flink = Entry;
}
FORCEINLINE VOID AppendTailList(PLIST_ENTRY ListHead, PLIST_ENTRY ListToAppend)
{
    PLIST_ENTRY ListEnd = ListHead->Blink;
    ListHead->Blink->Flink = ListToAppend;
    ListHead->Blink = ListToAppend->Blink;
    ListToAppend->Blink->Flink = ListHead;
    ListToAppend->Blink = ListEnd;
}
FORCEINLINE VOID PushEntryList(PSINGLE_LIST_ENTRY ListHead, PSINGLE_LIST_ENTRY Entry)
{
    Entry->Next = ListHead->Next;
    ListHead->Next = Entry;
}
FORCEINLINE PSINGLE_LIST_ENTRY PopEntryList(PSINGLE_LIST_ENTRY ListHead)
{
    PSINGLE_LIST_ENTRY First = ListHead->Next;
    if (First != NULL) {
        ListHead->Next = First->Next;
    }
    return First;
}

/* ---- strings ---- */
typedef struct _UNICODE_STRING {
    USHORT Length;          /* bytes, without a terminator */
    USHORT MaximumLength;   /* bytes */
    PWCH Buffer;
} UNICODE_STRING, *PUNICODE_STRING;
typedef const UNICODE_STRING *PCUNICODE_STRING;

typedef struct _STRING {
    USHORT Length;
    USHORT MaximumLength;
    PCHAR Buffer;
} STRING, *PSTRING, ANSI_STRING, *PANSI_STRING, OEM_STRING, *POEM_STRING;
typedef const STRING *PCANSI_STRING;

#define UNICODE_NULL ((WCHAR)0)
#define ANSI_NULL ((CHAR)0)
#define UNICODE_STRING_MAX_BYTES ((USHORT)65534)
#define UNICODE_STRING_MAX_CHARS (32767)
#define RTL_CONSTANT_STRING(s) { (USHORT)(sizeof(s) - sizeof((s)[0])), (USHORT)sizeof(s), (PVOID)(s) }
#define DECLARE_CONST_UNICODE_STRING(_var, _string) \
    const WCHAR _var##_buffer[] = _string; \
    const UNICODE_STRING _var = { sizeof(_string) - sizeof(WCHAR), sizeof(_string), (PWCH)_var##_buffer }
#define DECLARE_UNICODE_STRING_SIZE(_var, _size) \
    WCHAR _var##_buffer[_size]; \
    UNICODE_STRING _var = { 0, (_size) * sizeof(WCHAR), _var##_buffer }
#define DECLARE_GLOBAL_CONST_UNICODE_STRING(_var, _str) \
    extern const UNICODE_STRING _var; const UNICODE_STRING _var = RTL_CONSTANT_STRING(_str)

FORCEINLINE VOID RtlInitEmptyUnicodeString(PUNICODE_STRING UnicodeString, PWCHAR Buffer, USHORT BufferSize)
{
    UnicodeString->Length = 0;
    UnicodeString->MaximumLength = BufferSize;
    UnicodeString->Buffer = Buffer;
}

VOID RtlInitUnicodeString(PUNICODE_STRING DestinationString, PCWSTR SourceString);
NTSTATUS RtlInitUnicodeStringEx(PUNICODE_STRING DestinationString, PCWSTR SourceString);
VOID RtlCopyUnicodeString(PUNICODE_STRING DestinationString, PCUNICODE_STRING SourceString);
LONG RtlCompareUnicodeString(PCUNICODE_STRING String1, PCUNICODE_STRING String2, BOOLEAN CaseInSensitive);
LONG RtlCompareUnicodeStrings(PCWCH String1, SIZE_T String1Length, PCWCH String2, SIZE_T String2Length, BOOLEAN CaseInSensitive);
BOOLEAN RtlEqualUnicodeString(PCUNICODE_STRING String1, PCUNICODE_STRING String2, BOOLEAN CaseInSensitive);
BOOLEAN RtlPrefixUnicodeString(PCUNICODE_STRING String1, PCUNICODE_STRING String2, BOOLEAN CaseInSensitive);
BOOLEAN RtlSuffixUnicodeString(PCUNICODE_STRING String1, PCUNICODE_STRING String2, BOOLEAN CaseInSensitive);
WCHAR RtlUpcaseUnicodeChar(WCHAR SourceCharacter);
WCHAR RtlDowncaseUnicodeChar(WCHAR SourceCharacter);
NTSTATUS RtlUpcaseUnicodeString(PUNICODE_STRING DestinationString, PCUNICODE_STRING SourceString, BOOLEAN AllocateDestinationString);
NTSTATUS RtlAppendUnicodeStringToString(PUNICODE_STRING Destination, PCUNICODE_STRING Source);
NTSTATUS RtlAppendUnicodeToString(PUNICODE_STRING Destination, PCWSTR Source);
VOID RtlFreeUnicodeString(PUNICODE_STRING UnicodeString);
NTSTATUS RtlUnicodeStringToInteger(PCUNICODE_STRING String, ULONG Base, PULONG Value);
NTSTATUS RtlIntegerToUnicodeString(ULONG Value, ULONG Base, PUNICODE_STRING String);
SIZE_T RtlCompareMemory(const VOID *Source1, const VOID *Source2, SIZE_T Length);

#define RtlCopyMemory(Destination, Source, Length) memcpy((Destination), (Source), (Length))
#define RtlMoveMemory(Destination, Source, Length) memmove((Destination), (Source), (Length))
#define RtlFillMemory(Destination, Length, Fill) memset((Destination), (Fill), (Length))
#define RtlZeroMemory(Destination, Length) memset((Destination), 0, (Length))
#define RtlSecureZeroMemory(Destination, Length) memset((Destination), 0, (Length))
#define RtlEqualMemory(Destination, Source, Length) (!memcmp((Destination), (Source), (Length)))
#define RtlCopyBytes RtlCopyMemory
#define RtlZeroBytes RtlZeroMemory
#define RtlFillBytes RtlFillMemory

/* ---- Interlocked ---- */
#define InterlockedIncrement(p)              __atomic_add_fetch((p), 1, __ATOMIC_SEQ_CST)
#define InterlockedDecrement(p)              __atomic_sub_fetch((p), 1, __ATOMIC_SEQ_CST)
#define InterlockedIncrement64(p)            __atomic_add_fetch((p), 1, __ATOMIC_SEQ_CST)
#define InterlockedDecrement64(p)            __atomic_sub_fetch((p), 1, __ATOMIC_SEQ_CST)
#define InterlockedIncrementNoFence(p)       InterlockedIncrement(p)
#define InterlockedDecrementNoFence(p)       InterlockedDecrement(p)
#define InterlockedExchangeAdd(p, v)         __atomic_fetch_add((p), (v), __ATOMIC_SEQ_CST)
#define InterlockedExchangeAdd64(p, v)       __atomic_fetch_add((p), (v), __ATOMIC_SEQ_CST)
#define InterlockedExchangeAddSizeT(p, v)    __atomic_fetch_add((p), (v), __ATOMIC_SEQ_CST)
#define InterlockedAdd(p, v)                 __atomic_add_fetch((p), (v), __ATOMIC_SEQ_CST)
#define InterlockedAdd64(p, v)               __atomic_add_fetch((p), (v), __ATOMIC_SEQ_CST)
#define InterlockedAddNoFence64(p, v)        InterlockedAdd64(p, v)
#define InterlockedIncrementSizeT(p)         __atomic_add_fetch((p), 1, __ATOMIC_SEQ_CST)
#define InterlockedDecrementSizeT(p)         __atomic_sub_fetch((p), 1, __ATOMIC_SEQ_CST)
#define InterlockedExchange(p, v)            __atomic_exchange_n((p), (v), __ATOMIC_SEQ_CST)
#define InterlockedExchange64(p, v)          __atomic_exchange_n((p), (v), __ATOMIC_SEQ_CST)
#define InterlockedExchangePointer(p, v)     ((PVOID)__atomic_exchange_n((PVOID volatile *)(p), (PVOID)(v), __ATOMIC_SEQ_CST))
#define InterlockedOr(p, v)                  __atomic_fetch_or((p), (v), __ATOMIC_SEQ_CST)
#define InterlockedAnd(p, v)                 __atomic_fetch_and((p), (v), __ATOMIC_SEQ_CST)
#define InterlockedXor(p, v)                 __atomic_fetch_xor((p), (v), __ATOMIC_SEQ_CST)
#define InterlockedOr64(p, v)                __atomic_fetch_or((p), (v), __ATOMIC_SEQ_CST)
#define InterlockedAnd64(p, v)               __atomic_fetch_and((p), (v), __ATOMIC_SEQ_CST)
FORCEINLINE LONG InterlockedCompareExchange(LONG volatile *Destination, LONG Exchange, LONG Comperand)
{
    __atomic_compare_exchange_n(Destination, &Comperand, Exchange, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    return Comperand;
}
FORCEINLINE LONG64 InterlockedCompareExchange64(LONG64 volatile *Destination, LONG64 Exchange, LONG64 Comperand)
{
    __atomic_compare_exchange_n(Destination, &Comperand, Exchange, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    return Comperand;
}
FORCEINLINE PVOID InterlockedCompareExchangePointer(PVOID volatile *Destination, PVOID Exchange, PVOID Comperand)
{
    __atomic_compare_exchange_n(Destination, &Comperand, Exchange, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    return Comperand;
}
#define InterlockedCompareExchangeAcquire InterlockedCompareExchange
#define InterlockedCompareExchangeRelease InterlockedCompareExchange
#define ReadAcquire(p)            __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define ReadNoFence(p)            __atomic_load_n((p), __ATOMIC_RELAXED)
#define ReadAcquire64(p)          __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define ReadNoFence64(p)          __atomic_load_n((p), __ATOMIC_RELAXED)
#define ReadULongAcquire(p)       __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define ReadULongNoFence(p)       __atomic_load_n((p), __ATOMIC_RELAXED)
#define ReadULong64Acquire(p)     __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define ReadULong64NoFence(p)     __atomic_load_n((p), __ATOMIC_RELAXED)
#define ReadPointerAcquire(p)     __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define ReadPointerNoFence(p)     __atomic_load_n((p), __ATOMIC_RELAXED)
#define WriteRelease(p, v)        __atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define WriteNoFence(p, v)        __atomic_store_n((p), (v), __ATOMIC_RELAXED)
#define WriteULongRelease(p, v)   __atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define WriteULongNoFence(p, v)   __atomic_store_n((p), (v), __ATOMIC_RELAXED)
#define WriteRelease64(p, v)      __atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define WriteNoFence64(p, v)      __atomic_store_n((p), (v), __ATOMIC_RELAXED)
#define WritePointerRelease(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define WritePointerNoFence(p, v) __atomic_store_n((p), (v), __ATOMIC_RELAXED)
#define KeMemoryBarrier()         __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define MemoryBarrier()           __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define _ReadWriteBarrier()       __asm__ __volatile__("" ::: "memory")
#define YieldProcessor()          __asm__ __volatile__("" ::: "memory")

#endif /* EMU_NTDEF_H */
