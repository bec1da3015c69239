package org.jminifilter.emulator;

import java.util.Optional;

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
        return file.orElseThrow(() -> new IllegalStateException("the create failed with " + status
                + ", Information " + CreateInformation.describe(information)));
    }

    @Override
    public String toString() {
        return status + ", Information " + CreateInformation.describe(information)
                + (file.isPresent() ? ", handle " + file.get().handle() : ", no handle");
    }
}
