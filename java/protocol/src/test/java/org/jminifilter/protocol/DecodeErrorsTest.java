package org.jminifilter.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.function.Consumer;
import java.util.function.Function;

import org.jminifilter.policy.Action;
import org.junit.jupiter.api.Test;

/** Bad bytes fail with a ProtocolException naming the structure and field at fault. */
class DecodeErrorsTest {

    /** Asserts that decoding {@code b} fails on {@code field} with a message containing {@code text}. */
    static ProtocolException assertFails(String field, String text, Function<ByteBuffer, ?> decoder, ByteBuffer b) {
        ProtocolException e = assertThrows(ProtocolException.class, () -> decoder.apply(b));
        assertEquals(field, e.field(), e.getMessage());
        assertTrue(e.getMessage().startsWith(field + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(text), "\"" + e.getMessage() + "\" should say " + text);
        return e;
    }

    static ByteBuffer patched(ByteBuffer valid, Consumer<ByteBuffer> patch) {
        ByteBuffer copy = Wire.allocate(valid.remaining());
        copy.put(valid.duplicate()).clear();
        patch.accept(copy);
        return copy;
    }

    static ByteBuffer resized(ByteBuffer valid, int size) {
        ByteBuffer copy = Wire.allocate(size);
        ByteBuffer src = valid.duplicate();
        src.limit(src.position() + Math.min(size, src.remaining()));
        copy.put(src).clear();
        return copy;
    }

    // ---- connect context ----

    @Test
    void connectContextOfTheWrongSize() {
        ByteBuffer ok = ConnectContext.current().encode();
        assertFails("JMF_CONNECT_CONTEXT", "truncated: 7 bytes", ConnectContext::decode, resized(ok, 7));
        assertFails("JMF_CONNECT_CONTEXT", "oversized: 9 bytes", ConnectContext::decode, resized(ok, 9));
    }

    @Test
    void connectContextWithAnotherMagicVersionOrReserved() {
        ByteBuffer ok = ConnectContext.current().encode();
        assertFails("JMF_CONNECT_CONTEXT.Magic", "0x43464D4B", ConnectContext::decode,
                patched(ok, b -> b.putInt(0, 0x43464D4B)));
        assertFails("JMF_CONNECT_CONTEXT.ProtocolVersion", "peer speaks version 2", ConnectContext::decode,
                patched(ok, b -> b.putShort(4, (short) 2)));
        assertFails("JMF_CONNECT_CONTEXT.Reserved", "reserved", ConnectContext::decode,
                patched(ok, b -> b.put(7, (byte) 1)));
    }

    // ---- result ----

    @Test
    void resultWithAnUnknownErrorOrSize() {
        ByteBuffer ok = Result.success(1).encode();
        assertFails("JMF_RESULT.Error", "unknown error code 25", Result::decode, patched(ok, b -> b.putInt(4, 25)));
        assertFails("JMF_RESULT.Error", "unknown error code 4294967295", Result::decode,
                patched(ok, b -> b.putInt(4, -1)));
        assertFails("JMF_RESULT", "truncated", Result::decode, resized(ok, 12));
    }

    @Test
    void everyErrorCodeMirrorsItsConstantAndSaysSomething() {
        assertEquals(Protocol.ERROR_COUNT, ErrorCode.values().length);
        java.util.Set<String> descriptions = new java.util.HashSet<>();
        for (ErrorCode e : ErrorCode.values()) {
            assertEquals(e.ordinal(), e.code());
            assertEquals(e, ErrorCode.fromCode(e.code(), "f"));
            assertTrue(descriptions.add(e.description()), "a description of its own: " + e.name());
        }
        assertEquals(Protocol.ERROR_BAD_CONFIG, ErrorCode.BAD_CONFIG.code());
    }

    // ---- config ----

    @Test
    void configFieldsOutOfRange() {
        ByteBuffer ok = Config.defaults().encode();
        assertFails("JMF_CONFIG.AskTimeoutMs", "0 is outside 1..60000", Config::decode, patched(ok, b -> b.putInt(0, 0)));
        assertFails("JMF_CONFIG.AskTimeoutMs", "60001", Config::decode, patched(ok, b -> b.putInt(0, 60001)));
        assertFails("JMF_CONFIG.DefaultVerdict", "neither ALLOW nor DENY", Config::decode,
                patched(ok, b -> b.putInt(4, Protocol.ACTION_AUDIT)));
        assertFails("JMF_CONFIG.DefaultDenyStatus", "0x80000005", Config::decode,
                patched(ok, b -> b.putInt(8, 0x80000005)));
        assertFails("JMF_CONFIG.DefaultDenyStatus", "0x00000000", Config::decode,
                patched(ok, b -> b.putInt(4, Protocol.ACTION_DENY).putInt(8, 0)));
        assertFails("JMF_CONFIG.OnDisconnect", "3", Config::decode, patched(ok, b -> b.putInt(12, 3)));
        assertFails("JMF_CONFIG.MaxAsksInFlight", "257", Config::decode, patched(ok, b -> b.putInt(16, 257)));
        assertFails("JMF_CONFIG.MaxAsksInFlight", "0 is outside", Config::decode, patched(ok, b -> b.putInt(16, 0)));
        assertFails("JMF_CONFIG.Flags", "unknown bits 0x4", Config::decode, patched(ok, b -> b.putInt(20, 4)));
        // LOCKED: the unlock key must follow
        assertFails("JMF_CONFIG + JMF_UNLOCK_KEY", "truncated: 24 bytes, expected 56", Config::decode,
                patched(ok, b -> b.putInt(20, Protocol.CONFIG_FLAG_LOCKED)));
    }

    @Test
    void configWithAnAllowDefaultAcceptsAZeroDenyStatusAsTheKernelDoes() {
        ByteBuffer zero = patched(Config.defaults().encode(), b -> b.putInt(8, 0));
        assertEquals(0, Config.decode(zero).defaultDenyStatus());
    }

    // ---- commands ----

    @Test
    void commandHeaderChecks() {
        ByteBuffer get = new Command.GetStatistics().encode();
        assertFails("JMF_COMMAND_HEADER", "truncated: 4 bytes", Command::decode, resized(get, 4));
        assertFails("JMF_COMMAND_HEADER.Length", "9 disagrees with the input's 8 bytes", Command::decode,
                patched(get, b -> b.putInt(4, 9)));
        assertFails("JMF_COMMAND_HEADER.Type", "unknown command type 6", Command::decode,
                patched(get, b -> b.putInt(0, 6)));
        assertFails("JMF_COMMAND_UNLOCK body", "truncated: 0 bytes, expected 32", Command::decode,
                patched(get, b -> b.putInt(0, Protocol.COMMAND_UNLOCK)));
        ByteBuffer longer = patched(resized(get, 12), b -> b.putInt(4, 12));
        assertFails("JMF_COMMAND_GET_STATISTICS body", "oversized: 4 bytes", Command::decode, longer);
        ByteBuffer events = patched(longer, b -> b.putInt(0, Protocol.COMMAND_GET_EVENTS));
        assertFails("JMF_COMMAND_GET_EVENTS body", "oversized", Command::decode, events);
    }

    @Test
    void setConfigAndSetPolicyBodiesAreValidated() {
        ByteBuffer config = new Command.SetConfig(Config.defaults()).encode();
        ByteBuffer shortConfig = patched(resized(config, 28), b -> b.putInt(4, 28));
        assertFails("JMF_CONFIG", "truncated: 20 bytes", Command::decode, shortConfig);
        ByteBuffer policy = new Command.SetPolicy(ConformanceSamples.policy()).encode();
        assertFails("JMF_POLICY_HEADER.Magic", "is not JMF_POLICY_MAGIC", Command::decode,
                patched(policy, b -> b.putInt(8, 0)));
    }

    // ---- asks ----

    @Test
    void askHeaderChecks() {
        ByteBuffer ok = ConformanceSamples.ask().encode();
        assertFails("JMF_NOTIFICATION_HEADER", "truncated", Ask::decode, resized(ok, 4));
        assertFails("JMF_ASK.Header.Type", "2 is not JMF_NOTIFICATION_ASK", Ask::decode, patched(ok, b -> b.putInt(0, 2)));
        assertFails("JMF_ASK.Header.Length", "1727 is not sizeof(JMF_ASK)", Ask::decode,
                patched(ok, b -> b.putInt(4, 1727)));
        assertFails("JMF_ASK", "truncated: 1000 bytes", Ask::decode, resized(ok, 1000));
        assertFails("JMF_ASK", "oversized: 1729 bytes", Ask::decode, resized(ok, 1729));
    }

    @Test
    void askFieldsOutOfRange() {
        ByteBuffer ok = ConformanceSamples.ask().encode();
        assertFails("JMF_ASK.Operation", "0x0 is not one operation bit", Ask::decode, patched(ok, b -> b.putInt(16, 0)));
        assertFails("JMF_ASK.Operation", "0x3", Ask::decode, patched(ok, b -> b.putInt(16, 3)));
        assertFails("JMF_ASK.CreateDisposition", "6 is outside 0..5", Ask::decode, patched(ok, b -> b.putInt(32, 6)));
        assertFails("JMF_ASK.Flags", "unknown bits 0x10", Ask::decode, patched(ok, b -> b.putInt(36, 0x13)));
        assertFails("JMF_ASK.TimeoutMs", "60001", Ask::decode, patched(ok, b -> b.putInt(40, 60001)));
        assertFails("JMF_ASK.VolumeLength", "129 is odd", Ask::decode, patched(ok, b -> b.putShort(44, (short) 129)));
        assertFails("JMF_ASK.VolumeLength", "130 is over the capacity (128 bytes)", Ask::decode,
                patched(ok, b -> b.putShort(44, (short) 130)));
        assertFails("JMF_ASK.PathLength", "1026 is over the capacity (1024 bytes)", Ask::decode,
                patched(ok, b -> b.putShort(46, (short) 1026)));
        assertFails("JMF_ASK.ImageLength", "522 is over the capacity (520 bytes)", Ask::decode,
                patched(ok, b -> b.putShort(48, (short) 522)));
        assertFails("JMF_ASK.Reserved", "reserved", Ask::decode, patched(ok, b -> b.putShort(50, (short) 1)));
        assertFails("JMF_ASK.Reserved2", "reserved", Ask::decode, patched(ok, b -> b.putInt(52, 1)));
    }

    @Test
    void askStringsAtFullCapacityDecode() {
        ByteBuffer ok = ConformanceSamples.ask().encode();
        Ask full = Ask.decode(patched(ok, b -> b.putShort(46, (short) 1024).putShort(48, (short) 520)));
        assertEquals(512, full.path().length());
        assertEquals(260, full.image().length());
    }

    // ---- ask replies ----

    @Test
    void askReplyVerdictChecks() {
        ByteBuffer deny = new AskReply(Action.deny()).encode();
        assertFails("JMF_ASK_REPLY.Verdict.Type", "ASK cannot be an ask's verdict", AskReply::decode,
                patched(deny, b -> b.putInt(0, Protocol.ACTION_ASK).putInt(8, 0)));
        assertFails("JMF_ASK_REPLY.Verdict.Type", "unknown action type 7", AskReply::decode,
                patched(deny, b -> b.putInt(0, 7)));
        assertFails("JMF_ASK_REPLY.Verdict.Type", "unknown action type 0", AskReply::decode,
                patched(deny, b -> b.putInt(0, 0)));
        assertFails("JMF_ASK_REPLY.Verdict.Flags", "a verdict has no post-create flag", AskReply::decode,
                patched(deny, b -> b.putInt(4, Protocol.ACTION_FLAG_POST_CREATE)));
        assertFails("JMF_ASK_REPLY.Verdict.Flags", "flag 0x2 does not apply to DENY", AskReply::decode,
                patched(deny, b -> b.putInt(4, Protocol.ACTION_FLAG_FALLBACK_DENY)));
        assertFails("JMF_ASK_REPLY.Verdict.Flags", "unknown bits 0x10", AskReply::decode,
                patched(deny, b -> b.putInt(4, 0x10)));
        assertFails("JMF_ASK_REPLY.Verdict.Flags", "a verdict is applied, never audit-only", AskReply::decode,
                patched(deny, b -> b.putInt(4, Protocol.ACTION_FLAG_AUDIT_ONLY)));
        assertFails("JMF_ASK_REPLY.Verdict.Status", "0x00000000 is not an error NTSTATUS", AskReply::decode,
                patched(deny, b -> b.putInt(8, 0)));
        assertFails("JMF_ASK_REPLY.Verdict.Status", "STATUS_FLT_DISALLOW_FAST_IO", AskReply::decode,
                patched(deny, b -> b.putInt(8, Protocol.STATUS_FLT_DISALLOW_FAST_IO)));
        assertFails("JMF_ASK_REPLY", "truncated", AskReply::decode, resized(deny, 39));
    }

    @Test
    void askReplyFieldsTheVerdictDoesNotUseMustBeZero() {
        ByteBuffer allow = new AskReply(Action.allow()).encode();
        assertFails("JMF_ASK_REPLY.Verdict.Status", "must be zero for ALLOW", AskReply::decode,
                patched(allow, b -> b.putInt(8, 0xC0000022)));
        assertFails("JMF_ASK_REPLY.Verdict.AccessClear", "must be zero for ALLOW", AskReply::decode,
                patched(allow, b -> b.putInt(12, 1)));
        assertFails("JMF_ASK_REPLY.Verdict.OptionsSet", "must be zero", AskReply::decode, patched(allow, b -> b.putInt(16, 1)));
        assertFails("JMF_ASK_REPLY.Verdict.OptionsClear", "must be zero", AskReply::decode,
                patched(allow, b -> b.putInt(20, 1)));
        assertFails("JMF_ASK_REPLY.Verdict.Disposition", "must be JMF_DISPOSITION_UNCHANGED", AskReply::decode,
                patched(allow, b -> b.putInt(24, 0)));
        assertFails("JMF_ASK_REPLY.Verdict.OperationFlagsSet", "must be zero", AskReply::decode,
                patched(allow, b -> b.put(28, (byte) 1)));
        assertFails("JMF_ASK_REPLY.Verdict.OperationFlagsClear", "must be zero", AskReply::decode,
                patched(allow, b -> b.put(29, (byte) 1)));
        assertFails("JMF_ASK_REPLY.Verdict.TargetVolume", "must be zero", AskReply::decode,
                patched(allow, b -> b.putShort(30, (short) 1)));
        assertFails("JMF_ASK_REPLY.Verdict.TimeoutMs", "must be zero", AskReply::decode,
                patched(allow, b -> b.putInt(32, 1)));
        assertFails("JMF_ASK_REPLY.Verdict.DefaultVerdict", "must be zero", AskReply::decode,
                patched(allow, b -> b.putInt(36, 1)));
    }

    @Test
    void askReplyModifyAndRedirectRanges() {
        ByteBuffer modify = new AskReply(Action.modify().withAccessClear(1)).encode();
        assertFails("JMF_ASK_REPLY.Verdict", "MODIFY changes nothing", AskReply::decode,
                patched(modify, b -> b.putInt(12, 0)));
        assertFails("JMF_ASK_REPLY.Verdict.Disposition", "6 is outside 0..5", AskReply::decode,
                patched(modify, b -> b.putInt(24, 6)));
        assertFails("JMF_ASK_REPLY.Verdict.OptionsSet", "0x1000000", AskReply::decode,
                patched(modify, b -> b.putInt(16, 0x01000000)));
        assertFails("JMF_ASK_REPLY.Verdict.OptionsClear", "both set and cleared", AskReply::decode,
                patched(modify, b -> b.putInt(16, 8).putInt(20, 8)));
        assertFails("JMF_ASK_REPLY.Verdict.OperationFlagsSet", "0x2", AskReply::decode,
                patched(modify, b -> b.put(28, (byte) 2)));
        ByteBuffer redirect = new AskReply(Action.redirect(1)).encode();
        assertFails("JMF_ASK_REPLY.Verdict.TargetVolume", "64 is outside", AskReply::decode,
                patched(redirect, b -> b.putShort(30, (short) 64)));
        assertFails("JMF_ASK_REPLY.Verdict.Status", "must be zero for REDIRECT", AskReply::decode,
                patched(redirect, b -> b.putInt(8, 0xC0000022)));
        assertFails("JMF_ASK_REPLY.Verdict.Status", "is not an error NTSTATUS", AskReply::decode,
                patched(redirect, b -> b.putInt(4, Protocol.ACTION_FLAG_FALLBACK_DENY)));        assertFails("JMF_ASK_REPLY.Verdict.Flags", "cannot choose the redirect mechanism", AskReply::decode,
                patched(redirect, b -> b.putInt(4, Protocol.ACTION_FLAG_REPARSE)));
    }

    // ---- statistics and events ----

    @Test
    void statisticsChecks() {
        ByteBuffer ok = ConformanceSamples.statistics().encode();
        assertFails("JMF_STATISTICS", "truncated", Statistics::decode, resized(ok, 100));
        assertFails("JMF_STATISTICS.RuleCount", "3 rules need 248 bytes, the output holds 232", Statistics::decode,
                patched(ok, b -> b.putInt(4, 3)));
        assertFails("JMF_STATISTICS.RuleCount", "2 rules need 232 bytes, the output holds 240", Statistics::decode,
                resized(ok, 240));
        assertFails("JMF_STATISTICS.RuleCount", "is over JMF_MAX_RULES", Statistics::decode,
                patched(ok, b -> b.putInt(4, -1)));
        assertFails("JMF_STATISTICS.Verdicts[0]", "unused", Statistics::decode, patched(ok, b -> b.putLong(16, 1)));
        assertFails("JMF_RULE_STATISTICS[1].Reserved", "reserved", Statistics::decode,
                patched(ok, b -> b.putInt(200 + 16 + 4, 1)));
    }

    @Test
    void eventBatchChecks() {
        ByteBuffer ok = ConformanceSamples.eventBatch().encode();
        assertFails("JMF_EVENT_BATCH", "truncated", EventBatch::decode, resized(ok, 15));
        assertFails("JMF_EVENT_BATCH.Count", "3 events need 6688 bytes, the output holds 4464", EventBatch::decode,
                patched(ok, b -> b.putInt(0, 3)));
        assertFails("JMF_EVENT_BATCH.Count", "4294967295 events", EventBatch::decode, patched(ok, b -> b.putInt(0, -1)));
        int second = 16 + 2224;
        assertFails("JMF_EVENT[1].Operation", "0x20", EventBatch::decode, patched(ok, b -> b.putInt(second + 20, 0x20)));
        assertFails("JMF_EVENT[1].Verdict", "unknown action type 9", EventBatch::decode,
                patched(ok, b -> b.putInt(second + 24, 9)));
        assertFails("JMF_EVENT[1].Flags", "unknown bits 0x20000", EventBatch::decode,
                patched(ok, b -> b.putInt(second + 36, 0x20000)));
        // a persisted value rejected at load reports no operation: Operation and Verdict must be 0
        assertFails("JMF_EVENT[1].Operation", "must be zero", EventBatch::decode,
                patched(ok, b -> b.putInt(second + 36, Protocol.EVENT_FLAG_PERSISTED_REJECTED)));
        assertFails("JMF_EVENT[0].VolumeLength", "3 is odd", EventBatch::decode,
                patched(ok, b -> b.putShort(16 + 40, (short) 3)));
        assertFails("JMF_EVENT[0].PathLength", "1026 is over the capacity", EventBatch::decode,
                patched(ok, b -> b.putShort(16 + 42, (short) 1026)));
        assertFails("JMF_EVENT[1].OtherPathLength", "1026 is over the capacity", EventBatch::decode,
                patched(ok, b -> b.putShort(second + 44, (short) 1026)));
        assertFails("JMF_EVENT[0].Reserved", "reserved", EventBatch::decode, patched(ok, b -> b.putShort(16 + 46, (short) 1)));
        assertFails("JMF_EVENT", "oversized", Event::decode, resized(ConformanceSamples.eventBatch().events().get(0)
                .encode(), 2225));
    }
}
