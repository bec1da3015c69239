package org.jminifilter.emulator;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;

/**
 * The thin JNA binding of {@code native-driver/host/emu/include/jmf_emu.h}: libjmfemu.so, the
 * emulated Filter Manager with the real driver linked in. One method per C function, plain JNA
 * types ({@code int32_t}/{@code uint32_t} as int, {@code uint64_t}/{@code int64_t} as long,
 * {@code uint16_t} as short), Strings passed as NUL-terminated UTF-8 (the control API's
 * encoding). Port names are NUL-terminated UTF-16, built with {@link #utf16z}. Nothing here
 * interprets a result: {@link EmulatedKernel} and {@link EmulatedKernelPort} do.
 */
public interface EmuLibrary extends Library {

    /**
     * System property naming the library file explicitly; it wins over the copy the
     * jminifilter-emulator jar carries (see {@link #get()} for the whole lookup).
     */
    String LIBRARY_PROPERTY = "jmf.emu.library";
    /** System property naming a jminifilter checkout (set by its build for its tests): development fallback. */
    String ROOT_PROPERTY = "jmf.root";
    /** Where the host build puts the library, relative to the repository root. */
    String RELATIVE_PATH = "native-driver/host/emu/build/libjmfemu.so";
    /**
     * System property naming a real driver binary (the {@code .sys} the real-WDK check links) that
     * the emulator runs instead of its built-in driver. The library loaded is then the host build's
     * {@value #SYS_RELATIVE_PATH} (the emulator without the driver's sources): next to
     * {@code -Djmf.emu.library} if that is set, else in the checkout ({@code -Djmf.root}, or the
     * working directory and its ancestors). For developers with the WDK toolchain; not shipped.
     */
    String DRIVER_IMAGE_PROPERTY = "jmf.emu.driverImage";
    /** Where the host build puts the library without a linked driver, relative to the repository root. */
    String SYS_RELATIVE_PATH = "native-driver/host/emu/build/libjmfemu-sys.so";

    // ---- user side of the communication port (fltlib's semantics and HRESULTs)
    int EmuFilterConnectCommunicationPort(Pointer portName, int options, Pointer context, short contextSize,
            Pointer securityAttributes, PointerByReference port);

    int EmuFilterSendMessage(Pointer port, Pointer inBuffer, int inBufferSize, Pointer outBuffer,
            int outBufferSize, IntByReference bytesReturned);

    int EmuFilterGetMessage(Pointer port, Pointer messageBuffer, int messageBufferSize);

    int EmuFilterGetMessageTimeout(Pointer port, Pointer messageBuffer, int messageBufferSize, int timeoutMs);

    int EmuFilterCancelGets(Pointer port);

    int EmuFilterReplyMessage(Pointer port, Pointer replyBuffer, int replyBufferSize);

    int EmuFilterClose(Pointer port);

    // ---- control: the emulated kernel
    int EmuReset();

    int EmuCreateVolume(String ntName, int stackSize, int flags);

    int EmuSetProcess(int pid, String imageNtPath, int privileged);

    int EmuSetCurrentProcess(int pid);

    void EmuSetPostOperationIrql(byte majorFunction, byte irql);

    int EmuLoadDriver(String altitude);

    /** The driver binary EmuLoadDriver maps and runs (libjmfemu-sys.so only; see {@link #DRIVER_IMAGE_PROPERTY}). */
    int EmuSetDriverImage(String path);

    int EmuUnloadDriver();

    int EmuUnloadDriverEx(int flags);

    int EmuDetachDriver(int volumeId);

    void EmuSetNextAltitude(String altitude);

    // ---- control: file operations, issued as the calling thread's current process
    int EmuFileOpen(int volumeId, String path, int desiredAccess, int shareAccess, int disposition,
            int createOptions, int fileAttributes, LongByReference handle, LongByReference information);

    int EmuFileRead(long handle, long offset, byte[] buffer, int length, IntByReference bytesRead);

    int EmuFileReadEx(long handle, long offset, byte[] buffer, int length, int ioFlags, IntByReference bytesRead);

    int EmuFileWrite(long handle, long offset, byte[] buffer, int length, int ioFlags, IntByReference bytesWritten);

    int EmuFileRename(long handle, String newPath, int replaceIfExists);

    /** {@code flags}: {@link #NAME_REPLACE_IF_EXISTS}, {@link #NAME_EX_CLASS}, {@link #NAME_BYPASS_ACCESS_CHECK}. */
    int EmuFileRenameEx(long handle, long rootDirectory, String newName, int flags);

    int EmuFileLink(long handle, long rootDirectory, String linkName, int flags);

    int EmuFileDelete(long handle);

    int EmuFileSetEndOfFile(long handle, long endOfFile);

    int EmuFileQuerySize(long handle, LongByReference endOfFile);

    int EmuFileClose(long handle);

    // ---- control: the observer filter (records what reaches it, for looking below the driver)
    int EmuObserverStart(String altitude);

    /** {@code observed}: 48 bytes, EMU_OBSERVED's layout (see {@link ObservedOperation#decode}). */
    int EmuObserverLast(byte majorFunction, byte[] observed);

    int EmuObserverStop();

    // ---- control: the file systems directly (no filters)
    int EmuFsExists(int volumeId, String path);

    long EmuFsRead(int volumeId, String path, byte[] buffer, int capacity);

    int EmuFsPut(int volumeId, String path, byte[] data, int length, int isDirectory);

    // ---- the driver's own compiler and matcher (jminifilter explain); UTF-16 strings as short[]
    int EmuExplain(byte[] policyBody, int length, int phase, int operation, short[] volume, int volumeChars,
            int processId, int desiredAccess, int disposition, int createOptions, int observed, short[] path,
            int pathChars, short[] image, int imageChars, IntByReference ruleIndex);

    // ---- control: what the emulator caught
    int EmuViolationCount();

    int EmuViolationText(int index, byte[] buffer, int capacity);

    void EmuViolationsClear();

    void EmuCheckLeaks();

    long EmuPoolBlocks();

    /** EMU_IO_FAST: the fast I/O flavour of a read or write. */
    int IO_FAST = 0x1;
    /** EMU_IO_WRITE_THROUGH: SL_WRITE_THROUGH on a write. */
    int IO_WRITE_THROUGH = 0x2;

    /** EMU_NAME_*: ReplaceIfExists (FILE_*_REPLACE_IF_EXISTS with the Ex class). */
    int NAME_REPLACE_IF_EXISTS = 0x1;
    /** EMU_NAME_EX_CLASS: FileRenameInformationEx / FileLinkInformationEx. */
    int NAME_EX_CLASS = 0x2;
    /** EMU_NAME_BYPASS_ACCESS_CHECK: the *BypassAccessCheck information class. */
    int NAME_BYPASS_ACCESS_CHECK = 0x4;
    /** EMU_VOLUME_NETWORK. */
    int VOLUME_NETWORK = 0x1;
    /** EMU_E_WAIT_TIMEOUT, returned by EmuFilterGetMessageTimeout only (not an fltlib HRESULT). */
    int E_WAIT_TIMEOUT = 0x80070102;
    /** What EmuFilterGetMessageTimeout takes as "forever". */
    int INFINITE = 0xFFFFFFFF;

    /** @return {@code text} as NUL-terminated UTF-16LE, the emulator's port-name encoding */
    static byte[] utf16z(String text) {
        byte[] chars = text.getBytes(java.nio.charset.StandardCharsets.UTF_16LE);
        byte[] z = new byte[chars.length + 2];
        System.arraycopy(chars, 0, z, 0, chars.length);
        return z;
    }

    /**
     * Loads the library once per JVM (the emulator is process-global state). First found wins:
     * {@code -Djmf.emu.library}, then the class-path resource {@code linux-x86-64/libjmfemu.so}
     * (JNA's platform prefix; the jminifilter-emulator jar carries it), then, in a checkout of
     * this repository only, the host build's output (under {@code -Djmf.root}, the working
     * directory or their ancestors).
     *
     * @throws EmulatorUnavailableException naming what was looked at and what to do (on a
     *         platform with no build: use MockFilterPort)
     */
    static EmuLibrary get() {
        return Holder.load();
    }

    /** @return true when {@link #get()} would succeed */
    static boolean isAvailable() {
        try {
            get();
            return true;
        } catch (EmulatorUnavailableException e) {
            return false;
        }
    }

    /** Loads once; remembers a failure so every caller gets the same clear message. */
    final class Holder {
        private static EmuLibrary instance;
        private static EmulatorUnavailableException failure;
        private static EmuLibraryLocator.Location location;

        private Holder() {
        }

        static synchronized EmuLibrary load() {
            if (instance != null) {
                return instance;
            }
            if (failure != null) {
                throw failure;
            }
            String sys = System.getProperty(DRIVER_IMAGE_PROPERTY);
            if (sys != null && !sys.isBlank()) {
                return loadWithDriverImage(Paths.get(sys.strip()).toAbsolutePath());
            }
            EmuLibraryLocator.Location found;
            try {
                found = EmuLibraryLocator.forThisJvm().locate();
            } catch (EmulatorUnavailableException e) {
                failure = e;
                throw e;
            }
            try {
                instance = Native.load(found.file().toString(), EmuLibrary.class,
                        Map.of(Library.OPTION_STRING_ENCODING, "UTF-8"));
                location = found;
                return instance;
            } catch (UnsatisfiedLinkError e) {
                failure = new EmulatorUnavailableException("the emulated Filter Manager library " + found.origin()
                        + " could not be loaded (" + e.getMessage() + "): it must be a build for this platform ("
                        + com.sun.jna.Platform.RESOURCE_PREFIX + "); elsewhere test against MockFilterPort", e);
                throw failure;
            } finally {
                if (found.temporary()) {
                    // Loaded (or not): the mapping stays valid without the file, as with JNA's own extractions.
                    try {
                        Files.deleteIfExists(found.file());
                    } catch (java.io.IOException | RuntimeException e) {
                        found.file().toFile().deleteOnExit();
                    }
                }
            }
        }

        /** {@value #DRIVER_IMAGE_PROPERTY}: the host build's emulator without a linked driver, running {@code image}. */
        private static EmuLibrary loadWithDriverImage(Path image) {
            Path library = sysLibrary();
            if (!Files.isRegularFile(image)) {
                failure = new EmulatorUnavailableException("-D" + DRIVER_IMAGE_PROPERTY + "=" + image
                        + " names no file: link the driver with the real-WDK check (see the README)");
                throw failure;
            }
            if (library == null) {
                failure = new EmulatorUnavailableException("-D" + DRIVER_IMAGE_PROPERTY + " needs " + SYS_RELATIVE_PATH
                        + " of a jminifilter checkout: build it with `make -C native-driver/host/emu all` and run from"
                        + " the checkout (or set -D" + ROOT_PROPERTY + ")");
                throw failure;
            }
            try {
                EmuLibrary loaded = Native.load(library.toString(), EmuLibrary.class,
                        Map.of(Library.OPTION_STRING_ENCODING, "UTF-8"));
                loaded.EmuSetDriverImage(image.toString());
                instance = loaded;
                location = new EmuLibraryLocator.Location(library, EmuLibraryLocator.Source.DEVELOPMENT_BUILD,
                        library + " with -D" + DRIVER_IMAGE_PROPERTY + "=" + image, false);
                return instance;
            } catch (UnsatisfiedLinkError e) {
                failure = new EmulatorUnavailableException("the emulated Filter Manager library " + library
                        + " could not be loaded (" + e.getMessage() + ")", e);
                throw failure;
            }
        }

        private static Path sysLibrary() {
            String explicit = System.getProperty(LIBRARY_PROPERTY);
            if (explicit != null && !explicit.isBlank()) {
                Path candidate = Paths.get(explicit.strip()).toAbsolutePath().resolveSibling("libjmfemu-sys.so");
                return Files.isRegularFile(candidate) ? candidate : null;
            }
            String root = System.getProperty(ROOT_PROPERTY);
            if (root != null && !root.isBlank()) {
                Path candidate = Paths.get(root.strip()).resolve(SYS_RELATIVE_PATH).toAbsolutePath().normalize();
                return Files.isRegularFile(candidate) ? candidate : null;
            }
            for (Path d = Paths.get("").toAbsolutePath(); d != null; d = d.getParent()) {
                if (Files.isRegularFile(d.resolve(SYS_RELATIVE_PATH))) {
                    return d.resolve(SYS_RELATIVE_PATH);
                }
            }
            return null;
        }

        /** The loaded library, or null before a successful load. */
        static synchronized EmuLibrary instance() {
            return instance;
        }

        /** Where the loaded library came from, or null before a successful load. */
        static synchronized EmuLibraryLocator.Location location() {
            return location;
        }
    }
}
