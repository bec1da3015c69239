/*
 * test_mutation.c - mutated policy bodies (fixed seeds) through
 * JmfPolicyCompile under the sanitizers: no crash, no leak, every block
 * freed, a sensible error and rule index, the same answer twice, and the
 * policies that do compile answer matches without fault.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "sample_policy.h"

static const JMF_U32 g_interesting[] = {
    0, 1, 2, 7, 8, 40, 80, 0x7F, 0xFF, 0xFFFF, 0x10000, 0x7FFFFFFFu, 0x80000000u,
    0xFFFFFFF8u, 0xFFFFFFFFu, JMF_MAX_RULES, JMF_MAX_RULES + 1, JMF_DISPOSITION_UNCHANGED,
};

static void
Mutate(JMF_U8 *Body, JMF_U32 Length)
{
    int kind = rand() % 4;
    JMF_U32 at = (JMF_U32)rand() % Length;

    switch (kind) {
    case 0:
        Body[at] ^= (JMF_U8)(1u << (rand() % 8));
        break;
    case 1:
        Body[at] = (JMF_U8)rand();
        break;
    default: {
        JMF_U32 value = g_interesting[rand() % (int)(sizeof(g_interesting) / sizeof(g_interesting[0]))];

        at &= ~3u;
        if (rand() % 3 == 0) {
            value += (JMF_U32)(rand() % 5) - 2u;
        }
        if (at + 4 <= Length) {
            memcpy(Body + at, &value, 4);
        }
        break;
    }
    }
}

/* Runs random decisions on a compiled policy; returns how many gave an impossible answer. */
static unsigned long
ExerciseMatches(const JMF_POLICY *Policy)
{
    static const char *const paths[] = {
        "\\Users\\bob\\Documents\\secret\\a.txt", "\\logs\\x\\y.log", "\\cache\\ab\\c.bin",
        "\\inbox\\m.eml", "\\Документы\\σ.txt", "x", "\\",
    };
    int i;
    unsigned long wrong = 0;

    for (i = 0; i < 20; i++) {
        TEST_FACTS tf;
        JMF_U32 needs;
        JMF_U32 index;

        TfInit(&tf, (rand() % 2) ? JMF_PHASE_PRE : JMF_PHASE_POST_CREATE, 1u << (rand() % 5), paths[rand() % 7]);
        tf.Facts.Volume = (JMF_U16)(rand() % 4);
        tf.Facts.Observed = (JMF_U32)rand() % 8;
        TfImage(&tf, "\\Device\\HarddiskVolume2\\tools\\x.exe");
        JmfPolicyInterested(Policy, tf.Facts.Phase, tf.Facts.Operation, tf.Facts.Volume, &needs);
        index = JmfPolicyMatch(Policy, &tf.Facts);
        if (index != JMF_INDEX_NONE && index >= JmfPolicyRuleCount(Policy)) {
            wrong++;
        }
    }
    return wrong;
}

void
TestMutation(void)
{
    TEST_POLICY tp;
    unsigned seed;
    unsigned long compiled = 0;
    unsigned long rejected = 0;
    unsigned long badOutcome = 0;
    unsigned long leaks = 0;
    unsigned long unstable = 0;
    unsigned long errorSeen[JMF_ERROR_COUNT];
    unsigned long kinds = 0;
    JMF_U32 e;

    memset(errorSeen, 0, sizeof(errorSeen));
    TpInit(&tp);
    SamplePolicy(&tp);
    TpBuild(&tp);

    for (seed = 1; seed <= 20000; seed++) {
        JMF_U8 *body = (JMF_U8 *)malloc(tp.Length);
        JMF_U32 length = tp.Length;
        int mutations;
        int m;
        TEST_ALLOC alloc;
        JMF_POLICY *policy = NULL;
        JMF_RESULT result;
        JMF_RESULT again;
        JMF_U32 error;

        srand(seed);
        memcpy(body, tp.Body, tp.Length);
        mutations = 1 + rand() % 4;
        for (m = 0; m < mutations; m++) {
            Mutate(body, length);
        }
        if (rand() % 16 == 0) {
            length = (JMF_U32)rand() % length;
        }
        TestAllocInit(&alloc, (rand() % 10 == 0) ? rand() % 6 : -1);
        error = JmfPolicyCompile(body, length, seed, &alloc.Allocator, &policy, &result);
        if (error == JMF_ERROR_NONE) {
            compiled++;
            if (policy == NULL || result.Error != JMF_ERROR_NONE) {
                badOutcome++;
            } else {
                badOutcome += ExerciseMatches(policy);
            }
            JmfPolicyFree(policy);
        } else {
            rejected++;
            if (error >= JMF_ERROR_COUNT || policy != NULL || result.Error != error ||
                (result.RuleIndex != JMF_INDEX_NONE && result.RuleIndex >= tp.RuleCount)) {
                badOutcome++;
            } else {
                errorSeen[error]++;
            }
            if (alloc.FailAt < 0) {
                /* the same body gives the same answer */
                TEST_ALLOC alloc2;
                JMF_POLICY *policy2 = NULL;

                TestAllocInit(&alloc2, -1);
                JmfPolicyCompile(body, length, seed, &alloc2.Allocator, &policy2, &again);
                if (again.Error != result.Error || again.RuleIndex != result.RuleIndex) {
                    unstable++;
                }
                JmfPolicyFree(policy2);
                if (TestAllocLive(&alloc2) != 0) {
                    leaks++;
                }
            }
        }
        if (TestAllocLive(&alloc) != 0) {
            leaks++;
        }
        free(body);
    }
    for (e = 1; e < JMF_ERROR_COUNT; e++) {
        kinds += errorSeen[e] != 0;
    }
    CHECK_EQ(badOutcome, 0);
    CHECK_EQ(leaks, 0);
    CHECK_EQ(unstable, 0);
    CHECK(compiled > 500);          /* mutations that kept the policy valid were exercised ... */
    CHECK(rejected > 5000);         /* ... and so were rejections, */
    CHECK(kinds >= 15);             /* of many different kinds */
    TpFree(&tp);
}
