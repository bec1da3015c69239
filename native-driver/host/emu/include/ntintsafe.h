/*
 * ntintsafe.h - the kernel's overflow-checked integer arithmetic (inline in the
 * WDK, so nothing a driver binary imports), as documented: on success the
 * result and STATUS_SUCCESS; on overflow or underflow *pResult is the type's
 * error value (ULONG_ERROR, USHORT_ERROR, SIZE_T_ERROR: all bits set) and
 * STATUS_INTEGER_OVERFLOW.
 */
#ifndef EMU_NTINTSAFE_H
#define EMU_NTINTSAFE_H
#include "fltKernel.h"

#define USHORT_ERROR ((USHORT)0xffffU)
#define ULONG_ERROR  ((ULONG)0xffffffffUL)
#define SIZE_T_ERROR ((SIZE_T)-1)

FORCEINLINE NTSTATUS RtlUShortAdd(USHORT usAugend, USHORT usAddend, USHORT *pusResult)
{
    if ((ULONG)usAugend + usAddend > 0xffffU) { *pusResult = USHORT_ERROR; return STATUS_INTEGER_OVERFLOW; }
    *pusResult = (USHORT)(usAugend + usAddend);
    return STATUS_SUCCESS;
}

FORCEINLINE NTSTATUS RtlUShortSub(USHORT usMinuend, USHORT usSubtrahend, USHORT *pusResult)
{
    if (usSubtrahend > usMinuend) { *pusResult = USHORT_ERROR; return STATUS_INTEGER_OVERFLOW; }
    *pusResult = (USHORT)(usMinuend - usSubtrahend);
    return STATUS_SUCCESS;
}

FORCEINLINE NTSTATUS RtlULongAdd(ULONG ulAugend, ULONG ulAddend, ULONG *pulResult)
{
    if ((ULONG64)ulAugend + ulAddend > 0xffffffffULL) { *pulResult = ULONG_ERROR; return STATUS_INTEGER_OVERFLOW; }
    *pulResult = ulAugend + ulAddend;
    return STATUS_SUCCESS;
}

FORCEINLINE NTSTATUS RtlULongSub(ULONG ulMinuend, ULONG ulSubtrahend, ULONG *pulResult)
{
    if (ulSubtrahend > ulMinuend) { *pulResult = ULONG_ERROR; return STATUS_INTEGER_OVERFLOW; }
    *pulResult = ulMinuend - ulSubtrahend;
    return STATUS_SUCCESS;
}

FORCEINLINE NTSTATUS RtlULongMult(ULONG ulMultiplicand, ULONG ulMultiplier, ULONG *pulResult)
{
    ULONG64 r = (ULONG64)ulMultiplicand * ulMultiplier;
    if (r > 0xffffffffULL) { *pulResult = ULONG_ERROR; return STATUS_INTEGER_OVERFLOW; }
    *pulResult = (ULONG)r;
    return STATUS_SUCCESS;
}

FORCEINLINE NTSTATUS RtlSizeTAdd(SIZE_T Augend, SIZE_T Addend, SIZE_T *pResult)
{
    if (Augend + Addend < Augend) { *pResult = SIZE_T_ERROR; return STATUS_INTEGER_OVERFLOW; }
    *pResult = Augend + Addend;
    return STATUS_SUCCESS;
}

FORCEINLINE NTSTATUS RtlSizeTSub(SIZE_T Minuend, SIZE_T Subtrahend, SIZE_T *pResult)
{
    if (Subtrahend > Minuend) { *pResult = SIZE_T_ERROR; return STATUS_INTEGER_OVERFLOW; }
    *pResult = Minuend - Subtrahend;
    return STATUS_SUCCESS;
}
#endif
