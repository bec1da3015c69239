package org.jminifilter.cli.policyfile;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Rule ids as the person wrote them. A number (1 .. 2147483647) is the kernel's rule id itself; a
 * short name ({@code protect-documents}) gets a stable id derived from the name alone (FNV-1a,
 * high bit set, so it never meets a number), the same on every load, so statistics and events
 * keep naming the rule across reloads and restarts.
 */
public final class RuleNames {
    /** The largest id a number may give; larger ids are the names'. */
    public static final int MAX_NUMERIC_ID = 0x7FFFFFFF;

    private final Map<Integer, String> byId;

    RuleNames(Map<Integer, String> byId) {
        this.byId = Collections.unmodifiableMap(new LinkedHashMap<>(byId));
    }

    /** Names for ids (as a control message carries them). */
    public static RuleNames of(Map<Integer, String> byId) {
        return new RuleNames(byId);
    }

    /** The id the kernel uses for the rule named {@code name}. */
    public static int idOf(String name) {
        int hash = 0x811C9DC5;
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            hash ^= b & 0xFF;
            hash *= 0x01000193;
        }
        int id = hash | 0x80000000;
        return id == 0xFFFFFFFF ? 0xFFFFFFFE : id; // never JMF_RULE_NONE
    }

    /** The rule as written for kernel id {@code id} ("7", "protect-documents"), if the file has it. */
    public Optional<String> nameOf(int id) {
        return Optional.ofNullable(byId.get(id));
    }

    /** The rule as written, or the id itself (unsigned) for a rule the file does not have. */
    public String describe(int id) {
        return nameOf(id).orElseGet(() -> id == 0xFFFFFFFF ? "(no rule)" : Integer.toUnsignedString(id));
    }

    /** Every rule id of the file with its name as written, in file order. */
    public Map<Integer, String> asMap() {
        return byId;
    }
}
