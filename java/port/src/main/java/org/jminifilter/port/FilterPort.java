package org.jminifilter.port;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Optional;

/**
 * A connection to the jminifilter driver's communication port: the one interface the policy
 * service codes against. It moves bytes only; {@code org.jminifilter.protocol} gives them meaning.
 *
 * <p>Implementations: {@code FltLibFilterPort} (fltlib.dll on Windows, through JNA),
 * {@code MockFilterPort} (in memory, for tests on any OS), and whatever a
 * {@link FilterPortProvider} supplies (the emulator's port). Obtain one with
 * {@link FilterPorts#connect}.
 *
 * <p>Thread safety follows the Win32 API: {@link #send}, {@link #receive}, {@link #reply} and
 * {@link #close} may be called from any threads at once, and several threads may wait in
 * {@code receive} together (each notification goes to exactly one of them). {@link #close}
 * releases every waiting receiver with a {@link PortClosedException}.
 *
 * <p>Every failure is a {@link FilterPortException} (unchecked, see there why) whose subclass
 * says what happened and whose message says what to do about it.
 */
public interface FilterPort extends AutoCloseable {

    /**
     * Sends one command (FilterSendMessage) and returns the kernel's reply.
     *
     * @param command the encoded command, from its position to its limit (a JMF_COMMAND_HEADER
     *                and its body); not consumed: its position is left unchanged
     * @param replyCapacity the reply buffer to start with, in bytes (0 for none). When the kernel
     *                says the buffer is too small the port grows it and sends again, up to a
     *                bound (64 MiB by default), then fails with {@link InsufficientBufferException}
     * @return the reply bytes the kernel wrote, little-endian, position 0, limit = bytes returned
     * @throws PortClosedException after {@link #close}
     * @throws FilterPortException when the kernel or Windows refuses the command
     */
    ByteBuffer send(ByteBuffer command, int replyCapacity);

    /**
     * Waits for the next kernel notification (FilterGetMessage), without a time limit.
     *
     * @throws PortClosedException when the port is or gets closed while waiting
     */
    Notification receive();

    /**
     * Waits at most {@code timeout} for the next kernel notification.
     *
     * @return the notification, or empty when none came in time
     * @throws PortClosedException when the port is or gets closed while waiting
     */
    Optional<Notification> receive(Duration timeout);

    /**
     * Answers a notification (FilterReplyMessage). The port writes the FILTER_REPLY_HEADER
     * (Status 0, {@code messageId}) in front of {@code replyBody} and passes the kernel the
     * length with that header included, as FilterReplyMessage requires.
     *
     * @param messageId {@link Notification#messageId()} of the notification answered
     * @param replyBody the reply body (a JMF_ASK_REPLY), from its position to its limit; not consumed
     * @throws NoWaiterForReplyException when the kernel stopped waiting (the ask timed out)
     * @throws PortClosedException after {@link #close}
     */
    void reply(long messageId, ByteBuffer replyBody);

    /**
     * @return false once {@link #close} has begun, or once the port can never deliver another
     *         notification (a broken port, whose {@link #receive} fails with
     *         {@link PortBrokenException}: close it and connect again)
     */
    boolean isOpen();

    /**
     * Closes the connection: cancels outstanding receives, releases waiting receivers with
     * {@link PortClosedException}, and closes the handles. Idempotent; never throws.
     */
    @Override
    void close();
}
