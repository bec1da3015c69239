package org.jminifilter.cli.windows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.jminifilter.cli.policyfile.RuleNames;
import org.jminifilter.policy.ActionType;
import org.jminifilter.policy.Operation;
import org.jminifilter.protocol.Event;
import org.jminifilter.protocol.NtStatus;
import org.jminifilter.protocol.Protocol;
import org.junit.jupiter.api.Test;

/** Kernel events to Event Log events: ids, types, text, failures, the handle's life. */
class EventLogWriterTest {

    /** Records ReportEvent calls; fails them while {@code failing}. */
    static class FakeEventLog implements EventLogApi {
        record Report(int type, int id, String text) {
        }

        final List<String> calls = new ArrayList<>();
        final List<Report> reports = new ArrayList<>();
        boolean failing;
        private final Handle handle = new Handle() {
        };

        @Override
        public Handle register(String source) {
            calls.add("RegisterEventSource " + source);
            return handle;
        }

        @Override
        public void report(Handle h, int type, int eventId, String message) {
            if (h != handle) {
                throw new AssertionError("not the registered handle");
            }
            calls.add("ReportEvent " + eventId);
            if (failing) {
                throw new Win32Error("ReportEvent", 1502); // ERROR_LOG_FILE_FULL
            }
            reports.add(new Report(type, eventId, message));
        }

        @Override
        public void deregister(Handle h) {
            calls.add("DeregisterEventSource");
        }
    }

    private final FakeEventLog api = new FakeEventLog();
    private final RuleNames names = RuleNames.of(Map.of(RuleNames.idOf("secret"), "secret"));
    private final EventLogWriter writer = new EventLogWriter(api, () -> names);

    private static Event event(ActionType verdict, int flags) {
        return Event.builder().verdict(verdict).flags(flags).ruleId(RuleNames.idOf("secret"))
                .operation(Operation.CREATE).status(verdict == ActionType.DENY ? NtStatus.ACCESS_DENIED : NtStatus.SUCCESS)
                .processId(4321).path("\\secret\\plan.txt").build();
    }

    @Test
    void theIdIsOneThousandPlusTheActionAsTheReadmeTableSays() {
        Map<ActionType, Integer> table = Map.of(ActionType.ALLOW, 1001, ActionType.DENY, 1002, ActionType.MODIFY, 1003,
                ActionType.REDIRECT, 1004, ActionType.ASK, 1005, ActionType.AUDIT, 1006);
        for (ActionType a : ActionType.values()) {
            assertEquals(table.get(a), EventLogIds.idOf(event(a, 0)), a.name());
        }
    }

    @Test
    void denyIsAWarningAuditIsInformation() {
        writer.onEvent(event(ActionType.DENY, 0));
        writer.onEvent(event(ActionType.AUDIT, 0));
        writer.onEvent(event(ActionType.ALLOW, Protocol.EVENT_FLAG_ASKED));
        assertEquals(List.of(EventLogIds.EVENTLOG_WARNING_TYPE, EventLogIds.EVENTLOG_INFORMATION_TYPE,
                EventLogIds.EVENTLOG_INFORMATION_TYPE), api.reports.stream().map(FakeEventLog.Report::type).toList());
        assertEquals(List.of(1002, 1006, 1001), api.reports.stream().map(FakeEventLog.Report::id).toList());
    }

    @Test
    void aPolicyNotAppliedAsWrittenIsAWarning() {
        writer.onEvent(event(ActionType.ALLOW, Protocol.EVENT_FLAG_ASKED | Protocol.EVENT_FLAG_ASK_TIMEOUT));
        writer.onEvent(event(ActionType.REDIRECT, Protocol.EVENT_FLAG_REDIRECT_FALLBACK));
        writer.onEvent(event(ActionType.REDIRECT, 0));
        assertEquals(List.of(EventLogIds.EVENTLOG_WARNING_TYPE, EventLogIds.EVENTLOG_WARNING_TYPE,
                EventLogIds.EVENTLOG_INFORMATION_TYPE), api.reports.stream().map(FakeEventLog.Report::type).toList());
    }

    @Test
    void theTextNamesTheRuleAsWrittenThePathAndTheProcess() {
        writer.onEvent(event(ActionType.DENY, Protocol.EVENT_FLAG_POST_CREATE));
        String text = api.reports.get(0).text();
        assertTrue(text.startsWith("DENY create \\Device\\HarddiskVolume1\\secret\\plan.txt\r\n"), text);
        assertTrue(text.contains("\r\nRule: secret"), text);
        assertTrue(text.contains("\r\nProcess id: 4321"), text);
        assertTrue(text.contains("\r\nStatus: STATUS_ACCESS_DENIED"), text);
        assertTrue(text.contains("\r\nFlags: post-create"), text);
    }

    @Test
    void anAuditOnlyEventHasItsOwnIdIsInformationAndReadsWould() {
        writer.onEvent(event(ActionType.DENY, Protocol.EVENT_FLAG_AUDIT_ONLY));
        writer.onEvent(event(ActionType.REDIRECT, Protocol.EVENT_FLAG_AUDIT_ONLY));
        assertEquals(List.of(1012, 1014), api.reports.stream().map(FakeEventLog.Report::id).toList());
        assertEquals(List.of(EventLogIds.EVENTLOG_INFORMATION_TYPE, EventLogIds.EVENTLOG_INFORMATION_TYPE),
                api.reports.stream().map(FakeEventLog.Report::type).toList());
        assertTrue(api.reports.get(0).text().startsWith("would DENY create \\Device\\HarddiskVolume1\\secret"),
                api.reports.get(0).text());
    }

    @Test
    void droppedEventsAreAWarningOfTheirOwn() {
        writer.onDropped(17);
        FakeEventLog.Report r = api.reports.get(0);
        assertEquals(EventLogIds.DROPPED, r.id());
        assertEquals(EventLogIds.EVENTLOG_WARNING_TYPE, r.type());
        assertTrue(r.text().contains("17"), r.text());
    }

    @Test
    void aFailedReportLosesThatEventOnlyAndWritingResumes() {
        api.failing = true;
        writer.onEvent(event(ActionType.DENY, 0));
        writer.onEvent(event(ActionType.DENY, 0));
        api.failing = false;
        writer.onEvent(event(ActionType.AUDIT, 0));
        assertEquals(List.of("RegisterEventSource jminifilter", "ReportEvent 1002", "ReportEvent 1002",
                "ReportEvent 1006"), api.calls);
        assertEquals(1, api.reports.size());
    }

    @Test
    void closeDeregistersOnceAndNothingIsWrittenAfter() {
        writer.close();
        writer.close();
        writer.onEvent(event(ActionType.DENY, 0));
        assertEquals(List.of("RegisterEventSource jminifilter", "DeregisterEventSource"), api.calls);
    }

    @Test
    void aSourceThatCannotBeRegisteredFailsAtOnce() {
        EventLogApi refusing = new FakeEventLog() {
            @Override
            public Handle register(String source) {
                throw new Win32Error("RegisterEventSource", Win32Error.ERROR_ACCESS_DENIED);
            }
        };
        Win32Error e = assertThrows(Win32Error.class, () -> new EventLogWriter(refusing, () -> names));
        assertEquals("RegisterEventSource", e.function());
    }

    @Test
    void serviceMessagesAreLinesTypedByTheirLevel() {
        try (EventLogLines lines = new EventLogLines(writer)) {
            var out = lines.printStream();
            out.println("[main] INFO org.jminifilter.cli.serve.Supervisor - connected to the driver");
            out.println("[jminifilter-reload] ERROR org.jminifilter.cli.serve.Supervisor - the edited policy file is "
                    + "invalid; the policy in force stays:");
            out.println("\tat some.Frame(Frame.java:1)");
            out.print("[main] WARN x - partial");
            out.flush();
            assertEquals(3, api.reports.size(), "a partial line waits for its end");
            out.println();
        }
        assertEquals(List.of(EventLogIds.EVENTLOG_INFORMATION_TYPE, EventLogIds.EVENTLOG_ERROR_TYPE,
                EventLogIds.EVENTLOG_ERROR_TYPE, EventLogIds.EVENTLOG_WARNING_TYPE),
                api.reports.stream().map(FakeEventLog.Report::type).toList());
        assertTrue(api.reports.stream().allMatch(r -> r.id() == EventLogIds.SERVICE_MESSAGE));
        assertEquals("[main] WARN x - partial", api.reports.get(3).text());
    }

    @Test
    void serveErrorsAreErrors() {
        try (EventLogLines lines = new EventLogLines(writer, EventLogIds.EVENTLOG_ERROR_TYPE)) {
            lines.printStream().println("p.yaml:3:5: error: unknown operation wirte");
        }
        assertEquals(EventLogIds.EVENTLOG_ERROR_TYPE, api.reports.get(0).type());
    }
}
