package org.jminifilter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/** The resolution rules of {@link WindowsVolumes}, with the Win32 answers of a machine given by a fake. */
class WindowsVolumesTest {
    private static final String GUID_C = "\\\\?\\Volume{11111111-0000-0000-0000-000000000000}\\";
    private static final String GUID_M = "\\\\?\\Volume{22222222-0000-0000-0000-000000000000}\\";

    /** C: is HarddiskVolume3; C:\mnt\data is a mount point of HarddiskVolume5; S: is a SUBST; Z: a share. */
    private final WindowsVolumes volumes = new WindowsVolumes(new WindowsVolumes.Win32() {
        private final Map<String, String> dos = Map.of(
                "C:", "\\Device\\HarddiskVolume3",
                "S:", "\\??\\C:\\work",
                "Z:", "\\Device\\LanmanRedirector\\;Z:0000\\server\\share",
                "Volume{11111111-0000-0000-0000-000000000000}", "\\Device\\HarddiskVolume3",
                "Volume{22222222-0000-0000-0000-000000000000}", "\\Device\\HarddiskVolume5");

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
    });

    @Test
    void driveLettersInEverySpelling() {
        for (String c : List.of("C:", "c:", "C:\\", "c")) {
            assertEquals(Optional.of("\\Device\\HarddiskVolume3"), volumes.ntDeviceName(c), c);
        }
    }

    @Test
    void mountFoldersAndGuidPaths() {
        assertEquals(Optional.of("\\Device\\HarddiskVolume5"), volumes.ntDeviceName("C:\\mnt\\data"));
        assertEquals(Optional.of("\\Device\\HarddiskVolume5"), volumes.ntDeviceName("C:\\mnt\\data\\"));
        assertEquals(Optional.of("\\Device\\HarddiskVolume3"), volumes.ntDeviceName(GUID_C));
        assertEquals(Optional.empty(), volumes.ntDeviceName("C:\\not\\a\\mount"));
    }

    @Test
    void substAndNetworkDrivesAreNotVolumes() {
        assertEquals(Optional.empty(), volumes.ntDeviceName("S:"));
        assertEquals(Optional.empty(), volumes.ntDeviceName("Z:"));
        assertEquals(Optional.empty(), volumes.ntDeviceName("Q:"));
    }

    @Test
    void presenceComesFromTheMachinesVolumes() {
        assertTrue(volumes.isPresent("\\device\\harddiskvolume5"));
        assertFalse(volumes.isPresent("\\Device\\HarddiskVolume9"));
    }
}
