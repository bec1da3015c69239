/*
 * emu_cwait.c - FltCancellableWaitForSingleObject: KeWaitForSingleObject
 * (KernelMode, not alertable) that the cancellation of the I/O CallbackData
 * stands for, or the thread's termination, could end early on Windows
 * (STATUS_CANCELLED / STATUS_THREAD_IS_TERMINATING). The emulated I/O manager
 * cancels no I/O and terminates no thread, so here the wait ends when the
 * object is signalled (STATUS_SUCCESS) or the timeout passes (STATUS_TIMEOUT).
 * Checked: IRQL (PASSIVE_LEVEL with the callback data of an IRP operation,
 * else APC_LEVEL, as fltKernel.h annotates it), a dispatcher object, a live
 * callback data.
 */
#include "emu_internal.h"

NTSTATUS FltCancellableWaitForSingleObject(PVOID Object, PLARGE_INTEGER Timeout, PFLT_CALLBACK_DATA CallbackData)
{
    const char *r = "FltCancellableWaitForSingleObject";
    if (Object == NULL) {
        EmuViolation("%s: Object is required", r);
        return STATUS_INVALID_PARAMETER;
    }
    if (CallbackData != NULL && !EmuIsCallbackData(CallbackData)) {
        EmuViolation("%s(CallbackData %p): not a live callback data", r, (void *)CallbackData);
        return STATUS_INVALID_PARAMETER;
    }
    int irp = CallbackData != NULL && FLT_IS_IRP_OPERATION(CallbackData);
    if (!EmuRequireIrql(irp ? "FltCancellableWaitForSingleObject (with an IRP operation's callback data)" : r,
                        irp ? PASSIVE_LEVEL : APC_LEVEL)) {
        return STATUS_INVALID_DEVICE_STATE;
    }
    return KeWaitForSingleObject(Object, Executive, KernelMode, FALSE, Timeout);
}
