package dev.nexus.services.tray.model;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * How the tray is connected to the engine.
 *
 * @param error   why the engine cannot be reached (UNREACHABLE only), for people
 * @param retryAt when the next attempt is made (UNREACHABLE only)
 */
public record LinkStatus(State state, String error, Instant retryAt) {
    public enum State { CONNECTING, CONNECTED, UNREACHABLE }

    public static final LinkStatus CONNECTING = new LinkStatus(State.CONNECTING, null, null);
    public static final LinkStatus CONNECTED = new LinkStatus(State.CONNECTED, null, null);

    public LinkStatus {
        Objects.requireNonNull(state, "state");
    }

    public static LinkStatus unreachable(String error, Instant retryAt) {
        return new LinkStatus(State.UNREACHABLE, error, Objects.requireNonNull(retryAt, "retryAt"));
    }

    public boolean connected() {
        return state == State.CONNECTED;
    }

    /** "Engine unreachable — retrying in 4 s"; null when connected. */
    public String describe(Instant now) {
        return switch (state) {
            case CONNECTED -> null;
            case CONNECTING -> "Connecting to the engine…";
            case UNREACHABLE -> {
                long seconds = secondsUntil(now, retryAt);
                yield seconds <= 0 ? "Engine unreachable — retrying now" : "Engine unreachable — retrying in " + seconds + " s";
            }
        };
    }

    /** Whole seconds left, rounded up, so a countdown never shows 0 while still waiting. */
    static long secondsUntil(Instant now, Instant then) {
        long ms = Duration.between(now, then).toMillis();
        return ms <= 0 ? 0 : (ms + 999) / 1000;
    }
}
