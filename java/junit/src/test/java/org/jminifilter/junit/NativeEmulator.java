package org.jminifilter.junit;

import static org.junit.jupiter.api.Assertions.fail;

import org.jminifilter.emulator.EmulatedKernel;
import org.jminifilter.emulator.EmulatorUnavailableException;
import org.junit.jupiter.api.Assumptions;

/**
 * Whether these tests can use libjmfemu.so: skipped with a message without it, unless
 * {@code -Djmf.native.required=true} (CI), when that is a failure.
 */
final class NativeEmulator {

    private NativeEmulator() {
    }

    static void assumeAvailable() {
        try {
            EmulatedKernel.start().close();
        } catch (EmulatorUnavailableException e) {
            if (Boolean.getBoolean("jmf.native.required")) {
                fail("jmf.native.required=true but the emulator library is unavailable: " + e.getMessage(), e);
            }
            Assumptions.abort("SKIPPED: the emulated Filter Manager is unavailable (" + e.getMessage() + ")");
        }
    }
}
