package dev.nexus.services.manager;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How the OS runs {@code nexus-services} itself: the installed launcher (jpackage sets
 * {@code jpackage.app-path}; {@code bin/nexus-services} passes {@code -Dnexus.launcher}). Unit files, plists
 * and tasks name only this launcher and a subcommand, never a secret.
 */
public record SelfCommand(Path launcher) {
    public static final String LAUNCHER_PROPERTY = "nexus.launcher";
    public static final String JPACKAGE_PROPERTY = "jpackage.app-path";

    public SelfCommand {
        launcher = launcher.toAbsolutePath().normalize();
    }

    /** The launcher this JVM was started by, if it was started by one. */
    public static Optional<SelfCommand> current(Map<String, String> systemProperties) {
        // The installers' script launcher sets nexus.launcher; it is what units must name, not jpackage's binary.
        for (String key : List.of(LAUNCHER_PROPERTY, JPACKAGE_PROPERTY)) {
            String value = systemProperties.get(key);
            if (value != null && !value.isBlank()) {
                return Optional.of(new SelfCommand(Path.of(value)));
            }
        }
        return Optional.empty();
    }

    /** {@code nexus-services exec <service>}: the service's command with its credentials resolved. */
    public List<String> exec(String service) {
        return with("exec", service);
    }

    /** {@code nexus-services daemon}: the engine in the foreground, as a managed service runs it. */
    public List<String> daemon() {
        return with("daemon");
    }

    public List<String> tray() {
        return with("tray");
    }

    private List<String> with(String... args) {
        List<String> argv = new ArrayList<>();
        argv.add(launcher.toString());
        argv.addAll(List.of(args));
        return List.copyOf(argv);
    }
}
