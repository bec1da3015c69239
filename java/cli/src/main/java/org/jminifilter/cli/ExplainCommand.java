package org.jminifilter.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.jminifilter.cli.explain.Explainer;
import org.jminifilter.cli.output.ActionText;
import org.jminifilter.cli.policyfile.PolicyFile;
import org.jminifilter.cli.policyfile.PolicyFileException;
import org.jminifilter.emulator.DriverMatcher;
import org.jminifilter.policy.Access;
import org.jminifilter.policy.Disposition;
import org.jminifilter.policy.MatchFlag;
import org.jminifilter.policy.Operation;
import org.jminifilter.policy.Policy;
import org.jminifilter.policy.PolicyCodec;
import org.jminifilter.policy.Rule;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code jminifilter explain FILE --op create --path ...}: which rule of a policy file decides an
 * operation, and why each rule before it does not match. The decision is computed by the
 * driver's own C matcher (JmfPolicyMatch in libjmfemu.so) where that library loads (Linux
 * x86-64), and by the Java mirror elsewhere; the output says which, and where both ran, that
 * they agree (a disagreement is a bug, exit 4).
 */
@Command(name = "explain", mixinStandardHelpOptions = true,
        description = {"Shows which rule of a policy file decides an operation, and why the rules before it",
                "do not match. Needs no driver."})
final class ExplainCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Parameters(paramLabel = "FILE", description = "The policy file.")
    Path file;

    @Option(names = "--op", required = true, paramLabel = "OPERATION",
            description = "create, read, write, rename or delete.")
    String op;

    @Option(names = "--path", required = true, paramLabel = "PATH",
            description = "The volume-relative path, e.g. \\Users\\bob\\report.docx.")
    String path;

    @Option(names = "--on", paramLabel = "VOLUME", defaultValue = "C:",
            description = "The operation's volume: a drive letter, an NT device name, ... (default: ${DEFAULT-VALUE}).")
    String on;

    @Option(names = "--image", paramLabel = "IMAGE", defaultValue = "",
            description = "The requesting process's image, an NT path (\\Device\\HarddiskVolume1\\Windows\\notepad.exe).")
    String image;

    @Option(names = "--pid", paramLabel = "PID", defaultValue = "0", description = "The requesting process id.")
    long pid;

    @Option(names = "--access", paramLabel = "RIGHT", split = ",",
            description = "Creates: the desired access (names such as FILE_WRITE_DATA, or 0x numbers).")
    List<String> access = new ArrayList<>();

    @Option(names = "--disposition", paramLabel = "DISPOSITION",
            description = "Creates: supersede, open, create, open-if, overwrite or overwrite-if (default: open).")
    String disposition;

    @Option(names = "--directory", description = "Post-create: the opened object is a directory.")
    boolean directory;

    @Option(names = "--created", description = "Post-create: the open created the file.")
    boolean created;

    @Option(names = "--json", description = "One JSON object.")
    boolean json;

    @Mixin
    VolumeOptions volumes;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        PolicyFile policyFile;
        try {
            policyFile = PolicyFile.read(file, volumes.resolver());
        } catch (PolicyFileException e) {
            e.problems().forEach(err::println);
            return ExitCodes.INVALID;
        } catch (NoSuchFileException e) {
            err.println("jminifilter: " + file + ": no such file");
            return ExitCodes.INVALID;
        }
        Operation operation = parse(Operation.class, op, "--op");
        Disposition d = disposition == null ? Disposition.OPEN : parse(Disposition.class, disposition, "--disposition");
        String volume = volumes.resolver().ntDeviceName(on).orElse(on);
        if (!volume.regionMatches(true, 0, "\\Device\\", 0, 8)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--on: cannot resolve \"" + on
                    + "\" to a volume here (give --volume " + on + "=\\Device\\HarddiskVolumeN, or an NT device name)");
        }
        int desired = accessMask();
        EnumSet<MatchFlag> observed = EnumSet.of(directory ? MatchFlag.DIRECTORY : MatchFlag.NON_DIRECTORY);
        if (created) {
            observed.add(MatchFlag.CREATED);
        }
        Explainer.Facts facts = new Explainer.Facts(operation, volume, path, image, (int) pid, desired,
                operation == Operation.CREATE ? Optional.of(d) : Optional.empty(), observed);
        Policy policy = policyFile.policy();
        List<Explainer.Phase> phases = Explainer.explain(policy, facts);

        // The driver's own matcher, where it can run, must agree phase by phase.
        boolean driver = DriverMatcher.isAvailable();
        if (driver) {
            java.nio.ByteBuffer body = PolicyCodec.encode(policy);
            for (Explainer.Phase phase : phases) {
                int which = phase.name().equals("post-create") ? DriverMatcher.PHASE_POST_CREATE : DriverMatcher.PHASE_PRE;
                int observedBits = phase.name().equals("post-create") ? MatchFlag.mask(observed) : 0;
                OptionalInt c = DriverMatcher.match(body, which, operation, volume, (int) pid, desired,
                        operation == Operation.CREATE ? d.code() : 0, 0, observedBits, path, image);
                if (!c.equals(phase.decidedBy())) {
                    err.println("jminifilter: the driver's matcher and the Java mirror disagree in the " + phase.name()
                            + " phase (driver: " + describe(policyFile, policy, c) + ", Java: "
                            + describe(policyFile, policy, phase.decidedBy()) + "): please report this");
                    return ExitCodes.FAILED;
                }
            }
        }
        String computedBy = driver ? "the driver's own matcher (JmfPolicyMatch in libjmfemu.so); the Java mirror agrees"
                : "the Java mirror of the driver's matcher (the driver's own, libjmfemu.so, does not run here)";
        if (json) {
            out.println(json(policyFile, phases, computedBy));
        } else {
            print(out, policyFile, facts, phases, computedBy);
        }
        out.flush();
        return ExitCodes.OK;
    }

    private int accessMask() {
        int mask = 0;
        for (String a : access) {
            String name = a.trim().toUpperCase(Locale.ROOT);
            Integer v = Access.names().get(name);
            if (v != null) {
                mask |= v;
            } else if (name.startsWith("0X")) {
                try {
                    mask |= (int) Long.parseLong(name.substring(2), 16);
                } catch (NumberFormatException e) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "--access: \"" + a + "\" is not a number");
                }
            } else {
                throw new CommandLine.ParameterException(spec.commandLine(), "--access: \"" + a
                        + "\" is not an access right (FILE_READ_DATA, FILE_WRITE_DATA, GENERIC_WRITE, ... or 0x...)");
            }
        }
        return mask;
    }

    private <E extends Enum<E>> E parse(Class<E> type, String written, String option) {
        String name = written.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (E e : type.getEnumConstants()) {
            if (e.name().equals(name)) {
                return e;
            }
        }
        List<String> valid = new ArrayList<>();
        for (E e : type.getEnumConstants()) {
            valid.add(e.name().toLowerCase(Locale.ROOT).replace('_', '-'));
        }
        throw new CommandLine.ParameterException(spec.commandLine(), option + ": \"" + written + "\" is not one of "
                + String.join(", ", valid));
    }

    private static String describe(PolicyFile file, Policy policy, OptionalInt index) {
        if (index.isEmpty()) {
            return "no rule";
        }
        Rule r = policy.rules().get(index.getAsInt());
        return "rule " + file.ruleNames().describe(r.ruleId());
    }

    private static void print(PrintWriter out, PolicyFile file, Explainer.Facts f, List<Explainer.Phase> phases,
            String computedBy) {
        out.printf("%s %s on %s%s%s%n", f.operation(), f.path(), f.volume(),
                f.image().isEmpty() ? "" : " by " + f.image(), f.processId() != 0 ? " (pid " + f.processId() + ")" : "");
        Optional<Rule> decided = Optional.empty();
        for (Explainer.Phase phase : phases) {
            out.println();
            out.println(phase.name() + " phase:");
            if (phase.trials().isEmpty()) {
                out.println("  no rule of the policy is tried in this phase");
            }
            for (Explainer.Trial t : phase.trials()) {
                String name = file.ruleNames().describe(t.rule().ruleId());
                out.printf("  rule %s: %s%n", name, t.whyNot().map(w -> "no: " + w)
                        .orElse("MATCHES and decides: " + decides(t.rule(), file)));
            }
            if (phase.decidedBy().isPresent()) {
                decided = Optional.of(file.policy().rules().get(phase.decidedBy().getAsInt()));
            }
        }
        if (phases.size() == 1 && f.operation() == Operation.CREATE) {
            out.println();
            out.println("post-create phase: not reached (the pre-operation DENY fails the open)");
        }
        out.println();
        out.println(decided.map(r -> "decided by rule " + file.ruleNames().describe(r.ruleId()) + ": "
                + decides(r, file))
                .orElse("no rule matches: the operation passes unchanged"));
        out.println("computed by " + computedBy);
    }

    /** The rule's action, and for an audit-only rule that it is only reported. */
    private static String decides(Rule rule, PolicyFile file) {
        return ActionText.of(rule.action(), file.policy()) + (file.policy().isAuditOnly(rule)
                ? " (audit-only: reported as would, not applied; the operation passes unchanged)" : "");
    }

    private static ObjectNode json(PolicyFile file, List<Explainer.Phase> phases, String computedBy) {
        ObjectNode o = JSON.createObjectNode();
        ArrayNode ps = o.putArray("phases");
        for (Explainer.Phase phase : phases) {
            ObjectNode p = ps.addObject();
            p.put("phase", phase.name());
            ArrayNode trials = p.putArray("rules");
            for (Explainer.Trial t : phase.trials()) {
                ObjectNode r = trials.addObject();
                r.put("rule", file.ruleNames().describe(t.rule().ruleId()));
                r.put("matches", t.whyNot().isEmpty());
                t.whyNot().ifPresent(w -> r.put("whyNot", w));
            }
            if (phase.decidedBy().isPresent()) {
                Rule rule = file.policy().rules().get(phase.decidedBy().getAsInt());
                p.put("decidedBy", file.ruleNames().describe(rule.ruleId()));
                p.put("action", ActionText.of(rule.action(), file.policy()));
                p.put("auditOnly", file.policy().isAuditOnly(rule));
            }
        }
        o.put("computedBy", computedBy);
        return o;
    }
}
