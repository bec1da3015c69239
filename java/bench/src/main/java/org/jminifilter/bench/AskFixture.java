package org.jminifilter.bench;

import java.nio.ByteBuffer;
import java.time.Duration;

import org.jminifilter.policy.Action;
import org.jminifilter.policy.Operation;
import org.jminifilter.policy.Policy;
import org.jminifilter.port.FilterPort;
import org.jminifilter.port.Notification;
import org.jminifilter.port.PortClosedException;
import org.jminifilter.protocol.Ask;
import org.jminifilter.protocol.AskReply;
import org.jminifilter.protocol.NtStatus;
import org.jminifilter.service.PolicyService;

/** What both ask-path benchmarks share: the policy, the ask, the verdict, the service and the echo loop. */
final class AskFixture {
    static final String VOLUME = "\\Device\\HarddiskVolume3";
    /** The ask rule's id: the last rule of the policy. */
    static final int ASK_RULE = 1_000_000;
    /** What the handler and the echo loop answer. */
    static final Action VERDICT = Action.deny(NtStatus.ACCESS_DENIED);

    private AskFixture() {
    }

    /**
     * {@code rules} rules: {@code rules - 1} audit rules on other folders, then the ask rule
     * (the service looks an ask's rule up to find its default verdict).
     */
    static Policy policy(int rules) {
        Policy.Builder b = Policy.builder().volume(VOLUME);
        for (int i = 1; i < rules; i++) {
            int n = i;
            b.rule(r -> r.id(n).operations(Operation.WRITE).path("\\Data\\team" + n + "\\**").audit());
        }
        b.rule(r -> r.id(ASK_RULE).operations(Operation.WRITE, Operation.RENAME, Operation.DELETE)
                .path("\\Users\\*\\Documents\\**")
                .action(Action.ask().withTimeoutMs(5000).orDeny(NtStatus.ACCESS_DENIED)));
        return b.build();
    }

    /** A typical ask: an unknown program deletes a document, for the policy of generation {@code generation}. */
    static Ask ask(int generation) {
        return Ask.builder().generation(generation).ruleId(ASK_RULE).operation(Operation.DELETE).processId(4242)
                .timeoutMs(5000).volume(VOLUME).path("\\Users\\alice\\Documents\\Quarterly\\plan-2026.docx")
                .image("\\Device\\HarddiskVolume3\\Users\\alice\\Downloads\\invoice-viewer.exe").build();
    }

    /** The service on {@code port} with one ask thread and a handler that answers {@link #VERDICT}. */
    static PolicyService service(FilterPort port, Policy policy) {
        return PolicyService.builder(port).policy(policy).askHandler(ask -> VERDICT).askThreads(1)
                // the poller's GET_EVENTS every minute, not every 250 ms: it is not what is measured
                .eventInterval(Duration.ofMinutes(1)).build().start();
    }

    /**
     * The bare echo loop: receives a notification and replies with the constant verdict through
     * the same FilterPort calls the service makes; no decoding, no handler, no service.
     */
    static Thread echo(FilterPort port) {
        ByteBuffer constant = new AskReply(VERDICT).encode();
        Thread t = new Thread(() -> {
            try {
                while (true) {
                    Notification n = port.receive();
                    port.reply(n.messageId(), constant); // reply does not consume the buffer
                }
            } catch (PortClosedException e) {
                // the benchmark closed the port: the loop ends
            }
        }, "echo-loop");
        t.setDaemon(true);
        t.start();
        return t;
    }
}
