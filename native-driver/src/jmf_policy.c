/*++

Module Name:

    jmf_policy.c

Abstract:

    JmfPolicyCompile: complete validation of a SET_POLICY body and its
    compilation into a JMF_POLICY (the lookup structures themselves are built
    by jmf_policy_index.c), JmfPolicyFree and the accessors.

    Validation order, so the first problem reported is deterministic:
      1. the header and the sections, read from the caller's body with memcpy
         (it need not be aligned) before anything is allocated;
      2. the copy of the body (aligned by the allocator) and a scratch set of
         rule ids are allocated;
      3. the volume table (each name: string, no NUL, a name
         FltGetVolumeName can return, unique), then every rule in order (its
         id, operations, volume, match flags, create-only matches, path,
         image (each: string, well formed, can match), action);
      4. a policy-level audit-only flag is copied onto the rules it applies to.
    Any failure frees everything allocated so far through the single cleanup
    path (JmfPolicyFree) and reports JMF_ERROR_* with the rule's index.

    Environment: PASSIVE_LEVEL (it allocates); no locks, no global state.

--*/

#include "jmf_policy_internal.h"

/* The create dispositions a rule's Dispositions mask may name. */

/* Empty marker of the rule id set: JMF_RULE_NONE is never a valid id. */
#define JMF_ID_EMPTY JMF_RULE_NONE

static void
JmfSetResult(
    JMF_RESULT *Result,
    JMF_U32 Error,
    JMF_U32 RuleIndex
    )
{
    if (Result == 0) {
        return;
    }
    Result->Error = Error;
    Result->RuleIndex = RuleIndex;
    if (Error == JMF_ERROR_NONE) {
        Result->Status = JMF_STATUS_SUCCESS;
    } else if (Error == JMF_ERROR_NO_MEMORY) {
        Result->Status = JMF_STATUS_INSUFFICIENT_RESOURCES;
    } else {
        Result->Status = JMF_STATUS_INVALID_PARAMETER;
    }
}

/* Is [Offset, Offset + Bytes) an 8-aligned section after the header and inside Total? */
static JMF_BOOL
JmfSectionInside(
    JMF_U32 Offset,
    JMF_U64 Bytes,
    JMF_U32 Total
    )
{
    return (JMF_BOOL)((Offset & 7u) == 0 && Offset >= sizeof(JMF_POLICY_HEADER) &&
                      (JMF_U64)Offset + Bytes <= Total);
}

/* Do two non-empty sections overlap? Empty sections overlap nothing. */
static JMF_BOOL
JmfSectionsOverlap(
    JMF_U32 OffsetA,
    JMF_U64 BytesA,
    JMF_U32 OffsetB,
    JMF_U64 BytesB
    )
{
    if (BytesA == 0 || BytesB == 0) {
        return 0;
    }
    return (JMF_BOOL)((JMF_U64)OffsetA < (JMF_U64)OffsetB + BytesB &&
                      (JMF_U64)OffsetB < (JMF_U64)OffsetA + BytesA);
}

static JMF_U32
JmfHeaderValidate(
    const void *Body,
    JMF_U32 Length,
    JMF_POLICY_HEADER *Header
    )
{
    JMF_U64 ruleBytes;
    JMF_U64 volumeBytes;

    if (Body == 0 || Length < sizeof(JMF_POLICY_HEADER)) {
        return JMF_ERROR_TRUNCATED;
    }
    memcpy(Header, Body, sizeof(*Header));
    if (Header->Magic != JMF_POLICY_MAGIC) {
        return JMF_ERROR_BAD_MAGIC;
    }
    if (Header->Version != JMF_POLICY_VERSION) {
        return JMF_ERROR_BAD_VERSION;
    }
    if ((Header->Flags & ~JMF_POLICY_FLAGS_VALID) != 0 || Header->Reserved2 != 0) {
        return JMF_ERROR_RESERVED;
    }
    if (Header->TotalLength > Length) {
        return JMF_ERROR_TRUNCATED;
    }
    if (Header->TotalLength != Length || Length > JMF_MAX_POLICY_BYTES) {
        return JMF_ERROR_BAD_LENGTH;
    }
    if (Header->RuleCount > JMF_MAX_RULES) {
        return JMF_ERROR_TOO_MANY_RULES;
    }
    if (Header->VolumeCount > JMF_MAX_VOLUMES) {
        return JMF_ERROR_TOO_MANY_VOLUMES;
    }
    if ((Header->StringBytes & 1u) != 0) {
        return JMF_ERROR_BAD_LENGTH;
    }
    ruleBytes = (JMF_U64)Header->RuleCount * sizeof(JMF_RULE);
    volumeBytes = (JMF_U64)Header->VolumeCount * sizeof(JMF_VOLUME);
    if (!JmfSectionInside(Header->RuleOffset, ruleBytes, Length) ||
        !JmfSectionInside(Header->VolumeOffset, volumeBytes, Length) ||
        !JmfSectionInside(Header->StringOffset, Header->StringBytes, Length)) {
        return JMF_ERROR_BAD_SECTION;
    }
    if (JmfSectionsOverlap(Header->RuleOffset, ruleBytes, Header->VolumeOffset, volumeBytes) ||
        JmfSectionsOverlap(Header->RuleOffset, ruleBytes, Header->StringOffset, Header->StringBytes) ||
        JmfSectionsOverlap(Header->VolumeOffset, volumeBytes, Header->StringOffset, Header->StringBytes)) {
        return JMF_ERROR_BAD_SECTION;
    }
    return JMF_ERROR_NONE;
}

/* A string ref: even, inside the table, at most MaxChars code units. */
static JMF_U32
JmfStringValidate(
    const JMF_POLICY *Policy,
    const JMF_STRING_REF *Ref,
    JMF_U32 MaxChars
    )
{
    if ((Ref->Offset & 1u) != 0 || (Ref->Length & 1u) != 0) {
        return JMF_ERROR_BAD_STRING;
    }
    if ((JMF_U64)Ref->Offset + Ref->Length > (JMF_U64)Policy->StringChars * 2u) {
        return JMF_ERROR_BAD_STRING;
    }
    if (Ref->Length / 2u > MaxChars) {
        return JMF_ERROR_BAD_STRING;
    }
    return JMF_ERROR_NONE;
}

static const JMF_U16 *
JmfStringAt(
    const JMF_POLICY *Policy,
    const JMF_STRING_REF *Ref
    )
{
    return Policy->Strings + Ref->Offset / 2u;
}

/* A pattern ref: a valid string, a well-formed pattern, one a name of Kind (JMF_NAME_*) can match. */
static JMF_U32
JmfPatternRefValidate(
    const JMF_POLICY *Policy,
    const JMF_STRING_REF *Ref,
    JMF_U32 Kind
    )
{
    JMF_U32 error = JmfStringValidate(Policy, Ref, JMF_MAX_PATTERN_CHARS);

    if (error != JMF_ERROR_NONE) {
        return error;
    }
    error = JmfPatternValidate(JmfStringAt(Policy, Ref), Ref->Length / 2u);
    if (error != JMF_ERROR_NONE) {
        return error;
    }
    if (JmfPatternNeverMatches(JmfStringAt(Policy, Ref), Ref->Length / 2u, Kind)) {
        return JMF_ERROR_NEVER_MATCHES;
    }
    return JMF_ERROR_NONE;
}

/*
 * Volume names: 1 .. JMF_MAX_VOLUME_CHARS code units, no NUL, a name
 * FltGetVolumeName can return, no two alike.
 */
static JMF_U32
JmfVolumesValidate(
    const JMF_POLICY *Policy
    )
{
    JMF_U32 v;
    JMF_U32 w;
    JMF_U32 i;

    for (v = 0; v < Policy->VolumeCount; v++) {
        const JMF_STRING_REF *name = &Policy->Volumes[v].Name;
        const JMF_U16 *chars;

        if (name->Length == 0 || JmfStringValidate(Policy, name, JMF_MAX_VOLUME_CHARS) != JMF_ERROR_NONE) {
            return JMF_ERROR_BAD_STRING;
        }
        chars = JmfStringAt(Policy, name);
        for (i = 0; i < name->Length / 2u; i++) {
            if (chars[i] == 0) {
                return JMF_ERROR_BAD_STRING;
            }
        }
        if (JmfVolumeNameNeverMatches(chars, name->Length / 2u)) {
            return JMF_ERROR_NEVER_MATCHES;
        }
        for (w = 0; w < v; w++) {
            const JMF_STRING_REF *other = &Policy->Volumes[w].Name;

            if (other->Length == name->Length &&
                JmfFoldEqual(JmfStringAt(Policy, other), chars, name->Length / 2u)) {
                return JMF_ERROR_BAD_VOLUME;
            }
        }
    }
    return JMF_ERROR_NONE;
}

static JMF_U32
JmfIdHash(
    JMF_U32 Id
    )
{
    Id ^= Id >> 16;
    Id *= 0x7FEB352Du;
    Id ^= Id >> 15;
    Id *= 0x846CA68Bu;
    Id ^= Id >> 16;
    return Id;
}

/* Adds Id to the set; 0 when it was already there. */
static JMF_BOOL
JmfIdInsert(
    JMF_U32 *Set,
    JMF_U32 Mask,
    JMF_U32 Id
    )
{
    JMF_U32 b = JmfIdHash(Id) & Mask;

    while (Set[b] != JMF_ID_EMPTY) {
        if (Set[b] == Id) {
            return 0;
        }
        b = (b + 1u) & Mask;
    }
    Set[b] = Id;
    return 1;
}

static JMF_U32
JmfRuleValidate(
    const JMF_POLICY *Policy,
    const JMF_RULE *Rule,
    JMF_U32 *IdSet,
    JMF_U32 IdMask
    )
{
    JMF_U32 error;

    if (Rule->RuleId == JMF_RULE_NONE || !JmfIdInsert(IdSet, IdMask, Rule->RuleId)) {
        return JMF_ERROR_BAD_RULE_ID;
    }
    if (Rule->Operations == 0 || (Rule->Operations & ~JMF_OP_ALL) != 0) {
        return JMF_ERROR_BAD_OPERATIONS;
    }
    if (Rule->Volume != JMF_VOLUME_ANY && Rule->Volume >= Policy->VolumeCount) {
        return JMF_ERROR_BAD_VOLUME;
    }
    if ((Rule->MatchFlags & ~JMF_MATCH_FLAGS_VALID) != 0 ||
        (Rule->MatchFlags & (JMF_MATCH_DIRECTORY | JMF_MATCH_NON_DIRECTORY)) ==
            (JMF_MATCH_DIRECTORY | JMF_MATCH_NON_DIRECTORY) ||
        (Rule->MatchFlags != 0 && Rule->Operations != JMF_OP_CREATE)) {
        return JMF_ERROR_BAD_FLAGS;
    }
    if ((Rule->Dispositions & ~JMF_DISPOSITIONS_VALID) != 0) {
        return JMF_ERROR_BAD_FLAGS;
    }
    /* DesiredAccess and Dispositions describe a create: only on CREATE-only rules. */
    if ((Rule->DesiredAccess != 0 || Rule->Dispositions != 0) && Rule->Operations != JMF_OP_CREATE) {
        return JMF_ERROR_BAD_OPERATIONS;
    }
    error = JmfPatternRefValidate(Policy, &Rule->Path, JMF_NAME_PATH);
    if (error != JMF_ERROR_NONE) {
        return error;
    }
    error = JmfPatternRefValidate(Policy, &Rule->Image, JMF_NAME_IMAGE);
    if (error != JMF_ERROR_NONE) {
        return error;
    }
    return JmfActionValidate(&Rule->Action, Rule->Operations, JmfRulePhase(Rule), Rule->Volume,
                             Policy->VolumeCount, 0);
}

/*
 * Loop protection for REDIRECT by reparse, decided when the policy is
 * compiled: the reopen a reparse rule causes arrives on its target volume,
 * so no reparse rule may start there (JMF_ERROR_BAD_VOLUME on the first
 * reparse rule, in order, whose target volume is another reparse rule's
 * volume, itself included). With every reparse rule naming its volume
 * (JmfActionValidate) a reopen can never be redirected again by this
 * driver: no chain, no cycle. JMF_MAX_VOLUMES is 64: one bit each.
 */
static JMF_U32
JmfReparseChainsValidate(
    const JMF_POLICY *Policy,
    JMF_U32 *RuleIndex
    )
{
    JMF_U64 sources = 0;
    JMF_U32 i;

    for (i = 0; i < Policy->RuleCount; i++) {
        const JMF_RULE *rule = &Policy->Rules[i];
        if (rule->Action.Type == JMF_ACTION_REDIRECT && (rule->Action.Flags & JMF_ACTION_FLAG_REPARSE) != 0) {
            sources |= (JMF_U64)1 << rule->Volume;      /* < JMF_MAX_VOLUMES: validated */
        }
    }
    for (i = 0; i < Policy->RuleCount; i++) {
        const JMF_RULE *rule = &Policy->Rules[i];
        if (rule->Action.Type == JMF_ACTION_REDIRECT && (rule->Action.Flags & JMF_ACTION_FLAG_REPARSE) != 0 &&
            (sources & ((JMF_U64)1 << rule->Action.TargetVolume)) != 0) {
            *RuleIndex = i;
            return JMF_ERROR_BAD_VOLUME;
        }
    }
    return JMF_ERROR_NONE;
}

/* Validates every rule in order; *RuleIndex receives the first at fault. */
static JMF_U32
JmfRulesValidate(
    JMF_POLICY *Policy,
    JMF_U32 *RuleIndex
    )
{
    const JMF_ALLOCATOR *allocator = &Policy->Allocator;
    JMF_U32 *idSet;
    JMF_U32 buckets = 16;
    JMF_U32 i;
    JMF_U32 error = JMF_ERROR_NONE;

    *RuleIndex = JMF_INDEX_NONE;
    if (Policy->RuleCount == 0) {
        return JMF_ERROR_NONE;
    }
    while (buckets < Policy->RuleCount * 2u) {
        buckets <<= 1;
    }
    idSet = (JMF_U32 *)allocator->Allocate(allocator->Context, (JMF_U64)buckets * sizeof(JMF_U32));
    if (idSet == 0) {
        return JMF_ERROR_NO_MEMORY;
    }
    memset(idSet, 0xFF, (JMF_U64)buckets * sizeof(JMF_U32));
    for (i = 0; i < Policy->RuleCount; i++) {
        error = JmfRuleValidate(Policy, &Policy->Rules[i], idSet, buckets - 1u);
        if (error != JMF_ERROR_NONE) {
            *RuleIndex = i;
            break;
        }
    }
    allocator->Free(allocator->Context, idSet);
    if (error == JMF_ERROR_NONE) {
        error = JmfReparseChainsValidate(Policy, RuleIndex);
    }
    return error;
}

/*
 * A policy-level JMF_POLICY_FLAG_AUDIT_ONLY applies to every rule: once the
 * rules are validated (as written), the flag is set on each rule of the
 * private copy whose action audit-only applies to, so matching and the
 * kernel glue look at the rule alone.
 */
static void
JmfApplyPolicyAuditOnly(
    JMF_POLICY *Policy,
    JMF_U8 *Rules
    )
{
    JMF_U32 i;

    for (i = 0; i < Policy->RuleCount; i++) {
        JMF_RULE *rule = (JMF_RULE *)(void *)(Rules + (JMF_U64)i * sizeof(JMF_RULE));

        if (JmfActionMayBeAuditOnly(rule->Action.Type)) {
            rule->Action.Flags |= JMF_ACTION_FLAG_AUDIT_ONLY;
        }
    }
}

JMF_U32
JmfPolicyCompile(
    const void *Body,
    JMF_U32 Length,
    JMF_U32 Generation,
    const JMF_ALLOCATOR *Allocator,
    JMF_POLICY **Policy,
    JMF_RESULT *Result
    )
{
    JMF_POLICY_HEADER header;
    JMF_POLICY *policy = 0;
    JMF_U8 *copy;
    JMF_U32 ruleIndex = JMF_INDEX_NONE;
    JMF_U32 error;

    *Policy = 0;
    error = JmfHeaderValidate(Body, Length, &header);
    if (error != JMF_ERROR_NONE) {
        goto Cleanup;
    }

    policy = (JMF_POLICY *)Allocator->Allocate(Allocator->Context, sizeof(JMF_POLICY));
    if (policy == 0) {
        error = JMF_ERROR_NO_MEMORY;
        goto Cleanup;
    }
    policy->Allocator = *Allocator;
    policy->Generation = Generation;
    policy->Body = Allocator->Allocate(Allocator->Context, Length);
    if (policy->Body == 0) {
        error = JMF_ERROR_NO_MEMORY;
        goto Cleanup;
    }
    copy = (JMF_U8 *)policy->Body;
    memcpy(copy, Body, Length);
    policy->RuleCount = header.RuleCount;
    policy->VolumeCount = header.VolumeCount;
    policy->StringChars = header.StringBytes / 2u;
    policy->Rules = (const JMF_RULE *)(const void *)(copy + header.RuleOffset);
    policy->Volumes = (const JMF_VOLUME *)(const void *)(copy + header.VolumeOffset);
    policy->Strings = (const JMF_U16 *)(const void *)(copy + header.StringOffset);

    error = JmfVolumesValidate(policy);
    if (error != JMF_ERROR_NONE) {
        goto Cleanup;
    }
    error = JmfRulesValidate(policy, &ruleIndex);
    if (error != JMF_ERROR_NONE) {
        goto Cleanup;
    }
    if ((header.Flags & JMF_POLICY_FLAG_AUDIT_ONLY) != 0) {
        JmfApplyPolicyAuditOnly(policy, copy + header.RuleOffset);
    }
    error = JmfIndexBuild(policy);

Cleanup:
    if (error != JMF_ERROR_NONE) {
        if (policy != 0) {
            JmfPolicyFree(policy);
        }
        JmfSetResult(Result, error, ruleIndex);
        return error;
    }
    JmfSetResult(Result, JMF_ERROR_NONE, JMF_INDEX_NONE);
    *Policy = policy;
    return JMF_ERROR_NONE;
}

void
JmfPolicyFree(
    JMF_POLICY *Policy
    )
{
    JMF_ALLOCATOR allocator;

    if (Policy == 0) {
        return;
    }
    allocator = Policy->Allocator;
    JmfKeyTableFree(&allocator, &Policy->Index);
    if (Policy->Lists != 0) {
        allocator.Free(allocator.Context, Policy->Lists);
    }
    if (Policy->Body != 0) {
        allocator.Free(allocator.Context, Policy->Body);
    }
    allocator.Free(allocator.Context, Policy);
}

JMF_U32
JmfPolicyGeneration(
    const JMF_POLICY *Policy
    )
{
    return Policy->Generation;
}

JMF_U32
JmfPolicyRuleCount(
    const JMF_POLICY *Policy
    )
{
    return Policy->RuleCount;
}

const JMF_RULE *
JmfPolicyRule(
    const JMF_POLICY *Policy,
    JMF_U32 Index
    )
{
    return Index < Policy->RuleCount ? &Policy->Rules[Index] : 0;
}

JMF_U32
JmfPolicyVolumeCount(
    const JMF_POLICY *Policy
    )
{
    return Policy->VolumeCount;
}

const JMF_U16 *
JmfPolicyVolumeName(
    const JMF_POLICY *Policy,
    JMF_U32 Index,
    JMF_U32 *Chars
    )
{
    if (Index >= Policy->VolumeCount) {
        *Chars = 0;
        return 0;
    }
    *Chars = Policy->Volumes[Index].Name.Length / 2u;
    return JmfStringAt(Policy, &Policy->Volumes[Index].Name);
}

JMF_U16
JmfPolicyFindVolume(
    const JMF_POLICY *Policy,
    const JMF_U16 *Name,
    JMF_U32 Chars
    )
{
    JMF_U32 v;

    for (v = 0; v < Policy->VolumeCount; v++) {
        const JMF_STRING_REF *ref = &Policy->Volumes[v].Name;

        if (ref->Length / 2u == Chars && JmfFoldEqual(JmfStringAt(Policy, ref), Name, Chars)) {
            return (JMF_U16)v;
        }
    }
    return JMF_VOLUME_ANY;
}
