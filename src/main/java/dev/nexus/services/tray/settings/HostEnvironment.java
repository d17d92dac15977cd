package dev.nexus.services.tray.settings;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The facts about the user's desktop that settings depend on, gathered in one place so that tests pass
 * their own (a temp {@code XDG_CONFIG_HOME}, another OS name) instead of changing the real ones.
 *
 * @param osName   the {@code os.name} system property
 * @param env      the process environment
 * @param userHome the {@code user.home} system property
 * @param launcher the {@code nexus-services} launcher script, when the app was started through it
 */
public record HostEnvironment(String osName, Map<String, String> env, Path userHome, Optional<Path> launcher) {
    /** Set by bin/nexus-services to its own path; absent when the app runs from an IDE or a bare jar. */
    public static final String LAUNCHER_PROPERTY = "nexus.launcher";

    public HostEnvironment {
        Objects.requireNonNull(osName, "osName");
        env = Map.copyOf(env);
        Objects.requireNonNull(userHome, "userHome");
        Objects.requireNonNull(launcher, "launcher");
    }

    public static HostEnvironment current() {
        String launcher = System.getProperty(LAUNCHER_PROPERTY);
        return new HostEnvironment(System.getProperty("os.name", ""), System.getenv(),
                Path.of(System.getProperty("user.home")),
                launcher == null || launcher.isBlank() ? Optional.empty() : Optional.of(Path.of(launcher)));
    }
}
