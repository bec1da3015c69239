package com.example.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.TimeUnit;
import org.jminifilter.policy.Action;
import org.jminifilter.policy.Operation;
import org.jminifilter.policy.Policy;
import org.jminifilter.port.mock.MockFilterPort;
import org.jminifilter.protocol.Ask;
import org.jminifilter.protocol.AskReply;
import org.jminifilter.service.AskHandler;
import org.jminifilter.service.PolicyService;
import org.junit.jupiter.api.Test;

/** The README's MockFilterPort snippet ("Testing your own policy code"): any OS, no native code. */
class MockFilterPortTest {

    static final String C = "\\Device\\HarddiskVolume1";

    /** The code under test: only the backup tool may delete documents. */
    static final AskHandler MY_HANDLER = ask -> ask.image().endsWith("\\backup.exe") ? Action.allow() : Action.deny();

    final Policy policy = Policy.builder()
            .volume(C)
            .rule(r -> r.id(3).operations(Operation.DELETE).path("**\\*.docx")
                    .action(Action.ask().withTimeoutMs(2000).orDeny(0xC0000022)))
            .build();

    @Test
    void myHandlerAnswersTheDriversAsks() throws Exception {
        MockFilterPort port = new MockFilterPort();
        try (PolicyService service = PolicyService.builder(port).policy(policy).askHandler(MY_HANDLER).build().start()) {
            Ask fromBackup = new Ask(1, 3, Operation.DELETE, 1300, 0, 0, 0, 0, 2000, C, "\\reports\\q3.docx",
                    C + "\\Tools\\backup.exe");
            Ask fromNotepad = new Ask(1, 3, Operation.DELETE, 1200, 0, 0, 0, 0, 2000, C, "\\reports\\q3.docx",
                    C + "\\Windows\\notepad.exe");

            AskReply backup = port.ask(fromBackup).get(5, TimeUnit.SECONDS);     // what my handler answered
            AskReply notepad = port.ask(fromNotepad).get(5, TimeUnit.SECONDS);

            assertEquals(Action.allow(), backup.verdict());
            assertEquals(Action.deny(), notepad.verdict());
            assertEquals(policy, port.policy());                                // what the "driver" was sent
        }
    }
}
