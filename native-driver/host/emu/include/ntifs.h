/* ntifs.h - the emulator puts the whole kernel interface in fltKernel.h. */
#include "fltKernel.h"
