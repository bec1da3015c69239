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
 * IRQL: PASSIVE_LEVEL (message callback). Config is a kernel copy. Validated
 * by the portable core first; a rejected configuration changes nothing.
 * (Not pageable: it holds a spin lock.)
 */
_Use_decl_annotations_
VOID
JmfConfigSet(
    const JMF_CONFIG *Config,
    JMF_RESULT *Result
    )
{
    KIRQL oldIrql;
    JMF_U32 error;

    RtlZeroMemory(Result, sizeof(*Result));
    Result->RuleIndex = JMF_INDEX_NONE;

    error = JmfValidateConfig(Config);
    if (error != JMF_ERROR_NONE) {
        Result->Status = STATUS_INVALID_PARAMETER;
        Result->Error = error;
    } else {
        oldIrql = ExAcquireSpinLockExclusive(&JmfGlobals.ConfigLock);
        JmfGlobals.Config = *Config;
        ExReleaseSpinLockExclusive(&JmfGlobals.ConfigLock, oldIrql);
        Result->Status = STATUS_SUCCESS;
        Result->Error = JMF_ERROR_NONE;
    }
    Result->Generation = JmfPolicyCurrentGeneration();
}
