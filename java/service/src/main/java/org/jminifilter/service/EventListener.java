package org.jminifilter.service;

import org.jminifilter.protocol.Event;

/**
 * Receives the events the driver reports (AUDIT and every enforcement), oldest first.
 *
 * <p>Called on the service's event poller thread ({@code jminifilter-events}), or on the thread
 * that calls {@link PolicyService#pollEvents()}; never two calls at once. A call that throws is
 * counted ({@link PolicyService#listenerFailures()}) and logged; the next events are still
 * delivered. A listener that blocks delays the next events (the driver's queue holds 1024, then
 * drops and counts). It may call {@link PolicyService#close()}.
 */
@FunctionalInterface
public interface EventListener {
    /** One event. */
    void onEvent(Event event);

    /** Called when the driver's count of dropped events (its queue was full) has grown. */
    default void onDropped(long droppedSinceStart) {
    }
}
