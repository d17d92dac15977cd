package dev.nexus.services.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Polls with a deadline: the tests wait for effects, never for a fixed time. */
public final class Wait {
    /** Generous for a loaded 2-core machine: a fixture JVM takes about half a second to listen. */
    public static final Duration DEFAULT = Duration.ofSeconds(30);
    private static final long PAUSE_MS = 50;

    private Wait() {
    }

    public static void until(String what, BooleanSupplier condition) {
        until(what, DEFAULT, condition);
    }

    public static void until(String what, Duration timeout, BooleanSupplier condition) {
        forValue(what, timeout, () -> condition.getAsBoolean() ? Optional.of(Boolean.TRUE) : Optional.empty());
    }

    /** Polls until {@code probe} yields a value and returns it. */
    public static <T> T forValue(String what, Duration timeout, Supplier<Optional<T>> probe) {
        return forValue(what, timeout, probe, () -> "");
    }

    /**
     * Polls until {@code probe} yields a value and returns it.
     *
     * @param lastSeen describes the state seen last, for the failure message
     */
    public static <T> T forValue(String what, Duration timeout, Supplier<Optional<T>> probe, Supplier<String> lastSeen) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Optional<T> value = probe.get();
            if (value.isPresent()) {
                return value.get();
            }
            if (System.nanoTime() - deadline > 0) {
                String seen = lastSeen.get();
                fail("not within " + timeout.toSeconds() + " s: " + what + (seen.isEmpty() ? "" : "; last seen:\n" + seen));
            }
            try {
                Thread.sleep(PAUSE_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted while waiting for " + what);
            }
        }
    }
}
