package org.jminifilter.protocol;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;

import org.jminifilter.policy.ActionType;
import org.jminifilter.policy.Operation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The constructors of the messages the mock kernel side builds (asks, events) refuse what could
 * not be encoded faithfully: a string longer than its fixed field would spill into the next one.
 */
class MessageConstructorTest {
    static void refused(String text, Executable e) {
        IllegalArgumentException x = assertThrows(IllegalArgumentException.class, e);
        assertTrue(x.getMessage().contains(text), "\"" + x.getMessage() + "\" should contain \"" + text + "\"");
    }

    static Ask ask(int disposition, int flags, int timeout, String volume, String path, String image) {
        return new Ask(1, 2, Operation.CREATE, 3, 0, 0, disposition, flags, timeout, volume, path, image);
    }

    @Test
    void askFieldsAreChecked() {
        refused("CreateDisposition: 6", () -> ask(6, 0, 0, "", "", ""));
        refused("CreateDisposition: 4294967295", () -> ask(-1, 0, 0, "", "", ""));
        refused("Flags: unknown bits 0x10", () -> ask(0, 0x10, 0, "", "", ""));
        refused("TimeoutMs: 60001", () -> ask(0, 0, 60001, "", "", ""));
        refused("TimeoutMs: 4294967295", () -> ask(0, 0, -1, "", "", ""));
        refused("Volume: 65 code units, at most 64", () -> ask(0, 0, 0, "v".repeat(65), "", ""));
        refused("Path: 513 code units, at most 512", () -> ask(0, 0, 0, "", "p".repeat(513), ""));
        refused("Image: 261 code units, at most 260", () -> ask(0, 0, 0, "", "", "i".repeat(261)));
        refused("required", () -> ask(0, 0, 0, "", null, ""));
        Ask full = ask(5, 0xF, 60000, "v".repeat(64), "p".repeat(512), "i".repeat(260));
        assertEquals(full, Ask.decode(full.encode()));
    }

    static Event event(int flags, String volume, String path) {
        return new Event(1, 2, 3, Operation.WRITE, ActionType.AUDIT, 0, 4, flags, volume, path);
    }

    @Test
    void eventFieldsAreChecked() {
        refused("Flags: unknown bits 0x20000", () -> event(0x20000, "", ""));
        refused("must be null for a PERSISTED_REJECTED event", () -> event(Protocol.EVENT_FLAG_PERSISTED_REJECTED, "", ""));
        refused("operation and verdict are required", () -> new Event(1, 2, 3, null, null, 0, 4, 0, "", ""));
        refused("Volume: 65 code units", () -> event(0, "v".repeat(65), ""));
        refused("Path: 513 code units", () -> event(0, "", "p".repeat(513)));
        refused("OtherPath: 513 code units", () -> new Event(1, 2, 3, Operation.RENAME, ActionType.AUDIT, 0, 4, 0, "",
                "", "o".repeat(513)));
        refused("required", () -> new Event(1, 2, 3, null, ActionType.AUDIT, 0, 4, 0, "", ""));
        refused("required", () -> new Event(1, 2, 3, Operation.RENAME, ActionType.AUDIT, 0, 4, 0, "", "", null));
        Event full = new Event(1, 2, 3, Operation.RENAME, ActionType.AUDIT, 0, 4, 0xFFFF, "v".repeat(64),
                "p".repeat(512), "o".repeat(512));
        assertEquals(full, Event.decode(full.encode()));
        assertDoesNotThrow(() -> event(0, "", ""));
    }

    @Test
    void aSetPolicyBodyOverTheLimitIsBadLengthBeforeItsHeaderIsRead() {
        int body = Protocol.MAX_POLICY_BYTES + 8;
        ByteBuffer command = Wire.allocate(Protocol.COMMAND_HEADER_SIZE + body);
        command.putInt(0, Protocol.COMMAND_SET_POLICY).putInt(4, command.capacity());
        ProtocolException e = assertThrows(ProtocolException.class, () -> Command.decode(command));
        assertEquals(ErrorCode.BAD_LENGTH, e.error());
        assertEquals("JMF_COMMAND_SET_POLICY body", e.field());
    }

    @Test
    void askRepliesRefuseVerdictsTheDriverRefuses() {
        refused("Verdict: null", () -> new AskReply(null));
        refused("Verdict.Type: ASK cannot be an ask's verdict", () -> new AskReply(org.jminifilter.policy.Action.ask()));
        refused("Verdict.Flags: a verdict has no post-create flag",
                () -> new AskReply(org.jminifilter.policy.Action.deny().inPostCreate()));
        refused("Verdict: MODIFY changes nothing", () -> new AskReply(org.jminifilter.policy.Action.modify()));
        assertDoesNotThrow(() -> new AskReply(org.jminifilter.policy.Action.modify().withAccessClear(2)));
    }

    @Test
    void connectContextVersionIsSixteenBits() {
        refused("ProtocolVersion: 65536", () -> new ConnectContext(Protocol.CONNECT_MAGIC, 0x10000));
        refused("ProtocolVersion: -1", () -> new ConnectContext(Protocol.CONNECT_MAGIC, -1));
        ConnectContext other = new ConnectContext(Protocol.CONNECT_MAGIC, 0xFFFF);
        assertTrue(!other.isCurrent());
        assertEquals(ErrorCode.BAD_VERSION,
                assertThrows(ProtocolException.class, () -> ConnectContext.decode(other.encode())).error());
    }
}
