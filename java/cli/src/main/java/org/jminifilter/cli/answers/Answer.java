package org.jminifilter.cli.answers;

import java.time.LocalTime;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

import org.jminifilter.policy.Action;
import org.jminifilter.policy.CaseFold;
import org.jminifilter.policy.Operation;
import org.jminifilter.policy.PathPattern;
import org.jminifilter.protocol.Ask;
import org.jminifilter.protocol.Protocol;

/**
 * One entry of a policy file's {@code answers:} section: matches on an ask, all of which must hold
 * (an absent one holds for every ask), and the verdict to answer. The asks carry no user or SID,
 * so an answer cannot match on them.
 *
 * @param where       {@code answers[2]}, for messages
 * @param line        where the answer is written
 * @param rules       the kernel ids of the asking rules it answers; empty for every ask rule
 * @param operations  the operations; empty for any
 * @param volume      the volume's NT device name; empty for any
 * @param path        the path pattern (the rules' pattern language and case fold); empty for any
 * @param image       the image pattern; empty for any
 * @param processIds  the requesting processes; empty for any
 * @param between     the local time of day; empty for any
 * @param verdict     what to answer
 */
public record Answer(String where, int line, Set<Integer> rules, Set<Operation> operations, Optional<String> volume,
        Optional<PathPattern> path, Optional<PathPattern> image, Set<Integer> processIds, Optional<TimeWindow> between,
        Action verdict) {

    public Answer {
        rules = Set.copyOf(rules);
        operations = operations.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(operations));
        processIds = Set.copyOf(processIds);
    }

    /**
     * True when every match holds for {@code ask} at local time {@code now} and the verdict can
     * answer it (the file's check makes sure it can for every ask rule the answer names; an ask of a
     * rule since removed could still differ). A path pattern never matches a path the kernel had to
     * cut (PATH_TRUNCATED): what was cut is unknown, so the ask falls through to its default.
     */
    public boolean matches(Ask ask, LocalTime now) {
        if (!rules.isEmpty() && !rules.contains(ask.ruleId())) {
            return false;
        }
        if (!operations.isEmpty() && !operations.contains(ask.operation())) {
            return false;
        }
        if (volume.isPresent() && !CaseFold.equal(volume.get(), ask.volume())) {
            return false;
        }
        if (path.isPresent() && ((ask.flags() & Protocol.ASK_FLAG_PATH_TRUNCATED) != 0
                || !PatternMatcher.matches(path.get().pattern(), ask.path()))) {
            return false;
        }
        if (image.isPresent() && !PatternMatcher.matches(image.get().pattern(), ask.image())) {
            return false;
        }
        if (!processIds.isEmpty() && !processIds.contains(ask.processId())) {
            return false;
        }
        if (between.isPresent() && !between.get().contains(now)) {
            return false;
        }
        return Verdicts.problem(verdict, ask.operation(), ask.isPostCreate()).isEmpty();
    }
}
