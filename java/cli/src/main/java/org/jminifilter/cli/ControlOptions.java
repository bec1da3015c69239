package org.jminifilter.cli;

import java.nio.file.Path;
import java.util.Optional;

import org.jminifilter.cli.control.ControlClient;
import org.jminifilter.cli.control.ControlPaths;

import picocli.CommandLine.Option;

/** Where a running serve's control socket is. */
final class ControlOptions {
    @Option(names = "--control", paramLabel = "SOCKET",
            description = "A running serve's control socket (default: the one serve uses by default).")
    Path control;

    Path path() {
        return control != null ? control : ControlPaths.defaultPath();
    }

    /** The running serve, if one listens. */
    Optional<ControlClient> serve() {
        return ControlClient.find(path());
    }
}
