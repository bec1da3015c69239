package org.jminifilter.port;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.jminifilter.port.mock.MockFilterPort;
import org.jminifilter.protocol.ConnectContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FilterPortsTest {

    @AfterEach
    void clearProperty() {
        System.clearProperty(FilterPorts.PROVIDER_PROPERTY);
    }

    private static FilterPortProvider provider(String name, boolean supported, int priority) {
        return new FilterPortProvider() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public boolean isSupported() {
                return supported;
            }

            @Override
            public int priority() {
                return priority;
            }

            @Override
            public FilterPort connect(String portName, ConnectContext context) {
                throw new UnsupportedOperationException();
            }
        };
    }

    @Test
    void serviceLoaderFindsTheFltlibProviderAndOthersOnTheClassPath() {
        List<String> names = FilterPorts.providers().stream().map(FilterPortProvider::name).toList();

        assertTrue(names.contains("fltlib"), names.toString());
        assertTrue(names.contains(TestPortProvider.NAME), names.toString());
        assertEquals("fltlib", names.get(0), "highest priority first");
    }

    @Test
    void withoutANameTheSupportedProviderOfHighestPriorityIsChosen() {
        FilterPortProvider windowsOnly = provider("fltlib", false, 100);
        FilterPortProvider low = provider("low", true, 1);
        FilterPortProvider high = provider("high", true, 5);

        assertSame(high, FilterPorts.select(FilterPorts.providers(List.of(windowsOnly, low, high)), null, "Linux"));
        assertSame(windowsOnly, FilterPorts.select(List.of(provider("x", true, 0), windowsOnly), "fltlib", "Linux"),
                "a named provider is taken even where unsupported: its connect says why it cannot work");
    }

    @Test
    void anUnknownNameListsTheProvidersThereAre() {
        UnsupportedPlatformException e = assertThrows(UnsupportedPlatformException.class,
                () -> FilterPorts.select(List.of(provider("fltlib", false, 100)), "emulator", "Linux"));

        assertTrue(e.getMessage().contains("'emulator'"), e.getMessage());
        assertTrue(e.getMessage().contains("fltlib (unsupported here)"), e.getMessage());
        assertEquals(FilterPortException.NO_HRESULT, e.hresult());
    }

    @Test
    void noSupportedProviderSaysWindowsIsNeeded() {
        UnsupportedPlatformException e = assertThrows(UnsupportedPlatformException.class,
                () -> FilterPorts.select(List.of(provider("fltlib", false, 100)), null, "Linux"));

        assertTrue(e.getMessage().contains("Linux"), e.getMessage());
        assertTrue(e.getMessage().contains("needs Windows"), e.getMessage());
        assertTrue(e.getMessage().contains(FilterPorts.PROVIDER_PROPERTY), e.getMessage());
    }

    @Test
    void theSystemPropertyPicksTheProviderConnectUses() {
        System.setProperty(FilterPorts.PROVIDER_PROPERTY, TestPortProvider.NAME);

        try (FilterPort port = FilterPorts.connect()) {
            assertTrue(port instanceof MockFilterPort);
            assertEquals(ConnectContext.current(), ((MockFilterPort) port).connectContext());
        }
        assertThrows(PortNotFoundException.class,
                () -> FilterPorts.connect("\\NoSuchPort", ConnectContext.current()));
    }
}
