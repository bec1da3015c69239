/*
 * fuzz_policy.c - libFuzzer target: any byte string as a SET_POLICY body
 * through JmfPolicyCompile; a policy that compiles answers a fixed set of
 * decisions in every phase, operation and volume through
 * JmfPolicyInterested and JmfPolicyMatch, and is freed with every block
 * returned; it is then compiled again with each allocation failing in turn. The same bytes also go through JmfCommandParse and, split in
 * two, through JmfPatternMatch. Run by `make fuzz` (clang-19, 60 s).
 */
#include <stdlib.h>
#include <string.h>

#include "support.h"

static const char *const g_paths[] = {
    "\\Users\\bob\\Documents\\secret\\a.txt", "\\logs\\x\\y.log", "\\cache\\ab\\c.bin", "\\inbox\\m.eml",
    "\\Документы\\σ.txt", "\\Windows\\System32\\drivers\\etc\\hosts", "\\a", "\\", "a\\b",
};

static void
Decide(const JMF_POLICY *Policy)
{
    TEST_FACTS tf;
    JMF_U32 p;
    JMF_U32 op;
    JMF_U32 v;
    JMF_U32 needs;

    for (p = 0; p < sizeof(g_paths) / sizeof(g_paths[0]); p++) {
        for (op = 0; op < 5; op++) {
            for (v = 0; v < 3; v++) {
                JMF_U32 phase = (op == 0 && v == 2) ? JMF_PHASE_POST_CREATE : JMF_PHASE_PRE;
                JMF_U32 index;

                TfInit(&tf, phase, 1u << op, g_paths[p]);
                tf.Facts.Volume = (JMF_U16)(v == 2 ? JMF_VOLUME_ANY : v);
                tf.Facts.Observed = JMF_MATCH_NON_DIRECTORY | JMF_MATCH_CREATED;
                TfImage(&tf, "\\Device\\HarddiskVolume2\\tools\\x.exe");
                JmfPolicyInterested(Policy, phase, tf.Facts.Operation, tf.Facts.Volume, &needs);
                index = JmfPolicyMatch(Policy, &tf.Facts);
                if (index != JMF_INDEX_NONE && index >= JmfPolicyRuleCount(Policy)) {
                    abort();
                }
            }
        }
    }
}

int LLVMFuzzerTestOneInput(const JMF_U8 *Data, size_t Size);

int
LLVMFuzzerTestOneInput(const JMF_U8 *Data, size_t Size)
{
    TEST_ALLOC alloc;
    JMF_POLICY *policy = NULL;
    JMF_RESULT result;
    JMF_U32 type;
    const void *body;
    JMF_U32 bodyLength;

    if (Size > JMF_MAX_POLICY_BYTES) {
        return 0;
    }
    TestAllocInit(&alloc, -1);
    if (JmfPolicyCompile(Data, (JMF_U32)Size, 1, &alloc.Allocator, &policy, &result) == JMF_ERROR_NONE) {
        unsigned long calls = alloc.Calls;
        long failAt;

        Decide(policy);
        JmfPolicyFree(policy);
        /* the same body with each allocation failing in turn: NO_MEMORY, nothing left behind */
        for (failAt = 0; failAt < (long)calls; failAt++) {
            TEST_ALLOC failing;
            JMF_POLICY *none = NULL;

            TestAllocInit(&failing, failAt);
            if (JmfPolicyCompile(Data, (JMF_U32)Size, 1, &failing.Allocator, &none, &result) != JMF_ERROR_NO_MEMORY ||
                none != NULL || TestAllocLive(&failing) != 0) {
                abort();
            }
        }
    } else if (policy != NULL || result.Error == JMF_ERROR_NONE || result.Error >= JMF_ERROR_COUNT) {
        abort();
    }
    if (TestAllocLive(&alloc) != 0) {
        abort();
    }

    JmfCommandParse(Data, (JMF_U32)Size, &type, &body, &bodyLength);

    if (Size >= 4 && Size <= 2 * (JMF_MAX_PATTERN_CHARS + 4096)) {
        static JMF_U16 pattern[JMF_MAX_PATTERN_CHARS + 4096];
        size_t half = (Size / 4) * 2;           /* bytes, even */
        JMF_U32 patternChars = (JMF_U32)(half / 2);
        JMF_U32 textChars = (JMF_U32)((Size - half) / 2);

        memcpy(pattern, Data, half);
        if (patternChars <= JMF_MAX_PATTERN_CHARS) {
            static JMF_U16 text[JMF_MAX_PATTERN_CHARS + 4096];

            memcpy(text, Data + half, textChars * 2u);
            JmfPatternMatch(pattern, patternChars, text, textChars);
        }
    }
    return 0;
}
