package org.jminifilter.service;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.jminifilter.policy.Action;
import org.jminifilter.policy.DefaultVerdict;
import org.jminifilter.policy.Policy;
import org.jminifilter.port.FilterPort;
import org.jminifilter.port.FilterPortException;
import org.jminifilter.port.InvalidPortHandleException;
import org.jminifilter.port.NoWaiterForReplyException;
import org.jminifilter.port.Notification;
import org.jminifilter.port.PortClosedException;
import org.jminifilter.protocol.Ask;
import org.jminifilter.protocol.AskReply;
import org.jminifilter.protocol.Config;
import org.jminifilter.protocol.Event;
import org.jminifilter.protocol.EventBatch;
import org.jminifilter.protocol.ProtocolException;
import org.jminifilter.protocol.Result;
import org.jminifilter.protocol.Statistics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The policy service: pushes a configuration and a policy to the driver, answers its asks on a
 * few threads, and pulls its events. It knows nothing of JNA: give it any {@link FilterPort}
 * (fltlib on Windows, the emulator's, or a mock in tests).
 *
 * <p>A rejected policy changes nothing: {@link #replacePolicy} throws and the driver keeps the
 * policy in force.
 */
public final class PolicyService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PolicyService.class);

    private final FilterPort port;
    private final KernelClient kernel;
    private final Config config;
    private final AskHandler askHandler;
    private final EventListener eventListener;
    private final int askThreads;
    private final Duration eventInterval;
    private final List<Thread> askers = new ArrayList<>();
    private final AtomicLong asksAnswered = new AtomicLong();
    private final AtomicLong asksLate = new AtomicLong();
    private final AtomicLong asksFailed = new AtomicLong();
    private ScheduledExecutorService eventPoller;
    private volatile Policy policy;
    private long droppedSeen;
    private volatile boolean closed;
    /** Set when the driver closed the connection (it is unloading): the threads stop. */
    private volatile boolean disconnected;
    /** Pause after a failed receive, so a failing port is not asked again in a tight loop. */
    static final long RECEIVE_RETRY_MS = 100;

    private PolicyService(Builder b) {
        this.port = b.port;
        this.kernel = new KernelClient(b.port);
        this.config = b.config;
        this.askHandler = b.askHandler;
        this.eventListener = b.eventListener;
        this.askThreads = b.askThreads;
        this.eventInterval = b.eventInterval;
        this.policy = b.policy;
    }

    public static Builder builder(FilterPort port) {
        return new Builder(port);
    }

    /**
     * Sends the configuration and the policy, then starts the ask threads and the event poller.
     *
     * @throws CommandRejectedException when the driver refuses the configuration or the policy
     */
    public PolicyService start() {
        kernel.setConfig(config);
        Result result = kernel.setPolicy(policy);
        LOG.info("policy of {} rules in force, generation {}", policy.rules().size(),
                Integer.toUnsignedString(result.generation()));
        for (int i = 0; i < askThreads; i++) {
            Thread t = new Thread(this::answerAsks, "jminifilter-ask-" + i);
            t.setDaemon(true);
            askers.add(t);
            t.start();
        }
        eventPoller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "jminifilter-events");
            t.setDaemon(true);
            return t;
        });
        eventPoller.scheduleWithFixedDelay(this::pollEventsQuietly, 0, eventInterval.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /**
     * Replaces the policy in force.
     *
     * @throws CommandRejectedException when the driver refuses it; the previous policy stays in force
     */
    public Result replacePolicy(Policy next) {
        Result result = kernel.setPolicy(next);
        policy = next;
        return result;
    }

    /** The policy this service last had accepted. */
    public Policy policy() {
        return policy;
    }

    /** The driver's counters. */
    public Statistics statistics() {
        return kernel.statistics();
    }

    /**
     * Moves every queued event out of the driver to the listener now (the poller does this on
     * its own every interval). Returns how many were delivered.
     */
    public synchronized int pollEvents() {
        int delivered = 0;
        EventBatch batch;
        do {
            batch = kernel.events();
            for (Event e : batch.events()) {
                eventListener.onEvent(e);
                delivered++;
            }
            if (batch.dropped() != droppedSeen) {
                droppedSeen = batch.dropped();
                eventListener.onDropped(droppedSeen);
            }
        } while (batch.pending() > 0 && !batch.events().isEmpty());
        return delivered;
    }

    /** Asks answered in time, answered too late (the driver had applied its default), and failed. */
    public long asksAnswered() {
        return asksAnswered.get();
    }

    public long asksLate() {
        return asksLate.get();
    }

    public long asksFailed() {
        return asksFailed.get();
    }

    /**
     * False once the driver has closed the connection (it is unloading, HRESULT 0x80070006):
     * the service's threads have stopped; close it and connect again when the driver is back.
     */
    public boolean isConnected() {
        return !closed && !disconnected;
    }

    private void pollEventsQuietly() {
        if (closed || disconnected) {
            return;
        }
        try {
            pollEvents();
        } catch (PortClosedException e) {
            LOG.debug("event poll after close");
        } catch (InvalidPortHandleException e) {
            lostDriver(e);
        } catch (RuntimeException e) {
            LOG.warn("could not pull events from the driver: {}", e.getMessage());
        }
    }

    private void answerAsks() {
        while (!closed && !disconnected) {
            Notification n;
            try {
                n = port.receive();
            } catch (PortClosedException e) {
                return;
            } catch (InvalidPortHandleException e) {
                lostDriver(e);
                return;
            } catch (FilterPortException e) {
                if (closed) {
                    return;
                }
                LOG.warn("receiving from the driver failed, trying again in {} ms: {}", RECEIVE_RETRY_MS,
                        e.getMessage());
                try {
                    Thread.sleep(RECEIVE_RETRY_MS);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
                continue;
            }
            answer(n);
        }
    }

    /** The driver closed the connection: stop asking it anything, say so once. */
    private void lostDriver(InvalidPortHandleException e) {
        if (!disconnected) {
            disconnected = true;
            LOG.error("the driver closed the connection ({}); the policy service stopped answering asks and "
                    + "pulling events: close it and connect again once the driver is loaded", e.getMessage());
        }
    }

    /** Decodes one ask, decides it and replies; a bad ask or a failing handler never kills the thread. */
    void answer(Notification n) {
        Ask ask;
        try {
            ask = Ask.decode(n.body());
        } catch (ProtocolException e) {
            asksFailed.incrementAndGet();
            LOG.error("the driver sent a malformed ask (message {}): {}; not answered, its default verdict applies",
                    n.messageId(), e.getMessage());
            return;
        }
        Action verdict;
        try {
            verdict = Objects.requireNonNull(askHandler.decide(ask), "the ask handler returned null");
            if (ask.isPostCreate() && !appliesInPostCreate(verdict)) {
                throw new IllegalArgumentException("verdict " + verdict.type() + " does not apply in post-create");
            }
        } catch (RuntimeException e) {
            asksFailed.incrementAndGet();
            verdict = fallback();
            LOG.error("the ask handler failed for {} {} (rule id {}): {}; answering {}", ask.operation(), ask.path(),
                    Integer.toUnsignedString(ask.ruleId()), e.toString(), verdict.type());
        }
        try {
            port.reply(n.messageId(), new AskReply(verdict).encode());
            asksAnswered.incrementAndGet();
        } catch (NoWaiterForReplyException e) {
            asksLate.incrementAndGet();
            LOG.warn("answered {} {} after the driver's timeout of {} ms; its default verdict applied",
                    ask.operation(), ask.path(), ask.timeoutMs());
        } catch (PortClosedException e) {
            LOG.debug("port closed while answering");
        }
    }

    private static boolean appliesInPostCreate(Action verdict) {
        return switch (verdict.type()) {
            case ALLOW, DENY, AUDIT -> true;
            default -> false;
        };
    }

    /** What a failed ask handler answers: the configured default verdict. */
    private Action fallback() {
        return config.defaultVerdict() == DefaultVerdict.DENY ? Action.deny(config.defaultDenyStatus()) : Action.allow();
    }

    /** Stops the threads and closes the port (which releases receivers). Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (eventPoller != null) {
            eventPoller.shutdownNow();
        }
        port.close();
        for (Thread t : askers) {
            try {
                t.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
    }

    /** Options of a {@link PolicyService}; every one has a default but the port. */
    public static final class Builder {
        private final FilterPort port;
        private Policy policy = Policy.EMPTY;
        private Config config = Config.defaults();
        private AskHandler askHandler = ask -> Action.allow();
        private EventListener eventListener = e -> LOG.info("event: {}", e);
        private int askThreads = 4;
        private Duration eventInterval = Duration.ofMillis(250);

        private Builder(FilterPort port) {
            this.port = Objects.requireNonNull(port, "port");
        }

        public Builder policy(Policy p) {
            this.policy = Objects.requireNonNull(p, "policy");
            return this;
        }

        public Builder config(Config c) {
            this.config = Objects.requireNonNull(c, "config");
            return this;
        }

        public Builder askHandler(AskHandler h) {
            this.askHandler = Objects.requireNonNull(h, "askHandler");
            return this;
        }

        public Builder eventListener(EventListener l) {
            this.eventListener = Objects.requireNonNull(l, "eventListener");
            return this;
        }

        /** Threads waiting for asks at once: 1 .. 64 (default 4). */
        public Builder askThreads(int n) {
            if (n < 1 || n > 64) {
                throw new IllegalArgumentException("askThreads: " + n + " is outside 1..64");
            }
            this.askThreads = n;
            return this;
        }

        /** How often queued events are pulled (default 250 ms; 10 ms .. 1 min). */
        public Builder eventInterval(Duration d) {
            if (d.compareTo(Duration.ofMillis(10)) < 0 || d.compareTo(Duration.ofMinutes(1)) > 0) {
                throw new IllegalArgumentException("eventInterval: " + d + " is outside 10 ms .. 1 min");
            }
            this.eventInterval = d;
            return this;
        }

        public PolicyService build() {
            return new PolicyService(this);
        }
    }
}
