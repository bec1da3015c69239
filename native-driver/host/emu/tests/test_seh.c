/*
 * test_seh.c - structured exception handling and the checked build's
 * assertions in the emulator's headers (emu_ntdef.h, emu_wdm.h): what a
 * driver compiled by gcc can rely on, and what is reported instead.
 */
#include "test_harness.h"
#include <fltKernel.h>
#include "jmf_emu.h"

/* ExRaiseStatus jumps to the innermost __except, whose filter and handler
 * see the status; nothing after the raise in the __try runs. */
static void test_except_catches_raise(void)
{
    volatile int after = 0;
    volatile LONG seenInFilter = 0;
    NTSTATUS status = STATUS_SUCCESS;
    __try {
        ExRaiseStatus(STATUS_INSUFFICIENT_RESOURCES);
        after = 1;
    } __except (seenInFilter = GetExceptionCode(), EXCEPTION_EXECUTE_HANDLER) {
        status = GetExceptionCode();
    }
    CHECK_EQ(after, 0);
    CHECK_EQ(seenInFilter, STATUS_INSUFFICIENT_RESOURCES);
    CHECK_EQ(status, STATUS_INSUFFICIENT_RESOURCES);
}

/* With no exception the handler is not entered and the filter not evaluated. */
static void test_no_exception_no_handler(void)
{
    volatile int filtered = 0, handled = 0, body = 0;
    __try {
        body = 1;
    } __except (filtered = 1, EXCEPTION_EXECUTE_HANDLER) {
        handled = 1;
    }
    CHECK_EQ(body, 1);
    CHECK_EQ(filtered, 0);
    CHECK_EQ(handled, 0);
}

/* __leave leaves the __try block, even from inside a loop and a switch in it;
 * __finally runs on normal exit and on __leave, with AbnormalTermination() 0. */
static void test_leave_and_finally(void)
{
    volatile int past = 0, finallyRuns = 0, abnormal = -1, iterations = 0;
    __try {
        for (int i = 0; i < 10; i++) {
            iterations++;
            switch (i) {
            case 2:
                __leave;
            default:
                break;
            }
        }
        past = 1;
    } __finally {
        finallyRuns++;
        abnormal = AbnormalTermination();
    }
    CHECK_EQ(iterations, 3);
    CHECK_EQ(past, 0);
    CHECK_EQ(finallyRuns, 1);
    CHECK_EQ(abnormal, 0);

    __try {
        past = 2;
    } __finally {
        finallyRuns++;
        abnormal = AbnormalTermination();
    }
    CHECK_EQ(past, 2);
    CHECK_EQ(finallyRuns, 2);
    CHECK_EQ(abnormal, 0);
}

/* __leave in an __except block's __try: the handler is not entered. */
static void test_leave_from_except_try(void)
{
    volatile int past = 0, handled = 0;
    __try {
        __leave;
        past = 1;
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        handled = 1;
    }
    CHECK_EQ(past, 0);
    CHECK_EQ(handled, 0);
    /* The frame is gone: a later raise is unhandled, not caught by it. */
    ExRaiseStatus(STATUS_UNSUCCESSFUL);
    CHECK_VIOLATION("ExRaiseStatus raised exception 0xC0000001 with no __try/__except");
}

/* An exception raised in a called routine passes through its __finally
 * (AbnormalTermination() nonzero) and an inner EXCEPTION_CONTINUE_SEARCH
 * filter to the outer handler. */
static volatile int g_innerFinally;
static __attribute__((noinline)) void RaiseThroughFinally(NTSTATUS status)
{
    __try {
        ExRaiseStatus(status);
    } __finally {
        g_innerFinally = AbnormalTermination() ? 2 : 1;
    }
}

static void test_exception_passes_through_finally_and_search(void)
{
    volatile int innerFilter = 0, innerHandler = 0;
    NTSTATUS outer = STATUS_SUCCESS;
    g_innerFinally = 0;
    __try {
        __try {
            RaiseThroughFinally(STATUS_ACCESS_DENIED);
        } __except (innerFilter = (GetExceptionCode() == STATUS_ACCESS_DENIED), EXCEPTION_CONTINUE_SEARCH) {
            innerHandler = 1;
        }
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        outer = GetExceptionCode();
    }
    CHECK_EQ(g_innerFinally, 2);
    CHECK_EQ(innerFilter, 1);
    CHECK_EQ(innerHandler, 0);
    CHECK_EQ(outer, STATUS_ACCESS_DENIED);
}

/* A failed probe raises inside __try, as Windows does: misaligned gives
 * STATUS_DATATYPE_MISALIGNMENT, a range that wraps STATUS_ACCESS_VIOLATION;
 * outside any __try it is reported as unhandled, naming the probe. */
static void test_failed_probe_raises(void)
{
    static ULONG buffer[4];
    NTSTATUS status = STATUS_SUCCESS;
    __try {
        ProbeForRead((PUCHAR)buffer + 1, sizeof(ULONG), sizeof(ULONG));
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        status = GetExceptionCode();
    }
    CHECK_EQ(status, STATUS_DATATYPE_MISALIGNMENT);

    status = STATUS_SUCCESS;
    __try {
        ProbeForWrite((PVOID)(ULONG_PTR)-16, 64, 1);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        status = GetExceptionCode();
    }
    CHECK_EQ(status, STATUS_ACCESS_VIOLATION);

    status = STATUS_SUCCESS;
    __try {
        ProbeForRead(buffer, sizeof(buffer), sizeof(ULONG));
        ProbeForWrite((PUCHAR)buffer + 1, 0, sizeof(ULONG));  /* zero length: no check */
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        status = GetExceptionCode();
    }
    CHECK_EQ(status, STATUS_SUCCESS);
    CHECK_EQ(EmuViolationCount(), 0);

    ProbeForRead((PUCHAR)buffer + 2, sizeof(ULONG), sizeof(ULONG));
    CHECK_VIOLATION("ProbeForRead(");
}

/* The WDK's lowercase spellings. */
static void test_lowercase_spellings(void)
{
    volatile int past = 0, fin = 0;
    NTSTATUS status = STATUS_SUCCESS;
    try {
        ExRaiseStatus(STATUS_NO_MEMORY);
    } except (EXCEPTION_EXECUTE_HANDLER) {
        status = GetExceptionCode();
    }
    CHECK_EQ(status, STATUS_NO_MEMORY);
    try {
        leave;
        past = 1;
    } finally {
        fin = 1;
    }
    CHECK_EQ(past, 0);
    CHECK_EQ(fin, 1);
}

/* A return out of a __try cannot run a __finally (README) but must not leave
 * its frame behind: a later raise goes to the caller's handler. */
static __attribute__((noinline)) int ReturnFromTry(void)
{
    __try {
        return 7;
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        return -1;
    }
    return 0; /* not reached; gcc cannot see through the macros */
}

static void test_return_out_of_try_pops_frame(void)
{
    NTSTATUS status = STATUS_SUCCESS;
    __try {
        CHECK_EQ(ReturnFromTry(), 7);
        ExRaiseStatus(STATUS_CANCELLED);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        status = GetExceptionCode();
    }
    CHECK_EQ(status, STATUS_CANCELLED);
}

/* A filter answering EXCEPTION_CONTINUE_EXECUTION is reported: ExRaiseStatus
 * is not continuable; STATUS_NONCONTINUABLE_EXCEPTION goes outwards. */
static void test_continue_execution_reported(void)
{
    NTSTATUS status = STATUS_SUCCESS;
    __try {
        __try {
            ExRaiseStatus(STATUS_UNSUCCESSFUL);
        } __except (EXCEPTION_CONTINUE_EXECUTION) {
            CHECK(0);
        }
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        status = GetExceptionCode();
    }
    CHECK_EQ(status, STATUS_NONCONTINUABLE_EXCEPTION);
    CHECK_VIOLATION("EXCEPTION_CONTINUE_EXECUTION");
}

/* FLT_ASSERT and the other checked-build assertions report a failure with the
 * expression, the file and the line; a true assertion reports nothing. */
static void test_flt_assert_checks(void)
{
    volatile int one = 1;
    FLT_ASSERT(one == 1);
    FLT_ASSERTMSG("fine", one == 1);
    NT_ASSERT(one);
    CHECK_EQ(EmuViolationCount(), 0);
    int line = __LINE__ + 1;
    FLT_ASSERT(one == 2);
    char text[128];
    snprintf(text, sizeof(text), "FLT_ASSERT(one == 2) failed at %s:%d", __FILE__, line);
    CHECK_VIOLATION(text);
    line = __LINE__ + 1;
    FLT_ASSERTMSG("the count must be two", one == 2);
    snprintf(text, sizeof(text), "FLT_ASSERTMSG(one == 2) failed at %s:%d: the count must be two", __FILE__, line);
    CHECK_VIOLATION(text);
    NT_ASSERT(one == 0);
    CHECK_VIOLATION("NT_ASSERT(one == 0) failed at");
}

const TEST_CASE g_sehTests[] = {
    { "seh: __except catches ExRaiseStatus; filter and handler see the status", test_except_catches_raise },
    { "seh: no exception: the filter is not evaluated, the handler not entered", test_no_exception_no_handler },
    { "seh: __leave leaves the __try from a loop and switch; __finally runs on exit and on __leave", test_leave_and_finally },
    { "seh: __leave in a __try/__except skips the handler and pops the frame", test_leave_from_except_try },
    { "seh: an exception passes through a __finally (abnormal) and a CONTINUE_SEARCH filter outwards", test_exception_passes_through_finally_and_search },
    { "seh: a failed ProbeForRead/ProbeForWrite raises inside __try, is reported outside", test_failed_probe_raises },
    { "seh: the WDK's lowercase try/except/finally/leave", test_lowercase_spellings },
    { "seh: a return out of a __try pops its frame", test_return_out_of_try_pops_frame },
    { "seh: EXCEPTION_CONTINUE_EXECUTION is reported (not continuable)", test_continue_execution_reported },
    { "assert: FLT_ASSERT/FLT_ASSERTMSG/NT_ASSERT report expression, file and line", test_flt_assert_checks },
};
const size_t g_sehTestsCount = sizeof(g_sehTests) / sizeof(g_sehTests[0]);
