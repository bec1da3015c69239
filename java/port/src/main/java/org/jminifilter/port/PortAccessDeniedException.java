package org.jminifilter.port;

/** The port refused the connection: the caller is not elevated (HRESULT 0x80070005). */
public class PortAccessDeniedException extends FilterPortException {

    private static final long serialVersionUID = 1L;

    public PortAccessDeniedException(String message, int hresult) {
        super(message, hresult);
    }
}
