package org.jminifilter.cli.selftest;

import java.util.OptionalInt;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.platform.win32.Kernel32;
import com.sun.jna.platform.win32.NtDll;
import com.sun.jna.platform.win32.WinBase;
import com.sun.jna.platform.win32.WinDef;
import com.sun.jna.platform.win32.WinNT;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.win32.StdCallLibrary;
import com.sun.jna.win32.W32APIOptions;

/**
 * The real {@link FileApi}: JNA Platform's Kernel32 (CreateFileW with the exact access,
 * disposition and flags such as FILE_FLAG_WRITE_THROUGH, ReadFile and WriteFile at an offset,
 * MoveFileExW), in the worker process on Windows. After a failure it reads the thread's last
 * NTSTATUS ({@code RtlGetLastNtStatus}, which ntdll exports and JNA Platform does not bind) and
 * keeps it only when {@code RtlNtStatusToDosError} maps it to the very error GetLastError gave,
 * since anything run in between (the JVM, JNA) could have replaced it.
 */
final class Win32FileApi implements FileApi {

    /** The one ntdll routine this needs beyond JNA Platform's NtDll. */
    interface NtDllLastStatus extends StdCallLibrary {
        NtDllLastStatus INSTANCE = Native.load("ntdll", NtDllLastStatus.class, W32APIOptions.DEFAULT_OPTIONS);

        int RtlGetLastNtStatus();
    }

    private static final int SHARE_ALL = WinNT.FILE_SHARE_READ | WinNT.FILE_SHARE_WRITE | WinNT.FILE_SHARE_DELETE;

    @Override
    public Result createFile(String path, int desiredAccess, int creationDisposition, int flagsAndAttributes) {
        WinNT.HANDLE h = Kernel32.INSTANCE.CreateFile(path, desiredAccess, SHARE_ALL, null, creationDisposition,
                flagsAndAttributes, null);
        if (h == null || WinBase.INVALID_HANDLE_VALUE.equals(h)) {
            return failure();
        }
        return Result.ok(Pointer.nativeValue(h.getPointer()), 0, new byte[0]);
    }

    @Override
    public Result writeFile(long handle, long offset, byte[] data) {
        IntByReference written = new IntByReference();
        if (!Kernel32.INSTANCE.WriteFile(handle(handle), data, data.length, written, at(offset))) {
            return failure();
        }
        return Result.ok(handle, Integer.toUnsignedLong(written.getValue()), new byte[0]);
    }

    @Override
    public Result readFile(long handle, long offset, int length) {
        byte[] buffer = new byte[length];
        IntByReference read = new IntByReference();
        if (!Kernel32.INSTANCE.ReadFile(handle(handle), buffer, length, read, at(offset))) {
            return failure();
        }
        byte[] data = java.util.Arrays.copyOf(buffer, Math.min(length, read.getValue()));
        return Result.ok(handle, data.length, data);
    }

    @Override
    public Result closeHandle(long handle) {
        return Kernel32.INSTANCE.CloseHandle(handle(handle)) ? Result.ok(0, 0, new byte[0]) : failure();
    }

    @Override
    public Result moveFileEx(String from, String to, int flags) {
        return Kernel32.INSTANCE.MoveFileEx(from, to, new WinDef.DWORD(flags)) ? Result.ok(0, 0, new byte[0])
                : failure();
    }

    private static WinNT.HANDLE handle(long value) {
        return new WinNT.HANDLE(new Pointer(value));
    }

    /** An OVERLAPPED that only positions synchronous I/O (no event). */
    private static WinBase.OVERLAPPED at(long offset) {
        WinBase.OVERLAPPED o = new WinBase.OVERLAPPED();
        o.Offset = (int) offset;
        o.OffsetHigh = (int) (offset >>> 32);
        return o;
    }

    private static Result failure() {
        int error = Native.getLastError();
        int nt = NtDllLastStatus.INSTANCE.RtlGetLastNtStatus();
        boolean consistent = nt != 0 && NtDll.INSTANCE.RtlNtStatusToDosError(nt) == error;
        return Result.failed(error, consistent ? OptionalInt.of(nt) : OptionalInt.empty());
    }
}
