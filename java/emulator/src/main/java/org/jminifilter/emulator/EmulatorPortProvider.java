package org.jminifilter.emulator;

import com.sun.jna.Platform;
import org.jminifilter.port.FilterPort;
import org.jminifilter.port.FilterPortProvider;
import org.jminifilter.port.UnsupportedPlatformException;
import org.jminifilter.protocol.ConnectContext;

/**
 * The {@code "emulator"} provider: the real driver's port inside libjmfemu.so. Select it with
 * {@code -Djminifilter.port.provider=emulator}; the driver must have been loaded in an
 * {@link EmulatedKernel} first (else connecting fails with PortNotFoundException, as it does on
 * Windows when the driver is not loaded).
 */
public final class EmulatorPortProvider implements FilterPortProvider {

    public static final String NAME = "emulator";

    @Override
    public String name() {
        return NAME;
    }

    /** Linux with the library built. */
    @Override
    public boolean isSupported() {
        return Platform.isLinux() && EmuLibrary.isAvailable();
    }

    /** Below fltlib: on Windows the real driver is preferred. */
    @Override
    public int priority() {
        return 10;
    }

    @Override
    public FilterPort connect(String portName, ConnectContext context) {
        EmuLibrary lib;
        try {
            lib = EmuLibrary.get();
        } catch (EmulatorUnavailableException e) {
            UnsupportedPlatformException failure = new UnsupportedPlatformException(e.getMessage());
            failure.initCause(e);
            throw failure;
        }
        return EmulatedKernelPort.connect(lib, portName, context);
    }
}
