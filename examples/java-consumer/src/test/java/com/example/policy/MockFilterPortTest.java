package com.example.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.TimeUnit;
import org.jminifilter.policy.Action;
import org.jminifilter.policy.ActionType;
import org.jminifilter.policy.Operation;
import org.jminifilter.policy.Policy;
import org.jminifilter.port.mock.MockFilterPort;
import org.jminifilter.protocol.AskReply;
import org.jminifilter.protocol.Command;
import org.jminifilter.protocol.NtStatus;
import org.jminifilter.service.AskHandler;
import org.jminifilter.service.PolicyService;
import org.junit.jupiter.api.Test;

/** The README's MockFilterPort snippet ("Testing your own policy code"): any OS, no native code. */
class MockFilterPortTest {

    final Policy policy = Policy.builder()
            .volume("\\Device\\HarddiskVolume1")
            .rule(r -> r.id(3).operations(Operation.DELETE).path("**\\*.docx")
                    .action(Action.ask().withTimeoutMs(2000).orDeny(NtStatus.ACCESS_DENIED)))
            .build();

    /** The code under test: only the backup tool may delete documents. */
    final AskHandler myHandler = ask -> ask.image().endsWith("\\backup.exe") ? Action.allow() : Action.deny();

    @Test
    void myHandlerAnswersTheDriversAsks() throws Exception {
        MockFilterPort port = new MockFilterPort();   // the test plays the kernel through it; the service owns and closes it
        try (PolicyService service = PolicyService.builder(port).policy(policy).askHandler(myHandler).build().start()) {
            assertEquals(policy, port.nextCommand(Command.SetPolicy.class).policy());   // what the "driver" was sent
            AskReply reply = port.ask(Operation.DELETE, 1200, "\\docs\\plan.docx",
                    "\\Device\\HarddiskVolume1\\Windows\\explorer.exe").get(5, TimeUnit.SECONDS);  // what my handler answered
            assertEquals(ActionType.DENY, reply.verdict().type());
        }
    }

    @Test
    void theBackupToolMayDelete() throws Exception {
        MockFilterPort port = new MockFilterPort();
        try (PolicyService service = PolicyService.builder(port).policy(policy).askHandler(myHandler).build().start()) {
            AskReply reply = port.ask(Operation.DELETE, 1300, "\\docs\\plan.docx",
                    "\\Device\\HarddiskVolume1\\Tools\\backup.exe").get(5, TimeUnit.SECONDS);
            assertEquals(ActionType.ALLOW, reply.verdict().type());
        }
    }
}
