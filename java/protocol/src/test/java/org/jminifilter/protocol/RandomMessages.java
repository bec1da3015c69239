package org.jminifilter.protocol;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.jminifilter.policy.Action;
import org.jminifilter.policy.ActionType;
import org.jminifilter.policy.DefaultVerdict;
import org.jminifilter.policy.Disposition;
import org.jminifilter.policy.MatchFlag;
import org.jminifilter.policy.Operation;
import org.jminifilter.policy.Policy;
import org.jminifilter.policy.RedirectMechanism;
import org.jminifilter.policy.Rule;

/**
 * Random valid messages from a seeded {@link Random}. Rules are drawn freely and kept only when
 * the builder accepts them, so the policies cover every combination the API allows.
 */
final class RandomMessages {
    private final Random rnd;

    RandomMessages(long seed) {
        this.rnd = new Random(seed);
    }

    int status() {
        int[] common = {0xC0000022, 0xC000000E, 0xC0000043, 0xC000009A, 0xC01C0005};
        return rnd.nextBoolean() ? common[rnd.nextInt(common.length)] : 0xC0000000 | rnd.nextInt(0x40000000);
    }

    String text(int maxChars) {
        int n = rnd.nextInt(maxChars + 1);
        StringBuilder sb = new StringBuilder(n);
        String alphabet = "\\abcXYZ.-_ 09\u00e9\u0416\u03a9*?";
        for (int i = 0; i < n; i++) {
            int k = rnd.nextInt(20);
            sb.append(k < alphabet.length() ? alphabet.charAt(k) : (char) (1 + rnd.nextInt(0xFFFE)));
        }
        return sb.toString();
    }

    /**
     * A random pattern, most often one a name can match (it starts as a path or an image does), sometimes
     * not (the builder refuses it and the rule is drawn again).
     */
    String pattern() {
        String[] starts = {"\\", "\\", "**", "**\\", "*\\", ""};
        String s = starts[rnd.nextInt(starts.length)] + text(40).replace('\0', 'x');
        while (s.contains("***")) {
            s = s.replace("***", "*");
        }
        return s.isEmpty() ? "**" : s;
    }

    Action action(int volumes) {
        switch (rnd.nextInt(6)) {
            case 0:
                return Action.allow();
            case 1:
                return new Action.Deny(status(), rnd.nextInt(4) == 0);
            case 2: {
                Action.Modify m = Action.modify();
                if (rnd.nextBoolean()) {
                    m = m.withAccessClear(rnd.nextInt());
                }
                if (rnd.nextBoolean()) {
                    m = m.withOptionsSet(rnd.nextInt(0x1000000));
                }
                if (rnd.nextBoolean()) {
                    m = m.withOptionsClear(rnd.nextInt(0x1000000) & ~m.optionsSet());
                }
                if (rnd.nextBoolean()) {
                    m = m.withDisposition(Disposition.values()[rnd.nextInt(6)]);
                }
                if (rnd.nextBoolean()) {
                    m = m.withOperationFlagsSet(rnd.nextBoolean() ? Protocol.SL_WRITE_THROUGH : Protocol.SL_FORCE_ACCESS_CHECK);
                }
                if (rnd.nextBoolean()) {
                    m = m.withOperationFlagsClear(Protocol.SL_CASE_SENSITIVE & ~m.operationFlagsSet());
                }
                return m;
            }
            case 3: {
                Action.Redirect r = Action.redirect(rnd.nextInt(Math.max(1, volumes)));
                r = rnd.nextInt(3) == 0 ? r.byReparse() : r;
                return rnd.nextBoolean() ? r.orDeny(status()) : r;
            }
            case 4: {
                Action.Ask a = Action.ask().withTimeoutMs(rnd.nextInt(3) == 0 ? 0 : rnd.nextInt(60001));
                a = switch (rnd.nextInt(3)) {
                    case 0 -> a;
                    case 1 -> a.orAllow();
                    default -> a.orDeny(status());
                };
                return rnd.nextInt(4) == 0 ? a.inPostCreate() : a;
            }
            default:
                return new Action.Audit(rnd.nextInt(4) == 0);
        }
    }

    Rule.Builder rule(Rule.Builder r, int volumes) {
        EnumSet<Operation> ops = EnumSet.noneOf(Operation.class);
        if (rnd.nextBoolean()) {
            ops.add(Operation.CREATE);
        } else {
            for (Operation op : Operation.values()) {
                if (rnd.nextInt(3) == 0) {
                    ops.add(op);
                }
            }
        }
        r.id(rnd.nextInt(5) == 0 ? rnd.nextInt(50) : rnd.nextInt()).operations(ops);
        if (volumes > 0 && rnd.nextInt(3) == 0) {
            r.volume(rnd.nextInt(volumes));
        }
        if (rnd.nextBoolean()) {
            r.path(pattern());
        }
        if (rnd.nextInt(3) == 0) {
            r.image(pattern());
        }
        if (rnd.nextInt(4) == 0) {
            r.processId(rnd.nextInt());
        }
        if (rnd.nextInt(4) == 0) {
            r.desiredAccess(rnd.nextInt());
        }
        if (rnd.nextInt(4) == 0) {
            r.dispositions(Disposition.values()[rnd.nextInt(6)]);
        }
        if (rnd.nextInt(4) == 0) {
            r.matchFlags(MatchFlag.values()[rnd.nextInt(3)]);
        }
        return r.action(action(volumes));
    }

    Policy policy() {
        Policy.Builder b = Policy.builder();
        int volumes = rnd.nextInt(4);
        for (int i = 0; i < volumes; i++) {
            b.volume("\\Device\\HarddiskVolume" + i + text(8).replace('\0', 'v').replace('\\', 'v').replace('/', 'v'));
        }
        int rules = rnd.nextInt(12);
        int tries = 0;
        while (b.build().rules().size() < rules && tries++ < 400) {
            try {
                b.rule(r -> rule(r, volumes));
            } catch (IllegalArgumentException refused) {
                // Not every random combination is a valid rule; draw another.
            }
        }
        return b.build();
    }

    Config config() {
        DefaultVerdict v = rnd.nextBoolean() ? DefaultVerdict.ALLOW : DefaultVerdict.DENY;
        byte[] key = new byte[Protocol.UNLOCK_KEY_BYTES];
        rnd.nextBytes(key);
        return new Config(1 + rnd.nextInt(60000), v, status(),
                Config.OnDisconnect.values()[rnd.nextInt(2)], 1 + rnd.nextInt(256), rnd.nextBoolean(),
                rnd.nextInt(3) == 0 ? UnlockKey.of(key) : null);
    }

    Ask ask() {
        return new Ask(rnd.nextInt(), rnd.nextInt(), Operation.values()[rnd.nextInt(5)], rnd.nextInt(), rnd.nextInt(),
                rnd.nextInt(), rnd.nextInt(6), rnd.nextInt(4), rnd.nextInt(60001), text(64), text(512), text(260));
    }

    AskReply askReply() {
        while (true) {
            Action a = action(64);
            if (!(a instanceof Action.Ask) && !a.postCreate()
                    && !(a instanceof Action.Modify m && !m.changesSomething())
                    && !(a instanceof Action.Redirect r && r.mechanism() == RedirectMechanism.REPARSE)) {
                return new AskReply(a);
            }
        }
    }

    Event event() {
        int flags = rnd.nextInt(Protocol.EVENT_FLAGS_VALID + 1);
        boolean notAnOperation = (flags & Protocol.EVENT_FLAG_PERSISTED_REJECTED) != 0;
        return new Event(rnd.nextLong(), rnd.nextLong(), rnd.nextInt(), notAnOperation ? null : Operation.values()[rnd.nextInt(5)],
                notAnOperation ? null : ActionType.values()[rnd.nextInt(6)], rnd.nextInt(), rnd.nextInt(), flags,
                text(64), text(512), text(512));
    }

    EventBatch eventBatch() {
        List<Event> events = new ArrayList<>();
        int n = rnd.nextInt(4);
        for (int i = 0; i < n; i++) {
            events.add(event());
        }
        return new EventBatch(rnd.nextInt(), rnd.nextLong(), events);
    }

    Statistics statistics() {
        Map<ActionType, Long> verdicts = new EnumMap<>(ActionType.class);
        for (ActionType t : ActionType.values()) {
            verdicts.put(t, rnd.nextLong());
        }
        List<RuleStatistics> rules = new ArrayList<>();
        int n = rnd.nextInt(5);
        for (int i = 0; i < n; i++) {
            rules.add(new RuleStatistics(rnd.nextInt(), rnd.nextLong()));
        }
        return new Statistics(rnd.nextInt(), rnd.nextLong(), verdicts, rnd.nextLong(), rnd.nextLong(), rnd.nextLong(),
                rnd.nextLong(), rnd.nextLong(), rnd.nextLong(), rnd.nextLong(), rnd.nextLong(), rnd.nextLong(),
                rnd.nextLong(), rnd.nextLong(), rnd.nextLong(), rnd.nextLong(), rnd.nextLong(), rnd.nextLong(), rnd.nextLong(),
                rules);
    }

    Result result() {
        return new Result(rnd.nextInt(), ErrorCode.values()[rnd.nextInt(ErrorCode.values().length)], rnd.nextInt(),
                rnd.nextInt());
    }

    Command command() {
        return switch (rnd.nextInt(4)) {
            case 0 -> new Command.SetPolicy(policy());
            case 1 -> new Command.GetStatistics();
            case 2 -> new Command.SetConfig(config());
            default -> new Command.GetEvents();
        };
    }
}
