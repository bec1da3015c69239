package com.example.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.jminifilter.policy.Action;
import org.jminifilter.policy.Operation;
import org.jminifilter.policy.Policy;
import org.jminifilter.port.mock.MockFilterPort;
import org.jminifilter.protocol.NtStatus;
import org.jminifilter.service.PolicyService;
import org.junit.jupiter.api.Test;

/** The README's policy snippet ("Policy"): it builds, and the service pushes it as built. */
class PolicyTest {

    @Test
    void theReadmesPolicyBuildsAndIsPushedAsBuilt() {
        Policy policy = Policy.builder()
            .volume("\\Device\\HarddiskVolume1")
            .volume("\\Device\\HarddiskVolume2")
            .rule(r -> r.id(1).operations(Operation.CREATE).path("\\secret\\**").deny())
            .rule(r -> r.id(2).operations(Operation.CREATE, Operation.READ, Operation.WRITE)
                       .path("\\mirror\\*.log").redirect("\\Device\\HarddiskVolume2"))
            .rule(r -> r.id(3).operations(Operation.DELETE).path("**\\*.docx").action(Action.ask().withTimeoutMs(2000).orDeny(NtStatus.ACCESS_DENIED)))
            .rule(r -> r.id(4).operations(Operation.WRITE).path("\\ledger\\**").audit())
            .build();

        MockFilterPort port = new MockFilterPort();
        try (PolicyService service = PolicyService.builder(port).policy(policy).askHandler(ask -> Action.allow())
                .build().start()) {
            assertEquals(4, port.policy().rules().size());
            assertEquals(policy, port.policy());
        }
    }
}
