package org.jminifilter.cli;

import org.jminifilter.port.ConnectionLimitException;
import org.jminifilter.port.PortAccessDeniedException;
import org.jminifilter.port.PortNotFoundException;
import org.jminifilter.port.ProtocolMismatchException;
import org.jminifilter.port.UnsupportedPlatformException;

/** The exit codes every command uses, documented in {@code jminifilter --help} and the README. */
public final class ExitCodes {
    public static final int OK = 0;
    public static final int INVALID = 1;
    public static final int USAGE = 2;
    public static final int NO_DRIVER = 3;
    public static final int FAILED = 4;

    private ExitCodes() {
    }

    /** The exit code for a failure that reached the top of a command. */
    static int of(Throwable e) {
        if (e instanceof PortNotFoundException || e instanceof PortAccessDeniedException
                || e instanceof ConnectionLimitException || e instanceof ProtocolMismatchException
                || e instanceof UnsupportedPlatformException) {
            return NO_DRIVER;
        }
        if (e instanceof picocli.CommandLine.ParameterException) {
            return USAGE;
        }
        return FAILED;
    }
}
