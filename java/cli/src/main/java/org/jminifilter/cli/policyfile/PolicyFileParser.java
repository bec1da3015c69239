package org.jminifilter.cli.policyfile;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.regex.Pattern;

import org.jminifilter.cli.policyfile.Node.ListNode;
import org.jminifilter.cli.policyfile.Node.Location;
import org.jminifilter.cli.policyfile.Node.MapNode;
import org.jminifilter.cli.policyfile.Node.ScalarNode;
import org.jminifilter.cli.answers.Answers;
import org.jminifilter.policy.Action;
import org.jminifilter.policy.DefaultVerdict;
import org.jminifilter.policy.Disposition;
import org.jminifilter.policy.MatchFlag;
import org.jminifilter.policy.Mode;
import org.jminifilter.policy.Operation;
import org.jminifilter.policy.PathPattern;
import org.jminifilter.policy.Policy;
import org.jminifilter.policy.RedirectMechanism;
import org.jminifilter.policy.Rule;
import org.jminifilter.protocol.Config;
import org.jminifilter.protocol.Protocol;

/**
 * Turns the {@link Node}s of a policy file into a {@link Policy}: every key is checked against
 * what the format allows, every name against its table, every value with the policy API's own
 * checks (which are the driver's), and each problem is kept with the place it was written. All
 * errors are collected; any error refuses the file.
 */
final class PolicyFileParser {
    private static final List<String> TOP_KEYS = List.of("version", "description", "mode", "config", "volumes", "rules",
            "answers");
    private static final List<String> CONFIG_KEYS = List.of("ask-timeout-ms", "default-verdict", "default-deny-status",
            "on-disconnect", "max-asks-in-flight", "persist", "locked");
    /**
     * The unlock key of {@code locked: true}: one per process, made at random when first needed and
     * kept in memory only (so re-reading the file gives the same configuration). A process that
     * ends takes it along: only a mandatory unload (a reboot) ends its lock then.
     */
    private static final class ProcessKey {
        static final org.jminifilter.protocol.UnlockKey KEY = org.jminifilter.protocol.UnlockKey.random();
    }
    private static final List<String> MATCH_KEYS = List.of("id", "description", "operations", "volume", "path",
            "image", "process-id", "access", "dispositions", "when");
    private static final List<String> ACTION_KEYS = List.of("allow", "deny", "modify", "redirect", "ask", "audit");
    private static final List<String> PHASES = List.of("pre-operation", "post-create");
    private static final Pattern RULE_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_.-]{0,63}");
    private static final Pattern BUILDER_CONTEXT = Pattern.compile("^(rule #\\d+ \\(id \\d+\\): )+");

    private final String file;
    private final VolumeResolver resolver;
    private final List<Problem> problems = new ArrayList<>();
    private final Map<String, String> aliases = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    private final Map<Integer, String> writtenIds = new HashMap<>();
    private final Set<String> unresolvedAliases = new java.util.TreeSet<>(String.CASE_INSENSITIVE_ORDER);

    private Config base = Config.defaults();
    /** The file's top-level mode, and whether a rule overrode it with {@code mode: enforce}. */
    private Mode fileMode = Mode.ENFORCE;
    private boolean enforceOverride;

    PolicyFileParser(String file, VolumeResolver resolver) {
        this.file = file;
        this.resolver = resolver;
    }

    /** Reads only a {@code config:} map, applied over {@code start}. */
    Config configOnly(Node root, Config start) throws PolicyFileException {
        base = start;
        MapNode top = map(root, "the values");
        Optional<Config> c = top == null ? Optional.empty() : config(top.get("config"));
        if (hasErrors() || c.isEmpty()) {
            throw failure();
        }
        return c.get();
    }

    PolicyFile parse(Node root) throws PolicyFileException {
        MapNode top = map(root, "the policy file");
        if (top == null) {
            throw failure();
        }
        keys(top, TOP_KEYS, "the policy file");
        Node version = top.get("version");
        if (version == null) {
            error(top.location(), "version: missing; a policy file starts with \"version: " + PolicyFile.VERSION + "\"");
        } else {
            Long v = number(version, "version", 0, Integer.MAX_VALUE);
            if (v != null && v != PolicyFile.VERSION) {
                error(version.location(), "version: " + v + " is not a version this program reads (it reads "
                        + PolicyFile.VERSION + ")");
            }
        }
        Optional<Config> config = top.get("config") == null ? Optional.empty() : config(top.get("config"));
        if (top.get("volumes") != null) {
            volumes(top.get("volumes"));
        }
        Mode topMode = top.get("mode") == null ? Mode.ENFORCE : modeOf(top.get("mode"), "mode");
        fileMode = topMode == null ? Mode.ENFORCE : topMode;
        Policy.Builder builder = Policy.builder();
        Map<Integer, String> names = new LinkedHashMap<>();
        List<Location> ruleLocations = new ArrayList<>();
        Node rulesNode = top.get("rules");
        if (rulesNode != null && !(rulesNode instanceof ScalarNode s && s.isNull())) {
            ListNode rules = list(rulesNode, "rules");
            if (rules != null) {
                Map<Integer, Location> ids = new HashMap<>();
                for (int i = 0; i < rules.items().size(); i++) {
                    rule(builder, rules.items().get(i), i, ids, names, ruleLocations);
                }
            }
        }
        if (fileMode == Mode.AUDIT_ONLY && !enforceOverride) {
            builder.auditOnly();        // the whole policy (each rule also says so: the same in the kernel)
        }
        AnswersParser answersParser = new AnswersParser(tools(), top.get("answers"));
        Policy policy = null;
        if (!hasErrors()) {
            try {
                answersParser.addVolumes(builder);
                policy = builder.build();
            } catch (IllegalArgumentException e) {
                error(top.location(), "the policy: " + e.getMessage());
            }
        }
        Answers answers = policy == null ? null : answersParser.resolve(policy, names, ruleLocations);
        if (hasErrors()) {
            throw failure();
        }
        List<Problem> warnings = new ArrayList<>(problems);
        warnings.addAll(new PolicyLint(file, policy, ruleLocations, new RuleNames(names), resolver).warnings());
        warnings.addAll(answersParser.warnings());
        return new PolicyFile(file, policy, config, new RuleNames(names), warnings, answers);
    }

    /** This parser's checks, for the answers section's reader (same rules, same messages). */
    AnswersParser.Tools tools() {
        return new AnswersParser.Tools() {
            @Override
            public String file() {
                return file;
            }

            @Override
            public void error(Location at, String message) {
                PolicyFileParser.this.error(at, message);
            }

            @Override
            public int errorCount() {
                return PolicyFileParser.this.errorCount();
            }

            @Override
            public MapNode map(Node node, String where) {
                return PolicyFileParser.this.map(node, where);
            }

            @Override
            public ListNode list(Node node, String where) {
                return PolicyFileParser.this.list(node, where);
            }

            @Override
            public List<Node> items(Node node) {
                return PolicyFileParser.items(node);
            }

            @Override
            public String text(Node node, String where) {
                return PolicyFileParser.this.text(node, where);
            }

            @Override
            public String word(Node node, String where, List<String> valid) {
                return PolicyFileParser.this.word(node, where, valid);
            }

            @Override
            public EnumSet<Operation> operations(Node node, String where) {
                return PolicyFileParser.this.operations(node, where);
            }

            @Override
            public Long number(Node node, String where, long min, long max) {
                return PolicyFileParser.this.number(node, where, min, max);
            }

            @Override
            public void keys(MapNode m, List<String> allowed, String where) {
                PolicyFileParser.this.keys(m, allowed, where);
            }

            @Override
            public PathPattern pattern(Node node, String where) {
                return PolicyFileParser.this.pattern(node, where);
            }

            @Override
            public String volumeRef(Node node, String where) {
                return PolicyFileParser.this.volumeRef(node, where);
            }

            @Override
            public Consumer<Rule.Builder> action(String kind, Node node, String context) {
                ActionSpec spec = PolicyFileParser.this.action(kind, node, context);
                return spec == null ? null : spec::apply;
            }

            @Override
            public VolumeResolver resolver() {
                return resolver;
            }
        };
    }

    // ------------------------------------------------------------------ sections

    private Optional<Config> config(Node node) {
        MapNode m = map(node, "config");
        if (m == null) {
            return Optional.empty();
        }
        keys(m, CONFIG_KEYS, "config");
        Config c = base;
        int before = errorCount();
        Long timeout = optionalNumber(m, "ask-timeout-ms", 1, Protocol.MAX_ASK_TIMEOUT_MS);
        Node verdict = m.get("default-verdict");
        Integer denyStatus = m.get("default-deny-status") == null ? null : status(m.get("default-deny-status"),
                "config.default-deny-status");
        Node onDisconnect = m.get("on-disconnect");
        Long asks = optionalNumber(m, "max-asks-in-flight", 1, Protocol.MAX_ASKS_IN_FLIGHT);
        Boolean persist = optionalBoolean(m, "persist");
        Boolean locked = optionalBoolean(m, "locked");
        try {
            if (persist != null) {
                c = persist ? c.persisted() : c.notPersisted();
            }
            if (locked != null) {
                c = locked ? c.locked(ProcessKey.KEY) : c.unlocked();
            }
            if (timeout != null) {
                c = c.withAskTimeoutMs(timeout.intValue());
            }
            if (verdict != null) {
                String v = word(verdict, "config.default-verdict", List.of("allow", "deny"));
                if (v != null) {
                    c = c.withDefaultVerdict(v.equals("allow") ? DefaultVerdict.ALLOW : DefaultVerdict.DENY);
                }
            }
            if (denyStatus != null) {
                c = c.withDefaultDenyStatus(denyStatus);
            }
            if (onDisconnect != null) {
                String d = word(onDisconnect, "config.on-disconnect", List.of("keep-policy", "clear-policy"));
                if (d != null) {
                    c = c.withOnDisconnect(d.equals("keep-policy") ? Config.OnDisconnect.KEEP_POLICY
                            : Config.OnDisconnect.CLEAR_POLICY);
                }
            }
            if (asks != null) {
                c = c.withMaxAsksInFlight(asks.intValue());
            }
        } catch (IllegalArgumentException e) {
            error(m.location(), "config: " + e.getMessage());
        }
        return errorCount() == before ? Optional.of(c) : Optional.empty();
    }

    private void volumes(Node node) {
        MapNode m = map(node, "volumes");
        if (m == null) {
            return;
        }
        for (Node.Key key : m.keys().values()) {
            String alias = key.name();
            if (!RULE_NAME.matcher(alias).matches()) {
                error(key.location(), "volumes: \"" + alias + "\" is not a usable name (a letter, then letters, "
                        + "digits, '_', '.' or '-')");
                continue;
            }
            if (alias.length() == 1) {
                error(key.location(), "volumes: \"" + alias + "\" looks like a drive letter; give the volume a "
                        + "longer name");
                continue;
            }
            String written = text(m.get(alias), "volumes." + alias);
            if (written != null) {
                String nt = volumeName(m.get(alias), written, "volumes." + alias);
                if (nt != null) {
                    aliases.put(alias, nt);
                } else {
                    unresolvedAliases.add(alias);
                }
            }
        }
    }

    private void rule(Policy.Builder builder, Node node, int index, Map<Integer, Location> ids,
            Map<Integer, String> names, List<Location> ruleLocations) {
        String where = "rules[" + index + "]";
        MapNode m = map(node, where);
        if (m == null) {
            return;
        }
        int before = errorCount();
        List<String> allowed = new ArrayList<>(MATCH_KEYS);
        allowed.addAll(ACTION_KEYS);
        allowed.add("mode");
        keys(m, allowed, where);

        // id
        Integer id = null;
        String written = null;
        Node idNode = m.get("id");
        if (idNode == null) {
            error(m.location(), where + ": id: missing (a number from 1 to " + RuleNames.MAX_NUMERIC_ID
                    + " or a short name such as protect-documents)");
        } else if (idNode instanceof ScalarNode s && s.kind() == ScalarNode.Kind.INTEGER) {
            Long n = number(idNode, where + ".id", 1, RuleNames.MAX_NUMERIC_ID);
            if (n != null) {
                id = n.intValue();
                written = Long.toString(n);
            }
        } else {
            String name = text(idNode, where + ".id");
            if (name != null && !RULE_NAME.matcher(name).matches()) {
                error(idNode.location(), where + ".id: \"" + name + "\" is not a rule name (a letter, then up to 63 "
                        + "letters, digits, '_', '.' or '-'; or a number)");
            } else if (name != null) {
                id = RuleNames.idOf(name);
                written = name;
            }
        }
        String context = where + (written == null ? "" : " (id " + written + ")");
        if (id != null) {
            Location first = ids.putIfAbsent(id, idNode.location());
            String other = writtenIds.putIfAbsent(id, written);
            if (first != null) {
                error(idNode.location(), context + ": id: " + (written.equals(other) ? "already used"
                        : "\"" + written + "\" and \"" + other + "\" map to the same kernel id; rename one")
                        + " (line " + first.line() + ")");
            }
        }

        // matches
        Node opsNode = m.get("operations");
        if (opsNode == null) {
            error(m.location(), context + ": operations: missing (any of create, read, write, rename, delete; "
                    + "or all)");
        }
        EnumSet<Operation> operations = opsNode == null ? EnumSet.noneOf(Operation.class)
                : operations(opsNode, context + ".operations");
        String volume = m.get("volume") == null ? null : volumeRef(m.get("volume"), context + ".volume");
        PathPattern path = pattern(m.get("path"), context + ".path");
        PathPattern image = pattern(m.get("image"), context + ".image");
        Long pid = optionalNumber(m, "process-id", 1, 0xFFFFFFFFL);
        int access = m.get("access") == null ? 0 : bits(m.get("access"), context + ".access", Names.ACCESS,
                "access right");
        EnumSet<Disposition> dispositions = EnumSet.noneOf(Disposition.class);
        if (m.get("dispositions") != null) {
            for (Node item : items(m.get("dispositions"))) {
                Disposition d = disposition(item, context + ".dispositions");
                if (d != null) {
                    dispositions.add(d);
                }
            }
        }
        EnumSet<MatchFlag> when = EnumSet.noneOf(MatchFlag.class);
        if (m.get("when") != null) {
            for (Node item : items(m.get("when"))) {
                String w = word(item, context + ".when", List.of("directory", "non-directory", "created"));
                if (w != null) {
                    when.add(MatchFlag.valueOf(w.toUpperCase(Locale.ROOT).replace('-', '_')));
                }
            }
        }

        // action
        List<String> given = m.keys().keySet().stream().filter(ACTION_KEYS::contains).toList();
        ActionSpec action = null;
        if (given.isEmpty()) {
            error(m.location(), context + ": no action; give exactly one of " + String.join(", ", ACTION_KEYS));
        } else if (given.size() > 1) {
            error(m.keys().get(given.get(1)).location(), context + ": two actions (" + String.join(" and ", given)
                    + "); a rule has exactly one");
        } else {
            action = action(given.get(0), m.get(given.get(0)), context);
        }

        boolean auditOnly = given.size() == 1 && ruleAuditOnly(m, context, given.get(0));

        if (errorCount() != before || id == null) {
            return;
        }
        final int ruleId = id;
        final ActionSpec spec = action;
        Consumer<Rule.Builder> describe = r -> {
            r.id(ruleId).operations(operations);
            if (volume != null) {
                r.volume(volume);
            }
            if (path != null) {
                r.path(path.pattern());
            }
            if (image != null) {
                r.image(image.pattern());
            }
            if (pid != null) {
                r.processId(pid.intValue());
            }
            r.desiredAccess(access);
            r.dispositions(dispositions.toArray(Disposition[]::new));
            r.matchFlags(when.toArray(MatchFlag[]::new));
            spec.apply(r);
            if (auditOnly) {
                r.auditOnly();
            }
        };
        try {
            builder.rule(describe);
            names.put(ruleId, written);
            ruleLocations.add(m.location());
        } catch (IllegalArgumentException e) {
            error(m.location(), context + ": " + fileWords(BUILDER_CONTEXT.matcher(e.getMessage()).replaceFirst("")));
        }
    }

    /**
     * Whether a rule is audit-only: its own {@code mode:} (enforce | audit-only) when it has one,
     * else the file's. Audit-only applies to deny, modify, redirect and ask; a rule that says
     * {@code mode: audit-only} on allow or audit is an error, and the file's mode leaves them alone.
     */
    private boolean ruleAuditOnly(MapNode m, String context, String actionKind) {
        Node node = m.get("mode");
        Mode mode = node == null ? fileMode : modeOf(node, context + ".mode");
        if (mode == null) {
            return false;
        }
        if (node != null && mode == Mode.ENFORCE) {
            enforceOverride = true;
        }
        boolean applies = !actionKind.equals("allow") && !actionKind.equals("audit");
        if (node != null && mode == Mode.AUDIT_ONLY && !applies) {
            error(node.location(), context + ".mode: audit-only applies to deny, modify, redirect and ask; "
                    + actionKind + " already lets the operation through");
            return false;
        }
        return mode == Mode.AUDIT_ONLY && applies;
    }

    /** {@code enforce} or {@code audit-only}, or null after an error. */
    private Mode modeOf(Node node, String where) {
        String w = word(node, where, List.of(Mode.ENFORCE.label(), Mode.AUDIT_ONLY.label()));
        return w == null ? null : w.equals(Mode.AUDIT_ONLY.label()) ? Mode.AUDIT_ONLY : Mode.ENFORCE;
    }

    /** What an action key said, applied to the rule builder once every match is known. */
    private interface ActionSpec {
        void apply(Rule.Builder r);
    }

    private ActionSpec action(String kind, Node node, String context) {
        String where = context + "." + kind;
        boolean empty = node instanceof ScalarNode s && (s.isNull() || (s.kind() == ScalarNode.Kind.BOOLEAN
                && s.text().equals("true")));
        switch (kind) {
            case "allow":
                if (!empty) {
                    error(node.location(), where + ": takes no value (write \"allow:\" alone)");
                    return null;
                }
                return r -> r.allow();
            case "audit": {
                boolean post = false;
                if (!empty) {
                    MapNode m = map(node, where);
                    if (m == null) {
                        return null;
                    }
                    keys(m, List.of("phase"), where);
                    post = phase(m, where);
                }
                Action.Audit a = post ? Action.audit().inPostCreate() : Action.audit();
                return r -> r.action(a);
            }
            case "deny": {
                int status = Action.STATUS_ACCESS_DENIED;
                boolean post = false;
                if (node instanceof ScalarNode s && !empty) {
                    Integer st = status(s, where);
                    if (st == null) {
                        return null;
                    }
                    status = st;
                } else if (!empty) {
                    MapNode m = map(node, where);
                    if (m == null) {
                        return null;
                    }
                    keys(m, List.of("status", "phase"), where);
                    if (m.get("status") != null) {
                        Integer st = status(m.get("status"), where + ".status");
                        if (st == null) {
                            return null;
                        }
                        status = st;
                    }
                    post = phase(m, where);
                }
                Action.Deny d;
                try {
                    d = Action.deny(status);
                } catch (IllegalArgumentException e) {
                    error(node.location(), where + ": " + fileWords(e.getMessage()));
                    return null;
                }
                Action.Deny a = post ? d.inPostCreate() : d;
                return r -> r.action(a);
            }
            case "modify": {
                MapNode m = map(node, where);
                if (m == null) {
                    return null;
                }
                keys(m, List.of("strip-access", "add-options", "remove-options", "disposition", "add-flags",
                        "remove-flags"), where);
                int before = errorCount();
                int strip = m.get("strip-access") == null ? 0 : bits(m.get("strip-access"), where + ".strip-access",
                        Names.ACCESS, "access right");
                int addOptions = m.get("add-options") == null ? 0 : bits(m.get("add-options"), where + ".add-options",
                        Names.CREATE_OPTIONS, "create option");
                int removeOptions = m.get("remove-options") == null ? 0 : bits(m.get("remove-options"),
                        where + ".remove-options", Names.CREATE_OPTIONS, "create option");
                Disposition disposition = m.get("disposition") == null ? null
                        : disposition(m.get("disposition"), where + ".disposition");
                int addFlags = m.get("add-flags") == null ? 0 : bits(m.get("add-flags"), where + ".add-flags",
                        Names.OPERATION_FLAGS, "operation flag");
                int removeFlags = m.get("remove-flags") == null ? 0 : bits(m.get("remove-flags"),
                        where + ".remove-flags", Names.OPERATION_FLAGS, "operation flag");
                if (errorCount() != before) {
                    return null;
                }
                Action.Modify a;
                try {
                    a = new Action.Modify(strip, addOptions, removeOptions, Optional.ofNullable(disposition), addFlags,
                            removeFlags);
                } catch (IllegalArgumentException e) {
                    error(node.location(), where + ": " + fileWords(e.getMessage()));
                    return null;
                }
                if (!a.changesSomething()) {
                    error(node.location(), where + ": changes nothing; give at least one of strip-access, "
                            + "add-options, remove-options, disposition, add-flags, remove-flags");
                    return null;
                }
                return r -> r.action(a);
            }
            case "redirect": {
                Node to = node;
                Integer fallback = null;
                RedirectMechanism mechanism = RedirectMechanism.TARGET_INSTANCE;
                if (node instanceof MapNode m) {
                    keys(m, List.of("to", "fallback", "mechanism"), where);
                    to = m.get("to");
                    if (to == null) {
                        error(m.location(), where + ".to: missing (the volume to redirect to)");
                        return null;
                    }
                    if (m.get("mechanism") != null) {
                        String name = word(m.get("mechanism"), where + ".mechanism", List.of("target-instance", "reparse"));
                        if (name == null) {
                            return null;
                        }
                        mechanism = RedirectMechanism.fromFileName(name).orElseThrow();
                    }
                    Node fb = m.get("fallback");
                    if (fb != null) {
                        if (fb instanceof ScalarNode s && "pass".equalsIgnoreCase(s.text())) {
                            fallback = null;
                        } else {
                            fallback = status(fb, where + ".fallback");
                            if (fallback == null) {
                                return null;
                            }
                        }
                    }
                }
                String target = volumeRef(to, where + (node instanceof MapNode ? ".to" : ""));
                if (target == null) {
                    return null;
                }
                Integer deny = fallback;
                RedirectMechanism how = mechanism;
                return r -> {
                    if (deny == null) {
                        r.redirect(target);
                    } else {
                        r.redirect(target, deny);
                    }
                    r.mechanism(how);
                };
            }
            case "ask": {
                Action.Ask a = Action.ask();
                if (!empty) {
                    MapNode m = map(node, where);
                    if (m == null) {
                        return null;
                    }
                    keys(m, List.of("timeout-ms", "default", "deny-status", "phase"), where);
                    int before = errorCount();
                    Long timeout = optionalNumber(m, "timeout-ms", 1, Protocol.MAX_ASK_TIMEOUT_MS);
                    String dflt = m.get("default") == null ? "configured"
                            : word(m.get("default"), where + ".default", List.of("allow", "deny", "configured"));
                    Integer denyStatus = m.get("deny-status") == null ? null
                            : status(m.get("deny-status"), where + ".deny-status");
                    boolean post = phase(m, where);
                    if (errorCount() != before || dflt == null) {
                        return null;
                    }
                    if (denyStatus != null && !dflt.equals("deny")) {
                        error(m.get("deny-status").location(), where + ".deny-status: only with \"default: deny\"");
                        return null;
                    }
                    if (timeout != null) {
                        a = a.withTimeoutMs(timeout.intValue());
                    }
                    if (dflt.equals("allow")) {
                        a = a.orAllow();
                    } else if (dflt.equals("deny")) {
                        a = a.orDeny(denyStatus == null ? Action.STATUS_ACCESS_DENIED : denyStatus);
                    }
                    if (post) {
                        a = a.inPostCreate();
                    }
                }
                Action.Ask ask = a;
                return r -> r.action(ask);
            }
            default:
                throw new IllegalStateException(kind);
        }
    }

    // ------------------------------------------------------------------ values

    private boolean phase(MapNode m, String where) {
        Node p = m.get("phase");
        if (p == null) {
            return false;
        }
        String phase = word(p, where + ".phase", PHASES);
        return "post-create".equals(phase);
    }

    private PathPattern pattern(Node node, String where) {
        if (node == null) {
            return null;
        }
        String text = text(node, where);
        if (text == null) {
            return null;
        }
        try {
            return new PathPattern(text);
        } catch (IllegalArgumentException e) {
            error(node.location(), where + ": " + fileWords(e.getMessage()));
            return null;
        }
    }

    private Disposition disposition(Node node, String where) {
        List<String> valid = List.of("supersede", "open", "create", "open-if", "overwrite", "overwrite-if");
        String w = text(node, where);
        if (w == null) {
            return null;
        }
        String c = Names.constant(w);
        if (c.startsWith("FILE_")) {
            c = c.substring(5);
        }
        for (Disposition d : Disposition.values()) {
            if (d.name().equals(c)) {
                return d;
            }
        }
        error(node.location(), where + ": \"" + w + "\" is not a disposition (one of " + String.join(", ", valid)
                + ")" + Names.suggestion(w.toLowerCase(Locale.ROOT).replace('_', '-'), valid));
        return null;
    }

    /** An OR of names from {@code table}, or numbers; one name or a list. */
    private int bits(Node node, String where, Map<String, Integer> table, String what) {
        int mask = 0;
        for (Node item : items(node)) {
            if (item instanceof ScalarNode s && s.kind() == ScalarNode.Kind.INTEGER) {
                Long n = number(item, where, 1, 0xFFFFFFFFL);
                if (n != null) {
                    mask |= n.intValue();
                }
                continue;
            }
            String w = text(item, where);
            if (w == null) {
                continue;
            }
            Optional<Integer> v = Names.lookUp(table, Names.constant(w));
            if (v.isPresent()) {
                mask |= v.get();
            } else if (w.trim().toLowerCase(Locale.ROOT).startsWith("0x")) {
                Long n = number(item, where, 1, 0xFFFFFFFFL);
                if (n != null) {
                    mask |= n.intValue();
                }
            } else {
                error(item.location(), where + ": \"" + w + "\" is not an " + what + " name (for example "
                        + String.join(", ", table.keySet().stream().limit(4).toList()) + ", or a 0x number)"
                        + Names.suggestion(Names.constant(w), table.keySet()));
            }
        }
        return mask;
    }

    /** An NTSTATUS by name (STATUS_ACCESS_DENIED) or number (0xC0000022). */
    private Integer status(Node node, String where) {
        if (node instanceof ScalarNode s && s.kind() == ScalarNode.Kind.INTEGER) {
            Long n = number(node, where, 0, 0xFFFFFFFFL);
            return n == null ? null : n.intValue();
        }
        String w = text(node, where);
        if (w == null) {
            return null;
        }
        if (w.trim().toLowerCase(Locale.ROOT).startsWith("0x")) {
            Long n = number(node, where, 0, 0xFFFFFFFFL);
            return n == null ? null : n.intValue();
        }
        String c = Names.constant(w);
        Optional<Integer> v = Names.lookUp(Names.STATUSES, c.startsWith("STATUS_") ? c : "STATUS_" + c);
        if (v.isEmpty()) {
            error(node.location(), where + ": \"" + w + "\" is not an NTSTATUS name this program knows (write it as "
                    + "0xC... for any other)" + Names.suggestion(c.startsWith("STATUS_") ? c : "STATUS_" + c,
                            Names.STATUSES.keySet()));
            return null;
        }
        return v.get();
    }

    /** A volume reference of a rule: an alias from {@code volumes:}, or a name resolved here. */
    private String volumeRef(Node node, String where) {
        String w = text(node, where);
        if (w == null) {
            return null;
        }
        String alias = aliases.get(w.trim());
        if (alias != null) {
            return alias;
        }
        if (unresolvedAliases.contains(w.trim())) {
            problems.add(Problem.error(file, node.location(), where + ": volume \"" + w.trim()
                    + "\" is not usable (see its error in the volumes section)"));
            return null;
        }
        return volumeName(node, w, where);
    }

    private String volumeName(Node node, String written, String where) {
        String w = written.trim();
        if (VolumeNames.isNtDeviceName(w)) {
            return w.endsWith("\\") ? w.substring(0, w.length() - 1) : w;
        }
        Optional<String> nt = resolver.ntDeviceName(w);
        if (nt.isPresent()) {
            return nt.get();
        }
        String hint = aliases.isEmpty() ? "" : "; the volumes section names " + String.join(", ", aliases.keySet());
        error(node.location(), where + ": cannot resolve \"" + w + "\" to a volume: " + resolver.describe() + hint);
        return null;
    }

    // ------------------------------------------------------------------ shapes

    private MapNode map(Node node, String where) {
        if (node instanceof MapNode m) {
            return m;
        }
        error(node.location(), where + ": expected a map of keys, found " + node.describe());
        return null;
    }

    private ListNode list(Node node, String where) {
        if (node instanceof ListNode l) {
            return l;
        }
        error(node.location(), where + ": expected a list, found " + node.describe());
        return null;
    }

    /** A list's items, or the one value when a single value stands for a list of one. */
    private static List<Node> items(Node node) {
        return node instanceof ListNode l ? l.items() : List.of(node);
    }

    private String text(Node node, String where) {
        if (node instanceof ScalarNode s && !s.isNull() && s.kind() != ScalarNode.Kind.BOOLEAN) {
            if (s.text().isBlank()) {
                error(node.location(), where + ": empty");
                return null;
            }
            return s.text();
        }
        error(node.location(), where + ": expected a text value, found " + node.describe());
        return null;
    }

    /**
     * The operations a list (or one value) names: create, read, write, rename, delete, or all; a
     * word that is none of them is reported and left out.
     */
    private EnumSet<Operation> operations(Node node, String where) {
        EnumSet<Operation> operations = EnumSet.noneOf(Operation.class);
        for (Node item : items(node)) {
            String op = word(item, where, List.of("create", "read", "write", "rename", "delete", "all"));
            if (op != null) {
                if (op.equals("all")) {
                    operations.addAll(EnumSet.allOf(Operation.class));
                } else {
                    operations.add(Operation.valueOf(op.toUpperCase(Locale.ROOT)));
                }
            }
        }
        return operations;
    }

    /** One of {@code valid} (lower case, '-' and '_' alike), returned as written in {@code valid}. */
    private String word(Node node, String where, List<String> valid) {
        String w = text(node, where);
        if (w == null) {
            return null;
        }
        String k = w.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        if (valid.contains(k)) {
            return k;
        }
        error(node.location(), where + ": \"" + w + "\" is not one of " + String.join(", ", valid)
                + Names.suggestion(k, valid));
        return null;
    }

    /** config.{@code key}: true or false, or null when absent (or wrong: an error is recorded). */
    private Boolean optionalBoolean(MapNode m, String key) {
        Node n = m.get(key);
        if (n == null) {
            return null;
        }
        if (n instanceof ScalarNode s && s.kind() == ScalarNode.Kind.BOOLEAN) {
            return s.text().equals("true");
        }
        error(n.location(), "config." + key + ": expected true or false, found " + n.describe());
        return null;
    }

    private Long optionalNumber(MapNode m, String key, long min, long max) {
        Node n = m.get(key);
        return n == null ? null : number(n, key, min, max);
    }

    /** A whole number written in decimal or 0x hex, inside {@code min..max}. */
    private Long number(Node node, String where, long min, long max) {
        if (!(node instanceof ScalarNode s) || s.isNull() || s.kind() == ScalarNode.Kind.BOOLEAN
                || s.kind() == ScalarNode.Kind.DECIMAL) {
            error(node.location(), where + ": expected a whole number, found " + node.describe());
            return null;
        }
        String t = s.text().trim().replace("_", "");
        long v;
        try {
            v = t.toLowerCase(Locale.ROOT).startsWith("0x") ? Long.parseLong(t.substring(2), 16) : Long.parseLong(t);
        } catch (NumberFormatException e) {
            error(node.location(), where + ": \"" + s.text() + "\" is not a whole number");
            return null;
        }
        if (v < min || v > max) {
            error(node.location(), where + ": " + s.text() + " is outside " + min + ".." + max);
            return null;
        }
        return v;
    }

    private void keys(MapNode m, List<String> allowed, String where) {
        // A scan of a few names, not a Set made per call: this runs for every rule and every
        // action of the file (a set per call was 14% of parsing a 10,000-rule file).
        for (Node.Key key : m.keys().values()) {
            if (!allowed.contains(key.name())) {
                error(key.location(), where + ": unknown key \"" + key.name() + "\" (valid: " + String.join(", ", allowed)
                        + ")" + Names.suggestion(key.name(), allowed));
            }
        }
    }

    /** The policy API names the C fields; say them as the file does. */
    private static String fileWords(String message) {
        return message.replace("Action.Status", "status").replace("Action.TargetVolume", "redirect")
                .replace("DesiredAccess", "access").replace("MatchFlags", "when").replace("Dispositions", "dispositions")
                .replace("Operations", "operations").replace("ProcessId", "process-id").replace("Pattern: ", "")
                .replace("Action.TimeoutMs", "timeout-ms").replace("Action.", "");
    }

    // ------------------------------------------------------------------ problems

    private void error(Location at, String message) {
        problems.add(Problem.error(file, at, message));
    }

    private int errorCount() {
        return (int) problems.stream().filter(p -> p.severity() == Problem.Severity.ERROR).count();
    }

    private boolean hasErrors() {
        return errorCount() > 0;
    }

    private PolicyFileException failure() {
        List<Problem> sorted = new ArrayList<>(problems);
        sorted.sort((a, b) -> a.line() != b.line() ? Integer.compare(a.line(), b.line())
                : Integer.compare(a.column(), b.column()));
        return new PolicyFileException(sorted);
    }
}
