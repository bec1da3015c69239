package org.jminifilter.cli.answers;

import java.time.Clock;
import java.time.LocalTime;
import java.util.Optional;
import java.util.function.Supplier;

import org.jminifilter.cli.policyfile.PolicyFile;
import org.jminifilter.policy.Action;
import org.jminifilter.protocol.Ask;
import org.jminifilter.protocol.Config;
import org.jminifilter.service.AskHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ask handler of {@code jminifilter serve}: the policy file's {@code answers:} section decides
 * first (the first answer that matches); an ask it does not decide goes to the next decider (the
 * console prompt of {@code --interactive}, or the Java handler of {@code --handler}), and without
 * one gets at once the verdict the kernel would apply when no answer comes: the asking rule's
 * default, or the configuration's (fail closed when the file says deny). The policy file is read
 * at each ask from the supplier (the supervisor's file in force), so a reload replaces the answers
 * and the policy together.
 */
public final class AnswersHandler implements AskHandler {
    private static final Logger LOG = LoggerFactory.getLogger(AnswersHandler.class);

    private final Supplier<PolicyFile> file;
    private final Supplier<Config> config;
    private final Decider next;
    private final Clock clock;

    /**
     * @param file   the policy file in force
     * @param config the driver's configuration in force (for rules whose default is "configured")
     * @param next   decides what the answers leave open; null for the rule's default
     * @param clock  the local time for {@code between} windows
     */
    public AnswersHandler(Supplier<PolicyFile> file, Supplier<Config> config, Decider next, Clock clock) {
        this.file = file;
        this.config = config;
        this.next = next;
        this.clock = clock;
    }

    @Override
    public Action decide(Ask ask) {
        PolicyFile f = file.get();
        Answers answers = f.answers();
        Optional<Answer> answer = answers.decide(ask, LocalTime.now(clock));
        String rule = f.ruleNames().describe(ask.ruleId());
        if (answer.isPresent()) {
            LOG.debug("{} of the ask about {} {} (rule {}, process {}): {}", answer.get().where(),
                    ask.operation().name().toLowerCase(java.util.Locale.ROOT), Verdicts.file(ask), rule,
                    Integer.toUnsignedString(ask.processId()), Verdicts.describe(answer.get().verdict()));
            return answer.get().verdict();
        }
        Action dflt = Verdicts.defaultVerdict(answers.askRule(ask.ruleId()).orElse(null), config.get());
        if (next == null) {
            return dflt;
        }
        return next.decide(new AskContext(ask, rule, dflt));
    }
}
