package org.jminifilter.policy;

/**
 * How a rule's action is carried out: enforced, or audit-only. An audit-only rule is decided
 * exactly as an enforcing one (first match, the same phases) but the kernel applies nothing: the
 * operation passes unchanged (no deny, no parameter change, no redirect, no cancel; an ASK is not
 * asked) and an event reports the verdict that would have applied
 * ({@link org.jminifilter.protocol.Event#isAuditOnly()}). Roll a policy out audit-only first, read
 * the "would" events, then enforce it.
 *
 * <p>Audit-only applies to DENY, MODIFY, REDIRECT and ASK; ALLOW and AUDIT already let the
 * operation through. A policy in audit-only mode ({@link Policy.Builder#auditOnly()}) makes every
 * such rule audit-only; a rule alone is made audit-only with {@link Rule.Builder#auditOnly()}.
 */
public enum Mode {
    /** The action is applied (the default). */
    ENFORCE("enforce"),
    /** The action is decided and reported as "would", not applied (JMF_*_FLAG_AUDIT_ONLY). */
    AUDIT_ONLY("audit-only");

    private final String label;

    Mode(String label) {
        this.label = label;
    }

    /** The name a policy file and the command line use: {@code enforce} or {@code audit-only}. */
    public String label() {
        return label;
    }

    /** True for the action types audit-only applies to: DENY, MODIFY, REDIRECT, ASK. */
    public static boolean appliesTo(ActionType type) {
        return type == ActionType.DENY || type == ActionType.MODIFY || type == ActionType.REDIRECT
                || type == ActionType.ASK;
    }

    @Override
    public String toString() {
        return label;
    }
}
