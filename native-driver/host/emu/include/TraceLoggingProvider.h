/*
 * TraceLoggingProvider.h - the emulator's TraceLogging, written from the
 * documentation of the TraceLogging API (TRACELOGGING_DECLARE_PROVIDER,
 * TRACELOGGING_DEFINE_PROVIDER, TraceLoggingRegister, TraceLoggingUnregister,
 * TraceLoggingWrite and the field macros); nothing is taken from the WDK's
 * header. Only what the driver uses, with the documented rules:
 *
 *   - TraceLoggingRegister (PASSIVE_LEVEL) returns an NTSTATUS in kernel
 *     mode; registering a provider that is already registered is an error
 *     (a violation here);
 *   - TraceLoggingUnregister (PASSIVE_LEVEL) on an unregistered provider
 *     does nothing; a provider still registered when the driver unloads
 *     (or DriverEntry fails) is a violation: ETW would call back into the
 *     unloaded image;
 *   - TraceLoggingWrite on an unregistered provider does nothing; otherwise
 *     the emulator records the event as if a session listened at every
 *     level (jmf_emu.h: EmuTraceLoggingEventCount/Level/Text).
 *
 * Stricter than the real header: every field macro needs its field name
 * (the real ones default it to the argument's text).
 */
#ifndef EMU_TRACELOGGINGPROVIDER_H
#define EMU_TRACELOGGINGPROVIDER_H

#include "wdm.h"

typedef struct EMU_TLG_PROVIDER {
    const char *Name;
    GUID Id;
    LONG Registered;
} EMU_TLG_PROVIDER;

typedef EMU_TLG_PROVIDER *TraceLoggingHProvider;

#define EMU_TLG_GUID(l, w1, w2, b1, b2, b3, b4, b5, b6, b7, b8) \
    { (l), (w1), (w2), { (b1), (b2), (b3), (b4), (b5), (b6), (b7), (b8) } }

#define TRACELOGGING_DECLARE_PROVIDER(handleVariable) \
    extern const TraceLoggingHProvider handleVariable
/* providerId is the parenthesized list of the GUID's 11 parts; options (...) are ignored. */
#define TRACELOGGING_DEFINE_PROVIDER(handleVariable, providerName, providerId, ...) \
    static EMU_TLG_PROVIDER handleVariable##_EmuStorage = { providerName, EMU_TLG_GUID providerId, 0 }; \
    const TraceLoggingHProvider handleVariable = &handleVariable##_EmuStorage

typedef enum EMU_TLG_KIND {
    EmuTlgEnd = 0, EmuTlgBegin, EmuTlgLevel, EmuTlgKeyword, EmuTlgOpcode,
    EmuTlgInt32, EmuTlgUInt32, EmuTlgHexUInt32, EmuTlgUInt64, EmuTlgNTStatus, EmuTlgBoolean, EmuTlgPointer,
    EmuTlgString, EmuTlgWideString, EmuTlgCountedWideString
} EMU_TLG_KIND;

typedef struct EMU_TLG_FIELD {
    EMU_TLG_KIND Kind;
    const char *Name;
    ULONGLONG Value;
    const void *Pointer;     /* strings */
    ULONG Count;             /* counted strings: characters */
} EMU_TLG_FIELD;

NTSTATUS EmuTraceLoggingRegister(TraceLoggingHProvider Provider);
VOID EmuTraceLoggingUnregister(TraceLoggingHProvider Provider);
VOID EmuTraceLoggingWrite(TraceLoggingHProvider Provider, const char *EventName, const EMU_TLG_FIELD *Fields);

#define TraceLoggingRegister(hProvider)   EmuTraceLoggingRegister(hProvider)
#define TraceLoggingUnregister(hProvider) EmuTraceLoggingUnregister(hProvider)
/* The event name must be a string literal, as with the real macro. */
#define TraceLoggingWrite(hProvider, eventName, ...) \
    EmuTraceLoggingWrite((hProvider), "" eventName, \
        (const EMU_TLG_FIELD[]){ { EmuTlgBegin, "", 0, NULL, 0 }, ##__VA_ARGS__, { EmuTlgEnd, NULL, 0, NULL, 0 } })

#define TraceLoggingLevel(level)     { EmuTlgLevel,   "", (ULONGLONG)(level), NULL, 0 }
#define TraceLoggingKeyword(keyword) { EmuTlgKeyword, "", (ULONGLONG)(keyword), NULL, 0 }
#define TraceLoggingOpcode(opcode)   { EmuTlgOpcode,  "", (ULONGLONG)(opcode), NULL, 0 }

#define TraceLoggingInt32(value, name, ...)     { EmuTlgInt32,     "" name, (ULONGLONG)(LONGLONG)(LONG)(value), NULL, 0 }
#define TraceLoggingUInt32(value, name, ...)    { EmuTlgUInt32,    "" name, (ULONGLONG)(ULONG)(value), NULL, 0 }
#define TraceLoggingHexUInt32(value, name, ...) { EmuTlgHexUInt32, "" name, (ULONGLONG)(ULONG)(value), NULL, 0 }
#define TraceLoggingUInt64(value, name, ...)    { EmuTlgUInt64,    "" name, (ULONGLONG)(value), NULL, 0 }
#define TraceLoggingNTStatus(value, name, ...)  { EmuTlgNTStatus,  "" name, (ULONGLONG)(ULONG)(NTSTATUS)(value), NULL, 0 }
#define TraceLoggingBoolean(value, name, ...)   { EmuTlgBoolean,   "" name, (ULONGLONG)((value) != 0), NULL, 0 }
#define TraceLoggingPointer(value, name, ...)   { EmuTlgPointer,   "" name, (ULONGLONG)(ULONG_PTR)(value), NULL, 0 }
#define TraceLoggingString(psz, name, ...)      { EmuTlgString,    "" name, 0, (const char *)(psz), 0 }
#define TraceLoggingWideString(psz, name, ...)  { EmuTlgWideString, "" name, 0, (const WCHAR *)(psz), 0 }
#define TraceLoggingCountedWideString(pch, cch, name, ...) \
    { EmuTlgCountedWideString, "" name, 0, (const WCHAR *)(pch), (ULONG)(cch) }

#endif /* EMU_TRACELOGGINGPROVIDER_H */
