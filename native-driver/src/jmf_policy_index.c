/*++

Module Name:

    jmf_policy_index.c

Abstract:

    The lookup structures of a compiled policy and the two questions asked
    of them on the I/O path: JmfPolicyInterested (could any rule apply?) and
    JmfPolicyMatch (which rule decides?).

    Index. A rule is tried in one phase and for each operation it names: one
    slot per (phase, operation). For each slot the rules are split:
      - keyed rules: the path pattern starts with a literal key, i.e. the
        folded text up to and including the last '\' before its first
        wildcard (the whole pattern when it has no wildcard). Every path the
        pattern can match starts with that key (or, for a literal pattern,
        is it), so the rule only needs trying when the path has the key
        as a '\'-terminated prefix (or as its whole text);
      - unindexed rules: no path pattern, or a pattern with no literal key
        ("**\*.tmp", "*.txt"); tried for every path.
    Keys live in one open-addressing hash table keyed on (slot, folded key);
    each entry holds the ascending list of its rules.

    Match. Walk the path once, hashing it incrementally; at every '\' (and
    at the end) look the prefix up. The answer is the lowest rule index that
    fully matches among the unindexed list and the lists found; every list
    is ascending, so each scan stops at the first full match or at the best
    index found so far. The cost depends on the path's depth and on how many
    rules share its prefixes, not on how many rules the policy has.

    Interest. Per slot and volume, a byte says whether any rule can match
    there and whether one has a path or image pattern: no string work.

    Environment: JmfIndexBuild at PASSIVE_LEVEL (it allocates); the rest at
    any IRQL <= DISPATCH_LEVEL, reading only the immutable policy.

--*/

#include "jmf_policy_internal.h"

JMF_U32
JmfSlotOf(
    JMF_U32 Phase,
    JMF_U32 Operation
    )
{
    if (Phase == JMF_PHASE_POST_CREATE) {
        return Operation == JMF_OP_CREATE ? JMF_SLOT_POST_CREATE : JMF_SLOT_NONE;
    }
    if (Phase != JMF_PHASE_PRE) {
        return JMF_SLOT_NONE;
    }
    switch (Operation) {
    case JMF_OP_CREATE: return 0;
    case JMF_OP_READ:   return 1;
    case JMF_OP_WRITE:  return 2;
    case JMF_OP_RENAME: return 3;
    case JMF_OP_DELETE: return 4;
    default:            return JMF_SLOT_NONE;
    }
}

JMF_U32
JmfRulePhase(
    const JMF_RULE *Rule
    )
{
    return ((Rule->Action.Flags & JMF_ACTION_FLAG_POST_CREATE) != 0 || Rule->MatchFlags != 0)
        ? JMF_PHASE_POST_CREATE : JMF_PHASE_PRE;
}

/* The slots of a validated rule, as a bit set (bit s = slot s). */
static JMF_U32
JmfRuleSlots(
    const JMF_RULE *Rule
    )
{
    if (JmfRulePhase(Rule) == JMF_PHASE_POST_CREATE) {
        return 1u << JMF_SLOT_POST_CREATE;
    }
    return Rule->Operations & JMF_OP_ALL;   /* pre-op slot s is operation bit s */
}

static JMF_U32
JmfKeyHash(
    const JMF_U16 *Key,
    JMF_U32 Chars,
    JMF_U32 Slot
    )
{
    JMF_U32 state = JMF_HASH_SEED;
    JMF_U32 i;

    for (i = 0; i < Chars; i++) {
        state = JmfHashStep(state, JmfFold(Key[i]));
    }
    return JmfHashFinish(state, Slot);
}

/* The entry of (Slot, Key) or 0. */
static const JMF_INDEX_ENTRY *
JmfIndexFind(
    const JMF_POLICY *Policy,
    JMF_U32 Hash,
    JMF_U32 Slot,
    const JMF_U16 *Key,
    JMF_U32 Chars
    )
{
    JMF_U32 b = Hash & Policy->BucketMask;
    JMF_U32 e;

    while ((e = Policy->Buckets[b]) != 0) {
        const JMF_INDEX_ENTRY *entry = &Policy->Entries[e - 1u];

        if (entry->Hash == Hash && entry->Slot == Slot && entry->KeyChars == Chars &&
            JmfFoldEqual(Policy->Strings + entry->KeyOffset, Key, Chars)) {
            return entry;
        }
        b = (b + 1u) & Policy->BucketMask;
    }
    return 0;
}

/* The entry of (Slot, Key), added (with an empty list) when missing. */
static JMF_INDEX_ENTRY *
JmfIndexAdd(
    JMF_POLICY *Policy,
    JMF_U32 Slot,
    JMF_U32 KeyOffset,
    JMF_U32 Chars
    )
{
    const JMF_U16 *key = Policy->Strings + KeyOffset;
    JMF_U32 hash = JmfKeyHash(key, Chars, Slot);
    JMF_U32 b = hash & Policy->BucketMask;
    JMF_U32 e;
    JMF_INDEX_ENTRY *entry;

    while ((e = Policy->Buckets[b]) != 0) {
        entry = &Policy->Entries[e - 1u];
        if (entry->Hash == hash && entry->Slot == Slot && entry->KeyChars == Chars &&
            JmfFoldEqual(Policy->Strings + entry->KeyOffset, key, Chars)) {
            return entry;
        }
        b = (b + 1u) & Policy->BucketMask;
    }
    entry = &Policy->Entries[Policy->EntryCount];
    entry->Hash = hash;
    entry->KeyOffset = KeyOffset;
    entry->KeyChars = (JMF_U16)Chars;
    entry->Slot = (JMF_U16)Slot;
    Policy->EntryCount++;
    Policy->Buckets[b] = Policy->EntryCount;
    return entry;
}

static JMF_U32
JmfRuleKeyChars(
    const JMF_POLICY *Policy,
    const JMF_RULE *Rule
    )
{
    JMF_BOOL literal;

    if (Rule->Path.Length == 0) {
        return 0;
    }
    return JmfPatternKeyChars(Policy->Strings + Rule->Path.Offset / 2u, Rule->Path.Length / 2u, &literal);
}

/*
 * JmfIndexBuild
 *
 * Three passes over the rules in order: count keyed and unindexed rules per
 * slot; create the entries and count their lists; fill the lists. Filling
 * in rule order leaves every list ascending.
 */
JMF_U32
JmfIndexBuild(
    JMF_POLICY *Policy
    )
{
    const JMF_ALLOCATOR *allocator = &Policy->Allocator;
    JMF_U32 keyed = 0;
    JMF_U32 unindexed = 0;
    JMF_U32 buckets = 16;
    JMF_U32 next;
    JMF_U32 i;
    JMF_U32 s;
    JMF_U32 v;

    for (i = 0; i < Policy->RuleCount; i++) {
        const JMF_RULE *rule = &Policy->Rules[i];
        JMF_U32 slots = JmfRuleSlots(rule);
        JMF_U32 keyChars = JmfRuleKeyChars(Policy, rule);
        JMF_U8 interest = (JMF_U8)(JMF_INTEREST_ANY |
                                   (rule->Path.Length != 0 ? JMF_NEED_PATH : 0u) |
                                   (rule->Image.Length != 0 ? JMF_NEED_IMAGE : 0u));

        for (s = 0; s < JMF_SLOT_COUNT; s++) {
            if ((slots & (1u << s)) == 0) {
                continue;
            }
            if (keyChars != 0) {
                keyed++;
                Policy->Slots[s].IndexedCount++;
                if (keyChars > Policy->Slots[s].MaxKeyChars) {
                    Policy->Slots[s].MaxKeyChars = keyChars;
                }
            } else {
                unindexed++;
                Policy->Slots[s].UnindexedCount++;
            }
            if (rule->Volume == JMF_VOLUME_ANY) {
                for (v = 0; v <= JMF_MAX_VOLUMES; v++) {
                    Policy->Interest[s][v] |= interest;
                }
            } else {
                Policy->Interest[s][rule->Volume] |= interest;
            }
        }
    }

    while (buckets < keyed * 2u) {
        buckets <<= 1;
    }
    Policy->Lists = (JMF_U32 *)allocator->Allocate(allocator->Context,
                                                   ((JMF_U64)keyed + unindexed + 1u) * sizeof(JMF_U32));
    if (Policy->Lists == 0) {
        return JMF_ERROR_NO_MEMORY;
    }
    Policy->Entries = (JMF_INDEX_ENTRY *)allocator->Allocate(allocator->Context,
                                                             ((JMF_U64)keyed + 1u) * sizeof(JMF_INDEX_ENTRY));
    if (Policy->Entries == 0) {
        return JMF_ERROR_NO_MEMORY;
    }
    Policy->Buckets = (JMF_U32 *)allocator->Allocate(allocator->Context, (JMF_U64)buckets * sizeof(JMF_U32));
    if (Policy->Buckets == 0) {
        return JMF_ERROR_NO_MEMORY;
    }
    Policy->BucketMask = buckets - 1u;

    /* Unindexed lists first, slot after slot; counts are rebuilt while filling. */
    next = 0;
    for (s = 0; s < JMF_SLOT_COUNT; s++) {
        Policy->Slots[s].UnindexedStart = next;
        next += Policy->Slots[s].UnindexedCount;
        Policy->Slots[s].UnindexedCount = 0;
    }

    for (i = 0; i < Policy->RuleCount; i++) {
        const JMF_RULE *rule = &Policy->Rules[i];
        JMF_U32 slots = JmfRuleSlots(rule);
        JMF_U32 keyChars = JmfRuleKeyChars(Policy, rule);

        for (s = 0; s < JMF_SLOT_COUNT; s++) {
            if ((slots & (1u << s)) == 0) {
                continue;
            }
            if (keyChars != 0) {
                JmfIndexAdd(Policy, s, rule->Path.Offset / 2u, keyChars)->ListCount++;
            } else {
                JMF_POLICY_SLOT *slot = &Policy->Slots[s];

                Policy->Lists[slot->UnindexedStart + slot->UnindexedCount++] = i;
            }
        }
    }

    for (i = 0; i < Policy->EntryCount; i++) {
        Policy->Entries[i].ListStart = next;
        next += Policy->Entries[i].ListCount;
        Policy->Entries[i].ListCount = 0;
    }

    for (i = 0; i < Policy->RuleCount; i++) {
        const JMF_RULE *rule = &Policy->Rules[i];
        JMF_U32 slots = JmfRuleSlots(rule);
        JMF_U32 keyChars = JmfRuleKeyChars(Policy, rule);

        if (keyChars == 0) {
            continue;
        }
        for (s = 0; s < JMF_SLOT_COUNT; s++) {
            if ((slots & (1u << s)) != 0) {
                JMF_INDEX_ENTRY *entry = JmfIndexAdd(Policy, s, rule->Path.Offset / 2u, keyChars);

                Policy->Lists[entry->ListStart + entry->ListCount++] = i;
            }
        }
    }
    return JMF_ERROR_NONE;
}

static JMF_U32
JmfInterestColumn(
    const JMF_POLICY *Policy,
    JMF_U16 Volume
    )
{
    return Volume < Policy->VolumeCount ? Volume : JMF_INTEREST_UNNAMED;
}

JMF_BOOL
JmfPolicyInterested(
    const JMF_POLICY *Policy,
    JMF_U32 Phase,
    JMF_U32 Operation,
    JMF_U16 Volume,
    JMF_U32 *Needs
    )
{
    JMF_U32 slot = JmfSlotOf(Phase, Operation);
    JMF_U32 interest;

    *Needs = 0;
    if (Policy == 0 || slot == JMF_SLOT_NONE) {
        return 0;
    }
    interest = Policy->Interest[slot][JmfInterestColumn(Policy, Volume)];
    if ((interest & JMF_INTEREST_ANY) == 0) {
        return 0;
    }
    *Needs = interest & (JMF_NEED_PATH | JMF_NEED_IMAGE);
    return 1;
}

/* A non-empty pattern never matches a string the caller did not fetch. */
static JMF_BOOL
JmfRefMatches(
    const JMF_POLICY *Policy,
    const JMF_STRING_REF *Pattern,
    const JMF_U16 *Text,
    JMF_U32 TextChars
    )
{
    if (Pattern->Length == 0) {
        return 1;
    }
    if (TextChars == 0 || Text == 0) {
        return 0;
    }
    return JmfPatternMatch(Policy->Strings + Pattern->Offset / 2u, Pattern->Length / 2u, Text, TextChars);
}

/* Does the rule (already known to be of the facts' slot) match every fact? */
static JMF_BOOL
JmfRuleMatches(
    const JMF_POLICY *Policy,
    const JMF_RULE *Rule,
    const JMF_OPERATION_FACTS *Facts
    )
{
    if (Rule->Volume != JMF_VOLUME_ANY && Rule->Volume != Facts->Volume) {
        return 0;
    }
    if (Rule->ProcessId != 0 && Rule->ProcessId != Facts->ProcessId) {
        return 0;
    }
    if (Rule->DesiredAccess != 0 && (Rule->DesiredAccess & Facts->DesiredAccess) == 0) {
        return 0;
    }
    if (Rule->Dispositions != 0 &&
        (Facts->CreateDisposition > JMF_FILE_MAXIMUM_DISPOSITION ||
         (Rule->Dispositions & (1u << Facts->CreateDisposition)) == 0)) {
        return 0;
    }
    if ((Rule->MatchFlags & Facts->Observed) != Rule->MatchFlags) {
        return 0;
    }
    if (!JmfRefMatches(Policy, &Rule->Path, Facts->Path, Facts->PathChars)) {
        return 0;
    }
    return JmfRefMatches(Policy, &Rule->Image, Facts->Image, Facts->ImageChars);
}

/* Scans an ascending list for its first matching rule below *Best. */
static void
JmfScanList(
    const JMF_POLICY *Policy,
    const JMF_U32 *List,
    JMF_U32 Count,
    const JMF_OPERATION_FACTS *Facts,
    JMF_U32 *Best,
    JMF_U32 *Candidates
    )
{
    JMF_U32 k;

    for (k = 0; k < Count && List[k] < *Best; k++) {
        (*Candidates)++;
        if (JmfRuleMatches(Policy, &Policy->Rules[List[k]], Facts)) {
            *Best = List[k];
            return;
        }
    }
}

static void
JmfScanKey(
    const JMF_POLICY *Policy,
    JMF_U32 Slot,
    JMF_U32 HashState,
    JMF_U32 Chars,
    const JMF_OPERATION_FACTS *Facts,
    JMF_U32 *Best,
    JMF_U32 *Candidates
    )
{
    const JMF_INDEX_ENTRY *entry = JmfIndexFind(Policy, JmfHashFinish(HashState, Slot), Slot,
                                                Facts->Path, Chars);

    if (entry != 0) {
        JmfScanList(Policy, Policy->Lists + entry->ListStart, entry->ListCount, Facts, Best, Candidates);
    }
}

JMF_U32
JmfPolicyMatchCounted(
    const JMF_POLICY *Policy,
    const JMF_OPERATION_FACTS *Facts,
    JMF_U32 *Candidates
    )
{
    JMF_U32 slotIndex = JmfSlotOf(Facts->Phase, Facts->Operation);
    const JMF_POLICY_SLOT *slot;
    JMF_U32 best = JMF_INDEX_NONE;
    JMF_U32 state = JMF_HASH_SEED;
    JMF_U32 limit;
    JMF_U32 i;

    *Candidates = 0;
    if (Policy == 0 || slotIndex == JMF_SLOT_NONE ||
        (Policy->Interest[slotIndex][JmfInterestColumn(Policy, Facts->Volume)] & JMF_INTEREST_ANY) == 0) {
        return JMF_INDEX_NONE;
    }
    slot = &Policy->Slots[slotIndex];
    JmfScanList(Policy, Policy->Lists + slot->UnindexedStart, slot->UnindexedCount, Facts, &best, Candidates);

    if (slot->IndexedCount == 0 || Facts->Path == 0 || Facts->PathChars == 0) {
        return best;
    }
    /* No key is longer than MaxKeyChars, so no longer prefix can be one. */
    limit = Facts->PathChars < slot->MaxKeyChars ? Facts->PathChars : slot->MaxKeyChars;
    for (i = 0; i < limit; i++) {
        JMF_U16 c = JmfFold(Facts->Path[i]);

        state = JmfHashStep(state, c);
        if (c == JMF_CHAR_BACKSLASH || i + 1u == Facts->PathChars) {
            JmfScanKey(Policy, slotIndex, state, i + 1u, Facts, &best, Candidates);
        }
    }
    return best;
}

JMF_U32
JmfPolicyMatch(
    const JMF_POLICY *Policy,
    const JMF_OPERATION_FACTS *Facts
    )
{
    JMF_U32 candidates;

    return JmfPolicyMatchCounted(Policy, Facts, &candidates);
}
