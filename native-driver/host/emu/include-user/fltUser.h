/*
 * fltUser.h - the Filter Manager's user-mode interface (fltlib.dll) as the
 * Windows SDK's fltUser.h and fltUserStructures.h declare it, for the
 * user-mode parts of Microsoft's minifilter samples on Linux: libjmfemu
 * implements these routines over the emulated Filter Manager's ports
 * (emu_fltlib.c; HRESULTs as fltlib's). Only the names the samples use.
 *
 * Written from the Windows SDK documentation; not derived from its headers.
 */
#ifndef EMU_USER_FLTUSER_H
#define EMU_USER_FLTUSER_H

#include <windows.h>

#ifndef EMU_USER_NTSTATUS_DEFINED
#define EMU_USER_NTSTATUS_DEFINED
typedef LONG NTSTATUS;
#endif

/* Precedes every message FilterGetMessage receives (the kernel's FltSendMessage buffer follows it). */
typedef struct _FILTER_MESSAGE_HEADER {
    ULONG ReplyLength;          /* how many bytes of reply (after FILTER_REPLY_HEADER) the sender waits for; 0: none */
    ULONGLONG MessageId;
} FILTER_MESSAGE_HEADER, *PFILTER_MESSAGE_HEADER;

/* Precedes every reply FilterReplyMessage sends. */
typedef struct _FILTER_REPLY_HEADER {
    NTSTATUS Status;
    ULONGLONG MessageId;        /* the MessageId of the message replied to */
} FILTER_REPLY_HEADER, *PFILTER_REPLY_HEADER;

_Static_assert(sizeof(FILTER_MESSAGE_HEADER) == 16 && offsetof(FILTER_MESSAGE_HEADER, MessageId) == 8,
               "FILTER_MESSAGE_HEADER's x64 layout");
_Static_assert(sizeof(FILTER_REPLY_HEADER) == 16 && offsetof(FILTER_REPLY_HEADER, MessageId) == 8,
               "FILTER_REPLY_HEADER's x64 layout");

/* lpPortName is UTF-16 (WCHAR): the declaration binds to libjmfemu's UTF-16 entry point; its
 * FilterConnectCommunicationPort symbol takes Linux's 4-byte wchar_t, which is what JNA passes. */
HRESULT WINAPI FilterConnectCommunicationPort(LPCWSTR lpPortName, DWORD dwOptions, LPCVOID lpContext, WORD wSizeOfContext,
                                              LPSECURITY_ATTRIBUTES lpSecurityAttributes, HANDLE *hPort)
    __asm__("FilterConnectCommunicationPortUtf16");
HRESULT WINAPI FilterSendMessage(HANDLE hPort, LPVOID lpInBuffer, DWORD dwInBufferSize, LPVOID lpOutBuffer,
                                 DWORD dwOutBufferSize, LPDWORD lpBytesReturned);
HRESULT WINAPI FilterGetMessage(HANDLE hPort, PFILTER_MESSAGE_HEADER lpMessageBuffer, DWORD dwMessageBufferSize,
                                LPOVERLAPPED lpOverlapped);
HRESULT WINAPI FilterReplyMessage(HANDLE hPort, PFILTER_REPLY_HEADER lpReplyBuffer, DWORD dwReplyBufferSize);

#endif /* EMU_USER_FLTUSER_H */
