/**
 * The Java side of the emulator: the real jminifilter driver, compiled with the emulated Filter
 * Manager into libjmfemu.so ({@code native-driver/host/emu}), driven from Java through JNA.
 *
 * <ul>
 *   <li>{@link org.jminifilter.emulator.EmuLibrary}: the thin JNA binding of {@code jmf_emu.h};</li>
 *   <li>{@link org.jminifilter.emulator.EmulatedKernel}: volumes, processes, the driver's load and
 *       unload, file operations as a process, the observer filter, and what the emulator caught
 *       (closing it fails on any leak or misuse);</li>
 *   <li>{@link org.jminifilter.emulator.EmulatedKernelPort}: a {@code FilterPort} with fltlib's
 *       semantics, also found as the {@code "emulator"} port provider.</li>
 * </ul>
 * The main job's demonstration that uses it is {@code jminifilter demo} (module java/cli).
 */
package org.jminifilter.emulator;
