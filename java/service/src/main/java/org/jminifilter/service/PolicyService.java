package org.jminifilter.service;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.jminifilter.policy.Action;
import org.jminifilter.policy.DefaultVerdict;
import org.jminifilter.policy.Policy;
import org.jminifilter.policy.Rule;
import org.jminifilter.port.FilterPort;
import org.jminifilter.port.InvalidPortHandleException;
import org.jminifilter.port.NoWaiterForReplyException;
import org.jminifilter.port.Notification;
import org.jminifilter.port.PortClosedException;
import org.jminifilter.protocol.Ask;
import org.jminifilter.protocol.AskReply;
import org.jminifilter.protocol.Config;
import org.jminifilter.protocol.ErrorCode;
import org.jminifilter.protocol.Event;
import org.jminifilter.protocol.NtStatus;
import org.jminifilter.protocol.EventBatch;
import org.jminifilter.protocol.Protocol;
import org.jminifilter.protocol.Result;
import org.jminifilter.protocol.Statistics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The policy service: pushes a configuration and a policy to the driver, answers its asks on a
 * few threads, and pulls its events. It knows nothing of JNA: give it any {@link FilterPort}
 * (fltlib on Windows, the emulator's, or a mock in tests).
 *
 * <h2>Ownership</h2>
 * The service owns the port given to {@link #builder(FilterPort)}: {@link #close()} closes it,
 * and so does every way of failing before the service runs (a builder method that rejects its
 * argument, a {@link #start()} that fails). So
 * {@code try (PolicyService s = PolicyService.builder(FilterPorts.connect()).policy(p).build().start()) {...}}
 * never leaks the driver's only connection; do not close the port yourself.
 *
 * <h2>Threads</h2>
 * <ul>
 * <li>{@link AskHandler#decide} is called on the service's ask threads
 * ({@code jminifilter-ask-N}, {@link Builder#askThreads}), several asks at once: the handler must
 * be thread-safe.
 * <li>{@link EventListener} methods are called on the event poller thread
 * ({@code jminifilter-events}), or on the thread that calls {@link #pollEvents()}; never two at
 * once, events oldest first.
 * <li>Every public method is thread-safe. {@link #close()} may be called from any thread,
 * including from inside an ask handler or an event listener.
 * </ul>
 *
 * <h2>Asks</h2>
 * Every ask the driver sends is answered exactly once. The handler's verdict is sent when it can
 * be: anything else (the handler threw, returned null, or a verdict that cannot be sent: ASK,
 * a post-create flag, a MODIFY that changes nothing, MODIFY or REDIRECT in post-create) is
 * answered at once with the ask's <em>default verdict</em>, the one the driver would apply had
 * nobody answered: the rule's own ({@code Action.ask().orDeny(status)} / {@code orAllow()}),
 * else the configured one ({@link Config#defaultVerdict()}). Without a handler every ask gets its
 * default verdict (fail closed: an ask rule denies unless someone says yes, when it says so).
 *
 * <p>An {@link Error} thrown by the handler (an {@code OutOfMemoryError}, a
 * {@code StackOverflowError}) is handled like an exception: the ask gets its default verdict, it is
 * counted and logged with its stack trace, and the ask thread goes on. A dead ask thread would be
 * a silent outage (the driver waits out the timeout of every later ask while the service says it
 * is connected); a JVM that must not outlive an OutOfMemoryError is the application's choice
 * ({@code -XX:+ExitOnOutOfMemoryError}).
 *
 * <p>A rejected policy changes nothing: {@link #replacePolicy} throws and the driver keeps the
 * policy in force.
 */
public final class PolicyService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PolicyService.class);

    /** Pause after a failed receive, so a failing port is not asked again in a tight loop. */
    static final long RECEIVE_RETRY_MS = 100;

    private enum State { NEW, STARTING, RUNNING, CLOSED }

    /**
     * A policy the driver accepted, the generation it gave it, and what an ask needs of it: the
     * default verdicts of its ASK rules that name their own ({@code orDeny}/{@code orAllow}), by
     * rule id, found by binary search (an ask must not cost a walk over 10,000 rules) and made
     * once (an ask must not allocate them).
     */
    private static final class InForce {
        final int generation;
        /** Ids of the ASK rules with a default verdict of their own, ascending (rule ids are unique). */
        private final int[] askRuleIds;
        /** {@code askDefaults[i]} is the default verdict of rule {@code askRuleIds[i]}. */
        private final Action[] askDefaults;

        InForce(int generation, Policy policy) {
            this.generation = generation;
            List<Rule> asks = new ArrayList<>();
            for (Rule r : policy.rules()) {
                if (r.action() instanceof Action.Ask a && a.defaultVerdict() != DefaultVerdict.CONFIGURED) {
                    asks.add(r);
                }
            }
            asks.sort((x, y) -> Integer.compare(x.ruleId(), y.ruleId()));
            askRuleIds = new int[asks.size()];
            askDefaults = new Action[asks.size()];
            for (int i = 0; i < asks.size(); i++) {
                Action.Ask a = (Action.Ask) asks.get(i).action();
                askRuleIds[i] = asks.get(i).ruleId();
                askDefaults[i] = a.defaultVerdict() == DefaultVerdict.DENY ? Action.deny(a.status()) : Action.allow();
            }
        }

        /** The default verdict rule {@code ruleId} names, or null when it names none or is not in this policy. */
        Action askDefault(int ruleId) {
            int i = Arrays.binarySearch(askRuleIds, ruleId);
            return i >= 0 ? askDefaults[i] : null;
        }
    }

    private final FilterPort port;
    private final KernelClient kernel;
    private final Config config;
    private final boolean persistPolicy;
    /** The configured default verdict ({@link Config#defaultVerdict()}), made once. */
    private final Action configuredDefault;
    /** Null when none was set: every ask gets its default verdict. */
    private final AskHandler askHandler;
    private final EventListener eventListener;
    private final int askThreads;
    private final Duration eventInterval;
    private final Duration closeTimeout;

    /** Guards {@link #state} changes and the thread list between start() and close(). */
    private final Object lifecycle = new Object();
    private volatile State state = State.NEW;
    private final List<Thread> threads = new ArrayList<>();
    /** Counted down once: on close() or when the driver goes away. The service's threads end. */
    private final CountDownLatch stopping = new CountDownLatch(1);
    /** Set when the connection broke (the driver is unloading, or the port failed for good). */
    private volatile boolean disconnected;
    private final AtomicBoolean portClosed = new AtomicBoolean();

    private final Object policyLock = new Object();
    private volatile Policy policy;
    /** The policy in force and the one before it: an ask may name either generation. */
    private volatile InForce current;
    private volatile InForce previous;

    /** Guarded by {@code this} (pollEvents). */
    private long droppedSeen;

    private final AtomicLong asksAnswered = new AtomicLong();
    private final AtomicLong asksLate = new AtomicLong();
    private final AtomicLong asksFailed = new AtomicLong();
    private final AtomicLong asksDefaulted = new AtomicLong();
    private final AtomicLong asksMalformed = new AtomicLong();
    private final AtomicLong repliesFailed = new AtomicLong();
    private final AtomicLong listenerFailures = new AtomicLong();

    private PolicyService(Builder b) {
        this.port = b.port;
        this.kernel = new KernelClient(b.port);
        this.config = b.config;
        this.configuredDefault = b.config.defaultVerdict() == DefaultVerdict.DENY
                ? Action.deny(b.config.defaultDenyStatus()) : Action.allow();
        this.askHandler = b.askHandler;
        this.eventListener = b.eventListener != null ? b.eventListener
                : new LoggingEventListener(LoggerFactory.getLogger(EventListener.class));
        this.askThreads = b.askThreads;
        this.eventInterval = b.eventInterval;
        this.closeTimeout = b.closeTimeout;
        this.policy = b.policy;
        this.persistPolicy = b.persistPolicy;
    }

    /**
     * Starts building a service on {@code port}, which the service owns from now on (see the
     * class comment): a builder method that throws closes it first.
     */
    public static Builder builder(FilterPort port) {
        return new Builder(port);
    }

    /**
     * Sends the configuration and the policy, then starts the ask threads and the event poller.
     * Called once. When it fails it first closes the port and whatever it started, so the
     * service ends closed.
     *
     * @return this service, running
     * @throws CommandRejectedException when the driver refuses the configuration or the policy
     * @throws org.jminifilter.port.FilterPortException when the port fails
     * @throws IllegalStateException when start() was called before or the service is closed
     */
    public PolicyService start() {
        synchronized (lifecycle) {
            if (state != State.NEW) {
                throw new IllegalStateException(state == State.CLOSED
                        ? "start(): the service is closed; build a new one on a new port"
                        : "start() was already called: a PolicyService starts once");
            }
            state = State.STARTING;
        }
        try {
            try {
                kernel.setConfig(config);
            } catch (CommandRejectedException e) {
                if (e.result().error() != ErrorCode.LOCKED) {
                    throw e;
                }
                // An earlier service locked the driver and took its key with it (keys live in memory
                // only): its configuration stays; only a mandatory unload (a reboot) ends that lock.
                LOG.warn("the driver is locked by an earlier service: its configuration stays in force and"
                        + " this service cannot unlock it (a reboot can)");
            }
            Result result = kernel.setPolicy(policy, persistPolicy);
            current = new InForce(result.generation(), policy);
            LOG.info("policy of {} rules in force, generation {}", policy.rules().size(),
                    Integer.toUnsignedString(result.generation()));
            synchronized (lifecycle) {
                if (state != State.STARTING) {
                    throw new IllegalStateException("start(): the service was closed while it started");
                }
                for (int i = 0; i < askThreads; i++) {
                    threads.add(daemon(this::answerAsks, "jminifilter-ask-" + i));
                }
                threads.add(daemon(this::pollEventsEvery, "jminifilter-events"));
                state = State.RUNNING;
                for (Thread t : threads) {
                    t.start();
                }
            }
            return this;
        } catch (RuntimeException | Error e) {
            try {
                close();
            } catch (RuntimeException | Error suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private static Thread daemon(Runnable body, String name) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        return t;
    }

    /**
     * Replaces the policy in force. Thread-safe; concurrent calls are applied one after the other.
     *
     * @throws CommandRejectedException when the driver refuses it; the previous policy stays in force
     * @throws IllegalStateException before {@link #start()} or after {@link #close()}
     */
    public Result replacePolicy(Policy next) {
        Objects.requireNonNull(next, "policy");
        requireRunning("replacePolicy");
        synchronized (policyLock) {
            Result result = kernel.setPolicy(next, persistPolicy);
            previous = current;
            current = new InForce(result.generation(), next);
            policy = next;
            if (askHandler == null && hasAskRules(next)) {
                LOG.warn(NO_HANDLER_WARNING, "the new policy");
            }
            return result;
        }
    }

    /**
     * Unlocks the driver this service locked ({@link Builder#config} with {@link Config#locked}): it
     * accepts non-mandatory unloads and detaches again.
     *
     * @throws IllegalStateException when this service's configuration is not locked, before
     *         {@link #start()} or after {@link #close()}
     * @throws CommandRejectedException when the driver refuses the key
     */
    public Result unlock() {
        requireRunning("unlock");
        if (config.lockKey() == null) {
            throw new IllegalStateException("unlock(): this service's configuration is not locked");
        }
        return kernel.unlock(config.lockKey());
    }

    /** The policy this service last had accepted (before {@link #start()}: the one it will push). */
    public Policy policy() {
        return policy;
    }

    /**
     * The driver's counters.
     *
     * @throws IllegalStateException before {@link #start()} or after {@link #close()}
     */
    public Statistics statistics() {
        requireRunning("statistics");
        return kernel.statistics();
    }

    /**
     * Moves every queued event out of the driver to the listener now, on the calling thread (the
     * poller does this on its own every interval; the two never run at once). Each event is
     * delivered on its own: a listener that throws loses that one call, not the rest
     * ({@link #listenerFailures()}).
     *
     * @return how many events were delivered (a listener call that threw counts as delivered)
     * @throws IllegalStateException before {@link #start()} or after {@link #close()}
     */
    public synchronized int pollEvents() {
        requireRunning("pollEvents");
        int delivered = 0;
        EventBatch batch;
        do {
            batch = kernel.events();
            for (Event e : batch.events()) {
                deliver(e);
                delivered++;
            }
            if (batch.dropped() != droppedSeen) {
                droppedSeen = batch.dropped();
                deliverDropped(droppedSeen);
            }
        } while (batch.pending() > 0 && !batch.events().isEmpty() && !isStopping());
        return delivered;
    }

    private void deliver(Event e) {
        try {
            eventListener.onEvent(e);
        } catch (RuntimeException | Error failure) { // one bad call must not lose the rest of the batch
            listenerFailures.incrementAndGet();
            LOG.error("the event listener failed on {}; the next events are still delivered", e, failure);
        }
    }

    private void deliverDropped(long dropped) {
        try {
            eventListener.onDropped(dropped);
        } catch (RuntimeException | Error failure) {
            listenerFailures.incrementAndGet();
            LOG.error("the event listener failed on onDropped({})", dropped, failure);
        }
    }

    /** Asks answered in time (with the handler's verdict or a default verdict). */
    public long asksAnswered() {
        return asksAnswered.get();
    }

    /** Asks answered after the driver's timeout: the driver had applied the ask's default verdict. */
    public long asksLate() {
        return asksLate.get();
    }

    /**
     * Asks the handler could not decide: it threw (exception or error), returned null or a
     * verdict that cannot be sent. Each was answered with the ask's default verdict.
     */
    public long asksFailed() {
        return asksFailed.get();
    }

    /**
     * Asks answered with their default verdict by the service: no handler set, the handler failed
     * ({@link #asksFailed()}), or the ask could not be decoded ({@link #asksMalformed()}).
     */
    public long asksDefaulted() {
        return asksDefaulted.get();
    }

    /** Asks whose bytes could not be decoded; each was answered with the configured default verdict. */
    public long asksMalformed() {
        return asksMalformed.get();
    }

    /**
     * Replies that FilterReplyMessage refused for any reason but a late answer ({@link #asksLate()}):
     * the driver applies the ask's default verdict when its timeout passes (at once when the
     * connection is gone). An {@link InvalidPortHandleException} also ends the connection.
     */
    public long repliesFailed() {
        return repliesFailed.get();
    }

    /** Calls of the {@link EventListener} that threw (the other events were still delivered). */
    public long listenerFailures() {
        return listenerFailures.get();
    }

    /**
     * True while the service runs: started, not closed, and the connection intact. False once the
     * driver closed the connection (it is unloading, HRESULT 0x80070006), the port broke or was
     * closed behind the service's back: the service has closed the port and its threads have
     * stopped; close it and build a new one on a new connection when the driver is back.
     */
    public boolean isConnected() {
        return state == State.RUNNING && !disconnected;
    }

    private boolean isStopping() {
        return stopping.getCount() == 0;
    }

    private void requireRunning(String method) {
        State s = state;
        if (s == State.NEW || s == State.STARTING) {
            throw new IllegalStateException(method + "(): the service is not started; call start() first");
        }
        if (s == State.CLOSED) {
            throw new IllegalStateException(method + "(): the service is closed");
        }
    }

    // ------------------------------------------------------------------ the event poller

    private void pollEventsEvery() {
        do {
            pollEventsQuietly();
        } while (!awaitStop(eventInterval.toMillis()));
    }

    /** Waits up to {@code ms} for the service to stop; true when it did. */
    private boolean awaitStop(long ms) {
        try {
            return stopping.await(ms, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    private void pollEventsQuietly() {
        if (isStopping()) {
            return;
        }
        try {
            pollEvents();
        } catch (InvalidPortHandleException e) {
            lostConnection(e);
        } catch (RuntimeException | Error e) {
            if (isStopping()) {
                LOG.debug("event poll while stopping: {}", e.toString());
            } else if (e instanceof PortClosedException) {
                lostConnection(e);
            } else {
                LOG.warn("could not pull events from the driver: {}", e.toString());
            }
        }
    }

    // ------------------------------------------------------------------ the ask threads

    private void answerAsks() {
        while (!isStopping()) {
            Notification n;
            try {
                n = port.receive();
            } catch (InvalidPortHandleException e) {
                lostConnection(e);
                return;
            } catch (PortClosedException e) {
                if (!isStopping()) {
                    lostConnection(e); // the port was closed, but not by close(): nobody answers asks any more
                }
                return;
            } catch (RuntimeException | Error e) {
                if (isStopping()) {
                    return;
                }
                LOG.warn("receiving from the driver failed, trying again in {} ms: {}", RECEIVE_RETRY_MS,
                        e.toString());
                if (awaitStop(RECEIVE_RETRY_MS)) {
                    return;
                }
                continue;
            }
            try {
                answer(n);
            } catch (RuntimeException | Error e) { // answer() contains its own failures; this is the last line
                LOG.error("answering message {} failed", n.messageId(), e);
            }
        }
    }

    /** The connection broke: stop asking the driver anything, say so once. */
    private void lostConnection(Throwable e) {
        synchronized (lifecycle) {
            if (disconnected || state == State.CLOSED) {
                return;
            }
            disconnected = true;
        }
        stopping.countDown();
        LOG.error("the connection to the driver is lost ({}); the policy service stopped answering asks and "
                + "pulling events: close it and connect again once the driver is loaded", e.getMessage());
        closePort(); // releases the threads still waiting in receive on a port that is of no use any more
    }

    /** Closes the port once, whoever asks first (close(), a lost connection). */
    private void closePort() {
        if (portClosed.compareAndSet(false, true)) {
            try {
                port.close();
            } catch (RuntimeException e) { // FilterPort.close() must not throw; do not let a bad one stop close()
                LOG.warn("closing the filter port failed: {}", e.toString());
            }
        }
    }

    /**
     * Decodes one ask, decides it and replies exactly once: with the handler's verdict when it can
     * be sent, else with the ask's default verdict. Never throws for a bad ask, a failing handler
     * or a failing reply.
     */
    void answer(Notification n) {
        Ask ask;
        try {
            ask = Ask.decode(n.body());
        } catch (RuntimeException e) {
            asksMalformed.incrementAndGet();
            Action verdict = configuredDefault;
            if (n.replyLength() < Protocol.REPLY_BUFFER_SIZE) {
                LOG.error("the driver sent a malformed notification (message {}, reply room {}): {}; not answered",
                        n.messageId(), n.replyLength(), e.getMessage());
                return;
            }
            asksDefaulted.incrementAndGet();
            LOG.error("the driver sent a malformed ask (message {}): {}; answering the configured default verdict {}",
                    n.messageId(), e.getMessage(), describe(verdict));
            reply(n.messageId(), null, verdict);
            return;
        }
        Action fallback = defaultVerdict(ask);
        Action verdict;
        try {
            verdict = decide(ask, fallback);
        } catch (RuntimeException | Error e) { // only when logging itself failed in decide()
            verdict = fallback;
        }
        reply(n.messageId(), ask, verdict);
    }

    /** The handler's verdict when it can be sent, else {@code fallback} (counted and logged). */
    private Action decide(Ask ask, Action fallback) {
        if (askHandler == null) {
            asksDefaulted.incrementAndGet();
            if (LOG.isDebugEnabled()) { // not even the arguments for a line that is not written
                LOG.debug("no ask handler: {} {} (rule id {}) gets its default verdict {}", ask.operation(),
                        ask.path(), Integer.toUnsignedString(ask.ruleId()), describe(fallback));
            }
            return fallback;
        }
        Action verdict;
        try {
            verdict = askHandler.decide(ask);
        } catch (RuntimeException | Error e) { // errors too: see the class comment
            asksFailed.incrementAndGet();
            asksDefaulted.incrementAndGet();
            LOG.error("the ask handler failed for {} {} (rule id {}); answering the ask's default verdict {}",
                    ask.operation(), ask.path(), Integer.toUnsignedString(ask.ruleId()), describe(fallback), e);
            return fallback;
        }
        String unusable = whyUnusable(ask, verdict);
        if (unusable != null) {
            asksFailed.incrementAndGet();
            asksDefaulted.incrementAndGet();
            LOG.error("the ask handler's verdict for {} {} (rule id {}) cannot be sent: {}; answering the ask's "
                    + "default verdict {}", ask.operation(), ask.path(), Integer.toUnsignedString(ask.ruleId()),
                    unusable, describe(fallback));
            return fallback;
        }
        return verdict;
    }

    /**
     * Why {@code verdict} cannot answer {@code ask}, or null when it can. The checks that need the
     * driver's view (operation flags of the asked operation, the redirect target's volume table)
     * stay the driver's: it applies the default verdict at once and counts a bad reply.
     */
    private static String whyUnusable(Ask ask, Action verdict) {
        if (verdict == null) {
            return "the handler returned null";
        }
        try {
            new AskReply(verdict); // ASK, a post-create flag, a MODIFY that changes nothing
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        if (ask.isPostCreate() && !appliesInPostCreate(verdict)) {
            return verdict.type() + " does not apply in post-create (only ALLOW, DENY or AUDIT)";
        }
        return null;
    }

    private static boolean appliesInPostCreate(Action verdict) {
        return switch (verdict.type()) {
            case ALLOW, DENY, AUDIT -> true;
            default -> false;
        };
    }

    /** Sends the one reply of an ask ({@code ask} null: it could not be decoded). */
    private void reply(long messageId, Ask ask, Action verdict) {
        // Counted before the reply, taken back when it fails: whoever sees the driver apply the verdict
        // (a test, the operation's caller) then also sees it counted.
        asksAnswered.incrementAndGet();
        try {
            port.reply(messageId, new AskReply(verdict).encode());
            return;
        } catch (RuntimeException | Error e) {
            asksAnswered.decrementAndGet();
            // Named only here: a reply that goes through must not pay for a log line's text.
            String what = ask == null ? "message " + messageId : ask.operation() + " " + ask.path();
            replyFailed(what, ask, verdict, e);
        }
    }

    private void replyFailed(String what, Ask ask, Action verdict, Throwable failure) {
        if (failure instanceof NoWaiterForReplyException) {
            asksLate.incrementAndGet();
            LOG.warn("answered {} after the driver's timeout{}; its default verdict applied", what,
                    ask == null ? "" : " of " + ask.timeoutMs() + " ms");
            return;
        }
        repliesFailed.incrementAndGet();
        if (failure instanceof InvalidPortHandleException e) { // and its subclasses (a port broken for good)
            lostConnection(e);
        } else if (failure instanceof PortClosedException e) {
            if (isStopping()) {
                LOG.debug("port closed while answering {}", what);
            } else {
                lostConnection(e);
            }
        } else {
            LOG.error("could not answer {} ({}); the driver applies its default verdict when the ask times out",
                    what, describe(verdict), failure);
        }
    }

    /**
     * What the driver applies when nobody answers {@code ask}: its rule's default verdict when the
     * rule names one, else the configured one.
     */
    Action defaultVerdict(Ask ask) {
        InForce p = current;
        if (p == null || p.generation != ask.generation()) {
            p = previous;
        }
        if (p != null && p.generation == ask.generation()) {
            Action own = p.askDefault(ask.ruleId());
            if (own != null) {
                return own;
            }
        }
        return configuredDefault;
    }

    /** A verdict for a log line: its type, and a DENY's status by name and in hex. */
    private static String describe(Action verdict) {
        if (verdict instanceof Action.Deny d) {
            return "DENY " + NtStatus.of(d.status());
        }
        return verdict.type().toString();
    }

    private static boolean hasAskRules(Policy p) {
        return p.rules().stream().anyMatch(r -> r.action() instanceof Action.Ask);
    }

    private static final String NO_HANDLER_WARNING = "{} has ASK rules but the service has no ask handler: every "
            + "ask gets its default verdict (the rule's orDeny/orAllow, else the configured one); set one with "
            + "PolicyService.Builder.askHandler";

    // ------------------------------------------------------------------ close

    /**
     * Stops the service: the threads are told to stop, the port is closed (which releases the ask
     * threads waiting in receive and fails an event pull in progress), and then close() waits for
     * the ask threads and the event poller to end, at most the close timeout
     * ({@link Builder#closeTimeout}, 5 s by default) in all. A thread still running then (an ask
     * handler or listener that does not return) is named in a WARN and left to end on its own
     * (the threads are daemons; close() does not interrupt them, which would close the NIO
     * channels a handler may be using).
     *
     * <p>Idempotent, and callable from any thread: from an ask handler or an event listener it
     * waits for the other threads but not its own. A second caller also waits for the threads.
     */
    @Override
    public void close() {
        boolean first;
        List<Thread> started;
        synchronized (lifecycle) {
            first = state != State.CLOSED;
            state = State.CLOSED;
            started = List.copyOf(threads);
        }
        if (first) {
            stopping.countDown();
            closePort();
        }
        awaitThreads(started, first);
    }

    private void awaitThreads(List<Thread> started, boolean report) {
        long deadline = System.nanoTime() + closeTimeout.toNanos();
        Thread self = Thread.currentThread();
        List<String> running = new ArrayList<>();
        boolean interrupted = false;
        for (Thread t : started) {
            if (t == self) {
                continue; // close() from a handler or listener: its own thread ends when the callback returns
            }
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (!interrupted && left > 0) {
                try {
                    t.join(left);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (t.isAlive()) {
                running.add(t.getName());
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (report && !running.isEmpty()) {
            LOG.warn("close(): {} still running after {} ms (an ask handler or event listener that does not return);"
                    + " left to end on their own", running, closeTimeout.toMillis());
        }
    }

    /** The threads start() started, for tests. */
    List<Thread> threads() {
        synchronized (lifecycle) {
            return List.copyOf(threads);
        }
    }

    /**
     * Options of a {@link PolicyService}; every one has a default but the port. Not thread-safe
     * (build on one thread). A method that rejects its argument closes the port before it throws
     * (the service owns the port from {@link PolicyService#builder}).
     */
    public static final class Builder {
        private final FilterPort port;
        private Policy policy = Policy.EMPTY;
        private Config config = Config.defaults();
        private boolean persistPolicy;
        private AskHandler askHandler;
        private EventListener eventListener;
        private int askThreads = 4;
        private Duration eventInterval = Duration.ofMillis(250);
        private Duration closeTimeout = Duration.ofSeconds(5);

        private Builder(FilterPort port) {
            this.port = Objects.requireNonNull(port, "port");
        }

        /** The policy start() pushes (default: the empty policy). */
        public Builder policy(Policy p) {
            this.policy = nonNull(p, "policy");
            return this;
        }

        /**
         * Whether the driver keeps every policy this service pushes (start() and replacePolicy()) in its
         * service key, in force from the next load on, before any service runs (default: false).
         */
        public Builder persistPolicy(boolean persist) {
            this.persistPolicy = persist;
            return this;
        }

        /** The configuration start() pushes before the policy (default: {@link Config#defaults()}). */
        public Builder config(Config c) {
            this.config = nonNull(c, "config");
            return this;
        }

        /**
         * Decides the asks, on the service's ask threads, several at once. Without one every ask
         * gets its default verdict (the rule's {@code orDeny}/{@code orAllow}, else the configured
         * one), and build() warns when the policy has ASK rules.
         */
        public Builder askHandler(AskHandler h) {
            this.askHandler = nonNull(h, "askHandler");
            return this;
        }

        /**
         * Receives the events, on the event poller thread (or the thread calling pollEvents()).
         * Without one, events are logged at DEBUG and dropped counts at WARN (logger
         * {@code org.jminifilter.service.EventListener}).
         */
        public Builder eventListener(EventListener l) {
            this.eventListener = nonNull(l, "eventListener");
            return this;
        }

        /** Threads waiting for asks at once: 1 .. 64 (default 4). */
        public Builder askThreads(int n) {
            if (n < 1 || n > 64) {
                throw reject(new IllegalArgumentException("askThreads: " + n + " is outside 1..64"));
            }
            this.askThreads = n;
            return this;
        }

        /** How often queued events are pulled (default 250 ms; 10 ms .. 1 min). */
        public Builder eventInterval(Duration d) {
            nonNull(d, "eventInterval");
            if (d.compareTo(Duration.ofMillis(10)) < 0 || d.compareTo(Duration.ofMinutes(1)) > 0) {
                throw reject(new IllegalArgumentException("eventInterval: " + d + " is outside 10 ms .. 1 min"));
            }
            this.eventInterval = d;
            return this;
        }

        /**
         * How long {@link PolicyService#close()} waits in all for the ask threads and the event
         * poller to end (default 5 s; 1 ms .. 1 min).
         */
        public Builder closeTimeout(Duration d) {
            nonNull(d, "closeTimeout");
            if (d.compareTo(Duration.ofMillis(1)) < 0 || d.compareTo(Duration.ofMinutes(1)) > 0) {
                throw reject(new IllegalArgumentException("closeTimeout: " + d + " is outside 1 ms .. 1 min"));
            }
            this.closeTimeout = d;
            return this;
        }

        /** The service, not started yet. Warns when the policy has ASK rules and no handler is set. */
        public PolicyService build() {
            if (askHandler == null && hasAskRules(policy)) {
                LOG.warn(NO_HANDLER_WARNING, "the policy");
            }
            return new PolicyService(this);
        }

        private <T> T nonNull(T value, String what) {
            if (value == null) {
                throw reject(new NullPointerException(what));
            }
            return value;
        }

        /** The service owns the port: a builder that fails must not leak it. */
        private RuntimeException reject(RuntimeException e) {
            try {
                port.close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            return e;
        }
    }
}
