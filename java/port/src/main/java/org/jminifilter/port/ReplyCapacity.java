package org.jminifilter.port;

/**
 * How {@link FilterPort#send} grows its reply buffer when the kernel says it is too small:
 * doubling from at least 4 KiB, up to a bound. Shared by every port so that they all behave
 * the same way towards the caller.
 */
public final class ReplyCapacity {

    /** 64 MiB: above the largest reply jminifilter's driver produces (statistics of 100000 rules: 1.6 MB). */
    public static final int DEFAULT_MAX = 64 << 20;

    private ReplyCapacity() {
    }

    /** @return the next capacity to try after {@code capacity}: doubled (at least 4 KiB), at most {@code max} */
    public static int grow(int capacity, int max) {
        long doubled = Math.max(4096L, 2L * capacity);
        return (int) Math.min(doubled, max);
    }
}
