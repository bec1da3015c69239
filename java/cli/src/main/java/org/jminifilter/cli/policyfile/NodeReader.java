package org.jminifilter.cli.policyfile;

import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import org.jminifilter.cli.policyfile.Node.Key;
import org.jminifilter.cli.policyfile.Node.ListNode;
import org.jminifilter.cli.policyfile.Node.Location;
import org.jminifilter.cli.policyfile.Node.MapNode;
import org.jminifilter.cli.policyfile.Node.ScalarNode;

/**
 * Reads YAML or JSON with Jackson's streaming parser into {@link Node}s that keep their
 * locations (Jackson's tree model does not). JSON is YAML's subset as far as a policy file goes,
 * but a file whose name ends in {@code .json} is read by the JSON parser, so JSON's own errors are
 * JSON's.
 */
final class NodeReader {
    private static final JsonFactory JSON = new JsonFactory();
    private static final YAMLFactory YAML = new YAMLFactory();

    private NodeReader() {
    }

    /** The document in {@code text}; a syntax error or a duplicate key is a {@link PolicyFileException}. */
    static Node read(String fileName, Reader text, boolean json) throws IOException, PolicyFileException {
        JsonFactory factory = json ? JSON : YAML;
        try (JsonParser p = factory.createParser(text)) {
            JsonToken first = p.nextToken();
            if (first == null) {
                throw PolicyFileException.of(Problem.error(fileName, new Location(1, 1), "the file is empty"));
            }
            Node root = value(fileName, p);
            JsonToken more = p.nextToken();
            if (more != null) {
                throw PolicyFileException.of(Problem.error(fileName, location(p.currentTokenLocation()),
                        "a second document in the file (one policy per file)"));
            }
            return root;
        } catch (JsonParseException e) {
            Location where = e.getLocation() == null ? new Location(1, 1) : location(e.getLocation());
            String hint = !json && String.valueOf(e.getOriginalMessage()).contains("mapping values are not allowed")
                    ? " (a value that ends in ':', such as the drive letter C:, must be quoted: \"C:\")" : "";
            throw PolicyFileException.of(Problem.error(fileName, where, "not valid " + (json ? "JSON" : "YAML")
                    + ": " + e.getOriginalMessage() + hint));
        }
    }

    private static Node value(String fileName, JsonParser p) throws IOException, PolicyFileException {
        Location at = location(p.currentTokenLocation());
        JsonToken t = p.currentToken();
        switch (t) {
            case START_OBJECT: {
                LinkedHashMap<String, Key> keys = new LinkedHashMap<>();
                Map<String, Node> values = new HashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    Location keyAt = location(p.currentTokenLocation());
                    Key before = keys.get(name);
                    if (before != null) {
                        throw PolicyFileException.of(Problem.error(fileName, keyAt,
                                "\"" + name + "\" appears twice in this map (first at line " + before.location().line()
                                        + ")"));
                    }
                    keys.put(name, new Key(name, keyAt));
                    p.nextToken();
                    values.put(name, value(fileName, p));
                }
                return new MapNode(keys, values, at);
            }
            case START_ARRAY: {
                List<Node> items = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    items.add(value(fileName, p));
                }
                return new ListNode(items, at);
            }
            case VALUE_STRING:
                return new ScalarNode(p.getText(), ScalarNode.Kind.TEXT, at);
            case VALUE_NUMBER_INT:
                return new ScalarNode(p.getText(), ScalarNode.Kind.INTEGER, at);
            case VALUE_NUMBER_FLOAT:
                return new ScalarNode(p.getText(), ScalarNode.Kind.DECIMAL, at);
            case VALUE_TRUE:
            case VALUE_FALSE:
                return new ScalarNode(p.getText(), ScalarNode.Kind.BOOLEAN, at);
            case VALUE_NULL:
                return new ScalarNode("", ScalarNode.Kind.NULL, at);
            default:
                throw PolicyFileException.of(Problem.error(fileName, at, "unexpected " + t));
        }
    }

    private static Location location(JsonLocation l) {
        return new Location(Math.max(1, l.getLineNr()), Math.max(1, l.getColumnNr()));
    }
}
