/*
 * The emulator's test program: every suite, on a freshly reset emulated
 * kernel each. The driver suite (the real driver under the emulator) is
 * linked in only when native-driver/src has sources (weak symbols otherwise).
 */
#include "test_harness.h"

#define SUITE(x) extern const TEST_CASE x[]; extern const size_t x##Count;
#define WEAK_SUITE(x) extern const TEST_CASE x[] __attribute__((weak)); extern const size_t x##Count __attribute__((weak));
SUITE(g_fsTests)
SUITE(g_linkTests)
SUITE(g_stackTests)
SUITE(g_paramTests)
SUITE(g_cancelTests)
SUITE(g_portTests)
SUITE(g_fltlibTests)
SUITE(g_leakTests)
SUITE(g_misuseTests)
SUITE(g_traceLoggingTests)
SUITE(g_rundownTests)
SUITE(g_reparseTests)
WEAK_SUITE(g_driverTests)
WEAK_SUITE(g_driverRenameTests)
WEAK_SUITE(g_driverModifyTests)
WEAK_SUITE(g_driverMatchTests)
WEAK_SUITE(g_driverTraceTests)
WEAK_SUITE(g_askTests)
WEAK_SUITE(g_redirectTests)
WEAK_SUITE(g_driverReparseTests)
WEAK_SUITE(g_driverSetInfoTests)
SUITE(g_wdkCompatTests)
SUITE(g_peTests)
WEAK_SUITE(g_driverAuditTests)
WEAK_SUITE(g_driverPersistTests)
SUITE(g_sehTests)
SUITE(g_fidelityTests)
SUITE(g_bufferTests)
SUITE(g_drvregTests)
SUITE(g_kernel32Tests)
SUITE(g_deviceTests)
SUITE(g_wdkMoreTests)
SUITE(g_txnTests)
SUITE(g_generatedIoTests)
SUITE(g_volumeTests)
SUITE(g_asyncTests)
WEAK_SUITE(g_driverAsyncTests)
SUITE(g_sectionTests)
SUITE(g_dirQueryTests)
SUITE(g_nameProviderTests)
SUITE(g_fltIoAsyncTests)

int main(void)
{
    static TEST_CASE all[1024];
    size_t n = 0;
    const TEST_CASE *suites[] = { g_fsTests, g_linkTests, g_stackTests, g_paramTests, g_cancelTests, g_portTests, g_fltlibTests, g_leakTests, g_misuseTests,
                                  g_traceLoggingTests, g_rundownTests, g_driverTests, g_driverTraceTests, g_driverRenameTests,
                                  g_driverModifyTests, g_driverMatchTests, g_askTests, g_redirectTests, g_driverSetInfoTests,
                                  g_wdkCompatTests, g_peTests, g_reparseTests, g_driverReparseTests, g_driverAuditTests, g_driverPersistTests,
                                  g_sehTests, g_fidelityTests, g_bufferTests, g_drvregTests, g_kernel32Tests, g_deviceTests, g_wdkMoreTests,
                                  g_txnTests, g_generatedIoTests, g_volumeTests, g_asyncTests, g_driverAsyncTests, g_sectionTests,
                                  g_dirQueryTests, g_nameProviderTests, g_fltIoAsyncTests };
    size_t counts[] = { g_fsTestsCount, g_linkTestsCount, g_stackTestsCount, g_paramTestsCount, g_cancelTestsCount, g_portTestsCount, g_fltlibTestsCount, g_leakTestsCount,
                        g_misuseTestsCount, g_traceLoggingTestsCount, g_rundownTestsCount,
                        g_driverTests != NULL ? g_driverTestsCount : 0,
                        g_driverTraceTests != NULL ? g_driverTraceTestsCount : 0,
                        g_driverRenameTests != NULL ? g_driverRenameTestsCount : 0,
                        g_driverModifyTests != NULL ? g_driverModifyTestsCount : 0,
                        g_driverMatchTests != NULL ? g_driverMatchTestsCount : 0,
                        g_askTests != NULL ? g_askTestsCount : 0,
                        g_redirectTests != NULL ? g_redirectTestsCount : 0,
                        g_driverSetInfoTests != NULL ? g_driverSetInfoTestsCount : 0,
                        g_wdkCompatTestsCount, g_peTestsCount, g_reparseTestsCount,
                        g_driverReparseTests != NULL ? g_driverReparseTestsCount : 0,
                        g_driverAuditTests != NULL ? g_driverAuditTestsCount : 0,
                        g_driverPersistTests != NULL ? g_driverPersistTestsCount : 0,
                        g_sehTestsCount, g_fidelityTestsCount, g_bufferTestsCount, g_drvregTestsCount, g_kernel32TestsCount,
                        g_deviceTestsCount, g_wdkMoreTestsCount, g_txnTestsCount, g_generatedIoTestsCount, g_volumeTestsCount,
                        g_asyncTestsCount, g_driverAsyncTests != NULL ? g_driverAsyncTestsCount : 0, g_sectionTestsCount,
                        g_dirQueryTestsCount, g_nameProviderTestsCount, g_fltIoAsyncTestsCount };
    for (size_t s = 0; s < sizeof(suites) / sizeof(suites[0]); s++) {
        for (size_t i = 0; i < counts[s]; i++) {
            if (n == sizeof(all) / sizeof(all[0])) {
                fprintf(stderr, "emu: more than %zu tests: enlarge all[] in test_main.c\n", n);
                return 1;
            }
            all[n++] = suites[s][i];
        }
    }
    if (g_driverTests == NULL) {
        printf("note: native-driver/src has no sources: the driver suite is not built\n");
    }
    return TestMain("emu", all, n);
}
