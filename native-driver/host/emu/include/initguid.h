/*
 * initguid.h - included before the headers that use DEFINE_GUID, makes them
 * define the GUIDs they name instead of only declaring them (the SDK's
 * initguid.h). See emu_guiddef.h.
 */
#ifndef INITGUID
#define INITGUID
#endif
#include "emu_sal.h"
#include "emu_guiddef.h"
