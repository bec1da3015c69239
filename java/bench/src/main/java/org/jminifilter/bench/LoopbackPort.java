package org.jminifilter.bench;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.jminifilter.port.FilterPort;
import org.jminifilter.port.Notification;
import org.jminifilter.port.PortClosedException;
import org.jminifilter.protocol.EventBatch;
import org.jminifilter.protocol.Protocol;
import org.jminifilter.protocol.Result;

/**
 * The least a {@link FilterPort} can do, so that what is measured over it is the caller's own
 * work: {@link #run} lets {@code asks} receives through, each handing out the same prepared
 * notification (no encoding, no copy), and waits until as many replies came back; a reply only
 * reads the verdict type. Commands get a success (SET_POLICY, SET_CONFIG) or an empty event batch.
 * Per ask the port costs two uncontended lock acquisitions; one hand-off per batch.
 */
final class LoopbackPort implements FilterPort {
    private final Notification notification;
    private final Object lock = new Object();
    /** Guarded by lock. */
    private int credits;
    private int answered;
    private int target;
    private long verdictTypes;
    private boolean closed;

    LoopbackPort(Notification notification) {
        this.notification = notification;
    }

    /**
     * Lets {@code asks} notifications through and waits for their replies.
     *
     * @return the sum of the verdict types replied so far (what the replies said, for checks)
     */
    long run(int asks) throws InterruptedException {
        synchronized (lock) {
            answered = 0;
            target = asks;
            credits = asks;
            lock.notifyAll();
            while (answered < target) {
                if (closed) {
                    throw new IllegalStateException("the port was closed with " + answered + " of " + asks + " answered");
                }
                lock.wait();
            }
            return verdictTypes;
        }
    }

    @Override
    public ByteBuffer send(ByteBuffer command, int replyCapacity) {
        // The header's type only: decoding the policy here would run the codec's string reader
        // over 10,000 rules in this JVM, which the real driver does not, and would change how the
        // JIT compiles the ask decoder that is measured (a second buffer class at its call sites).
        int type = command.duplicate().order(ByteOrder.LITTLE_ENDIAN).getInt(command.position());
        return switch (type) {
            case Protocol.COMMAND_GET_EVENTS -> new EventBatch(0, 0, List.of()).encode();
            case Protocol.COMMAND_SET_POLICY, Protocol.COMMAND_SET_CONFIG -> Result.success(1).encode();
            default -> throw new UnsupportedOperationException("LoopbackPort does not answer command type " + type);
        };
    }

    @Override
    public Notification receive() {
        synchronized (lock) {
            while (credits == 0) {
                if (closed) {
                    throw new PortClosedException("closed");
                }
                try {
                    lock.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new PortClosedException("interrupted");
                }
            }
            credits--;
        }
        return notification;
    }

    @Override
    public Optional<Notification> receive(Duration timeout) {
        throw new UnsupportedOperationException("the service receives without a timeout");
    }

    @Override
    public void reply(long messageId, ByteBuffer replyBody) {
        int type = replyBody.getInt(replyBody.position()); // JMF_ACTION.Type, the first field
        synchronized (lock) {
            verdictTypes += type;
            if (++answered == target) {
                lock.notifyAll();
            }
        }
    }

    @Override
    public boolean isOpen() {
        synchronized (lock) {
            return !closed;
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            lock.notifyAll();
        }
    }

    /** The reply room a JMF_ASK notification comes with. */
    static int replyLength() {
        return Protocol.REPLY_BUFFER_SIZE;
    }
}
