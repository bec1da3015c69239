/*
 * emu_tracelogging.c - TraceLogging providers and the events written to them
 * (include/TraceLoggingProvider.h describes the rules followed). Events are
 * recorded as text, "<EventName> <Field>=<value> ...", with their level.
 */
#include "emu_internal.h"
#include <TraceLoggingProvider.h>
#include <string.h>

#define EMU_TLG_MAX_PROVIDERS 8
#define EMU_TLG_MAX_EVENTS    1024
#define EMU_TLG_TEXT          256

typedef struct EMU_TLG_EVENT {
    uint8_t Level;
    char Text[EMU_TLG_TEXT];
} EMU_TLG_EVENT;

static TraceLoggingHProvider g_providers[EMU_TLG_MAX_PROVIDERS];
static EMU_TLG_EVENT g_events[EMU_TLG_MAX_EVENTS];
static int32_t g_eventCount;

NTSTATUS EmuTraceLoggingRegister(TraceLoggingHProvider Provider)
{
    if (!EmuRequireIrql("TraceLoggingRegister", PASSIVE_LEVEL)) {
        return STATUS_INVALID_DEVICE_STATE;
    }
    EmuLock();
    if (Provider->Registered) {
        EmuUnlock();
        EmuViolation("TraceLoggingRegister: provider \"%s\" is already registered (registration is not reference counted)",
                     Provider->Name);
        return STATUS_INVALID_PARAMETER;
    }
    for (int i = 0; i < EMU_TLG_MAX_PROVIDERS; i++) {
        if (g_providers[i] == NULL) {
            g_providers[i] = Provider;
            Provider->Registered = 1;
            EmuUnlock();
            return STATUS_SUCCESS;
        }
    }
    EmuUnlock();
    return STATUS_INSUFFICIENT_RESOURCES;
}

VOID EmuTraceLoggingUnregister(TraceLoggingHProvider Provider)
{
    if (!EmuRequireIrql("TraceLoggingUnregister", PASSIVE_LEVEL)) {
        return;
    }
    EmuLock();
    for (int i = 0; i < EMU_TLG_MAX_PROVIDERS; i++) {
        if (g_providers[i] == Provider) {
            g_providers[i] = NULL;
        }
    }
    Provider->Registered = 0;       /* unregistering an unregistered provider is a no-op */
    EmuUnlock();
}

static size_t Append(char *out, size_t used, const char *text)
{
    size_t n = strlen(text);
    if (used + n >= EMU_TLG_TEXT) {
        n = EMU_TLG_TEXT - 1 - used;
    }
    memcpy(out + used, text, n);
    out[used + n] = 0;
    return used + n;
}

VOID EmuTraceLoggingWrite(TraceLoggingHProvider Provider, const char *EventName, const EMU_TLG_FIELD *Fields)
{
    EMU_TLG_EVENT e;
    char value[EMU_TLG_TEXT];
    size_t used;

    if (Provider == NULL || !Provider->Registered) {
        return;                     /* documented: a no-op before registration and after unregistration */
    }
    memset(&e, 0, sizeof(e));
    used = Append(e.Text, 0, EventName);
    for (const EMU_TLG_FIELD *f = Fields; f->Kind != EmuTlgEnd; f++) {
        switch (f->Kind) {
        case EmuTlgBegin:
        case EmuTlgKeyword:
        case EmuTlgOpcode:
            continue;
        case EmuTlgLevel:
            e.Level = (uint8_t)f->Value;
            continue;
        case EmuTlgInt32:
            snprintf(value, sizeof(value), "%lld", (long long)f->Value);
            break;
        case EmuTlgUInt32:
        case EmuTlgUInt64:
            snprintf(value, sizeof(value), "%llu", (unsigned long long)f->Value);
            break;
        case EmuTlgHexUInt32:
        case EmuTlgNTStatus:
        case EmuTlgPointer:
            snprintf(value, sizeof(value), "0x%llx", (unsigned long long)f->Value);
            break;
        case EmuTlgBoolean:
            snprintf(value, sizeof(value), "%s", f->Value ? "true" : "false");
            break;
        case EmuTlgString:
            snprintf(value, sizeof(value), "%s", f->Pointer != NULL ? (const char *)f->Pointer : "");
            break;
        case EmuTlgWideString:
            EmuWideToUtf8((const WCHAR *)f->Pointer, f->Pointer != NULL ? EmuWcsLen((const WCHAR *)f->Pointer) : 0,
                          value, sizeof(value));
            break;
        case EmuTlgCountedWideString:
            EmuWideToUtf8((const WCHAR *)f->Pointer, f->Count, value, sizeof(value));
            break;
        default:
            continue;
        }
        used = Append(e.Text, used, " ");
        used = Append(e.Text, used, f->Name);
        used = Append(e.Text, used, "=");
        used = Append(e.Text, used, value);
    }
    EmuLock();
    if (g_eventCount < EMU_TLG_MAX_EVENTS) {
        g_events[g_eventCount++] = e;
    }
    EmuUnlock();
}

/* A provider still registered when the driver is gone: part of the leak check. */
void EmuTraceLoggingCheckLeaks(void)
{
    EmuLock();
    for (int i = 0; i < EMU_TLG_MAX_PROVIDERS; i++) {
        TraceLoggingHProvider p = g_providers[i];
        if (p != NULL) {
            g_providers[i] = NULL;
            p->Registered = 0;
            EmuUnlock();
            EmuViolation("TraceLoggingRegister: provider \"%s\" still registered after the driver unloaded "
                         "(TraceLoggingUnregister missing): ETW would call into the unloaded image", p->Name);
            EmuLock();
        }
    }
    EmuUnlock();
}

void EmuTraceLoggingReset(void)
{
    EmuLock();
    for (int i = 0; i < EMU_TLG_MAX_PROVIDERS; i++) {
        if (g_providers[i] != NULL) {
            g_providers[i]->Registered = 0;
            g_providers[i] = NULL;
        }
    }
    g_eventCount = 0;
    EmuUnlock();
}

int32_t EmuTraceLoggingEventCount(void)
{
    EmuLock();
    int32_t n = g_eventCount;
    EmuUnlock();
    return n;
}

int32_t EmuTraceLoggingEventLevel(int32_t index)
{
    int32_t level = -1;
    EmuLock();
    if (index >= 0 && index < g_eventCount) {
        level = g_events[index].Level;
    }
    EmuUnlock();
    return level;
}

int32_t EmuTraceLoggingEventText(int32_t index, char *buffer, uint32_t capacity)
{
    int32_t length = -1;
    EmuLock();
    if (index >= 0 && index < g_eventCount && buffer != NULL && capacity > 0) {
        snprintf(buffer, capacity, "%s", g_events[index].Text);
        length = (int32_t)strlen(buffer);
    }
    EmuUnlock();
    return length;
}

void EmuTraceLoggingClear(void)
{
    EmuLock();
    g_eventCount = 0;
    EmuUnlock();
}
