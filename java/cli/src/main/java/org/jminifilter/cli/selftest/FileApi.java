package org.jminifilter.cli.selftest;

import java.util.OptionalInt;

/**
 * The Win32 file calls the {@link Worker} makes, so its logic runs on any OS against a fake:
 * {@link Win32FileApi} is the real one (JNA Platform's Kernel32).
 */
public interface FileApi {

    /**
     * What one call returned.
     *
     * @param win32Error 0 on success, else GetLastError
     * @param ntStatus   the thread's last NTSTATUS when it maps back to {@code win32Error} (a failure only)
     * @param handle     CreateFile's handle value (0 when none)
     * @param count      bytes read or written
     * @param data       bytes read
     */
    record Result(int win32Error, OptionalInt ntStatus, long handle, long count, byte[] data) {
        public Result {
            data = data.clone();
        }

        @Override
        public byte[] data() {
            return data.clone();
        }

        public static Result ok(long handle, long count, byte[] data) {
            return new Result(0, OptionalInt.empty(), handle, count, data);
        }

        public static Result failed(int win32Error, OptionalInt ntStatus) {
            return new Result(win32Error, ntStatus, 0, 0, new byte[0]);
        }
    }

    /** CreateFileW (share read, write and delete; no security attributes, no template). */
    Result createFile(String path, int desiredAccess, int creationDisposition, int flagsAndAttributes);

    /** WriteFile at {@code offset} (an OVERLAPPED's Offset/OffsetHigh on a synchronous handle). */
    Result writeFile(long handle, long offset, byte[] data);

    /** ReadFile of up to {@code length} bytes at {@code offset}. */
    Result readFile(long handle, long offset, int length);

    /** CloseHandle. */
    Result closeHandle(long handle);

    /** MoveFileExW. */
    Result moveFileEx(String from, String to, int flags);
}
