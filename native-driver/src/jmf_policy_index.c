/*++

Module Name:

    jmf_policy_index.c

Abstract:

    The lookup structures of a compiled policy and the two questions asked
    of them on the I/O path: JmfPolicyInterested (could any rule apply?) and
    JmfPolicyMatch (which rule decides?).

    Index. A rule is tried in one phase and for each operation it names: one
    slot per (phase, operation). Within a slot each rule gets at most one
    key, a literal piece of its path or image pattern that every string the
    pattern matches shows at a place the matcher can find in one pass:
      - a prefix key: the folded text up to and including the last '\'
        before the first wildcard ("\Users\u1\Documents\" of
        "\Users\u1\Documents\**\*.docx"), or the whole pattern when it has
        no wildcard; a matching string has it as a '\'-terminated prefix (or
        as its whole text);
      - a tail key: the end of the literal text after the last wildcard,
        from its last '\' ("\desktop.ini" of "**\desktop.ini") or else from
        its first '.' (".docx" of "**\~$*.docx"); a matching string ends with
        it, starting at its own last '\' or at a '.' of its last component.
    Of the (up to four) keys of its path and image patterns a rule takes
    the one the fewest rules of the policy offer (then the longest, then
    path before image and prefix before tail), so a key many rules share
    (an image, a common directory) is avoided when a rarer one exists. Rules with none (no pattern, or only patterns like "**"
    or "*\*") are unindexed: tried for every operation of the slot.
    Keys live in one open-addressing hash table keyed on (key space, folded
    key), a key space per key kind and slot; each entry holds the ascending
    list of its rules.

    Match. For each key kind the slot has: walk the string (path or image)
    forwards once, hashing it incrementally, and look up the prefix at every
    '\' and at the end; or walk its last component backwards once, hashing
    it, and look up the tail at every '.' and at the last '\'. The answer is
    the lowest rule index that fully matches among the unindexed list and
    the lists found; every list is ascending, so each scan stops at the
    first full match or at the best index found so far. The cost depends on
    the strings' length and on how many rules share their keys, not on how
    many rules the policy has.

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

/* Hash of a folded key, forwards (prefix keys) or backwards (tail keys), mixed with its space. */
static JMF_U32
JmfKeyHash(
    const JMF_U16 *Key,
    JMF_U32 Chars,
    JMF_U32 Space
    )
{
    JMF_U32 state = JMF_HASH_SEED;
    JMF_U32 i;

    if ((Space / JMF_SLOT_COUNT) == JMF_KEY_PATH_TAIL || (Space / JMF_SLOT_COUNT) == JMF_KEY_IMAGE_TAIL) {
        for (i = Chars; i > 0; i--) {
            state = JmfHashStep(state, JmfFold(Key[i - 1u]));
        }
    } else {
        for (i = 0; i < Chars; i++) {
            state = JmfHashStep(state, JmfFold(Key[i]));
        }
    }
    return JmfHashFinish(state, Space);
}

/* The number (index + 1) of the entry of (Space, Key) in Table, or 0. */
static JMF_U32
JmfKeyFind(
    const JMF_KEY_TABLE *Table,
    const JMF_U16 *Strings,
    JMF_U32 Hash,
    JMF_U32 Space,
    const JMF_U16 *Key,
    JMF_U32 Chars
    )
{
    JMF_U32 b = Hash & Table->BucketMask;
    JMF_U32 e;

    while ((e = Table->Buckets[b]) != 0) {
        const JMF_INDEX_ENTRY *entry = &Table->Entries[e - 1u];

        if (entry->Hash == Hash && entry->Space == Space && entry->KeyChars == Chars &&
            JmfFoldEqual(Strings + entry->KeyOffset, Key, Chars)) {
            return e;
        }
        b = (b + 1u) & Table->BucketMask;
    }
    return 0;
}

/* The entry of (Space, Key) in Table, added (with an empty list) when missing. */
static JMF_INDEX_ENTRY *
JmfKeyAdd(
    JMF_KEY_TABLE *Table,
    const JMF_U16 *Strings,
    JMF_U32 Space,
    JMF_U32 KeyOffset,
    JMF_U32 Chars
    )
{
    const JMF_U16 *key = Strings + KeyOffset;
    JMF_U32 hash = JmfKeyHash(key, Chars, Space);
    JMF_U32 e = JmfKeyFind(Table, Strings, hash, Space, key, Chars);
    JMF_INDEX_ENTRY *entry;
    JMF_U32 b;

    if (e != 0) {
        return &Table->Entries[e - 1u];
    }
    b = hash & Table->BucketMask;
    while (Table->Buckets[b] != 0) {
        b = (b + 1u) & Table->BucketMask;
    }
    entry = &Table->Entries[Table->EntryCount];
    entry->Hash = hash;
    entry->KeyOffset = KeyOffset;
    entry->KeyChars = (JMF_U16)Chars;
    entry->Space = (JMF_U16)Space;
    Table->EntryCount++;
    Table->Buckets[b] = Table->EntryCount;
    return entry;
}

/* Room for Capacity entries, at most half the buckets used. */
static JMF_U32
JmfKeyTableAllocate(
    const JMF_ALLOCATOR *Allocator,
    JMF_KEY_TABLE *Table,
    JMF_U32 Capacity
    )
{
    JMF_U32 buckets = 16;

    while (buckets < Capacity * 2u) {
        buckets <<= 1;
    }
    Table->EntryCount = 0;
    Table->BucketMask = buckets - 1u;
    Table->Entries = (JMF_INDEX_ENTRY *)Allocator->Allocate(Allocator->Context,
                                                            ((JMF_U64)Capacity + 1u) * sizeof(JMF_INDEX_ENTRY));
    if (Table->Entries == 0) {
        return JMF_ERROR_NO_MEMORY;
    }
    Table->Buckets = (JMF_U32 *)Allocator->Allocate(Allocator->Context, (JMF_U64)buckets * sizeof(JMF_U32));
    if (Table->Buckets == 0) {
        return JMF_ERROR_NO_MEMORY;
    }
    return JMF_ERROR_NONE;
}

void
JmfKeyTableFree(
    const JMF_ALLOCATOR *Allocator,
    JMF_KEY_TABLE *Table
    )
{
    if (Table->Buckets != 0) {
        Allocator->Free(Allocator->Context, Table->Buckets);
        Table->Buckets = 0;
    }
    if (Table->Entries != 0) {
        Allocator->Free(Allocator->Context, Table->Entries);
        Table->Entries = 0;
    }
}

typedef struct _JMF_RULE_KEY {
    JMF_U32 Kind;               /* JMF_KEY_*, or JMF_KEY_NONE */
    JMF_U32 Offset;             /* code units from the start of the string table */
    JMF_U32 Chars;
} JMF_RULE_KEY;

#define JMF_RULE_KEYS_MAX 4u

/* Adds a pattern's prefix and tail keys, when it has them, to Keys[*Count]. */
static void
JmfPatternKeys(
    const JMF_POLICY *Policy,
    const JMF_STRING_REF *Pattern,
    JMF_U32 PrefixKind,
    JMF_U32 TailKind,
    JMF_RULE_KEY *Keys,
    JMF_U32 *Count
    )
{
    const JMF_U16 *pattern = Policy->Strings + Pattern->Offset / 2u;
    JMF_U32 chars = Pattern->Length / 2u;
    JMF_BOOL literal;
    JMF_U32 prefix;
    JMF_U32 tail;
    JMF_U32 tailStart = 0;

    if (chars == 0) {
        return;
    }
    prefix = JmfPatternKeyChars(pattern, chars, &literal);
    if (prefix != 0) {
        Keys[*Count].Kind = PrefixKind;
        Keys[*Count].Offset = Pattern->Offset / 2u;
        Keys[*Count].Chars = prefix;
        (*Count)++;
    }
    tail = literal ? 0 : JmfPatternTailKey(pattern, chars, &tailStart);
    if (tail != 0) {
        Keys[*Count].Kind = TailKind;
        Keys[*Count].Offset = Pattern->Offset / 2u + tailStart;
        Keys[*Count].Chars = tail;
        (*Count)++;
    }
}

/* The keys a rule could be indexed under: path prefix, path tail, image prefix, image tail. */
static JMF_U32
JmfRuleKeys(
    const JMF_POLICY *Policy,
    const JMF_RULE *Rule,
    JMF_RULE_KEY *Keys
    )
{
    JMF_U32 count = 0;

    JmfPatternKeys(Policy, &Rule->Path, JMF_KEY_PATH_PREFIX, JMF_KEY_PATH_TAIL, Keys, &count);
    JmfPatternKeys(Policy, &Rule->Image, JMF_KEY_IMAGE_PREFIX, JMF_KEY_IMAGE_TAIL, Keys, &count);
    return count;
}

/*
 * The key a rule is indexed under: of its possible keys, the one the fewest
 * rules of the policy share (Counts: how many rules offer each key), then
 * the longest, then the first (path before image, prefix before tail).
 */
static void
JmfRuleKey(
    const JMF_POLICY *Policy,
    const JMF_RULE *Rule,
    const JMF_KEY_TABLE *Counts,
    JMF_RULE_KEY *Key
    )
{
    JMF_RULE_KEY keys[JMF_RULE_KEYS_MAX];
    JMF_U32 count = JmfRuleKeys(Policy, Rule, keys);
    JMF_U32 bestShared = 0xFFFFFFFFu;
    JMF_U32 k;

    Key->Kind = JMF_KEY_NONE;
    Key->Offset = 0;
    Key->Chars = 0;
    for (k = 0; k < count; k++) {
        const JMF_U16 *text = Policy->Strings + keys[k].Offset;
        JMF_U32 space = JMF_KEY_SPACE(keys[k].Kind, 0u);
        JMF_U32 e = JmfKeyFind(Counts, Policy->Strings, JmfKeyHash(text, keys[k].Chars, space), space,
                               text, keys[k].Chars);
        JMF_U32 shared = (e != 0) ? Counts->Entries[e - 1u].ListCount : 0;

        if (shared < bestShared || (shared == bestShared && keys[k].Chars > Key->Chars)) {
            bestShared = shared;
            *Key = keys[k];
        }
    }
}

/*
 * JmfIndexBuild
 *
 * First how many rules offer each possible key (a scratch table, freed at
 * the end), so each rule can take its least shared key. Then three passes
 * over the rules in order: count keyed and unindexed rules per slot; create
 * the entries and count their lists; fill the lists. Filling in rule order
 * leaves every list ascending.
 */
JMF_U32
JmfIndexBuild(
    JMF_POLICY *Policy
    )
{
    const JMF_ALLOCATOR *allocator = &Policy->Allocator;
    JMF_KEY_TABLE counts;
    JMF_RULE_KEY keys[JMF_RULE_KEYS_MAX];
    JMF_RULE_KEY key;
    JMF_U32 offered = 0;
    JMF_U32 keyed = 0;
    JMF_U32 unindexed = 0;
    JMF_U32 next;
    JMF_U32 error;
    JMF_U32 i;
    JMF_U32 k;
    JMF_U32 s;
    JMF_U32 v;

    memset(&counts, 0, sizeof(counts));
    for (i = 0; i < Policy->RuleCount; i++) {
        offered += JmfRuleKeys(Policy, &Policy->Rules[i], keys);
    }
    error = JmfKeyTableAllocate(allocator, &counts, offered);
    if (error != JMF_ERROR_NONE) {
        goto Cleanup;
    }
    for (i = 0; i < Policy->RuleCount; i++) {
        JMF_U32 count = JmfRuleKeys(Policy, &Policy->Rules[i], keys);

        for (k = 0; k < count; k++) {
            JmfKeyAdd(&counts, Policy->Strings, JMF_KEY_SPACE(keys[k].Kind, 0u), keys[k].Offset,
                      keys[k].Chars)->ListCount++;
        }
    }

    for (i = 0; i < Policy->RuleCount; i++) {
        const JMF_RULE *rule = &Policy->Rules[i];
        JMF_U32 slots = JmfRuleSlots(rule);
        JMF_U8 interest = (JMF_U8)(JMF_INTEREST_ANY |
                                   (rule->Path.Length != 0 ? JMF_NEED_PATH : 0u) |
                                   (rule->Image.Length != 0 ? JMF_NEED_IMAGE : 0u));

        JmfRuleKey(Policy, rule, &counts, &key);
        for (s = 0; s < JMF_SLOT_COUNT; s++) {
            JMF_POLICY_SLOT *slot = &Policy->Slots[s];

            if ((slots & (1u << s)) == 0) {
                continue;
            }
            if (key.Kind != JMF_KEY_NONE) {
                keyed++;
                slot->KeyCount[key.Kind]++;
                if (key.Chars > slot->MaxKeyChars[key.Kind]) {
                    slot->MaxKeyChars[key.Kind] = key.Chars;
                }
            } else {
                unindexed++;
                slot->UnindexedCount++;
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

    Policy->Lists = (JMF_U32 *)allocator->Allocate(allocator->Context,
                                                   ((JMF_U64)keyed + unindexed + 1u) * sizeof(JMF_U32));
    if (Policy->Lists == 0) {
        error = JMF_ERROR_NO_MEMORY;
        goto Cleanup;
    }
    error = JmfKeyTableAllocate(allocator, &Policy->Index, keyed);
    if (error != JMF_ERROR_NONE) {
        goto Cleanup;
    }

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

        JmfRuleKey(Policy, rule, &counts, &key);
        for (s = 0; s < JMF_SLOT_COUNT; s++) {
            if ((slots & (1u << s)) == 0) {
                continue;
            }
            if (key.Kind != JMF_KEY_NONE) {
                JmfKeyAdd(&Policy->Index, Policy->Strings, JMF_KEY_SPACE(key.Kind, s), key.Offset,
                          key.Chars)->ListCount++;
            } else {
                JMF_POLICY_SLOT *slot = &Policy->Slots[s];

                Policy->Lists[slot->UnindexedStart + slot->UnindexedCount++] = i;
            }
        }
    }

    for (i = 0; i < Policy->Index.EntryCount; i++) {
        Policy->Index.Entries[i].ListStart = next;
        next += Policy->Index.Entries[i].ListCount;
        Policy->Index.Entries[i].ListCount = 0;
    }

    for (i = 0; i < Policy->RuleCount; i++) {
        const JMF_RULE *rule = &Policy->Rules[i];
        JMF_U32 slots = JmfRuleSlots(rule);

        JmfRuleKey(Policy, rule, &counts, &key);
        if (key.Kind == JMF_KEY_NONE) {
            continue;
        }
        for (s = 0; s < JMF_SLOT_COUNT; s++) {
            if ((slots & (1u << s)) != 0) {
                JMF_INDEX_ENTRY *entry = JmfKeyAdd(&Policy->Index, Policy->Strings, JMF_KEY_SPACE(key.Kind, s),
                                                   key.Offset, key.Chars);

                Policy->Lists[entry->ListStart + entry->ListCount++] = i;
            }
        }
    }

Cleanup:
    JmfKeyTableFree(allocator, &counts);
    return error;
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
    JMF_U32 Space,
    JMF_U32 HashState,
    const JMF_U16 *Key,
    JMF_U32 Chars,
    const JMF_OPERATION_FACTS *Facts,
    JMF_U32 *Best,
    JMF_U32 *Candidates
    )
{
    JMF_U32 e = JmfKeyFind(&Policy->Index, Policy->Strings, JmfHashFinish(HashState, Space), Space, Key, Chars);

    if (e != 0) {
        const JMF_INDEX_ENTRY *entry = &Policy->Index.Entries[e - 1u];

        JmfScanList(Policy, Policy->Lists + entry->ListStart, entry->ListCount, Facts, Best, Candidates);
    }
}

/* Prefix keys: every '\'-terminated prefix of Text, and the whole of it. */
static void
JmfScanPrefixes(
    const JMF_POLICY *Policy,
    JMF_U32 Space,
    JMF_U32 MaxKeyChars,
    const JMF_U16 *Text,
    JMF_U32 TextChars,
    const JMF_OPERATION_FACTS *Facts,
    JMF_U32 *Best,
    JMF_U32 *Candidates
    )
{
    JMF_U32 state = JMF_HASH_SEED;
    JMF_U32 limit = TextChars < MaxKeyChars ? TextChars : MaxKeyChars;
    JMF_U32 i;

    /* No key is longer than MaxKeyChars, so no longer prefix can be one. */
    for (i = 0; i < limit; i++) {
        JMF_U16 c = JmfFold(Text[i]);

        state = JmfHashStep(state, c);
        if (c == JMF_CHAR_BACKSLASH || i + 1u == TextChars) {
            JmfScanKey(Policy, Space, state, Text, i + 1u, Facts, Best, Candidates);
        }
    }
}

/* Tail keys: the end of Text from its last '\' and from each '.' after it. */
static void
JmfScanTails(
    const JMF_POLICY *Policy,
    JMF_U32 Space,
    JMF_U32 MaxKeyChars,
    const JMF_U16 *Text,
    JMF_U32 TextChars,
    const JMF_OPERATION_FACTS *Facts,
    JMF_U32 *Best,
    JMF_U32 *Candidates
    )
{
    JMF_U32 state = JMF_HASH_SEED;
    JMF_U32 chars;

    for (chars = 1; chars <= TextChars && chars <= MaxKeyChars; chars++) {
        const JMF_U16 *tail = Text + TextChars - chars;
        JMF_U16 c = JmfFold(tail[0]);

        state = JmfHashStep(state, c);
        if (c == JMF_CHAR_DOT || c == JMF_CHAR_BACKSLASH) {
            JmfScanKey(Policy, Space, state, tail, chars, Facts, Best, Candidates);
        }
        if (c == JMF_CHAR_BACKSLASH) {
            break;              /* a tail key starts at the last '\' at the earliest */
        }
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

    *Candidates = 0;
    if (Policy == 0 || slotIndex == JMF_SLOT_NONE ||
        (Policy->Interest[slotIndex][JmfInterestColumn(Policy, Facts->Volume)] & JMF_INTEREST_ANY) == 0) {
        return JMF_INDEX_NONE;
    }
    slot = &Policy->Slots[slotIndex];
    JmfScanList(Policy, Policy->Lists + slot->UnindexedStart, slot->UnindexedCount, Facts, &best, Candidates);

    /* A string the caller did not fetch matches no pattern: its keys need no look-up. */
    if (Facts->Path != 0 && Facts->PathChars != 0) {
        if (slot->KeyCount[JMF_KEY_PATH_PREFIX] != 0) {
            JmfScanPrefixes(Policy, JMF_KEY_SPACE(JMF_KEY_PATH_PREFIX, slotIndex),
                            slot->MaxKeyChars[JMF_KEY_PATH_PREFIX], Facts->Path, Facts->PathChars,
                            Facts, &best, Candidates);
        }
        if (slot->KeyCount[JMF_KEY_PATH_TAIL] != 0) {
            JmfScanTails(Policy, JMF_KEY_SPACE(JMF_KEY_PATH_TAIL, slotIndex),
                         slot->MaxKeyChars[JMF_KEY_PATH_TAIL], Facts->Path, Facts->PathChars,
                         Facts, &best, Candidates);
        }
    }
    if (Facts->Image != 0 && Facts->ImageChars != 0) {
        if (slot->KeyCount[JMF_KEY_IMAGE_PREFIX] != 0) {
            JmfScanPrefixes(Policy, JMF_KEY_SPACE(JMF_KEY_IMAGE_PREFIX, slotIndex),
                            slot->MaxKeyChars[JMF_KEY_IMAGE_PREFIX], Facts->Image, Facts->ImageChars,
                            Facts, &best, Candidates);
        }
        if (slot->KeyCount[JMF_KEY_IMAGE_TAIL] != 0) {
            JmfScanTails(Policy, JMF_KEY_SPACE(JMF_KEY_IMAGE_TAIL, slotIndex),
                         slot->MaxKeyChars[JMF_KEY_IMAGE_TAIL], Facts->Image, Facts->ImageChars,
                         Facts, &best, Candidates);
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
