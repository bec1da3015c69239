package org.jminifilter.service;

import org.jminifilter.protocol.Event;

/** Receives the events the driver reports (AUDIT and every enforcement), oldest first. */
@FunctionalInterface
public interface EventListener {
    void onEvent(Event event);

    /** Called when the driver's count of dropped events (its queue was full) has grown. */
    default void onDropped(long droppedSinceStart) {
    }
}
