package dev.nexus.services.tray.model;

import dev.nexus.services.engine.ServiceSnapshot;
import dev.nexus.services.health.DisplayStatus;
import dev.nexus.services.health.Health;
import dev.nexus.services.health.Lifecycle;
import java.time.Instant;
import java.util.List;

/** Service snapshots for view-model tests, built the way the engine fills them. */
public final class Snapshots {
    public static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

    private Snapshots() {
    }

    public static ServiceSnapshot daemon(String name, Lifecycle lifecycle, Health health) {
        return new ServiceSnapshot(name, cap(name), "daemon", "embedded", true, lifecycle, health,
                DisplayStatus.of(lifecycle, health), null, null, lifecycle.isActive() ? 4242L : null,
                lifecycle == Lifecycle.RUNNING ? NOW.minusSeconds(3 * 3600 + 300) : null, 0, null, null,
                lifecycle == Lifecycle.RUNNING ? 12L : null, null, 0, null, List.of(), null);
    }

    public static ServiceSnapshot healthy(String name) {
        return daemon(name, Lifecycle.RUNNING, Health.HEALTHY);
    }

    public static ServiceSnapshot stopped(String name) {
        return daemon(name, Lifecycle.STOPPED, Health.UNKNOWN);
    }

    public static ServiceSnapshot unhealthy(String name, String message) {
        return with(daemon(name, Lifecycle.RUNNING, Health.UNHEALTHY), message);
    }

    public static ServiceSnapshot backoff(String name, Instant nextRestartAt, int attempt) {
        ServiceSnapshot s = daemon(name, Lifecycle.BACKOFF, Health.UNKNOWN);
        return new ServiceSnapshot(s.name(), s.displayName(), s.kind(), s.manager(), true, s.lifecycle(), s.health(),
                s.status(), null, "exited with 1; restarting", null, null, attempt, "exit 1", NOW, null, nextRestartAt,
                attempt, null, List.of(), null);
    }

    public static ServiceSnapshot failed(String name, String failure, String message) {
        ServiceSnapshot s = daemon(name, Lifecycle.FAILED, Health.UNKNOWN);
        return new ServiceSnapshot(s.name(), s.displayName(), s.kind(), s.manager(), true, s.lifecycle(), s.health(),
                s.status(), failure, message, null, null, 0, null, null, null, null, 0, null, List.of(), null);
    }

    public static ServiceSnapshot disabled(String name) {
        ServiceSnapshot s = stopped(name);
        return new ServiceSnapshot(s.name(), s.displayName(), s.kind(), s.manager(), false, s.lifecycle(), s.health(),
                s.status(), null, "disabled", null, null, 0, null, null, null, null, 0, null, List.of(), null);
    }

    public static ServiceSnapshot job(String name, Integer updates) {
        ServiceSnapshot.JobSnapshot job = new ServiceSnapshot.JobSnapshot(NOW.minusSeconds(60), "ok",
                updates == null ? null : updates == 0 ? "up to date" : updates + " updates available", updates,
                NOW.plusSeconds(3600), false);
        return new ServiceSnapshot(name, cap(name), "job", "engine", true, Lifecycle.RUNNING, Health.HEALTHY,
                DisplayStatus.HEALTHY, null, job.lastMessage(), null, null, 0, null, null, 800L, null, 0, null,
                List.of(), job);
    }

    /**
     * The engine's own info, read from JSON as the tray receives it (so these tests do not depend on the
     * record's constructor, which grows with the engine).
     */
    public static dev.nexus.services.engine.EngineSnapshot.EngineInfo engineInfo(List<String> problems, String note) {
        com.fasterxml.jackson.databind.node.ObjectNode n = dev.nexus.services.support.Json.MAPPER.createObjectNode();
        n.put("pid", 1L).put("version", "0.1.0").put("startedAt", NOW.toString()).put("supervising", true)
                .put("catalogFile", "services.json").put("catalogOk", problems.isEmpty());
        problems.forEach(n.putArray("problems")::add);
        n.put("note", note);
        try {
            return dev.nexus.services.support.Json.MAPPER.treeToValue(n,
                    dev.nexus.services.engine.EngineSnapshot.EngineInfo.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static ServiceSnapshot with(ServiceSnapshot s, String message) {
        return new ServiceSnapshot(s.name(), s.displayName(), s.kind(), s.manager(), s.enabled(), s.lifecycle(),
                s.health(), s.status(), s.failure(), message, s.pid(), s.startedAt(), s.restarts(), s.lastExit(),
                s.lastExitAt(), s.latencyMs(), s.nextRestartAt(), s.attempt(), s.detail(), s.children(), s.job());
    }

    public static ServiceSnapshot withChildren(ServiceSnapshot s, List<ServiceSnapshot.ChildSnapshot> children) {
        return new ServiceSnapshot(s.name(), s.displayName(), s.kind(), s.manager(), s.enabled(), s.lifecycle(),
                s.health(), s.status(), s.failure(), s.message(), s.pid(), s.startedAt(), s.restarts(), s.lastExit(),
                s.lastExitAt(), s.latencyMs(), s.nextRestartAt(), s.attempt(), s.detail(), children, s.job());
    }

    private static String cap(String name) {
        return Character.toUpperCase(name.charAt(0)) + name.substring(1);
    }
}
