/*
 * so_smoke.c - loads build/libjmfemu.so the way the Java side will (dlopen +
 * symbols by name, no emulator headers beyond jmf_emu.h's plain C API) and
 * drives the real driver through it: load, connect, push a DENY policy,
 * see a create denied, unload with nothing leaked.
 * Built without -fshort-wchar and without sanitizers, like a JVM process.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>
#include "jmf_emu.h"
#include "jmf_protocol.h"

static int passed, failed;
#define CHECK(c) do { if (c) passed++; else { failed++; printf("    FAILED %s:%d: %s\n", __FILE__, __LINE__, #c); } } while (0)
#define SYM(name) __typeof__(&name) p##name = (__typeof__(&name))dlsym(lib, #name); if (p##name == NULL) { printf("missing %s\n", #name); return 1; }

int main(int argc, char **argv)
{
    void *lib = dlopen(argc > 1 ? argv[1] : "build/libjmfemu.so", RTLD_NOW | RTLD_LOCAL);
    if (lib == NULL) {
        printf("so-smoke: cannot load: %s\nso-smoke: 0 passed, 1 failed\n", dlerror());
        return 1;
    }
    SYM(EmuReset) SYM(EmuCreateVolume) SYM(EmuSetProcess) SYM(EmuSetCurrentProcess) SYM(EmuLoadDriver) SYM(EmuUnloadDriver)
    SYM(EmuFilterConnectCommunicationPort) SYM(EmuFilterSendMessage) SYM(EmuFilterClose) SYM(EmuFileOpen) SYM(EmuFileClose)
    SYM(EmuFsExists) SYM(EmuFsPut) SYM(EmuViolationCount) SYM(EmuViolationText) SYM(EmuPoolBlocks)
    SYM(EmuObserverStart) SYM(EmuObserverLast) SYM(EmuObserverStop)

    CHECK(pEmuReset() == 0);
    int v = pEmuCreateVolume("\\Device\\HarddiskVolume1", 4, 0);
    CHECK(v == 1);
    pEmuSetProcess(100, "\\Device\\HarddiskVolume1\\Windows\\notepad.exe", 0);
    pEmuSetProcess(200, "\\Device\\HarddiskVolume1\\java.exe", 1);
    CHECK(pEmuLoadDriver("385100") == 0);

    pEmuSetCurrentProcess(200);
    static const uint16_t name[] = { '\\', 'J', 'M', 'i', 'n', 'i', 'F', 'i', 'l', 't', 'e', 'r', 'P', 'o', 'r', 't', 0 };
    JMF_CONNECT_CONTEXT ctx = { JMF_CONNECT_MAGIC, JMF_PROTOCOL_VERSION, 0 };
    void *port = NULL;
    CHECK(pEmuFilterConnectCommunicationPort(name, 0, &ctx, sizeof(ctx), NULL, &port) == 0);

    /* SET_POLICY: one rule, DENY creates of "\secret\**" */
    static const char pattern[] = "\\secret\\**";
    uint64_t cmd[64];
    memset(cmd, 0, sizeof(cmd));
    uint8_t *b = (uint8_t *)cmd;
    JMF_U32 strings = (JMF_U32)(((sizeof(pattern) - 1) * 2 + 7) & ~7u);
    JMF_POLICY_HEADER ph = { JMF_POLICY_MAGIC, JMF_POLICY_VERSION, 0, 0, 1, sizeof(JMF_POLICY_HEADER), 0,
                             sizeof(JMF_POLICY_HEADER) + sizeof(JMF_RULE), sizeof(JMF_POLICY_HEADER) + sizeof(JMF_RULE), strings, 0 };
    ph.TotalLength = ph.StringOffset + strings;
    JMF_COMMAND_HEADER ch = { JMF_COMMAND_SET_POLICY, (JMF_U32)sizeof(ch) + ph.TotalLength };
    JMF_RULE rule;
    memset(&rule, 0, sizeof(rule));
    rule.RuleId = 1;
    rule.Operations = JMF_OP_CREATE;
    rule.Volume = JMF_VOLUME_ANY;
    rule.Path.Offset = 0;
    rule.Path.Length = (JMF_U32)(sizeof(pattern) - 1) * 2;
    rule.Action.Type = JMF_ACTION_DENY;
    rule.Action.Status = (JMF_I32)0xC0000022;
    rule.Action.Disposition = JMF_DISPOSITION_UNCHANGED;
    memcpy(b, &ch, sizeof(ch));
    memcpy(b + sizeof(ch), &ph, sizeof(ph));
    memcpy(b + sizeof(ch) + sizeof(ph), &rule, sizeof(rule));
    for (size_t i = 0; i + 1 < sizeof(pattern); i++) {
        uint16_t c = (uint16_t)pattern[i];
        memcpy(b + sizeof(ch) + ph.StringOffset + i * 2, &c, 2);
    }
    JMF_RESULT result;
    uint32_t n = 0;
    CHECK(pEmuFilterSendMessage(port, cmd, ch.Length, &result, sizeof(result), &n) == 0);
    CHECK(n == sizeof(result) && result.Error == JMF_ERROR_NONE);

    pEmuSetCurrentProcess(100);
    pEmuFsPut(v, "\\secret", NULL, 0, 1);
    uint64_t h = 0, info = 0;
    CHECK(pEmuFileOpen(v, "\\secret\\x.txt", 0x40000000u, 0, 2, 0, 0, &h, &info) == (int32_t)0xC0000022);
    CHECK(pEmuFsExists(v, "\\secret\\x.txt") == 0);
    CHECK(pEmuObserverStart("100000") == 0);
    CHECK(pEmuFileOpen(v, "\\open.txt", 0x40000000u, 0, 2, 0, 0, &h, &info) == 0 && info == 2);
    pEmuFileClose(h);
    EMU_OBSERVED seen;
    CHECK(pEmuObserverLast(0 /* IRP_MJ_CREATE */, &seen) == 0 && seen.Disposition == 2 && seen.RequestorPid == 100 && (seen.DesiredAccess & 2));
    CHECK(pEmuObserverStop() == 0);

    CHECK(pEmuUnloadDriver() == 0);
    pEmuFilterClose(port);
    CHECK(pEmuPoolBlocks() == 0);
    int violations = pEmuViolationCount();
    for (int i = 0; i < violations; i++) {
        char text[512];
        pEmuViolationText(i, text, sizeof(text));
        printf("    violation: %s\n", text);
    }
    CHECK(violations == 0);
    pEmuReset();
    printf("so-smoke: %d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
