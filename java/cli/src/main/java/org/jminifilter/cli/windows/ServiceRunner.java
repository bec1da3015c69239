package org.jminifilter.cli.windows;

import static org.jminifilter.cli.windows.ServiceStatus.SERVICE_ACCEPT_SHUTDOWN;
import static org.jminifilter.cli.windows.ServiceStatus.SERVICE_ACCEPT_STOP;
import static org.jminifilter.cli.windows.ServiceStatus.SERVICE_RUNNING;
import static org.jminifilter.cli.windows.ServiceStatus.SERVICE_START_PENDING;
import static org.jminifilter.cli.windows.ServiceStatus.SERVICE_STOPPED;
import static org.jminifilter.cli.windows.ServiceStatus.SERVICE_STOP_PENDING;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The life of {@code jminifilter service run} under the Service Control Manager:
 * <ol>
 *   <li>ServiceMain registers the control handler and reports START_PENDING, then a new
 *   checkpoint every tick while the {@link Body} (serve) reads its policy file;</li>
 *   <li>once the body serves (connected, or waiting for the driver: the Supervisor waits for a
 *   driver that is not loaded yet, so a demand-start driver loaded later is fine) it reports
 *   RUNNING, accepting STOP and SHUTDOWN;</li>
 *   <li>STOP or SHUTDOWN: the handler reports STOP_PENDING and asks the body to stop, and returns
 *   at once (a handler must return within 30 s); ServiceMain reports a checkpoint every tick
 *   until the body's run returns, then STOPPED;</li>
 *   <li>a body that ends by itself, or fails, is STOPPED with ERROR_SERVICE_SPECIFIC_ERROR and
 *   its {@code ExitCodes} value as the service-specific exit code (0 is a clean stop).</li>
 * </ol>
 * Time limits: at system shutdown Windows waits for services for WaitToKillServiceTimeout
 * (documented as about 20 s; 5 s by default on current Windows) and then ends them, so a body
 * that has not returned within {@code shutdownBudget} is reported STOPPED anyway (exit code
 * FAILED) before the SCM gives up on it; a STOP gets {@code stopBudget}. PRESHUTDOWN is not
 * accepted: it would hold the whole system's shutdown (10 s by default since build 15063) and
 * serve's stop (receives cancelled, port closed) takes well under a second.
 */
public final class ServiceRunner {
    private static final Logger LOG = LoggerFactory.getLogger(ServiceRunner.class);

    /** What the service runs: serve. */
    public interface Body {
        /** Serves until {@link #stop()}; returns an {@code ExitCodes} value. */
        int run() throws Exception;

        /** True once serving (connected to the driver or waiting for it). */
        boolean serving();

        /** Asks {@link #run()} to return soon; may be called before run() serves, from any thread. */
        void stop();
    }

    /** ExitCodes.FAILED (the cli package's ExitCodes is not visible here). */
    static final int FAILED = 4;

    private final ServiceDispatcher scm;
    private final String name;
    private final Body body;
    private final Duration tick;
    private final Duration stopBudget;
    private final Duration shutdownBudget;

    private final Object lock = new Object();
    private ServiceDispatcher.StatusHandle handle; // guarded by lock
    private int state = SERVICE_START_PENDING;    // guarded by lock
    private int checkPoint;                       // guarded by lock
    private long stopDeadline;                    // guarded by lock; valid when stopping
    private boolean stopping;                     // guarded by lock
    private volatile int exitCode = FAILED;
    private volatile boolean timedOut;

    /**
     * @param tick           between two checkpoints (the wait hint is three ticks)
     * @param stopBudget     longest wait for the body after a STOP
     * @param shutdownBudget longest wait for the body after a SHUTDOWN
     */
    public ServiceRunner(ServiceDispatcher scm, String name, Body body, Duration tick, Duration stopBudget,
            Duration shutdownBudget) {
        this.scm = scm;
        this.name = name;
        this.body = body;
        this.tick = tick;
        this.stopBudget = stopBudget;
        this.shutdownBudget = shutdownBudget;
    }

    /** The timing used on Windows: a checkpoint a second, 20 s to stop, 4 s at shutdown. */
    public static ServiceRunner standard(ServiceDispatcher scm, String name, Body body) {
        return new ServiceRunner(scm, name, body, Duration.ofSeconds(1), Duration.ofSeconds(20),
                Duration.ofSeconds(4));
    }

    /** The real dispatcher. Windows only. */
    public static ServiceDispatcher dispatcherOfThisMachine() {
        return new Advapi32ServiceDispatcher();
    }

    /**
     * Hands this thread to the SCM's dispatcher until the service stops.
     *
     * @return the exit code the service stopped with
     * @throws Win32Error when not started by the SCM (ERROR_FAILED_SERVICE_CONTROLLER_CONNECT)
     */
    public int run() {
        scm.run(name, this::serviceMain);
        return exitCode;
    }

    /**
     * The body had not returned when the service was reported stopped: the process must end
     * without waiting for it (its shutdown hooks would wait for the stuck serve).
     */
    public boolean timedOut() {
        return timedOut;
    }

    private int waitHint() {
        return (int) Math.min(Integer.MAX_VALUE, tick.toMillis() * 3);
    }

    /** ServiceMain, on the dispatcher's thread. */
    void serviceMain() {
        try {
            ServiceDispatcher.StatusHandle h = scm.registerHandler(name, this::onControl);
            synchronized (lock) {
                handle = h;
                checkPoint = 1;
                report(SERVICE_START_PENDING, 0, 0, 0);
            }
        } catch (Win32Error e) {
            LOG.error("cannot register with the service control manager: {}", e.getMessage());
            exitCode = FAILED;
            return;
        }
        CountDownLatch done = new CountDownLatch(1);
        int[] result = {FAILED};
        Thread worker = new Thread(() -> {
            try {
                result[0] = body.run();
            } catch (Exception | Error e) {
                LOG.error("the service failed: {}", e.toString(), e);
                result[0] = FAILED;
            } finally {
                done.countDown();
            }
        }, "jminifilter-service");
        worker.start();
        boolean timedOut = false;
        try {
            while (!done.await(tick.toMillis(), TimeUnit.MILLISECONDS)) {
                synchronized (lock) {
                    if (stopping) {
                        if (System.nanoTime() - stopDeadline > 0) {
                            timedOut = true;
                            break;
                        }
                        checkPoint++;
                        report(SERVICE_STOP_PENDING, 0, 0, 0);
                    } else if (state == SERVICE_START_PENDING) {
                        if (body.serving()) {
                            checkPoint = 0;
                            report(SERVICE_RUNNING, SERVICE_ACCEPT_STOP | SERVICE_ACCEPT_SHUTDOWN, 0, 0);
                        } else {
                            checkPoint++;
                            report(SERVICE_START_PENDING, 0, 0, 0);
                        }
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            body.stop();
            timedOut = true;
        }
        int code = timedOut ? FAILED : result[0];
        if (timedOut) {
            LOG.error("the service did not stop in time; reporting it stopped");
        }
        this.timedOut = timedOut;
        exitCode = code;
        synchronized (lock) {
            checkPoint = 0;
            report(SERVICE_STOPPED, 0, code == 0 ? 0 : Win32Error.ERROR_SERVICE_SPECIFIC_ERROR, code);
        }
    }

    /** HandlerEx, on the dispatcher's main thread: must not block. */
    int onControl(int control) {
        switch (control) {
            case ServiceDispatcher.SERVICE_CONTROL_INTERROGATE:
                return ServiceDispatcher.NO_ERROR;
            case ServiceDispatcher.SERVICE_CONTROL_STOP:
            case ServiceDispatcher.SERVICE_CONTROL_SHUTDOWN:
                synchronized (lock) {
                    if (state == SERVICE_STOPPED) {
                        return ServiceDispatcher.NO_ERROR;
                    }
                    if (!stopping) {
                        stopping = true;
                        Duration budget = control == ServiceDispatcher.SERVICE_CONTROL_SHUTDOWN ? shutdownBudget
                                : stopBudget;
                        stopDeadline = System.nanoTime() + budget.toNanos();
                        checkPoint = 1;
                        report(SERVICE_STOP_PENDING, 0, 0, 0);
                    }
                }
                body.stop();
                return ServiceDispatcher.NO_ERROR;
            default:
                return Win32Error.ERROR_CALL_NOT_IMPLEMENTED;
        }
    }

    /** SetServiceStatus; a failure is logged (there is no one else to tell). Caller holds lock. */
    private void report(int newState, int accepted, int win32ExitCode, int specific) {
        state = newState;
        int hint = newState == SERVICE_RUNNING || newState == SERVICE_STOPPED ? 0 : waitHint();
        try {
            scm.setStatus(handle, ServiceStatus.of(newState, accepted, win32ExitCode, specific, checkPoint, hint));
        } catch (Win32Error e) {
            LOG.error("cannot report the service's status: {}", e.getMessage());
        }
    }
}
