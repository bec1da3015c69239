package org.jminifilter.bench;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.jminifilter.port.mock.MockFilterPort;
import org.jminifilter.protocol.Ask;
import org.jminifilter.protocol.AskReply;
import org.jminifilter.service.PolicyService;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One ask's round trip over {@link MockFilterPort}, as the kernel side sees it: the benchmark
 * thread plays the kernel ({@link MockFilterPort#ask}: encode the JMF_ASK, queue it, wait for
 * the reply), and the other end is either the {@link PolicyService} (decode the ask, call a
 * handler, encode and send the reply) or a bare echo loop that replies a constant verdict
 * through the same port calls. Both on one thread each, on the same kind of port, in the same run.
 *
 * <p>The round trip is two thread hand-offs (the kernel side wakes the receiver, the reply wakes
 * the kernel side) plus the mock's own work (encoding, copies, a future), the same on both sides;
 * {@link ServiceAskBenchmark} measures the service's own work without them.
 *
 * <p>The mock keeps the last {@value MockFilterPort#DEFAULT_RECORD_LIMIT} replies it accepted
 * ({@link MockFilterPort#replies()}), the same on both sides. The service and the echo loop live
 * for the whole trial so that JMH's GC profiler sees their threads' allocations.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class MockPortAskBenchmark {

    /** The service on a mock port. */
    @State(Scope.Benchmark)
    public static class ServiceSide {
        MockFilterPort port;
        PolicyService service;
        Ask ask;

        @Setup(Level.Trial)
        public void setUp() {
            port = new MockFilterPort();
            service = AskFixture.service(port, AskFixture.policy(3));
            ask = AskFixture.ask(port.generation());
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            service.close();
        }
    }

    /** The echo loop on a mock port. */
    @State(Scope.Benchmark)
    public static class EchoSide {
        MockFilterPort port;
        Thread loop;
        Ask ask;

        @Setup(Level.Trial)
        public void setUp() {
            port = new MockFilterPort();
            loop = AskFixture.echo(port);
            ask = AskFixture.ask(1);
        }

        @TearDown(Level.Trial)
        public void tearDown() throws InterruptedException {
            port.close();
            loop.join(5000);
        }
    }

    @Benchmark
    public AskReply service(ServiceSide s) throws InterruptedException, ExecutionException, TimeoutException {
        return s.port.ask(s.ask).get(5, TimeUnit.SECONDS);
    }

    @Benchmark
    public AskReply echo(EchoSide s) throws InterruptedException, ExecutionException, TimeoutException {
        return s.port.ask(s.ask).get(5, TimeUnit.SECONDS);
    }
}
