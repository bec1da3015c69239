package org.jminifilter.emulator;

import static com.sun.jna.platform.win32.WinNT.FILE_READ_DATA;
import static com.sun.jna.platform.win32.WinNT.FILE_WRITE_DATA;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Optional;
import org.jminifilter.policy.Disposition;
import org.jminifilter.policy.Operation;
import org.jminifilter.policy.Policy;
import org.jminifilter.port.FilterPort;
import org.jminifilter.port.Notification;
import org.jminifilter.protocol.ErrorCode;
import org.jminifilter.protocol.Protocol;
import org.jminifilter.protocol.Result;
import org.jminifilter.service.CommandRejectedException;
import org.jminifilter.service.KernelClient;
import org.jminifilter.service.PolicyService;
import org.junit.jupiter.api.Test;
import org.jminifilter.protocol.NtStatus;

/**
 * A policy the driver refuses leaves the one in force. The Java policy API refuses every bad
 * rule before it is sent, so the bad rule is made on the wire, where a buggy or hostile client
 * would make it: a port in front of the emulator's puts a success status (not an error
 * NTSTATUS) into one DENY rule's Action.Status of a SET_POLICY.
 */
class PolicyRejectionEndToEndTest extends EmulatorFixture {

    /** Offsets in a SET_POLICY command: JMF_COMMAND_HEADER, then JMF_POLICY_HEADER (RuleOffset at 16). */
    private static final int COMMAND_HEADER = 8;
    private static final int RULE_OFFSET_FIELD = COMMAND_HEADER + 16;
    private static final int RULE_SIZE = 80;
    private static final int ACTION_STATUS_IN_RULE = 40 + 8;

    @Test
    void aRejectedPolicyNamesTheRuleAndTheOneInForceStays() {
        kernel.putText(v1, "\\secret\\plan.txt", "plan");
        Policy first = Policy.builder()
                .rule(r -> r.id(1).operations(Operation.CREATE).path("\\secret\\**").deny())
                .build();
        Policy second = Policy.builder()
                .rule(r -> r.id(5).operations(Operation.CREATE).path("\\data\\**").audit())
                .rule(r -> r.id(6).operations(Operation.CREATE).path("\\shared\\**").deny())
                .build();
        CorruptingPort port = new CorruptingPort(connectPort(), 1);
        service = PolicyService.builder(port).policy(first).build().start();
        int generation = service.statistics().generation();

        port.corrupt = true;
        CommandRejectedException e = assertThrows(CommandRejectedException.class, () -> service.replacePolicy(second));

        assertTrue(e.getMessage().contains("rule id 6"), e.getMessage());
        Result result = e.result();
        assertEquals(ErrorCode.BAD_STATUS, result.error());
        assertEquals(1, result.ruleIndex());
        assertEquals(generation, result.generation(), "the generation in force did not change");
        assertEquals(1, service.statistics().policiesRejected());
        assertEquals(generation, service.statistics().generation());
        // The first policy still decides: \secret is denied, \shared (the refused rule) is not.
        assertEquals(NtStatus.ACCESS_DENIED, notepad.open(v1, "\\secret\\plan.txt", FILE_READ_DATA,
                Disposition.OPEN).status());
        OpenResult shared = notepad.open(v1, "\\shared\\x.txt", FILE_WRITE_DATA, Disposition.CREATE);
        assertEquals(NtStatus.SUCCESS, shared.status());
        shared.orThrow().close();

        port.corrupt = false;
        Result accepted = new KernelClient(port).setPolicy(second);
        assertTrue(Integer.compareUnsigned(accepted.generation(), generation) > 0, "a new generation");
        assertEquals(NtStatus.ACCESS_DENIED, notepad.open(v1, "\\shared\\y.txt", FILE_WRITE_DATA,
                Disposition.CREATE).status());
    }

    @Test
    void aPatternNoPathCanMatchIsRefusedByTheDriverAsByTheBuilder() {
        Policy policy = Policy.builder()
                .rule(r -> r.id(1).operations(Operation.READ).audit())
                .rule(r -> r.id(2).operations(Operation.CREATE).path("\\secret\\**").deny())
                .build();
        ByteBuffer command = new org.jminifilter.protocol.Command.SetPolicy(policy).encode()
                .order(ByteOrder.LITTLE_ENDIAN);
        int strings = COMMAND_HEADER + command.getInt(COMMAND_HEADER + 28);
        int rule = COMMAND_HEADER + command.getInt(RULE_OFFSET_FIELD) + RULE_SIZE;
        command.putChar(strings + command.getInt(rule + 24), 's'); // "\secret\**" becomes "ssecret\**"
        try (FilterPort port = connectPort()) {
            Result result = Result.decode(port.send(command, Protocol.RESULT_SIZE));
            assertEquals(ErrorCode.NEVER_MATCHES, result.error(), result.describe());
            assertEquals(1, result.ruleIndex());
            assertEquals(NtStatus.INVALID_PARAMETER, result.status());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Policy.builder()
                .rule(r -> r.id(2).operations(Operation.CREATE).path("ssecret\\**").deny()));
        assertTrue(e.getMessage().contains("did you mean \\ssecret\\**?"), e.getMessage());
    }

    /** A port that, when told to, breaks one rule of the SET_POLICY commands it forwards. */
    private static final class CorruptingPort implements FilterPort {
        private final FilterPort inner;
        private final int ruleIndex;
        volatile boolean corrupt;

        CorruptingPort(FilterPort inner, int ruleIndex) {
            this.inner = inner;
            this.ruleIndex = ruleIndex;
        }

        @Override
        public ByteBuffer send(ByteBuffer command, int replyCapacity) {
            ByteBuffer b = ByteBuffer.allocate(command.remaining()).order(ByteOrder.LITTLE_ENDIAN);
            b.put(command.duplicate()).flip();
            if (corrupt && b.getInt(0) == Protocol.COMMAND_SET_POLICY) {
                int rule = COMMAND_HEADER + b.getInt(RULE_OFFSET_FIELD) + ruleIndex * RULE_SIZE;
                b.putInt(rule + ACTION_STATUS_IN_RULE, 1); // STATUS_WAIT_1: not an error status
            }
            return inner.send(b, replyCapacity);
        }

        @Override
        public Notification receive() {
            return inner.receive();
        }

        @Override
        public Optional<Notification> receive(Duration timeout) {
            return inner.receive(timeout);
        }

        @Override
        public void reply(long messageId, ByteBuffer replyBody) {
            inner.reply(messageId, replyBody);
        }

        @Override
        public boolean isOpen() {
            return inner.isOpen();
        }

        @Override
        public void close() {
            inner.close();
        }
    }
}
