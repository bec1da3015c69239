package org.jminifilter.cli.windows;

import static org.jminifilter.cli.windows.ServiceStatus.SERVICE_ACCEPT_SHUTDOWN;
import static org.jminifilter.cli.windows.ServiceStatus.SERVICE_ACCEPT_STOP;
import static org.jminifilter.cli.windows.ServiceStatus.SERVICE_RUNNING;
import static org.jminifilter.cli.windows.ServiceStatus.SERVICE_START_PENDING;
import static org.jminifilter.cli.windows.ServiceStatus.SERVICE_STOPPED;
import static org.jminifilter.cli.windows.ServiceStatus.SERVICE_STOP_PENDING;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The service's state machine under a fake SCM: what it reports, in which order, with which exit codes. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ServiceRunnerTest {
    private static final Duration TICK = Duration.ofMillis(5);
    private static final Duration LONG = Duration.ofMinutes(5);

    /** A serve stand-in: serving after {@code notServingTicks} polls, returns {@code exit} once stopped. */
    static final class FakeBody implements ServiceRunner.Body {
        final CountDownLatch stopped = new CountDownLatch(1);
        final CountDownLatch released = new CountDownLatch(1);
        final AtomicInteger polls = new AtomicInteger();
        final AtomicInteger stops = new AtomicInteger();
        final int notServingTicks;
        final int exit;
        final boolean ignoresStop;

        FakeBody(int notServingTicks, int exit, boolean ignoresStop) {
            this.notServingTicks = notServingTicks;
            this.exit = exit;
            this.ignoresStop = ignoresStop;
        }

        @Override
        public int run() throws InterruptedException {
            if (ignoresStop) {
                released.await(); // until the test lets it go
            }
            stopped.await();
            return exit;
        }

        @Override
        public boolean serving() {
            return polls.incrementAndGet() > notServingTicks;
        }

        @Override
        public void stop() {
            stops.incrementAndGet();
            stopped.countDown();
        }
    }

    private static Thread start(ServiceRunner runner, int[] exit) {
        Thread t = new Thread(() -> exit[0] = runner.run(), "fake-dispatcher");
        t.start();
        return t;
    }

    @Test
    void startPendingWithCheckpointsThenRunningThenStopPendingThenStopped() throws InterruptedException {
        FakeDispatcher scm = new FakeDispatcher();
        FakeBody body = new FakeBody(2, 0, false);
        int[] exit = {-1};
        Thread t = start(new ServiceRunner(scm, "jminifilter", body, TICK, LONG, LONG), exit);

        ServiceStatus running = scm.awaitState(SERVICE_RUNNING);
        assertEquals(SERVICE_ACCEPT_STOP | SERVICE_ACCEPT_SHUTDOWN, running.controlsAccepted());
        assertEquals(0, running.waitHintMillis());
        assertEquals(ServiceDispatcher.NO_ERROR, scm.handler.onControl(ServiceDispatcher.SERVICE_CONTROL_STOP));
        t.join();

        assertEquals("jminifilter", scm.registeredName);
        List<ServiceStatus> all = scm.reported();
        // START_PENDING 1, 2, 3 (two polls not serving), RUNNING, STOP_PENDING 1.., STOPPED
        assertEquals(List.of(1, 2, 3), all.subList(0, 3).stream().map(ServiceStatus::checkPoint).toList());
        all.subList(0, 3).forEach(s -> {
            assertEquals(SERVICE_START_PENDING, s.state());
            assertEquals(0, s.controlsAccepted(), "no control while starting");
            assertTrue(s.waitHintMillis() > 0);
        });
        assertEquals(SERVICE_RUNNING, all.get(3).state());
        ServiceStatus firstStop = all.get(4);
        assertEquals(SERVICE_STOP_PENDING, firstStop.state());
        assertEquals(1, firstStop.checkPoint());
        assertTrue(firstStop.waitHintMillis() > 0);
        for (int i = 5; i < all.size() - 1; i++) {
            assertEquals(SERVICE_STOP_PENDING, all.get(i).state());
            assertEquals(all.get(i - 1).checkPoint() + 1, all.get(i).checkPoint(), "checkpoints grow");
        }
        ServiceStatus last = all.get(all.size() - 1);
        assertEquals(ServiceStatus.of(SERVICE_STOPPED, 0, 0, 0, 0, 0), last);
        assertEquals(0, exit[0]);
        assertEquals(1, body.stops.get());
    }

    @Test
    void shutdownStopsLikeStop() throws InterruptedException {
        FakeDispatcher scm = new FakeDispatcher();
        FakeBody body = new FakeBody(0, 0, false);
        int[] exit = {-1};
        Thread t = start(new ServiceRunner(scm, "jminifilter", body, TICK, LONG, LONG), exit);
        scm.awaitState(SERVICE_RUNNING);
        assertEquals(ServiceDispatcher.NO_ERROR, scm.handler.onControl(ServiceDispatcher.SERVICE_CONTROL_SHUTDOWN));
        t.join();
        assertEquals(SERVICE_STOPPED, scm.reported().get(scm.reported().size() - 1).state());
        assertEquals(0, exit[0]);
    }

    @Test
    void aServeThatFailsAtStartStopsWithItsExitCodeAsServiceSpecific() throws InterruptedException {
        FakeDispatcher scm = new FakeDispatcher();
        ServiceRunner.Body invalidPolicy = new ServiceRunner.Body() {
            @Override
            public int run() {
                return 1; // ExitCodes.INVALID: the policy file is invalid
            }

            @Override
            public boolean serving() {
                return false;
            }

            @Override
            public void stop() {
            }
        };
        int[] exit = {-1};
        start(new ServiceRunner(scm, "jminifilter", invalidPolicy, TICK, LONG, LONG), exit).join();
        List<ServiceStatus> all = scm.reported();
        assertEquals(SERVICE_START_PENDING, all.get(0).state());
        ServiceStatus last = all.get(all.size() - 1);
        assertEquals(ServiceStatus.of(SERVICE_STOPPED, 0, Win32Error.ERROR_SERVICE_SPECIFIC_ERROR, 1, 0, 0), last);
        assertFalse(all.stream().anyMatch(s -> s.state() == SERVICE_RUNNING));
        assertEquals(1, exit[0]);
    }

    @Test
    void aServeThatThrowsStopsAsFailed() throws InterruptedException {
        FakeDispatcher scm = new FakeDispatcher();
        ServiceRunner.Body broken = new ServiceRunner.Body() {
            @Override
            public int run() {
                throw new IllegalStateException("broken");
            }

            @Override
            public boolean serving() {
                return false;
            }

            @Override
            public void stop() {
            }
        };
        int[] exit = {-1};
        start(new ServiceRunner(scm, "jminifilter", broken, TICK, LONG, LONG), exit).join();
        ServiceStatus last = scm.reported().get(scm.reported().size() - 1);
        assertEquals(Win32Error.ERROR_SERVICE_SPECIFIC_ERROR, last.win32ExitCode());
        assertEquals(ServiceRunner.FAILED, last.serviceSpecificExitCode());
        assertEquals(ServiceRunner.FAILED, exit[0]);
    }

    @Test
    void aStopThatOutlastsTheShutdownBudgetIsReportedStoppedAnyway() throws InterruptedException {
        FakeDispatcher scm = new FakeDispatcher();
        FakeBody stuck = new FakeBody(0, 0, true);
        int[] exit = {-1};
        // STOP would wait five minutes; SHUTDOWN's budget is what applies
        ServiceRunner runner = new ServiceRunner(scm, "jminifilter", stuck, TICK, LONG, Duration.ofMillis(50));
        Thread t = start(runner, exit);
        scm.awaitState(SERVICE_RUNNING);
        scm.handler.onControl(ServiceDispatcher.SERVICE_CONTROL_SHUTDOWN);
        t.join();
        ServiceStatus last = scm.reported().get(scm.reported().size() - 1);
        assertEquals(SERVICE_STOPPED, last.state());
        assertEquals(Win32Error.ERROR_SERVICE_SPECIFIC_ERROR, last.win32ExitCode());
        assertEquals(ServiceRunner.FAILED, last.serviceSpecificExitCode());
        assertEquals(1, stuck.stops.get());
        assertTrue(runner.timedOut(), "the caller must end the process without waiting for the body");
        stuck.released.countDown();
    }

    @Test
    void interrogateIsAnsweredOtherControlsAreNotImplemented() throws InterruptedException {
        FakeDispatcher scm = new FakeDispatcher();
        FakeBody body = new FakeBody(0, 0, false);
        int[] exit = {-1};
        Thread t = start(new ServiceRunner(scm, "jminifilter", body, TICK, LONG, LONG), exit);
        scm.awaitState(SERVICE_RUNNING);
        assertEquals(ServiceDispatcher.NO_ERROR, scm.handler.onControl(ServiceDispatcher.SERVICE_CONTROL_INTERROGATE));
        assertEquals(Win32Error.ERROR_CALL_NOT_IMPLEMENTED, scm.handler.onControl(2)); // PAUSE
        assertEquals(Win32Error.ERROR_CALL_NOT_IMPLEMENTED, scm.handler.onControl(15)); // PRESHUTDOWN: not accepted
        assertEquals(0, body.stops.get());
        scm.handler.onControl(ServiceDispatcher.SERVICE_CONTROL_STOP);
        scm.handler.onControl(ServiceDispatcher.SERVICE_CONTROL_STOP); // a second stop changes nothing
        t.join();
        assertEquals(1, scm.reported().stream().filter(s -> s.state() == SERVICE_STOP_PENDING
                && s.checkPoint() == 1).count());
    }

    @Test
    void noHandlerNoStatusNoServe() {
        FakeDispatcher scm = new FakeDispatcher();
        scm.failRegister = Win32Error.ERROR_INVALID_PARAMETER;
        FakeBody body = new FakeBody(0, 0, false);
        int exit = new ServiceRunner(scm, "jminifilter", body, TICK, LONG, LONG).run();
        assertEquals(ServiceRunner.FAILED, exit);
        assertTrue(scm.reported().isEmpty());
        assertEquals(0, body.polls.get());
    }
}
