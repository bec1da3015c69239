package org.jminifilter.port.fltlib;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import java.lang.ref.WeakReference;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.jminifilter.protocol.Protocol;
import org.junit.jupiter.api.Test;

/**
 * Native-memory lifetime: a pending FilterGetMessage's buffer and OVERLAPPED must stay allocated
 * until its completion is dequeued, whatever happens to the port object. Uses {@link FakeKernel},
 * which holds only raw addresses (a Mockito mock would keep every argument reachable and hide the
 * bug), and the JVM's own garbage collector.
 */
class FltLibFilterPortLifetimeTest {

    private static final int RECEIVERS = 4;

    @Test
    void pendingReceivesOfAPortDroppedWithoutCloseKeepTheirMemoryUntilTheKernelCompletesThem() {
        FakeKernel kernel = new FakeKernel();
        List<WeakReference<Memory>> buffers = new ArrayList<>();
        List<WeakReference<Structure>> overlappeds = new ArrayList<>();
        WeakReference<FltLibFilterPort> sentinel = connectAndDrop(kernel, buffers, overlappeds);

        collect(sentinel);

        // The port is gone; what the kernel writes into must not be. (Before the in-flight registry,
        // the buffers went with the port and JNA's cleaner freed them.)
        assertEquals(RECEIVERS, kernel.pendingCount());
        for (int i = 0; i < RECEIVERS; i++) {
            assertNotNull(buffers.get(i).get(), "receive buffer " + i + " was garbage: its memory will be freed");
            assertNotNull(overlappeds.get(i).get(), "OVERLAPPED " + i + " was garbage: its memory will be freed");
            assertTrue(buffers.get(i).get().valid(), "receive buffer " + i + " was freed");
        }
        // The kernel completes each pending receive by writing through the address it was given.
        for (int i = 0; i < RECEIVERS; i++) {
            FakeKernel.Get get = kernel.gets().get(i);
            ReceiveSlot slot = FltLibFilterPort.inFlight(get.overlapped());
            assertNotNull(slot, "the registry holds the slot of OVERLAPPED " + Long.toHexString(get.overlapped()));
            assertEquals(get.buffer(), Pointer.nativeValue(slot.buffer), "the buffer FilterGetMessage was given");
            assertTrue(slot.buffer.valid());
            byte[] body = FakeKernel.message(Protocol.ASK_SIZE);
            kernel.deliver(100 + i, 56, body);
            assertEquals(100 + i, slot.buffer.getLong(8), "the kernel's write landed in the live buffer");
            assertArrayEquals(body, slot.buffer.getByteArray(16, body.length));
        }
    }

    @Test
    void aDequeuedCompletionReleasesItsSlotAndTheReissueRegistersItAgain() {
        FakeKernel kernel = new FakeKernel();
        FltLibFilterPort port = FltLibFilterPort.connect(kernel.fltLib, kernel.kernel32, kernel.cancelIo,
                Protocol.PORT_NAME, ByteBuffer.allocate(8), FltLibFilterPort.Settings.forBodySize(Protocol.ASK_SIZE)
                        .withReceivers(1));
        try {
            ReceiveSlot slot = port.slots()[0];
            assertSame(slot, FltLibFilterPort.inFlight(slot.address()));
            kernel.getResult = new com.sun.jna.platform.win32.WinNT.HRESULT(
                    org.jminifilter.port.HResult.INVALID_PARAMETER);
            kernel.deliver(1, 56, FakeKernel.message(Protocol.ASK_SIZE));

            assertEquals(1, port.receive().messageId());

            assertNull(FltLibFilterPort.inFlight(slot.address()),
                    "completed and not re-issued (FilterGetMessage failed at once): the kernel holds nothing");
        } finally {
            port.close();
        }
    }

    /** Connects, issues the receives, and lets go of every reference to the port (no close). */
    private static WeakReference<FltLibFilterPort> connectAndDrop(FakeKernel kernel,
            List<WeakReference<Memory>> buffers, List<WeakReference<Structure>> overlappeds) {
        FltLibFilterPort port = FltLibFilterPort.connect(kernel.fltLib, kernel.kernel32, kernel.cancelIo,
                Protocol.PORT_NAME, ByteBuffer.allocate(8),
                FltLibFilterPort.Settings.forBodySize(Protocol.ASK_SIZE).withReceivers(RECEIVERS));
        for (ReceiveSlot slot : port.slots()) {
            buffers.add(new WeakReference<>(slot.buffer));
            overlappeds.add(new WeakReference<>(slot.overlapped));
        }
        return new WeakReference<>(port);
    }

    /** Runs the collector until {@code sentinel} is cleared (bounded). */
    private static void collect(WeakReference<?> sentinel) {
        for (int i = 0; i < 50 && sentinel.get() != null; i++) {
            System.gc();
        }
        assertNull(sentinel.get(), "the port object was never collected; the test proves nothing");
    }
}
