package dev.nexus.services.supervise;

import dev.nexus.services.catalog.RestartSpec;
import dev.nexus.services.health.FailureReason;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.random.RandomGenerator;

/**
 * Decides what happens after a daemon's process ends. Pure logic: time comes in as arguments,
 * randomness is injected, so every rule is testable without sleeping.
 *
 * <p>Rules (DESIGN.md "Restart policy"): a user stop is never restarted; exit 78 (EX_CONFIG) is a
 * configuration failure, not retried; otherwise on-failure restarts with exponential backoff; runs
 * shorter than {@code shortRun} are remembered, and enough of them inside {@code crashLoopWindow} is a
 * crash loop, which keeps retrying with a higher cap; a run that stays healthy for
 * {@code resetAfter} forgets all of it.
 */
public final class RestartPolicy {

    /** What to do after an exit. */
    public sealed interface Decision {
        /** Restart after {@code delay}; {@code attempt} counts consecutive restarts from 1. */
        record Restart(Duration delay, int attempt, boolean crashLoop) implements Decision {
        }

        /** Do not restart: a failure a restart cannot fix. */
        record Fail(FailureReason reason, String message) implements Decision {
        }

        /** Do not restart: the process ended as it should (or the policy says never). */
        record Stay(String message) implements Decision {
        }
    }

    private final RestartSpec spec;
    private final RandomGenerator random;
    private final Backoff backoff;
    private final Deque<Instant> shortRunEnds = new ArrayDeque<>();
    private int consecutiveRestarts;
    /** Sticky: once its restarts are spaced wider than the window, a loop must not look healed. */
    private boolean crashLoop;

    public RestartPolicy(RestartSpec spec, RandomGenerator random) {
        this.spec = spec;
        this.random = random;
        this.backoff = new Backoff(spec.initialDelay(), spec.multiplier(), spec.maxDelay(), spec.jitter());
    }

    /**
     * @param exit     how the process ended
     * @param ranFor   how long it ran
     * @param userStop true when the user asked for the stop (never restarted)
     * @param now      when it ended
     */
    public Decision onExit(ExitStatus exit, Duration ranFor, boolean userStop, Instant now) {
        if (userStop) {
            return new Decision.Stay("stopped");
        }
        if (exit.code() != null && exit.code() == ExitStatus.EX_CONFIG) {
            return new Decision.Fail(FailureReason.CONFIG, "exited with 78 (EX_CONFIG): the service reports that "
                    + "its configuration is invalid; fix it, then start it again");
        }
        boolean wanted = switch (spec.mode()) {
            case NEVER -> false;
            case ON_FAILURE -> !exit.isSuccess();
            case ALWAYS -> true;
        };
        if (!wanted) {
            return new Decision.Stay(exit.isSuccess() ? "exited cleanly" : "exited (" + exit.describe()
                    + "); restart policy is never");
        }
        if (ranFor.compareTo(spec.shortRun()) < 0) {
            shortRunEnds.addLast(now);
        }
        Instant windowStart = now.minus(spec.crashLoopWindow());
        while (!shortRunEnds.isEmpty() && shortRunEnds.peekFirst().isBefore(windowStart)) {
            shortRunEnds.removeFirst();
        }
        crashLoop |= shortRunEnds.size() >= spec.crashLoopRuns();
        Backoff effective = crashLoop ? backoff.withMax(spec.crashLoopMaxDelay()) : backoff;
        Duration delay = effective.delay(consecutiveRestarts, random);
        consecutiveRestarts++;
        return new Decision.Restart(delay, consecutiveRestarts, crashLoop);
    }

    /**
     * Called while the service is healthy; once it has been healthy since {@code healthySince} for
     * {@code resetAfter}, backoff and crash-loop memory are forgotten. Returns true if it reset.
     */
    public boolean resetIfStable(Instant healthySince, Instant now) {
        if (consecutiveRestarts == 0 && shortRunEnds.isEmpty() && !crashLoop) {
            return false;
        }
        if (Duration.between(healthySince, now).compareTo(spec.resetAfter()) >= 0) {
            reset();
            return true;
        }
        return false;
    }

    /** Forgets backoff and crash-loop memory (user restart, "Retry now", wake from sleep). */
    public void reset() {
        consecutiveRestarts = 0;
        shortRunEnds.clear();
        crashLoop = false;
    }

    public boolean inCrashLoop() {
        return crashLoop;
    }

    public int consecutiveRestarts() {
        return consecutiveRestarts;
    }

    public RestartSpec spec() {
        return spec;
    }
}
