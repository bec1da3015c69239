package org.jminifilter.protocol;

import java.nio.ByteBuffer;

import org.jminifilter.policy.Action;
import org.jminifilter.policy.PolicyCodec;

/**
 * JMF_ASK_REPLY: the verdict for an ask; any action but ASK. Its TargetVolume (REDIRECT) indexes
 * the volume table of the generation the ask names; the kernel checks the rest against the ask.
 */
public record AskReply(Action verdict) {
    private static final Layout L = Layouts.ASK_REPLY;
    private static final int VERDICT = L.offset("Verdict");

    /** Validates the fields; an IllegalArgumentException names the one at fault. */

    public AskReply {
        if (verdict == null) {
            throw new IllegalArgumentException("Verdict: null");
        }
        if (verdict instanceof Action.Ask) {
            throw new IllegalArgumentException("Verdict.Type: ASK cannot be an ask's verdict");
        }
        if (verdict.postCreate()) {
            throw new IllegalArgumentException("Verdict.Flags: a verdict has no post-create flag (the phase is the ask's)");
        }
        if (verdict instanceof Action.Modify m && !m.changesSomething()) {
            throw new IllegalArgumentException("Verdict: MODIFY changes nothing");
        }
        if (verdict instanceof Action.Redirect r && r.mechanism() == org.jminifilter.policy.RedirectMechanism.REPARSE) {
            throw new IllegalArgumentException("Verdict.Flags: an ask's verdict cannot choose the redirect mechanism "
                    + "(reparse belongs to a rule)");
        }
    }

    /** The 40 bytes, little-endian, position 0 (what the kernel receives). */
    public ByteBuffer encode() {
        ByteBuffer b = Wire.allocate(L.size());
        PolicyCodec.encodeAction(verdict, b, VERDICT);
        return b;
    }

    /**
     * The whole FilterReplyMessage buffer: FILTER_REPLY_HEADER (status 0, {@code messageId}) and
     * this reply, JMF_REPLY_BUFFER_SIZE bytes, which is also the length to pass.
     */
    public ByteBuffer encodeReply(long messageId) {
        ByteBuffer b = Wire.allocate(Protocol.REPLY_BUFFER_SIZE);
        new FilterReplyHeader(0, messageId).writeTo(b, 0);
        PolicyCodec.encodeAction(verdict, b, Protocol.FILTER_REPLY_HEADER_SIZE + VERDICT);
        return b;
    }

    /** Decodes exactly 40 bytes (the remaining ones of {@code in}, whose position is not changed). */
    public static AskReply decode(ByteBuffer in) {
        ByteBuffer b = Wire.view(in);
        Wire.requireSize(b, L.name(), L.size());
        return new AskReply(PolicyCodec.decodeVerdict(b, VERDICT, L.name() + ".Verdict"));
    }
}
