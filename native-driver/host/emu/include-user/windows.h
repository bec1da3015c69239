/*
 * windows.h - the part of the Win32 user-mode headers (windows.h, winnt.h,
 * winerror.h, minwinbase.h, processthreadsapi.h, ioapiset.h, synchapi.h)
 * that the user-mode parts of Microsoft's minifilter samples use, for C
 * compiled by gcc on Linux and linked against libjmfemu, whose fltlib and
 * kernel32 routines (emu_fltlib.c, declared in jmf_emu.h) implement them.
 *
 * Only the names a sample needs are here, with Win32's meaning and the x64
 * layouts (LLP64: LONG, ULONG and DWORD are 32 bits, pointers and ULONG_PTR
 * 64): where Linux's LP64 types differ, the typedefs say which. WCHAR is
 * Windows' UTF-16 unit: everything that includes this header is compiled with
 * -fshort-wchar (as the emulator's kernel headers require too).
 *
 * Written from the Windows SDK documentation; not derived from its headers.
 */
#ifndef EMU_USER_WINDOWS_H
#define EMU_USER_WINDOWS_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "../include/emu_sal.h"     /* SAL is the same in both modes (sal.h) */

#if !defined(__SIZEOF_WCHAR_T__) || __SIZEOF_WCHAR_T__ != 2
#error "the emulator's user-mode headers need -fshort-wchar (WCHAR is 16 bits on Windows)"
#endif
#if !defined(__x86_64__) && !defined(__aarch64__)
#error "the emulator's user-mode headers describe 64-bit Windows"
#endif

/* Calling conventions: one convention on x64, so these say nothing. */
#define WINAPI
#define APIENTRY
#define CALLBACK
#define _cdecl
#define __cdecl
#define __stdcall

/* ---- winnt.h / minwindef.h: base types ---- */
typedef void VOID, *PVOID, *LPVOID;
typedef const void *LPCVOID;
typedef char CHAR, *PCHAR;
typedef unsigned char UCHAR, *PUCHAR, BYTE, *PBYTE, BOOLEAN, *PBOOLEAN;
typedef unsigned short USHORT, WORD, *PWORD;
typedef int INT, BOOL, *PBOOL, LONG, *PLONG;                  /* LONG: 32 bits (Linux's long is 64) */
typedef unsigned int UINT, ULONG, *PULONG, DWORD, *PDWORD, *LPDWORD;
typedef long long LONGLONG;
typedef unsigned long long ULONGLONG, DWORDLONG;
typedef intptr_t LONG_PTR, INT_PTR;
typedef uintptr_t ULONG_PTR, *PULONG_PTR, DWORD_PTR, UINT_PTR;
typedef size_t SIZE_T;
typedef wchar_t WCHAR, *PWCHAR, *PWSTR, *LPWSTR;
typedef const wchar_t *PCWSTR, *LPCWSTR;
typedef void *HANDLE, **PHANDLE, **LPHANDLE;
typedef LONG HRESULT;
#define TRUE  1
#define FALSE 0
#ifndef NULL
#define NULL ((void *)0)
#endif
#define INVALID_HANDLE_VALUE ((HANDLE)(LONG_PTR)-1)

#define FIELD_OFFSET(type, field) ((LONG)offsetof(type, field))
#define CONTAINING_RECORD(address, type, field) ((type *)((PCHAR)(address) - (ULONG_PTR)offsetof(type, field)))
#define RtlEqualMemory(Destination, Source, Length) (!memcmp((Destination), (Source), (Length)))
#define RtlCopyMemory(Destination, Source, Length) memcpy((Destination), (Source), (Length))
#define RtlZeroMemory(Destination, Length) memset((Destination), 0, (Length))
#define UNREFERENCED_PARAMETER(P) ((void)(P))

/* ---- winerror.h ---- */
#define ERROR_SUCCESS            0L
#define ERROR_INVALID_HANDLE     6L
#define ERROR_NOT_ENOUGH_MEMORY  8L
#define ERROR_INVALID_PARAMETER  87L
#define ERROR_OPERATION_ABORTED  995L
#define ERROR_IO_PENDING         997L
#define FACILITY_WIN32           7
#define SEVERITY_ERROR           1
#define S_OK                     ((HRESULT)0L)
#define S_FALSE                  ((HRESULT)1L)
#define SUCCEEDED(hr)            (((HRESULT)(hr)) >= 0)
#define FAILED(hr)               (((HRESULT)(hr)) < 0)
#define IS_ERROR(Status)         (((ULONG)(Status)) >> 31 == SEVERITY_ERROR)
/* A Win32 error code as an HRESULT (0x8007xxxx); zero and HRESULTs already (negative) pass unchanged. */
#define HRESULT_FROM_WIN32(x) \
    ((HRESULT)(x) <= 0 ? (HRESULT)(x) : (HRESULT)((((ULONG)(x)) & 0x0000FFFFu) | ((ULONG)FACILITY_WIN32 << 16) | 0x80000000u))

/* ---- minwinbase.h ---- */
typedef struct _SECURITY_ATTRIBUTES {
    DWORD nLength;
    LPVOID lpSecurityDescriptor;
    BOOL bInheritHandle;
} SECURITY_ATTRIBUTES, *PSECURITY_ATTRIBUTES, *LPSECURITY_ATTRIBUTES;

/* Internal: the I/O's NTSTATUS (STATUS_PENDING while pending); InternalHigh: bytes transferred. */
typedef struct _OVERLAPPED {
    ULONG_PTR Internal;
    ULONG_PTR InternalHigh;
    union {
        struct {
            DWORD Offset;
            DWORD OffsetHigh;
        };
        PVOID Pointer;
    };
    HANDLE hEvent;
} OVERLAPPED, *LPOVERLAPPED;
_Static_assert(sizeof(OVERLAPPED) == 32 && offsetof(OVERLAPPED, InternalHigh) == 8 && offsetof(OVERLAPPED, Offset) == 16 &&
               offsetof(OVERLAPPED, OffsetHigh) == 20 && offsetof(OVERLAPPED, hEvent) == 24, "OVERLAPPED's x64 layout");

typedef DWORD (WINAPI *PTHREAD_START_ROUTINE)(LPVOID lpThreadParameter);
typedef PTHREAD_START_ROUTINE LPTHREAD_START_ROUTINE;

/* ---- synchapi.h / winbase.h ---- */
#define INFINITE        0xFFFFFFFFu
#define WAIT_OBJECT_0   0x00000000u
#define WAIT_TIMEOUT    258u
#define WAIT_FAILED     0xFFFFFFFFu
#define STILL_ACTIVE    259u
#define CREATE_SUSPENDED                  0x00000004u
#define STACK_SIZE_PARAM_IS_A_RESERVATION 0x00010000u

/* ---- kernel32 (libjmfemu: emu_fltlib.c) ---- */
DWORD WINAPI GetLastError(VOID);
VOID WINAPI SetLastError(DWORD dwErrCode);
BOOL WINAPI CloseHandle(HANDLE hObject);
HANDLE WINAPI CreateIoCompletionPort(HANDLE FileHandle, HANDLE ExistingCompletionPort, ULONG_PTR CompletionKey,
                                     DWORD NumberOfConcurrentThreads);
BOOL WINAPI GetQueuedCompletionStatus(HANDLE CompletionPort, LPDWORD lpNumberOfBytesTransferred, PULONG_PTR lpCompletionKey,
                                      LPOVERLAPPED *lpOverlapped, DWORD dwMilliseconds);
BOOL WINAPI PostQueuedCompletionStatus(HANDLE CompletionPort, DWORD dwNumberOfBytesTransferred, ULONG_PTR dwCompletionKey,
                                       LPOVERLAPPED lpOverlapped);
BOOL WINAPI CancelIoEx(HANDLE hFile, LPOVERLAPPED lpOverlapped);
HANDLE WINAPI CreateThread(LPSECURITY_ATTRIBUTES lpThreadAttributes, SIZE_T dwStackSize, LPTHREAD_START_ROUTINE lpStartAddress,
                           LPVOID lpParameter, DWORD dwCreationFlags, LPDWORD lpThreadId);
DWORD WINAPI WaitForSingleObject(HANDLE hHandle, DWORD dwMilliseconds);
DWORD WINAPI WaitForSingleObjectEx(HANDLE hHandle, DWORD dwMilliseconds, BOOL bAlertable);
BOOL WINAPI GetExitCodeThread(HANDLE hThread, LPDWORD lpExitCode);

#endif /* EMU_USER_WINDOWS_H */
