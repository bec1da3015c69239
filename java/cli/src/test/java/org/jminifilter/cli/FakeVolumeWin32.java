package org.jminifilter.cli;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Win32 answers {@link WindowsVolumes} gets, of a machine where C: is HarddiskVolume3,
 * C:\mnt\data a mount folder of HarddiskVolume5, R: HarddiskVolume7, D: a CD-ROM, S: a SUBST
 * and Z: a network share.
 */
public final class FakeVolumeWin32 implements WindowsVolumes.Win32 {
    public static final String GUID_C = "\\\\?\\Volume{11111111-0000-0000-0000-000000000000}\\";
    public static final String GUID_M = "\\\\?\\Volume{22222222-0000-0000-0000-000000000000}\\";

    private final Map<String, String> dos = Map.of(
            "C:", "\\Device\\HarddiskVolume3",
            "R:", "\\Device\\HarddiskVolume7",
            "D:", "\\Device\\CdRom0",
            "S:", "\\??\\C:\\work",
            "Z:", "\\Device\\LanmanRedirector\\;Z:0000\\server\\share",
            "Volume{11111111-0000-0000-0000-000000000000}", "\\Device\\HarddiskVolume3",
            "Volume{22222222-0000-0000-0000-000000000000}", "\\Device\\HarddiskVolume5");

    /** The volumes of that machine. */
    public static WindowsVolumes volumes() {
        return new WindowsVolumes(new FakeVolumeWin32());
    }

    @Override
    public Optional<String> queryDosDevice(String dosName) {
        return Optional.ofNullable(dos.get(dosName));
    }

    @Override
    public Optional<String> volumeGuidPath(String mountPoint) {
        return mountPoint.equalsIgnoreCase("C:\\mnt\\data\\") ? Optional.of(GUID_M) : Optional.empty();
    }

    @Override
    public List<String> volumeGuidPaths() {
        return List.of(GUID_C, GUID_M);
    }
}
