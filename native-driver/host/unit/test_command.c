/* test_command.c - commands, configurations, deny statuses, ask verdicts. */
#include <string.h>

#include "harness.h"
#include "support.h"

static JMF_U32
Parse(JMF_U32 Type, JMF_U32 HeaderLength, JMF_U32 InputLength, JMF_U32 *OutType, JMF_U32 *OutBodyLength,
      const void **OutBody, JMF_U8 *Buffer)
{
    JMF_COMMAND_HEADER header;

    header.Type = Type;
    header.Length = HeaderLength;
    memcpy(Buffer, &header, sizeof(header));
    return JmfCommandParse(Buffer, InputLength, OutType, OutBody, OutBodyLength);
}

static void
TestCommandParse(void)
{
    static JMF_U64 buffer[1024];
    JMF_U8 *b = (JMF_U8 *)buffer;
    const void *body = b;
    JMF_U32 type = 99;
    JMF_U32 length = 99;

    memset(buffer, 0, sizeof(buffer));
    CHECK_EQ(Parse(JMF_COMMAND_GET_STATISTICS, 8, 8, &type, &length, &body, b), JMF_ERROR_NONE);
    CHECK_EQ(type, JMF_COMMAND_GET_STATISTICS);
    CHECK_EQ(length, 0);
    CHECK(body == b + 8);
    CHECK_EQ(Parse(JMF_COMMAND_GET_EVENTS, 8, 8, &type, &length, &body, b), JMF_ERROR_NONE);
    CHECK_EQ(type, JMF_COMMAND_GET_EVENTS);
    CHECK_EQ(Parse(JMF_COMMAND_GET_EVENTS, 16, 16, &type, &length, &body, b), JMF_ERROR_BAD_LENGTH);
    CHECK_EQ(type, 0);                      /* nothing described on failure */
    CHECK(body == NULL);
    CHECK_EQ(Parse(JMF_COMMAND_SET_CONFIG, 32, 32, &type, &length, &body, b), JMF_ERROR_NONE);
    CHECK_EQ(length, sizeof(JMF_CONFIG));
    CHECK_EQ(Parse(JMF_COMMAND_SET_CONFIG, 31, 31, &type, &length, &body, b), JMF_ERROR_TRUNCATED);
    CHECK_EQ(Parse(JMF_COMMAND_SET_CONFIG, 40, 40, &type, &length, &body, b), JMF_ERROR_BAD_LENGTH);
    CHECK_EQ(Parse(JMF_COMMAND_SET_POLICY, 48, 48, &type, &length, &body, b), JMF_ERROR_NONE);
    CHECK_EQ(length, 40);
    CHECK_EQ(Parse(JMF_COMMAND_SET_POLICY, 47, 47, &type, &length, &body, b), JMF_ERROR_TRUNCATED);
    CHECK_EQ(Parse(JMF_COMMAND_SET_POLICY, 8 + JMF_MAX_POLICY_BYTES + 8, 8 + JMF_MAX_POLICY_BYTES + 8,
                   &type, &length, &body, b), JMF_ERROR_BAD_LENGTH);
    CHECK_EQ(Parse(JMF_COMMAND_SET_POLICY, 8 + JMF_MAX_POLICY_BYTES, 8 + JMF_MAX_POLICY_BYTES,
                   &type, &length, &body, b), JMF_ERROR_NONE);
    CHECK_EQ(Parse(JMF_COMMAND_GET_STATISTICS, 8, 16, &type, &length, &body, b), JMF_ERROR_BAD_LENGTH);
    CHECK_EQ(Parse(JMF_COMMAND_GET_STATISTICS, 16, 8, &type, &length, &body, b), JMF_ERROR_BAD_LENGTH);
    CHECK_EQ(Parse(0, 8, 8, &type, &length, &body, b), JMF_ERROR_BAD_MAGIC);
    CHECK_EQ(Parse(6, 8, 8, &type, &length, &body, b), JMF_ERROR_BAD_MAGIC);
    /* UNLOCK: exactly a key. */
    CHECK_EQ(Parse(JMF_COMMAND_UNLOCK, 40, 40, &type, &length, &body, b), JMF_ERROR_NONE);
    CHECK_EQ(type, JMF_COMMAND_UNLOCK);
    CHECK_EQ(length, sizeof(JMF_UNLOCK_KEY));
    CHECK_EQ(Parse(JMF_COMMAND_UNLOCK, 39, 39, &type, &length, &body, b), JMF_ERROR_TRUNCATED);
    CHECK_EQ(Parse(JMF_COMMAND_UNLOCK, 48, 48, &type, &length, &body, b), JMF_ERROR_BAD_LENGTH);
    CHECK_EQ(Parse(JMF_COMMAND_UNLOCK, 8, 8, &type, &length, &body, b), JMF_ERROR_TRUNCATED);
    /* SET_CONFIG with LOCKED: the configuration then its key (56 bytes); without LOCKED the key is too much. */
    {
        JMF_CONFIG c;
        memset(&c, 0, sizeof(c));
        c.Flags = JMF_CONFIG_FLAG_LOCKED;
        memcpy(b + 8, &c, sizeof(c));
        CHECK_EQ(Parse(JMF_COMMAND_SET_CONFIG, 64, 64, &type, &length, &body, b), JMF_ERROR_NONE);
        CHECK_EQ(length, sizeof(JMF_CONFIG) + sizeof(JMF_UNLOCK_KEY));
        CHECK_EQ(Parse(JMF_COMMAND_SET_CONFIG, 32, 32, &type, &length, &body, b), JMF_ERROR_TRUNCATED);
        CHECK_EQ(Parse(JMF_COMMAND_SET_CONFIG, 72, 72, &type, &length, &body, b), JMF_ERROR_BAD_LENGTH);
        c.Flags = JMF_CONFIG_FLAG_PERSIST;
        memcpy(b + 8, &c, sizeof(c));
        CHECK_EQ(Parse(JMF_COMMAND_SET_CONFIG, 64, 64, &type, &length, &body, b), JMF_ERROR_BAD_LENGTH);
        CHECK_EQ(Parse(JMF_COMMAND_SET_CONFIG, 32, 32, &type, &length, &body, b), JMF_ERROR_NONE);
        memset(b + 8, 0, sizeof(c));
    }
    CHECK_EQ(Parse(JMF_COMMAND_GET_STATISTICS, 8, 7, &type, &length, &body, b), JMF_ERROR_TRUNCATED);
    CHECK_EQ(JmfCommandParse(NULL, 8, &type, &body, &length), JMF_ERROR_TRUNCATED);
}

static void
GoodConfig(JMF_CONFIG *Config)
{
    Config->AskTimeoutMs = JMF_DEFAULT_ASK_TIMEOUT_MS;
    Config->DefaultVerdict = JMF_DEFAULT_VERDICT;
    Config->DefaultDenyStatus = JMF_DEFAULT_DENY_STATUS;
    Config->OnDisconnect = JMF_DEFAULT_ON_DISCONNECT;
    Config->MaxAsksInFlight = JMF_DEFAULT_MAX_ASKS_IN_FLIGHT;
    Config->Flags = 0;
}

static void
TestConfig(void)
{
    JMF_CONFIG c;

    GoodConfig(&c);
    CHECK_EQ(JmfValidateConfig(&c), JMF_ERROR_NONE);        /* the documented defaults pass */
    GoodConfig(&c); c.Flags = 0x80000000u;
    CHECK_EQ(JmfValidateConfig(&c), JMF_ERROR_RESERVED);
    GoodConfig(&c); c.Flags = 0x4u;                         /* the first unassigned bit */
    CHECK_EQ(JmfValidateConfig(&c), JMF_ERROR_RESERVED);
    GoodConfig(&c); c.Flags = JMF_CONFIG_FLAG_PERSIST | JMF_CONFIG_FLAG_LOCKED;
    CHECK_EQ(JmfValidateConfig(&c), JMF_ERROR_NONE);
    GoodConfig(&c); c.AskTimeoutMs = 0;
    CHECK_EQ(JmfValidateConfig(&c), JMF_ERROR_BAD_CONFIG);
    GoodConfig(&c); c.AskTimeoutMs = JMF_MAX_ASK_TIMEOUT_MS;
    CHECK_EQ(JmfValidateConfig(&c), JMF_ERROR_NONE);
    GoodConfig(&c); c.AskTimeoutMs = JMF_MAX_ASK_TIMEOUT_MS + 1;
    CHECK_EQ(JmfValidateConfig(&c), JMF_ERROR_BAD_CONFIG);
    GoodConfig(&c); c.DefaultVerdict = JMF_ACTION_AUDIT;
    CHECK_EQ(JmfValidateConfig(&c), JMF_ERROR_BAD_CONFIG);
    GoodConfig(&c); c.DefaultVerdict = JMF_ACTION_DENY;
    CHECK_EQ(JmfValidateConfig(&c), JMF_ERROR_NONE);
    GoodConfig(&c); c.DefaultVerdict = JMF_ACTION_DENY; c.DefaultDenyStatus = 0;
    CHECK_EQ(JmfValidateConfig(&c), JMF_ERROR_BAD_CONFIG);
    GoodConfig(&c); c.DefaultVerdict = JMF_ACTION_ALLOW; c.DefaultDenyStatus = 0;
    CHECK_EQ(JmfValidateConfig(&c), JMF_ERROR_NONE);
    GoodConfig(&c); c.DefaultDenyStatus = (JMF_I32)0x80000005u;   /* a warning, never a deny */
    CHECK_EQ(JmfValidateConfig(&c), JMF_ERROR_BAD_CONFIG);
    GoodConfig(&c); c.OnDisconnect = 0;
    CHECK_EQ(JmfValidateConfig(&c), JMF_ERROR_BAD_CONFIG);
    GoodConfig(&c); c.OnDisconnect = JMF_DISCONNECT_CLEAR_POLICY;
    CHECK_EQ(JmfValidateConfig(&c), JMF_ERROR_NONE);
    GoodConfig(&c); c.OnDisconnect = 3;
    CHECK_EQ(JmfValidateConfig(&c), JMF_ERROR_BAD_CONFIG);
    GoodConfig(&c); c.MaxAsksInFlight = 0;
    CHECK_EQ(JmfValidateConfig(&c), JMF_ERROR_BAD_CONFIG);
    GoodConfig(&c); c.MaxAsksInFlight = JMF_MAX_ASKS_IN_FLIGHT;
    CHECK_EQ(JmfValidateConfig(&c), JMF_ERROR_NONE);
    GoodConfig(&c); c.MaxAsksInFlight = JMF_MAX_ASKS_IN_FLIGHT + 1;
    CHECK_EQ(JmfValidateConfig(&c), JMF_ERROR_BAD_CONFIG);
}

static void
TestKeysEqual(void)
{
    JMF_UNLOCK_KEY a, b;
    JMF_U32 i;

    for (i = 0; i < JMF_UNLOCK_KEY_BYTES; i++) {
        a.Key[i] = (JMF_U8)(i * 7 + 1);
    }
    b = a;
    CHECK(JmfKeysEqual(&a, &b));
    b.Key[0] ^= 1;
    CHECK(!JmfKeysEqual(&a, &b));           /* the first byte ... */
    b = a;
    b.Key[JMF_UNLOCK_KEY_BYTES - 1] ^= 0x80;
    CHECK(!JmfKeysEqual(&a, &b));           /* ... and the last count */
}

static void
TestDenyStatus(void)
{
    CHECK(JmfIsDenyStatus((JMF_I32)0xC0000022u));          /* STATUS_ACCESS_DENIED */
    CHECK(JmfIsDenyStatus((JMF_I32)0xC0000043u));          /* STATUS_SHARING_VIOLATION */
    CHECK(JmfIsDenyStatus((JMF_I32)0xFFFFFFFFu));
    CHECK(JmfIsDenyStatus((JMF_I32)0xC01C0005u));          /* a neighbour of the excluded one */
    CHECK(!JmfIsDenyStatus((JMF_I32)0xC01C0004u));         /* STATUS_FLT_DISALLOW_FAST_IO */
    CHECK(!JmfIsDenyStatus(0));
    CHECK(!JmfIsDenyStatus((JMF_I32)0x00000102u));         /* STATUS_TIMEOUT: success */
    CHECK(!JmfIsDenyStatus((JMF_I32)0x40000000u));         /* informational */
    CHECK(!JmfIsDenyStatus((JMF_I32)0x80000005u));         /* warning */
    CHECK(!JmfIsDenyStatus((JMF_I32)0xBFFFFFFFu));
}

static JMF_ACTION
Verdict(JMF_U32 Type)
{
    JMF_ACTION a;

    memset(&a, 0, sizeof(a));
    a.Type = Type;
    a.Disposition = JMF_DISPOSITION_UNCHANGED;
    if (Type == JMF_ACTION_DENY) {
        a.Status = TEST_STATUS_ACCESS_DENIED;
    }
    return a;
}

static void
TestVerdicts(void)
{
    TEST_POLICY tp;
    TEST_ALLOC alloc;
    JMF_POLICY *policy = NULL;
    JMF_RESULT result;
    JMF_ACTION a;

    TpInit(&tp);
    TpVolume(&tp, "\\Device\\HarddiskVolume2");
    TpVolume(&tp, "\\Device\\HarddiskVolume3");
    TestAllocInit(&alloc, -1);
    CHECK_EQ(TpCompile(&tp, &alloc, &policy, &result), JMF_ERROR_NONE);

    a = Verdict(JMF_ACTION_ALLOW);
    CHECK_EQ(JmfPolicyValidateVerdict(policy, &a, JMF_OP_WRITE, JMF_PHASE_PRE), JMF_ERROR_NONE);
    CHECK_EQ(JmfPolicyValidateVerdict(policy, &a, JMF_OP_CREATE, JMF_PHASE_POST_CREATE), JMF_ERROR_NONE);
    CHECK_EQ(JmfPolicyValidateVerdict(policy, &a, JMF_OP_WRITE, JMF_PHASE_POST_CREATE), JMF_ERROR_BAD_OPERATIONS);
    CHECK_EQ(JmfPolicyValidateVerdict(policy, &a, JMF_OP_WRITE | JMF_OP_READ, JMF_PHASE_PRE), JMF_ERROR_BAD_OPERATIONS);
    CHECK_EQ(JmfPolicyValidateVerdict(policy, &a, 0x20, JMF_PHASE_PRE), JMF_ERROR_BAD_OPERATIONS);
    CHECK_EQ(JmfPolicyValidateVerdict(policy, &a, JMF_OP_READ, 3), JMF_ERROR_BAD_OPERATIONS);
    a.Flags = JMF_ACTION_FLAG_POST_CREATE;      /* the phase is the ask's, not the verdict's */
    CHECK_EQ(JmfPolicyValidateVerdict(policy, &a, JMF_OP_CREATE, JMF_PHASE_POST_CREATE), JMF_ERROR_BAD_FLAGS);
    a = Verdict(JMF_ACTION_DENY); a.Status = (JMF_I32)0xC0000022u;
    CHECK_EQ(JmfPolicyValidateVerdict(policy, &a, JMF_OP_WRITE, JMF_PHASE_PRE), JMF_ERROR_NONE);
    a.Flags = JMF_ACTION_FLAG_AUDIT_ONLY;       /* an answer is applied, never audited */
    CHECK_EQ(JmfPolicyValidateVerdict(policy, &a, JMF_OP_WRITE, JMF_PHASE_PRE), JMF_ERROR_BAD_FLAGS);
    a = Verdict(JMF_ACTION_ALLOW); a.TimeoutMs = 5;
    CHECK_EQ(JmfPolicyValidateVerdict(policy, &a, JMF_OP_READ, JMF_PHASE_PRE), JMF_ERROR_RESERVED);

    a = Verdict(JMF_ACTION_ASK);
    CHECK_EQ(JmfPolicyValidateVerdict(policy, &a, JMF_OP_CREATE, JMF_PHASE_PRE), JMF_ERROR_BAD_ACTION);
    a = Verdict(0);
    CHECK_EQ(JmfPolicyValidateVerdict(policy, &a, JMF_OP_CREATE, JMF_PHASE_PRE), JMF_ERROR_BAD_ACTION);
    a = Verdict(JMF_ACTION_COUNT);
    CHECK_EQ(JmfPolicyValidateVerdict(policy, &a, JMF_OP_CREATE, JMF_PHASE_PRE), JMF_ERROR_BAD_ACTION);

    a = Verdict(JMF_ACTION_DENY);
    CHECK_EQ(JmfPolicyValidateVerdict(policy, &a, JMF_OP_CREATE, JMF_PHASE_POST_CREATE), JMF_ERROR_NONE);
    a.Status = (JMF_I32)0xC01C0004u;
    CHECK_EQ(JmfPolicyValidateVerdict(policy, &a, JMF_OP_CREATE, JMF_PHASE_POST_CREATE), JMF_ERROR_BAD_STATUS);
    a = Verdict(JMF_ACTION_AUDIT);
    CHECK_EQ(JmfPolicyValidateVerdict(policy, &a, JMF_OP_RENAME, JMF_PHASE_PRE), JMF_ERROR_NONE);

    /* MODIFY and REDIRECT: not in post-create, fields as for rules */
    a = Verdict(JMF_ACTION_MODIFY); a.AccessClear = TEST_FILE_WRITE_DATA;
    CHECK_EQ(JmfPolicyValidateVerdict(policy, &a, JMF_OP_CREATE, JMF_PHASE_PRE), JMF_ERROR_NONE);
    CHECK_EQ(JmfPolicyValidateVerdict(policy, &a, JMF_OP_CREATE, JMF_PHASE_POST_CREATE), JMF_ERROR_BAD_ACTION);
    CHECK_EQ(JmfPolicyValidateVerdict(policy, &a, JMF_OP_WRITE, JMF_PHASE_PRE), JMF_ERROR_BAD_OPERATIONS);
    a = Verdict(JMF_ACTION_MODIFY); a.OperationFlagsSet = JMF_SL_WRITE_THROUGH;
    CHECK_EQ(JmfPolicyValidateVerdict(policy, &a, JMF_OP_WRITE, JMF_PHASE_PRE), JMF_ERROR_NONE);
    CHECK_EQ(JmfPolicyValidateVerdict(policy, &a, JMF_OP_CREATE, JMF_PHASE_PRE), JMF_ERROR_BAD_MODIFY);

    a = Verdict(JMF_ACTION_REDIRECT); a.TargetVolume = 1;
    CHECK_EQ(JmfPolicyValidateVerdict(policy, &a, JMF_OP_CREATE, JMF_PHASE_PRE), JMF_ERROR_NONE);
    CHECK_EQ(JmfPolicyValidateVerdict(NULL, &a, JMF_OP_CREATE, JMF_PHASE_PRE), JMF_ERROR_BAD_VOLUME);
    CHECK_EQ(JmfPolicyValidateVerdict(policy, &a, JMF_OP_CREATE, JMF_PHASE_POST_CREATE), JMF_ERROR_BAD_ACTION);
    CHECK_EQ(JmfPolicyValidateVerdict(policy, &a, JMF_OP_READ, JMF_PHASE_PRE), JMF_ERROR_BAD_OPERATIONS);
    a.TargetVolume = 2;
    CHECK_EQ(JmfPolicyValidateVerdict(policy, &a, JMF_OP_CREATE, JMF_PHASE_PRE), JMF_ERROR_BAD_VOLUME);

    JmfPolicyFree(policy);
    CHECK_EQ(TestAllocLive(&alloc), 0);
    TpFree(&tp);
}

void
TestCommand(void)
{
    TestCommandParse();
    TestConfig();
    TestKeysEqual();
    TestDenyStatus();
    TestVerdicts();
}
