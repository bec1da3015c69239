/* ntstrsafe.h - the few safe string routines the emulator provides. */
#ifndef EMU_NTSTRSAFE_H
#define EMU_NTSTRSAFE_H
#include "fltKernel.h"
#define NTSTRSAFE_MAX_CCH 2147483647
NTSTATUS RtlUnicodeStringCopy(PUNICODE_STRING DestinationString, PCUNICODE_STRING SourceString);
NTSTATUS RtlUnicodeStringCat(PUNICODE_STRING DestinationString, PCUNICODE_STRING SourceString);
NTSTATUS RtlUnicodeStringCbCopyStringN(PUNICODE_STRING DestinationString, PCWSTR pszSrc, size_t cbToCopy);
NTSTATUS RtlStringCbLengthW(PCWSTR psz, size_t cbMax, size_t *pcbLength);
NTSTATUS RtlStringCchLengthW(PCWSTR psz, size_t cchMax, size_t *pcchLength);
NTSTATUS RtlStringCbCopyW(PWSTR pszDest, size_t cbDest, PCWSTR pszSrc);
NTSTATUS RtlStringCchCopyW(PWSTR pszDest, size_t cchDest, PCWSTR pszSrc);
#endif
