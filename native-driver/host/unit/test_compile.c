/*
 * test_compile.c - JmfPolicyCompile's validation: every JMF_ERROR_* it can
 * return, with the right RuleIndex and NTSTATUS, nothing left allocated on
 * failure, and allocation failure injected at every allocation.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "support.h"

#define STATUS_INVALID_PARAMETER      0xC000000Du
#define STATUS_INSUFFICIENT_RESOURCES 0xC000009Au

/* Compiles Body and checks the outcome; Line names the case on failure. */
static void
ExpectBody(const void *Body, JMF_U32 Length, JMF_U32 Error, JMF_U32 RuleIndex, int Line)
{
    TEST_ALLOC alloc;
    JMF_POLICY *policy = (JMF_POLICY *)&alloc;   /* must be overwritten */
    JMF_RESULT result;
    unsigned long failedBefore = g_failed;
    JMF_U32 error;

    memset(&result, 0xAA, sizeof(result));
    TestAllocInit(&alloc, -1);
    error = JmfPolicyCompile(Body, Length, 3, &alloc.Allocator, &policy, &result);
    CHECK_EQ(error, Error);
    CHECK_EQ(result.Error, Error);
    CHECK_EQ(result.RuleIndex, RuleIndex);
    if (Error == JMF_ERROR_NONE) {
        CHECK_EQ((JMF_U32)result.Status, 0);
        CHECK(policy != NULL);
        if (policy != NULL) {
            CHECK_EQ(JmfPolicyGeneration(policy), 3);
        }
        JmfPolicyFree(policy);
    } else {
        CHECK_EQ((JMF_U32)result.Status,
                 Error == JMF_ERROR_NO_MEMORY ? STATUS_INSUFFICIENT_RESOURCES : STATUS_INVALID_PARAMETER);
        CHECK(policy == NULL);
        if (error == JMF_ERROR_NONE) {
            JmfPolicyFree(policy);      /* accepted when it should not have been: do not leak too */
        }
    }
    CHECK_EQ(TestAllocLive(&alloc), 0);
    if (g_failed != failedBefore) {
        fprintf(stderr, "  ... in the case at test_compile.c:%d\n", Line);
    }
}

static void
Expect(TEST_POLICY *Tp, JMF_U32 Error, JMF_U32 RuleIndex, int Line)
{
    TpBuild(Tp);
    ExpectBody(Tp->Body, Tp->Length, Error, RuleIndex, Line);
    TpFree(Tp);
}

/* Re-lays the body after a header edit, keeping the edit. */
static void
ExpectHeader(TEST_POLICY *Tp, JMF_U32 Error, int Line)
{
    TpPatchHeader(Tp);
    ExpectBody(Tp->Body, Tp->Length, Error, JMF_INDEX_NONE, Line);
    TpFree(Tp);
}

#define EXPECT(tp, error, index) Expect((tp), (error), (index), __LINE__)
#define EXPECT_HEADER(tp, error) ExpectHeader((tp), (error), __LINE__)

/*
 * A valid policy of two volumes and three rules; rule 2 (the one the
 * cases edit) has Operations and an action of Type.
 */
static JMF_RULE *
Fresh(TEST_POLICY *Tp, JMF_U32 Operations, JMF_U32 Type)
{
    JMF_U32 r;

    TpInit(Tp);
    TpVolume(Tp, "\\Device\\HarddiskVolume2");
    TpVolume(Tp, "\\Device\\HarddiskVolume3");
    r = TpRule(Tp, 10, JMF_OP_CREATE, JMF_ACTION_DENY);
    TpPath(Tp, r, "\\secret\\*.txt");
    TpRule(Tp, 11, JMF_OP_READ | JMF_OP_WRITE, JMF_ACTION_AUDIT);
    r = TpRule(Tp, 12, Operations, Type);
    if (Type == JMF_ACTION_REDIRECT) {
        TpAt(Tp, r)->Volume = 0;
        TpAt(Tp, r)->Action.TargetVolume = 1;
    }
    return TpAt(Tp, r);
}

/* A built valid policy whose header a case edits (Tp->Header). */
static void
FreshHeader(TEST_POLICY *Tp)
{
    Fresh(Tp, JMF_OP_CREATE, JMF_ACTION_ALLOW);
    TpBuild(Tp);
}

static void
TestValidPolicies(void)
{
    TEST_POLICY tp;
    JMF_RULE *r;
    JMF_U32 type;

    /* every action type, in its valid form */
    for (type = JMF_ACTION_ALLOW; type < JMF_ACTION_COUNT; type++) {
        Fresh(&tp, JMF_OP_CREATE, type);
        EXPECT(&tp, JMF_ERROR_NONE, JMF_INDEX_NONE);
    }
    /* empty policy */
    TpInit(&tp);
    EXPECT(&tp, JMF_ERROR_NONE, JMF_INDEX_NONE);

    /* fields at the edges of their ranges */
    r = Fresh(&tp, JMF_OP_CREATE, JMF_ACTION_ASK);
    r->Action.TimeoutMs = JMF_MAX_ASK_TIMEOUT_MS;
    r->Action.DefaultVerdict = JMF_ACTION_DENY;
    r->Action.Status = (JMF_I32)0xC0000043u;
    r->Action.Flags = JMF_ACTION_FLAG_POST_CREATE;
    r->MatchFlags = JMF_MATCH_NON_DIRECTORY | JMF_MATCH_CREATED;
    r->DesiredAccess = 0xFFFFFFFFu;
    r->Dispositions = 0x3F;
    r->ProcessId = 0xFFFFFFFFu;
    r->Volume = 1;
    EXPECT(&tp, JMF_ERROR_NONE, JMF_INDEX_NONE);

    r = Fresh(&tp, JMF_OP_CREATE, JMF_ACTION_MODIFY);
    r->Action.AccessClear = 0xFFFFFFFFu;
    r->Action.OptionsSet = 0x00800000u;
    r->Action.OptionsClear = 0x00000001u;
    r->Action.Disposition = JMF_FILE_OVERWRITE_IF;
    r->Action.OperationFlagsSet = JMF_SL_FORCE_ACCESS_CHECK;
    r->Action.OperationFlagsClear = JMF_SL_CASE_SENSITIVE;
    EXPECT(&tp, JMF_ERROR_NONE, JMF_INDEX_NONE);

    r = Fresh(&tp, JMF_OP_WRITE, JMF_ACTION_MODIFY);
    r->Action.AccessClear = 0;
    r->Action.OperationFlagsSet = JMF_SL_WRITE_THROUGH;
    EXPECT(&tp, JMF_ERROR_NONE, JMF_INDEX_NONE);

    r = Fresh(&tp, JMF_OP_CREATE | JMF_OP_READ | JMF_OP_WRITE, JMF_ACTION_REDIRECT);
    r->Action.Flags = JMF_ACTION_FLAG_FALLBACK_DENY;
    r->Action.Status = TEST_STATUS_ACCESS_DENIED;
    EXPECT(&tp, JMF_ERROR_NONE, JMF_INDEX_NONE);

    /* a REDIRECT from any volume (rule Volume ANY) */
    r = Fresh(&tp, JMF_OP_CREATE, JMF_ACTION_REDIRECT);
    r->Volume = JMF_VOLUME_ANY;
    EXPECT(&tp, JMF_ERROR_NONE, JMF_INDEX_NONE);

    /* 64 volumes of 64 characters */
    TpInit(&tp);
    for (type = 0; type < JMF_MAX_VOLUMES; type++) {
        char name[80];

        snprintf(name, sizeof(name), "\\Device\\V%055u", type);
        TpVolume(&tp, name);
    }
    CHECK_EQ(tp.Volumes[0].Name.Length, 128);
    TpAt(&tp, TpRule(&tp, 1, JMF_OP_CREATE, JMF_ACTION_AUDIT))->Volume = JMF_MAX_VOLUMES - 1;
    EXPECT(&tp, JMF_ERROR_NONE, JMF_INDEX_NONE);
}

static void
TestHeaderErrors(void)
{
    TEST_POLICY tp;
    static JMF_U8 small[64];

    ExpectBody(small, 39, JMF_ERROR_TRUNCATED, JMF_INDEX_NONE, __LINE__);
    ExpectBody(NULL, 0, JMF_ERROR_TRUNCATED, JMF_INDEX_NONE, __LINE__);

    FreshHeader(&tp); tp.Header.Magic ^= 1;
    EXPECT_HEADER(&tp, JMF_ERROR_BAD_MAGIC);
    FreshHeader(&tp); tp.Header.Version = 2;
    EXPECT_HEADER(&tp, JMF_ERROR_BAD_VERSION);
    FreshHeader(&tp); tp.Header.Flags = 0x8000u;
    EXPECT_HEADER(&tp, JMF_ERROR_RESERVED);
    FreshHeader(&tp); tp.Header.Flags = JMF_POLICY_FLAG_AUDIT_ONLY;
    EXPECT_HEADER(&tp, JMF_ERROR_NONE);
    FreshHeader(&tp); tp.Header.Reserved2 = 0x80000000u;
    EXPECT_HEADER(&tp, JMF_ERROR_RESERVED);
    FreshHeader(&tp); tp.Header.TotalLength += 8;
    EXPECT_HEADER(&tp, JMF_ERROR_TRUNCATED);
    FreshHeader(&tp); tp.Header.TotalLength -= 8;
    EXPECT_HEADER(&tp, JMF_ERROR_BAD_LENGTH);
    FreshHeader(&tp); tp.Header.RuleCount = JMF_MAX_RULES + 1;
    EXPECT_HEADER(&tp, JMF_ERROR_TOO_MANY_RULES);
    FreshHeader(&tp); tp.Header.VolumeCount = JMF_MAX_VOLUMES + 1;
    EXPECT_HEADER(&tp, JMF_ERROR_TOO_MANY_VOLUMES);
    FreshHeader(&tp); tp.Header.StringBytes -= 1;
    EXPECT_HEADER(&tp, JMF_ERROR_BAD_LENGTH);

    /* sections: misaligned, inside the header, past the end, overlapping */
    FreshHeader(&tp); tp.Header.RuleOffset += 4;
    EXPECT_HEADER(&tp, JMF_ERROR_BAD_SECTION);
    FreshHeader(&tp); tp.Header.VolumeOffset += 2;
    EXPECT_HEADER(&tp, JMF_ERROR_BAD_SECTION);
    FreshHeader(&tp); tp.Header.StringOffset += 1;
    EXPECT_HEADER(&tp, JMF_ERROR_BAD_SECTION);
    FreshHeader(&tp); tp.Header.RuleOffset = 32;
    EXPECT_HEADER(&tp, JMF_ERROR_BAD_SECTION);
    FreshHeader(&tp); tp.Header.StringBytes += 64;
    EXPECT_HEADER(&tp, JMF_ERROR_BAD_SECTION);
    FreshHeader(&tp); tp.Header.RuleCount += 1;             /* the rule array runs into the volumes */
    EXPECT_HEADER(&tp, JMF_ERROR_BAD_SECTION);
    FreshHeader(&tp); tp.Header.VolumeOffset = tp.Header.RuleOffset + 80;
    EXPECT_HEADER(&tp, JMF_ERROR_BAD_SECTION);
    FreshHeader(&tp); tp.Header.StringOffset = tp.Header.VolumeOffset;
    EXPECT_HEADER(&tp, JMF_ERROR_BAD_SECTION);
    FreshHeader(&tp); tp.Header.RuleOffset = 0xFFFFFFF8u;   /* no 32-bit wrap-around */
    EXPECT_HEADER(&tp, JMF_ERROR_BAD_SECTION);
    FreshHeader(&tp); tp.Header.StringBytes = 0xFFFFFFF0u;
    EXPECT_HEADER(&tp, JMF_ERROR_BAD_SECTION);

    /* an empty section overlaps nothing, but still lies inside the body */
    FreshHeader(&tp); tp.Header.VolumeCount = 0; tp.Header.VolumeOffset = tp.Header.RuleOffset;
    EXPECT_HEADER(&tp, JMF_ERROR_NONE);
    FreshHeader(&tp); tp.Header.VolumeCount = 0; tp.Header.VolumeOffset = 0;
    EXPECT_HEADER(&tp, JMF_ERROR_BAD_SECTION);

    /* over JMF_MAX_POLICY_BYTES, consistent otherwise */
    {
        JMF_U32 length = JMF_MAX_POLICY_BYTES + 8u;
        JMF_U8 *big = (JMF_U8 *)calloc(1, length);

        FreshHeader(&tp);
        tp.Header.TotalLength = length;
        memcpy(big, &tp.Header, sizeof(tp.Header));
        memcpy(big + sizeof(tp.Header), tp.Body + sizeof(tp.Header), tp.Length - sizeof(tp.Header));
        ExpectBody(big, length, JMF_ERROR_BAD_LENGTH, JMF_INDEX_NONE, __LINE__);
        free(big);
        TpFree(&tp);
    }

    /* an unaligned body is read without unaligned access (UBSan would say) */
    {
        JMF_U8 *shifted;

        Fresh(&tp, JMF_OP_CREATE, JMF_ACTION_DENY);
        TpBuild(&tp);
        shifted = (JMF_U8 *)malloc(tp.Length + 1);
        memcpy(shifted + 1, tp.Body, tp.Length);
        ExpectBody(shifted + 1, tp.Length, JMF_ERROR_NONE, JMF_INDEX_NONE, __LINE__);
        free(shifted);
        TpFree(&tp);
    }
}

static void
TestVolumeErrors(void)
{
    TEST_POLICY tp;

    Fresh(&tp, JMF_OP_CREATE, JMF_ACTION_ALLOW); tp.Volumes[1].Name.Length = 0;
    EXPECT(&tp, JMF_ERROR_BAD_STRING, JMF_INDEX_NONE);
    Fresh(&tp, JMF_OP_CREATE, JMF_ACTION_ALLOW); tp.Volumes[1].Name.Length = 130;
    EXPECT(&tp, JMF_ERROR_BAD_STRING, JMF_INDEX_NONE);
    Fresh(&tp, JMF_OP_CREATE, JMF_ACTION_ALLOW); tp.Volumes[0].Name.Offset += 1;
    EXPECT(&tp, JMF_ERROR_BAD_STRING, JMF_INDEX_NONE);
    Fresh(&tp, JMF_OP_CREATE, JMF_ACTION_ALLOW); tp.Volumes[0].Name.Length -= 1;
    EXPECT(&tp, JMF_ERROR_BAD_STRING, JMF_INDEX_NONE);
    Fresh(&tp, JMF_OP_CREATE, JMF_ACTION_ALLOW); tp.Volumes[0].Name.Offset = tp.StringChars * 2u;
    EXPECT(&tp, JMF_ERROR_BAD_STRING, JMF_INDEX_NONE);
    Fresh(&tp, JMF_OP_CREATE, JMF_ACTION_ALLOW); tp.Strings[3] = 0;    /* a NUL in volume 0's name */
    EXPECT(&tp, JMF_ERROR_BAD_STRING, JMF_INDEX_NONE);
    /* 65 code units: one over */
    TpInit(&tp);
    {
        char name[80];

        snprintf(name, sizeof(name), "\\Device\\V%056u", 0u);
        TpVolume(&tp, name);
    }
    CHECK_EQ(tp.Volumes[0].Name.Length, 130);
    EXPECT(&tp, JMF_ERROR_BAD_STRING, JMF_INDEX_NONE);
    /* the same volume twice, differing in case only */
    Fresh(&tp, JMF_OP_CREATE, JMF_ACTION_ALLOW);
    TpVolume(&tp, "\\DEVICE\\harddiskvolume3");
    EXPECT(&tp, JMF_ERROR_BAD_VOLUME, JMF_INDEX_NONE);
}

/* Patterns and volume names no name the kernel sees can match: JMF_ERROR_NEVER_MATCHES. */
static void
TestNeverMatches(void)
{
    static const char *const paths[] = { "secret\\**", "/secret/**", "\\a\\\\b", "\\dir\\", "C:\\secret" };
    static const char *const images[] = { "notepad.exe", "C:\\Windows\\notepad.exe", "**\\", "*" };
    static const char *const volumes[] = { "C:", "C:\\", "\\Device\\HarddiskVolume3\\", "\\??\\C:", "\\\\?\\C:" };
    TEST_POLICY tp;
    JMF_RULE *r;
    size_t i;

    for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        Fresh(&tp, JMF_OP_CREATE, JMF_ACTION_ALLOW); TpPath(&tp, 2, paths[i]);
        EXPECT(&tp, JMF_ERROR_NEVER_MATCHES, 2);
    }
    for (i = 0; i < sizeof(images) / sizeof(images[0]); i++) {
        Fresh(&tp, JMF_OP_CREATE, JMF_ACTION_ALLOW); TpImage(&tp, 2, images[i]);
        EXPECT(&tp, JMF_ERROR_NEVER_MATCHES, 2);
    }
    for (i = 0; i < sizeof(volumes) / sizeof(volumes[0]); i++) {
        Fresh(&tp, JMF_OP_CREATE, JMF_ACTION_ALLOW); TpVolume(&tp, volumes[i]);
        EXPECT(&tp, JMF_ERROR_NEVER_MATCHES, JMF_INDEX_NONE);
    }
    /* the corrections compile */
    Fresh(&tp, JMF_OP_CREATE, JMF_ACTION_ALLOW); TpPath(&tp, 2, "\\secret\\**"); TpImage(&tp, 2, "**\\notepad.exe");
    EXPECT(&tp, JMF_ERROR_NONE, JMF_INDEX_NONE);
    /* order: a malformed pattern is BAD_PATTERN before it is NEVER_MATCHES; the path before the image */
    Fresh(&tp, JMF_OP_CREATE, JMF_ACTION_ALLOW); TpPath(&tp, 2, "a***");
    EXPECT(&tp, JMF_ERROR_BAD_PATTERN, 2);
    r = Fresh(&tp, JMF_OP_CREATE, JMF_ACTION_ALLOW); TpPath(&tp, 2, "secret"); TpImage(&tp, 2, "\\x"); r->Image.Offset = 1;
    EXPECT(&tp, JMF_ERROR_NEVER_MATCHES, 2);
    /* a volume's name is checked before it is compared with the others */
    Fresh(&tp, JMF_OP_CREATE, JMF_ACTION_ALLOW); TpVolume(&tp, "C:"); TpVolume(&tp, "c:");
    EXPECT(&tp, JMF_ERROR_NEVER_MATCHES, JMF_INDEX_NONE);
}

static void
TestRuleErrors(void)
{
    TEST_POLICY tp;
    JMF_RULE *r;

    /* ids */
    r = Fresh(&tp, JMF_OP_CREATE, JMF_ACTION_ALLOW); r->RuleId = JMF_RULE_NONE;
    EXPECT(&tp, JMF_ERROR_BAD_RULE_ID, 2);
    r = Fresh(&tp, JMF_OP_CREATE, JMF_ACTION_ALLOW); r->RuleId = 10;       /* rule 0's */
    EXPECT(&tp, JMF_ERROR_BAD_RULE_ID, 2);
    r = Fresh(&tp, JMF_OP_CREATE, JMF_ACTION_ALLOW); r->RuleId = 0;        /* 0 is an id like any other */
    EXPECT(&tp, JMF_ERROR_NONE, JMF_INDEX_NONE);

    /* operations */
    r = Fresh(&tp, 0, JMF_ACTION_ALLOW);
    EXPECT(&tp, JMF_ERROR_BAD_OPERATIONS, 2);
    r = Fresh(&tp, JMF_OP_CREATE | 0x20u, JMF_ACTION_ALLOW);
    EXPECT(&tp, JMF_ERROR_BAD_OPERATIONS, 2);
    r = Fresh(&tp, JMF_OP_CREATE | JMF_OP_READ, JMF_ACTION_ALLOW); r->DesiredAccess = 1;
    EXPECT(&tp, JMF_ERROR_BAD_OPERATIONS, 2);
    r = Fresh(&tp, JMF_OP_WRITE, JMF_ACTION_ALLOW); r->Dispositions = 1;
    EXPECT(&tp, JMF_ERROR_BAD_OPERATIONS, 2);

    /* volume */
    r = Fresh(&tp, JMF_OP_CREATE, JMF_ACTION_ALLOW); r->Volume = 2;
    EXPECT(&tp, JMF_ERROR_BAD_VOLUME, 2);
    r = Fresh(&tp, JMF_OP_CREATE, JMF_ACTION_ALLOW); r->Volume = 1;
    EXPECT(&tp, JMF_ERROR_NONE, JMF_INDEX_NONE);

    /* match flags and dispositions */
    r = Fresh(&tp, JMF_OP_CREATE, JMF_ACTION_ALLOW); r->MatchFlags = 0x8;
    EXPECT(&tp, JMF_ERROR_BAD_FLAGS, 2);
    r = Fresh(&tp, JMF_OP_CREATE, JMF_ACTION_ALLOW); r->MatchFlags = JMF_MATCH_DIRECTORY | JMF_MATCH_NON_DIRECTORY;
    EXPECT(&tp, JMF_ERROR_BAD_FLAGS, 2);
    r = Fresh(&tp, JMF_OP_CREATE | JMF_OP_WRITE, JMF_ACTION_ALLOW); r->MatchFlags = JMF_MATCH_CREATED;
    EXPECT(&tp, JMF_ERROR_BAD_FLAGS, 2);
    r = Fresh(&tp, JMF_OP_CREATE, JMF_ACTION_ALLOW); r->MatchFlags = JMF_MATCH_DIRECTORY;
    EXPECT(&tp, JMF_ERROR_NONE, JMF_INDEX_NONE);
    r = Fresh(&tp, JMF_OP_CREATE, JMF_ACTION_ALLOW); r->Dispositions = 0x40;
    EXPECT(&tp, JMF_ERROR_BAD_FLAGS, 2);
    r = Fresh(&tp, JMF_OP_CREATE, JMF_ACTION_MODIFY); r->MatchFlags = JMF_MATCH_CREATED;
    EXPECT(&tp, JMF_ERROR_BAD_FLAGS, 2);
    r = Fresh(&tp, JMF_OP_CREATE, JMF_ACTION_REDIRECT); r->MatchFlags = JMF_MATCH_NON_DIRECTORY;
    EXPECT(&tp, JMF_ERROR_BAD_FLAGS, 2);

    /* strings and patterns, path then image */
    r = Fresh(&tp, JMF_OP_CREATE, JMF_ACTION_ALLOW); TpPath(&tp, 2, "\\x"); TpAt(&tp, 2)->Path.Offset += 1;
    EXPECT(&tp, JMF_ERROR_BAD_STRING, 2);
    r = Fresh(&tp, JMF_OP_CREATE, JMF_ACTION_ALLOW); TpPath(&tp, 2, "\\x"); TpAt(&tp, 2)->Path.Length = 3;
    EXPECT(&tp, JMF_ERROR_BAD_STRING, 2);
    r = Fresh(&tp, JMF_OP_CREATE, JMF_ACTION_ALLOW); TpPath(&tp, 2, "\\x"); TpAt(&tp, 2)->Path.Length += 2;
    EXPECT(&tp, JMF_ERROR_BAD_STRING, 2);
    r = Fresh(&tp, JMF_OP_CREATE, JMF_ACTION_ALLOW); TpImage(&tp, 2, "\\x"); TpAt(&tp, 2)->Image.Offset = 0xFFFFFFFEu;
    EXPECT(&tp, JMF_ERROR_BAD_STRING, 2);
    r = Fresh(&tp, JMF_OP_CREATE, JMF_ACTION_ALLOW); r->Image.Offset = 2;  /* an empty string at an offset inside the table */
    EXPECT(&tp, JMF_ERROR_NONE, JMF_INDEX_NONE);
    {
        static char longPattern[JMF_MAX_PATTERN_CHARS + 2];

        memset(longPattern, 'a', JMF_MAX_PATTERN_CHARS);
        longPattern[0] = '\\';
        longPattern[JMF_MAX_PATTERN_CHARS] = 0;
        Fresh(&tp, JMF_OP_CREATE, JMF_ACTION_ALLOW); TpPath(&tp, 2, longPattern);
        EXPECT(&tp, JMF_ERROR_NONE, JMF_INDEX_NONE);
        longPattern[JMF_MAX_PATTERN_CHARS] = 'a';
        longPattern[JMF_MAX_PATTERN_CHARS + 1] = 0;
        Fresh(&tp, JMF_OP_CREATE, JMF_ACTION_ALLOW); TpPath(&tp, 2, longPattern);
        EXPECT(&tp, JMF_ERROR_BAD_STRING, 2);
        Fresh(&tp, JMF_OP_CREATE, JMF_ACTION_ALLOW); TpImage(&tp, 2, longPattern);
        EXPECT(&tp, JMF_ERROR_BAD_STRING, 2);
    }
    r = Fresh(&tp, JMF_OP_CREATE, JMF_ACTION_ALLOW); TpPath(&tp, 2, "\\a\\***.txt");
    EXPECT(&tp, JMF_ERROR_BAD_PATTERN, 2);
    r = Fresh(&tp, JMF_OP_CREATE, JMF_ACTION_ALLOW); TpImage(&tp, 2, "***");
    EXPECT(&tp, JMF_ERROR_BAD_PATTERN, 2);
    {
        static const JMF_U16 withNul[] = { '\\', 'a', 0, 'b' };

        r = Fresh(&tp, JMF_OP_CREATE, JMF_ACTION_ALLOW);
        r->Image = TpString16(&tp, withNul, 4);
        EXPECT(&tp, JMF_ERROR_BAD_PATTERN, 2);
    }
}

static void
TestActionErrors(void)
{
    TEST_POLICY tp;
    JMF_RULE *r;

    /* type */
    r = Fresh(&tp, JMF_OP_CREATE, 0);
    EXPECT(&tp, JMF_ERROR_BAD_ACTION, 2);
    r = Fresh(&tp, JMF_OP_CREATE, JMF_ACTION_COUNT);
    EXPECT(&tp, JMF_ERROR_BAD_ACTION, 2);

    /* flags */
    r = Fresh(&tp, JMF_OP_CREATE, JMF_ACTION_DENY); r->Action.Flags = 0x10;
    EXPECT(&tp, JMF_ERROR_BAD_FLAGS, 2);
    /* audit-only: DENY, MODIFY, REDIRECT, ASK; not ALLOW or AUDIT, which already let it through */
    r = Fresh(&tp, JMF_OP_CREATE, JMF_ACTION_DENY); r->Action.Flags = JMF_ACTION_FLAG_AUDIT_ONLY;
    EXPECT(&tp, JMF_ERROR_NONE, JMF_INDEX_NONE);
    r = Fresh(&tp, JMF_OP_CREATE, JMF_ACTION_DENY);
    r->Action.Flags = JMF_ACTION_FLAG_AUDIT_ONLY | JMF_ACTION_FLAG_POST_CREATE;
    EXPECT(&tp, JMF_ERROR_NONE, JMF_INDEX_NONE);
    r = Fresh(&tp, JMF_OP_CREATE, JMF_ACTION_MODIFY); r->Action.Flags = JMF_ACTION_FLAG_AUDIT_ONLY;
    r->Action.AccessClear = 2;
    EXPECT(&tp, JMF_ERROR_NONE, JMF_INDEX_NONE);
    r = Fresh(&tp, JMF_OP_CREATE, JMF_ACTION_REDIRECT);
    r->Action.Flags = JMF_ACTION_FLAG_AUDIT_ONLY | JMF_ACTION_FLAG_FALLBACK_DENY;
    r->Action.Status = (JMF_I32)0xC0000022u;
    EXPECT(&tp, JMF_ERROR_NONE, JMF_INDEX_NONE);
    r = Fresh(&tp, JMF_OP_CREATE, JMF_ACTION_ASK); r->Action.Flags = JMF_ACTION_FLAG_AUDIT_ONLY;
    EXPECT(&tp, JMF_ERROR_NONE, JMF_INDEX_NONE);
    r = Fresh(&tp, JMF_OP_CREATE, JMF_ACTION_ALLOW); r->Action.Flags = JMF_ACTION_FLAG_AUDIT_ONLY;
    EXPECT(&tp, JMF_ERROR_BAD_FLAGS, 2);
    r = Fresh(&tp, JMF_OP_CREATE, JMF_ACTION_AUDIT); r->Action.Flags = JMF_ACTION_FLAG_AUDIT_ONLY;
    EXPECT(&tp, JMF_ERROR_BAD_FLAGS, 2);
    r = Fresh(&tp, JMF_OP_CREATE, JMF_ACTION_ALLOW); r->Action.Flags = JMF_ACTION_FLAG_POST_CREATE;
    EXPECT(&tp, JMF_ERROR_BAD_FLAGS, 2);
    r = Fresh(&tp, JMF_OP_CREATE | JMF_OP_DELETE, JMF_ACTION_DENY); r->Action.Flags = JMF_ACTION_FLAG_POST_CREATE;
    EXPECT(&tp, JMF_ERROR_BAD_FLAGS, 2);
    r = Fresh(&tp, JMF_OP_CREATE, JMF_ACTION_MODIFY); r->Action.Flags = JMF_ACTION_FLAG_POST_CREATE;
    EXPECT(&tp, JMF_ERROR_BAD_FLAGS, 2);
    r = Fresh(&tp, JMF_OP_CREATE, JMF_ACTION_DENY); r->Action.Flags = JMF_ACTION_FLAG_FALLBACK_DENY;
    EXPECT(&tp, JMF_ERROR_BAD_FLAGS, 2);
    r = Fresh(&tp, JMF_OP_CREATE, JMF_ACTION_AUDIT); r->Action.Flags = JMF_ACTION_FLAG_POST_CREATE;
    EXPECT(&tp, JMF_ERROR_NONE, JMF_INDEX_NONE);

    /* status */
    r = Fresh(&tp, JMF_OP_CREATE, JMF_ACTION_DENY); r->Action.Status = 0;
    EXPECT(&tp, JMF_ERROR_BAD_STATUS, 2);
    r = Fresh(&tp, JMF_OP_CREATE, JMF_ACTION_DENY); r->Action.Status = (JMF_I32)0xC01C0004u;
    EXPECT(&tp, JMF_ERROR_BAD_STATUS, 2);
    r = Fresh(&tp, JMF_OP_CREATE, JMF_ACTION_DENY); r->Action.Status = (JMF_I32)0x80000005u;
    EXPECT(&tp, JMF_ERROR_BAD_STATUS, 2);
    r = Fresh(&tp, JMF_OP_CREATE, JMF_ACTION_REDIRECT); r->Action.Flags = JMF_ACTION_FLAG_FALLBACK_DENY;
    EXPECT(&tp, JMF_ERROR_BAD_STATUS, 2);
    r = Fresh(&tp, JMF_OP_CREATE, JMF_ACTION_ASK); r->Action.DefaultVerdict = JMF_ACTION_DENY;
    EXPECT(&tp, JMF_ERROR_BAD_STATUS, 2);

    /* unused fields */
    r = Fresh(&tp, JMF_OP_CREATE, JMF_ACTION_ALLOW); r->Action.Status = TEST_STATUS_ACCESS_DENIED;
    EXPECT(&tp, JMF_ERROR_RESERVED, 2);
    r = Fresh(&tp, JMF_OP_CREATE, JMF_ACTION_REDIRECT); r->Action.Status = TEST_STATUS_ACCESS_DENIED;
    EXPECT(&tp, JMF_ERROR_RESERVED, 2);
    r = Fresh(&tp, JMF_OP_CREATE, JMF_ACTION_ASK); r->Action.Status = TEST_STATUS_ACCESS_DENIED;
    EXPECT(&tp, JMF_ERROR_RESERVED, 2);
    r = Fresh(&tp, JMF_OP_CREATE, JMF_ACTION_DENY); r->Action.Disposition = JMF_FILE_OPEN;
    EXPECT(&tp, JMF_ERROR_RESERVED, 2);
    r = Fresh(&tp, JMF_OP_CREATE, JMF_ACTION_DENY); r->Action.AccessClear = 1;
    EXPECT(&tp, JMF_ERROR_RESERVED, 2);
    r = Fresh(&tp, JMF_OP_CREATE, JMF_ACTION_AUDIT); r->Action.OptionsSet = 1;
    EXPECT(&tp, JMF_ERROR_RESERVED, 2);
    r = Fresh(&tp, JMF_OP_CREATE, JMF_ACTION_AUDIT); r->Action.OptionsClear = 1;
    EXPECT(&tp, JMF_ERROR_RESERVED, 2);
    r = Fresh(&tp, JMF_OP_CREATE, JMF_ACTION_ASK); r->Action.OperationFlagsSet = 1;
    EXPECT(&tp, JMF_ERROR_RESERVED, 2);
    r = Fresh(&tp, JMF_OP_CREATE, JMF_ACTION_ASK); r->Action.OperationFlagsClear = 1;
    EXPECT(&tp, JMF_ERROR_RESERVED, 2);
    r = Fresh(&tp, JMF_OP_CREATE, JMF_ACTION_ALLOW); r->Action.TargetVolume = 1;
    EXPECT(&tp, JMF_ERROR_RESERVED, 2);
    r = Fresh(&tp, JMF_OP_CREATE, JMF_ACTION_DENY); r->Action.TimeoutMs = 1;
    EXPECT(&tp, JMF_ERROR_RESERVED, 2);
    r = Fresh(&tp, JMF_OP_CREATE, JMF_ACTION_MODIFY); r->Action.DefaultVerdict = JMF_ACTION_ALLOW;
    EXPECT(&tp, JMF_ERROR_RESERVED, 2);

    /* MODIFY */
    r = Fresh(&tp, JMF_OP_CREATE, JMF_ACTION_MODIFY); r->Action.AccessClear = 0;     /* changes nothing */
    EXPECT(&tp, JMF_ERROR_BAD_MODIFY, 2);
    r = Fresh(&tp, JMF_OP_CREATE, JMF_ACTION_MODIFY); r->Action.OptionsSet = 0x01000000u;
    EXPECT(&tp, JMF_ERROR_BAD_MODIFY, 2);
    r = Fresh(&tp, JMF_OP_CREATE, JMF_ACTION_MODIFY); r->Action.OptionsSet = 8; r->Action.OptionsClear = 8;
    EXPECT(&tp, JMF_ERROR_BAD_MODIFY, 2);
    r = Fresh(&tp, JMF_OP_CREATE, JMF_ACTION_MODIFY); r->Action.Disposition = JMF_FILE_MAXIMUM_DISPOSITION + 1;
    EXPECT(&tp, JMF_ERROR_BAD_MODIFY, 2);
    r = Fresh(&tp, JMF_OP_CREATE, JMF_ACTION_MODIFY); r->Action.OperationFlagsSet = JMF_SL_WRITE_THROUGH;
    EXPECT(&tp, JMF_ERROR_BAD_MODIFY, 2);
    r = Fresh(&tp, JMF_OP_WRITE, JMF_ACTION_MODIFY); r->Action.AccessClear = 0;
    r->Action.OperationFlagsSet = JMF_SL_FORCE_ACCESS_CHECK;
    EXPECT(&tp, JMF_ERROR_BAD_MODIFY, 2);
    r = Fresh(&tp, JMF_OP_READ, JMF_ACTION_MODIFY); r->Action.AccessClear = 0;
    r->Action.OperationFlagsClear = JMF_SL_WRITE_THROUGH;
    EXPECT(&tp, JMF_ERROR_BAD_MODIFY, 2);
    r = Fresh(&tp, JMF_OP_WRITE, JMF_ACTION_MODIFY); r->Action.AccessClear = 0;
    r->Action.OperationFlagsSet = JMF_SL_WRITE_THROUGH; r->Action.OperationFlagsClear = JMF_SL_WRITE_THROUGH;
    EXPECT(&tp, JMF_ERROR_BAD_MODIFY, 2);
    r = Fresh(&tp, JMF_OP_CREATE | JMF_OP_WRITE, JMF_ACTION_MODIFY); r->Action.AccessClear = 0;
    r->Action.OperationFlagsSet = JMF_SL_WRITE_THROUGH;     /* two operations: the bit is ambiguous */
    EXPECT(&tp, JMF_ERROR_BAD_OPERATIONS, 2);
    r = Fresh(&tp, JMF_OP_WRITE, JMF_ACTION_MODIFY);        /* create fields on a write */
    EXPECT(&tp, JMF_ERROR_BAD_OPERATIONS, 2);
    r = Fresh(&tp, JMF_OP_CREATE | JMF_OP_RENAME, JMF_ACTION_MODIFY);
    EXPECT(&tp, JMF_ERROR_NONE, JMF_INDEX_NONE);

    /* REDIRECT */
    r = Fresh(&tp, JMF_OP_READ | JMF_OP_WRITE, JMF_ACTION_REDIRECT);
    EXPECT(&tp, JMF_ERROR_BAD_OPERATIONS, 2);
    r = Fresh(&tp, JMF_OP_CREATE | JMF_OP_DELETE, JMF_ACTION_REDIRECT);
    EXPECT(&tp, JMF_ERROR_BAD_OPERATIONS, 2);
    r = Fresh(&tp, JMF_OP_CREATE, JMF_ACTION_REDIRECT); r->Action.TargetVolume = 2;
    EXPECT(&tp, JMF_ERROR_BAD_VOLUME, 2);
    r = Fresh(&tp, JMF_OP_CREATE, JMF_ACTION_REDIRECT); r->Action.TargetVolume = 0;   /* its own volume */
    EXPECT(&tp, JMF_ERROR_BAD_VOLUME, 2);

    /* ASK */
    r = Fresh(&tp, JMF_OP_CREATE, JMF_ACTION_ASK); r->Action.TimeoutMs = JMF_MAX_ASK_TIMEOUT_MS + 1;
    EXPECT(&tp, JMF_ERROR_BAD_TIMEOUT, 2);
    r = Fresh(&tp, JMF_OP_CREATE, JMF_ACTION_ASK); r->Action.DefaultVerdict = JMF_ACTION_AUDIT;
    EXPECT(&tp, JMF_ERROR_BAD_DEFAULT, 2);
    r = Fresh(&tp, JMF_OP_CREATE, JMF_ACTION_ASK); r->Action.DefaultVerdict = JMF_ACTION_ASK;
    EXPECT(&tp, JMF_ERROR_BAD_DEFAULT, 2);
    r = Fresh(&tp, JMF_OP_WRITE, JMF_ACTION_ASK); r->Action.DefaultVerdict = JMF_ACTION_ALLOW;
    EXPECT(&tp, JMF_ERROR_NONE, JMF_INDEX_NONE);
}

/* The first problem in rule order is the one reported, whatever its kind. */
static void
TestFirstProblem(void)
{
    TEST_POLICY tp;
    JMF_RULE *r;

    r = Fresh(&tp, JMF_OP_CREATE, JMF_ACTION_DENY);
    r->Action.Status = 0;                       /* rule 2: BAD_STATUS */
    TpAt(&tp, 1)->Operations = 0;               /* rule 1: BAD_OPERATIONS */
    EXPECT(&tp, JMF_ERROR_BAD_OPERATIONS, 1);

    r = Fresh(&tp, JMF_OP_CREATE, JMF_ACTION_DENY);
    r->RuleId = 11;                             /* rule 2 repeats rule 1's id ... */
    TpRule(&tp, 13, 0, JMF_ACTION_ALLOW);       /* ... and rule 3 has no operations */
    EXPECT(&tp, JMF_ERROR_BAD_RULE_ID, 2);

    /* a header problem comes before any rule problem */
    r = Fresh(&tp, 0, JMF_ACTION_DENY);
    TpBuild(&tp);
    tp.Header.Version = 9;
    EXPECT_HEADER(&tp, JMF_ERROR_BAD_VERSION);

    /* a volume problem comes before any rule problem */
    r = Fresh(&tp, 0, JMF_ACTION_DENY);
    tp.Volumes[0].Name.Length = 0;
    EXPECT(&tp, JMF_ERROR_BAD_STRING, JMF_INDEX_NONE);
}

/*
 * Allocation failure at each allocation in turn: JMF_ERROR_NO_MEMORY and
 * STATUS_INSUFFICIENT_RESOURCES, *Policy NULL, every block freed. The loop
 * ends at the first count that does not fail, which must then succeed.
 */
static void
TestAllocationFailures(void)
{
    TEST_POLICY tp;
    long failAt;
    long failures = 0;
    int succeeded = 0;
    JMF_U32 r;

    Fresh(&tp, JMF_OP_CREATE, JMF_ACTION_DENY);
    r = TpRule(&tp, 20, JMF_OP_WRITE | JMF_OP_READ, JMF_ACTION_AUDIT);
    TpPath(&tp, r, "\\data\\**");
    TpBuild(&tp);
    for (failAt = 0; failAt < 100 && !succeeded; failAt++) {
        TEST_ALLOC alloc;
        JMF_POLICY *policy = (JMF_POLICY *)&alloc;
        JMF_RESULT result;
        JMF_U32 error;

        TestAllocInit(&alloc, failAt);
        error = JmfPolicyCompile(tp.Body, tp.Length, 1, &alloc.Allocator, &policy, &result);
        if ((long)alloc.Calls > failAt) {
            CHECK_EQ(error, JMF_ERROR_NO_MEMORY);
            CHECK_EQ(result.Error, JMF_ERROR_NO_MEMORY);
            CHECK_EQ((JMF_U32)result.Status, STATUS_INSUFFICIENT_RESOURCES);
            CHECK_EQ(result.RuleIndex, JMF_INDEX_NONE);
            CHECK(policy == NULL);
            failures++;
        } else {
            CHECK_EQ(error, JMF_ERROR_NONE);
            JmfPolicyFree(policy);
            succeeded = 1;
        }
        CHECK_EQ(alloc.Allocations, alloc.Frees);
    }
    CHECK(succeeded);
    CHECK_EQ(failures, 8);  /* policy, body copy, id set, key counts (2), lists, index (2) */
    TpFree(&tp);
}

/* Accessors of a compiled policy. */
static void
TestAccessors(void)
{
    TEST_POLICY tp;
    TEST_ALLOC alloc;
    JMF_POLICY *policy = NULL;
    JMF_RESULT result;
    JMF_U16 name[64];
    JMF_U32 chars = 99;
    const JMF_U16 *v;

    Fresh(&tp, JMF_OP_CREATE, JMF_ACTION_AUDIT);
    TestAllocInit(&alloc, -1);
    CHECK_EQ(TpCompile(&tp, &alloc, &policy, &result), JMF_ERROR_NONE);
    CHECK_EQ(JmfPolicyRuleCount(policy), 3);
    CHECK_EQ(JmfPolicyVolumeCount(policy), 2);
    CHECK_EQ(JmfPolicyRule(policy, 1)->RuleId, 11);
    CHECK(JmfPolicyRule(policy, 3) == NULL);
    v = JmfPolicyVolumeName(policy, 1, &chars);
    CHECK_EQ(chars, 23);
    CHECK(v != NULL && memcmp(v, tp.Strings + tp.Volumes[1].Name.Offset / 2, 46) == 0);
    CHECK(JmfPolicyVolumeName(policy, 2, &chars) == NULL);
    CHECK_EQ(chars, 0);
    CHECK_EQ(JmfPolicyFindVolume(policy, name, Utf16("\\device\\HARDDISKVOLUME3", name, 64)), 1);
    CHECK_EQ(JmfPolicyFindVolume(policy, name, Utf16("\\Device\\HarddiskVolume2", name, 64)), 0);
    CHECK_EQ(JmfPolicyFindVolume(policy, name, Utf16("\\Device\\HarddiskVolume", name, 64)), JMF_VOLUME_ANY);
    CHECK_EQ(JmfPolicyFindVolume(policy, name, Utf16("\\Device\\HarddiskVolume22", name, 64)), JMF_VOLUME_ANY);
    JmfPolicyFree(policy);
    JmfPolicyFree(NULL);
    CHECK_EQ(TestAllocLive(&alloc), 0);
    TpFree(&tp);
}

/*
 * A policy-level audit-only flag reaches every rule it applies to (DENY,
 * MODIFY, REDIRECT, ASK) in the compiled policy, and no other (ALLOW,
 * AUDIT); without it, only the rules that say so are audit-only.
 */
static void
TestPolicyAuditOnly(void)
{
    TEST_POLICY tp;
    TEST_ALLOC alloc;
    JMF_POLICY *policy = NULL;
    JMF_RESULT result;
    JMF_U32 r;
    int flagged;

    for (flagged = 0; flagged < 2; flagged++) {
        TpInit(&tp);
        TpRule(&tp, 1, JMF_OP_CREATE, JMF_ACTION_DENY);
        TpRule(&tp, 2, JMF_OP_CREATE, JMF_ACTION_ALLOW);
        TpRule(&tp, 3, JMF_OP_WRITE, JMF_ACTION_AUDIT);
        TpRule(&tp, 4, JMF_OP_READ, JMF_ACTION_ASK);
        r = TpRule(&tp, 5, JMF_OP_CREATE, JMF_ACTION_MODIFY);
        TpAt(&tp, r)->Action.AccessClear = 2;
        r = TpRule(&tp, 6, JMF_OP_CREATE, JMF_ACTION_DENY);
        TpAt(&tp, r)->Action.Flags = JMF_ACTION_FLAG_AUDIT_ONLY;
        TpBuild(&tp);
        if (flagged) {
            tp.Header.Flags = JMF_POLICY_FLAG_AUDIT_ONLY;
            TpPatchHeader(&tp);
        }
        TestAllocInit(&alloc, -1);
        CHECK_EQ(JmfPolicyCompile(tp.Body, tp.Length, 1, &alloc.Allocator, &policy, &result), JMF_ERROR_NONE);
        CHECK_EQ(JmfPolicyRule(policy, 0)->Action.Flags & JMF_ACTION_FLAG_AUDIT_ONLY,
                 flagged ? JMF_ACTION_FLAG_AUDIT_ONLY : 0);
        CHECK_EQ(JmfPolicyRule(policy, 1)->Action.Flags & JMF_ACTION_FLAG_AUDIT_ONLY, 0);
        CHECK_EQ(JmfPolicyRule(policy, 2)->Action.Flags & JMF_ACTION_FLAG_AUDIT_ONLY, 0);
        CHECK_EQ(JmfPolicyRule(policy, 3)->Action.Flags & JMF_ACTION_FLAG_AUDIT_ONLY,
                 flagged ? JMF_ACTION_FLAG_AUDIT_ONLY : 0);
        CHECK_EQ(JmfPolicyRule(policy, 4)->Action.Flags & JMF_ACTION_FLAG_AUDIT_ONLY,
                 flagged ? JMF_ACTION_FLAG_AUDIT_ONLY : 0);
        CHECK_EQ(JmfPolicyRule(policy, 5)->Action.Flags & JMF_ACTION_FLAG_AUDIT_ONLY, JMF_ACTION_FLAG_AUDIT_ONLY);
        JmfPolicyFree(policy);
        CHECK_EQ(TestAllocLive(&alloc), 0);
        TpFree(&tp);
    }
}

void
TestCompile(void)
{
    TestPolicyAuditOnly();
    TestNeverMatches();
    TestValidPolicies();
    TestHeaderErrors();
    TestVolumeErrors();
    TestRuleErrors();
    TestActionErrors();
    TestFirstProblem();
    TestAllocationFailures();
    TestAccessors();
}
