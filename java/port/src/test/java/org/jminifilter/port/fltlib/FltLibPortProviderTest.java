package org.jminifilter.port.fltlib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jminifilter.port.UnsupportedPlatformException;
import org.jminifilter.protocol.ConnectContext;
import org.jminifilter.protocol.Protocol;
import org.junit.jupiter.api.Test;

class FltLibPortProviderTest {

    @Test
    void offWindowsConnectingSaysWindowsIsNeededWithoutLoadingAnything() {
        FltLibPortProvider provider = new FltLibPortProvider(() -> false);

        UnsupportedPlatformException e = assertThrows(UnsupportedPlatformException.class,
                () -> provider.connect(Protocol.PORT_NAME, ConnectContext.current()));

        assertFalse(provider.isSupported());
        assertTrue(e.getMessage().contains("needs Windows (fltlib.dll)"), e.getMessage());
        assertTrue(e.getMessage().contains("MockFilterPort"), e.getMessage());
    }

    @Test
    void itIsTheFltlibProviderAndOutranksEmulatedOnes() {
        FltLibPortProvider provider = new FltLibPortProvider();

        assertEquals("fltlib", provider.name());
        assertEquals(System.getProperty("os.name").startsWith("Windows"), provider.isSupported());
        assertTrue(provider.priority() > 0);
    }
}
