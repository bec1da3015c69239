package org.jminifilter.emulator;

import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.LongByReference;
import java.nio.charset.StandardCharsets;
import org.jminifilter.protocol.NtStatus;

/**
 * A handle the emulated kernel gave a process: each operation goes down the instance stack
 * (through the real driver) as that process, like a call of that process's thread would.
 * {@link #close()} issues cleanup and close; it is idempotent.
 */
public final class EmulatedFile implements AutoCloseable {

    private final EmulatedKernel kernel;
    private final EmulatedProcess process;
    private final EmulatedVolume volume;
    private final String path;
    private final long handle;
    private volatile boolean closed;

    EmulatedFile(EmulatedKernel kernel, EmulatedProcess process, EmulatedVolume volume, String path, long handle) {
        this.kernel = kernel;
        this.process = process;
        this.volume = volume;
        this.path = path;
        this.handle = handle;
    }

    /** The emulator's handle value. */
    public long handle() {
        return handle;
    }

    public EmulatedProcess process() {
        return process;
    }

    public EmulatedVolume volume() {
        return volume;
    }

    /** The volume-relative path the file was opened by. */
    public String path() {
        return path;
    }

    /** Reads up to {@code length} bytes at {@code offset} (IRP_MJ_READ). */
    public IoResult read(long offset, int length) {
        if (length < 0) {
            throw new IllegalArgumentException("length must not be negative: " + length);
        }
        byte[] buffer = new byte[length];
        IntByReference read = new IntByReference();
        int status = kernel.asProcess(process, lib -> lib.EmuFileReadEx(live(), offset, buffer, length, 0, read));
        int n = Math.max(0, Math.min(length, read.getValue()));
        byte[] data = new byte[NtStatus.of(status).isSuccess() ? n : 0];
        System.arraycopy(buffer, 0, data, 0, data.length);
        return new IoResult(NtStatus.of(status), Integer.toUnsignedLong(read.getValue()), data);
    }

    /** Writes {@code data} at {@code offset} (IRP_MJ_WRITE), with SL_WRITE_THROUGH when {@code writeThrough}. */
    public IoResult write(long offset, byte[] data, boolean writeThrough) {
        IntByReference written = new IntByReference();
        int flags = writeThrough ? EmuLibrary.IO_WRITE_THROUGH : 0;
        int status = kernel.asProcess(process,
                lib -> lib.EmuFileWrite(live(), offset, data, data.length, flags, written));
        return new IoResult(NtStatus.of(status), Integer.toUnsignedLong(written.getValue()), new byte[0]);
    }

    /** Writes {@code text} as UTF-8 at {@code offset}, without write-through. */
    public IoResult write(long offset, String text) {
        return write(offset, text.getBytes(StandardCharsets.UTF_8), false);
    }

    /** Renames the file to {@code newPath} on its volume (FileRenameInformation). */
    public NtStatus rename(String newPath, boolean replaceIfExists) {
        return NtStatus.of(kernel.asProcess(process,
                lib -> lib.EmuFileRename(live(), newPath, replaceIfExists ? 1 : 0)));
    }

    /**
     * Renames the file as NtSetInformationFile does: {@code newName} is a volume-relative path
     * ({@code "\\dir\\name"}), or a simple name (the file's own directory); {@code flags} are
     * {@link EmuLibrary#NAME_REPLACE_IF_EXISTS}, {@link EmuLibrary#NAME_EX_CLASS} (FileRenameInformationEx)
     * and {@link EmuLibrary#NAME_BYPASS_ACCESS_CHECK}.
     */
    public NtStatus rename(String newName, int flags) {
        return NtStatus.of(kernel.asProcess(process, lib -> lib.EmuFileRenameEx(live(), 0, newName, flags)));
    }

    /**
     * Gives the file another name, a hard link (FileLinkInformation, or FileLinkInformationEx with
     * {@link EmuLibrary#NAME_EX_CLASS}): {@code linkName} as in {@link #rename(String, int)}.
     */
    public NtStatus link(String linkName, int flags) {
        return NtStatus.of(kernel.asProcess(process, lib -> lib.EmuFileLink(live(), 0, linkName, flags)));
    }

    /** Marks the file for deletion (FileDispositionInformation); it goes when the last handle closes. */
    public NtStatus delete() {
        return NtStatus.of(kernel.asProcess(process, lib -> lib.EmuFileDelete(live())));
    }

    /** Sets the end of file (FileEndOfFileInformation). */
    public NtStatus setEndOfFile(long endOfFile) {
        return NtStatus.of(kernel.asProcess(process, lib -> lib.EmuFileSetEndOfFile(live(), endOfFile)));
    }

    /** The file's size as the file system reports it (FileStandardInformation.EndOfFile). */
    public long size() {
        LongByReference size = new LongByReference();
        NtStatus status = NtStatus.of(kernel.asProcess(process, lib -> lib.EmuFileQuerySize(live(), size)));
        if (!status.isSuccess()) {
            throw new IllegalStateException("querying the size of " + volume + path + " failed with " + status);
        }
        return size.getValue();
    }

    public boolean isOpen() {
        return !closed;
    }

    /** Closes the handle (cleanup, then close) and returns the status; idempotent (later calls: SUCCESS). */
    public NtStatus closeHandle() {
        if (closed) {
            return NtStatus.SUCCESS;
        }
        closed = true;
        kernel.forget(this);
        return NtStatus.of(kernel.asProcess(process, lib -> lib.EmuFileClose(handle)));
    }

    @Override
    public void close() {
        closeHandle();
    }

    private long live() {
        if (closed) {
            throw new IllegalStateException("the handle of " + volume + path + " is closed");
        }
        return handle;
    }

    @Override
    public String toString() {
        return volume + path + " (handle " + handle + ", pid " + process.pid() + ")";
    }
}
