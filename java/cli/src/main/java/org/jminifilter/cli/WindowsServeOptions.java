package org.jminifilter.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.function.Supplier;

import com.sun.jna.Platform;

import org.jminifilter.cli.policyfile.RuleNames;
import org.jminifilter.cli.serve.Supervisor;
import org.jminifilter.cli.windows.ControlFolder;
import org.jminifilter.cli.windows.EventLogWriter;
import org.jminifilter.protocol.Event;
import org.jminifilter.service.EventListener;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * What serve does differently on Windows, kept out of {@link ServeCommand} but for one call each:
 * {@code --event-log} (kernel events to the Application event log as well), the control folder's
 * ACL, and the hook through which {@code service run} reaches serve's {@link Supervisor}.
 */
final class WindowsServeOptions implements AutoCloseable {

    @Spec(Spec.Target.MIXEE)
    CommandSpec serve;

    boolean eventLog;

    /** Refused at once elsewhere than Windows, before serve opens anything. */
    @Option(names = "--event-log", description = "Windows: also write every event to the Application event log "
            + "(source jminifilter; registered by 'service install'). On for the installed service.")
    void eventLog(boolean on) {
        if (on && !Platform.isWindows()) {
            throw new ParameterException(serve.commandLine(),
                    "--event-log: the Windows Event Log exists on Windows only");
        }
        eventLog = on;
    }

    /** Set by {@code service run}: receives serve's supervisor before it runs. */
    Consumer<Supervisor> onSupervisor = s -> { };

    private EventLogWriter writer;

    /** The listener serve gives its supervisor: the JSON Lines sink, and the Event Log when asked. */
    EventListener events(EventListener sink, Supplier<RuleNames> names) {
        if (!eventLog) {
            return sink;
        }
        EventLogWriter w = EventLogWriter.onThisMachine(names);
        writer = w;
        return new EventListener() {
            @Override
            public void onEvent(Event event) {
                sink.onEvent(event);
                w.onEvent(event);
            }

            @Override
            public void onDropped(long droppedSinceStart) {
                sink.onDropped(droppedSinceStart);
                w.onDropped(droppedSinceStart);
            }
        };
    }

    /** The control socket's path, its folder made and restricted first where it is ours (Windows). */
    Path control(Path socket) throws IOException {
        return ControlFolder.prepare(socket);
    }

    /** Serve has made its supervisor. */
    void started(Supervisor supervisor) {
        onSupervisor.accept(supervisor);
    }

    @Override
    public void close() {
        if (writer != null) {
            writer.close();
        }
    }
}
