package org.jminifilter.cli.windows;

import org.jminifilter.policy.ActionType;
import org.jminifilter.protocol.Event;
import org.jminifilter.protocol.Protocol;

/**
 * The Event Log ids and types of the {@code jminifilter} source (the README's table):
 * <ul>
 *   <li>1000 + the JMF_ACTION code of the verdict for each kernel event: 1001 ALLOW, 1002 DENY,
 *   1003 MODIFY, 1004 REDIRECT, 1005 ASK, 1006 AUDIT. A DENY is a warning, and so is any event
 *   whose ask timed out or whose redirect fell back, was refused or lost its target; the rest are
 *   information;</li>
 *   <li>{@value #AUDIT_ONLY_BASE} + the JMF_ACTION code for an audit-only rule's event (the verdict
 *   that would have applied; nothing was): 1012 would DENY, 1013 would MODIFY, 1014 would REDIRECT,
 *   1015 would ASK, information, so a rollout's would-denies can be filtered by id;</li>
 *   <li>{@value #DROPPED}: the kernel dropped events (its queue was full), a warning;</li>
 *   <li>{@value #SERVICE_MESSAGE}: a message of the service itself (start, stop, a refused policy
 *   reload, the driver lost), as error, warning or information.</li>
 * </ul>
 */
public final class EventLogIds {
    public static final int BASE = 1000;
    public static final int AUDIT_ONLY_BASE = 1010;
    public static final int DROPPED = 1100;
    public static final int SERVICE_MESSAGE = 1200;

    public static final int EVENTLOG_ERROR_TYPE = 0x1;
    public static final int EVENTLOG_WARNING_TYPE = 0x2;
    public static final int EVENTLOG_INFORMATION_TYPE = 0x4;

    /** Flags that make an event worth a warning: the policy could not be applied as written. */
    private static final int WARNING_FLAGS = Protocol.EVENT_FLAG_ASK_TIMEOUT | Protocol.EVENT_FLAG_REDIRECT_FALLBACK
            | Protocol.EVENT_FLAG_REDIRECT_REFUSED | Protocol.EVENT_FLAG_REDIRECT_TARGET_LOST;

    private EventLogIds() {
    }

    /** The event id of a kernel event. */
    public static int idOf(Event e) {
        return (e.isAuditOnly() ? AUDIT_ONLY_BASE : BASE) + e.verdict().code();
    }

    /** The event type of a kernel event. */
    public static int typeOf(Event e) {
        if (e.isAuditOnly()) {
            return EVENTLOG_INFORMATION_TYPE;       // nothing was refused or changed
        }
        return e.verdict() == ActionType.DENY || (e.flags() & WARNING_FLAGS) != 0 ? EVENTLOG_WARNING_TYPE
                : EVENTLOG_INFORMATION_TYPE;
    }
}
