package org.jminifilter.cli.selftest;

import static org.jminifilter.policy.Access.FILE_APPEND_DATA;
import static org.jminifilter.policy.Access.FILE_READ_DATA;
import static org.jminifilter.policy.Access.FILE_WRITE_DATA;
import static org.jminifilter.policy.Access.GENERIC_WRITE;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.jminifilter.cli.selftest.SelfTestReport.Check;
import org.jminifilter.cli.selftest.SelfTestReport.Scenario;
import org.jminifilter.policy.Action;
import org.jminifilter.policy.ActionType;
import org.jminifilter.policy.Disposition;
import org.jminifilter.policy.Operation;
import org.jminifilter.policy.Policy;
import org.jminifilter.port.FilterPort;
import org.jminifilter.protocol.Ask;
import org.jminifilter.protocol.Event;
import org.jminifilter.protocol.NtStatus;
import org.jminifilter.protocol.Protocol;
import org.jminifilter.protocol.Statistics;
import org.jminifilter.service.PolicyService;

/**
 * The self-test: scenarios, each an operation by a process other than the service and the
 * outcome the policy promises, run against a {@link Machine}. The suite connects as the policy
 * service, pushes its own policy (every rule names the process under test by its id, and a
 * folder unique to this run, so nothing else on the machine can match), answers asks in this
 * process, collects events and statistics, and at the end puts an empty policy in force and
 * removes its folders.
 */
public final class SelfTestSuite {

    public static final int RULE_DENIED = 1;
    public static final int RULE_QUARANTINE = 2;
    public static final int RULE_READ_ONLY = 3;
    public static final int RULE_JOURNAL = 4;
    public static final int RULE_CACHE = 5;
    public static final int RULE_ASKED = 6;
    public static final int RULE_SLOW = 7;
    public static final int RULE_AUDITED = 8;
    public static final int RULE_WOULD_DENY = 9;

    /** The scenarios, in the order they run. */
    public static final List<String> SCENARIOS = List.of("pre-create-deny", "post-create-deny", "modify-strip-write",
            "modify-write-through", "redirect", "ask-answered", "ask-timeout", "audit", "rename-into-denied",
            "audit-only", "statistics");

    /** The default timeout of the ask that nobody answers in time. */
    public static final Duration DEFAULT_ASK_TIMEOUT = Duration.ofSeconds(2);

    private final Duration askTimeout;
    private final Map<Integer, Action> actionOverrides;

    private SelfTestSuite(Duration askTimeout, Map<Integer, Action> actionOverrides) {
        this.askTimeout = askTimeout;
        this.actionOverrides = Map.copyOf(actionOverrides);
    }

    /** The suite as it ships. */
    public static SelfTestSuite standard() {
        return new SelfTestSuite(DEFAULT_ASK_TIMEOUT, Map.of());
    }

    /** The same suite with another timeout for the ask that times out (1 ms .. 60 s). */
    public SelfTestSuite withAskTimeout(Duration timeout) {
        if (timeout.toMillis() < 1 || timeout.toMillis() > 60_000) {
            throw new IllegalArgumentException("the ask timeout must be 1..60000 ms, not " + timeout.toMillis());
        }
        return new SelfTestSuite(timeout, actionOverrides);
    }

    /**
     * The same suite with rule {@code ruleId}'s action replaced while the expectations stay: a
     * broken policy, to show the suite can fail.
     */
    public SelfTestSuite withAction(int ruleId, Action action) {
        Map<Integer, Action> m = new HashMap<>(actionOverrides);
        m.put(ruleId, action);
        return new SelfTestSuite(askTimeout, m);
    }

    /** The suite's policy for the process {@code pid} and the folder {@code root} (volume-relative). */
    public Policy policy(Machine machine, int pid, String root) {
        String first = machine.first().ntName();
        String second = machine.second().ntName();
        int askMs = (int) askTimeout.toMillis();
        Map<Integer, Action> actions = new LinkedHashMap<>();
        actions.put(RULE_DENIED, Action.deny());
        actions.put(RULE_QUARANTINE, Action.deny(NtStatus.VIRUS_INFECTED.value()).inPostCreate());
        actions.put(RULE_READ_ONLY, Action.modify().withAccessClear(FILE_WRITE_DATA | FILE_APPEND_DATA | GENERIC_WRITE));
        actions.put(RULE_JOURNAL, Action.modify().withOperationFlagsSet(Protocol.SL_WRITE_THROUGH));
        actions.put(RULE_CACHE, null); // a REDIRECT, built by the rule builder below
        actions.put(RULE_ASKED, Action.ask().withTimeoutMs(30_000).orDeny(NtStatus.ACCESS_DENIED));
        actions.put(RULE_SLOW, Action.ask().withTimeoutMs(askMs).orDeny(NtStatus.ACCESS_DENIED));
        actions.put(RULE_AUDITED, Action.audit());
        actions.put(RULE_WOULD_DENY, Action.deny());  // in audit-only mode (below): reported, not applied
        Map<Integer, String> folders = Map.of(RULE_DENIED, "denied", RULE_QUARANTINE, "quarantine",
                RULE_READ_ONLY, "readonly", RULE_JOURNAL, "journal", RULE_CACHE, "cache", RULE_ASKED, "asked",
                RULE_SLOW, "slow", RULE_AUDITED, "audited", RULE_WOULD_DENY, "rollout");
        Map<Integer, Operation[]> operations = Map.of(RULE_DENIED, new Operation[] {Operation.CREATE},
                RULE_QUARANTINE, new Operation[] {Operation.CREATE}, RULE_READ_ONLY, new Operation[] {Operation.CREATE},
                RULE_JOURNAL, new Operation[] {Operation.WRITE},
                RULE_CACHE, new Operation[] {Operation.CREATE, Operation.READ, Operation.WRITE},
                RULE_ASKED, new Operation[] {Operation.CREATE}, RULE_SLOW, new Operation[] {Operation.CREATE},
                RULE_AUDITED, new Operation[] {Operation.CREATE, Operation.WRITE},
                RULE_WOULD_DENY, new Operation[] {Operation.CREATE});
        Policy.Builder b = Policy.builder().volume(first).volume(second);
        for (Map.Entry<Integer, Action> e : actions.entrySet()) {
            int id = e.getKey();
            b.rule(r -> {
                r.id(id).operations(operations.get(id)).volume(first).path(root + "\\" + folders.get(id) + "\\**")
                        .processId(pid);
                Action override = actionOverrides.get(id);
                if (override != null) {
                    r.action(override);
                } else if (id == RULE_CACHE) {
                    r.redirect(second);
                } else {
                    r.action(e.getValue());
                }
                if (id == RULE_WOULD_DENY) {
                    r.auditOnly();
                }
            });
        }
        return b.build();
    }

    /** Runs every scenario on {@code machine} and reports; the machine stays open (the caller closes it). */
    public SelfTestReport run(Machine machine) {
        String root = "\\jminifilter-selftest-" + Long.toHexString(System.nanoTime() & 0xFFFFFFFFL);
        Volume v1 = machine.first();
        Volume v2 = machine.second();
        List<String> notes = new ArrayList<>();
        notes.add("paths are relative to " + root + " on " + v1 + " (the redirect's target: " + v2 + ")");
        try (TestProcess process = machine.startProcess()) {
            Run run = new Run(machine, process, root);
            Policy policy = policy(machine, process.pid(), root);
            FilterPort port = machine.connect();
            // What served the connection, as found, not as asked: the report says which port class ran.
            notes.add("the service's port: " + port.getClass().getName());
            try (PolicyService service = PolicyService.builder(port).policy(policy)
                    .askHandler(run::decide).eventListener(run.events::add).eventInterval(Duration.ofMillis(100))
                    .build().start()) {
                run.service = service;
                // Set up after connecting: on Windows the connected service's own I/O is never filtered,
                // whatever policy was in force before.
                for (String dir : List.of("denied", "quarantine", "readonly", "journal", "cache", "asked", "slow",
                        "audited", "outbox", "rollout")) {
                    machine.makeDirectory(v1, root + "\\" + dir);
                }
                machine.makeDirectory(v2, root + "\\cache");
                machine.putText(v1, root + "\\readonly\\report.txt", "report v1");
                machine.putText(v1, root + "\\cache\\index.txt", "index on the first volume");
                machine.putText(v2, root + "\\cache\\index.txt", "index on the second volume");
                machine.putText(v1, root + "\\outbox\\doc.txt", "a document");
                service.pollEvents();
                Statistics before = service.statistics();
                List<Scenario> scenarios = new ArrayList<>();
                scenarios.add(run.preCreateDeny());
                scenarios.add(run.postCreateDeny());
                scenarios.add(run.modifyStripWrite());
                scenarios.add(run.modifyWriteThrough());
                scenarios.add(run.redirect());
                scenarios.add(run.askAnswered());
                scenarios.add(run.askTimeout());
                scenarios.add(run.audit());
                scenarios.add(run.renameIntoDenied());
                scenarios.add(run.auditOnly());
                service.pollEvents();
                scenarios.add(run.statistics(before, service.statistics()));
                try {
                    // Leave no policy of ours in force (the driver keeps a policy after a disconnect by default).
                    service.replacePolicy(Policy.EMPTY);
                } catch (RuntimeException e) {
                    notes.add("could not put an empty policy in force at the end: " + e.getMessage());
                }
                return new SelfTestReport(machine.description(), scenarios, notes);
            } finally {
                run.releaseSlowAsk();
                for (Volume v : List.of(v1, v2)) {
                    try {
                        machine.removeTree(v, root);
                    } catch (RuntimeException e) {
                        notes.add("could not remove " + v.label() + root + ": " + e.getMessage());
                    }
                }
            }
        }
    }

    /** One run: the process, the events, the asks, and the scenarios' checks. */
    private final class Run {
        final Machine machine;
        final TestProcess process;
        final String root;
        final Volume v1;
        final Volume v2;
        final List<Event> events = new CopyOnWriteArrayList<>();
        final List<Ask> asks = new CopyOnWriteArrayList<>();
        final CountDownLatch slowOperationDone = new CountDownLatch(1);
        final Map<Integer, Long> expectedMatches = new LinkedHashMap<>();
        final Map<Integer, Long> expectedEvents = new LinkedHashMap<>();
        PolicyService service;

        Run(Machine machine, TestProcess process, String root) {
            this.machine = machine;
            this.process = process;
            this.root = root;
            this.v1 = machine.first();
            this.v2 = machine.second();
        }

        /** The service's answer: allow what is named allow-me, deny the rest; never answer RULE_SLOW in time. */
        Action decide(Ask ask) {
            asks.add(ask);
            if (ask.ruleId() == RULE_SLOW) {
                // Hold the answer until the operation has ended (with the kernel's default), then answer late:
                // no sleep decides the outcome, the kernel's timeout does.
                try {
                    slowOperationDone.await(askTimeout.toMillis() + 60_000, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return Action.allow();
            }
            return ask.path().toLowerCase(Locale.ROOT).endsWith("\\allow-me.txt") ? Action.allow() : Action.deny();
        }

        void releaseSlowAsk() {
            slowOperationDone.countDown();
        }

        /** {@code count} decisions of rule {@code ruleId}, each reported by an event. */
        private void expectMatches(int ruleId, int count) {
            expectMatches(ruleId, count, count);
        }

        private void expectMatches(int ruleId, int count, int reported) {
            expectedMatches.merge(ruleId, (long) count, Long::sum);
            expectedEvents.merge(ruleId, (long) reported, Long::sum);
        }

        private String p(String relative) {
            return root + "\\" + relative;
        }

        Scenario preCreateDeny() {
            String path = p("denied\\new.txt");
            List<Check> checks = new ArrayList<>();
            Outcome open = process.open(v1, path, FILE_WRITE_DATA, Disposition.CREATE, 0);
            expectMatches(RULE_DENIED, 1);
            closeIfOpen(open);
            checks.add(status("create " + path + ": STATUS_ACCESS_DENIED", open, NtStatus.ACCESS_DENIED));
            checks.add(existence("the file was not created", path, false));
            checks.add(event("event: rule " + RULE_DENIED + " CREATE DENY STATUS_ACCESS_DENIED",
                    e -> e.ruleId() == RULE_DENIED && e.path().equalsIgnoreCase(path) && e.operation() == Operation.CREATE
                            && e.verdict() == ActionType.DENY && e.status().equals(NtStatus.ACCESS_DENIED)));
            return new Scenario("pre-create-deny", "a CREATE rule denies before the open", checks);
        }

        Scenario postCreateDeny() {
            String path = p("quarantine\\payload.bin");
            List<Check> checks = new ArrayList<>();
            Outcome open = process.open(v1, path, FILE_WRITE_DATA, Disposition.CREATE, 0);
            expectMatches(RULE_QUARANTINE, 1);
            closeIfOpen(open);
            checks.add(status("create " + path + ": STATUS_VIRUS_INFECTED", open, NtStatus.VIRUS_INFECTED));
            checks.add(existence("the created file stays (a post-create DENY cannot undo it)", path, true));
            checks.add(event("event: rule " + RULE_QUARANTINE + " CREATE DENY POST_CREATE STATUS_VIRUS_INFECTED",
                    e -> e.ruleId() == RULE_QUARANTINE && e.path().equalsIgnoreCase(path) && e.verdict() == ActionType.DENY
                            && e.hasFlag(Protocol.EVENT_FLAG_POST_CREATE)
                            && e.status().equals(NtStatus.VIRUS_INFECTED)));
            return new Scenario("post-create-deny", "a CREATE rule denies after the open (FltCancelFileOpen)", checks);
        }

        Scenario modifyStripWrite() {
            String path = p("readonly\\report.txt");
            List<Check> checks = new ArrayList<>();
            Outcome open = process.open(v1, path, FILE_READ_DATA | FILE_WRITE_DATA, Disposition.OPEN, 0);
            expectMatches(RULE_READ_ONLY, 1);
            checks.add(status("open " + path + " for read and write: success (write access stripped)", open,
                    NtStatus.SUCCESS));
            if (open.handle() >= 0) {
                Outcome read = process.read(open.handle(), 0, 100);
                checks.add(check("read: \"report v1\"", read.succeeded() && read.text().equals("report v1"),
                        read.status() + ", \"" + read.text() + "\""));
                Outcome write = process.write(open.handle(), 0, bytes("tampered"));
                checks.add(status("write: STATUS_ACCESS_DENIED (the handle has no write access)", write,
                        NtStatus.ACCESS_DENIED));
                process.close(open.handle());
            }
            Optional<String> content = machine.readText(v1, path);
            checks.add(check("the file still holds \"report v1\"", content.equals(Optional.of("report v1")),
                    content.map(t -> "\"" + t + "\"").orElse("no file")));
            checks.add(event("event: rule " + RULE_READ_ONLY + " CREATE MODIFY (MODIFIED) success",
                    e -> e.ruleId() == RULE_READ_ONLY && e.path().equalsIgnoreCase(path)
                            && e.verdict() == ActionType.MODIFY && e.hasFlag(Protocol.EVENT_FLAG_MODIFIED)
                            && e.status().isSuccess()));
            return new Scenario("modify-strip-write", "a CREATE MODIFY strips write access; the later write fails",
                    checks);
        }

        Scenario modifyWriteThrough() {
            String path = p("journal\\log.txt");
            List<Check> checks = new ArrayList<>();
            Outcome open = process.open(v1, path, FILE_WRITE_DATA, Disposition.CREATE, 0);
            checks.add(status("create " + path + ": success", open, NtStatus.SUCCESS));
            if (open.handle() >= 0) {
                Outcome write = process.write(open.handle(), 0, bytes("entry 1"));
                expectMatches(RULE_JOURNAL, 1);
                checks.add(status("write: success", write, NtStatus.SUCCESS));
                Optional<Integer> flags = machine.lastWriteFlagsBelow();
                if (flags.isPresent()) {
                    checks.add(check("the write reached the file system with SL_WRITE_THROUGH",
                            (flags.get() & Protocol.SL_WRITE_THROUGH) != 0,
                            String.format("operation flags below the driver: 0x%X", flags.get())));
                }
                process.close(open.handle());
            }
            Optional<String> content = machine.readText(v1, path);
            checks.add(check("the file holds \"entry 1\"", content.equals(Optional.of("entry 1")),
                    content.map(t -> "\"" + t + "\"").orElse("no file")));
            checks.add(event("event: rule " + RULE_JOURNAL + " WRITE MODIFY (MODIFIED) STATUS_SUCCESS",
                    e -> e.ruleId() == RULE_JOURNAL && e.path().equalsIgnoreCase(path) && e.operation() == Operation.WRITE
                            && e.verdict() == ActionType.MODIFY && e.hasFlag(Protocol.EVENT_FLAG_MODIFIED)
                            && e.status().equals(NtStatus.SUCCESS)));
            return new Scenario("modify-write-through", "a WRITE MODIFY adds SL_WRITE_THROUGH", checks);
        }

        Scenario redirect() {
            String index = p("cache\\index.txt");
            String data = p("cache\\data.txt");
            List<Check> checks = new ArrayList<>();
            Outcome open = process.open(v1, index, FILE_READ_DATA, Disposition.OPEN, 0);
            expectMatches(RULE_CACHE, 1);
            checks.add(status("open " + index + " on " + v1.label() + ": success", open, NtStatus.SUCCESS));
            if (open.handle() >= 0) {
                Outcome read = process.read(open.handle(), 0, 100);
                expectMatches(RULE_CACHE, 1, 0); // a redirected handle is reported at its create only
                checks.add(check("read: \"index on the second volume\"",
                        read.succeeded() && read.text().equals("index on the second volume"),
                        read.status() + ", \"" + read.text() + "\""));
                process.close(open.handle());
            }
            Outcome create = process.open(v1, data, FILE_READ_DATA | FILE_WRITE_DATA, Disposition.OPEN_IF, 0);
            expectMatches(RULE_CACHE, 1);
            checks.add(status("open-if " + data + " on " + v1.label() + ": success", create, NtStatus.SUCCESS));
            if (create.handle() >= 0) {
                Outcome write = process.write(create.handle(), 0, bytes("redirected data"));
                expectMatches(RULE_CACHE, 1, 0);
                checks.add(status("write \"redirected data\": success", write, NtStatus.SUCCESS));
                process.close(create.handle());
            }
            Optional<String> target = machine.readText(v2, data);
            checks.add(check(data + " on " + v2.label() + " holds \"redirected data\"",
                    target.equals(Optional.of("redirected data")), describe(target)));
            Optional<String> source = machine.readText(v1, data);
            checks.add(check(data + " on " + v1.label() + " holds no data (only the open happened there)",
                    source.isEmpty() || source.get().isEmpty(), describe(source)));
            Optional<String> sourceIndex = machine.readText(v1, index);
            checks.add(check(index + " on " + v1.label() + " is untouched", sourceIndex.equals(
                    Optional.of("index on the first volume")), describe(sourceIndex)));
            checks.add(event("events: rule " + RULE_CACHE + " REDIRECT, no fallback",
                    e -> e.ruleId() == RULE_CACHE && e.path().equalsIgnoreCase(data) && e.verdict() == ActionType.REDIRECT
                            && !e.hasFlag(Protocol.EVENT_FLAG_REDIRECT_FALLBACK)));
            return new Scenario("redirect", "reads and writes go to the second volume", checks);
        }

        Scenario askAnswered() {
            String allowed = p("asked\\allow-me.txt");
            String denied = p("asked\\deny-me.txt");
            List<Check> checks = new ArrayList<>();
            Outcome a = process.open(v1, allowed, FILE_READ_DATA, Disposition.OPEN_IF, 0);
            closeIfOpen(a);
            Outcome d = process.open(v1, denied, FILE_READ_DATA, Disposition.OPEN_IF, 0);
            closeIfOpen(d);
            expectMatches(RULE_ASKED, 2);
            checks.add(status("open-if " + allowed + ": the service allows it", a, NtStatus.SUCCESS));
            checks.add(status("open-if " + denied + ": the service denies it (STATUS_ACCESS_DENIED)", d,
                    NtStatus.ACCESS_DENIED));
            List<Ask> mine = asks.stream().filter(x -> x.ruleId() == RULE_ASKED).toList();
            checks.add(check("2 asks, from pid " + process.pid(),
                    mine.size() == 2 && mine.stream().allMatch(x -> x.processId() == process.pid()),
                    mine.size() + " ask(s) from " + mine.stream().map(x -> "pid " + x.processId()).toList()));
            checks.add(event("event: rule " + RULE_ASKED + " ALLOW (ASKED) for " + allowed,
                    e -> e.ruleId() == RULE_ASKED && e.path().equalsIgnoreCase(allowed) && e.verdict() == ActionType.ALLOW
                            && e.hasFlag(Protocol.EVENT_FLAG_ASKED)));
            return new Scenario("ask-answered", "an ASK answered by the service", checks);
        }

        Scenario askTimeout() {
            String path = p("slow\\late.txt");
            List<Check> checks = new ArrayList<>();
            long started = System.nanoTime();
            Outcome open = process.open(v1, path, FILE_READ_DATA, Disposition.OPEN_IF, 0);
            long waitedMs = Duration.ofNanos(System.nanoTime() - started).toMillis();
            releaseSlowAsk();
            closeIfOpen(open);
            expectMatches(RULE_SLOW, 1);
            checks.add(status("open-if " + path + ": the ask's default, STATUS_ACCESS_DENIED (waited "
                    + askTimeout.toMillis() + " ms)", open, NtStatus.ACCESS_DENIED));
            checks.add(check("the service was asked", asks.stream().anyMatch(x -> x.ruleId() == RULE_SLOW),
                    asks.stream().anyMatch(x -> x.ruleId() == RULE_SLOW) ? "asked; the operation took " + waitedMs
                            + " ms" : "never asked"));
            checks.add(event("event: rule " + RULE_SLOW + " DENY (ASK_TIMEOUT, DEFAULT_VERDICT)",
                    e -> e.ruleId() == RULE_SLOW && e.path().equalsIgnoreCase(path) && e.verdict() == ActionType.DENY
                            && e.hasFlag(Protocol.EVENT_FLAG_ASK_TIMEOUT)
                            && e.hasFlag(Protocol.EVENT_FLAG_DEFAULT_VERDICT)));
            return new Scenario("ask-timeout", "an ASK nobody answers in time takes its default", checks);
        }

        Scenario audit() {
            String path = p("audited\\a.txt");
            String missing = p("audited\\missing.txt");
            List<Check> checks = new ArrayList<>();
            Outcome open = process.open(v1, path, FILE_WRITE_DATA, Disposition.CREATE, 0);
            expectMatches(RULE_AUDITED, 1);
            checks.add(status("create " + path + ": success", open, NtStatus.SUCCESS));
            if (open.handle() >= 0) {
                Outcome write = process.write(open.handle(), 0, bytes("audited"));
                expectMatches(RULE_AUDITED, 1);
                checks.add(status("write: success", write, NtStatus.SUCCESS));
                process.close(open.handle());
            }
            Outcome gone = process.open(v1, missing, FILE_READ_DATA, Disposition.OPEN, 0);
            expectMatches(RULE_AUDITED, 1);
            closeIfOpen(gone);
            checks.add(status("open " + missing + ": STATUS_OBJECT_NAME_NOT_FOUND", gone,
                    NtStatus.OBJECT_NAME_NOT_FOUND));
            checks.add(event("event: CREATE AUDIT STATUS_SUCCESS",
                    e -> e.ruleId() == RULE_AUDITED && e.path().equalsIgnoreCase(path) && e.operation() == Operation.CREATE
                            && e.verdict() == ActionType.AUDIT && e.status().equals(NtStatus.SUCCESS)));
            checks.add(event("event: WRITE AUDIT STATUS_SUCCESS",
                    e -> e.ruleId() == RULE_AUDITED && e.path().equalsIgnoreCase(path) && e.operation() == Operation.WRITE
                            && e.verdict() == ActionType.AUDIT && e.status().equals(NtStatus.SUCCESS)));
            checks.add(event("event: CREATE AUDIT STATUS_OBJECT_NAME_NOT_FOUND (the final status)",
                    e -> e.ruleId() == RULE_AUDITED && e.path().equalsIgnoreCase(missing)
                            && e.verdict() == ActionType.AUDIT && e.status().equals(NtStatus.OBJECT_NAME_NOT_FOUND)));
            return new Scenario("audit", "AUDIT events carry each operation's final status", checks);
        }

        Scenario renameIntoDenied() {
            String from = p("outbox\\doc.txt");
            String to = p("denied\\doc.txt");
            List<Check> checks = new ArrayList<>();
            Outcome rename = process.rename(v1, from, to);
            expectMatches(RULE_DENIED, 1);
            checks.add(status("rename " + from + " to " + to + ": STATUS_ACCESS_DENIED", rename, NtStatus.ACCESS_DENIED));
            boolean source = machine.exists(v1, from);
            boolean destination = machine.exists(v1, to);
            checks.add(check("the file stays where it was, nothing in the denied folder", source && !destination,
                    "source " + (source ? "exists" : "gone") + ", destination " + (destination ? "exists" : "absent")));
            checks.add(event("event: rule " + RULE_DENIED + " CREATE DENY (DESTINATION) from the source",
                    e -> e.ruleId() == RULE_DENIED && e.path().equalsIgnoreCase(to) && e.verdict() == ActionType.DENY
                            && e.hasFlag(Protocol.EVENT_FLAG_DESTINATION) && e.otherPath().equalsIgnoreCase(from)));
            return new Scenario("rename-into-denied", "a rename into a folder a CREATE rule denies is refused", checks);
        }

        Scenario auditOnly() {
            String path = p("rollout\\new.txt");
            List<Check> checks = new ArrayList<>();
            Outcome open = process.open(v1, path, FILE_WRITE_DATA, Disposition.CREATE, 0);
            expectMatches(RULE_WOULD_DENY, 1);
            closeIfOpen(open);
            checks.add(status("create " + path + ": STATUS_SUCCESS (audit-only lets it through)", open,
                    NtStatus.SUCCESS));
            checks.add(existence("the file was created", path, true));
            checks.add(event("event: rule " + RULE_WOULD_DENY + " CREATE would DENY (AUDIT_ONLY)",
                    e -> e.ruleId() == RULE_WOULD_DENY && e.path().equalsIgnoreCase(path) && e.verdict() == ActionType.DENY
                            && e.hasFlag(Protocol.EVENT_FLAG_AUDIT_ONLY)));
            return new Scenario("audit-only", "an audit-only DENY lets the create through and reports \"would deny\"",
                    checks);
        }

        Scenario statistics(Statistics before, Statistics after) {
            List<Check> checks = new ArrayList<>();
            boolean samePolicy = after.generation() == before.generation();
            checks.add(check("the suite's policy stayed in force (generation " + before.generation() + ")", samePolicy,
                    "generation " + after.generation()));
            long matchesTotal = 0;
            long eventsTotal = 0;
            for (Map.Entry<Integer, Long> e : expectedMatches.entrySet()) {
                long matched = matches(after, e.getKey()) - matches(before, e.getKey());
                long wantEvents = expectedEvents.get(e.getKey());
                matchesTotal += matched;
                eventsTotal += wantEvents;
                long evented = events.stream().filter(x -> x.ruleId() == e.getKey()
                        && x.path().toLowerCase(Locale.ROOT).startsWith(root.toLowerCase(Locale.ROOT))).count();
                checks.add(check("rule " + e.getKey() + ": " + e.getValue() + " match(es), " + wantEvents + " event(s)",
                        matched == e.getValue() && evented == wantEvents,
                        matched + " match(es), " + evented + " event(s)"));
            }
            long verdicts = 0;
            for (ActionType t : ActionType.values()) {
                verdicts += after.verdicts(t) - before.verdicts(t);
            }
            checks.add(check("verdicts counted = rule matches (" + matchesTotal + ")", verdicts == matchesTotal,
                    verdicts + " verdict(s)"));
            checks.add(delta("asks", 3, after.asks() - before.asks()));
            checks.add(delta("ask timeouts", 1, after.askTimeouts() - before.askTimeouts()));
            checks.add(delta("default verdicts", 1, after.defaultVerdicts() - before.defaultVerdicts()));
            checks.add(delta("post-create cancels", 1, after.postCreateCancels() - before.postCreateCancels()));
            checks.add(delta("redirect fallbacks", 0, after.redirectFallbacks() - before.redirectFallbacks()));
            checks.add(delta("events dropped", 0, after.eventsDropped() - before.eventsDropped()));
            checks.add(delta("audit-only decisions", 1, after.auditOnly() - before.auditOnly()));
            long queued = after.eventsQueued() - before.eventsQueued();
            checks.add(check("events queued: +" + eventsTotal + " (every decision but a redirected handle's reads and"
                    + " writes)", queued == eventsTotal, "+" + queued));
            checks.add(check("the service: no reply to an ask failed", service.repliesFailed() == 0,
                    service.repliesFailed() + " failed"));
            checks.add(check("operations tried >= rule matches", after.operations() - before.operations() >= matchesTotal,
                    (after.operations() - before.operations()) + " operation(s) tried"));
            return new Scenario("statistics", "the driver's counters add up to what the suite did", checks);
        }

        private Check delta(String what, long expected, long observed) {
            return check(what + ": +" + expected, observed == expected, "+" + observed);
        }

        private long matches(Statistics s, int ruleId) {
            return s.rules().stream().filter(r -> r.ruleId() == ruleId).mapToLong(r -> r.matches()).sum();
        }

        private Check status(String expected, Outcome outcome, NtStatus promised) {
            return check(expected, outcome.is(promised), outcome.status());
        }

        /** A check; paths in the texts are shown relative to the run's folder, which the report names once. */
        /** Whether {@code path} on the first volume exists as expected (looked at once: pass and observed agree). */
        private Check existence(String expected, String path, boolean shouldExist) {
            boolean exists = machine.exists(v1, path);
            return check(expected, exists == shouldExist, exists ? "it exists" : "it does not exist");
        }

        private Check check(String expected, boolean pass, String observed) {
            return new Check(shorten(expected), shorten(observed), pass);
        }

        private String shorten(String text) {
            return text.replace(root + "\\", "");
        }

        private Check event(String expected, Predicate<Event> wanted) {
            service.pollEvents();
            List<Event> found = events.stream().filter(wanted).toList();
            return check(expected, !found.isEmpty(), found.isEmpty() ? "no such event (" + events.stream()
                    .filter(e -> e.path().toLowerCase(Locale.ROOT).startsWith(root.toLowerCase(Locale.ROOT)))
                    .map(SelfTestSuite::describe).toList() + ")" : describe(found.get(0)));
        }

        private void closeIfOpen(Outcome open) {
            if (open.handle() >= 0) {
                process.close(open.handle());
            }
        }
    }

    /** JMF_EVENT_FLAG_* names, by bit. */
    private static final String[] FLAG_NAMES = {"POST_CREATE", "DEFAULT_VERDICT", "ASK_TIMEOUT", "ASKED",
        "REDIRECT_FALLBACK", "PATH_TRUNCATED", "MODIFIED", "DESTINATION", "LINK", "OTHER_PATH_TRUNCATED",
        "REDIRECT_TARGET_LOST", "REDIRECT_REFUSED", "ASK_NOT_WAITED", "ASK_CANCELLED", "AUDIT_ONLY", "REPARSE"};

    static String describe(Event e) {
        List<String> flags = new ArrayList<>();
        for (int i = 0; i < FLAG_NAMES.length; i++) {
            if (e.hasFlag(1 << i)) {
                flags.add(FLAG_NAMES[i]);
            }
        }
        return "rule " + Integer.toUnsignedString(e.ruleId()) + " " + e.operation() + " " + e.verdict() + " "
                + e.status().name() + (flags.isEmpty() ? "" : " (" + String.join(", ", flags) + ")")
                + (e.otherPath().isEmpty() ? "" : " other " + e.otherPath());
    }

    private static String describe(Optional<String> text) {
        return text.map(t -> "\"" + t + "\"").orElse("no file");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
