package org.jminifilter.cli;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.node.ObjectNode;

import org.jminifilter.cli.control.ControlClient;
import org.jminifilter.cli.control.ControlMessages;
import org.jminifilter.cli.output.ConfigView;
import org.jminifilter.cli.policyfile.PolicyFile;
import org.jminifilter.cli.policyfile.PolicyFileException;
import org.jminifilter.port.FilterPort;
import org.jminifilter.port.FilterPorts;
import org.jminifilter.protocol.Config;
import org.jminifilter.service.CommandRejectedException;
import org.jminifilter.service.KernelClient;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code jminifilter config get|set}: the driver's configuration, in the policy file's words. */
@Command(name = "config", mixinStandardHelpOptions = true,
        description = "Shows or changes the driver's configuration (the keys of a policy file's config section).",
        subcommands = {ConfigCommand.Get.class, ConfigCommand.Set.class})
final class ConfigCommand {

    @Command(name = "get", mixinStandardHelpOptions = true,
            description = {"Prints the configuration in force (needs a running serve: the driver has no command",
                    "that reports its configuration)."})
    static final class Get implements Callable<Integer> {
        @Option(names = "--json", description = "One JSON object.")
        boolean json;

        @Mixin
        ControlOptions control;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            Optional<ControlClient> serve = control.serve();
            if (serve.isEmpty()) {
                spec.commandLine().getErr().println("jminifilter: config get needs a running serve (the driver "
                        + "cannot report its configuration); no serve listens on " + control.path());
                return ExitCodes.NO_DRIVER;
            }
            ObjectNode answer = serve.get().ask(ControlMessages.request("config-get"));
            return print(answer, json, spec);
        }
    }

    @Command(name = "set", mixinStandardHelpOptions = true,
            description = {"Changes configuration values: KEY=VALUE with the keys of a policy file's config section",
                    "(ask-timeout-ms, default-verdict, default-deny-status, on-disconnect, max-asks-in-flight).",
                    "Through a running serve the other values stay; without one they are the driver's defaults."})
    static final class Set implements Callable<Integer> {
        @Parameters(paramLabel = "KEY=VALUE", arity = "1..*", description = "The values to set.")
        List<String> assignments;

        @Option(names = "--json", description = "Print the result as one JSON object.")
        boolean json;

        @Mixin
        ControlOptions control;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            Map<String, String> values = new LinkedHashMap<>();
            for (String a : assignments) {
                int eq = a.indexOf('=');
                if (eq <= 0) {
                    throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                            "\"" + a + "\" is not KEY=VALUE (for example ask-timeout-ms=2000)");
                }
                values.put(a.substring(0, eq).trim(), a.substring(eq + 1).trim());
            }
            Optional<ControlClient> serve = control.serve();
            if (serve.isPresent()) {
                ObjectNode request = ControlMessages.request("config-set");
                ObjectNode v = request.putObject("values");
                values.forEach(v::put);
                return print(serve.get().ask(request), json, spec);
            }
            Config next;
            try {
                next = PolicyFile.parseConfig("config set", values, Config.defaults());
            } catch (PolicyFileException e) {
                e.problems().forEach(p -> spec.commandLine().getErr().println("jminifilter: " + p.message()));
                return ExitCodes.INVALID;
            }
            try (FilterPort port = FilterPorts.connect()) {
                new KernelClient(port).setConfig(next);
            } catch (CommandRejectedException e) {
                spec.commandLine().getErr().println("jminifilter: " + e.getMessage());
                return ExitCodes.INVALID;
            }
            ObjectNode shown = ControlMessages.ok();
            ObjectNode c = shown.putObject("config");
            ConfigView.of(next).forEach(c::put);
            return print(shown, json, spec);
        }
    }

    static int print(ObjectNode answer, boolean json, CommandSpec spec) {
        PrintWriter out = spec.commandLine().getOut();
        if (!answer.path("ok").asBoolean()) {
            spec.commandLine().getErr().println("jminifilter: " + answer.path("error").asText());
            return ExitCodes.INVALID;
        }
        if (json) {
            out.println(answer.path("config").toString());
        } else {
            answer.path("config").fields().forEachRemaining(e -> out.printf("%-20s %s%n", e.getKey(),
                    e.getValue().asText()));
        }
        out.flush();
        return ExitCodes.OK;
    }
}
