package org.jminifilter.port;

/**
 * The port is closed, or closed while the operation waited (HRESULT 0x800703E3,
 * ERROR_OPERATION_ABORTED). Thrown to receivers released by {@link FilterPort#close()} and to
 * any call made after it. Not a fault: the normal end of a receive loop.
 */
public class PortClosedException extends FilterPortException {

    private static final long serialVersionUID = 1L;

    public PortClosedException(String message) {
        super(message, HResult.OPERATION_ABORTED);
    }

    public PortClosedException(String message, int hresult) {
        super(message, hresult);
    }
}
