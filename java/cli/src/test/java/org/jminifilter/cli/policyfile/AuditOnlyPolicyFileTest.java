package org.jminifilter.cli.policyfile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.jminifilter.policy.Mode;
import org.jminifilter.policy.Policy;
import org.junit.jupiter.api.Test;

/** {@code mode: enforce | audit-only}, at the top of a policy file and per rule. */
class AuditOnlyPolicyFileTest {
    private static final VolumeResolver NONE = VolumeResolver.of(Map.of(), "no volumes");

    private static Policy parse(String yaml) throws PolicyFileException {
        return PolicyFile.parse("p.yaml", yaml, NONE).policy();
    }

    private static List<Problem> errors(String yaml) {
        PolicyFileException e = assertThrows(PolicyFileException.class, () -> parse(yaml));
        return e.problems().stream().filter(p -> p.severity() == Problem.Severity.ERROR).toList();
    }

    @Test
    void theTopLevelModePutsThePolicyInAuditOnly() throws Exception {
        Policy p = parse("""
                version: 1
                mode: audit-only
                rules:
                  - {id: 1, operations: [create], path: '\\secret\\**', deny: }
                  - {id: 2, operations: [write], path: '\\logs\\**', audit: }
                  - {id: 3, operations: [create], path: '\\pub\\**', allow: }
                """);
        assertEquals(Mode.AUDIT_ONLY, p.mode());
        assertTrue(p.isAuditOnly(p.rules().get(0)));
        assertFalse(p.isAuditOnly(p.rules().get(1)), "audit already lets it through");
        assertFalse(p.isAuditOnly(p.rules().get(2)));
    }

    @Test
    void withoutAModeEverythingEnforces() throws Exception {
        Policy p = parse("""
                version: 1
                rules:
                  - {id: 1, operations: [create], deny: }
                """);
        assertEquals(Mode.ENFORCE, p.mode());
        assertFalse(p.isAuditOnly(p.rules().get(0)));
    }

    @Test
    void aRulesModeOverridesTheFiles() throws Exception {
        Policy p = parse("""
                version: 1
                mode: audit-only
                rules:
                  - {id: 1, operations: [create], path: '\\new\\**', deny: }
                  - {id: 2, operations: [create], path: '\\old\\**', deny: , mode: enforce}
                """);
        assertEquals(Mode.ENFORCE, p.mode(), "a rule enforces, so the policy as a whole is not audit-only");
        assertTrue(p.isAuditOnly(p.rules().get(0)));
        assertFalse(p.isAuditOnly(p.rules().get(1)));

        Policy q = parse("""
                version: 1
                rules:
                  - {id: 1, operations: [create], path: '\\new\\**', deny: , mode: audit-only}
                  - {id: 2, operations: [create], path: '\\old\\**', deny: }
                """);
        assertTrue(q.isAuditOnly(q.rules().get(0)));
        assertFalse(q.isAuditOnly(q.rules().get(1)));
    }

    @Test
    void badModesAreErrorsWithTheirPlace() {
        List<Problem> top = errors("""
                version: 1
                mode: audit-onyl
                rules: []
                """);
        assertEquals(1, top.size(), top.toString());
        assertEquals(2, top.get(0).line());
        assertTrue(top.get(0).message().contains("mode: \"audit-onyl\" is not one of enforce, audit-only"),
                top.get(0).message());
        assertTrue(top.get(0).message().contains("did you mean audit-only?"), top.get(0).message());

        List<Problem> allow = errors("""
                version: 1
                rules:
                  - id: 1
                    operations: [create]
                    allow:
                    mode: audit-only
                """);
        assertEquals(1, allow.size(), allow.toString());
        assertEquals(6, allow.get(0).line());
        assertEquals(11, allow.get(0).column());
        assertTrue(allow.get(0).message().contains("rules[0] (id 1).mode: audit-only applies to deny, modify, redirect"
                + " and ask; allow already lets the operation through"), allow.get(0).message());
    }
}
