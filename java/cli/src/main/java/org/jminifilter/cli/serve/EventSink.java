package org.jminifilter.cli.serve;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.node.ObjectNode;

import org.jminifilter.cli.output.EventJson;
import org.jminifilter.cli.policyfile.RuleNames;
import org.jminifilter.protocol.Event;
import org.jminifilter.service.EventListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where {@code serve} puts events: JSON Lines to a {@link LineWriter} (stdout or a rotating file),
 * a bounded window of recent ones for {@code jminifilter events}, and every follower of
 * {@code jminifilter events --follow}. Rules are named as the policy file in force writes them.
 * A writer that fails loses that line only, and says so once.
 */
public final class EventSink implements EventListener {
    private static final Logger LOG = LoggerFactory.getLogger(EventSink.class);
    /** How many recent events {@code jminifilter events} can show. */
    static final int RECENT = 1000;

    /** Where lines go. */
    public interface LineWriter extends AutoCloseable {
        void writeLine(String line) throws IOException;

        /** Standard output is not closed; a file is. */
        @Override
        default void close() throws IOException {
        }
    }

    private final LineWriter out;
    private final Supplier<RuleNames> names;
    private final ArrayDeque<ObjectNode> recent = new ArrayDeque<>();
    private final List<Consumer<ObjectNode>> followers = new CopyOnWriteArrayList<>();
    private boolean writeFailed;

    public EventSink(LineWriter out, Supplier<RuleNames> names) {
        this.out = out;
        this.names = names;
    }

    @Override
    public void onEvent(Event event) {
        publish(EventJson.of(event, names.get()));
    }

    @Override
    public void onDropped(long droppedSinceStart) {
        publish(EventJson.dropped(droppedSinceStart));
    }

    private void publish(ObjectNode record) {
        synchronized (this) {
            recent.addLast(record);
            if (recent.size() > RECENT) {
                recent.removeFirst();
            }
            try {
                out.writeLine(EventJson.line(record));
                writeFailed = false;
            } catch (IOException e) {
                if (!writeFailed) {
                    LOG.error("cannot write events ({}); events are lost until writing works again", e.getMessage());
                    writeFailed = true;
                }
            }
        }
        for (Consumer<ObjectNode> f : followers) {
            f.accept(record);
        }
    }

    /** The last {@code max} records, oldest first. */
    public synchronized List<ObjectNode> recent(int max) {
        List<ObjectNode> all = new ArrayList<>(recent);
        return all.subList(Math.max(0, all.size() - max), all.size());
    }

    /** Delivers every later record to {@code follower} until {@link #unfollow}. */
    public void follow(Consumer<ObjectNode> follower) {
        followers.add(follower);
    }

    public void unfollow(Consumer<ObjectNode> follower) {
        followers.remove(follower);
    }
}
