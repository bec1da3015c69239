/*
 * jmf_conformance.c
 *
 * The C half of the C/Java protocol conformance test
 * (org.jminifilter.protocol.ConformanceTest). Compiled with the machine's C
 * compiler against native-driver/include/jmf_protocol.h, it prints what the
 * compiler makes of the header, one fact per line:
 *
 *   size   <struct> <sizeof>
 *   field  <struct> <field> <offsetof> <sizeof>
 *   const  <macro> <value as an unsigned 32-bit number>
 *   string <macro> <UTF-16LE bytes in hex>
 *   sample <name> <bytes in hex>
 *
 * The samples are messages built field by field with the header's structs;
 * the Java test builds the same values through its own codec and compares
 * the bytes. Keep the sample values here and in ConformanceSamples.java the
 * same.
 */

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uchar.h>

#include "jmf_protocol.h"

#define SIZE(t) printf("size %s %u\n", #t, (unsigned)sizeof(t))
#define FIELD(t, f) \
    printf("field %s %s %u %u\n", #t, #f, (unsigned)offsetof(t, f), (unsigned)sizeof(((t *)0)->f))
#define CONST(c) printf("const %s %lu\n", #c, (unsigned long)(JMF_U32)(c))

static void
PrintHex(const char *Name, const void *Bytes, size_t Length)
{
    const unsigned char *p = Bytes;
    size_t i;

    printf("sample %s ", Name);
    for (i = 0; i < Length; i++) {
        printf("%02x", p[i]);
    }
    printf("\n");
}

static size_t
Chars16(const char16_t *s)
{
    size_t n = 0;

    while (s[n] != 0) {
        n++;
    }
    return n;
}

/* Copies s into a fixed-capacity string field; returns its length in bytes. */
static JMF_U16
PutString(JMF_U16 *Field, const char16_t *s)
{
    size_t n = Chars16(s);

    memcpy(Field, s, n * 2);
    return (JMF_U16)(n * 2);
}

static void
PrintLayouts(void)
{
    SIZE(JMF_CONNECT_CONTEXT);
    FIELD(JMF_CONNECT_CONTEXT, Magic);
    FIELD(JMF_CONNECT_CONTEXT, ProtocolVersion);
    FIELD(JMF_CONNECT_CONTEXT, Reserved);

    SIZE(JMF_FILTER_MESSAGE_HEADER);
    FIELD(JMF_FILTER_MESSAGE_HEADER, ReplyLength);
    FIELD(JMF_FILTER_MESSAGE_HEADER, Padding);
    FIELD(JMF_FILTER_MESSAGE_HEADER, MessageId);

    SIZE(JMF_FILTER_REPLY_HEADER);
    FIELD(JMF_FILTER_REPLY_HEADER, Status);
    FIELD(JMF_FILTER_REPLY_HEADER, Padding);
    FIELD(JMF_FILTER_REPLY_HEADER, MessageId);

    SIZE(JMF_ACTION);
    FIELD(JMF_ACTION, Type);
    FIELD(JMF_ACTION, Flags);
    FIELD(JMF_ACTION, Status);
    FIELD(JMF_ACTION, AccessClear);
    FIELD(JMF_ACTION, OptionsSet);
    FIELD(JMF_ACTION, OptionsClear);
    FIELD(JMF_ACTION, Disposition);
    FIELD(JMF_ACTION, OperationFlagsSet);
    FIELD(JMF_ACTION, OperationFlagsClear);
    FIELD(JMF_ACTION, TargetVolume);
    FIELD(JMF_ACTION, TimeoutMs);
    FIELD(JMF_ACTION, DefaultVerdict);

    SIZE(JMF_STRING_REF);
    FIELD(JMF_STRING_REF, Offset);
    FIELD(JMF_STRING_REF, Length);

    SIZE(JMF_POLICY_HEADER);
    FIELD(JMF_POLICY_HEADER, Magic);
    FIELD(JMF_POLICY_HEADER, Version);
    FIELD(JMF_POLICY_HEADER, Flags);
    FIELD(JMF_POLICY_HEADER, TotalLength);
    FIELD(JMF_POLICY_HEADER, RuleCount);
    FIELD(JMF_POLICY_HEADER, RuleOffset);
    FIELD(JMF_POLICY_HEADER, VolumeCount);
    FIELD(JMF_POLICY_HEADER, VolumeOffset);
    FIELD(JMF_POLICY_HEADER, StringOffset);
    FIELD(JMF_POLICY_HEADER, StringBytes);
    FIELD(JMF_POLICY_HEADER, Reserved2);

    SIZE(JMF_VOLUME);
    FIELD(JMF_VOLUME, Name);

    SIZE(JMF_RULE);
    FIELD(JMF_RULE, RuleId);
    FIELD(JMF_RULE, Operations);
    FIELD(JMF_RULE, ProcessId);
    FIELD(JMF_RULE, DesiredAccess);
    FIELD(JMF_RULE, Dispositions);
    FIELD(JMF_RULE, Volume);
    FIELD(JMF_RULE, MatchFlags);
    FIELD(JMF_RULE, Path);
    FIELD(JMF_RULE, Image);
    FIELD(JMF_RULE, Action);

    SIZE(JMF_COMMAND_HEADER);
    FIELD(JMF_COMMAND_HEADER, Type);
    FIELD(JMF_COMMAND_HEADER, Length);

    SIZE(JMF_RESULT);
    FIELD(JMF_RESULT, Status);
    FIELD(JMF_RESULT, Error);
    FIELD(JMF_RESULT, RuleIndex);
    FIELD(JMF_RESULT, Generation);

    SIZE(JMF_CONFIG);
    FIELD(JMF_CONFIG, AskTimeoutMs);
    FIELD(JMF_CONFIG, DefaultVerdict);
    FIELD(JMF_CONFIG, DefaultDenyStatus);
    FIELD(JMF_CONFIG, OnDisconnect);
    FIELD(JMF_CONFIG, MaxAsksInFlight);
    FIELD(JMF_CONFIG, Flags);

    SIZE(JMF_UNLOCK_KEY);
    FIELD(JMF_UNLOCK_KEY, Key);

    SIZE(JMF_STATISTICS);
    FIELD(JMF_STATISTICS, Generation);
    FIELD(JMF_STATISTICS, RuleCount);
    FIELD(JMF_STATISTICS, Operations);
    FIELD(JMF_STATISTICS, Verdicts);
    FIELD(JMF_STATISTICS, Asks);
    FIELD(JMF_STATISTICS, AskTimeouts);
    FIELD(JMF_STATISTICS, AskNoClient);
    FIELD(JMF_STATISTICS, AskOverLimit);
    FIELD(JMF_STATISTICS, AskBadReplies);
    FIELD(JMF_STATISTICS, DefaultVerdicts);
    FIELD(JMF_STATISTICS, RedirectFallbacks);
    FIELD(JMF_STATISTICS, PostCreateCancels);
    FIELD(JMF_STATISTICS, EventsQueued);
    FIELD(JMF_STATISTICS, EventsDropped);
    FIELD(JMF_STATISTICS, PoliciesRejected);
    FIELD(JMF_STATISTICS, AskNotWaited);
    FIELD(JMF_STATISTICS, AskCancelled);
    FIELD(JMF_STATISTICS, RedirectTargetLost);
    FIELD(JMF_STATISTICS, RedirectRefused);
    FIELD(JMF_STATISTICS, AuditOnly);

    SIZE(JMF_RULE_STATISTICS);
    FIELD(JMF_RULE_STATISTICS, RuleId);
    FIELD(JMF_RULE_STATISTICS, Reserved);
    FIELD(JMF_RULE_STATISTICS, Matches);

    SIZE(JMF_EVENT);
    FIELD(JMF_EVENT, Time);
    FIELD(JMF_EVENT, Sequence);
    FIELD(JMF_EVENT, RuleId);
    FIELD(JMF_EVENT, Operation);
    FIELD(JMF_EVENT, Verdict);
    FIELD(JMF_EVENT, Status);
    FIELD(JMF_EVENT, ProcessId);
    FIELD(JMF_EVENT, Flags);
    FIELD(JMF_EVENT, VolumeLength);
    FIELD(JMF_EVENT, PathLength);
    FIELD(JMF_EVENT, OtherPathLength);
    FIELD(JMF_EVENT, Reserved);
    FIELD(JMF_EVENT, Volume);
    FIELD(JMF_EVENT, Path);
    FIELD(JMF_EVENT, OtherPath);

    SIZE(JMF_EVENT_BATCH);
    FIELD(JMF_EVENT_BATCH, Count);
    FIELD(JMF_EVENT_BATCH, Pending);
    FIELD(JMF_EVENT_BATCH, Dropped);

    SIZE(JMF_NOTIFICATION_HEADER);
    FIELD(JMF_NOTIFICATION_HEADER, Type);
    FIELD(JMF_NOTIFICATION_HEADER, Length);

    SIZE(JMF_ASK);
    FIELD(JMF_ASK, Header);
    FIELD(JMF_ASK, Generation);
    FIELD(JMF_ASK, RuleId);
    FIELD(JMF_ASK, Operation);
    FIELD(JMF_ASK, ProcessId);
    FIELD(JMF_ASK, DesiredAccess);
    FIELD(JMF_ASK, CreateOptions);
    FIELD(JMF_ASK, CreateDisposition);
    FIELD(JMF_ASK, Flags);
    FIELD(JMF_ASK, TimeoutMs);
    FIELD(JMF_ASK, VolumeLength);
    FIELD(JMF_ASK, PathLength);
    FIELD(JMF_ASK, ImageLength);
    FIELD(JMF_ASK, Reserved);
    FIELD(JMF_ASK, Reserved2);
    FIELD(JMF_ASK, Volume);
    FIELD(JMF_ASK, Path);
    FIELD(JMF_ASK, Image);

    SIZE(JMF_ASK_REPLY);
    FIELD(JMF_ASK_REPLY, Verdict);
}

static void
PrintConstants(void)
{
    /* A wide literal: wchar_t is 16 bits on Windows, 32 on Linux; the name is ASCII either way. */
    static const wchar_t portName[] = JMF_PORT_NAME;
    size_t i;

    printf("string JMF_PORT_NAME ");
    for (i = 0; portName[i] != 0; i++) {
        printf("%02x%02x", (unsigned)(portName[i] & 0xFF), (unsigned)((portName[i] >> 8) & 0xFF));
    }
    printf("\n");

    CONST(JMF_CONNECT_MAGIC);
    CONST(JMF_DISPOSITIONS_VALID);
    CONST(JMF_STATUS_FLT_DISALLOW_FAST_IO);
    CONST(JMF_PROTOCOL_VERSION);
    CONST(JMF_OP_CREATE);
    CONST(JMF_OP_READ);
    CONST(JMF_OP_WRITE);
    CONST(JMF_OP_RENAME);
    CONST(JMF_OP_DELETE);
    CONST(JMF_OP_ALL);
    CONST(JMF_ACTION_ALLOW);
    CONST(JMF_ACTION_DENY);
    CONST(JMF_ACTION_MODIFY);
    CONST(JMF_ACTION_REDIRECT);
    CONST(JMF_ACTION_ASK);
    CONST(JMF_ACTION_AUDIT);
    CONST(JMF_ACTION_COUNT);
    CONST(JMF_ACTION_FLAG_POST_CREATE);
    CONST(JMF_ACTION_FLAG_FALLBACK_DENY);
    CONST(JMF_ACTION_FLAG_AUDIT_ONLY);
    CONST(JMF_ACTION_FLAG_REPARSE);
    CONST(JMF_ACTION_FLAGS_VALID);
    CONST(JMF_POLICY_FLAG_AUDIT_ONLY);
    CONST(JMF_POLICY_FLAG_PERSIST);
    CONST(JMF_POLICY_FLAGS_VALID);
    CONST(JMF_CONFIG_FLAG_PERSIST);
    CONST(JMF_CONFIG_FLAG_LOCKED);
    CONST(JMF_CONFIG_FLAGS_VALID);
    CONST(JMF_UNLOCK_KEY_BYTES);
    CONST(JMF_DISPOSITION_UNCHANGED);
    CONST(JMF_SL_FORCE_ACCESS_CHECK);
    CONST(JMF_SL_CASE_SENSITIVE);
    CONST(JMF_SL_WRITE_THROUGH);
    CONST(JMF_SL_CREATE_VALID);
    CONST(JMF_SL_WRITE_VALID);
    CONST(JMF_SL_READ_VALID);
    CONST(JMF_FILE_SUPERSEDE);
    CONST(JMF_FILE_OPEN);
    CONST(JMF_FILE_CREATE);
    CONST(JMF_FILE_OPEN_IF);
    CONST(JMF_FILE_OVERWRITE);
    CONST(JMF_FILE_OVERWRITE_IF);
    CONST(JMF_FILE_MAXIMUM_DISPOSITION);
    CONST(JMF_CREATE_OPTIONS_VALID);
    CONST(JMF_MAX_VOLUME_CHARS);
    CONST(JMF_MAX_PATH_CHARS);
    CONST(JMF_MAX_IMAGE_CHARS);
    CONST(JMF_VOLUME_ANY);
    CONST(JMF_RULE_NONE);
    CONST(JMF_MAX_ASK_TIMEOUT_MS);
    CONST(JMF_POLICY_MAGIC);
    CONST(JMF_POLICY_VERSION);
    CONST(JMF_MAX_RULES);
    CONST(JMF_MAX_VOLUMES);
    CONST(JMF_MAX_PATTERN_CHARS);
    CONST(JMF_MAX_POLICY_BYTES);
    CONST(JMF_MATCH_DIRECTORY);
    CONST(JMF_MATCH_NON_DIRECTORY);
    CONST(JMF_MATCH_CREATED);
    CONST(JMF_MATCH_FLAGS_VALID);
    CONST(JMF_COMMAND_SET_POLICY);
    CONST(JMF_COMMAND_GET_STATISTICS);
    CONST(JMF_COMMAND_SET_CONFIG);
    CONST(JMF_COMMAND_GET_EVENTS);
    CONST(JMF_COMMAND_UNLOCK);
    CONST(JMF_ERROR_NONE);
    CONST(JMF_ERROR_TRUNCATED);
    CONST(JMF_ERROR_BAD_MAGIC);
    CONST(JMF_ERROR_BAD_VERSION);
    CONST(JMF_ERROR_BAD_LENGTH);
    CONST(JMF_ERROR_BAD_SECTION);
    CONST(JMF_ERROR_TOO_MANY_RULES);
    CONST(JMF_ERROR_TOO_MANY_VOLUMES);
    CONST(JMF_ERROR_BAD_STRING);
    CONST(JMF_ERROR_BAD_PATTERN);
    CONST(JMF_ERROR_BAD_OPERATIONS);
    CONST(JMF_ERROR_BAD_ACTION);
    CONST(JMF_ERROR_BAD_FLAGS);
    CONST(JMF_ERROR_BAD_STATUS);
    CONST(JMF_ERROR_BAD_VOLUME);
    CONST(JMF_ERROR_BAD_MODIFY);
    CONST(JMF_ERROR_BAD_TIMEOUT);
    CONST(JMF_ERROR_BAD_DEFAULT);
    CONST(JMF_ERROR_RESERVED);
    CONST(JMF_ERROR_BAD_RULE_ID);
    CONST(JMF_ERROR_NO_MEMORY);
    CONST(JMF_ERROR_BAD_CONFIG);
    CONST(JMF_ERROR_NEVER_MATCHES);
    CONST(JMF_ERROR_NOT_PERSISTED);
    CONST(JMF_ERROR_LOCKED);
    CONST(JMF_ERROR_COUNT);
    CONST(JMF_INDEX_NONE);
    CONST(JMF_DISCONNECT_KEEP_POLICY);
    CONST(JMF_DISCONNECT_CLEAR_POLICY);
    CONST(JMF_MAX_ASKS_IN_FLIGHT);
    CONST(JMF_DEFAULT_ASK_TIMEOUT_MS);
    CONST(JMF_DEFAULT_VERDICT);
    CONST(JMF_DEFAULT_DENY_STATUS);
    CONST(JMF_DEFAULT_ON_DISCONNECT);
    CONST(JMF_DEFAULT_MAX_ASKS_IN_FLIGHT);
    CONST(JMF_EVENT_QUEUE_CAPACITY);
    CONST(JMF_EVENT_FLAG_POST_CREATE);
    CONST(JMF_EVENT_FLAG_DEFAULT_VERDICT);
    CONST(JMF_EVENT_FLAG_ASK_TIMEOUT);
    CONST(JMF_EVENT_FLAG_ASKED);
    CONST(JMF_EVENT_FLAG_REDIRECT_FALLBACK);
    CONST(JMF_EVENT_FLAG_PATH_TRUNCATED);
    CONST(JMF_EVENT_FLAG_MODIFIED);
    CONST(JMF_EVENT_FLAG_DESTINATION);
    CONST(JMF_EVENT_FLAG_LINK);
    CONST(JMF_EVENT_FLAG_OTHER_PATH_TRUNCATED);
    CONST(JMF_EVENT_FLAG_REDIRECT_TARGET_LOST);
    CONST(JMF_EVENT_FLAG_REDIRECT_REFUSED);
    CONST(JMF_EVENT_FLAG_ASK_NOT_WAITED);
    CONST(JMF_EVENT_FLAG_ASK_CANCELLED);
    CONST(JMF_EVENT_FLAG_AUDIT_ONLY);
    CONST(JMF_EVENT_FLAG_REPARSE);
    CONST(JMF_EVENT_FLAG_PERSISTED_REJECTED);
    CONST(JMF_EVENT_FLAGS_VALID);
    CONST(JMF_NOTIFICATION_ASK);
    CONST(JMF_ASK_FLAG_POST_CREATE);
    CONST(JMF_ASK_FLAG_PATH_TRUNCATED);
    CONST(JMF_ASK_FLAG_DESTINATION);
    CONST(JMF_ASK_FLAG_LINK);
    CONST(JMF_ASK_FLAGS_VALID);
    CONST(JMF_NOTIFICATION_BUFFER_SIZE);
    CONST(JMF_REPLY_BUFFER_SIZE);
}

/* ---- Sample messages (the same values as ConformanceSamples.java) ---- */

static JMF_ACTION
Action(JMF_U32 Type, JMF_U32 Flags, JMF_I32 Status)
{
    JMF_ACTION a;

    memset(&a, 0, sizeof(a));
    a.Type = Type;
    a.Flags = Flags;
    a.Status = Status;
    a.Disposition = JMF_DISPOSITION_UNCHANGED;
    return a;
}

/* The policy's string table: each distinct string once, in order of first use. */
static JMF_U16 Strings[4096];
static JMF_U32 StringChars;

/* Appends s to the string table. */
static JMF_STRING_REF
Append(const char16_t *s)
{
    JMF_STRING_REF ref;
    JMF_U32 n = (JMF_U32)Chars16(s);

    ref.Offset = StringChars * 2;
    ref.Length = n * 2;
    memcpy(&Strings[StringChars], s, n * 2);
    StringChars += n;
    return ref;
}

typedef struct _STRING_ENTRY {
    const char16_t *Text;
    JMF_STRING_REF Ref;
} STRING_ENTRY;

static STRING_ENTRY Seen[64];
static unsigned SeenCount;

/* A reference to s in the table, adding it when it is new (NULL: no string). */
static JMF_STRING_REF
Str(const char16_t *s)
{
    JMF_STRING_REF none = {0, 0};
    unsigned i;

    if (s == NULL) {
        return none;
    }
    for (i = 0; i < SeenCount; i++) {
        if (Chars16(Seen[i].Text) == Chars16(s) && memcmp(Seen[i].Text, s, Chars16(s) * 2) == 0) {
            return Seen[i].Ref;
        }
    }
    Seen[SeenCount].Text = s;
    Seen[SeenCount].Ref = Append(s);
    return Seen[SeenCount++].Ref;
}

#define RULES 10
#define VOLUMES 2

static const char16_t *VolumeNames[VOLUMES] = {
    u"\\Device\\HarddiskVolume3",
    u"\\Device\\HarddiskVolume4",
};

static void
Rule(JMF_RULE *r, JMF_U32 Id, JMF_U32 Operations, JMF_U16 Volume, const char16_t *Path,
     const char16_t *Image, JMF_ACTION Act)
{
    memset(r, 0, sizeof(*r));
    r->RuleId = Id;
    r->Operations = Operations;
    r->Volume = Volume;
    r->Path = Str(Path);
    r->Image = Str(Image);
    r->Action = Act;
}

/* Builds the sample policy body into Out; returns its length. */
static size_t
BuildPolicy(unsigned char *Out)
{
    JMF_POLICY_HEADER header;
    JMF_RULE rules[RULES];
    JMF_VOLUME volumes[VOLUMES];
    JMF_ACTION a;
    unsigned i;

    /* Strings are added in the Java codec's order: volume names, then each rule's path and image. */
    for (i = 0; i < VOLUMES; i++) {
        volumes[i].Name = Str(VolumeNames[i]);
    }

    Rule(&rules[0], 1, JMF_OP_CREATE, JMF_VOLUME_ANY, u"\\Windows\\**", NULL,
         Action(JMF_ACTION_ALLOW, 0, 0));

    Rule(&rules[1], 2, JMF_OP_CREATE | JMF_OP_WRITE | JMF_OP_RENAME | JMF_OP_DELETE, JMF_VOLUME_ANY,
         u"\\Users\\*\\secret\\**", u"**\\notepad.exe", Action(JMF_ACTION_DENY, 0, (JMF_I32)0xC0000022));

    Rule(&rules[2], 3, JMF_OP_CREATE, 0, u"\\Users\\bob\\caf\u00e9\\*.txt", NULL,
         Action(JMF_ACTION_DENY, JMF_ACTION_FLAG_POST_CREATE, (JMF_I32)0xC0000022));
    rules[2].DesiredAccess = 0x2;
    rules[2].Dispositions = (1u << JMF_FILE_OPEN) | (1u << JMF_FILE_OPEN_IF);
    rules[2].MatchFlags = JMF_MATCH_NON_DIRECTORY | JMF_MATCH_CREATED;

    a = Action(JMF_ACTION_MODIFY, 0, 0);
    a.OperationFlagsSet = JMF_SL_WRITE_THROUGH;
    Rule(&rules[3], 4, JMF_OP_WRITE, JMF_VOLUME_ANY, u"\\logs\\**", NULL, a);

    a = Action(JMF_ACTION_MODIFY, 0, 0);
    a.AccessClear = 0x10000;
    a.OptionsSet = 0x8;
    a.OptionsClear = 0x1000;
    a.Disposition = JMF_FILE_OPEN_IF;
    a.OperationFlagsClear = JMF_SL_CASE_SENSITIVE;
    Rule(&rules[4], 5, JMF_OP_CREATE, JMF_VOLUME_ANY, u"\\tmp\\\U0001F600?.log", NULL, a);

    a = Action(JMF_ACTION_REDIRECT, JMF_ACTION_FLAG_FALLBACK_DENY, (JMF_I32)0xC000000E);
    a.TargetVolume = 1;
    Rule(&rules[5], 6, JMF_OP_CREATE | JMF_OP_READ | JMF_OP_WRITE, 0, u"\\Users\\*\\Documents\\**", NULL, a);

    a = Action(JMF_ACTION_ASK, JMF_ACTION_FLAG_POST_CREATE, (JMF_I32)0xC0000022);
    a.TimeoutMs = 10000;
    a.DefaultVerdict = JMF_ACTION_DENY;
    Rule(&rules[6], 7, JMF_OP_CREATE, JMF_VOLUME_ANY, u"\\Windows\\**", u"**\\cmd.exe", a);
    rules[6].ProcessId = 1234;

    Rule(&rules[7], 8, JMF_OP_DELETE | JMF_OP_RENAME, JMF_VOLUME_ANY, u"\\Users\\*\\Desktop\\?*.lnk", NULL,
         Action(JMF_ACTION_ASK, 0, 0));

    Rule(&rules[8], 9, JMF_OP_READ, JMF_VOLUME_ANY, NULL, NULL, Action(JMF_ACTION_AUDIT, 0, 0));

    a = Action(JMF_ACTION_ASK, 0, 0);
    a.TimeoutMs = 60000;
    a.DefaultVerdict = JMF_ACTION_ALLOW;
    Rule(&rules[9], 0xFFFFFFFEu, JMF_OP_ALL, 1, NULL, u"**\\explorer.exe", a);

    memset(&header, 0, sizeof(header));
    header.Magic = JMF_POLICY_MAGIC;
    header.Version = JMF_POLICY_VERSION;
    header.RuleCount = RULES;
    header.RuleOffset = sizeof(JMF_POLICY_HEADER);
    header.VolumeCount = VOLUMES;
    header.VolumeOffset = header.RuleOffset + sizeof(rules);
    header.StringOffset = header.VolumeOffset + sizeof(volumes);
    header.StringBytes = StringChars * 2;
    header.TotalLength = header.StringOffset + header.StringBytes;

    memcpy(Out, &header, sizeof(header));
    memcpy(Out + header.RuleOffset, rules, sizeof(rules));
    memcpy(Out + header.VolumeOffset, volumes, sizeof(volumes));
    memcpy(Out + header.StringOffset, Strings, header.StringBytes);
    return header.TotalLength;
}

static void
PrintCommand(const char *Name, JMF_U32 Type, const void *Body, size_t BodyLength)
{
    static unsigned char buffer[sizeof(JMF_COMMAND_HEADER) + 65536];
    JMF_COMMAND_HEADER header;

    header.Type = Type;
    header.Length = (JMF_U32)(sizeof(header) + BodyLength);
    memcpy(buffer, &header, sizeof(header));
    if (BodyLength != 0) {
        memcpy(buffer + sizeof(header), Body, BodyLength);
    }
    PrintHex(Name, buffer, header.Length);
}

static void
PrintSamples(void)
{
    static unsigned char policy[65536];
    size_t policyLength;
    JMF_CONNECT_CONTEXT context;
    JMF_CONFIG config;
    JMF_RESULT result;
    JMF_ASK ask;
    JMF_ASK_REPLY reply;
    JMF_FILTER_REPLY_HEADER replyHeader;
    unsigned char replyBuffer[JMF_REPLY_BUFFER_SIZE];
    JMF_FILTER_MESSAGE_HEADER messageHeader;
    unsigned char statistics[sizeof(JMF_STATISTICS) + 2 * sizeof(JMF_RULE_STATISTICS)];
    JMF_STATISTICS stats;
    JMF_RULE_STATISTICS ruleStats[2];
    unsigned char events[sizeof(JMF_EVENT_BATCH) + 2 * sizeof(JMF_EVENT)];
    JMF_EVENT_BATCH batch;
    JMF_EVENT event[2];
    unsigned i;

    memset(&context, 0, sizeof(context));
    context.Magic = JMF_CONNECT_MAGIC;
    context.ProtocolVersion = JMF_PROTOCOL_VERSION;
    PrintHex("connect_context", &context, sizeof(context));

    memset(&config, 0, sizeof(config));
    config.AskTimeoutMs = 2500;
    config.DefaultVerdict = JMF_ACTION_DENY;
    config.DefaultDenyStatus = (JMF_I32)0xC0000022;
    config.OnDisconnect = JMF_DISCONNECT_CLEAR_POLICY;
    config.MaxAsksInFlight = 32;
    PrintHex("config", &config, sizeof(config));
    PrintCommand("command_set_config", JMF_COMMAND_SET_CONFIG, &config, sizeof(config));
    PrintCommand("command_get_statistics", JMF_COMMAND_GET_STATISTICS, NULL, 0);
    PrintCommand("command_get_events", JMF_COMMAND_GET_EVENTS, NULL, 0);
    {
        /* A persisted, locked configuration: JMF_CONFIG then the key; UNLOCK with the same key. */
        unsigned char locked[sizeof(JMF_CONFIG) + sizeof(JMF_UNLOCK_KEY)];
        JMF_UNLOCK_KEY key;

        for (i = 0; i < JMF_UNLOCK_KEY_BYTES; i++) {
            key.Key[i] = (JMF_U8)(0xA0 + i);
        }
        config.Flags = JMF_CONFIG_FLAG_PERSIST | JMF_CONFIG_FLAG_LOCKED;
        memcpy(locked, &config, sizeof(config));
        memcpy(locked + sizeof(config), &key, sizeof(key));
        PrintCommand("command_set_config_locked", JMF_COMMAND_SET_CONFIG, locked, sizeof(locked));
        PrintCommand("command_unlock", JMF_COMMAND_UNLOCK, &key, sizeof(key));
        config.Flags = 0;
    }

    policyLength = BuildPolicy(policy);
    PrintHex("policy", policy, policyLength);
    PrintCommand("command_set_policy", JMF_COMMAND_SET_POLICY, policy, policyLength);

    memset(&result, 0, sizeof(result));
    result.Status = (JMF_I32)0xC000000D;
    result.Error = JMF_ERROR_BAD_STATUS;
    result.RuleIndex = 2;
    result.Generation = 7;
    PrintHex("result", &result, sizeof(result));

    memset(&ask, 0, sizeof(ask));
    ask.Header.Type = JMF_NOTIFICATION_ASK;
    ask.Header.Length = sizeof(JMF_ASK);
    ask.Generation = 3;
    ask.RuleId = 42;
    ask.Operation = JMF_OP_CREATE;
    ask.ProcessId = 4321;
    ask.DesiredAccess = 0x120089;
    ask.CreateOptions = 0x40;
    ask.CreateDisposition = JMF_FILE_OPEN;
    ask.Flags = JMF_ASK_FLAG_POST_CREATE | JMF_ASK_FLAG_PATH_TRUNCATED;
    ask.TimeoutMs = 5000;
    ask.VolumeLength = PutString(ask.Volume, u"\\Device\\HarddiskVolume3");
    ask.PathLength = PutString(ask.Path, u"\\Users\\bob\\caf\u00e9 \U0001F600.txt");
    ask.ImageLength = PutString(ask.Image, u"\\Device\\HarddiskVolume3\\Windows\\notepad.exe");
    PrintHex("ask", &ask, sizeof(ask));

    memset(&messageHeader, 0, sizeof(messageHeader));
    messageHeader.ReplyLength = JMF_REPLY_BUFFER_SIZE;
    messageHeader.MessageId = 0x0102030405060708ull;
    PrintHex("filter_message_header", &messageHeader, sizeof(messageHeader));

    reply.Verdict = Action(JMF_ACTION_MODIFY, 0, 0);
    reply.Verdict.AccessClear = 0x10000;
    reply.Verdict.OptionsSet = 0x8;
    reply.Verdict.Disposition = JMF_FILE_OPEN_IF;
    reply.Verdict.OperationFlagsSet = JMF_SL_FORCE_ACCESS_CHECK;
    PrintHex("ask_reply_modify", &reply, sizeof(reply));

    reply.Verdict = Action(JMF_ACTION_REDIRECT, JMF_ACTION_FLAG_FALLBACK_DENY, (JMF_I32)0xC000000E);
    reply.Verdict.TargetVolume = 1;
    PrintHex("ask_reply_redirect", &reply, sizeof(reply));

    reply.Verdict = Action(JMF_ACTION_DENY, 0, (JMF_I32)0xC0000022);
    memset(&replyHeader, 0, sizeof(replyHeader));
    replyHeader.Status = 0;
    replyHeader.MessageId = 0x1122334455667788ull;
    memcpy(replyBuffer, &replyHeader, sizeof(replyHeader));
    memcpy(replyBuffer + sizeof(replyHeader), &reply, sizeof(reply));
    PrintHex("reply_buffer_deny", replyBuffer, sizeof(replyBuffer));

    memset(&stats, 0, sizeof(stats));
    stats.Generation = 9;
    stats.RuleCount = 2;
    stats.Operations = 1000;
    for (i = 1; i < JMF_ACTION_COUNT; i++) {
        stats.Verdicts[i] = 100u * i;
    }
    stats.Asks = 11;
    stats.AskTimeouts = 12;
    stats.AskNoClient = 13;
    stats.AskOverLimit = 14;
    stats.AskBadReplies = 15;
    stats.DefaultVerdicts = 16;
    stats.RedirectFallbacks = 17;
    stats.PostCreateCancels = 18;
    stats.EventsQueued = 19;
    stats.EventsDropped = 20;
    stats.PoliciesRejected = 0xFFFFFFFFFFFFFFFFull;
    stats.AskNotWaited = 21;
    stats.AskCancelled = 22;
    stats.RedirectTargetLost = 23;
    stats.RedirectRefused = 0x8000000000000000ull;
    stats.AuditOnly = 24;
    memset(ruleStats, 0, sizeof(ruleStats));
    ruleStats[0].RuleId = 1;
    ruleStats[0].Matches = 50;
    ruleStats[1].RuleId = 0xFFFFFFFEu;
    ruleStats[1].Matches = 0x0123456789ABCDEFull;
    memcpy(statistics, &stats, sizeof(stats));
    memcpy(statistics + sizeof(stats), ruleStats, sizeof(ruleStats));
    PrintHex("statistics", statistics, sizeof(statistics));

    memset(event, 0, sizeof(event));
    event[0].Time = 133000000000000000ull;
    event[0].Sequence = 10;
    event[0].RuleId = 7;
    event[0].Operation = JMF_OP_WRITE;
    event[0].Verdict = JMF_ACTION_DENY;
    event[0].Status = (JMF_I32)0xC0000022;
    event[0].ProcessId = 1000;
    event[0].Flags = 0;
    event[0].VolumeLength = PutString(event[0].Volume, u"\\Device\\HarddiskVolume2");
    event[0].PathLength = PutString(event[0].Path, u"\\data\\report.docx");
    event[1].Time = 133000000012345678ull;
    event[1].Sequence = 11;
    event[1].RuleId = JMF_RULE_NONE;
    event[1].Operation = JMF_OP_CREATE;
    event[1].Verdict = JMF_ACTION_ALLOW;
    event[1].Status = 0;
    event[1].ProcessId = 4;
    event[1].Flags = JMF_EVENT_FLAG_POST_CREATE | JMF_EVENT_FLAG_DEFAULT_VERDICT | JMF_EVENT_FLAG_ASK_TIMEOUT
                     | JMF_EVENT_FLAG_DESTINATION | JMF_EVENT_FLAG_LINK;
    event[1].VolumeLength = PutString(event[1].Volume, u"\\Device\\HarddiskVolume3");
    event[1].PathLength = PutString(event[1].Path, u"\\Users\\bob\\caf\u00e9.txt");
    event[1].OtherPathLength = PutString(event[1].OtherPath, u"\\Downloads\\x.txt");
    event[1].OtherPathLength = PutString(event[1].OtherPath, u"\\Downloads\\x.txt");
    memset(&batch, 0, sizeof(batch));
    batch.Count = 2;
    batch.Pending = 5;
    batch.Dropped = 2;
    memcpy(events, &batch, sizeof(batch));
    memcpy(events + sizeof(batch), event, sizeof(event));
    PrintHex("event_batch", events, sizeof(events));
}

int
main(void)
{
    PrintLayouts();
    PrintConstants();
    PrintSamples();
    return 0;
}
