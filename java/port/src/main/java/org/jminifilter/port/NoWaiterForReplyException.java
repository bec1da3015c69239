package org.jminifilter.port;

/** A reply came after the kernel stopped waiting for it, the ask's timeout had passed (HRESULT 0x801F0020). The operation already got the ask's default verdict. */
public class NoWaiterForReplyException extends FilterPortException {

    private static final long serialVersionUID = 1L;

    public NoWaiterForReplyException(String message, int hresult) {
        super(message, hresult);
    }
}
