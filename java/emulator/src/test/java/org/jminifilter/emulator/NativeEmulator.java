package org.jminifilter.emulator;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Assumptions;

/**
 * Whether the tests can use libjmfemu.so. Without it (no C compiler built it) they are skipped
 * with a message, unless {@code -Djmf.native.required=true} (CI), when that is a failure.
 */
final class NativeEmulator {

    private NativeEmulator() {
    }

    static void assumeAvailable() {
        try {
            EmuLibrary.get();
        } catch (EmulatorUnavailableException e) {
            if (Boolean.getBoolean("jmf.native.required")) {
                fail("jmf.native.required=true but the emulator library is unavailable: " + e.getMessage(), e);
            }
            Assumptions.abort("SKIPPED: the emulated Filter Manager is unavailable (" + e.getMessage() + ")");
        }
    }
}
