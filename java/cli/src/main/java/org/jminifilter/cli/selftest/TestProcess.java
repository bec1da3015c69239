package org.jminifilter.cli.selftest;

import org.jminifilter.policy.Disposition;

/**
 * A process of the machine under test other than the policy service, doing file operations on
 * request (the service's own I/O is never filtered, so the suite never does them itself).
 * Paths are volume-relative ({@code \dir\file.txt}). Handles are small ids this object gives.
 */
public interface TestProcess extends AutoCloseable {

    /** The process id the driver sees (rules of the suite's policy name it). */
    int pid();

    /**
     * Opens or creates {@code path} on {@code volume} for {@code desiredAccess} (winnt.h bits),
     * synchronously, sharing read and write, with {@code createOptions} (NtCreateFile's
     * FILE_WRITE_THROUGH is the only one the suite uses besides a plain file).
     */
    Outcome open(Volume volume, String path, int desiredAccess, Disposition disposition, int createOptions);

    /** Writes at {@code offset} through a handle {@link #open} gave. */
    Outcome write(int handle, long offset, byte[] data);

    /** Reads up to {@code length} bytes at {@code offset}. */
    Outcome read(int handle, long offset, int length);

    /** Closes a handle. */
    Outcome close(int handle);

    /** Renames {@code from} to {@code to} on {@code volume}, not replacing a file there (MoveFileEx with no flags). */
    Outcome rename(Volume volume, String from, String to);

    /** Ends the process (its handles close). */
    @Override
    void close();
}
