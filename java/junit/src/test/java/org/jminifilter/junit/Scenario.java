package org.jminifilter.junit;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A test class that only the tests of this module run, through EngineTestKit (some fail on
 * purpose). Anywhere else, such as {@code mvn -Dtest='*Extension*'} selecting nested classes,
 * it is disabled.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(Scenario.OnlyUnderTestKit.class)
@interface Scenario {

    /** The configuration parameter the tests pass to EngineTestKit. */
    String ENABLED = "org.jminifilter.junit.scenarios";

    /** Disables the class unless {@link #ENABLED} is set. */
    final class OnlyUnderTestKit implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            return context.getConfigurationParameter(ENABLED).isPresent()
                    ? ConditionEvaluationResult.enabled("run by EngineTestKit")
                    : ConditionEvaluationResult.disabled("a scenario: run by EngineTestKit from its test");
        }
    }
}
