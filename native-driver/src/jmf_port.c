/*++

Module Name:

    jmf_port.c

Abstract:

    The Filter Manager communication port \JMiniFilterPort: creation (secured
    for administrators and SYSTEM, one connection at a time), the connect
    callback (which checks the JMF_CONNECT_CONTEXT and records the client
    process, whose own I/O is never filtered), the disconnect callback
    (which applies OnDisconnect), and the message callback, which copies each
    command out of UNTRUSTED user memory and dispatches it.

--*/

#include "jmf_driver.h"

#define JMF_IS_ALIGNED(p, a) ((((ULONG_PTR)(p)) & ((ULONG_PTR)(a) - 1)) == 0)

/* Commands and their buffers are 8-byte aligned (jmf_protocol.h). */
#define JMF_COMMAND_ALIGNMENT 8u

_Function_class_(FLT_CONNECT_NOTIFY)
_IRQL_requires_(PASSIVE_LEVEL)
static NTSTATUS FLTAPI JmfPortConnect(_In_ PFLT_PORT ClientPort, _In_opt_ PVOID ServerPortCookie,
    _In_reads_bytes_opt_(SizeOfContext) PVOID ConnectionContext, _In_ ULONG SizeOfContext,
    _Outptr_result_maybenull_ PVOID *ConnectionPortCookie);

_Function_class_(FLT_DISCONNECT_NOTIFY)
_IRQL_requires_(PASSIVE_LEVEL)
static VOID FLTAPI JmfPortDisconnect(_In_opt_ PVOID ConnectionCookie);

_Function_class_(FLT_MESSAGE_NOTIFY)
_IRQL_requires_(PASSIVE_LEVEL)
static NTSTATUS FLTAPI JmfPortMessage(_In_opt_ PVOID PortCookie,
    _In_reads_bytes_opt_(InputBufferLength) PVOID InputBuffer, _In_ ULONG InputBufferLength,
    _Out_writes_bytes_to_opt_(OutputBufferLength, *ReturnOutputBufferLength) PVOID OutputBuffer,
    _In_ ULONG OutputBufferLength, _Out_ PULONG ReturnOutputBufferLength);

#ifdef ALLOC_PRAGMA
#pragma alloc_text(PAGE, JmfPortCreate)
#pragma alloc_text(PAGE, JmfPortClose)
#pragma alloc_text(PAGE, JmfPortConnect)
#pragma alloc_text(PAGE, JmfPortDisconnect)
#pragma alloc_text(PAGE, JmfPortMessage)
#endif

/*
 * JmfPortCreate
 *
 * IRQL: PASSIVE_LEVEL (DriverEntry). FltBuildDefaultSecurityDescriptor with
 * FLT_PORT_ALL_ACCESS gives access to administrators and SYSTEM only; the
 * name is a kernel handle attribute, case-insensitive; one connection.
 */
_Use_decl_annotations_
NTSTATUS
JmfPortCreate(
    VOID
    )
{
    PSECURITY_DESCRIPTOR securityDescriptor = NULL;
    OBJECT_ATTRIBUTES attributes;
    UNICODE_STRING name;
    NTSTATUS status;

    PAGED_CODE();

    status = FltBuildDefaultSecurityDescriptor(&securityDescriptor, FLT_PORT_ALL_ACCESS);
    if (!NT_SUCCESS(status)) {
        return status;
    }

    RtlInitUnicodeString(&name, JMF_PORT_NAME);
    InitializeObjectAttributes(&attributes, &name, OBJ_KERNEL_HANDLE | OBJ_CASE_INSENSITIVE, NULL, securityDescriptor);

    status = FltCreateCommunicationPort(JmfGlobals.Filter, &JmfGlobals.ServerPort, &attributes, NULL,
                                        JmfPortConnect, JmfPortDisconnect, JmfPortMessage, 1);

    FltFreeSecurityDescriptor(securityDescriptor);
    return status;
}

/*
 * JmfPortClose
 *
 * IRQL: PASSIVE_LEVEL (unload, or DriverEntry failing). Closes the server
 * port so no client can connect, then the connected client's port:
 * FltCloseCommunicationPort leaves existing connections open, and only
 * FltCloseClientPort makes every FltSendMessage waiting on it return at once
 * (the unload must not wait out asks). The disconnect callback, which the
 * filter manager still calls, then finds the port closed.
 */
_Use_decl_annotations_
VOID
JmfPortClose(
    VOID
    )
{
    PAGED_CODE();

    if (JmfGlobals.ServerPort != NULL) {
        FltCloseCommunicationPort(JmfGlobals.ServerPort);
        JmfGlobals.ServerPort = NULL;
    }
    if (JmfGlobals.Filter != NULL) {
        /* Passed by address: the filter manager synchronises this with FltSendMessage and sets it to NULL. */
        FltCloseClientPort(JmfGlobals.Filter, &JmfGlobals.ClientPort);
    }
}

/*
 * JmfIsClientRequest
 *
 * IRQL: <= DISPATCH_LEVEL. True when the operation comes from the connected
 * policy service: its own file I/O (class loading, logging) must never wait
 * on itself, so it is never filtered.
 */
_Use_decl_annotations_
BOOLEAN
JmfIsClientRequest(
    PFLT_CALLBACK_DATA Data
    )
{
    PEPROCESS client = (PEPROCESS)InterlockedCompareExchangePointer((PVOID volatile *)&JmfGlobals.ClientProcess, NULL, NULL);

    return (BOOLEAN)(client != NULL && FltGetRequestorProcess(Data) == client);
}

/*
 * JmfIsClientConnected
 *
 * IRQL: <= DISPATCH_LEVEL. A hint only (the client may go at any moment):
 * FltSendMessage itself reports a disconnected port.
 */
_Use_decl_annotations_
BOOLEAN
JmfIsClientConnected(
    VOID
    )
{
    return (BOOLEAN)(InterlockedCompareExchangePointer((PVOID volatile *)&JmfGlobals.ClientPort, NULL, NULL) != NULL);
}

/*
 * JmfPortConnect
 *
 * IRQL: PASSIVE_LEVEL, in the context of the connecting process. The
 * connection context comes from the caller of FilterConnectCommunicationPort:
 * its size, magic and protocol version are checked, and any mismatch is
 * refused with STATUS_REVISION_MISMATCH (user mode: 0x8007051A). The filter
 * manager already enforces MaxConnections = 1 and the port's security.
 */
_Use_decl_annotations_
static NTSTATUS FLTAPI
JmfPortConnect(
    PFLT_PORT ClientPort,
    PVOID ServerPortCookie,
    PVOID ConnectionContext,
    ULONG SizeOfContext,
    PVOID *ConnectionPortCookie
    )
{
    JMF_CONNECT_CONTEXT context;
    PEPROCESS process;
    PEPROCESS previous;

    UNREFERENCED_PARAMETER(ServerPortCookie);
    PAGED_CODE();

    *ConnectionPortCookie = NULL;

    if (ConnectionContext == NULL || SizeOfContext != sizeof(JMF_CONNECT_CONTEXT)) {
        return STATUS_REVISION_MISMATCH;
    }
    RtlCopyMemory(&context, ConnectionContext, sizeof(context));
    if (context.Magic != JMF_CONNECT_MAGIC ||
        context.ProtocolVersion != JMF_PROTOCOL_VERSION ||
        context.Reserved != 0) {
        return STATUS_REVISION_MISMATCH;
    }

    if (JmfGlobals.Unloading) {
        return STATUS_FLT_DELETING_OBJECT;
    }

    /*
     * The process first: from the moment asks can reach the client
     * (ClientPort set), the client's own I/O must already be exempt, or it
     * could be asked about and wait on itself. An earlier client's process,
     * still recorded, is released, never overwritten with its reference.
     */
    process = PsGetCurrentProcess();
    ObReferenceObject(process);
    previous = (PEPROCESS)InterlockedExchangePointer((PVOID volatile *)&JmfGlobals.ClientProcess, process);
    (VOID)InterlockedExchangePointer((PVOID volatile *)&JmfGlobals.ClientPort, ClientPort);
    if (previous != NULL) {
        ObDereferenceObject(previous);
    }
    return STATUS_SUCCESS;
}

/*
 * JmfPortDisconnect
 *
 * IRQL: PASSIVE_LEVEL. The client closed its handle (or the filter is
 * unloading). Stops excluding the client process, closes our end with
 * FltCloseClientPort (which also makes any FltSendMessage in flight
 * return), and applies OnDisconnect: keep the policy, or clear it.
 */
_Use_decl_annotations_
static VOID FLTAPI
JmfPortDisconnect(
    PVOID ConnectionCookie
    )
{
    JMF_CONFIG config;
    PEPROCESS process;

    UNREFERENCED_PARAMETER(ConnectionCookie);
    PAGED_CODE();

    /*
     * The process before the port: once the port is closed another client
     * may connect (MaxConnections = 1) and record ITS process, which must
     * not be the one released here.
     */
    process = (PEPROCESS)InterlockedExchangePointer((PVOID volatile *)&JmfGlobals.ClientProcess, NULL);
    if (process != NULL) {
        ObDereferenceObject(process);
    }
    if (JmfIsClientConnected()) {
        /* Not when the unload closed it already (JmfPortClose): the variable is NULL then. */
        FltCloseClientPort(JmfGlobals.Filter, &JmfGlobals.ClientPort);
    }

    JmfConfigGet(&config);
    if (config.OnDisconnect == JMF_DISCONNECT_CLEAR_POLICY) {
        JmfPolicyClear();
    }
}

/*
 * JmfWriteResult
 *
 * IRQL: PASSIVE_LEVEL. Writes a JMF_RESULT to the UNTRUSTED output buffer
 * (length checked by the caller) inside __try.
 */
static NTSTATUS
JmfWriteResult(
    _Out_writes_bytes_(sizeof(JMF_RESULT)) PVOID OutputBuffer,
    _In_ const JMF_RESULT *Result,
    _Out_ PULONG ReturnLength
    )
{
    NTSTATUS status;

    *ReturnLength = 0;
    __try {
        RtlCopyMemory(OutputBuffer, Result, sizeof(*Result));
        *ReturnLength = sizeof(*Result);
        status = STATUS_SUCCESS;
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        status = GetExceptionCode();
    }
    return status;
}

/*
 * JmfPortMessage
 *
 * IRQL: PASSIVE_LEVEL, in the context of the sending process. InputBuffer
 * and OutputBuffer are raw user-mode buffers: the filter manager has probed
 * them (ProbeForRead / ProbeForWrite) but checks neither alignment nor
 * contents, and another thread may change or unmap them at any time. So:
 * alignment and lengths are checked first, the command is copied once into
 * pool inside __try, and only the copy is parsed (JmfCommandParse) and used;
 * replies are built in kernel memory and written out inside __try.
 */
_Use_decl_annotations_
static NTSTATUS FLTAPI
JmfPortMessage(
    PVOID PortCookie,
    PVOID InputBuffer,
    ULONG InputBufferLength,
    PVOID OutputBuffer,
    ULONG OutputBufferLength,
    PULONG ReturnOutputBufferLength
    )
{
    PVOID copy = NULL;
    const void *body = NULL;
    JMF_U32 bodyLength = 0;
    JMF_U32 type = 0;
    JMF_RESULT result;
    JMF_CONFIG config;
    JMF_UNLOCK_KEY key;
    NTSTATUS status;

    UNREFERENCED_PARAMETER(PortCookie);
    PAGED_CODE();

    *ReturnOutputBufferLength = 0;

    if (InputBuffer == NULL ||
        InputBufferLength < sizeof(JMF_COMMAND_HEADER) ||
        InputBufferLength > sizeof(JMF_COMMAND_HEADER) + JMF_MAX_POLICY_BYTES) {
        status = STATUS_INVALID_PARAMETER;
        goto Cleanup;
    }
    if (!JMF_IS_ALIGNED(InputBuffer, JMF_COMMAND_ALIGNMENT) ||
        (OutputBuffer != NULL && !JMF_IS_ALIGNED(OutputBuffer, JMF_COMMAND_ALIGNMENT))) {
        status = STATUS_DATATYPE_MISALIGNMENT;
        goto Cleanup;
    }
    if (OutputBuffer == NULL) {
        OutputBufferLength = 0;
    }

    copy = JmfAllocatePaged(InputBufferLength, JMF_TAG_COMMAND);
    if (copy == NULL) {
        status = STATUS_INSUFFICIENT_RESOURCES;
        goto Cleanup;
    }
    __try {
        RtlCopyMemory(copy, InputBuffer, InputBufferLength);
        status = STATUS_SUCCESS;
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        status = GetExceptionCode();
    }
    if (!NT_SUCCESS(status)) {
        goto Cleanup;
    }

    if (JmfCommandParse(copy, InputBufferLength, &type, &body, &bodyLength) != JMF_ERROR_NONE) {
        status = STATUS_INVALID_PARAMETER;
        goto Cleanup;
    }

    switch (type) {
    case JMF_COMMAND_SET_POLICY:
        /* Check the reply fits BEFORE changing anything. */
        if (OutputBufferLength < sizeof(JMF_RESULT)) {
            status = STATUS_BUFFER_TOO_SMALL;
            break;
        }
        /* Puts it in force, then (persist flag) writes it to the service key. */
        JmfPersistPolicy(body, bodyLength, &result);
        status = JmfWriteResult(OutputBuffer, &result, ReturnOutputBufferLength);
        break;

    case JMF_COMMAND_SET_CONFIG:
        /* JmfCommandParse checked bodyLength against the flags: the key follows a LOCKED configuration. */
        if (OutputBufferLength < sizeof(JMF_RESULT) || bodyLength < sizeof(JMF_CONFIG)) {
            status = (bodyLength < sizeof(JMF_CONFIG)) ? STATUS_INVALID_PARAMETER : STATUS_BUFFER_TOO_SMALL;
            break;
        }
        RtlCopyMemory(&config, body, sizeof(config));
        if (bodyLength != JmfConfigBodyLength(config.Flags)) {
            status = STATUS_INVALID_PARAMETER;
            break;
        }
        if ((config.Flags & JMF_CONFIG_FLAG_LOCKED) != 0) {
            RtlCopyMemory(&key, (const UCHAR *)body + sizeof(JMF_CONFIG), sizeof(key));
        }
        JmfPersistConfig(&config, ((config.Flags & JMF_CONFIG_FLAG_LOCKED) != 0) ? &key : NULL, &result);
        status = JmfWriteResult(OutputBuffer, &result, ReturnOutputBufferLength);
        break;

    case JMF_COMMAND_UNLOCK:
        if (OutputBufferLength < sizeof(JMF_RESULT) || bodyLength != sizeof(JMF_UNLOCK_KEY)) {
            status = (bodyLength != sizeof(JMF_UNLOCK_KEY)) ? STATUS_INVALID_PARAMETER : STATUS_BUFFER_TOO_SMALL;
            break;
        }
        RtlCopyMemory(&key, body, sizeof(key));
        JmfConfigUnlock(&key, &result);
        status = JmfWriteResult(OutputBuffer, &result, ReturnOutputBufferLength);
        break;

    case JMF_COMMAND_GET_STATISTICS:
        status = JmfStatsGet(OutputBuffer, OutputBufferLength, ReturnOutputBufferLength);
        break;

    case JMF_COMMAND_GET_EVENTS:
        status = JmfEventsDrain(OutputBuffer, OutputBufferLength, ReturnOutputBufferLength);
        break;

    default:
        status = STATUS_INVALID_PARAMETER;
        break;
    }

Cleanup:
    RtlSecureZeroMemory(&key, sizeof(key));
    if (copy != NULL) {
        RtlSecureZeroMemory(copy, InputBufferLength);   /* it may hold an unlock key */
    }
    JmfFree(copy, JMF_TAG_COMMAND);
    return status;
}
