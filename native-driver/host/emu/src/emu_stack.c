/*
 * emu_stack.c - IoGetStackLimits: the bounds of the calling thread's stack,
 * which a driver uses to tell a buffer on its own stack from any other (the
 * avscan sample asserts that what it passes on is not on the stack). Callable
 * at any IRQL (Windows Server 2003 SP1 and later).
 */
#define _GNU_SOURCE
#include "emu_internal.h"
#include <pthread.h>

VOID IoGetStackLimits(PULONG_PTR LowLimit, PULONG_PTR HighLimit)
{
    if (LowLimit == NULL || HighLimit == NULL) {
        EmuViolation("IoGetStackLimits(%p, %p): both limits are written", (void *)LowLimit, (void *)HighLimit);
        return;
    }
    pthread_attr_t attr;
    void *base = NULL;
    size_t size = 0;
    if (pthread_getattr_np(pthread_self(), &attr) == 0) {
        pthread_attr_getstack(&attr, &base, &size);
        pthread_attr_destroy(&attr);
    }
    *LowLimit = (ULONG_PTR)base;
    *HighLimit = (ULONG_PTR)base + size;
}
