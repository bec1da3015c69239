package org.jminifilter.cli.windows;

/**
 * The Event Log calls (Advapi32's RegisterEventSource, ReportEvent, DeregisterEventSource), so
 * tests can give a fake. Failures throw {@link Win32Error}.
 */
public interface EventLogApi {
    /** An event source handle. */
    interface Handle {
    }

    Handle register(String source);

    /** ReportEvent with category 0, no user SID, one string and no binary data. */
    void report(Handle handle, int type, int eventId, String message);

    /** DeregisterEventSource; never throws. */
    void deregister(Handle handle);
}
