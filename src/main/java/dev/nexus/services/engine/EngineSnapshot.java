package dev.nexus.services.engine;

import java.time.Instant;
import java.util.List;

/** The whole picture: the engine itself and every service in catalog order. */
public record EngineSnapshot(int version, EngineInfo engine, List<ServiceSnapshot> services, Instant at) {
    public static final int FORMAT_VERSION = 1;

    public EngineSnapshot {
        services = List.copyOf(services);
    }

    /**
     * @param supervising false when this snapshot came from one-shot probes with no engine running
     * @param problems    catalog problems (the engine then runs on the last good catalog)
     * @param note        one line for people about the engine itself, or null
     */
    public record EngineInfo(Long pid, String version, Instant startedAt, boolean supervising, String catalogFile,
                             List<String> problems, String note) {
        public EngineInfo {
            problems = problems == null ? List.of() : List.copyOf(problems);
        }
    }
}
