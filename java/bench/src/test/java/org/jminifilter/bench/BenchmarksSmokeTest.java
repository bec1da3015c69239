package org.jminifilter.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.Set;

import org.jminifilter.cli.policyfile.PolicyFile;
import org.jminifilter.policy.Action;
import org.jminifilter.policy.ActionType;
import org.jminifilter.policy.Policy;
import org.jminifilter.policy.Rule;
import org.jminifilter.protocol.Command;
import org.jminifilter.protocol.Result;
import org.junit.jupiter.api.Test;

/**
 * The benchmarks are run by hand, not by the test command; this runs each one's setup, one
 * invocation and its teardown, and checks what the invocation did, so they cannot rot unseen.
 */
class BenchmarksSmokeTest {

    @Test
    void theServiceOverTheMockPortAnswersWithTheHandlersVerdict() throws Exception {
        MockPortAskBenchmark.ServiceSide s = new MockPortAskBenchmark.ServiceSide();
        s.setUp();
        try {
            assertEquals(AskFixture.VERDICT, new MockPortAskBenchmark().service(s).verdict());
            assertEquals(1, s.service.asksAnswered());
            assertEquals(0, s.service.asksDefaulted(), "the handler decided, not the default");
        } finally {
            s.tearDown();
        }
    }

    @Test
    void theEchoLoopOverTheMockPortAnswersTheConstantVerdict() throws Exception {
        MockPortAskBenchmark.EchoSide s = new MockPortAskBenchmark.EchoSide();
        s.setUp();
        try {
            assertEquals(AskFixture.VERDICT, new MockPortAskBenchmark().echo(s).verdict());
        } finally {
            s.tearDown();
        }
        assertTrue(!s.loop.isAlive(), "closing the port ends the echo loop");
    }

    @Test
    void theServiceOverTheLoopbackPortAnswersEveryAskOfABatch() throws Exception {
        for (int rules : new int[] {1, 300}) {
            ServiceAskBenchmark.ServiceSide s = new ServiceAskBenchmark.ServiceSide();
            s.rules = rules;
            s.setUp();
            try {
                long typeSum = new ServiceAskBenchmark().service(s);
                assertEquals((long) ServiceAskBenchmark.BATCH * ActionType.DENY.code(), typeSum);
                assertEquals(ServiceAskBenchmark.BATCH, s.service.asksAnswered());
                assertEquals(0, s.service.asksDefaulted() + s.service.asksMalformed() + s.service.asksFailed());
            } finally {
                s.tearDown();
            }
        }
    }

    @Test
    void theEchoLoopOverTheLoopbackPortAnswersEveryAskOfABatch() throws Exception {
        ServiceAskBenchmark.EchoSide s = new ServiceAskBenchmark.EchoSide();
        s.setUp();
        try {
            assertEquals((long) ServiceAskBenchmark.BATCH * ActionType.DENY.code(), new ServiceAskBenchmark().echo(s));
        } finally {
            s.tearDown();
        }
    }

    @Test
    void theAskNamesTheAskRuleOfThePolicy() {
        Policy p = AskFixture.policy(5);
        assertEquals(5, p.rules().size());
        Rule last = p.rules().get(4);
        assertEquals(AskFixture.ASK_RULE, last.ruleId());
        assertTrue(last.action() instanceof Action.Ask);
        assertEquals(AskFixture.ASK_RULE, AskFixture.ask(1).ruleId());
    }

    /** The figure's file: 10,000 rules that parse without errors, with every action and named ids. */
    @Test
    void theGeneratedPolicyFileHasEveryActionAndParses() throws Exception {
        PolicyFileBenchmark.Text t = new PolicyFileBenchmark.Text();
        t.rules = 10_000;
        t.setUp();
        PolicyFileBenchmark.Port port = new PolicyFileBenchmark.Port();
        port.open();
        try {
            PolicyFile file = new PolicyFileBenchmark().parse(t);
            assertEquals(10_000, file.policy().rules().size());
            Set<ActionType> actions = EnumSet.noneOf(ActionType.class);
            file.policy().rules().forEach(r -> actions.add(r.action().type()));
            assertEquals(EnumSet.allOf(ActionType.class), actions);
            assertEquals(10_000, file.ruleNames().asMap().size(), "every rule has its own name");
            assertTrue(file.policy().rules().stream().anyMatch(r -> r.image().isPresent() && r.path().isEmpty()));
            assertTrue(file.policy().rules().stream().anyMatch(Rule::isPostCreate));
            assertEquals(2, file.policy().volumes().size());

            Result pushed = new PolicyFileBenchmark().parseAndPush(t, port);
            assertTrue(pushed.isSuccess());
            assertEquals(10_000, port.port.policy().rules().size(), "the mock kernel holds the pushed policy");
        } finally {
            port.close();
        }
    }

    @Test
    void theCompiledPolicyEncodesAndPushes() throws Exception {
        PolicyFileBenchmark.Compiled c = new PolicyFileBenchmark.Compiled();
        c.rules = 200;
        c.setUp();
        PolicyFileBenchmark.Port port = new PolicyFileBenchmark.Port();
        port.open();
        try {
            assertEquals(new Command.SetPolicy(c.policy), Command.decode(new PolicyFileBenchmark().encode(c)));
            assertTrue(new PolicyFileBenchmark().push(c, port).isSuccess());
            assertEquals(c.policy, port.port.policy());
        } finally {
            port.close();
        }
    }

    @Test
    void theGeneratorIsDeterministic() {
        assertEquals(PolicyGenerator.generate(500, 7), PolicyGenerator.generate(500, 7));
        assertTrue(!PolicyGenerator.generate(500, 7).equals(PolicyGenerator.generate(500, 8)));
    }
}
