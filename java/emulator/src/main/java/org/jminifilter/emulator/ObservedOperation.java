package org.jminifilter.emulator;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * What the emulator's observer filter received last for one major function (EMU_OBSERVED, 48
 * bytes): the parameters as the filters above it, the driver included, passed them down.
 *
 * @param count          pre-operation callbacks the observer saw for this major function
 * @param requestorPid   the process that issued the operation
 * @param volumeId       the volume it ran on (after any TargetInstance change)
 * @param desiredAccess  create: SecurityContext->DesiredAccess
 * @param createOptions  create: the low 24 bits of Parameters.Create.Options
 * @param disposition    create: the disposition (Options >> 24)
 * @param operationFlags Iopb->OperationFlags (SL_*)
 * @param length         read/write: the length
 * @param byteOffset     read/write: the offset
 * @param irpFlags       Iopb->IrpFlags
 */
public record ObservedOperation(int count, int requestorPid, int volumeId, int desiredAccess, int createOptions,
        int disposition, int operationFlags, int length, long byteOffset, int irpFlags) {

    /** sizeof(EMU_OBSERVED). */
    public static final int SIZE = 48;

    /** IRP_MJ_* codes the observer records. */
    public static final byte IRP_MJ_CREATE = 0x00;
    public static final byte IRP_MJ_READ = 0x03;
    public static final byte IRP_MJ_WRITE = 0x04;
    public static final byte IRP_MJ_QUERY_INFORMATION = 0x05;
    public static final byte IRP_MJ_SET_INFORMATION = 0x06;
    public static final byte IRP_MJ_CLEANUP = 0x12;

    /** Decodes EMU_OBSERVED (little-endian, fields at 0, 4, ... 32 (int64), 40, 44). */
    static ObservedOperation decode(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        return new ObservedOperation(b.getInt(0), b.getInt(4), b.getInt(8), b.getInt(12), b.getInt(16),
                b.getInt(20), b.getInt(24), b.getInt(28), b.getLong(32), b.getInt(40));
    }
}
