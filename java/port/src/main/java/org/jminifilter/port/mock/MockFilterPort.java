package org.jminifilter.port.mock;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jminifilter.policy.Operation;
import org.jminifilter.policy.Policy;
import org.jminifilter.policy.Rule;
import org.jminifilter.port.FilterPort;
import org.jminifilter.port.FilterPortException;
import org.jminifilter.port.HResult;
import org.jminifilter.port.InsufficientBufferException;
import org.jminifilter.port.Notification;
import org.jminifilter.port.PortClosedException;
import org.jminifilter.port.ReplyCapacity;
import org.jminifilter.protocol.Ask;
import org.jminifilter.protocol.AskReply;
import org.jminifilter.protocol.Command;
import org.jminifilter.protocol.Config;
import org.jminifilter.protocol.ConnectContext;
import org.jminifilter.protocol.ErrorCode;
import org.jminifilter.protocol.Event;
import org.jminifilter.protocol.EventBatch;
import org.jminifilter.protocol.NtStatus;
import org.jminifilter.protocol.Protocol;
import org.jminifilter.protocol.ProtocolException;
import org.jminifilter.protocol.Result;
import org.jminifilter.protocol.RuleStatistics;
import org.jminifilter.protocol.Statistics;

/**
 * A pure-Java, in-memory {@link FilterPort} for tests on any OS, whose other end the test plays:
 * the kernel.
 *
 * <p>It speaks the real port's bytes: {@link #send} takes an encoded command and returns the
 * reply bytes the driver would write, {@link #receive} hands out FILTER_MESSAGE_HEADER fields
 * and an encoded JMF_ASK, {@link #reply} takes an encoded JMF_ASK_REPLY. The test side sees
 * commands decoded through the protocol codec ({@link #commands()}, {@link #nextCommand}),
 * answers them with handlers ({@link #onCommand} and the typed {@code on...} helpers, with
 * defaults described there), injects asks ({@link #ask}) and reads the verdicts, and simulates
 * failures: a late reply ({@link PendingAsk#expire()}), a failing command
 * ({@link #failNextSend}), the driver going away ({@link #disconnect()}). Connection refusal is
 * {@link MockDriver}'s part. So code tested against this port runs unchanged against the driver.
 *
 * <p>What it records is bounded, so a long test or a benchmark holds bounded memory: the port
 * keeps the last {@link #recordLimit()} commands ({@value #DEFAULT_RECORD_LIMIT} unless
 * {@link #setRecordLimit} says otherwise) and, separately, the last as many replies. Older ones
 * are dropped, and only counted ({@link #commandsReceived()}, {@link #repliesAccepted()}); a
 * command dropped before {@link #nextCommand}/{@link #pollCommand} took it is skipped by them.
 * Bounded rather than drained on reading, so that {@link #commands()} and {@link #replies()}
 * stay side-effect free and the service's periodic GET_EVENTS and GET_STATISTICS never crowd
 * memory however long the service runs.
 *
 * <p>A typical test of an {@code AskHandler} through the service:
 *
 * <pre>{@code
 * MockFilterPort port = new MockFilterPort();
 * try (PolicyService service = PolicyService.builder(port).policy(policy).askHandler(handler).build().start()) {
 *     port.nextCommand(Command.SetPolicy.class);                     // the service pushed its policy
 *     AskReply reply = port.ask(Operation.DELETE, 1200, "\\docs\\plan.docx",
 *             "\\Device\\HarddiskVolume1\\Windows\\explorer.exe").get(5, TimeUnit.SECONDS);
 *     assertEquals(ActionType.DENY, reply.verdict().type());
 * }
 * }</pre>
 *
 * <p>Reply buffers behave as on the real port: a reply larger than the capacity the caller
 * offered makes the "kernel" fail with ERROR_INSUFFICIENT_BUFFER and the port grows the buffer
 * and sends again (the handler sees each attempt, as the driver would), up to
 * {@link ReplyCapacity#DEFAULT_MAX}.
 *
 * <p>Default answers: SET_POLICY is accepted with a {@link Result} of the next generation (1, 2,
 * ...); SET_CONFIG is accepted with the current generation; GET_STATISTICS gives zero counters
 * and one zero {@link RuleStatistics} per rule of the policy in force; GET_EVENTS gives the
 * events queued with {@link #queueEvent} that fit in the buffer (JMF_EVENT_BATCH semantics).
 * What a default does not do: validate a policy as the driver's JmfPolicyCompile does (the
 * emulator runs the real driver code for that).
 *
 * <p>Thread-safe: the service's threads and the test thread may use it at once.
 */
public final class MockFilterPort implements FilterPort {

    /** How long {@link #nextCommand(Class)} waits: long enough for a slow CI machine, short enough to fail a test. */
    public static final Duration DEFAULT_WAIT = Duration.ofSeconds(10);

    /** How many commands, and how many replies, a port keeps unless {@link #setRecordLimit} says otherwise. */
    public static final int DEFAULT_RECORD_LIMIT = 1000;

    /**
     * Answers one decoded command with the bytes the kernel writes to the output buffer. May
     * throw a {@link FilterPortException} to fail the command (an InsufficientBufferException
     * makes the port grow its buffer and retry, as the real port does).
     */
    @FunctionalInterface
    public interface CommandHandler<C extends Command> {
        /**
         * Called on the thread that sent the command (the service's), once per attempt.
         *
         * @param command       the command, decoded
         * @param replyCapacity the output buffer's size in bytes
         * @return the output bytes (an empty buffer for none)
         */
        ByteBuffer handle(C command, int replyCapacity);
    }

    /** A reply the "kernel" accepted: the message it answers and the body after FILTER_REPLY_HEADER. */
    public record Reply(long messageId, ByteBuffer body) {
        /** Keeps a read-only copy of {@code body}. */
        public Reply {
            body = copyOf(body).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
        }

        /** @return the reply body, a little-endian view the caller may move freely */
        @Override
        public ByteBuffer body() {
            return body.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        }
    }

    private enum State { OPEN, DISCONNECTED, CLOSED }

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final KernelState kernel;
    private final ConnectContext context;
    private final int maxReplyCapacity;

    private State state = State.OPEN;
    private final Deque<Notification> notifications = new ArrayDeque<>();
    private int recordLimit = DEFAULT_RECORD_LIMIT;
    /** The last recordLimit commands received, oldest first. */
    private final Deque<Command> commands = new ArrayDeque<>();
    /** The commands not taken yet, oldest first: the newest of them, never more than recordLimit. */
    private final Deque<Command> untaken = new ArrayDeque<>();
    private long commandsReceived;
    private final Map<Class<?>, CommandHandler<?>> handlers = new HashMap<>();
    private final Deque<Integer> sendFailures = new ArrayDeque<>();
    /** Messages the kernel still waits a reply for: id -> its ask, or null for a raw notification. */
    private final Map<Long, PendingAsk> waiting = new LinkedHashMap<>();
    /** The last recordLimit replies accepted, oldest first. */
    private final Deque<Reply> replies = new ArrayDeque<>();
    private long repliesAccepted;
    private long nextMessageId = 1;

    /** An open port with its own kernel state, connected with this library's context. */
    public MockFilterPort() {
        this(new KernelState(), ConnectContext.current(), ReplyCapacity.DEFAULT_MAX);
    }

    /** An open port whose reply buffers grow at most to {@code maxReplyCapacity} bytes. */
    public MockFilterPort(int maxReplyCapacity) {
        this(new KernelState(), ConnectContext.current(), maxReplyCapacity);
    }

    MockFilterPort(KernelState kernel, ConnectContext context, int maxReplyCapacity) {
        this.kernel = Objects.requireNonNull(kernel, "kernel");
        this.context = Objects.requireNonNull(context, "context");
        if (maxReplyCapacity < 0) {
            throw new IllegalArgumentException("maxReplyCapacity must not be negative: " + maxReplyCapacity);
        }
        this.maxReplyCapacity = maxReplyCapacity;
    }

    // =================================================================== FilterPort (the service's side)

    @Override
    public ByteBuffer send(ByteBuffer command, int replyCapacity) {
        Objects.requireNonNull(command, "command");
        if (!command.hasRemaining()) {
            throw new IllegalArgumentException("the command is empty");
        }
        if (replyCapacity < 0) {
            throw new IllegalArgumentException("replyCapacity must not be negative: " + replyCapacity);
        }
        ByteBuffer bytes = copyOf(command);
        int capacity = replyCapacity;
        while (true) {
            Received received = receiveCommand(bytes);
            Command decoded = received.command();
            ByteBuffer reply;
            try {
                reply = received.refusal() != null ? received.refusal().encode()
                        : handlerFor(decoded).handle(decoded, capacity);
                if (reply == null) {
                    throw new IllegalStateException("the " + decoded.getClass().getSimpleName()
                            + " handler returned null; return an empty buffer for no output");
                }
                if (reply.remaining() > capacity) {
                    throw insufficient(capacity);
                }
            } catch (InsufficientBufferException e) {
                if (capacity >= maxReplyCapacity) {
                    throw new InsufficientBufferException("FilterSendMessage failed with HRESULT "
                            + HResult.hex(e.hresult()) + ": the reply does not fit in " + capacity
                            + " bytes, the most this port allows", e.hresult(), capacity);
                }
                capacity = ReplyCapacity.grow(capacity, maxReplyCapacity);
                continue;
            }
            return copyOf(reply);
        }
    }

    /** A command as the "driver" took it: decoded, or refused with the JMF_RESULT the driver answers. */
    private record Received(Command command, Result refusal) {
    }

    /**
     * Checks the port, applies a scripted failure, decodes and records one command. A SET_POLICY
     * or SET_CONFIG whose header is sound but whose body the driver would reject is answered as
     * the driver does: STATUS_SUCCESS from the message callback and a JMF_RESULT naming the error
     * and rule (the policy in force stays). Anything else malformed fails the call with
     * STATUS_INVALID_PARAMETER, as the driver's JmfCommandParse does.
     */
    private Received receiveCommand(ByteBuffer bytes) {
        lock.lock();
        try {
            requireUsable("FilterSendMessage");
            Integer failure = sendFailures.poll();
            if (failure != null) {
                throw FilterPortException.forHresult("FilterSendMessage", failure);
            }
            Command decoded;
            try {
                decoded = Command.decode(bytes);
            } catch (ProtocolException e) {
                if (hasSoundHeaderWithBody(bytes)) {
                    return new Received(null, e.toResult(generation()));
                }
                // The driver's message callback refuses a malformed command with STATUS_INVALID_PARAMETER.
                throw new FilterPortException("FilterSendMessage failed with HRESULT "
                        + HResult.hex(HResult.INVALID_PARAMETER) + ": the driver refuses this command: "
                        + e.getMessage(), HResult.INVALID_PARAMETER, e);
            }
            commandsReceived++;
            record(commands, decoded);
            record(untaken, decoded);
            changed.signalAll();
            return new Received(decoded, null);
        } finally {
            lock.unlock();
        }
    }

    /** True for a SET_POLICY or SET_CONFIG whose JMF_COMMAND_HEADER is right: only its body can be at fault. */
    private static boolean hasSoundHeaderWithBody(ByteBuffer bytes) {
        ByteBuffer b = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (b.remaining() < Protocol.COMMAND_HEADER_SIZE) {
            return false;
        }
        int type = b.getInt(b.position());
        int length = b.getInt(b.position() + 4);
        // SET_CONFIG: JMF_CONFIG, then the unlock key exactly when Flags has LOCKED (JmfCommandParse).
        boolean bodyChecked = type == Protocol.COMMAND_SET_POLICY
                || (type == Protocol.COMMAND_SET_CONFIG && b.remaining() >= Protocol.COMMAND_HEADER_SIZE + Protocol.CONFIG_SIZE
                        && b.remaining() == Protocol.COMMAND_HEADER_SIZE + Protocol.CONFIG_SIZE
                                + ((b.getInt(b.position() + Protocol.COMMAND_HEADER_SIZE + 20) & Protocol.CONFIG_FLAG_LOCKED) != 0
                                        ? Protocol.UNLOCK_KEY_SIZE : 0));
        return bodyChecked && length == b.remaining();
    }

    @Override
    public Notification receive() {
        return awaitNotification(true, 0).orElseThrow();
    }

    @Override
    public Optional<Notification> receive(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must not be negative: " + timeout);
        }
        return awaitNotification(false, timeout.toNanos());
    }

    private Optional<Notification> awaitNotification(boolean forever, long nanos) {
        lock.lock();
        try {
            while (true) {
                requireUsable("FilterGetMessage");
                Notification next = notifications.poll();
                if (next != null) {
                    return Optional.of(next);
                }
                if (!forever && nanos <= 0) {
                    return Optional.empty();
                }
                nanos = forever ? waitForever() : changed.awaitNanos(nanos);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PortClosedException("interrupted while waiting for a notification");
        } finally {
            lock.unlock();
        }
    }

    private long waitForever() throws InterruptedException {
        changed.await();
        return Long.MAX_VALUE;
    }

    @Override
    public void reply(long messageId, ByteBuffer replyBody) {
        Objects.requireNonNull(replyBody, "replyBody");
        ByteBuffer body = copyOf(replyBody);
        PendingAsk ask;
        lock.lock();
        try {
            requireUsable("FilterReplyMessage");
            if (!waiting.containsKey(messageId)) {
                throw FilterPortException.forHresult("FilterReplyMessage(message " + messageId + ")",
                        HResult.NO_WAITER_FOR_REPLY);
            }
            ask = waiting.remove(messageId);
            repliesAccepted++;
            record(replies, new Reply(messageId, body));
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (ask != null) {
            try {
                ask.complete(AskReply.decode(body));
            } catch (ProtocolException | IllegalArgumentException e) {
                ask.completeExceptionally(e);
            }
        }
    }

    @Override
    public boolean isOpen() {
        lock.lock();
        try {
            return state != State.CLOSED;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        end(State.CLOSED, new PortClosedException("the filter port was closed while the kernel waited"));
    }

    // =================================================================== the kernel's side (the test)

    /** @return the connection context the port was opened with */
    public ConnectContext connectContext() {
        return context;
    }

    /**
     * @return the last {@link #recordLimit()} commands received, decoded, oldest first (each retry
     *         counts, as in the driver)
     */
    public List<Command> commands() {
        lock.lock();
        try {
            return List.copyOf(commands);
        } finally {
            lock.unlock();
        }
    }

    /** @return the next command not yet taken by {@link #nextCommand}/{@link #pollCommand}, waiting for it */
    public Optional<Command> pollCommand(Duration timeout) {
        long nanos = timeout.toNanos();
        lock.lock();
        try {
            while (untaken.isEmpty()) {
                if (nanos <= 0) {
                    return Optional.empty();
                }
                nanos = changed.awaitNanos(nanos);
            }
            return Optional.of(untaken.removeFirst());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } finally {
            lock.unlock();
        }
    }

    /**
     * @return the next command not yet taken, waiting at most {@code timeout}
     * @throws IllegalStateException when none comes in time
     */
    public Command nextCommand(Duration timeout) {
        return pollCommand(timeout).orElseThrow(() -> new IllegalStateException(
                "the service sent no command within " + timeout));
    }

    /**
     * The next command of {@code type} not yet taken, waiting at most {@code timeout}; commands of
     * other types before it are taken too and skipped. {@code PolicyService.start()} sends
     * SET_CONFIG, then SET_POLICY, then GET_EVENTS and GET_STATISTICS as its poller runs, so
     * {@code nextCommand(Command.SetPolicy.class, t)} finds the policy whether or not the test
     * took the configuration first.
     *
     * @param type    the command class, for example {@code Command.SetPolicy.class}
     * @param timeout how long to wait for it
     * @return the command
     * @throws IllegalStateException when none comes in time, naming the commands skipped
     */
    public <C extends Command> C nextCommand(Class<C> type, Duration timeout) {
        Objects.requireNonNull(type, "type");
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> skipped = new ArrayList<>();
        while (true) {
            Optional<Command> next = pollCommand(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
            if (next.isEmpty()) {
                throw new IllegalStateException("the service sent no " + type.getSimpleName() + " within " + timeout
                        + (skipped.isEmpty() ? "" : " (it sent " + String.join(", ", skipped) + ")"));
            }
            if (type.isInstance(next.get())) {
                return type.cast(next.get());
            }
            skipped.add(next.get().getClass().getSimpleName());
        }
    }

    /**
     * {@link #nextCommand(Class, Duration)} waiting at most {@link #DEFAULT_WAIT}.
     *
     * @param type the command class, for example {@code Command.SetPolicy.class}
     * @return the command
     * @throws IllegalStateException when none comes in time
     */
    public <C extends Command> C nextCommand(Class<C> type) {
        return nextCommand(type, DEFAULT_WAIT);
    }

    /** Answers every later command of {@code type} with {@code handler} (replacing the default). */
    public <C extends Command> MockFilterPort onCommand(Class<C> type, CommandHandler<? super C> handler) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(handler, "handler");
        lock.lock();
        try {
            handlers.put(type, handler);
        } finally {
            lock.unlock();
        }
        return this;
    }

    /** Answers SET_POLICY with {@code answer}'s {@link Result} (the policy in force does not change). */
    public MockFilterPort onSetPolicy(Function<Command.SetPolicy, Result> answer) {
        return onCommand(Command.SetPolicy.class, (command, capacity) -> {
            requireCapacity(capacity, Protocol.RESULT_SIZE);
            return answer.apply(command).encode();
        });
    }

    /** Answers SET_CONFIG with {@code answer}'s {@link Result} (the configuration does not change). */
    public MockFilterPort onSetConfig(Function<Command.SetConfig, Result> answer) {
        return onCommand(Command.SetConfig.class, (command, capacity) -> {
            requireCapacity(capacity, Protocol.RESULT_SIZE);
            return answer.apply(command).encode();
        });
    }

    /** Answers GET_STATISTICS with {@code statistics} (too small a buffer: ERROR_INSUFFICIENT_BUFFER). */
    public MockFilterPort onGetStatistics(Supplier<Statistics> statistics) {
        return onCommand(Command.GetStatistics.class, (command, capacity) -> {
            ByteBuffer encoded = statistics.get().encode();
            requireCapacity(capacity, encoded.remaining());
            return encoded;
        });
    }

    /** Makes the next {@link #send} fail with {@code hresult} (queued: call again for the one after). */
    public MockFilterPort failNextSend(int hresult) {
        lock.lock();
        try {
            sendFailures.add(hresult);
        } finally {
            lock.unlock();
        }
        return this;
    }

    /** Queues an event for GET_EVENTS; past JMF_EVENT_QUEUE_CAPACITY it is dropped and counted, as in the driver. */
    public MockFilterPort queueEvent(Event event) {
        Objects.requireNonNull(event, "event");
        synchronized (kernel) {
            if (kernel.events.size() >= Protocol.EVENT_QUEUE_CAPACITY) {
                kernel.eventsDropped++;
            } else {
                kernel.events.add(event);
            }
        }
        return this;
    }

    /** @return the policy generation in force ("kernel" side) */
    public int generation() {
        synchronized (kernel) {
            return kernel.generation;
        }
    }

    /** @return the policy the default SET_POLICY handler last accepted */
    public Policy policy() {
        synchronized (kernel) {
            return kernel.policy;
        }
    }

    /** @return the configuration the default SET_CONFIG handler last accepted (unlocked by a right UNLOCK) */
    public Config config() {
        synchronized (kernel) {
            return kernel.config;
        }
    }

    /** @return the policy the driver would find in its service key at the next load, if any */
    public Optional<Policy> persistedPolicy() {
        synchronized (kernel) {
            return Optional.ofNullable(kernel.persistedPolicy);
        }
    }

    /** @return the configuration (never locked) the driver would find in its service key at the next load, if any */
    public Optional<Config> persistedConfig() {
        synchronized (kernel) {
            return Optional.ofNullable(kernel.persistedConfig);
        }
    }

    /** @return wrong unlock keys presented so far (UNLOCK, or SET_CONFIG while locked) */
    public int unlockFailures() {
        synchronized (kernel) {
            return kernel.unlockFailures;
        }
    }

    /**
     * Sends an ask (FltSendMessage with a JMF_ASK_REPLY-sized reply buffer); the kernel waits
     * until the service replies, the port closes, or {@link PendingAsk#expire()}.
     */
    public PendingAsk ask(Ask ask) {
        Objects.requireNonNull(ask, "ask");
        lock.lock();
        try {
            requireUsable("FltSendMessage");
            long id = nextMessageId++;
            PendingAsk pending = new PendingAsk(this, id, ask);
            waiting.put(id, pending);
            // ReplyLength as FilterGetMessage reports it: room for FILTER_REPLY_HEADER + JMF_ASK_REPLY.
            notifications.add(new Notification(id, Protocol.REPLY_BUFFER_SIZE, ask.encode()));
            changed.signalAll();
            return pending;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Sends an ask for {@code operation} by process {@code processId} on {@code path} (volume-relative)
     * from the image {@code image} (its NT path), the other fields as {@link Ask#builder()} sets
     * them (rule 1, a 3000 ms timeout), on the first volume of the policy in force (else
     * {@code \Device\HarddiskVolume1}) and its generation; for any other field build the ask
     * with {@link Ask#builder()} and call {@link #ask(Ask)}.
     *
     * @return the reply future: {@code port.ask(...).get(5, TimeUnit.SECONDS)} is the verdict the service sent
     */
    public PendingAsk ask(Operation operation, int processId, String path, String image) {
        Ask.Builder b = Ask.builder().operation(operation).processId(processId).path(path).image(image);
        synchronized (kernel) {
            b.generation(kernel.generation);
            if (!kernel.policy.volumes().isEmpty()) {
                b.volume(kernel.policy.volumes().get(0).name());
            }
        }
        return ask(b.build());
    }

    /** Sends an ask that the kernel stops waiting for after {@code kernelTimeout} (then as {@link PendingAsk#expire()}). */
    public PendingAsk ask(Ask ask, Duration kernelTimeout) {
        PendingAsk pending = ask(ask);
        CompletableFuture.delayedExecutor(kernelTimeout.toNanos(), TimeUnit.NANOSECONDS)
                .execute(pending::expire);
        return pending;
    }

    /**
     * Sends raw notification bytes (e.g. a malformed ask). When {@code replyLength} is not 0 the
     * kernel waits for a reply, which then shows in {@link #replies()}.
     *
     * @return the message id
     */
    public long notify(ByteBuffer body, int replyLength) {
        Objects.requireNonNull(body, "body");
        lock.lock();
        try {
            requireUsable("FltSendMessage");
            long id = nextMessageId++;
            if (replyLength != 0) {
                waiting.put(id, null);
            }
            notifications.add(new Notification(id, replyLength, body));
            changed.signalAll();
            return id;
        } finally {
            lock.unlock();
        }
    }

    /** @return the last {@link #recordLimit()} replies the kernel accepted, oldest first */
    public List<Reply> replies() {
        lock.lock();
        try {
            return List.copyOf(replies);
        } finally {
            lock.unlock();
        }
    }

    /** @return every command received since the port opened, those no longer recorded too (each retry counts) */
    public long commandsReceived() {
        lock.lock();
        try {
            return commandsReceived;
        } finally {
            lock.unlock();
        }
    }

    /** @return every reply the kernel accepted since the port opened, those no longer recorded too */
    public long repliesAccepted() {
        lock.lock();
        try {
            return repliesAccepted;
        } finally {
            lock.unlock();
        }
    }

    /** @return how many commands, and how many replies, the port keeps */
    public int recordLimit() {
        lock.lock();
        try {
            return recordLimit;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Keeps the last {@code limit} commands and the last {@code limit} replies from now on; what
     * is recorded beyond that is dropped at once, oldest first.
     *
     * @throws IllegalArgumentException when {@code limit} is less than 1
     */
    public void setRecordLimit(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("the record limit must be at least 1, not " + limit);
        }
        lock.lock();
        try {
            recordLimit = limit;
            trim(commands);
            trim(untaken);
            trim(replies);
        } finally {
            lock.unlock();
        }
    }

    /** @return how many notifications wait for a receiver */
    public int queuedNotifications() {
        lock.lock();
        try {
            return notifications.size();
        } finally {
            lock.unlock();
        }
    }

    /**
     * The driver goes away (unloads): waiting receivers and every later call fail with
     * InvalidPortHandleException (HRESULT 0x80070006), and the asks waiting fail too.
     */
    public void disconnect() {
        end(State.DISCONNECTED, FilterPortException.forHresult("FilterGetMessage", HResult.INVALID_HANDLE));
    }

    // =================================================================== internals

    boolean expire(long messageId) {
        PendingAsk ask;
        lock.lock();
        try {
            if (!waiting.containsKey(messageId)) {
                return false;
            }
            ask = waiting.remove(messageId);
        } finally {
            lock.unlock();
        }
        if (ask != null) {
            ask.completeExceptionally(new TimeoutException("the kernel stopped waiting for the reply to message "
                    + messageId + " (the ask timed out; the operation got its default verdict)"));
        }
        return true;
    }

    private void end(State newState, FilterPortException askFailure) {
        List<PendingAsk> abandoned = new ArrayList<>();
        lock.lock();
        try {
            if (state == State.CLOSED || state == newState) {
                return;
            }
            state = newState;
            waiting.values().stream().filter(Objects::nonNull).forEach(abandoned::add);
            waiting.clear();
            notifications.clear();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        abandoned.forEach(ask -> ask.completeExceptionally(askFailure));
    }

    /** Must hold the lock. Appends {@code item}, dropping the oldest beyond the record limit. */
    private <T> void record(Deque<T> record, T item) {
        record.addLast(item);
        trim(record);
    }

    /** Must hold the lock. */
    private void trim(Deque<?> record) {
        while (record.size() > recordLimit) {
            record.removeFirst();
        }
    }

    /** Must hold the lock. */
    private void requireUsable(String call) {
        if (state == State.CLOSED) {
            throw new PortClosedException("the filter port is closed");
        }
        if (state == State.DISCONNECTED) {
            throw FilterPortException.forHresult(call, HResult.INVALID_HANDLE);
        }
    }

    @SuppressWarnings("unchecked")
    private CommandHandler<Command> handlerFor(Command command) {
        lock.lock();
        try {
            CommandHandler<?> handler = handlers.get(command.getClass());
            if (handler != null) {
                return (CommandHandler<Command>) handler;
            }
        } finally {
            lock.unlock();
        }
        return this::defaultAnswer;
    }

    private ByteBuffer defaultAnswer(Command command, int capacity) {
        if (command instanceof Command.SetPolicy setPolicy) {
            requireCapacity(capacity, Protocol.RESULT_SIZE);
            synchronized (kernel) {
                kernel.generation++;
                kernel.policy = setPolicy.policy();
                if (setPolicy.persist()) {
                    // as the driver: persisting a policy with no rules clears what was kept
                    kernel.persistedPolicy = setPolicy.policy().rules().isEmpty() ? null : setPolicy.policy();
                }
                return Result.success(kernel.generation).encode();
            }
        }
        if (command instanceof Command.SetConfig setConfig) {
            requireCapacity(capacity, Protocol.RESULT_SIZE);
            Config next = setConfig.config();
            synchronized (kernel) {
                // as the driver: while locked, a configuration must keep the lock with the same key
                if (kernel.config.isLocked() && !kernel.config.lockKey().equals(next.lockKey())) {
                    kernel.unlockFailures++;
                    return new Result(NtStatus.ACCESS_DENIED.value(), ErrorCode.LOCKED, Protocol.INDEX_NONE,
                            kernel.generation).encode();
                }
                kernel.config = next;
                if (next.persist()) {
                    // the lock is never kept; persisting the defaults clears what was kept
                    Config kept = next.unlocked();
                    kernel.persistedConfig = kept.notPersisted().equals(Config.defaults()) ? null : kept;
                }
                return Result.success(kernel.generation).encode();
            }
        }
        if (command instanceof Command.Unlock unlock) {
            requireCapacity(capacity, Protocol.RESULT_SIZE);
            synchronized (kernel) {
                if (kernel.config.isLocked()) {
                    if (!kernel.config.lockKey().equals(unlock.key())) {
                        kernel.unlockFailures++;
                        return new Result(NtStatus.ACCESS_DENIED.value(), ErrorCode.LOCKED, Protocol.INDEX_NONE,
                                kernel.generation).encode();
                    }
                    kernel.config = kernel.config.unlocked();
                }
                return Result.success(kernel.generation).encode();
            }
        }
        if (command instanceof Command.GetStatistics) {
            synchronized (kernel) {
                List<Rule> rules = kernel.policy.rules();
                requireCapacity(capacity, Statistics.size(rules.size()));
                List<RuleStatistics> perRule = rules.stream().map(r -> new RuleStatistics(r.ruleId(), 0)).toList();
                return new Statistics(kernel.generation, 0, Map.of(), 0, 0, 0, 0, 0, 0, 0, 0,
                        kernel.events.size(), kernel.eventsDropped, 0, 0, 0, 0, 0, 0, perRule).encode();
            }
        }
        if (command instanceof Command.GetEvents) {
            synchronized (kernel) {
                requireCapacity(capacity, EventBatch.size(kernel.events.isEmpty() ? 0 : 1));
                int fit = (capacity - EventBatch.size(0)) / Protocol.EVENT_SIZE;
                List<Event> batch = new ArrayList<>();
                while (batch.size() < fit && !kernel.events.isEmpty()) {
                    batch.add(kernel.events.poll());
                }
                return new EventBatch(kernel.events.size(), kernel.eventsDropped, batch).encode();
            }
        }
        throw new IllegalStateException("no default answer for " + command);
    }

    /** Fails like the driver does when the output buffer cannot hold {@code needed} bytes. */
    public static void requireCapacity(int capacity, int needed) {
        if (capacity < needed) {
            throw insufficient(capacity);
        }
    }

    private static InsufficientBufferException insufficient(int capacity) {
        return new InsufficientBufferException("FilterSendMessage failed with HRESULT "
                + HResult.hex(HResult.INSUFFICIENT_BUFFER) + ": the reply does not fit in " + capacity + " bytes",
                HResult.INSUFFICIENT_BUFFER, capacity);
    }

    private static ByteBuffer copyOf(ByteBuffer source) {
        ByteBuffer copy = ByteBuffer.allocate(source.remaining()).order(ByteOrder.LITTLE_ENDIAN);
        copy.put(source.duplicate()).flip();
        return copy;
    }
}
