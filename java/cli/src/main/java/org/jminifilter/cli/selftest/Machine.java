package org.jminifilter.cli.selftest;

import java.util.Optional;

import org.jminifilter.port.FilterPort;

/**
 * The machine under test: two volumes, processes that do file operations, and the driver's port.
 * The suite ({@link SelfTestSuite}) is written once against it; {@link EmulatedMachine} is the
 * real driver on the emulated kernel, {@link WindowsMachine} a real Windows host with the real
 * driver.
 *
 * <p>The direct file operations ({@link #makeDirectory}, {@link #putText}, {@link #readText},
 * {@link #exists}) set up and inspect the volumes without being filtered: on the emulator they
 * bypass the filters, on Windows they run in the connected policy service's own process, whose
 * I/O the driver never filters.
 */
public interface Machine extends AutoCloseable {

    /** What this machine is, for the report's heading. */
    String description();

    /** The volume the scenarios work on. */
    Volume first();

    /** The second volume, the redirect target. */
    Volume second();

    /** Creates a directory (and its parents) directly. */
    void makeDirectory(Volume volume, String path);

    /** Creates or replaces a UTF-8 file directly. */
    void putText(Volume volume, String path, String text);

    /** A file's content as UTF-8, read directly, or empty when it does not exist. */
    Optional<String> readText(Volume volume, String path);

    /** Whether a file or directory exists, looked at directly. */
    boolean exists(Volume volume, String path);

    /** Removes a directory tree the suite made (best effort: the report says what it could not remove). */
    void removeTree(Volume volume, String path);

    /** Starts a process to do the scenarios' file operations. */
    TestProcess startProcess();

    /** Connects to the driver's port (the caller owns the port). */
    FilterPort connect();

    /**
     * The SL_* operation flags of the last write that reached the file system below the driver,
     * when this machine can see below the driver (the emulator's observer filter); empty on
     * Windows, where only the driver's event reports the change.
     */
    Optional<Integer> lastWriteFlagsBelow();

    /** Stops what the machine started (processes, the emulated kernel). */
    @Override
    void close();
}
