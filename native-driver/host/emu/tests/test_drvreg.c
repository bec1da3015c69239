/*
 * test_drvreg.c - IoOpenDriverRegistryKey (the driver's Parameters and state
 * keys, found from its driver object) and MmGetSystemRoutineAddress (how
 * Microsoft's samples reach it), against emu_registry.c's registry; wcslen,
 * with which scanner walks the REG_MULTI_SZ it reads there.
 */
#include "test_harness.h"

#define DR_SERVICE "\\REGISTRY\\MACHINE\\SYSTEM\\CurrentControlSet\\Services\\drsvc"

static DRIVER_EXTENSION g_ext;
static DRIVER_OBJECT g_drv;
static WCHAR g_svc[] = L"drsvc";

/* A driver object as the I/O manager makes it: the extension names the service; DriverEntry's context. */
static PDRIVER_OBJECT DrSetup(void)
{
    memset(&g_drv, 0, sizeof(g_drv));
    memset(&g_ext, 0, sizeof(g_ext));
    g_drv.Type = 4;
    g_drv.Size = sizeof(g_drv);
    g_drv.DriverExtension = &g_ext;
    g_ext.DriverObject = &g_drv;
    RtlInitUnicodeString(&g_ext.ServiceKeyName, g_svc);
    EmuSetThreadProcess(EmuSystemProcess());
    return &g_drv;
}

static ULONG DrQuery(HANDLE key, PCWSTR valueName, char *out, ULONG cap, NTSTATUS *status)
{
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, valueName);
    uint8_t buffer[256];
    ULONG length = 0;
    *status = ZwQueryValueKey(key, &name, KeyValuePartialInformation, buffer, sizeof(buffer), &length);
    if (!NT_SUCCESS(*status)) {
        return 0;
    }
    PKEY_VALUE_PARTIAL_INFORMATION info = (PKEY_VALUE_PARTIAL_INFORMATION)buffer;
    ULONG n = info->DataLength < cap ? info->DataLength : cap;
    memcpy(out, info->Data, n);
    return n;
}

/* DriverRegKeyParameters is <service key>\Parameters, not the service key itself. */
static void test_parameters_key_is_the_services_parameters_subkey(void)
{
    PDRIVER_OBJECT drv = DrSetup();
    CHECK_EQ(EmuRegistrySetValue(DR_SERVICE, "Extensions", REG_BINARY, "root", 4), 0);
    CHECK_EQ(EmuRegistrySetValue(DR_SERVICE "\\Parameters", "Extensions", REG_BINARY, "params", 6), 0);
    HANDLE key = NULL;
    CHECK_EQ(IoOpenDriverRegistryKey(drv, DriverRegKeyParameters, KEY_READ, 0, &key), STATUS_SUCCESS);
    CHECK(key != NULL);
    char data[16] = { 0 };
    NTSTATUS s;
    ULONG n = DrQuery(key, L"Extensions", data, sizeof(data), &s);
    CHECK_EQ(s, STATUS_SUCCESS);
    CHECK(n == 6 && memcmp(data, "params", 6) == 0);
    /* Opened for KEY_READ: no writes through it. */
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, L"Other");
    ULONG one = 1;
    CHECK_EQ(ZwSetValueKey(key, &name, 0, REG_DWORD, &one, sizeof(one)), STATUS_ACCESS_DENIED);
    CHECK_EQ(ZwClose(key), STATUS_SUCCESS);
}

/* The Parameters key is the INF's: never created by the routine. */
static void test_missing_parameters_key_is_not_created(void)
{
    PDRIVER_OBJECT drv = DrSetup();
    CHECK_EQ(EmuRegistrySetValue(DR_SERVICE, "x", REG_DWORD, "\1\0\0\0", 4), 0);
    HANDLE key = (HANDLE)1;
    CHECK_EQ(IoOpenDriverRegistryKey(drv, DriverRegKeyParameters, KEY_READ, 0, &key), STATUS_OBJECT_NAME_NOT_FOUND);
    CHECK(key == NULL);
    uint32_t type = 0;
    CHECK_EQ(EmuRegistrySetValue(DR_SERVICE "\\Other", "y", REG_DWORD, "\1\0\0\0", 4), 0);
    CHECK_EQ(EmuRegistryGetValue(DR_SERVICE "\\Parameters", "y", &type, NULL, 0), -1);
}

/* The persistent state key is created on first use, writable, and a later open finds what was written. */
static void test_persistent_state_key_created_and_kept(void)
{
    PDRIVER_OBJECT drv = DrSetup();
    CHECK_EQ(EmuRegistrySetValue(DR_SERVICE, "x", REG_DWORD, "\1\0\0\0", 4), 0);
    HANDLE key = NULL;
    CHECK_EQ(IoOpenDriverRegistryKey(drv, DriverRegKeyPersistentState, KEY_READ | KEY_WRITE, 0, &key), STATUS_SUCCESS);
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, L"Count");
    ULONG value = 42;
    CHECK_EQ(ZwSetValueKey(key, &name, 0, REG_DWORD, &value, sizeof(value)), STATUS_SUCCESS);
    CHECK_EQ(ZwClose(key), STATUS_SUCCESS);
    CHECK_EQ(IoOpenDriverRegistryKey(drv, DriverRegKeyPersistentState, KEY_READ, 0, &key), STATUS_SUCCESS);
    char data[8];
    NTSTATUS s;
    CHECK_EQ(DrQuery(key, L"Count", data, sizeof(data), &s), 4);
    CHECK(memcmp(data, &value, 4) == 0);
    CHECK_EQ(ZwClose(key), STATUS_SUCCESS);
    /* Not the Parameters key, nor the shared state key. */
    uint32_t type = 0;
    CHECK_EQ(EmuRegistryGetValue(DR_SERVICE "\\Parameters", "Count", &type, NULL, 0), -1);
    CHECK_EQ(IoOpenDriverRegistryKey(drv, DriverRegKeySharedPersistentState, KEY_READ, 0, &key), STATUS_SUCCESS);
    CHECK_EQ(DrQuery(key, L"Count", data, sizeof(data), &s), 0);
    CHECK_EQ(s, STATUS_OBJECT_NAME_NOT_FOUND);
    CHECK_EQ(ZwClose(key), STATUS_SUCCESS);
}

/* A handle never closed is a leak, as for ZwOpenKey's. */
static void test_handle_left_open_is_a_leak(void)
{
    PDRIVER_OBJECT drv = DrSetup();
    CHECK_EQ(EmuRegistrySetValue(DR_SERVICE "\\Parameters", "v", REG_DWORD, "\1\0\0\0", 4), 0);
    HANDLE key = NULL;
    CHECK_EQ(IoOpenDriverRegistryKey(drv, DriverRegKeyParameters, KEY_READ, 0, &key), STATUS_SUCCESS);
    EmuCheckLeaks();
    CHECK_VIOLATION("registry key handle leaked (no ZwClose): \\REGISTRY\\MACHINE\\SYSTEM\\CurrentControlSet\\Services\\drsvc\\Parameters");
}

/* The caller's side of the contract, each a violation naming the routine, and nothing opened. */
static void test_contract_violations(void)
{
    PDRIVER_OBJECT drv = DrSetup();
    CHECK_EQ(EmuRegistrySetValue(DR_SERVICE "\\Parameters", "v", REG_DWORD, "\1\0\0\0", 4), 0);
    HANDLE key = NULL;

    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    CHECK(!NT_SUCCESS(IoOpenDriverRegistryKey(drv, DriverRegKeyParameters, KEY_READ, 0, &key)));
    KeLowerIrql(old);
    CHECK_VIOLATION("IoOpenDriverRegistryKey");
    CHECK(key == NULL);

    CHECK_EQ(IoOpenDriverRegistryKey(drv, DriverRegKeyParameters, KEY_READ, 1, &key), STATUS_INVALID_PARAMETER);
    CHECK_VIOLATION("IoOpenDriverRegistryKey: Flags 0x1");
    CHECK(key == NULL);

    CHECK_EQ(IoOpenDriverRegistryKey(drv, (DRIVER_REGKEY_TYPE)7, KEY_READ, 0, &key), STATUS_INVALID_PARAMETER);
    CHECK_VIOLATION("IoOpenDriverRegistryKey: RegKeyType 7");

    DRIVER_OBJECT bare;             /* as a test filter's: no extension naming a service */
    memset(&bare, 0, sizeof(bare));
    CHECK_EQ(IoOpenDriverRegistryKey(&bare, DriverRegKeyParameters, KEY_READ, 0, &key), STATUS_INVALID_PARAMETER);
    CHECK_VIOLATION("is not a driver object the I/O manager created");

    CHECK_EQ(IoOpenDriverRegistryKey(drv, DriverRegKeyParameters, KEY_READ, 0, NULL), STATUS_INVALID_PARAMETER);
    CHECK_VIOLATION("IoOpenDriverRegistryKey: DriverRegKey is NULL");

    /* In a user process's context (a message callback's, say): not a system thread. */
    CHECK_EQ(EmuSetCurrentProcess(TEST_PID), 0);
    CHECK_EQ(IoOpenDriverRegistryKey(drv, DriverRegKeyParameters, KEY_READ, 0, &key), STATUS_SUCCESS);
    CHECK_VIOLATION("the caller must run in a system thread");
    CHECK_EQ(ZwClose(key), STATUS_SUCCESS);
}

/* MmGetSystemRoutineAddress: the kernel's exports, not FltMgr's, nor names nobody exports. */
static void test_system_routine_address(void)
{
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, L"IoOpenDriverRegistryKey");
    CHECK(MmGetSystemRoutineAddress(&name) == (PVOID)IoOpenDriverRegistryKey);
    RtlInitUnicodeString(&name, L"ZwQueryValueKey");
    CHECK(MmGetSystemRoutineAddress(&name) == (PVOID)ZwQueryValueKey);
    RtlInitUnicodeString(&name, L"PsCreateSystemThread");
    CHECK(MmGetSystemRoutineAddress(&name) == (PVOID)PsCreateSystemThread);
    RtlInitUnicodeString(&name, L"PsProcessType");
    CHECK(MmGetSystemRoutineAddress(&name) == (PVOID)PsProcessType);
    RtlInitUnicodeString(&name, L"FltRegisterFilter");
    CHECK(MmGetSystemRoutineAddress(&name) == NULL);
    RtlInitUnicodeString(&name, L"IoOpenDriverRegistryKeyEx");
    CHECK(MmGetSystemRoutineAddress(&name) == NULL);
    RtlInitUnicodeString(&name, L"IoOpenDriverRegistryKe");
    CHECK(MmGetSystemRoutineAddress(&name) == NULL);
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    RtlInitUnicodeString(&name, L"ZwClose");
    CHECK(MmGetSystemRoutineAddress(&name) == NULL);
    KeLowerIrql(old);
    CHECK_VIOLATION("MmGetSystemRoutineAddress");
}

/* The kernel CRT's wcslen, which scanner uses on the REG_MULTI_SZ it reads: 16-bit units up to the NUL
 * (glibc's would count 4-byte units). */
static void test_wcslen_counts_utf16_units(void)
{
    static const WCHAR multi[] = L"doc\0log\0";
    CHECK_EQ(wcslen(multi), 3);
    CHECK_EQ(wcslen(multi + 4), 3);
    CHECK_EQ(wcslen(multi + 8), 0);
    static const WCHAR surrogates[] = { 0xD83D, 0xDE00, L'x', 0 };
    CHECK_EQ(wcslen(surrogates), 3);
    static const WCHAR high[] = { 0x0100, 0x0001, 0 };      /* a 4-byte reading would see one unit (0x00010100) */
    CHECK_EQ(wcslen(high), 2);
}

const TEST_CASE g_drvregTests[] = {
    { "drvreg: wcslen (kernel CRT) counts UTF-16 units", test_wcslen_counts_utf16_units },
    { "drvreg: IoOpenDriverRegistryKey(DriverRegKeyParameters) opens <service>\\Parameters with the access asked", test_parameters_key_is_the_services_parameters_subkey },
    { "drvreg: a missing Parameters key is STATUS_OBJECT_NAME_NOT_FOUND, not created", test_missing_parameters_key_is_not_created },
    { "drvreg: the persistent state key is created on first use and keeps what was written", test_persistent_state_key_created_and_kept },
    { "drvreg: a driver registry key handle never closed is a leak", test_handle_left_open_is_a_leak },
    { "drvreg: IRQL, system thread, driver object, Flags, RegKeyType and DriverRegKey are checked", test_contract_violations },
    { "drvreg: MmGetSystemRoutineAddress finds the kernel's exports only", test_system_routine_address },
};
const size_t g_drvregTestsCount = sizeof(g_drvregTests) / sizeof(g_drvregTests[0]);
