/*
 * test_driver_persist.c - the REAL driver: policy from boot (a persisted
 * policy and configuration in force at load, before any service connects,
 * across emulated reboots; a persisted value that does not validate is
 * reported and ignored; a push without the flag leaves the registry alone;
 * clearing) and the locked mode (non-mandatory unload and detach refused
 * until UNLOCK with the right key; a mandatory unload always works). Also
 * the emulator's registry checks (IRQL, OBJ_KERNEL_HANDLE, handle leaks).
 */
#include "test_driver_util.h"
#include <string.h>

#define PARAMETERS EMU_SERVICE_KEY "\\Parameters"

/* The index of the first TraceLogging event whose text starts with prefix, or -1. */
static int FindTrace(const char *prefix)
{
    char text[256];
    for (int i = 0; i < EmuTraceLoggingEventCount(); i++) {
        if (EmuTraceLoggingEventText(i, text, sizeof(text)) > 0 && strncmp(text, prefix, strlen(prefix)) == 0) {
            return i;
        }
    }
    return -1;
}

/* A SET_POLICY with these policy header flags; the result. Body (if not NULL) receives a malloc'd copy of the body. */
static JMF_RESULT SendPolicyFlags(PB *pb, JMF_U16 flags, uint8_t **body, JMF_U32 *bodyLength)
{
    JMF_U32 length;
    uint8_t *cmd = PbCommand(pb, &length);
    memcpy(cmd + sizeof(JMF_COMMAND_HEADER) + JMF_OFFSETOF(JMF_POLICY_HEADER, Flags), &flags, sizeof(flags));
    JMF_RESULT r;
    memset(&r, 0xEE, sizeof(r));
    uint32_t n = 0;
    EmuSetCurrentProcess(JAVA_PID);
    CHECK_EQ(EmuFilterSendMessage(g_port, cmd, length, &r, sizeof(r), &n), 0);
    EmuSetCurrentProcess(TEST_PID);
    CHECK_EQ(n, sizeof(r));
    if (body != NULL) {
        *bodyLength = length - (JMF_U32)sizeof(JMF_COMMAND_HEADER);
        *body = malloc(*bodyLength);
        memcpy(*body, cmd + sizeof(JMF_COMMAND_HEADER), *bodyLength);
    }
    free(cmd);
    return r;
}

static JMF_CONFIG Defaults(void)
{
    JMF_CONFIG c = { JMF_DEFAULT_ASK_TIMEOUT_MS, JMF_DEFAULT_VERDICT, JMF_DEFAULT_DENY_STATUS, JMF_DEFAULT_ON_DISCONNECT,
                     JMF_DEFAULT_MAX_ASKS_IN_FLIGHT, 0 };
    return c;
}

/* A SET_CONFIG (with the key after it when LOCKED); the result. */
static JMF_RESULT SendConfig(const JMF_CONFIG *config, const JMF_UNLOCK_KEY *key)
{
    uint64_t buffer[(sizeof(JMF_COMMAND_HEADER) + sizeof(JMF_CONFIG) + sizeof(JMF_UNLOCK_KEY) + 7) / 8];
    uint8_t *b = (uint8_t *)buffer;
    JMF_U32 length = (JMF_U32)(sizeof(JMF_COMMAND_HEADER) + sizeof(JMF_CONFIG) + (key != NULL ? sizeof(JMF_UNLOCK_KEY) : 0));
    JMF_COMMAND_HEADER h = { JMF_COMMAND_SET_CONFIG, length };
    memcpy(b, &h, sizeof(h));
    memcpy(b + sizeof(h), config, sizeof(*config));
    if (key != NULL) {
        memcpy(b + sizeof(h) + sizeof(*config), key, sizeof(*key));
    }
    JMF_RESULT r;
    memset(&r, 0xEE, sizeof(r));
    uint32_t n = 0;
    EmuSetCurrentProcess(JAVA_PID);
    CHECK_EQ(EmuFilterSendMessage(g_port, buffer, length, &r, sizeof(r), &n), 0);
    EmuSetCurrentProcess(TEST_PID);
    CHECK_EQ(n, sizeof(r));
    return r;
}

static JMF_RESULT SendUnlock(const JMF_UNLOCK_KEY *key)
{
    uint64_t buffer[(sizeof(JMF_COMMAND_HEADER) + sizeof(JMF_UNLOCK_KEY)) / 8];
    JMF_COMMAND_HEADER h = { JMF_COMMAND_UNLOCK, (JMF_U32)sizeof(buffer) };
    memcpy(buffer, &h, sizeof(h));
    memcpy((uint8_t *)buffer + sizeof(h), key, sizeof(*key));
    JMF_RESULT r;
    memset(&r, 0xEE, sizeof(r));
    uint32_t n = 0;
    EmuSetCurrentProcess(JAVA_PID);
    CHECK_EQ(EmuFilterSendMessage(g_port, buffer, sizeof(buffer), &r, sizeof(r), &n), 0);
    EmuSetCurrentProcess(TEST_PID);
    CHECK_EQ(n, sizeof(r));
    return r;
}

/* Whether creating path on volume 1 is denied now (the file is removed again when created). */
static int CreateDenied(const char *path)
{
    NTSTATUS s;
    uint64_t h = TOpen(g_v1, path, GENERIC_WRITE, FILE_OPEN_IF, &s, NULL);
    if (NT_SUCCESS(s)) {
        EmuFileClose(h);
        return 0;
    }
    CHECK_EQ(s, STATUS_ACCESS_DENIED);
    return 1;
}

/* Unload (mandatory, as at shutdown) and close the service's port: the first half of an emulated reboot. */
static void Shutdown(void)
{
    Stop();
    g_port = NULL;
}

/* Load the driver again on the same volumes, no service connected: the second half. */
static void Boot(void)
{
    CHECK_EQ(EmuLoadDriver(DRIVER_ALTITUDE), STATUS_SUCCESS);
}

static void ConnectService(void)
{
    CHECK_EQ(Connect(JMF_CONNECT_MAGIC, &g_port), 0);
}

static void SecretPolicy(PB *pb)
{
    memset(pb, 0, sizeof(*pb));
    PbRule(pb, 7, JMF_OP_CREATE, "\\secret\\**", JMF_ACTION_DENY);
}

static void test_persisted_policy_enforced_from_boot(void)
{
    Start();
    EmuFsPut(g_v1, "\\secret", NULL, 0, 1);
    PB pb;
    SecretPolicy(&pb);
    uint8_t *body = NULL;
    JMF_U32 bodyLength = 0;
    JMF_RESULT r = SendPolicyFlags(&pb, JMF_POLICY_FLAG_PERSIST, &body, &bodyLength);
    CHECK_EQ(r.Status, STATUS_SUCCESS);
    CHECK_EQ(r.Error, JMF_ERROR_NONE);
    CHECK(CreateDenied("\\secret\\a.txt"));
    /* exactly the validated bytes, as REG_BINARY */
    static uint8_t stored[4096];
    uint32_t type = 0;
    CHECK_EQ(EmuRegistryGetValue(PARAMETERS, "PersistedPolicy", &type, stored, sizeof(stored)), bodyLength);
    CHECK_EQ(type, REG_BINARY);
    CHECK(memcmp(stored, body, bodyLength) == 0);
    free(body);

    for (int reboot = 0; reboot < 2; reboot++) {
        Shutdown();
        EmuTraceLoggingClear();
        Boot();                                         /* no service connected */
        CHECK(FindTrace("PersistedPolicyLoaded") >= 0);
        CHECK(CreateDenied("\\secret\\b.txt"));         /* enforced at once */
        CHECK(!CreateDenied("\\public.txt"));
    }
    ConnectService();
    JMF_STATISTICS st;
    GetStatistics(&st);
    CHECK_EQ(st.Generation, 1);                         /* the persisted policy is the first of this load */
    CHECK_EQ(st.RuleCount, 1);
    Stop();
}

static void test_push_without_persist_leaves_registry_alone(void)
{
    Start();
    EmuFsPut(g_v1, "\\secret", NULL, 0, 1);
    uint32_t writes = EmuRegistryWriteCount();
    PB pb;
    SecretPolicy(&pb);
    CHECK_EQ(SendPolicy(&pb).Error, JMF_ERROR_NONE);
    JMF_CONFIG c = Defaults();
    c.AskTimeoutMs = 1234;
    CHECK_EQ(SendConfig(&c, NULL).Error, JMF_ERROR_NONE);
    CHECK(CreateDenied("\\secret\\a.txt"));
    CHECK_EQ(EmuRegistryWriteCount(), writes);
    CHECK_EQ(EmuRegistryGetValue(PARAMETERS, "PersistedPolicy", NULL, NULL, 0), -1);
    CHECK_EQ(EmuRegistryGetValue(PARAMETERS, "PersistedConfig", NULL, NULL, 0), -1);
    Shutdown();
    Boot();
    CHECK(!CreateDenied("\\secret\\a.txt"));            /* gone with the reboot */
    ConnectService();
    Stop();
}

static void CheckRejectedAtBoot(const char *valueName)
{
    EmuTraceLoggingClear();
    Boot();                                             /* never fails because of a persisted value */
    CHECK(FindTrace("PersistedValueRejected") >= 0);
    CHECK(!CreateDenied("\\secret\\a.txt"));            /* no policy */
    ConnectService();                                   /* the event waited for the first service */
    JMF_EVENT events[4];
    CHECK_EQ(GetEvents(events, 4), 1);
    CHECK_EQ(events[0].Flags, JMF_EVENT_FLAG_PERSISTED_REJECTED);
    CHECK_EQ(events[0].RuleId, JMF_RULE_NONE);
    CHECK_EQ(events[0].Operation, 0);
    CHECK_EQ(events[0].Verdict, 0);
    CHECK(events[0].Status != 0);
    char name[64];
    CHECK(strcmp(Utf8(events[0].Path, events[0].PathLength, name, sizeof(name)), valueName) == 0);
    JMF_STATISTICS st;
    GetStatistics(&st);
    CHECK_EQ(st.Generation, 0);
    Shutdown();
}

static void test_corrupted_persisted_policy_ignored(void)
{
    Start();
    EmuFsPut(g_v1, "\\secret", NULL, 0, 1);
    PB pb;
    SecretPolicy(&pb);
    uint8_t *body = NULL;
    JMF_U32 bodyLength = 0;
    CHECK_EQ(SendPolicyFlags(&pb, JMF_POLICY_FLAG_PERSIST, &body, &bodyLength).Error, JMF_ERROR_NONE);
    Shutdown();

    /* truncated */
    CHECK_EQ(EmuRegistrySetValue(PARAMETERS, "PersistedPolicy", REG_BINARY, body, bodyLength - 8), 0);
    CheckRejectedAtBoot("PersistedPolicy");
    /* bad magic */
    uint8_t *bad = malloc(bodyLength);
    memcpy(bad, body, bodyLength);
    bad[0] ^= 0xFF;
    CHECK_EQ(EmuRegistrySetValue(PARAMETERS, "PersistedPolicy", REG_BINARY, bad, bodyLength), 0);
    CheckRejectedAtBoot("PersistedPolicy");
    /* another version (a newer protocol wrote it) */
    memcpy(bad, body, bodyLength);
    JMF_U16 version = JMF_POLICY_VERSION + 1;
    memcpy(bad + JMF_OFFSETOF(JMF_POLICY_HEADER, Version), &version, sizeof(version));
    CHECK_EQ(EmuRegistrySetValue(PARAMETERS, "PersistedPolicy", REG_BINARY, bad, bodyLength), 0);
    CheckRejectedAtBoot("PersistedPolicy");
    /* not REG_BINARY */
    CHECK_EQ(EmuRegistrySetValue(PARAMETERS, "PersistedPolicy", REG_DWORD, body, 4), 0);
    CheckRejectedAtBoot("PersistedPolicy");
    /* a persisted configuration of the wrong size, and one claiming a lock (whose key is never stored) */
    CHECK_EQ(EmuRegistryDeleteValue(PARAMETERS, "PersistedPolicy"), 0);
    JMF_CONFIG c = Defaults();
    CHECK_EQ(EmuRegistrySetValue(PARAMETERS, "PersistedConfig", REG_BINARY, &c, sizeof(c) - 4), 0);
    CheckRejectedAtBoot("PersistedConfig");
    c.Flags = JMF_CONFIG_FLAG_PERSIST | JMF_CONFIG_FLAG_LOCKED;
    CHECK_EQ(EmuRegistrySetValue(PARAMETERS, "PersistedConfig", REG_BINARY, &c, sizeof(c)), 0);
    CheckRejectedAtBoot("PersistedConfig");
    free(bad);
    free(body);
}

static void test_clearing_persisted_values(void)
{
    Start();
    EmuFsPut(g_v1, "\\secret", NULL, 0, 1);
    PB pb;
    SecretPolicy(&pb);
    CHECK_EQ(SendPolicyFlags(&pb, JMF_POLICY_FLAG_PERSIST, NULL, NULL).Error, JMF_ERROR_NONE);
    JMF_CONFIG c = Defaults();
    c.AskTimeoutMs = 777;
    c.Flags = JMF_CONFIG_FLAG_PERSIST;
    CHECK_EQ(SendConfig(&c, NULL).Error, JMF_ERROR_NONE);
    JMF_CONFIG stored;
    CHECK_EQ(EmuRegistryGetValue(PARAMETERS, "PersistedConfig", NULL, &stored, sizeof(stored)), sizeof(stored));
    CHECK_EQ(stored.AskTimeoutMs, 777);
    CHECK(EmuRegistryGetValue(PARAMETERS, "PersistedPolicy", NULL, NULL, 0) > 0);

    /* the empty policy and the defaults, with the flag, clear */
    PB empty;
    memset(&empty, 0, sizeof(empty));
    CHECK_EQ(SendPolicyFlags(&empty, JMF_POLICY_FLAG_PERSIST, NULL, NULL).Error, JMF_ERROR_NONE);
    c = Defaults();
    c.Flags = JMF_CONFIG_FLAG_PERSIST;
    CHECK_EQ(SendConfig(&c, NULL).Error, JMF_ERROR_NONE);
    CHECK_EQ(EmuRegistryGetValue(PARAMETERS, "PersistedPolicy", NULL, NULL, 0), -1);
    CHECK_EQ(EmuRegistryGetValue(PARAMETERS, "PersistedConfig", NULL, NULL, 0), -1);
    /* clearing what is already clear is fine */
    CHECK_EQ(SendPolicyFlags(&empty, JMF_POLICY_FLAG_PERSIST, NULL, NULL).Error, JMF_ERROR_NONE);
    Shutdown();
    EmuTraceLoggingClear();
    Boot();
    CHECK(!CreateDenied("\\secret\\a.txt"));
    CHECK_EQ(FindTrace("PersistedPolicyLoaded"), -1);
    CHECK_EQ(FindTrace("PersistedValueRejected"), -1);
    ConnectService();
    Stop();
}

static void test_ask_without_service_gets_persisted_default_at_once(void)
{
    Start();
    EmuFsPut(g_v1, "\\secret", NULL, 0, 1);
    JMF_CONFIG c = Defaults();
    c.DefaultVerdict = JMF_ACTION_DENY;
    c.Flags = JMF_CONFIG_FLAG_PERSIST;
    CHECK_EQ(SendConfig(&c, NULL).Error, JMF_ERROR_NONE);
    PB pb;
    memset(&pb, 0, sizeof(pb));
    PbRule(&pb, 9, JMF_OP_CREATE, "\\secret\\**", JMF_ACTION_ASK);
    CHECK_EQ(SendPolicyFlags(&pb, JMF_POLICY_FLAG_PERSIST, NULL, NULL).Error, JMF_ERROR_NONE);
    Shutdown();
    Boot();
    /* no service: the persisted configuration's default verdict (DENY), without waiting */
    CHECK(CreateDenied("\\secret\\a.txt"));
    ConnectService();
    JMF_STATISTICS st;
    GetStatistics(&st);
    CHECK_EQ(st.AskNoClient, 1);
    CHECK_EQ(st.Asks, 0);
    JMF_EVENT events[4];
    CHECK_EQ(GetEvents(events, 4), 1);                  /* queued while no service was there */
    CHECK_EQ(events[0].RuleId, 9);
    CHECK((events[0].Flags & JMF_EVENT_FLAG_DEFAULT_VERDICT) != 0);
    Stop();
}

static JMF_UNLOCK_KEY Key(uint8_t seed)
{
    JMF_UNLOCK_KEY k;
    for (unsigned i = 0; i < sizeof(k.Key); i++) {
        k.Key[i] = (uint8_t)(seed + i * 13);
    }
    return k;
}

static void test_locked_refuses_unload_and_detach_until_unlocked(void)
{
    Start();
    EmuFsPut(g_v1, "\\secret", NULL, 0, 1);
    PB pb;
    SecretPolicy(&pb);
    CHECK_EQ(SendPolicy(&pb).Error, JMF_ERROR_NONE);
    JMF_UNLOCK_KEY key = Key(1);
    JMF_UNLOCK_KEY wrong = Key(1);
    wrong.Key[31] ^= 1;
    JMF_CONFIG c = Defaults();
    c.Flags = JMF_CONFIG_FLAG_LOCKED;
    CHECK_EQ(SendConfig(&c, &key).Error, JMF_ERROR_NONE);

    /* fltmc unload / a service stop, and fltmc detach: refused, nothing changed */
    CHECK_EQ(EmuUnloadDriverEx(0), STATUS_FLT_DO_NOT_DETACH);
    CHECK_EQ(EmuDetachDriver(g_v1), STATUS_FLT_DO_NOT_DETACH);
    CHECK(CreateDenied("\\secret\\a.txt"));             /* still loaded, still enforcing */
    /* the lock cannot be dropped or re-keyed by SET_CONFIG, nor opened with a wrong key */
    JMF_CONFIG open = Defaults();
    JMF_RESULT r = SendConfig(&open, NULL);
    CHECK_EQ(r.Status, STATUS_ACCESS_DENIED);
    CHECK_EQ(r.Error, JMF_ERROR_LOCKED);
    r = SendConfig(&c, &wrong);
    CHECK_EQ(r.Error, JMF_ERROR_LOCKED);
    r = SendUnlock(&wrong);
    CHECK_EQ(r.Status, STATUS_ACCESS_DENIED);
    CHECK_EQ(r.Error, JMF_ERROR_LOCKED);
    CHECK(FindTrace("UnlockRefused") >= 0);
    CHECK_EQ(EmuUnloadDriverEx(0), STATUS_FLT_DO_NOT_DETACH);
    /* the same key may change the rest of the configuration while staying locked */
    c.AskTimeoutMs = 500;
    CHECK_EQ(SendConfig(&c, &key).Error, JMF_ERROR_NONE);
    CHECK_EQ(EmuDetachDriver(g_v1), STATUS_FLT_DO_NOT_DETACH);

    /* the right key */
    r = SendUnlock(&key);
    CHECK_EQ(r.Status, STATUS_SUCCESS);
    CHECK_EQ(r.Error, JMF_ERROR_NONE);
    CHECK_EQ(SendUnlock(&wrong).Error, JMF_ERROR_NONE);  /* not locked: nothing to refuse */
    CHECK_EQ(EmuDetachDriver(g_v1), STATUS_SUCCESS);
    CHECK_EQ(EmuUnloadDriverEx(0), STATUS_SUCCESS);
    EmuFilterClose(g_port);
    g_port = NULL;
}

static void test_locked_mandatory_unload_still_works(void)
{
    Start();
    JMF_UNLOCK_KEY key = Key(7);
    JMF_CONFIG c = Defaults();
    c.Flags = JMF_CONFIG_FLAG_LOCKED | JMF_CONFIG_FLAG_PERSIST;
    CHECK_EQ(SendConfig(&c, &key).Error, JMF_ERROR_NONE);
    /* the lock and its key never reach the disk */
    JMF_CONFIG stored;
    uint8_t raw[64];
    CHECK_EQ(EmuRegistryGetValue(PARAMETERS, "PersistedConfig", NULL, raw, sizeof(raw)), -1); /* the defaults: cleared */
    c.AskTimeoutMs = 999;
    CHECK_EQ(SendConfig(&c, &key).Error, JMF_ERROR_NONE);
    CHECK_EQ(EmuRegistryGetValue(PARAMETERS, "PersistedConfig", NULL, raw, sizeof(raw)), sizeof(JMF_CONFIG));
    memcpy(&stored, raw, sizeof(stored));
    CHECK_EQ(stored.Flags, JMF_CONFIG_FLAG_PERSIST);
    CHECK_EQ(stored.AskTimeoutMs, 999);
    CHECK_EQ(EmuUnloadDriverEx(0), STATUS_FLT_DO_NOT_DETACH);
    Shutdown();                                          /* mandatory (system shutdown): proceeds, no leak */
    Boot();                                              /* the persisted configuration, unlocked */
    CHECK_EQ(EmuUnloadDriverEx(0), STATUS_SUCCESS);
}

static void test_registry_misuse_is_reported(void)
{
    static WCHAR path[] = L"\\REGISTRY\\MACHINE\\SYSTEM\\CurrentControlSet\\Services\\jminifilter";
    UNICODE_STRING name = { sizeof(path) - 2, sizeof(path), path };
    OBJECT_ATTRIBUTES oa;
    HANDLE key = NULL;
    EmuRegistrySetValue(EMU_SERVICE_KEY, "X", REG_BINARY, "ab", 2);

    /* at DISPATCH_LEVEL */
    InitializeObjectAttributes(&oa, &name, OBJ_KERNEL_HANDLE | OBJ_CASE_INSENSITIVE, NULL, NULL);
    EmuSetIrql(DISPATCH_LEVEL);
    CHECK(!NT_SUCCESS(ZwOpenKey(&key, KEY_READ, &oa)));
    EmuSetIrql(PASSIVE_LEVEL);
    CHECK_VIOLATION("ZwOpenKey called at DISPATCH_LEVEL");

    /* a handle that is not a kernel handle */
    InitializeObjectAttributes(&oa, &name, OBJ_CASE_INSENSITIVE, NULL, NULL);
    CHECK_EQ(ZwOpenKey(&key, KEY_READ, &oa), STATUS_SUCCESS);
    CHECK_VIOLATION("ZwOpenKey: OBJ_KERNEL_HANDLE missing");
    /* read-only handle: no writes; partial reads say how much is needed */
    static WCHAR x[] = L"X";
    UNICODE_STRING value = { 2, 4, x };
    CHECK_EQ(ZwSetValueKey(key, &value, 0, REG_BINARY, "cd", 2), STATUS_ACCESS_DENIED);
    uint8_t info[16];
    ULONG needed = 0;
    CHECK_EQ(ZwQueryValueKey(key, &value, KeyValuePartialInformation, info, 4, &needed), STATUS_BUFFER_TOO_SMALL);
    CHECK_EQ(needed, 14);
    CHECK_EQ(ZwQueryValueKey(key, &value, KeyValuePartialInformation, info, 13, &needed), STATUS_BUFFER_OVERFLOW);
    CHECK_EQ(ZwQueryValueKey(key, &value, KeyValuePartialInformation, info, sizeof(info), &needed), STATUS_SUCCESS);
    CHECK_EQ(((PKEY_VALUE_PARTIAL_INFORMATION)info)->DataLength, 2);
    CHECK(memcmp(((PKEY_VALUE_PARTIAL_INFORMATION)info)->Data, "ab", 2) == 0);
    /* left open: a leak at unload */
    EmuCheckLeaks();
    CHECK_VIOLATION("registry key handle leaked (no ZwClose)");
    CHECK_EQ(ZwClose(key), STATUS_INVALID_HANDLE);       /* the leak check closed it */
    CHECK_VIOLATION("ZwClose");
}

const TEST_CASE g_driverPersistTests[] = {
    { "driver persist: a persisted policy is enforced right after load, no service, across reboots", test_persisted_policy_enforced_from_boot },
    { "driver persist: a push without the persist flag does not touch the registry", test_push_without_persist_leaves_registry_alone },
    { "driver persist: a corrupted persisted value is ignored, traced and reported by an event", test_corrupted_persisted_policy_ignored },
    { "driver persist: the empty policy and the defaults, persisted, clear the values", test_clearing_persisted_values },
    { "driver persist: an ASK with no service takes the persisted default at once; events wait", test_ask_without_service_gets_persisted_default_at_once },
    { "driver lock: non-mandatory unload and detach refused until UNLOCK with the right key", test_locked_refuses_unload_and_detach_until_unlocked },
    { "driver lock: a mandatory unload works; the lock is never persisted", test_locked_mandatory_unload_still_works },
    { "registry: IRQL, OBJ_KERNEL_HANDLE, access and handle leaks are checked", test_registry_misuse_is_reported },
};
const size_t g_driverPersistTestsCount = sizeof(g_driverPersistTests) / sizeof(g_driverPersistTests[0]);
