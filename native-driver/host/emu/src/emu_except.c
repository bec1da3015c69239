/*
 * emu_except.c - FsRtlIsNtstatusExpected, what an exception filter asks of
 * the status GetExceptionInformation gives it (emu_core.c).
 */
#include "emu_internal.h"

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
