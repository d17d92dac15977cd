package dev.nexus.services.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nexus.services.health.DisplayStatus;
import dev.nexus.services.health.Health;
import dev.nexus.services.health.Lifecycle;
import java.time.Instant;
import java.util.List;

/**
 * Everything known about one service at one moment; what the CLI prints and the tray shows.
 * Serialised as-is in the control API and {@code status --json} (docs/CONTROL_API.md).
 *
 * @param manager       the effective manager ("embedded", ...), after resolving "auto"
 * @param failure       the FailureReason id when lifecycle is FAILED, else null
 * @param message       one line for people: why it is in this state (last probe message, failure text)
 * @param latencyMs     latency of the last successful probe, or null
 * @param nextRestartAt when a service in BACKOFF or CRASH_LOOP will be started again
 * @param detail        structured detail from a probe or job (exec JSON output), or null; for
 *                      FAILED(credentials) {@code {"credentials": [{"variable", "reference", "credential",
 *                      "problem": "not_set|unreadable|invalid_reference|rejected"}]}} ("rejected": the gateway
 *                      refused the token; the gateway's detail sits beside it), so a client can offer
 *                      "Set credential…" for the right name
 */
public record ServiceSnapshot(String name, String displayName, String kind, String manager, boolean enabled,
                              Lifecycle lifecycle, Health health, DisplayStatus status, String failure,
                              String message, Long pid, Instant startedAt, int restarts, String lastExit,
                              Instant lastExitAt, Long latencyMs, Instant nextRestartAt, int attempt,
                              JsonNode detail, List<ChildSnapshot> children, JobSnapshot job) {

    public ServiceSnapshot {
        children = children == null ? List.of() : List.copyOf(children);
    }

    /** A sub-component's health (the gateway's bridge, canvas, ...). */
    public record ChildSnapshot(String name, String displayName, DisplayStatus status, String message,
                                Long latencyMs) {
    }

    /** The schedule and last result of a job. */
    public record JobSnapshot(Instant lastRunAt, String lastOutcome, String lastMessage, Integer updatesAvailable,
                              Instant nextRunAt, boolean running) {
    }

    /** The same snapshot without fields that change on every probe; equal means nothing visible changed. */
    ServiceSnapshot withoutNoise() {
        return new ServiceSnapshot(name, displayName, kind, manager, enabled, lifecycle, health, status, failure,
                message, pid, startedAt, restarts, lastExit, lastExitAt, null, nextRestartAt, attempt, detail,
                children.stream().map(c -> new ChildSnapshot(c.name(), c.displayName(), c.status(), c.message(), null))
                        .toList(), job);
    }
}
