package org.jminifilter.emulator;

/**
 * NtCreateFile create options and file attributes the emulator's callers use (the WDK's values;
 * JNA Platform's WinNT has the access and share masks but not these).
 */
public final class CreateOptions {

    public static final int FILE_DIRECTORY_FILE = 0x00000001;
    public static final int FILE_WRITE_THROUGH = 0x00000002;
    public static final int FILE_SYNCHRONOUS_IO_NONALERT = 0x00000020;
    public static final int FILE_NON_DIRECTORY_FILE = 0x00000040;
    public static final int FILE_DELETE_ON_CLOSE = 0x00001000;

    public static final int FILE_ATTRIBUTE_NORMAL = 0x00000080;

    private CreateOptions() {
    }
}
