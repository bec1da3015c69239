package org.jminifilter.port;

/**
 * The HRESULTs the filter port turns into typed exceptions. Values are HRESULT_FROM_WIN32 of the
 * Win32 error (0x8007xxxx) except the filter manager's own ERROR_FLT_NO_WAITER_FOR_REPLY; the
 * fltlib tests check each against JNA Platform's {@code W32Errors}/{@code WinError}. Kept here,
 * free of JNA, so code above the port can name them.
 */
public final class HResult {

    /** ERROR_FILE_NOT_FOUND (2): no port by that name, the driver is not loaded. */
    public static final int PORT_NOT_FOUND = 0x80070002;
    /** ERROR_ACCESS_DENIED (5): the port's security descriptor refused us (not elevated). */
    public static final int ACCESS_DENIED = 0x80070005;
    /** ERROR_INVALID_HANDLE (6): the port handle is gone (the driver is unloading). */
    public static final int INVALID_HANDLE = 0x80070006;
    /** ERROR_INVALID_PARAMETER (87): the driver refused a malformed command (STATUS_INVALID_PARAMETER). */
    public static final int INVALID_PARAMETER = 0x80070057;
    /** ERROR_INSUFFICIENT_BUFFER (122): the output buffer is too small, nothing was written. */
    public static final int INSUFFICIENT_BUFFER = 0x8007007A;
    /** ERROR_MORE_DATA (234): the output buffer is too small, it holds part of the data. */
    public static final int MORE_DATA = 0x800700EA;
    /** ERROR_OPERATION_ABORTED (995): the I/O was cancelled (the port is closing). */
    public static final int OPERATION_ABORTED = 0x800703E3;
    /** ERROR_IO_PENDING (997): an overlapped operation was started; not a failure. */
    public static final int IO_PENDING = 0x800703E5;
    /** ERROR_CONNECTION_COUNT_LIMIT (1238): the port's MaxConnections are all in use. */
    public static final int CONNECTION_LIMIT = 0x800704D6;
    /** ERROR_REVISION_MISMATCH (1306): the driver refused our protocol version. */
    public static final int REVISION_MISMATCH = 0x8007051A;
    /** ERROR_FLT_NO_WAITER_FOR_REPLY: the kernel no longer waits for this reply. */
    public static final int NO_WAITER_FOR_REPLY = 0x801F0020;

    private HResult() {
    }

    /** @return {@code hresult} as 0x-prefixed, 8-digit upper-case hex */
    public static String hex(int hresult) {
        return String.format("0x%08X", hresult);
    }

    /** @return true for an HRESULT with the severity bit set */
    public static boolean failed(int hresult) {
        return hresult < 0;
    }
}
