package org.jminifilter.policy;

import static org.jminifilter.policy.Operation.CREATE;
import static org.jminifilter.policy.Operation.DELETE;
import static org.jminifilter.policy.Operation.READ;
import static org.jminifilter.policy.Operation.RENAME;
import static org.jminifilter.policy.Operation.WRITE;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Consumer;

import org.jminifilter.protocol.Protocol;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Every check the builders make, one test each: the bad value is refused with an
 * IllegalArgumentException naming the rule (position and id) and the field, and a close good
 * value is accepted (so the test would fail if the check were too broad as well as if it were
 * missing).
 */
class PolicyBuilderTest {
    static final int DENIED = 0xC0000022;
    static final String V3 = "\\Device\\HarddiskVolume3";
    static final String V4 = "\\Device\\HarddiskVolume4";

    static IllegalArgumentException refused(String text, Executable e) {
        IllegalArgumentException x = assertThrows(IllegalArgumentException.class, e);
        assertTrue(x.getMessage().contains(text), "\"" + x.getMessage() + "\" should contain \"" + text + "\"");
        return x;
    }

    /** A policy with two volumes and a first rule, then the rule under test at position #1. */
    static Policy withRule(Consumer<Rule.Builder> rule) {
        return Policy.builder().volume(V3).volume(V4).rule(r -> r.id(100).operations(READ).allow()).rule(rule).build();
    }

    @Test
    void aGoodPolicyBuildsAndKeepsItsOrder() {
        Policy p = withRule(r -> r.id(7).operations(CREATE).path("\\a\\**").deny());
        assertEquals(List.of(100, 7), p.rules().stream().map(Rule::ruleId).toList());
        assertEquals(List.of(new Volume(V3), new Volume(V4)), p.volumes());
        assertEquals(Optional.of(PathPattern.of("\\a\\**")), p.rules().get(1).path());
    }

    /** The pattern {@code bad} is refused for {@code field} with a message holding {@code hint}; {@code good} builds. */
    static void neverMatches(String field, String bad, String hint, String good) {
        boolean image = field.equals("Image");
        refused("rule #1 (id 9): " + field + ": \"" + bad + "\" ", () -> withRule(r -> {
            r.id(9).operations(CREATE).deny();
            if (image) {
                r.image(bad);
            } else {
                r.path(bad);
            }
        }));
        refused(hint, () -> withRule(r -> r.id(9).operations(CREATE).path(image ? null : bad).image(image ? bad : null).deny()));
        assertDoesNotThrow(() -> withRule(r -> r.id(9).operations(CREATE).path(image ? null : good)
                .image(image ? good : null).deny()));
        String problem = image ? NeverMatches.imageProblem(bad) : NeverMatches.pathProblem(bad);
        assertEquals(null, image ? NeverMatches.imageProblem(NeverMatches.suggest(bad, true))
                : NeverMatches.pathProblem(NeverMatches.suggest(bad, false)), "the suggestion for " + bad + " can match");
        assertTrue(problem != null);
    }

    @Test
    void pathPatternsNoPathCanMatchAreRefusedWithWhatWouldMatch() {
        neverMatches("Path", "secret\\**", "did you mean \\secret\\**?", "\\secret\\**");
        neverMatches("Path", "/secret/**", "holds '/'", "\\secret\\**");
        neverMatches("Path", "/secret/**", "did you mean \\secret\\**?", "\\secret\\**");
        neverMatches("Path", "\\a\\\\b", "empty component", "\\a\\b");
        neverMatches("Path", "\\a\\\\b", "did you mean \\a\\b?", "\\a\\b");
        neverMatches("Path", "C:\\secret\\**", "volume(\"\\Device\\HarddiskVolumeN\")", "\\secret\\**");
        neverMatches("Path", "*.txt", "did you mean **\\*.txt (at any depth) or \\*.txt (in the root)?", "**\\*.txt");
        neverMatches("Path", "?\\a", "does not start with '\\'", "*\\a");
        neverMatches("Path", "\\secret\\", "did you mean \\secret (the directory itself) or \\secret\\**", "\\secret");
        neverMatches("Path", "\\secret\\*\\", "only the root's path", "\\");
        // What can match, including the odd shapes the driver must not refuse.
        for (String ok : List.of("\\", "*", "**", "*\\", "**\\", "*\\a", "**.txt", "\\a:stream")) {
            assertDoesNotThrow(() -> withRule(r -> r.id(9).operations(CREATE).path(ok).deny()), ok);
        }
    }

    @Test
    void imagePatternsNoImageCanMatchAreRefusedWithWhatWouldMatch() {
        neverMatches("Image", "notepad.exe", "did you mean **\\notepad.exe?", "**\\notepad.exe");
        neverMatches("Image", "C:\\Windows\\notepad.exe", "did you mean **\\Windows\\notepad.exe?",
                "\\Device\\HarddiskVolume2\\Windows\\notepad.exe");
        neverMatches("Image", "*.exe", "did you mean **\\*.exe?", "**.exe");
        neverMatches("Image", "**\\tools\\", "an image's path never does", "**\\tools\\*");
        neverMatches("Image", "*", "did you mean **\\*?", "**");
        neverMatches("Image", "**/notepad.exe", "did you mean **\\notepad.exe?", "**\\notepad.exe");
    }

    @Test
    void volumeNamesFltGetVolumeNameNeverGivesAreRefusedWithWhatWouldMatch() {
        for (String drive : List.of("C:", "c:\\", "\\\\?\\C:", "\\\\.\\C:", "\\??\\C:", "\\DosDevices\\C:")) {
            refused("Name: \"" + drive + "\" is a drive letter", () -> new Volume(drive));
            refused("\\Device\\HarddiskVolumeN", () -> Policy.builder().volume(drive));
            refused("rule #0 (id 1): Volume: \"" + drive + "\" is a drive letter",
                    () -> Policy.builder().rule(r -> r.id(1).operations(READ).volume(drive).allow()));
            refused("Action.TargetVolume: \"" + drive + "\"",
                    () -> Policy.builder().rule(r -> r.id(1).operations(CREATE).redirect(drive)));
        }
        refused("is a symbolic link", () -> new Volume("\\??\\Volume{0b1c2d3e-0000-0000-0000-100000000000}"));
        refused("did you mean \\Device\\HarddiskVolume3?", () -> new Volume("\\Device\\HarddiskVolume3\\"));
        refused("did you mean \\Device\\HarddiskVolume3?", () -> new Volume("HarddiskVolume3"));
        refused("did you mean \\Device\\HarddiskVolume3?", () -> new Volume("/Device/HarddiskVolume3"));
        refused("did you mean \\Device\\HarddiskVolume3?", () -> new Volume("\\Device\\\\HarddiskVolume3"));
        refused("not a volume", () -> new Volume("\\"));
        assertDoesNotThrow(() -> new Volume("\\Device\\HarddiskVolume3"));
        assertDoesNotThrow(() -> new Volume("\\??x"));
        assertDoesNotThrow(() -> new Volume("\\DosDevicesX\\C:"));
    }

    @Test
    void messagesNameThePositionTheIdAndTheField() {
        IllegalArgumentException e = refused("rule #1 (id 17): Action.Status: 0x00000000 is not an error NTSTATUS",
                () -> withRule(r -> r.id(17).operations(CREATE).deny(0)));
        assertTrue(e.getMessage().startsWith("rule #1 (id 17): "), e.getMessage());
    }

    // ---- rule ids ----

    @Test
    void ruleIdNoneIsRefused() {
        refused("rule #1 (id 4294967295): RuleId: 0xFFFFFFFF is JMF_RULE_NONE",
                () -> withRule(r -> r.id(Protocol.RULE_NONE).operations(READ).allow()));
        assertDoesNotThrow(() -> withRule(r -> r.id(0xFFFFFFFE).operations(READ).allow()));
    }

    @Test
    void ruleIdsAreUnique() {
        refused("rule #1 (id 100): RuleId: already used by rule #0",
                () -> withRule(r -> r.id(100).operations(WRITE).allow()));
        Rule dup = Rule.builder(5).operations(READ).allow().build();
        refused("rule #1 (id 5): RuleId: already used by rule #0",
                () -> new Policy(List.of(dup, dup), List.of()));
    }

    // ---- operations ----

    @Test
    void operationsMustNotBeEmpty() {
        refused("rule #1 (id 1): Operations: empty", () -> withRule(r -> r.id(1).allow()));
    }

    @Test
    void operationMasksRefuseUnknownBits() {
        refused("unknown operation bits 0x20", () -> Operation.fromMask(0x3F));
        assertEquals(Set.of(Operation.values()), Operation.fromMask(Protocol.OP_ALL));
    }

    // ---- volumes ----

    @Test
    void ruleVolumeIndexMustBeInTheTable() {
        refused("rule #1 (id 1): Volume: index 2 is outside the volume table (2 volumes)",
                () -> withRule(r -> r.id(1).operations(READ).volume(2).allow()));
        refused("Volume: 64 is outside 0..63", () -> Rule.builder(1).operations(READ).volume(64).allow().build());
        assertDoesNotThrow(() -> withRule(r -> r.id(1).operations(READ).volume(1).allow()));
    }

    @Test
    void volumesByNameJoinTheTableOnceWithoutRegardToCase() {
        Policy p = Policy.builder().volume(V3)
                .rule(r -> r.id(1).operations(READ).volume(V3.toUpperCase()).allow())
                .rule(r -> r.id(2).operations(READ).volume(V4).allow()).build();
        assertEquals(2, p.volumes().size());
        assertEquals(OptionalInt.of(0), p.rules().get(0).volume());
        assertEquals(OptionalInt.of(1), p.rules().get(1).volume());
        assertEquals(1, p.volumeIndex(V4.toLowerCase()));
    }

    @Test
    void volumeNamesCompareWithTheKernelsFoldNotJavas() {
        // Latin-1 and Cyrillic fold in the kernel; the Kelvin sign (U+212A) does not, though Java folds it to k.
        assertEquals(1, Policy.builder().volume("\\Device\\Vol\u00e9\u0436").volume("\\DEVICE\\VOL\u00c9\u0416")
                .build().volumes().size());
        assertEquals(2, Policy.builder().volume("\\Device\\k").volume("\\Device\\\u212a").build().volumes().size());
        assertTrue("k".equalsIgnoreCase("\u212a"), "Java alone would have merged them");
    }

    @Test
    void volumeNamesNeedAPolicyBuilder() {
        refused("rule id 1: Volume: a volume by name needs Policy.Builder.rule",
                () -> Rule.builder(1).operations(READ).volume(V3).allow().build());
    }

    @Test
    void volumeNamesAreValidated() {
        refused("a volume name is empty", () -> new Volume(""));
        refused("65 code units is over 64", () -> new Volume("x".repeat(65)));
        assertDoesNotThrow(() -> new Volume("\\" + "x".repeat(63)));
        refused("holds a NUL", () -> new Volume("\\Device\\a\0b"));
        refused("rule #0 (id 1): Volume: a volume name holds a NUL",
                () -> Policy.builder().rule(r -> r.id(1).operations(READ).volume("a\0").allow()));
    }

    @Test
    void duplicateVolumeNamesAreRefused() {
        refused("volume #1 (\\DEVICE\\HARDDISKVOLUME3): the same name as volume #0",
                () -> new Policy(List.of(), List.of(new Volume(V3), new Volume(V3.toUpperCase()))));
    }

    @Test
    void atMost64Volumes() {
        Policy.Builder b = Policy.builder();
        for (int i = 0; i < Protocol.MAX_VOLUMES; i++) {
            b.volume("\\Device\\V" + i);
        }
        refused("the volume table is full (64 volumes)", () -> b.volume("\\Device\\V64"));
        assertEquals(64, b.build().volumes().size());
        List<Volume> many = new ArrayList<>();
        for (int i = 0; i <= Protocol.MAX_VOLUMES; i++) {
            many.add(new Volume("\\Device\\V" + i));
        }
        refused("VolumeCount: 65 volumes, at most 64", () -> new Policy(List.of(), many));
    }

    @Test
    void atMost100000Rules() {
        Policy.Builder b = Policy.builder();
        List<Rule> rules = new ArrayList<>();
        for (int i = 0; i < Protocol.MAX_RULES; i++) {
            Rule r = new Rule(i, Set.of(READ), OptionalInt.empty(), Optional.empty(), Optional.empty(), 0, 0,
                    Set.of(), Set.of(), Action.allow());
            rules.add(r);
            b.rule(r);
        }
        refused("rule #100000 (id 100000): RuleCount: a policy holds at most 100000 rules",
                () -> b.rule(r -> r.id(Protocol.MAX_RULES).operations(READ).allow()));
        rules.add(Rule.builder(Protocol.MAX_RULES).operations(READ).allow().build());
        refused("RuleCount: 100001 rules, at most 100000", () -> new Policy(rules, List.of()));
    }

    // ---- patterns ----

    @Test
    void patternsAreValidated() {
        refused("rule #1 (id 1): Path: \"***\" at index 3", () -> withRule(r -> r.id(1).operations(READ).path("\\a\\***").allow()));
        refused("rule #1 (id 1): Image: \"***\"", () -> withRule(r -> r.id(1).operations(READ).image("****").allow()));
        refused("rule #1 (id 1): Path: NUL at index 2", () -> withRule(r -> r.id(1).operations(READ).path("\\a\0").allow()));
        refused("Path: 1025 code units is over 1024",
                () -> withRule(r -> r.id(1).operations(READ).path("a".repeat(1025)).allow()));
        refused("Path: empty", () -> withRule(r -> r.id(1).operations(READ).path("").allow()));
        assertDoesNotThrow(() -> withRule(r -> r.id(1).operations(READ).path("\\" + "a".repeat(1023)).image("**\\*?.exe")
                .allow()));
    }

    // ---- create matches and post-create ----

    @Test
    void desiredAccessOnlyOnCreateOnlyRules() {
        refused("rule #1 (id 1): DesiredAccess: describes a create",
                () -> withRule(r -> r.id(1).operations(CREATE, WRITE).desiredAccess(2).allow()));
        assertDoesNotThrow(() -> withRule(r -> r.id(1).operations(CREATE).desiredAccess(2).allow()));
    }

    @Test
    void dispositionsOnlyOnCreateOnlyRules() {
        refused("rule #1 (id 1): Dispositions: describe a create",
                () -> withRule(r -> r.id(1).operations(READ).dispositions(Disposition.OPEN).allow()));
        assertDoesNotThrow(() -> withRule(r -> r.id(1).operations(CREATE).dispositions(Disposition.OPEN).allow()));
        refused("unknown disposition bits 0x40", () -> Disposition.fromMask(0x40));
    }

    @Test
    void matchFlagsOnlyOnCreateOnlyRules() {
        refused("rule #1 (id 1): MatchFlags: [CREATED] make a post-create rule, whose only operation must be CREATE",
                () -> withRule(r -> r.id(1).operations(CREATE, READ).matchFlags(MatchFlag.CREATED).allow()));
        assertTrue(withRule(r -> r.id(1).operations(CREATE).matchFlags(MatchFlag.CREATED).allow()).rules().get(1)
                .isPostCreate());
    }

    @Test
    void directoryAndNonDirectoryTogetherAreRefused() {
        refused("MatchFlags: DIRECTORY and NON_DIRECTORY together match nothing",
                () -> withRule(r -> r.id(1).operations(CREATE).matchFlags(MatchFlag.DIRECTORY, MatchFlag.NON_DIRECTORY)
                        .allow()));
    }

    @Test
    void postCreateRulesCannotModifyOrRedirect() {
        refused("MatchFlags: make a post-create rule, and MODIFY cannot be decided in post-create",
                () -> withRule(r -> r.id(1).operations(CREATE).matchFlags(MatchFlag.DIRECTORY)
                        .action(Action.modify().withAccessClear(1))));
        refused("REDIRECT cannot be decided in post-create",
                () -> withRule(r -> r.id(1).operations(CREATE).matchFlags(MatchFlag.DIRECTORY).redirect(V4)));
    }

    @Test
    void postCreateActionsOnlyOnCreateOnlyRules() {
        refused("rule #1 (id 1): Action.Flags: post-create needs a rule whose only operation is CREATE",
                () -> withRule(r -> r.id(1).operations(CREATE, WRITE).action(Action.deny().inPostCreate())));
        refused("Action.Flags: post-create", () -> withRule(r -> r.id(1).operations(READ).action(Action.audit().inPostCreate())));
        refused("Action.Flags: post-create",
                () -> withRule(r -> r.id(1).operations(DELETE).action(Action.ask().inPostCreate())));
        assertDoesNotThrow(() -> withRule(r -> r.id(1).operations(CREATE).action(Action.ask().inPostCreate())));
    }

    // ---- deny ----

    @Test
    void denyStatusMustBeAnErrorOtherThanDisallowFastIo() {
        refused("Action.Status: 0x00000000", () -> Action.deny(0));
        refused("0x80000005", () -> Action.deny(0x80000005)); // STATUS_BUFFER_OVERFLOW, a warning
        refused("0x40000000", () -> Action.deny(0x40000000)); // informational
        refused("0xC01C0004", () -> Action.deny(Protocol.STATUS_FLT_DISALLOW_FAST_IO));
        assertEquals(0xC01C0004, Protocol.STATUS_FLT_DISALLOW_FAST_IO);
        assertDoesNotThrow(() -> Action.deny(0xC000009A)); // STATUS_INSUFFICIENT_RESOURCES is an error like any other
        assertDoesNotThrow(() -> Action.deny(0xC01C0005));
    }

    // ---- modify ----

    @Test
    void modifyMustChangeSomething() {
        refused("rule #1 (id 1): Action: MODIFY changes nothing",
                () -> withRule(r -> r.id(1).operations(CREATE).action(Action.modify())));
    }

    @Test
    void modifyOfCreateParametersNeedsCreate() {
        refused("rule #1 (id 1): Operations: MODIFY edits create parameters, but the rule has no CREATE",
                () -> withRule(r -> r.id(1).operations(WRITE).action(Action.modify().withAccessClear(0x10000))));
        refused("no CREATE", () -> withRule(r -> r.id(1).operations(READ)
                .action(Action.modify().withDisposition(Disposition.OPEN))));
        assertDoesNotThrow(() -> withRule(r -> r.id(1).operations(CREATE, WRITE).action(Action.modify().withOptionsSet(8))));
    }

    @Test
    void modifyOfOperationFlagsNamesExactlyOneOperation() {
        refused("rule #1 (id 1): Operations: MODIFY of operation flags must name exactly one operation",
                () -> withRule(r -> r.id(1).operations(CREATE, WRITE)
                        .action(Action.modify().withOperationFlagsSet(Protocol.SL_WRITE_THROUGH))));
        assertDoesNotThrow(() -> withRule(r -> r.id(1).operations(WRITE)
                .action(Action.modify().withOperationFlagsSet(Protocol.SL_WRITE_THROUGH))));
    }

    @Test
    void modifyOfOperationFlagsUsesOnlyThatOperationsBits() {
        refused("Action.OperationFlagsSet: SL_* bits 0x4 are not valid for CREATE (valid: 0x81)",
                () -> withRule(r -> r.id(1).operations(CREATE)
                        .action(Action.modify().withOperationFlagsSet(Protocol.SL_WRITE_THROUGH))));
        refused("are not valid for READ (valid: 0x0)", () -> withRule(r -> r.id(1).operations(READ)
                .action(Action.modify().withOperationFlagsClear(Protocol.SL_WRITE_THROUGH))));
        refused("are not valid for RENAME", () -> withRule(r -> r.id(1).operations(RENAME)
                .action(Action.modify().withOperationFlagsSet(Protocol.SL_FORCE_ACCESS_CHECK))));
        assertDoesNotThrow(() -> withRule(r -> r.id(1).operations(CREATE).action(Action.modify()
                .withOperationFlagsSet(Protocol.SL_FORCE_ACCESS_CHECK).withOperationFlagsClear(Protocol.SL_CASE_SENSITIVE))));
        refused("Action.OperationFlagsSet: bits 0x2 are outside 0x85", () -> Action.modify().withOperationFlagsSet(2));
    }

    @Test
    void modifyRangesAndContradictions() {
        refused("Action.OptionsSet: bits 0x1000000 are outside 0xFFFFFF", () -> Action.modify().withOptionsSet(0x01000000));
        refused("Action.OptionsClear: bits 0x80000000", () -> Action.modify().withOptionsClear(0x80000000));
        refused("Action.OptionsClear: 0x8 both set and cleared", () -> Action.modify().withOptionsSet(8).withOptionsClear(8));
        refused("Action.OperationFlagsClear: 0x1 both set and cleared",
                () -> Action.modify().withOperationFlagsSet(1).withOperationFlagsClear(1));
    }

    // ---- redirect ----

    @Test
    void redirectNeedsCreateAndOnlyCreateReadWrite() {
        refused("rule #1 (id 1): Operations: REDIRECT needs CREATE",
                () -> withRule(r -> r.id(1).operations(READ, WRITE).redirect(V4)));
        refused("REDIRECT needs CREATE and allows only CREATE, READ, WRITE (not [CREATE, DELETE])",
                () -> withRule(r -> r.id(1).operations(CREATE, DELETE).redirect(V4)));
        assertDoesNotThrow(() -> withRule(r -> r.id(1).operations(CREATE, READ, WRITE).redirect(V4)));
    }

    @Test
    void redirectTargetMustBeInTheTableAndNotTheRulesVolume() {
        refused("rule #1 (id 1): Action.TargetVolume: index 2 is outside the volume table (2 volumes)",
                () -> withRule(r -> r.id(1).operations(CREATE).action(Action.redirect(2))));
        refused("Action.TargetVolume: redirects to volume 1, the volume the rule matches",
                () -> withRule(r -> r.id(1).operations(CREATE).volume(V4).redirect(V4)));
        refused("Action.TargetVolume: 64 is outside", () -> Action.redirect(64));
        refused("Action.TargetVolume: -1 is outside", () -> Action.redirect(-1));
        Policy p = withRule(r -> r.id(1).operations(CREATE).volume(V3).redirect("\\Device\\New", DENIED));
        assertEquals(new Action.Redirect(2, true, DENIED), p.rules().get(1).action());
    }

    @Test
    void redirectStatusOnlyWithFallbackDeny() {
        refused("Action.Status: must be 0 without fallback deny", () -> new Action.Redirect(1, false, DENIED));
        refused("Action.Status: 0x00000000 is not an error", () -> Action.redirect(1).orDeny(0));
    }

    // ---- ask ----

    @Test
    void askTimeoutIsZeroTo60000() {
        refused("Action.TimeoutMs: 60001 is outside 0..60000", () -> Action.ask().withTimeoutMs(60001));
        refused("Action.TimeoutMs: 4294967295 is outside", () -> Action.ask().withTimeoutMs(-1));
        assertDoesNotThrow(() -> Action.ask().withTimeoutMs(60000));
        assertDoesNotThrow(() -> Action.ask().withTimeoutMs(0));
    }

    @Test
    void askStatusOnlyWithADenyDefault() {
        refused("Action.Status: must be 0 unless the default verdict is DENY",
                () -> new Action.Ask(0, DefaultVerdict.ALLOW, DENIED, false));
        refused("must be 0 unless", () -> new Action.Ask(0, DefaultVerdict.CONFIGURED, DENIED, false));
        refused("Action.Status: 0x00000000 is not an error", () -> Action.ask().orDeny(0));
        refused("Action.DefaultVerdict: null", () -> new Action.Ask(0, null, 0, false));
        assertEquals(new Action.Ask(5, DefaultVerdict.DENY, DENIED, false), Action.ask().withTimeoutMs(5).orDeny(DENIED));
    }

    @Test
    void nullsAreRefusedNamingTheField() {
        refused("rule id 1: Path: null", () -> new Rule(1, Set.of(READ), OptionalInt.empty(), null, Optional.empty(), 0,
                0, Set.of(), Set.of(), Action.allow()));
        refused("rule id 1: Action: null", () -> new Rule(1, Set.of(READ), OptionalInt.empty(), Optional.empty(),
                Optional.empty(), 0, 0, Set.of(), Set.of(), null));
        refused("Action.Disposition: null", () -> new Action.Modify(1, 0, 0, null, 0, 0));
    }

    @Test
    void aStandaloneRuleNamesItsIdOnce() {
        IllegalArgumentException e = refused("rule id 9: Action.Flags",
                () -> Rule.builder(9).operations(READ).action(Action.audit().inPostCreate()).build());
        assertEquals(e.getMessage().indexOf("rule id"), e.getMessage().lastIndexOf("rule id"), e.getMessage());
        IllegalArgumentException p = refused("rule id 9: Path: empty", () -> Rule.builder(9).operations(READ).path("")
                .allow().build());
        assertTrue(p.getMessage().startsWith("rule id 9: Path"), p.getMessage());
    }

    @Test
    void aRuleNeedsAnAction() {
        refused("rule #1 (id 1): Action: no action given", () -> withRule(r -> r.id(1).operations(READ)));
    }

    @Test
    void aRefusedRuleLeavesTheBuilderAsItWas() {
        Policy.Builder b = Policy.builder().rule(r -> r.id(1).operations(READ).allow());
        refused("rule #1 (id 2)", () -> b.rule(r -> r.id(2).operations(READ).volume(5).allow()));
        refused("rule #1 (id 1): RuleId", () -> b.rule(r -> r.id(1).operations(READ).allow()));
        b.rule(r -> r.id(2).operations(READ).allow());
        assertEquals(2, b.build().rules().size());
    }
}
