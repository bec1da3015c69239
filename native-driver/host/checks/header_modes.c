/*
 * header_modes.c: includes jmf_protocol.h as a user's own C (or C++) code
 * would. header-modes.sh compiles it in every language mode the header must
 * work in; with -DJMF_CHECK_FALSE_ASSERTION it must NOT compile, which
 * proves the assertions (sizes, and offsets through JMF_OFFSETOF in a
 * constant expression) really assert in that mode.
 */
#include "jmf_protocol.h"

#ifdef JMF_CHECK_FALSE_ASSERTION
JMF_ASSERT_OFFSET(JMF_CONNECT_CONTEXT, ProtocolVersion, 5);
#endif

int jmf_header_modes_connect_context_size(void);

int jmf_header_modes_connect_context_size(void)
{
    return (int)sizeof(JMF_CONNECT_CONTEXT);
}
