package org.jminifilter.emulator;

/**
 * IoStatus.Information of a create: what the file system did (FILE_SUPERSEDED .. FILE_DOES_NOT_EXIST,
 * the WDK's values). A failed or cancelled create reports 0 with its error status.
 */
public enum CreateInformation {
    SUPERSEDED, OPENED, CREATED, OVERWRITTEN, EXISTS, DOES_NOT_EXIST;

    /** The WDK value (FILE_SUPERSEDED is 0). */
    public long value() {
        return ordinal();
    }

    /** @return the name of {@code information} ("FILE_CREATED"), or the number when out of range */
    public static String describe(long information) {
        if (information >= 0 && information < values().length) {
            return "FILE_" + values()[(int) information].name();
        }
        return Long.toUnsignedString(information);
    }
}
