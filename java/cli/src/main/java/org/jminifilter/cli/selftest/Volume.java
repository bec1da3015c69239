package org.jminifilter.cli.selftest;

/**
 * A volume of the machine under test.
 *
 * @param label  how a person names it: a drive letter ({@code C:}) on Windows, the NT name on the emulator
 * @param ntName the NT device name the driver reports and policies name ({@code \Device\HarddiskVolume3})
 */
public record Volume(String label, String ntName) {
    @Override
    public String toString() {
        return label.equals(ntName) ? ntName : label + " (" + ntName + ")";
    }
}
