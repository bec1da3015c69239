package org.jminifilter.port.fltlib;

import com.sun.jna.Native;
import com.sun.jna.platform.win32.WinBase;
import com.sun.jna.platform.win32.WinNT;
import com.sun.jna.win32.StdCallLibrary;
import com.sun.jna.win32.W32APIOptions;

/**
 * The one kernel32 function the port needs that JNA Platform's {@code Kernel32} (5.19.1 included) lacks:
 * CancelIoEx (Vista+), which, unlike CancelIo, cancels I/O issued by any thread of the process.
 */
public interface Kernel32CancelIo extends StdCallLibrary {

    /** Loads kernel32.dll (Windows only). */
    static Kernel32CancelIo load() {
        return Native.load("kernel32", Kernel32CancelIo.class, W32APIOptions.DEFAULT_OPTIONS);
    }

    /** Loads CancelIoEx from another library (tests and the self-test only: {@link FltLibPortProvider#boundTo}). */
    static Kernel32CancelIo loadFrom(String library) {
        return Native.load(library, Kernel32CancelIo.class, FltLib.boundOptions(W32APIOptions.DEFAULT_OPTIONS));
    }

    /**
     * BOOL CancelIoEx(HANDLE hFile, LPOVERLAPPED lpOverlapped); {@code null} cancels every I/O of
     * the process on {@code hFile}. Fails with ERROR_NOT_FOUND when nothing was pending.
     */
    boolean CancelIoEx(WinNT.HANDLE hFile, WinBase.OVERLAPPED lpOverlapped);
}
