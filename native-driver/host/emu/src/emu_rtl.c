/*
 * emu_rtl.c - Rtl string routines and the few ntstrsafe ones. Case-
 * insensitive routines use upcase tables that are pageable in Windows, so
 * they require IRQL <= APC_LEVEL (the seed on post-operation callbacks names
 * RtlCompareUnicodeString as one a DISPATCH_LEVEL callback must not call).
 */
#include "emu_internal.h"
#include <ntstrsafe.h>

WCHAR EmuUpcase(WCHAR c)
{
    if (c >= 'a' && c <= 'z') return (WCHAR)(c - 32);
    if (c >= 0xE0 && c <= 0xFE && c != 0xF7) return (WCHAR)(c - 32);
    if (c == 0xFF) return 0x178;
    if (c >= 0x3B1 && c <= 0x3C9 && c != 0x3C2) return (WCHAR)(c - 32);
    if (c >= 0x430 && c <= 0x44F) return (WCHAR)(c - 32);
    if (c >= 0x450 && c <= 0x45F) return (WCHAR)(c - 80);
    return c;
}

static WCHAR EmuDowncase(WCHAR c)
{
    if (c >= 'A' && c <= 'Z') return (WCHAR)(c + 32);
    if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return (WCHAR)(c + 32);
    if (c >= 0x391 && c <= 0x3A9) return (WCHAR)(c + 32);
    if (c >= 0x410 && c <= 0x42F) return (WCHAR)(c + 32);
    if (c >= 0x400 && c <= 0x40F) return (WCHAR)(c + 80);
    return c;
}

WCHAR RtlUpcaseUnicodeChar(WCHAR SourceCharacter)
{
    EmuRequireIrql("RtlUpcaseUnicodeChar", APC_LEVEL);
    return EmuUpcase(SourceCharacter);
}

WCHAR RtlDowncaseUnicodeChar(WCHAR SourceCharacter)
{
    EmuRequireIrql("RtlDowncaseUnicodeChar", APC_LEVEL);
    return EmuDowncase(SourceCharacter);
}

VOID RtlInitUnicodeString(PUNICODE_STRING DestinationString, PCWSTR SourceString)
{
    if (SourceString == NULL) {
        DestinationString->Length = DestinationString->MaximumLength = 0;
        DestinationString->Buffer = NULL;
        return;
    }
    size_t n = EmuWcsLen(SourceString);
    if (n > 32766) {
        n = 32766;
    }
    DestinationString->Length = (USHORT)(n * sizeof(WCHAR));
    DestinationString->MaximumLength = (USHORT)((n + 1) * sizeof(WCHAR));
    DestinationString->Buffer = (PWCH)SourceString;
}

NTSTATUS RtlInitUnicodeStringEx(PUNICODE_STRING DestinationString, PCWSTR SourceString)
{
    if (SourceString != NULL && EmuWcsLen(SourceString) > 32766) {
        return STATUS_NAME_TOO_LONG;
    }
    RtlInitUnicodeString(DestinationString, SourceString);
    return STATUS_SUCCESS;
}

VOID RtlCopyUnicodeString(PUNICODE_STRING DestinationString, PCUNICODE_STRING SourceString)
{
    if (SourceString == NULL) {
        DestinationString->Length = 0;
        return;
    }
    USHORT n = SourceString->Length < DestinationString->MaximumLength ? SourceString->Length : DestinationString->MaximumLength;
    memmove(DestinationString->Buffer, SourceString->Buffer, n);
    DestinationString->Length = n;
    if (n + sizeof(WCHAR) <= DestinationString->MaximumLength) {
        DestinationString->Buffer[n / sizeof(WCHAR)] = 0;
    }
}

LONG RtlCompareUnicodeStrings(PCWCH String1, SIZE_T String1Length, PCWCH String2, SIZE_T String2Length, BOOLEAN CaseInSensitive)
{
    EmuRequireIrql("RtlCompareUnicodeStrings", PASSIVE_LEVEL);
    SIZE_T n = String1Length < String2Length ? String1Length : String2Length;
    for (SIZE_T i = 0; i < n; i++) {
        WCHAR a = String1[i], b = String2[i];
        if (CaseInSensitive) {
            a = EmuUpcase(a);
            b = EmuUpcase(b);
        }
        if (a != b) {
            return (LONG)a - (LONG)b;
        }
    }
    return (LONG)String1Length - (LONG)String2Length;
}

LONG RtlCompareUnicodeString(PCUNICODE_STRING String1, PCUNICODE_STRING String2, BOOLEAN CaseInSensitive)
{
    if (!EmuRequireIrql("RtlCompareUnicodeString", PASSIVE_LEVEL)) {
        return 1;
    }
    SIZE_T n1 = String1->Length / 2, n2 = String2->Length / 2, n = n1 < n2 ? n1 : n2;
    for (SIZE_T i = 0; i < n; i++) {
        WCHAR a = String1->Buffer[i], b = String2->Buffer[i];
        if (CaseInSensitive) {
            a = EmuUpcase(a);
            b = EmuUpcase(b);
        }
        if (a != b) {
            return (LONG)a - (LONG)b;
        }
    }
    return (LONG)n1 - (LONG)n2;
}

/* True when the first count code units of a and b are equal, with or without regard to case (EmuUpcase). */
static BOOLEAN EmuSameChars(const WCHAR *a, const WCHAR *b, USHORT count, BOOLEAN caseInsensitive)
{
    for (USHORT i = 0; i < count; i++) {
        if (caseInsensitive ? EmuUpcase(a[i]) != EmuUpcase(b[i]) : a[i] != b[i]) {
            return FALSE;
        }
    }
    return TRUE;
}

BOOLEAN RtlEqualUnicodeString(PCUNICODE_STRING String1, PCUNICODE_STRING String2, BOOLEAN CaseInSensitive)
{
    if (CaseInSensitive && !EmuRequireIrql("RtlEqualUnicodeString (case-insensitive)", APC_LEVEL)) {
        return FALSE;
    }
    if (String1->Length != String2->Length) {
        return FALSE;
    }
    return EmuSameChars(String1->Buffer, String2->Buffer, String1->Length / 2, CaseInSensitive);
}

BOOLEAN RtlPrefixUnicodeString(PCUNICODE_STRING String1, PCUNICODE_STRING String2, BOOLEAN CaseInSensitive)
{
    EmuRequireIrql("RtlPrefixUnicodeString", PASSIVE_LEVEL);
    if (String1->Length > String2->Length) {
        return FALSE;
    }
    return EmuSameChars(String1->Buffer, String2->Buffer, String1->Length / 2, CaseInSensitive);
}

BOOLEAN RtlSuffixUnicodeString(PCUNICODE_STRING String1, PCUNICODE_STRING String2, BOOLEAN CaseInSensitive)
{
    EmuRequireIrql("RtlSuffixUnicodeString", PASSIVE_LEVEL);
    if (String1->Length > String2->Length) {
        return FALSE;
    }
    USHORT off = (USHORT)((String2->Length - String1->Length) / 2);
    return EmuSameChars(String1->Buffer, String2->Buffer + off, String1->Length / 2, CaseInSensitive);
}

NTSTATUS RtlUpcaseUnicodeString(PUNICODE_STRING DestinationString, PCUNICODE_STRING SourceString, BOOLEAN AllocateDestinationString)
{
    EmuRequireIrql("RtlUpcaseUnicodeString", PASSIVE_LEVEL);
    if (AllocateDestinationString) {
        DestinationString->Buffer = EmuPoolAlloc(SourceString->Length + 2u, 'rtSU', 1, 1, "RtlUpcaseUnicodeString");
        if (DestinationString->Buffer == NULL) {
            return STATUS_NO_MEMORY;
        }
        DestinationString->MaximumLength = (USHORT)(SourceString->Length + 2u);
    } else if (DestinationString->MaximumLength < SourceString->Length) {
        return STATUS_BUFFER_OVERFLOW;
    }
    for (USHORT i = 0; i < SourceString->Length / 2; i++) {
        DestinationString->Buffer[i] = EmuUpcase(SourceString->Buffer[i]);
    }
    DestinationString->Length = SourceString->Length;
    return STATUS_SUCCESS;
}

VOID RtlFreeUnicodeString(PUNICODE_STRING UnicodeString)
{
    if (UnicodeString->Buffer != NULL) {
        EmuPoolFree(UnicodeString->Buffer, 'rtSU', 0, "RtlFreeUnicodeString");
    }
    UnicodeString->Buffer = NULL;
    UnicodeString->Length = UnicodeString->MaximumLength = 0;
}

NTSTATUS RtlAppendUnicodeStringToString(PUNICODE_STRING Destination, PCUNICODE_STRING Source)
{
    if ((ULONG)Destination->Length + Source->Length > Destination->MaximumLength) {
        return STATUS_BUFFER_TOO_SMALL;
    }
    memmove((char *)Destination->Buffer + Destination->Length, Source->Buffer, Source->Length);
    Destination->Length = (USHORT)(Destination->Length + Source->Length);
    if ((ULONG)Destination->Length + 2 <= Destination->MaximumLength) {
        Destination->Buffer[Destination->Length / 2] = 0;
    }
    return STATUS_SUCCESS;
}

NTSTATUS RtlAppendUnicodeToString(PUNICODE_STRING Destination, PCWSTR Source)
{
    UNICODE_STRING s;
    RtlInitUnicodeString(&s, Source);
    return RtlAppendUnicodeStringToString(Destination, &s);
}

NTSTATUS RtlUnicodeStringToInteger(PCUNICODE_STRING String, ULONG Base, PULONG Value)
{
    ULONG v = 0;
    USHORT i = 0, n = String->Length / 2;
    while (i < n && String->Buffer[i] == ' ') {
        i++;
    }
    if (Base == 0) {
        Base = 10;
    }
    for (; i < n; i++) {
        WCHAR c = String->Buffer[i];
        ULONG d;
        if (c >= '0' && c <= '9') d = (ULONG)(c - '0');
        else if (c >= 'a' && c <= 'f') d = (ULONG)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') d = (ULONG)(c - 'A' + 10);
        else break;
        if (d >= Base) break;
        v = v * Base + d;
    }
    *Value = v;
    return STATUS_SUCCESS;
}

NTSTATUS RtlIntegerToUnicodeString(ULONG Value, ULONG Base, PUNICODE_STRING String)
{
    char tmp[40];
    snprintf(tmp, sizeof(tmp), Base == 16 ? "%x" : "%u", Value);
    size_t n = strlen(tmp);
    if ((n + 1) * 2 > String->MaximumLength) {
        return STATUS_BUFFER_OVERFLOW;
    }
    for (size_t i = 0; i <= n; i++) {
        String->Buffer[i] = (WCHAR)tmp[i];
    }
    String->Length = (USHORT)(n * 2);
    return STATUS_SUCCESS;
}

SIZE_T RtlCompareMemory(const VOID *Source1, const VOID *Source2, SIZE_T Length)
{
    const unsigned char *a = Source1, *b = Source2;
    SIZE_T i = 0;
    while (i < Length && a[i] == b[i]) {
        i++;
    }
    return i;
}

ULONG RtlRandomEx(PULONG Seed)
{
    *Seed = *Seed * 1103515245u + 12345u;
    return *Seed & 0x7fffffffu;
}

NTSTATUS RtlGetVersion(PVOID VersionInformation) { UNREFERENCED_PARAMETER(VersionInformation); return STATUS_NOT_SUPPORTED; }
BOOLEAN RtlIsNtDdiVersionAvailable(ULONG Version) { return (BOOLEAN)(Version <= NTDDI_WIN10_FE); }

/* The NTSTATUS -> Win32 error mapping fltlib applies before making an HRESULT. */
ULONG RtlNtStatusToDosError(NTSTATUS Status)
{
    switch ((ULONG)Status) {
    case 0x00000000: return 0;
    case 0x00000102: return 258;    /* WAIT_TIMEOUT */
    case 0x80000005: return 234;    /* ERROR_MORE_DATA */
    case 0x80000002: return 998;    /* ERROR_NOACCESS */
    case 0xC0000001: return 31;     /* ERROR_GEN_FAILURE */
    case 0xC0000002: return 1;      /* ERROR_INVALID_FUNCTION */
    case 0xC0000005: return 998;
    case 0xC0000008: return 6;      /* ERROR_INVALID_HANDLE */
    case 0xC000000D: return 87;     /* ERROR_INVALID_PARAMETER */
    case 0xC0000010: return 1;
    case 0xC0000017: return 8;      /* ERROR_NOT_ENOUGH_MEMORY */
    case 0xC0000022: return 5;      /* ERROR_ACCESS_DENIED */
    case 0xC0000023: return 122;    /* ERROR_INSUFFICIENT_BUFFER */
    case 0xC0000033: return 123;    /* ERROR_INVALID_NAME */
    case 0xC0000034: return 2;      /* ERROR_FILE_NOT_FOUND */
    case 0xC0000035: return 183;    /* ERROR_ALREADY_EXISTS */
    case 0xC0000037: return 6;      /* STATUS_PORT_DISCONNECTED -> ERROR_INVALID_HANDLE */
    case 0xC000003A: return 3;      /* ERROR_PATH_NOT_FOUND */
    case 0xC0000043: return 32;     /* ERROR_SHARING_VIOLATION */
    case 0xC0000059: return 1306;   /* ERROR_REVISION_MISMATCH */
    case 0xC000009A: return 1450;   /* ERROR_NO_SYSTEM_RESOURCES */
    case 0xC00000BB: return 50;     /* ERROR_NOT_SUPPORTED */
    case 0xC0000120: return 995;    /* ERROR_OPERATION_ABORTED */
    case 0xC0000184: return 5023;   /* ERROR_INVALID_STATE */
    case 0xC0000225: return 1168;   /* ERROR_NOT_FOUND */
    case 0xC0000246: return 1238;   /* ERROR_CONNECTION_COUNT_LIMIT */
    default: return 317;            /* ERROR_MR_MID_NOT_FOUND, as Windows for unmapped codes */
    }
}

/* ---- ntstrsafe ---- */
NTSTATUS RtlUnicodeStringCopy(PUNICODE_STRING DestinationString, PCUNICODE_STRING SourceString)
{
    if (SourceString->Length > DestinationString->MaximumLength) {
        return STATUS_BUFFER_OVERFLOW;
    }
    memmove(DestinationString->Buffer, SourceString->Buffer, SourceString->Length);
    DestinationString->Length = SourceString->Length;
    return STATUS_SUCCESS;
}

NTSTATUS RtlUnicodeStringCat(PUNICODE_STRING DestinationString, PCUNICODE_STRING SourceString)
{
    NTSTATUS s = RtlAppendUnicodeStringToString(DestinationString, SourceString);
    return s == STATUS_BUFFER_TOO_SMALL ? STATUS_BUFFER_OVERFLOW : s;
}

NTSTATUS RtlUnicodeStringCbCopyStringN(PUNICODE_STRING DestinationString, PCWSTR pszSrc, size_t cbToCopy)
{
    size_t n = 0;
    while (n * 2 < cbToCopy && pszSrc[n] != 0) {
        n++;
    }
    if (n * 2 > DestinationString->MaximumLength) {
        return STATUS_BUFFER_OVERFLOW;
    }
    memmove(DestinationString->Buffer, pszSrc, n * 2);
    DestinationString->Length = (USHORT)(n * 2);
    return STATUS_SUCCESS;
}

NTSTATUS RtlStringCchLengthW(PCWSTR psz, size_t cchMax, size_t *pcchLength)
{
    size_t n = 0;
    while (n < cchMax && psz[n] != 0) {
        n++;
    }
    if (n == cchMax) {
        return STATUS_INVALID_PARAMETER;
    }
    if (pcchLength != NULL) {
        *pcchLength = n;
    }
    return STATUS_SUCCESS;
}

NTSTATUS RtlStringCbLengthW(PCWSTR psz, size_t cbMax, size_t *pcbLength)
{
    size_t n;
    NTSTATUS s = RtlStringCchLengthW(psz, cbMax / 2, &n);
    if (NT_SUCCESS(s) && pcbLength != NULL) {
        *pcbLength = n * 2;
    }
    return s;
}

NTSTATUS RtlStringCchCopyW(PWSTR pszDest, size_t cchDest, PCWSTR pszSrc)
{
    if (cchDest == 0) {
        return STATUS_INVALID_PARAMETER;
    }
    size_t i = 0;
    while (i + 1 < cchDest && pszSrc[i] != 0) {
        pszDest[i] = pszSrc[i];
        i++;
    }
    pszDest[i] = 0;
    return pszSrc[i] == 0 ? STATUS_SUCCESS : STATUS_BUFFER_OVERFLOW;
}

NTSTATUS RtlStringCbCopyW(PWSTR pszDest, size_t cbDest, PCWSTR pszSrc) { return RtlStringCchCopyW(pszDest, cbDest / 2, pszSrc); }
