package org.jminifilter.port;

/**
 * A filter port operation failed. Carries the HRESULT Windows (or a port standing in for it)
 * returned; typed subclasses exist for the failures a caller or a person can act on, and
 * {@link #forHresult} picks the right one.
 *
 * <p>Unchecked, like JNA Platform's {@code Win32Exception}: nearly every port failure (driver not
 * loaded, not elevated, driver unloading) cannot be repaired where the call is made; the service
 * handles them in one place (its connect/reconnect loop), and a checked exception would only be
 * wrapped on its way there through executors and lambdas. The subclasses and the
 * {@code @throws} clauses of {@link FilterPort} document what to expect.
 */
public class FilterPortException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** {@link #hresult()} of a failure that did not come from Windows. */
    public static final int NO_HRESULT = 0;

    private final int hresult;

    public FilterPortException(String message, int hresult) {
        super(message);
        this.hresult = hresult;
    }

    public FilterPortException(String message, int hresult, Throwable cause) {
        super(message, cause);
        this.hresult = hresult;
    }

    /** @return the failing HRESULT, or {@link #NO_HRESULT} when the failure did not come from Windows */
    public int hresult() {
        return hresult;
    }

    /**
     * Turns a failed HRESULT into the exception that says what it means for jminifilter.
     *
     * @param call what failed, for the message (e.g. {@code "FilterSendMessage"})
     * @param hresult the failed HRESULT
     */
    public static FilterPortException forHresult(String call, int hresult) {
        String prefix = call + " failed with HRESULT " + HResult.hex(hresult) + ": ";
        return switch (hresult) {
            case HResult.PORT_NOT_FOUND -> new PortNotFoundException(prefix
                    + "the port does not exist, the jminifilter driver is not loaded"
                    + " (load it from an elevated prompt: fltmc load jminifilter)", hresult);
            case HResult.ACCESS_DENIED -> new PortAccessDeniedException(prefix
                    + "access denied: the port admits only Administrators and SYSTEM;"
                    + " run the policy service elevated or as a service", hresult);
            case HResult.CONNECTION_LIMIT -> new ConnectionLimitException(prefix
                    + "the port takes one connection and another policy service is connected;"
                    + " stop it first", hresult);
            case HResult.NO_WAITER_FOR_REPLY -> new NoWaiterForReplyException(prefix
                    + "the kernel stopped waiting for this reply (the ask timed out and got its"
                    + " default verdict); answer faster or raise the ask timeout", hresult);
            case HResult.INSUFFICIENT_BUFFER, HResult.MORE_DATA -> new InsufficientBufferException(prefix
                    + "the buffer is too small for the kernel's data", hresult, -1);
            case HResult.INVALID_HANDLE -> new InvalidPortHandleException(prefix
                    + "the port handle is no longer valid, the jminifilter driver is probably"
                    + " unloading; reconnect once it is loaded again", hresult);
            case HResult.REVISION_MISMATCH -> new ProtocolMismatchException(prefix
                    + "the driver refused our connection context: driver and policy service speak"
                    + " different protocol versions; install a driver and service from the same build",
                    hresult);
            case HResult.OPERATION_ABORTED -> new PortClosedException(prefix
                    + "the operation was cancelled because the port is closing", hresult);
            default -> new FilterPortException(prefix + "unexpected failure", hresult);
        };
    }
}
