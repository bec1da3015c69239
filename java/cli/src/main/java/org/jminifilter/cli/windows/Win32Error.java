package org.jminifilter.cli.windows;

import java.util.Map;

/**
 * A Win32 call that failed: which call, its GetLastError code, and what that means for a person
 * running {@code jminifilter service ...} (not elevated, already installed, ...).
 */
public final class Win32Error extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public static final int ERROR_FILE_NOT_FOUND = 2;
    public static final int ERROR_ACCESS_DENIED = 5;
    public static final int ERROR_INVALID_PARAMETER = 87;
    public static final int ERROR_CALL_NOT_IMPLEMENTED = 120;
    public static final int ERROR_SERVICE_REQUEST_TIMEOUT = 1053;
    public static final int ERROR_SERVICE_DATABASE_LOCKED = 1055;
    public static final int ERROR_SERVICE_ALREADY_RUNNING = 1056;
    public static final int ERROR_INVALID_SERVICE_ACCOUNT = 1057;
    public static final int ERROR_SERVICE_DISABLED = 1058;
    public static final int ERROR_SERVICE_DOES_NOT_EXIST = 1060;
    public static final int ERROR_SERVICE_CANNOT_ACCEPT_CTRL = 1061;
    public static final int ERROR_SERVICE_NOT_ACTIVE = 1062;
    public static final int ERROR_FAILED_SERVICE_CONTROLLER_CONNECT = 1063;
    public static final int ERROR_SERVICE_SPECIFIC_ERROR = 1066;
    public static final int ERROR_SERVICE_LOGON_FAILED = 1069;
    public static final int ERROR_SERVICE_MARKED_FOR_DELETE = 1072;
    public static final int ERROR_SERVICE_EXISTS = 1073;
    public static final int ERROR_SERVICE_NEVER_STARTED = 1077;
    public static final int ERROR_DUPLICATE_SERVICE_NAME = 1078;

    /** What each error means here; anything else is named by its number. */
    private static final Map<Integer, String> MEANING = Map.ofEntries(
            Map.entry(ERROR_ACCESS_DENIED, "access denied: not elevated (run from an administrator command prompt)"),
            Map.entry(ERROR_SERVICE_EXISTS, "the service is already installed; uninstall it first "
                    + "(jminifilter service uninstall)"),
            Map.entry(ERROR_DUPLICATE_SERVICE_NAME, "another service already has this display name"),
            Map.entry(ERROR_SERVICE_DOES_NOT_EXIST, "the service is not installed (jminifilter service install)"),
            Map.entry(ERROR_SERVICE_MARKED_FOR_DELETE, "the service is marked for deletion: Windows removes it "
                    + "once every handle to it is closed (close the Services console and Event Viewer, or reboot), "
                    + "then install again"),
            Map.entry(ERROR_SERVICE_ALREADY_RUNNING, "the service is already running"),
            Map.entry(ERROR_SERVICE_NOT_ACTIVE, "the service is not running"),
            Map.entry(ERROR_SERVICE_CANNOT_ACCEPT_CTRL, "the service cannot take that request now (it is starting "
                    + "or stopping); try again in a moment"),
            Map.entry(ERROR_SERVICE_DISABLED, "the service is disabled (sc.exe config " + WindowsService.NAME + " start= auto)"),
            Map.entry(ERROR_SERVICE_DATABASE_LOCKED, "the service database is locked; try again in a moment"),
            Map.entry(ERROR_SERVICE_REQUEST_TIMEOUT, "the service did not answer the service control manager in time"),
            Map.entry(ERROR_SERVICE_LOGON_FAILED, "the service account could not log on"),
            Map.entry(ERROR_INVALID_SERVICE_ACCOUNT, "the service account does not exist"),
            Map.entry(ERROR_FAILED_SERVICE_CONTROLLER_CONNECT, "not started by the service control manager: "
                    + "'service run' is what the installed service runs; from a console use 'jminifilter serve'"),
            Map.entry(ERROR_SERVICE_NEVER_STARTED, "never started since it was installed"),
            Map.entry(ERROR_FILE_NOT_FOUND, "not found"),
            Map.entry(ERROR_INVALID_PARAMETER, "invalid parameter"));

    private final String function;
    private final int code;

    public Win32Error(String function, int code) {
        super(function + " failed: " + meaning(code));
        this.function = function;
        this.code = code;
    }

    /** The Win32 function that failed, e.g. {@code CreateService}. */
    public String function() {
        return function;
    }

    /** Its GetLastError (or returned) code. */
    public int code() {
        return code;
    }

    /** What {@code code} means for a person, with the number. */
    public static String meaning(int code) {
        String m = MEANING.get(code);
        return m == null ? "Win32 error " + code : m + " (Win32 error " + code + ")";
    }
}
