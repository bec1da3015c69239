package org.jminifilter.emulator;

import java.nio.ByteBuffer;
import java.util.OptionalInt;

import com.sun.jna.ptr.IntByReference;

import org.jminifilter.policy.Operation;
import org.jminifilter.protocol.ErrorCode;
import org.jminifilter.protocol.Protocol;

/**
 * The driver's own policy compiler and matcher ({@code JmfPolicyCompile}, {@code JmfPolicyMatch}
 * from native-driver/src, inside libjmfemu.so), for answering "which rule decides this
 * operation" with the code the kernel runs. Needs the emulator's native library (Linux x86-64),
 * not an emulated kernel; {@link #isAvailable()} says whether it can be used here.
 */
public final class DriverMatcher {
    /** JMF_PHASE_PRE: the pre-operation phase. */
    public static final int PHASE_PRE = 1;
    /** JMF_PHASE_POST_CREATE: the post-create phase. */
    public static final int PHASE_POST_CREATE = 2;

    private DriverMatcher() {
    }

    /** True when libjmfemu.so loads on this machine. */
    public static boolean isAvailable() {
        try {
            EmuLibrary.get();
            return true;
        } catch (EmulatorUnavailableException | UnsatisfiedLinkError e) {
            return false;
        }
    }

    /**
     * The index of the rule the driver's matcher finds, or empty when none matches.
     *
     * @param policyBody a SET_POLICY body (the encoded policy)
     * @param phase      {@link #PHASE_PRE} or {@link #PHASE_POST_CREATE}
     * @param volume     the operation's volume, an NT device name
     * @param observed   post-create: JMF_MATCH_* bits (directory or not, created)
     * @throws IllegalArgumentException when the driver's compiler refuses the policy
     * @throws EmulatorUnavailableException when the native library cannot be loaded here
     */
    public static OptionalInt match(ByteBuffer policyBody, int phase, Operation operation, String volume,
            int processId, int desiredAccess, int disposition, int createOptions, int observed, String path,
            String image) {
        ByteBuffer b = policyBody.duplicate();
        byte[] body = new byte[b.remaining()];
        b.get(body);
        IntByReference index = new IntByReference(-1);
        short[] v = utf16(volume);
        short[] p = utf16(path);
        short[] i = utf16(image);
        int error = EmuLibrary.get().EmuExplain(body, body.length, phase, operation.bit(), v, v.length, processId,
                desiredAccess, disposition, createOptions, observed, p, p.length, i, i.length, index);
        if (error != 0) {
            throw new IllegalArgumentException("the driver's compiler refuses the policy: "
                    + ErrorCode.fromCode(error, "EmuExplain"));
        }
        return index.getValue() == Protocol.INDEX_NONE ? OptionalInt.empty() : OptionalInt.of(index.getValue());
    }

    private static short[] utf16(String s) {
        String text = s == null ? "" : s;
        short[] units = new short[text.length()];
        for (int k = 0; k < units.length; k++) {
            units[k] = (short) text.charAt(k);
        }
        return units;
    }
}
