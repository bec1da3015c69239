package org.jminifilter.port.fltlib;

import com.sun.jna.Platform;
import com.sun.jna.platform.win32.Kernel32;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import org.jminifilter.port.FilterPort;
import org.jminifilter.port.FilterPortProvider;
import org.jminifilter.port.UnsupportedPlatformException;
import org.jminifilter.protocol.ConnectContext;
import org.jminifilter.protocol.Protocol;

/**
 * The {@code "fltlib"} provider: the real driver's port through fltlib.dll. Supported on Windows
 * only; the DLLs are loaded on the first connect, never before, and never on another OS.
 */
public final class FltLibPortProvider implements FilterPortProvider {

    public static final String NAME = "fltlib";

    private final BooleanSupplier windows;

    public FltLibPortProvider() {
        this(Platform::isWindows);
    }

    FltLibPortProvider(BooleanSupplier windows) {
        this.windows = windows;
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

    @Override
    public FilterPort connect(String portName, ConnectContext context) {
        Objects.requireNonNull(portName, "portName");
        Objects.requireNonNull(context, "context");
        if (!isSupported()) {
            throw new UnsupportedPlatformException("the jminifilter driver's port needs Windows (fltlib.dll);"
                    + " this is " + System.getProperty("os.name") + ". Tests use MockFilterPort, or the"
                    + " emulator's port provider");
        }
        Libraries libraries = Libraries.get();
        return FltLibFilterPort.connect(libraries.fltLib, libraries.kernel32, libraries.cancelIo, portName,
                context.encode(), FltLibFilterPort.Settings.forBodySize(Protocol.ASK_SIZE));
    }

    /** The loaded DLLs, created on first use; a failed load is retried on the next connect. */
    private static final class Libraries {
        final FltLib fltLib;
        final Kernel32 kernel32;
        final Kernel32CancelIo cancelIo;

        private Libraries() {
            try {
                fltLib = FltLib.load();
                kernel32 = Kernel32.INSTANCE;
                cancelIo = Kernel32CancelIo.load();
            } catch (UnsatisfiedLinkError e) {
                UnsupportedPlatformException failure = new UnsupportedPlatformException(
                        "fltlib.dll could not be loaded (" + e.getMessage() + "): the Filter Manager's user-mode"
                                + " library ships with every Windows since XP SP2; check the JVM is not 32-bit"
                                + " on a 64-bit system and that System32 is reachable");
                failure.initCause(e);
                throw failure;
            }
        }

        private static Libraries loaded;

        static synchronized Libraries get() {
            if (loaded == null) {
                loaded = new Libraries();
            }
            return loaded;
        }
    }
}
