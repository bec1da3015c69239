package org.jminifilter.protocol;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The GET_EVENTS output: JMF_EVENT_BATCH followed by its events, oldest first.
 *
 * @param pending events still queued in the kernel after these
 * @param dropped events dropped since the driver started
 */
public record EventBatch(int pending, long dropped, List<Event> events) {
    private static final Layout L = Layouts.EVENT_BATCH;
    private static final int COUNT = L.offset("Count");
    private static final int PENDING = L.offset("Pending");
    private static final int DROPPED = L.offset("Dropped");

    /** Validates the fields; an IllegalArgumentException names the one at fault. */
    public EventBatch {
        events = List.copyOf(events);
    }

    /** sizeof(JMF_EVENT_BATCH) + count * sizeof(JMF_EVENT). */
    public static int size(int count) {
        return L.size() + count * Layouts.EVENT.size();
    }

    /** The output bytes, little-endian, position 0. */
    public ByteBuffer encode() {
        ByteBuffer b = Wire.allocate(size(events.size()));
        b.putInt(COUNT, events.size());
        b.putInt(PENDING, pending);
        b.putLong(DROPPED, dropped);
        for (int i = 0; i < events.size(); i++) {
            events.get(i).writeTo(b, size(i));
        }
        return b;
    }

    /** Decodes the remaining bytes of {@code in} (position not changed): exactly the header and Count events. */
    public static EventBatch decode(ByteBuffer in) {
        ByteBuffer b = Wire.view(in);
        Wire.requireAtLeast(b, L.name(), L.size());
        long count = Integer.toUnsignedLong(b.getInt(COUNT));
        long need = L.size() + count * Layouts.EVENT.size();
        if (need != b.remaining()) {
            throw new ProtocolException(ErrorCode.BAD_LENGTH, L.name() + ".Count", count + " events need " + need
                    + " bytes, the output holds " + b.remaining());
        }
        List<Event> events = new ArrayList<>((int) count);
        for (int i = 0; i < count; i++) {
            events.add(Event.read(b, size(i), "JMF_EVENT[" + i + "]"));
        }
        return new EventBatch(b.getInt(PENDING), b.getLong(DROPPED), events);
    }
}
