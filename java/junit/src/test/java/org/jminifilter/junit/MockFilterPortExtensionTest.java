package org.jminifilter.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jminifilter.port.mock.MockFilterPort;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/** MockFilterPortExtension run by EngineTestKit over the scenario classes below. */
class MockFilterPortExtensionTest {

    static final List<MockFilterPort> SEEN = new CopyOnWriteArrayList<>();
    static final List<Boolean> OPEN_DURING_TEST = new CopyOnWriteArrayList<>();

    @BeforeEach
    void clear() {
        SEEN.clear();
        OPEN_DURING_TEST.clear();
    }

    private static Events run(Class<?> scenario) {
        return EngineTestKit.engine("junit-jupiter").configurationParameter(Scenario.ENABLED, "true")
                .selectors(selectClass(scenario)).execute().testEvents();
    }

    @Scenario
    @ExtendWith(MockFilterPortExtension.class)
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    static class TwoTestsScenario {
        @BeforeEach
        void before(MockFilterPort port) {
            SEEN.add(port);
        }

        @Test
        @Order(1)
        void first(MockFilterPort port) {
            SEEN.add(port);
            OPEN_DURING_TEST.add(port.isOpen());
        }

        @Test
        @Order(2)
        void second(MockFilterPort port) {
            SEEN.add(port);
            OPEN_DURING_TEST.add(port.isOpen());
        }
    }

    @Test
    void eachTestGetsAFreshOpenPortSharedWithItsBeforeEachAndClosedAfterIt() {
        run(TwoTestsScenario.class).assertStatistics(s -> s.succeeded(2).failed(0));

        assertEquals(4, SEEN.size());
        assertSame(SEEN.get(0), SEEN.get(1), "@BeforeEach and the first test");
        assertSame(SEEN.get(2), SEEN.get(3), "@BeforeEach and the second test");
        assertNotSame(SEEN.get(0), SEEN.get(2), "a port per test");
        assertEquals(List.of(true, true), OPEN_DURING_TEST);
        assertFalse(SEEN.get(0).isOpen(), "closed after the test");
        assertFalse(SEEN.get(2).isOpen(), "closed after the test");
    }

    @Scenario
    static class FieldScenario {
        @RegisterExtension
        final MockFilterPortExtension ports = new MockFilterPortExtension();

        @Test
        void test(MockFilterPort port) {
            SEEN.add(port);
        }
    }

    @Test
    void aRegisteredFieldWorksTheSame() {
        run(FieldScenario.class).assertStatistics(s -> s.succeeded(1).failed(0));
        assertEquals(1, SEEN.size());
        assertFalse(SEEN.get(0).isOpen());
    }

    @Scenario
    @ExtendWith(MockFilterPortExtension.class)
    static class BeforeAllScenario {
        @BeforeAll
        static void once(MockFilterPort port) {
            SEEN.add(port);
        }

        @Test
        void never() {
        }
    }

    @Test
    void aPortForTheWholeClassIsRefusedWithAMessage() {
        Events events = EngineTestKit.engine("junit-jupiter").configurationParameter(Scenario.ENABLED, "true")
                .selectors(selectClass(BeforeAllScenario.class)).execute().allEvents();
        events.assertThatEvents().haveAtLeastOne(event(finishedWithFailure(
                instanceOf(ParameterResolutionException.class), message(m -> m.contains("exists per test")))));
        assertTrue(SEEN.isEmpty());
    }
}
