package org.jminifilter.bench;

import java.util.concurrent.TimeUnit;

import org.jminifilter.port.Notification;
import org.jminifilter.service.PolicyService;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The service's own work per ask (receive, decode the JMF_ASK, find the rule's default verdict,
 * call the handler, check and encode the verdict, reply), over {@link LoopbackPort}, a port that
 * costs next to nothing, against the bare echo loop over the same port. Asks go in batches of
 * {@link #BATCH} so the one thread hand-off per batch is spread thin; each benchmark operation is
 * one ask. {@code -prof gc}'s {@code gc.alloc.rate.norm} is then the bytes the service allocates
 * per ask (the loopback port and the echo loop allocate nothing per ask).
 *
 * <p>{@code rules} is the size of the policy in force; the ask names its last rule.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ServiceAskBenchmark {

    /** Asks per benchmark invocation. */
    static final int BATCH = 20_000;

    static Notification notification() {
        return new Notification(1, LoopbackPort.replyLength(), AskFixture.ask(1).encode());
    }

    /** The service on a loopback port. */
    @State(Scope.Benchmark)
    public static class ServiceSide {
        /** Rules in the policy in force. */
        @Param({"1", "10000"})
        public int rules;

        LoopbackPort port;
        PolicyService service;

        @Setup(Level.Trial)
        public void setUp() {
            port = new LoopbackPort(notification());
            service = AskFixture.service(port, AskFixture.policy(rules));
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            service.close();
        }
    }

    /** The echo loop on a loopback port. */
    @State(Scope.Benchmark)
    public static class EchoSide {
        LoopbackPort port;
        Thread loop;

        @Setup(Level.Trial)
        public void setUp() {
            port = new LoopbackPort(notification());
            loop = AskFixture.echo(port);
        }

        @TearDown(Level.Trial)
        public void tearDown() throws InterruptedException {
            port.close();
            loop.join(5000);
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long service(ServiceSide s) throws InterruptedException {
        return s.port.run(BATCH);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long echo(EchoSide s) throws InterruptedException {
        return s.port.run(BATCH);
    }
}
