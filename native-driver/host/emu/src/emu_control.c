/*
 * emu_control.c - resetting the emulated kernel between tests or Java runs.
 */
#include "emu_internal.h"

void EmuFilesReset(void);
void EmuContextsReset(void);
void EmuPoolReset(void);
void EmuObserverReset(void);

int32_t EmuReset(void)
{
    EmuFltIoReset();        /* a filter's asynchronous FltReadFile/FltWriteFile: completed before anything goes */
    EmuWaitWorkersIdle();
    EmuSetIrql(PASSIVE_LEVEL);
    EmuSetThreadProcess(EmuSystemProcess());
    EmuSectionsReset();     /* before the files its sections reference are reset */
    EmuFltReset();
    EmuObserverReset();
    EmuPortsReset();
    EmuFilesReset();
    EmuAsyncReset();
    EmuDevicesReset();
    EmuContextsReset();
    EmuTransactionsReset();
    EmuPoolReset();
    EmuMdlReset();
    EmuTraceLoggingReset();
    EmuRegistryReset();
    EmuViolationsClear();
    EmuDbgPrintClear();
    return 0;
}
