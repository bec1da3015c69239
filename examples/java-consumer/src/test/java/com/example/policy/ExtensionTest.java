package com.example.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.TimeUnit;
import org.jminifilter.emulator.EmulatedKernel;
import org.jminifilter.emulator.EmulatedProcess;
import org.jminifilter.emulator.EmulatedVolume;
import org.jminifilter.junit.MockFilterPortExtension;
import org.jminifilter.junit.WithEmulatedKernel;
import org.jminifilter.policy.Access;
import org.jminifilter.policy.Action;
import org.jminifilter.policy.Disposition;
import org.jminifilter.policy.Operation;
import org.jminifilter.policy.Policy;
import org.jminifilter.port.mock.MockFilterPort;
import org.jminifilter.protocol.NtStatus;
import org.jminifilter.service.PolicyService;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The README's jminifilter-junit snippets: the same two tests with the extensions doing the set-up. */
class ExtensionTest {

    static final Policy ASK_ON_DELETE = Policy.builder()
            .volume("\\Device\\HarddiskVolume1")
            .rule(r -> r.id(2).operations(Operation.DELETE).path("**\\*.docx").action(Action.ask()))
            .build();
    static final Policy DENY_SECRETS = Policy.builder()
            .volume("\\Device\\HarddiskVolume1")
            .rule(r -> r.id(1).operations(Operation.CREATE).path("\\secret\\**").deny())
            .build();

    @Nested
    @ExtendWith(MockFilterPortExtension.class)
    class WithTheMockPort {
        @Test
        void asksReachMyHandler(MockFilterPort port) throws Exception {    // a fresh port per test, closed after it
            try (PolicyService service = PolicyService.builder(port).policy(ASK_ON_DELETE)
                    .askHandler(ask -> Action.deny()).build().start()) {
                assertEquals(Action.deny(), port.ask(Operation.DELETE, 1200, "\\a.docx",
                        "\\Device\\HarddiskVolume1\\Windows\\notepad.exe").get(5, TimeUnit.SECONDS).verdict());
            }
        }
    }

    @Nested
    @WithEmulatedKernel(volumes = "\\Device\\HarddiskVolume1")   // driver loaded; any leak or misuse fails the test
    class WithTheEmulatedKernel {
        @Test
        void secretsAreDenied(EmulatedKernel kernel, EmulatedVolume c) {
            kernel.makeDirectory(c, "\\secret");
            EmulatedProcess notepad = kernel.process(1200, "\\Device\\HarddiskVolume1\\Windows\\notepad.exe");
            try (PolicyService service = PolicyService.builder(kernel.connect()).policy(DENY_SECRETS).build().start()) {
                assertEquals(NtStatus.ACCESS_DENIED,
                        notepad.open(c, "\\secret\\plan.txt", Access.FILE_GENERIC_WRITE, Disposition.CREATE).status());
            }
        }
    }
}
