package dev.nexus.services.catalog;

import dev.nexus.services.support.NexusPaths;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The vocabulary of services.json shared by reading and writing: field names, and the defaults that an
 * absent field stands for. Reader and writer must agree on these exactly, or a round trip would change
 * the catalog.
 */
final class CatalogFormat {
    static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,39}");
    static final String NAME_RULE = "1 to 40 lowercase letters, digits or \"-\", starting with a letter";
    static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    static final String DEFAULT_TCP_HOST = "127.0.0.1";

    static final List<String> ROOT_FIELDS = List.of("version", "services");
    static final List<String> SERVICE_FIELDS = List.of("name", "displayName", "kind", "enabled", "command",
            "workingDir", "env", "manager", "dependsOn", "port", "probes", "restart", "stopTimeout", "log",
            "children", "schedule", "url");
    static final List<String> PROBES_FIELDS = List.of("startup", "liveness", "readiness");
    static final List<String> PROBE_TIMING_FIELDS = List.of("initialDelay", "period", "timeout",
            "failureThreshold", "successThreshold");
    /** Fields of every probe type together; which of them apply depends on "type". */
    static final List<String> PROBE_FIELDS = List.of("type", "host", "port", "url", "token", "device", "command",
            "initialDelay", "period", "timeout", "failureThreshold", "successThreshold");
    static final Map<String, Set<String>> PROBE_TYPE_FIELDS = Map.of(
            "process", Set.of(),
            "tcp", Set.of("host", "port"),
            "http", Set.of("url"),
            "websocket", Set.of("url"),
            "gateway", Set.of("url", "token", "device"),
            "exec", Set.of("command"));
    static final List<String> PROBE_TYPE_SPECIFIC_FIELDS = List.of("host", "port", "url", "token", "device", "command");
    static final String PROBE_TYPES = "process, tcp, http, websocket, gateway or exec";
    static final List<String> RESTART_FIELDS = List.of("policy", "initialDelay", "multiplier", "maxDelay", "jitter",
            "resetAfter", "crashLoop");
    static final List<String> CRASH_LOOP_FIELDS = List.of("runs", "shorterThan", "within", "maxDelay");
    static final List<String> LOG_FIELDS = List.of("file", "errFile", "maxSize", "keep");
    static final List<String> CHILD_FIELDS = List.of("name", "displayName", "probe");
    static final List<String> SCHEDULE_FIELDS = List.of("every", "timeout");

    /** Which timing defaults a probe gets; children are readiness-style checks. */
    enum Role {
        STARTUP, LIVENESS, READINESS;

        ProbeSpec defaults(ProbeCheck check) {
            return switch (this) {
                case STARTUP -> ProbeSpec.startup(check);
                case LIVENESS -> ProbeSpec.liveness(check);
                case READINESS -> ProbeSpec.readiness(check);
            };
        }

        String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private CatalogFormat() {
    }

    /** "gateway" → "Gateway", "browser-control" → "Browser control". */
    static String defaultDisplayName(String name) {
        if (name == null || name.isEmpty()) {
            return name;
        }
        String spaced = name.replace('-', ' ');
        return Character.toUpperCase(spaced.charAt(0)) + spaced.substring(1);
    }

    static LogSpec defaultLog(NexusPaths paths, String service) {
        return new LogSpec(paths.stdoutLog(service), paths.stderrLog(service), LogSpec.DEFAULT_MAX_BYTES,
                LogSpec.DEFAULT_KEEP);
    }

    static Path userHome() {
        return Path.of(System.getProperty("user.home"));
    }

    /**
     * The path a catalog text names: "~" and "~/..." are the user's home, relative paths are taken from the
     * Nexus home (where services run by default).
     */
    static Path expandPath(String text, NexusPaths paths) {
        Path path;
        if (text.equals("~")) {
            path = userHome();
        } else if (text.startsWith("~/") || text.startsWith("~\\")) {
            path = userHome().resolve(text.substring(2));
        } else {
            path = paths.home().resolve(text);
        }
        return path.toAbsolutePath().normalize();
    }

    /** The text for a path, written with "~" when it lies under the user's home so the file stays portable. */
    static String pathText(Path path) {
        Path home = userHome().toAbsolutePath().normalize();
        Path normal = path.toAbsolutePath().normalize();
        if (normal.equals(home)) {
            return "~";
        }
        if (normal.startsWith(home)) {
            return "~/" + home.relativize(normal).toString().replace('\\', '/');
        }
        return normal.toString();
    }
}
