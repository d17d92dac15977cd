package dev.nexus.services.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexus.services.catalog.ProbeCheck;
import dev.nexus.services.catalog.ProbeSpec;
import dev.nexus.services.health.ProbeResult.Outcome;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The loop's scheduling and bookkeeping, with a fake probe whose tries the test completes by hand
 * (pure logic: a real probe adds nothing here). The timer is real; waits poll with deadlines.
 */
class ProbeLoopWithFakeProbeTest {
    private static final Instant NOW = Instant.parse("2025-03-04T05:06:07Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final Duration WAIT = Duration.ofSeconds(5);

    /** Hands out one future per try; the test completes them. */
    static final class FakeProbe implements Probe {
        final List<CompletableFuture<ProbeResult>> tries = new CopyOnWriteArrayList<>();
        private final Deque<Outcome> script = new ArrayDeque<>();

        /** Tries answer at once with these outcomes, in order; then they stay open. */
        synchronized FakeProbe answering(Outcome... outcomes) {
            Collections.addAll(script, outcomes);
            return this;
        }

        @Override
        public CompletableFuture<ProbeResult> check() {
            CompletableFuture<ProbeResult> f = new CompletableFuture<>();
            tries.add(f);
            Outcome next;
            synchronized (this) {
                next = script.poll();
            }
            if (next != null) {
                f.complete(result(next));
            }
            return f;
        }

        CompletableFuture<ProbeResult> last() {
            return tries.get(tries.size() - 1);
        }
    }

    record Call(Outcome outcome, Verdict verdict, boolean changed, String thread) {
    }

    private ScheduledThreadPoolExecutor timer;
    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private final List<ProbeLoop> loops = new ArrayList<>();

    @BeforeEach
    void setUp() {
        timer = ProbeTestSupport.newTimer();
    }

    @AfterEach
    void tearDown() {
        loops.forEach(ProbeLoop::stop);
        timer.shutdownNow();
    }

    static ProbeResult result(Outcome outcome) {
        return new ProbeResult(outcome, NOW, Duration.ofMillis(3), outcome.name().toLowerCase(), null);
    }

    private static ProbeSpec spec(Duration initialDelay, Duration period, Duration timeout, int failures, int successes) {
        return new ProbeSpec(new ProbeCheck.Tcp("127.0.0.1", 1), initialDelay, period, timeout, failures, successes);
    }

    private ProbeLoop loop(ProbeSpec spec, Probe probe) {
        ProbeLoop loop = new ProbeLoop("fake", spec, probe, timer, CLOCK, Runnable::run,
                (r, v, changed) -> calls.add(new Call(r.outcome(), v, changed, Thread.currentThread().getName())));
        loops.add(loop);
        return loop;
    }

    /** A loop that never ticks by itself, so only runNow starts tries. */
    private ProbeLoop manualLoop(Probe probe, int failures, int successes) {
        return loop(spec(Duration.ofHours(1), Duration.ofHours(1), Duration.ofSeconds(30), failures, successes), probe);
    }

    @Test
    void thresholdsDecideTheVerdictAcrossScheduledTries() {
        FakeProbe probe = new FakeProbe().answering(Outcome.OK, Outcome.OK, Outcome.FAIL, Outcome.OK, Outcome.FAIL,
                Outcome.FAIL, Outcome.DEGRADED, Outcome.OK);
        ProbeLoop loop = loop(spec(Duration.ZERO, Duration.ofMillis(5), Duration.ofSeconds(1), 2, 2), probe);
        loop.start();
        ProbeTestSupport.waitUntil(WAIT, () -> calls.size() >= 8, () -> "only " + calls.size() + " results");
        loop.stop();

        List<Verdict> verdicts = calls.stream().map(Call::verdict).toList();
        List<Boolean> changed = calls.stream().map(Call::changed).toList();
        assertEquals(List.of(Verdict.PENDING, Verdict.PASSING, Verdict.PASSING, Verdict.PASSING, Verdict.PASSING,
                Verdict.FAILING, Verdict.FAILING, Verdict.PASSING), verdicts.subList(0, 8));
        assertEquals(List.of(false, true, false, false, false, true, false, true), changed.subList(0, 8));
        assertEquals(Verdict.PASSING, loop.verdict());
        assertEquals(Duration.ofMillis(3), loop.lastSuccessLatency());
        assertEquals(NOW, loop.lastResult().at());
    }

    @Test
    void tickIsSkippedWhileATryIsInFlight() {
        FakeProbe probe = new FakeProbe();
        ProbeLoop loop = loop(spec(Duration.ZERO, Duration.ofMillis(10), Duration.ofSeconds(30), 1, 1), probe);
        loop.start();
        ProbeTestSupport.waitUntil(WAIT, () -> loop.ticksSkipped() >= 5, () -> loop.ticksSkipped() + " skipped");
        assertEquals(1, probe.tries.size(), "a tick started a second try while one was in flight");
        assertEquals(1, loop.checksStarted());
        assertTrue(loop.isInFlight());

        probe.tries.get(0).complete(result(Outcome.OK));
        ProbeTestSupport.waitUntil(WAIT, () -> probe.tries.size() >= 2, () -> "no try after the first ended");
        assertEquals(Outcome.OK, calls.get(0).outcome());
        assertEquals(Verdict.PASSING, calls.get(0).verdict());
    }

    @Test
    void runNowStartsATryUnlessOneIsInFlight() {
        FakeProbe probe = new FakeProbe();
        ProbeLoop loop = manualLoop(probe, 1, 1);
        loop.start();
        assertTrue(loop.runNow());
        assertFalse(loop.runNow(), "a second try while one is in flight");
        assertEquals(1, probe.tries.size());
        probe.last().complete(result(Outcome.DEGRADED));
        assertEquals(1, calls.size());
        assertEquals(new Call(Outcome.DEGRADED, Verdict.PASSING, true, Thread.currentThread().getName()),
                calls.get(0));
        assertTrue(loop.runNow());
        assertEquals(2, probe.tries.size());
        assertEquals(0, loop.ticksSkipped(), "runNow is not a tick");
    }

    @Test
    void resetDropsTheResultOfATryStartedBefore() {
        FakeProbe probe = new FakeProbe();
        ProbeLoop loop = manualLoop(probe, 1, 1);
        assertTrue(loop.runNow());
        probe.last().complete(result(Outcome.FAIL));
        assertEquals(Verdict.FAILING, loop.verdict());

        assertTrue(loop.runNow());
        loop.reset();
        assertEquals(Verdict.PENDING, loop.verdict());
        assertEquals(0, loop.consecutiveFailures());
        probe.last().complete(result(Outcome.FAIL));
        assertEquals(1, calls.size(), "a pre-reset result reached the listener");
        assertEquals(Verdict.PENDING, loop.verdict());
        assertNull(loop.lastResult());
        assertFalse(loop.isInFlight(), "the stale try kept its slot");
        assertTrue(loop.runNow());
    }

    @Test
    void resultRecordedBeforeResetIsNotDeliveredAfterIt() throws Exception {
        // Callbacks queue on a serial executor, like the engine's event thread, which is kept busy.
        ExecutorService events = Executors.newSingleThreadExecutor();
        try {
            FakeProbe probe = new FakeProbe();
            CompletableFuture<Void> gate = new CompletableFuture<>();
            events.execute(gate::join); // hold the event thread
            ProbeLoop loop = new ProbeLoop("fake", spec(Duration.ofHours(1), Duration.ofHours(1),
                    Duration.ofSeconds(30), 1, 1), probe, timer, CLOCK, events,
                    (r, v, c) -> calls.add(new Call(r.outcome(), v, c, Thread.currentThread().getName())));
            loops.add(loop);
            loop.runNow();
            probe.last().complete(result(Outcome.OK)); // recorded, delivery queued behind the gate
            assertEquals(Verdict.PASSING, loop.verdict());
            loop.reset(); // from another thread while the delivery waits in the queue
            gate.complete(null);
            events.submit(() -> { }).get(5, TimeUnit.SECONDS);
            assertTrue(calls.isEmpty(), "delivered after reset: " + calls);
        } finally {
            events.shutdownNow();
        }
    }

    @Test
    void stopCancelsTheTryInFlightAndNothingIsReportedAfter() {
        FakeProbe probe = new FakeProbe();
        ProbeLoop loop = manualLoop(probe, 1, 1);
        loop.start();
        loop.runNow();
        CompletableFuture<ProbeResult> inFlight = probe.last();
        loop.stop();
        assertTrue(inFlight.isCancelled(), "stop should abort the try in flight");
        assertTrue(calls.isEmpty(), "a cancelled try was reported: " + calls);
        assertFalse(loop.runNow());
        assertFalse(loop.status().running());
        loop.stop(); // idempotent
        assertThrows(IllegalStateException.class, loop::start);
    }

    @Test
    void aProbeThatNeverAnswersIsFailedByTheWatchdogAndTheLoopGoesOn() {
        FakeProbe probe = new FakeProbe();
        ProbeLoop loop = loop(spec(Duration.ofHours(1), Duration.ofHours(1), Duration.ofMillis(50), 1, 1), probe);
        long start = System.nanoTime();
        loop.runNow();
        ProbeTestSupport.waitUntil(WAIT, () -> !calls.isEmpty(), () -> "the watchdog never fired");
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertTrue(took.compareTo(Duration.ofMillis(50 + ProbeLoop.WATCHDOG_MARGIN_MILLIS)) >= 0, "took " + took);
        assertEquals(Verdict.FAILING, calls.get(0).verdict());
        assertEquals("probe gave no answer within 50 ms", loop.lastResult().message());
        assertTrue(probe.tries.get(0).isCancelled());
        assertTrue(loop.runNow());
    }

    @Test
    void aProbeThatBoundsItselfGetsNoWatchdog() {
        CompletableFuture<ProbeResult> pending = new CompletableFuture<>();
        Probe bounded = new Probe() {
            @Override
            public CompletableFuture<ProbeResult> check() {
                return pending;
            }

            @Override
            public boolean boundsItself() {
                return true;
            }
        };
        manualLoop(bounded, 1, 1).runNow();
        assertEquals(0, timer.getQueue().size(), "a watchdog was armed for a probe with its own deadline");

        manualLoop(new FakeProbe(), 1, 1).runNow();
        assertEquals(1, timer.getQueue().size(), "the watchdog for a probe without a deadline");
    }

    @Test
    void aProbeThatThrowsOrFailsItsFutureCountsAsFail() {
        Probe throwing = () -> {
            throw new IllegalStateException("boom");
        };
        ProbeLoop loop = manualLoop(throwing, 1, 1);
        assertTrue(loop.runNow());
        assertEquals(Outcome.FAIL, loop.lastResult().outcome());
        assertTrue(loop.lastResult().message().contains("boom"), loop.lastResult().message());
        assertFalse(loop.isInFlight());

        ProbeLoop failing = manualLoop(() -> CompletableFuture.failedFuture(new RuntimeException("bad")), 1, 1);
        failing.runNow();
        assertEquals(Outcome.FAIL, failing.lastResult().outcome());
        assertEquals(CLOCK.instant(), failing.lastResult().at());
    }

    @Test
    void aThrowingListenerDoesNotStopTheSchedule() {
        FakeProbe probe = new FakeProbe().answering(Outcome.OK, Outcome.OK, Outcome.OK);
        List<Outcome> seen = new CopyOnWriteArrayList<>();
        ProbeLoop loop = new ProbeLoop("fake", spec(Duration.ZERO, Duration.ofMillis(5), Duration.ofSeconds(1), 1, 1),
                probe, timer, CLOCK, Runnable::run, (r, v, c) -> {
                    seen.add(r.outcome());
                    throw new IllegalStateException("listener bug");
                });
        loops.add(loop);
        loop.start();
        ProbeTestSupport.waitUntil(WAIT, () -> seen.size() >= 3, () -> "only " + seen.size() + " results");
    }

    @Test
    void listenerRunsOnTheCallbackExecutor() throws Exception {
        ExecutorService events = Executors.newSingleThreadExecutor(r -> new Thread(r, "engine-events"));
        try {
            FakeProbe probe = new FakeProbe().answering(Outcome.OK);
            ProbeLoop loop = new ProbeLoop("fake", spec(Duration.ZERO, Duration.ofHours(1), Duration.ofSeconds(1), 1, 1),
                    probe, timer, CLOCK, events,
                    (r, v, c) -> calls.add(new Call(r.outcome(), v, c, Thread.currentThread().getName())));
            loops.add(loop);
            loop.start();
            ProbeTestSupport.waitUntil(WAIT, () -> !calls.isEmpty(), () -> "no result");
            assertEquals("engine-events", calls.get(0).thread());
        } finally {
            events.shutdownNow();
        }
    }

    @Test
    void badTimingIsRejectedWithTheProbeName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> loop(spec(Duration.ZERO, Duration.ZERO, Duration.ofSeconds(1), 1, 1), new FakeProbe()));
        assertEquals("probe \"fake\": period must be positive, got PT0S", e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> loop(spec(Duration.ofSeconds(-1), Duration.ofSeconds(1), Duration.ofSeconds(1), 1, 1),
                        new FakeProbe()));
    }
}
