/*
 * checks/MetadataManager.c - what Microsoft's MetadataManager sample is for:
 * a filter that keeps its own metadata file open on a volume
 * ("\System Volume Information\FilterMetadata.md", shared for reading only)
 * without standing in the way of a volume lock.
 *
 * While loaded: the automatic attachment found no metadata file and did not
 * attach (it creates the file only on a manual attachment); attached by hand
 * to the first volume it creates the System Volume Information folder
 * (FltCreateSystemVolumeInformationFolder) and the file, and holds it open
 * (a write open by anyone else is a sharing violation). A volume open's
 * FSCTL_LOCK_VOLUME then succeeds although the file was open: the sample
 * closes it in its pre-FSCTL callback (the volume would otherwise be in use)
 * and opens it again after FSCTL_UNLOCK_VOLUME. With another handle open the
 * lock fails, and the sample opens its file again at once.
 */
#include <string.h>

#include "jmf_emu.h"
#include "harness.h"

#define STATUS_SUCCESS           0
#define STATUS_ACCESS_DENIED     ((int32_t)0xC0000022)
#define STATUS_SHARING_VIOLATION ((int32_t)0xC0000043)
#define GENERIC_READ             0x80000000u
#define GENERIC_WRITE            0x40000000u
#define SYNCHRONIZE              0x00100000u
#define FILE_READ_DATA           0x00000001u
#define FILE_SHARE_READ          0x00000001u
#define FILE_SHARE_WRITE         0x00000002u
#define FILE_SHARE_ALL           0x00000007u
#define FILE_OPEN                1u
#define FILE_SYNCHRONOUS_IO_NONALERT 0x00000020u
#define FSCTL_LOCK_VOLUME        0x00090018u
#define FSCTL_UNLOCK_VOLUME      0x0009001Cu
#define FMM_ALTITUDE             "370020"       /* the harness loads the sample there */
#define SVI                      "\\System Volume Information"
#define METADATA                 SVI "\\FilterMetadata.md"

/* The status of an open of path with access (share: everything), closed at once. */
static int32_t TryOpen(int32_t volume, const char *path, uint32_t access)
{
    uint64_t h = 0, info = 0;
    int32_t s = EmuFileOpen(volume, path, access | SYNCHRONIZE, FILE_SHARE_ALL, FILE_OPEN, FILE_SYNCHRONOUS_IO_NONALERT, 0, &h, &info);
    if (s == STATUS_SUCCESS) {
        CHECK(EmuFileClose(h) == STATUS_SUCCESS, "close %s", path);
    }
    return s;
}

static int32_t VolumeFsctl(uint64_t volumeHandle, uint32_t code)
{
    uint32_t returned = 0;
    return EmuFileFsControl(volumeHandle, code, NULL, 0, 0, &returned);
}

void HarnessWhileLoaded(const int32_t volumes[HARNESS_VOLUMES])
{
    int32_t v1 = volumes[0];
    int32_t s;

    CHECK(EmuFsExists(v1, SVI) == 0, "the automatic attachment created %s (it only opens an existing metadata file)", SVI);

    s = EmuAttachDriver(v1, FMM_ALTITUDE);
    CHECK(s == STATUS_SUCCESS, "manual attach to the first volume: 0x%08X", (unsigned)s);
    CHECK(EmuFsExists(v1, SVI) == 2, "%s is not a folder after the manual attach", SVI);
    CHECK(EmuFsExists(v1, METADATA) == 1, "%s was not created", METADATA);

    /* Held open, shared for reading only. */
    s = TryOpen(v1, METADATA, GENERIC_WRITE);
    CHECK(s == STATUS_SHARING_VIOLATION, "a write open of the metadata file: 0x%08X, expected a sharing violation", (unsigned)s);
    s = TryOpen(v1, METADATA, GENERIC_READ);
    CHECK(s == STATUS_SUCCESS, "a read open of the metadata file: 0x%08X", (unsigned)s);

    /* A volume lock while the metadata file is open: the sample lets go of it. */
    uint64_t volume = 0, info = 0;
    s = EmuFileOpen(v1, "", FILE_READ_DATA | SYNCHRONIZE, FILE_SHARE_READ | FILE_SHARE_WRITE, FILE_OPEN,
                    FILE_SYNCHRONOUS_IO_NONALERT, 0, &volume, &info);
    CHECK(s == STATUS_SUCCESS, "volume open: 0x%08X", (unsigned)s);
    if (s == STATUS_SUCCESS) {
        s = VolumeFsctl(volume, FSCTL_LOCK_VOLUME);
        CHECK(s == STATUS_SUCCESS, "FSCTL_LOCK_VOLUME with the sample's metadata file open: 0x%08X", (unsigned)s);
        s = TryOpen(v1, "\\dir0\\file.txt", GENERIC_READ);
        CHECK(s == STATUS_ACCESS_DENIED, "an open on the locked volume: 0x%08X", (unsigned)s);
        s = VolumeFsctl(volume, FSCTL_UNLOCK_VOLUME);
        CHECK(s == STATUS_SUCCESS, "FSCTL_UNLOCK_VOLUME: 0x%08X", (unsigned)s);
        s = TryOpen(v1, METADATA, GENERIC_WRITE);
        CHECK(s == STATUS_SHARING_VIOLATION, "after the unlock the metadata file is not held again (write open: 0x%08X)", (unsigned)s);

        /* Another handle keeps the volume in use: the lock fails, the sample holds its file again. */
        uint64_t other = 0;
        s = EmuFileOpen(v1, "\\dir0\\file.txt", GENERIC_READ | SYNCHRONIZE, FILE_SHARE_ALL, FILE_OPEN,
                        FILE_SYNCHRONOUS_IO_NONALERT, 0, &other, &info);
        CHECK(s == STATUS_SUCCESS, "open \\dir0\\file.txt: 0x%08X", (unsigned)s);
        s = VolumeFsctl(volume, FSCTL_LOCK_VOLUME);
        CHECK(s == STATUS_ACCESS_DENIED, "FSCTL_LOCK_VOLUME with another file open: 0x%08X", (unsigned)s);
        s = TryOpen(v1, METADATA, GENERIC_WRITE);
        CHECK(s == STATUS_SHARING_VIOLATION, "after the failed lock the metadata file is not held again (write open: 0x%08X)", (unsigned)s);
        if (other != 0) {
            CHECK(EmuFileClose(other) == STATUS_SUCCESS, "close \\dir0\\file.txt");
        }
        CHECK(EmuFileClose(volume) == STATUS_SUCCESS, "close the volume");
    }
}
