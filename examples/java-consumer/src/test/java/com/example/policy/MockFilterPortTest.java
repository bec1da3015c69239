package com.example.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.TimeUnit;
import org.jminifilter.policy.Action;
import org.jminifilter.policy.Operation;
import org.jminifilter.policy.Policy;
import org.jminifilter.port.mock.MockFilterPort;
import org.jminifilter.protocol.Ask;
import org.jminifilter.service.AskHandler;
import org.jminifilter.service.PolicyService;
import org.junit.jupiter.api.Test;

/** The README's MockFilterPort snippet ("Testing your own policy code"): any OS, no native code. */
class MockFilterPortTest {

    @Test
    void myHandlerAnswersTheDriversAsks() throws Exception {
        String c = "\\Device\\HarddiskVolume1";
        Policy policy = Policy.builder()
                .volume(c)
                .rule(r -> r.id(3).operations(Operation.DELETE).path("**\\*.docx")
                        .action(Action.ask().withTimeoutMs(2000).orDeny(0xC0000022)))
                .build();
        AskHandler myHandler = ask -> ask.image().endsWith("\\backup.exe") ? Action.allow() : Action.deny();

        MockFilterPort port = new MockFilterPort();
        try (PolicyService service = PolicyService.builder(port).policy(policy).askHandler(myHandler).build().start()) {
            Ask fromBackup = new Ask(1, 3, Operation.DELETE, 1300, 0, 0, 0, 0, 2000, c, "\\reports\\q3.docx",
                    c + "\\Tools\\backup.exe");
            Ask fromNotepad = new Ask(1, 3, Operation.DELETE, 1200, 0, 0, 0, 0, 2000, c, "\\reports\\q3.docx",
                    c + "\\Windows\\notepad.exe");

            assertEquals(Action.allow(), port.ask(fromBackup).get(5, TimeUnit.SECONDS).verdict());  // what my handler answered
            assertEquals(Action.deny(), port.ask(fromNotepad).get(5, TimeUnit.SECONDS).verdict());
            assertEquals(policy, port.policy());                                                    // what the "driver" was sent
        }
    }
}
