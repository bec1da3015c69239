package org.jminifilter.emulator;

import org.jminifilter.protocol.NtStatus;

/**
 * What a read or a write returned.
 *
 * @param status      the operation's final status
 * @param information IoStatus.Information: the bytes read or written
 * @param data        the bytes read (empty for a write or a failed read)
 */
public record IoResult(NtStatus status, long information, byte[] data) {

    public IoResult {
        data = data.clone();
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    /** The data as UTF-8 text. */
    public String text() {
        return new String(data, java.nio.charset.StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return status + ", " + information + " byte(s)";
    }
}
