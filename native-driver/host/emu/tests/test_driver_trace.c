/*
 * test_driver_trace.c - the REAL driver's TraceLogging: what DriverEntry,
 * the unload routine and InstanceSetup trace, and that the provider is
 * unregistered on every way out (the emulator's leak check would report it).
 */
#include "test_filters.h"
#include "jmf_protocol.h"
#include <string.h>

#define DRIVER_ALTITUDE "385100"

/* The index of the first event whose text starts with prefix, or -1. */
static int FindEvent(const char *prefix)
{
    char text[256];
    for (int i = 0; i < EmuTraceLoggingEventCount(); i++) {
        if (EmuTraceLoggingEventText(i, text, sizeof(text)) > 0 && strncmp(text, prefix, strlen(prefix)) == 0) {
            return i;
        }
    }
    return -1;
}

static void test_instance_setup_decisions_traced(void)
{
    char longName[160];
    int i;

    memset(longName, 0, sizeof(longName));
    strcpy(longName, "\\Device\\");
    memset(longName + strlen(longName), 'L', 140);      /* longer than the instance context's name buffer */
    CHECK(EmuCreateVolume("\\Device\\HarddiskVolume1", 4, 0) > 0);
    CHECK(EmuCreateVolume(longName, 4, 0) > 0);
    CHECK(EmuCreateVolume("\\Device\\Mup", 4, EMU_VOLUME_NETWORK) > 0);
    CHECK_EQ(EmuLoadDriver(DRIVER_ALTITUDE), STATUS_SUCCESS);

    i = FindEvent("InstanceAttached Volume=\\Device\\HarddiskVolume1 ");
    CHECK(i >= 0);
    CHECK_EQ(EmuTraceLoggingEventLevel(i), 4);
    i = FindEvent("InstanceVolumeUnnamed Status=0xc0000023");             /* STATUS_BUFFER_TOO_SMALL */
    CHECK(i >= 0);
    CHECK_EQ(EmuTraceLoggingEventLevel(i), 3);                            /* a warning: no volume rule can match it */
    i = FindEvent("InstanceNotAttached DeviceType=20");                   /* FILE_DEVICE_NETWORK_FILE_SYSTEM */
    CHECK(i >= 0);
    CHECK_EQ(EmuTraceLoggingEventLevel(i), 4);
    i = FindEvent("DriverLoaded");
    CHECK(i >= 0);
    CHECK_EQ(EmuTraceLoggingEventLevel(i), 4);

    CHECK_EQ(EmuUnloadDriver(), STATUS_SUCCESS);                          /* its leak check covers the provider */
    CHECK(FindEvent("DriverUnloading Flags=1") >= 0);                     /* FLTFL_FILTER_UNLOAD_MANDATORY */
}

static NTSTATUS SquatterConnect(PFLT_PORT client, PVOID serverCookie, PVOID context, ULONG size, PVOID *cookie)
{
    UNREFERENCED_PARAMETER(client);
    UNREFERENCED_PARAMETER(serverCookie);
    UNREFERENCED_PARAMETER(context);
    UNREFERENCED_PARAMETER(size);
    UNREFERENCED_PARAMETER(cookie);
    return STATUS_ACCESS_DENIED;
}

static VOID SquatterDisconnect(PVOID cookie)
{
    UNREFERENCED_PARAMETER(cookie);
}

static void test_driver_entry_failure_traced_and_unregistered(void)
{
    PFLT_PORT squatter = NULL;
    PSECURITY_DESCRIPTOR sd = NULL;
    UNICODE_STRING name = RTL_CONSTANT_STRING(L"\\JMiniFilterPort");
    OBJECT_ATTRIBUTES oa;
    int i;

    /* Another filter holds the driver's port name: JmfPortCreate fails, DriverEntry must undo everything. */
    TfStart(0, "300000", NULL, NULL);
    CHECK_EQ(FltBuildDefaultSecurityDescriptor(&sd, FLT_PORT_ALL_ACCESS), 0);
    InitializeObjectAttributes(&oa, &name, OBJ_KERNEL_HANDLE | OBJ_CASE_INSENSITIVE, NULL, sd);
    CHECK_EQ(FltCreateCommunicationPort(g_tf[0].Filter, &squatter, &oa, NULL, SquatterConnect, SquatterDisconnect, NULL, 1), 0);
    FltFreeSecurityDescriptor(sd);

    CHECK(!NT_SUCCESS(EmuLoadDriver(DRIVER_ALTITUDE)));    /* the emulator then checks leaks, the provider too */
    i = FindEvent("DriverLoadFailed Step=JmfPortCreate Status=0xc0000035");  /* STATUS_OBJECT_NAME_COLLISION */
    CHECK(i >= 0);
    CHECK_EQ(EmuTraceLoggingEventLevel(i), 2);

    FltCloseCommunicationPort(squatter);
    TfUnload(&g_tf[0]);
}

const TEST_CASE g_driverTraceTests[] = {
    { "driver trace: InstanceSetup traces attached, unnamed (warning) and not attached", test_instance_setup_decisions_traced },
    { "driver trace: a failed DriverEntry traces the step and unregisters its provider", test_driver_entry_failure_traced_and_unregistered },
};
const size_t g_driverTraceTestsCount = sizeof(g_driverTraceTests) / sizeof(g_driverTraceTests[0]);
