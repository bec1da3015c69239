package org.jminifilter.policy;

import java.util.Locale;

/**
 * How a REDIRECT rule moves an open to its target volume ({@code mechanism:} in a policy file).
 *
 * <ul>
 *   <li>{@link #TARGET_INSTANCE} (the default): the source opens as usual; the driver opens the same
 *       path on the target and sends the handle's reads, writes, size/time queries and sets and
 *       flushes there ({@code Iopb->TargetInstance}). Mapped sections, byte-range locks and oplocks
 *       are refused on the handle; directory operations, rename and delete act on the source.</li>
 *   <li>{@link #REPARSE} ({@code JMF_ACTION_FLAG_REPARSE}): pre-create rewrites the name to the target
 *       volume and completes with {@code STATUS_REPARSE}; the I/O manager reopens there, so the whole
 *       handle lives on the target (sections, locks, directory queries, rename, delete included) and
 *       the source never sees the open. The rule must name its volume, and no reparse rule may start
 *       on a volume that is a reparse rule's target (loop protection).</li>
 * </ul>
 */
public enum RedirectMechanism {
    TARGET_INSTANCE("target-instance"),
    REPARSE("reparse");

    private final String fileName;

    RedirectMechanism(String fileName) {
        this.fileName = fileName;
    }

    /** The name in a policy file ({@code target-instance}, {@code reparse}). */
    public String fileName() {
        return fileName;
    }

    /** The mechanism a policy file names, or empty. */
    public static java.util.Optional<RedirectMechanism> fromFileName(String name) {
        for (RedirectMechanism m : values()) {
            if (m.fileName.equals(name.toLowerCase(Locale.ROOT))) {
                return java.util.Optional.of(m);
            }
        }
        return java.util.Optional.empty();
    }
}
