package org.jminifilter.cli.policyfile;

import org.jminifilter.cli.policyfile.Node.Location;

/**
 * An error or a warning about a policy file, at the place a person has to look:
 * {@code policy.yaml:12:7: error: rules[2] (id "docs"): deny: STATUS_ACCES_DENIED is not an
 * NTSTATUS name; did you mean STATUS_ACCESS_DENIED?}.
 *
 * @param severity error (the file is refused) or warning (it is accepted)
 * @param file     the file's name as given
 * @param line     from 1
 * @param column   from 1
 * @param message  what is wrong and what would be valid
 */
public record Problem(Severity severity, String file, int line, int column, String message) {

    /** An error refuses the whole file; a warning is reported and the file is accepted. */
    public enum Severity { ERROR, WARNING }

    static Problem error(String file, Location at, String message) {
        return new Problem(Severity.ERROR, file, at.line(), at.column(), message);
    }

    static Problem warning(String file, Location at, String message) {
        return new Problem(Severity.WARNING, file, at.line(), at.column(), message);
    }

    /** {@code file:line:column: error: message}, the form compilers and editors understand. */
    @Override
    public String toString() {
        return file + ":" + line + ":" + column + ": " + severity.name().toLowerCase(java.util.Locale.ROOT) + ": "
                + message;
    }
}
