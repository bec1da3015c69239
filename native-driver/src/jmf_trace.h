/*++

Module Name:

    jmf_trace.h

Abstract:

    Debug tracing with levels: TraceLogging (TraceLoggingProvider.h), which
    works in kernel mode since Windows 10 and needs no preprocessor of its
    own (WPP needs tracewpp, which neither the emulator nor the real-WDK
    check runs). The provider is "jminifilter",
    {0DA50933-35AB-4721-AC8F-B54473CB5693}; capture it with, for example,
    tracelog -start jmf -guid #0DA50933-35AB-4721-AC8F-B54473CB5693 -level 5
    -f jmf.etl (README, "Installing on Windows").

    Levels are the documented ETW levels (TRACE_LEVEL_* / WINEVENT_LEVEL_*):
    error 2, warning 3, information 4, verbose 5. A session chooses the
    highest level it wants; an event costs one enabled-check when no session
    listens.

    Every trace names its event with a string literal and carries at least
    one field (TraceLoggingNTStatus, TraceLoggingUInt32,
    TraceLoggingCountedWideString, ... each with a name). TraceLoggingWrite
    may be called at any IRQL and before registration or after
    unregistration (it then does nothing), so the macros may be used on any
    path. Fields must point at memory valid at the caller's IRQL.

--*/

#ifndef JMF_TRACE_H
#define JMF_TRACE_H

#include <TraceLoggingProvider.h>

TRACELOGGING_DECLARE_PROVIDER(JmfTraceProvider);

#define JMF_TRACE_LEVEL_ERROR    2
#define JMF_TRACE_LEVEL_WARNING  3
#define JMF_TRACE_LEVEL_INFO     4
#define JMF_TRACE_LEVEL_VERBOSE  5

#define JMF_TRACE_ERROR(EventName, ...) \
    TraceLoggingWrite(JmfTraceProvider, EventName, TraceLoggingLevel(JMF_TRACE_LEVEL_ERROR), __VA_ARGS__)
#define JMF_TRACE_WARNING(EventName, ...) \
    TraceLoggingWrite(JmfTraceProvider, EventName, TraceLoggingLevel(JMF_TRACE_LEVEL_WARNING), __VA_ARGS__)
#define JMF_TRACE_INFO(EventName, ...) \
    TraceLoggingWrite(JmfTraceProvider, EventName, TraceLoggingLevel(JMF_TRACE_LEVEL_INFO), __VA_ARGS__)
#define JMF_TRACE_VERBOSE(EventName, ...) \
    TraceLoggingWrite(JmfTraceProvider, EventName, TraceLoggingLevel(JMF_TRACE_LEVEL_VERBOSE), __VA_ARGS__)

/*
 * JmfTraceRegister: IRQL PASSIVE_LEVEL, DriverEntry only (first thing).
 * JmfTraceUnregister: IRQL PASSIVE_LEVEL, at unload and on every DriverEntry
 * failure path (last thing): ETW keeps a callback into the driver image
 * while the provider is registered. Unregistering an unregistered provider
 * does nothing.
 */
_IRQL_requires_(PASSIVE_LEVEL)
NTSTATUS
JmfTraceRegister(
    VOID
    );

_IRQL_requires_(PASSIVE_LEVEL)
VOID
JmfTraceUnregister(
    VOID
    );

#endif /* JMF_TRACE_H */
