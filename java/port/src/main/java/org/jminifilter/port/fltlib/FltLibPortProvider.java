package org.jminifilter.port.fltlib;

import com.sun.jna.Platform;
import com.sun.jna.platform.win32.Kernel32;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import java.util.Properties;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.jminifilter.port.FilterPort;
import org.jminifilter.port.FilterPortProvider;
import org.jminifilter.port.UnsupportedPlatformException;
import org.jminifilter.protocol.ConnectContext;
import org.jminifilter.protocol.Protocol;

/**
 * The {@code "fltlib"} provider: the real driver's port through fltlib.dll. Supported on Windows
 * only; the DLLs are loaded on the first connect, never before, and never on another OS.
 *
 * <p>The port's settings: the provider {@link java.util.ServiceLoader} creates (what
 * {@link org.jminifilter.port.FilterPorts#connect()} uses) reads two system properties on each
 * connect, in {@link #settingsFrom(Properties)} only:
 * <ul>
 *   <li>{@value #RECEIVERS_PROPERTY}: FilterGetMessage calls kept outstanding, 1..64 (default 4);</li>
 *   <li>{@value #CLOSE_TIMEOUT_PROPERTY}: how long close waits for cancelled receives and for
 *       callers to leave, an ISO-8601 duration such as {@code PT10S} (default 5 s).</li>
 * </ul>
 * Code that builds the provider itself passes a {@link FltLibFilterPort.Settings} instead.
 */
public final class FltLibPortProvider implements FilterPortProvider {

    public static final String NAME = "fltlib";
    public static final String RECEIVERS_PROPERTY = "jminifilter.fltlib.receivers";
    public static final String CLOSE_TIMEOUT_PROPERTY = "jminifilter.fltlib.closeTimeout";

    private final BooleanSupplier windows;
    private final Supplier<FltLibFilterPort.Settings> settings;
    /** Where the functions come from: fltlib.dll and kernel32.dll, or (tests only) another library. */
    private final Supplier<Libraries> libraries;

    /** Settings from the system properties, read on each connect. */
    public FltLibPortProvider() {
        this(Platform::isWindows, () -> settingsFrom(System.getProperties()));
    }

    /**
     * Fixed settings.
     *
     * @throws IllegalArgumentException when the receive buffers could not hold a JMF_ASK
     */
    public FltLibPortProvider(FltLibFilterPort.Settings settings) {
        this(Platform::isWindows, fixed(settings));
    }

    FltLibPortProvider(BooleanSupplier windows) {
        this(windows, () -> settingsFrom(System.getProperties()));
    }

    FltLibPortProvider(BooleanSupplier windows, Supplier<FltLibFilterPort.Settings> settings) {
        this(windows, settings, Libraries::get);
    }

    private FltLibPortProvider(BooleanSupplier windows, Supplier<FltLibFilterPort.Settings> settings,
            Supplier<Libraries> libraries) {
        this.windows = Objects.requireNonNull(windows, "windows");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.libraries = Objects.requireNonNull(libraries, "libraries");
    }

    /**
     * For tests and the self-test only: the same provider and the same {@link FltLibFilterPort}, with
     * fltlib's four functions and the kernel32 functions it calls (CreateIoCompletionPort,
     * GetQueuedCompletionStatus, PostQueuedCompletionStatus, CancelIoEx, CloseHandle, GetLastError)
     * bound from {@code library} instead of fltlib.dll and kernel32.dll, with the same JNA interfaces
     * and options, on any OS. The emulator's libjmfemu.so exports those names with Windows' semantics,
     * so the Windows code path runs against the emulated driver on Linux. Supported wherever the file
     * loads; loaded on the first connect. Production code never calls this: the public constructors
     * bind the DLLs.
     *
     * @param library the path of a shared library exporting fltlib's and kernel32's names
     * @throws IllegalArgumentException when the receive buffers could not hold a JMF_ASK
     */
    public static FltLibPortProvider boundTo(Path library, FltLibFilterPort.Settings settings) {
        Objects.requireNonNull(library, "library");
        Supplier<FltLibFilterPort.Settings> fixedSettings = fixed(settings);
        String path = library.toAbsolutePath().toString();
        Libraries[] loaded = new Libraries[1];
        return new FltLibPortProvider(() -> true, fixedSettings, () -> {
            synchronized (loaded) {
                if (loaded[0] == null) {
                    loaded[0] = Libraries.from(path);
                }
                return loaded[0];
            }
        });
    }

    private static Supplier<FltLibFilterPort.Settings> fixed(FltLibFilterPort.Settings settings) {
        Objects.requireNonNull(settings, "settings");
        if (settings.receiveBodySize() < Protocol.ASK_SIZE) {
            throw new IllegalArgumentException("receiveBodySize " + settings.receiveBodySize()
                    + " cannot hold a JMF_ASK (" + Protocol.ASK_SIZE + " bytes)");
        }
        return () -> settings;
    }

    /**
     * The settings the two system properties ask for, defaults for those not set.
     *
     * @throws IllegalArgumentException naming the property and its value, when a value is not valid
     */
    public static FltLibFilterPort.Settings settingsFrom(Properties properties) {
        FltLibFilterPort.Settings settings = FltLibFilterPort.Settings.forBodySize(Protocol.ASK_SIZE);
        String receivers = properties.getProperty(RECEIVERS_PROPERTY);
        if (receivers != null) {
            int count;
            try {
                count = Integer.parseInt(receivers.strip());
            } catch (NumberFormatException e) {
                throw invalid(RECEIVERS_PROPERTY, receivers, "a whole number 1.." + FltLibFilterPort.Settings.MAX_RECEIVERS);
            }
            if (count < 1 || count > FltLibFilterPort.Settings.MAX_RECEIVERS) {
                throw invalid(RECEIVERS_PROPERTY, receivers, "a whole number 1.." + FltLibFilterPort.Settings.MAX_RECEIVERS);
            }
            settings = settings.withReceivers(count);
        }
        String closeTimeout = properties.getProperty(CLOSE_TIMEOUT_PROPERTY);
        if (closeTimeout != null) {
            Duration timeout;
            try {
                timeout = Duration.parse(closeTimeout.strip());
            } catch (DateTimeParseException e) {
                throw invalid(CLOSE_TIMEOUT_PROPERTY, closeTimeout, "an ISO-8601 duration such as PT10S");
            }
            if (timeout.isNegative()) {
                throw invalid(CLOSE_TIMEOUT_PROPERTY, closeTimeout, "a duration that is not negative");
            }
            settings = settings.withCloseTimeout(timeout);
        }
        return settings;
    }

    private static IllegalArgumentException invalid(String property, String value, String expected) {
        return new IllegalArgumentException("system property " + property + " is '" + value + "'; expected "
                + expected);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean isSupported() {
        return windows.getAsBoolean();
    }

    /** Above any emulated port: on Windows the real driver is what one wants by default. */
    @Override
    public int priority() {
        return 100;
    }

    /** The settings the next connect uses. */
    FltLibFilterPort.Settings settings() {
        return settings.get();
    }

    @Override
    public FilterPort connect(String portName, ConnectContext context) {
        Objects.requireNonNull(portName, "portName");
        Objects.requireNonNull(context, "context");
        if (!isSupported()) {
            throw new UnsupportedPlatformException("the jminifilter driver's port needs Windows (fltlib.dll);"
                    + " this is " + System.getProperty("os.name") + ". Tests use MockFilterPort, or the"
                    + " emulator's port provider");
        }
        FltLibFilterPort.Settings portSettings = settings();
        Libraries bound = libraries.get();
        return FltLibFilterPort.connect(bound.fltLib, bound.kernel32, bound.cancelIo, portName,
                context.encode(), portSettings);
    }

    /** The loaded DLLs, created on first use; a failed load is retried on the next connect. */
    private static final class Libraries {
        final FltLib fltLib;
        final Kernel32Iocp kernel32;
        final Kernel32CancelIo cancelIo;

        private Libraries(FltLib fltLib, Kernel32Iocp kernel32, Kernel32CancelIo cancelIo) {
            this.fltLib = fltLib;
            this.kernel32 = kernel32;
            this.cancelIo = cancelIo;
        }

        private static Libraries windows() {
            try {
                return new Libraries(FltLib.load(), Kernel32Iocp.of(Kernel32.INSTANCE), Kernel32CancelIo.load());
            } catch (UnsatisfiedLinkError e) {
                UnsupportedPlatformException failure = new UnsupportedPlatformException(
                        "fltlib.dll could not be loaded (" + e.getMessage() + "): the Filter Manager's user-mode"
                                + " library ships with every Windows since XP SP2; check the JVM is not 32-bit"
                                + " on a 64-bit system and that System32 is reachable");
                failure.initCause(e);
                throw failure;
            }
        }

        /** The three interfaces bound from one library file ({@link #boundTo}), with the DLLs' options. */
        static Libraries from(String library) {
            try {
                return new Libraries(FltLib.loadFrom(library), Kernel32Iocp.loadFrom(library),
                        Kernel32CancelIo.loadFrom(library));
            } catch (UnsatisfiedLinkError e) {
                UnsupportedPlatformException failure = new UnsupportedPlatformException(
                        library + " could not be loaded in place of fltlib.dll and kernel32.dll (" + e.getMessage() + ")");
                failure.initCause(e);
                throw failure;
            }
        }

        private static Libraries loaded;

        static synchronized Libraries get() {
            if (loaded == null) {
                loaded = windows();
            }
            return loaded;
        }
    }
}
