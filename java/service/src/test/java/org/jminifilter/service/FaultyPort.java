package org.jminifilter.service;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import org.jminifilter.port.FilterPort;
import org.jminifilter.port.Notification;
import org.jminifilter.port.mock.MockFilterPort;

/**
 * A hand-written {@link FilterPort} around a {@link MockFilterPort} (which plays the kernel) that
 * can fail the next replies with any throwable and the next receives with any exception, counts its close() calls and signals the first.
 */
class FaultyPort implements FilterPort {
    final MockFilterPort kernel;
    private final Deque<Throwable> replyFailures = new ArrayDeque<>();
    private final Deque<RuntimeException> receiveFailures = new ArrayDeque<>();
    private final AtomicInteger closes = new AtomicInteger();
    final CountDownLatch closed = new CountDownLatch(1);

    FaultyPort(MockFilterPort kernel) {
        this.kernel = kernel;
    }

    /** The next reply throws {@code failure} (an unchecked exception or an error) instead of reaching the kernel. */
    FaultyPort failNextReply(Throwable failure) {
        synchronized (replyFailures) {
            replyFailures.add(failure);
        }
        return this;
    }

    /** The next receive throws {@code failure}. */
    FaultyPort failNextReceive(RuntimeException failure) {
        synchronized (receiveFailures) {
            receiveFailures.add(failure);
        }
        return this;
    }

    /** How many times close() was called. */
    int closes() {
        return closes.get();
    }

    @Override
    public ByteBuffer send(ByteBuffer command, int replyCapacity) {
        return kernel.send(command, replyCapacity);
    }

    @Override
    public Notification receive() {
        RuntimeException failure;
        synchronized (receiveFailures) {
            failure = receiveFailures.poll();
        }
        if (failure != null) {
            throw failure;
        }
        return kernel.receive();
    }

    @Override
    public Optional<Notification> receive(Duration timeout) {
        return kernel.receive(timeout);
    }

    @Override
    public void reply(long messageId, ByteBuffer replyBody) {
        Throwable failure;
        synchronized (replyFailures) {
            failure = replyFailures.poll();
        }
        if (failure instanceof RuntimeException e) {
            throw e;
        }
        if (failure instanceof Error e) {
            throw e;
        }
        kernel.reply(messageId, replyBody);
    }

    @Override
    public boolean isOpen() {
        return kernel.isOpen();
    }

    @Override
    public void close() {
        closes.incrementAndGet();
        kernel.close();
        closed.countDown();
    }
}
