package org.jminifilter.cli.windows;

/**
 * SERVICE_STATUS(_PROCESS) as a value: what a service reports with SetServiceStatus and what
 * QueryServiceStatusEx returns.
 *
 * @param state                 SERVICE_STOPPED .. SERVICE_PAUSED
 * @param controlsAccepted      SERVICE_ACCEPT_* bits
 * @param win32ExitCode         0, or ERROR_SERVICE_SPECIFIC_ERROR with {@code serviceSpecificExitCode}
 * @param serviceSpecificExitCode the {@code ExitCodes} value of a failed start or run
 * @param checkPoint            grows while a start or stop is pending
 * @param waitHintMillis        how long the SCM should wait for the next checkpoint
 * @param processId             the service's process (QueryServiceStatusEx only; 0 when stopped)
 */
public record ServiceStatus(int state, int controlsAccepted, int win32ExitCode, int serviceSpecificExitCode,
        int checkPoint, int waitHintMillis, int processId) {

    public static final int SERVICE_STOPPED = 1;
    public static final int SERVICE_START_PENDING = 2;
    public static final int SERVICE_STOP_PENDING = 3;
    public static final int SERVICE_RUNNING = 4;
    public static final int SERVICE_CONTINUE_PENDING = 5;
    public static final int SERVICE_PAUSE_PENDING = 6;
    public static final int SERVICE_PAUSED = 7;

    public static final int SERVICE_ACCEPT_STOP = 0x1;
    public static final int SERVICE_ACCEPT_SHUTDOWN = 0x4;

    /** A status as a service reports it (no process id). */
    public static ServiceStatus of(int state, int controlsAccepted, int win32ExitCode, int specific, int checkPoint,
            int waitHintMillis) {
        return new ServiceStatus(state, controlsAccepted, win32ExitCode, specific, checkPoint, waitHintMillis, 0);
    }

    /** The state's name as sc.exe prints it (RUNNING, STOP_PENDING, ...). */
    public String stateName() {
        return switch (state) {
            case SERVICE_STOPPED -> "STOPPED";
            case SERVICE_START_PENDING -> "START_PENDING";
            case SERVICE_STOP_PENDING -> "STOP_PENDING";
            case SERVICE_RUNNING -> "RUNNING";
            case SERVICE_CONTINUE_PENDING -> "CONTINUE_PENDING";
            case SERVICE_PAUSE_PENDING -> "PAUSE_PENDING";
            case SERVICE_PAUSED -> "PAUSED";
            default -> "state " + state;
        };
    }
}
