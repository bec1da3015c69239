/*++

Module Name:

    jmf_persist.c

Abstract:

    Policy from boot: a policy or a configuration pushed with the persist
    flag is written, exactly as validated, to the driver's own service key
    (values PersistedPolicy and PersistedConfig, REG_BINARY, of the
    Parameters subkey under RegistryPath); DriverEntry reads them back,
    validates them with the same code as a pushed policy or configuration
    (JmfPolicySet, JmfConfigSet) and puts them in force before
    FltStartFiltering. A value that no longer validates (a newer protocol,
    corruption) is traced, reported by an event with
    JMF_EVENT_FLAG_PERSISTED_REJECTED for the first service to drain, and
    ignored: the driver never fails to load because of it.

    The key's security is the Services key's default (SYSTEM and
    Administrators full control, Users read): the driver sets no DACL of its
    own (see README, "Enforcement from boot").

    Environment: every routine here runs at PASSIVE_LEVEL: the Zw registry
    routines require it. Pushes serialise on JmfGlobals.PersistLock (a push
    lock: its holder stays at PASSIVE_LEVEL, unlike the policy's fast mutex),
    so the registry always holds the last of two concurrent pushes.

--*/

#include "jmf_driver.h"
#include "jmf_trace.h"

#define JMF_PARAMETERS_SUFFIX L"\\Parameters"

static const WCHAR JmfPersistedPolicyName[] = L"PersistedPolicy";
static const WCHAR JmfPersistedConfigName[] = L"PersistedConfig";

_IRQL_requires_(PASSIVE_LEVEL)
static NTSTATUS JmfPersistOpen(_In_ BOOLEAN Create, _In_ ACCESS_MASK Access, _Out_ PHANDLE Key);
_IRQL_requires_(PASSIVE_LEVEL)
static NTSTATUS JmfPersistRead(_In_ PCWSTR Name, _Outptr_result_bytebuffer_(*Length) PVOID *Data, _Out_ PULONG Length);
_IRQL_requires_(PASSIVE_LEVEL)
static NTSTATUS JmfPersistStore(_In_ PCWSTR Name, _In_reads_bytes_opt_(Length) const VOID *Data, _In_ ULONG Length);
_IRQL_requires_(PASSIVE_LEVEL)
static VOID JmfPersistReject(_In_ PCWSTR Name, _In_ NTSTATUS Status, _In_ JMF_U32 Error);

#ifdef ALLOC_PRAGMA
#pragma alloc_text(INIT, JmfPersistInitialize)
#pragma alloc_text(INIT, JmfPersistLoad)
#pragma alloc_text(PAGE, JmfPersistShutdown)
#pragma alloc_text(PAGE, JmfPersistOpen)
#pragma alloc_text(PAGE, JmfPersistRead)
#pragma alloc_text(PAGE, JmfPersistStore)
#pragma alloc_text(PAGE, JmfPersistReject)
#pragma alloc_text(PAGE, JmfPersistPolicy)
#pragma alloc_text(PAGE, JmfPersistConfig)
#endif

/*
 * JmfPersistInitialize
 *
 * IRQL: PASSIVE_LEVEL (DriverEntry). Copies "<RegistryPath>\Parameters"
 * into paged pool: RegistryPath is only valid during DriverEntry, and
 * pushes write there later. Without memory, persistence is off (pushes
 * with the flag then fail with JMF_ERROR_NOT_PERSISTED); the load goes on.
 */
_Use_decl_annotations_
NTSTATUS
JmfPersistInitialize(
    PCUNICODE_STRING RegistryPath
    )
{
    const USHORT suffixBytes = (USHORT)(sizeof(JMF_PARAMETERS_SUFFIX) - sizeof(WCHAR));
    PWCHAR buffer;
    USHORT bytes;

    PAGED_CODE();

    FltInitializePushLock(&JmfGlobals.PersistLock);
    RtlZeroMemory(&JmfGlobals.ParametersPath, sizeof(JmfGlobals.ParametersPath));
    if (RegistryPath == NULL || RegistryPath->Buffer == NULL || RegistryPath->Length == 0 ||
        (RegistryPath->Length % sizeof(WCHAR)) != 0 ||
        RegistryPath->Length > MAXUSHORT - suffixBytes) {
        return STATUS_INVALID_PARAMETER;
    }
    bytes = (USHORT)(RegistryPath->Length + suffixBytes);
    buffer = (PWCHAR)JmfAllocatePaged(bytes, JMF_TAG_REGISTRY);
    if (buffer == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    RtlCopyMemory(buffer, RegistryPath->Buffer, RegistryPath->Length);
    RtlCopyMemory((PUCHAR)buffer + RegistryPath->Length, JMF_PARAMETERS_SUFFIX, suffixBytes);
    JmfGlobals.ParametersPath.Buffer = buffer;
    JmfGlobals.ParametersPath.Length = bytes;
    JmfGlobals.ParametersPath.MaximumLength = bytes;
    return STATUS_SUCCESS;
}

/*
 * JmfPersistShutdown
 *
 * IRQL: PASSIVE_LEVEL (unload, or a failed DriverEntry).
 */
_Use_decl_annotations_
VOID
JmfPersistShutdown(
    VOID
    )
{
    PAGED_CODE();
    JmfFree(JmfGlobals.ParametersPath.Buffer, JMF_TAG_REGISTRY);
    RtlZeroMemory(&JmfGlobals.ParametersPath, sizeof(JmfGlobals.ParametersPath));
    FltDeletePushLock(&JmfGlobals.PersistLock);
}

/*
 * JmfPersistOpen
 *
 * IRQL: PASSIVE_LEVEL. Opens the Parameters key (creating it when Create)
 * for Access, with a kernel handle: the message callback runs in the client's process,
 * whose user-mode code must never see the handle.
 */
_Use_decl_annotations_
static NTSTATUS
JmfPersistOpen(
    BOOLEAN Create,
    ACCESS_MASK Access,
    PHANDLE Key
    )
{
    OBJECT_ATTRIBUTES attributes;
    ULONG disposition;

    PAGED_CODE();

    *Key = NULL;
    if (JmfGlobals.ParametersPath.Buffer == NULL) {
        return STATUS_OBJECT_NAME_NOT_FOUND;
    }
    InitializeObjectAttributes(&attributes, &JmfGlobals.ParametersPath,
                               OBJ_KERNEL_HANDLE | OBJ_CASE_INSENSITIVE, NULL, NULL);
    if (Create) {
        return ZwCreateKey(Key, Access, &attributes, 0, NULL, REG_OPTION_NON_VOLATILE, &disposition);
    }
    return ZwOpenKey(Key, Access, &attributes);
}

/*
 * JmfPersistRead
 *
 * IRQL: PASSIVE_LEVEL. Reads a REG_BINARY value of at most
 * JMF_MAX_POLICY_BYTES into paged pool (JMF_TAG_REGISTRY, the caller
 * frees it). STATUS_OBJECT_NAME_NOT_FOUND when the key or the value is
 * absent (nothing persisted); STATUS_OBJECT_TYPE_MISMATCH for another type;
 * STATUS_FILE_TOO_LARGE for a value over the limit.
 */
_Use_decl_annotations_
static NTSTATUS
JmfPersistRead(
    PCWSTR Name,
    PVOID *Data,
    PULONG Length
    )
{
    KEY_VALUE_PARTIAL_INFORMATION header;
    PKEY_VALUE_PARTIAL_INFORMATION info = NULL;
    UNICODE_STRING valueName;
    HANDLE key = NULL;
    const ULONG dataOffset = (ULONG)FIELD_OFFSET(KEY_VALUE_PARTIAL_INFORMATION, Data);
    ULONG needed = 0;
    ULONG infoBytes;
    NTSTATUS status;

    PAGED_CODE();

    *Data = NULL;
    *Length = 0;
    RtlInitUnicodeString(&valueName, Name);

    status = JmfPersistOpen(FALSE, KEY_QUERY_VALUE, &key);
    if (!NT_SUCCESS(status)) {
        goto Cleanup;
    }

    /* First the size: STATUS_BUFFER_OVERFLOW (or _TOO_SMALL) says how much is needed. */
    status = ZwQueryValueKey(key, &valueName, KeyValuePartialInformation, &header, sizeof(header), &needed);
    if (status != STATUS_BUFFER_OVERFLOW && status != STATUS_BUFFER_TOO_SMALL && !NT_SUCCESS(status)) {
        goto Cleanup;
    }
    if (needed < dataOffset ||
        needed - dataOffset > JMF_MAX_POLICY_BYTES) {
        status = STATUS_FILE_TOO_LARGE;
        goto Cleanup;
    }
    infoBytes = needed;
    info = (PKEY_VALUE_PARTIAL_INFORMATION)JmfAllocatePaged(infoBytes, JMF_TAG_REGISTRY);
    if (info == NULL) {
        status = STATUS_INSUFFICIENT_RESOURCES;
        goto Cleanup;
    }
    /* The value may have changed in between: the second answer is the one used. */
    status = ZwQueryValueKey(key, &valueName, KeyValuePartialInformation, info, infoBytes, &needed);
    if (!NT_SUCCESS(status)) {
        goto Cleanup;
    }
    if (info->Type != REG_BINARY) {
        status = STATUS_OBJECT_TYPE_MISMATCH;
        goto Cleanup;
    }
    if (info->DataLength > infoBytes - dataOffset) {
        status = STATUS_DATA_ERROR;
        goto Cleanup;
    }
    *Data = JmfAllocatePaged(info->DataLength != 0 ? info->DataLength : 1, JMF_TAG_REGISTRY);
    if (*Data == NULL) {
        status = STATUS_INSUFFICIENT_RESOURCES;
        goto Cleanup;
    }
    RtlCopyMemory(*Data, info->Data, info->DataLength);
    *Length = info->DataLength;
    status = STATUS_SUCCESS;

Cleanup:
    JmfFree(info, JMF_TAG_REGISTRY);
    if (key != NULL) {
        ZwClose(key);
    }
    return status;
}

/*
 * JmfPersistStore
 *
 * IRQL: PASSIVE_LEVEL. Writes Data as a REG_BINARY value, or deletes the
 * value when Data is NULL (an absent value is not an error then).
 */
_Use_decl_annotations_
static NTSTATUS
JmfPersistStore(
    PCWSTR Name,
    const VOID *Data,
    ULONG Length
    )
{
    UNICODE_STRING valueName;
    HANDLE key = NULL;
    NTSTATUS status;

    PAGED_CODE();

    RtlInitUnicodeString(&valueName, Name);
    status = JmfPersistOpen(Data != NULL, KEY_SET_VALUE, &key);   /* a delete too needs KEY_SET_VALUE */
    if (Data == NULL && status == STATUS_OBJECT_NAME_NOT_FOUND) {
        return STATUS_SUCCESS;      /* no key: nothing to delete */
    }
    if (!NT_SUCCESS(status)) {
        return status;
    }
    if (Data != NULL) {
        status = ZwSetValueKey(key, &valueName, 0, REG_BINARY, (PVOID)Data, Length);
    } else {
        status = ZwDeleteValueKey(key, &valueName);
        if (status == STATUS_OBJECT_NAME_NOT_FOUND) {
            status = STATUS_SUCCESS;
        }
    }
    ZwClose(key);
    return status;
}

/*
 * JmfPersistReject
 *
 * IRQL: PASSIVE_LEVEL (DriverEntry). A persisted value was not put in
 * force: a trace naming the value, the status and the JMF_ERROR, and an
 * event (RuleId JMF_RULE_NONE, Operation and Verdict 0, Status, Path = the
 * value's name, JMF_EVENT_FLAG_PERSISTED_REJECTED) that waits in the queue
 * for the first service.
 */
_Use_decl_annotations_
static VOID
JmfPersistReject(
    PCWSTR Name,
    NTSTATUS Status,
    JMF_U32 Error
    )
{
    SIZE_T chars = 0;

    PAGED_CODE();

    while (Name[chars] != L'\0') {
        chars++;
    }
    JMF_TRACE_ERROR("PersistedValueRejected",
                    TraceLoggingWideString(Name, "Value"),
                    TraceLoggingNTStatus(Status, "Status"),
                    TraceLoggingUInt32(Error, "Error"));
    JmfEventQueue(JMF_RULE_NONE, 0, 0, Status, 0, JMF_EVENT_FLAG_PERSISTED_REJECTED,
                  NULL, 0, (const JMF_U16 *)Name, (JMF_U32)chars, NULL, 0);
}

/*
 * JmfPersistLoad
 *
 * IRQL: PASSIVE_LEVEL (DriverEntry, after the event queue exists and
 * before FltStartFiltering). Puts the persisted configuration, then the
 * persisted policy, in force. Never fails: whatever does not validate is
 * rejected (JmfPersistReject) and the driver runs without it.
 */
_Use_decl_annotations_
VOID
JmfPersistLoad(
    VOID
    )
{
    PVOID data = NULL;
    ULONG length = 0;
    JMF_RESULT result;
    JMF_CONFIG config;
    NTSTATUS status;

    PAGED_CODE();

    status = JmfPersistRead(JmfPersistedConfigName, &data, &length);
    if (NT_SUCCESS(status)) {
        /* Exactly a JMF_CONFIG, never a lock (its key is never stored). */
        RtlZeroMemory(&config, sizeof(config));
        RtlCopyMemory(&config, data, min(length, (ULONG)sizeof(config)));
        if (length != sizeof(JMF_CONFIG)) {
            JmfPersistReject(JmfPersistedConfigName, STATUS_INVALID_PARAMETER, JMF_ERROR_BAD_LENGTH);
        } else if ((config.Flags & JMF_CONFIG_FLAG_LOCKED) != 0) {
            JmfPersistReject(JmfPersistedConfigName, STATUS_INVALID_PARAMETER, JMF_ERROR_BAD_CONFIG);
        } else {
            JmfConfigSet(&config, NULL, &result);
            if (!NT_SUCCESS(result.Status)) {
                JmfPersistReject(JmfPersistedConfigName, result.Status, result.Error);
            } else {
                JMF_TRACE_INFO("PersistedConfigLoaded", TraceLoggingUInt32(config.Flags, "Flags"));
            }
        }
    } else if (status != STATUS_OBJECT_NAME_NOT_FOUND) {
        JmfPersistReject(JmfPersistedConfigName, status, JMF_ERROR_NONE);
    }
    JmfFree(data, JMF_TAG_REGISTRY);
    data = NULL;

    status = JmfPersistRead(JmfPersistedPolicyName, &data, &length);
    if (NT_SUCCESS(status)) {
        /* The same validation and compilation as a pushed policy. */
        JmfPolicySet(data, length, &result);
        if (!NT_SUCCESS(result.Status)) {
            JmfPersistReject(JmfPersistedPolicyName, result.Status, result.Error);
        } else {
            JMF_TRACE_INFO("PersistedPolicyLoaded",
                           TraceLoggingUInt32(result.Generation, "Generation"),
                           TraceLoggingUInt32(length, "Bytes"));
        }
    } else if (status != STATUS_OBJECT_NAME_NOT_FOUND) {
        JmfPersistReject(JmfPersistedPolicyName, status, JMF_ERROR_NONE);
    }
    JmfFree(data, JMF_TAG_REGISTRY);
}

/*
 * JmfPersistPolicy
 *
 * IRQL: PASSIVE_LEVEL (message callback). Body is the kernel copy of a
 * SET_POLICY body. Puts it in force (JmfPolicySet) and, when accepted with
 * JMF_POLICY_FLAG_PERSIST, writes the same bytes to PersistedPolicy (or
 * deletes the value for a policy with no rules: how a service clears it).
 * A policy without the flag never touches the registry. A write that fails
 * leaves the new policy in force and reports JMF_ERROR_NOT_PERSISTED.
 */
_Use_decl_annotations_
VOID
JmfPersistPolicy(
    const VOID *Body,
    ULONG Length,
    JMF_RESULT *Result
    )
{
    JMF_POLICY_HEADER header;
    NTSTATUS status;

    PAGED_CODE();

    FltAcquirePushLockExclusive(&JmfGlobals.PersistLock);
    JmfPolicySet(Body, Length, Result);
    if (NT_SUCCESS(Result->Status) && Length >= sizeof(header)) {
        RtlCopyMemory(&header, Body, sizeof(header));
        if ((header.Flags & JMF_POLICY_FLAG_PERSIST) != 0) {
            status = JmfPersistStore(JmfPersistedPolicyName, header.RuleCount != 0 ? Body : NULL, Length);
            if (!NT_SUCCESS(status)) {
                Result->Status = status;
                Result->Error = JMF_ERROR_NOT_PERSISTED;
            }
            JMF_TRACE_INFO("PolicyPersisted",
                           TraceLoggingUInt32(header.RuleCount, "Rules"),
                           TraceLoggingNTStatus(status, "Status"));
        }
    }
    FltReleasePushLock(&JmfGlobals.PersistLock);
}

/*
 * JmfPersistConfig
 *
 * IRQL: PASSIVE_LEVEL (message callback). As JmfPersistPolicy for a
 * configuration (Key: the unlock key when it sets LOCKED). What is stored
 * is the configuration with LOCKED cleared: the lock and its key never
 * reach the disk. Persisting the defaults of jmf_protocol.h deletes the
 * value.
 */
_Use_decl_annotations_
VOID
JmfPersistConfig(
    const JMF_CONFIG *Config,
    const JMF_UNLOCK_KEY *Key,
    JMF_RESULT *Result
    )
{
    JMF_CONFIG stored;
    BOOLEAN defaults;
    NTSTATUS status;

    PAGED_CODE();

    FltAcquirePushLockExclusive(&JmfGlobals.PersistLock);
    JmfConfigSet(Config, Key, Result);
    if (NT_SUCCESS(Result->Status) && (Config->Flags & JMF_CONFIG_FLAG_PERSIST) != 0) {
        stored = *Config;
        stored.Flags &= ~JMF_CONFIG_FLAG_LOCKED;
        defaults = (BOOLEAN)(stored.AskTimeoutMs == JMF_DEFAULT_ASK_TIMEOUT_MS &&
                             stored.DefaultVerdict == JMF_DEFAULT_VERDICT &&
                             stored.DefaultDenyStatus == JMF_DEFAULT_DENY_STATUS &&
                             stored.OnDisconnect == JMF_DEFAULT_ON_DISCONNECT &&
                             stored.MaxAsksInFlight == JMF_DEFAULT_MAX_ASKS_IN_FLIGHT &&
                             (stored.Flags & ~JMF_CONFIG_FLAG_PERSIST) == 0);
        status = JmfPersistStore(JmfPersistedConfigName, defaults ? NULL : &stored, sizeof(stored));
        if (!NT_SUCCESS(status)) {
            Result->Status = status;
            Result->Error = JMF_ERROR_NOT_PERSISTED;
        }
        JMF_TRACE_INFO("ConfigPersisted",
                       TraceLoggingBoolean(defaults, "Cleared"),
                       TraceLoggingNTStatus(status, "Status"));
    }
    FltReleasePushLock(&JmfGlobals.PersistLock);
}
