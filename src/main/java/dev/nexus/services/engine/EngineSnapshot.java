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
     * @param managers       every manager a daemon may name, in {@code ManagerKind} order, and whether it is
     *                       usable here; empty when no engine answered (one-shot status)
     */
    public record EngineInfo(Long pid, String version, Instant startedAt, boolean supervising, String catalogFile,
                             boolean catalogOk, List<String> problems, String note, Instant lastSleepAt,
                             Instant lastWakeAt, Instant wakeGraceUntil, WakeRecovery lastRecovery,
                             List<ManagerInfo> managers) {
        public EngineInfo {
            problems = problems == null ? List.of() : List.copyOf(problems);
            managers = managers == null ? List.of() : List.copyOf(managers);
        }

        /** Without the managers (no engine to ask). */
        public EngineInfo(Long pid, String version, Instant startedAt, boolean supervising, String catalogFile,
                          boolean catalogOk, List<String> problems, String note, Instant lastSleepAt,
                          Instant lastWakeAt, Instant wakeGraceUntil, WakeRecovery lastRecovery) {
            this(pid, version, startedAt, supervising, catalogFile, catalogOk, problems, note, lastSleepAt, lastWakeAt,
                    wakeGraceUntil, lastRecovery, List.of());
        }

        /** Without any sleep or wake seen (one-shot status, an engine that has not slept). */
        public EngineInfo(Long pid, String version, Instant startedAt, boolean supervising, String catalogFile,
                          boolean catalogOk, List<String> problems, String note) {
            this(pid, version, startedAt, supervising, catalogFile, catalogOk, problems, note, null, null, null, null,
                    List.of());
        }
    }

    /**
     * One manager a daemon's {@code manager} may name, as this engine sees it.
     *
     * @param kind      "auto", "embedded", "launchd", "systemd", "windows-task"
     * @param available whether a daemon naming it runs under it here (auto and embedded always are)
     * @param reason    why not, in the manager's words ("no systemd user manager: ..."), or null when available
     * @param effective what a daemon naming it runs under here: itself when available, what auto picks,
     *                  "embedded" otherwise
     */
    public record ManagerInfo(String kind, boolean available, String reason, String effective) {
    }
}
