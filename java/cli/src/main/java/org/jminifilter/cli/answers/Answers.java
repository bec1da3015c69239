package org.jminifilter.cli.answers;

import java.time.LocalTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.jminifilter.policy.Action;
import org.jminifilter.protocol.Ask;

/**
 * A policy file's {@code answers:} section, read and checked: the answers in order (the first
 * that matches an ask decides) and the file's ASK rules, whose defaults apply to the asks no
 * answer decides. Immutable, and part of the {@code PolicyFile} it came with, so a reload replaces
 * the answers and the policy together.
 *
 * @param list     the answers, in file order
 * @param askRules the ASK action of every asking rule of the policy, by kernel rule id
 */
public record Answers(List<Answer> list, Map<Integer, Action.Ask> askRules) {
    /** A file without an answers section (its ask rules are still known, for their defaults). */
    public static final Answers NONE = new Answers(List.of(), Map.of());

    public Answers {
        list = List.copyOf(list);
        askRules = Map.copyOf(askRules);
    }

    /** The first answer that matches {@code ask} at local time {@code now}. */
    public Optional<Answer> decide(Ask ask, LocalTime now) {
        for (Answer a : list) {
            if (a.matches(ask, now)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    /** The asking rule's ASK action in this file, if the rule is in it. */
    public Optional<Action.Ask> askRule(int ruleId) {
        return Optional.ofNullable(askRules.get(ruleId));
    }
}
