package org.jminifilter.cli.output;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import org.jminifilter.protocol.Config;

/** A configuration in the words of a policy file's {@code config:} section. */
public final class ConfigView {
    private ConfigView() {
    }

    /** Key to value, in the order the README documents them. */
    public static Map<String, String> of(Config c) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("ask-timeout-ms", Integer.toString(c.askTimeoutMs()));
        m.put("default-verdict", c.defaultVerdict().name().toLowerCase(Locale.ROOT));
        m.put("default-deny-status", c.defaultDenyStatus() == 0 ? "0" : StatusText.of(c.defaultDenyStatus()));
        m.put("on-disconnect", c.onDisconnect().name().toLowerCase(Locale.ROOT).replace('_', '-'));
        m.put("max-asks-in-flight", Integer.toString(c.maxAsksInFlight()));
        return m;
    }
}
