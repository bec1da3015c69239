package org.jminifilter.cli.windows;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A Service Control Manager that records every call (as "Function arg..." strings), fails the
 * call named in {@link #fail} with its Win32 code, answers queries from a script of statuses, and
 * keeps count of open handles so tests can check every one was closed.
 */
final class FakeScm implements ServiceControlManager, EventSource.Registry {
    final List<String> calls = new ArrayList<>();
    final Map<String, Integer> failures = new HashMap<>();
    final Deque<ServiceStatus> queries = new ArrayDeque<>();
    ServiceStatus controlAnswer = status(ServiceStatus.SERVICE_STOP_PENDING);
    final Set<FakeHandle> open = new HashSet<>();
    final Map<String, Map<String, Object>> registry = new HashMap<>();
    boolean messageFileExists = true;
    private int next;

    record FakeHandle(String what, int id) implements Handle {
    }

    static ServiceStatus status(int state) {
        return ServiceStatus.of(state, 0, 0, 0, 0, 3000);
    }

    /** Makes {@code function} fail with {@code code}. */
    FakeScm fail(String function, int code) {
        failures.put(function, code);
        return this;
    }

    private void call(String function, String args) {
        calls.add(args.isEmpty() ? function : function + " " + args);
        Integer code = failures.get(function);
        if (code != null) {
            throw new Win32Error(function, code);
        }
    }

    private Handle handle(String what) {
        FakeHandle h = new FakeHandle(what, ++next);
        open.add(h);
        return h;
    }

    private static String name(Handle h) {
        return ((FakeHandle) h).what();
    }

    @Override
    public Handle openManager(int access) {
        call("OpenSCManager", "0x" + Integer.toHexString(access));
        return handle("manager");
    }

    @Override
    public Handle createService(Handle manager, String name, String displayName, String binaryPath, String account) {
        call("CreateService", name + " | " + displayName + " | " + binaryPath + " | " + account);
        return handle("service");
    }

    @Override
    public Handle openService(Handle manager, String name, int access) {
        call("OpenService", name + " 0x" + Integer.toHexString(access));
        return handle("service");
    }

    @Override
    public void setDescription(Handle service, String description) {
        call("ChangeServiceConfig2(DESCRIPTION)", name(service));
    }

    @Override
    public void setRestartOnFailure(Handle service, int resetSeconds, List<Integer> restartDelaysMillis) {
        call("ChangeServiceConfig2(FAILURE_ACTIONS)", name(service) + " reset " + resetSeconds + " restart "
                + restartDelaysMillis);
    }

    @Override
    public void start(Handle service) {
        call("StartService", name(service));
    }

    @Override
    public ServiceStatus control(Handle service, int control) {
        call("ControlService", name(service) + " " + control);
        return controlAnswer;
    }

    @Override
    public ServiceStatus query(Handle service) {
        call("QueryServiceStatusEx", name(service));
        return queries.size() > 1 ? queries.removeFirst() : queries.getFirst();
    }

    @Override
    public void delete(Handle service) {
        call("DeleteService", name(service));
    }

    @Override
    public void close(Handle handle) {
        calls.add("CloseServiceHandle " + name(handle));
        if (!open.remove(handle)) {
            throw new AssertionError("closed twice or never opened: " + handle);
        }
    }

    // ------------------------------------------------------------------ registry

    @Override
    public void createKey(String path) {
        call("RegCreateKeyEx", path);
        registry.putIfAbsent(path, new HashMap<>());
    }

    @Override
    public void setExpandString(String path, String name, String value) {
        call("RegSetValueEx", name + "=" + value);
        registry.get(path).put(name, value);
    }

    @Override
    public void setDword(String path, String name, int value) {
        call("RegSetValueEx", name + "=" + value);
        registry.get(path).put(name, value);
    }

    @Override
    public boolean keyExists(String path) {
        return registry.containsKey(path);
    }

    @Override
    public void deleteKey(String path) {
        call("RegDeleteKey", path);
        registry.remove(path);
    }

    @Override
    public boolean fileExists(String path) {
        return messageFileExists;
    }
}
