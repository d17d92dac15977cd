package dev.nexus.services.health;

import java.time.Duration;
import java.time.Instant;

/**
 * The threshold logic of one probe, without any scheduling: feeds results in, says what the verdict
 * is. OK and DEGRADED both count as successes; only FAIL counts as a failure. From PENDING the first
 * threshold reached decides; afterwards the verdict flips only when the other threshold is reached
 * by consecutive results. Not thread-safe: {@link ProbeLoop} guards it.
 */
public final class ProbeTracker {

    /** What one result did to the verdict. */
    public record Transition(Verdict verdict, boolean changed) {
    }

    private final int successThreshold;
    private final int failureThreshold;
    private Verdict verdict = Verdict.PENDING;
    private int consecutiveSuccesses;
    private int consecutiveFailures;
    private ProbeResult lastResult;
    private ProbeResult lastSuccess;

    /** Thresholds below 1 are taken as 1 (one result decides). */
    public ProbeTracker(int successThreshold, int failureThreshold) {
        this.successThreshold = Math.max(1, successThreshold);
        this.failureThreshold = Math.max(1, failureThreshold);
    }

    public Transition record(ProbeResult result) {
        lastResult = result;
        Verdict before = verdict;
        if (result.outcome() == ProbeResult.Outcome.FAIL) {
            consecutiveFailures = saturatingIncrement(consecutiveFailures);
            consecutiveSuccesses = 0;
            if (consecutiveFailures >= failureThreshold) {
                verdict = Verdict.FAILING;
            }
        } else {
            lastSuccess = result;
            consecutiveSuccesses = saturatingIncrement(consecutiveSuccesses);
            consecutiveFailures = 0;
            if (consecutiveSuccesses >= successThreshold) {
                verdict = Verdict.PASSING;
            }
        }
        return new Transition(verdict, verdict != before);
    }

    /** Back to PENDING with no history, e.g. after the service was restarted. */
    public void reset() {
        verdict = Verdict.PENDING;
        consecutiveSuccesses = 0;
        consecutiveFailures = 0;
        lastResult = null;
        lastSuccess = null;
    }

    public Verdict verdict() {
        return verdict;
    }

    public int consecutiveSuccesses() {
        return consecutiveSuccesses;
    }

    public int consecutiveFailures() {
        return consecutiveFailures;
    }

    /** The latest result, or null if none since construction or reset. */
    public ProbeResult lastResult() {
        return lastResult;
    }

    /** The latest OK or DEGRADED result, or null. */
    public ProbeResult lastSuccess() {
        return lastSuccess;
    }

    /** Latency of the latest success, or null if there was none. */
    public Duration lastSuccessLatency() {
        return lastSuccess == null ? null : lastSuccess.latency();
    }

    /** When the latest success was recorded, or null. */
    public Instant lastSuccessAt() {
        return lastSuccess == null ? null : lastSuccess.at();
    }

    public int successThreshold() {
        return successThreshold;
    }

    public int failureThreshold() {
        return failureThreshold;
    }

    private static int saturatingIncrement(int n) {
        return n == Integer.MAX_VALUE ? n : n + 1;
    }
}
