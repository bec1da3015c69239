package com.example.policy;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.Platform;
import java.net.URL;
import org.jminifilter.emulator.EmulatedKernel;
import org.junit.jupiter.api.Test;

/**
 * Not something your project needs: this proves that EmulatedKernelTest found libjmfemu.so
 * where a user's project finds it, inside the jminifilter-emulator jar (a class-path resource
 * under JNA's platform prefix, which wins over any other copy), with no property set.
 */
class ShippedLibraryTest {

    @Test
    void theEmulatorJarCarriesTheLibraryAndNoPropertyNamesOne() {
        assertNull(System.getProperty("jmf.emu.library"));
        assertNull(System.getProperty("jmf.root"));
        URL resource = EmulatedKernel.class.getClassLoader().getResource(Platform.RESOURCE_PREFIX + "/libjmfemu.so");

        assertNotNull(resource, "the jminifilter-emulator jar has no " + Platform.RESOURCE_PREFIX + "/libjmfemu.so");
        assertTrue(resource.toString().startsWith("jar:") && resource.toString().contains("jminifilter-emulator-"),
                resource.toString());
    }
}
