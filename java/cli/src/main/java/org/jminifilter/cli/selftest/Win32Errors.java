package org.jminifilter.cli.selftest;

import java.util.Map;
import java.util.Set;

import org.jminifilter.protocol.NtStatus;

/**
 * The Win32 errors the NTSTATUS values of the self-test's expectations become when a Win32 call
 * (CreateFile, ReadFile, WriteFile, MoveFileEx) fails, as {@code RtlNtStatusToDosError} maps them
 * (ntstatus.h / winerror.h values). A few calls report another error than the generic mapping:
 * CreateFile with CREATE_NEW gives ERROR_FILE_EXISTS for STATUS_OBJECT_NAME_COLLISION.
 */
public final class Win32Errors {

    public static final int ERROR_SUCCESS = 0;
    public static final int ERROR_FILE_NOT_FOUND = 2;
    public static final int ERROR_PATH_NOT_FOUND = 3;
    public static final int ERROR_ACCESS_DENIED = 5;
    public static final int ERROR_INVALID_HANDLE = 6;
    public static final int ERROR_WRITE_PROTECT = 19;
    public static final int ERROR_NOT_READY = 21;
    public static final int ERROR_SHARING_VIOLATION = 32;
    public static final int ERROR_HANDLE_EOF = 38;
    public static final int ERROR_NOT_SUPPORTED = 50;
    public static final int ERROR_FILE_EXISTS = 80;
    public static final int ERROR_INVALID_PARAMETER = 87;
    public static final int ERROR_ALREADY_EXISTS = 183;
    public static final int ERROR_VIRUS_INFECTED = 225;
    public static final int ERROR_VIRUS_DELETED = 226;
    public static final int ERROR_CONTENT_BLOCKED = 1296;
    public static final int ERROR_NO_SYSTEM_RESOURCES = 1450;

    private static final Map<NtStatus, Set<Integer>> ERRORS = Map.ofEntries(
            Map.entry(NtStatus.SUCCESS, Set.of(ERROR_SUCCESS)),
            Map.entry(NtStatus.ACCESS_DENIED, Set.of(ERROR_ACCESS_DENIED)),
            Map.entry(NtStatus.OBJECT_NAME_NOT_FOUND, Set.of(ERROR_FILE_NOT_FOUND)),
            Map.entry(NtStatus.OBJECT_PATH_NOT_FOUND, Set.of(ERROR_PATH_NOT_FOUND)),
            Map.entry(NtStatus.OBJECT_NAME_COLLISION, Set.of(ERROR_ALREADY_EXISTS, ERROR_FILE_EXISTS)),
            Map.entry(NtStatus.SHARING_VIOLATION, Set.of(ERROR_SHARING_VIOLATION)),
            Map.entry(NtStatus.INVALID_HANDLE, Set.of(ERROR_INVALID_HANDLE)),
            Map.entry(NtStatus.INVALID_PARAMETER, Set.of(ERROR_INVALID_PARAMETER)),
            Map.entry(NtStatus.END_OF_FILE, Set.of(ERROR_HANDLE_EOF)),
            Map.entry(NtStatus.MEDIA_WRITE_PROTECTED, Set.of(ERROR_WRITE_PROTECT)),
            Map.entry(NtStatus.VOLUME_DISMOUNTED, Set.of(ERROR_NOT_READY)),
            Map.entry(NtStatus.NOT_SUPPORTED, Set.of(ERROR_NOT_SUPPORTED)),
            Map.entry(NtStatus.VIRUS_INFECTED, Set.of(ERROR_VIRUS_INFECTED)),
            Map.entry(NtStatus.VIRUS_DELETED, Set.of(ERROR_VIRUS_DELETED)),
            Map.entry(NtStatus.CONTENT_BLOCKED, Set.of(ERROR_CONTENT_BLOCKED)),
            Map.entry(NtStatus.INSUFFICIENT_RESOURCES, Set.of(ERROR_NO_SYSTEM_RESOURCES)));

    private static final Map<Integer, String> NAMES = Map.ofEntries(
            Map.entry(ERROR_SUCCESS, "ERROR_SUCCESS"), Map.entry(ERROR_FILE_NOT_FOUND, "ERROR_FILE_NOT_FOUND"),
            Map.entry(ERROR_PATH_NOT_FOUND, "ERROR_PATH_NOT_FOUND"), Map.entry(ERROR_ACCESS_DENIED, "ERROR_ACCESS_DENIED"),
            Map.entry(ERROR_INVALID_HANDLE, "ERROR_INVALID_HANDLE"), Map.entry(ERROR_WRITE_PROTECT, "ERROR_WRITE_PROTECT"),
            Map.entry(ERROR_NOT_READY, "ERROR_NOT_READY"), Map.entry(ERROR_SHARING_VIOLATION, "ERROR_SHARING_VIOLATION"),
            Map.entry(ERROR_HANDLE_EOF, "ERROR_HANDLE_EOF"), Map.entry(ERROR_NOT_SUPPORTED, "ERROR_NOT_SUPPORTED"),
            Map.entry(ERROR_FILE_EXISTS, "ERROR_FILE_EXISTS"), Map.entry(ERROR_INVALID_PARAMETER, "ERROR_INVALID_PARAMETER"),
            Map.entry(ERROR_ALREADY_EXISTS, "ERROR_ALREADY_EXISTS"), Map.entry(ERROR_VIRUS_INFECTED, "ERROR_VIRUS_INFECTED"),
            Map.entry(ERROR_VIRUS_DELETED, "ERROR_VIRUS_DELETED"), Map.entry(ERROR_CONTENT_BLOCKED, "ERROR_CONTENT_BLOCKED"),
            Map.entry(ERROR_NO_SYSTEM_RESOURCES, "ERROR_NO_SYSTEM_RESOURCES"));

    private Win32Errors() {
    }

    /**
     * True when a Win32 call that failed (or succeeded) with {@code win32Error} is what an
     * operation ending with {@code expected} reports. An NTSTATUS with no known mapping matches
     * nothing: the comparison then needs the exact NTSTATUS.
     */
    public static boolean matches(NtStatus expected, int win32Error) {
        Set<Integer> errors = ERRORS.get(expected);
        return errors != null && errors.contains(win32Error);
    }

    /**
     * The Win32 error RtlNtStatusToDosError gives for {@code status}, when this table knows it
     * (the first of its errors; CreateFile's ERROR_FILE_EXISTS is the exception).
     */
    public static java.util.OptionalInt errorOf(NtStatus status) {
        Set<Integer> errors = ERRORS.get(status);
        if (errors == null) {
            return java.util.OptionalInt.empty();
        }
        return java.util.OptionalInt.of(status.equals(NtStatus.OBJECT_NAME_COLLISION) ? ERROR_ALREADY_EXISTS
                : errors.iterator().next());
    }

    /** {@code 5 (ERROR_ACCESS_DENIED)}, or the number alone when it has no name here. */
    public static String describe(int win32Error) {
        String name = NAMES.get(win32Error);
        return win32Error + (name != null ? " (" + name + ")" : "");
    }
}
