package dev.nexus.services.connect;

import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs the timers of connections: retries, heartbeat checks, deadlines. Tasks must be quick (they
 * take a lock and start asynchronous I/O). An interface rather than a scheduler so that tests can fire
 * the timers by hand against an injected clock and check backoff without sleeping.
 */
@FunctionalInterface
public interface ConnectTimer {

    /** A task that may still be cancelled. */
    @FunctionalInterface
    interface Scheduled {
        void cancel();
    }

    Scheduled schedule(Duration delay, Runnable task);

    /** The delay in nanoseconds, at least 0 and at most about 292 years (a longer Duration overflows toNanos). */
    static long nanos(Duration delay) {
        if (delay.isNegative()) {
            return 0;
        }
        return delay.compareTo(Duration.ofNanos(Long.MAX_VALUE)) >= 0 ? Long.MAX_VALUE : delay.toNanos();
    }

    /** Timers on a shared scheduler (the engine's probe timer). A scheduler that is shut down runs nothing. */
    static ConnectTimer of(ScheduledExecutorService scheduler) {
        return (delay, task) -> {
            try {
                ScheduledFuture<?> f = scheduler.schedule(task, nanos(delay), TimeUnit.NANOSECONDS);
                return () -> f.cancel(false);
            } catch (RejectedExecutionException e) {
                return () -> { };
            }
        };
    }
}
