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
    private static final int H_RESERVED = H.offset("Reserved");
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
        b.putShort(base + H_RESERVED, (short) 0);
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
     * checked that its 40 bytes are there). {@code field} names it in errors, for example
     * {@code JMF_RULE[3].Action}. Fails on an unknown type or flag, a flag the type does not take,
     * a field the type does not use that is not zero, or a value out of range.
     */
    public static Action decodeAction(ByteBuffer b, int offset, String field) {
        int typeCode = b.getInt(offset + A_TYPE);
        ActionType type;
        try {
            type = ActionType.fromCode(typeCode);
        } catch (IllegalArgumentException e) {
            throw new ProtocolException(field + ".Type", "unknown action type " + Integer.toUnsignedString(typeCode));
        }
        int flags = Wire.requireBits(b.getInt(offset + A_FLAGS), Protocol.ACTION_FLAGS_VALID, field + ".Flags");
        int allowedFlags = switch (type) {
            case DENY, ASK, AUDIT -> Protocol.ACTION_FLAG_POST_CREATE;
            case REDIRECT -> Protocol.ACTION_FLAG_FALLBACK_DENY;
            default -> 0;
        };
        if ((flags & ~allowedFlags) != 0) {
            throw new ProtocolException(field + ".Flags",
                    String.format("flag 0x%X does not apply to %s", flags & ~allowedFlags, type));
        }
        boolean postCreate = (flags & Protocol.ACTION_FLAG_POST_CREATE) != 0;
        int status = b.getInt(offset + A_STATUS);
        int disposition = b.getInt(offset + A_DISPOSITION);
        boolean usesStatus = type == ActionType.DENY || type == ActionType.REDIRECT || type == ActionType.ASK;
        boolean modify = type == ActionType.MODIFY;
        if (!usesStatus) {
            unused(status, field, "Status", type);
        }
        if (!modify) {
            unused(b.getInt(offset + A_ACCESS), field, "AccessClear", type);
            unused(b.getInt(offset + A_OPT_SET), field, "OptionsSet", type);
            unused(b.getInt(offset + A_OPT_CLEAR), field, "OptionsClear", type);
            unused(b.get(offset + A_SL_SET), field, "OperationFlagsSet", type);
            unused(b.get(offset + A_SL_CLEAR), field, "OperationFlagsClear", type);
            if (disposition != Protocol.DISPOSITION_UNCHANGED) {
                throw new ProtocolException(field + ".Disposition",
                        "must be JMF_DISPOSITION_UNCHANGED for " + type);
            }
        }
        if (type != ActionType.REDIRECT) {
            unused(b.getShort(offset + A_TARGET), field, "TargetVolume", type);
        }
        if (type != ActionType.ASK) {
            unused(b.getInt(offset + A_TIMEOUT), field, "TimeoutMs", type);
            unused(b.getInt(offset + A_DEFAULT), field, "DefaultVerdict", type);
        }
        try {
            switch (type) {
                case ALLOW:
                    return Action.allow();
                case DENY:
                    return new Action.Deny(status, postCreate);
                case AUDIT:
                    return new Action.Audit(postCreate);
                case MODIFY: {
                    Optional<Disposition> d = Optional.empty();
                    if (disposition != Protocol.DISPOSITION_UNCHANGED) {
                        Wire.requireRange(disposition, 0, Protocol.FILE_MAXIMUM_DISPOSITION, field + ".Disposition");
                        d = Optional.of(Disposition.fromCode(disposition));
                    }
                    Action.Modify m = new Action.Modify(b.getInt(offset + A_ACCESS), b.getInt(offset + A_OPT_SET),
                            b.getInt(offset + A_OPT_CLEAR), d, Wire.u8(b, offset + A_SL_SET),
                            Wire.u8(b, offset + A_SL_CLEAR));
                    if (!m.changesSomething()) {
                        throw new ProtocolException(field, "MODIFY changes nothing");
                    }
                    return m;
                }
                case REDIRECT:
                    return new Action.Redirect(Wire.u16(b, offset + A_TARGET),
                            (flags & Protocol.ACTION_FLAG_FALLBACK_DENY) != 0, status);
                case ASK: {
                    int dv = b.getInt(offset + A_DEFAULT);
                    DefaultVerdict verdict;
                    try {
                        verdict = DefaultVerdict.fromCode(dv);
                    } catch (IllegalArgumentException e) {
                        throw new ProtocolException(field + ".DefaultVerdict", e.getMessage());
                    }
                    return new Action.Ask(b.getInt(offset + A_TIMEOUT), verdict, status, postCreate);
                }
                default:
                    throw new AssertionError(type);
            }
        } catch (InvalidFieldException e) {
            throw new ProtocolException(field + e.field().substring("Action".length()), e.detail());
        }
    }

    private static void unused(int value, String field, String name, ActionType type) {
        if (value != 0) {
            throw new ProtocolException(field + "." + name, "must be zero for " + type);
        }
    }

    /**
     * Decodes and validates a compiled policy: the remaining bytes of {@code body} (its position
     * and limit are not changed). Fails with {@link ProtocolException} naming the structure and
     * field on anything the kernel would reject.
     */
    public static Policy decode(ByteBuffer body) {
        ByteBuffer b = Wire.view(body);
        Wire.requireAtLeast(b, "JMF_POLICY_HEADER", Protocol.POLICY_HEADER_SIZE);
        if (b.getInt(H_MAGIC) != Protocol.POLICY_MAGIC) {
            throw new ProtocolException("JMF_POLICY_HEADER.Magic",
                    String.format("0x%08X is not JMF_POLICY_MAGIC (0x%08X)", b.getInt(H_MAGIC), Protocol.POLICY_MAGIC));
        }
        if (Wire.u16(b, H_VERSION) != Protocol.POLICY_VERSION) {
            throw new ProtocolException("JMF_POLICY_HEADER.Version",
                    Wire.u16(b, H_VERSION) + " is not JMF_POLICY_VERSION (" + Protocol.POLICY_VERSION + ")");
        }
        Wire.requireZero(b, H_RESERVED, 2, "JMF_POLICY_HEADER.Reserved");
        Wire.requireZero(b, H_RESERVED2, 4, "JMF_POLICY_HEADER.Reserved2");
        long total = Integer.toUnsignedLong(b.getInt(H_TOTAL));
        if (total != b.remaining()) {
            throw new ProtocolException("JMF_POLICY_HEADER.TotalLength",
                    total + " disagrees with the body's " + b.remaining() + " bytes");
        }
        if (total > Protocol.MAX_POLICY_BYTES) {
            throw new ProtocolException("JMF_POLICY_HEADER.TotalLength",
                    total + " is over JMF_MAX_POLICY_BYTES (" + Protocol.MAX_POLICY_BYTES + ")");
        }
        int ruleCount = Wire.requireRange(b.getInt(H_RULE_COUNT), 0, Protocol.MAX_RULES, "JMF_POLICY_HEADER.RuleCount");
        int volumeCount = Wire.requireRange(b.getInt(H_VOLUME_COUNT), 0, Protocol.MAX_VOLUMES,
                "JMF_POLICY_HEADER.VolumeCount");
        int stringBytes = b.getInt(H_STRING_BYTES);
        if ((stringBytes & 1) != 0) {
            throw new ProtocolException("JMF_POLICY_HEADER.StringBytes",
                    Integer.toUnsignedString(stringBytes) + " is odd");
        }
        long[] rules = section(b, "RuleOffset", (long) ruleCount * Protocol.RULE_SIZE, total);
        long[] volumes = section(b, "VolumeOffset", (long) volumeCount * Protocol.VOLUME_SIZE, total);
        long[] strings = section(b, "StringOffset", Integer.toUnsignedLong(stringBytes), total);
        noOverlap(rules, volumes, "RuleOffset", "VolumeOffset");
        noOverlap(rules, strings, "RuleOffset", "StringOffset");
        noOverlap(volumes, strings, "VolumeOffset", "StringOffset");
        int stringBase = (int) strings[0];

        List<Volume> volumeList = new ArrayList<>(volumeCount);
        for (int i = 0; i < volumeCount; i++) {
            String f = "JMF_VOLUME[" + i + "].Name";
            int at = (int) volumes[0] + i * Protocol.VOLUME_SIZE + V_NAME;
            String name = readRef(b, at, stringBase, stringBytes, 2 * Protocol.MAX_VOLUME_CHARS, f);
            if (name.isEmpty()) {
                throw new ProtocolException(f + ".Length", "0: a volume needs a name");
            }
            Volume volume;
            try {
                volume = new Volume(name);
            } catch (InvalidFieldException e) {
                throw new ProtocolException(f, e.detail());
            }
            for (int j = 0; j < i; j++) {
                if (volumeList.get(j).sameAs(volume)) {
                    throw new ProtocolException(f, "\"" + name + "\" is already the name of JMF_VOLUME[" + j
                            + "] (names compare without regard to case)");
                }
            }
            volumeList.add(volume);
        }

        List<Rule> ruleList = new ArrayList<>(ruleCount);
        Map<Integer, Integer> ids = new HashMap<>();
        for (int i = 0; i < ruleCount; i++) {
            int at = (int) rules[0] + i * Protocol.RULE_SIZE;
            Rule rule = readRule(b, at, "JMF_RULE[" + i + "]", volumeCount, stringBase, stringBytes);
            Integer before = ids.putIfAbsent(rule.ruleId(), i);
            if (before != null) {
                throw new ProtocolException("JMF_RULE[" + i + "].RuleId", Integer.toUnsignedString(rule.ruleId())
                        + " is already the id of JMF_RULE[" + before + "]");
            }
            ruleList.add(rule);
        }
        try {
            return new Policy(ruleList, volumeList);
        } catch (IllegalArgumentException e) {
            // Every check of the constructor was made above; this is a safety net, not a path.
            throw new ProtocolException("JMF_POLICY_HEADER", e.getMessage());
        }
    }

    /** Checks a section's offset and extent; returns {start, end}. */
    private static long[] section(ByteBuffer b, String offsetField, long bytes, long total) {
        long start = Integer.toUnsignedLong(b.getInt(H.offset(offsetField)));
        String f = "JMF_POLICY_HEADER." + offsetField;
        if ((start & 7) != 0) {
            throw new ProtocolException(f, start + " is not 8-byte aligned");
        }
        if (start < Protocol.POLICY_HEADER_SIZE) {
            throw new ProtocolException(f, start + " is inside the header (" + Protocol.POLICY_HEADER_SIZE + " bytes)");
        }
        if (start + bytes > total) {
            throw new ProtocolException(f, "the section " + start + ".." + (start + bytes)
                    + " runs past TotalLength (" + total + ")");
        }
        return new long[] {start, start + bytes};
    }

    private static void noOverlap(long[] a, long[] c, String fa, String fc) {
        boolean empty = a[0] == a[1] || c[0] == c[1];
        if (!empty && a[0] < c[1] && c[0] < a[1]) {
            throw new ProtocolException("JMF_POLICY_HEADER." + fc, "section " + c[0] + ".." + c[1]
                    + " overlaps the section at " + fa + " (" + a[0] + ".." + a[1] + ")");
        }
    }

    private static String readRef(ByteBuffer b, int at, int tableBase, int tableBytes, int maxBytes, String f) {
        long offset = Integer.toUnsignedLong(b.getInt(at + S_OFFSET));
        long length = Integer.toUnsignedLong(b.getInt(at + S_LENGTH));
        long table = Integer.toUnsignedLong(tableBytes);
        if ((offset & 1) != 0) {
            throw new ProtocolException(f + ".Offset", offset + " is odd");
        }
        if ((length & 1) != 0) {
            throw new ProtocolException(f + ".Length", length + " is odd");
        }
        if (offset > table) {
            throw new ProtocolException(f + ".Offset", offset + " is outside the string table (" + table + " bytes)");
        }
        if (offset + length > table) {
            throw new ProtocolException(f + ".Length", length + " bytes from offset " + offset
                    + " run past the string table (" + table + " bytes)");
        }
        if (length > maxBytes) {
            throw new ProtocolException(f + ".Length", length + " is over the limit of " + maxBytes + " bytes");
        }
        return Wire.utf16(b, tableBase + (int) offset, (int) length);
    }

    private static Rule readRule(ByteBuffer b, int at, String f, int volumeCount, int stringBase, int stringBytes) {
        int id = b.getInt(at + R_ID);
        EnumSet<Operation> ops;
        try {
            ops = Operation.fromMask(b.getInt(at + R_OPERATIONS));
            if (ops.isEmpty()) {
                throw new IllegalArgumentException("empty: a rule matches at least one operation");
            }
        } catch (IllegalArgumentException e) {
            throw new ProtocolException(f + ".Operations", e.getMessage());
        }
        EnumSet<Disposition> dispositions;
        try {
            dispositions = Disposition.fromMask(b.getInt(at + R_DISPOSITIONS));
        } catch (IllegalArgumentException e) {
            throw new ProtocolException(f + ".Dispositions", e.getMessage());
        }
        EnumSet<MatchFlag> match;
        try {
            match = MatchFlag.fromMask(Wire.u16(b, at + R_MATCH));
        } catch (IllegalArgumentException e) {
            throw new ProtocolException(f + ".MatchFlags", e.getMessage());
        }
        int v = Wire.u16(b, at + R_VOLUME);
        OptionalInt volume = OptionalInt.empty();
        if (v != Protocol.VOLUME_ANY) {
            if (v >= volumeCount) {
                throw new ProtocolException(f + ".Volume", v + " is outside the volume table (" + volumeCount
                        + " volumes)");
            }
            volume = OptionalInt.of(v);
        }
        Optional<PathPattern> path = pattern(b, at + R_PATH, stringBase, stringBytes, f + ".Path");
        Optional<PathPattern> image = pattern(b, at + R_IMAGE, stringBase, stringBytes, f + ".Image");
        Action action = decodeAction(b, at + R_ACTION, f + ".Action");
        if (action instanceof Action.Redirect r && r.targetVolume() >= volumeCount) {
            throw new ProtocolException(f + ".Action.TargetVolume", r.targetVolume()
                    + " is outside the volume table (" + volumeCount + " volumes)");
        }
        try {
            return new Rule(id, ops, volume, path, image, b.getInt(at + R_PROCESS), b.getInt(at + R_ACCESS),
                    dispositions, match, action);
        } catch (InvalidFieldException e) {
            throw new ProtocolException(f + "." + e.field(), e.detail());
        }
    }

    private static Optional<PathPattern> pattern(ByteBuffer b, int at, int base, int bytes, String f) {
        String s = readRef(b, at, base, bytes, 2 * Protocol.MAX_PATTERN_CHARS, f);
        if (s.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new PathPattern(s));
        } catch (InvalidFieldException e) {
            throw new ProtocolException(f, e.detail());
        }
    }
}
