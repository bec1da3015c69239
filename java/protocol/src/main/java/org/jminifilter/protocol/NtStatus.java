package org.jminifilter.protocol;

import java.util.Map;

/**
 * An NTSTATUS, the 32-bit status of a Windows kernel operation, with its symbolic name when it is
 * one of the statuses file operations and the driver commonly produce. It is the type of every
 * status jminifilter shows: a rule's deny status ({@code deny(NtStatus.ACCESS_DENIED)}), an
 * event's final status, the kernel's answer to a command, and what an emulated operation
 * returned. {@link #toString()} prints the name and the hex value ({@code STATUS_ACCESS_DENIED
 * (0xC0000022)}), or the hex value alone for a status without a name here, never a negative
 * decimal.
 *
 * <p>It lives in the protocol package, beside {@link Protocol}, because a status is a wire
 * value first (JMF_EVENT.Status, JMF_RESULT.Status, JMF_ACTION.Status); the policy API, the
 * service and the emulator all build on this package.
 *
 * @param value the 32-bit NTSTATUS
 */
public record NtStatus(int value) {

    public static final NtStatus SUCCESS = new NtStatus(0x00000000);
    public static final NtStatus TIMEOUT = new NtStatus(0x00000102);
    /** A create completed so that the I/O manager re-parses the file object's new name (a redirect by reparse). */
    public static final NtStatus REPARSE = new NtStatus(0x00000104);
    public static final NtStatus INVALID_HANDLE = new NtStatus(0xC0000008);
    public static final NtStatus INVALID_PARAMETER = new NtStatus(0xC000000D);
    public static final NtStatus END_OF_FILE = new NtStatus(0xC0000011);
    public static final NtStatus ACCESS_DENIED = new NtStatus(0xC0000022);
    public static final NtStatus BUFFER_TOO_SMALL = new NtStatus(0xC0000023);
    public static final NtStatus OBJECT_NAME_NOT_FOUND = new NtStatus(0xC0000034);
    public static final NtStatus OBJECT_NAME_COLLISION = new NtStatus(0xC0000035);
    public static final NtStatus OBJECT_PATH_NOT_FOUND = new NtStatus(0xC000003A);
    public static final NtStatus SHARING_VIOLATION = new NtStatus(0xC0000043);
    public static final NtStatus DELETE_PENDING = new NtStatus(0xC0000056);
    public static final NtStatus REVISION_MISMATCH = new NtStatus(0xC0000059);
    public static final NtStatus INSUFFICIENT_RESOURCES = new NtStatus(0xC000009A);
    public static final NtStatus MEDIA_WRITE_PROTECTED = new NtStatus(0xC00000A2);
    public static final NtStatus FILE_IS_A_DIRECTORY = new NtStatus(0xC00000BA);
    public static final NtStatus NOT_SUPPORTED = new NtStatus(0xC00000BB);
    public static final NtStatus NOT_A_DIRECTORY = new NtStatus(0xC0000103);
    public static final NtStatus CANNOT_DELETE = new NtStatus(0xC0000121);
    public static final NtStatus VOLUME_DISMOUNTED = new NtStatus(0xC000026E);
    public static final NtStatus NOT_FOUND = new NtStatus(0xC0000225);
    public static final NtStatus VIRUS_INFECTED = new NtStatus(0xC0000906);
    public static final NtStatus REQUEST_NOT_ACCEPTED = new NtStatus(0xC00000D0);
    public static final NtStatus PORT_DISCONNECTED = new NtStatus(0xC0000037);
    public static final NtStatus FLT_DISALLOW_FAST_IO = new NtStatus(0xC01C0004);
    public static final NtStatus FILE_LOCK_CONFLICT = new NtStatus(0xC0000054);
    public static final NtStatus VIRUS_DELETED = new NtStatus(0xC0000907);
    public static final NtStatus INVALID_DEVICE_REQUEST = new NtStatus(0xC0000010);
    public static final NtStatus PRIVILEGE_NOT_HELD = new NtStatus(0xC0000061);
    public static final NtStatus DISK_FULL = new NtStatus(0xC000007F);
    public static final NtStatus QUOTA_EXCEEDED = new NtStatus(0xC0000044);
    public static final NtStatus DIRECTORY_NOT_EMPTY = new NtStatus(0xC0000101);
    public static final NtStatus ENCRYPTION_FAILED = new NtStatus(0xC000028A);
    public static final NtStatus CONTENT_BLOCKED = new NtStatus(0xC0000804);

    private static final Map<Integer, String> NAMES = Map.ofEntries(
            Map.entry(SUCCESS.value, "STATUS_SUCCESS"),
            Map.entry(TIMEOUT.value, "STATUS_TIMEOUT"),
            Map.entry(REPARSE.value, "STATUS_REPARSE"),
            Map.entry(INVALID_HANDLE.value, "STATUS_INVALID_HANDLE"),
            Map.entry(INVALID_PARAMETER.value, "STATUS_INVALID_PARAMETER"),
            Map.entry(END_OF_FILE.value, "STATUS_END_OF_FILE"),
            Map.entry(ACCESS_DENIED.value, "STATUS_ACCESS_DENIED"),
            Map.entry(BUFFER_TOO_SMALL.value, "STATUS_BUFFER_TOO_SMALL"),
            Map.entry(OBJECT_NAME_NOT_FOUND.value, "STATUS_OBJECT_NAME_NOT_FOUND"),
            Map.entry(OBJECT_NAME_COLLISION.value, "STATUS_OBJECT_NAME_COLLISION"),
            Map.entry(OBJECT_PATH_NOT_FOUND.value, "STATUS_OBJECT_PATH_NOT_FOUND"),
            Map.entry(SHARING_VIOLATION.value, "STATUS_SHARING_VIOLATION"),
            Map.entry(DELETE_PENDING.value, "STATUS_DELETE_PENDING"),
            Map.entry(REVISION_MISMATCH.value, "STATUS_REVISION_MISMATCH"),
            Map.entry(INSUFFICIENT_RESOURCES.value, "STATUS_INSUFFICIENT_RESOURCES"),
            Map.entry(MEDIA_WRITE_PROTECTED.value, "STATUS_MEDIA_WRITE_PROTECTED"),
            Map.entry(FILE_IS_A_DIRECTORY.value, "STATUS_FILE_IS_A_DIRECTORY"),
            Map.entry(NOT_SUPPORTED.value, "STATUS_NOT_SUPPORTED"),
            Map.entry(NOT_A_DIRECTORY.value, "STATUS_NOT_A_DIRECTORY"),
            Map.entry(CANNOT_DELETE.value, "STATUS_CANNOT_DELETE"),
            Map.entry(VOLUME_DISMOUNTED.value, "STATUS_VOLUME_DISMOUNTED"),
            Map.entry(NOT_FOUND.value, "STATUS_NOT_FOUND"),
            Map.entry(VIRUS_INFECTED.value, "STATUS_VIRUS_INFECTED"),
            Map.entry(REQUEST_NOT_ACCEPTED.value, "STATUS_REQUEST_NOT_ACCEPTED"),
            Map.entry(PORT_DISCONNECTED.value, "STATUS_PORT_DISCONNECTED"),
            Map.entry(FLT_DISALLOW_FAST_IO.value, "STATUS_FLT_DISALLOW_FAST_IO"),
            Map.entry(FILE_LOCK_CONFLICT.value, "STATUS_FILE_LOCK_CONFLICT"),
            Map.entry(VIRUS_DELETED.value, "STATUS_VIRUS_DELETED"),
            Map.entry(INVALID_DEVICE_REQUEST.value, "STATUS_INVALID_DEVICE_REQUEST"),
            Map.entry(PRIVILEGE_NOT_HELD.value, "STATUS_PRIVILEGE_NOT_HELD"),
            Map.entry(DISK_FULL.value, "STATUS_DISK_FULL"),
            Map.entry(QUOTA_EXCEEDED.value, "STATUS_QUOTA_EXCEEDED"),
            Map.entry(DIRECTORY_NOT_EMPTY.value, "STATUS_DIRECTORY_NOT_EMPTY"),
            Map.entry(ENCRYPTION_FAILED.value, "STATUS_ENCRYPTION_FAILED"),
            Map.entry(CONTENT_BLOCKED.value, "STATUS_CONTENT_BLOCKED"));

    private static final Map<String, NtStatus> BY_NAME = byName();

    private static Map<String, NtStatus> byName() {
        Map<String, NtStatus> m = new java.util.TreeMap<>();
        NAMES.forEach((v, n) -> m.put(n, new NtStatus(v)));
        return java.util.Collections.unmodifiableMap(m);
    }

    /**
     * The status called {@code name} ({@code STATUS_ACCESS_DENIED}; case ignored), if it is one of
     * the names this class knows.
     *
     * @param name a name as ntstatus.h spells it
     * @return the status, or empty
     */
    public static java.util.Optional<NtStatus> byName(String name) {
        return java.util.Optional.ofNullable(BY_NAME.get(name.trim().toUpperCase(java.util.Locale.ROOT)));
    }

    /** @return every name {@link #byName} knows, sorted */
    public static java.util.Set<String> names() {
        return BY_NAME.keySet();
    }

    /**
     * The status whose value is {@code value}.
     *
     * @param value the 32-bit NTSTATUS, for example {@code 0xC0000022}
     * @return the status (equal to the constant of the same value, when there is one)
     */
    public static NtStatus of(int value) {
        return new NtStatus(value);
    }

    /** NT_SUCCESS: success or informational severity. */
    public boolean isSuccess() {
        return value >= 0;
    }

    /** Error severity (0xC...). */
    public boolean isError() {
        return (value >>> 30) == 3;
    }

    /** The symbolic name, or the hex value when it is not one of the common ones. */
    public String name() {
        String name = NAMES.get(value);
        return name != null ? name : hex();
    }

    /** 0x-prefixed, 8 upper-case hex digits. */
    public String hex() {
        return String.format("0x%08X", value);
    }

    @Override
    public String toString() {
        String name = NAMES.get(value);
        return name != null ? name + " (" + hex() + ")" : hex();
    }
}
