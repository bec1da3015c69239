/*++

Module Name:

    jmf_policy.h

Abstract:

    The portable core of jminifilter: validation and compilation of a policy
    received in JMF_COMMAND_SET_POLICY, rule matching, and validation of the
    other untrusted inputs (commands, configurations, ask verdicts).

    Nothing here uses a kernel type or calls a kernel routine: it is plain C
    over the fixed-width types of jmf_protocol.h, compiled into the driver and
    into the Linux host build (native-driver/host) for unit tests under
    AddressSanitizer and UndefinedBehaviorSanitizer. Memory comes from the
    caller's JMF_ALLOCATOR (non-paged pool in the driver, because matching runs
    in pre-operation callbacks at IRQL <= APC_LEVEL and the policy is read from
    post-operation callbacks too).

    No routine here blocks, waits or takes a lock: callable at any
    IRQL <= DISPATCH_LEVEL once the policy exists. Compilation allocates and is
    called at PASSIVE_LEVEL from the message callback.

    Case: paths, image names and volume names are compared without regard to
    case using JmfUpcase, a fixed fold (ASCII, Latin-1, Greek, Cyrillic) that
    gives the same answer in the kernel and on the host.

--*/

#ifndef JMF_POLICY_H
#define JMF_POLICY_H

#include "jmf_protocol.h"

typedef JMF_U8 JMF_BOOL;

/* The phase a rule is tried in (see jmf_protocol.h, "The compiled policy"). */
#define JMF_PHASE_PRE          1u
#define JMF_PHASE_POST_CREATE  2u

/* What JmfPolicyInterested says evaluation will need, so the caller fetches only that. */
#define JMF_NEED_PATH   0x1u    /* some candidate rule has a path pattern */
#define JMF_NEED_IMAGE  0x2u    /* some candidate rule has an image pattern */

typedef struct _JMF_ALLOCATOR {
    /* Returns Bytes of zeroed memory aligned to at least 8 bytes, or 0 (NULL) when none is left. */
    void *(*Allocate)(void *Context, JMF_U64 Bytes);
    void (*Free)(void *Context, void *Block);
    void *Context;
} JMF_ALLOCATOR;

/* A validated, compiled, immutable policy. */
typedef struct _JMF_POLICY JMF_POLICY;

/*
 * What the caller knows about one operation. Strings are UTF-16 code units
 * without a terminator; Path is volume-relative ("\dir\file"); a string the
 * caller did not fetch (because JmfPolicyInterested did not ask for it) is
 * Chars == 0 and does not match a non-empty pattern.
 */
typedef struct _JMF_OPERATION_FACTS {
    JMF_U32 Phase;              /* JMF_PHASE_* */
    JMF_U32 Operation;          /* one JMF_OP_* bit */
    JMF_U16 Volume;             /* index in this policy's volume table, or JMF_VOLUME_ANY when unnamed */
    JMF_U16 Reserved;
    JMF_U32 ProcessId;
    JMF_U32 DesiredAccess;      /* creates */
    JMF_U32 CreateDisposition;  /* creates: JMF_FILE_* */
    JMF_U32 CreateOptions;      /* creates */
    JMF_U32 Observed;           /* post-create: JMF_MATCH_DIRECTORY or JMF_MATCH_NON_DIRECTORY, | JMF_MATCH_CREATED */
    const JMF_U16 *Path;
    JMF_U32 PathChars;
    const JMF_U16 *Image;
    JMF_U32 ImageChars;
} JMF_OPERATION_FACTS;

/*
 * JmfPolicyCompile
 *
 * Validates Body[0 .. Length) completely (every count, offset, length, enum,
 * reserved field and string) and compiles it into lookup structures. Body is
 * a copy the caller owns (never user memory). On success returns
 * JMF_ERROR_NONE and sets *Policy, with Generation recorded in it. On failure
 * returns the JMF_ERROR_* and fills *Result (Status, Error, RuleIndex; the
 * caller sets Result->Generation), and leaves nothing allocated.
 */
JMF_U32
JmfPolicyCompile(
    const void *Body,
    JMF_U32 Length,
    JMF_U32 Generation,
    const JMF_ALLOCATOR *Allocator,
    JMF_POLICY **Policy,
    JMF_RESULT *Result
    );

void
JmfPolicyFree(
    JMF_POLICY *Policy
    );

JMF_U32 JmfPolicyGeneration(const JMF_POLICY *Policy);
JMF_U32 JmfPolicyRuleCount(const JMF_POLICY *Policy);
const JMF_RULE *JmfPolicyRule(const JMF_POLICY *Policy, JMF_U32 Index);
JMF_U32 JmfPolicyVolumeCount(const JMF_POLICY *Policy);

/* The volume table's Index'th name; *Chars receives its length in code units. */
const JMF_U16 *JmfPolicyVolumeName(const JMF_POLICY *Policy, JMF_U32 Index, JMF_U32 *Chars);

/* The index of the volume named Name (without regard to case), or JMF_VOLUME_ANY. */
JMF_U16 JmfPolicyFindVolume(const JMF_POLICY *Policy, const JMF_U16 *Name, JMF_U32 Chars);

/*
 * JmfPolicyInterested
 *
 * Cheap test, with no string work: can any rule of Phase match Operation on
 * Volume? When it can, *Needs says which strings the caller must fetch
 * (JMF_NEED_*). When it returns 0 the caller skips the operation: no name
 * query, no lock.
 */
JMF_BOOL
JmfPolicyInterested(
    const JMF_POLICY *Policy,
    JMF_U32 Phase,
    JMF_U32 Operation,
    JMF_U16 Volume,
    JMF_U32 *Needs
    );

/*
 * JmfPolicyMatch
 *
 * The index of the first rule of Facts->Phase, in policy order, whose every
 * match holds, or JMF_INDEX_NONE. Its cost does not grow with the number of
 * path rules (rules are indexed by the literal directory prefix of their
 * path pattern, or by the literal end of a wildcard-led one: see
 * jmf_policy_index.c).
 */
JMF_U32
JmfPolicyMatch(
    const JMF_POLICY *Policy,
    const JMF_OPERATION_FACTS *Facts
    );

/*
 * JmfPolicyValidateVerdict
 *
 * Checks an ask's verdict (from user mode) against the policy it answers:
 * an action type other than ASK, valid for Operation in Phase, fields in
 * range, TargetVolume in the table. Returns JMF_ERROR_*.
 */
JMF_U32
JmfPolicyValidateVerdict(
    const JMF_POLICY *Policy,
    const JMF_ACTION *Verdict,
    JMF_U32 Operation,
    JMF_U32 Phase
    );

/* Validates a configuration; returns JMF_ERROR_* (JMF_ERROR_BAD_CONFIG or JMF_ERROR_RESERVED). */
JMF_U32 JmfValidateConfig(const JMF_CONFIG *Config);

/* The length of a SET_CONFIG body with these flags (JMF_CONFIG, plus JMF_UNLOCK_KEY with LOCKED). */
JMF_U32 JmfConfigBodyLength(JMF_U32 Flags);

/* Compares two unlock keys in constant time. */
JMF_BOOL JmfKeysEqual(const JMF_UNLOCK_KEY *A, const JMF_UNLOCK_KEY *B);

/*
 * JmfCommandParse
 *
 * Validates a command already copied out of user memory: the header fits,
 * Length equals InputLength, Type is known, and the body has the size its
 * type requires. Returns JMF_ERROR_*; on success *Type, *Body and
 * *BodyLength describe it.
 */
JMF_U32
JmfCommandParse(
    const void *Input,
    JMF_U32 InputLength,
    JMF_U32 *Type,
    const void **Body,
    JMF_U32 *BodyLength
    );

/* True for an NTSTATUS a DENY may use: error severity, not STATUS_FLT_DISALLOW_FAST_IO. */
JMF_BOOL JmfIsDenyStatus(JMF_I32 Status);

/* The fixed case fold used for every comparison. */
JMF_U16 JmfUpcase(JMF_U16 Char);

/* Pattern match (see JMF_RULE), without regard to case. */
JMF_BOOL
JmfPatternMatch(
    const JMF_U16 *Pattern,
    JMF_U32 PatternChars,
    const JMF_U16 *Text,
    JMF_U32 TextChars
    );

#endif /* JMF_POLICY_H */
