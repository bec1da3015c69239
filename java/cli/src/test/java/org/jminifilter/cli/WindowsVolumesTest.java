package org.jminifilter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/** The resolution rules of {@link WindowsVolumes}, with the Win32 answers of a machine given by a fake. */
class WindowsVolumesTest {
    private static final String GUID_C = FakeVolumeWin32.GUID_C;

    /** C: is HarddiskVolume3; C:\mnt\data is a mount point of HarddiskVolume5; S: is a SUBST; Z: a share. */
    private final WindowsVolumes volumes = FakeVolumeWin32.volumes();

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
    void aLookupSaysWhereANameLeadsEvenWhenItIsNoVolume() {
        assertEquals(new WindowsVolumes.Lookup("C:", Optional.of("\\Device\\HarddiskVolume3")),
                volumes.lookup(" c:\\ "));
        assertEquals(new WindowsVolumes.Lookup("C:\\mnt\\data", Optional.of("\\Device\\HarddiskVolume5")),
                volumes.lookup("C:\\mnt\\data\\"));
        WindowsVolumes.Lookup subst = volumes.lookup("S:");
        assertEquals(Optional.of("\\??\\C:\\work"), subst.target());
        assertEquals(Optional.empty(), subst.volumeDevice());
        assertTrue(volumes.lookup(GUID_C).isGuidPath());
        assertFalse(volumes.lookup("C:").isGuidPath());
    }

    @Test
    void presenceComesFromTheMachinesVolumes() {
        assertTrue(volumes.isPresent("\\device\\harddiskvolume5"));
        assertFalse(volumes.isPresent("\\Device\\HarddiskVolume9"));
    }
}
