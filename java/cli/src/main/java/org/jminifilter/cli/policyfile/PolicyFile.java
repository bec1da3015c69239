package org.jminifilter.cli.policyfile;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import org.jminifilter.cli.answers.Answers;
import org.jminifilter.policy.Policy;
import org.jminifilter.protocol.Config;

/**
 * A policy file, read and checked: the policy to push, the configuration it sets (if any), the
 * rule names as written and the warnings. Reading fails with a {@link PolicyFileException} listing
 * every error with its line and column; the checks are the ones the driver makes, so a file that
 * reads here is one the driver accepts.
 *
 * @param source     the file's name as given
 * @param policy     the compiled policy
 * @param config     the {@code config:} section, or empty to leave the driver's configuration alone
 * @param ruleNames  rule ids as written
 * @param warnings   problems that do not stop the file (shadowed rules, absent volumes, ...)
 * @param answers    the {@code answers:} section (empty without one) and the file's ask rules
 */
public record PolicyFile(String source, Policy policy, Optional<Config> config, RuleNames ruleNames,
        List<Problem> warnings, Answers answers) {

    /** The only format version so far; a file says {@code version: 1}. */
    public static final int VERSION = 1;

    public PolicyFile {
        warnings = List.copyOf(warnings);
        answers = answers == null ? Answers.NONE : answers;
    }

    /** A file without answers. */
    public PolicyFile(String source, Policy policy, Optional<Config> config, RuleNames ruleNames,
            List<Problem> warnings) {
        this(source, policy, config, ruleNames, warnings, Answers.NONE);
    }

    /** Reads {@code file} (YAML, or JSON when its name ends in {@code .json}). */
    public static PolicyFile read(Path file, VolumeResolver volumes) throws IOException, PolicyFileException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        return parse(file.toString(), text, volumes);
    }

    /**
     * Applies configuration values written as in a policy file's {@code config:} section
     * ({@code ask-timeout-ms=2000}, {@code default-verdict=deny}, ...) over {@code base}, with the
     * same checks and messages.
     */
    public static Config parseConfig(String source, Map<String, String> values, Config base)
            throws PolicyFileException {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        com.fasterxml.jackson.databind.node.ObjectNode root = json.createObjectNode();
        com.fasterxml.jackson.databind.node.ObjectNode config = root.putObject("config");
        values.forEach(config::put);
        Node node;
        try {
            node = NodeReader.read(source, new StringReader(root.toString()), true);
        } catch (IOException e) {
            throw PolicyFileException.of(Problem.error(source, new Node.Location(1, 1), e.getMessage()));
        }
        return new PolicyFileParser(source, VolumeResolver.ntNamesOnly()).configOnly(node, base);
    }

    /** Parses {@code text}, naming it {@code fileName} in problems. */
    public static PolicyFile parse(String fileName, String text, VolumeResolver volumes) throws PolicyFileException {
        boolean json = fileName.toLowerCase(Locale.ROOT).endsWith(".json");
        Node root;
        try {
            root = NodeReader.read(fileName, new StringReader(text), json);
        } catch (IOException e) {
            throw PolicyFileException.of(Problem.error(fileName, new Node.Location(1, 1), e.getMessage()));
        }
        return new PolicyFileParser(fileName, volumes).parse(root);
    }
}
