/*
 * fuzz_port.c - a libFuzzer target: arbitrary bytes to the REAL driver's
 * message callback (every command type, SET_POLICY included) and to its
 * connect callback, through the emulated communication port, under ASan and
 * UBSan. A violation the emulator records (misuse a real system would stop
 * on) is a crash too.
 *
 * Input: byte 0 selects what is fuzzed:
 *   bit 0 set   the rest is a connection context (FilterConnectCommunicationPort)
 *   bit 0 clear the rest is a command (FilterSendMessage); bits 1..7 choose the
 *               output buffer size (0 .. 127 x 64 bytes)
 *
 * Run: make fuzz (FUZZ_SECONDS=60 by default), corpus in fuzz/corpus.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "jmf_emu.h"
#include "jmf_protocol.h"

static void *g_port;
static const uint16_t g_name[] = { '\\', 'J', 'M', 'i', 'n', 'i', 'F', 'i', 'l', 't', 'e', 'r', 'P', 'o', 'r', 't', 0 };

static void Connect(void)
{
    JMF_CONNECT_CONTEXT c = { JMF_CONNECT_MAGIC, JMF_PROTOCOL_VERSION, 0 };
    if (EmuFilterConnectCommunicationPort(g_name, 0, &c, sizeof(c), NULL, &g_port) != 0) {
        fprintf(stderr, "fuzz: cannot connect to the driver\n");
        abort();
    }
}

static void Initialize(void)
{
    EmuReset();
    EmuCreateVolume("\\Device\\HarddiskVolume1", 4, 0);
    EmuSetProcess(200, "\\Device\\HarddiskVolume1\\java.exe", 1);
    EmuSetCurrentProcess(200);
    if (EmuLoadDriver("385100") != 0) {
        fprintf(stderr, "fuzz: DriverEntry failed\n");
        abort();
    }
    Connect();
}

static void CheckViolations(void)
{
    int n = EmuViolationCount();
    for (int i = 0; i < n; i++) {
        char text[1024];
        EmuViolationText(i, text, sizeof(text));
        fprintf(stderr, "fuzz: violation: %s\n", text);
    }
    if (n > 0) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int initialized;
    if (!initialized) {
        Initialize();
        initialized = 1;
    }
    if (size == 0) {
        return 0;
    }
    uint8_t mode = data[0];
    data++;
    size--;
    if (mode & 1) {
        void *other = NULL;
        EmuFilterClose(g_port);
        g_port = NULL;
        if (EmuFilterConnectCommunicationPort(g_name, 0, size ? data : NULL, (uint16_t)(size > 65535 ? 65535 : size), NULL, &other) == 0) {
            EmuFilterClose(other);
        }
        Connect();
    } else {
        /* The filter manager passes user buffers as they are: copy into an 8-byte aligned one (as the Java side does). */
        uint64_t *in = malloc(size + 8);
        memcpy(in, data, size);
        uint32_t outSize = (uint32_t)(mode >> 1) * 64u;
        uint64_t *out = malloc(outSize + 8);
        uint32_t returned = 0;
        (void)EmuFilterSendMessage(g_port, size ? in : NULL, (uint32_t)size, outSize ? out : NULL, outSize, &returned);
        if (returned > outSize) {
            abort();
        }
        free(in);
        free(out);
    }
    CheckViolations();
    return 0;
}
