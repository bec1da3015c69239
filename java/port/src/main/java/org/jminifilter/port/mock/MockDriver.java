package org.jminifilter.port.mock;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import org.jminifilter.port.FilterPort;
import org.jminifilter.port.FilterPortConnector;
import org.jminifilter.port.FilterPortException;
import org.jminifilter.port.HResult;
import org.jminifilter.port.ReplyCapacity;
import org.jminifilter.protocol.ConnectContext;
import org.jminifilter.protocol.Protocol;

/**
 * The kernel side of connecting, for tests: a {@link FilterPortConnector} that hands out
 * {@link MockFilterPort}s and refuses connections the way the driver and the filter manager do:
 * another port name is not found (0x80070002), a context of another protocol version is refused
 * (0x8007051A), a second connection while one is open hits the limit of one (0x800704D6), and
 * {@link #refuseConnections} makes every attempt fail with a chosen HRESULT (e.g. 0x80070005,
 * not elevated). The policy, its generation, the configuration and the event queue live here,
 * across connections, as they live in the driver.
 */
public final class MockDriver implements FilterPortConnector {

    private final KernelState kernel = new KernelState();
    private final Consumer<MockFilterPort> setup;
    private final List<MockFilterPort> connections = new ArrayList<>();
    private int refusal;

    /** A driver whose connections answer with MockFilterPort's defaults. */
    public MockDriver() {
        this(port -> { });
    }

    /** A driver that runs {@code setup} on each new connection before handing it out (to install handlers). */
    public MockDriver(Consumer<MockFilterPort> setup) {
        this.setup = Objects.requireNonNull(setup, "setup");
    }

    /** Makes every later connect fail with {@code hresult}; 0 accepts connections again. */
    public synchronized MockDriver refuseConnections(int hresult) {
        if (hresult != 0 && !HResult.failed(hresult)) {
            throw new IllegalArgumentException("not a failure HRESULT: " + HResult.hex(hresult));
        }
        refusal = hresult;
        return this;
    }

    @Override
    public synchronized FilterPort connect(String portName, ConnectContext context) {
        Objects.requireNonNull(portName, "portName");
        Objects.requireNonNull(context, "context");
        String call = "FilterConnectCommunicationPort(" + portName + ")";
        if (refusal != 0) {
            throw FilterPortException.forHresult(call, refusal);
        }
        if (!Protocol.PORT_NAME.equals(portName)) {
            throw FilterPortException.forHresult(call, HResult.PORT_NOT_FOUND);
        }
        if (!context.isCurrent()) {
            throw FilterPortException.forHresult(call, HResult.REVISION_MISMATCH);
        }
        if (current().filter(MockFilterPort::isOpen).isPresent()) {
            throw FilterPortException.forHresult(call, HResult.CONNECTION_LIMIT);
        }
        MockFilterPort port = new MockFilterPort(kernel, context, ReplyCapacity.DEFAULT_MAX);
        setup.accept(port);
        connections.add(port);
        notifyAll();
        return port;
    }

    /** @return the most recent connection, open or not */
    public synchronized Optional<MockFilterPort> current() {
        return connections.isEmpty() ? Optional.empty() : Optional.of(connections.get(connections.size() - 1));
    }

    /** @return every connection made so far, oldest first */
    public synchronized List<MockFilterPort> connections() {
        return List.copyOf(connections);
    }

    /**
     * Waits until at least {@code count} connections have been made.
     *
     * @return the {@code count}-th connection (from 1)
     * @throws IllegalStateException when they are not made in time
     */
    public synchronized MockFilterPort awaitConnection(int count, Duration timeout) {
        if (count < 1) {
            throw new IllegalArgumentException("count must be at least 1: " + count);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (connections.size() < count) {
            long millis = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
            if (deadline - System.nanoTime() <= 0) {
                throw new IllegalStateException("connection #" + count + " was not made within " + timeout
                        + " (" + connections.size() + " so far)");
            }
            try {
                wait(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for connection #" + count, e);
            }
        }
        return connections.get(count - 1);
    }
}
