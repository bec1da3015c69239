/*
 * test_tracelogging.c - the emulator's TraceLogging (include/TraceLoggingProvider.h)
 * follows the documented rules: writes before registration and after
 * unregistration do nothing, a second registration is an error, and a
 * provider left registered when the driver is gone is caught.
 */
#include "test_harness.h"
#include <TraceLoggingProvider.h>
#include <string.h>

TRACELOGGING_DEFINE_PROVIDER(g_testProvider, "emu-test", (0x11111111, 0x2222, 0x3333, 0x44, 0x44, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55));

static void test_writes_only_while_registered(void)
{
    static const WCHAR name[] = { 'C', ':', 'x' };
    char text[256];
    TraceLoggingWrite(g_testProvider, "Before", TraceLoggingLevel(2), TraceLoggingUInt32(1, "N"));
    CHECK_EQ(EmuTraceLoggingEventCount(), 0);
    CHECK_EQ(TraceLoggingRegister(g_testProvider), STATUS_SUCCESS);
    TraceLoggingWrite(g_testProvider, "During", TraceLoggingLevel(3),
                      TraceLoggingNTStatus(STATUS_BUFFER_TOO_SMALL, "Status"),
                      TraceLoggingCountedWideString(name, 2, "Volume"),
                      TraceLoggingString("step", "Step"));
    TraceLoggingWrite(g_testProvider, "NoFields");
    TraceLoggingUnregister(g_testProvider);
    TraceLoggingUnregister(g_testProvider);         /* documented as a safe no-op */
    TraceLoggingWrite(g_testProvider, "After", TraceLoggingLevel(2), TraceLoggingUInt32(1, "N"));
    CHECK_EQ(EmuTraceLoggingEventCount(), 2);
    CHECK_EQ(EmuTraceLoggingEventLevel(0), 3);
    CHECK(EmuTraceLoggingEventText(0, text, sizeof(text)) > 0);
    CHECK(strcmp(text, "During Status=0xc0000023 Volume=C: Step=step") == 0);
    CHECK(EmuTraceLoggingEventText(1, text, sizeof(text)) > 0);
    CHECK(strcmp(text, "NoFields") == 0);
}

static void test_second_registration_is_a_violation(void)
{
    CHECK_EQ(TraceLoggingRegister(g_testProvider), STATUS_SUCCESS);
    CHECK(!NT_SUCCESS(TraceLoggingRegister(g_testProvider)));
    CHECK_VIOLATION("already registered");
    TraceLoggingUnregister(g_testProvider);
}

static void test_provider_left_registered_is_a_leak(void)
{
    CHECK_EQ(TraceLoggingRegister(g_testProvider), STATUS_SUCCESS);
    EmuCheckLeaks();
    CHECK_VIOLATION("\"emu-test\" still registered");
    CHECK_EQ(TraceLoggingRegister(g_testProvider), STATUS_SUCCESS);   /* the check unregistered it */
    TraceLoggingUnregister(g_testProvider);
    EmuCheckLeaks();                                                    /* clean now: no violation */
}

static void test_register_above_passive_is_a_violation(void)
{
    EmuSetIrql(DISPATCH_LEVEL);
    CHECK(!NT_SUCCESS(TraceLoggingRegister(g_testProvider)));
    EmuSetIrql(PASSIVE_LEVEL);
    CHECK_VIOLATION("TraceLoggingRegister");
}

const TEST_CASE g_traceLoggingTests[] = {
    { "tracelogging: events are recorded only while the provider is registered", test_writes_only_while_registered },
    { "tracelogging: registering a registered provider is a violation", test_second_registration_is_a_violation },
    { "tracelogging: a provider left registered at unload is a violation", test_provider_left_registered_is_a_leak },
    { "tracelogging: TraceLoggingRegister above PASSIVE_LEVEL is a violation", test_register_above_passive_is_a_violation },
};
const size_t g_traceLoggingTestsCount = sizeof(g_traceLoggingTests) / sizeof(g_traceLoggingTests[0]);
