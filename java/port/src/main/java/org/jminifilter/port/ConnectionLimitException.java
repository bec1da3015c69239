package org.jminifilter.port;

/** The port already has its one connection: another policy service is connected (HRESULT 0x800704D6). */
public class ConnectionLimitException extends FilterPortException {

    private static final long serialVersionUID = 1L;

    public ConnectionLimitException(String message, int hresult) {
        super(message, hresult);
    }
}
