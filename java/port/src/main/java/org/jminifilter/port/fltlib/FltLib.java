package org.jminifilter.port.fltlib;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.platform.win32.WinBase;
import com.sun.jna.platform.win32.WinDef;
import com.sun.jna.platform.win32.WinNT;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.win32.StdCallLibrary;
import com.sun.jna.win32.W32APIOptions;
import java.util.Map;

/**
 * fltlib.dll, the user-mode side of the Filter Manager's communication ports (fltuser.h): a thin
 * binding in the style of JNA Platform's win32 package. Every function returns an HRESULT.
 * DWORDs are Java {@code int} as in JNA Platform's {@code Kernel32}; the context size is a
 * {@link WinDef.WORD} because fltuser.h declares it one (a WORD, not a DWORD).
 *
 * <p>No {@code INSTANCE} field: loading happens only in {@link #load()}, so the interface can be
 * implemented by a test fake on any OS without touching the DLL.
 */
public interface FltLib extends StdCallLibrary {

    /**
     * Loads fltlib.dll (Windows only). UNICODE options whatever {@code w32.ascii} says: fltlib has
     * no A/W pairs, lpPortName is always an LPCWSTR.
     *
     * @throws UnsatisfiedLinkError when the library is missing (not Windows)
     */
    static FltLib load() {
        return Native.load("fltlib", FltLib.class, options());
    }

    /**
     * Loads the four functions from another library with the same options (tests and the self-test
     * only: {@link FltLibPortProvider#boundTo}). On Linux JNA passes the port name as a 4-byte
     * {@code wchar_t} string, which is what the emulator's libjmfemu.so expects there.
     */
    static FltLib loadFrom(String library) {
        return Native.load(library, FltLib.class, boundOptions(options()));
    }

    /**
     * {@code options} with the C calling convention: StdCallLibrary asks for stdcall, which JNA
     * refuses outside Windows (and which is the C convention on x64 Windows anyway).
     */
    static Map<String, Object> boundOptions(Map<String, ?> options) {
        Map<String, Object> bound = new java.util.HashMap<>(options);
        bound.put(com.sun.jna.Library.OPTION_CALLING_CONVENTION, com.sun.jna.Function.C_CONVENTION);
        return bound;
    }

    /** The JNA options {@link #load()} uses: W32API's UNICODE type and function mappers. */
    static Map<String, Object> options() {
        return W32APIOptions.UNICODE_OPTIONS;
    }

    /**
     * HRESULT FilterConnectCommunicationPort(LPCWSTR lpPortName, DWORD dwOptions,
     * LPCVOID lpContext, WORD wSizeOfContext, LPSECURITY_ATTRIBUTES lpSecurityAttributes,
     * HANDLE *hPort).
     */
    WinNT.HRESULT FilterConnectCommunicationPort(String lpPortName, int dwOptions, Pointer lpContext,
            WinDef.WORD wSizeOfContext, WinBase.SECURITY_ATTRIBUTES lpSecurityAttributes,
            WinNT.HANDLEByReference hPort);

    /**
     * HRESULT FilterSendMessage(HANDLE hPort, LPVOID lpInBuffer, DWORD dwInBufferSize,
     * LPVOID lpOutBuffer, DWORD dwOutBufferSize, LPDWORD lpBytesReturned).
     */
    WinNT.HRESULT FilterSendMessage(WinNT.HANDLE hPort, Pointer lpInBuffer, int dwInBufferSize,
            Pointer lpOutBuffer, int dwOutBufferSize, IntByReference lpBytesReturned);

    /**
     * HRESULT FilterGetMessage(HANDLE hPort, PFILTER_MESSAGE_HEADER lpMessageBuffer,
     * DWORD dwMessageBufferSize, LPOVERLAPPED lpOverlapped). With an OVERLAPPED it returns
     * HRESULT_FROM_WIN32(ERROR_IO_PENDING) and completes on the port's I/O completion port;
     * callers must turn the structure's auto-synchronisation off (the kernel owns its memory
     * until the completion is dequeued).
     */
    WinNT.HRESULT FilterGetMessage(WinNT.HANDLE hPort, Pointer lpMessageBuffer, int dwMessageBufferSize,
            WinBase.OVERLAPPED lpOverlapped);

    /**
     * HRESULT FilterReplyMessage(HANDLE hPort, PFILTER_REPLY_HEADER lpReplyBuffer,
     * DWORD dwReplyBufferSize); the size includes the FILTER_REPLY_HEADER.
     */
    WinNT.HRESULT FilterReplyMessage(WinNT.HANDLE hPort, Pointer lpReplyBuffer, int dwReplyBufferSize);
}
