package org.jminifilter.cli.serve;

import java.io.IOException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.jminifilter.cli.control.ControlMessages;
import org.jminifilter.cli.control.ControlServer;
import org.jminifilter.cli.output.ConfigView;
import org.jminifilter.cli.policyfile.PolicyFile;
import org.jminifilter.cli.policyfile.PolicyFileException;
import org.jminifilter.protocol.Config;
import org.jminifilter.protocol.Statistics;
import org.jminifilter.service.CommandRejectedException;

/**
 * The control requests a running serve answers: {@code status}, {@code stats}, {@code events}
 * (recent, or {@code follow}), {@code config-get}, {@code config-set}.
 */
public final class ServeControl implements ControlServer.Handler {
    private final Supervisor supervisor;
    private final EventSink events;

    public ServeControl(Supervisor supervisor, EventSink events) {
        this.supervisor = supervisor;
        this.events = events;
    }

    @Override
    public void handle(ObjectNode request, ControlServer.Session session) throws IOException {
        String op = request.path("op").asText("");
        switch (op) {
            case "status" -> session.send(status());
            case "stats" -> session.send(stats());
            case "events" -> events(request, session);
            case "config-get" -> session.send(config(supervisor.config()));
            case "config-set" -> session.send(configSet(request.path("values")));
            case "push" -> session.send(push(request.path("file").asText("pushed policy"), request.path("text").asText("")));
            default -> session.send(ControlMessages.error("unknown request \"" + op
                    + "\" (status, stats, events, push, config-get, config-set)"));
        }
    }

    private ObjectNode status() {
        ObjectNode o = ControlMessages.ok();
        PolicyFile f = supervisor.policyFile();
        o.put("state", supervisor.state().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
        o.put("policyFile", f == null ? "" : f.source());
        o.put("rules", f == null ? 0 : f.policy().rules().size());
        long[] reloads = supervisor.reloadCounts();
        o.put("reloads", reloads[0]);
        o.put("reloadsRefused", reloads[1]);
        return o;
    }

    private ObjectNode stats() {
        Optional<Statistics> s = supervisor.statistics();
        if (s.isEmpty()) {
            return ControlMessages.error("serve is not connected to the driver (state " + supervisor.state() + ")");
        }
        ObjectNode o = ControlMessages.ok();
        o.put("statistics", Base64.getEncoder().encodeToString(toBytes(s.get())));
        ObjectNode names = o.putObject("ruleNames");
        supervisor.policyFile().ruleNames().asMap().forEach((id, n) -> names.put(Integer.toUnsignedString(id), n));
        return o;
    }

    private static byte[] toBytes(Statistics s) {
        java.nio.ByteBuffer b = s.encode();
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        return bytes;
    }

    private void events(ObjectNode request, ControlServer.Session session) throws IOException {
        int recent = request.path("recent").asInt(0);
        ObjectNode head = ControlMessages.ok();
        ArrayNode list = head.putArray("events");
        events.recent(Math.max(0, Math.min(recent, EventSink.RECENT))).forEach(list::add);
        session.send(head);
        if (!request.path("follow").asBoolean(false)) {
            return;
        }
        BlockingQueue<ObjectNode> queue = new ArrayBlockingQueue<>(10_000);
        Consumer<ObjectNode> follower = e -> {
            if (!queue.offer(e)) {
                queue.clear(); // a follower too slow to keep up is told, not allowed to block serve
                queue.offer(org.jminifilter.cli.output.EventJson.dropped(-1));
            }
        };
        events.follow(follower);
        try {
            while (supervisor.state() != Supervisor.State.STOPPED) {
                ObjectNode e = queue.poll(500, java.util.concurrent.TimeUnit.MILLISECONDS);
                if (e != null) {
                    session.send(e);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            events.unfollow(follower);
        }
    }

    private ObjectNode push(String name, String text) {
        PolicyFile file;
        try {
            file = PolicyFile.parse(name, text, supervisor.volumes());
        } catch (PolicyFileException e) {
            ObjectNode o = ControlMessages.error(name + " is invalid; the policy in force stays");
            ArrayNode problems = o.putArray("problems");
            e.problems().forEach(p -> problems.add(p.toString()));
            return o;
        }
        try {
            org.jminifilter.protocol.Result r = supervisor.push(file);
            ObjectNode o = ControlMessages.ok();
            o.put("rules", file.policy().rules().size());
            o.put("generation", Integer.toUnsignedLong(r.generation()));
            ArrayNode warnings = o.putArray("warnings");
            file.warnings().forEach(w -> warnings.add(w.toString()));
            return o;
        } catch (CommandRejectedException | IllegalStateException e) {
            return ControlMessages.error(e.getMessage());
        }
    }

    private ObjectNode configSet(JsonNode values) {
        Map<String, String> pairs = new LinkedHashMap<>();
        values.fields().forEachRemaining(e -> pairs.put(e.getKey(), e.getValue().asText()));
        Config next;
        try {
            next = PolicyFile.parseConfig("config set", pairs, supervisor.config());
        } catch (PolicyFileException e) {
            return ControlMessages.error(String.join("; ", e.problems().stream().map(p -> p.message()).toList()));
        }
        try {
            supervisor.setConfig(next);
        } catch (CommandRejectedException | IllegalStateException e) {
            return ControlMessages.error(e.getMessage());
        }
        return config(next);
    }

    private static ObjectNode config(Config c) {
        ObjectNode o = ControlMessages.ok();
        ObjectNode values = o.putObject("config");
        ConfigView.of(c).forEach(values::put);
        return o;
    }

    static List<String> ops() {
        return List.of("status", "stats", "events", "config-get", "config-set");
    }
}
