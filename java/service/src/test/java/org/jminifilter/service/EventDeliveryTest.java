package org.jminifilter.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.jminifilter.policy.ActionType;
import org.jminifilter.policy.Operation;
import org.jminifilter.port.mock.MockFilterPort;
import org.jminifilter.protocol.Event;
import org.jminifilter.protocol.Protocol;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.event.Level;

/** Each event is delivered on its own (issue 11, item 17) and events are not logged at INFO (item 19). */
class EventDeliveryTest {
    private final MockFilterPort port = new MockFilterPort();
    private PolicyService service;

    @BeforeEach
    void forgetLogs() {
        RecordingLoggers.clear();
    }

    @AfterEach
    void stop() {
        if (service != null) {
            service.close();
        }
        port.close();
    }

    private static Event event(int pid) {
        return new Event(0, pid, 1, Operation.CREATE, ActionType.DENY, 0xC0000022, pid, 0,
                "\\Device\\HarddiskVolume1", "\\secret\\" + pid);
    }

    @Test
    void aThrowingListenerLosesNoOtherEvent() throws Exception {
        for (int pid = 1; pid <= 5; pid++) {
            port.queueEvent(event(pid));
        }
        List<Integer> delivered = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch fifth = new CountDownLatch(1);
        // The first poll (at start) pulls all five in one batch; the next would come after a minute.
        service = PolicyService.builder(port).eventInterval(Duration.ofMinutes(1)).eventListener(e -> {
            delivered.add(e.processId());
            if (e.processId() == 5) {
                fifth.countDown();
            }
            if (e.processId() == 2) {
                throw new IllegalStateException("listener bug");
            }
            if (e.processId() == 4) {
                throw new AssertionError("an error from a listener");
            }
        }).build().start();

        assertTrue(fifth.await(5, TimeUnit.SECONDS), "the events after the throwing calls are delivered");
        assertEquals(List.of(1, 2, 3, 4, 5), delivered);
        assertEquals(2, service.listenerFailures());
    }

    @Test
    void aThrowingOnDroppedLosesNoEvent() throws Exception {
        for (int pid = 1; pid <= Protocol.EVENT_QUEUE_CAPACITY + 1; pid++) {
            port.queueEvent(event(pid)); // the last is dropped and counted
        }
        List<Integer> delivered = Collections.synchronizedList(new ArrayList<>());
        service = PolicyService.builder(port).eventInterval(Duration.ofMinutes(1)).eventListener(new EventListener() {
            @Override
            public void onEvent(Event e) {
                delivered.add(e.processId());
            }

            @Override
            public void onDropped(long total) {
                throw new IllegalStateException("listener bug");
            }
        }).build().start();

        service.pollEvents(); // returns after the poller's pull (pollEvents is serialized), or makes it
        assertEquals(Protocol.EVENT_QUEUE_CAPACITY, delivered.size());
        assertEquals(1, service.listenerFailures());
    }

    @Test
    void withoutAListenerEventsAreLoggedAtDebugNotInfo() {
        port.queueEvent(event(7));
        service = PolicyService.builder(port).eventInterval(Duration.ofMinutes(1)).build().start();

        service.pollEvents();

        List<RecordingLoggers.Entry> logged = RecordingLoggers.entries(e -> e.message().contains("\\secret\\7"));
        assertEquals(1, logged.size(), "the event is logged once: " + logged);
        assertEquals(Level.DEBUG, logged.get(0).level());
        assertEquals(EventListener.class.getName(), logged.get(0).logger());
    }
}
