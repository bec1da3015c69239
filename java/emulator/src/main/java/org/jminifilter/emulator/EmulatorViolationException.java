package org.jminifilter.emulator;

import java.util.List;

/**
 * The emulator caught the driver doing what the real system would bugcheck on or Driver
 * Verifier would report: misuse of a Filter Manager routine, or a leak (pool by tag,
 * references, contexts, ports, file objects) found when the driver unloaded.
 */
public final class EmulatorViolationException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    private final List<String> violations;

    public EmulatorViolationException(String when, List<String> violations) {
        super(when + ": the emulator recorded " + violations.size() + " violation(s):\n  - "
                + String.join("\n  - ", violations));
        this.violations = List.copyOf(violations);
    }

    /** The violations, in the order the emulator recorded them. */
    public List<String> violations() {
        return violations;
    }
}
