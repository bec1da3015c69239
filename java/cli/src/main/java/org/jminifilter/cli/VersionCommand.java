package org.jminifilter.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

import org.jminifilter.protocol.Protocol;

import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code jminifilter version}: this program's version and the protocol version it speaks. A
 * driver speaking another protocol version refuses the connection (exit 3 from any command that
 * connects, naming both versions).
 */
@Command(name = "version", mixinStandardHelpOptions = true,
        description = "Prints the service's version and the driver protocol version it speaks.")
final class VersionCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        for (String line : new Provider().getVersion()) {
            out.println(line);
        }
        return ExitCodes.OK;
    }

    /** The lines of {@code --version}. */
    static final class Provider implements IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"jminifilter " + (v == null ? "(development build)" : v),
                "driver protocol version " + Protocol.PROTOCOL_VERSION};
        }
    }
}
