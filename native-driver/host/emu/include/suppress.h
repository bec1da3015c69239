/*
 * suppress.h - the WDK header that defines the macros code analysis
 * (PREfast) uses to suppress its warnings. gcc runs no code analysis, so
 * there is nothing to suppress; the header exists so that sources written for
 * the WDK compile unchanged. #pragma warning/prefast lines they contain are
 * unknown pragmas to gcc and ignored.
 */
#ifndef EMU_SUPPRESS_H
#define EMU_SUPPRESS_H
#endif /* EMU_SUPPRESS_H */
