package org.jminifilter.cli.policyfile;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import org.jminifilter.protocol.Protocol;

/**
 * The names a person writes in a policy file for the numbers the kernel uses: NTSTATUS values,
 * access rights, create options and SL_* flags, all spelled as in the WDK. Lookups ignore case;
 * a name that is not known gets the closest known one as a suggestion.
 */
final class Names {
    /** NTSTATUS values a DENY, a fallback or a default verdict commonly uses (error severity). */
    static final Map<String, Integer> STATUSES = table(
            "STATUS_ACCESS_DENIED", 0xC0000022,
            "STATUS_VIRUS_INFECTED", 0xC0000906,
            "STATUS_VIRUS_DELETED", 0xC0000907,
            "STATUS_SHARING_VIOLATION", 0xC0000043,
            "STATUS_MEDIA_WRITE_PROTECTED", 0xC00000A2,
            "STATUS_CANNOT_DELETE", 0xC0000121,
            "STATUS_NOT_SUPPORTED", 0xC00000BB,
            "STATUS_INVALID_PARAMETER", 0xC000000D,
            "STATUS_INVALID_DEVICE_REQUEST", 0xC0000010,
            "STATUS_OBJECT_NAME_NOT_FOUND", 0xC0000034,
            "STATUS_OBJECT_NAME_COLLISION", 0xC0000035,
            "STATUS_OBJECT_PATH_NOT_FOUND", 0xC000003A,
            "STATUS_FILE_LOCK_CONFLICT", 0xC0000054,
            "STATUS_DELETE_PENDING", 0xC0000056,
            "STATUS_PRIVILEGE_NOT_HELD", 0xC0000061,
            "STATUS_DISK_FULL", 0xC000007F,
            "STATUS_INSUFFICIENT_RESOURCES", 0xC000009A,
            "STATUS_FILE_IS_A_DIRECTORY", 0xC00000BA,
            "STATUS_DIRECTORY_NOT_EMPTY", 0xC0000101,
            "STATUS_NOT_A_DIRECTORY", 0xC0000103,
            "STATUS_VOLUME_DISMOUNTED", 0xC000026E,
            "STATUS_ENCRYPTION_FAILED", 0xC000028A,
            "STATUS_NOT_FOUND", 0xC0000225,
            "STATUS_CONTENT_BLOCKED", 0xC0000804,
            "STATUS_QUOTA_EXCEEDED", 0xC0000044);

    /** Access rights (ACCESS_MASK bits and the usual combinations), as in the WDK. */
    static final Map<String, Integer> ACCESS = table(
            "FILE_READ_DATA", 0x0001, "FILE_LIST_DIRECTORY", 0x0001,
            "FILE_WRITE_DATA", 0x0002, "FILE_ADD_FILE", 0x0002,
            "FILE_APPEND_DATA", 0x0004, "FILE_ADD_SUBDIRECTORY", 0x0004,
            "FILE_READ_EA", 0x0008, "FILE_WRITE_EA", 0x0010,
            "FILE_EXECUTE", 0x0020, "FILE_TRAVERSE", 0x0020,
            "FILE_DELETE_CHILD", 0x0040,
            "FILE_READ_ATTRIBUTES", 0x0080, "FILE_WRITE_ATTRIBUTES", 0x0100,
            "DELETE", 0x00010000, "READ_CONTROL", 0x00020000, "WRITE_DAC", 0x00040000,
            "WRITE_OWNER", 0x00080000, "SYNCHRONIZE", 0x00100000,
            "MAXIMUM_ALLOWED", 0x02000000,
            "GENERIC_ALL", 0x10000000, "GENERIC_EXECUTE", 0x20000000,
            "GENERIC_WRITE", 0x40000000, "GENERIC_READ", 0x80000000,
            "FILE_GENERIC_READ", 0x00120089, "FILE_GENERIC_WRITE", 0x00120116,
            "FILE_GENERIC_EXECUTE", 0x001200A0, "FILE_ALL_ACCESS", 0x001F01FF);

    /** Create options (the low 24 bits of CreateOptions). */
    static final Map<String, Integer> CREATE_OPTIONS = table(
            "FILE_DIRECTORY_FILE", 0x00000001, "FILE_WRITE_THROUGH", 0x00000002,
            "FILE_SEQUENTIAL_ONLY", 0x00000004, "FILE_NO_INTERMEDIATE_BUFFERING", 0x00000008,
            "FILE_SYNCHRONOUS_IO_ALERT", 0x00000010, "FILE_SYNCHRONOUS_IO_NONALERT", 0x00000020,
            "FILE_NON_DIRECTORY_FILE", 0x00000040, "FILE_CREATE_TREE_CONNECTION", 0x00000080,
            "FILE_COMPLETE_IF_OPLOCKED", 0x00000100, "FILE_NO_EA_KNOWLEDGE", 0x00000200,
            "FILE_OPEN_REMOTE_INSTANCE", 0x00000400, "FILE_RANDOM_ACCESS", 0x00000800,
            "FILE_DELETE_ON_CLOSE", 0x00001000, "FILE_OPEN_BY_FILE_ID", 0x00002000,
            "FILE_OPEN_FOR_BACKUP_INTENT", 0x00004000, "FILE_NO_COMPRESSION", 0x00008000,
            "FILE_OPEN_REQUIRING_OPLOCK", 0x00010000, "FILE_RESERVE_OPFILTER", 0x00100000,
            "FILE_OPEN_REPARSE_POINT", 0x00200000, "FILE_OPEN_NO_RECALL", 0x00400000,
            "FILE_OPEN_FOR_FREE_SPACE_QUERY", 0x00800000);

    /** The SL_* operation flags a MODIFY may add or remove. */
    static final Map<String, Integer> OPERATION_FLAGS = table(
            "SL_FORCE_ACCESS_CHECK", Protocol.SL_FORCE_ACCESS_CHECK,
            "SL_CASE_SENSITIVE", Protocol.SL_CASE_SENSITIVE,
            "SL_WRITE_THROUGH", Protocol.SL_WRITE_THROUGH);

    private Names() {
    }

    private static Map<String, Integer> table(Object... pairs) {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put((String) pairs[i], (Integer) pairs[i + 1]);
        }
        return m;
    }

    /** The value of {@code name} in {@code table}, ignoring case. */
    static Optional<Integer> lookUp(Map<String, Integer> table, String name) {
        return Optional.ofNullable(table.get(name.trim().toUpperCase(Locale.ROOT)));
    }

    /** The name of {@code value} in {@code table} (the first one, for bits with two names), if any. */
    static Optional<String> nameOf(Map<String, Integer> table, int value) {
        return table.entrySet().stream().filter(e -> e.getValue() == value).map(Map.Entry::getKey).findFirst();
    }

    /** " (did you mean X?)" for the candidate closest to {@code written}, or "" when none is close. */
    static String suggestion(String written, Collection<String> candidates) {
        String w = written.trim().toUpperCase(Locale.ROOT);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : candidates) {
            int d = distance(w, c.toUpperCase(Locale.ROOT));
            if (d < bestDistance) {
                bestDistance = d;
                best = c;
            }
        }
        int allowed = Math.max(2, w.length() / 3);
        return best != null && bestDistance <= allowed ? "; did you mean " + best + "?" : "";
    }

    /** Levenshtein distance. */
    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            int[] t = previous;
            previous = current;
            current = t;
        }
        return previous[b.length()];
    }

    /** A constant's spelling as the file may write it: any case, '-' for '_'. */
    static String constant(String written) {
        return written.trim().toUpperCase(Locale.ROOT).replace('-', '_');
    }
}
