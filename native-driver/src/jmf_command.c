/*++

Module Name:

    jmf_command.c

Abstract:

    Validation of the untrusted inputs other than a policy: the command
    header of every message, a configuration, and the NTSTATUS a DENY uses.

    Environment: any IRQL; touches only its arguments (copies of user
    memory, never user memory itself).

--*/

#include "jmf_policy_internal.h"

/*
 * JmfIsDenyStatus
 *
 * Error severity (the two top bits set) and not STATUS_FLT_DISALLOW_FAST_IO,
 * which the filter manager reads as "retry as an IRP", not as a failure.
 */
JMF_BOOL
JmfIsDenyStatus(
    JMF_I32 Status
    )
{
    JMF_U32 bits = (JMF_U32)Status;

    return (JMF_BOOL)((bits & 0xC0000000u) == 0xC0000000u &&
                      Status != JMF_STATUS_FLT_DISALLOW_FAST_IO);
}

/*
 * JmfValidateConfig
 *
 * DefaultDenyStatus must be a deny status whenever it could be used (a DENY
 * default verdict); with an ALLOW default it is 0 or a deny status, so that
 * the defaults of jmf_protocol.h (ALLOW with STATUS_ACCESS_DENIED) pass.
 */
JMF_U32
JmfValidateConfig(
    const JMF_CONFIG *Config
    )
{
    if ((Config->Flags & ~JMF_CONFIG_FLAGS_VALID) != 0) {
        return JMF_ERROR_RESERVED;
    }
    if (Config->AskTimeoutMs == 0 || Config->AskTimeoutMs > JMF_MAX_ASK_TIMEOUT_MS) {
        return JMF_ERROR_BAD_CONFIG;
    }
    if (Config->DefaultVerdict != JMF_ACTION_ALLOW && Config->DefaultVerdict != JMF_ACTION_DENY) {
        return JMF_ERROR_BAD_CONFIG;
    }
    if (!JmfIsDenyStatus(Config->DefaultDenyStatus) &&
        (Config->DefaultVerdict == JMF_ACTION_DENY || Config->DefaultDenyStatus != 0)) {
        return JMF_ERROR_BAD_CONFIG;
    }
    if (Config->OnDisconnect != JMF_DISCONNECT_KEEP_POLICY &&
        Config->OnDisconnect != JMF_DISCONNECT_CLEAR_POLICY) {
        return JMF_ERROR_BAD_CONFIG;
    }
    if (Config->MaxAsksInFlight == 0 || Config->MaxAsksInFlight > JMF_MAX_ASKS_IN_FLIGHT) {
        return JMF_ERROR_BAD_CONFIG;
    }
    return JMF_ERROR_NONE;
}

/*
 * JmfConfigBodyLength
 *
 * The length of a SET_CONFIG body with these flags: the configuration, and
 * the unlock key when it sets LOCKED.
 */
JMF_U32
JmfConfigBodyLength(
    JMF_U32 Flags
    )
{
    return (JMF_U32)sizeof(JMF_CONFIG) +
           (((Flags & JMF_CONFIG_FLAG_LOCKED) != 0) ? (JMF_U32)sizeof(JMF_UNLOCK_KEY) : 0u);
}

/*
 * JmfKeysEqual
 *
 * Compares two unlock keys in constant time: every byte is looked at
 * whatever the first difference, so the time taken says nothing about
 * where the keys differ.
 */
JMF_BOOL
JmfKeysEqual(
    const JMF_UNLOCK_KEY *A,
    const JMF_UNLOCK_KEY *B
    )
{
    volatile JMF_U8 difference = 0;
    JMF_U32 i;

    for (i = 0; i < JMF_UNLOCK_KEY_BYTES; i++) {
        difference |= (JMF_U8)(A->Key[i] ^ B->Key[i]);
    }
    return (JMF_BOOL)(difference == 0);
}

/*
 * JmfCommandParse
 *
 * Errors: JMF_ERROR_TRUNCATED (shorter than the header, or than a policy
 * header for SET_POLICY), JMF_ERROR_BAD_LENGTH (Length differs from
 * InputLength, a body of the wrong size, a policy over
 * JMF_MAX_POLICY_BYTES), JMF_ERROR_BAD_MAGIC (an unknown command Type: the
 * protocol has no JMF_ERROR_BAD_COMMAND, and Type is what identifies the
 * message as ours).
 */
JMF_U32
JmfCommandParse(
    const void *Input,
    JMF_U32 InputLength,
    JMF_U32 *Type,
    const void **Body,
    JMF_U32 *BodyLength
    )
{
    JMF_COMMAND_HEADER header;
    JMF_U32 bodyLength;

    *Type = 0;
    *Body = 0;
    *BodyLength = 0;
    if (Input == 0 || InputLength < sizeof(JMF_COMMAND_HEADER)) {
        return JMF_ERROR_TRUNCATED;
    }
    memcpy(&header, Input, sizeof(header));
    if (header.Length != InputLength) {
        return JMF_ERROR_BAD_LENGTH;
    }
    bodyLength = InputLength - (JMF_U32)sizeof(JMF_COMMAND_HEADER);
    switch (header.Type) {
    case JMF_COMMAND_SET_POLICY:
        if (bodyLength < sizeof(JMF_POLICY_HEADER)) {
            return JMF_ERROR_TRUNCATED;
        }
        if (bodyLength > JMF_MAX_POLICY_BYTES) {
            return JMF_ERROR_BAD_LENGTH;
        }
        break;
    case JMF_COMMAND_SET_CONFIG:
        /* JMF_CONFIG, then JMF_UNLOCK_KEY exactly when Flags has LOCKED (JmfConfigBodyLength). */
        if (bodyLength < sizeof(JMF_CONFIG)) {
            return JMF_ERROR_TRUNCATED;
        }
        {
            JMF_CONFIG config;
            JMF_U32 expected;

            memcpy(&config, (const JMF_U8 *)Input + sizeof(JMF_COMMAND_HEADER), sizeof(config));
            expected = JmfConfigBodyLength(config.Flags);
            if (bodyLength != expected) {
                return bodyLength < expected ? JMF_ERROR_TRUNCATED : JMF_ERROR_BAD_LENGTH;
            }
        }
        break;
    case JMF_COMMAND_UNLOCK:
        if (bodyLength != sizeof(JMF_UNLOCK_KEY)) {
            return bodyLength < sizeof(JMF_UNLOCK_KEY) ? JMF_ERROR_TRUNCATED : JMF_ERROR_BAD_LENGTH;
        }
        break;
    case JMF_COMMAND_GET_STATISTICS:
    case JMF_COMMAND_GET_EVENTS:
        if (bodyLength != 0) {
            return JMF_ERROR_BAD_LENGTH;
        }
        break;
    default:
        return JMF_ERROR_BAD_MAGIC;
    }
    *Type = header.Type;
    *Body = (const JMF_U8 *)Input + sizeof(JMF_COMMAND_HEADER);
    *BodyLength = bodyLength;
    return JMF_ERROR_NONE;
}
