/*
 * emu_dosname.c - IoVolumeDeviceToDosName: the MS-DOS name of a volume.
 *
 * The emulator's disk volumes get drive letters in creation order (C:, D:,
 * ... Z:, EmuCreateVolume); a network volume has none, as on Windows, where
 * the mount manager knows no letter for \Device\Mup. As documented: PASSIVE_LEVEL
 * only; on success DosName's Length, MaximumLength and Buffer are set, Buffer
 * is a null-terminated wide string the routine allocated and the caller frees
 * with ExFreePool (tracked as pool: not freeing it is a leak at unload). The
 * documentation does not say which pool the buffer comes from, so it is
 * pageable here: a driver must not rely on touching it at DISPATCH_LEVEL.
 */
#include "emu_internal.h"

#define EMU_DOSNAME_TAG 'nDoI'      /* the emulator's own tag for the buffer ("IoDn" in messages) */

NTSTATUS IoVolumeDeviceToDosName(PVOID VolumeDeviceObject, PUNICODE_STRING DosName)
{
    if (!EmuRequireIrql("IoVolumeDeviceToDosName", PASSIVE_LEVEL)) {
        return STATUS_INVALID_PARAMETER;
    }
    PFLT_VOLUME volume = EmuVolumeByDevice(VolumeDeviceObject);
    if (volume == NULL || DosName == NULL) {
        EmuViolation("IoVolumeDeviceToDosName(%p, %p): VolumeDeviceObject must be a volume's device object and DosName a caller-allocated UNICODE_STRING",
                     VolumeDeviceObject, (void *)DosName);
        return STATUS_INVALID_PARAMETER;
    }
    if (volume->DosLetter == 0) {
        return STATUS_INVALID_PARAMETER;    /* no drive letter (a network volume) */
    }
    PWCH buffer = EmuPoolAlloc(3 * sizeof(WCHAR), EMU_DOSNAME_TAG, 1, 0, "IoVolumeDeviceToDosName");
    if (buffer == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    buffer[0] = volume->DosLetter;
    buffer[1] = L':';
    buffer[2] = 0;
    DosName->Buffer = buffer;
    DosName->Length = 2 * sizeof(WCHAR);
    DosName->MaximumLength = 3 * sizeof(WCHAR);
    return STATUS_SUCCESS;
}
