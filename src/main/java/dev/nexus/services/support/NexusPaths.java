package dev.nexus.services.support;

import java.nio.file.Path;
import java.util.Map;

/**
 * Where Nexus keeps its files. Everything hangs off {@code NEXUS_ROOT} (default {@code ~/nexus}), so a
 * test or a second install only needs a different root.
 */
public record NexusPaths(Path root) {
    public static final String ROOT_VARIABLE = "NEXUS_ROOT";

    public NexusPaths {
        root = root.toAbsolutePath().normalize();
    }

    /** The root from {@code NEXUS_ROOT} in the given environment, else {@code ~/nexus}. */
    public static NexusPaths fromEnvironment(Map<String, String> env) {
        String value = env.get(ROOT_VARIABLE);
        if (value != null && !value.isBlank()) {
            return new NexusPaths(Path.of(value));
        }
        return new NexusPaths(Path.of(System.getProperty("user.home"), "nexus"));
    }

    public static NexusPaths current() {
        return fromEnvironment(System.getenv());
    }

    /** The user's synced files ({@code ~/nexus/home}); the default working directory of services. */
    public Path home() {
        return root.resolve("home");
    }

    public Path state() {
        return root.resolve("state");
    }

    public Path logs() {
        return state().resolve("logs");
    }

    /** Private run-time files: lock, control socket, per-child records. Mode 0700. */
    public Path run() {
        return state().resolve("run");
    }

    public Path catalogFile() {
        return state().resolve("services.json");
    }

    public Path controlSocket() {
        return run().resolve("control.sock");
    }

    public Path engineLock() {
        return run().resolve("engine.lock");
    }

    public Path engineLog() {
        return logs().resolve("engine.log");
    }

    public Path stdoutLog(String service) {
        return logs().resolve(service + ".log");
    }

    public Path stderrLog(String service) {
        return logs().resolve(service + ".err.log");
    }
}
