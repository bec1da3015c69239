package org.jminifilter.cli.policyfile;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A policy file as Jackson read it, each value with the line and column it starts at, so every
 * problem found later can name the place a person has to edit.
 */
sealed interface Node permits Node.MapNode, Node.ListNode, Node.ScalarNode {

    /** Where the value starts (1-based line and column). */
    Location location();

    /** What the value is, for messages ("a map", "a list", "the number 3"). */
    String describe();

    /** A line and a column, both from 1. */
    record Location(int line, int column) {
        @Override
        public String toString() {
            return line + ":" + column;
        }
    }

    /** A key of a map with the place the key itself was written. */
    record Key(String name, Location location) {
    }

    /** A map in key order; keys are unique (the reader refuses a duplicate). */
    record MapNode(LinkedHashMap<String, Key> keys, Map<String, Node> values, Location location) implements Node {
        @Override
        public String describe() {
            return "a map";
        }

        Node get(String key) {
            return values.get(key);
        }
    }

    /** A list in order. */
    record ListNode(List<Node> items, Location location) implements Node {
        @Override
        public String describe() {
            return "a list";
        }
    }

    /**
     * A scalar: text, a number or a boolean as written (its {@code text}), or null (YAML's empty
     * value or {@code null}, JSON's {@code null}).
     */
    record ScalarNode(String text, Kind kind, Location location) implements Node {
        enum Kind { TEXT, INTEGER, DECIMAL, BOOLEAN, NULL }

        @Override
        public String describe() {
            return switch (kind) {
                case NULL -> "an empty value";
                case TEXT -> "the text \"" + text + "\"";
                default -> "the value " + text;
            };
        }

        boolean isNull() {
            return kind == Kind.NULL;
        }
    }
}
