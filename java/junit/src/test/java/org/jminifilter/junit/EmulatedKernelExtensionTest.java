package org.jminifilter.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import java.util.List;
import java.util.Map;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.jminifilter.emulator.EmulatedKernel;
import org.jminifilter.emulator.EmulatedProcess;
import org.jminifilter.emulator.EmulatedVolume;
import org.jminifilter.emulator.EmulatorViolationException;
import org.jminifilter.emulator.OpenResult;
import org.jminifilter.policy.Access;
import org.jminifilter.policy.Disposition;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.engine.DiscoverySelector;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/**
 * The extension as a user's test sees it: each scenario class below is run by JUnit's
 * EngineTestKit (a JUnit inside the test), and the test asserts what happened to it: passed,
 * failed with which exception, ran one at a time. The scenario classes are not run on their own
 * (nested classes are not picked up by Surefire; their names end in "Scenario").
 */
class EmulatedKernelExtensionTest {

    static final String V1 = "\\Device\\HarddiskVolume1";
    static final String V2 = "\\Device\\HarddiskVolume2";

    /** What the scenarios saw, for the test to check after the run. */
    static final List<Object> SEEN = new CopyOnWriteArrayList<>();

    @BeforeEach
    void needsTheEmulator() {
        NativeEmulator.assumeAvailable();
        SEEN.clear();
    }

    private static Events run(DiscoverySelector... selectors) {
        return run(Map.of(), selectors);
    }

    private static Events run(Map<String, String> configuration, DiscoverySelector... selectors) {
        EngineExecutionResults results = EngineTestKit.engine("junit-jupiter")
                .configurationParameters(configuration)
                .configurationParameter(Scenario.ENABLED, "true")
                .selectors(selectors)
                .execute();
        return results.testEvents();
    }

    // ------------------------------------------------------------------ a kernel per test

    @Scenario
    @WithEmulatedKernel(volumes = {V1, V2})
    static class TwoVolumesScenario {
        @Test
        void opensAFileThroughTheDriver(EmulatedKernel kernel, EmulatedVolume c, EmulatedVolume d) {
            SEEN.add(kernel.isDriverLoaded());
            SEEN.add(c.ntName());
            SEEN.add(d.ntName());
            EmulatedProcess notepad = kernel.process(1200, V1 + "\\Windows\\notepad.exe");
            OpenResult r = notepad.open(c, "\\a.txt", Access.FILE_GENERIC_WRITE, Disposition.CREATE);
            SEEN.add(r.status().isSuccess());
            // left open on purpose: closing the kernel closes it, as the real I/O manager would at exit
        }
    }

    @Test
    void aTestGetsTheKernelWithItsVolumesAndTheDriverLoaded() {
        Events events = run(selectClass(TwoVolumesScenario.class));

        events.assertStatistics(s -> s.started(1).succeeded(1).failed(0));
        assertEquals(List.of(true, V1, V2, true), SEEN);
        assertTrue(EmulatedKernelExtension.idle(), "the kernel was released");
    }

    @Scenario
    @WithEmulatedKernel(loadDriver = false)
    static class NoDriverScenario {
        @BeforeEach
        void before(EmulatedKernel kernel, EmulatedVolume only) {
            SEEN.add(kernel);
            SEEN.add(only.ntName());
        }

        @Test
        void driverNotLoaded(EmulatedKernel kernel) {
            SEEN.add(kernel);
            SEEN.add(kernel.isDriverLoaded());
        }

        @Test
        @WithEmulatedKernel(volumes = V2)
        void theMethodsAnnotationReplacesTheClasss(EmulatedKernel kernel, EmulatedVolume only) {
            SEEN.add(only.ntName());
            SEEN.add(kernel.isDriverLoaded());
        }
    }

    @Test
    void theAnnotationConfiguresVolumesAndTheDriverAndBeforeEachSharesTheTestsKernel() {
        Events loaded = run(selectMethod(NoDriverScenario.class, "driverNotLoaded",
                EmulatedKernel.class.getName()));
        loaded.assertStatistics(s -> s.succeeded(1).failed(0));
        assertEquals(4, SEEN.size(), SEEN.toString());
        assertTrue(SEEN.get(0) == SEEN.get(2), "@BeforeEach and the test get the same kernel");
        assertEquals(V1, SEEN.get(1), "the default volume");
        assertEquals(false, SEEN.get(3));

        SEEN.clear();
        Events overridden = run(selectMethod(NoDriverScenario.class, "theMethodsAnnotationReplacesTheClasss",
                EmulatedKernel.class.getName() + "," + EmulatedVolume.class.getName()));
        overridden.assertStatistics(s -> s.succeeded(1).failed(0));
        assertEquals(List.of(V2, V2, true), SEEN.subList(1, 4));
    }

    // ------------------------------------------------------------------ a leak fails the test

    @Scenario
    @WithEmulatedKernel
    static class LeakScenario {
        @Test
        void leaves(EmulatedKernel kernel) {
            // While the driver is loaded it holds pool; checking for leaks now finds it, as an
            // unload that forgot to free it would: the emulator records violations.
            kernel.checkLeaks();
            SEEN.add(kernel.violations().size());
        }
    }

    @Test
    void aLeakOrMisuseTheEmulatorRecordedFailsTheTestAtTheEnd() {
        Events events = run(selectClass(LeakScenario.class));

        events.assertStatistics(s -> s.started(1).succeeded(0).failed(1));
        events.assertThatEvents().haveExactly(1, event(test("leaves"),
                finishedWithFailure(instanceOf(EmulatorViolationException.class),
                        message(m -> m.contains("the emulator recorded")))));
        assertTrue((Integer) SEEN.get(0) > 0, "the scenario did record violations: " + SEEN);
        assertTrue(EmulatedKernelExtension.idle(), "a failed close still releases the kernel");
        assertEquals(1, run(selectClass(TwoVolumesScenario.class)).succeeded().count(),
                "the next test gets a kernel");
    }

    // ------------------------------------------------------------------ registered as a field

    @Scenario
    static class FieldScenario {
        @RegisterExtension
        final EmulatedKernelExtension emulator = EmulatedKernelExtension.withVolumes(V2, V1).withoutDriver();

        @Test
        void usesTheAccessors() {
            SEEN.add(emulator.volume(0).ntName());
            SEEN.add(emulator.volume(1).ntName());
            SEEN.add(emulator.kernel().isDriverLoaded());
            emulator.kernel().loadDriver();        // the test may load it itself; close() unloads it
        }
    }

    @Test
    void aRegisteredFieldIsConfiguredByItsBuilder() {
        run(selectClass(FieldScenario.class)).assertStatistics(s -> s.succeeded(1).failed(0));
        assertEquals(List.of(V2, V1, false), SEEN);
    }

    // ------------------------------------------------------------------ misuse of the extension

    @Scenario
    @WithEmulatedKernel
    static class ConstructorScenario {
        ConstructorScenario(EmulatedKernel kernel) {
            SEEN.add(kernel);
        }

        @Test
        void never() {
        }
    }

    @Scenario
    @WithEmulatedKernel(volumes = V1)
    static class TooManyVolumesScenario {
        @Test
        void twoVolumes(EmulatedVolume c, EmulatedVolume d) {
            SEEN.add(d);
        }
    }

    @Test
    void parametersTheExtensionCannotGiveFailWithAMessageSayingWhy() {
        Events constructor = run(selectClass(ConstructorScenario.class));
        constructor.assertThatEvents().haveExactly(1, event(test("never"),
                finishedWithFailure(instanceOf(ParameterResolutionException.class),
                        message(m -> m.contains("not on a constructor")))));

        Events tooMany = run(selectClass(TooManyVolumesScenario.class));
        tooMany.assertThatEvents().haveExactly(1, event(test("twoVolumes"),
                finishedWithFailure(instanceOf(ParameterResolutionException.class),
                        message(m -> m.contains("EmulatedVolume parameter #2") && m.contains("1 volume(s)")))));
        assertTrue(SEEN.isEmpty(), SEEN.toString());
        assertTrue(EmulatedKernelExtension.idle());
    }

    @Scenario
    @WithEmulatedKernel
    static class TwoExtensionsScenario {
        @RegisterExtension
        final EmulatedKernelExtension another = EmulatedKernelExtension.withVolumes(V2);

        @Test
        void never() {
            SEEN.add("ran");
        }
    }

    /** Waiting for the kernel its own other extension holds would hang the test forever. */
    @Test
    @Timeout(60)
    void twoExtensionsOnOneTestFailItInsteadOfWaitingForThemselves() {
        Events events = run(selectClass(TwoExtensionsScenario.class));

        events.assertThatEvents().haveExactly(1, event(test("never"),
                finishedWithFailure(instanceOf(ExtensionConfigurationException.class),
                        message(m -> m.contains("two EmulatedKernelExtensions")))));
        assertTrue(SEEN.isEmpty(), SEEN.toString());
        assertTrue(EmulatedKernelExtension.idle(), "the first extension released the kernel");
    }

    // ------------------------------------------------------------------ one kernel per JVM, in parallel

    static final Map<String, String> PARALLEL = Map.of(
            "junit.jupiter.execution.parallel.enabled", "true",
            "junit.jupiter.execution.parallel.mode.default", "concurrent",
            "junit.jupiter.execution.parallel.mode.classes.default", "concurrent",
            "junit.jupiter.execution.parallel.config.strategy", "fixed",
            "junit.jupiter.execution.parallel.config.fixed.parallelism", "4");

    static final AtomicInteger IN_FLIGHT = new AtomicInteger();
    static final AtomicInteger MOST_IN_FLIGHT = new AtomicInteger();
    /** Two tests running at once would meet here; tests run one at a time never do. */
    static final CyclicBarrier PEERS = new CyclicBarrier(2);

    /** Runs while holding a kernel; records how many tests hold one at once. */
    static void holdTheKernel(EmulatedKernel kernel) throws InterruptedException {
        assertNotNull(kernel);
        MOST_IN_FLIGHT.accumulateAndGet(IN_FLIGHT.incrementAndGet(), Math::max);
        try {
            PEERS.await(250, TimeUnit.MILLISECONDS);
        } catch (TimeoutException | BrokenBarrierException expected) {
            // no peer came: the expected outcome, the barrier stays broken for the others
        } finally {
            IN_FLIGHT.decrementAndGet();
        }
    }

    @Scenario
    @WithEmulatedKernel
    static class AnnotatedParallelScenario {
        @Test
        void one(EmulatedKernel k) throws InterruptedException {
            holdTheKernel(k);
        }

        @Test
        void two(EmulatedKernel k) throws InterruptedException {
            holdTheKernel(k);
        }

        @Test
        void three(EmulatedKernel k) throws InterruptedException {
            holdTheKernel(k);
        }
    }

    @Scenario
    @WithEmulatedKernel
    static class OtherAnnotatedParallelScenario {
        @Test
        void four(EmulatedKernel k) throws InterruptedException {
            holdTheKernel(k);
        }
    }

    @Scenario
    static class FieldParallelScenario {
        @RegisterExtension
        static final EmulatedKernelExtension EMULATOR = EmulatedKernelExtension.withVolumes(V1);

        @Test
        void one() throws InterruptedException {
            holdTheKernel(EMULATOR.kernel());
        }

        @Test
        void two() throws InterruptedException {
            holdTheKernel(EMULATOR.kernel());
        }

        @Test
        void three() throws InterruptedException {
            holdTheKernel(EMULATOR.kernel());
        }
    }

    private static void resetParallelProbe() {
        IN_FLIGHT.set(0);
        MOST_IN_FLIGHT.set(0);
        PEERS.reset();
    }

    @Test
    void underParallelExecutionTheAnnotationsResourceLockRunsThemOneAtATime() {
        resetParallelProbe();
        Events events = run(PARALLEL, selectClass(AnnotatedParallelScenario.class),
                selectClass(OtherAnnotatedParallelScenario.class));

        events.assertStatistics(s -> s.started(4).succeeded(4).failed(0));
        assertEquals(1, MOST_IN_FLIGHT.get(), "tests holding the emulated kernel at once");
    }

    @Test
    void underParallelExecutionARegisteredFieldWaitsForTheKernel() {
        resetParallelProbe();
        Events events = run(PARALLEL, selectClass(FieldParallelScenario.class));

        events.assertStatistics(s -> s.started(3).succeeded(3).failed(0));
        assertEquals(1, MOST_IN_FLIGHT.get(), "tests holding the emulated kernel at once");
        assertTrue(EmulatedKernelExtension.idle());
    }
}
