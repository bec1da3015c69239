package org.jminifilter.cli.windows;

import static org.jminifilter.cli.windows.ServiceControlManager.DELETE;
import static org.jminifilter.cli.windows.ServiceControlManager.SC_MANAGER_CONNECT;
import static org.jminifilter.cli.windows.ServiceControlManager.SC_MANAGER_CREATE_SERVICE;
import static org.jminifilter.cli.windows.ServiceControlManager.SERVICE_QUERY_STATUS;
import static org.jminifilter.cli.windows.ServiceControlManager.SERVICE_START;
import static org.jminifilter.cli.windows.ServiceControlManager.SERVICE_STOP;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code jminifilter service install|uninstall|start|stop|status} over a
 * {@link ServiceControlManager}: every handle opened is closed on every path, a failed install
 * leaves nothing behind (the service it created is deleted again), and every failure is a
 * {@link Win32Error} that says what it means (not elevated, already installed, ...).
 */
public final class WindowsService {
    /**
     * The policy service's name. Not "jminifilter": that is the driver's own service (the INF's
     * ServiceName, what {@code fltmc load} names), which the SCM keeps in the same namespace.
     */
    public static final String NAME = "jminifilter-policy";
    public static final String DISPLAY_NAME = "jminifilter policy service";
    public static final String DESCRIPTION = "Pushes the jminifilter policy file to the jminifilter minifilter driver, "
            + "answers its asks and writes its events to the Application event log (source jminifilter). "
            + "Waits for the driver when it is not loaded.";
    /** Restart 5 s, 30 s, then 60 s after a crash; the count resets after a day without one. */
    static final List<Integer> RESTART_DELAYS_MILLIS = List.of(5_000, 30_000, 60_000);
    static final int RESET_SECONDS = 24 * 60 * 60;

    /** Waits between two status queries (tests give one that does not sleep). */
    public interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    private final ServiceControlManager scm;
    private final EventSource eventSource;
    private final Sleeper sleeper;

    public WindowsService(ServiceControlManager scm, EventSource eventSource, Sleeper sleeper) {
        this.scm = scm;
        this.eventSource = eventSource;
        this.sleeper = sleeper;
    }

    /** The real SCM and registry. Windows only. */
    public static WindowsService onThisMachine() {
        Advapi32EventLog log = new Advapi32EventLog();
        return new WindowsService(new Advapi32ServiceControlManager(), new EventSource(log),
                d -> Thread.sleep(d.toMillis()));
    }

    /**
     * The account the service runs as, checked: LocalSystem (null to CreateService) is the only one
     * that works, because the driver's port admits administrators and SYSTEM only and the built-in
     * service accounts are neither; accounts with a password are not supported.
     *
     * @return null for LocalSystem
     * @throws IllegalArgumentException for any other account, saying why
     */
    public static String account(String written) {
        String a = written.trim().toLowerCase(Locale.ROOT);
        if (a.equals("localsystem") || a.equals(".\\localsystem") || a.equals("nt authority\\system")) {
            return null;
        }
        if (a.endsWith("localservice") || a.endsWith("local service") || a.endsWith("networkservice")
                || a.endsWith("network service")) {
            throw new IllegalArgumentException("--account " + written + ": the driver's port admits administrators and "
                    + "SYSTEM only, so the service would be refused; use LocalSystem");
        }
        throw new IllegalArgumentException("--account " + written + ": only LocalSystem is supported (an account "
                + "with a password would need it stored; set one afterwards with sc.exe config " + NAME + " obj= ... "
                + "password= ...)");
    }

    /**
     * Installs the service (automatic start, restart after a crash) and registers the event source.
     *
     * @param account null for LocalSystem
     * @return warnings (a missing message file), empty when none
     */
    public List<String> install(String binaryPath, String account) {
        List<String> warnings = new ArrayList<>();
        ServiceControlManager.Handle manager = scm.openManager(SC_MANAGER_CONNECT | SC_MANAGER_CREATE_SERVICE);
        try {
            ServiceControlManager.Handle service = scm.createService(manager, NAME, DISPLAY_NAME, binaryPath, account);
            boolean done = false;
            try {
                scm.setDescription(service, DESCRIPTION);
                scm.setRestartOnFailure(service, RESET_SECONDS, RESTART_DELAYS_MILLIS);
                String warning = eventSource.register();
                if (warning != null) {
                    warnings.add(warning);
                }
                done = true;
            } finally {
                if (!done) {
                    // A half-configured service would start without restart or Event Log: take it away again.
                    try {
                        scm.delete(service);
                    } catch (Win32Error ignored) {
                        // the first failure is the one to report
                    }
                }
                scm.close(service);
            }
        } finally {
            scm.close(manager);
        }
        return warnings;
    }

    /**
     * Deletes the service and its event source. Nothing installed is not an error (scripts
     * uninstall to start from a clean machine): the event source goes if it is there.
     *
     * @return false when the service was not installed
     * @throws IllegalStateException when the service is not stopped (stop it first)
     */
    public boolean uninstall() {
        ServiceControlManager.Handle manager = scm.openManager(SC_MANAGER_CONNECT);
        try {
            ServiceControlManager.Handle service;
            try {
                service = scm.openService(manager, NAME, DELETE | SERVICE_QUERY_STATUS);
            } catch (Win32Error e) {
                if (e.code() != Win32Error.ERROR_SERVICE_DOES_NOT_EXIST) {
                    throw e;
                }
                eventSource.unregister();
                return false;
            }
            try {
                ServiceStatus s = scm.query(service);
                if (s.state() != ServiceStatus.SERVICE_STOPPED) {
                    throw new IllegalStateException("the service is " + s.stateName()
                            + "; stop it first (jminifilter service stop)");
                }
                scm.delete(service);
            } finally {
                scm.close(service);
            }
        } finally {
            scm.close(manager);
        }
        eventSource.unregister();
        return true;
    }

    /**
     * Starts the service and waits until it runs or stops.
     *
     * @return the status it reached: RUNNING, or STOPPED with its exit codes when it failed to start
     */
    public ServiceStatus start(Duration timeout) throws InterruptedException {
        ServiceControlManager.Handle manager = scm.openManager(SC_MANAGER_CONNECT);
        try {
            ServiceControlManager.Handle service = scm.openService(manager, NAME, SERVICE_START | SERVICE_QUERY_STATUS);
            try {
                scm.start(service);
                return awaitLeaving(service, ServiceStatus.SERVICE_START_PENDING, timeout);
            } finally {
                scm.close(service);
            }
        } finally {
            scm.close(manager);
        }
    }

    /** Asks the service to stop and waits until it has. */
    public ServiceStatus stop(Duration timeout) throws InterruptedException {
        ServiceControlManager.Handle manager = scm.openManager(SC_MANAGER_CONNECT);
        try {
            ServiceControlManager.Handle service = scm.openService(manager, NAME, SERVICE_STOP | SERVICE_QUERY_STATUS);
            try {
                ServiceStatus s = scm.control(service, ServiceControlManager.SERVICE_CONTROL_STOP);
                if (s.state() == ServiceStatus.SERVICE_STOPPED) {
                    return s;
                }
                return awaitLeaving(service, ServiceStatus.SERVICE_STOP_PENDING, timeout);
            } finally {
                scm.close(service);
            }
        } finally {
            scm.close(manager);
        }
    }

    /** The service's status. */
    public ServiceStatus status() {
        ServiceControlManager.Handle manager = scm.openManager(SC_MANAGER_CONNECT);
        try {
            ServiceControlManager.Handle service = scm.openService(manager, NAME, SERVICE_QUERY_STATUS);
            try {
                return scm.query(service);
            } finally {
                scm.close(service);
            }
        } finally {
            scm.close(manager);
        }
    }

    /**
     * Queries until the state is no longer {@code pending}, waiting as the service's wait hint
     * asks (a tenth of it, between 250 ms and 2 s, as the SCM documentation suggests).
     */
    private ServiceStatus awaitLeaving(ServiceControlManager.Handle service, int pending, Duration timeout)
            throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        ServiceStatus s = scm.query(service);
        while (s.state() == pending) {
            if (System.nanoTime() - end > 0) {
                throw new IllegalStateException("the service is still " + s.stateName() + " after "
                        + timeout.toSeconds() + " s");
            }
            long wait = Math.max(250, Math.min(2_000, s.waitHintMillis() / 10));
            sleeper.sleep(Duration.ofMillis(wait));
            s = scm.query(service);
        }
        return s;
    }

    /** What a status says, for {@code service status} and after start/stop. */
    public static String describe(ServiceStatus s) {
        StringBuilder b = new StringBuilder(s.stateName());
        if (s.processId() != 0) {
            b.append(", process ").append(s.processId());
        }
        if (s.win32ExitCode() == Win32Error.ERROR_SERVICE_SPECIFIC_ERROR) {
            b.append(", exited with jminifilter exit code ").append(s.serviceSpecificExitCode())
                    .append(" (see the Application event log, source jminifilter)");
        } else if (s.win32ExitCode() != 0) {
            b.append(", ").append(Win32Error.meaning(s.win32ExitCode()));
        }
        return b.toString();
    }
}
