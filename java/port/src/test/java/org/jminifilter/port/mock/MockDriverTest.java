package org.jminifilter.port.mock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jminifilter.port.ConnectionLimitException;
import org.jminifilter.port.FilterPort;
import org.jminifilter.port.HResult;
import org.jminifilter.port.PortAccessDeniedException;
import org.jminifilter.port.PortNotFoundException;
import org.jminifilter.port.ProtocolMismatchException;
import org.jminifilter.protocol.Command;
import org.jminifilter.protocol.ConnectContext;
import org.jminifilter.protocol.ErrorCode;
import org.jminifilter.protocol.Protocol;
import org.jminifilter.protocol.Result;
import org.junit.jupiter.api.Test;

class MockDriverTest {

    private final MockDriver driver = new MockDriver();

    private FilterPort connect() {
        return driver.connect(Protocol.PORT_NAME, ConnectContext.current());
    }

    @Test
    void aConnectionIsAMockPortOpenedWithTheContextGiven() {
        FilterPort port = connect();

        MockFilterPort mock = driver.current().orElseThrow();
        assertSame(mock, port);
        assertEquals(ConnectContext.current(), mock.connectContext());
        assertTrue(port.isOpen());
    }

    @Test
    void theDriverTakesOneConnectionAtATime() {
        FilterPort first = connect();

        ConnectionLimitException e = assertThrows(ConnectionLimitException.class, this::connect);
        assertEquals(HResult.CONNECTION_LIMIT, e.hresult());
        assertTrue(e.getMessage().contains("another policy service"), e.getMessage());

        first.close();
        FilterPort second = connect();
        assertNotSame(first, second);
        assertEquals(2, driver.connections().size());
    }

    @Test
    void thePolicyAndItsGenerationOutliveAConnection() {
        FilterPort first = connect();
        first.send(new Command.SetPolicy(MockFilterPortTest.policy(2)).encode(), 16);
        first.close();

        FilterPort second = connect();
        Result result = Result.decode(second.send(new Command.SetPolicy(MockFilterPortTest.policy(1)).encode(), 16));

        assertEquals(2, result.generation());
        assertEquals(MockFilterPortTest.policy(1), ((MockFilterPort) second).policy());
    }

    @Test
    void anotherPortNameIsNotFound() {
        PortNotFoundException e = assertThrows(PortNotFoundException.class,
                () -> driver.connect("\\OtherPort", ConnectContext.current()));
        assertTrue(e.getMessage().contains("\\OtherPort"), e.getMessage());
        assertTrue(driver.connections().isEmpty());
    }

    @Test
    void anotherProtocolVersionIsRefusedWithRevisionMismatch() {
        ProtocolMismatchException e = assertThrows(ProtocolMismatchException.class,
                () -> driver.connect(Protocol.PORT_NAME, new ConnectContext(Protocol.CONNECT_MAGIC, Protocol.PROTOCOL_VERSION - 1)));
        assertEquals(0x8007051A, e.hresult());
        assertThrows(ProtocolMismatchException.class,
                () -> driver.connect(Protocol.PORT_NAME, new ConnectContext(0x12345678, Protocol.PROTOCOL_VERSION)));
    }

    @Test
    void refusalFailsEveryAttemptUntilLifted() {
        driver.refuseConnections(HResult.ACCESS_DENIED);

        assertThrows(PortAccessDeniedException.class, this::connect);
        assertThrows(PortAccessDeniedException.class, this::connect);

        driver.refuseConnections(0);
        assertTrue(connect().isOpen());
        assertThrows(IllegalArgumentException.class, () -> driver.refuseConnections(1));
    }

    @Test
    void setupScriptsEachNewConnection() {
        MockDriver scripted = new MockDriver(port -> port.onSetPolicy(
                command -> new Result(0xC000000D, ErrorCode.BAD_RULE_ID, 0, 0)));

        FilterPort port = scripted.connect(Protocol.PORT_NAME, ConnectContext.current());
        Result result = Result.decode(port.send(new Command.SetPolicy(MockFilterPortTest.policy(1)).encode(), 16));

        assertEquals(ErrorCode.BAD_RULE_ID, result.error());
        assertFalse(result.isSuccess());
    }

    @Test
    void awaitConnectionWaitsForTheNthConnection() throws Exception {
        CompletableFuture<MockFilterPort> waiting = CompletableFuture.supplyAsync(
                () -> driver.awaitConnection(1, Duration.ofSeconds(5)));
        Thread.sleep(50);
        FilterPort port = connect();

        assertSame(port, waiting.get(5, TimeUnit.SECONDS));
        assertThrows(IllegalStateException.class, () -> driver.awaitConnection(2, Duration.ofMillis(20)));
    }
}
