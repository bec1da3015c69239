package org.jminifilter.policy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

import org.jminifilter.protocol.ErrorCode;
import org.jminifilter.protocol.Layout;
import org.jminifilter.protocol.Layouts;
import org.jminifilter.protocol.Protocol;
import org.jminifilter.protocol.ProtocolException;
import org.jminifilter.protocol.Wire;

/**
 * Encodes a {@link Policy} into the compiled policy format (the body of JMF_COMMAND_SET_POLICY)
 * and decodes one back, validating it as the kernel does.
 *
 * <p>The encoding is: JMF_POLICY_HEADER, the rules, the volumes, then the string table, each
 * section 8-byte aligned and following the previous one; strings appear once in the table (in
 * order of first use: volume names, then each rule's path and image), and an absent pattern is
 * the reference (0, 0).
 */
public final class PolicyCodec {
    private PolicyCodec() {
    }

    private static final Layout H = Layouts.POLICY_HEADER;
    private static final Layout R = Layouts.RULE;
    private static final Layout A = Layouts.ACTION;
    private static final int H_MAGIC = H.offset("Magic");
    private static final int H_VERSION = H.offset("Version");
    private static final int H_FLAGS = H.offset("Flags");
    private static final int H_TOTAL = H.offset("TotalLength");
    private static final int H_RULE_COUNT = H.offset("RuleCount");
    private static final int H_RULE_OFFSET = H.offset("RuleOffset");
    private static final int H_VOLUME_COUNT = H.offset("VolumeCount");
    private static final int H_VOLUME_OFFSET = H.offset("VolumeOffset");
    private static final int H_STRING_OFFSET = H.offset("StringOffset");
    private static final int H_STRING_BYTES = H.offset("StringBytes");
    private static final int H_RESERVED2 = H.offset("Reserved2");
    private static final int R_ID = R.offset("RuleId");
    private static final int R_OPERATIONS = R.offset("Operations");
    private static final int R_PROCESS = R.offset("ProcessId");
    private static final int R_ACCESS = R.offset("DesiredAccess");
    private static final int R_DISPOSITIONS = R.offset("Dispositions");
    private static final int R_VOLUME = R.offset("Volume");
    private static final int R_MATCH = R.offset("MatchFlags");
    private static final int R_PATH = R.offset("Path");
    private static final int R_IMAGE = R.offset("Image");
    private static final int R_ACTION = R.offset("Action");
    private static final int S_OFFSET = Layouts.STRING_REF.offset("Offset");
    private static final int S_LENGTH = Layouts.STRING_REF.offset("Length");
    private static final int V_NAME = Layouts.VOLUME.offset("Name");
    private static final int A_TYPE = A.offset("Type");
    private static final int A_FLAGS = A.offset("Flags");
    private static final int A_STATUS = A.offset("Status");
    private static final int A_ACCESS = A.offset("AccessClear");
    private static final int A_OPT_SET = A.offset("OptionsSet");
    private static final int A_OPT_CLEAR = A.offset("OptionsClear");
    private static final int A_DISPOSITION = A.offset("Disposition");
    private static final int A_SL_SET = A.offset("OperationFlagsSet");
    private static final int A_SL_CLEAR = A.offset("OperationFlagsClear");
    private static final int A_TARGET = A.offset("TargetVolume");
    private static final int A_TIMEOUT = A.offset("TimeoutMs");
    private static final int A_DEFAULT = A.offset("DefaultVerdict");

    /** The section layout and string table of one policy, computed once for sizing and writing. */
    private static final class Plan {
        final Map<String, Integer> strings = new LinkedHashMap<>();
        int stringBytes;
        final int ruleOffset = Wire.align8(Protocol.POLICY_HEADER_SIZE);
        final int volumeOffset;
        final int stringOffset;
        final int total;

        Plan(Policy p) {
            for (Volume v : p.volumes()) {
                add(v.name());
            }
            for (Rule r : p.rules()) {
                r.path().ifPresent(x -> add(x.pattern()));
                r.image().ifPresent(x -> add(x.pattern()));
            }
            volumeOffset = Wire.align8(ruleOffset + p.rules().size() * Protocol.RULE_SIZE);
            stringOffset = Wire.align8(volumeOffset + p.volumes().size() * Protocol.VOLUME_SIZE);
            long end = (long) stringOffset + stringBytes;
            if (end > Protocol.MAX_POLICY_BYTES) {
                throw new IllegalArgumentException("TotalLength: the policy encodes to " + end
                        + " bytes, over JMF_MAX_POLICY_BYTES (" + Protocol.MAX_POLICY_BYTES + ")");
            }
            total = (int) end;
        }

        private void add(String s) {
            if (!strings.containsKey(s)) {
                strings.put(s, stringBytes);
                stringBytes += 2 * s.length();
            }
        }
    }

    /** The number of bytes {@link #encode} produces for {@code policy}. */
    public static int encodedSize(Policy policy) {
        return new Plan(policy).total;
    }

    /** The compiled policy: a little-endian buffer, position 0, limit its TotalLength. */
    public static ByteBuffer encode(Policy policy) {
        Plan plan = new Plan(policy);
        ByteBuffer b = Wire.allocate(plan.total);
        write(policy, plan, b, 0);
        return b;
    }

    /**
     * Writes the compiled policy into {@code dst} at its position, which advances past it; the
     * bytes written must be zero beforehand (padding is not written).
     */
    public static void encodeTo(Policy policy, ByteBuffer dst) {
        Plan plan = new Plan(policy);
        ByteBuffer b = Wire.view(dst);
        if (b.remaining() < plan.total) {
            throw new IllegalArgumentException("buffer has " + b.remaining() + " bytes, policy needs " + plan.total);
        }
        write(policy, plan, b, 0);
        dst.position(dst.position() + plan.total);
    }

    private static void write(Policy p, Plan plan, ByteBuffer b, int base) {
        b.putInt(base + H_MAGIC, Protocol.POLICY_MAGIC);
        b.putShort(base + H_VERSION, (short) Protocol.POLICY_VERSION);
        b.putShort(base + H_FLAGS, (short) (p.mode() == Mode.AUDIT_ONLY ? Protocol.POLICY_FLAG_AUDIT_ONLY : 0));
        b.putInt(base + H_TOTAL, plan.total);
        b.putInt(base + H_RULE_COUNT, p.rules().size());
        b.putInt(base + H_RULE_OFFSET, plan.ruleOffset);
        b.putInt(base + H_VOLUME_COUNT, p.volumes().size());
        b.putInt(base + H_VOLUME_OFFSET, plan.volumeOffset);
        b.putInt(base + H_STRING_OFFSET, plan.stringOffset);
        b.putInt(base + H_STRING_BYTES, plan.stringBytes);
        b.putInt(base + H_RESERVED2, 0);
        for (int i = 0; i < p.rules().size(); i++) {
            writeRule(p.rules().get(i), plan, b, base + plan.ruleOffset + i * Protocol.RULE_SIZE);
        }
        for (int i = 0; i < p.volumes().size(); i++) {
            writeRef(p.volumes().get(i).name(), plan, b, base + plan.volumeOffset + i * Protocol.VOLUME_SIZE + V_NAME);
        }
        for (Map.Entry<String, Integer> e : plan.strings.entrySet()) {
            Wire.putUtf16(b, base + plan.stringOffset + e.getValue(), e.getKey());
        }
    }

    private static void writeRule(Rule r, Plan plan, ByteBuffer b, int at) {
        b.putInt(at + R_ID, r.ruleId());
        b.putInt(at + R_OPERATIONS, Operation.mask(r.operations()));
        b.putInt(at + R_PROCESS, r.processId());
        b.putInt(at + R_ACCESS, r.desiredAccess());
        b.putInt(at + R_DISPOSITIONS, Disposition.mask(r.dispositions()));
        b.putShort(at + R_VOLUME, (short) r.volume().orElse(Protocol.VOLUME_ANY));
        b.putShort(at + R_MATCH, (short) MatchFlag.mask(r.matchFlags()));
        writeRef(r.path().map(PathPattern::pattern).orElse(null), plan, b, at + R_PATH);
        writeRef(r.image().map(PathPattern::pattern).orElse(null), plan, b, at + R_IMAGE);
        encodeAction(r.action(), b, at + R_ACTION);
        if (r.isAuditOnly()) {
            b.putInt(at + R_ACTION + A_FLAGS, b.getInt(at + R_ACTION + A_FLAGS) | Protocol.ACTION_FLAG_AUDIT_ONLY);
        }
    }

    private static void writeRef(String s, Plan plan, ByteBuffer b, int at) {
        b.putInt(at + S_OFFSET, s == null ? 0 : plan.strings.get(s));
        b.putInt(at + S_LENGTH, s == null ? 0 : 2 * s.length());
    }

    /** Writes {@code action} as a JMF_ACTION at absolute {@code offset} of little-endian {@code b}. */
    public static void encodeAction(Action action, ByteBuffer b, int offset) {
        int flags = action.postCreate() ? Protocol.ACTION_FLAG_POST_CREATE : 0;
        int status = 0;
        int accessClear = 0;
        int optionsSet = 0;
        int optionsClear = 0;
        int disposition = Protocol.DISPOSITION_UNCHANGED;
        int slSet = 0;
        int slClear = 0;
        int target = 0;
        int timeout = 0;
        int defaultVerdict = 0;
        if (action instanceof Action.Deny d) {
            status = d.status();
        } else if (action instanceof Action.Modify m) {
            accessClear = m.accessClear();
            optionsSet = m.optionsSet();
            optionsClear = m.optionsClear();
            disposition = m.disposition().map(Disposition::code).orElse(Protocol.DISPOSITION_UNCHANGED);
            slSet = m.operationFlagsSet();
            slClear = m.operationFlagsClear();
        } else if (action instanceof Action.Redirect r) {
            flags |= r.fallbackDeny() ? Protocol.ACTION_FLAG_FALLBACK_DENY : 0;
            flags |= r.mechanism() == RedirectMechanism.REPARSE ? Protocol.ACTION_FLAG_REPARSE : 0;
            status = r.status();
            target = r.targetVolume();
        } else if (action instanceof Action.Ask a) {
            status = a.status();
            timeout = a.timeoutMs();
            defaultVerdict = a.defaultVerdict().code();
        }
        b.putInt(offset + A_TYPE, action.type().code());
        b.putInt(offset + A_FLAGS, flags);
        b.putInt(offset + A_STATUS, status);
        b.putInt(offset + A_ACCESS, accessClear);
        b.putInt(offset + A_OPT_SET, optionsSet);
        b.putInt(offset + A_OPT_CLEAR, optionsClear);
        b.putInt(offset + A_DISPOSITION, disposition);
        b.put(offset + A_SL_SET, (byte) slSet);
        b.put(offset + A_SL_CLEAR, (byte) slClear);
        b.putShort(offset + A_TARGET, (short) target);
        b.putInt(offset + A_TIMEOUT, timeout);
        b.putInt(offset + A_DEFAULT, defaultVerdict);
    }

    /**
     * Reads the JMF_ACTION at absolute {@code offset} of little-endian {@code b} (the caller has
     * checked that its 40 bytes are there) on its own, without a rule or an ask around it: any
     * type, flags and ranges the type allows, unused fields zero. {@code field} names it in
     * errors, for example {@code JMF_RULE[3].Action}. The audit-only flag is checked, but it is the
     * rule's {@link Mode}, not part of an {@link Action}.
     */
    public static Action decodeAction(ByteBuffer b, int offset, String field) {
        return readAction(b, offset, field, ActionContext.ALONE);
    }

    /**
     * Reads an ask's verdict (JMF_ASK_REPLY.Verdict) as JmfPolicyValidateVerdict checks what it
     * can without the ask: never ASK, never the post-create flag, and the rest as
     * {@link #decodeAction}. The checks that need the asked operation and the policy's volume
     * table (operation flags of that operation, TargetVolume in the table) are the driver's.
     */
    public static Action decodeVerdict(ByteBuffer b, int offset, String field) {
        return readAction(b, offset, field, ActionContext.VERDICT);
    }

    /**
     * What an action is checked against. {@code operations} is -1 when unknown (the checks that
     * need it are skipped); {@code postField} names what made the phase post-create, or is null.
     */
    private record ActionContext(int operations, String postField, int ruleVolume, int volumeCount,
            boolean verdict, String rule) {
        static final ActionContext ALONE = new ActionContext(-1, null, Protocol.VOLUME_ANY, Protocol.MAX_VOLUMES,
                false, null);
        static final ActionContext VERDICT = new ActionContext(-1, null, Protocol.VOLUME_ANY, Protocol.MAX_VOLUMES,
                true, null);

        boolean knowsOperations() {
            return operations >= 0;
        }
    }

    private static ProtocolException fault(ErrorCode error, String field, String detail) {
        return new ProtocolException(error, field, detail);
    }

    /** JmfActionValidate's checks, in its order, so the first fault found is the driver's. */
    private static Action readAction(ByteBuffer b, int offset, String f, ActionContext ctx) {
        int typeCode = b.getInt(offset + A_TYPE);
        if (typeCode <= 0 || typeCode >= Protocol.ACTION_COUNT) {
            throw fault(ErrorCode.BAD_ACTION, f + ".Type", "unknown action type " + Integer.toUnsignedString(typeCode));
        }
        ActionType type = ActionType.fromCode(typeCode);
        if (ctx.verdict() && type == ActionType.ASK) {
            throw fault(ErrorCode.BAD_ACTION, f + ".Type", "ASK cannot be an ask's verdict");
        }
        if (ctx.postField() != null && (type == ActionType.MODIFY || type == ActionType.REDIRECT)) {
            throw fault(ErrorCode.BAD_FLAGS, ctx.postField(), "make a post-create rule, and " + type
                    + " cannot be decided in post-create (only ALLOW, DENY, ASK, AUDIT)");
        }
        int flags = b.getInt(offset + A_FLAGS);
        Wire.requireBits(flags, Protocol.ACTION_FLAGS_VALID, f + ".Flags", ErrorCode.BAD_FLAGS);
        boolean postCreate = (flags & Protocol.ACTION_FLAG_POST_CREATE) != 0;
        boolean fallbackDeny = (flags & Protocol.ACTION_FLAG_FALLBACK_DENY) != 0;
        if (postCreate) {
            if (ctx.verdict()) {
                throw fault(ErrorCode.BAD_FLAGS, f + ".Flags", "a verdict has no post-create flag (the phase is the ask's)");
            }
            if (type != ActionType.DENY && type != ActionType.ASK && type != ActionType.AUDIT) {
                throw fault(ErrorCode.BAD_FLAGS, f + ".Flags", "flag 0x1 does not apply to " + type);
            }
            if (ctx.knowsOperations() && ctx.operations() != Protocol.OP_CREATE) {
                throw fault(ErrorCode.BAD_FLAGS, f + ".Flags", "post-create needs a rule whose only operation is CREATE");
            }
        }
        if (fallbackDeny && type != ActionType.REDIRECT) {
            throw fault(ErrorCode.BAD_FLAGS, f + ".Flags", "flag 0x2 does not apply to " + type);
        }
        boolean reparse = (flags & Protocol.ACTION_FLAG_REPARSE) != 0;
        if (reparse && (type != ActionType.REDIRECT || ctx.verdict())) {
            throw fault(ErrorCode.BAD_FLAGS, f + ".Flags", ctx.verdict()
                    ? "an ask's verdict cannot choose the redirect mechanism (flag 0x8 belongs to a rule)"
                    : "flag 0x8 (reparse) does not apply to " + type);
        }
        if ((flags & Protocol.ACTION_FLAG_AUDIT_ONLY) != 0) {
            if (ctx.verdict()) {
                throw fault(ErrorCode.BAD_FLAGS, f + ".Flags", "a verdict is applied, never audit-only (flag 0x4)");
            }
            if (!Mode.appliesTo(type)) {
                throw fault(ErrorCode.BAD_FLAGS, f + ".Flags", "audit-only (flag 0x4) applies to DENY, MODIFY, REDIRECT"
                        + " and ASK; " + type + " already lets the operation through");
            }
        }
        int status = b.getInt(offset + A_STATUS);
        int disposition = b.getInt(offset + A_DISPOSITION);
        int target = Wire.u16(b, offset + A_TARGET);
        int timeout = b.getInt(offset + A_TIMEOUT);
        int defaultCode = b.getInt(offset + A_DEFAULT);
        boolean usesStatus = false;
        switch (type) {
            case DENY:
                usesStatus = true;
                break;
            case MODIFY:
                checkModify(b, offset, f, ctx);
                break;
            case REDIRECT:
                if (ctx.knowsOperations() && ((ctx.operations() & Protocol.OP_CREATE) == 0
                        || (ctx.operations() & ~REDIRECTABLE) != 0)) {
                    throw fault(ErrorCode.BAD_OPERATIONS, ctx.rule() + ".Operations",
                            "REDIRECT needs CREATE and allows only CREATE, READ, WRITE");
                }
                if (target >= ctx.volumeCount()) {
                    throw fault(ErrorCode.BAD_VOLUME, f + ".TargetVolume", target + " is outside the volume table ("
                            + ctx.volumeCount() + " volumes)");
                }
                if (target == ctx.ruleVolume()) {
                    throw fault(ErrorCode.BAD_VOLUME, f + ".TargetVolume",
                            "redirects to volume " + target + ", the volume the rule matches");
                }
                if (reparse && ctx.ruleVolume() == Protocol.VOLUME_ANY) {
                    throw fault(ErrorCode.BAD_VOLUME, f + ".TargetVolume", "a redirect by reparse must be on a rule that "
                            + "names its volume (on any volume it would match its own reopen on the target)");
                }
                usesStatus = fallbackDeny;
                break;
            case ASK:
                Wire.requireRange(timeout, 0, Protocol.MAX_ASK_TIMEOUT_MS, f + ".TimeoutMs", ErrorCode.BAD_TIMEOUT);
                if (defaultCode != 0 && defaultCode != Protocol.ACTION_ALLOW && defaultCode != Protocol.ACTION_DENY) {
                    throw fault(ErrorCode.BAD_DEFAULT, f + ".DefaultVerdict", "default verdict "
                            + Integer.toUnsignedString(defaultCode) + " is neither 0, ALLOW nor DENY");
                }
                usesStatus = defaultCode == Protocol.ACTION_DENY;
                break;
            default:
                break;
        }
        if (usesStatus && !Protocol.isDenyStatus(status)) {
            throw fault(ErrorCode.BAD_STATUS, f + ".Status", String.format(
                    "0x%08X is not an error NTSTATUS (0xC...) other than STATUS_FLT_DISALLOW_FAST_IO", status));
        }
        if (!usesStatus) {
            unused(status, f, "Status", type);
        }
        if (type != ActionType.MODIFY) {
            unused(b.getInt(offset + A_ACCESS), f, "AccessClear", type);
            unused(b.getInt(offset + A_OPT_SET), f, "OptionsSet", type);
            unused(b.getInt(offset + A_OPT_CLEAR), f, "OptionsClear", type);
            if (disposition != Protocol.DISPOSITION_UNCHANGED) {
                throw fault(ErrorCode.RESERVED, f + ".Disposition", "must be JMF_DISPOSITION_UNCHANGED for " + type);
            }
            unused(b.get(offset + A_SL_SET), f, "OperationFlagsSet", type);
            unused(b.get(offset + A_SL_CLEAR), f, "OperationFlagsClear", type);
        }
        if (type != ActionType.REDIRECT) {
            unused(target, f, "TargetVolume", type);
        }
        if (type != ActionType.ASK) {
            unused(timeout, f, "TimeoutMs", type);
            unused(defaultCode, f, "DefaultVerdict", type);
        }
        try {
            switch (type) {
                case ALLOW:
                    return Action.allow();
                case DENY:
                    return new Action.Deny(status, postCreate);
                case AUDIT:
                    return new Action.Audit(postCreate);
                case MODIFY:
                    return new Action.Modify(b.getInt(offset + A_ACCESS), b.getInt(offset + A_OPT_SET),
                            b.getInt(offset + A_OPT_CLEAR), disposition == Protocol.DISPOSITION_UNCHANGED
                                    ? Optional.empty() : Optional.of(Disposition.fromCode(disposition)),
                            Wire.u8(b, offset + A_SL_SET), Wire.u8(b, offset + A_SL_CLEAR));
                case REDIRECT:
                    return new Action.Redirect(target, fallbackDeny, status,
                            reparse ? RedirectMechanism.REPARSE : RedirectMechanism.TARGET_INSTANCE);
                case ASK:
                    return new Action.Ask(timeout, DefaultVerdict.fromCode(defaultCode), status, postCreate);
                default:
                    throw new AssertionError(type);
            }
        } catch (InvalidFieldException e) {
            // Every check of the constructors was made above; this is a safety net, not a path.
            throw fault(ErrorCode.BAD_ACTION, f + e.field().substring("Action".length()), e.detail());
        }
    }

    private static final int REDIRECTABLE = Protocol.OP_CREATE | Protocol.OP_READ | Protocol.OP_WRITE;
    private static final int SL_ANY_VALID = Protocol.SL_CREATE_VALID | Protocol.SL_WRITE_VALID | Protocol.SL_READ_VALID;

    /** JmfModifyValidate's checks, in its order. */
    private static void checkModify(ByteBuffer b, int offset, String f, ActionContext ctx) {
        int access = b.getInt(offset + A_ACCESS);
        int set = b.getInt(offset + A_OPT_SET);
        int clear = b.getInt(offset + A_OPT_CLEAR);
        int disposition = b.getInt(offset + A_DISPOSITION);
        int slSet = Wire.u8(b, offset + A_SL_SET);
        int slClear = Wire.u8(b, offset + A_SL_CLEAR);
        boolean createFields = access != 0 || set != 0 || clear != 0 || disposition != Protocol.DISPOSITION_UNCHANGED;
        int slBits = slSet | slClear;
        if (!createFields && slBits == 0) {
            throw fault(ErrorCode.BAD_MODIFY, f, "MODIFY changes nothing");
        }
        if ((set & ~Protocol.CREATE_OPTIONS_VALID) != 0) {
            throw fault(ErrorCode.BAD_MODIFY, f + ".OptionsSet", String.format("bits 0x%X are outside 0x%X",
                    set & ~Protocol.CREATE_OPTIONS_VALID, Protocol.CREATE_OPTIONS_VALID));
        }
        if ((clear & ~Protocol.CREATE_OPTIONS_VALID) != 0) {
            throw fault(ErrorCode.BAD_MODIFY, f + ".OptionsClear", String.format("bits 0x%X are outside 0x%X",
                    clear & ~Protocol.CREATE_OPTIONS_VALID, Protocol.CREATE_OPTIONS_VALID));
        }
        if ((set & clear) != 0) {
            throw fault(ErrorCode.BAD_MODIFY, f + ".OptionsClear", String.format("0x%X both set and cleared", set & clear));
        }
        if (disposition != Protocol.DISPOSITION_UNCHANGED) {
            Wire.requireRange(disposition, 0, Protocol.FILE_MAXIMUM_DISPOSITION, f + ".Disposition", ErrorCode.BAD_MODIFY);
        }
        if (createFields && ctx.knowsOperations() && (ctx.operations() & Protocol.OP_CREATE) == 0) {
            throw fault(ErrorCode.BAD_OPERATIONS, ctx.rule() + ".Operations",
                    "MODIFY edits create parameters, but the rule has no CREATE");
        }
        if (slBits != 0) {
            int valid = SL_ANY_VALID;
            if (ctx.knowsOperations()) {
                int ops = ctx.operations();
                if (Integer.bitCount(ops) != 1) {
                    throw fault(ErrorCode.BAD_OPERATIONS, ctx.rule() + ".Operations",
                            "MODIFY of operation flags must name exactly one operation");
                }
                valid = Operation.fromBit(ops).validOperationFlags();
            }
            if ((slBits & ~valid) != 0) {
                throw fault(ErrorCode.BAD_MODIFY, f + ((slSet & ~valid) != 0 ? ".OperationFlagsSet" : ".OperationFlagsClear"),
                        String.format("SL_* bits 0x%X are not valid here (valid: 0x%X)", slBits & ~valid, valid));
            }
            if ((slSet & slClear) != 0) {
                throw fault(ErrorCode.BAD_MODIFY, f + ".OperationFlagsClear",
                        String.format("0x%X both set and cleared", slSet & slClear));
            }
        }
    }

    private static void unused(int value, String field, String name, ActionType type) {
        if (value != 0) {
            throw fault(ErrorCode.RESERVED, field + "." + name, "must be zero for " + type);
        }
    }

    /**
     * Decodes and validates a compiled policy: the remaining bytes of {@code body} (its position
     * and limit are not changed). Makes JmfPolicyCompile's checks in its order, so a refusal
     * carries the driver's JMF_ERROR_* and rule index ({@link ProtocolException#toResult}).
     */
    public static Policy decode(ByteBuffer body) {
        ByteBuffer b = Wire.view(body);
        String h = "JMF_POLICY_HEADER.";
        Wire.requireAtLeast(b, "JMF_POLICY_HEADER", Protocol.POLICY_HEADER_SIZE);
        if (b.getInt(H_MAGIC) != Protocol.POLICY_MAGIC) {
            throw fault(ErrorCode.BAD_MAGIC, h + "Magic",
                    String.format("0x%08X is not JMF_POLICY_MAGIC (0x%08X)", b.getInt(H_MAGIC), Protocol.POLICY_MAGIC));
        }
        if (Wire.u16(b, H_VERSION) != Protocol.POLICY_VERSION) {
            throw fault(ErrorCode.BAD_VERSION, h + "Version",
                    Wire.u16(b, H_VERSION) + " is not JMF_POLICY_VERSION (" + Protocol.POLICY_VERSION + ")");
        }
        Wire.requireBits(Short.toUnsignedInt(b.getShort(H_FLAGS)), Protocol.POLICY_FLAGS_VALID, h + "Flags", ErrorCode.RESERVED);
        Wire.requireZero(b, H_RESERVED2, 4, h + "Reserved2");
        long total = Integer.toUnsignedLong(b.getInt(H_TOTAL));
        if (total != b.remaining()) {
            throw fault(total > b.remaining() ? ErrorCode.TRUNCATED : ErrorCode.BAD_LENGTH, h + "TotalLength",
                    total + " disagrees with the body's " + b.remaining() + " bytes");
        }
        if (total > Protocol.MAX_POLICY_BYTES) {
            throw fault(ErrorCode.BAD_LENGTH, h + "TotalLength",
                    total + " is over JMF_MAX_POLICY_BYTES (" + Protocol.MAX_POLICY_BYTES + ")");
        }
        int ruleCount = Wire.requireRange(b.getInt(H_RULE_COUNT), 0, Protocol.MAX_RULES, h + "RuleCount",
                ErrorCode.TOO_MANY_RULES);
        int volumeCount = Wire.requireRange(b.getInt(H_VOLUME_COUNT), 0, Protocol.MAX_VOLUMES, h + "VolumeCount",
                ErrorCode.TOO_MANY_VOLUMES);
        int stringBytes = b.getInt(H_STRING_BYTES);
        if ((stringBytes & 1) != 0) {
            throw fault(ErrorCode.BAD_LENGTH, h + "StringBytes", Integer.toUnsignedString(stringBytes) + " is odd");
        }
        long[] rules = section(b, "RuleOffset", (long) ruleCount * Protocol.RULE_SIZE, total);
        long[] volumes = section(b, "VolumeOffset", (long) volumeCount * Protocol.VOLUME_SIZE, total);
        long[] strings = section(b, "StringOffset", Integer.toUnsignedLong(stringBytes), total);
        noOverlap(rules, volumes, "RuleOffset", "VolumeOffset");
        noOverlap(rules, strings, "RuleOffset", "StringOffset");
        noOverlap(volumes, strings, "VolumeOffset", "StringOffset");
        Strings table = new Strings(b, (int) strings[0], stringBytes);

        List<Volume> volumeList = new ArrayList<>(volumeCount);
        for (int i = 0; i < volumeCount; i++) {
            String f = "JMF_VOLUME[" + i + "].Name";
            int at = (int) volumes[0] + i * Protocol.VOLUME_SIZE + V_NAME;
            if (b.getInt(at + S_LENGTH) == 0) {
                throw fault(ErrorCode.BAD_STRING, f + ".Length", "0: a volume needs a name");
            }
            String name = table.read(at, Protocol.MAX_VOLUME_CHARS, f);
            if (name.indexOf('\0') >= 0) {
                throw fault(ErrorCode.BAD_STRING, f, "a volume name holds a NUL");
            }
            String problem = NeverMatches.volumeProblem(name);
            if (problem != null) {
                throw fault(ErrorCode.NEVER_MATCHES, f, NeverMatches.quote(name) + " " + problem);
            }
            Volume volume = new Volume(name);
            for (int j = 0; j < i; j++) {
                if (volumeList.get(j).sameAs(volume)) {
                    throw fault(ErrorCode.BAD_VOLUME, f, "\"" + name + "\" is already the name of JMF_VOLUME[" + j
                            + "] (names compare without regard to case)");
                }
            }
            volumeList.add(volume);
        }

        List<Rule> ruleList = new ArrayList<>(ruleCount);
        Map<Integer, Integer> ids = new HashMap<>();
        for (int i = 0; i < ruleCount; i++) {
            int at = (int) rules[0] + i * Protocol.RULE_SIZE;
            ruleList.add(readRule(b, at, "JMF_RULE[" + i + "]", i, ids, volumeCount, table));
        }
        int chained = Policy.reparseChain(ruleList);
        if (chained >= 0) {
            throw fault(ErrorCode.BAD_VOLUME, "JMF_RULE[" + chained + "].Action.TargetVolume", "redirects by reparse to "
                    + "a volume where a redirect by reparse starts: the reopen could be redirected again (loop protection)");
        }
        Mode mode = (Short.toUnsignedInt(b.getShort(H_FLAGS)) & Protocol.POLICY_FLAG_AUDIT_ONLY) != 0
                ? Mode.AUDIT_ONLY : Mode.ENFORCE;
        try {
            return new Policy(ruleList, volumeList, mode);
        } catch (IllegalArgumentException e) {
            // Every check of the constructor was made above; this is a safety net, not a path.
            throw fault(ErrorCode.BAD_RULE_ID, "JMF_POLICY_HEADER", e.getMessage());
        }
    }

    /** Checks a section's offset and extent; returns {start, end}. */
    private static long[] section(ByteBuffer b, String offsetField, long bytes, long total) {
        long start = Integer.toUnsignedLong(b.getInt(H.offset(offsetField)));
        String f = "JMF_POLICY_HEADER." + offsetField;
        if ((start & 7) != 0) {
            throw fault(ErrorCode.BAD_SECTION, f, start + " is not 8-byte aligned");
        }
        if (start < Protocol.POLICY_HEADER_SIZE) {
            throw fault(ErrorCode.BAD_SECTION, f, start + " is inside the header (" + Protocol.POLICY_HEADER_SIZE + " bytes)");
        }
        if (start + bytes > total) {
            throw fault(ErrorCode.BAD_SECTION, f, "the section " + start + ".." + (start + bytes)
                    + " runs past TotalLength (" + total + ")");
        }
        return new long[] {start, start + bytes};
    }

    private static void noOverlap(long[] a, long[] c, String fa, String fc) {
        boolean empty = a[0] == a[1] || c[0] == c[1];
        if (!empty && a[0] < c[1] && c[0] < a[1]) {
            throw fault(ErrorCode.BAD_SECTION, "JMF_POLICY_HEADER." + fc, "section " + c[0] + ".." + c[1]
                    + " overlaps the section at " + fa + " (" + a[0] + ".." + a[1] + ")");
        }
    }

    /** The string table of a policy being decoded. */
    private record Strings(ByteBuffer b, int base, int bytes) {
        /** The string a JMF_STRING_REF at {@code at} names: even, inside the table, at most maxChars. */
        String read(int at, int maxChars, String f) {
            long offset = Integer.toUnsignedLong(b.getInt(at + S_OFFSET));
            long length = Integer.toUnsignedLong(b.getInt(at + S_LENGTH));
            long table = Integer.toUnsignedLong(bytes);
            if ((offset & 1) != 0) {
                throw fault(ErrorCode.BAD_STRING, f + ".Offset", offset + " is odd");
            }
            if ((length & 1) != 0) {
                throw fault(ErrorCode.BAD_STRING, f + ".Length", length + " is odd");
            }
            if (offset > table) {
                throw fault(ErrorCode.BAD_STRING, f + ".Offset", offset + " is outside the string table (" + table
                        + " bytes)");
            }
            if (offset + length > table) {
                throw fault(ErrorCode.BAD_STRING, f + ".Length", length + " bytes from offset " + offset
                        + " run past the string table (" + table + " bytes)");
            }
            if (length > 2L * maxChars) {
                throw fault(ErrorCode.BAD_STRING, f + ".Length", length + " is over the limit of " + 2 * maxChars
                        + " bytes");
            }
            return Wire.utf16(b, base + (int) offset, (int) length);
        }

        /** JmfPatternRefValidate: a valid string, a well-formed pattern, one a name can match. */
        Optional<PathPattern> pattern(int at, String f, boolean image) {
            String s = read(at, Protocol.MAX_PATTERN_CHARS, f);
            if (s.isEmpty()) {
                return Optional.empty();
            }
            PathPattern p;
            try {
                p = new PathPattern(s);
            } catch (InvalidFieldException e) {
                throw fault(ErrorCode.BAD_PATTERN, f, e.detail());
            }
            String problem = image ? NeverMatches.imageProblem(s) : NeverMatches.pathProblem(s);
            if (problem != null) {
                throw fault(ErrorCode.NEVER_MATCHES, f, NeverMatches.quote(s) + " " + problem);
            }
            return Optional.of(p);
        }
    }

    /** JmfRuleValidate's checks, in its order. */
    private static Rule readRule(ByteBuffer b, int at, String f, int index, Map<Integer, Integer> ids,
            int volumeCount, Strings table) {
        int id = b.getInt(at + R_ID);
        if (id == Protocol.RULE_NONE) {
            throw fault(ErrorCode.BAD_RULE_ID, f + ".RuleId", "0xFFFFFFFF is JMF_RULE_NONE, which no rule may use");
        }
        Integer before = ids.putIfAbsent(id, index);
        if (before != null) {
            throw fault(ErrorCode.BAD_RULE_ID, f + ".RuleId", Integer.toUnsignedString(id)
                    + " is already the id of JMF_RULE[" + before + "]");
        }
        int ops = b.getInt(at + R_OPERATIONS);
        if (ops == 0) {
            throw fault(ErrorCode.BAD_OPERATIONS, f + ".Operations", "empty: a rule matches at least one operation");
        }
        Wire.requireBits(ops, Protocol.OP_ALL, f + ".Operations", ErrorCode.BAD_OPERATIONS);
        int v = Wire.u16(b, at + R_VOLUME);
        if (v != Protocol.VOLUME_ANY && v >= volumeCount) {
            throw fault(ErrorCode.BAD_VOLUME, f + ".Volume", v + " is outside the volume table (" + volumeCount
                    + " volumes)");
        }
        int match = Wire.u16(b, at + R_MATCH);
        Wire.requireBits(match, Protocol.MATCH_FLAGS_VALID, f + ".MatchFlags", ErrorCode.BAD_FLAGS);
        int bothDirectoryFlags = Protocol.MATCH_DIRECTORY | Protocol.MATCH_NON_DIRECTORY;
        if ((match & bothDirectoryFlags) == bothDirectoryFlags) {
            throw fault(ErrorCode.BAD_FLAGS, f + ".MatchFlags", "DIRECTORY and NON_DIRECTORY together match nothing");
        }
        if (match != 0 && ops != Protocol.OP_CREATE) {
            throw fault(ErrorCode.BAD_FLAGS, f + ".MatchFlags",
                    "make a post-create rule, whose only operation must be CREATE");
        }
        int dispositions = b.getInt(at + R_DISPOSITIONS);
        Wire.requireBits(dispositions, Disposition.MASK_VALID, f + ".Dispositions", ErrorCode.BAD_FLAGS);
        int access = b.getInt(at + R_ACCESS);
        if (access != 0 && ops != Protocol.OP_CREATE) {
            throw fault(ErrorCode.BAD_OPERATIONS, f + ".DesiredAccess",
                    "describes a create: only on a rule whose only operation is CREATE");
        }
        if (dispositions != 0 && ops != Protocol.OP_CREATE) {
            throw fault(ErrorCode.BAD_OPERATIONS, f + ".Dispositions",
                    "describe a create: only on a rule whose only operation is CREATE");
        }
        Optional<PathPattern> path = table.pattern(at + R_PATH, f + ".Path", false);
        Optional<PathPattern> image = table.pattern(at + R_IMAGE, f + ".Image", true);
        String postField = (b.getInt(at + R_ACTION + A_FLAGS) & Protocol.ACTION_FLAG_POST_CREATE) != 0
                ? f + ".Action.Flags" : match != 0 ? f + ".MatchFlags" : null;
        Action action = readAction(b, at + R_ACTION, f + ".Action",
                new ActionContext(ops, postField, v, volumeCount, false, f));
        try {
            return new Rule(id, Operation.fromMask(ops), v == Protocol.VOLUME_ANY ? OptionalInt.empty() : OptionalInt.of(v),
                    path, image, b.getInt(at + R_PROCESS), access, Disposition.fromMask(dispositions),
                    MatchFlag.fromMask(match), action,
                    (b.getInt(at + R_ACTION + A_FLAGS) & Protocol.ACTION_FLAG_AUDIT_ONLY) != 0 ? Mode.AUDIT_ONLY
                            : Mode.ENFORCE);
        } catch (InvalidFieldException e) {
            // Every check of the constructor was made above; this is a safety net, not a path.
            throw fault(ErrorCode.BAD_ACTION, f + "." + e.field(), e.detail());
        }
    }
}
