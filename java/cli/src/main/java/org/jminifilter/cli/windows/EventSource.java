package org.jminifilter.cli.windows;

/**
 * The {@code jminifilter} event source of the Application log:
 * {@code HKLM\SYSTEM\CurrentControlSet\Services\EventLog\Application\jminifilter} with
 * {@code EventMessageFile} and {@code TypesSupported}, written by {@code service install} and
 * removed by {@code service uninstall}.
 *
 * <p>The message file: no message DLL ships with jminifilter. {@code EventMessageFile} names the
 * .NET Framework 4 file {@value #MESSAGE_FILE}, the one .NET's own
 * {@code EventLog.CreateEventSource} registers for every source it creates: it has a message
 * {@code %1} for every event id 0..65535, so Event Viewer shows the one string each event carries
 * under the event's id. .NET Framework 4.8 is part of Windows 10, 11 and Server 2016 and later.
 * {@code %SystemRoot%\System32\EventCreate.exe} would do the same but only for ids 1..1000
 * (eventcreate's documented range), below the ids in {@link EventLogIds}. When the file is missing
 * the events are still written with their text; Event Viewer then prefixes "The description for
 * Event ID ... cannot be found".
 */
public final class EventSource {
    public static final String NAME = "jminifilter";
    public static final String KEY = "SYSTEM\\CurrentControlSet\\Services\\EventLog\\Application\\" + NAME;
    public static final String MESSAGE_FILE =
            "%SystemRoot%\\Microsoft.NET\\Framework64\\v4.0.30319\\EventLogMessages.dll";
    /** EVENTLOG_ERROR_TYPE | EVENTLOG_WARNING_TYPE | EVENTLOG_INFORMATION_TYPE. */
    static final int TYPES_SUPPORTED = 0x1 | 0x2 | 0x4;

    /** The registry calls (HKEY_LOCAL_MACHINE), so tests can give a fake. Failures throw {@link Win32Error}. */
    public interface Registry {
        void createKey(String path);

        void setExpandString(String path, String name, String value);

        void setDword(String path, String name, int value);

        boolean keyExists(String path);

        void deleteKey(String path);

        /** The file named by {@code path} after environment variables are expanded exists. */
        boolean fileExists(String path);
    }

    private final Registry registry;

    public EventSource(Registry registry) {
        this.registry = registry;
    }

    /**
     * Registers the source (again, when it exists: the values are rewritten).
     *
     * @return a warning when the message file is not there, else null
     */
    public String register() {
        registry.createKey(KEY);
        registry.setExpandString(KEY, "EventMessageFile", MESSAGE_FILE);
        registry.setDword(KEY, "TypesSupported", TYPES_SUPPORTED);
        return registry.fileExists(MESSAGE_FILE) ? null
                : MESSAGE_FILE + " is missing (.NET Framework 4 not installed?): events are written, but Event Viewer "
                        + "will say their description cannot be found before showing their text";
    }

    /** Removes the source if it is registered. */
    public void unregister() {
        if (registry.keyExists(KEY)) {
            registry.deleteKey(KEY);
        }
    }
}
