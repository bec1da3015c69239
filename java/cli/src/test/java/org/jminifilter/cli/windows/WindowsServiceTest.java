package org.jminifilter.cli.windows;

import static org.jminifilter.cli.windows.FakeScm.status;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** install/uninstall/start/stop/status against a fake SCM: the calls, their order, failures, handles. */
class WindowsServiceTest {
    private static final String BINARY = "\"C:\\Java\\bin\\java.exe\" -Xrs -jar C:\\j\\jminifilter.jar service run";

    private final FakeScm scm = new FakeScm();
    private final List<Duration> sleeps = new ArrayList<>();
    private final WindowsService service = new WindowsService(scm, new EventSource(scm), sleeps::add);

    @AfterEach
    void everyHandleClosed() {
        assertTrue(scm.open.isEmpty(), "handles left open: " + scm.open);
    }

    @Test
    void installCreatesConfiguresAndRegistersTheEventSource() {
        assertEquals(List.of(), service.install(BINARY, null));
        assertEquals(List.of(
                "OpenSCManager 0x3",
                "CreateService jminifilter-policy | jminifilter policy service | " + BINARY + " | null",
                "ChangeServiceConfig2(DESCRIPTION) service",
                "ChangeServiceConfig2(FAILURE_ACTIONS) service reset 86400 restart [5000, 30000, 60000]",
                "RegCreateKeyEx " + EventSource.KEY,
                "RegSetValueEx EventMessageFile=" + EventSource.MESSAGE_FILE,
                "RegSetValueEx TypesSupported=7",
                "CloseServiceHandle service",
                "CloseServiceHandle manager"), scm.calls);
    }

    @Test
    void notElevatedIsSaid() {
        scm.fail("OpenSCManager", Win32Error.ERROR_ACCESS_DENIED);
        Win32Error e = assertThrows(Win32Error.class, () -> service.install(BINARY, null));
        assertTrue(e.getMessage().contains("not elevated"), e.getMessage());
        assertEquals(List.of("OpenSCManager 0x3"), scm.calls);
    }

    @Test
    void anInstalledServiceIsNotReplaced() {
        scm.fail("CreateService", Win32Error.ERROR_SERVICE_EXISTS);
        Win32Error e = assertThrows(Win32Error.class, () -> service.install(BINARY, null));
        assertEquals("CreateService failed: the service is already installed; uninstall it first (jminifilter service "
                + "uninstall) (Win32 error 1073)", e.getMessage());
        assertFalse(scm.calls.stream().anyMatch(c -> c.startsWith("Reg")), "nothing registered: " + scm.calls);
    }

    @Test
    void aFailedConfigurationTakesTheNewServiceAwayAgain() {
        scm.fail("ChangeServiceConfig2(FAILURE_ACTIONS)", Win32Error.ERROR_ACCESS_DENIED);
        assertThrows(Win32Error.class, () -> service.install(BINARY, null));
        assertTrue(scm.calls.contains("DeleteService service"), scm.calls.toString());
        assertTrue(scm.registry.isEmpty());
    }

    @Test
    void aFailedEventSourceRegistrationTakesTheNewServiceAwayAgain() {
        scm.fail("RegSetValueEx", Win32Error.ERROR_ACCESS_DENIED);
        Win32Error e = assertThrows(Win32Error.class, () -> service.install(BINARY, null));
        assertEquals("RegSetValueEx", e.function());
        assertTrue(scm.calls.contains("DeleteService service"), scm.calls.toString());
    }

    @Test
    void aMissingMessageFileIsAWarningNotAFailure() {
        scm.messageFileExists = false;
        List<String> warnings = service.install(BINARY, null);
        assertEquals(1, warnings.size());
        assertTrue(warnings.get(0).contains("EventLogMessages.dll is missing"), warnings.toString());
        assertFalse(scm.calls.contains("DeleteService service"));
    }

    @Test
    void uninstallDeletesTheStoppedServiceAndItsEventSource() {
        service.install(BINARY, null);
        scm.calls.clear();
        scm.queries.add(status(ServiceStatus.SERVICE_STOPPED));
        assertTrue(service.uninstall());
        assertEquals(List.of("OpenSCManager 0x1", "OpenService jminifilter-policy 0x10004", "QueryServiceStatusEx service",
                "DeleteService service", "CloseServiceHandle service", "CloseServiceHandle manager",
                "RegDeleteKey " + EventSource.KEY), scm.calls);
        assertTrue(scm.registry.isEmpty());
    }

    @Test
    void uninstallingWhatIsNotInstalledIsDoneAtOnceAndTakesALeftEventSource() {
        new EventSource(scm).register();
        scm.calls.clear();
        scm.fail("OpenService", Win32Error.ERROR_SERVICE_DOES_NOT_EXIST);
        assertFalse(service.uninstall());
        assertEquals(List.of("OpenSCManager 0x1", "OpenService jminifilter-policy 0x10004",
                "RegDeleteKey " + EventSource.KEY, "CloseServiceHandle manager"), scm.calls);
    }

    @Test
    void uninstallStillFailsWhenNotElevated() {
        scm.fail("OpenService", Win32Error.ERROR_ACCESS_DENIED);
        Win32Error e = assertThrows(Win32Error.class, service::uninstall);
        assertTrue(e.getMessage().contains("not elevated"), e.getMessage());
    }

    @Test
    void theServiceIsNotTheDriversService() throws IOException {
        // The driver's service is the INF's ServiceName, in the same SCM namespace: CreateService would fail.
        Path inf = Path.of("../../inf/jminifilter.inf");
        Matcher m = Pattern.compile("(?m)^ServiceName\\s*=\\s*\"([^\"]+)\"").matcher(Files.readString(inf));
        assertTrue(m.find(), "ServiceName in " + inf.toAbsolutePath());
        assertFalse(WindowsService.NAME.equalsIgnoreCase(m.group(1)), m.group(1));
    }

    @Test
    void aRunningServiceIsNotUninstalled() {
        scm.queries.add(status(ServiceStatus.SERVICE_RUNNING));
        IllegalStateException e = assertThrows(IllegalStateException.class, service::uninstall);
        assertEquals("the service is RUNNING; stop it first (jminifilter service stop)", e.getMessage());
        assertFalse(scm.calls.contains("DeleteService service"));
    }

    @Test
    void aServiceMarkedForDeletionIsExplained() {
        scm.queries.add(status(ServiceStatus.SERVICE_STOPPED));
        scm.fail("DeleteService", Win32Error.ERROR_SERVICE_MARKED_FOR_DELETE);
        Win32Error e = assertThrows(Win32Error.class, service::uninstall);
        assertTrue(e.getMessage().contains("marked for deletion"), e.getMessage());
    }

    @Test
    void aServiceNotInstalledIsSaid() {
        scm.fail("OpenService", Win32Error.ERROR_SERVICE_DOES_NOT_EXIST);
        Win32Error e = assertThrows(Win32Error.class, service::status);
        assertEquals("OpenService failed: the service is not installed (jminifilter service install) "
                + "(Win32 error 1060)", e.getMessage());
    }

    @Test
    void startWaitsUntilRunningAsTheWaitHintSays() throws InterruptedException {
        scm.queries.add(ServiceStatus.of(ServiceStatus.SERVICE_START_PENDING, 0, 0, 0, 1, 3000));
        scm.queries.add(ServiceStatus.of(ServiceStatus.SERVICE_START_PENDING, 0, 0, 0, 2, 30_000));
        scm.queries.add(new ServiceStatus(ServiceStatus.SERVICE_RUNNING, 5, 0, 0, 0, 0, 4242));
        ServiceStatus s = service.start(Duration.ofMinutes(1));
        assertEquals(ServiceStatus.SERVICE_RUNNING, s.state());
        // a tenth of the wait hint, within 250 ms .. 2 s
        assertEquals(List.of(Duration.ofMillis(300), Duration.ofMillis(2000)), sleeps);
        assertEquals("RUNNING, process 4242", WindowsService.describe(s));
    }

    @Test
    void aServiceThatFailsToStartReportsItsExitCode() throws InterruptedException {
        scm.queries.add(ServiceStatus.of(ServiceStatus.SERVICE_START_PENDING, 0, 0, 0, 1, 3000));
        scm.queries.add(ServiceStatus.of(ServiceStatus.SERVICE_STOPPED, 0, Win32Error.ERROR_SERVICE_SPECIFIC_ERROR, 1,
                0, 0));
        ServiceStatus s = service.start(Duration.ofMinutes(1));
        assertEquals(ServiceStatus.SERVICE_STOPPED, s.state());
        assertEquals("STOPPED, exited with jminifilter exit code 1 (see the Application event log, source jminifilter)",
                WindowsService.describe(s));
    }

    @Test
    void stopSendsTheControlAndWaitsUntilStopped() throws InterruptedException {
        scm.queries.add(status(ServiceStatus.SERVICE_STOP_PENDING));
        scm.queries.add(status(ServiceStatus.SERVICE_STOPPED));
        ServiceStatus s = service.stop(Duration.ofMinutes(1));
        assertEquals(ServiceStatus.SERVICE_STOPPED, s.state());
        assertTrue(scm.calls.contains("ControlService service 1"), scm.calls.toString());
    }

    @Test
    void stoppingAStoppedServiceIsSaid() {
        scm.fail("ControlService", Win32Error.ERROR_SERVICE_NOT_ACTIVE);
        Win32Error e = assertThrows(Win32Error.class, () -> service.stop(Duration.ofMinutes(1)));
        assertTrue(e.getMessage().contains("the service is not running"), e.getMessage());
    }

    @Test
    void aServiceStuckPendingIsATimeout() {
        scm.queries.add(status(ServiceStatus.SERVICE_STOP_PENDING));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> service.stop(Duration.ZERO));
        assertTrue(e.getMessage().contains("still STOP_PENDING"), e.getMessage());
    }

    @Test
    void onlyLocalSystemCanReachTheDriver() {
        assertNull(WindowsService.account("LocalSystem"));
        assertNull(WindowsService.account("NT AUTHORITY\\SYSTEM"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> WindowsService.account("NT AUTHORITY\\LocalService"));
        assertTrue(e.getMessage().contains("admits administrators and SYSTEM only"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> WindowsService.account("CORP\\svc-jmf"));
        assertTrue(e.getMessage().contains("only LocalSystem is supported"), e.getMessage());
    }
}
