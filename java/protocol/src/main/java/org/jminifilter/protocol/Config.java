package org.jminifilter.protocol;

import java.nio.ByteBuffer;

import org.jminifilter.policy.DefaultVerdict;

/**
 * JMF_CONFIG, the body of SET_CONFIG. Validated in its constructor with the kernel's ranges.
 *
 * @param askTimeoutMs      1 .. JMF_MAX_ASK_TIMEOUT_MS: the wait for an ask whose rule says 0
 * @param defaultVerdict    ALLOW or DENY: what an unanswered ask gets when its rule says 0
 * @param defaultDenyStatus the error NTSTATUS of a DENY default verdict
 * @param onDisconnect      what the driver does with the policy when the service disconnects
 * @param maxAsksInFlight   1 .. JMF_MAX_ASKS_IN_FLIGHT; asks beyond it get the default verdict
 * @param persist           JMF_CONFIG_FLAG_PERSIST: the driver keeps this configuration (never its lock)
 *                          in its service key and puts it in force at the next load; persisting the
 *                          defaults clears what was kept
 * @param lockKey           JMF_CONFIG_FLAG_LOCKED when not null: the driver refuses a non-mandatory unload
 *                          and a detach until {@link Command.Unlock} presents this key
 */
public record Config(int askTimeoutMs, DefaultVerdict defaultVerdict, int defaultDenyStatus,
        OnDisconnect onDisconnect, int maxAsksInFlight, boolean persist, UnlockKey lockKey) {

    private static final Layout L = Layouts.CONFIG;
    private static final int ASK_TIMEOUT = L.offset("AskTimeoutMs");
    private static final int DEFAULT_VERDICT = L.offset("DefaultVerdict");
    private static final int DENY_STATUS = L.offset("DefaultDenyStatus");
    private static final int ON_DISCONNECT = L.offset("OnDisconnect");
    private static final int MAX_ASKS = L.offset("MaxAsksInFlight");
    private static final int FLAGS = L.offset("Flags");

    /** JMF_DISCONNECT_*: what happens to the policy in force when the service disconnects. */
    public enum OnDisconnect {
        /** The policy stays in force. */
        KEEP_POLICY(Protocol.DISCONNECT_KEEP_POLICY),
        /** The driver drops the policy: everything passes until the next SET_POLICY. */
        CLEAR_POLICY(Protocol.DISCONNECT_CLEAR_POLICY);

        private final int code;

        OnDisconnect(int code) {
            this.code = code;
        }

        /** The JMF_DISCONNECT_* value. */
        public int code() {
            return code;
        }

        static OnDisconnect fromCode(int code, String field) {
            for (OnDisconnect d : values()) {
                if (d.code == code) {
                    return d;
                }
            }
            throw new ProtocolException(ErrorCode.BAD_CONFIG, field,
                    Integer.toUnsignedString(code) + " is not a JMF_DISCONNECT_* value");
        }
    }

    /** An unpersisted, unlocked configuration. */
    public Config(int askTimeoutMs, DefaultVerdict defaultVerdict, int defaultDenyStatus, OnDisconnect onDisconnect,
            int maxAsksInFlight) {
        this(askTimeoutMs, defaultVerdict, defaultDenyStatus, onDisconnect, maxAsksInFlight, false, null);
    }

    /** Validates the fields; an IllegalArgumentException names the one at fault. */
    public Config {
        if (askTimeoutMs < 1 || askTimeoutMs > Protocol.MAX_ASK_TIMEOUT_MS) {
            throw new IllegalArgumentException("AskTimeoutMs: " + Integer.toUnsignedString(askTimeoutMs)
                    + " is outside 1.." + Protocol.MAX_ASK_TIMEOUT_MS);
        }
        if (defaultVerdict != DefaultVerdict.ALLOW && defaultVerdict != DefaultVerdict.DENY) {
            throw new IllegalArgumentException("DefaultVerdict: " + defaultVerdict + " is neither ALLOW nor DENY");
        }
        if (!denyStatusFits(defaultVerdict, defaultDenyStatus)) {
            throw new IllegalArgumentException(String.format("DefaultDenyStatus: 0x%08X is not an error NTSTATUS"
                    + " (0xC...) other than STATUS_FLT_DISALLOW_FAST_IO%s", defaultDenyStatus,
                    defaultVerdict == DefaultVerdict.ALLOW ? ", nor 0" : ""));
        }
        if (onDisconnect == null) {
            throw new IllegalArgumentException("OnDisconnect: null");
        }
        if (maxAsksInFlight < 1 || maxAsksInFlight > Protocol.MAX_ASKS_IN_FLIGHT) {
            throw new IllegalArgumentException("MaxAsksInFlight: " + Integer.toUnsignedString(maxAsksInFlight)
                    + " is outside 1.." + Protocol.MAX_ASKS_IN_FLIGHT);
        }
    }

    /** A deny status whenever it could be used; with an ALLOW default, 0 is accepted too (as the kernel does). */
    private static boolean denyStatusFits(DefaultVerdict verdict, int status) {
        return Protocol.isDenyStatus(status) || (verdict == DefaultVerdict.ALLOW && status == 0);
    }

    /** The configuration in force until the first SET_CONFIG (JMF_DEFAULT_*). */
    public static Config defaults() {
        return new Config(Protocol.DEFAULT_ASK_TIMEOUT_MS, DefaultVerdict.fromCode(Protocol.DEFAULT_VERDICT),
                Protocol.DEFAULT_DENY_STATUS, OnDisconnect.fromCode(Protocol.DEFAULT_ON_DISCONNECT, "default"),
                Protocol.DEFAULT_MAX_ASKS_IN_FLIGHT);
    }

    /** A copy of this configuration with another AskTimeoutMs (validated). */
    public Config withAskTimeoutMs(int ms) {
        return new Config(ms, defaultVerdict, defaultDenyStatus, onDisconnect, maxAsksInFlight, persist, lockKey);
    }

    /** A copy of this configuration with another DefaultVerdict (validated). */
    public Config withDefaultVerdict(DefaultVerdict v) {
        return new Config(askTimeoutMs, v, defaultDenyStatus, onDisconnect, maxAsksInFlight, persist, lockKey);
    }

    /** A copy of this configuration with another DefaultDenyStatus (validated). */
    public Config withDefaultDenyStatus(int status) {
        return new Config(askTimeoutMs, defaultVerdict, status, onDisconnect, maxAsksInFlight, persist, lockKey);
    }

    /** A copy of this configuration with another DefaultDenyStatus, for example {@link NtStatus#ACCESS_DENIED}. */
    public Config withDefaultDenyStatus(NtStatus status) {
        return withDefaultDenyStatus(status.value());
    }

    /** A copy that the driver persists (JMF_CONFIG_FLAG_PERSIST): in force again at the next load. */
    public Config persisted() {
        return new Config(askTimeoutMs, defaultVerdict, defaultDenyStatus, onDisconnect, maxAsksInFlight, true, lockKey);
    }

    /** A copy that the driver does not persist. */
    public Config notPersisted() {
        return new Config(askTimeoutMs, defaultVerdict, defaultDenyStatus, onDisconnect, maxAsksInFlight, false, lockKey);
    }

    /** A locked copy (JMF_CONFIG_FLAG_LOCKED with this key): see README, "Tamper resistance". */
    public Config locked(UnlockKey key) {
        if (key == null) {
            throw new IllegalArgumentException("lock key: null");
        }
        return new Config(askTimeoutMs, defaultVerdict, defaultDenyStatus, onDisconnect, maxAsksInFlight, persist, key);
    }

    /** An unlocked copy (sending it to a locked driver fails with {@link ErrorCode#LOCKED}: unlock first). */
    public Config unlocked() {
        return new Config(askTimeoutMs, defaultVerdict, defaultDenyStatus, onDisconnect, maxAsksInFlight, persist, null);
    }

    /** Whether this configuration locks the driver. */
    public boolean isLocked() {
        return lockKey != null;
    }

    /** JMF_CONFIG.Flags. */
    public int flags() {
        return (persist ? Protocol.CONFIG_FLAG_PERSIST : 0) | (lockKey != null ? Protocol.CONFIG_FLAG_LOCKED : 0);
    }

    /** The SET_CONFIG body's length: JMF_CONFIG, and JMF_UNLOCK_KEY after it when locked. */
    public int bodySize() {
        return L.size() + (lockKey != null ? Protocol.UNLOCK_KEY_SIZE : 0);
    }

    /** The components, the deny status by name ({@link NtStatus#toString()}); never the key's bytes. */
    @Override
    public String toString() {
        return "Config[askTimeoutMs=" + askTimeoutMs + ", defaultVerdict=" + defaultVerdict + ", defaultDenyStatus="
                + NtStatus.of(defaultDenyStatus) + ", onDisconnect=" + onDisconnect + ", maxAsksInFlight="
                + maxAsksInFlight + (persist ? ", persisted" : "") + (lockKey != null ? ", locked" : "") + "]";
    }

    /** A copy of this configuration with another OnDisconnect (validated). */
    public Config withOnDisconnect(OnDisconnect d) {
        return new Config(askTimeoutMs, defaultVerdict, defaultDenyStatus, d, maxAsksInFlight, persist, lockKey);
    }

    /** A copy of this configuration with another MaxAsksInFlight (validated). */
    public Config withMaxAsksInFlight(int n) {
        return new Config(askTimeoutMs, defaultVerdict, defaultDenyStatus, onDisconnect, n, persist, lockKey);
    }

    /** The SET_CONFIG body ({@link #bodySize()} bytes: 24, or 56 when locked), little-endian, position 0. */
    public ByteBuffer encode() {
        ByteBuffer b = Wire.allocate(bodySize());
        writeTo(b, 0);
        return b;
    }

    /** Writes the SET_CONFIG body (JMF_CONFIG, then the key when locked) at absolute {@code offset} of little-endian {@code b}. */
    public void writeTo(ByteBuffer b, int offset) {
        b.putInt(offset + ASK_TIMEOUT, askTimeoutMs);
        b.putInt(offset + DEFAULT_VERDICT, defaultVerdict.code());
        b.putInt(offset + DENY_STATUS, defaultDenyStatus);
        b.putInt(offset + ON_DISCONNECT, onDisconnect.code());
        b.putInt(offset + MAX_ASKS, maxAsksInFlight);
        b.putInt(offset + FLAGS, flags());
        if (lockKey != null) {
            lockKey.writeTo(b, offset + L.size());
        }
    }

    /**
     * Decodes a SET_CONFIG body: exactly 24 bytes, or 56 when Flags has LOCKED (the key follows), the
     * remaining ones of {@code in}, whose position is not changed, making JmfCommandParse's and
     * JmfValidateConfig's checks in their order.
     */
    public static Config decode(ByteBuffer in) {
        ByteBuffer b = Wire.view(in);
        Wire.requireAtLeast(b, L.name(), L.size());
        String n = L.name() + ".";
        int flags = b.getInt(FLAGS);
        boolean locked = (flags & Protocol.CONFIG_FLAG_LOCKED) != 0;
        Wire.requireSize(b, locked ? L.name() + " + JMF_UNLOCK_KEY" : L.name(),
                L.size() + (locked ? Protocol.UNLOCK_KEY_SIZE : 0));
        Wire.requireBits(flags, Protocol.CONFIG_FLAGS_VALID, n + "Flags", ErrorCode.RESERVED);
        int timeout = Wire.requireRange(b.getInt(ASK_TIMEOUT), 1, Protocol.MAX_ASK_TIMEOUT_MS, n + "AskTimeoutMs",
                ErrorCode.BAD_CONFIG);
        int dv = b.getInt(DEFAULT_VERDICT);
        if (dv != Protocol.ACTION_ALLOW && dv != Protocol.ACTION_DENY) {
            throw new ProtocolException(ErrorCode.BAD_CONFIG, n + "DefaultVerdict",
                    Integer.toUnsignedString(dv) + " is neither ALLOW nor DENY");
        }
        int status = b.getInt(DENY_STATUS);
        if (!denyStatusFits(DefaultVerdict.fromCode(dv), status)) {
            throw new ProtocolException(ErrorCode.BAD_CONFIG, n + "DefaultDenyStatus", String.format(
                    "0x%08X is not an error NTSTATUS other than STATUS_FLT_DISALLOW_FAST_IO", status));
        }
        OnDisconnect od = OnDisconnect.fromCode(b.getInt(ON_DISCONNECT), n + "OnDisconnect");
        int max = Wire.requireRange(b.getInt(MAX_ASKS), 1, Protocol.MAX_ASKS_IN_FLIGHT, n + "MaxAsksInFlight",
                ErrorCode.BAD_CONFIG);
        return new Config(timeout, DefaultVerdict.fromCode(dv), status, od, max,
                (flags & Protocol.CONFIG_FLAG_PERSIST) != 0, locked ? UnlockKey.readFrom(b, L.size()) : null);
    }
}
