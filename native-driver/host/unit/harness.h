/*
 * harness.h - the unit tests' tiny harness: every CHECK is counted, a
 * failure prints where and what, and main() prints
 * "unit: N passed, M failed" as its last line.
 */
#ifndef JMF_UNIT_HARNESS_H
#define JMF_UNIT_HARNESS_H

#include <stdio.h>

extern unsigned long g_passed;
extern unsigned long g_failed;

void HarnessFail(const char *File, int Line, const char *What, unsigned long long A, unsigned long long B);

#define CHECK(cond) \
    do { if (cond) g_passed++; else HarnessFail(__FILE__, __LINE__, #cond, 0, 0); } while (0)

/* Compares two unsigned values, printing both on failure. */
#define CHECK_EQ(a, b) \
    do { unsigned long long a_ = (unsigned long long)(a), b_ = (unsigned long long)(b); \
         if (a_ == b_) g_passed++; else HarnessFail(__FILE__, __LINE__, #a " == " #b, a_, b_); } while (0)

/* The test groups, one per file. */
void TestPattern(void);
void TestCommand(void);
void TestCompile(void);
void TestMatch(void);
void TestMutation(void);

#endif
