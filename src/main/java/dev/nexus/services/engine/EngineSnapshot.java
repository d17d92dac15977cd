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
     * @param supervising    false when this snapshot came from one-shot probes with no engine running
     * @param catalogOk      false when services.json has errors and the last good catalog is in use
     * @param problems       catalog problems, errors and warnings, as "file:line:column: pointer: message"
     * @param note           one line for people about the engine itself, or null
     * @param lastSleepAt    when the machine last went to sleep (announced, or estimated at wake), or null
     * @param lastWakeAt     when the engine last learned of a wake, or null
     * @param wakeGraceUntil while the grace after a wake runs ("Waking up…"): its end; null otherwise
     * @param lastRecovery   what the engine did after the last wake, or null when none happened yet
     */
    public record EngineInfo(Long pid, String version, Instant startedAt, boolean supervising, String catalogFile,
                             boolean catalogOk, List<String> problems, String note, Instant lastSleepAt,
                             Instant lastWakeAt, Instant wakeGraceUntil, WakeRecovery lastRecovery) {
        public EngineInfo {
            problems = problems == null ? List.of() : List.copyOf(problems);
        }

        /** Without any sleep or wake seen (one-shot status, an engine that has not slept). */
        public EngineInfo(Long pid, String version, Instant startedAt, boolean supervising, String catalogFile,
                          boolean catalogOk, List<String> problems, String note) {
            this(pid, version, startedAt, supervising, catalogFile, catalogOk, problems, note, null, null, null, null);
        }
    }
}
