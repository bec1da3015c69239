package org.jminifilter.port;

/**
 * The port handle is no longer valid: the driver is unloading (HRESULT 0x80070006); or, as
 * {@link PortBrokenException}, the port can no longer receive. Either way: reconnect.
 */
public class InvalidPortHandleException extends FilterPortException {

    private static final long serialVersionUID = 1L;

    public InvalidPortHandleException(String message, int hresult) {
        super(message, hresult);
    }
}
