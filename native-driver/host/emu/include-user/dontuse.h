/*
 * dontuse.h - marks the unsafe string routines (strcpy, sprintf, ...) as
 * deprecated so that the compiler warns where they are used (the SDK's and the
 * WDK's header of the same name). gcc has no such list here; the header
 * exists so that the samples' user-mode sources compile unchanged.
 */
#ifndef EMU_USER_DONTUSE_H
#define EMU_USER_DONTUSE_H
#endif
