/* harness.c - counters and main() of the unit tests. */
#include "harness.h"

unsigned long g_passed;
unsigned long g_failed;

void
HarnessFail(const char *File, int Line, const char *What, unsigned long long A, unsigned long long B)
{
    g_failed++;
    if (A != B) {
        fprintf(stderr, "%s:%d: FAILED %s (0x%llx vs 0x%llx)\n", File, Line, What, A, B);
    } else {
        fprintf(stderr, "%s:%d: FAILED %s\n", File, Line, What);
    }
}

int
main(void)
{
    TestPattern();
    TestCommand();
    TestCompile();
    TestMatch();
    TestMutation();
    printf("unit: %lu passed, %lu failed\n", g_passed, g_failed);
    fflush(stdout);     /* before LeakSanitizer's exit-time report, which may _exit */
    return g_failed == 0 ? 0 : 1;
}
