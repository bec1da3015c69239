package com.example.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jminifilter.policy.Mode;
import org.jminifilter.policy.Operation;
import org.jminifilter.policy.Policy;
import org.jminifilter.port.mock.MockFilterPort;
import org.jminifilter.service.PolicyService;
import org.junit.jupiter.api.Test;

/** The README's audit-only snippet ("Audit-only rollout"): both policies build and are pushed as built. */
class AuditOnlyTest {

    @Test
    void theReadmesAuditOnlyPoliciesArePushedAsBuilt() {
        Policy rollout = Policy.builder().auditOnly()                      // every DENY, MODIFY, REDIRECT, ASK rule
            .rule(r -> r.id(1).operations(Operation.WRITE).path("\\Users\\*\\Documents\\**").deny())
            .build();
        Policy mixed = Policy.builder()
            .rule(r -> r.id(2).operations(Operation.CREATE).path("\\secret\\**").deny())              // enforced
            .rule(r -> r.id(3).operations(Operation.CREATE).path("\\drafts\\**").deny().auditOnly())  // only reported
            .build();

        assertEquals(Mode.AUDIT_ONLY, rollout.mode());
        assertTrue(mixed.isAuditOnly(mixed.rules().get(1)));
        assertFalse(mixed.isAuditOnly(mixed.rules().get(0)));
        for (Policy policy : new Policy[] {rollout, mixed}) {
            MockFilterPort port = new MockFilterPort();
            try (PolicyService service = PolicyService.builder(port).policy(policy).build().start()) {
                assertEquals(policy, port.policy());
            }
        }
    }
}
