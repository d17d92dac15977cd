package dev.nexus.services.health;

/** What a run of probe results adds up to, once the thresholds of its {@code ProbeSpec} apply. */
public enum Verdict {
    /** Not enough results yet to cross either threshold (also right after a reset). */
    PENDING,
    /** {@code successThreshold} consecutive successes (OK or DEGRADED) since the last failing verdict. */
    PASSING,
    /** {@code failureThreshold} consecutive FAIL results. */
    FAILING
}
