package org.jminifilter.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import org.jminifilter.cli.policyfile.PolicyFile;
import org.jminifilter.cli.policyfile.PolicyFileException;
import org.jminifilter.cli.policyfile.Problem;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code jminifilter validate FILE}: reads and checks a policy file; needs no driver. */
@Command(name = "validate", mixinStandardHelpOptions = true,
        description = {"Checks a policy file with the driver's own checks, without a driver.",
                "Prints every error and warning as FILE:LINE:COLUMN: and a summary.",
                "Exit 0 when valid (warnings allowed), 1 when invalid."})
final class ValidateCommand implements Callable<Integer> {

    @Parameters(paramLabel = "FILE", description = "The policy file (YAML, or JSON when it ends in .json).")
    Path file;

    @Mixin
    VolumeOptions volumes;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            PolicyFile policy = PolicyFile.read(file, volumes.resolver());
            policy.warnings().forEach(out::println);
            long auditOnly = policy.policy().rules().stream().filter(policy.policy()::isAuditOnly).count();
            out.println(file + ": valid: " + policy.policy().rules().size() + " rules, "
                    + policy.policy().volumes().size() + " volumes, " + policy.warnings().size() + " warnings"
                    + (auditOnly > 0 ? ", " + auditOnly + " audit-only (reported, not applied)" : "")
                    + (policy.config().isPresent() ? ", sets the configuration" : ""));
            return ExitCodes.OK;
        } catch (PolicyFileException e) {
            e.problems().forEach(err::println);
            long errors = e.problems().stream().filter(p -> p.severity() == Problem.Severity.ERROR).count();
            err.println(file + ": invalid: " + errors + (errors == 1 ? " error" : " errors"));
            return ExitCodes.INVALID;
        } catch (NoSuchFileException e) {
            err.println("jminifilter: " + file + ": no such file");
            return ExitCodes.INVALID;
        } catch (IOException e) {
            err.println("jminifilter: " + file + ": cannot read: " + e.getMessage());
            return ExitCodes.INVALID;
        }
    }
}
