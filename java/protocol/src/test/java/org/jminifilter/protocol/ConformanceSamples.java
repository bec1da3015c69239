package org.jminifilter.protocol;

import static org.jminifilter.policy.Operation.CREATE;
import static org.jminifilter.policy.Operation.DELETE;
import static org.jminifilter.policy.Operation.READ;
import static org.jminifilter.policy.Operation.RENAME;
import static org.jminifilter.policy.Operation.WRITE;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jminifilter.policy.Action;
import org.jminifilter.policy.ActionType;
import org.jminifilter.policy.DefaultVerdict;
import org.jminifilter.policy.Disposition;
import org.jminifilter.policy.MatchFlag;
import org.jminifilter.policy.Operation;
import org.jminifilter.policy.Policy;
import org.jminifilter.policy.PolicyCodec;

/**
 * The sample messages of src/test/c/jmf_conformance.c, built through the Java API and codec. The
 * values here and there must stay the same; the conformance test compares the bytes.
 */
final class ConformanceSamples {
    private ConformanceSamples() {
    }

    static final int STATUS_ACCESS_DENIED = 0xC0000022;
    static final int STATUS_NO_SUCH_DEVICE = 0xC000000E;
    static final int STATUS_INVALID_PARAMETER = 0xC000000D;
    static final String VOLUME3 = "\\Device\\HarddiskVolume3";
    static final String VOLUME4 = "\\Device\\HarddiskVolume4";
    static final String GRIN = new String(Character.toChars(0x1F600));

    static Policy policy() {
        return Policy.builder()
                .volume(VOLUME3)
                .volume(VOLUME4)
                .rule(r -> r.id(1).operations(CREATE).path("\\Windows\\**").allow())
                .rule(r -> r.id(2).operations(CREATE, WRITE, RENAME, DELETE).path("\\Users\\*\\secret\\**")
                        .image("**\\notepad.exe").deny(STATUS_ACCESS_DENIED))
                .rule(r -> r.id(3).operations(CREATE).volume(VOLUME3).path("\\Users\\bob\\caf\u00e9\\*.txt")
                        .desiredAccess(0x2).dispositions(Disposition.OPEN, Disposition.OPEN_IF)
                        .matchFlags(MatchFlag.NON_DIRECTORY, MatchFlag.CREATED)
                        .action(Action.deny(STATUS_ACCESS_DENIED).inPostCreate()))
                .rule(r -> r.id(4).operations(WRITE).path("\\logs\\**")
                        .action(Action.modify().withOperationFlagsSet(Protocol.SL_WRITE_THROUGH)))
                .rule(r -> r.id(5).operations(CREATE).path("\\tmp\\" + GRIN + "?.log")
                        .action(Action.modify().withAccessClear(0x10000).withOptionsSet(0x8).withOptionsClear(0x1000)
                                .withDisposition(Disposition.OPEN_IF)
                                .withOperationFlagsClear(Protocol.SL_CASE_SENSITIVE)))
                .rule(r -> r.id(6).operations(CREATE, READ, WRITE).volume(0).path("\\Users\\*\\Documents\\**")
                        .redirect(VOLUME4, STATUS_NO_SUCH_DEVICE))
                .rule(r -> r.id(7).operations(CREATE).path("\\Windows\\**").image("**\\cmd.exe").processId(1234)
                        .action(Action.ask().withTimeoutMs(10000).orDeny(STATUS_ACCESS_DENIED).inPostCreate()))
                .rule(r -> r.id(8).operations(DELETE, RENAME).path("\\Users\\*\\Desktop\\?*.lnk").action(Action.ask()))
                .rule(r -> r.id(9).operations(READ).audit())
                .rule(r -> r.id(0xFFFFFFFE).operations(Operation.values()).volume(1).image("**\\explorer.exe")
                        .action(new Action.Ask(60000, DefaultVerdict.ALLOW, 0, false)))
                .build();
    }

    static Config config() {
        return Config.defaults().withAskTimeoutMs(2500).withDefaultVerdict(DefaultVerdict.DENY)
                .withOnDisconnect(Config.OnDisconnect.CLEAR_POLICY).withMaxAsksInFlight(32);
    }

    static Ask ask() {
        return new Ask(3, 42, CREATE, 4321, 0x120089, 0x40, Protocol.FILE_OPEN,
                Protocol.ASK_FLAG_POST_CREATE | Protocol.ASK_FLAG_PATH_TRUNCATED, 5000, VOLUME3,
                "\\Users\\bob\\caf\u00e9 " + GRIN + ".txt", VOLUME3 + "\\Windows\\notepad.exe");
    }

    static Statistics statistics() {
        Map<ActionType, Long> verdicts = new java.util.EnumMap<>(ActionType.class);
        for (ActionType t : ActionType.values()) {
            verdicts.put(t, 100L * t.code());
        }
        return new Statistics(9, 1000, verdicts, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, -1L, 21, 22, 23,
                Long.MIN_VALUE, 24,
                List.of(new RuleStatistics(1, 50), new RuleStatistics(0xFFFFFFFE, 0x0123456789ABCDEFL)));
    }

    static EventBatch eventBatch() {
        return new EventBatch(5, 2, List.of(
                new Event(133000000000000000L, 10, 7, WRITE, ActionType.DENY, STATUS_ACCESS_DENIED, 1000, 0,
                        "\\Device\\HarddiskVolume2", "\\data\\report.docx"),
                new Event(133000000012345678L, 11, Protocol.RULE_NONE, CREATE, ActionType.ALLOW, 0, 4,
                        Protocol.EVENT_FLAG_POST_CREATE | Protocol.EVENT_FLAG_DEFAULT_VERDICT
                                | Protocol.EVENT_FLAG_ASK_TIMEOUT | Protocol.EVENT_FLAG_DESTINATION
                                | Protocol.EVENT_FLAG_LINK,
                        VOLUME3, "\\Users\\bob\\caf\u00e9.txt", "\\Downloads\\x.txt")));
    }

    /** Every sample by the name jmf_conformance.c prints it under. */
    static Map<String, ByteBuffer> all() {
        Map<String, ByteBuffer> m = new LinkedHashMap<>();
        m.put("connect_context", ConnectContext.current().encode());
        m.put("config", config().encode());
        m.put("command_set_config", new Command.SetConfig(config()).encode());
        m.put("command_get_statistics", new Command.GetStatistics().encode());
        m.put("command_get_events", new Command.GetEvents().encode());
        byte[] key = new byte[Protocol.UNLOCK_KEY_BYTES];
        for (int i = 0; i < key.length; i++) {
            key[i] = (byte) (0xA0 + i);
        }
        m.put("command_set_config_locked", new Command.SetConfig(config().persisted().locked(UnlockKey.of(key))).encode());
        m.put("command_unlock", new Command.Unlock(UnlockKey.of(key)).encode());
        m.put("policy", PolicyCodec.encode(policy()));
        m.put("command_set_policy", new Command.SetPolicy(policy()).encode());
        m.put("result", new Result(STATUS_INVALID_PARAMETER, ErrorCode.BAD_STATUS, 2, 7).encode());
        m.put("ask", ask().encode());
        m.put("filter_message_header", new FilterMessageHeader(Protocol.REPLY_BUFFER_SIZE, 0x0102030405060708L).encode());
        m.put("ask_reply_modify", new AskReply(Action.modify().withAccessClear(0x10000).withOptionsSet(0x8)
                .withDisposition(Disposition.OPEN_IF).withOperationFlagsSet(Protocol.SL_FORCE_ACCESS_CHECK)).encode());
        m.put("ask_reply_redirect", new AskReply(Action.redirect(1).orDeny(STATUS_NO_SUCH_DEVICE)).encode());
        m.put("reply_buffer_deny", new AskReply(Action.deny(STATUS_ACCESS_DENIED)).encodeReply(0x1122334455667788L));
        m.put("statistics", statistics().encode());
        m.put("event_batch", eventBatch().encode());
        return m;
    }
}
