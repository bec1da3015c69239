/*
 * crtdbg.h - the Microsoft C runtime's debug heap and report routines. The
 * user-mode parts of Microsoft's minifilter samples include it; those the
 * emulator runs use none of its names, so it declares none.
 */
#ifndef EMU_USER_CRTDBG_H
#define EMU_USER_CRTDBG_H
#endif
