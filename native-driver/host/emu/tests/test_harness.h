/*
 * test_harness.h - a tiny test runner for the emulator's C tests. Each test
 * runs on a freshly reset emulated kernel; a violation the test did not
 * expect (CHECK_VIOLATION) fails it. The last line printed is
 * "<suite>: N passed, M failed".
 */
#ifndef TEST_HARNESS_H
#define TEST_HARNESS_H

#include "../src/emu_internal.h"

void TestFail(const char *file, int line, const char *what);
#define CHECK(c) do { if (!(c)) TestFail(__FILE__, __LINE__, #c); } while (0)
#define CHECK_EQ(a, b) do { long long a_ = (long long)(a), b_ = (long long)(b); if (a_ != b_) { \
        char m_[512]; snprintf(m_, sizeof(m_), "%s == %s (0x%llx != 0x%llx)", #a, #b, (unsigned long long)a_, (unsigned long long)b_); \
        TestFail(__FILE__, __LINE__, m_); } } while (0)
/* Passes if a violation containing text was recorded; marks it expected. */
#define CHECK_VIOLATION(text) do { if (!TestTakeViolation(text)) { \
        char m_[512]; snprintf(m_, sizeof(m_), "a violation mentioning \"%s\"", text); TestFail(__FILE__, __LINE__, m_); } } while (0)
int TestTakeViolation(const char *text);

typedef void (*TEST_FN)(void);
typedef struct TEST_CASE { const char *Name; TEST_FN Fn; } TEST_CASE;
int TestMain(const char *suite, const TEST_CASE *tests, size_t count);

#define TEST_PID 100
#define TEST_IMAGE "\\Device\\HarddiskVolume1\\Windows\\notepad.exe"

#endif
