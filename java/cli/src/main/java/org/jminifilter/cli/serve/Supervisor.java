package org.jminifilter.cli.serve;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.jminifilter.cli.policyfile.PolicyFile;
import org.jminifilter.cli.policyfile.PolicyFileException;
import org.jminifilter.cli.policyfile.Problem;
import org.jminifilter.cli.policyfile.VolumeResolver;
import org.jminifilter.port.ConnectionLimitException;
import org.jminifilter.port.FilterPort;
import org.jminifilter.port.FilterPortException;
import org.jminifilter.port.PortNotFoundException;
import org.jminifilter.protocol.Config;
import org.jminifilter.protocol.Result;
import org.jminifilter.protocol.Statistics;
import org.jminifilter.service.AskHandler;
import org.jminifilter.service.CommandRejectedException;
import org.jminifilter.service.EventListener;
import org.jminifilter.service.KernelClient;
import org.jminifilter.service.PolicyService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@code jminifilter serve} runs: connects to the driver, sets the policy file's
 * configuration and policy, answers asks and hands events on, and keeps going:
 * <ul>
 *   <li><b>hot reload</b>: when the policy file changes it is read and checked again; a valid
 *   file is pushed atomically, an invalid one is reported line by line and the policy in force
 *   stays;</li>
 *   <li><b>reconnect</b>: when the driver is not loaded, or unloads, the supervisor retries with
 *   backoff and pushes the configuration and the policy again on the new connection;</li>
 *   <li><b>shutdown</b>: {@link #stop()} (Ctrl+C, a service stop) closes the service, whose close
 *   cancels the receives and closes the port, so nothing is left waiting in the kernel.</li>
 * </ul>
 * Thread-safe: {@link #run()} runs on one thread; the control methods may be called from any.
 */
public final class Supervisor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Supervisor.class);

    /** Connects to the driver's port: the real one (fltlib), or the emulated kernel's. */
    public interface Connector {
        FilterPort connect();
    }

    /** What the supervisor is doing, for {@code status}. */
    public enum State { STARTING, WAITING_FOR_DRIVER, CONNECTED, STOPPED }

    private final Path policyPath;
    private final VolumeResolver volumes;
    private final Connector connector;
    private final AskHandler askHandler;
    private final EventListener events;
    private final Duration minBackoff;
    private final Duration maxBackoff;
    private final Object lock = new Object();

    private volatile PolicyFile current;
    private volatile State state = State.STARTING;  // set through setState, which wakes awaitState
    private volatile boolean stopping;
    private PolicyService service;      // guarded by lock
    private KernelClient kernel;        // guarded by lock
    private Config configInForce = Config.defaults();
    private WatchService watcher;
    private Thread reloader;
    private long reloads;
    private long reloadsRefused;

    /**
     * @param askHandler null: every ask gets its rule's (or the configuration's) default verdict
     */
    public Supervisor(Path policyPath, VolumeResolver volumes, Connector connector, AskHandler askHandler,
            EventListener events, Duration minBackoff, Duration maxBackoff) {
        this.policyPath = policyPath;
        this.volumes = volumes;
        this.connector = connector;
        this.askHandler = askHandler;
        this.events = events;
        this.minBackoff = minBackoff;
        this.maxBackoff = maxBackoff;
    }

    /**
     * Reads the policy file (which must be valid to start), then serves until {@link #stop()}.
     *
     * @throws PolicyFileException the policy file is invalid at start
     * @throws CommandRejectedException the driver refuses the file's policy or configuration
     * @throws FilterPortException the driver cannot be reached for a reason retrying will not fix
     *         (not elevated, another protocol version)
     */
    public void run() throws IOException, PolicyFileException {
        current = PolicyFile.read(policyPath, volumes);
        current.warnings().forEach(w -> LOG.warn("{}", w));
        startWatching();
        Duration backoff = minBackoff;
        boolean announced = false;
        try {
            while (!stopping) {
                FilterPort port;
                try {
                    port = connector.connect();
                } catch (PortNotFoundException | ConnectionLimitException e) {
                    setState(State.WAITING_FOR_DRIVER);
                    if (!announced) {
                        LOG.warn("cannot connect to the driver ({}); retrying, up to every {} s", e.getMessage(),
                                maxBackoff.toSeconds());
                        announced = true;
                    }
                    pause(backoff);
                    backoff = backoff.multipliedBy(2).compareTo(maxBackoff) > 0 ? maxBackoff : backoff.multipliedBy(2);
                    continue;
                }
                backoff = minBackoff;
                announced = false;
                serve(port);
            }
        } finally {
            setState(State.STOPPED);
            stopWatching();
            LOG.info("stopped: the connection to the driver is closed");
        }
    }

    /** One connection: push, serve until the driver closes the port or stop() is called. */
    private void serve(FilterPort port) {
        PolicyFile file = current;
        PolicyService svc;
        KernelClient client = new KernelClient(port);
        try {
            Config config = file.config().orElse(configInForce);
            PolicyService.Builder b = PolicyService.builder(port).policy(file.policy())
                    .config(config).persistPolicy(config.persist()).eventListener(events);
            if (askHandler != null) {
                b.askHandler(askHandler);
            }
            svc = b.build().start();
        } catch (RuntimeException e) {
            closeQuietly(port);
            if (e instanceof CommandRejectedException || !(e instanceof FilterPortException)) {
                throw e;
            }
            LOG.warn("the connection failed while starting ({}); reconnecting", e.getMessage());
            pause(minBackoff);
            return;
        }
        synchronized (lock) {
            service = svc;
            kernel = client;
            configInForce = file.config().orElse(configInForce);
            setState(State.CONNECTED);
        }
        LOG.info("connected to the driver; {} rules of {} in force", file.policy().rules().size(), file.source());
        try {
            synchronized (lock) {
                // A port that stopped being open under us (the emulated kernel closes its ports when the
                // driver unloads) is a lost driver too, like the service's own disconnect detection.
                while (!stopping && svc.isConnected() && port.isOpen()) {
                    lock.wait(100);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopping = true;
        } finally {
            synchronized (lock) {
                service = null;
                kernel = null;
            }
            svc.close();
            closeQuietly(port);
        }
        if (!stopping) {
            setState(State.WAITING_FOR_DRIVER);
            LOG.warn("the driver closed the connection (unloaded?); reconnecting");
        }
    }

    /** Stops serving: the service closes (receives cancelled, port closed) and {@link #run()} returns. */
    public void stop() {
        stopping = true;
        synchronized (lock) {
            lock.notifyAll();
        }
    }

    @Override
    public void close() {
        stop();
    }

    // ------------------------------------------------------------------ hot reload

    private void startWatching() throws IOException {
        Path dir = policyPath.toAbsolutePath().getParent();
        watcher = FileSystems.getDefault().newWatchService();
        dir.register(watcher, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY);
        Path name = policyPath.getFileName();
        reloader = new Thread(() -> watch(name), "jminifilter-reload");
        reloader.setDaemon(true);
        reloader.start();
    }

    private void watch(Path name) {
        try {
            while (!stopping) {
                WatchKey key = watcher.take();
                boolean ours = false;
                for (WatchEvent<?> e : key.pollEvents()) {
                    ours |= name.equals(e.context());
                }
                key.reset();
                if (ours) {
                    // Editors write in several steps: wait until the file has been quiet for a moment.
                    WatchKey more;
                    while ((more = watcher.poll(200, TimeUnit.MILLISECONDS)) != null) {
                        more.pollEvents();
                        more.reset();
                    }
                    reload();
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // stopping
        }
    }

    /**
     * Reads the policy file again and pushes it when valid. An invalid file, or one the driver
     * refuses, is reported and changes nothing.
     *
     * @return true when the new policy is in force (or will be on the next connection)
     */
    public boolean reload() {
        PolicyFile next;
        try {
            next = PolicyFile.read(policyPath, volumes);
        } catch (PolicyFileException e) {
            synchronized (lock) {
                reloadsRefused++;
            }
            LOG.error("the edited policy file is invalid; the policy in force stays:");
            e.problems().forEach(p -> LOG.error("  {}", p));
            return false;
        } catch (IOException e) {
            synchronized (lock) {
                reloadsRefused++;
            }
            LOG.error("cannot read the policy file {} ({}); the policy in force stays", policyPath, e.getMessage());
            return false;
        }
        next.warnings().forEach(w -> LOG.warn("{}", w));
        try {
            apply(next);
        } catch (CommandRejectedException e) {
            synchronized (lock) {
                reloadsRefused++;
            }
            LOG.error("{}", e.getMessage());
            return false;
        }
        return true;
    }

    /** Pushes {@code next} (its configuration first, then its policy) and makes it the current file. */
    private Optional<Result> apply(PolicyFile next) {
        synchronized (lock) {
            Result r = null;
            if (service != null) {
                if (next.config().isPresent() && !next.config().get().equals(configInForce)) {
                    kernel.setConfig(next.config().get());
                    configInForce = next.config().get();
                }
                r = service.replacePolicy(next.policy());
                LOG.info("{} put in force: {} rules, generation {}", next.source(), next.policy().rules().size(),
                        Integer.toUnsignedString(r.generation()));
            }
            current = next;
            reloads++;
            return Optional.ofNullable(r);
        }
    }

    /**
     * Puts another policy file (read with {@link #volumes()}) in force, as {@code jminifilter push}
     * does through the control socket: it stays until serve's own policy file changes again (then
     * that file is reloaded) or serve restarts.
     *
     * @throws IllegalStateException when serve is not connected to the driver
     * @throws CommandRejectedException when the driver refuses it; the policy in force stays
     */
    public Result push(PolicyFile file) {
        synchronized (lock) {
            if (service == null) {
                throw new IllegalStateException("serve is not connected to the driver (state " + state + ")");
            }
            return apply(file).orElseThrow();
        }
    }

    /** How serve resolves volume names (the same for a pushed file). */
    public VolumeResolver volumes() {
        return volumes;
    }

    private void stopWatching() {
        try {
            if (watcher != null) {
                watcher.close();
            }
        } catch (IOException e) {
            LOG.debug("closing the file watcher", e);
        }
        if (reloader != null) {
            reloader.interrupt();
        }
    }

    // ------------------------------------------------------------------ control

    public State state() {
        return state;
    }

    private void setState(State next) {
        synchronized (lock) {
            state = next;
            lock.notifyAll();
        }
    }

    /**
     * Waits until the state is {@code wanted}.
     *
     * @return false when {@code timeout} passed first
     */
    public boolean awaitState(State wanted, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (state != wanted) {
                long left = (end - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    return false;
                }
                lock.wait(left);
            }
            return true;
        }
    }

    /** The policy file in force (the last valid one). */
    public PolicyFile policyFile() {
        return current;
    }

    /** Reloads done and refused since the start. */
    public long[] reloadCounts() {
        synchronized (lock) {
            return new long[] {reloads, reloadsRefused};
        }
    }

    /** The driver's statistics, when connected. */
    public Optional<Statistics> statistics() {
        synchronized (lock) {
            return service == null ? Optional.empty() : Optional.of(service.statistics());
        }
    }

    /** The configuration last set (the driver's defaults until one is). */
    public Config config() {
        synchronized (lock) {
            return configInForce;
        }
    }

    /**
     * Sets the driver's configuration, kept for reconnects.
     *
     * @throws IllegalStateException when not connected
     * @throws CommandRejectedException when the driver refuses it
     */
    public Result setConfig(Config config) {
        synchronized (lock) {
            if (kernel == null) {
                throw new IllegalStateException("not connected to the driver");
            }
            Result r = kernel.setConfig(config);
            configInForce = config;
            return r;
        }
    }

    private void pause(Duration d) {
        synchronized (lock) {
            long end = System.nanoTime() + d.toNanos();
            try {
                for (long left = d.toMillis(); !stopping && left > 0; left = (end - System.nanoTime()) / 1_000_000) {
                    lock.wait(left);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stopping = true;
            }
        }
    }

    private static void closeQuietly(FilterPort port) {
        try {
            port.close();
        } catch (RuntimeException e) {
            LOG.debug("closing the port", e);
        }
    }

    /** Lines of a refused file, for callers that print them. */
    public static String describe(PolicyFileException e) {
        StringBuilder b = new StringBuilder();
        for (Problem p : e.problems()) {
            b.append(p).append(System.lineSeparator());
        }
        return b.toString();
    }
}
