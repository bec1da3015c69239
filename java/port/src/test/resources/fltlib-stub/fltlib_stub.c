/*
 * A stand-in for fltlib.dll, built on Linux by FltLibBindingTest: the four functions, recording
 * exactly what JNA passed (raw argument bits, byte counts, copies of the bytes behind each
 * pointer) so the test can check the binding's marshalling. Not a model of the filter manager.
 *
 * wSizeOfContext is received as the full 64-bit argument register, not as the WORD fltuser.h
 * declares: a callee reading a WORD sees only the low 16 bits and could not tell a WORD from an
 * int. JNA passes a WORD as a C short, which libffi widens to the register by sign extension, so
 * a WORD of 0xFFFF arrives as all ones while an int 0xFFFF would arrive as 0x000000000000FFFF.
 */
#include <stdint.h>
#include <string.h>
#include <wchar.h>

typedef int32_t HRESULT;

#define NAME_BYTES_MAX 512

static uint8_t last_name[NAME_BYTES_MAX];
static uint32_t last_name_bytes;        /* bytes before the terminating NUL wchar_t */
static uint32_t last_options;
static uint8_t last_context[64];
static uint64_t last_context_size_raw;  /* the argument register, all 64 bits */
static const void *last_security;
static uint32_t last_in_size, last_out_size;
static uint8_t last_in[64];
static const void *last_get_port, *last_get_buffer, *last_get_overlapped;
static uint32_t last_get_size;
static uint32_t last_reply_size;
static uint8_t last_reply[128];

HRESULT FilterConnectCommunicationPort(const wchar_t *name, uint32_t options, const void *context,
                                       uint64_t context_size_raw, const void *security, void **port)
{
    uint16_t context_size = (uint16_t)context_size_raw; /* what a WORD parameter holds */
    size_t units = wcslen(name);

    last_name_bytes = (uint32_t)(units * sizeof(wchar_t));
    if (last_name_bytes > NAME_BYTES_MAX) {
        last_name_bytes = NAME_BYTES_MAX;
    }
    memcpy(last_name, name, last_name_bytes);
    last_options = options;
    last_context_size_raw = context_size_raw;
    if (context != NULL) {
        memcpy(last_context, context, context_size < sizeof(last_context) ? context_size : sizeof(last_context));
    }
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

/*
 * Pends, having already written a message into the buffer as the filter manager would before
 * completing: FILTER_MESSAGE_HEADER (ReplyLength 56, MessageId 0x0123456789ABCDEF), then a
 * 24-byte body whose JMF_NOTIFICATION_HEADER says Type 1, Length 24, then bytes 8..23.
 */
HRESULT FilterGetMessage(void *port, void *buffer, uint32_t size, void *overlapped)
{
    uint8_t *b = buffer;
    uint32_t reply_length = 56, type = 1, length = 24;
    uint64_t message_id = 0x0123456789ABCDEFull;

    last_get_port = port;
    last_get_buffer = buffer;
    last_get_size = size;
    last_get_overlapped = overlapped;
    if (size >= 16 + 24) {
        memset(b, 0, 16 + 24);
        memcpy(b, &reply_length, 4);
        memcpy(b + 8, &message_id, 8);
        memcpy(b + 16, &type, 4);
        memcpy(b + 20, &length, 4);
        for (int i = 8; i < 24; i++) {
            b[16 + i] = (uint8_t)i;
        }
    }
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
const uint8_t *stub_name(void) { return last_name; }
uint32_t stub_name_bytes(void) { return last_name_bytes; }
uint32_t stub_wchar_size(void) { return (uint32_t)sizeof(wchar_t); }
uint32_t stub_options(void) { return last_options; }
const uint8_t *stub_context(void) { return last_context; }
uint64_t stub_context_size_raw(void) { return last_context_size_raw; }
const void *stub_security(void) { return last_security; }
uint32_t stub_in_size(void) { return last_in_size; }
uint32_t stub_out_size(void) { return last_out_size; }
const void *stub_get_port(void) { return last_get_port; }
const void *stub_get_buffer(void) { return last_get_buffer; }
uint32_t stub_get_size(void) { return last_get_size; }
const void *stub_get_overlapped(void) { return last_get_overlapped; }
uint32_t stub_reply_size(void) { return last_reply_size; }
const uint8_t *stub_reply(void) { return last_reply; }
