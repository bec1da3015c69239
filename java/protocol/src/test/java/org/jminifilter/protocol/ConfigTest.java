package org.jminifilter.protocol;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jminifilter.policy.DefaultVerdict;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Config's constructor refuses what JmfValidateConfig refuses, naming the field, and accepts the edges. */
class ConfigTest {
    static void refused(String text, Executable e) {
        IllegalArgumentException x = assertThrows(IllegalArgumentException.class, e);
        assertTrue(x.getMessage().startsWith(text), "\"" + x.getMessage() + "\" should start with \"" + text + "\"");
    }

    @Test
    void defaultsAreTheHeadersDefaults() {
        Config d = Config.defaults();
        assertEquals(Protocol.DEFAULT_ASK_TIMEOUT_MS, d.askTimeoutMs());
        assertEquals(Protocol.DEFAULT_VERDICT, d.defaultVerdict().code());
        assertEquals(Protocol.DEFAULT_DENY_STATUS, d.defaultDenyStatus());
        assertEquals(Protocol.DEFAULT_ON_DISCONNECT, d.onDisconnect().code());
        assertEquals(Protocol.DEFAULT_MAX_ASKS_IN_FLIGHT, d.maxAsksInFlight());
    }

    @Test
    void askTimeoutIsOneTo60000() {
        refused("AskTimeoutMs: 0 is outside 1..60000", () -> Config.defaults().withAskTimeoutMs(0));
        refused("AskTimeoutMs: 60001", () -> Config.defaults().withAskTimeoutMs(60001));
        refused("AskTimeoutMs: 4294967295", () -> Config.defaults().withAskTimeoutMs(-1));
        assertDoesNotThrow(() -> Config.defaults().withAskTimeoutMs(1).withAskTimeoutMs(60000));
    }

    @Test
    void defaultVerdictIsAllowOrDeny() {
        refused("DefaultVerdict: CONFIGURED is neither ALLOW nor DENY",
                () -> Config.defaults().withDefaultVerdict(DefaultVerdict.CONFIGURED));
        refused("DefaultVerdict: null", () -> Config.defaults().withDefaultVerdict(null));
        assertDoesNotThrow(() -> Config.defaults().withDefaultVerdict(DefaultVerdict.DENY));
    }

    @Test
    void denyStatusIsAnErrorOrZeroWithAnAllowDefault() {
        refused("DefaultDenyStatus: 0x00000000", () -> Config.defaults().withDefaultVerdict(DefaultVerdict.DENY)
                .withDefaultDenyStatus(0));
        refused("DefaultDenyStatus: 0x80000005", () -> Config.defaults().withDefaultDenyStatus(0x80000005));
        refused("DefaultDenyStatus: 0xC01C0004", () -> Config.defaults().withDefaultDenyStatus(0xC01C0004));
        assertEquals(0, Config.defaults().withDefaultDenyStatus(0).defaultDenyStatus());
    }

    @Test
    void onDisconnectIsRequired() {
        refused("OnDisconnect: null", () -> Config.defaults().withOnDisconnect(null));
        assertEquals(Config.OnDisconnect.CLEAR_POLICY,
                Config.defaults().withOnDisconnect(Config.OnDisconnect.CLEAR_POLICY).onDisconnect());
    }

    @Test
    void maxAsksInFlightIsOneTo256() {
        refused("MaxAsksInFlight: 0 is outside 1..256", () -> Config.defaults().withMaxAsksInFlight(0));
        refused("MaxAsksInFlight: 257", () -> Config.defaults().withMaxAsksInFlight(257));
        assertDoesNotThrow(() -> Config.defaults().withMaxAsksInFlight(1).withMaxAsksInFlight(256));
    }
}
