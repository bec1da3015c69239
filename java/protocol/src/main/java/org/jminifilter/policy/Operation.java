package org.jminifilter.policy;

import java.util.Collection;
import java.util.EnumSet;
import java.util.Set;

import org.jminifilter.protocol.Protocol;

/** A file-system operation a rule can match (JMF_OP_*). */
public enum Operation {
    /** IRP_MJ_CREATE. */
    CREATE(Protocol.OP_CREATE),
    /** IRP_MJ_READ, not paging I/O. */
    READ(Protocol.OP_READ),
    /** IRP_MJ_WRITE, not paging I/O. */
    WRITE(Protocol.OP_WRITE),
    /** IRP_MJ_SET_INFORMATION with FileRenameInformation(Ex). */
    RENAME(Protocol.OP_RENAME),
    /** IRP_MJ_SET_INFORMATION with FileDispositionInformation(Ex). */
    DELETE(Protocol.OP_DELETE);

    private static final Operation[] ALL = values();

    private final int bit;

    Operation(int bit) {
        this.bit = bit;
    }

    /** The JMF_OP_* bit. */
    public int bit() {
        return bit;
    }

    /** The JMF_OP_* mask of {@code operations}. */
    public static int mask(Collection<Operation> operations) {
        int mask = 0;
        for (Operation op : operations) {
            mask |= op.bit;
        }
        return mask;
    }

    /** The operations of {@code mask}; fails on a bit outside JMF_OP_ALL. */
    public static EnumSet<Operation> fromMask(int mask) {
        if ((mask & ~Protocol.OP_ALL) != 0) {
            throw new IllegalArgumentException(String.format("unknown operation bits 0x%X", mask & ~Protocol.OP_ALL));
        }
        EnumSet<Operation> set = EnumSet.noneOf(Operation.class);
        for (Operation op : values()) {
            if ((mask & op.bit) != 0) {
                set.add(op);
            }
        }
        return set;
    }

    /** The one operation whose bit is {@code bit}; fails for anything but a single known bit. */
    public static Operation fromBit(int bit) {
        for (Operation op : ALL) { // not values(): that copies the array, on every ask the service decodes
            if (op.bit == bit) {
                return op;
            }
        }
        throw new IllegalArgumentException(String.format("0x%X is not one operation bit", bit));
    }

    /** The JMF_SL_* operation flags a MODIFY may change on this operation. */
    public int validOperationFlags() {
        switch (this) {
            case CREATE:
                return Protocol.SL_CREATE_VALID;
            case WRITE:
                return Protocol.SL_WRITE_VALID;
            case READ:
                return Protocol.SL_READ_VALID;
            default:
                return 0;
        }
    }

    static Set<Operation> copyOf(Collection<Operation> operations) {
        return operations.isEmpty() ? Set.of() : java.util.Collections.unmodifiableSet(EnumSet.copyOf(operations));
    }
}
