package dev.nexus.services.connect;

import java.time.Duration;
import java.util.Objects;

/**
 * How one connection ended (or failed to come up), which decides what happens next: a lost connection
 * is retried with backoff, a planned restart is waited out quietly, a rejection waits for the user.
 *
 * @param problem    for a rejection, what the user has to fix; null otherwise
 * @param message    for people; for a rejection the peer's own words
 * @param retryAfter for a planned restart, when the peer expects to be back; else null
 */
public record Drop(Kind kind, Problem problem, String message, Duration retryAfter) {

    public enum Kind {
        /** Refused, reset, timed out, went silent: try again after the backoff. */
        LOST,
        /** The peer said it is restarting on purpose: not an outage, reconnect when it is back. */
        PLANNED_RESTART,
        /** The peer refused us for a reason retrying cannot fix: stop until the user acts. */
        REJECTED
    }

    /** What a rejection asks the user to fix. */
    public enum Problem {
        /** Token wrong or missing, device not paired, scope missing: FAILED(credentials). */
        CREDENTIALS,
        /** The peer speaks a protocol version this client does not: FAILED(config). */
        PROTOCOL
    }

    public Drop {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(message, "message");
        if ((kind == Kind.REJECTED) != (problem != null)) {
            throw new IllegalArgumentException("a rejection, and only a rejection, names a problem");
        }
    }

    public static Drop lost(String message) {
        return new Drop(Kind.LOST, null, message, null);
    }

    public static Drop plannedRestart(String message, Duration expectedBackIn) {
        return new Drop(Kind.PLANNED_RESTART, null, message, expectedBackIn);
    }

    public static Drop rejected(Problem problem, String message) {
        return new Drop(Kind.REJECTED, problem, message, null);
    }
}
