package org.jminifilter.cli;

import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.node.ObjectNode;

import org.jminifilter.cli.control.ControlClient;
import org.jminifilter.cli.control.ControlMessages;
import org.jminifilter.cli.output.StatsView;
import org.jminifilter.cli.policyfile.PolicyFile;
import org.jminifilter.cli.policyfile.PolicyFileException;
import org.jminifilter.cli.policyfile.RuleNames;
import org.jminifilter.port.FilterPort;
import org.jminifilter.port.FilterPorts;
import org.jminifilter.protocol.Statistics;
import org.jminifilter.service.KernelClient;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code jminifilter stats}: the driver's counters, per verdict and per rule. */
@Command(name = "stats", mixinStandardHelpOptions = true,
        description = {"Prints the driver's statistics: operations, verdicts, asks, timeouts, drops, per rule.",
                "Through a running serve when there is one, else straight from the driver."})
final class StatsCommand implements Callable<Integer> {
    @Option(names = "--json", description = "One JSON object instead of tables.")
    boolean json;

    @Option(names = "--watch", paramLabel = "SECONDS", arity = "0..1", fallbackValue = "2",
            description = "Print again every SECONDS (default 2) until interrupted.")
    Integer watch;

    @Option(names = "--policy", paramLabel = "FILE",
            description = "Name rules as FILE writes them (serve's own file is used when serve runs).")
    Path policy;

    @Mixin
    ControlOptions control;

    @Mixin
    VolumeOptions volumes;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (watch != null && (watch < 1 || watch > 3600)) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--watch must be 1..3600 seconds");
        }
        RuleNames fileNames = RuleNames.of(Map.of());
        if (policy != null) {
            try {
                fileNames = PolicyFile.read(policy, volumes.resolver()).ruleNames();
            } catch (PolicyFileException e) {
                e.problems().forEach(spec.commandLine().getErr()::println);
                return ExitCodes.INVALID;
            }
        }
        while (true) {
            Optional<ControlClient> serve = control.serve();
            Statistics s;
            RuleNames names = fileNames;
            if (serve.isPresent()) {
                ObjectNode answer = serve.get().ask(ControlMessages.request("stats"));
                if (!answer.path("ok").asBoolean()) {
                    spec.commandLine().getErr().println("jminifilter: " + answer.path("error").asText());
                    return ExitCodes.NO_DRIVER;
                }
                s = Statistics.decode(ByteBuffer.wrap(Base64.getDecoder().decode(answer.path("statistics").asText()))
                        .order(java.nio.ByteOrder.LITTLE_ENDIAN));
                if (policy == null) {
                    Map<Integer, String> m = new HashMap<>();
                    answer.path("ruleNames").fields().forEachRemaining(
                            e -> m.put(Integer.parseUnsignedInt(e.getKey()), e.getValue().asText()));
                    names = RuleNames.of(m);
                }
            } else {
                try (FilterPort port = FilterPorts.connect()) {
                    s = new KernelClient(port).statistics();
                }
            }
            if (json) {
                out.println(StatsView.json(s, names));
            } else {
                StatsView.print(s, names, out);
            }
            out.flush();
            if (watch == null) {
                return ExitCodes.OK;
            }
            Thread.sleep(watch * 1000L);
            if (!json) {
                out.println();
            }
        }
    }
}
