package org.jminifilter.bench;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.jminifilter.cli.policyfile.PolicyFile;
import org.jminifilter.cli.policyfile.PolicyFileException;
import org.jminifilter.cli.policyfile.VolumeResolver;
import org.jminifilter.policy.Policy;
import org.jminifilter.port.mock.MockFilterPort;
import org.jminifilter.protocol.Command;
import org.jminifilter.protocol.Protocol;
import org.jminifilter.protocol.Result;
import org.jminifilter.service.KernelClient;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * A large policy file from text to the kernel: {@link PolicyFile#parse} (YAML, every check the
 * driver makes, the warnings with the shadowing lint), the SET_POLICY encoding alone, and the
 * push over {@link MockFilterPort} through {@link KernelClient#setPolicy} (the encoding, the
 * port's copy, and the mock "kernel" decoding the whole policy back with the protocol codec,
 * which stands in for the driver's own validation and compilation, not measured here: see the
 * README's figures for the driver's matcher).
 *
 * <p>The setup prints the file's size, its warnings and the SET_POLICY body's size in bytes.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class PolicyFileBenchmark {

    /** The two volumes the generated file names, as the emulated kernel gives them. */
    static final VolumeResolver VOLUMES = VolumeResolver.of(
            Map.of("C:", "\\Device\\HarddiskVolume1", "D:", "\\Device\\HarddiskVolume2"), "the benchmark's volumes");

    /**
     * The file's text; nothing parsed in the setup, so that a single-shot run
     * ({@code -bm ss}) measures a first parse in a fresh JVM, as {@code jminifilter validate} does.
     */
    @State(Scope.Benchmark)
    public static class Text {
        /** How many rules the generated file has. */
        @Param("10000")
        public int rules;

        String text;

        @Setup(Level.Trial)
        public void setUp() {
            text = PolicyGenerator.generate(rules, 1);
        }
    }

    /** The file parsed once; prints its size, warnings and the SET_POLICY body's size. */
    @State(Scope.Benchmark)
    public static class Compiled {
        /** How many rules the generated file has. */
        @Param("10000")
        public int rules;

        Policy policy;

        @Setup(Level.Trial)
        public void setUp() throws PolicyFileException {
            String text = PolicyGenerator.generate(rules, 1);
            PolicyFile file = PolicyFile.parse("generated.yaml", text, VOLUMES);
            policy = file.policy();
            int body = new Command.SetPolicy(policy).encode().remaining() - Protocol.COMMAND_HEADER_SIZE;
            System.out.printf("%n[policy file] %d rules, %d bytes of YAML, %d warnings; SET_POLICY body %d bytes "
                    + "(%d with the command header)%n", policy.rules().size(), text.length(), file.warnings().size(),
                    body, body + Protocol.COMMAND_HEADER_SIZE);
        }
    }

    /**
     * A new mock port for each push, made outside the measured call: the mock keeps every command
     * it decoded (here, whole policies), which would pile up over a run.
     */
    @State(Scope.Thread)
    public static class Port {
        MockFilterPort port;
        KernelClient kernel;

        @Setup(Level.Invocation)
        public void open() {
            port = new MockFilterPort();
            kernel = new KernelClient(port);
        }

        @TearDown(Level.Invocation)
        public void close() {
            port.close();
        }
    }

    /** Text to a checked, compiled policy with its warnings. */
    @Benchmark
    public PolicyFile parse(Text t) throws PolicyFileException {
        return PolicyFile.parse("generated.yaml", t.text, VOLUMES);
    }

    /** Everything a {@code jminifilter push FILE} does after reading the file: parse, then push. */
    @Benchmark
    public Result parseAndPush(Text t, Port p) throws PolicyFileException {
        return p.kernel.setPolicy(PolicyFile.parse("generated.yaml", t.text, VOLUMES).policy());
    }

    /** The SET_POLICY command's bytes. */
    @Benchmark
    public ByteBuffer encode(Compiled c) {
        return new Command.SetPolicy(c.policy).encode();
    }

    /** Encoding and sending over the mock port (which decodes it all back). */
    @Benchmark
    public Result push(Compiled c, Port p) {
        return p.kernel.setPolicy(c.policy);
    }
}
