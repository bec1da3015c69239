package org.jminifilter.cli.policyfile;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

import org.jminifilter.cli.answers.Answer;
import org.jminifilter.cli.answers.Answers;
import org.jminifilter.cli.answers.TimeWindow;
import org.jminifilter.cli.answers.Verdicts;
import org.jminifilter.cli.policyfile.Node.ListNode;
import org.jminifilter.cli.policyfile.Node.Location;
import org.jminifilter.cli.policyfile.Node.MapNode;
import org.jminifilter.cli.policyfile.Node.ScalarNode;
import org.jminifilter.policy.Action;
import org.jminifilter.policy.CaseFold;
import org.jminifilter.policy.Operation;
import org.jminifilter.policy.PathPattern;
import org.jminifilter.policy.Policy;
import org.jminifilter.policy.Rule;

/**
 * Reads a policy file's {@code answers:} section: asks decided in user mode, without Java.
 *
 * <pre>
 * answers:
 *   - rule: confirm-docx-delete          # the asking rule, as written (a name, a number, or a list)
 *     image: '**\explorer.exe'
 *     between: "08:00-18:00"             # local time
 *     allow:
 *   - rule: confirm-docx-delete
 *     deny: STATUS_ACCESS_DENIED
 * </pre>
 *
 * Matches: {@code rule}, {@code operations}, {@code volume}, {@code path}, {@code image},
 * {@code process-id} (one or a list), {@code between}; the verdict is one of the rules' action keys
 * but {@code ask}, with the rules' syntax. Checked with the parser's own checks and messages, then
 * against the policy: each rule named must exist and ask; the verdict must be one the kernel takes
 * for every ask the answer can match (post-create asks: allow, audit, deny only; a MODIFY of create
 * parameters only on creates; ...). Warnings: an answer an earlier one always decides first, an
 * answer no ask rule can reach, a section without any ASK rule.
 */
final class AnswersParser {
    static final List<String> MATCH_KEYS = List.of("description", "rule", "operations", "volume", "path", "image",
            "process-id", "between");
    static final List<String> VERDICT_KEYS = List.of("allow", "deny", "audit", "modify", "redirect");
    private static final List<String> USER_KEYS = List.of("user", "users", "sid", "user-sid", "account");

    /** What this reader uses of {@link PolicyFileParser}: its checks, so messages are the same everywhere. */
    interface Tools {
        String file();

        void error(Location at, String message);

        int errorCount();

        MapNode map(Node node, String where);

        ListNode list(Node node, String where);

        List<Node> items(Node node);

        String text(Node node, String where);

        String word(Node node, String where, List<String> valid);

        /** The operations a list names (create, read, write, rename, delete, all); others reported. */
        EnumSet<Operation> operations(Node node, String where);

        Long number(Node node, String where, long min, long max);

        void keys(MapNode m, List<String> allowed, String where);

        PathPattern pattern(Node node, String where);

        String volumeRef(Node node, String where);

        /** The rules' action parser: null after reporting an error. */
        Consumer<Rule.Builder> action(String kind, Node node, String context);

        VolumeResolver resolver();
    }

    /** One answer as read, before the policy is known. */
    private record Draft(String where, Location at, Location verdictAt, String verdictKey, List<RuleRef> rules,
            Set<Operation> operations, Optional<String> volume, Optional<PathPattern> path,
            Optional<PathPattern> image, Set<Integer> processIds, Optional<TimeWindow> between, Action verdict,
            String redirectTarget) {
    }

    private record RuleRef(String written, Location at) {
    }

    private final Tools t;
    private final Node section;
    private final List<Draft> drafts = new ArrayList<>();
    private final List<Problem> warnings = new ArrayList<>();

    /** Reads {@code section} (the {@code answers:} value, or null when the file has none). */
    AnswersParser(Tools tools, Node section) {
        this.t = tools;
        this.section = section;
        if (section != null && !(section instanceof ScalarNode s && s.isNull())) {
            ListNode list = t.list(section, "answers");
            if (list != null) {
                for (int i = 0; i < list.items().size(); i++) {
                    read(list.items().get(i), "answers[" + i + "]");
                }
            }
        }
    }

    /** Adds the answers' redirect targets to the policy's volume table, where a verdict's target must be. */
    void addVolumes(Policy.Builder builder) {
        for (Draft d : drafts) {
            if (d.redirectTarget() != null) {
                builder.volume(d.redirectTarget());
            }
        }
    }

    /** The warnings found (only meaningful once {@link #resolve} ran without errors). */
    List<Problem> warnings() {
        return warnings;
    }

    // ------------------------------------------------------------------ reading

    private void read(Node node, String where) {
        MapNode m = t.map(node, where);
        if (m == null) {
            return;
        }
        int before = t.errorCount();
        for (Node.Key key : m.keys().values()) {
            if (USER_KEYS.contains(key.name().toLowerCase(Locale.ROOT))) {
                t.error(key.location(), where + "." + key.name() + ": an ask carries no user or SID (the driver does "
                        + "not send one yet), so an answer cannot match on it; match on image, path, process-id or "
                        + "between instead");
            } else if (key.name().equals("ask")) {
                t.error(key.location(), where + ".ask: an answer cannot ask again; answer with one of "
                        + String.join(", ", VERDICT_KEYS));
            } else if (key.name().equals("id")) {
                t.error(key.location(), where + ".id: answers have no id; to name the asking rule write \"rule: "
                        + "RULE-ID\"");
            }
        }
        List<String> allowed = new ArrayList<>(MATCH_KEYS);
        allowed.addAll(VERDICT_KEYS);
        List<String> known = new ArrayList<>(allowed);
        known.addAll(USER_KEYS);
        known.add("ask");
        known.add("id");
        Map<String, Node.Key> unknown = new LinkedHashMap<>();
        m.keys().forEach((k, v) -> {
            if (!known.contains(k.toLowerCase(Locale.ROOT))) {
                unknown.put(k, v);
            }
        });
        if (!unknown.isEmpty()) {
            MapNode only = new MapNode(new LinkedHashMap<>(unknown), Map.of(), m.location());
            t.keys(only, allowed, where);
        }

        List<RuleRef> rules = new ArrayList<>();
        if (m.get("rule") != null) {
            for (Node item : t.items(m.get("rule"))) {
                if (item instanceof ScalarNode s && s.kind() == ScalarNode.Kind.INTEGER) {
                    rules.add(new RuleRef(s.text().trim(), item.location()));
                } else {
                    String w = t.text(item, where + ".rule");
                    if (w != null) {
                        rules.add(new RuleRef(w.trim(), item.location()));
                    }
                }
            }
        }
        EnumSet<Operation> operations = m.get("operations") == null ? EnumSet.noneOf(Operation.class)
                : t.operations(m.get("operations"), where + ".operations");
        Optional<String> volume = Optional.empty();
        if (m.get("volume") != null) {
            volume = Optional.ofNullable(t.volumeRef(m.get("volume"), where + ".volume"));
        }
        Optional<PathPattern> path = canMatch(m.get("path"), where + ".path", false);
        Optional<PathPattern> image = canMatch(m.get("image"), where + ".image", true);
        Set<Integer> pids = new LinkedHashSet<>();
        if (m.get("process-id") != null) {
            for (Node item : t.items(m.get("process-id"))) {
                Long pid = t.number(item, where + ".process-id", 1, 0xFFFFFFFFL);
                if (pid != null) {
                    pids.add(pid.intValue());
                }
            }
        }
        Optional<TimeWindow> between = Optional.empty();
        if (m.get("between") != null) {
            String w = t.text(m.get("between"), where + ".between");
            if (w != null) {
                StringBuilder why = new StringBuilder();
                between = TimeWindow.parse(w, why);
                if (between.isEmpty()) {
                    t.error(m.get("between").location(), where + ".between: " + why);
                }
            }
        }

        List<String> given = m.keys().keySet().stream().filter(VERDICT_KEYS::contains).toList();
        Action verdict = null;
        String target = null;
        String verdictKey = null;
        Location verdictAt = m.location();
        if (given.isEmpty()) {
            if (m.get("ask") == null) {
                t.error(m.location(), where + ": no verdict; give exactly one of " + String.join(", ", VERDICT_KEYS));
            }
        } else if (given.size() > 1) {
            t.error(m.keys().get(given.get(1)).location(), where + ": two verdicts (" + String.join(" and ", given)
                    + "); an answer has exactly one");
        } else {
            verdictKey = given.get(0);
            verdictAt = m.keys().get(verdictKey).location();
            Consumer<Rule.Builder> spec = t.action(verdictKey, m.get(verdictKey), where);
            if (spec != null) {
                Object[] built = verdictOf(spec, where + "." + verdictKey, verdictAt);
                if (built != null) {
                    verdict = (Action) built[0];
                    target = (String) built[1];
                }
            }
        }
        if (t.errorCount() == before && verdict != null) {
            drafts.add(new Draft(where, m.location(), verdictAt, verdictKey, rules, operations, volume, path, image,
                    pids, between, verdict, target));
        }
    }

    /** A path or image pattern, refused (as a rule's is) when no name can match it. */
    private Optional<PathPattern> canMatch(Node node, String where, boolean image) {
        PathPattern p = t.pattern(node, where);
        if (p == null) {
            return Optional.empty();
        }
        try {
            Rule.Builder r = Rule.builder(1).operations(Operation.CREATE).allow();
            (image ? r.image(p.pattern()) : r.path(p.pattern())).build();
            return Optional.of(p);
        } catch (IllegalArgumentException e) {
            t.error(node.location(), where + ": " + e.getMessage().replaceFirst("^rule id 1: (Path|Image): ", ""));
            return Optional.empty();
        }
    }

    /**
     * Turns the rules' action parser's result into the verdict, by building it as the action of a
     * rule of one operation (the first that takes it). A redirect comes back with its target's NT
     * name, to be looked up in the policy's volume table once the policy is built.
     */
    private Object[] verdictOf(Consumer<Rule.Builder> spec, String where, Location at) {
        IllegalArgumentException first = null;
        for (Operation op : Operation.values()) {
            try {
                Policy scratch = Policy.builder().rule(r -> {
                    r.id(1).operations(op);
                    spec.accept(r);
                }).build();
                Action a = scratch.rules().get(0).action();
                if (a.postCreate()) {
                    t.error(at, where + ": an answer has no phase (it answers in the ask's phase); leave \"phase\" "
                            + "out");
                    return null;
                }
                String target = a instanceof Action.Redirect r ? scratch.volumes().get(r.targetVolume()).name() : null;
                return new Object[] {a, target};
            } catch (IllegalArgumentException e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        t.error(at, where + ": no single operation takes this verdict ("
                + first.getMessage().replaceFirst("^(rule #\\d+ \\(id \\d+\\): )+", "").replaceFirst("^rule id 1: ", "")
                + ")");
        return null;
    }

    // ------------------------------------------------------------------ against the policy

    /**
     * Checks the answers against the built policy and returns them. {@code names} are the rule ids
     * as written; {@code locations} the rules' places, in policy order.
     */
    Answers resolve(Policy policy, Map<Integer, String> names, List<Location> locations) {
        Map<Integer, Action.Ask> askRules = new LinkedHashMap<>();
        Map<Integer, Rule> byId = new HashMap<>();
        for (Rule r : policy.rules()) {
            byId.put(r.ruleId(), r);
            if (r.action() instanceof Action.Ask a) {
                askRules.put(r.ruleId(), a);
            }
        }
        Map<String, Integer> idsByName = new HashMap<>();
        names.forEach((id, written) -> idsByName.put(written, id));
        List<String> askNames = askRules.keySet().stream().map(names::get).toList();
        String askList = askNames.isEmpty() ? "the policy has no ask rule" : "the ask rules are "
                + String.join(", ", askNames);

        if (!drafts.isEmpty() && askRules.isEmpty()) {
            warnings.add(Problem.warning(t.file(), section.location(), "answers: no rule asks (no rule has an \"ask\" "
                    + "action), so no answer is ever used"));
        }
        List<Answer> answers = new ArrayList<>();
        List<Draft> kept = new ArrayList<>();
        for (Draft d : drafts) {
            int before = t.errorCount();
            Set<Integer> ruleIds = new LinkedHashSet<>();
            for (RuleRef ref : d.rules()) {
                Integer id = idsByName.get(ref.written());
                if (id == null) {
                    t.error(ref.at(), d.where() + ".rule: no rule \"" + ref.written() + "\" in this file; " + askList
                            + Names.suggestion(ref.written(), askNames));
                } else if (!askRules.containsKey(id)) {
                    t.error(ref.at(), d.where() + ".rule: rule " + ref.written() + " does not ask (its action is "
                            + byId.get(id).action().type().name().toLowerCase(Locale.ROOT) + "), so no ask of it comes "
                            + "to an answer; " + askList);
                } else {
                    ruleIds.add(id);
                }
            }
            if (t.errorCount() != before) {
                continue;
            }
            Action verdict = d.verdict();
            if (verdict instanceof Action.Redirect r) {
                verdict = new Action.Redirect(policy.volumeIndex(d.redirectTarget()), r.fallbackDeny(), r.status());
                if (!t.resolver().isPresent(d.redirectTarget())) {
                    warnings.add(Problem.warning(t.file(), d.verdictAt(), d.where() + ": redirects to volume "
                            + d.redirectTarget() + ", which is not present on this machine"));
                }
            }
            // What the answer can be asked about: each rule it names (or every ask rule), each operation of it.
            List<Integer> reach = ruleIds.isEmpty() ? new ArrayList<>(askRules.keySet()) : new ArrayList<>(ruleIds);
            boolean reachable = false;
            for (int id : reach) {
                Rule rule = byId.get(id);
                for (Operation op : rule.operations()) {
                    if (!d.operations().isEmpty() && !d.operations().contains(op)) {
                        continue;
                    }
                    reachable = true;
                    Optional<String> problem = Verdicts.problem(verdict, op, rule.isPostCreate());
                    if (problem.isPresent() && t.errorCount() == before) {
                        String phase = rule.isPostCreate() ? "post-create " : "";
                        t.error(d.verdictAt(), d.where() + "." + d.verdictKey() + ": cannot answer the " + phase
                                + op.name().toLowerCase(Locale.ROOT) + " asks of rule " + names.get(id) + ": "
                                + problem.get() + (ruleIds.isEmpty() || d.operations().isEmpty()
                                        ? " (limit the answer with \"rule:\" or \"operations:\")" : ""));
                    }
                }
            }
            if (t.errorCount() != before) {
                continue;
            }
            if (!reachable && !askRules.isEmpty()) {
                String ops = d.operations().stream().map(o -> o.name().toLowerCase(Locale.ROOT)).sorted().toList()
                        .toString();
                warnings.add(Problem.warning(t.file(), d.at(), d.where() + ": can never match: "
                        + (ruleIds.isEmpty() ? "no ask rule asks about " + ops
                                : "the rules it names do not ask about " + ops)));
            }
            Answer a = new Answer(d.where(), d.at().line(), ruleIds, d.operations(), d.volume(), d.path(), d.image(),
                    d.processIds(), d.between(), verdict);
            for (int j = 0; j < answers.size(); j++) {
                if (covers(answers.get(j), a)) {
                    warnings.add(Problem.warning(t.file(), d.at(), d.where() + ": never decides anything: "
                            + answers.get(j).where() + " (line " + kept.get(j).at().line() + ") comes first and "
                            + "matches every ask this answer matches"));
                    break;
                }
            }
            answers.add(a);
            kept.add(d);
        }
        return new Answers(answers, askRules);
    }

    /** True when every ask {@code later} matches is matched by {@code earlier} too. */
    private static boolean covers(Answer earlier, Answer later) {
        return subset(earlier.rules(), later.rules())
                && subset(earlier.operations(), later.operations())
                && (earlier.volume().isEmpty() || (later.volume().isPresent()
                        && CaseFold.equal(earlier.volume().get(), later.volume().get())))
                && patternCovers(earlier.path(), later.path())
                && patternCovers(earlier.image(), later.image())
                && subset(earlier.processIds(), later.processIds())
                && (earlier.between().isEmpty() || earlier.between().equals(later.between()));
    }

    /** An empty set stands for everything. */
    private static <T> boolean subset(Set<T> earlier, Set<T> later) {
        return earlier.isEmpty() || (!later.isEmpty() && earlier.containsAll(later));
    }

    private static boolean patternCovers(Optional<PathPattern> earlier, Optional<PathPattern> later) {
        if (earlier.isEmpty() || earlier.get().pattern().equals("**")) {
            return true;
        }
        if (later.isEmpty()) {
            return false;
        }
        String e = earlier.get().pattern();
        String l = later.get().pattern();
        if (CaseFold.equal(e, l)) {
            return true;
        }
        if (e.endsWith("\\**")) {
            String folder = e.substring(0, e.length() - 2);
            return folder.indexOf('*') < 0 && folder.indexOf('?') < 0 && l.length() >= folder.length()
                    && CaseFold.equal(folder, l.substring(0, folder.length()));
        }
        return false;
    }
}
