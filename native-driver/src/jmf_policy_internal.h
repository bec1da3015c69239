/*++

Module Name:

    jmf_policy_internal.h

Abstract:

    Private to the portable core (jmf_policy*.c, jmf_pattern.c,
    jmf_command.c): the layout of a compiled policy, the NTSTATUS values the
    core needs without kernel headers, and the helpers the files share.
    Nothing outside the core includes this header; the host unit tests do, to
    reach JmfPolicyMatchCounted.

--*/

#ifndef JMF_POLICY_INTERNAL_H
#define JMF_POLICY_INTERNAL_H

#include <string.h>              /* memcpy, memset, memcmp: all the C library the core uses */

#include "jmf_policy.h"

/*
 * NTSTATUS values (ntstatus.h spelling), written out because this code
 * compiles without kernel headers. Converting an unsigned constant above
 * 0x7FFFFFFF to JMF_I32 is implementation-defined in C; every compiler we
 * build with (MSVC, clang, gcc) keeps the bit pattern.
 */
#define JMF_STATUS_SUCCESS                 ((JMF_I32)0)
#define JMF_STATUS_INVALID_PARAMETER       ((JMF_I32)0xC000000Du)
#define JMF_STATUS_INSUFFICIENT_RESOURCES  ((JMF_I32)0xC000009Au)

#define JMF_CHAR_BACKSLASH ((JMF_U16)0x005C)
#define JMF_CHAR_STAR      ((JMF_U16)0x002A)
#define JMF_CHAR_QUESTION  ((JMF_U16)0x003F)
#define JMF_CHAR_DOT       ((JMF_U16)0x002E)
#define JMF_CHAR_SLASH     ((JMF_U16)0x002F)

/* The names a pattern is matched against (JmfPatternNeverMatches). */
#define JMF_NAME_PATH  0u   /* volume-relative normalized path: "", "\" or "\name..." */
#define JMF_NAME_IMAGE 1u   /* NT path of a process image: "\Device\...\name.exe" */

/*
 * A slot is one (phase, operation) pair a rule can be tried in: the five
 * operations of the pre-operation phase, then CREATE in post-create (the
 * only operation that phase has).
 */
#define JMF_SLOT_POST_CREATE 5u
#define JMF_SLOT_COUNT       6u
#define JMF_SLOT_NONE        0xFFFFFFFFu

/* JMF_POLICY.Interest bits, beside JMF_NEED_PATH and JMF_NEED_IMAGE. */
#define JMF_INTEREST_ANY 0x80u

/* Interest column for an operation whose volume is not in the table. */
#define JMF_INTEREST_UNNAMED JMF_MAX_VOLUMES

/*
 * One key of the index, in one key space: a key kind (JMF_KEY_*) times a
 * slot. A key is a literal piece of a rule's path or image pattern that
 * every string the pattern matches shows at a place the matcher finds in
 * one pass (see jmf_policy_index.c); an entry holds the ascending list of
 * the rules that have the key.
 */
#define JMF_KEY_PATH_PREFIX  0u     /* JmfPatternKeyChars of the path pattern */
#define JMF_KEY_PATH_TAIL    1u     /* JmfPatternTailKey of the path pattern */
#define JMF_KEY_IMAGE_PREFIX 2u
#define JMF_KEY_IMAGE_TAIL   3u
#define JMF_KEY_KINDS        4u
#define JMF_KEY_NONE         0xFFFFFFFFu
#define JMF_KEY_SPACE(kind, slot) ((kind) * JMF_SLOT_COUNT + (slot))

typedef struct _JMF_INDEX_ENTRY {
    JMF_U32 Hash;               /* of the folded key (tail keys: read backwards) and the space */
    JMF_U32 KeyOffset;          /* code units from the start of the string table */
    JMF_U16 KeyChars;
    JMF_U16 Space;              /* JMF_KEY_SPACE */
    JMF_U32 ListStart;          /* into JMF_POLICY.Lists */
    JMF_U32 ListCount;
} JMF_INDEX_ENTRY;

/* An open-addressing hash table of keys (the index, and a scratch one while compiling). */
typedef struct _JMF_KEY_TABLE {
    JMF_INDEX_ENTRY *Entries;
    JMF_U32 EntryCount;
    JMF_U32 *Buckets;           /* entry index + 1, 0 = empty */
    JMF_U32 BucketMask;
} JMF_KEY_TABLE;

typedef struct _JMF_POLICY_SLOT {
    JMF_U32 UnindexedStart;     /* rules tried for every operation: no usable key */
    JMF_U32 UnindexedCount;
    JMF_U32 KeyCount[JMF_KEY_KINDS];    /* rules of this slot reached through a key of each kind */
    JMF_U32 MaxKeyChars[JMF_KEY_KINDS]; /* longest key of each kind: nothing longer is looked up */
} JMF_POLICY_SLOT;

struct _JMF_POLICY {
    JMF_ALLOCATOR Allocator;
    JMF_U32 Generation;
    JMF_U32 RuleCount;
    JMF_U32 VolumeCount;
    JMF_U32 StringChars;
    void *Body;                 /* the caller's body, copied (aligned by the allocator) */
    const JMF_RULE *Rules;      /* inside Body */
    const JMF_VOLUME *Volumes;  /* inside Body */
    const JMF_U16 *Strings;     /* inside Body */
    JMF_U32 *Lists;             /* rule indexes: every slot's unindexed list, then every entry's list */
    JMF_KEY_TABLE Index;        /* keys of every slot; lists in Lists */
    JMF_POLICY_SLOT Slots[JMF_SLOT_COUNT];
    /* Per slot and volume (the last column: a volume not in the table):
       JMF_INTEREST_ANY when a rule can match there, | JMF_NEED_*. */
    JMF_U8 Interest[JMF_SLOT_COUNT][JMF_MAX_VOLUMES + 1];
};

/* jmf_pattern.c */

/* JmfUpcase for hot loops (the same fold, inlined for ASCII). */
static __inline JMF_U16
JmfFold(JMF_U16 Char)
{
    if (Char < 0x80u) {
        return (JMF_U16)((Char >= 0x61u && Char <= 0x7Au) ? Char - 0x20u : Char);
    }
    return JmfUpcase(Char);
}

/* True when A[0..Chars) and B[0..Chars) are equal without regard to case. */
JMF_BOOL JmfFoldEqual(const JMF_U16 *A, const JMF_U16 *B, JMF_U32 Chars);

/* JMF_ERROR_NONE or JMF_ERROR_BAD_PATTERN (a NUL, a run of three or more '*'). */
JMF_U32 JmfPatternValidate(const JMF_U16 *Pattern, JMF_U32 Chars);

/*
 * True when no name of Kind (JMF_NAME_*) can match the validated pattern:
 * JMF_ERROR_NEVER_MATCHES. See jmf_pattern.c for what counts.
 */
JMF_BOOL JmfPatternNeverMatches(const JMF_U16 *Pattern, JMF_U32 Chars, JMF_U32 Kind);

/* True when FltGetVolumeName can never return Name (a drive letter, "C:\", a trailing '\'...). */
JMF_BOOL JmfVolumeNameNeverMatches(const JMF_U16 *Name, JMF_U32 Chars);

/*
 * The length of the literal key of a validated pattern: the whole pattern
 * when it has no wildcard (*Literal = 1), else up to and including the last
 * '\' before the first wildcard, or 0 when there is no such '\'.
 */
JMF_U32 JmfPatternKeyChars(const JMF_U16 *Pattern, JMF_U32 Chars, JMF_BOOL *Literal);

/*
 * The tail key of a validated pattern with a wildcard: inside the literal
 * text after its last wildcard, from the last '\' when there is one (every
 * matching path then ends with it, from its own last '\'), else from the
 * first '.' (every matching path ends with it, from a '.' of its last
 * component). Returns the key's length (0: none) and sets *KeyStart.
 */
JMF_U32 JmfPatternTailKey(const JMF_U16 *Pattern, JMF_U32 Chars, JMF_U32 *KeyStart);

/* FNV-1a over folded code units, one step, and the final mix with a slot. */
#define JMF_HASH_SEED 2166136261u
static __inline JMF_U32
JmfHashStep(JMF_U32 State, JMF_U16 FoldedChar)
{
    return (State ^ FoldedChar) * 16777619u;
}

static __inline JMF_U32
JmfHashFinish(JMF_U32 State, JMF_U32 Slot)
{
    JMF_U32 h = State ^ ((Slot + 1u) * 0x9E3779B9u);
    h ^= h >> 16;
    h *= 0x85EBCA6Bu;
    h ^= h >> 13;
    h *= 0xC2B2AE35u;
    h ^= h >> 16;
    return h;
}

/* jmf_policy_action.c */

/*
 * Validates an action for a rule (IsVerdict = 0; Phase from its flags) or an
 * ask's verdict (IsVerdict = 1, for one Operation in Phase). VolumeCount
 * bounds TargetVolume; RuleVolume is the rule's volume (JMF_VOLUME_ANY for a
 * verdict), which a REDIRECT may not target.
 */
JMF_U32
JmfActionValidate(
    const JMF_ACTION *Action,
    JMF_U32 Operations,
    JMF_U32 Phase,
    JMF_U16 RuleVolume,
    JMF_U32 VolumeCount,
    JMF_BOOL IsVerdict
    );

/* True for the action types audit-only applies to: DENY, MODIFY, REDIRECT, ASK. */
JMF_BOOL JmfActionMayBeAuditOnly(JMF_U32 Type);

/* jmf_policy_index.c */

/* The slot of (Phase, Operation), or JMF_SLOT_NONE. Operation is one bit. */
JMF_U32 JmfSlotOf(JMF_U32 Phase, JMF_U32 Operation);

/* The phase a validated rule is tried in. */
JMF_U32 JmfRulePhase(const JMF_RULE *Rule);

/* Builds Lists, Index, Slots and Interest of a validated policy. */
JMF_U32 JmfIndexBuild(JMF_POLICY *Policy);

/* Frees a key table's arrays (either may be NULL). */
void JmfKeyTableFree(const JMF_ALLOCATOR *Allocator, JMF_KEY_TABLE *Table);

/*
 * JmfPolicyMatch, also counting in *Candidates the rules whose matches it
 * had to test (the unit tests check that the index keeps it bounded).
 */
JMF_U32
JmfPolicyMatchCounted(
    const JMF_POLICY *Policy,
    const JMF_OPERATION_FACTS *Facts,
    JMF_U32 *Candidates
    );

#endif /* JMF_POLICY_INTERNAL_H */
