package dev.nexus.services.catalog;

import dev.nexus.services.support.Quoted;
import java.time.Duration;

/**
 * When and how fast a daemon is restarted. Backoff is {@code initialDelay × multiplier^n} up to
 * {@code maxDelay}, with ±{@code jitter}; it resets after {@code resetAfter} healthy. A crash loop is
 * {@code crashLoopRuns} runs each shorter than {@code shortRun} within {@code crashLoopWindow}; then
 * the cap becomes {@code crashLoopMaxDelay}.
 */
public record RestartSpec(Mode mode, Duration initialDelay, double multiplier, Duration maxDelay, double jitter,
                          Duration resetAfter, int crashLoopRuns, Duration shortRun, Duration crashLoopWindow,
                          Duration crashLoopMaxDelay) {

    public enum Mode {
        NEVER("never"), ON_FAILURE("on-failure"), ALWAYS("always");

        private final String id;

        Mode(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }

        public static Mode fromId(String id) {
            for (Mode m : values()) {
                if (m.id.equals(id)) {
                    return m;
                }
            }
            throw new IllegalArgumentException("unknown restart policy " + Quoted.of(id)
                    + " (expected never, on-failure or always)");
        }
    }

    public static final RestartSpec DEFAULT = new RestartSpec(Mode.ON_FAILURE, Duration.ofSeconds(1), 2.0,
            Duration.ofSeconds(60), 0.2, Duration.ofSeconds(60), 5, Duration.ofSeconds(10), Duration.ofMinutes(5),
            Duration.ofSeconds(300));
}
