package org.jminifilter.protocol;

import java.util.List;

/**
 * Every structure of jmf_protocol.h, as the Java side understands it. The codecs take their
 * offsets from here, and the conformance test compares each size and offset with the C
 * compiler's {@code sizeof} and {@code offsetof}.
 */
public final class Layouts {
    private Layouts() {
    }

    public static final Layout CONNECT_CONTEXT = Layout.struct("JMF_CONNECT_CONTEXT")
            .field("Magic", 0, 4)
            .field("ProtocolVersion", 4, 2)
            .field("Reserved", 6, 2)
            .size(8);

    public static final Layout FILTER_MESSAGE_HEADER = Layout.struct("JMF_FILTER_MESSAGE_HEADER")
            .field("ReplyLength", 0, 4)
            .field("Padding", 4, 4)
            .field("MessageId", 8, 8)
            .size(16);

    public static final Layout FILTER_REPLY_HEADER = Layout.struct("JMF_FILTER_REPLY_HEADER")
            .field("Status", 0, 4)
            .field("Padding", 4, 4)
            .field("MessageId", 8, 8)
            .size(16);

    public static final Layout ACTION = Layout.struct("JMF_ACTION")
            .field("Type", 0, 4)
            .field("Flags", 4, 4)
            .field("Status", 8, 4)
            .field("AccessClear", 12, 4)
            .field("OptionsSet", 16, 4)
            .field("OptionsClear", 20, 4)
            .field("Disposition", 24, 4)
            .field("OperationFlagsSet", 28, 1)
            .field("OperationFlagsClear", 29, 1)
            .field("TargetVolume", 30, 2)
            .field("TimeoutMs", 32, 4)
            .field("DefaultVerdict", 36, 4)
            .size(40);

    public static final Layout STRING_REF = Layout.struct("JMF_STRING_REF")
            .field("Offset", 0, 4)
            .field("Length", 4, 4)
            .size(8);

    public static final Layout POLICY_HEADER = Layout.struct("JMF_POLICY_HEADER")
            .field("Magic", 0, 4)
            .field("Version", 4, 2)
            .field("Flags", 6, 2)
            .field("TotalLength", 8, 4)
            .field("RuleCount", 12, 4)
            .field("RuleOffset", 16, 4)
            .field("VolumeCount", 20, 4)
            .field("VolumeOffset", 24, 4)
            .field("StringOffset", 28, 4)
            .field("StringBytes", 32, 4)
            .field("Reserved2", 36, 4)
            .size(40);

    public static final Layout VOLUME = Layout.struct("JMF_VOLUME")
            .field("Name", 0, 8)
            .size(8);

    public static final Layout RULE = Layout.struct("JMF_RULE")
            .field("RuleId", 0, 4)
            .field("Operations", 4, 4)
            .field("ProcessId", 8, 4)
            .field("DesiredAccess", 12, 4)
            .field("Dispositions", 16, 4)
            .field("Volume", 20, 2)
            .field("MatchFlags", 22, 2)
            .field("Path", 24, 8)
            .field("Image", 32, 8)
            .field("Action", 40, 40)
            .size(80);

    public static final Layout COMMAND_HEADER = Layout.struct("JMF_COMMAND_HEADER")
            .field("Type", 0, 4)
            .field("Length", 4, 4)
            .size(8);

    public static final Layout RESULT = Layout.struct("JMF_RESULT")
            .field("Status", 0, 4)
            .field("Error", 4, 4)
            .field("RuleIndex", 8, 4)
            .field("Generation", 12, 4)
            .size(16);

    public static final Layout CONFIG = Layout.struct("JMF_CONFIG")
            .field("AskTimeoutMs", 0, 4)
            .field("DefaultVerdict", 4, 4)
            .field("DefaultDenyStatus", 8, 4)
            .field("OnDisconnect", 12, 4)
            .field("MaxAsksInFlight", 16, 4)
            .field("Flags", 20, 4)
            .size(24);

    public static final Layout UNLOCK_KEY = Layout.struct("JMF_UNLOCK_KEY")
            .field("Key", 0, 32)
            .size(32);

    public static final Layout STATISTICS = Layout.struct("JMF_STATISTICS")
            .field("Generation", 0, 4)
            .field("RuleCount", 4, 4)
            .field("Operations", 8, 8)
            .field("Verdicts", 16, 8 * Protocol.ACTION_COUNT)
            .field("Asks", 72, 8)
            .field("AskTimeouts", 80, 8)
            .field("AskNoClient", 88, 8)
            .field("AskOverLimit", 96, 8)
            .field("AskBadReplies", 104, 8)
            .field("DefaultVerdicts", 112, 8)
            .field("RedirectFallbacks", 120, 8)
            .field("PostCreateCancels", 128, 8)
            .field("EventsQueued", 136, 8)
            .field("EventsDropped", 144, 8)
            .field("PoliciesRejected", 152, 8)
            .field("AskNotWaited", 160, 8)
            .field("AskCancelled", 168, 8)
            .field("RedirectTargetLost", 176, 8)
            .field("RedirectRefused", 184, 8)
            .field("AuditOnly", 192, 8)
            .size(200);

    public static final Layout RULE_STATISTICS = Layout.struct("JMF_RULE_STATISTICS")
            .field("RuleId", 0, 4)
            .field("Reserved", 4, 4)
            .field("Matches", 8, 8)
            .size(16);

    public static final Layout EVENT = Layout.struct("JMF_EVENT")
            .field("Time", 0, 8)
            .field("Sequence", 8, 8)
            .field("RuleId", 16, 4)
            .field("Operation", 20, 4)
            .field("Verdict", 24, 4)
            .field("Status", 28, 4)
            .field("ProcessId", 32, 4)
            .field("Flags", 36, 4)
            .field("VolumeLength", 40, 2)
            .field("PathLength", 42, 2)
            .field("OtherPathLength", 44, 2)
            .field("Reserved", 46, 2)
            .field("Volume", 48, 2 * Protocol.MAX_VOLUME_CHARS)
            .field("Path", 176, 2 * Protocol.MAX_PATH_CHARS)
            .field("OtherPath", 1200, 2 * Protocol.MAX_PATH_CHARS)
            .size(2224);

    public static final Layout EVENT_BATCH = Layout.struct("JMF_EVENT_BATCH")
            .field("Count", 0, 4)
            .field("Pending", 4, 4)
            .field("Dropped", 8, 8)
            .size(16);

    public static final Layout NOTIFICATION_HEADER = Layout.struct("JMF_NOTIFICATION_HEADER")
            .field("Type", 0, 4)
            .field("Length", 4, 4)
            .size(8);

    public static final Layout ASK = Layout.struct("JMF_ASK")
            .field("Header", 0, 8)
            .field("Generation", 8, 4)
            .field("RuleId", 12, 4)
            .field("Operation", 16, 4)
            .field("ProcessId", 20, 4)
            .field("DesiredAccess", 24, 4)
            .field("CreateOptions", 28, 4)
            .field("CreateDisposition", 32, 4)
            .field("Flags", 36, 4)
            .field("TimeoutMs", 40, 4)
            .field("VolumeLength", 44, 2)
            .field("PathLength", 46, 2)
            .field("ImageLength", 48, 2)
            .field("Reserved", 50, 2)
            .field("Reserved2", 52, 4)
            .field("Volume", 56, 2 * Protocol.MAX_VOLUME_CHARS)
            .field("Path", 184, 2 * Protocol.MAX_PATH_CHARS)
            .field("Image", 1208, 2 * Protocol.MAX_IMAGE_CHARS)
            .size(1728);

    public static final Layout ASK_REPLY = Layout.struct("JMF_ASK_REPLY")
            .field("Verdict", 0, 40)
            .size(40);

    /** Every structure, in header order. */
    public static List<Layout> all() {
        return List.of(CONNECT_CONTEXT, FILTER_MESSAGE_HEADER, FILTER_REPLY_HEADER, ACTION, STRING_REF,
                POLICY_HEADER, VOLUME, RULE, COMMAND_HEADER, RESULT, CONFIG, UNLOCK_KEY, STATISTICS, RULE_STATISTICS,
                EVENT, EVENT_BATCH, NOTIFICATION_HEADER, ASK, ASK_REPLY);
    }
}
