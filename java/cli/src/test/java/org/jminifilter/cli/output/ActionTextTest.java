package org.jminifilter.cli.output;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.jminifilter.policy.Operation;
import org.jminifilter.policy.Policy;
import org.junit.jupiter.api.Test;

/** What explain and the demo print for a redirect names its mechanism. */
class ActionTextTest {
    @Test
    void aRedirectNamesItsMechanismWhenItIsReparse() {
        Policy p = Policy.builder().volume("\\Device\\HarddiskVolume1").volume("\\Device\\HarddiskVolume2")
                .rule(r -> r.id(1).operations(Operation.CREATE).volume(0).redirect("\\Device\\HarddiskVolume2").byReparse())
                .rule(r -> r.id(2).operations(Operation.CREATE).volume(1).redirect("\\Device\\HarddiskVolume1", 0xC0000225))
                .build();
        assertEquals("redirect to \\Device\\HarddiskVolume2 by reparse (fallback: pass)",
                ActionText.of(p.rules().get(0).action(), p));
        assertEquals("redirect to \\Device\\HarddiskVolume1 (fallback: deny STATUS_NOT_FOUND)",
                ActionText.of(p.rules().get(1).action(), p));
    }
}
