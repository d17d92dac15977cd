package dev.nexus.services.supervise;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with symmetric jitter: {@code min(initial × multiplier^attempt, max) × (1 ± jitter)}.
 * Jitter is applied after the cap so services restarted together keep spreading out even at the cap.
 * Shared by the supervisor (1 s × 2 up to 60 s) and reconnecting sessions (1 s × 1.6 up to 30 s).
 */
public record Backoff(Duration initial, double multiplier, Duration max, double jitter) {

    public Backoff {
        if (initial.isNegative() || max.compareTo(initial) < 0 || multiplier < 1 || jitter < 0 || jitter > 1) {
            throw new IllegalArgumentException("invalid backoff: initial=" + initial + " multiplier=" + multiplier
                    + " max=" + max + " jitter=" + jitter);
        }
    }

    /** The delay before retry number {@code attempt} (0 for the first retry). */
    public Duration delay(int attempt, RandomGenerator random) {
        double base = initial.toMillis() * Math.pow(multiplier, Math.min(attempt, 64));
        double capped = Math.min(base, max.toMillis());
        double factor = 1 + jitter * (2 * random.nextDouble() - 1);
        return Duration.ofMillis(Math.round(capped * factor));
    }

    public Backoff withMax(Duration newMax) {
        return new Backoff(initial, multiplier, newMax.compareTo(initial) < 0 ? initial : newMax, jitter);
    }
}
