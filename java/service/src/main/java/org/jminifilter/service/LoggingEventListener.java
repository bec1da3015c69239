package org.jminifilter.service;

import java.util.Objects;

import org.jminifilter.protocol.Event;
import org.slf4j.Logger;

/**
 * The listener a service has when none is set: events at DEBUG (an audit trail at INFO would flood
 * an application's log by default; whoever wants one sets a listener or enables DEBUG for this
 * logger), dropped events at WARN (the driver's queue overflowed: events were lost).
 */
final class LoggingEventListener implements EventListener {
    private final Logger log;

    LoggingEventListener(Logger log) {
        this.log = Objects.requireNonNull(log, "log");
    }

    @Override
    public void onEvent(Event event) {
        log.debug("event: {}", event);
    }

    @Override
    public void onDropped(long droppedSinceStart) {
        log.warn("the driver's event queue overflowed: {} events dropped since it started", droppedSinceStart);
    }
}
