package org.jminifilter.emulator;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.jminifilter.port.FilterPort;
import org.jminifilter.port.InvalidPortHandleException;
import org.jminifilter.port.PortBrokenException;
import org.jminifilter.port.PortNotFoundException;
import org.jminifilter.port.fltlib.FltLibFilterPort;
import org.jminifilter.protocol.Command;
import org.jminifilter.protocol.ConnectContext;
import org.jminifilter.protocol.Statistics;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The end-to-end tests again, with the service on the Windows port class: {@link FltLibFilterPort},
 * unchanged, bound to the fltlib and kernel32 names libjmfemu.so exports (emu_fltlib.c) instead of
 * fltlib.dll and kernel32.dll. Same assertions; underneath, overlapped FilterGetMessage calls
 * complete on an I/O completion port from the driver's sending threads, close cancels them with
 * CancelIoEx, and every handle is checked for use after close (a violation fails the test).
 */
class FltLibShimEndToEndTest {

    /** Connects as the service process, as EmulatedKernel.connect does, through the Windows port class. */
    static FilterPort connectThroughFltLib() {
        return connectThroughFltLib(ConnectContext.current());
    }

    static FilterPort connectThroughFltLib(ConnectContext context) {
        FilterPort port = EmulatedKernel.current().orElseThrow().connectThroughFltLibShim(context);
        if (!(port instanceof FltLibFilterPort)) {
            throw new AssertionError("the provider gave " + port.getClass());
        }
        return port;
    }

    /**
     * The driver goes away under a connected port: the pending receives complete with an error on the
     * completion port, none can be issued again, and the port reports itself broken (a lost
     * connection to the service) instead of waiting forever; close is still clean.
     */
    @Nested
    class DriverUnloadedUnderThePort extends EmulatorFixture {
        @Test
        void theReceivesFailAndThePortReportsItselfBroken() {
            FilterPort port = connectThroughFltLib();
            try {
                kernel.unloadDriver();
                InvalidPortHandleException last = null;
                for (int i = 0; i <= FltLibFilterPort.Settings.DEFAULT_RECEIVERS && !(last instanceof PortBrokenException); i++) {
                    last = assertThrows(InvalidPortHandleException.class, () -> port.receive(Duration.ofSeconds(10)));
                }
                assertInstanceOf(PortBrokenException.class, last, "every receive failed: the port is broken");
                assertFalse(port.isOpen());
                assertThrows(InvalidPortHandleException.class,
                        () -> port.send(new Command.GetStatistics().encode(), Statistics.size(0)));
            } finally {
                port.close();
            }
        }
    }

    /** The port's own tests: connection limit, protocol mismatch, buffer growth, close under a receiver. */
    @Nested
    class Port extends EmulatedKernelPortTest {
        @Override
        FilterPort connectPort(ConnectContext context) {
            return connectThroughFltLib(context);
        }

        /** FltLibFilterPort's receivers wait for completions on its I/O completion port. */
        @Override
        String blockingGetRoutine() {
            return "GetQueuedCompletionStatus";
        }

        /** Not a test here: it is about the emulator's own provider. */
        @Override
        void theProviderIsFoundByNameAndConnects() {
        }

        @Override
        void assertPortNotFoundMessage(PortNotFoundException e) {
            assertTrue(e.getMessage().contains("FilterConnectCommunicationPort"), e.getMessage());
        }

        /** The same refusal; replying to an id the handle never received is also a violation here. */
        @Test
        @Override
        void aReplyNobodyWaitsForIsRefused() {
            super.aReplyNobodyWaitsForIsRefused();
            assertTrue(kernel.violations().stream().anyMatch(v -> v.contains("message id 12345 was never received")),
                    kernel.violations().toString());
            kernel.clearViolations();
        }
    }

    @Nested
    class Ask extends AskEndToEndTest {
        @Override
        FilterPort connectPort() {
            return connectThroughFltLib();
        }
    }

    @Nested
    class Deny extends DenyEndToEndTest {
        @Override
        FilterPort connectPort() {
            return connectThroughFltLib();
        }
    }

    @Nested
    class Redirect extends RedirectEndToEndTest {
        @Override
        FilterPort connectPort() {
            return connectThroughFltLib();
        }
    }

    @Nested
    class Modify extends ModifyEndToEndTest {
        @Override
        FilterPort connectPort() {
            return connectThroughFltLib();
        }
    }

    @Nested
    class RenameAndLink extends RenameAndLinkEndToEndTest {
        @Override
        FilterPort connectPort() {
            return connectThroughFltLib();
        }
    }

    @Nested
    class PolicyRejection extends PolicyRejectionEndToEndTest {
        @Override
        FilterPort connectPort() {
            return connectThroughFltLib();
        }
    }

    @Nested
    class AuditAndStatistics extends AuditAndStatisticsEndToEndTest {
        @Override
        FilterPort connectPort() {
            return connectThroughFltLib();
        }
    }

    @Nested
    class AuditOnly extends AuditOnlyEndToEndTest {
        @Override
        FilterPort connectPort() {
            return connectThroughFltLib();
        }
    }

    @Nested
    class PersistAndLock extends PersistAndLockEndToEndTest {
        @Override
        FilterPort connectPort() {
            return connectThroughFltLib();
        }
    }

    @Nested
    class ReparseRedirect extends ReparseRedirectEndToEndTest {
        @Override
        FilterPort connectPort() {
            return connectThroughFltLib();
        }
    }
}
