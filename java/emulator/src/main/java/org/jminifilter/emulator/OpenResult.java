package org.jminifilter.emulator;

import java.util.Optional;
import org.jminifilter.protocol.NtStatus;

/**
 * What a create returned to its caller.
 *
 * @param status      the create's final status
 * @param information IoStatus.Information (FILE_CREATED, FILE_OPENED, ... see {@link CreateInformation})
 * @param file        the open file when the caller got a handle
 */
public record OpenResult(NtStatus status, long information, Optional<EmulatedFile> file) {

    /** @return the open file; fails naming the status when the create did not give a handle */
    public EmulatedFile orThrow() {
        return file.orElseThrow(() -> new IllegalStateException("the create failed with " + this));
    }

    /**
     * The status, then for a create that succeeded what it did ({@code FILE_CREATED}, ...) and the
     * handle. A failed create's Information 0 is not FILE_SUPERSEDED but "nothing", so it is not
     * named: {@code STATUS_ACCESS_DENIED (0xC0000022), no handle}; a non-zero one (FILE_EXISTS
     * with STATUS_OBJECT_NAME_COLLISION) is.
     */
    @Override
    public String toString() {
        if (!status.isSuccess()) {
            return status + (information != 0 ? ", Information " + CreateInformation.describe(information) : "")
                    + ", no handle";
        }
        return status + ", Information " + CreateInformation.describe(information)
                + (file.isPresent() ? ", handle " + file.get().handle() : ", no handle");
    }
}
