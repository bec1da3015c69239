/*
 * jmf_user_client.c: a user-mode C program that includes jmf_protocol.h
 * after <windows.h> and <fltUser.h>, as a user's own client would. It is
 * not built by the test command (it needs the Windows SDK): the README's
 * Development section compiles and links it against the real SDK with
 * check-driver.sh --user, to show that the header's types and assertions
 * coexist with the SDK's (FILTER_MESSAGE_HEADER, C_ASSERT, FIELD_OFFSET).
 */
#include <windows.h>
#include <fltUser.h>
#include "jmf_protocol.h"

/* The header's mirror of the SDK's structures must match them. */
C_ASSERT(sizeof(FILTER_MESSAGE_HEADER) == sizeof(JMF_FILTER_MESSAGE_HEADER));
C_ASSERT(FIELD_OFFSET(FILTER_MESSAGE_HEADER, MessageId) == JMF_OFFSETOF(JMF_FILTER_MESSAGE_HEADER, MessageId));
C_ASSERT(sizeof(FILTER_REPLY_HEADER) == sizeof(JMF_FILTER_REPLY_HEADER));
C_ASSERT(FIELD_OFFSET(FILTER_REPLY_HEADER, MessageId) == JMF_OFFSETOF(JMF_FILTER_REPLY_HEADER, MessageId));

int main(void)
{
    JMF_CONNECT_CONTEXT context;
    HANDLE port = INVALID_HANDLE_VALUE;
    HRESULT hr;

    ZeroMemory(&context, sizeof(context));
    context.Magic = JMF_CONNECT_MAGIC;
    context.ProtocolVersion = (JMF_U16)JMF_PROTOCOL_VERSION;
    hr = FilterConnectCommunicationPort(JMF_PORT_NAME, 0, &context, (WORD)sizeof(context), NULL, &port);
    if (FAILED(hr)) {
        return 1;
    }
    CloseHandle(port);
    return 0;
}
