/*++

Module Name:

    jmf_stats.c

Abstract:

    Statistics: interlocked 64-bit counters per verdict and per cause
    (asks, timeouts, fallbacks, drops ...), since the driver started, and
    the per-rule match counters of the policy in force (which live in its
    JMF_POLICY_REF). JMF_COMMAND_GET_STATISTICS copies them out.

--*/

#include "jmf_driver.h"

#ifdef ALLOC_PRAGMA
#pragma alloc_text(INIT, JmfStatsInitialize)
#pragma alloc_text(PAGE, JmfStatsGet)
#endif

static volatile LONG64 JmfCounters[JmfStatCount];
static volatile LONG64 JmfVerdicts[JMF_ACTION_COUNT];

/*
 * JmfStatsInitialize
 *
 * IRQL: PASSIVE_LEVEL (DriverEntry, before any callback can count). The
 * counters say "since the driver started", so a load starts them at zero
 * (the emulator loads the driver several times in one process).
 */
_Use_decl_annotations_
VOID
JmfStatsInitialize(
    VOID
    )
{
    RtlZeroMemory((PVOID)JmfCounters, sizeof(JmfCounters));
    RtlZeroMemory((PVOID)JmfVerdicts, sizeof(JmfVerdicts));
}

/*
 * JmfStatsAdd / JmfStatsVerdict / JmfStatsRead
 *
 * IRQL: <= DISPATCH_LEVEL. Lock-free.
 */
_Use_decl_annotations_
VOID
JmfStatsAdd(
    JMF_STAT Stat
    )
{
    if ((ULONG)Stat < (ULONG)JmfStatCount) {
        InterlockedIncrement64(&JmfCounters[Stat]);
    }
}

_Use_decl_annotations_
VOID
JmfStatsVerdict(
    JMF_U32 ActionType
    )
{
    if (ActionType != 0 && ActionType < JMF_ACTION_COUNT) {
        InterlockedIncrement64(&JmfVerdicts[ActionType]);
    }
}

_Use_decl_annotations_
LONG64
JmfStatsRead(
    JMF_STAT Stat
    )
{
    if ((ULONG)Stat >= (ULONG)JmfStatCount) {
        return 0;
    }
    return InterlockedCompareExchange64(&JmfCounters[Stat], 0, 0);
}

/*
 * JmfStatsGet
 *
 * IRQL: PASSIVE_LEVEL (message callback). OutputBuffer is UNTRUSTED user
 * memory (already probed for write by the filter manager and checked for
 * 8-byte alignment by the caller): it is written only inside __try, from a
 * paged kernel buffer filled first. When it cannot hold everything the
 * command fails with STATUS_BUFFER_TOO_SMALL and writes nothing.
 */
_Use_decl_annotations_
NTSTATUS
JmfStatsGet(
    PVOID OutputBuffer,
    ULONG OutputBufferLength,
    PULONG ReturnLength
    )
{
    PJMF_POLICY_REF policy;
    JMF_STATISTICS *stats = NULL;
    JMF_RULE_STATISTICS *rules;
    SIZE_T needed;
    JMF_U32 ruleCount;
    JMF_U32 i;
    NTSTATUS status;

    PAGED_CODE();

    *ReturnLength = 0;
    policy = JmfPolicyAcquire();
    ruleCount = (policy != NULL) ? policy->RuleCount : 0;
    needed = sizeof(JMF_STATISTICS) + (SIZE_T)ruleCount * sizeof(JMF_RULE_STATISTICS);

    if (OutputBuffer == NULL || OutputBufferLength < needed) {
        status = STATUS_BUFFER_TOO_SMALL;
        goto Cleanup;
    }

    stats = (JMF_STATISTICS *)JmfAllocatePaged(needed, JMF_TAG_COMMAND);
    if (stats == NULL) {
        status = STATUS_INSUFFICIENT_RESOURCES;
        goto Cleanup;
    }

    stats->Generation = (policy != NULL) ? policy->Generation : JmfPolicyCurrentGeneration();
    stats->RuleCount = ruleCount;
    stats->Operations = (JMF_U64)JmfStatsRead(JmfStatOperations);
    for (i = 0; i < JMF_ACTION_COUNT; i++) {
        stats->Verdicts[i] = (JMF_U64)InterlockedCompareExchange64(&JmfVerdicts[i], 0, 0);
    }
    stats->Asks = (JMF_U64)JmfStatsRead(JmfStatAsks);
    stats->AskTimeouts = (JMF_U64)JmfStatsRead(JmfStatAskTimeouts);
    stats->AskNoClient = (JMF_U64)JmfStatsRead(JmfStatAskNoClient);
    stats->AskOverLimit = (JMF_U64)JmfStatsRead(JmfStatAskOverLimit);
    stats->AskBadReplies = (JMF_U64)JmfStatsRead(JmfStatAskBadReplies);
    stats->DefaultVerdicts = (JMF_U64)JmfStatsRead(JmfStatDefaultVerdicts);
    stats->RedirectFallbacks = (JMF_U64)JmfStatsRead(JmfStatRedirectFallbacks);
    stats->PostCreateCancels = (JMF_U64)JmfStatsRead(JmfStatPostCreateCancels);
    stats->EventsQueued = (JMF_U64)JmfStatsRead(JmfStatEventsQueued);
    stats->EventsDropped = (JMF_U64)JmfStatsRead(JmfStatEventsDropped);
    stats->PoliciesRejected = (JMF_U64)JmfStatsRead(JmfStatPoliciesRejected);
    stats->AskNotWaited = (JMF_U64)JmfStatsRead(JmfStatAskNotWaited);
    stats->AskCancelled = (JMF_U64)JmfStatsRead(JmfStatAskCancelled);
    stats->RedirectTargetLost = (JMF_U64)JmfStatsRead(JmfStatRedirectTargetLost);
    stats->RedirectRefused = (JMF_U64)JmfStatsRead(JmfStatRedirectRefused);
    stats->AuditOnly = (JMF_U64)JmfStatsRead(JmfStatAuditOnly);

    rules = (JMF_RULE_STATISTICS *)(stats + 1);
    for (i = 0; i < ruleCount; i++) {
        const JMF_RULE *rule = JmfPolicyRule(policy->Policy, i);
        rules[i].RuleId = (rule != NULL) ? rule->RuleId : JMF_RULE_NONE;
        rules[i].Reserved = 0;
        rules[i].Matches = (JMF_U64)InterlockedCompareExchange64(&policy->RuleMatches[i], 0, 0);
    }

    __try {
        RtlCopyMemory(OutputBuffer, stats, needed);
        *ReturnLength = (ULONG)needed;
        status = STATUS_SUCCESS;
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        status = GetExceptionCode();
    }

Cleanup:
    JmfFree(stats, JMF_TAG_COMMAND);
    JmfPolicyRelease(policy);
    return status;
}
