package dev.nexus.services.tray.settings;

import dev.nexus.services.support.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Starting the tray app when the user logs in. On Linux (and other freedesktop.org desktops) that is an XDG
 * autostart entry, {@code $XDG_CONFIG_HOME/autostart/nexus-services-tray.desktop}, whose Exec runs the
 * launcher's {@code tray} command. macOS (a login item) and Windows (a Run key) come with the OS integration.
 */
public final class LaunchAtLogin {
    public static final String ENTRY_FILE_NAME = "nexus-services-tray.desktop";

    /** The desktop families that differ in how an app starts at login. */
    public enum DesktopOs { LINUX, MACOS, WINDOWS, OTHER }

    /**
     * Whether the setting can be changed here and, when not, the sentence that says why (for the tooltip).
     */
    public record Availability(boolean available, String reason) {
        static Availability yes() {
            return new Availability(true, "");
        }

        static Availability no(String reason) {
            return new Availability(false, reason);
        }
    }

    private final HostEnvironment host;

    public LaunchAtLogin(HostEnvironment host) {
        this.host = Objects.requireNonNull(host, "host");
    }

    /** Which family {@code os.name} belongs to. */
    public static DesktopOs os(String osName) {
        String name = osName.toLowerCase(Locale.ROOT);
        if (name.startsWith("linux")) {
            return DesktopOs.LINUX;
        }
        if (name.startsWith("mac") || name.contains("darwin") || name.contains("os x")) {
            return DesktopOs.MACOS;
        }
        if (name.startsWith("windows")) {
            return DesktopOs.WINDOWS;
        }
        return DesktopOs.OTHER;
    }

    /** Pure: whether launch at login can be switched on this OS with this launcher, and if not why. */
    public static Availability availability(String osName, Optional<Path> launcher) {
        return switch (os(osName)) {
            case MACOS -> Availability.no("Launch at login on macOS comes with the OS integration in a later release.");
            case WINDOWS -> Availability.no("Launch at login on Windows comes with the OS integration in a later release.");
            case OTHER -> Availability.no("Launch at login is not available on " + osName + ".");
            case LINUX -> launcher.isPresent() ? Availability.yes()
                    : Availability.no("Launch at login needs the nexus-services launcher: start the tray with "
                    + "bin/nexus-services (or the installed nexus-services command) to turn it on.");
        };
    }

    /**
     * Where autostart entries go: {@code $XDG_CONFIG_HOME/autostart}, or {@code ~/.config/autostart} when the
     * variable is unset, empty or relative (the XDG spec says to ignore a relative one).
     */
    public static Path autostartDirectory(Map<String, String> env, Path userHome) {
        String configHome = env.get("XDG_CONFIG_HOME");
        if (configHome != null && !configHome.isBlank() && Path.of(configHome).isAbsolute()) {
            return Path.of(configHome).resolve("autostart");
        }
        return userHome.resolve(".config").resolve("autostart");
    }

    /** The whole autostart entry for a launcher. */
    public static String desktopEntry(Path launcher) {
        String path = launcher.toAbsolutePath().normalize().toString();
        return "[Desktop Entry]\n"
                + "Type=Application\n"
                + "Version=1.5\n"
                + "Name=Nexus Services\n"
                + "Comment=Keeps the Nexus services running and shows their health in the tray\n"
                + "TryExec=" + escapeString(path) + "\n"
                + "Exec=" + escapeString(quoteExecArgument(path)) + " tray\n"
                + "Terminal=false\n"
                + "Categories=Utility;\n"
                + "X-GNOME-Autostart-enabled=true\n";
    }

    /**
     * One Exec argument, quoted as the Desktop Entry spec asks: in double quotes, with {@code " ` $ \}
     * escaped by a backslash, and {@code %} doubled (field codes start with it).
     */
    static String quoteExecArgument(String argument) {
        if (argument.indexOf('\n') >= 0 || argument.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("cannot put a path with a line break in a desktop entry: "
                    + argument.replace("\n", "\\n").replace("\r", "\\r"));
        }
        StringBuilder sb = new StringBuilder("\"");
        for (char c : argument.toCharArray()) {
            if (c == '"' || c == '`' || c == '$' || c == '\\') {
                sb.append('\\');
            }
            sb.append(c);
        }
        return sb.append('"').toString().replace("%", "%%");
    }

    /** The string escape of .desktop values, applied after Exec quoting: a backslash is written twice. */
    static String escapeString(String value) {
        return value.replace("\\", "\\\\").replace("\t", "\\t");
    }

    public Availability availability() {
        return availability(host.osName(), host.launcher());
    }

    public Path entryFile() {
        return autostartDirectory(host.env(), host.userHome()).resolve(ENTRY_FILE_NAME);
    }

    /** The entry's path as people write it: {@code ~/.config/autostart/...} when it is in the home directory. */
    public String entryFileForDisplay() {
        Path file = entryFile();
        Path home = host.userHome().toAbsolutePath().normalize();
        return file.startsWith(home) ? "~/" + home.relativize(file) : file.toString();
    }

    /** Whether the entry is there now, whoever put it there. */
    public boolean isEnabled() {
        return availability().available() && Files.isRegularFile(entryFile());
    }

    /**
     * Writes (atomically) or removes the entry.
     *
     * @throws IllegalStateException when {@link #availability()} says no
     * @throws IOException           when the file cannot be written or removed; the message names it
     */
    public void apply(boolean enabled) throws IOException {
        Availability availability = availability();
        if (!availability.available()) {
            throw new IllegalStateException(availability.reason());
        }
        Path file = entryFile();
        if (enabled) {
            AtomicFiles.write(file, desktopEntry(host.launcher().orElseThrow()).getBytes(StandardCharsets.UTF_8));
        } else {
            Files.deleteIfExists(file);
        }
    }
}
