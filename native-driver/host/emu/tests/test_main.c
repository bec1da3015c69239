#include "test_harness.h"

#define SUITE(x) extern const TEST_CASE x[]; extern const size_t x##Count;
SUITE(g_fsTests)
SUITE(g_stackTests)
SUITE(g_paramTests)
SUITE(g_cancelTests)
SUITE(g_portTests)
SUITE(g_leakTests)

int main(void)
{
    static TEST_CASE all[256];
    size_t n = 0;
    const TEST_CASE *suites[] = { g_fsTests, g_stackTests, g_paramTests, g_cancelTests, g_portTests, g_leakTests };
    size_t counts[] = { g_fsTestsCount, g_stackTestsCount, g_paramTestsCount, g_cancelTestsCount, g_portTestsCount, g_leakTestsCount };
    for (size_t s = 0; s < sizeof(suites) / sizeof(suites[0]); s++) {
        for (size_t i = 0; i < counts[s]; i++) {
            all[n++] = suites[s][i];
        }
    }
    return TestMain("emu", all, n);
}
