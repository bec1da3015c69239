package org.jminifilter.cli.output;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.jminifilter.cli.policyfile.RuleNames;
import org.jminifilter.protocol.Event;
import org.jminifilter.protocol.Protocol;

/**
 * Events as JSON objects, one per line (JSON Lines): every field of JMF_EVENT, the rule as the
 * policy file wrote it, the status by name when it has one, the flags by name (an audit-only
 * rule's event has the flag {@code audit-only}: its verdict is what would have applied). The count of
 * events the kernel dropped is a record of its own ({@code "record": "dropped"}).
 */
public final class EventJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final Map<Integer, String> FLAGS = Map.ofEntries(
            Map.entry(Protocol.EVENT_FLAG_POST_CREATE, "post-create"),
            Map.entry(Protocol.EVENT_FLAG_DEFAULT_VERDICT, "default-verdict"),
            Map.entry(Protocol.EVENT_FLAG_ASK_TIMEOUT, "ask-timeout"),
            Map.entry(Protocol.EVENT_FLAG_ASKED, "asked"),
            Map.entry(Protocol.EVENT_FLAG_REDIRECT_FALLBACK, "redirect-fallback"),
            Map.entry(Protocol.EVENT_FLAG_PATH_TRUNCATED, "path-truncated"),
            Map.entry(Protocol.EVENT_FLAG_MODIFIED, "modified"),
            Map.entry(Protocol.EVENT_FLAG_DESTINATION, "destination"),
            Map.entry(Protocol.EVENT_FLAG_LINK, "link"),
            Map.entry(Protocol.EVENT_FLAG_OTHER_PATH_TRUNCATED, "other-path-truncated"),
            Map.entry(Protocol.EVENT_FLAG_REDIRECT_TARGET_LOST, "redirect-target-lost"),
            Map.entry(Protocol.EVENT_FLAG_REDIRECT_REFUSED, "redirect-refused"),
            Map.entry(Protocol.EVENT_FLAG_ASK_NOT_WAITED, "ask-not-waited"),
            Map.entry(Protocol.EVENT_FLAG_ASK_CANCELLED, "ask-cancelled"),
            Map.entry(Protocol.EVENT_FLAG_REPARSE, "reparse"),
            Map.entry(Protocol.EVENT_FLAG_AUDIT_ONLY, "audit-only"));

    private EventJson() {
    }

    /** The event as one JSON object. */
    public static ObjectNode of(Event e, RuleNames names) {
        ObjectNode o = JSON.createObjectNode();
        o.put("record", "event");
        o.put("time", e.instant().toString());
        o.put("sequence", Long.toUnsignedString(e.sequence()));
        o.put("rule", names.describe(e.ruleId()));
        o.put("ruleId", Integer.toUnsignedLong(e.ruleId()));
        o.put("operation", e.operation().name().toLowerCase(java.util.Locale.ROOT));
        o.put("verdict", e.verdict().name().toLowerCase(java.util.Locale.ROOT));
        o.put("status", e.status().name());
        o.put("processId", Integer.toUnsignedLong(e.processId()));
        ArrayNode flags = o.putArray("flags");
        flagNames(e.flags()).forEach(flags::add);
        o.put("volume", e.volume());
        o.put("path", e.path());
        if (!e.otherPath().isEmpty()) {
            o.put("otherPath", e.otherPath());
        }
        return o;
    }

    /** The record that reports events the kernel dropped because its queue was full. */
    public static ObjectNode dropped(long droppedSinceStart) {
        ObjectNode o = JSON.createObjectNode();
        o.put("record", "dropped");
        o.put("droppedSinceStart", droppedSinceStart);
        return o;
    }

    /** The names of JMF_EVENT_FLAG_* bits, in bit order. */
    public static List<String> flagNames(int flags) {
        List<String> names = new ArrayList<>();
        for (int bit = 1; bit != 0 && bit <= Protocol.EVENT_FLAGS_VALID; bit <<= 1) {
            if ((flags & bit) != 0) {
                names.add(FLAGS.getOrDefault(bit, String.format("0x%X", bit)));
            }
        }
        return names;
    }

    /** One line of JSON, no line break. */
    public static String line(ObjectNode o) {
        return o.toString();
    }
}
