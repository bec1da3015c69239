package org.jminifilter.cli.selftest;

import java.util.Arrays;
import java.util.Optional;

import org.jminifilter.protocol.NtStatus;

/**
 * What one file operation of the process under test returned, as that process saw it.
 *
 * <p>The emulated kernel gives the NTSTATUS itself. On Windows a Win32 call gives a Win32 error
 * (GetLastError); the worker also reads the thread's last NTSTATUS ({@code RtlGetLastNtStatus})
 * and keeps it only when it maps back to that same error, so {@link #ntStatus()} is either
 * exact or absent, and a comparison then goes through {@link Win32Errors}.
 *
 * @param ntStatus    the NTSTATUS, when known exactly
 * @param win32Error  the Win32 error, or -1 when the operation was not a Win32 call (emulator)
 * @param handle      the handle id a successful open gave (-1 otherwise)
 * @param information bytes read or written
 * @param data        the bytes read
 */
public record Outcome(Optional<NtStatus> ntStatus, int win32Error, int handle, long information, byte[] data) {

    public Outcome {
        data = data.clone();
        if (ntStatus.isEmpty() && win32Error < 0) {
            throw new IllegalArgumentException("an outcome needs an NTSTATUS or a Win32 error");
        }
    }

    /** An outcome from the emulated kernel (NTSTATUS only). */
    public static Outcome nt(NtStatus status, int handle, long information, byte[] data) {
        return new Outcome(Optional.of(status), -1, handle, information, data);
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    /** The bytes read, as UTF-8. */
    public String text() {
        return new String(data, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** True when the operation succeeded. */
    public boolean succeeded() {
        return ntStatus.map(NtStatus::isSuccess).orElse(win32Error == 0);
    }

    /**
     * True when this is the outcome {@code expected} promises: the same NTSTATUS when it is known,
     * else the Win32 error that NTSTATUS becomes.
     */
    public boolean is(NtStatus expected) {
        if (ntStatus.isPresent()) {
            return ntStatus.get().equals(expected);
        }
        return Win32Errors.matches(expected, win32Error);
    }

    /** The status as a person reads it. */
    public String status() {
        if (ntStatus.isPresent()) {
            return ntStatus.get().name() + (win32Error > 0 ? " (Win32 " + Win32Errors.describe(win32Error) + ")" : "");
        }
        return "Win32 " + Win32Errors.describe(win32Error);
    }

    @Override
    public String toString() {
        return status() + (information != 0 ? ", " + information + " byte(s)" : "");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Outcome other && ntStatus.equals(other.ntStatus) && win32Error == other.win32Error
                && handle == other.handle && information == other.information && Arrays.equals(data, other.data);
    }

    @Override
    public int hashCode() {
        return ntStatus.hashCode() * 31 + win32Error * 7 + handle + Long.hashCode(information) + Arrays.hashCode(data);
    }
}
