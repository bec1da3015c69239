package org.jminifilter.emulator;

import static com.sun.jna.platform.win32.WinNT.FILE_APPEND_DATA;
import static com.sun.jna.platform.win32.WinNT.FILE_READ_DATA;
import static com.sun.jna.platform.win32.WinNT.FILE_WRITE_DATA;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;

import org.jminifilter.policy.Action;
import org.jminifilter.policy.ActionType;
import org.jminifilter.policy.Disposition;
import org.jminifilter.policy.Mode;
import org.jminifilter.policy.Operation;
import org.jminifilter.policy.Policy;
import org.jminifilter.protocol.Event;
import org.jminifilter.protocol.NtStatus;
import org.jminifilter.protocol.Statistics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/**
 * Audit-only rollout through the real driver, both ways: the same policy enforced denies,
 * modifies and redirects; audit-only the operation succeeds unchanged, on its own volume, with
 * the caller's parameters (the observer filter below the driver sees them), and the event says
 * what would have applied, naming the rule.
 */
class AuditOnlyEndToEndTest extends EmulatorFixture {

    private ObserverFilter below;

    @BeforeEach
    void startObserver() {
        below = kernel.startObserver();
    }

    @AfterEach
    void stopObserver() {
        if (below != null) {
            below.close();
        }
    }

    private static Policy rollout(Mode mode) {
        return Policy.builder().mode(mode)
                .volume(VOLUME1).volume(VOLUME2)
                .rule(r -> r.id(70).operations(Operation.CREATE).path("\\secret\\**").deny())
                .rule(r -> r.id(71).operations(Operation.CREATE).path("\\shared\\**")
                        .action(Action.modify().withAccessClear(FILE_WRITE_DATA | FILE_APPEND_DATA)))
                .rule(r -> r.id(72).operations(Operation.CREATE, Operation.READ, Operation.WRITE).volume(VOLUME1)
                        .path("\\cache\\**").redirect(VOLUME2))
                .rule(r -> r.id(73).operations(Operation.WRITE).path("\\data\\**").audit())
                .build();
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void theSamePolicyEnforcedOrAuditOnly(Mode mode) {
        boolean audit = mode == Mode.AUDIT_ONLY;
        kernel.putText(v1, "\\shared\\notes.txt", "notes");
        startService(rollout(mode));

        // DENY
        OpenResult secret = notepad.open(v1, "\\secret\\plan.txt", FILE_WRITE_DATA, Disposition.CREATE);
        assertEquals(audit ? NtStatus.SUCCESS : NtStatus.ACCESS_DENIED, secret.status());
        secret.file().ifPresent(EmulatedFile::close);
        assertEquals(audit, kernel.readText(v1, "\\secret\\plan.txt").isPresent());

        // MODIFY: what the file system below is given
        try (EmulatedFile notes = notepad.open(v1, "\\shared\\notes.txt", FILE_READ_DATA | FILE_WRITE_DATA,
                Disposition.OPEN).orThrow()) {
            assertEquals(audit ? FILE_WRITE_DATA : 0, below.lastCreate().desiredAccess() & FILE_WRITE_DATA);
            assertEquals(audit ? NtStatus.SUCCESS : NtStatus.ACCESS_DENIED, notes.write(0, "NOTES").status());
        }

        // REDIRECT: which volume the data lands on
        try (EmulatedFile cache = notepad.open(v1, "\\cache\\blob.bin", FILE_READ_DATA | FILE_WRITE_DATA,
                Disposition.CREATE).orThrow()) {
            assertEquals(NtStatus.SUCCESS, cache.write(0, "blob").status());
            assertEquals((audit ? v1 : v2).id(), below.lastWrite().volumeId());
        }
        assertEquals(audit ? Optional.of("blob") : Optional.of(""),
                kernel.readText(v1, "\\cache\\blob.bin").map(String::trim));
        assertEquals(audit, kernel.readText(v2, "\\cache\\blob.bin").isEmpty());

        for (int rule = 70; rule <= 72; rule++) {
            Event e = onlyEventOf(rule);
            assertEquals(audit, e.isAuditOnly(), e.toString());
            ActionType expected = rule == 70 ? ActionType.DENY : rule == 71 ? ActionType.MODIFY : ActionType.REDIRECT;
            assertEquals(expected, e.verdict());
            assertEquals(audit ? Optional.of(expected) : Optional.empty(), e.wouldApply());
            if (audit) {
                assertEquals(NtStatus.SUCCESS, e.status(), "the operation passed: its own final status");
            }
        }
        Statistics s = service.statistics();
        assertEquals(1, s.verdicts(ActionType.DENY));
        // the three creates, and the write rule 72 decided too (counted; not reported one by one, as on a redirected handle)
        assertEquals(audit ? 4 : 0, s.auditOnly());
    }

    @Test
    void perRuleAuditOnlyMixedWithEnforcingRules() {
        startService(Policy.builder()
                .rule(r -> r.id(80).operations(Operation.CREATE).path("\\secret\\new\\**").deny().auditOnly())
                .rule(r -> r.id(81).operations(Operation.CREATE).path("\\secret\\**").deny())
                .build());
        kernel.makeDirectory(v1, "\\secret\\new");

        OpenResult rollingOut = notepad.open(v1, "\\secret\\new\\a.txt", FILE_WRITE_DATA, Disposition.CREATE);
        assertEquals(NtStatus.SUCCESS, rollingOut.status(), "the audit-only rule decides first, and lets it through");
        rollingOut.file().ifPresent(EmulatedFile::close);
        assertNoHandle(notepad.open(v1, "\\secret\\old.txt", FILE_WRITE_DATA, Disposition.CREATE));

        Event would = onlyEventOf(80);
        assertTrue(would.isAuditOnly());
        assertEquals(ActionType.DENY, would.verdict());
        assertEquals("\\secret\\new\\a.txt", would.path());
        Event denied = onlyEventOf(81);
        assertFalse(denied.isAuditOnly());
        assertEquals(NtStatus.ACCESS_DENIED, denied.status());
    }
}
