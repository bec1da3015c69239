package org.jminifilter.cli.selftest;

import java.util.Arrays;
import java.util.Locale;

import org.jminifilter.emulator.EmulatedKernel;
import org.jminifilter.port.FilterPort;
import org.jminifilter.protocol.ConnectContext;

/**
 * The port class the service runs over on the emulated kernel ({@code selftest --emulated --port}):
 * the emulator's own, or the Windows one through the emulator's fltlib and kernel32 shim.
 */
public enum EmulatedPort {
    /** {@code EmulatedKernelPort}: the emulator's port class, calling libjmfemu.so's EmuFilter* functions. */
    EMULATED("emulated", "the emulator's port class (EmulatedKernelPort)"),
    /**
     * {@code FltLibFilterPort}, the class the service uses on Windows, unchanged, with fltlib's and
     * kernel32's functions bound from libjmfemu.so instead of fltlib.dll and kernel32.dll
     * ({@link EmulatedKernel#connectThroughFltLibShim}).
     */
    FLTLIB_SHIM("fltlib-shim", "the Windows port class (FltLibFilterPort) bound to libjmfemu.so's fltlib and"
            + " kernel32 shim");

    private final String optionName;
    private final String description;

    EmulatedPort(String optionName, String description) {
        this.optionName = optionName;
        this.description = description;
    }

    /** How {@code --port} names it. */
    public String optionName() {
        return optionName;
    }

    /** What it is, for the report's heading. */
    public String description() {
        return description;
    }

    /** Connects to the driver's port on {@code kernel} as the service process, through this port class. */
    FilterPort connect(EmulatedKernel kernel) {
        return this == FLTLIB_SHIM ? kernel.connectThroughFltLibShim(ConnectContext.current()) : kernel.connect();
    }

    /**
     * The port named {@code name} (case-insensitive).
     *
     * @throws IllegalArgumentException naming {@code name} and the names there are
     */
    public static EmulatedPort named(String name) {
        for (EmulatedPort p : values()) {
            if (p.optionName.equals(name.strip().toLowerCase(Locale.ROOT))) {
                return p;
            }
        }
        throw new IllegalArgumentException("\"" + name + "\" is not a port: one of "
                + String.join(", ", Arrays.stream(values()).map(EmulatedPort::optionName).toList()));
    }
}
