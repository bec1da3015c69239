package org.jminifilter.protocol;

import java.nio.ByteBuffer;

import org.jminifilter.policy.Policy;
import org.jminifilter.policy.PolicyCodec;

/**
 * A command user mode sends with FilterSendMessage: JMF_COMMAND_HEADER and a body. The header's
 * Length covers both and equals the input buffer length.
 */
public sealed interface Command permits Command.SetPolicy, Command.GetStatistics, Command.SetConfig,
        Command.GetEvents, Command.Unlock {

    /** The JMF_COMMAND_* value. */
    int type();

    /** The whole command, little-endian, position 0, limit its Length. */
    ByteBuffer encode();

    /**
     * JMF_COMMAND_SET_POLICY: replace the policy in force; the kernel answers a {@link Result}. With
     * {@code persist} (JMF_POLICY_FLAG_PERSIST) the driver also keeps it in its service key and puts it
     * in force at the next load, before any service runs; persisting a policy with no rules clears it.
     */
    record SetPolicy(Policy policy, boolean persist) implements Command {
        /** Validates the fields; an IllegalArgumentException names the one at fault. */
        public SetPolicy {
            if (policy == null) {
                throw new IllegalArgumentException("policy: null");
            }
        }

        /** A push that is not persisted. */
        public SetPolicy(Policy policy) {
            this(policy, false);
        }

        @Override
        public int type() {
            return Protocol.COMMAND_SET_POLICY;
        }

        @Override
        public ByteBuffer encode() {
            int body = PolicyCodec.encodedSize(policy);
            ByteBuffer b = header(type(), body);
            b.position(Protocol.COMMAND_HEADER_SIZE);
            PolicyCodec.encodeTo(policy, b);
            if (persist) {
                int at = Protocol.COMMAND_HEADER_SIZE + POLICY_FLAGS;
                b.putShort(at, (short) (b.getShort(at) | Protocol.POLICY_FLAG_PERSIST));
            }
            return b.rewind();
        }
    }

    /** JMF_COMMAND_GET_STATISTICS: no body; the kernel answers {@link Statistics}. */
    record GetStatistics() implements Command {
        @Override
        public int type() {
            return Protocol.COMMAND_GET_STATISTICS;
        }

        @Override
        public ByteBuffer encode() {
            return header(type(), 0);
        }
    }

    /** JMF_COMMAND_SET_CONFIG: the body is a {@link Config}; the kernel answers a {@link Result}. */
    record SetConfig(Config config) implements Command {
        /** Validates the fields; an IllegalArgumentException names the one at fault. */
        public SetConfig {
            if (config == null) {
                throw new IllegalArgumentException("config: null");
            }
        }

        @Override
        public int type() {
            return Protocol.COMMAND_SET_CONFIG;
        }

        @Override
        public ByteBuffer encode() {
            ByteBuffer b = header(type(), config.bodySize());
            config.writeTo(b, Protocol.COMMAND_HEADER_SIZE);
            return b;
        }
    }

    /**
     * JMF_COMMAND_UNLOCK: the body is the {@link UnlockKey} a locked configuration was set with; the
     * kernel answers a {@link Result} ({@link ErrorCode#LOCKED} for a wrong key; success and no change
     * when not locked).
     */
    record Unlock(UnlockKey key) implements Command {
        /** Validates the fields; an IllegalArgumentException names the one at fault. */
        public Unlock {
            if (key == null) {
                throw new IllegalArgumentException("key: null");
            }
        }

        @Override
        public int type() {
            return Protocol.COMMAND_UNLOCK;
        }

        @Override
        public ByteBuffer encode() {
            ByteBuffer b = header(type(), Protocol.UNLOCK_KEY_SIZE);
            key.writeTo(b, Protocol.COMMAND_HEADER_SIZE);
            return b;
        }

        @Override
        public String toString() {
            return "Unlock[" + key + "]";
        }
    }

    /** JMF_POLICY_HEADER.Flags, from the start of the policy. */
    int POLICY_FLAGS = Layouts.POLICY_HEADER.offset("Flags");

    /** JMF_COMMAND_GET_EVENTS: no body; the kernel answers an {@link EventBatch}. */
    record GetEvents() implements Command {
        @Override
        public int type() {
            return Protocol.COMMAND_GET_EVENTS;
        }

        @Override
        public ByteBuffer encode() {
            return header(type(), 0);
        }
    }

    private static ByteBuffer header(int type, int bodyBytes) {
        ByteBuffer b = Wire.allocate(Protocol.COMMAND_HEADER_SIZE + bodyBytes);
        b.putInt(Layouts.COMMAND_HEADER.offset("Type"), type);
        b.putInt(Layouts.COMMAND_HEADER.offset("Length"), Protocol.COMMAND_HEADER_SIZE + bodyBytes);
        return b;
    }

    /**
     * Decodes a command: the remaining bytes of {@code in} (position not changed), whose length
     * must equal the header's Length, with a known type and the body its type requires, checked
     * as the driver's message callback checks it (JmfCommandParse, then the policy or config).
     */
    static Command decode(ByteBuffer in) {
        ByteBuffer b = Wire.view(in);
        Layout h = Layouts.COMMAND_HEADER;
        Wire.requireAtLeast(b, h.name(), h.size());
        int type = b.getInt(h.offset("Type"));
        long length = Integer.toUnsignedLong(b.getInt(h.offset("Length")));
        if (length != b.remaining()) {
            throw new ProtocolException(ErrorCode.BAD_LENGTH, h.name() + ".Length", length + " disagrees with the input's "
                    + b.remaining() + " bytes");
        }
        ByteBuffer body = Wire.view(b.position(h.size()));
        switch (type) {
            case Protocol.COMMAND_SET_POLICY:
                // The driver refuses a body over the limit before it reads the policy header.
                Wire.requireAtLeast(body, "JMF_POLICY_HEADER", Protocol.POLICY_HEADER_SIZE);
                if (body.remaining() > Protocol.MAX_POLICY_BYTES) {
                    throw new ProtocolException(ErrorCode.BAD_LENGTH, "JMF_COMMAND_SET_POLICY body", body.remaining()
                            + " bytes is over JMF_MAX_POLICY_BYTES (" + Protocol.MAX_POLICY_BYTES + ")");
                }
                boolean persist = (body.getShort(POLICY_FLAGS) & Protocol.POLICY_FLAG_PERSIST) != 0;
                return new SetPolicy(PolicyCodec.decode(body), persist);
            case Protocol.COMMAND_GET_STATISTICS:
                Wire.requireSize(body, "JMF_COMMAND_GET_STATISTICS body", 0);
                return new GetStatistics();
            case Protocol.COMMAND_SET_CONFIG:
                return new SetConfig(Config.decode(body));
            case Protocol.COMMAND_GET_EVENTS:
                Wire.requireSize(body, "JMF_COMMAND_GET_EVENTS body", 0);
                return new GetEvents();
            case Protocol.COMMAND_UNLOCK:
                Wire.requireSize(body, "JMF_COMMAND_UNLOCK body", Protocol.UNLOCK_KEY_SIZE);
                return new Unlock(UnlockKey.readFrom(body, 0));
            default:
                throw new ProtocolException(ErrorCode.BAD_MAGIC, h.name() + ".Type", "unknown command type " + Integer.toUnsignedString(type));
        }
    }
}
