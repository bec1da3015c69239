package org.jminifilter.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.node.ObjectNode;

import org.jminifilter.cli.control.ControlClient;
import org.jminifilter.cli.control.ControlMessages;
import org.jminifilter.cli.policyfile.PolicyFile;
import org.jminifilter.cli.policyfile.PolicyFileException;
import org.jminifilter.port.FilterPort;
import org.jminifilter.port.FilterPorts;
import org.jminifilter.protocol.Result;
import org.jminifilter.service.CommandRejectedException;
import org.jminifilter.service.KernelClient;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code jminifilter push FILE}: validates the file and puts it in force in one shot (its
 * configuration, then its policy), without staying connected: asks of its ASK rules then get
 * their default verdicts, since no service answers. The driver keeps the policy after the
 * connection closes unless the configuration says {@code on-disconnect: clear-policy}.
 */
@Command(name = "push", mixinStandardHelpOptions = true,
        description = {"Validates a policy file and puts it in force, then disconnects. While serve runs, serve",
                "(which holds the driver's only connection) checks and pushes it, until its own file changes."})
final class PushCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", description = "The policy file.")
    Path file;

    @Mixin
    VolumeOptions volumes;

    @Mixin
    ControlOptions control;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Optional<ControlClient> serve = control.serve();
        if (serve.isPresent()) {
            // serve holds the driver's only connection: it checks and pushes the file for us.
            String text;
            try {
                text = Files.readString(file, StandardCharsets.UTF_8);
            } catch (NoSuchFileException e) {
                err.println("jminifilter: " + file + ": no such file");
                return ExitCodes.INVALID;
            }
            ObjectNode request = ControlMessages.request("push");
            request.put("file", file.toString());
            request.put("text", text);
            ObjectNode answer = serve.get().ask(request);
            answer.path("problems").forEach(p -> err.println(p.asText()));
            answer.path("warnings").forEach(p -> err.println(p.asText()));
            if (!answer.path("ok").asBoolean()) {
                err.println("jminifilter: " + answer.path("error").asText());
                return ExitCodes.INVALID;
            }
            out.println("pushed " + file + " through serve: " + answer.path("rules").asInt() + " rules in force, "
                    + "generation " + answer.path("generation").asLong() + " (until serve's own policy file changes)");
            return ExitCodes.OK;
        }
        PolicyFile policy;
        try {
            policy = PolicyFile.read(file, volumes.resolver());
        } catch (PolicyFileException e) {
            e.problems().forEach(err::println);
            err.println("jminifilter: " + file + " is invalid; nothing was pushed");
            return ExitCodes.INVALID;
        } catch (NoSuchFileException e) {
            err.println("jminifilter: " + file + ": no such file");
            return ExitCodes.INVALID;
        }
        policy.warnings().forEach(err::println);
        try (FilterPort port = FilterPorts.connect()) {
            KernelClient kernel = new KernelClient(port);
            if (policy.config().isPresent()) {
                if (policy.config().get().isLocked()) {
                    err.println("jminifilter: warning: config.locked with a one-shot push: no process keeps the unlock"
                            + " key, so only a reboot (a mandatory unload) ends this lock");
                }
                kernel.setConfig(policy.config().get());
            }
            // config.persist: the driver keeps the configuration and this policy for the next load
            boolean persist = policy.config().map(org.jminifilter.protocol.Config::persist).orElse(false);
            Result r = kernel.setPolicy(policy.policy(), persist);
            out.println("pushed " + file + ": " + policy.policy().rules().size() + " rules in force, generation "
                    + Integer.toUnsignedString(r.generation()));
            return ExitCodes.OK;
        } catch (CommandRejectedException e) {
            err.println("jminifilter: " + e.getMessage());
            return ExitCodes.INVALID;
        }
    }
}
