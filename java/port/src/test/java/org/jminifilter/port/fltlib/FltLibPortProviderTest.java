package org.jminifilter.port.fltlib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
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

    @Test
    void boundToALibraryItIsSupportedAnywhereAndAMissingFileIsNamed() {
        Path missing = Path.of("/nonexistent/libjmfemu.so");
        FltLibPortProvider provider = FltLibPortProvider.boundTo(missing,
                FltLibFilterPort.Settings.forBodySize(Protocol.ASK_SIZE));

        UnsupportedPlatformException e = assertThrows(UnsupportedPlatformException.class,
                () -> provider.connect(Protocol.PORT_NAME, ConnectContext.current()));

        assertTrue(provider.isSupported(), "a bound provider does not need Windows");
        assertEquals("fltlib", provider.name());
        assertTrue(e.getMessage().contains(missing.toString()) && e.getMessage().contains("in place of fltlib.dll"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> FltLibPortProvider.boundTo(missing,
                FltLibFilterPort.Settings.forBodySize(Protocol.ASK_SIZE - 1)), "too small for a JMF_ASK");
    }

    @Test
    void withoutPropertiesTheSettingsAreTheDefaultsForAJmfAsk() {
        assertEquals(FltLibFilterPort.Settings.forBodySize(Protocol.ASK_SIZE),
                FltLibPortProvider.settingsFrom(new Properties()));
    }

    @Test
    void receiversAndCloseTimeoutComeFromTheirProperties() {
        Properties properties = new Properties();
        properties.setProperty(FltLibPortProvider.RECEIVERS_PROPERTY, " 16 ");
        properties.setProperty(FltLibPortProvider.CLOSE_TIMEOUT_PROPERTY, "PT30S");

        FltLibFilterPort.Settings settings = FltLibPortProvider.settingsFrom(properties);

        assertEquals(16, settings.receivers());
        assertEquals(Duration.ofSeconds(30), settings.closeTimeout());
        assertEquals(Protocol.ASK_SIZE, settings.receiveBodySize());
        assertEquals(FltLibFilterPort.Settings.DEFAULT_MAX_REPLY_CAPACITY, settings.maxReplyCapacity());
    }

    @Test
    void aBadPropertyValueIsRefusedNamingThePropertyAndTheValue() {
        for (String[] bad : new String[][] {
            {FltLibPortProvider.RECEIVERS_PROPERTY, "0", "a whole number 1..64"},
            {FltLibPortProvider.RECEIVERS_PROPERTY, "65", "a whole number 1..64"},
            {FltLibPortProvider.RECEIVERS_PROPERTY, "four", "a whole number 1..64"},
            {FltLibPortProvider.CLOSE_TIMEOUT_PROPERTY, "5000", "an ISO-8601 duration such as PT10S"},
            {FltLibPortProvider.CLOSE_TIMEOUT_PROPERTY, "-PT1S", "a duration that is not negative"}}) {
            Properties properties = new Properties();
            properties.setProperty(bad[0], bad[1]);

            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> FltLibPortProvider.settingsFrom(properties));

            assertEquals("system property " + bad[0] + " is '" + bad[1] + "'; expected " + bad[2], e.getMessage());
        }
    }

    @Test
    void theServiceLoadersProviderReadsTheSystemPropertiesAtEachConnect() {
        FltLibPortProvider provider = new FltLibPortProvider(() -> false);
        String before = System.getProperty(FltLibPortProvider.RECEIVERS_PROPERTY);
        try {
            System.setProperty(FltLibPortProvider.RECEIVERS_PROPERTY, "7");
            assertEquals(7, provider.settings().receivers());
            System.setProperty(FltLibPortProvider.RECEIVERS_PROPERTY, "2");
            assertEquals(2, provider.settings().receivers());
        } finally {
            if (before == null) {
                System.clearProperty(FltLibPortProvider.RECEIVERS_PROPERTY);
            } else {
                System.setProperty(FltLibPortProvider.RECEIVERS_PROPERTY, before);
            }
        }
    }

    @Test
    void explicitSettingsAreUsedAndMustHoldAnAsk() {
        FltLibFilterPort.Settings settings = FltLibFilterPort.Settings.forBodySize(Protocol.ASK_SIZE).withReceivers(12);
        assertEquals(settings, new FltLibPortProvider(settings).settings());

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new FltLibPortProvider(FltLibFilterPort.Settings.forBodySize(Protocol.ASK_SIZE - 1)));
        assertTrue(e.getMessage().contains("cannot hold a JMF_ASK"), e.getMessage());
    }
}
