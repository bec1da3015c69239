/*++

Module Name:

    jmf_policy_store.c

Abstract:

    The policy in force and its references.

    JmfGlobals.Policy points to an immutable JMF_POLICY_REF. A callback takes
    a reference under the shared side of an EX_SPIN_LOCK (a few instructions,
    callable up to DISPATCH_LEVEL, never waits on a writer for long) and uses
    the policy for its whole decision, pre- and post-operation alike. A push
    (SET_POLICY) compiles the new policy completely BEFORE taking the lock,
    then swaps the pointer under the exclusive side and drops the store's
    reference to the old one: an in-flight decision keeps its policy, and the
    old policy is freed by whoever releases the last reference. A rejected
    policy never reaches the swap, so the one in force stays.

    Per-rule counters live in the same allocation as the reference, so they
    are sized with the policy and go away with it.

--*/

#include "jmf_driver.h"

#ifdef ALLOC_PRAGMA
#pragma alloc_text(PAGE, JmfPolicyStoreInitialize)
#pragma alloc_text(PAGE, JmfPolicySet)
#pragma alloc_text(PAGE, JmfPolicyStoreShutdown)
#endif

/*
 * The allocator handed to the portable core: non-paged, because matching
 * runs up to DISPATCH_LEVEL (post-operation callbacks). Allocate is called
 * at PASSIVE_LEVEL (compilation); Free at any IRQL <= DISPATCH_LEVEL (the
 * last reference may drop in a post-operation callback).
 */
static void *
JmfCoreAllocate(
    void *Context,
    JMF_U64 Bytes
    )
{
    UNREFERENCED_PARAMETER(Context);
    if (Bytes == 0 || Bytes > (JMF_U64)MAXSIZE_T) {
        return NULL;
    }
    return JmfAllocateNonPaged((SIZE_T)Bytes, JMF_TAG_POLICY);
}

static void
JmfCoreFree(
    void *Context,
    void *Block
    )
{
    UNREFERENCED_PARAMETER(Context);
    JmfFree(Block, JMF_TAG_POLICY);
}

static const JMF_ALLOCATOR JmfCoreAllocator = { JmfCoreAllocate, JmfCoreFree, NULL };

/*
 * JmfPolicyInterestMask
 *
 * IRQL: any (reads the immutable policy). Which operations (pre phase) and
 * whether post-create can match on SOME volume: lets an operation no rule
 * can match skip even the instance-context lookup its volume index needs.
 */
static JMF_U32
JmfPolicyInterestMask(
    _In_ const JMF_POLICY *Policy
    )
{
    static const JMF_U32 operations[] = { JMF_OP_CREATE, JMF_OP_READ, JMF_OP_WRITE, JMF_OP_RENAME, JMF_OP_DELETE };
    JMF_U32 volumes = JmfPolicyVolumeCount(Policy);
    JMF_U32 mask = 0;
    JMF_U32 needs;
    JMF_U32 v;
    JMF_U32 i;

    for (v = 0; v <= volumes; v++) {
        JMF_U16 volume = (v == volumes) ? (JMF_U16)JMF_VOLUME_ANY : (JMF_U16)v;
        for (i = 0; i < RTL_NUMBER_OF(operations); i++) {
            if (JmfPolicyInterested(Policy, JMF_PHASE_PRE, operations[i], volume, &needs)) {
                mask |= operations[i];
            }
        }
        if (JmfPolicyInterested(Policy, JMF_PHASE_POST_CREATE, JMF_OP_CREATE, volume, &needs)) {
            mask |= JMF_INTEREST_POST_CREATE;
        }
    }
    return mask;
}

/*
 * JmfPolicyStoreInitialize
 *
 * IRQL: PASSIVE_LEVEL (DriverEntry). No policy: every operation passes.
 */
_Use_decl_annotations_
VOID
JmfPolicyStoreInitialize(
    VOID
    )
{
    PAGED_CODE();
    ExInitializeFastMutex(&JmfGlobals.PolicyMutex);
    JmfGlobals.PolicyLock = 0;
    JmfGlobals.Policy = NULL;
    JmfGlobals.Generation = 0;
}

/*
 * JmfPolicyAcquire
 *
 * IRQL: <= DISPATCH_LEVEL. Returns a referenced policy, or NULL when none is
 * in force. The only lock any operation takes when no rule can match it.
 */
_Use_decl_annotations_
PJMF_POLICY_REF
JmfPolicyAcquire(
    VOID
    )
{
    PJMF_POLICY_REF ref;
    KIRQL oldIrql;

    oldIrql = ExAcquireSpinLockShared(&JmfGlobals.PolicyLock);
    ref = JmfGlobals.Policy;
    if (ref != NULL) {
        InterlockedIncrement(&ref->RefCount);
    }
    ExReleaseSpinLockShared(&JmfGlobals.PolicyLock, oldIrql);
    return ref;
}

/*
 * JmfPolicyReference
 *
 * IRQL: <= DISPATCH_LEVEL. One more reference to a policy already held.
 */
_Use_decl_annotations_
VOID
JmfPolicyReference(
    PJMF_POLICY_REF Ref
    )
{
    InterlockedIncrement(&Ref->RefCount);
}

/*
 * JmfPolicyRelease
 *
 * IRQL: <= DISPATCH_LEVEL. Drops a reference; the last one frees the
 * compiled policy and its counters (non-paged, so any IRQL up to DISPATCH).
 */
_Use_decl_annotations_
VOID
JmfPolicyRelease(
    PJMF_POLICY_REF Ref
    )
{
    if (Ref == NULL) {
        return;
    }
    if (InterlockedDecrement(&Ref->RefCount) == 0) {
        JmfPolicyFree(Ref->Policy);
        JmfFree(Ref, JMF_TAG_POLICY_REF);
    }
}

/*
 * JmfPolicySwap
 *
 * IRQL: <= APC_LEVEL (raises to DISPATCH_LEVEL inside); the caller holds
 * PolicyMutex. Puts NewRef (which carries the store's reference, or is NULL)
 * in force and drops the store's reference to the previous policy. Returns
 * the generation now in force.
 */
static JMF_U32
JmfPolicySwap(
    _In_opt_ PJMF_POLICY_REF NewRef
    )
{
    PJMF_POLICY_REF oldRef;
    KIRQL oldIrql;
    JMF_U32 generation;

    oldIrql = ExAcquireSpinLockExclusive(&JmfGlobals.PolicyLock);
    oldRef = JmfGlobals.Policy;
    JmfGlobals.Policy = NewRef;
    if (NewRef != NULL) {
        JmfGlobals.Generation = NewRef->Generation;
    } else {
        /* Clearing is a generation of its own, so statistics can tell. */
        JmfGlobals.Generation += 1;
    }
    generation = JmfGlobals.Generation;
    ExReleaseSpinLockExclusive(&JmfGlobals.PolicyLock, oldIrql);

    JmfPolicyRelease(oldRef);
    return generation;
}

/*
 * JmfPolicySet
 *
 * IRQL: PASSIVE_LEVEL (message callback). Body is a KERNEL copy of the
 * SET_POLICY body (never user memory). Validates and compiles it with the
 * portable core, allocates the reference with its per-rule counters, and
 * swaps it in. On any failure the policy in force is untouched and Result
 * names the problem (JMF_ERROR_*, rule index). Pushes are serialised, so
 * generations are consecutive and a rejected policy uses none.
 */
_Use_decl_annotations_
VOID
JmfPolicySet(
    const VOID *Body,
    ULONG Length,
    JMF_RESULT *Result
    )
{
    JMF_POLICY *policy = NULL;
    PJMF_POLICY_REF ref = NULL;
    JMF_U32 error;
    JMF_U32 ruleCount;
    JMF_U32 generation;
    SIZE_T bytes;

    PAGED_CODE();

    RtlZeroMemory(Result, sizeof(*Result));
    Result->RuleIndex = JMF_INDEX_NONE;

    ExAcquireFastMutex(&JmfGlobals.PolicyMutex);
    generation = JmfGlobals.Generation + 1;
    error = JmfPolicyCompile(Body, Length, generation, &JmfCoreAllocator, &policy, Result);
    if (error != JMF_ERROR_NONE) {
        policy = NULL;
        if (Result->Error == JMF_ERROR_NONE) {
            Result->Error = error;
        }
        if (NT_SUCCESS(Result->Status)) {
            Result->Status = STATUS_INVALID_PARAMETER;
        }
        goto Cleanup;
    }

    ruleCount = JmfPolicyRuleCount(policy);
    bytes = sizeof(JMF_POLICY_REF) + (SIZE_T)ruleCount * sizeof(LONG64);
    ref = (PJMF_POLICY_REF)JmfAllocateNonPaged(bytes, JMF_TAG_POLICY_REF);
    if (ref == NULL) {
        Result->Status = STATUS_INSUFFICIENT_RESOURCES;
        Result->Error = JMF_ERROR_NO_MEMORY;
        goto Cleanup;
    }
    ref->RefCount = 1;                  /* the store's reference */
    ref->Generation = generation;
    ref->Policy = policy;
    ref->RuleCount = ruleCount;
    ref->InterestMask = JmfPolicyInterestMask(policy);
    ref->RuleMatches = (volatile LONG64 *)(ref + 1);
    policy = NULL;                      /* owned by ref now */

    Result->Status = STATUS_SUCCESS;
    Result->Error = JMF_ERROR_NONE;
    Result->RuleIndex = JMF_INDEX_NONE;
    Result->Generation = JmfPolicySwap(ref);
    ref = NULL;

Cleanup:
    if (policy != NULL) {
        JmfPolicyFree(policy);
    }
    if (Result->Error != JMF_ERROR_NONE) {
        JmfStatsAdd(JmfStatPoliciesRejected);
        Result->Generation = JmfPolicyCurrentGeneration();
    }
    ExReleaseFastMutex(&JmfGlobals.PolicyMutex);
}

/*
 * JmfPolicyClear
 *
 * IRQL: <= APC_LEVEL. No policy in force (OnDisconnect = CLEAR_POLICY).
 */
_Use_decl_annotations_
VOID
JmfPolicyClear(
    VOID
    )
{
    ExAcquireFastMutex(&JmfGlobals.PolicyMutex);
    (VOID)JmfPolicySwap(NULL);
    ExReleaseFastMutex(&JmfGlobals.PolicyMutex);
}

/*
 * JmfPolicyCurrentGeneration
 *
 * IRQL: <= DISPATCH_LEVEL. The generation of the policy in force (or of the
 * last clear); 0 before the first SET_POLICY.
 */
_Use_decl_annotations_
JMF_U32
JmfPolicyCurrentGeneration(
    VOID
    )
{
    PJMF_POLICY_REF ref;
    JMF_U32 generation;
    KIRQL oldIrql;

    oldIrql = ExAcquireSpinLockShared(&JmfGlobals.PolicyLock);
    ref = JmfGlobals.Policy;
    generation = (ref != NULL) ? ref->Generation : JmfGlobals.Generation;
    ExReleaseSpinLockShared(&JmfGlobals.PolicyLock, oldIrql);
    return generation;
}

/*
 * JmfPolicyStoreShutdown
 *
 * IRQL: PASSIVE_LEVEL (unload, after FltUnregisterFilter: no callback holds
 * a reference any more). Frees the policy in force.
 */
_Use_decl_annotations_
VOID
JmfPolicyStoreShutdown(
    VOID
    )
{
    PAGED_CODE();
    ExAcquireFastMutex(&JmfGlobals.PolicyMutex);
    (VOID)JmfPolicySwap(NULL);
    ExReleaseFastMutex(&JmfGlobals.PolicyMutex);
}
