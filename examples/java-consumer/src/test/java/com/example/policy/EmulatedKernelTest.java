package com.example.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jminifilter.emulator.EmulatedKernel;
import org.jminifilter.emulator.EmulatedProcess;
import org.jminifilter.emulator.EmulatedVolume;
import org.jminifilter.emulator.OpenResult;
import org.jminifilter.policy.Access;
import org.jminifilter.policy.Disposition;
import org.jminifilter.policy.Operation;
import org.jminifilter.policy.Policy;
import org.jminifilter.protocol.NtStatus;
import org.jminifilter.service.PolicyService;
import org.junit.jupiter.api.Test;

class EmulatedKernelTest {

    final Policy policy = Policy.builder()
            .volume("\\Device\\HarddiskVolume1")
            .rule(r -> r.id(1).operations(Operation.CREATE).path("\\secret\\**").deny())
            .build();

    @Test
    void theDriverDeniesWhatThePolicyDenies() {
        try (EmulatedKernel kernel = EmulatedKernel.start()) {          // close() unloads and fails on any leak or misuse
            EmulatedVolume c = kernel.createVolume("\\Device\\HarddiskVolume1");
            kernel.makeDirectory(c, "\\secret");
            kernel.makeDirectory(c, "\\public");
            kernel.loadDriver();
            EmulatedProcess notepad = kernel.process(1200, "\\Device\\HarddiskVolume1\\Windows\\notepad.exe");
            try (PolicyService service = PolicyService.builder(kernel.connect()).policy(policy).build().start()) {
                OpenResult denied = notepad.open(c, "\\secret\\plan.txt", Access.FILE_GENERIC_WRITE, Disposition.CREATE);
                OpenResult allowed = notepad.open(c, "\\public\\notes.txt", Access.FILE_GENERIC_WRITE, Disposition.CREATE);

                assertEquals(NtStatus.ACCESS_DENIED, denied.status());
                assertFalse(kernel.exists(c, "\\secret\\plan.txt"));
                assertTrue(allowed.status().isSuccess(), allowed.toString());
                allowed.orThrow().close();
                assertTrue(notepad.open(c, "\\public\\notes.txt", Access.FILE_GENERIC_READ, Disposition.OPEN)
                        .status().isSuccess());
            }
        }
    }

    /** The shorter snippet of "Testing your own policy code". */
    @Test
    void theShortSnippet() {
        try (EmulatedKernel kernel = EmulatedKernel.start()) {          // close() unloads and fails on any leak or misuse
            EmulatedVolume c = kernel.createVolume("\\Device\\HarddiskVolume1");
            kernel.loadDriver();
            EmulatedProcess notepad = kernel.process(1200, "\\Device\\HarddiskVolume1\\Windows\\notepad.exe");
            try (PolicyService service = PolicyService.builder(kernel.connect()).policy(policy).build().start()) {
                OpenResult r = notepad.open(c, "\\secret\\plan.txt", Access.FILE_GENERIC_WRITE, Disposition.CREATE);
                assertEquals(NtStatus.ACCESS_DENIED, r.status());
            }
        }
    }
}
