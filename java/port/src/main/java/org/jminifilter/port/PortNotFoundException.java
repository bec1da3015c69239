package org.jminifilter.port;

/** No port by that name: the jminifilter driver is not loaded (HRESULT 0x80070002). */
public class PortNotFoundException extends FilterPortException {

    private static final long serialVersionUID = 1L;

    public PortNotFoundException(String message, int hresult) {
        super(message, hresult);
    }
}
