package org.jminifilter.emulator;

import com.sun.jna.platform.win32.WinNT;
import com.sun.jna.ptr.LongByReference;
import java.util.Optional;
import org.jminifilter.policy.Disposition;
import org.jminifilter.protocol.NtStatus;

/**
 * A process registered in the emulated kernel (its id and the NT path of its image, what rules
 * match on). Its operations run on the calling Java thread, which the emulator then treats as a
 * thread of this process.
 */
public final class EmulatedProcess {

    /** The share access most callers use: others may read and write. */
    public static final int SHARE_READ_WRITE = WinNT.FILE_SHARE_READ | WinNT.FILE_SHARE_WRITE;
    /** The create options of a synchronous open of a file (not a directory). */
    public static final int FILE_OPTIONS = CreateOptions.FILE_NON_DIRECTORY_FILE
            | CreateOptions.FILE_SYNCHRONOUS_IO_NONALERT;

    private final EmulatedKernel kernel;
    private final int pid;
    private final String image;

    EmulatedProcess(EmulatedKernel kernel, int pid, String image) {
        this.kernel = kernel;
        this.pid = pid;
        this.image = image;
    }

    public int pid() {
        return pid;
    }

    /** The NT path of the process's image, e.g. {@code \Device\HarddiskVolume1\Windows\notepad.exe}. */
    public String image() {
        return image;
    }

    /**
     * Opens or creates {@code path} on {@code volume} (IRP_MJ_CREATE through the filters).
     *
     * @param desiredAccess e.g. {@code Access.FILE_GENERIC_READ | Access.FILE_GENERIC_WRITE} ({@link org.jminifilter.policy.Access})
     * @param shareAccess   {@code WinNT.FILE_SHARE_*}
     * @param createOptions {@link CreateOptions} bits
     */
    public OpenResult open(EmulatedVolume volume, String path, int desiredAccess, int shareAccess,
            Disposition disposition, int createOptions) {
        LongByReference handle = new LongByReference();
        LongByReference information = new LongByReference();
        int status = kernel.asProcess(this, lib -> lib.EmuFileOpen(volume.id(), path, desiredAccess, shareAccess,
                disposition.code(), createOptions, CreateOptions.FILE_ATTRIBUTE_NORMAL, handle, information));
        NtStatus nt = NtStatus.of(status);
        Optional<EmulatedFile> file = Optional.empty();
        if (nt.isSuccess()) {
            file = Optional.of(kernel.remember(new EmulatedFile(kernel, this, volume, path, handle.getValue())));
        }
        return new OpenResult(nt, information.getValue(), file);
    }

    /** Opens a file (not a directory) synchronously, sharing read and write. */
    public OpenResult open(EmulatedVolume volume, String path, int desiredAccess, Disposition disposition) {
        return open(volume, path, desiredAccess, SHARE_READ_WRITE, disposition, FILE_OPTIONS);
    }

    @Override
    public String toString() {
        return "pid " + pid + " (" + image + ")";
    }
}
