package dev.nexus.services.tray.logs;

import dev.nexus.services.catalog.Catalog;
import dev.nexus.services.catalog.ServiceKind;
import dev.nexus.services.catalog.ServiceSpec;
import dev.nexus.services.support.NexusPaths;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Something whose log can be shown: a daemon of the catalog, or the engine itself. Jobs and connections are
 * listed too, without files, so the viewer can say why they have no log.
 *
 * @param name   the service name ("engine" for the engine)
 * @param label  what the selector shows
 * @param stdout the stdout log, or null when there is none
 * @param stderr the stderr log, or null when there is none
 * @param note   why there is no log; empty when there is one
 */
public record LogSource(String name, String label, Path stdout, Path stderr, String note) {
    /** The engine's own log, named as in {@code nexus-services logs engine}. */
    public static final String ENGINE = "engine";

    public LogSource {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(note, "note");
    }

    public boolean hasLogs() {
        return stdout != null;
    }

    public Path file(boolean stderrStream) {
        return stderrStream ? stderr : stdout;
    }

    /** The catalog's services in its order, then the engine. Only daemons write log files. */
    public static List<LogSource> of(Catalog catalog, NexusPaths paths) {
        List<LogSource> sources = new ArrayList<>();
        for (ServiceSpec s : catalog.services()) {
            String label = s.displayName() == null || s.displayName().isBlank() ? s.name() : s.displayName();
            if (s.kind() == ServiceKind.DAEMON && s.log() != null) {
                sources.add(new LogSource(s.name(), label, s.log().stdout(), s.log().stderr(), ""));
            } else if (s.kind() == ServiceKind.JOB) {
                sources.add(new LogSource(s.name(), label, null, null, label + " is a job: its runs are not written to "
                        + "a log file. The tray shows its last result."));
            } else {
                sources.add(new LogSource(s.name(), label, null, null, label + " is a " + s.kind().id()
                        + ": no local process, so no log file."));
            }
        }
        sources.add(new LogSource(ENGINE, "Engine", paths.engineLog(), paths.logs().resolve("engine.out"), ""));
        return List.copyOf(sources);
    }
}
