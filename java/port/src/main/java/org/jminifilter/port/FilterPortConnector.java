package org.jminifilter.port;

import org.jminifilter.protocol.ConnectContext;

/**
 * Opens a {@link FilterPort}. What the service is given to (re)connect with: in production
 * {@code FilterPorts::connect}, in tests a {@code MockDriver} or the emulator's connector.
 */
@FunctionalInterface
public interface FilterPortConnector {

    /**
     * Connects to the communication port {@code portName} (for jminifilter
     * {@code Protocol.PORT_NAME}), presenting {@code context}.
     *
     * @throws PortNotFoundException      no such port (the driver is not loaded)
     * @throws PortAccessDeniedException  the caller is not elevated
     * @throws ConnectionLimitException   another client holds the port's one connection
     * @throws ProtocolMismatchException  the driver refused the context's protocol version
     * @throws FilterPortException        any other failure
     */
    FilterPort connect(String portName, ConnectContext context);
}
