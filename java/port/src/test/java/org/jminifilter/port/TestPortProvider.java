package org.jminifilter.port;

import org.jminifilter.port.mock.MockDriver;
import org.jminifilter.protocol.ConnectContext;

/** A provider found through ServiceLoader in tests (listed in test resources): mock ports. */
public final class TestPortProvider implements FilterPortProvider {

    public static final String NAME = "test-mock";
    static final MockDriver DRIVER = new MockDriver();

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean isSupported() {
        return true;
    }

    @Override
    public FilterPort connect(String portName, ConnectContext context) {
        return DRIVER.connect(portName, context);
    }
}
