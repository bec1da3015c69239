package org.jminifilter.emulator;

/**
 * libjmfemu.so is not there or cannot be loaded (no C compiler built it, or it was built for
 * another platform). The message names the path and how to build it.
 */
public final class EmulatorUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public EmulatorUnavailableException(String message) {
        super(message);
    }

    public EmulatorUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
