package org.jminifilter.cli.policyfile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import org.jminifilter.policy.Action;
import org.jminifilter.policy.DefaultVerdict;
import org.jminifilter.policy.Disposition;
import org.jminifilter.policy.MatchFlag;
import org.jminifilter.policy.Operation;
import org.jminifilter.policy.Policy;
import org.jminifilter.protocol.Config;
import org.jminifilter.protocol.Protocol;
import org.junit.jupiter.api.Test;

class PolicyFileTest {
    private static final String V1 = "\\Device\\HarddiskVolume1";
    private static final String V2 = "\\Device\\HarddiskVolume2";
    private static final VolumeResolver LETTERS = VolumeResolver.of(Map.of("C:", V1, "D:", V2), "the test's volumes");

    private static PolicyFile parse(String yaml) throws PolicyFileException {
        return PolicyFile.parse("p.yaml", yaml, LETTERS);
    }

    private static List<Problem> errors(String yaml) {
        PolicyFileException e = assertThrows(PolicyFileException.class, () -> parse(yaml));
        return e.problems().stream().filter(p -> p.severity() == Problem.Severity.ERROR).toList();
    }

    private static Problem onlyError(String yaml) {
        List<Problem> errors = errors(yaml);
        assertEquals(1, errors.size(), errors.toString());
        return errors.get(0);
    }

    @Test
    void everyActionReadsAsTheBuilderWouldBuildIt() throws Exception {
        PolicyFile file = parse("""
                version: 1
                config:
                  ask-timeout-ms: 2500
                  default-verdict: deny
                  default-deny-status: STATUS_VIRUS_INFECTED
                  on-disconnect: clear-policy
                  max-asks-in-flight: 8
                volumes:
                  cache: "D:"
                rules:
                  - id: 1
                    operations: create
                    path: \\secret\\**
                    deny:
                  - id: docs
                    operations: [create]
                    volume: "C:"
                    path: \\Users\\*\\Documents\\**
                    access: [FILE_WRITE_DATA, file_append_data]
                    dispositions: [open]
                    when: [non-directory]
                    deny: {status: STATUS_MEDIA_WRITE_PROTECTED, phase: post-create}
                  - id: 3
                    operations: [create]
                    modify: {strip-access: FILE_WRITE_DATA, add-options: FILE_WRITE_THROUGH, disposition: open-if}
                  - id: 4
                    operations: [write]
                    modify: {add-flags: [SL_WRITE_THROUGH]}
                  - id: 5
                    operations: [create, read, write]
                    path: \\cache\\**
                    redirect: {to: cache, fallback: STATUS_NOT_FOUND}
                  - id: 6
                    operations: [delete]
                    image: "**\\\\explorer.exe"
                    process-id: 0x10
                    ask: {timeout-ms: 2000, default: deny, deny-status: 0xC0000022}
                  - id: 7
                    operations: all
                    audit: {phase: pre-operation}
                  - id: 8
                    operations: [read]
                    allow:
                """);

        Policy expected = Policy.builder()
                .rule(r -> r.id(1).operations(Operation.CREATE).path("\\secret\\**").deny())
                .rule(r -> r.id(RuleNames.idOf("docs")).operations(Operation.CREATE).volume(V1)
                        .path("\\Users\\*\\Documents\\**").desiredAccess(0x2 | 0x4).dispositions(Disposition.OPEN)
                        .matchFlags(MatchFlag.NON_DIRECTORY).action(Action.deny(0xC00000A2).inPostCreate()))
                .rule(r -> r.id(3).operations(Operation.CREATE).action(Action.modify().withAccessClear(0x2)
                        .withOptionsSet(0x2).withDisposition(Disposition.OPEN_IF)))
                .rule(r -> r.id(4).operations(Operation.WRITE)
                        .action(Action.modify().withOperationFlagsSet(Protocol.SL_WRITE_THROUGH)))
                .rule(r -> r.id(5).operations(Operation.CREATE, Operation.READ, Operation.WRITE).path("\\cache\\**")
                        .redirect(V2, 0xC0000225))
                .rule(r -> r.id(6).operations(Operation.DELETE).image("**\\explorer.exe").processId(16)
                        .action(Action.ask().withTimeoutMs(2000).orDeny(0xC0000022)))
                .rule(r -> r.id(7).operations(Operation.values()).audit())
                .rule(r -> r.id(8).operations(Operation.READ).allow())
                .build();
        assertEquals(expected, file.policy());
        assertEquals(Optional.of(Config.defaults().withAskTimeoutMs(2500).withDefaultVerdict(DefaultVerdict.DENY)
                .withDefaultDenyStatus(0xC0000906).withOnDisconnect(Config.OnDisconnect.CLEAR_POLICY)
                .withMaxAsksInFlight(8)), file.config());
        assertEquals(Optional.of("docs"), file.ruleNames().nameOf(RuleNames.idOf("docs")));
        assertEquals("7", file.ruleNames().describe(7));
    }

    @Test
    void persistAndLockedInTheConfigSection() throws Exception {
        String yaml = """
                version: 1
                config:
                  persist: true
                  locked: true
                """;
        Config c = parse(yaml).config().orElseThrow();
        assertTrue(c.persist());
        assertTrue(c.isLocked());
        // one key per process, in memory only: reading the file again gives the same configuration
        assertEquals(c, parse(yaml).config().orElseThrow());
        Config plain = parse("""
                version: 1
                config: {persist: false, locked: false}
                """).config().orElseThrow();
        assertEquals(Config.defaults(), plain);
        assertTrue(onlyError("""
                version: 1
                config: {persist: yes-please}
                """).message().contains("config.persist"));
    }

    @Test
    void aRedirectsMechanismIsReparseOrTargetInstance() throws Exception {
        PolicyFile file = parse("""
                version: 1
                rules:
                  - id: 1
                    operations: [create]
                    volume: "C:"
                    path: \\cache\\**
                    redirect: {to: "D:", mechanism: reparse, fallback: STATUS_NOT_FOUND}
                  - id: 2
                    operations: [create, read]
                    path: \\tmp\\**
                    redirect: {to: "D:", mechanism: target-instance}
                """);
        Policy expected = Policy.builder()
                .rule(r -> r.id(1).operations(Operation.CREATE).volume(V1).path("\\cache\\**")
                        .redirect(V2, 0xC0000225).byReparse())
                .rule(r -> r.id(2).operations(Operation.CREATE, Operation.READ).path("\\tmp\\**").redirect(V2))
                .build();
        assertEquals(expected, file.policy());

        Problem wrong = onlyError("""
                version: 1
                rules:
                  - {id: 1, operations: [create], volume: "C:", redirect: {to: "D:", mechanism: junction}}
                """);
        assertTrue(wrong.toString().contains("mechanism") && wrong.toString().contains("reparse"), wrong.toString());
    }

    @Test
    void jsonIsTheSameModel() throws Exception {
        PolicyFile json = PolicyFile.parse("p.json", """
                {"version": 1, "rules": [{"id": "a", "operations": ["write"], "path": "\\\\x\\\\**", "audit": null}]}
                """, LETTERS);
        PolicyFile yaml = parse("""
                version: 1
                rules:
                  - {id: a, operations: [write], path: '\\x\\**', audit: }
                """);
        assertEquals(yaml.policy(), json.policy());
        assertEquals(1, json.policy().rules().size());
    }

    @Test
    void aMisspelledStatusIsPlacedAndCorrected() {
        Problem p = onlyError("""
                version: 1
                rules:
                  - id: 1
                    operations: [create]
                    deny: STATUS_ACCES_DENIED
                """);
        assertEquals(5, p.line());
        assertEquals(11, p.column());
        assertTrue(p.message().contains("did you mean STATUS_ACCESS_DENIED?"), p.message());
        assertTrue(p.toString().startsWith("p.yaml:5:11: error: rules[0] (id 1).deny:"), p.toString());
    }

    @Test
    void anUnknownActionKeyListsTheValidOnes() {
        List<Problem> errors = errors("""
                version: 1
                rules:
                  - id: 1
                    operations: [create]
                    dney:
                """);
        String all = errors.stream().map(Problem::message).collect(Collectors.joining("\n"));
        assertTrue(all.contains("unknown key \"dney\""), all);
        assertTrue(all.contains("did you mean deny?"), all);
        assertTrue(all.contains("no action; give exactly one of allow, deny, modify, redirect, ask, audit"), all);
        assertTrue(errors.stream().anyMatch(p -> p.line() == 5 && p.column() == 5 && p.message().contains("dney")),
                errors.toString());
    }

    @Test
    void everyErrorOfTheFileIsReportedInFileOrder() {
        List<Problem> errors = errors("""
                version: 1
                rules:
                  - id: 1
                    operations: [creat]
                    deny:
                  - id: 2
                    operations: [write]
                    dispositions: [open]
                    deny:
                  - id: 1
                    operations: [read]
                    audit:
                """);
        assertEquals(List.of(4, 6, 10), errors.stream().map(Problem::line).toList(), errors.toString());
        assertTrue(errors.get(0).message().contains("did you mean create?"), errors.get(0).message());
        assertTrue(errors.get(1).message().contains("dispositions"), errors.get(1).message());
        assertTrue(errors.get(2).message().contains("already used (line 3)"), errors.get(2).message());
    }

    @Test
    void theFileShapeIsChecked() {
        assertTrue(onlyError("rules: []\n").message().contains("version: missing"));
        assertTrue(onlyError("version: 2\nrules: []\n").message().contains("is not a version this program reads"));
        Problem dup = onlyError("version: 1\nversion: 1\n");
        assertEquals(2, dup.line());
        assertTrue(dup.message().contains("appears twice"), dup.message());
        assertTrue(onlyError("").message().contains("empty"));
        assertTrue(onlyError("version: 1\nrules: {a: 1}\n").message().contains("expected a list"));
        assertTrue(onlyError("version: 1\nrules: [\n").message().contains("not valid YAML"));
        assertTrue(onlyError("version: 1\nvolumes:\n  data: D:\n").message().contains("must be quoted: \"C:\""));
        assertTrue(onlyError("- 1\n").message().contains("expected a map"));
        Problem bad = onlyError("version: 1\nrulez: []\n");
        assertTrue(bad.message().contains("did you mean rules?"), bad.message());
    }

    @Test
    void valuesAreCheckedWithTheDriversChecks() {
        assertTrue(onlyError("""
                version: 1
                rules:
                  - {id: 1, operations: [write], deny: 0x00000001}
                """).message().contains("is not an error NTSTATUS"));
        assertTrue(onlyError("""
                version: 1
                rules:
                  - {id: 1, operations: [write], path: "\\\\a***", audit: }
                """).message().contains("***"));
        assertTrue(onlyError("""
                version: 1
                rules:
                  - {id: 1, operations: [write], modify: {}}
                """).message().contains("changes nothing"));
        assertTrue(onlyError("""
                version: 1
                rules:
                  - {id: 1, operations: [write], access: [FILE_WRITE_DATA], audit: }
                """).message().contains("access"));
        assertTrue(onlyError("""
                version: 1
                rules:
                  - {id: 1, operations: [create], modify: {strip-access: [FILE_WRIT_DATA]}}
                """).message().contains("did you mean FILE_WRITE_DATA?"));
        assertTrue(onlyError("""
                version: 1
                config: {ask-timeout-ms: 0}
                """).message().contains("outside 1..60000"));
        assertTrue(onlyError("""
                version: 1
                rules:
                  - {id: 1, operations: [create], deny: , audit: }
                """).message().contains("two actions (deny and audit)"));
        assertTrue(onlyError("""
                version: 1
                rules:
                  - {id: "1x", operations: [create], deny: }
                """).message().contains("is not a rule name"));
    }

    @Test
    void volumesResolveThroughTheResolverOrAreRefusedClearly() throws Exception {
        String yaml = """
                version: 1
                rules:
                  - {id: 1, operations: [write], volume: "C:\\\\", audit: }
                  - {id: 2, operations: [write], volume: "\\\\Device\\\\HarddiskVolume9", audit: }
                """;
        Policy p = parse(yaml).policy();
        assertEquals(List.of(V1, "\\Device\\HarddiskVolume9"), p.volumes().stream().map(v -> v.name()).toList());

        PolicyFileException e = assertThrows(PolicyFileException.class,
                () -> PolicyFile.parse("p.yaml", yaml, VolumeResolver.ntNamesOnly()));
        assertEquals(1, e.problems().size());
        assertTrue(e.problems().get(0).message().contains("cannot resolve \"C:\\\""), e.getMessage());
        assertTrue(e.problems().get(0).message().contains("\\Device\\HarddiskVolume3"), e.getMessage());
    }

    @Test
    void warningsNameTheRuleAndDoNotStopTheFile() throws Exception {
        PolicyFile file = parse("""
                version: 1
                rules:
                  - {id: all-docs, operations: [write, create], path: '\\docs\\**', audit: }
                  - {id: report, operations: [write], path: '\\Docs\\Q3\\report.txt', deny: }
                  - {id: other, operations: [write], path: '\\data\\**', deny: }
                  - {id: never, operations: [create], dispositions: [open], when: [created], audit: }
                  - {id: undo, operations: [create], path: '\\u\\**', dispositions: [create, open],
                     deny: {phase: post-create}}
                  - {id: open-only, operations: [create], path: '\\o\\**', dispositions: [open], deny: {phase: post-create}}
                  - {id: away, operations: [create, write], path: '\\x\\**', redirect: '\\Device\\HarddiskVolume7'}
                """);
        List<String> warnings = file.warnings().stream().map(Problem::toString).toList();
        assertEquals(4, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).startsWith("p.yaml:4:5: warning: rule report: never decides anything: rule all-docs"
                + " (line 3)"), warnings.get(0));
        assertTrue(warnings.get(1).contains("rule never: can never match"), warnings.get(1));
        assertTrue(warnings.get(2).contains("rule undo: a post-create DENY cannot undo"), warnings.get(2));
        assertTrue(warnings.get(2).contains("[create]"), warnings.get(2));
        assertTrue(warnings.get(3).contains("rule away: redirects to volume \\Device\\HarddiskVolume7, which is not "
                + "present"), warnings.get(3));
    }

    @Test
    void shadowingNeedsAnEarlierRuleThatCoversEverything() throws Exception {
        PolicyFile file = parse("""
                version: 1
                rules:
                  - {id: 1, operations: [write], path: '\\docs\\**', process-id: 4, audit: }
                  - {id: 2, operations: [write], path: '\\docs\\a.txt', deny: }
                  - {id: 3, operations: [write, read], path: '\\docs\\b.txt', deny: }
                  - {id: 4, operations: [write], path: '\\docs\\*.txt', audit: }
                  - {id: 5, operations: [write], path: '\\docs\\*.txt', process-id: 9, audit: }
                """);
        assertEquals(List.of("rule 5"), file.warnings().stream()
                .map(p -> p.message().substring(0, p.message().indexOf(':'))).toList());
    }

    /**
     * A rule with no path shadows later rules through its image alone (the lint indexes such rules
     * by image so a 10,000-rule file is checked in milliseconds): the same image text (case
     * folded), a literal folder's {@code \**}, {@code \**} itself; a different image, or none,
     * is not shadowed.
     */
    @Test
    void aRootFolderRuleShadowsEveryPathUnderIt() throws Exception {
        PolicyFile file = parse("""
                version: 1
                rules:
                  - {id: everything, operations: [write], path: '\\**', audit: }
                  - {id: later, operations: [write], path: '\\docs\\a.txt', deny: }
                """);
        assertEquals(1, file.warnings().size(), file.warnings().toString());
        assertTrue(file.warnings().get(0).message().contains("rule later: never decides anything: rule everything"),
                file.warnings().toString());
    }

    @Test
    void aRuleWithoutAPathShadowsThroughItsImage() throws Exception {
        PolicyFile file = parse("""
                version: 1
                rules:
                  - {id: tool, operations: [create], image: '**\\tool.exe', deny: }
                  - {id: tools-dir, operations: [write], image: '\\Device\\HarddiskVolume1\\Tools\\**', audit: }
                  - {id: any-image, operations: [read], image: '\\**', audit: }
                  - {id: tool-docs, operations: [create], path: '\\docs\\**', image: '**\\TOOL.EXE', deny: }
                  - {id: tools-bin, operations: [write], path: '\\x', image: '\\Device\\HarddiskVolume1\\tools\\bin\\a.exe', deny: }
                  - {id: read-a, operations: [read], image: '\\Device\\HarddiskVolume1\\a.exe', deny: }
                  - {id: other-tool, operations: [create], image: '**\\other.exe', deny: }
                  - {id: tools-sibling, operations: [write], image: '\\Device\\HarddiskVolume1\\Toolset\\a.exe', deny: }
                  - {id: no-image, operations: [write, create, read], path: '\\Tools\\y', deny: }
                """);
        assertEquals(List.of("rule tool-docs: never decides anything: rule tool (line 3)",
                "rule tools-bin: never decides anything: rule tools-dir (line 4)",
                "rule read-a: never decides anything: rule any-image (line 5)"),
                file.warnings().stream().map(p -> p.message().substring(0, p.message().indexOf(") ") + 1)).toList());
    }

    @Test
    void aNamedRuleKeepsItsIdAcrossLoads() {
        assertEquals(RuleNames.idOf("protect-documents"), RuleNames.idOf("protect-documents"));
        assertTrue(RuleNames.idOf("protect-documents") < 0, "names use the high half, numbers the low half");
        assertTrue(RuleNames.idOf("a") != RuleNames.idOf("b"));
    }
}
