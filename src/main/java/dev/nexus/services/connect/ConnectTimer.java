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

    /** Timers on a shared scheduler (the engine's probe timer). A scheduler that is shut down runs nothing. */
    static ConnectTimer of(ScheduledExecutorService scheduler) {
        return (delay, task) -> {
            try {
                ScheduledFuture<?> f = scheduler.schedule(task, Math.max(0, delay.toNanos()), TimeUnit.NANOSECONDS);
                return () -> f.cancel(false);
            } catch (RejectedExecutionException e) {
                return () -> { };
            }
        };
    }
}
