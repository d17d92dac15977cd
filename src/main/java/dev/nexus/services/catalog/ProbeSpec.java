package dev.nexus.services.catalog;

import java.time.Duration;

/**
 * One probe with Kubernetes-style timing: run every {@code period}, each try bounded by
 * {@code timeout}; {@code failureThreshold} consecutive failures flip it to failing,
 * {@code successThreshold} consecutive successes flip it back.
 */
public record ProbeSpec(ProbeCheck check, Duration initialDelay, Duration period, Duration timeout,
                        int failureThreshold, int successThreshold) {

    public static ProbeSpec startup(ProbeCheck check) {
        return new ProbeSpec(check, Duration.ZERO, Duration.ofSeconds(1), Duration.ofSeconds(1), 30, 1);
    }

    public static ProbeSpec liveness(ProbeCheck check) {
        return new ProbeSpec(check, Duration.ZERO, Duration.ofSeconds(10), Duration.ofSeconds(2), 3, 1);
    }

    public static ProbeSpec readiness(ProbeCheck check) {
        return new ProbeSpec(check, Duration.ZERO, Duration.ofSeconds(5), Duration.ofSeconds(2), 2, 1);
    }
}
