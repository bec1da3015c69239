package org.jminifilter.cli;

import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.jminifilter.cli.control.ControlClient;
import org.jminifilter.cli.control.ControlMessages;
import org.jminifilter.cli.output.EventJson;
import org.jminifilter.cli.policyfile.RuleNames;
import org.jminifilter.port.FilterPort;
import org.jminifilter.port.FilterPorts;
import org.jminifilter.protocol.Event;
import org.jminifilter.protocol.EventBatch;
import org.jminifilter.service.KernelClient;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code jminifilter events}: what the kernel reported. Through a running serve: its recent
 * events, and with {@code --follow} every new one. Without serve: the events queued in the
 * driver, which this command then takes (they are pulled, not copied).
 */
@Command(name = "events", mixinStandardHelpOptions = true,
        description = {"Prints the kernel's events (AUDIT and every enforcement), one per line.",
                "Through a running serve when there is one, else pulled from the driver's queue."})
final class EventsCommand implements Callable<Integer> {
    @Option(names = {"-f", "--follow"}, description = "Keep printing new events until interrupted.")
    boolean follow;

    @Option(names = "--json", description = "JSON Lines, every field (the format serve writes).")
    boolean json;

    @Option(names = "--recent", defaultValue = "50", paramLabel = "N",
            description = "Through serve: how many recent events to print first (default: ${DEFAULT-VALUE}).")
    int recent;

    @Mixin
    ControlOptions control;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Optional<ControlClient> serve = control.serve();
        if (serve.isPresent()) {
            ObjectNode request = ControlMessages.request("events");
            request.put("recent", recent);
            request.put("follow", follow);
            boolean[] first = {true};
            serve.get().stream(request, message -> {
                if (first[0]) {
                    first[0] = false;
                    message.path("events").forEach(e -> print(out, e));
                } else {
                    print(out, message);
                }
                out.flush();
                return true;
            });
            return ExitCodes.OK;
        }
        try (FilterPort port = FilterPorts.connect()) {
            KernelClient kernel = new KernelClient(port);
            RuleNames names = RuleNames.of(java.util.Map.of());
            long dropped = -1;
            do {
                EventBatch batch = kernel.events();
                for (Event e : batch.events()) {
                    print(out, EventJson.of(e, names));
                }
                if (batch.dropped() != dropped && batch.dropped() > 0) {
                    print(out, EventJson.dropped(batch.dropped()));
                }
                dropped = batch.dropped();
                out.flush();
                if (batch.pending() == 0 && follow) {
                    Thread.sleep(250);
                }
            } while (follow);
        }
        return ExitCodes.OK;
    }

    /** The verdict, or "would deny" (and so on) for an audit-only rule's event: nothing was applied. */
    static String verdictText(JsonNode e) {
        boolean auditOnly = false;
        for (JsonNode f : e.path("flags")) {
            auditOnly |= "audit-only".equals(f.asText());
        }
        return (auditOnly ? "would " : "") + e.path("verdict").asText();
    }

    private void print(PrintWriter out, JsonNode e) {
        if (json) {
            out.println(e.toString());
        } else if ("dropped".equals(e.path("record").asText())) {
            out.println(e.path("droppedSinceStart").asLong() < 0 ? "(events skipped: this command fell behind)"
                    : "(the kernel dropped " + e.path("droppedSinceStart").asLong() + " events since it started: its "
                    + "queue was full)");
        } else {
            StringBuilder b = new StringBuilder();
            b.append(e.path("time").asText()).append("  ")
                    .append(String.format("%-8s %-6s", verdictText(e), e.path("operation").asText()))
                    .append("  pid ").append(e.path("processId").asLong()).append("  ")
                    .append(e.path("volume").asText()).append(e.path("path").asText());
            if (e.has("otherPath")) {
                b.append(" <-> ").append(e.path("otherPath").asText());
            }
            b.append("  rule ").append(e.path("rule").asText()).append("  ").append(e.path("status").asText());
            if (e.path("flags").size() > 0) {
                b.append("  [");
                e.path("flags").forEach(f -> b.append(b.charAt(b.length() - 1) == '[' ? "" : " ").append(f.asText()));
                b.append(']');
            }
            out.println(b);
        }
    }
}
