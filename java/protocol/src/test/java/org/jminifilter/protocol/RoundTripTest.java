package org.jminifilter.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.util.List;

import org.jminifilter.policy.Action;
import org.jminifilter.policy.ActionType;
import org.jminifilter.policy.Disposition;
import org.jminifilter.policy.Operation;
import org.jminifilter.policy.Policy;
import org.junit.jupiter.api.Test;

/** Every message decodes back to what was encoded, and encodes again to the same bytes. */
class RoundTripTest {
    static byte[] bytes(ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.duplicate().get(a);
        return a;
    }

    @Test
    void connectContext() {
        ByteBuffer b = ConnectContext.current().encode();
        assertEquals(Protocol.CONNECT_CONTEXT_SIZE, b.remaining());
        ConnectContext c = ConnectContext.decode(b);
        assertEquals(ConnectContext.current(), c);
        assertTrue(c.isCurrent());
        assertEquals(0, b.position(), "decode leaves the position alone");
    }

    @Test
    void config() {
        Config c = ConformanceSamples.config();
        assertEquals(c, Config.decode(c.encode()));
        assertEquals(Config.defaults(), Config.decode(Config.defaults().encode()));
        assertArrayEquals(bytes(c.encode()), bytes(Config.decode(c.encode()).encode()));
    }

    @Test
    void result() {
        for (ErrorCode e : ErrorCode.values()) {
            Result r = new Result(e == ErrorCode.NONE ? 0 : 0xC000000D, e, e.ordinal() % 2 == 0 ? 5 : -1, 9);
            assertEquals(r, Result.decode(r.encode()));
        }
        assertTrue(Result.success(4).isSuccess());
        assertTrue(Result.decode(new Result(0xC000000D, ErrorCode.BAD_STATUS, 2, 7).encode()).describe()
                .contains("rule #2"));
    }

    @Test
    void everyCommand() {
        List<Command> commands = List.of(new Command.SetPolicy(ConformanceSamples.policy()),
                new Command.SetPolicy(Policy.EMPTY), new Command.GetStatistics(),
                new Command.SetConfig(ConformanceSamples.config()), new Command.GetEvents());
        for (Command c : commands) {
            ByteBuffer b = c.encode();
            assertEquals(b.remaining(), b.order(ByteOrder.LITTLE_ENDIAN).getInt(4), "Length is the whole command");
            assertEquals(c.type(), b.getInt(0));
            Command back = Command.decode(b);
            assertEquals(c, back);
            assertArrayEquals(bytes(b), bytes(back.encode()));
        }
    }

    @Test
    void commandsRefuseAMissingBody() {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new Command.SetPolicy(null));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new Command.SetConfig(null));
    }

    @Test
    void ask() {
        Ask a = ConformanceSamples.ask();
        Ask back = Ask.decode(a.encode());
        assertEquals(a, back);
        assertTrue(back.isPostCreate());
        assertEquals("\\Users\\bob\\caf\u00e9 " + ConformanceSamples.GRIN + ".txt", back.path());
    }

    @Test
    void askAfterTheFilterMessageHeader() {
        ByteBuffer buffer = ByteBuffer.allocate(Protocol.NOTIFICATION_BUFFER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        new FilterMessageHeader(Protocol.REPLY_BUFFER_SIZE, 77L).writeTo(buffer, 0);
        ConformanceSamples.ask().writeTo(buffer, Protocol.FILTER_MESSAGE_HEADER_SIZE);
        assertEquals(new FilterMessageHeader(Protocol.REPLY_BUFFER_SIZE, 77L), FilterMessageHeader.decode(buffer));
        assertEquals(ConformanceSamples.ask(), Ask.decode(buffer.position(Protocol.FILTER_MESSAGE_HEADER_SIZE)));
    }

    @Test
    void askWithAnUnpairedSurrogateKeepsItsCodeUnits() {
        Ask a = new Ask(1, 2, Operation.WRITE, 3, 0, 0, 0, 0, 0, "v", "\\bad\uD800name", "");
        Ask back = Ask.decode(a.encode());
        assertEquals(a, back);
        assertArrayEquals(bytes(a.encode()), bytes(back.encode()));
    }

    @Test
    void askReplyOfEveryVerdictKind() {
        List<Action> verdicts = List.of(Action.allow(), Action.deny(), Action.deny(0xC0000043), Action.audit(),
                Action.modify().withAccessClear(0x10000).withDisposition(Disposition.OVERWRITE_IF),
                Action.modify().withOperationFlagsSet(Protocol.SL_WRITE_THROUGH),
                Action.redirect(3), Action.redirect(63).orDeny(0xC000000E));
        for (Action v : verdicts) {
            AskReply r = new AskReply(v);
            assertEquals(r, AskReply.decode(r.encode()), v.toString());
            ByteBuffer reply = r.encodeReply(99L);
            assertEquals(Protocol.REPLY_BUFFER_SIZE, reply.remaining());
            assertEquals(new FilterReplyHeader(0, 99L), FilterReplyHeader.decode(reply));
            assertEquals(r, AskReply.decode(reply.position(Protocol.FILTER_REPLY_HEADER_SIZE)));
        }
    }

    @Test
    void statistics() {
        Statistics s = ConformanceSamples.statistics();
        Statistics back = Statistics.decode(s.encode());
        assertEquals(s, back);
        assertEquals(600L, back.verdicts(ActionType.AUDIT));
        assertEquals(-1L, back.policiesRejected(), "unsigned 64-bit counters survive");
        assertEquals(Statistics.size(2), s.encode().remaining());
    }

    @Test
    void eventBatchAndEvent() {
        EventBatch batch = ConformanceSamples.eventBatch();
        EventBatch back = EventBatch.decode(batch.encode());
        assertEquals(batch, back);
        assertEquals(EventBatch.size(2), batch.encode().remaining());
        Event e = batch.events().get(1);
        assertEquals(e, Event.decode(e.encode()));
        assertTrue(e.hasFlag(Protocol.EVENT_FLAG_ASK_TIMEOUT));
        assertEquals(new EventBatch(0, 0, List.of()), EventBatch.decode(new EventBatch(0, 0, List.of()).encode()));
    }

    @Test
    void eventTimeIsWindowsFileTime() {
        // 116444736000000000 is 1970-01-01T00:00:00Z in 100 ns units since 1601.
        Event e = new Event(116444736000000000L + 15, 1, 1, Operation.READ, ActionType.AUDIT, 0, 1, 0, "", "");
        assertEquals(Instant.EPOCH.plusNanos(1500), e.instant());
    }

    @Test
    void filterHeaders() {
        FilterMessageHeader m = new FilterMessageHeader(56, -2L);
        assertEquals(m, FilterMessageHeader.decode(m.encode()));
        FilterReplyHeader r = new FilterReplyHeader(0, Long.MAX_VALUE);
        assertEquals(r, FilterReplyHeader.decode(r.encode()));
    }

    @Test
    void decodeReadsARegionOfALargerBufferWithoutMovingIt() {
        ByteBuffer big = ByteBuffer.allocate(100);
        big.position(10).limit(10 + Protocol.RESULT_SIZE);
        Wire.view(big).put(Result.success(3).encode());
        assertEquals(Result.success(3), Result.decode(big));
        assertEquals(10, big.position());
        assertInstanceOf(ByteBuffer.class, big);
    }
}
