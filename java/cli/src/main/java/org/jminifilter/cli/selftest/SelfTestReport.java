package org.jminifilter.cli.selftest;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What the self-test found: per scenario, each promise of the policy (expected), what the process
 * under test saw (observed), and PASS or FAIL.
 *
 * @param machine   the machine under test
 * @param scenarios the scenarios in the order they ran
 * @param notes     what the run wants a person to know (left-out scenarios, cleanup problems)
 */
public record SelfTestReport(String machine, List<Scenario> scenarios, List<String> notes) {

    public SelfTestReport {
        scenarios = List.copyOf(scenarios);
        notes = List.copyOf(notes);
    }

    /** One promise checked. */
    public record Check(String expected, String observed, boolean pass) {
    }

    /** One scenario: an operation by the process under test and what the policy promises of it. */
    public record Scenario(String name, String what, List<Check> checks) {
        public Scenario {
            checks = List.copyOf(checks);
        }

        /** True when every check passed (a scenario with no check did not run and fails). */
        public boolean passed() {
            return !checks.isEmpty() && checks.stream().allMatch(Check::pass);
        }
    }

    /** True when every scenario passed. */
    public boolean passed() {
        return !scenarios.isEmpty() && scenarios.stream().allMatch(Scenario::passed);
    }

    /** The scenario named {@code name}. */
    public Scenario scenario(String name) {
        return scenarios.stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no scenario " + name + " in " + names()));
    }

    /** The scenario names, in order. */
    public List<String> names() {
        return scenarios.stream().map(Scenario::name).toList();
    }

    /** Prints the table: one block per scenario, one line per check. */
    public void printTable(PrintWriter out) {
        out.println("jminifilter selftest: " + machine);
        int nameWidth = Math.max("scenario".length(), scenarios.stream().mapToInt(s -> s.name().length()).max().orElse(0));
        int expectedWidth = Math.max("expected".length(), scenarios.stream().flatMap(s -> s.checks().stream())
                .mapToInt(c -> c.expected().length()).max().orElse(0));
        expectedWidth = Math.min(expectedWidth, 72);
        String format = "%-" + nameWidth + "s  %-" + expectedWidth + "s  %-4s  %s%n";
        out.println();
        out.printf(format, "scenario", "expected", "", "observed");
        out.printf(format, "-".repeat(nameWidth), "-".repeat(expectedWidth), "----", "--------");
        for (Scenario s : scenarios) {
            if (s.checks().isEmpty()) {
                out.printf(format, s.name(), "(" + s.what() + ")", "FAIL", "did not run");
                continue;
            }
            boolean first = true;
            for (Check c : s.checks()) {
                out.printf(format, first ? s.name() : "", c.expected(), c.pass() ? "PASS" : "FAIL", c.observed());
                first = false;
            }
        }
        out.println();
        long failed = scenarios.stream().filter(s -> !s.passed()).count();
        for (String note : notes) {
            out.println("note: " + note);
        }
        if (failed == 0 && !scenarios.isEmpty()) {
            out.println("PASS: " + scenarios.size() + " scenarios, every promise kept");
        } else {
            out.println("FAIL: " + failed + " of " + scenarios.size() + " scenarios: "
                    + String.join(", ", scenarios.stream().filter(s -> !s.passed()).map(Scenario::name).toList()));
        }
        out.flush();
    }

    /** The report as one JSON document. */
    public String toJson() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("machine", machine);
        root.put("passed", passed());
        List<Object> list = new ArrayList<>();
        for (Scenario s : scenarios) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("scenario", s.name());
            m.put("what", s.what());
            m.put("result", s.passed() ? "PASS" : "FAIL");
            m.put("checks", s.checks().stream().map(c -> {
                Map<String, Object> cm = new LinkedHashMap<>();
                cm.put("expected", c.expected());
                cm.put("observed", c.observed());
                cm.put("result", c.pass() ? "PASS" : "FAIL");
                return cm;
            }).toList());
            list.add(m);
        }
        root.put("scenarios", list);
        root.put("notes", notes);
        try {
            return new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the report as JSON", e);
        }
    }
}
