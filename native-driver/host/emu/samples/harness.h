/*
 * harness.h - what a sample's own checks (checks/<name>.c, linked by
 * run-samples.sh when it exists) may use of sample_harness.c.
 *
 * Each hook is optional (sample_harness.c has empty weak defaults):
 *   HarnessBeforeLoad   - before DriverEntry: registry values the sample's
 *                         INF would create (EmuRegistry*), files it expects;
 *   HarnessWhileLoaded  - after the common exercise on every volume, with the
 *                         sample still loaded: what is particular to it
 *                         (a user-mode client, the effect it should have);
 *   HarnessAfterUnload  - after the mandatory unload, before the leak checks.
 * A failed CHECK fails the sample; it never stops the run.
 */
#ifndef SAMPLE_HARNESS_H
#define SAMPLE_HARNESS_H

#include <stdint.h>
#include <stdio.h>

#define HARNESS_VOLUMES 3   /* two disk volumes, then a network volume created while loaded */

extern const char *g_sample;
extern int g_failures;

#define CHECK(cond, ...) do { \
        if (!(cond)) { \
            g_failures++; \
            fprintf(stderr, "%s: FAIL %s:%d: %s: ", g_sample, __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__); \
            fputc('\n', stderr); \
        } \
    } while (0)

void HarnessBeforeLoad(void);
void HarnessWhileLoaded(const int32_t volumes[HARNESS_VOLUMES]);
void HarnessAfterUnload(void);

#endif
