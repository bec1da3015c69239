package org.jminifilter.port.fltlib;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.platform.win32.BaseTSD;
import com.sun.jna.platform.win32.Kernel32;
import com.sun.jna.platform.win32.WinBase;
import com.sun.jna.platform.win32.WinNT;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;
import com.sun.jna.win32.StdCallLibrary;
import com.sun.jna.win32.W32APIOptions;
import java.util.Objects;

/**
 * The five kernel32 functions {@link FltLibFilterPort} calls besides CancelIoEx, with JNA Platform's
 * {@link Kernel32} signatures. On Windows they are JNA Platform's own ({@link #of}); the interface
 * exists so that they can also be bound from another library ({@link #loadFrom}: tests and the
 * self-test only), which JNA Platform's {@code Kernel32} cannot be: any proxy of it initialises
 * {@code Kernel32.INSTANCE}, which loads kernel32.dll.
 */
public interface Kernel32Iocp extends StdCallLibrary {

    /** JNA Platform's {@code Kernel32} (on Windows, {@code Kernel32.INSTANCE}), call for call. */
    static Kernel32Iocp of(Kernel32 kernel32) {
        Objects.requireNonNull(kernel32, "kernel32");
        return new Kernel32Iocp() {
            @Override
            public WinNT.HANDLE CreateIoCompletionPort(WinNT.HANDLE fileHandle, WinNT.HANDLE existingCompletionPort,
                    Pointer completionKey, int numberOfConcurrentThreads) {
                return kernel32.CreateIoCompletionPort(fileHandle, existingCompletionPort, completionKey,
                        numberOfConcurrentThreads);
            }

            @Override
            public boolean GetQueuedCompletionStatus(WinNT.HANDLE completionPort, IntByReference numberOfBytes,
                    BaseTSD.ULONG_PTRByReference completionKey, PointerByReference overlapped, int milliseconds) {
                return kernel32.GetQueuedCompletionStatus(completionPort, numberOfBytes, completionKey, overlapped,
                        milliseconds);
            }

            @Override
            public boolean PostQueuedCompletionStatus(WinNT.HANDLE completionPort, int numberOfBytesTransferred,
                    Pointer completionKey, WinBase.OVERLAPPED overlapped) {
                return kernel32.PostQueuedCompletionStatus(completionPort, numberOfBytesTransferred, completionKey,
                        overlapped);
            }

            @Override
            public boolean CloseHandle(WinNT.HANDLE handle) {
                return kernel32.CloseHandle(handle);
            }

            @Override
            public int GetLastError() {
                return kernel32.GetLastError();
            }
        };
    }

    /** The five functions from another library (tests and the self-test only: {@link FltLibPortProvider#boundTo}). */
    static Kernel32Iocp loadFrom(String library) {
        return Native.load(library, Kernel32Iocp.class, FltLib.boundOptions(W32APIOptions.DEFAULT_OPTIONS));
    }

    /** HANDLE CreateIoCompletionPort(HANDLE, HANDLE, ULONG_PTR CompletionKey, DWORD NumberOfConcurrentThreads). */
    WinNT.HANDLE CreateIoCompletionPort(WinNT.HANDLE fileHandle, WinNT.HANDLE existingCompletionPort,
            Pointer completionKey, int numberOfConcurrentThreads);

    /** BOOL GetQueuedCompletionStatus(HANDLE, LPDWORD, PULONG_PTR, LPOVERLAPPED *, DWORD dwMilliseconds). */
    boolean GetQueuedCompletionStatus(WinNT.HANDLE completionPort, IntByReference numberOfBytes,
            BaseTSD.ULONG_PTRByReference completionKey, PointerByReference overlapped, int milliseconds);

    /** BOOL PostQueuedCompletionStatus(HANDLE, DWORD, ULONG_PTR, LPOVERLAPPED). */
    boolean PostQueuedCompletionStatus(WinNT.HANDLE completionPort, int numberOfBytesTransferred,
            Pointer completionKey, WinBase.OVERLAPPED overlapped);

    /** BOOL CloseHandle(HANDLE). */
    boolean CloseHandle(WinNT.HANDLE handle);

    /** DWORD GetLastError(void): the calling thread's last error. */
    int GetLastError();
}
