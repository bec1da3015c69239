/*
 * support.h - what the unit tests, the fuzz target and the benchmark share:
 * a counting allocator with failure injection, a builder that lays out a
 * SET_POLICY body the way user mode does, and UTF-16 helpers.
 */
#ifndef JMF_UNIT_SUPPORT_H
#define JMF_UNIT_SUPPORT_H

#include "jmf_policy_internal.h"

/* ---- allocator ---- */

typedef struct _TEST_ALLOC {
    unsigned long Calls;        /* Allocate calls, failed ones included */
    unsigned long Allocations;  /* blocks handed out */
    unsigned long Frees;
    long FailAt;                /* the Calls value (0-based) that fails, or -1 */
    JMF_ALLOCATOR Allocator;
} TEST_ALLOC;

void TestAllocInit(TEST_ALLOC *Alloc, long FailAt);
unsigned long TestAllocLive(const TEST_ALLOC *Alloc);

/* ---- strings ---- */

/* ASCII or UTF-8 (up to U+FFFF) to UTF-16; returns code units written. */
JMF_U32 Utf16(const char *Utf8, JMF_U16 *Out, JMF_U32 Capacity);

/* ---- policy builder ---- */

typedef struct _TEST_POLICY {
    JMF_POLICY_HEADER Header;   /* filled by TpBuild; tests may edit it before TpBytes */
    JMF_RULE *Rules;
    JMF_U32 RuleCount;
    JMF_U32 RuleCapacity;
    JMF_VOLUME Volumes[JMF_MAX_VOLUMES + 8];
    JMF_U32 VolumeCount;
    JMF_U16 *Strings;
    JMF_U32 StringChars;
    JMF_U32 StringCapacity;
    JMF_U8 *Body;
    JMF_U32 Length;
} TEST_POLICY;

void TpInit(TEST_POLICY *Tp);
void TpFree(TEST_POLICY *Tp);
JMF_STRING_REF TpString(TEST_POLICY *Tp, const char *Utf8);
JMF_STRING_REF TpString16(TEST_POLICY *Tp, const JMF_U16 *Chars, JMF_U32 Count);
JMF_U16 TpVolume(TEST_POLICY *Tp, const char *Name);

/*
 * Adds a rule with a valid action of Type for Operations: DENY with
 * STATUS_ACCESS_DENIED, MODIFY clearing FILE_WRITE_DATA (Operations must
 * include CREATE), REDIRECT to volume 0 (one must exist), the rest bare.
 * Returns its index; JmfRuleAt gives the rule to edit.
 */
JMF_U32 TpRule(TEST_POLICY *Tp, JMF_U32 RuleId, JMF_U32 Operations, JMF_U32 Type);
JMF_RULE *TpAt(TEST_POLICY *Tp, JMF_U32 Index);
void TpPath(TEST_POLICY *Tp, JMF_U32 Index, const char *Pattern);
void TpImage(TEST_POLICY *Tp, JMF_U32 Index, const char *Pattern);

/* Lays header, rules, volumes and strings out in that order, each 8-aligned. */
void TpBuild(TEST_POLICY *Tp);

/* Rewrites Body's header from Tp->Header (after a test edited it). */
void TpPatchHeader(TEST_POLICY *Tp);

/* TpBuild, then JmfPolicyCompile with Alloc. */
JMF_U32 TpCompile(TEST_POLICY *Tp, TEST_ALLOC *Alloc, JMF_POLICY **Policy, JMF_RESULT *Result);

/* ---- operations ---- */

typedef struct _TEST_FACTS {
    JMF_OPERATION_FACTS Facts;
    JMF_U16 Path[4096];
    JMF_U16 Image[1024];
} TEST_FACTS;

/* Facts for a pre-op (or post-create) operation on Path by any process, volume ANY. */
void TfInit(TEST_FACTS *Tf, JMF_U32 Phase, JMF_U32 Operation, const char *Path);
void TfImage(TEST_FACTS *Tf, const char *Image);

#define TEST_STATUS_ACCESS_DENIED ((JMF_I32)0xC0000022u)
#define TEST_FILE_WRITE_DATA 0x2u

#endif
