package org.jminifilter.cli.demo;

import java.util.List;
import java.util.Optional;
import org.jminifilter.protocol.Ask;
import org.jminifilter.protocol.Event;
import org.jminifilter.protocol.Statistics;
import org.jminifilter.protocol.NtStatus;

/**
 * What the demonstration did and saw, for the printed account and for the test that checks it.
 *
 * @param steps      each file operation and its outcome, in order
 * @param asks       the asks the driver sent and the answers Java gave (or that it answered too late)
 * @param events     the events the service received, oldest first
 * @param statistics the driver's statistics at the end
 * @param volume2Data what landed on volume 2 through the redirect (read directly)
 * @param volume1Data what the volume 1 file holds after the redirected write (read directly)
 * @param quarantinedFileExists whether the file the post-create DENY refused stayed on volume 1
 * @param asksLate   asks Java answered after the driver's timeout
 * @param unloadStatus the driver's unload status
 * @param violations what the emulator caught (empty: the driver unloaded clean)
 */
public record DemoReport(List<Step> steps, List<AskExchange> asks, List<Event> events, Statistics statistics,
        Optional<String> volume2Data, Optional<String> volume1Data, boolean quarantinedFileExists, long asksLate,
        NtStatus unloadStatus, List<String> violations) {

    public DemoReport {
        steps = List.copyOf(steps);
        asks = List.copyOf(asks);
        events = List.copyOf(events);
        violations = List.copyOf(violations);
    }

    /**
     * One operation.
     *
     * @param name    a short key ("secret-open") the test finds the step by
     * @param what    what was attempted, for a person
     * @param status  the operation's status
     * @param outcome the rest of the outcome, for a person (information, data)
     */
    public record Step(String name, String what, NtStatus status, String outcome) {
    }

    /**
     * One ask and Java's answer.
     *
     * @param ask    what the driver asked
     * @param answer the verdict Java gave, e.g. "ALLOW" (possibly too late)
     */
    public record AskExchange(Ask ask, String answer) {
    }

    /** The step called {@code name}; fails when there is none. */
    public Step step(String name) {
        return steps.stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no step " + name + " in " + steps));
    }
}
