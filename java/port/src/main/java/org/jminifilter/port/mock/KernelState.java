package org.jminifilter.port.mock;

import java.util.ArrayDeque;
import java.util.Deque;
import org.jminifilter.policy.Policy;
import org.jminifilter.protocol.Config;
import org.jminifilter.protocol.Event;

/**
 * What the mock "driver" remembers across connections (one {@link MockDriver}) or for one
 * stand-alone {@link MockFilterPort}: the policy in force and its generation, the configuration,
 * and the event queue. Guarded by its own monitor.
 */
final class KernelState {
    int generation;
    Policy policy = Policy.EMPTY;
    Config config = Config.defaults();
    final Deque<Event> events = new ArrayDeque<>();
    long eventsDropped;
    /** What the driver keeps in its service key (PersistedPolicy / PersistedConfig), or null. */
    Policy persistedPolicy;
    Config persistedConfig;
    /** Wrong unlock keys presented (UNLOCK, or SET_CONFIG while locked). */
    int unlockFailures;
}
