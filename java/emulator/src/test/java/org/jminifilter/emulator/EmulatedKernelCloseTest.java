package org.jminifilter.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * How EmulatedKernel reacts to what the emulator recorded, over a stand-in for libjmfemu.so (no
 * native code needed): a leak reported at unload fails loudly, naming it.
 */
class EmulatedKernelCloseTest {

    private final List<String> recorded = new ArrayList<>();
    private final List<String> calls = new ArrayList<>();

    /** An EmuLibrary that succeeds at everything and records {@link #recorded} violations on unload. */
    private EmuLibrary fakeLibrary(String leakOnUnload) {
        return (EmuLibrary) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {EmuLibrary.class},
                (proxy, method, args) -> {
                    calls.add(method.getName());
                    switch (method.getName()) {
                        case "EmuCreateVolume":
                            return 1;
                        case "EmuReset":
                            recorded.clear(); // as the real one: violations too
                            return 0;
                        case "EmuUnloadDriver":
                            if (leakOnUnload != null) {
                                recorded.add(leakOnUnload);
                            }
                            return 0;
                        case "EmuViolationCount":
                            return recorded.size();
                        case "EmuViolationText": {
                            byte[] text = recorded.get((Integer) args[0]).getBytes(StandardCharsets.UTF_8);
                            byte[] buffer = (byte[]) args[1];
                            System.arraycopy(text, 0, buffer, 0, text.length);
                            return text.length;
                        }
                        case "hashCode":
                            return System.identityHashCode(proxy);
                        case "equals":
                            return proxy == args[0];
                        case "toString":
                            return "fake EmuLibrary";
                        default:
                            if (method.getReturnType() == long.class) {
                                return Long.valueOf(0);
                            }
                            if (method.getReturnType() == void.class) {
                                return null;
                            }
                            return Integer.valueOf(0);
                    }
                });
    }

    @Test
    void closeFailsLoudlyNamingTheLeak() {
        EmulatedKernel kernel = EmulatedKernel.start(fakeLibrary("pool leak: 1 block of tag 'JmfP' (64 bytes)"));
        kernel.createVolume("\\Device\\HarddiskVolume1");
        kernel.loadDriver();

        EmulatorViolationException e = assertThrows(EmulatorViolationException.class, kernel::close);

        assertEquals(List.of("pool leak: 1 block of tag 'JmfP' (64 bytes)"), e.violations());
        assertTrue(e.getMessage().contains("JmfP"), e.getMessage());
        assertTrue(calls.contains("EmuUnloadDriver"));
        EmulatedKernel.start(fakeLibrary(null)).close(); // the failed close still released the emulator
    }

    @Test
    void aCleanUnloadCloses() {
        EmulatedKernel kernel = EmulatedKernel.start(fakeLibrary(null));
        kernel.loadDriver();
        kernel.close();
        assertTrue(calls.indexOf("EmuUnloadDriver") > calls.indexOf("EmuLoadDriver"));
        assertThrows(IllegalStateException.class, kernel::loadDriver, "closed");
    }
}
