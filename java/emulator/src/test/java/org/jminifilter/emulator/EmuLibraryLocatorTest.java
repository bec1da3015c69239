package org.jminifilter.emulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.jminifilter.emulator.EmuLibraryLocator.Location;
import org.jminifilter.emulator.EmuLibraryLocator.Source;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where libjmfemu.so is looked for, and in which order: the property, then the class-path
 * resource the jar ships, then the development build of a checkout. Over stand-in files and class
 * loaders that see only them (no native code needed), plus one check that this build's own tests
 * load the copy the build put on the class path.
 */
class EmuLibraryLocatorTest {

    private static final byte[] CLASS_PATH_COPY = "the jar's copy".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path dir;

    private final Map<String, String> properties = new HashMap<>();

    private EmuLibraryLocator locator(ClassLoader loader, String platform, Path... searchStarts) {
        return new EmuLibraryLocator(properties::get, loader, platform, List.of(searchStarts));
    }

    /** A class loader that sees only {@code root} (no parent: the real target/classes stays out of sight). */
    private static URLClassLoader loaderOf(Path root) throws IOException {
        return new URLClassLoader(new URL[] {root.toUri().toURL()}, null);
    }

    private Path classPathFolderWithLibrary(String platform) throws IOException {
        Path classes = Files.createDirectories(dir.resolve("classes"));
        Files.createDirectories(classes.resolve(platform));
        Files.write(classes.resolve(platform).resolve("libjmfemu.so"), CLASS_PATH_COPY);
        return classes;
    }

    private Path checkoutWithBuild() throws IOException {
        Path root = dir.resolve("checkout");
        Path built = root.resolve(EmuLibrary.RELATIVE_PATH);
        Files.createDirectories(built.getParent());
        Files.write(built, "development build".getBytes(StandardCharsets.US_ASCII));
        return root;
    }

    @Test
    void theClassPathResourceIsFoundWithNoPropertyAtAll() throws IOException {
        Path classes = classPathFolderWithLibrary("linux-x86-64");
        try (URLClassLoader loader = loaderOf(classes)) {
            Location found = locator(loader, "linux-x86-64").locate();

            assertEquals(Source.CLASS_PATH, found.source());
            assertEquals(classes.resolve("linux-x86-64/libjmfemu.so"), found.file());
            assertFalse(found.temporary(), "a file on the class path is used in place");
        }
    }

    @Test
    void fromAJarTheResourceIsExtractedToATemporaryFile() throws IOException {
        Path jar = dir.resolve("jminifilter-emulator.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new JarEntry("linux-x86-64/libjmfemu.so"));
            out.write(CLASS_PATH_COPY);
            out.closeEntry();
        }
        try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null)) {
            Location found = locator(loader, "linux-x86-64").locate();
            try {
                assertEquals(Source.CLASS_PATH, found.source());
                assertTrue(found.temporary());
                assertTrue(found.origin().startsWith("jar:"), found.origin());
                assertArrayEquals(CLASS_PATH_COPY, Files.readAllBytes(found.file()));
            } finally {
                Files.deleteIfExists(found.file());
            }
        }
    }

    @Test
    void thePropertyWinsOverTheClassPath() throws IOException {
        Path classes = classPathFolderWithLibrary("linux-x86-64");
        Path own = Files.write(dir.resolve("my-libjmfemu.so"), new byte[] {1});
        properties.put(EmuLibrary.LIBRARY_PROPERTY, own.toString());
        try (URLClassLoader loader = loaderOf(classes)) {
            Location found = locator(loader, "linux-x86-64").locate();

            assertEquals(Source.PROPERTY, found.source());
            assertEquals(own, found.file());
        }
    }

    @Test
    void aPropertyNamingNoFileIsAnErrorNamingTheProperty() throws IOException {
        Path classes = classPathFolderWithLibrary("linux-x86-64");
        properties.put(EmuLibrary.LIBRARY_PROPERTY, dir.resolve("missing.so").toString());
        try (URLClassLoader loader = loaderOf(classes)) {
            EmulatorUnavailableException e = assertThrows(EmulatorUnavailableException.class,
                    () -> locator(loader, "linux-x86-64").locate());

            assertTrue(e.getMessage().contains("-Djmf.emu.library=" + dir.resolve("missing.so")), e.getMessage());
        }
    }

    @Test
    void theClassPathWinsOverACheckoutsBuild() throws IOException {
        Path classes = classPathFolderWithLibrary("linux-x86-64");
        properties.put(EmuLibrary.ROOT_PROPERTY, checkoutWithBuild().toString());
        try (URLClassLoader loader = loaderOf(classes)) {
            assertEquals(Source.CLASS_PATH, locator(loader, "linux-x86-64").locate().source());
        }
    }

    @Test
    void withoutAClassPathCopyACheckoutsBuildIsTheDevelopmentFallback() throws IOException {
        Path root = checkoutWithBuild();
        Path empty = Files.createDirectories(dir.resolve("empty"));
        try (URLClassLoader loader = loaderOf(empty)) {
            properties.put(EmuLibrary.ROOT_PROPERTY, root.toString());
            Location byRoot = locator(loader, "linux-x86-64").locate();
            properties.clear();
            Location byWorkingDirectory = locator(loader, "linux-x86-64", root.resolve("java/emulator")).locate();

            assertEquals(Source.DEVELOPMENT_BUILD, byRoot.source());
            assertEquals(root.resolve(EmuLibrary.RELATIVE_PATH), byRoot.file());
            assertEquals(root.resolve(EmuLibrary.RELATIVE_PATH), byWorkingDirectory.file());
        }
    }

    @Test
    void onAnotherPlatformTheMessageSaysToUseTheMockPort() throws IOException {
        // The jar carries linux-x86-64 only: a Mac looks for darwin-aarch64/libjmfemu.so.
        Path classes = classPathFolderWithLibrary("linux-x86-64");
        try (URLClassLoader loader = loaderOf(classes)) {
            EmulatorUnavailableException e = assertThrows(EmulatorUnavailableException.class,
                    () -> locator(loader, "darwin-aarch64", dir).locate());

            assertTrue(e.getMessage().contains("MockFilterPort"), e.getMessage());
            assertTrue(e.getMessage().contains("ships for linux-x86-64 only"), e.getMessage());
            assertTrue(e.getMessage().contains("darwin-aarch64/libjmfemu.so"), e.getMessage());
        }
    }

    @Test
    void onLinuxX8664WithoutACopyTheMessageSaysWhereItShouldComeFrom() throws IOException {
        Path empty = Files.createDirectories(dir.resolve("empty"));
        try (URLClassLoader loader = loaderOf(empty)) {
            EmulatorUnavailableException e = assertThrows(EmulatorUnavailableException.class,
                    () -> locator(loader, "linux-x86-64", empty).locate());

            assertTrue(e.getMessage().contains("linux-x86-64/libjmfemu.so"), e.getMessage());
            assertTrue(e.getMessage().contains("jminifilter-emulator jar"), e.getMessage());
            assertTrue(e.getMessage().contains("-Djmf.emu.library"), e.getMessage());
        }
    }

    /** This build copies the host build's library into the emulator's classes: its tests load that copy. */
    @Test
    void thisBuildsTestsLoadTheCopyOnTheClassPath() {
        NativeEmulator.assumeAvailable();
        Location loaded = EmuLibrary.Holder.location();
        if (System.getProperty(EmuLibrary.DRIVER_IMAGE_PROPERTY) != null) {     // a driver binary: the build's library without a driver
            assertEquals(Source.DEVELOPMENT_BUILD, loaded.source());
            assertTrue(loaded.file().endsWith(EmuLibrary.SYS_RELATIVE_PATH), loaded.file().toString());
            return;
        }
        if (System.getProperty(EmuLibrary.LIBRARY_PROPERTY) != null) {
            assertEquals(Source.PROPERTY, loaded.source());
            return;
        }
        assertEquals(Source.CLASS_PATH, loaded.source(), "loaded from " + loaded);
        assertTrue(loaded.origin().endsWith(com.sun.jna.Platform.RESOURCE_PREFIX + "/libjmfemu.so"), loaded.origin());
    }
}
