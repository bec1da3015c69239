package org.jminifilter.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.jminifilter.policy.Policy;
import org.jminifilter.port.FilterPort;
import org.jminifilter.protocol.ConnectContext;
import org.jminifilter.protocol.Event;
import org.jminifilter.service.AskHandler;
import org.jminifilter.service.PolicyService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * The world every end-to-end test starts from: the emulated kernel with two volumes (a few
 * folders on each), the real driver loaded, two processes. {@link #startService} runs the
 * policy service over the emulator's port exactly as on Windows ({@link #connectPort}). After each test the service
 * stops and the driver unloads; {@link EmulatedKernel#close()} fails the test on any leak or
 * misuse the emulator recorded.
 */
abstract class EmulatorFixture {

    static final String VOLUME1 = "\\Device\\HarddiskVolume1";
    static final String VOLUME2 = "\\Device\\HarddiskVolume2";
    static final String NOTEPAD_IMAGE = VOLUME1 + "\\Windows\\System32\\notepad.exe";
    static final String TOOL_IMAGE = VOLUME1 + "\\Users\\bob\\tool.exe";

    EmulatedKernel kernel;
    EmulatedVolume v1;
    EmulatedVolume v2;
    EmulatedProcess notepad;
    EmulatedProcess tool;
    PolicyService service;
    final List<Event> events = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startKernel() {
        NativeEmulator.assumeAvailable();
        kernel = EmulatedKernel.start();
        v1 = kernel.createVolume(VOLUME1);
        v2 = kernel.createVolume(VOLUME2);
        for (String dir : List.of("\\data", "\\secret", "\\cache", "\\shared")) {
            kernel.makeDirectory(v1, dir);
            kernel.makeDirectory(v2, dir);
        }
        kernel.loadDriver();
        notepad = kernel.process(1200, NOTEPAD_IMAGE);
        tool = kernel.process(1300, TOOL_IMAGE);
    }

    @AfterEach
    void stopKernel() {
        try {
            if (service != null) {
                service.close();
            }
        } finally {
            if (kernel != null) {
                kernel.close(); // unloads the driver; throws EmulatorViolationException on leaks
            }
        }
    }

    PolicyService startService(Policy policy) {
        return startService(policy, ask -> org.jminifilter.policy.Action.allow());
    }

    PolicyService startService(Policy policy, AskHandler askHandler) {
        service = PolicyService.builder(connectPort()).policy(policy).askHandler(askHandler)
                .eventListener(events::add).eventInterval(Duration.ofMillis(20)).build().start();
        return service;
    }

    /**
     * The port the service runs over: {@link EmulatedKernelPort} here; {@link FltLibShimEndToEndTest}
     * runs the same tests over {@code FltLibFilterPort} bound to libjmfemu.so's fltlib surface.
     */
    FilterPort connectPort() {
        return connectPort(ConnectContext.current());
    }

    /** {@link #connectPort()} with another connection context. */
    FilterPort connectPort(ConnectContext context) {
        return kernel.connect(context);
    }

    /** Pulls queued events now and returns those matching {@code filter}. */
    List<Event> eventsWhere(Predicate<Event> filter) {
        service.pollEvents();
        return events.stream().filter(filter).toList();
    }

    /** The one event of rule {@code ruleId}. */
    Event onlyEventOf(int ruleId) {
        List<Event> of = eventsWhere(e -> e.ruleId() == ruleId);
        assertEquals(1, of.size(), "events of rule " + ruleId + ": " + events);
        return of.get(0);
    }

    /** Matches of rule {@code ruleId} in the driver's statistics. */
    long matches(int ruleId) {
        return service.statistics().rules().stream().filter(r -> r.ruleId() == ruleId)
                .mapToLong(org.jminifilter.protocol.RuleStatistics::matches).findFirst()
                .orElseThrow(() -> new AssertionError("rule " + ruleId + " not in the statistics"));
    }

    static void assertNoHandle(OpenResult result) {
        assertTrue(result.file().isEmpty(), "the caller must get no handle: " + result);
        assertEquals(0, result.information(), "Information of a failed create: " + result);
    }
}
