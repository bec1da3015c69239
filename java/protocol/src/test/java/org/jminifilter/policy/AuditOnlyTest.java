package org.jminifilter.policy;

import static org.jminifilter.policy.Operation.CREATE;
import static org.jminifilter.policy.Operation.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Optional;

import org.jminifilter.protocol.ErrorCode;
import org.jminifilter.protocol.Event;
import org.jminifilter.protocol.Layouts;
import org.jminifilter.protocol.Protocol;
import org.jminifilter.protocol.ProtocolException;
import org.junit.jupiter.api.Test;

/** Audit-only mode in the policy API, the codec's bytes and checks, and events. */
class AuditOnlyTest {
    private static final int HEADER_FLAGS = Layouts.POLICY_HEADER.offset("Flags");

    private static int actionFlags(ByteBuffer b, int rule) {
        return b.getInt(Layouts.POLICY_HEADER.size() + rule * Protocol.RULE_SIZE + Layouts.RULE.offset("Action")
                + Layouts.ACTION.offset("Flags"));
    }

    private static Policy mixed(Mode policyMode) {
        return Policy.builder().mode(policyMode)
                .rule(r -> r.id(1).operations(CREATE).path("\\a\\**").deny().auditOnly())
                .rule(r -> r.id(2).operations(CREATE).path("\\b\\**").deny())
                .rule(r -> r.id(3).operations(WRITE).path("\\c\\**").audit())
                .build();
    }

    @Test
    void aRuleAndAPolicyEncodeTheirFlagsAndDecodeBack() {
        ByteBuffer b = PolicyCodec.encode(mixed(Mode.ENFORCE));
        assertEquals(0, b.getShort(HEADER_FLAGS));
        assertEquals(Protocol.ACTION_FLAG_AUDIT_ONLY, actionFlags(b, 0));
        assertEquals(0, actionFlags(b, 1));
        assertEquals(mixed(Mode.ENFORCE), PolicyCodec.decode(b));

        ByteBuffer whole = PolicyCodec.encode(mixed(Mode.AUDIT_ONLY));
        assertEquals(Protocol.POLICY_FLAG_AUDIT_ONLY, whole.getShort(HEADER_FLAGS));
        assertEquals(0, actionFlags(whole, 1));          // the policy's flag says it for every rule
        Policy decoded = PolicyCodec.decode(whole);
        assertEquals(mixed(Mode.AUDIT_ONLY), decoded);
        assertEquals(Mode.AUDIT_ONLY, decoded.mode());
    }

    @Test
    void thePolicyModeAppliesToTheActionsThatChangeSomething() {
        Policy enforce = mixed(Mode.ENFORCE);
        Policy audit = mixed(Mode.AUDIT_ONLY);
        assertTrue(enforce.isAuditOnly(enforce.rules().get(0)));
        assertFalse(enforce.isAuditOnly(enforce.rules().get(1)));
        assertTrue(audit.isAuditOnly(audit.rules().get(1)));
        assertFalse(audit.isAuditOnly(audit.rules().get(2)));    // AUDIT: already lets it through
    }

    @Test
    void allowAndAuditCannotBeAuditOnly() {
        InvalidFieldException e = assertThrows(InvalidFieldException.class, () -> Policy.builder()
                .rule(r -> r.id(7).operations(CREATE).allow().auditOnly()));
        assertTrue(e.getMessage().contains("rule #0 (id 7): Action.Flags: audit-only applies to DENY, MODIFY, REDIRECT"
                + " and ASK; ALLOW already lets the operation through"), e.getMessage());
        assertThrows(InvalidFieldException.class, () -> Rule.builder(8).operations(WRITE).audit().auditOnly().build());
        // every other action may
        Rule.builder(9).operations(CREATE).action(Action.ask()).auditOnly().build();
        Rule.builder(10).operations(CREATE).action(Action.modify().withAccessClear(Access.FILE_WRITE_DATA))
                .auditOnly().build();
    }

    @Test
    void theDecoderMakesTheDriversAuditOnlyChecks() {
        Policy p = Policy.builder().rule(r -> r.id(1).operations(CREATE).allow()).build();
        ByteBuffer b = PolicyCodec.encode(p);
        int flags = Layouts.POLICY_HEADER.size() + Layouts.RULE.offset("Action") + Layouts.ACTION.offset("Flags");
        b.putInt(flags, Protocol.ACTION_FLAG_AUDIT_ONLY);
        ProtocolException e = assertThrows(ProtocolException.class, () -> PolicyCodec.decode(b));
        assertEquals(ErrorCode.BAD_FLAGS, e.error());
        assertEquals("JMF_RULE[0].Action.Flags", e.field());

        ByteBuffer header = PolicyCodec.encode(p);
        header.putShort(HEADER_FLAGS, (short) 0x8000);
        assertEquals(ErrorCode.RESERVED, assertThrows(ProtocolException.class, () -> PolicyCodec.decode(header)).error());
    }

    @Test
    void anEventSaysWhatWouldHaveApplied() {
        Event would = Event.builder().verdict(ActionType.DENY).flags(Protocol.EVENT_FLAG_AUDIT_ONLY).build();
        Event applied = Event.builder().verdict(ActionType.DENY).build();
        assertTrue(would.isAuditOnly());
        assertEquals(Optional.of(ActionType.DENY), would.wouldApply());
        assertFalse(applied.isAuditOnly());
        assertEquals(Optional.empty(), applied.wouldApply());
    }
}
