package org.jminifilter.cli.demo;

import static org.jminifilter.policy.Access.FILE_APPEND_DATA;
import static org.jminifilter.policy.Access.FILE_READ_DATA;
import static org.jminifilter.policy.Access.FILE_WRITE_DATA;
import static org.jminifilter.policy.Access.GENERIC_WRITE;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jminifilter.cli.output.ActionText;
import org.jminifilter.cli.policyfile.PolicyFile;
import org.jminifilter.cli.policyfile.PolicyFileException;
import org.jminifilter.cli.policyfile.RuleNames;
import org.jminifilter.cli.policyfile.VolumeResolver;
import org.jminifilter.emulator.CreateInformation;
import org.jminifilter.emulator.EmulatedFile;
import org.jminifilter.emulator.EmulatedKernel;
import org.jminifilter.emulator.EmulatedProcess;
import org.jminifilter.emulator.EmulatedVolume;
import org.jminifilter.emulator.IoResult;
import org.jminifilter.emulator.OpenResult;
import org.jminifilter.policy.Action;
import org.jminifilter.policy.Disposition;
import org.jminifilter.policy.Operation;
import org.jminifilter.policy.Policy;
import org.jminifilter.policy.Rule;
import org.jminifilter.port.FilterPort;
import org.jminifilter.protocol.Ask;
import org.jminifilter.protocol.Event;
import org.jminifilter.protocol.Protocol;
import org.jminifilter.protocol.Statistics;
import org.jminifilter.service.PolicyService;
import org.jminifilter.protocol.NtStatus;

/**
 * The demonstration: the real driver in the emulated kernel with two volumes, the policy service
 * over the emulator's port with the policy of {@code examples/demo-policy.yaml} (DENY in pre- and
 * post-create, MODIFY, REDIRECT, ASK and AUDIT rules), and file operations by two processes.
 * Prints, per operation, what the caller saw and which rule decided by which kernel mechanism,
 * then the asks, events and statistics; returns a {@link DemoReport}.
 */
public final class DemoScenario {

    public static final String VOLUME1 = "\\Device\\HarddiskVolume1";
    public static final String VOLUME2 = "\\Device\\HarddiskVolume2";
    public static final int NOTEPAD_PID = 1200;
    public static final String NOTEPAD_IMAGE = VOLUME1 + "\\Windows\\System32\\notepad.exe";
    public static final int TOOL_PID = 1300;
    public static final String TOOL_IMAGE = VOLUME1 + "\\Users\\alice\\Downloads\\tool.exe";

    /** The rules of the demonstration policy, by the names the file gives them. */
    public static final int RULE_SECRET = RuleNames.idOf("secret");
    public static final int RULE_QUARANTINE = RuleNames.idOf("quarantine");
    public static final int RULE_READ_ONLY_REPORTS = RuleNames.idOf("read-only-reports");
    public static final int RULE_CACHE_REDIRECT = RuleNames.idOf("cache-redirect");
    public static final int RULE_ASK_NOTEPAD = RuleNames.idOf("ask-notepad");
    public static final int RULE_ASK_TOOL = RuleNames.idOf("ask-tool");
    public static final int RULE_AUDIT_REPORTS = RuleNames.idOf("audit-reports");

    /** How a demonstration policy file's volume names resolve (C: and D:). */
    public static VolumeResolver volumes() {
        return VOLUMES;
    }

    /** The bundled copy of examples/demo-policy.yaml. */
    static final String POLICY_RESOURCE = "demo-policy.yaml";
    /** How the demonstration's volumes are named in the policy file. */
    static final VolumeResolver VOLUMES = VolumeResolver.of(Map.of("C:", VOLUME1, "D:", VOLUME2),
            "the demonstration's volumes");

    /** STATUS_VIRUS_INFECTED: what the post-create DENY answers. */
    static final int STATUS_VIRUS_INFECTED = NtStatus.VIRUS_INFECTED.value();

    private final PrintStream out;
    private final Duration askTimeout;
    private final PolicyFile policyFile;
    private PolicyService service;      // while the operations run: each step pulls its events
    private int eventsShown;
    private final List<DemoReport.Step> steps = new ArrayList<>();
    private final List<DemoReport.AskExchange> asks = new CopyOnWriteArrayList<>();
    private final List<Event> events = new CopyOnWriteArrayList<>();

    /**
     * @param out        where the account goes
     * @param askTimeout the timeout of the ask that Java answers too late (the other gets 5 s)
     */
    public DemoScenario(PrintStream out, Duration askTimeout) {
        this(out, askTimeout, bundledPolicy());
    }

    /**
     * @param policyFile the policy (the bundled demo-policy.yaml, or one the person gives); its
     *                   rule {@code ask-tool}, if it has one, gets {@code askTimeout}
     */
    public DemoScenario(PrintStream out, Duration askTimeout, PolicyFile policyFile) {
        this.out = out;
        this.askTimeout = askTimeout;
        this.policyFile = policyFile;
    }

    /** Reads the bundled demo-policy.yaml (the jar's copy of examples/demo-policy.yaml). */
    public static PolicyFile bundledPolicy() {
        try (InputStream in = DemoScenario.class.getResourceAsStream("/" + POLICY_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(POLICY_RESOURCE + " is missing from the class path (a broken build)");
            }
            return PolicyFile.parse(POLICY_RESOURCE, new String(in.readAllBytes(), StandardCharsets.UTF_8), VOLUMES);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (PolicyFileException e) {
            throw new IllegalStateException("the bundled " + POLICY_RESOURCE + " is invalid:\n" + e.getMessage(), e);
        }
    }

    /** The demonstration policy: the file's, with the {@code ask-tool} rule's timeout set to {@code askTimeout}. */
    public Policy policy() {
        int askMs = (int) askTimeout.toMillis();
        Policy.Builder b = Policy.builder();
        policyFile.policy().volumes().forEach(b::volume);
        for (Rule r : policyFile.policy().rules()) {
            if (r.ruleId() == RULE_ASK_TOOL && r.action() instanceof Action.Ask a) {
                r = new Rule(r.ruleId(), r.operations(), r.volume(), r.path(), r.image(), r.processId(),
                        r.desiredAccess(), r.dispositions(), r.matchFlags(), a.withTimeoutMs(askMs));
            }
            b.rule(r);
        }
        return b.build();
    }

    /** Java's answer to an ask: notepad may open shared notes but not the payroll; tool.exe is slow. */
    Action decide(Ask ask) {
        if (ask.ruleId() == RULE_ASK_TOOL) {
            asks.add(new DemoReport.AskExchange(ask, "ALLOW, but after " + (2 * ask.timeoutMs())
                    + " ms (too late)"));
            sleep(Duration.ofMillis(2L * ask.timeoutMs()));
            return Action.allow();
        }
        boolean payroll = ask.path().toLowerCase(java.util.Locale.ROOT).contains("payroll");
        Action verdict = payroll ? Action.deny() : Action.allow();
        asks.add(new DemoReport.AskExchange(ask, verdict.type().name()));
        return verdict;
    }

    /** Runs the whole demonstration. */
    public DemoReport run() {
        try (EmulatedKernel kernel = EmulatedKernel.start()) {
            out.println("jminifilter demo: the real driver (native-driver/src) on the emulated Filter Manager");
            out.println("=================================================================================");
            EmulatedVolume v1 = kernel.createVolume(VOLUME1);
            EmulatedVolume v2 = kernel.createVolume(VOLUME2);
            seedFiles(kernel, v1, v2);
            kernel.loadDriver();
            out.println("volumes: " + v1 + " (id " + v1.id() + "), " + v2 + " (id " + v2.id() + ");"
                    + " driver loaded at altitude " + EmulatedKernel.DEFAULT_ALTITUDE);
            EmulatedProcess notepad = kernel.process(NOTEPAD_PID, NOTEPAD_IMAGE);
            EmulatedProcess tool = kernel.process(TOOL_PID, TOOL_IMAGE);
            out.println("processes: " + notepad + ", " + tool);

            Policy policy = policy();
            printPolicy(policy);
            Statistics statistics;
            long asksLate;
            FilterPort port = kernel.connect();
            try (PolicyService service = PolicyService.builder(port).policy(policy)
                    .askHandler(this::decide).eventListener(events::add).eventInterval(Duration.ofMillis(50))
                    .build().start()) {
                this.service = service;
                out.println();
                out.println("Operations (as the process named; status as the caller sees it)");
                out.println("----------");
                runOperations(kernel, v1, notepad, tool);
                this.service = null;
                service.pollEvents();
                statistics = service.statistics();
                asksLate = service.asksLate();
            }
            printAsks();
            printEvents();
            printStatistics(statistics);
            Optional<String> onVolume2 = kernel.readText(v2, "\\Cache\\data.txt");
            Optional<String> onVolume1 = kernel.readText(v1, "\\Cache\\data.txt");
            out.println();
            out.println("Redirect: " + v2 + "\\Cache\\data.txt holds " + onVolume2.map(t -> "\"" + t + "\"").orElse("nothing")
                    + "; " + v1 + "\\Cache\\data.txt holds " + onVolume1.map(t -> "\"" + t + "\"").orElse("nothing"));
            boolean quarantined = kernel.exists(v1, "\\Quarantine\\payload.exe");
            NtStatus unload = kernel.unloadDriver(); // throws EmulatorViolationException on leaks or misuse
            out.println("Driver unloaded: " + unload + "; the emulator found no leak and no misuse");
            return new DemoReport(steps, asks, events, statistics, onVolume2, onVolume1, quarantined, asksLate,
                    unload, kernel.violations());
        }
    }

    private void seedFiles(EmulatedKernel kernel, EmulatedVolume v1, EmulatedVolume v2) {
        for (String dir : List.of("\\Users", "\\Users\\alice", "\\Users\\alice\\secret", "\\Quarantine", "\\Reports",
                "\\Cache", "\\Shared", "\\Archive")) {
            kernel.makeDirectory(v1, dir);
        }
        kernel.makeDirectory(v2, "\\Cache");
        kernel.makeDirectory(v2, "\\Archive");
        kernel.putText(v1, "\\Archive\\2025.txt", "stale copy on volume 1");
        kernel.putText(v2, "\\Archive\\2025.txt", "archived on volume 2");
        kernel.putText(v1, "\\Users\\alice\\secret\\plan.txt", "the plan");
        kernel.putText(v1, "\\Reports\\q3.txt", "Q3 revenue: 42\n");
        kernel.putText(v1, "\\Shared\\notes.txt", "shared notes");
        kernel.putText(v1, "\\Shared\\payroll.xlsx", "salaries");
        kernel.putText(v1, "\\Cache\\index.txt", "index on volume 1");
        kernel.putText(v2, "\\Cache\\index.txt", "index on volume 2");
    }

    private void runOperations(EmulatedKernel kernel, EmulatedVolume v1, EmulatedProcess notepad,
            EmulatedProcess tool) {
        // DENY in pre-create.
        open("secret-open", notepad, v1, "\\Users\\alice\\secret\\plan.txt", FILE_READ_DATA, Disposition.OPEN);

        // DENY in post-create: the file is created, then the open is cancelled (FltCancelFileOpen).
        open("quarantine-create", tool, v1, "\\Quarantine\\payload.exe", FILE_WRITE_DATA, Disposition.CREATE);
        step("quarantine-left", "does \\Quarantine\\payload.exe exist on " + v1 + "?", NtStatus.SUCCESS,
                kernel.exists(v1, "\\Quarantine\\payload.exe") ? "yes: a post-create DENY cannot undo the creation"
                        : "no");

        // MODIFY: tool.exe's write access is stripped, so its open succeeds but its write fails.
        try (EmulatedFile report = open("reports-open-tool", tool, v1, "\\Reports\\q3.txt",
                FILE_READ_DATA | FILE_WRITE_DATA, Disposition.OPEN).orElse(null)) {
            if (report != null) {
                IoResult read = report.read(0, 100);
                step("reports-read-tool", "tool.exe reads \\Reports\\q3.txt", read.status(), quote(read.text()));
                IoResult write = report.write(0, "Q3 revenue: 0\n");
                step("reports-write-tool", "tool.exe writes \\Reports\\q3.txt", write.status(),
                        write.information() + " byte(s) written");
            }
        }

        // AUDIT: notepad edits and renames the report; each is reported.
        try (EmulatedFile report = open("reports-open-notepad", notepad, v1, "\\Reports\\q3.txt",
                FILE_READ_DATA | FILE_WRITE_DATA | org.jminifilter.policy.Access.DELETE,
                Disposition.OPEN).orElse(null)) {
            if (report != null) {
                IoResult write = report.write(15, "Q4 forecast: 50\n");
                step("reports-write-notepad", "notepad.exe appends to \\Reports\\q3.txt", write.status(),
                        write.information() + " byte(s) written");
                NtStatus rename = report.rename("\\Reports\\q3-final.txt", false);
                step("reports-rename-notepad", "notepad.exe renames it to \\Reports\\q3-final.txt", rename, "");
            }
        }

        // REDIRECT: reads and writes of \Cache\** on volume 1 go to volume 2's file.
        try (EmulatedFile cache = open("cache-create", notepad, v1, "\\Cache\\data.txt",
                FILE_READ_DATA | FILE_WRITE_DATA, Disposition.OPEN_IF).orElse(null)) {
            if (cache != null) {
                IoResult write = cache.write(0, "cached on volume 2");
                step("cache-write", "notepad.exe writes \"cached on volume 2\" to " + v1 + "\\Cache\\data.txt",
                        write.status(), write.information() + " byte(s) written");
            }
        }
        try (EmulatedFile index = open("cache-open-index", notepad, v1, "\\Cache\\index.txt", FILE_READ_DATA,
                Disposition.OPEN).orElse(null)) {
            if (index != null) {
                IoResult read = index.read(0, 100);
                step("cache-read", "notepad.exe reads " + v1 + "\\Cache\\index.txt", read.status(),
                        quote(read.text()));
            }
        }

        // REDIRECT by reparse: the open itself moves to volume 2 (the handle is volume 2's).
        try (EmulatedFile archive = open("archive-open", notepad, v1, "\\Archive\\2025.txt", FILE_READ_DATA,
                Disposition.OPEN).orElse(null)) {
            if (archive != null) {
                IoResult read = archive.read(0, 100);
                step("archive-read", "notepad.exe reads " + v1 + "\\Archive\\2025.txt", read.status(),
                        quote(read.text()));
            }
        }

        // ASK: Java answers notepad's asks; tool.exe's ask times out to its default verdict (DENY).
        closeQuietly(open("shared-notes-notepad", notepad, v1, "\\Shared\\notes.txt", FILE_READ_DATA,
                Disposition.OPEN));
        closeQuietly(open("shared-payroll-notepad", notepad, v1, "\\Shared\\payroll.xlsx", FILE_READ_DATA,
                Disposition.OPEN));
        long started = System.nanoTime();
        closeQuietly(open("shared-notes-tool", tool, v1, "\\Shared\\notes.txt", FILE_READ_DATA, Disposition.OPEN));
        out.printf("    (tool.exe waited %d ms: the ask's timeout is %d ms)%n",
                Duration.ofNanos(System.nanoTime() - started).toMillis(), askTimeout.toMillis());
    }

    private Optional<EmulatedFile> open(String name, EmulatedProcess process, EmulatedVolume volume, String path,
            int access, Disposition disposition) {
        OpenResult result = process.open(volume, path, access, disposition);
        String information = result.status().isSuccess() || result.information() != 0
                ? "Information " + CreateInformation.describe(result.information()) : "Information 0";
        step(name, shortImage(process) + " opens " + volume + path + " (access 0x" + Integer.toHexString(access)
                + ", " + disposition + ")", result.status(),
                information + (result.file().isPresent() ? ", got a handle" : ", no handle"));
        return result.file();
    }

    private void step(String name, String what, NtStatus status, String outcome) {
        steps.add(new DemoReport.Step(name, what, status, outcome));
        out.printf("  %-70s -> %s%s%n", what, status.name(), outcome.isEmpty() ? "" : "; " + outcome);
        if (service != null) {
            service.pollEvents();                   // what the kernel reported for this operation
            for (; eventsShown < events.size(); eventsShown++) {
                Event e = events.get(eventsShown);
                out.printf("      rule %s (%s %s): %s%n", name(e.ruleId()), e.operation(), e.path(), mechanism(e));
            }
        }
    }

    /** Which kernel mechanism carried out an event's verdict, in the words of the README. */
    String mechanism(Event e) {
        String status = e.status().name();
        String how = switch (e.verdict()) {
            case DENY -> e.hasFlag(Protocol.EVENT_FLAG_POST_CREATE)
                    ? "post-create DENY: FltCancelFileOpen, the caller gets " + status
                    : "pre-operation DENY: FLT_PREOP_COMPLETE with " + status;
            case MODIFY -> "MODIFY: parameters changed, FltSetCallbackDataDirty (the filters below see them)";
            case REDIRECT -> e.hasFlag(Protocol.EVENT_FLAG_REDIRECT_FALLBACK) ? "REDIRECT target unusable: the rule's fallback"
                    : e.hasFlag(Protocol.EVENT_FLAG_REPARSE)
                    ? "REDIRECT by reparse: IoReplaceFileObjectName + STATUS_REPARSE, the I/O manager reopened on "
                            + redirectTarget(e.ruleId())
                    : "REDIRECT: Iopb->TargetInstance = the driver's instance on " + redirectTarget(e.ruleId());
            case AUDIT -> "AUDIT: let through, reported with its final status " + status;
            case ALLOW -> "ALLOW";
            default -> e.verdict().name();
        };
        if (e.hasFlag(Protocol.EVENT_FLAG_ASK_TIMEOUT)) {
            return "ASK: FltSendMessage timed out; the default verdict applies: " + how;
        }
        if (e.hasFlag(Protocol.EVENT_FLAG_ASKED)) {
            return "ASK: FltSendMessage answered by the service: " + how;
        }
        return how;
    }

    private String redirectTarget(int ruleId) {
        Policy p = policyFile.policy();
        return p.rules().stream().filter(r -> r.ruleId() == ruleId && r.action() instanceof Action.Redirect).findFirst()
                .map(r -> p.volumes().get(((Action.Redirect) r.action()).targetVolume()).name()).orElse("its target");
    }

    private void printPolicy(Policy policy) {
        out.println();
        out.println("Policy (first match wins; pushed with SET_POLICY over the emulator's port)");
        out.println("------");
        for (Rule rule : policy.rules()) {
            out.printf("  rule %s: %s on %s%s%s -> %s%n", name(rule.ruleId()), rule.operations(),
                    rule.volume().isPresent() ? policy.volumes().get(rule.volume().getAsInt()) : "any volume ",
                    rule.path().map(Object::toString).orElse("any path"),
                    rule.image().map(i -> " by " + i).orElse(""), ActionText.of(rule.action(), policy));
        }
    }

    private void printAsks() {
        out.println();
        out.println("Asks (the driver held each operation until Java answered or the ask timed out)");
        out.println("----");
        for (DemoReport.AskExchange a : asks) {
            out.printf("  rule %s asks: pid %d %s %s (timeout %d ms) -> Java answers %s%n", name(a.ask().ruleId()),
                    a.ask().processId(), a.ask().operation(), a.ask().path(), a.ask().timeoutMs(), a.answer());
        }
    }

    private void printEvents() {
        out.println();
        out.println("Events (pulled with GET_EVENTS)");
        out.println("------");
        for (Event e : events) {
            // A rename's or link's other end: where the source went, or where the destination came from.
            String other = e.otherPath().isEmpty() ? ""
                    : (e.hasFlag(Protocol.EVENT_FLAG_DESTINATION) ? " (from " : " (to ") + e.otherPath() + ")";
            out.printf("  #%d rule %s %s %s pid %d %s%s%s status %s%s%n", e.sequence(),
                    name(e.ruleId()), e.operation(),
                    e.verdict(), e.processId(), e.volume(), e.path(), other, e.status().name(), flags(e));
        }
    }

    private static String flags(Event e) {
        List<String> names = new ArrayList<>();
        String[] all = {"POST_CREATE", "DEFAULT_VERDICT", "ASK_TIMEOUT", "ASKED", "REDIRECT_FALLBACK",
            "PATH_TRUNCATED", "MODIFIED", "DESTINATION", "LINK", "OTHER_PATH_TRUNCATED", "REDIRECT_TARGET_LOST",
            "REDIRECT_REFUSED", "ASK_NOT_WAITED", "ASK_CANCELLED", "AUDIT_ONLY", "REPARSE"};
        for (int i = 0; i < all.length; i++) {
            if (e.hasFlag(1 << i)) {
                names.add(all[i]);
            }
        }
        return names.isEmpty() ? "" : " " + names;
    }

    private void printStatistics(Statistics s) {
        out.println();
        out.println("Statistics (GET_STATISTICS)");
        out.println("----------");
        out.printf("  generation %d, operations tried %d, verdicts %s%n", s.generation(), s.operations(),
                s.verdicts());
        out.printf("  asks %d, ask timeouts %d, default verdicts %d, post-create cancels %d, redirect fallbacks %d,"
                + " events queued %d, dropped %d%n", s.asks(), s.askTimeouts(), s.defaultVerdicts(),
                s.postCreateCancels(), s.redirectFallbacks(), s.eventsQueued(), s.eventsDropped());
        s.rules().forEach(r -> out.printf("  rule %s matched %d time(s)%n", name(r.ruleId()), r.matches()));
    }

    /** A rule as the policy file writes it. */
    private String name(int ruleId) {
        return policyFile.ruleNames().describe(ruleId);
    }

    private static String shortImage(EmulatedProcess p) {
        String image = p.image();
        return image.substring(image.lastIndexOf('\\') + 1);
    }

    private static String quote(String text) {
        return "read \"" + text.replace("\n", "\\n") + "\"";
    }

    private static void closeQuietly(Optional<EmulatedFile> file) {
        file.ifPresent(EmulatedFile::close);
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
