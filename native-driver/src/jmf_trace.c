/*++

Module Name:

    jmf_trace.c

Abstract:

    The driver's TraceLogging provider (see jmf_trace.h): its definition and
    its registration.

--*/

#include "jmf_driver.h"
#include "jmf_trace.h"

#ifdef ALLOC_PRAGMA
#pragma alloc_text(INIT, JmfTraceRegister)
#pragma alloc_text(PAGE, JmfTraceUnregister)
#endif

/* "jminifilter", {0DA50933-35AB-4721-AC8F-B54473CB5693} (generated for this driver). */
TRACELOGGING_DEFINE_PROVIDER(
    JmfTraceProvider,
    "jminifilter",
    (0x0da50933, 0x35ab, 0x4721, 0xac, 0x8f, 0xb5, 0x44, 0x73, 0xcb, 0x56, 0x93));

/*
 * JmfTraceRegister
 *
 * IRQL: PASSIVE_LEVEL (DriverEntry). Registers the provider. A failure is
 * returned for DriverEntry to trace nothing about it: the driver works
 * without tracing (TraceLoggingWrite on an unregistered provider does
 * nothing), so it is not a reason to fail the load.
 */
_Use_decl_annotations_
NTSTATUS
JmfTraceRegister(
    VOID
    )
{
    return TraceLoggingRegister(JmfTraceProvider);
}

/*
 * JmfTraceUnregister
 *
 * IRQL: PASSIVE_LEVEL. Unregisters the provider (a no-op when it is not
 * registered). Called last at unload and on every DriverEntry failure.
 */
_Use_decl_annotations_
VOID
JmfTraceUnregister(
    VOID
    )
{
    PAGED_CODE();
    TraceLoggingUnregister(JmfTraceProvider);
}
