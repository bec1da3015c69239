/*
 * winioctl.h - the Win32 header of device I/O control codes. The user-mode
 * parts of Microsoft's minifilter samples include it; those the emulator runs
 * use none of its names, so it declares none (add them as a sample needs them).
 */
#ifndef EMU_USER_WINIOCTL_H
#define EMU_USER_WINIOCTL_H
#include <windows.h>
#endif
