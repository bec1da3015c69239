package org.jminifilter.cli.policyfile;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import org.jminifilter.policy.Access;
import org.jminifilter.protocol.NtStatus;
import org.jminifilter.protocol.Protocol;

/**
 * The names a person writes in a policy file for the numbers the kernel uses: NTSTATUS values,
 * access rights, create options and SL_* flags, all spelled as in the WDK. Lookups ignore case;
 * a name that is not known gets the closest known one as a suggestion.
 */
final class Names {
    /** NTSTATUS names, as {@link NtStatus} knows them. */
    static final Map<String, Integer> STATUSES = statuses();

    /** Access rights, as {@link Access} names them. */
    static final Map<String, Integer> ACCESS = Access.names();

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

    private static Map<String, Integer> statuses() {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (String n : NtStatus.names()) {
            m.put(n, NtStatus.byName(n).orElseThrow().value());
        }
        return m;
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
