package org.jminifilter.emulator;

import com.sun.jna.Native;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * Finds libjmfemu.so. First found wins:
 *
 * <ol>
 * <li>{@code -Djmf.emu.library=/path/to/libjmfemu.so}: an explicit override (a build of your
 * own, another platform's build);</li>
 * <li>the class-path resource {@code <JNA platform prefix>/libjmfemu.so} (for example
 * {@code linux-x86-64/libjmfemu.so}), the copy the jminifilter-emulator jar ships, as JNA ships
 * its own native parts: a test in any project on Linux x86-64 needs nothing else. From a jar it
 * is extracted to a temporary file (JNA's {@code jna.tmpdir}) that is deleted once loaded;</li>
 * <li>development fallback, for a checkout of this repository whose class path has no copy (an
 * IDE run after {@code make -C native-driver/host/emu all}):
 * {@code native-driver/host/emu/build/libjmfemu.so} under {@code -Djmf.root}, else under the
 * working directory or its nearest ancestor that has it, else under the folder of the emulator's
 * classes or its ancestors.</li>
 * </ol>
 *
 * <p>Nothing found is an {@link EmulatorUnavailableException} whose message says what to do: on a
 * platform the artifact has no build for, use MockFilterPort.
 */
final class EmuLibraryLocator {

    /** The library's file name inside the platform folder. */
    static final String FILE_NAME = "libjmfemu.so";
    /** The JNA platform prefix of the build the published artifact carries. */
    static final String SHIPPED_PLATFORM = "linux-x86-64";

    /** Where the library was found. */
    enum Source {
        /** {@code -Djmf.emu.library}. */
        PROPERTY,
        /** The class-path resource (the jar's copy, or target/classes in this repository's build). */
        CLASS_PATH,
        /** The development fallback: the host build's output in a checkout. */
        DEVELOPMENT_BUILD
    }

    /**
     * A library file to load.
     *
     * @param file      the file
     * @param source    how it was found
     * @param origin    what to name in messages (the property, the resource URL, the checkout path)
     * @param temporary true when {@code file} is an extracted copy to delete once loaded
     */
    record Location(Path file, Source source, String origin, boolean temporary) {
    }

    private final UnaryOperator<String> properties;
    private final ClassLoader loader;
    private final String platformPrefix;
    private final List<Path> searchStarts;

    /**
     * @param properties     system properties ({@code System::getProperty} outside tests)
     * @param loader         where to look for the resource
     * @param platformPrefix JNA's {@code Platform.RESOURCE_PREFIX} outside tests
     * @param searchStarts   where the development fallback starts looking upwards
     */
    EmuLibraryLocator(UnaryOperator<String> properties, ClassLoader loader, String platformPrefix,
            List<Path> searchStarts) {
        this.properties = Objects.requireNonNull(properties, "properties");
        this.loader = loader;
        this.platformPrefix = Objects.requireNonNull(platformPrefix, "platformPrefix");
        this.searchStarts = List.copyOf(searchStarts);
    }

    /** The locator of this JVM: system properties, this class's loader, JNA's platform. */
    static EmuLibraryLocator forThisJvm() {
        List<Path> starts = new java.util.ArrayList<>();
        starts.add(Paths.get("").toAbsolutePath());
        try {
            // java -jar from elsewhere, or an IDE: the classes lie in <root>/java/emulator/target/.
            starts.add(Paths.get(EmuLibraryLocator.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                    .toAbsolutePath());
        } catch (URISyntaxException | RuntimeException e) {
            // no code source (an unusual class loader): the working directory is still searched
        }
        return new EmuLibraryLocator(System::getProperty, EmuLibraryLocator.class.getClassLoader(),
                com.sun.jna.Platform.RESOURCE_PREFIX, starts);
    }

    /** The class-path resource name on this platform, such as {@code linux-x86-64/libjmfemu.so}. */
    String resourceName() {
        return platformPrefix + "/" + FILE_NAME;
    }

    /**
     * @return the library to load
     * @throws EmulatorUnavailableException naming what was looked at and what to do
     */
    Location locate() {
        String explicit = properties.apply(EmuLibrary.LIBRARY_PROPERTY);
        if (explicit != null && !explicit.isBlank()) {
            Path file = Paths.get(explicit.strip()).toAbsolutePath().normalize();
            if (!Files.isRegularFile(file)) {
                throw new EmulatorUnavailableException("-D" + EmuLibrary.LIBRARY_PROPERTY + "=" + explicit
                        + " names no file (" + file + "): point it at a built libjmfemu.so, or remove it to use the"
                        + " copy in the jminifilter-emulator jar");
            }
            return new Location(file, Source.PROPERTY, "-D" + EmuLibrary.LIBRARY_PROPERTY + "=" + explicit, false);
        }
        URL resource = loader == null ? null : loader.getResource(resourceName());
        if (resource != null) {
            return fromClassPath(resource);
        }
        Path built = developmentBuild();
        if (built != null) {
            return new Location(built, Source.DEVELOPMENT_BUILD, built.toString(), false);
        }
        throw new EmulatorUnavailableException(notFoundMessage());
    }

    private Location fromClassPath(URL resource) {
        if ("file".equalsIgnoreCase(resource.getProtocol())) {
            try {
                return new Location(Paths.get(resource.toURI()), Source.CLASS_PATH, resource.toString(), false);
            } catch (URISyntaxException | RuntimeException e) {
                // an odd file URL: extract it like a jar entry below
            }
        }
        try {
            // The leading "/" makes JNA take the name as a resource path, without mapping it.
            File extracted = Native.extractFromResourcePath("/" + resourceName(), loader);
            return new Location(extracted.toPath(), Source.CLASS_PATH, resource.toString(), true);
        } catch (IOException e) {
            throw new EmulatorUnavailableException("the emulated Filter Manager library " + resource
                    + " could not be extracted to a temporary file (" + e.getMessage() + "): set -Djna.tmpdir to a"
                    + " writable folder that allows executables", e);
        }
    }

    private Path developmentBuild() {
        String root = properties.apply(EmuLibrary.ROOT_PROPERTY);
        if (root != null && !root.isBlank()) {
            Path candidate = Paths.get(root.strip()).resolve(EmuLibrary.RELATIVE_PATH).toAbsolutePath().normalize();
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        for (Path start : searchStarts) {
            for (Path d = start; d != null; d = d.getParent()) {
                Path candidate = d.resolve(EmuLibrary.RELATIVE_PATH);
                if (Files.isRegularFile(candidate)) {
                    return candidate;
                }
            }
        }
        return null;
    }

    private String notFoundMessage() {
        String where = "no class-path resource " + resourceName() + " and no -D" + EmuLibrary.LIBRARY_PROPERTY;
        if (!SHIPPED_PLATFORM.equals(platformPrefix)) {
            return "the emulated Filter Manager (libjmfemu.so) ships for " + SHIPPED_PLATFORM + " only and this JVM"
                    + " runs on " + platformPrefix + " (" + where + "): test against MockFilterPort"
                    + " (org.jminifilter.port.mock.MockFilterPort in jminifilter-port) on this platform, or build"
                    + " libjmfemu.so here from a jminifilter checkout (make -C native-driver/host/emu all) and name it"
                    + " with -D" + EmuLibrary.LIBRARY_PROPERTY + "=/path/to/libjmfemu.so";
        }
        return "the emulated Filter Manager library is not on the class path (" + where + "): depend on the"
                + " jminifilter-emulator jar as published (it carries " + resourceName() + "); in a jminifilter"
                + " checkout build it with `make -C native-driver/host/emu all` (needs gcc and make) or name a built"
                + " copy with -D" + EmuLibrary.LIBRARY_PROPERTY + "=/path/to/libjmfemu.so";
    }
}
