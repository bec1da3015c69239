/*
 * A stand-in for fltlib.dll, built on Linux by FltLibBindingTest: the four functions with
 * fltuser.h's parameter types, recording what JNA passed so the test can check the binding's
 * marshalling (wide port name, WORD context size, HANDLE out-parameter, buffer sizes, the reply
 * header written through the pointer). Not a model of the filter manager.
 */
#include <stdint.h>
#include <string.h>
#include <wchar.h>

typedef int32_t HRESULT;

static wchar_t last_name[128];
static uint32_t last_options;
static uint8_t last_context[64];
static uint32_t last_context_size;
static const void *last_security;
static uint32_t last_in_size, last_out_size;
static uint8_t last_in[64];
static const void *last_get_port, *last_get_buffer, *last_get_overlapped;
static uint32_t last_get_size;
static uint32_t last_reply_size;
static uint8_t last_reply[128];

HRESULT FilterConnectCommunicationPort(const wchar_t *name, uint32_t options, const void *context,
                                       uint16_t context_size, const void *security, void **port)
{
    wcsncpy(last_name, name, 127);
    last_options = options;
    last_context_size = context_size;
    memcpy(last_context, context, context_size < sizeof(last_context) ? context_size : sizeof(last_context));
    last_security = security;
    *port = (void *)(uintptr_t)0x1000;
    return 0;
}

/* Echoes the command reversed into the output; too small an output is ERROR_INSUFFICIENT_BUFFER. */
HRESULT FilterSendMessage(void *port, const void *in, uint32_t in_size, void *out, uint32_t out_size,
                          uint32_t *returned)
{
    last_in_size = in_size;
    last_out_size = out_size;
    memcpy(last_in, in, in_size < sizeof(last_in) ? in_size : sizeof(last_in));
    if (port != (void *)(uintptr_t)0x1000) {
        return (HRESULT)0x80070006;
    }
    if (out_size < in_size) {
        return (HRESULT)0x8007007A;
    }
    for (uint32_t i = 0; i < in_size; i++) {
        ((uint8_t *)out)[i] = ((const uint8_t *)in)[in_size - 1 - i];
    }
    *returned = in_size;
    return 0;
}

HRESULT FilterGetMessage(void *port, void *buffer, uint32_t size, void *overlapped)
{
    last_get_port = port;
    last_get_buffer = buffer;
    last_get_size = size;
    last_get_overlapped = overlapped;
    return (HRESULT)0x800703E5; /* HRESULT_FROM_WIN32(ERROR_IO_PENDING) */
}

HRESULT FilterReplyMessage(void *port, const void *reply, uint32_t size)
{
    (void)port;
    last_reply_size = size;
    memcpy(last_reply, reply, size < sizeof(last_reply) ? size : sizeof(last_reply));
    return (HRESULT)0x801F0020; /* ERROR_FLT_NO_WAITER_FOR_REPLY */
}

/* What the test reads back. */
const wchar_t *stub_name(void) { return last_name; }
uint32_t stub_options(void) { return last_options; }
const uint8_t *stub_context(void) { return last_context; }
uint32_t stub_context_size(void) { return last_context_size; }
const void *stub_security(void) { return last_security; }
uint32_t stub_in_size(void) { return last_in_size; }
uint32_t stub_out_size(void) { return last_out_size; }
const void *stub_get_port(void) { return last_get_port; }
const void *stub_get_buffer(void) { return last_get_buffer; }
uint32_t stub_get_size(void) { return last_get_size; }
const void *stub_get_overlapped(void) { return last_get_overlapped; }
uint32_t stub_reply_size(void) { return last_reply_size; }
const uint8_t *stub_reply(void) { return last_reply; }
