package dev.nexus.services.health;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;

/**
 * The result of one probe try.
 *
 * @param latency how long the try took (meaningful for successes; for failures, time until it failed)
 * @param message short human text: "connected", "HTTP 503", "connection refused", "timed out after 2 s"
 * @param detail  structured detail (exec probe JSON output, gateway health payload), or null
 */
public record ProbeResult(Outcome outcome, Instant at, Duration latency, String message, JsonNode detail) {

    public enum Outcome {
        OK, DEGRADED, FAIL
    }

    public static ProbeResult ok(Instant at, Duration latency, String message) {
        return new ProbeResult(Outcome.OK, at, latency, message, null);
    }

    public static ProbeResult degraded(Instant at, Duration latency, String message) {
        return new ProbeResult(Outcome.DEGRADED, at, latency, message, null);
    }

    public static ProbeResult fail(Instant at, Duration latency, String message) {
        return new ProbeResult(Outcome.FAIL, at, latency, message, null);
    }

    public ProbeResult withAt(Instant value) {
        return new ProbeResult(outcome, value, latency, message, detail);
    }

    public ProbeResult withDetail(JsonNode value) {
        return new ProbeResult(outcome, at, latency, message, value);
    }

    public boolean isOk() {
        return outcome == Outcome.OK;
    }
}
