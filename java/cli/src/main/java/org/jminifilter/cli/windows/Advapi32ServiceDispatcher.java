package org.jminifilter.cli.windows;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.platform.win32.Advapi32;
import com.sun.jna.platform.win32.WinNT;
import com.sun.jna.platform.win32.Winsvc;

/**
 * {@link ServiceDispatcher} through JNA Platform's Advapi32. Windows only. The callbacks handed
 * to Windows (ServiceMain, HandlerEx) are held in fields for as long as the dispatcher runs: a
 * callback only Windows refers to would be collected and its native stub freed under the SCM.
 */
final class Advapi32ServiceDispatcher implements ServiceDispatcher {
    private static final Advapi32 A = Advapi32.INSTANCE;

    private record Status(Winsvc.SERVICE_STATUS_HANDLE handle) implements StatusHandle {
    }

    private Winsvc.SERVICE_MAIN_FUNCTION main;   // reachable while StartServiceCtrlDispatcher runs
    private Winsvc.HandlerEx handlerEx;          // reachable until the process ends

    @Override
    public void run(String serviceName, Runnable serviceMain) {
        main = (argc, argv) -> serviceMain.run();
        Winsvc.SERVICE_TABLE_ENTRY entry = new Winsvc.SERVICE_TABLE_ENTRY();
        // The table ends with an entry of nulls: toArray(2) gives two contiguous entries, the second zeroed.
        Winsvc.SERVICE_TABLE_ENTRY[] table = (Winsvc.SERVICE_TABLE_ENTRY[]) entry.toArray(2);
        table[0].lpServiceName = serviceName;
        table[0].lpServiceProc = main;
        table[0].write();
        if (!A.StartServiceCtrlDispatcher(table)) {
            throw new Win32Error("StartServiceCtrlDispatcher", Native.getLastError());
        }
    }

    @Override
    public StatusHandle registerHandler(String serviceName, ControlHandler handler) {
        handlerEx = (int control, int eventType, Pointer eventData, Pointer context) -> handler.onControl(control);
        Winsvc.SERVICE_STATUS_HANDLE h = A.RegisterServiceCtrlHandlerEx(serviceName, handlerEx, null);
        if (h == null) {
            throw new Win32Error("RegisterServiceCtrlHandlerEx", Native.getLastError());
        }
        return new Status(h);
    }

    @Override
    public void setStatus(StatusHandle handle, ServiceStatus s) {
        Winsvc.SERVICE_STATUS status = new Winsvc.SERVICE_STATUS();
        status.dwServiceType = WinNT.SERVICE_WIN32_OWN_PROCESS;
        status.dwCurrentState = s.state();
        status.dwControlsAccepted = s.controlsAccepted();
        status.dwWin32ExitCode = s.win32ExitCode();
        status.dwServiceSpecificExitCode = s.serviceSpecificExitCode();
        status.dwCheckPoint = s.checkPoint();
        status.dwWaitHint = s.waitHintMillis();
        if (!A.SetServiceStatus(((Status) handle).handle(), status)) {
            throw new Win32Error("SetServiceStatus", Native.getLastError());
        }
    }
}
