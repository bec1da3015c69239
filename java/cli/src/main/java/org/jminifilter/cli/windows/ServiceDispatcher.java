package org.jminifilter.cli.windows;

/**
 * The calls a running service makes to the SCM (StartServiceCtrlDispatcher,
 * RegisterServiceCtrlHandlerEx, SetServiceStatus), so {@link ServiceRunner}'s state machine is
 * tested with a fake SCM. Failures throw {@link Win32Error}.
 */
public interface ServiceDispatcher {
    /** A SERVICE_STATUS_HANDLE. */
    interface StatusHandle {
    }

    /** HandlerEx: answers one control on the dispatcher's thread; must return at once. */
    interface ControlHandler {
        /** @return NO_ERROR (0) or ERROR_CALL_NOT_IMPLEMENTED */
        int onControl(int control);
    }

    /**
     * StartServiceCtrlDispatcher for one own-process service: blocks until the service has
     * stopped; {@code serviceMain} runs on a thread the dispatcher starts.
     *
     * @throws Win32Error ERROR_FAILED_SERVICE_CONTROLLER_CONNECT when not started by the SCM
     */
    void run(String serviceName, Runnable serviceMain);

    StatusHandle registerHandler(String serviceName, ControlHandler handler);

    void setStatus(StatusHandle handle, ServiceStatus status);

    int SERVICE_CONTROL_STOP = 1;
    int SERVICE_CONTROL_INTERROGATE = 4;
    int SERVICE_CONTROL_SHUTDOWN = 5;
    int NO_ERROR = 0;
}
