package org.jminifilter.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * Gives each test of the annotated class (or the annotated test method) an
 * {@link org.jminifilter.emulator.EmulatedKernel}: started before the test, with
 * {@link #volumes()} created and, unless {@code loadDriver = false}, the driver loaded; closed
 * after it (after your {@code @AfterEach} methods). Closing unloads the driver and checks for
 * leaks: <b>any leak or misuse the emulator recorded fails the test</b>, naming it.
 *
 * <pre>{@code
 * @WithEmulatedKernel(volumes = {"\\Device\\HarddiskVolume1", "\\Device\\HarddiskVolume2"})
 * class MyPolicyTest {
 *     @Test
 *     void deniesSecrets(EmulatedKernel kernel, EmulatedVolume c, EmulatedVolume d) { ... }
 * }
 * }</pre>
 *
 * <p>Test and {@code @BeforeEach} methods may declare parameters of type
 * {@link org.jminifilter.emulator.EmulatedKernel} and
 * {@link org.jminifilter.emulator.EmulatedVolume} (the n-th volume parameter is the n-th volume of
 * {@link #volumes()}).
 *
 * <p>One emulated kernel exists per JVM (libjmfemu.so is process-global state), so this
 * annotation also declares the JUnit resource lock
 * {@value EmulatedKernelExtension#RESOURCE}: under parallel execution JUnit runs these tests one
 * at a time and the rest in parallel. On a method, the method's annotation replaces the class's.
 *
 * <p>Needs jminifilter-emulator on the test class path; it carries libjmfemu.so for Linux
 * x86-64. Elsewhere the test fails saying so (or is skipped with {@link #skipWhenUnavailable()}):
 * test against {@link MockFilterPortExtension} there.
 */
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(EmulatedKernelExtension.class)
@ResourceLock(EmulatedKernelExtension.RESOURCE)
public @interface WithEmulatedKernel {

    /** The volumes to create, in order (NT device names, as policies name them). */
    String[] volumes() default {EmulatedKernelExtension.DEFAULT_VOLUME};

    /** Whether the driver is loaded before the test (at the default altitude). */
    boolean loadDriver() default true;

    /**
     * When libjmfemu.so cannot be loaded (another OS or architecture, no build): skip the test
     * instead of failing it.
     */
    boolean skipWhenUnavailable() default false;
}
