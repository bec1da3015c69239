package org.jminifilter.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;

import org.jminifilter.policy.Policy;
import org.jminifilter.policy.PolicyCodec;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Decoding untrusted bytes, over many seeded inputs: valid encodings of random messages, mutated
 * (truncated, extended, bytes flipped, 16/32-bit fields set to edge values, runs of random
 * bytes) and wholly random buffers. Each decode either succeeds with a value that re-encodes
 * consistently (decode(encode(v)) equals v, and encoding again gives the same bytes) or throws a
 * ProtocolException naming a field; any other outcome fails with the seed that reproduces it.
 */
class RandomizedDecodeTest {
    /** Fixed seeds: a failure names its seed and kind, and reproduces. */
    private static final long[] SEEDS = {1, 2, 3, 42, 1234, 20261122, 0xC0FFEE, 0x5EED, 977, 31337};
    private static final int CASES_PER_SEED = 600;

    /** One message kind: how to draw a valid one, encode it and decode bytes. */
    private record Kind<T>(String name, Function<RandomMessages, T> draw, Function<T, ByteBuffer> encode,
            Function<ByteBuffer, T> decode) {
    }

    private static final List<Kind<?>> KINDS = List.of(
            new Kind<Policy>("policy", RandomMessages::policy, PolicyCodec::encode, PolicyCodec::decode),
            new Kind<Command>("command", RandomMessages::command, Command::encode, Command::decode),
            new Kind<Config>("config", RandomMessages::config, Config::encode, Config::decode),
            new Kind<Ask>("ask", RandomMessages::ask, Ask::encode, Ask::decode),
            new Kind<AskReply>("askReply", RandomMessages::askReply, AskReply::encode, AskReply::decode),
            new Kind<EventBatch>("eventBatch", RandomMessages::eventBatch, EventBatch::encode, EventBatch::decode),
            new Kind<Event>("event", RandomMessages::event, Event::encode, Event::decode),
            new Kind<Statistics>("statistics", RandomMessages::statistics, Statistics::encode, Statistics::decode),
            new Kind<Result>("result", RandomMessages::result, Result::encode, Result::decode),
            new Kind<ConnectContext>("connectContext", r -> ConnectContext.current(), ConnectContext::encode,
                    ConnectContext::decode));

    static Stream<Arguments> kindsAndSeeds() {
        List<Arguments> args = new ArrayList<>();
        for (Kind<?> k : KINDS) {
            for (long seed : SEEDS) {
                args.add(Arguments.of(k.name(), seed));
            }
        }
        return args.stream();
    }

    @ParameterizedTest(name = "{0} seed {1}")
    @MethodSource("kindsAndSeeds")
    void decodeSucceedsConsistentlyOrThrowsProtocolException(String kind, long seed) {
        Kind<?> k = KINDS.stream().filter(x -> x.name().equals(kind)).findFirst().orElseThrow();
        Outcomes outcomes = run(k, seed);
        assertTrue(outcomes.accepted > 0, kind + " seed " + seed + ": some inputs decode");
        assertTrue(outcomes.refused > 0, kind + " seed " + seed + ": some inputs are refused");
    }

    @org.junit.jupiter.api.Test
    void randomPoliciesCoverEveryActionAndBothPhases() {
        RandomMessages messages = new RandomMessages(7);
        java.util.Set<Object> seen = new java.util.HashSet<>();
        int rules = 0;
        for (int i = 0; i < 300; i++) {
            for (org.jminifilter.policy.Rule r : messages.policy().rules()) {
                rules++;
                seen.add(r.action().type());
                seen.add(r.isPostCreate() ? "post-create" : "pre");
                seen.add(r.volume().isPresent() ? "volume" : "any volume");
            }
        }
        assertTrue(rules > 1000, "rules drawn: " + rules);
        for (Object expected : List.of(org.jminifilter.policy.ActionType.values())) {
            assertTrue(seen.contains(expected), "random policies hold " + expected);
        }
        assertTrue(seen.containsAll(List.of("post-create", "pre", "volume", "any volume")), seen.toString());
    }

    private static final class Outcomes {
        int accepted;
        int refused;
    }

    private static <T> Outcomes run(Kind<T> k, long seed) {
        RandomMessages messages = new RandomMessages(seed);
        Random rnd = new Random(seed * 31 + k.name().hashCode());
        Outcomes outcomes = new Outcomes();
        for (int i = 0; i < CASES_PER_SEED; i++) {
            T valid = k.draw().apply(messages);
            byte[] good = toArray(k.encode().apply(valid));
            // The valid encoding itself must decode to the same value.
            assertEquals(valid, k.decode().apply(ByteBuffer.wrap(good)), k.name() + " seed " + seed + " case " + i);
            byte[] input = mutate(good, rnd);
            String where = k.name() + " seed " + seed + " case " + i + " (" + input.length + " bytes)";
            T decoded;
            try {
                decoded = k.decode().apply(ByteBuffer.wrap(input));
            } catch (ProtocolException e) {
                assertFalse(e.field().isBlank(), where + ": a ProtocolException names a field");
                assertTrue(e.getMessage().startsWith(e.field() + ": "), where + ": " + e.getMessage());
                outcomes.refused++;
                continue;
            } catch (RuntimeException | Error e) {
                fail(where + ": decode threw " + e, e);
                return outcomes;
            }
            outcomes.accepted++;
            byte[] again = toArray(k.encode().apply(decoded));
            T twice = k.decode().apply(ByteBuffer.wrap(again));
            assertEquals(decoded, twice, where + ": decode(encode(v)) == v");
            assertArrayEquals(again, toArray(k.encode().apply(twice)), where + ": encoding is stable");
        }
        return outcomes;
    }

    private static byte[] toArray(ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.duplicate().get(a);
        return a;
    }

    /** One mutation of {@code good}, sometimes none (so valid inputs keep being exercised). */
    static byte[] mutate(byte[] good, Random rnd) {
        byte[] b = good.clone();
        switch (rnd.nextInt(8)) {
            case 0:
                return b; // unchanged
            case 1: { // truncate
                return java.util.Arrays.copyOf(b, rnd.nextInt(b.length + 1));
            }
            case 2: { // extend with random bytes
                byte[] longer = java.util.Arrays.copyOf(b, b.length + 1 + rnd.nextInt(16));
                for (int i = b.length; i < longer.length; i++) {
                    longer[i] = (byte) rnd.nextInt();
                }
                return longer;
            }
            case 3: { // flip a few bytes
                int flips = 1 + rnd.nextInt(4);
                for (int i = 0; i < flips && b.length > 0; i++) {
                    b[rnd.nextInt(b.length)] ^= (byte) (1 << rnd.nextInt(8));
                }
                return b;
            }
            case 4:
            case 5: { // set an aligned 16- or 32-bit field, mostly near the start where headers live
                if (b.length < 4) {
                    return b;
                }
                int limit = rnd.nextBoolean() ? Math.min(b.length, 96) : b.length;
                int at = rnd.nextInt(limit / 2) * 2;
                int[] edge = {0, 1, 2, 0xFF, 0xFFFF, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, b.length, b.length - 2,
                    b.length + 8, 1002, 40, 64, 128, 1024, 0xC01C0004, rnd.nextInt()};
                int v = edge[rnd.nextInt(edge.length)];
                ByteBuffer w = ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                if (rnd.nextBoolean() && at + 4 <= b.length) {
                    w.putInt(at & ~3, v);
                } else {
                    w.putShort(at, (short) v);
                }
                return b;
            }
            case 6: { // a run of random bytes
                if (b.length == 0) {
                    return b;
                }
                int at = rnd.nextInt(b.length);
                int n = 1 + rnd.nextInt(Math.min(32, b.length - at));
                for (int i = 0; i < n; i++) {
                    b[at + i] = (byte) rnd.nextInt();
                }
                return b;
            }
            default: { // wholly random bytes of a plausible length
                byte[] r = new byte[rnd.nextBoolean() ? good.length : rnd.nextInt(Math.max(1, good.length * 2))];
                rnd.nextBytes(r);
                return r;
            }
        }
    }
}
