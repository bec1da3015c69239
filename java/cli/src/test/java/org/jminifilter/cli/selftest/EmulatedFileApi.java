package org.jminifilter.cli.selftest;

import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;

import org.jminifilter.emulator.CreateOptions;
import org.jminifilter.emulator.EmulatedFile;
import org.jminifilter.emulator.EmulatedKernel;
import org.jminifilter.emulator.EmulatedProcess;
import org.jminifilter.emulator.EmulatedVolume;
import org.jminifilter.emulator.IoResult;
import org.jminifilter.emulator.OpenResult;
import org.jminifilter.policy.Access;
import org.jminifilter.policy.Disposition;
import org.jminifilter.protocol.NtStatus;

/**
 * A fake of the Win32 calls over the emulated kernel: what kernel32 would do on top of the real
 * driver, returning only what a Win32 caller sees (the Win32 error; the NTSTATUS only when
 * {@code giveNtStatus}). Paths are {@code <volume NT name>\dir\file}, as {@link EmulatedMachine}'s
 * volume labels make them.
 */
final class EmulatedFileApi implements FileApi {

    private final EmulatedKernel kernel;
    private final EmulatedProcess process;
    private final boolean giveNtStatus;
    private final Map<Long, EmulatedFile> files = new HashMap<>();
    /** The calls made, for tests of the worker's translation. */
    final java.util.List<String> calls = new java.util.concurrent.CopyOnWriteArrayList<>();

    EmulatedFileApi(EmulatedKernel kernel, EmulatedProcess process, boolean giveNtStatus) {
        this.kernel = kernel;
        this.process = process;
        this.giveNtStatus = giveNtStatus;
    }

    private EmulatedVolume volumeOf(String path) {
        return kernel.volumes().stream().filter(v -> path.startsWith(v.ntName() + "\\")).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no volume for " + path));
    }

    private static String relative(EmulatedVolume v, String path) {
        return path.substring(v.ntName().length());
    }

    private Result result(NtStatus status, long handle, long count, byte[] data) {
        if (status.isSuccess()) {
            return Result.ok(handle, count, data);
        }
        int error = Win32Errors.errorOf(status).orElse(317); // ERROR_MR_MID_NOT_FOUND: no mapping
        return Result.failed(error, giveNtStatus ? OptionalInt.of(status.value()) : OptionalInt.empty());
    }

    @Override
    public synchronized Result createFile(String path, int desiredAccess, int creationDisposition, int flags) {
        calls.add(String.format("CreateFile %s 0x%X %d 0x%X", path, desiredAccess, creationDisposition, flags));
        Disposition d = switch (creationDisposition) {
            case WorkerProtocol.CREATE_NEW -> Disposition.CREATE;
            case WorkerProtocol.CREATE_ALWAYS -> Disposition.OVERWRITE_IF;
            case WorkerProtocol.OPEN_EXISTING -> Disposition.OPEN;
            case WorkerProtocol.OPEN_ALWAYS -> Disposition.OPEN_IF;
            case WorkerProtocol.TRUNCATE_EXISTING -> Disposition.OVERWRITE;
            default -> throw new IllegalArgumentException("creation disposition " + creationDisposition);
        };
        int options = EmulatedProcess.FILE_OPTIONS
                | ((flags & WorkerProtocol.FILE_FLAG_WRITE_THROUGH) != 0 ? CreateOptions.FILE_WRITE_THROUGH : 0);
        EmulatedVolume v = volumeOf(path);
        OpenResult r = process.open(v, relative(v, path), desiredAccess | Access.SYNCHRONIZE | Access.FILE_READ_ATTRIBUTES,
                EmulatedProcess.SHARE_READ_WRITE | com.sun.jna.platform.win32.WinNT.FILE_SHARE_DELETE, d, options);
        if (r.file().isEmpty()) {
            return result(r.status(), 0, 0, new byte[0]);
        }
        files.put(r.file().get().handle(), r.file().get());
        return result(r.status(), r.file().get().handle(), 0, new byte[0]);
    }

    @Override
    public synchronized Result writeFile(long handle, long offset, byte[] data) {
        calls.add("WriteFile " + offset + " " + data.length);
        IoResult r = files.get(handle).write(offset, data, false);
        return result(r.status(), handle, r.information(), new byte[0]);
    }

    @Override
    public synchronized Result readFile(long handle, long offset, int length) {
        calls.add("ReadFile " + offset + " " + length);
        IoResult r = files.get(handle).read(offset, length);
        return result(r.status(), handle, r.information(), r.data());
    }

    @Override
    public synchronized Result closeHandle(long handle) {
        calls.add("CloseHandle");
        EmulatedFile f = files.remove(handle);
        return f == null ? Result.failed(Win32Errors.ERROR_INVALID_HANDLE, OptionalInt.empty())
                : result(f.closeHandle(), 0, 0, new byte[0]);
    }

    @Override
    public synchronized Result moveFileEx(String from, String to, int flags) {
        calls.add("MoveFileEx " + from + " " + to + " " + flags);
        EmulatedVolume v = volumeOf(from);
        OpenResult r = process.open(v, relative(v, from), Access.DELETE | Access.SYNCHRONIZE,
                EmulatedProcess.SHARE_READ_WRITE | com.sun.jna.platform.win32.WinNT.FILE_SHARE_DELETE, Disposition.OPEN,
                CreateOptions.FILE_SYNCHRONOUS_IO_NONALERT);
        if (r.file().isEmpty()) {
            return result(r.status(), 0, 0, new byte[0]);
        }
        try (EmulatedFile f = r.file().get()) {
            return result(f.rename(relative(volumeOf(to), to), (flags & 1) != 0), 0, 0, new byte[0]);
        }
    }
}
