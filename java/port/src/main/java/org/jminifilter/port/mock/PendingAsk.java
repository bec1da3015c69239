package org.jminifilter.port.mock;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import org.jminifilter.protocol.Ask;
import org.jminifilter.protocol.AskReply;

/**
 * An ask {@link MockFilterPort#ask injected} into a mock port, as the kernel sees it while it
 * waits in FltSendMessage: a future of the decoded {@link AskReply}. It completes
 * <ul>
 *   <li>normally with the reply the service sent;</li>
 *   <li>exceptionally with {@link org.jminifilter.protocol.ProtocolException} when the reply's
 *       bytes are not a JMF_ASK_REPLY (the driver would count an AskBadReply and apply the default);</li>
 *   <li>exceptionally with {@link TimeoutException} once the kernel stops waiting ({@link #expire()}
 *       or the ask's timeout): a reply after that fails with NoWaiterForReplyException;</li>
 *   <li>exceptionally with a FilterPortException when the port is closed or disconnected.</li>
 * </ul>
 */
public final class PendingAsk extends CompletableFuture<AskReply> {

    private final MockFilterPort port;
    private final long messageId;
    private final Ask ask;

    PendingAsk(MockFilterPort port, long messageId, Ask ask) {
        this.port = port;
        this.messageId = messageId;
        this.ask = ask;
    }

    /** @return the FILTER_MESSAGE_HEADER.MessageId the notification carries */
    public long messageId() {
        return messageId;
    }

    /** @return the ask that was sent */
    public Ask ask() {
        return ask;
    }

    /**
     * The kernel stops waiting now, as when the ask's timeout passes: this future fails with
     * {@link TimeoutException} and a later reply with NoWaiterForReplyException.
     *
     * @return true if the kernel was still waiting
     */
    public boolean expire() {
        return port.expire(messageId);
    }
}
