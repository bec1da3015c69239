/*
 * blockext.c - a minimal minifilter, the emulator's example for minifilter
 * authors (README: "Using the emulator for your own minifilter"): it refuses
 * to open any file whose name ends in ".blocked", on every volume.
 *
 * It is an ordinary WDK minifilter (nothing in it knows the emulator): the
 * same file builds with the WDK. run-minifilter.sh compiles it unchanged
 * against the emulator's headers; ../checks.c says what it must do.
 */
#include <fltKernel.h>

#define BLOCKEXT_TAG 'kbFE'

static PFLT_FILTER gFilter;

/* The extension refused, compared without regard to case. */
static const UNICODE_STRING gBlockedExtension = RTL_CONSTANT_STRING(L"blocked");

DRIVER_INITIALIZE DriverEntry;

/*
 * BlkPreCreate - IRP_MJ_CREATE pre-operation callback.
 * IRQL: PASSIVE_LEVEL (creates are always sent at PASSIVE_LEVEL).
 * Touches: the operation's file name information (released before return).
 */
static FLT_PREOP_CALLBACK_STATUS
BlkPreCreate(_Inout_ PFLT_CALLBACK_DATA Data, _In_ PCFLT_RELATED_OBJECTS FltObjects,
             _Flt_CompletionContext_Outptr_ PVOID *CompletionContext)
{
    PFLT_FILE_NAME_INFORMATION name = NULL;
    NTSTATUS status;

    UNREFERENCED_PARAMETER(FltObjects);
    *CompletionContext = NULL;

    /* Opening a volume or by file id has no name to judge. */
    if (FlagOn(Data->Iopb->Parameters.Create.Options, FILE_OPEN_BY_FILE_ID) ||
        FlagOn(Data->Iopb->TargetFileObject->Flags, FO_VOLUME_OPEN)) {
        return FLT_PREOP_SUCCESS_NO_CALLBACK;
    }

    status = FltGetFileNameInformation(Data, FLT_FILE_NAME_OPENED | FLT_FILE_NAME_QUERY_DEFAULT, &name);
    if (!NT_SUCCESS(status)) {
        return FLT_PREOP_SUCCESS_NO_CALLBACK;   /* fail open: never block what cannot be named */
    }
    status = FltParseFileNameInformation(name);
    if (NT_SUCCESS(status) && RtlEqualUnicodeString(&name->Extension, &gBlockedExtension, TRUE)) {
        FltReleaseFileNameInformation(name);
        Data->IoStatus.Status = STATUS_ACCESS_DENIED;
        Data->IoStatus.Information = 0;
        return FLT_PREOP_COMPLETE;
    }
    FltReleaseFileNameInformation(name);
    return FLT_PREOP_SUCCESS_NO_CALLBACK;
}

/*
 * BlkUnload - FilterUnloadCallback. IRQL: PASSIVE_LEVEL.
 */
static NTSTATUS BlkUnload(_In_ FLT_FILTER_UNLOAD_FLAGS Flags)
{
    UNREFERENCED_PARAMETER(Flags);
    FltUnregisterFilter(gFilter);
    return STATUS_SUCCESS;
}

static const FLT_OPERATION_REGISTRATION gCallbacks[] = {
    { IRP_MJ_CREATE, 0, BlkPreCreate, NULL },
    { IRP_MJ_OPERATION_END }
};

static const FLT_REGISTRATION gRegistration = {
    sizeof(FLT_REGISTRATION), FLT_REGISTRATION_VERSION, 0,
    NULL, gCallbacks, BlkUnload,
    NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
};

/*
 * DriverEntry. IRQL: PASSIVE_LEVEL.
 */
NTSTATUS DriverEntry(_In_ PDRIVER_OBJECT DriverObject, _In_ PUNICODE_STRING RegistryPath)
{
    NTSTATUS status;

    UNREFERENCED_PARAMETER(RegistryPath);
    status = FltRegisterFilter(DriverObject, &gRegistration, &gFilter);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    status = FltStartFiltering(gFilter);
    if (!NT_SUCCESS(status)) {
        FltUnregisterFilter(gFilter);
    }
    return status;
}
