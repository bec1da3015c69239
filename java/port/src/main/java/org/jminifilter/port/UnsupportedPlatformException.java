package org.jminifilter.port;

/**
 * No filter port can be opened on this operating system (fltlib.dll exists only on Windows).
 * Carries {@link #NO_HRESULT}: Windows was never asked.
 */
public class UnsupportedPlatformException extends FilterPortException {

    private static final long serialVersionUID = 1L;

    public UnsupportedPlatformException(String message) {
        super(message, NO_HRESULT);
    }
}
