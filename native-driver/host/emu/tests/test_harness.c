#include "test_harness.h"

static int g_failed;
static char g_taken[256];

void TestFail(const char *file, int line, const char *what)
{
    printf("    FAILED %s:%d: %s\n", file, line, what);
    g_failed = 1;
}

int TestTakeViolation(const char *text)
{
    int n = EmuViolationCount();
    char buf[1024];
    for (int i = 0; i < n && i < 256; i++) {
        if (!g_taken[i] && EmuViolationText(i, buf, sizeof(buf)) >= 0 && strstr(buf, text) != NULL) {
            g_taken[i] = 1;
            return 1;
        }
    }
    return 0;
}

int TestMain(const char *suite, const TEST_CASE *tests, size_t count)
{
    int passed = 0, failed = 0;
    setvbuf(stdout, NULL, _IONBF, 0);
    const char *only = getenv("EMU_TEST");
    for (size_t t = 0; t < count; t++) {
        if (only != NULL && strstr(tests[t].Name, only) == NULL) {
            continue;
        }
        EmuReset();
        EmuSetProcess(TEST_PID, TEST_IMAGE, 0);
        EmuSetProcess(200, "\\Device\\HarddiskVolume1\\Program Files\\Java\\bin\\java.exe", 1);
        EmuSetCurrentProcess(TEST_PID);
        memset(g_taken, 0, sizeof(g_taken));
        g_failed = 0;
        tests[t].Fn();
        EmuWaitWorkersIdle();
        EmuAsyncCheckLeaks();      /* an asynchronous request the test never waited on */
        char buf[1024];
        for (int i = 0; i < EmuViolationCount() && i < 256; i++) {
            if (!g_taken[i] && EmuViolationText(i, buf, sizeof(buf)) >= 0) {
                printf("    FAILED: unexpected violation: %s\n", buf);
                g_failed = 1;
            }
        }
        printf("%s %s\n", g_failed ? "FAIL" : "ok  ", tests[t].Name);
        if (g_failed) {
            failed++;
        } else {
            passed++;
        }
    }
    EmuReset();
    printf("%s: %d passed, %d failed\n", suite, passed, failed);
    return failed == 0 ? 0 : 1;
}
