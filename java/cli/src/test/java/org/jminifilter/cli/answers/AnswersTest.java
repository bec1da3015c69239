package org.jminifilter.cli.answers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import org.jminifilter.cli.policyfile.PolicyFile;
import org.jminifilter.cli.policyfile.PolicyFileException;
import org.jminifilter.cli.policyfile.Problem;
import org.jminifilter.cli.policyfile.RuleNames;
import org.jminifilter.cli.policyfile.VolumeResolver;
import org.jminifilter.policy.Access;
import org.jminifilter.policy.Action;
import org.jminifilter.policy.Operation;
import org.jminifilter.protocol.Ask;
import org.jminifilter.protocol.Config;
import org.jminifilter.protocol.NtStatus;
import org.jminifilter.protocol.Protocol;
import org.junit.jupiter.api.Test;

/** The answers section: what decides an ask, in which order, when; and how a bad section is reported. */
class AnswersTest {
    private static final String V1 = "\\Device\\HarddiskVolume1";
    private static final String V2 = "\\Device\\HarddiskVolume2";
    private static final VolumeResolver LETTERS = VolumeResolver.of(Map.of("C:", V1, "D:", V2), "the test's volumes");
    private static final String EXPLORER = V1 + "\\Windows\\explorer.exe";
    private static final String NOTEPAD = V1 + "\\Windows\\notepad.exe";

    private static final String RULES = """
            version: 1
            config: {default-verdict: allow}
            rules:
              - id: confirm-delete
                operations: [delete]
                path: '**\\*.docx'
                ask: {timeout-ms: 2000, default: deny, deny-status: STATUS_MEDIA_WRITE_PROTECTED}
              - id: downloads
                operations: [create]
                path: \\Users\\*\\Downloads\\*.exe
                when: [non-directory]
                ask: {phase: post-create}
              - id: writes
                operations: [create, write]
                path: \\data\\**
                ask: {default: allow}
              - id: 9
                operations: [create]
                path: \\locked\\**
                deny:
            """;

    private static final String ANSWERS = RULES + """
            answers:
              - rule: confirm-delete
                image: '**\\explorer.exe'
                between: "08:00-18:00"
                allow:
              - rule: confirm-delete
                process-id: [1200, 1300]
                audit:
              - rule: writes
                operations: [create]
                path: \\data\\cache\\**
                redirect: "D:"
              - rule: writes
                operations: create
                modify: {strip-access: FILE_WRITE_DATA}
              - rule: downloads
                path: '\\Users\\bob\\**'
                deny: STATUS_VIRUS_INFECTED
            """;

    private static PolicyFile parse(String yaml) throws PolicyFileException {
        return PolicyFile.parse("p.yaml", yaml, LETTERS);
    }

    private static Clock at(int hour, int minute) {
        return Clock.fixed(LocalDateTime.of(2026, 11, 27, hour, minute).toInstant(ZoneOffset.UTC), ZoneId.of("UTC"));
    }

    private static AnswersHandler handler(PolicyFile file, Clock clock) {
        return new AnswersHandler(() -> file, () -> file.config().orElse(Config.defaults()), null, clock);
    }

    private static Ask.Builder ask(String rule) {
        return Ask.builder().ruleId(RuleNames.idOf(rule));
    }

    private static Ask deleteDocx(int pid, String image) {
        return ask("confirm-delete").operation(Operation.DELETE).processId(pid).path("\\docs\\plan.DOCX")
                .image(image).build();
    }

    @Test
    void theFirstMatchingAnswerDecidesAndNoMatchGetsTheRulesDefault() throws Exception {
        PolicyFile file = parse(ANSWERS);
        assertEquals(List.of(), file.warnings());
        AnswersHandler h = handler(file, at(9, 0));

        assertEquals(Action.allow(), h.decide(deleteDocx(1200, EXPLORER)), "answers[0] comes before answers[1]");
        assertEquals(Action.audit(), h.decide(deleteDocx(1200, NOTEPAD)), "answers[1]: another image");
        assertEquals(Action.deny(NtStatus.MEDIA_WRITE_PROTECTED.value()), h.decide(deleteDocx(4, NOTEPAD)),
                "no answer: the rule's default, with its status");

        Ask create = ask("writes").operation(Operation.CREATE).path("\\data\\x").build();
        assertEquals(Action.modify().withAccessClear(Access.FILE_WRITE_DATA), h.decide(create));
        Ask cache = ask("writes").operation(Operation.CREATE).path("\\data\\cache\\x").build();
        assertEquals(Action.redirect(file.policy().volumeIndex(V2)), h.decide(cache));
        Ask write = ask("writes").operation(Operation.WRITE).path("\\data\\x").build();
        assertEquals(Action.allow(), h.decide(write), "answers name create only: the rule's default, allow");

        Ask bob = ask("downloads").postCreate().path("\\Users\\bob\\Downloads\\setup.exe").build();
        assertEquals(Action.deny(NtStatus.VIRUS_INFECTED.value()), h.decide(bob));
        Ask eve = ask("downloads").postCreate().path("\\Users\\eve\\Downloads\\setup.exe").build();
        assertEquals(Action.allow(), h.decide(eve), "the rule's default is the configuration's: allow");

        PolicyFile denying = parse(ANSWERS.replace("default-verdict: allow", "default-verdict: deny"));
        assertEquals(Action.deny(), handler(denying, at(9, 0)).decide(eve), "configured deny: fail closed");
        Ask unknownRule = Ask.builder().ruleId(4711).operation(Operation.DELETE).path("\\docs\\plan.docx")
                .image(EXPLORER).build();
        assertEquals(Action.deny(), handler(denying, at(9, 0)).decide(unknownRule),
                "an ask of a rule the file does not have: no answer names it... and the configured default");
    }

    @Test
    void pathsAndImagesMatchAsTheKernelDoesAndATruncatedPathNeverMatches() throws Exception {
        PolicyFile file = parse(ANSWERS);
        AnswersHandler h = handler(file, at(9, 0));
        Ask upper = ask("downloads").postCreate().path("\\USERS\\BOB\\Downloads\\x.exe").build();
        assertEquals(Action.deny(NtStatus.VIRUS_INFECTED.value()), h.decide(upper), "case folded");
        Ask cut = ask("downloads").postCreate().flags(Protocol.ASK_FLAG_POST_CREATE | Protocol.ASK_FLAG_PATH_TRUNCATED)
                .path("\\Users\\bob\\Downloads\\x.exe").build();
        assertEquals(Action.allow(), h.decide(cut), "what was cut is unknown: the default");
        Ask otherImage = deleteDocx(4, V1 + "\\Windows\\explorer.exe.bak");
        assertEquals(Action.deny(NtStatus.MEDIA_WRITE_PROTECTED.value()), h.decide(otherImage));
    }

    @Test
    void aRedirectAnswerNamesTheVolumeInThePolicysTable() throws Exception {
        PolicyFile file = parse(ANSWERS);
        int d = file.policy().volumeIndex(V2);
        assertTrue(d >= 0, "the answer's target is in the pushed volume table: " + file.policy().volumes());
        Answer redirect = file.answers().list().get(2);
        assertEquals(Action.redirect(d), redirect.verdict());
    }

    @Test
    void timeWindowsIncludeTheirStartAndExcludeTheirEnd() throws Exception {
        PolicyFile file = parse(ANSWERS);
        Action rulesDefault = Action.deny(NtStatus.MEDIA_WRITE_PROTECTED.value());
        assertEquals(rulesDefault, handler(file, at(7, 59)).decide(deleteDocx(4, EXPLORER)));
        assertEquals(Action.allow(), handler(file, at(8, 0)).decide(deleteDocx(4, EXPLORER)));
        assertEquals(Action.allow(), handler(file, at(17, 59)).decide(deleteDocx(4, EXPLORER)));
        assertEquals(rulesDefault, handler(file, at(18, 0)).decide(deleteDocx(4, EXPLORER)));

        PolicyFile night = parse(ANSWERS.replace("08:00-18:00", "22:00-06:00"));
        assertEquals(Action.allow(), handler(night, at(23, 30)).decide(deleteDocx(4, EXPLORER)));
        assertEquals(Action.allow(), handler(night, at(0, 0)).decide(deleteDocx(4, EXPLORER)));
        assertEquals(rulesDefault, handler(night, at(6, 0)).decide(deleteDocx(4, EXPLORER)));
        assertEquals(rulesDefault, handler(night, at(12, 0)).decide(deleteDocx(4, EXPLORER)));

        PolicyFile toMidnight = parse(ANSWERS.replace("08:00-18:00", "20:00-24:00"));
        assertEquals(Action.allow(), handler(toMidnight, at(23, 59)).decide(deleteDocx(4, EXPLORER)));
        assertEquals(rulesDefault, handler(toMidnight, at(0, 0)).decide(deleteDocx(4, EXPLORER)));
    }

    @Test
    void anAnswerWithNoMatchesAnswersEveryAskItsVerdictFits() throws Exception {
        PolicyFile file = parse(RULES + """
                answers:
                  - deny:
                """);
        AnswersHandler h = handler(file, at(9, 0));
        assertEquals(Action.deny(), h.decide(deleteDocx(4, NOTEPAD)));
        Ask download = ask("downloads").postCreate().path("\\Users\\x\\Downloads\\y.exe").build();
        assertEquals(Action.deny(), h.decide(download), "a post-create ask takes a deny");
    }

    // ------------------------------------------------------------------ validation

    private static List<Problem> errors(String yaml) {
        PolicyFileException e = assertThrows(PolicyFileException.class, () -> parse(yaml));
        return e.problems().stream().filter(p -> p.severity() == Problem.Severity.ERROR).toList();
    }

    private static Problem onlyError(String yaml) {
        List<Problem> errors = errors(yaml);
        assertEquals(1, errors.size(), errors.toString());
        return errors.get(0);
    }

    private static int lineOf(String yaml, String text) {
        String[] lines = yaml.split("\n");
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].contains(text)) {
                return i + 1;
            }
        }
        throw new AssertionError(text + " not in the file");
    }

    @Test
    void anUnknownRuleIsAnErrorListingTheAskRulesWithASuggestion() {
        String yaml = RULES + """
                answers:
                  - rule: confirm-delte
                    allow:
                """;
        Problem p = onlyError(yaml);
        assertEquals(lineOf(yaml, "confirm-delte"), p.line());
        assertEquals(11, p.column());
        assertTrue(p.message().contains("answers[0].rule: no rule \"confirm-delte\" in this file; the ask rules are "
                + "confirm-delete, downloads, writes; did you mean confirm-delete?"), p.message());
    }

    @Test
    void aRuleThatDoesNotAskIsAnError() {
        String yaml = RULES + """
                answers:
                  - rule: 9
                    allow:
                """;
        Problem p = onlyError(yaml);
        assertEquals(lineOf(yaml, "rule: 9"), p.line());
        assertTrue(p.message().contains("rule 9 does not ask (its action is deny)"), p.message());
    }

    @Test
    void postCreateAsksTakeOnlyAllowAuditOrDeny() {
        String yaml = RULES + """
                answers:
                  - rule: downloads
                    modify: {strip-access: FILE_WRITE_DATA}
                """;
        Problem p = onlyError(yaml);
        assertEquals(lineOf(yaml, "modify:"), p.line());
        assertTrue(p.message().contains("answers[0].modify: cannot answer the post-create create asks of rule "
                + "downloads: MODIFY cannot answer a post-create ask (only allow, audit or deny)"), p.message());

        Problem unnamed = onlyError(RULES + """
                answers:
                  - operations: [create]
                    redirect: "D:"
                """);
        assertTrue(unnamed.message().contains("rule downloads") && unnamed.message().contains("limit the answer with"),
                unnamed.message());
    }

    @Test
    void aVerdictMustFitEveryOperationItCanAnswer() {
        Problem p = onlyError(RULES + """
                answers:
                  - rule: writes
                    modify: {strip-access: FILE_WRITE_DATA}
                """);
        assertTrue(p.message().contains("cannot answer the write asks of rule writes: Operations: MODIFY edits create "
                + "parameters, but the rule has no CREATE"), p.message());
    }

    @Test
    void userAndSidCannotBeMatchedAndSayWhy() {
        String yaml = RULES + """
                answers:
                  - rule: writes
                    user: bob
                    allow:
                """;
        Problem p = onlyError(yaml);
        assertEquals(lineOf(yaml, "user: bob"), p.line());
        assertTrue(p.message().contains("an ask carries no user or SID"), p.message());
    }

    @Test
    void everyMistakeInAnAnswerIsPlaced() {
        String yaml = RULES + """
                answers:
                  - rule: writes
                    between: "8-18"
                    imgae: '**\\x.exe'
                    allow:
                    deny:
                  - rule: writes
                    ask: {}
                  - rule: writes
                    dney:
                  - rule: writes
                    deny: STATUS_ACCES_DENIED
                  - rule: writes
                    path: 'data\\**'
                    allow:
                  - writes
                """;
        List<Problem> errors = errors(yaml);
        List<String> messages = errors.stream().map(Problem::toString).toList();
        assertEquals(9, errors.size(), String.join("\n", messages));
        String all = String.join("\n", messages);
        assertTrue(all.contains("p.yaml:" + lineOf(yaml, "8-18") + ":14: error: answers[0].between: \"8-18\" is not a "
                + "time window"), all);
        assertTrue(all.contains(lineOf(yaml, "imgae") + ":5: error: answers[0]: unknown key \"imgae\"")
                && all.contains("did you mean image?"), all);
        assertTrue(all.contains((lineOf(yaml, "imgae") + 2) + ":5: error: answers[0]: two verdicts (allow and deny)"),
                all);
        assertTrue(all.contains("answers[1].ask: an answer cannot ask again"), all);
        assertTrue(all.contains("answers[2]: unknown key \"dney\"") && all.contains("did you mean deny?"), all);
        assertTrue(all.contains("answers[2]: no verdict; give exactly one of allow, deny, audit, modify, redirect"),
                all);
        assertTrue(all.contains("answers[3].deny: \"STATUS_ACCES_DENIED\" is not an NTSTATUS name")
                && all.contains("did you mean STATUS_ACCESS_DENIED?"), all);
        assertTrue(all.contains(lineOf(yaml, "'data\\**'") + ":11: error: answers[4].path: \"data\\**\" "), all);
        assertTrue(all.contains("answers[5]: expected a map of keys"), all);
    }

    @Test
    void warningsForAnswersThatNeverDecide() throws Exception {
        String yaml = RULES + """
                answers:
                  - rule: confirm-delete
                    allow:
                  - rule: confirm-delete
                    image: '**\\explorer.exe'
                    deny:
                  - rule: [writes]
                    operations: [delete]
                    allow:
                """;
        PolicyFile file = parse(yaml);
        List<String> w = file.warnings().stream().map(Problem::toString).toList();
        assertEquals(2, w.size(), w.toString());
        assertTrue(w.get(0).startsWith("p.yaml:" + (lineOf(yaml, "image: '**\\explorer.exe'") - 1) + ":5:"), w.get(0));
        assertTrue(w.get(0).contains("answers[1]: never decides anything: answers[0] (line "
                + lineOf(yaml, "- rule: confirm-delete") + ") comes first"), w.get(0));
        assertTrue(w.get(1).contains("answers[2]: can never match: the rules it names do not ask about [delete]"),
                w.get(1));

        PolicyFile noAsk = parse("""
                version: 1
                rules:
                  - {id: 1, operations: [create], path: '\\x\\**', deny: }
                answers:
                  - allow:
                """);
        assertEquals(1, noAsk.warnings().size(), noAsk.warnings().toString());
        assertTrue(noAsk.warnings().get(0).message().contains("no rule asks"), noAsk.warnings().toString());
        assertEquals(5, noAsk.warnings().get(0).line());
    }

    @Test
    void anEmptyOrMissingAnswersSectionStillKnowsTheAskRulesDefaults() throws Exception {
        PolicyFile file = parse(RULES);
        assertEquals(List.of(), file.answers().list());
        assertEquals(Action.deny(NtStatus.MEDIA_WRITE_PROTECTED.value()),
                handler(file, at(9, 0)).decide(deleteDocx(4, EXPLORER)));
        assertEquals(List.of(), parse(RULES + "answers:\n").answers().list());
    }
}
