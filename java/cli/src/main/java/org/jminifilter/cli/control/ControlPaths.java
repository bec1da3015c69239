package org.jminifilter.cli.control;

import java.nio.file.Path;

import com.sun.jna.Platform;

/**
 * Where serve's control socket is by default: on Windows
 * {@code %ProgramData%\jminifilter\control.sock}, whose folder serve restricts to administrators
 * and SYSTEM; elsewhere {@code jminifilter-USER.sock} in the temporary folder (mode 0600).
 * {@code --control PATH} chooses another.
 */
public final class ControlPaths {
    private ControlPaths() {
    }

    public static Path defaultPath() {
        if (Platform.isWindows()) {
            String programData = System.getenv().getOrDefault("ProgramData", "C:\\ProgramData");
            return Path.of(programData, "jminifilter", "control.sock");
        }
        return Path.of(System.getProperty("java.io.tmpdir"), "jminifilter-" + System.getProperty("user.name") + ".sock");
    }
}
