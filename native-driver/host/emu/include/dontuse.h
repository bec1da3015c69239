/*
 * dontuse.h - the WDK header that marks the routines a driver should not call
 * (the unsafe string routines: strcpy, wcscat, sprintf, ...) as deprecated so
 * that the compiler warns where they are used. The emulator compiles drivers
 * with gcc, which has no such list here; the header exists so that sources
 * written for the WDK (Microsoft's minifilter samples) compile unchanged.
 */
#ifndef EMU_DONTUSE_H
#define EMU_DONTUSE_H
#endif /* EMU_DONTUSE_H */
