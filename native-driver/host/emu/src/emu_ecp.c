/*
 * emu_ecp.c - extra create parameters as the emulated I/O manager has them:
 * it attaches no ECP list to any create, so FltGetEcpListFromCallbackData
 * gives a NULL list (documented: STATUS_SUCCESS, *EcpList NULL when the
 * create has none) and there is no ECP context a filter could look up or ask
 * about. A filter handing FltFindExtraCreateParameter a list, or
 * FltIsEcpFromUserMode a context, that the emulator never gave it is reported.
 */
#include "emu_internal.h"

NTSTATUS FltGetEcpListFromCallbackData(PFLT_FILTER Filter, PFLT_CALLBACK_DATA CallbackData, PECP_LIST *EcpList)
{
    const char *r = "FltGetEcpListFromCallbackData";
    if (!EmuRequireIrql(r, APC_LEVEL)) {
        return STATUS_INVALID_DEVICE_STATE;
    }
    if (EcpList == NULL) {
        EmuViolation("%s: EcpList is required", r);
        return STATUS_INVALID_PARAMETER;
    }
    *EcpList = NULL;
    if (!EmuIsFilter(Filter) || !EmuIsCallbackData(CallbackData)) {
        EmuViolation("%s(%p, %p): not a filter and a callback data", r, (void *)Filter, (void *)CallbackData);
        return STATUS_INVALID_PARAMETER;
    }
    if (CallbackData->Iopb->MajorFunction != IRP_MJ_CREATE) {
        EmuViolation("%s: the callback data is not an IRP_MJ_CREATE (major %u): only creates carry ECP lists", r,
                     (unsigned)CallbackData->Iopb->MajorFunction);
        return STATUS_INVALID_PARAMETER;
    }
    return STATUS_SUCCESS;
}

NTSTATUS FltFindExtraCreateParameter(PFLT_FILTER Filter, PECP_LIST EcpList, LPCGUID EcpType, PVOID *EcpContext, ULONG *EcpContextSize)
{
    const char *r = "FltFindExtraCreateParameter";
    if (EcpContext != NULL) {
        *EcpContext = NULL;
    }
    if (EcpContextSize != NULL) {
        *EcpContextSize = 0;
    }
    if (!EmuRequireIrql(r, APC_LEVEL)) {
        return STATUS_INVALID_DEVICE_STATE;
    }
    if (!EmuIsFilter(Filter) || EcpType == NULL) {
        EmuViolation("%s(%p, type %p): a filter and an ECP type are required", r, (void *)Filter, (const void *)EcpType);
        return STATUS_INVALID_PARAMETER;
    }
    /* No ECP list exists in the emulated system: whatever was passed did not come from FltGetEcpListFromCallbackData. */
    EmuViolation("%s(list %p): not an ECP list (the emulated I/O manager attaches none; FltGetEcpListFromCallbackData gives NULL)",
                 r, (void *)EcpList);
    return STATUS_NOT_FOUND;
}

BOOLEAN FltIsEcpFromUserMode(PFLT_FILTER Filter, PVOID EcpContext)
{
    const char *r = "FltIsEcpFromUserMode";
    if (!EmuRequireIrql(r, APC_LEVEL)) {
        return FALSE;
    }
    EmuViolation("%s(%p, %p): not an ECP context (no create in the emulated system carries one)", r, (void *)Filter, EcpContext);
    return FALSE;
}
