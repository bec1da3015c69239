/*
 * emu_explain.c - the driver's own policy compiler and matcher (the portable core,
 * native-driver/src/jmf_policy*.c, linked into libjmfemu.so), exported for
 * `jminifilter explain`, so "which rule decides" is answered by the code the kernel runs.
 */
#include "emu_internal.h"
#include "jmf_emu.h"
#include "jmf_policy.h"

#include <stdlib.h>

static void *ExplainAllocate(void *context, JMF_U64 bytes)
{
    (void)context;
    return calloc(1, bytes != 0 ? (size_t)bytes : 1);
}

static void ExplainFree(void *context, void *block)
{
    (void)context;
    free(block);
}

int32_t EmuExplain(const void *policyBody, uint32_t length, uint32_t phase, uint32_t operation,
        const uint16_t *volume, uint32_t volumeChars, uint32_t processId, uint32_t desiredAccess,
        uint32_t disposition, uint32_t createOptions, uint32_t observed, const uint16_t *path, uint32_t pathChars,
        const uint16_t *image, uint32_t imageChars, uint32_t *ruleIndex)
{
    static const JMF_ALLOCATOR allocator = { ExplainAllocate, ExplainFree, NULL };
    JMF_POLICY *policy = NULL;
    JMF_RESULT result;
    JMF_OPERATION_FACTS facts;
    JMF_U32 error;

    if (policyBody == NULL || ruleIndex == NULL) {
        return (int32_t)JMF_ERROR_TRUNCATED;
    }
    *ruleIndex = JMF_INDEX_NONE;
    /* A copy the compiler owns, 8-byte aligned as the driver's message buffer is. */
    void *copy = malloc(length != 0 ? length : 1);
    if (copy == NULL) {
        return (int32_t)JMF_ERROR_NO_MEMORY;
    }
    memcpy(copy, policyBody, length);
    error = JmfPolicyCompile(copy, length, 1, &allocator, &policy, &result);
    free(copy);
    if (error != JMF_ERROR_NONE) {
        return (int32_t)error;
    }
    memset(&facts, 0, sizeof(facts));
    facts.Phase = phase;
    facts.Operation = operation;
    facts.Volume = volume != NULL ? JmfPolicyFindVolume(policy, volume, volumeChars) : JMF_VOLUME_ANY;
    facts.ProcessId = processId;
    facts.DesiredAccess = desiredAccess;
    facts.CreateDisposition = disposition;
    facts.CreateOptions = createOptions;
    facts.Observed = observed;
    facts.Path = path;
    facts.PathChars = path != NULL ? pathChars : 0;
    facts.Image = image;
    facts.ImageChars = image != NULL ? imageChars : 0;
    *ruleIndex = JmfPolicyMatch(policy, &facts);
    JmfPolicyFree(policy);
    return 0;
}
