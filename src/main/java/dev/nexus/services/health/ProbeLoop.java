package dev.nexus.services.health;

import dev.nexus.services.catalog.ProbeSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one probe on a shared timer: first try after {@code initialDelay}, then one every
 * {@code period}. A tick that finds the previous try still in flight is skipped, so a slow service
 * never piles tries up. Results go through a {@link ProbeTracker} (thresholds) and then to the
 * listener.
 *
 * <p>Threads: ticks run on the timer and only start a try (probes return at once). Results are
 * recorded on whatever thread completed the probe, and the listener runs on {@code callbacks}.
 * Pass the engine's serial event executor there; {@code Runnable::run} is allowed, but then the
 * listener runs on the probe's I/O thread (the TCP selector, the HTTP pool or the timer) and must be
 * quick and must never block, or it delays every other probe.
 *
 * <p>Guarantees: after {@link #stop()} returns, no listener call starts; after {@link #reset()}
 * returns, no listener call starts for a result recorded before the reset. A call already running
 * on another thread at that moment may still finish; when {@code callbacks} is the thread that calls
 * stop/reset (a serial event executor), there is no such call and the guarantee is exact.
 *
 * <p>A probe that breaks its contract (its future never completes) is bounded here too: after
 * {@code timeout} + {@value #WATCHDOG_MARGIN_MILLIS} ms the try counts as FAIL and is cancelled. A
 * probe that {@linkplain Probe#boundsItself() bounds itself} gets no such watchdog.
 */
public final class ProbeLoop {
    private static final Logger LOG = LoggerFactory.getLogger(ProbeLoop.class);
    static final long WATCHDOG_MARGIN_MILLIS = 1000;

    /** Told about every result. Must be quick; see the class comment for the thread it runs on. */
    @FunctionalInterface
    public interface Listener {
        void onResult(ProbeResult result, Verdict verdict, boolean verdictChanged);
    }

    /** A consistent view of the loop at one moment. */
    public record Status(Verdict verdict, int consecutiveSuccesses, int consecutiveFailures,
                         ProbeResult lastResult, Duration lastSuccessLatency, Instant lastSuccessAt,
                         long checksStarted, long ticksSkipped, boolean inFlight, boolean running) {
    }

    /** One try in flight; the watchdog is set right after the probe returns its future. */
    private static final class Try {
        final long generation;
        CompletableFuture<ProbeResult> future;
        ScheduledFuture<?> watchdog;

        Try(long generation) {
            this.generation = generation;
        }
    }

    private final String name;
    private final ProbeSpec spec;
    private final Probe probe;
    private final ScheduledExecutorService timer;
    private final Clock clock;
    private final Executor callbacks;
    private final Listener listener;
    private final ProbeTracker tracker;

    // Guarded by this.
    private ScheduledFuture<?> schedule;
    private Try inFlight;
    private long checksStarted;
    private long ticksSkipped;
    private boolean started;
    // Written under this, read without it by callbacks about to run.
    private volatile long generation;
    private volatile boolean stopped;

    /**
     * @param name      for logs, e.g. "gateway liveness"
     * @param spec      timing and thresholds; {@code spec.check()} is informational here
     * @param probe     does the tries (normally from {@link ProbeFactory#create})
     * @param timer     shared scheduler; not owned
     * @param clock     stamps results the loop makes itself (a probe that failed to start or to answer)
     * @param callbacks where the listener runs; a serial executor keeps results in order
     */
    public ProbeLoop(String name, ProbeSpec spec, Probe probe, ScheduledExecutorService timer, Clock clock,
                     Executor callbacks, Listener listener) {
        this.name = Objects.requireNonNull(name, "name");
        this.spec = Objects.requireNonNull(spec, "spec");
        this.probe = Objects.requireNonNull(probe, "probe");
        this.timer = Objects.requireNonNull(timer, "timer");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.callbacks = Objects.requireNonNull(callbacks, "callbacks");
        this.listener = Objects.requireNonNull(listener, "listener");
        requirePositive(spec.period(), "period");
        requirePositive(spec.timeout(), "timeout");
        if (spec.initialDelay() == null || spec.initialDelay().isNegative()) {
            throw new IllegalArgumentException("probe \"" + name + "\": initialDelay must not be negative, got "
                    + spec.initialDelay());
        }
        this.tracker = new ProbeTracker(spec.successThreshold(), spec.failureThreshold());
    }

    private void requirePositive(Duration d, String field) {
        if (d == null || d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException("probe \"" + name + "\": " + field + " must be positive, got " + d);
        }
    }

    /** Starts the schedule. Idempotent; a stopped loop cannot be started again (make a new one). */
    public synchronized void start() {
        if (stopped) {
            throw new IllegalStateException("probe \"" + name + "\" was stopped; create a new loop");
        }
        if (started) {
            return;
        }
        started = true;
        schedule = timer.scheduleAtFixedRate(this::tick, spec.initialDelay().toNanos(), spec.period().toNanos(),
                TimeUnit.NANOSECONDS);
    }

    /**
     * Stops the schedule and cancels the try in flight (which aborts its I/O). Idempotent. See the
     * class comment for what is guaranteed about listener calls afterwards.
     */
    public void stop() {
        Try abandoned;
        synchronized (this) {
            if (stopped) {
                return;
            }
            stopped = true;
            if (schedule != null) {
                schedule.cancel(false);
            }
            abandoned = inFlight;
            inFlight = null;
            if (abandoned != null && abandoned.watchdog != null) {
                abandoned.watchdog.cancel(false);
            }
        }
        if (abandoned != null && abandoned.future != null) {
            abandoned.future.cancel(true);
        }
    }

    /**
     * Starts an extra try now (after a wake, or for a fresh status), unless one is in flight or the
     * loop is stopped. Works before {@link #start()} too. Returns whether a try was started.
     */
    public boolean runNow() {
        return startTry(false);
    }

    /**
     * Back to PENDING with zeroed counters, e.g. after the service restarted. A try in flight keeps
     * its slot until it ends, but its result is dropped.
     */
    public synchronized void reset() {
        generation++;
        tracker.reset();
    }

    private void tick() {
        try {
            startTry(true);
        } catch (RuntimeException | Error e) {
            // An exception would silently cancel the periodic schedule.
            LOG.error("probe \"{}\": starting a try failed", name, e);
        }
    }

    private boolean startTry(boolean fromTick) {
        Try t;
        synchronized (this) {
            if (stopped) {
                return false;
            }
            if (inFlight != null) {
                if (fromTick) {
                    ticksSkipped++;
                }
                return false;
            }
            t = new Try(generation);
            inFlight = t;
            checksStarted++;
        }
        CompletableFuture<ProbeResult> future;
        try {
            future = Objects.requireNonNull(probe.check(), "probe returned no future");
        } catch (RuntimeException e) {
            LOG.debug("probe \"{}\" failed to start", name, e);
            complete(t, ProbeResult.fail(clock.instant(), Duration.ZERO, "probe failed to start: " + ProbeFactory.message(e)));
            return true;
        }
        ScheduledFuture<?> watchdog = null;
        if (!future.isDone() && !probe.boundsItself()) {
            try {
                watchdog = timer.schedule(() -> answerLate(t), spec.timeout().toMillis() + WATCHDOG_MARGIN_MILLIS,
                        TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                LOG.debug("probe \"{}\": timer is shut down, no watchdog", name);
            }
        }
        boolean abandoned;
        synchronized (this) {
            t.future = future;
            t.watchdog = watchdog;
            abandoned = inFlight != t; // stop() ran while the probe was starting
        }
        if (abandoned) {
            if (watchdog != null) {
                watchdog.cancel(false);
            }
            future.cancel(true);
            return true;
        }
        future.whenComplete((result, error) -> complete(t, result != null ? result
                : ProbeResult.fail(clock.instant(), Duration.ZERO,
                        "probe failed: " + ProbeFactory.message(ProbeFactory.unwrap(error)))));
        return true;
    }

    private void answerLate(Try t) {
        CompletableFuture<ProbeResult> future;
        synchronized (this) {
            future = t.future;
        }
        complete(t, ProbeResult.fail(clock.instant(), spec.timeout(),
                "probe gave no answer within " + ProbeFactory.describe(spec.timeout())));
        if (future != null) {
            future.cancel(true);
        }
    }

    private void complete(Try t, ProbeResult result) {
        ProbeTracker.Transition transition;
        long gen;
        synchronized (this) {
            if (inFlight != t) {
                return; // the watchdog or stop() already ended this try
            }
            inFlight = null;
            if (t.watchdog != null) {
                t.watchdog.cancel(false);
            }
            if (stopped || t.generation != generation) {
                return;
            }
            transition = tracker.record(result);
            gen = generation;
        }
        try {
            callbacks.execute(() -> deliver(result, transition, gen));
        } catch (RejectedExecutionException e) {
            LOG.debug("probe \"{}\": callback executor is shut down, result dropped", name);
        }
    }

    private void deliver(ProbeResult result, ProbeTracker.Transition transition, long gen) {
        if (stopped || gen != generation) {
            return;
        }
        try {
            listener.onResult(result, transition.verdict(), transition.changed());
        } catch (RuntimeException e) {
            LOG.warn("probe \"{}\": listener failed", name, e);
        }
    }

    public String name() {
        return name;
    }

    public ProbeSpec spec() {
        return spec;
    }

    public synchronized Status status() {
        return new Status(tracker.verdict(), tracker.consecutiveSuccesses(), tracker.consecutiveFailures(),
                tracker.lastResult(), tracker.lastSuccessLatency(), tracker.lastSuccessAt(), checksStarted,
                ticksSkipped, inFlight != null, started && !stopped);
    }

    public synchronized Verdict verdict() {
        return tracker.verdict();
    }

    public synchronized ProbeResult lastResult() {
        return tracker.lastResult();
    }

    /** Latency of the latest OK or DEGRADED result, or null if none since start or reset. */
    public synchronized Duration lastSuccessLatency() {
        return tracker.lastSuccessLatency();
    }

    public synchronized int consecutiveSuccesses() {
        return tracker.consecutiveSuccesses();
    }

    public synchronized int consecutiveFailures() {
        return tracker.consecutiveFailures();
    }

    public synchronized boolean isInFlight() {
        return inFlight != null;
    }

    /** Ticks that found a try still in flight and so started none. */
    public synchronized long ticksSkipped() {
        return ticksSkipped;
    }

    public synchronized long checksStarted() {
        return checksStarted;
    }
}
