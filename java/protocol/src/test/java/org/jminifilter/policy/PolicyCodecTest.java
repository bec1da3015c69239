package org.jminifilter.policy;

import static org.jminifilter.policy.Operation.CREATE;
import static org.jminifilter.policy.Operation.READ;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.function.Consumer;

import org.jminifilter.protocol.ErrorCode;
import org.jminifilter.protocol.Layouts;
import org.jminifilter.protocol.Protocol;
import org.jminifilter.protocol.ProtocolException;
import org.jminifilter.protocol.Result;
import org.jminifilter.protocol.Wire;
import org.junit.jupiter.api.Test;

/** The compiled policy format: round trips, layout choices, and every decoding check. */
class PolicyCodecTest {
    static final int RULES = Layouts.POLICY_HEADER.size();

    static Policy sample() {
        return Policy.builder().volume("\\Device\\HarddiskVolume3")
                .rule(r -> r.id(1).operations(CREATE).path("\\Windows\\**").allow())
                .rule(r -> r.id(2).operations(CREATE).path("\\Users\\*\\x").image("**\\a.exe").deny())
                .rule(r -> r.id(3).operations(CREATE).volume(0).path("\\Windows\\**").audit())
                .rule(r -> r.id(4).operations(Operation.WRITE).path("\\logs\\**")
                        .action(Action.modify().withOperationFlagsSet(Protocol.SL_WRITE_THROUGH)))
                .rule(r -> r.id(5).operations(CREATE, READ).volume(0).redirect("\\Device\\HarddiskVolume4"))
                .build();
    }

    static byte[] bytes(ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.duplicate().get(a);
        return a;
    }

    static ByteBuffer patched(Consumer<ByteBuffer> patch) {
        ByteBuffer b = PolicyCodec.encode(sample());
        patch.accept(b);
        return b;
    }

    static void fails(String field, String text, ByteBuffer body) {
        ProtocolException e = assertThrows(ProtocolException.class, () -> PolicyCodec.decode(body));
        assertEquals(field, e.field(), e.getMessage());
        assertTrue(e.getMessage().contains(text), "\"" + e.getMessage() + "\" should contain \"" + text + "\"");
    }

    static int rule(int index, String field) {
        return RULES + index * Protocol.RULE_SIZE + Layouts.RULE.offset(field);
    }

    @Test
    void roundTrip() {
        Policy p = sample();
        ByteBuffer b = PolicyCodec.encode(p);
        Policy back = PolicyCodec.decode(b);
        assertEquals(p, back);
        assertArrayEquals(bytes(b), bytes(PolicyCodec.encode(back)));
        assertEquals(b.remaining(), PolicyCodec.encodedSize(p));
    }

    @Test
    void aRedirectByReparseRoundTripsAsFlag0x8AndTheDriversChecksApply() {
        Policy p = Policy.builder().volume("\\Device\\HarddiskVolume1").volume("\\Device\\HarddiskVolume2")
                .rule(r -> r.id(7).operations(CREATE).volume(0).path("\\cache\\**")
                        .redirect("\\Device\\HarddiskVolume2").byReparse())
                .build();
        ByteBuffer b = PolicyCodec.encode(p);
        int flags = rule(0, "Action") + Layouts.ACTION.offset("Flags");
        assertEquals(Protocol.ACTION_FLAG_REPARSE, b.getInt(flags));
        Policy back = PolicyCodec.decode(b);
        assertEquals(p, back);
        assertEquals(RedirectMechanism.REPARSE, ((Action.Redirect) back.rules().get(0).action()).mechanism());

        ByteBuffer deny = PolicyCodec.encode(Policy.builder()
                .rule(r -> r.id(8).operations(CREATE).deny()).build());
        deny.putInt(rule(0, "Action") + Layouts.ACTION.offset("Flags"), Protocol.ACTION_FLAG_REPARSE);
        fails("JMF_RULE[0].Action.Flags", "flag 0x8 (reparse) does not apply to DENY", deny);

        ByteBuffer anyVolume = PolicyCodec.encode(p);
        anyVolume.putShort(rule(0, "Volume"), (short) Protocol.VOLUME_ANY);
        fails("JMF_RULE[0].Action.TargetVolume", "must be on a rule that names its volume", anyVolume);

        // Back and forth: rule 1 starts on volume 1, rule 0's target. Rule 0 is named, as the driver names it.
        Policy forth = Policy.builder().volume("\\Device\\HarddiskVolume1").volume("\\Device\\HarddiskVolume2")
                .rule(r -> r.id(7).operations(CREATE).volume(0).redirect("\\Device\\HarddiskVolume2").byReparse())
                .rule(r -> r.id(9).operations(CREATE).volume(1).redirect("\\Device\\HarddiskVolume1"))
                .build();
        ByteBuffer loop = PolicyCodec.encode(forth);
        loop.putInt(rule(1, "Action") + Layouts.ACTION.offset("Flags"), Protocol.ACTION_FLAG_REPARSE);
        fails("JMF_RULE[0].Action.TargetVolume", "loop protection", loop);
        assertEquals(0, assertThrows(ProtocolException.class, () -> PolicyCodec.decode(loop)).ruleIndex());
        IllegalArgumentException built = assertThrows(IllegalArgumentException.class, () -> Policy.builder()
                .volume("\\Device\\HarddiskVolume1").volume("\\Device\\HarddiskVolume2")
                .rule(r -> r.id(7).operations(CREATE).volume(0).redirect("\\Device\\HarddiskVolume2").byReparse())
                .rule(r -> r.id(9).operations(CREATE).volume(1).redirect("\\Device\\HarddiskVolume1").byReparse()));
        assertTrue(built.getMessage().contains("rule #1") && built.getMessage().contains("loop protection"),
                built.getMessage());
    }

    @Test
    void theEmptyPolicyIsJustAHeader() {
        ByteBuffer b = PolicyCodec.encode(Policy.EMPTY);
        assertEquals(Protocol.POLICY_HEADER_SIZE, b.remaining());
        assertEquals(Policy.EMPTY, PolicyCodec.decode(b));
    }

    @Test
    void sectionsFollowEachOtherEightAligned() {
        ByteBuffer b = PolicyCodec.encode(sample());
        assertEquals(Protocol.POLICY_MAGIC, b.getInt(0));
        assertEquals(b.remaining(), b.getInt(8), "TotalLength");
        assertEquals(5, b.getInt(12));
        assertEquals(40, b.getInt(16), "RuleOffset");
        assertEquals(2, b.getInt(20));
        assertEquals(40 + 5 * 80, b.getInt(24), "VolumeOffset");
        assertEquals(40 + 5 * 80 + 2 * 8, b.getInt(28), "StringOffset");
        assertEquals(0, b.getInt(28) % 8);
    }

    @Test
    void stringsAreStoredOnceInOrderOfFirstUse() {
        ByteBuffer b = PolicyCodec.encode(sample());
        String table = Wire.utf16(b, b.getInt(28), b.getInt(32));
        assertEquals("\\Device\\HarddiskVolume3\\Device\\HarddiskVolume4\\Windows\\**\\Users\\*\\x**\\a.exe\\logs\\**",
                table);
        assertEquals(b.getInt(rule(0, "Path")), b.getInt(rule(2, "Path")), "the same path shares one offset");
        assertEquals(0, b.getInt(rule(0, "Image")), "no image: offset 0");
        assertEquals(0, b.getInt(rule(0, "Image") + 4), "no image: length 0");
    }

    @Test
    void encodeToWritesAtThePositionAndRefusesASmallBuffer() {
        Policy p = sample();
        ByteBuffer dst = ByteBuffer.allocate(PolicyCodec.encodedSize(p) + 8);
        dst.position(8);
        PolicyCodec.encodeTo(p, dst);
        assertEquals(dst.capacity(), dst.position());
        assertEquals(p, PolicyCodec.decode(dst.position(8)));
        ByteBuffer small = ByteBuffer.allocate(PolicyCodec.encodedSize(p) - 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PolicyCodec.encodeTo(p, small));
        assertTrue(e.getMessage().contains("policy needs"), e.getMessage());
        assertEquals(0, small.position());
    }

    @Test
    void tooLargeAPolicyIsRefusedWhenEncoding() {
        Policy.Builder builder = Policy.builder();
        // Each rule brings two distinct 1024-unit patterns (4 KiB): 8200 rules pass 32 MiB.
        for (int i = 0; i < 8200; i++) {
            String n = String.format("%08d", i);
            int id = i;
            builder.rule(r -> r.id(id).operations(READ).path("\\" + n + "p".repeat(1015)).image("\\" + n + "i".repeat(1015)).allow());
        }
        Policy big = builder.build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PolicyCodec.encode(big));
        assertTrue(e.getMessage().startsWith("TotalLength: the policy encodes to 34243"), e.getMessage());
    }

    // ---- header ----

    @Test
    void headerChecks() {
        fails("JMF_POLICY_HEADER", "truncated: 39 bytes", Wire.view(PolicyCodec.encode(Policy.EMPTY).limit(39)));
        fails("JMF_POLICY_HEADER.Magic", "0x00000000 is not JMF_POLICY_MAGIC", patched(b -> b.putInt(0, 0)));
        fails("JMF_POLICY_HEADER.Version", "2 is not JMF_POLICY_VERSION", patched(b -> b.putShort(4, (short) 2)));
        fails("JMF_POLICY_HEADER.Flags", "unknown bits 0x8000", patched(b -> b.putShort(6, (short) 0x8000)));
        fails("JMF_POLICY_HEADER.Reserved2", "reserved", patched(b -> b.putInt(36, 1)));
        fails("JMF_POLICY_HEADER.TotalLength", "disagrees with the body's", patched(b -> b.putInt(8, b.getInt(8) + 2)));
        fails("JMF_POLICY_HEADER.RuleCount", "100001 is outside 0..100000", patched(b -> b.putInt(12, 100001)));
        fails("JMF_POLICY_HEADER.VolumeCount", "65 is outside 0..64", patched(b -> b.putInt(20, 65)));
        fails("JMF_POLICY_HEADER.StringBytes", "is odd", patched(b -> b.putInt(32, b.getInt(32) - 1)));
    }

    @Test
    void aBodyOverTheLimitIsRefusedEvenWhenItsLengthAgrees() {
        int size = Protocol.MAX_POLICY_BYTES + 8;
        ByteBuffer big = Wire.allocate(size);
        big.put(PolicyCodec.encode(Policy.EMPTY)).clear();
        big.putInt(8, size);
        fails("JMF_POLICY_HEADER.TotalLength", "is over JMF_MAX_POLICY_BYTES", big);
    }

    @Test
    void sectionChecks() {
        fails("JMF_POLICY_HEADER.RuleOffset", "44 is not 8-byte aligned", patched(b -> b.putInt(16, 44)));
        fails("JMF_POLICY_HEADER.RuleOffset", "32 is inside the header", patched(b -> b.putInt(16, 32)));
        fails("JMF_POLICY_HEADER.RuleOffset", "runs past TotalLength", patched(b -> b.putInt(12, 50)));
        fails("JMF_POLICY_HEADER.VolumeOffset", "runs past TotalLength", patched(b -> b.putInt(24, 0x7FFFFFF8)));
        fails("JMF_POLICY_HEADER.StringOffset", "runs past TotalLength", patched(b -> b.putInt(32, b.getInt(32) + 2)));
        fails("JMF_POLICY_HEADER.VolumeOffset", "overlaps the section at RuleOffset", patched(b -> b.putInt(24, 48)));
        fails("JMF_POLICY_HEADER.StringOffset", "overlaps the section at VolumeOffset",
                patched(b -> b.putInt(28, b.getInt(24))));
    }

    @Test
    void anEmptySectionMayShareAnOffset() {
        ByteBuffer b = PolicyCodec.encode(Policy.builder().rule(r -> r.id(1).operations(READ).allow()).build());
        b.putInt(24, 40); // zero volumes at the rules' offset
        assertEquals(1, PolicyCodec.decode(b).rules().size());
    }

    // ---- strings ----

    @Test
    void stringReferenceChecks() {
        ByteBuffer ok = PolicyCodec.encode(sample());
        int table = ok.getInt(32);
        fails("JMF_RULE[3].Path.Offset", "1002 is outside the string table (" + table + " bytes)",
                patched(b -> b.putInt(rule(3, "Path"), 1002)));
        fails("JMF_RULE[3].Path.Offset", "3 is odd", patched(b -> b.putInt(rule(3, "Path"), 3)));
        fails("JMF_RULE[1].Image.Length", "7 is odd", patched(b -> b.putInt(rule(1, "Image") + 4, 7)));
        fails("JMF_RULE[1].Image.Length", "run past the string table",
                patched(b -> b.putInt(rule(1, "Image") + 4, table)));
        fails("JMF_RULE[1].Image.Length", "4294967294 bytes from offset",
                patched(b -> b.putInt(rule(1, "Image") + 4, -2)));
        int volumes = ok.getInt(24);
        fails("JMF_VOLUME[1].Name.Length", "0: a volume needs a name", patched(b -> b.putInt(volumes + 8 + 4, 0)));
    }

    @Test
    void patternAndVolumeLengthLimits() {
        String longPath = "\\" + "p".repeat(1023);
        Policy p = Policy.builder().volume("\\" + "v".repeat(63)).rule(r -> r.id(1).operations(READ).path(longPath).allow())
                .build();
        assertEquals(p, PolicyCodec.decode(PolicyCodec.encode(p)));
        // Point the volume at the 1024-unit path: 2048 bytes is over the 128-byte limit for names.
        ByteBuffer b = PolicyCodec.encode(p);
        int volume = b.getInt(24);
        b.putInt(volume, 128).putInt(volume + 4, 130);
        fails("JMF_VOLUME[0].Name.Length", "130 is over the limit of 128 bytes", b);
    }

    @Test
    void patternContentsAreValidated() {
        Policy p = Policy.builder().rule(r -> r.id(1).operations(READ).path("\\a\\**x").allow()).build();
        ByteBuffer stars = PolicyCodec.encode(p);
        stars.putChar(stars.getInt(28) + 2 * 5, '*'); // "\a\***"
        fails("JMF_RULE[0].Path", "\"***\" at index 3", stars);
        ByteBuffer nul = PolicyCodec.encode(p);
        nul.putChar(nul.getInt(28) + 2, '\0');
        fails("JMF_RULE[0].Path", "NUL at index 1", nul);
    }

    @Test
    void volumeNameChecks() {
        Policy p = Policy.builder().volume("\\Device\\A").volume("\\Device\\B").build();
        ByteBuffer dup = PolicyCodec.encode(p);
        dup.putChar(dup.getInt(28) + 2 * 17, 'a'); // "\Device\B" becomes "\Device\a", the same as "\Device\A"
        fails("JMF_VOLUME[1].Name", "is already the name of JMF_VOLUME[0]", dup);
        ByteBuffer nul = PolicyCodec.encode(p);
        nul.putChar(nul.getInt(28), '\0');
        fails("JMF_VOLUME[0].Name", "NUL", nul);
    }

    /** Puts {@code c} at character {@code index} of the string a JMF_STRING_REF at {@code ref} names. */
    static ByteBuffer withChar(ByteBuffer b, int ref, int index, char c) {
        b.putChar(b.getInt(28) + b.getInt(ref) + 2 * index, c);
        return b;
    }

    @Test
    void namesAndPatternsNothingCanMatchAreRefusedAsTheDriverRefusesThem() {
        Policy p = Policy.builder().volume("\\Device\\AB")
                .rule(r -> r.id(1).operations(READ).path("\\secret\\**").image("**\\a.exe").allow()).build();
        int volume = b(p).getInt(24);
        fails("JMF_VOLUME[0].Name", "is not an NT device name", withChar(b(p), volume, 0, 'C'));
        fails("JMF_VOLUME[0].Name", "ends with '\\'", withChar(b(p), volume, 9, '\\'));
        fails("JMF_RULE[0].Path", "did you mean \\secret\\**?", withChar(b(p), rule(0, "Path"), 0, '/'));
        fails("JMF_RULE[0].Path", "does not start with '\\'", withChar(b(p), rule(0, "Path"), 0, 's'));
        fails("JMF_RULE[0].Path", "empty component", withChar(b(p), rule(0, "Path"), 1, '\\'));
        fails("JMF_RULE[0].Image", "did you mean **\\x*\\a.exe?", withChar(b(p), rule(0, "Image"), 0, 'x'));
        ProtocolException e = assertThrows(ProtocolException.class,
                () -> PolicyCodec.decode(withChar(b(p), rule(0, "Path"), 0, 's')));
        assertEquals(ErrorCode.NEVER_MATCHES, e.error());
        assertEquals(0, e.ruleIndex());
        // A malformed pattern is BAD_PATTERN first, as in the driver.
        ByteBuffer both = withChar(withChar(withChar(b(p), rule(0, "Path"), 0, '*'), rule(0, "Path"), 1, '*'),
                rule(0, "Path"), 2, '*');
        assertEquals(ErrorCode.BAD_PATTERN, assertThrows(ProtocolException.class, () -> PolicyCodec.decode(both)).error());
    }

    private static ByteBuffer b(Policy p) {
        return PolicyCodec.encode(p);
    }

    // ---- rules ----

    @Test
    void ruleFieldChecks() {
        fails("JMF_RULE[1].RuleId", "1 is already the id of JMF_RULE[0]", patched(b -> b.putInt(rule(1, "RuleId"), 1)));
        fails("JMF_RULE[1].RuleId", "JMF_RULE_NONE", patched(b -> b.putInt(rule(1, "RuleId"), -1)));
        fails("JMF_RULE[0].Operations", "empty", patched(b -> b.putInt(rule(0, "Operations"), 0)));
        fails("JMF_RULE[0].Operations", "unknown bits 0x20", patched(b -> b.putInt(rule(0, "Operations"), 0x21)));
        fails("JMF_RULE[0].Dispositions", "unknown bits 0x80",
                patched(b -> b.putInt(rule(0, "Dispositions"), 0x81)));
        fails("JMF_RULE[0].MatchFlags", "unknown bits 0x8", patched(b -> b.putShort(rule(0, "MatchFlags"), (short) 8)));
        fails("JMF_RULE[0].Volume", "2 is outside the volume table (2 volumes)",
                patched(b -> b.putShort(rule(0, "Volume"), (short) 2)));
        fails("JMF_RULE[3].DesiredAccess", "describes a create", patched(b -> b.putInt(rule(3, "DesiredAccess"), 2)));
        fails("JMF_RULE[0].MatchFlags", "DIRECTORY and NON_DIRECTORY", patched(b -> b.putShort(rule(0, "MatchFlags"), (short) 3)));
    }

    @Test
    void ruleActionChecks() {
        int action = Layouts.RULE.offset("Action");
        fails("JMF_RULE[0].Action.Type", "unknown action type 0", patched(b -> b.putInt(rule(0, "Action"), 0)));
        fails("JMF_RULE[1].Action.Status", "is not an error NTSTATUS", patched(b -> b.putInt(rule(1, "Action") + 8, 1)));
        fails("JMF_RULE[4].Action.TargetVolume", "2 is outside the volume table (2 volumes)",
                patched(b -> b.putShort(rule(4, "Action") + Layouts.ACTION.offset("TargetVolume"), (short) 2)));
        fails("JMF_RULE[4].Action.TargetVolume", "the volume the rule matches",
                patched(b -> b.putShort(rule(4, "Action") + Layouts.ACTION.offset("TargetVolume"), (short) 0)));
        fails("JMF_RULE[3].Action.OperationFlagsSet", "SL_* bits 0x1 are not valid here (valid: 0x4)",
                patched(b -> b.put(rule(3, "Action") + Layouts.ACTION.offset("OperationFlagsSet"), (byte) 1)));
        fails("JMF_RULE[1].Action.Flags", "post-create needs a rule whose only operation is CREATE",
                patched(b -> b.putInt(rule(1, "Operations"), 3).putInt(rule(1, "Action") + 4, 1)));
        fails("JMF_RULE[2].Action.TimeoutMs", "must be zero for AUDIT",
                patched(b -> b.putInt(rule(2, "Action") + Layouts.ACTION.offset("TimeoutMs"), 5)));
        assertEquals(40, action);
    }

    @Test
    void refusalsCarryTheDriversErrorCodeAndRuleIndex() {
        int targetVolume = Layouts.ACTION.offset("TargetVolume");
        Object[][] cases = {
            {patched(b -> b.putInt(0, 0)), ErrorCode.BAD_MAGIC, Protocol.INDEX_NONE},
            {patched(b -> b.putShort(4, (short) 9)), ErrorCode.BAD_VERSION, Protocol.INDEX_NONE},
            {patched(b -> b.putInt(36, 1)), ErrorCode.RESERVED, Protocol.INDEX_NONE},
            {patched(b -> b.putInt(8, b.getInt(8) + 8)), ErrorCode.TRUNCATED, Protocol.INDEX_NONE},
            {patched(b -> b.putInt(8, b.getInt(8) - 8)), ErrorCode.BAD_LENGTH, Protocol.INDEX_NONE},
            {patched(b -> b.putInt(12, 100001)), ErrorCode.TOO_MANY_RULES, Protocol.INDEX_NONE},
            {patched(b -> b.putInt(20, 65)), ErrorCode.TOO_MANY_VOLUMES, Protocol.INDEX_NONE},
            {patched(b -> b.putInt(16, 44)), ErrorCode.BAD_SECTION, Protocol.INDEX_NONE},
            {patched(b -> b.putInt(rule(3, "Path"), 3)), ErrorCode.BAD_STRING, 3},
            {patched(b -> b.putInt(rule(1, "RuleId"), 1)), ErrorCode.BAD_RULE_ID, 1},
            {patched(b -> b.putInt(rule(2, "Operations"), 0)), ErrorCode.BAD_OPERATIONS, 2},
            {patched(b -> b.putShort(rule(4, "Action") + targetVolume, (short) 9)), ErrorCode.BAD_VOLUME, 4},
            {patched(b -> b.putInt(rule(1, "Action") + 8, 0)), ErrorCode.BAD_STATUS, 1},
            {patched(b -> b.putInt(rule(0, "Action"), 9)), ErrorCode.BAD_ACTION, 0},
            {patched(b -> b.putInt(rule(0, "Action") + 4, 4)), ErrorCode.BAD_FLAGS, 0},
            {patched(b -> b.putInt(rule(2, "Action") + 32, 5)), ErrorCode.RESERVED, 2},
            // A post-create rule (match flags) with MODIFY: the driver says BAD_FLAGS.
            {patched(b -> b.putInt(rule(3, "Operations"), 1).putShort(rule(3, "MatchFlags"), (short) 1)),
                ErrorCode.BAD_FLAGS, 3},
            // The post-create flag on ALLOW.
            {patched(b -> b.putInt(rule(0, "Action") + 4, 1)), ErrorCode.BAD_FLAGS, 0},
            // REDIRECT to the volume the rule matches.
            {patched(b -> b.putShort(rule(4, "Action") + targetVolume, (short) 0)), ErrorCode.BAD_VOLUME, 4},
            // MODIFY: create options outside the valid bits, to set and to clear.
            {patched(b -> b.putInt(rule(3, "Action") + 16, 0x01000000)), ErrorCode.BAD_MODIFY, 3},
            {patched(b -> b.putInt(rule(3, "Action") + 20, 0x01000000)), ErrorCode.BAD_MODIFY, 3},
            // MODIFY of create parameters on a WRITE-only rule.
            {patched(b -> b.putInt(rule(3, "Action") + 12, 0x10000)), ErrorCode.BAD_OPERATIONS, 3},
            // MODIFY of operation flags on a rule of two operations.
            {patched(b -> b.putInt(rule(3, "Operations"), 6)), ErrorCode.BAD_OPERATIONS, 3},
            {patched(b -> b.putInt(rule(1, "RuleId"), -1)), ErrorCode.BAD_RULE_ID, 1},
            {patched(b -> b.putShort(rule(0, "MatchFlags"), (short) 3)), ErrorCode.BAD_FLAGS, 0},
            // MODIFY setting and clearing the same operation flag.
            {patched(b -> b.put(rule(3, "Action") + 29, (byte) Protocol.SL_WRITE_THROUGH)), ErrorCode.BAD_MODIFY, 3},
        };
        for (Object[] c : cases) {
            ProtocolException e = assertThrows(ProtocolException.class, () -> PolicyCodec.decode((ByteBuffer) c[0]));
            assertEquals(c[1], e.error(), e.getMessage());
            assertEquals((int) c[2], e.ruleIndex(), e.getMessage());
            assertEquals(new Result(0xC000000D, (ErrorCode) c[1], (int) c[2], 7), e.toResult(7));
        }
    }
}
