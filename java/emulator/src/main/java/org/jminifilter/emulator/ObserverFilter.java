package org.jminifilter.emulator;

import java.util.Optional;

/**
 * The emulator's observer: a minifilter inside libjmfemu.so registered at an altitude of the
 * caller's choosing (below the driver's to see what the driver passes down). It remembers, per
 * major function, the parameters its pre-operation callback received last. Closing it
 * unregisters it (the kernel does so before the driver unloads if the caller did not).
 */
public final class ObserverFilter implements AutoCloseable {

    private final EmulatedKernel kernel;
    private final String altitude;
    private boolean stopped;

    ObserverFilter(EmulatedKernel kernel, String altitude) {
        this.kernel = kernel;
        this.altitude = altitude;
    }

    public String altitude() {
        return altitude;
    }

    /** What the observer received last for {@code majorFunction} (ObservedOperation.IRP_MJ_*), if ever. */
    public Optional<ObservedOperation> last(byte majorFunction) {
        byte[] bytes = new byte[ObservedOperation.SIZE];
        int r = kernel.library().EmuObserverLast(majorFunction, bytes);
        return r == 0 ? Optional.of(ObservedOperation.decode(bytes)) : Optional.empty();
    }

    /** The last create that reached the observer; fails when none did. */
    public ObservedOperation lastCreate() {
        return last(ObservedOperation.IRP_MJ_CREATE).orElseThrow(
                () -> new IllegalStateException("no create reached the observer at altitude " + altitude));
    }

    /** The last write that reached the observer; fails when none did. */
    public ObservedOperation lastWrite() {
        return last(ObservedOperation.IRP_MJ_WRITE).orElseThrow(
                () -> new IllegalStateException("no write reached the observer at altitude " + altitude));
    }

    /** Unregisters the observer; idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (stopped) {
                return;
            }
            stopped = true;
        }
        kernel.observerStopped(this);
    }
}
