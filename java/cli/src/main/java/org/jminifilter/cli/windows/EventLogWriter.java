package org.jminifilter.cli.windows;

import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

import org.jminifilter.cli.output.EventJson;
import org.jminifilter.cli.policyfile.RuleNames;
import org.jminifilter.protocol.Event;
import org.jminifilter.service.EventListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes kernel events to the Windows Event Log (Application log, source {@code jminifilter}):
 * one Event Log event per kernel event, id and type from {@link EventLogIds}, text a readable
 * summary naming the rule as the policy file writes it. Selected with {@code serve --event-log}
 * and always on for the installed service; beside the JSON Lines of {@code EventSink}, not
 * instead. A failed ReportEvent loses that event and is said once, until writing works again.
 */
public final class EventLogWriter implements EventListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EventLogWriter.class);

    private final EventLogApi api;
    private final Supplier<RuleNames> names;
    private final Object lock = new Object();
    private EventLogApi.Handle handle; // guarded by lock; null once closed
    private boolean failing;

    /**
     * Registers the event source.
     *
     * @throws Win32Error when RegisterEventSource fails
     */
    public EventLogWriter(EventLogApi api, Supplier<RuleNames> names) {
        this.api = api;
        this.names = names;
        this.handle = api.register(EventSource.NAME);
    }

    /** The writer of this machine's Application log. Windows only. */
    public static EventLogWriter onThisMachine(Supplier<RuleNames> names) {
        return new EventLogWriter(new Advapi32EventLog(), names);
    }

    @Override
    public void onEvent(Event e) {
        write(EventLogIds.typeOf(e), EventLogIds.idOf(e), describe(e, names.get()));
    }

    @Override
    public void onDropped(long droppedSinceStart) {
        write(EventLogIds.EVENTLOG_WARNING_TYPE, EventLogIds.DROPPED, "The driver dropped events because its queue "
                + "was full: " + droppedSinceStart + " since the service started.");
    }

    /** A message of the service itself ({@link EventLogIds#SERVICE_MESSAGE}). */
    public void message(int type, String text) {
        write(type, EventLogIds.SERVICE_MESSAGE, text);
    }

    private void write(int type, int id, String text) {
        synchronized (lock) {
            if (handle == null) {
                return;
            }
            try {
                api.report(handle, type, id, text);
                failing = false;
            } catch (Win32Error err) {
                if (!failing) {
                    failing = true;
                    LOG.error("cannot write to the Event Log ({}); events are lost there until writing works again",
                            err.getMessage());
                }
            }
        }
    }

    /** The text of a kernel event, one fact per line. */
    static String describe(Event e, RuleNames names) {
        StringBuilder b = new StringBuilder();
        b.append(e.isAuditOnly() ? "would " : "").append(e.verdict().name()).append(' ').append(e.operation().name().toLowerCase(Locale.ROOT)).append(' ')
                .append(e.volume()).append(e.path());
        if (!e.otherPath().isEmpty()) {
            b.append(" (other path: ").append(e.otherPath()).append(')');
        }
        b.append("\r\nRule: ").append(names.describe(e.ruleId()));
        b.append("\r\nProcess id: ").append(Integer.toUnsignedLong(e.processId()));
        b.append("\r\nStatus: ").append(e.status().name());
        List<String> flags = EventJson.flagNames(e.flags());
        if (!flags.isEmpty()) {
            b.append("\r\nFlags: ").append(String.join(", ", flags));
        }
        b.append("\r\nTime: ").append(e.instant());
        b.append("\r\nSequence: ").append(Long.toUnsignedString(e.sequence()));
        return b.toString();
    }

    @Override
    public void close() {
        synchronized (lock) {
            if (handle != null) {
                api.deregister(handle);
                handle = null;
            }
        }
    }
}
