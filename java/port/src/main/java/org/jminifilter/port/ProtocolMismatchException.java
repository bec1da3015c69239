package org.jminifilter.port;

/** The driver refused the connection context: driver and service speak different protocol versions (HRESULT 0x8007051A, ERROR_REVISION_MISMATCH). */
public class ProtocolMismatchException extends FilterPortException {

    private static final long serialVersionUID = 1L;

    public ProtocolMismatchException(String message, int hresult) {
        super(message, hresult);
    }
}
