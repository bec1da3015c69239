package org.jminifilter.cli.windows;

import java.nio.file.Files;
import java.nio.file.Path;

import com.sun.jna.Native;
import com.sun.jna.platform.win32.Advapi32;
import com.sun.jna.platform.win32.Advapi32Util;
import com.sun.jna.platform.win32.Kernel32Util;
import com.sun.jna.platform.win32.Win32Exception;
import com.sun.jna.platform.win32.WinNT;
import com.sun.jna.platform.win32.WinReg;

/** {@link EventLogApi} and the event source's {@link EventSource.Registry} through JNA Platform. Windows only. */
final class Advapi32EventLog implements EventLogApi, EventSource.Registry {

    private record SourceHandle(WinNT.HANDLE handle) implements Handle {
    }

    @Override
    public Handle register(String source) {
        WinNT.HANDLE h = Advapi32.INSTANCE.RegisterEventSource(null, source);
        if (h == null) {
            throw new Win32Error("RegisterEventSource", Native.getLastError());
        }
        return new SourceHandle(h);
    }

    @Override
    public void report(Handle handle, int type, int eventId, String message) {
        if (!Advapi32.INSTANCE.ReportEvent(((SourceHandle) handle).handle(), type, 0, eventId, null, 1, 0,
                new String[] {message}, null)) {
            throw new Win32Error("ReportEvent", Native.getLastError());
        }
    }

    @Override
    public void deregister(Handle handle) {
        Advapi32.INSTANCE.DeregisterEventSource(((SourceHandle) handle).handle());
    }

    @Override
    public void createKey(String path) {
        try {
            Advapi32Util.registryCreateKey(WinReg.HKEY_LOCAL_MACHINE, path);
        } catch (Win32Exception e) {
            throw new Win32Error("RegCreateKeyEx(HKLM\\" + path + ")", e.getErrorCode());
        }
    }

    @Override
    public void setExpandString(String path, String name, String value) {
        try {
            Advapi32Util.registrySetExpandableStringValue(WinReg.HKEY_LOCAL_MACHINE, path, name, value);
        } catch (Win32Exception e) {
            throw new Win32Error("RegSetValueEx(" + name + ")", e.getErrorCode());
        }
    }

    @Override
    public void setDword(String path, String name, int value) {
        try {
            Advapi32Util.registrySetIntValue(WinReg.HKEY_LOCAL_MACHINE, path, name, value);
        } catch (Win32Exception e) {
            throw new Win32Error("RegSetValueEx(" + name + ")", e.getErrorCode());
        }
    }

    @Override
    public boolean keyExists(String path) {
        return Advapi32Util.registryKeyExists(WinReg.HKEY_LOCAL_MACHINE, path);
    }

    @Override
    public void deleteKey(String path) {
        try {
            Advapi32Util.registryDeleteKey(WinReg.HKEY_LOCAL_MACHINE, path);
        } catch (Win32Exception e) {
            throw new Win32Error("RegDeleteKey(HKLM\\" + path + ")", e.getErrorCode());
        }
    }

    @Override
    public boolean fileExists(String path) {
        return Files.isRegularFile(Path.of(Kernel32Util.expandEnvironmentStrings(path)));
    }
}
