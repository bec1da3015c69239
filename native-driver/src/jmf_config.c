/*++

Module Name:

    jmf_config.c

Abstract:

    The configuration set by JMF_COMMAND_SET_CONFIG: the ask timeout, the
    default verdict when user mode is absent or late, what happens to the
    policy when the client disconnects, and the bound on asks in flight.
    Safe defaults (jmf_protocol.h) hold until the first SET_CONFIG. The
    structure is small, so readers copy it under the shared side of an
    EX_SPIN_LOCK and never see half of an update.

--*/

#include "jmf_driver.h"
#include "jmf_trace.h"

#ifdef ALLOC_PRAGMA
#pragma alloc_text(PAGE, JmfConfigInitialize)
#endif

/*
 * JmfConfigInitialize
 *
 * IRQL: PASSIVE_LEVEL (DriverEntry). Puts the defaults in force.
 */
_Use_decl_annotations_
VOID
JmfConfigInitialize(
    VOID
    )
{
    PAGED_CODE();
    JmfGlobals.ConfigLock = 0;
    JmfGlobals.Config.AskTimeoutMs = JMF_DEFAULT_ASK_TIMEOUT_MS;
    JmfGlobals.Config.DefaultVerdict = JMF_DEFAULT_VERDICT;
    JmfGlobals.Config.DefaultDenyStatus = JMF_DEFAULT_DENY_STATUS;
    JmfGlobals.Config.OnDisconnect = JMF_DEFAULT_ON_DISCONNECT;
    JmfGlobals.Config.MaxAsksInFlight = JMF_DEFAULT_MAX_ASKS_IN_FLIGHT;
    JmfGlobals.Config.Flags = 0;
}

/*
 * JmfConfigGet
 *
 * IRQL: <= DISPATCH_LEVEL. A consistent copy of the configuration.
 */
_Use_decl_annotations_
VOID
JmfConfigGet(
    JMF_CONFIG *Config
    )
{
    KIRQL oldIrql;

    oldIrql = ExAcquireSpinLockShared(&JmfGlobals.ConfigLock);
    *Config = JmfGlobals.Config;
    ExReleaseSpinLockShared(&JmfGlobals.ConfigLock, oldIrql);
}

/*
 * JmfConfigSet
 *
 * IRQL: PASSIVE_LEVEL (message callback, DriverEntry). Config is a kernel
 * copy; Key the unlock key that comes with a LOCKED configuration (NULL
 * otherwise). Validated by the portable core first; a rejected
 * configuration changes nothing. While locked, the new configuration must
 * keep LOCKED with the same key (compared in constant time): dropping or
 * re-keying the lock takes JMF_COMMAND_UNLOCK first (JMF_ERROR_LOCKED).
 * (Not pageable: it holds a spin lock.)
 */
_Use_decl_annotations_
VOID
JmfConfigSet(
    const JMF_CONFIG *Config,
    const JMF_UNLOCK_KEY *Key,
    JMF_RESULT *Result
    )
{
    KIRQL oldIrql;
    JMF_U32 error;
    BOOLEAN locking = (BOOLEAN)((Config->Flags & JMF_CONFIG_FLAG_LOCKED) != 0);

    RtlZeroMemory(Result, sizeof(*Result));
    Result->RuleIndex = JMF_INDEX_NONE;

    error = JmfValidateConfig(Config);
    if (error == JMF_ERROR_NONE && locking && Key == NULL) {
        error = JMF_ERROR_BAD_CONFIG;           /* a lock without its key (a persisted value, say) */
    }
    if (error != JMF_ERROR_NONE) {
        Result->Status = STATUS_INVALID_PARAMETER;
        Result->Error = error;
    } else {
        oldIrql = ExAcquireSpinLockExclusive(&JmfGlobals.ConfigLock);
        if ((JmfGlobals.Config.Flags & JMF_CONFIG_FLAG_LOCKED) != 0 &&
            (!locking || !JmfKeysEqual(Key, &JmfGlobals.UnlockKey))) {
            error = JMF_ERROR_LOCKED;
        } else {
            JmfGlobals.Config = *Config;
            if (locking) {
                JmfGlobals.UnlockKey = *Key;
            }
        }
        ExReleaseSpinLockExclusive(&JmfGlobals.ConfigLock, oldIrql);
        if (error != JMF_ERROR_NONE) {
            InterlockedIncrement(&JmfGlobals.UnlockFailures);
            Result->Status = STATUS_ACCESS_DENIED;
            Result->Error = error;
        } else {
            Result->Status = STATUS_SUCCESS;
            Result->Error = JMF_ERROR_NONE;
        }
    }
    Result->Generation = JmfPolicyCurrentGeneration();
}

/*
 * JmfConfigUnlock
 *
 * IRQL: PASSIVE_LEVEL (message callback). JMF_COMMAND_UNLOCK: with the key
 * the lock was set with, clears LOCKED (and forgets the key); the rest of
 * the configuration stays. A wrong key changes nothing, is counted
 * (JmfGlobals.UnlockFailures) and traced. Not locked: success, no change.
 */
_Use_decl_annotations_
VOID
JmfConfigUnlock(
    const JMF_UNLOCK_KEY *Key,
    JMF_RESULT *Result
    )
{
    KIRQL oldIrql;
    BOOLEAN refused = FALSE;
    BOOLEAN wasLocked;

    RtlZeroMemory(Result, sizeof(*Result));
    Result->RuleIndex = JMF_INDEX_NONE;

    oldIrql = ExAcquireSpinLockExclusive(&JmfGlobals.ConfigLock);
    wasLocked = (BOOLEAN)((JmfGlobals.Config.Flags & JMF_CONFIG_FLAG_LOCKED) != 0);
    if (wasLocked) {
        if (JmfKeysEqual(Key, &JmfGlobals.UnlockKey)) {
            JmfGlobals.Config.Flags &= ~JMF_CONFIG_FLAG_LOCKED;
            RtlSecureZeroMemory(&JmfGlobals.UnlockKey, sizeof(JmfGlobals.UnlockKey));
        } else {
            refused = TRUE;
        }
    }
    ExReleaseSpinLockExclusive(&JmfGlobals.ConfigLock, oldIrql);

    if (refused) {
        LONG failures = InterlockedIncrement(&JmfGlobals.UnlockFailures);
        JMF_TRACE_WARNING("UnlockRefused", TraceLoggingInt32(failures, "Failures"));
        Result->Status = STATUS_ACCESS_DENIED;
        Result->Error = JMF_ERROR_LOCKED;
    } else {
        if (wasLocked) {
            JMF_TRACE_INFO("Unlocked", TraceLoggingUInt32(JmfPolicyCurrentGeneration(), "Generation"));
        }
        Result->Status = STATUS_SUCCESS;
        Result->Error = JMF_ERROR_NONE;
    }
    Result->Generation = JmfPolicyCurrentGeneration();
}

/*
 * JmfConfigLocked
 *
 * IRQL: <= DISPATCH_LEVEL. Whether the lock is in force now.
 */
_Use_decl_annotations_
BOOLEAN
JmfConfigLocked(
    VOID
    )
{
    JMF_CONFIG config;

    JmfConfigGet(&config);
    return (BOOLEAN)((config.Flags & JMF_CONFIG_FLAG_LOCKED) != 0);
}
