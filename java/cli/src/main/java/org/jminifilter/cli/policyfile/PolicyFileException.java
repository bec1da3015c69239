package org.jminifilter.cli.policyfile;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A policy file that cannot be used, with every error found (each naming its file, line and
 * column). Nothing was pushed: the policy in force stays.
 */
public final class PolicyFileException extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient List<Problem> problems;

    PolicyFileException(List<Problem> problems) {
        super(problems.stream().map(Problem::toString).collect(Collectors.joining(System.lineSeparator())));
        this.problems = List.copyOf(problems);
    }

    static PolicyFileException of(Problem problem) {
        return new PolicyFileException(List.of(problem));
    }

    /** The errors (and the warnings found before them), in file order. */
    public List<Problem> problems() {
        return problems;
    }
}
