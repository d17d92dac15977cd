package dev.nexus.services.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexus.services.health.ProbeResult.Outcome;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Pure threshold logic: no time, no threads. */
class ProbeTrackerTest {
    private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");
    private int seconds;

    private ProbeResult result(Outcome outcome, long latencyMs) {
        return new ProbeResult(outcome, T0.plusSeconds(seconds++), Duration.ofMillis(latencyMs), outcome.name(), null);
    }

    @Test
    void startsPendingAndPassesAfterSuccessThreshold() {
        ProbeTracker t = new ProbeTracker(2, 3);
        assertEquals(Verdict.PENDING, t.verdict());
        assertEquals(new ProbeTracker.Transition(Verdict.PENDING, false), t.record(result(Outcome.OK, 5)));
        assertEquals(new ProbeTracker.Transition(Verdict.PASSING, true), t.record(result(Outcome.OK, 7)));
        assertEquals(new ProbeTracker.Transition(Verdict.PASSING, false), t.record(result(Outcome.OK, 9)));
        assertEquals(3, t.consecutiveSuccesses());
        assertEquals(Duration.ofMillis(9), t.lastSuccessLatency());
    }

    @Test
    void degradedCountsAsSuccess() {
        ProbeTracker t = new ProbeTracker(2, 2);
        t.record(result(Outcome.DEGRADED, 1));
        assertEquals(Verdict.PASSING, t.record(result(Outcome.DEGRADED, 2)).verdict());
        assertEquals(Duration.ofMillis(2), t.lastSuccessLatency());
    }

    @Test
    void failsOnlyAfterConsecutiveFailures() {
        ProbeTracker t = new ProbeTracker(1, 3);
        t.record(result(Outcome.OK, 1));
        t.record(result(Outcome.FAIL, 1));
        t.record(result(Outcome.FAIL, 1));
        assertEquals(Verdict.PASSING, t.verdict());
        assertEquals(2, t.consecutiveFailures());
        // A success in between starts the count again.
        t.record(result(Outcome.OK, 4));
        assertEquals(0, t.consecutiveFailures());
        t.record(result(Outcome.FAIL, 1));
        t.record(result(Outcome.FAIL, 1));
        assertEquals(Verdict.PASSING, t.verdict());
        ProbeTracker.Transition third = t.record(result(Outcome.FAIL, 1));
        assertEquals(new ProbeTracker.Transition(Verdict.FAILING, true), third);
        assertEquals(Duration.ofMillis(4), t.lastSuccessLatency(), "failures do not overwrite the success latency");
        assertEquals(Outcome.FAIL, t.lastResult().outcome());
    }

    @Test
    void failingNeedsSuccessThresholdToRecover() {
        ProbeTracker t = new ProbeTracker(3, 1);
        assertEquals(new ProbeTracker.Transition(Verdict.FAILING, true), t.record(result(Outcome.FAIL, 1)));
        t.record(result(Outcome.OK, 1));
        t.record(result(Outcome.OK, 1));
        assertEquals(Verdict.FAILING, t.verdict());
        assertTrue(t.record(result(Outcome.OK, 1)).changed());
        assertEquals(Verdict.PASSING, t.verdict());
    }

    @Test
    void pendingGoesStraightToFailing() {
        ProbeTracker t = new ProbeTracker(1, 2);
        assertFalse(t.record(result(Outcome.FAIL, 1)).changed());
        assertEquals(Verdict.PENDING, t.verdict());
        assertEquals(Verdict.FAILING, t.record(result(Outcome.FAIL, 1)).verdict());
    }

    @Test
    void resetForgetsEverything() {
        ProbeTracker t = new ProbeTracker(1, 1);
        t.record(result(Outcome.OK, 3));
        t.reset();
        assertEquals(Verdict.PENDING, t.verdict());
        assertEquals(0, t.consecutiveSuccesses());
        assertNull(t.lastResult());
        assertNull(t.lastSuccessLatency());
        assertNull(t.lastSuccessAt());
    }

    @Test
    void thresholdsBelowOneMeanOne() {
        ProbeTracker t = new ProbeTracker(0, -5);
        assertEquals(1, t.successThreshold());
        assertEquals(1, t.failureThreshold());
        assertEquals(Verdict.FAILING, t.record(result(Outcome.FAIL, 1)).verdict());
    }
}
