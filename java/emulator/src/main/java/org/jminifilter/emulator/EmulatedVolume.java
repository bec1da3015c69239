package org.jminifilter.emulator;

/**
 * A volume of the emulated kernel.
 *
 * @param id     the emulator's volume id (1, 2, ...)
 * @param ntName its NT device name, e.g. {@code \Device\HarddiskVolume1}; what policies name
 */
public record EmulatedVolume(int id, String ntName) {
    @Override
    public String toString() {
        return ntName;
    }
}
