/*
 * test_driver_service.c - the service side for tests of the real driver (see test_driver_service.h).
 */
#include "test_driver_service.h"

int g_tsV1, g_tsV2;
static void *g_tsPort;

static JMF_STRING_REF TsString(TS_POLICY *p, const char *s)
{
    JMF_STRING_REF r = { p->StringChars * 2, 0 };
    for (; s != NULL && *s; s++) {
        p->Strings[p->StringChars++] = (JMF_U16)(unsigned char)*s;
    }
    r.Length = p->StringChars * 2 - r.Offset;
    if (r.Length == 0) {
        r.Offset = 0;
    }
    return r;
}

JMF_RULE *TsRule(TS_POLICY *p, JMF_U32 id, JMF_U32 operations, const char *path, JMF_U32 action)
{
    JMF_RULE *r = &p->Rules[p->RuleCount++];
    memset(r, 0, sizeof(*r));
    r->RuleId = id;
    r->Operations = operations;
    r->Volume = JMF_VOLUME_ANY;
    r->Path = TsString(p, path);
    r->Action.Type = action;
    r->Action.Disposition = JMF_DISPOSITION_UNCHANGED;
    if (action == JMF_ACTION_DENY) {
        r->Action.Status = (JMF_I32)0xC0000022;
    }
    return r;
}

static uint8_t *TsCommand(TS_POLICY *p, JMF_U32 *length)
{
    JMF_STRING_REF volumeRefs[4];
    for (JMF_U32 i = 0; i < p->VolumeCount; i++) {
        volumeRefs[i] = TsString(p, p->Volumes[i]);
    }
    JMF_U32 ruleOffset = sizeof(JMF_POLICY_HEADER);
    JMF_U32 volumeOffset = ruleOffset + p->RuleCount * (JMF_U32)sizeof(JMF_RULE);
    JMF_U32 stringOffset = (volumeOffset + p->VolumeCount * (JMF_U32)sizeof(JMF_VOLUME) + 7u) & ~7u;
    JMF_U32 stringBytes = (p->StringChars * 2 + 7u) & ~7u;
    JMF_U32 total = stringOffset + stringBytes;
    uint8_t *cmd = calloc(1, sizeof(JMF_COMMAND_HEADER) + total);
    JMF_COMMAND_HEADER h = { JMF_COMMAND_SET_POLICY, (JMF_U32)sizeof(JMF_COMMAND_HEADER) + total };
    memcpy(cmd, &h, sizeof(h));
    JMF_POLICY_HEADER ph;
    memset(&ph, 0, sizeof(ph));
    ph.Magic = JMF_POLICY_MAGIC;
    ph.Version = JMF_POLICY_VERSION;
    ph.TotalLength = total;
    ph.RuleCount = p->RuleCount;
    ph.RuleOffset = ruleOffset;
    ph.VolumeCount = p->VolumeCount;
    ph.VolumeOffset = volumeOffset;
    ph.StringOffset = stringOffset;
    ph.StringBytes = stringBytes;
    uint8_t *body = cmd + sizeof(JMF_COMMAND_HEADER);
    memcpy(body, &ph, sizeof(ph));
    memcpy(body + ruleOffset, p->Rules, p->RuleCount * sizeof(JMF_RULE));
    for (JMF_U32 i = 0; i < p->VolumeCount; i++) {
        memcpy(body + volumeOffset + i * sizeof(JMF_VOLUME), &volumeRefs[i], sizeof(JMF_STRING_REF));
    }
    memcpy(body + stringOffset, p->Strings, p->StringChars * 2);
    *length = h.Length;
    return cmd;
}

void TsStart(uint32_t stackSize1, uint32_t stackSize2)
{
    static const uint16_t name[] = { '\\', 'J', 'M', 'i', 'n', 'i', 'F', 'i', 'l', 't', 'e', 'r', 'P', 'o', 'r', 't', 0 };
    g_tsV1 = EmuCreateVolume("\\Device\\HarddiskVolume1", stackSize1, 0);
    g_tsV2 = EmuCreateVolume("\\Device\\HarddiskVolume2", stackSize2, 0);
    CHECK_EQ(EmuLoadDriver(TS_DRIVER_ALTITUDE), STATUS_SUCCESS);
    JMF_CONNECT_CONTEXT c = { JMF_CONNECT_MAGIC, JMF_PROTOCOL_VERSION, 0 };
    g_tsPort = NULL;
    EmuSetCurrentProcess(TS_JAVA_PID);
    CHECK_EQ(EmuFilterConnectCommunicationPort(name, 0, &c, sizeof(c), NULL, &g_tsPort), 0);
    EmuSetCurrentProcess(TEST_PID);
}

void TsStop(void)
{
    CHECK_EQ(EmuUnloadDriver(), STATUS_SUCCESS);
    if (g_tsPort != NULL) {
        EmuFilterClose(g_tsPort);
        g_tsPort = NULL;
    }
}

static void TsSend(const void *in, uint32_t inLength, void *out, uint32_t outLength, uint32_t *returned)
{
    EmuSetCurrentProcess(TS_JAVA_PID);
    int32_t hr = EmuFilterSendMessage(g_tsPort, in, inLength, out, outLength, returned);
    EmuSetCurrentProcess(TEST_PID);
    CHECK_EQ(hr, 0);
}

JMF_RESULT TsSendPolicy(TS_POLICY *p)
{
    JMF_U32 length;
    uint8_t *cmd = TsCommand(p, &length);
    JMF_RESULT r;
    memset(&r, 0xEE, sizeof(r));
    uint32_t n = 0;
    TsSend(cmd, length, &r, sizeof(r), &n);
    CHECK_EQ(n, sizeof(r));
    free(cmd);
    return r;
}

JMF_RESULT TsRedirectPolicy(JMF_U32 ruleId, JMF_U32 flags, JMF_I32 fallbackStatus)
{
    static TS_POLICY p;
    memset(&p, 0, sizeof(p));
    p.Volumes[0] = "\\Device\\HarddiskVolume1";
    p.Volumes[1] = "\\Device\\HarddiskVolume2";
    p.VolumeCount = 2;
    JMF_RULE *r = TsRule(&p, ruleId, JMF_OP_CREATE | JMF_OP_READ | JMF_OP_WRITE, "\\data\\**", JMF_ACTION_REDIRECT);
    r->Volume = 0;
    r->Action.TargetVolume = 1;
    r->Action.Flags = flags;
    r->Action.Status = fallbackStatus;
    return TsSendPolicy(&p);
}

void TsStatistics(JMF_STATISTICS *s)
{
    JMF_COMMAND_HEADER h = { JMF_COMMAND_GET_STATISTICS, sizeof(JMF_COMMAND_HEADER) };
    static uint64_t out[(sizeof(JMF_STATISTICS) + 16 * sizeof(JMF_RULE_STATISTICS)) / 8];
    uint32_t n = 0;
    TsSend(&h, sizeof(h), out, sizeof(out), &n);
    memcpy(s, out, sizeof(*s));
}

JMF_U32 TsEvents(JMF_EVENT *events, JMF_U32 capacity)
{
    static uint64_t out[(sizeof(JMF_EVENT_BATCH) + 16 * sizeof(JMF_EVENT)) / 8];
    JMF_U32 count = 0;
    for (;;) {
        JMF_COMMAND_HEADER h = { JMF_COMMAND_GET_EVENTS, sizeof(JMF_COMMAND_HEADER) };
        uint32_t n = 0;
        TsSend(&h, sizeof(h), out, sizeof(out), &n);
        JMF_EVENT_BATCH batch;
        memcpy(&batch, out, sizeof(batch));
        for (JMF_U32 i = 0; i < batch.Count && count < capacity; i++) {
            memcpy(&events[count++], (uint8_t *)out + sizeof(batch) + i * sizeof(JMF_EVENT), sizeof(JMF_EVENT));
        }
        if (batch.Pending == 0 || batch.Count == 0 || count == capacity) {
            return count;
        }
    }
}
