package org.jminifilter.cli.windows;

import java.util.List;

import com.sun.jna.Native;
import com.sun.jna.platform.win32.Advapi32;
import com.sun.jna.platform.win32.WinNT;
import com.sun.jna.platform.win32.Winsvc;
import com.sun.jna.ptr.IntByReference;

/** {@link ServiceControlManager} through JNA Platform's Advapi32. Windows only. */
final class Advapi32ServiceControlManager implements ServiceControlManager {
    private static final Advapi32 A = Advapi32.INSTANCE;

    /** An SC_HANDLE. */
    private record ScHandle(Winsvc.SC_HANDLE handle) implements Handle {
    }

    private static Winsvc.SC_HANDLE h(Handle handle) {
        return ((ScHandle) handle).handle();
    }

    private static Handle checked(String function, Winsvc.SC_HANDLE handle) {
        if (handle == null) {
            throw new Win32Error(function, Native.getLastError());
        }
        return new ScHandle(handle);
    }

    private static void check(String function, boolean ok) {
        if (!ok) {
            throw new Win32Error(function, Native.getLastError());
        }
    }

    @Override
    public Handle openManager(int access) {
        return checked("OpenSCManager", A.OpenSCManager(null, null, access));
    }

    @Override
    public Handle createService(Handle manager, String name, String displayName, String binaryPath, String account) {
        return checked("CreateService", A.CreateService(h(manager), name, displayName, Winsvc.SERVICE_ALL_ACCESS,
                WinNT.SERVICE_WIN32_OWN_PROCESS, WinNT.SERVICE_AUTO_START, WinNT.SERVICE_ERROR_NORMAL, binaryPath,
                null, null, null, account, null));
    }

    @Override
    public Handle openService(Handle manager, String name, int access) {
        return checked("OpenService", A.OpenService(h(manager), name, access));
    }

    @Override
    public void setDescription(Handle service, String description) {
        Winsvc.SERVICE_DESCRIPTION d = new Winsvc.SERVICE_DESCRIPTION();
        d.lpDescription = description;
        check("ChangeServiceConfig2(SERVICE_CONFIG_DESCRIPTION)",
                A.ChangeServiceConfig2(h(service), Winsvc.SERVICE_CONFIG_DESCRIPTION, d));
    }

    @Override
    public void setRestartOnFailure(Handle service, int resetSeconds, List<Integer> restartDelaysMillis) {
        Winsvc.SC_ACTION.ByReference first = new Winsvc.SC_ACTION.ByReference();
        Winsvc.SC_ACTION[] actions = (Winsvc.SC_ACTION[]) first.toArray(restartDelaysMillis.size());
        for (int i = 0; i < actions.length; i++) {
            actions[i].type = Winsvc.SC_ACTION_RESTART;
            actions[i].delay = restartDelaysMillis.get(i);
            actions[i].write();
        }
        Winsvc.SERVICE_FAILURE_ACTIONS f = new Winsvc.SERVICE_FAILURE_ACTIONS();
        f.dwResetPeriod = resetSeconds;
        f.cActions = actions.length;
        f.lpsaActions = first; // `first` and `actions` share one block, alive until the call returns
        check("ChangeServiceConfig2(SERVICE_CONFIG_FAILURE_ACTIONS)",
                A.ChangeServiceConfig2(h(service), Winsvc.SERVICE_CONFIG_FAILURE_ACTIONS, f));
    }

    @Override
    public void start(Handle service) {
        check("StartService", A.StartService(h(service), 0, null));
    }

    @Override
    public ServiceStatus control(Handle service, int control) {
        Winsvc.SERVICE_STATUS s = new Winsvc.SERVICE_STATUS();
        check("ControlService", A.ControlService(h(service), control, s));
        return ServiceStatus.of(s.dwCurrentState, s.dwControlsAccepted, s.dwWin32ExitCode,
                s.dwServiceSpecificExitCode, s.dwCheckPoint, s.dwWaitHint);
    }

    @Override
    public ServiceStatus query(Handle service) {
        Winsvc.SERVICE_STATUS_PROCESS s = new Winsvc.SERVICE_STATUS_PROCESS();
        IntByReference needed = new IntByReference();
        check("QueryServiceStatusEx", A.QueryServiceStatusEx(h(service), Winsvc.SC_STATUS_TYPE.SC_STATUS_PROCESS_INFO,
                s, s.size(), needed));
        return new ServiceStatus(s.dwCurrentState, s.dwControlsAccepted, s.dwWin32ExitCode,
                s.dwServiceSpecificExitCode, s.dwCheckPoint, s.dwWaitHint, s.dwProcessId);
    }

    @Override
    public void delete(Handle service) {
        check("DeleteService", A.DeleteService(h(service)));
    }

    @Override
    public void close(Handle handle) {
        A.CloseServiceHandle(h(handle));
    }
}
