package dev.nexus.services.connect;

import java.time.Duration;
import java.time.Instant;

/**
 * Where a long-lived connection stands at one moment.
 *
 * @param message         one line for people: "connected", "connection refused (127.0.0.1:18789); next try in 1.6 s",
 *                        "gateway restarting (update)", or the peer's own words for a rejection
 * @param problem         what a REJECTED connection needs fixed; else null
 * @param failures        consecutive failed tries since the last successful connect
 * @param since           when this phase began
 * @param downSince       when the connection was lost (or first tried, if it never came up); null while connected
 * @param nextAttemptAt   when the next try starts (WAITING, RESTARTING), else null
 * @param lastConnectedAt when the connection last came up, or null if it never did
 */
public record ConnectionState(Phase phase, String message, Drop.Problem problem, int failures, Instant since,
                              Instant downSince, Instant nextAttemptAt, Instant lastConnectedAt) {

    public enum Phase {
        /** Not started yet. */
        IDLE,
        /** A try is under way. */
        CONNECTING,
        /** Up and usable. */
        CONNECTED,
        /** Lost; waiting out the backoff before the next try. */
        WAITING,
        /** The peer announced a planned restart; reconnecting quietly until it is back (or overdue). */
        RESTARTING,
        /** Refused for a reason only the user can fix; no more tries until they do. */
        REJECTED,
        /** Closed for good. */
        CLOSED
    }

    public boolean connected() {
        return phase == Phase.CONNECTED;
    }

    /** How long the connection has been down at {@code now}, or zero while connected. */
    public Duration downFor(Instant now) {
        return downSince == null ? Duration.ZERO : Duration.between(downSince, now);
    }
}
