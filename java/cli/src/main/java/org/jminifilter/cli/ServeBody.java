package org.jminifilter.cli;

import java.io.PrintWriter;
import java.util.List;

import org.jminifilter.cli.serve.Supervisor;
import org.jminifilter.cli.windows.ServiceRunner;

import picocli.CommandLine;

/**
 * serve as the installed service's body: the same {@link ServeCommand} with the same options
 * (those the service was installed with), whose {@link Supervisor} the SCM's stop reaches.
 */
final class ServeBody implements ServiceRunner.Body {
    private final ServeCommand serve = new ServeCommand();
    private final CommandLine commandLine;
    private final String[] args;
    private Supervisor supervisor;   // guarded by this
    private boolean stopRequested;   // guarded by this

    /**
     * @throws CommandLine.ParameterException when {@code serveArgs} are not valid serve options
     */
    ServeBody(List<String> serveArgs, PrintWriter out, PrintWriter err) {
        args = serveArgs.toArray(String[]::new);
        commandLine = new CommandLine(serve);
        commandLine.setOut(out);
        commandLine.setErr(err);
        commandLine.setExecutionExceptionHandler((e, cl, parseResult) -> {
            cl.getErr().println("jminifilter: " + e.getMessage());
            return ExitCodes.of(e);
        });
        commandLine.setExitCodeExceptionMapper(ExitCodes::of);
        commandLine.parseArgs(args); // refuse bad options now, before the SCM is told anything
        serve.windows.onSupervisor = this::attach;
    }

    private synchronized void attach(Supervisor s) {
        supervisor = s;
        if (stopRequested) {
            s.stop(); // a stop that came before serve made its supervisor: run() returns at once
        }
    }

    @Override
    public int run() {
        return commandLine.execute(args);
    }

    @Override
    public synchronized boolean serving() {
        if (supervisor == null) {
            return false;
        }
        Supervisor.State s = supervisor.state();
        return s == Supervisor.State.CONNECTED || s == Supervisor.State.WAITING_FOR_DRIVER;
    }

    @Override
    public synchronized void stop() {
        stopRequested = true;
        if (supervisor != null) {
            supervisor.stop();
        }
    }
}
