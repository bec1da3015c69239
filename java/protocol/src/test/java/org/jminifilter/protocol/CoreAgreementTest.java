package org.jminifilter.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.function.Function;

import org.jminifilter.policy.CaseFold;
import org.jminifilter.policy.PolicyCodec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The Java decoders accept exactly what the driver accepts: random valid policies, configurations
 * and commands, and mutations of them, go through both the Java codec and the driver's portable
 * core (JmfPolicyCompile, JmfValidateConfig, JmfCommandParse, compiled from native-driver/src with
 * the machine's C compiler), and the two must agree on accept or reject and, for a refusal, on
 * the JMF_ERROR_* and the rule at fault. Skipped without a C compiler, like the conformance test.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CoreAgreementTest {
    private static final long[] SEEDS = {11, 12, 13, 2026};
    private static final int CASES_PER_SEED = 1500;
    /** The portable core's sources (as in native-driver/host/unit/Makefile). */
    private static final List<String> CORE = List.of("jmf_policy.c", "jmf_policy_action.c", "jmf_policy_index.c",
            "jmf_pattern.c", "jmf_command.c");

    private record Input(String kind, byte[] bytes, String javaVerdict, ErrorCode error, int ruleIndex) {
    }

    private String skipReason;
    private Path dir;
    private Path exe;

    @BeforeAll
    void compile() throws IOException, InterruptedException {
        Optional<Path> cc = NativeToolchain.compiler();
        if (cc.isEmpty()) {
            skipReason = NativeToolchain.NO_COMPILER;
            return;
        }
        Path root = NativeToolchain.root();
        dir = Files.createDirectories(Paths.get("target/conformance").toAbsolutePath());
        exe = dir.resolve("jmf_core_agreement");
        Path source = Paths.get("src/test/c/jmf_core_agreement.c").toAbsolutePath();
        if (!Files.isRegularFile(source)) {
            source = root.resolve("java/protocol/src/test/c/jmf_core_agreement.c");
        }
        List<String> compile = new ArrayList<>(List.of(cc.get().toString(), "-std=c11", "-D_POSIX_C_SOURCE=200809L",
                "-O1", "-Wall", "-Wextra", "-I", root.resolve("native-driver/src").toString(),
                "-I", root.resolve("native-driver/include").toString(), source.toString()));
        for (String f : CORE) {
            compile.add(root.resolve("native-driver/src").resolve(f).toString());
        }
        compile.addAll(List.of("-o", exe.toString()));
        NativeToolchain.run(compile);
    }

    @Test
    void javasCaseFoldIsTheDriversForEveryCodeUnit() throws IOException, InterruptedException {
        NativeToolchain.assumeRan(skipReason);
        String c = NativeToolchain.run(List.of(exe.toString(), "--upcase")).trim();
        assertEquals(4 * 65536, c.length());
        for (int u = 0; u <= 0xFFFF; u++) {
            int kernel = Integer.parseInt(c.substring(4 * u, 4 * u + 4), 16);
            assertEquals(kernel, CaseFold.upcase((char) u), String.format("JmfUpcase(U+%04X)", u));
        }
    }

    @Test
    void javaAndTheDriversCoreAcceptAndRejectTheSameInputs() throws IOException, InterruptedException {
        NativeToolchain.assumeRan(skipReason);

        List<Input> inputs = inputs();
        Path in = dir.resolve("agreement-input.txt");
        StringBuilder text = new StringBuilder();
        for (Input i : inputs) {
            text.append(i.kind()).append(' ').append(HexFormat.of().formatHex(i.bytes())).append('\n');
        }
        Files.writeString(in, text, StandardCharsets.US_ASCII);
        String output = NativeToolchain.run(List.of(exe.toString()), in);
        String[] lines = output.split("\n");
        assertEquals("agreement: " + inputs.size() + " inputs", lines[lines.length - 1].trim());

        List<String> disagreements = new ArrayList<>();
        int accepted = 0;
        int neverMatches = 0;
        for (int i = 0; i < inputs.size(); i++) {
            Input input = inputs.get(i);
            neverMatches += input.error() == ErrorCode.NEVER_MATCHES ? 1 : 0;
            String[] w = lines[i].trim().split(" ");
            long error = Long.parseLong(w[0]);
            long ruleIndex = Long.parseLong(w[1]);
            boolean kernelAccepts = error == Protocol.ERROR_NONE;
            boolean javaAccepts = input.javaVerdict() == null;
            accepted += javaAccepts ? 1 : 0;
            String why = null;
            if (kernelAccepts != javaAccepts) {
                why = "kernel " + (kernelAccepts ? "accepts" : "refuses with JMF_ERROR " + error) + ", Java "
                        + (javaAccepts ? "accepts" : "refuses: " + input.javaVerdict());
            } else if (!javaAccepts && (error != input.error().code()
                    || ruleIndex != Integer.toUnsignedLong(input.ruleIndex()))) {
                why = "both refuse, the kernel with JMF_ERROR " + error + " at rule " + (int) ruleIndex + ", Java with "
                        + input.error() + " (" + input.error().code() + ") at rule " + input.ruleIndex() + ": "
                        + input.javaVerdict();
            }
            if (why != null && disagreements.size() < 10) {
                disagreements.add(input.kind() + " #" + i + ": " + why + "\n    "
                        + HexFormat.of().formatHex(input.bytes()));
            }
        }
        assertTrue(disagreements.isEmpty(), disagreements.size() + " disagreement(s), first ones:\n"
                + String.join("\n", disagreements));
        assertTrue(neverMatches >= 20, "names and patterns nothing can match were tried (" + neverMatches + ")");
        assertTrue(accepted > inputs.size() / 10 && accepted < inputs.size() * 9 / 10,
                "both accepted and refused inputs were tried (" + accepted + " of " + inputs.size() + " accepted)");
    }

    private static List<Input> inputs() {
        List<Input> inputs = new ArrayList<>();
        for (long seed : SEEDS) {
            RandomMessages messages = new RandomMessages(seed);
            Random rnd = new Random(seed ^ 0x5DEECE66DL);
            for (int i = 0; i < CASES_PER_SEED; i++) {
                switch (i % 3) {
                    case 0 -> inputs.add(input("policy", PolicyCodec.encode(messages.policy()), rnd, PolicyCodec::decode));
                    case 1 -> inputs.add(input("config", messages.config().encode(), rnd, Config::decode));
                    default -> inputs.add(input("command", messages.command().encode(), rnd, Command::decode));
                }
            }
        }
        return inputs;
    }

    /**
     * A mutation that keeps the layout valid and changes what a rule says, so that the checks
     * between fields (operations against action, match flags against action, volumes) are
     * reached: another rule's action, or a random operation set, match flags, volume or action
     * field value.
     */
    private static byte[] mutateRule(byte[] good, Random rnd) {
        ByteBuffer b = ByteBuffer.wrap(good.clone()).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        int count = b.getInt(Layouts.POLICY_HEADER.offset("RuleCount"));
        if (count == 0) {
            return b.array();
        }
        int base = b.getInt(Layouts.POLICY_HEADER.offset("RuleOffset"));
        int at = base + rnd.nextInt(count) * Protocol.RULE_SIZE;
        int action = at + Layouts.RULE.offset("Action");
        switch (rnd.nextInt(8)) {
            case 0 -> {
                int from = base + rnd.nextInt(count) * Protocol.RULE_SIZE + Layouts.RULE.offset("Action");
                System.arraycopy(good, from, b.array(), action, Protocol.ACTION_SIZE);
            }
            case 1 -> b.putInt(at + Layouts.RULE.offset("Operations"), 1 + rnd.nextInt(Protocol.OP_ALL));
            case 2 -> b.putShort(at + Layouts.RULE.offset("MatchFlags"), (short) rnd.nextInt(8));
            case 3 -> b.putShort(at + Layouts.RULE.offset("Volume"), (short) (rnd.nextBoolean() ? Protocol.VOLUME_ANY
                    : rnd.nextInt(4)));
            case 7 -> b.putShort(action + Layouts.ACTION.offset("TargetVolume"), (short) rnd.nextInt(4));
            case 4 -> b.putInt(action + Layouts.ACTION.offset("Type"), 1 + rnd.nextInt(6));
            case 5 -> {
                // A character of a name or pattern: reaches the checks of what a name can match
                // (a leading or trailing '\', '/', an empty component, a drive letter).
                int strings = b.getInt(Layouts.POLICY_HEADER.offset("StringOffset"));
                int chars = b.getInt(Layouts.POLICY_HEADER.offset("StringBytes")) / 2;
                if (chars > 0) {
                    char[] pick = {'\\', '/', ':', 'C', '*', '?', '\\'};
                    b.putChar(strings + 2 * rnd.nextInt(chars), pick[rnd.nextInt(pick.length)]);
                }
            }
            default -> {
                Layout.Field f = Layouts.ACTION.fields().get(rnd.nextInt(Layouts.ACTION.fields().size()));
                int[] values = {0, 1, 2, 4, 8, 0x80, 0x10000, 0x01000000, 0xC0000022, Protocol.DISPOSITION_UNCHANGED};
                int v = values[rnd.nextInt(values.length)];
                switch (f.size()) {
                    case 1 -> b.put(action + f.offset(), (byte) v);
                    case 2 -> b.putShort(action + f.offset(), (short) v);
                    default -> b.putInt(action + f.offset(), v);
                }
            }
        }
        return b.array();
    }

    private static Input input(String kind, ByteBuffer valid, Random rnd, Function<ByteBuffer, ?> decode) {
        byte[] good = new byte[valid.remaining()];
        valid.duplicate().get(good);
        byte[] bytes = kind.equals("policy") && rnd.nextInt(3) == 0 ? mutateRule(good, rnd)
                : RandomizedDecodeTest.mutate(good, rnd);
        if (kind.equals("config") && bytes.length != Protocol.CONFIG_SIZE
                && bytes.length != Protocol.CONFIG_SIZE + Protocol.UNLOCK_KEY_SIZE) {
            bytes = good; // the driver sees a config only inside a command, which checks its size
        }
        try {
            decode.apply(ByteBuffer.wrap(bytes));
            return new Input(kind, bytes, null, null, Protocol.INDEX_NONE);
        } catch (ProtocolException e) {
            return new Input(kind, bytes, e.getMessage(), e.error(), e.ruleIndex());
        }
    }
}
