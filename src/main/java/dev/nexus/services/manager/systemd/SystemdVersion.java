package dev.nexus.services.manager.systemd;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The version number systemd reports: what a unit may contain depends on it (RestartSteps needs 254). */
public final class SystemdVersion {
    /** "systemd 252 (252.38-1~deb12u1)": the first line of {@code systemctl --version}. */
    private static final Pattern FIRST_LINE = Pattern.compile("^systemd (\\d+)\\b");

    private SystemdVersion() {
    }

    /** The major version from {@code systemctl --version} output; its first line must be "systemd NNN ...". */
    public static int parse(String versionOutput) {
        String first = versionOutput.strip().lines().findFirst().orElse("");
        Matcher m = FIRST_LINE.matcher(first);
        if (!m.find()) {
            throw new IllegalArgumentException("`systemctl --version` did not start with \"systemd <number>\": \""
                    + first + "\"");
        }
        return Integer.parseInt(m.group(1));
    }
}
