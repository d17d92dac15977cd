package dev.nexus.services.health;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nexus.services.health.ProbeResult.Outcome;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One probe try and its deadline. Whoever finishes first wins: the probe's own I/O, the deadline on
 * the timer, a cancel by the consumer, or the factory closing. Work that is abandoned (deadline,
 * cancel, close) runs its registered abort actions so no socket or process outlives the try.
 */
final class ProbeAttempt {
    private static final Logger LOG = LoggerFactory.getLogger(ProbeAttempt.class);

    private final CompletableFuture<ProbeResult> result = new CompletableFuture<>();
    private final long startNanos = System.nanoTime();
    private final Clock clock;
    private final Duration timeout;
    private final List<Runnable> abortActions = new ArrayList<>();
    private volatile String timeoutMessage;
    private boolean abandoned;
    private ScheduledFuture<?> deadline;

    ProbeAttempt(Clock clock, Duration timeout) {
        this.clock = clock;
        this.timeout = timeout;
        this.timeoutMessage = "timed out after " + ProbeFactory.describe(timeout);
        // A consumer that cancels (e.g. a stopped ProbeLoop) no longer wants the I/O either.
        result.whenComplete((r, e) -> {
            if (result.isCancelled()) {
                abandon();
            }
        });
    }

    /** Arms the deadline; if the timer refuses work the try fails at once instead of hanging. */
    void armDeadline(ScheduledExecutorService timer) {
        try {
            ScheduledFuture<?> f = timer.schedule(this::timeOut, timeout.toNanos(), TimeUnit.NANOSECONDS);
            synchronized (this) {
                deadline = f;
            }
            if (result.isDone()) {
                f.cancel(false);
            }
        } catch (RejectedExecutionException e) {
            finishAndAbandon(Outcome.FAIL, "probe timer is shut down");
        }
    }

    CompletableFuture<ProbeResult> future() {
        return result;
    }

    boolean isDone() {
        return result.isDone();
    }

    Duration timeout() {
        return timeout;
    }

    /** What a timeout means at this stage (a websocket that connected but got no pong says so). */
    void timeoutMessage(String message) {
        this.timeoutMessage = message;
    }

    /** Runs {@code action} if the try is abandoned; at once if it already was. */
    void onAbandon(Runnable action) {
        boolean runNow;
        synchronized (this) {
            runNow = abandoned;
            if (!runNow) {
                abortActions.add(action);
            }
        }
        if (runNow) {
            runQuietly(action);
        }
    }

    boolean ok(String message, JsonNode detail) {
        return finish(Outcome.OK, message, detail);
    }

    boolean fail(String message) {
        return finish(Outcome.FAIL, message, null);
    }

    boolean finish(Outcome outcome, String message, JsonNode detail) {
        Duration latency = Duration.ofNanos(System.nanoTime() - startNanos);
        boolean won = result.complete(new ProbeResult(outcome, clock.instant(), latency, message, detail));
        if (won) {
            ScheduledFuture<?> f;
            synchronized (this) {
                f = deadline;
            }
            if (f != null) {
                f.cancel(false);
            }
        }
        return won;
    }

    /** Ends the try from outside (factory closing); the I/O is aborted. */
    void finishAndAbandon(Outcome outcome, String message) {
        if (finish(outcome, message, null)) {
            abandon();
        }
    }

    private void timeOut() {
        finishAndAbandon(Outcome.FAIL, timeoutMessage);
    }

    private void abandon() {
        List<Runnable> actions;
        synchronized (this) {
            if (abandoned) {
                return;
            }
            abandoned = true;
            actions = List.copyOf(abortActions);
            abortActions.clear();
        }
        actions.forEach(ProbeAttempt::runQuietly);
    }

    private static void runQuietly(Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            LOG.debug("aborting a probe try failed", e);
        }
    }
}
