package org.jminifilter.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.platform.win32.Kernel32;
import com.sun.jna.platform.win32.WinBase;
import com.sun.jna.platform.win32.WinNT;

import org.jminifilter.cli.policyfile.VolumeResolver;

/**
 * Volume names of this Windows machine: a drive letter ({@code C:}), a mount folder
 * ({@code C:\mnt\data}) or a volume GUID path ({@code \\?\Volume{...}\}) becomes the NT device
 * name the driver reports, through {@code GetVolumeNameForVolumeMountPoint} and
 * {@code QueryDosDevice} (JNA Platform's Kernel32). SUBST and network drives are not volumes the
 * driver attaches to, and are refused.
 *
 * <p>The one place a written volume name is looked up: policy files ({@link VolumeResolver}) and
 * the self-test's and benchmark's {@code --volume} ({@code WindowsMachine}, through
 * {@link #lookup}) both resolve here.
 */
public final class WindowsVolumes implements VolumeResolver {

    /** The Win32 calls this class makes, so tests can give their answers on any OS. */
    public interface Win32 {
        /** QueryDosDevice's first target of {@code dosName} ("C:", "Volume{...}"), if any. */
        Optional<String> queryDosDevice(String dosName);

        /** GetVolumeNameForVolumeMountPoint of {@code mountPoint} (ending in '\'), if any. */
        Optional<String> volumeGuidPath(String mountPoint);

        /** Every volume GUID path of the machine (FindFirstVolume / FindNextVolume). */
        List<String> volumeGuidPaths();
    }

    /**
     * What a written volume name leads to.
     *
     * @param name   the name in the form it was looked up: {@code C:} for a drive letter however
     *               written ({@code c}, {@code c:}, {@code C:\}), a mount folder without its final
     *               {@code \}, a volume GUID path as written
     * @param target the NT name of the DOS device it leads to, whatever that is (a volume, a SUBST
     *               target {@code \??\...}, a network redirector), or empty when it leads nowhere
     */
    public record Lookup(String name, Optional<String> target) {
        /** The target when it is a local volume's device (not a SUBST target, not a network redirector). */
        public Optional<String> volumeDevice() {
            return target.filter(WindowsVolumes::isVolumeDevice);
        }

        /** True when {@link #name()} is a volume GUID path ({@code \\?\Volume{...}\}). */
        public boolean isGuidPath() {
            return WindowsVolumes.isGuidPath(name);
        }
    }

    private final Win32 win32;

    /** This machine's volumes, through kernel32 (Windows only). */
    public WindowsVolumes() {
        this(new Kernel32Win32());
    }

    /** The volumes {@code win32} answers for (tests give a fake). */
    public WindowsVolumes(Win32 win32) {
        this.win32 = Objects.requireNonNull(win32, "win32");
    }

    static boolean isAvailable() {
        return Platform.isWindows();
    }

    @Override
    public Optional<String> ntDeviceName(String written) {
        return lookup(written).volumeDevice();
    }

    /** Looks {@code written} up: a drive letter in any spelling, a mount folder or a volume GUID path. */
    public Lookup lookup(String written) {
        String w = written.trim();
        if (w.length() == 1 && Character.isLetter(w.charAt(0))) {
            w = w + ":";
        }
        if (w.length() == 3 && w.charAt(1) == ':' && w.charAt(2) == '\\') {
            w = w.substring(0, 2);
        }
        if (w.length() == 2 && w.charAt(1) == ':' && Character.isLetter(w.charAt(0))) {
            String drive = w.toUpperCase(Locale.ROOT);
            return new Lookup(drive, win32.queryDosDevice(drive));
        }
        if (isGuidPath(w)) {
            return new Lookup(w, targetOfGuidPath(w));
        }
        String folder = w.endsWith("\\") ? w.substring(0, w.length() - 1) : w;
        return new Lookup(folder, win32.volumeGuidPath(folder + "\\").flatMap(this::targetOfGuidPath));
    }

    private static boolean isGuidPath(String name) {
        return name.regionMatches(true, 0, "\\\\?\\Volume{", 0, 11);
    }

    private Optional<String> targetOfGuidPath(String guidPath) {
        String name = guidPath.substring(4); // past \\?\
        if (name.endsWith("\\")) {
            name = name.substring(0, name.length() - 1);
        }
        return win32.queryDosDevice(name);
    }

    /** A local volume's device, not a SUBST target (\??\...) or a network redirector. */
    private static boolean isVolumeDevice(String nt) {
        return startsWith(nt, "\\Device\\") && !startsWith(nt, "\\Device\\LanmanRedirector")
                && !startsWith(nt, "\\Device\\Mup");
    }

    private static boolean startsWith(String s, String prefix) {
        return s.regionMatches(true, 0, prefix, 0, prefix.length());
    }

    @Override
    public boolean isPresent(String ntDeviceName) {
        Set<String> present = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        for (String guid : win32.volumeGuidPaths()) {
            targetOfGuidPath(guid).filter(WindowsVolumes::isVolumeDevice).ifPresent(present::add);
        }
        return present.contains(ntDeviceName);
    }

    @Override
    public String describe() {
        return "not a drive letter, mount folder or volume GUID path of a local volume of this machine";
    }

    /** The real calls, through JNA Platform. */
    private static final class Kernel32Win32 implements Win32 {
        private static final int CHARS = 1024;

        @Override
        public Optional<String> queryDosDevice(String dosName) {
            char[] buffer = new char[CHARS];
            int n = Kernel32.INSTANCE.QueryDosDevice(dosName, buffer, buffer.length);
            return n == 0 ? Optional.empty() : Optional.of(Native.toString(buffer));
        }

        @Override
        public Optional<String> volumeGuidPath(String mountPoint) {
            char[] buffer = new char[CHARS];
            return Kernel32.INSTANCE.GetVolumeNameForVolumeMountPoint(mountPoint, buffer, buffer.length)
                    ? Optional.of(Native.toString(buffer)) : Optional.empty();
        }

        @Override
        public List<String> volumeGuidPaths() {
            List<String> all = new ArrayList<>();
            char[] buffer = new char[CHARS];
            WinNT.HANDLE find = Kernel32.INSTANCE.FindFirstVolume(buffer, buffer.length);
            if (find == null || WinBase.INVALID_HANDLE_VALUE.equals(find)) {
                return all;
            }
            try {
                do {
                    all.add(Native.toString(buffer));
                } while (Kernel32.INSTANCE.FindNextVolume(find, buffer, buffer.length));
            } finally {
                Kernel32.INSTANCE.FindVolumeClose(find);
            }
            return all;
        }
    }
}
