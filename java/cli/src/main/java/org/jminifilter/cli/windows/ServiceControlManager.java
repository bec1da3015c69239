package org.jminifilter.cli.windows;

import java.util.List;

/**
 * The Service Control Manager calls {@code jminifilter service install|uninstall|start|stop|status}
 * make (Advapi32's OpenSCManager, CreateService, OpenService, ChangeServiceConfig2, StartService,
 * ControlService, QueryServiceStatusEx, DeleteService, CloseServiceHandle), one method each, so
 * tests can give a fake SCM that records calls and fails any of them. Every method throws
 * {@link Win32Error} with the call's GetLastError when the call fails. Handles are opaque: every
 * one a method returns must be given to {@link #close} exactly once.
 */
public interface ServiceControlManager {

    /** An SC_HANDLE (of the manager or of a service). */
    interface Handle {
    }

    /** OpenSCManager(local machine, SERVICES_ACTIVE_DATABASE, {@code access}). */
    Handle openManager(int access);

    /**
     * CreateService: an own-process service started automatically at boot, error control normal.
     *
     * @param account null for LocalSystem
     */
    Handle createService(Handle manager, String name, String displayName, String binaryPath, String account);

    /** OpenService. */
    Handle openService(Handle manager, String name, int access);

    /** ChangeServiceConfig2(SERVICE_CONFIG_DESCRIPTION). */
    void setDescription(Handle service, String description);

    /** ChangeServiceConfig2(SERVICE_CONFIG_FAILURE_ACTIONS): restart after each delay, counts reset after {@code resetSeconds}. */
    void setRestartOnFailure(Handle service, int resetSeconds, List<Integer> restartDelaysMillis);

    /** StartService with no arguments (the binary path carries them). */
    void start(Handle service);

    /** ControlService; the status the service reported last. */
    ServiceStatus control(Handle service, int control);

    /** QueryServiceStatusEx(SC_STATUS_PROCESS_INFO). */
    ServiceStatus query(Handle service);

    /** DeleteService: the service goes once every handle to it is closed. */
    void delete(Handle service);

    /** CloseServiceHandle; never throws. */
    void close(Handle handle);

    // Access rights and controls (winsvc.h), named here so callers need no JNA.
    int SC_MANAGER_CONNECT = 0x0001;
    int SC_MANAGER_CREATE_SERVICE = 0x0002;
    int SERVICE_QUERY_CONFIG = 0x0001;
    int SERVICE_CHANGE_CONFIG = 0x0002;
    int SERVICE_QUERY_STATUS = 0x0004;
    int SERVICE_START = 0x0010;
    int SERVICE_STOP = 0x0020;
    int DELETE = 0x00010000;
    int SERVICE_CONTROL_STOP = 1;
}
