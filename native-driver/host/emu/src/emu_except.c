/*
 * emu_except.c - what an __except filter learns of the exception
 * (GetExceptionInformation: EXCEPTION_POINTERS whose record carries the
 * status; the processor context is not emulated, ContextRecord is NULL) and
 * FsRtlIsNtstatusExpected.
 */
#include <string.h>
#include "emu_internal.h"

static __thread EXCEPTION_RECORD t_record;
static __thread EXCEPTION_POINTERS t_pointers;

struct _EXCEPTION_POINTERS *EmuSehExceptionPointers(void)
{
    memset(&t_record, 0, sizeof(t_record));
    t_record.ExceptionCode = EmuSehExceptionCode();
    t_pointers.ExceptionRecord = &t_record;
    t_pointers.ContextRecord = NULL;
    return &t_pointers;
}

/* Documented: FALSE for the exceptions that mean a bug rather than bad input (a driver must not
 * handle them unless it touched user memory), TRUE for every other status. Any IRQL. */
BOOLEAN FsRtlIsNtstatusExpected(NTSTATUS Exception)
{
    switch (Exception) {
    case STATUS_DATATYPE_MISALIGNMENT:
    case STATUS_ACCESS_VIOLATION:
    case STATUS_ILLEGAL_INSTRUCTION:
    case STATUS_INSTRUCTION_MISALIGNMENT:
        return FALSE;
    default:
        return TRUE;
    }
}
