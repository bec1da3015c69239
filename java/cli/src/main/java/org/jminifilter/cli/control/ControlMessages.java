package org.jminifilter.cli.control;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** The shapes of control messages: every answer has {@code "ok"}; a failure has {@code "error"}. */
public final class ControlMessages {
    private ControlMessages() {
    }

    /** A request for {@code op} ("status", "stats", "events", "push", "config-get", "config-set"). */
    public static ObjectNode request(String op) {
        ObjectNode o = ControlServer.JSON.createObjectNode();
        o.put("op", op);
        return o;
    }

    public static ObjectNode ok() {
        ObjectNode o = ControlServer.JSON.createObjectNode();
        o.put("ok", true);
        return o;
    }

    public static ObjectNode error(String message) {
        ObjectNode o = ControlServer.JSON.createObjectNode();
        o.put("ok", false);
        o.put("error", message);
        return o;
    }
}
