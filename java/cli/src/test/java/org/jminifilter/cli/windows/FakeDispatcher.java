package org.jminifilter.cli.windows;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The SCM side of a running service: run() calls ServiceMain on its own thread (as the dispatcher
 * does), statuses are recorded in order and can be awaited, controls are sent from the test
 * through the handler the service registered; any call can be made to fail.
 */
public final class FakeDispatcher implements ServiceDispatcher {
    public final BlockingQueue<ServiceStatus> statuses = new LinkedBlockingQueue<>();
    final List<ServiceStatus> all = new ArrayList<>();
    public volatile ControlHandler handler;
    volatile String registeredName;
    Integer failRegister;
    Integer failRun;

    private record Status() implements StatusHandle {
    }

    @Override
    public void run(String serviceName, Runnable serviceMain) {
        if (failRun != null) {
            throw new Win32Error("StartServiceCtrlDispatcher", failRun);
        }
        Thread main = new Thread(serviceMain, "fake-service-main");
        main.start();
        try {
            main.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public StatusHandle registerHandler(String serviceName, ControlHandler h) {
        if (failRegister != null) {
            throw new Win32Error("RegisterServiceCtrlHandlerEx", failRegister);
        }
        registeredName = serviceName;
        handler = h;
        return new Status();
    }

    @Override
    public void setStatus(StatusHandle handle, ServiceStatus status) {
        synchronized (all) {
            all.add(status);
        }
        statuses.add(status);
    }

    /** The next status reported with {@code state}, skipping others; fails after 20 s. */
    public ServiceStatus awaitState(int state) throws InterruptedException {
        while (true) {
            ServiceStatus s = statuses.poll(20, TimeUnit.SECONDS);
            if (s == null) {
                throw new AssertionError("no status " + state + "; reported: " + reported());
            }
            if (s.state() == state) {
                return s;
            }
        }
    }

    public List<ServiceStatus> reported() {
        synchronized (all) {
            return new ArrayList<>(all);
        }
    }
}
