package org.jminifilter.port;

/**
 * The port can never deliver another notification: no receive is outstanding and none can be
 * issued (every FilterGetMessage the port tried failed; {@link #getCause()} is the last failure and
 * {@link #hresult()} its HRESULT). The port reports {@link FilterPort#isOpen()} false from then on.
 * Close it and connect again.
 *
 * <p>A subclass of {@link InvalidPortHandleException} on purpose: for a caller the connection is
 * gone either way, and code that already treats an invalid handle as "the driver went away,
 * reconnect" (the policy service does) handles a broken port the same way without knowing this
 * type, instead of retrying a receive that fails at once forever.
 */
public class PortBrokenException extends InvalidPortHandleException {

    private static final long serialVersionUID = 1L;

    public PortBrokenException(String message, FilterPortException cause) {
        super(message, cause.hresult());
        initCause(cause);
    }
}
