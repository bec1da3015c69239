/*
 * test_driver_util.c - what the tests of the real driver share: a policy
 * builder producing the bytes the Java codec produces, the service side of
 * the port (connect, SET_POLICY, GET_STATISTICS, GET_EVENTS), and the
 * two-volume setup.
 */
#include "test_driver_util.h"

/* ---- a policy builder (the same bytes the Java codec produces) ---- */
JMF_STRING_REF PbString(PB *pb, const char *s)
{
    JMF_STRING_REF r = { pb->StringChars * 2, 0 };
    WCHAR w[512];
    size_t n = s != NULL ? EmuUtf8ToWide(s, w, RTL_NUMBER_OF(w)) : 0;     /* UTF-8 in, UTF-16 as the codec writes */
    memcpy(pb->Strings + pb->StringChars, w, n * sizeof(WCHAR));
    pb->StringChars += (JMF_U32)n;
    r.Length = (JMF_U32)(n * 2);
    if (r.Length == 0) {
        r.Offset = 0;
    }
    return r;
}

JMF_RULE *PbRule(PB *pb, JMF_U32 id, JMF_U32 ops, const char *path, JMF_U32 action)
{
    JMF_RULE *r = &pb->Rules[pb->RuleCount++];
    memset(r, 0, sizeof(*r));
    r->RuleId = id;
    r->Operations = ops;
    r->Volume = JMF_VOLUME_ANY;
    r->Path = PbString(pb, path);
    r->Action.Type = action;
    r->Action.Disposition = JMF_DISPOSITION_UNCHANGED;
    if (action == JMF_ACTION_DENY) {
        r->Action.Status = (JMF_I32)0xC0000022;
    }
    return r;
}

/* Returns a malloc'd command (header + policy) and its length. */
uint8_t *PbCommand(PB *pb, JMF_U32 *length)
{
    JMF_STRING_REF volumeRefs[4];
    for (JMF_U32 i = 0; i < pb->VolumeCount; i++) {
        volumeRefs[i] = PbString(pb, pb->Volumes[i]);
    }
    JMF_U32 ruleOffset = sizeof(JMF_POLICY_HEADER);
    JMF_U32 volumeOffset = ruleOffset + pb->RuleCount * (JMF_U32)sizeof(JMF_RULE);
    JMF_U32 stringOffset = (volumeOffset + pb->VolumeCount * (JMF_U32)sizeof(JMF_VOLUME) + 7u) & ~7u;
    JMF_U32 stringBytes = (pb->StringChars * 2 + 7u) & ~7u;
    JMF_U32 total = stringOffset + stringBytes;
    uint8_t *cmd = calloc(1, sizeof(JMF_COMMAND_HEADER) + total);
    JMF_COMMAND_HEADER h = { JMF_COMMAND_SET_POLICY, (JMF_U32)sizeof(JMF_COMMAND_HEADER) + total };
    memcpy(cmd, &h, sizeof(h));
    JMF_POLICY_HEADER ph;
    memset(&ph, 0, sizeof(ph));
    ph.Magic = JMF_POLICY_MAGIC;
    ph.Version = JMF_POLICY_VERSION;
    ph.Flags = pb->Flags;
    ph.TotalLength = total;
    ph.RuleCount = pb->RuleCount;
    ph.RuleOffset = ruleOffset;
    ph.VolumeCount = pb->VolumeCount;
    ph.VolumeOffset = volumeOffset;
    ph.StringOffset = stringOffset;
    ph.StringBytes = stringBytes;
    uint8_t *body = cmd + sizeof(JMF_COMMAND_HEADER);
    memcpy(body, &ph, sizeof(ph));
    memcpy(body + ruleOffset, pb->Rules, pb->RuleCount * sizeof(JMF_RULE));
    for (JMF_U32 i = 0; i < pb->VolumeCount; i++) {
        memcpy(body + volumeOffset + i * sizeof(JMF_VOLUME), &volumeRefs[i], sizeof(JMF_STRING_REF));
    }
    memcpy(body + stringOffset, pb->Strings, pb->StringChars * 2);
    *length = h.Length;
    return cmd;
}

/* ---- the service side ---- */
void *g_port;
int g_v1, g_v2;

int32_t Connect(JMF_U32 magic, void **port)
{
    static const uint16_t name[] = { '\\', 'J', 'M', 'i', 'n', 'i', 'F', 'i', 'l', 't', 'e', 'r', 'P', 'o', 'r', 't', 0 };
    JMF_CONNECT_CONTEXT c = { magic, JMF_PROTOCOL_VERSION, 0 };
    EmuSetCurrentProcess(JAVA_PID);
    int32_t hr = EmuFilterConnectCommunicationPort(name, 0, &c, sizeof(c), NULL, port);
    EmuSetCurrentProcess(TEST_PID);
    return hr;
}

void Start(void)
{
    g_v1 = EmuCreateVolume("\\Device\\HarddiskVolume1", 4, 0);
    g_v2 = EmuCreateVolume("\\Device\\HarddiskVolume2", 4, 0);
    CHECK_EQ(EmuLoadDriver(DRIVER_ALTITUDE), STATUS_SUCCESS);
    g_port = NULL;
    CHECK_EQ(Connect(JMF_CONNECT_MAGIC, &g_port), 0);
}

void Stop(void)
{
    CHECK_EQ(EmuUnloadDriver(), STATUS_SUCCESS);        /* with the client still connected */
    if (g_port != NULL) {
        EmuFilterClose(g_port);
    }
}

JMF_RESULT SendPolicy(PB *pb)
{
    JMF_U32 length;
    uint8_t *cmd = PbCommand(pb, &length);
    JMF_RESULT r;
    memset(&r, 0xEE, sizeof(r));
    uint32_t n = 0;
    EmuSetCurrentProcess(JAVA_PID);
    int32_t hr = EmuFilterSendMessage(g_port, cmd, length, &r, sizeof(r), &n);
    EmuSetCurrentProcess(TEST_PID);
    CHECK_EQ(hr, 0);
    CHECK_EQ(n, sizeof(r));
    free(cmd);
    return r;
}

void GetStatistics(JMF_STATISTICS *s)
{
    JMF_COMMAND_HEADER h = { JMF_COMMAND_GET_STATISTICS, sizeof(JMF_COMMAND_HEADER) };
    static uint64_t out[(sizeof(JMF_STATISTICS) + 16 * sizeof(JMF_RULE_STATISTICS)) / 8];
    uint32_t n = 0;
    EmuSetCurrentProcess(JAVA_PID);
    CHECK_EQ(EmuFilterSendMessage(g_port, &h, sizeof(h), out, sizeof(out), &n), 0);
    EmuSetCurrentProcess(TEST_PID);
    memcpy(s, out, sizeof(*s));
}

/* Pulls up to Capacity events (GET_EVENTS); returns how many were copied. */
JMF_U32 GetEvents(JMF_EVENT *Events, JMF_U32 Capacity)
{
    JMF_COMMAND_HEADER ch = { JMF_COMMAND_GET_EVENTS, sizeof(JMF_COMMAND_HEADER) };
    size_t bytes = sizeof(JMF_EVENT_BATCH) + (size_t)Capacity * sizeof(JMF_EVENT);
    uint64_t *out = calloc(1, bytes);
    uint32_t n = 0;
    EmuSetCurrentProcess(JAVA_PID);
    CHECK_EQ(EmuFilterSendMessage(g_port, &ch, sizeof(ch), out, (uint32_t)bytes, &n), 0);
    EmuSetCurrentProcess(TEST_PID);
    JMF_EVENT_BATCH batch;
    memcpy(&batch, out, sizeof(batch));
    JMF_U32 count = batch.Count <= Capacity ? batch.Count : Capacity;
    memcpy(Events, (uint8_t *)out + sizeof(batch), (size_t)count * sizeof(JMF_EVENT));
    free(out);
    return count;
}

/* A UTF-16 string of an event or ask as UTF-8, for comparisons. */
const char *Utf8(const JMF_U16 *Chars, JMF_U32 Bytes, char *Out, size_t Capacity)
{
    EmuWideToUtf8((const WCHAR *)Chars, Bytes / 2, Out, Capacity);
    return Out;
}

uint64_t ReceiveAsk(void *port, JMF_ASK *ask, uint32_t timeoutMs)
{
    static uint64_t buf[(JMF_NOTIFICATION_BUFFER_SIZE + 7) / 8];
    EmuSetCurrentProcess(JAVA_PID);
    int32_t hr = EmuFilterGetMessageTimeout(port, buf, (uint32_t)JMF_NOTIFICATION_BUFFER_SIZE, timeoutMs);
    EmuSetCurrentProcess(TEST_PID);
    if (hr != 0) {
        return 0;
    }
    JMF_FILTER_MESSAGE_HEADER mh;
    memcpy(&mh, buf, sizeof(mh));
    memcpy(ask, (uint8_t *)buf + sizeof(mh), sizeof(*ask));
    return mh.MessageId;
}

int32_t ReplyToAsk(void *port, uint64_t messageId, JMF_U32 verdict, JMF_I32 status)
{
    uint8_t reply[JMF_REPLY_BUFFER_SIZE];
    memset(reply, 0, sizeof(reply));
    JMF_FILTER_REPLY_HEADER rh = { 0, 0, messageId };
    JMF_ASK_REPLY ar;
    memset(&ar, 0, sizeof(ar));
    ar.Verdict.Type = verdict;
    ar.Verdict.Disposition = JMF_DISPOSITION_UNCHANGED;
    ar.Verdict.Status = status;
    memcpy(reply, &rh, sizeof(rh));
    memcpy(reply + sizeof(rh), &ar, sizeof(ar));
    EmuSetCurrentProcess(JAVA_PID);
    int32_t hr = EmuFilterReplyMessage(port, reply, sizeof(reply));
    EmuSetCurrentProcess(TEST_PID);
    return hr;
}
