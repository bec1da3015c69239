package org.jminifilter.port;

/**
 * The kernel's data did not fit the buffer (HRESULT 0x8007007A ERROR_INSUFFICIENT_BUFFER or
 * 0x800700EA ERROR_MORE_DATA). {@link FilterPort#send} grows its buffer and retries on these;
 * this exception reaches the caller only once the bound is reached.
 */
public class InsufficientBufferException extends FilterPortException {

    private static final long serialVersionUID = 1L;

    private final int capacityTried;

    /**
     * @param capacityTried the largest buffer tried, in bytes, or -1 when unknown
     */
    public InsufficientBufferException(String message, int hresult, int capacityTried) {
        super(message, hresult);
        this.capacityTried = capacityTried;
    }

    /** @return the largest buffer tried, in bytes, or -1 when unknown */
    public int capacityTried() {
        return capacityTried;
    }
}
