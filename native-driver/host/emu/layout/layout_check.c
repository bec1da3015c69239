/*
 * layout_check.c - the emulator's structure layouts against the WDK's (x64).
 *
 * Compiled with the emulator's headers (no WDK needed): every line of the
 * generated table wdk_x64_layout.h becomes a static assertion, so a build of
 * the emulator fails as soon as a structure that crosses the boundary between
 * driver code and the emulator (FLT_PARAMETERS, FLT_CALLBACK_DATA, FILE_OBJECT,
 * KEVENT, ...) is laid out otherwise than the WDK lays it out: the real .sys
 * would read its fields at other offsets. The table is regenerated from the
 * WDK headers by gen_wdk_layout.py.
 */
#include <fltKernel.h>

#if defined(__x86_64__)
#define JMF_WDK_RECORD(kind, tag, size, align)                                         \
    _Static_assert(sizeof(kind tag) == (size), "sizeof(" #kind " " #tag ") differs from the WDK's " #size); \
    _Static_assert(_Alignof(kind tag) == (align), "alignment of " #kind " " #tag " differs from the WDK's " #align);
#define JMF_WDK_FIELD(kind, tag, path, offset)                                         \
    _Static_assert(__builtin_offsetof(kind tag, path) == (offset),                     \
                   "offset of " #kind " " #tag "." #path " differs from the WDK's " #offset);
#define JMF_WDK_TYPE(name, size, align)                                                \
    _Static_assert(sizeof(name) == (size), "sizeof(" #name ") differs from the WDK's " #size); \
    _Static_assert(_Alignof(name) == (align), "alignment of " #name " differs from the WDK's " #align);
#define JMF_WDK_CONST(name, value)                                                     \
    _Static_assert((long long)(name) == (value##LL), "value of " #name " differs from the WDK's " #value);
#include "wdk_x64_layout.h"
#endif

/* One symbol, so that the object is not empty. */
int EmuLayoutChecked(void);
int EmuLayoutChecked(void)
{
    return 1;
}
