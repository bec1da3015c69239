package org.jminifilter.cli.bench;

import org.jminifilter.policy.Operation;
import org.jminifilter.policy.Policy;

/**
 * The benchmark's large policy: {@link #COUNT} AUDIT rules on creates, reads and writes, of the
 * shapes a real policy has (a folder tree, a file type in a tree, a literal file), none matching
 * the benchmark's files: what is measured is deciding, not auditing.
 */
public final class BenchRules {

    public static final int COUNT = 10_000;

    private BenchRules() {
    }

    /** The policy of {@code count} rules. */
    public static Policy policy(int count) {
        Policy.Builder b = Policy.builder();
        for (int i = 0; i < count; i++) {
            int id = i + 1;
            String path = switch (i % 3) {
                case 0 -> "\\jminifilter-bench-rules\\tree" + i + "\\**";
                case 1 -> "\\jminifilter-bench-rules\\docs" + i + "\\**\\*.docx";
                default -> "\\jminifilter-bench-rules\\file" + i + ".txt";
            };
            b.rule(r -> r.id(id).operations(Operation.CREATE, Operation.READ, Operation.WRITE).path(path).audit());
        }
        return b.build();
    }
}
