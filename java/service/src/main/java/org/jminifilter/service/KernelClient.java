package org.jminifilter.service;

import java.nio.ByteBuffer;
import java.util.Objects;

import org.jminifilter.policy.Policy;
import org.jminifilter.policy.Rule;
import org.jminifilter.port.FilterPort;
import org.jminifilter.protocol.Command;
import org.jminifilter.protocol.Config;
import org.jminifilter.protocol.ErrorCode;
import org.jminifilter.protocol.EventBatch;
import org.jminifilter.protocol.Protocol;
import org.jminifilter.protocol.Result;
import org.jminifilter.protocol.Statistics;
import org.jminifilter.protocol.UnlockKey;

/**
 * The driver's commands, typed: encodes each {@link Command}, sends it over a {@link FilterPort}
 * and decodes the reply. Thread-safe as far as the port is.
 */
public final class KernelClient {
    /** Room for one batch of events: the batch header and this many events. */
    static final int EVENTS_PER_BATCH = 64;

    private final FilterPort port;
    private volatile int lastRuleCount;

    public KernelClient(FilterPort port) {
        this.port = Objects.requireNonNull(port, "port");
    }

    /**
     * Replaces the policy in force. The driver validates it completely first.
     *
     * @return the driver's result, with the new generation
     * @throws CommandRejectedException when the driver refused it; the policy in force stays
     */
    public Result setPolicy(Policy policy) {
        return setPolicy(policy, false);
    }

    /**
     * Replaces the policy in force and, with {@code persist}, has the driver keep it in its service
     * key so that it is in force from the next load on, before any service runs (a policy with no
     * rules, persisted, clears what was kept).
     *
     * @return the driver's result, with the new generation
     * @throws CommandRejectedException when the driver refused it (the policy in force stays), or put it
     *         in force but could not persist it ({@link ErrorCode#NOT_PERSISTED}: the new policy IS in force)
     */
    public Result setPolicy(Policy policy, boolean persist) {
        Result result = Result.decode(port.send(new Command.SetPolicy(policy, persist).encode(), Protocol.RESULT_SIZE));
        if (result.error() == ErrorCode.NOT_PERSISTED) {
            lastRuleCount = policy.rules().size();
            throw new CommandRejectedException("the driver put the policy in force (generation "
                    + Integer.toUnsignedString(result.generation()) + ") but could not persist it: "
                    + result.describe(), result);
        }
        if (!result.isSuccess()) {
            throw new CommandRejectedException("the driver rejected the policy: " + blame(policy, result)
                    + "; the policy of generation " + Integer.toUnsignedString(result.generation())
                    + " stays in force", result);
        }
        lastRuleCount = policy.rules().size();
        return result;
    }

    /**
     * Replaces the driver's configuration.
     *
     * @throws CommandRejectedException when the driver refused it; the configuration in force stays
     */
    public Result setConfig(Config config) {
        Result result = Result.decode(port.send(new Command.SetConfig(config).encode(), Protocol.RESULT_SIZE));
        if (result.error() == ErrorCode.NOT_PERSISTED) {
            throw new CommandRejectedException("the driver put the configuration in force but could not persist it: "
                    + result.describe(), result);
        }
        if (!result.isSuccess()) {
            throw new CommandRejectedException("the driver rejected the configuration: " + result.describe()
                    + (result.error() == ErrorCode.LOCKED ? " (the driver is locked: unlock with the key it was"
                            + " locked with first)" : ""), result);
        }
        return result;
    }

    /**
     * Unlocks a driver locked with {@link Config#locked(UnlockKey)}: it accepts non-mandatory unloads
     * and detaches again; the rest of the configuration stays. Not locked: nothing changes.
     *
     * @throws CommandRejectedException with {@link ErrorCode#LOCKED} for a wrong key (the driver stays locked)
     */
    public Result unlock(UnlockKey key) {
        Result result = Result.decode(port.send(new Command.Unlock(key).encode(), Protocol.RESULT_SIZE));
        if (!result.isSuccess()) {
            throw new CommandRejectedException("the driver refused to unlock: " + result.describe(), result);
        }
        return result;
    }

    /** The driver's counters. The port grows the reply buffer if the policy has more rules than last pushed. */
    public Statistics statistics() {
        ByteBuffer reply = port.send(new Command.GetStatistics().encode(), Statistics.size(lastRuleCount));
        return Statistics.decode(reply);
    }

    /** Moves up to one batch of queued events out of the driver (none waiting: an empty batch). */
    public EventBatch events() {
        int capacity = EventBatch.size(EVENTS_PER_BATCH);
        return EventBatch.decode(port.send(new Command.GetEvents().encode(), capacity));
    }

    /** The result's description, with the rule's id when the driver named a rule position. */
    private static String blame(Policy policy, Result result) {
        String text = result.describe();
        if (result.hasRuleIndex() && Integer.compareUnsigned(result.ruleIndex(), policy.rules().size()) < 0) {
            Rule rule = policy.rules().get(result.ruleIndex());
            text += " in rule id " + Integer.toUnsignedString(rule.ruleId());
        }
        return text;
    }
}
