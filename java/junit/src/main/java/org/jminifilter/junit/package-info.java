/**
 * JUnit Jupiter extensions for testing code written against jminifilter.
 *
 * <ul>
 * <li>{@link org.jminifilter.junit.MockFilterPortExtension}: a fresh
 * {@link org.jminifilter.port.mock.MockFilterPort} per test (any OS).</li>
 * <li>{@link org.jminifilter.junit.WithEmulatedKernel} /
 * {@link org.jminifilter.junit.EmulatedKernelExtension}: an
 * {@link org.jminifilter.emulator.EmulatedKernel} per test, with volumes and the real driver
 * loaded, that fails the test on any leak or misuse the emulator recorded (Linux x86-64; needs
 * jminifilter-emulator on the test class path).</li>
 * </ul>
 *
 * <p>One emulated kernel exists per JVM: tests that use it run one at a time, also under JUnit's
 * parallel execution (see {@link org.jminifilter.junit.EmulatedKernelExtension}).
 */
package org.jminifilter.junit;
