package dev.nexus.services.engine;

import dev.nexus.services.catalog.ServiceSpec;
import dev.nexus.services.connect.Drop;
import dev.nexus.services.health.DisplayStatus;
import dev.nexus.services.health.FailureReason;
import dev.nexus.services.health.Health;
import dev.nexus.services.health.Lifecycle;
import dev.nexus.services.supervise.ExitStatus;
import dev.nexus.services.supervise.Ports;
import dev.nexus.services.supervise.RestartPolicy;
import dev.nexus.services.supervise.RestartPolicy.Decision;
import dev.nexus.services.support.Durations;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A daemon: one long-running process, whoever runs it. The embedded supervisor ({@link DaemonUnit}) and an
 * OS service manager ({@link ManagedDaemonUnit}) differ only in how a process is started, stopped and seen to
 * end; what happens around it is here, once: health probes and what their verdicts mean, the restart
 * policy's decisions after an exit (backoff, crash loop, FAILED without retry), sleep and the wake grace,
 * the refused gateway session, and the snapshot.
 *
 * <p>A "run" is one process of the service as the unit tracks it, from {@link #beginRun} to
 * {@link #endRun}; {@link #hasProcess()} is true in between.
 */
abstract class ProcessUnit extends ServiceUnit implements HealthTracker.Events {
    private static final Logger LOG = LoggerFactory.getLogger(ProcessUnit.class);
    /**
     * Without a startup probe, a fresh process counts as started only after living this long, so that
     * `start` does not report success for a program that exits at once (a bad flag, exit 78).
     */
    static final Duration MIN_UPTIME = Duration.ofSeconds(1);
    /** How long a stopped daemon's port may linger (TIME_WAIT does not count: we check listeners). */
    static final Duration PORT_RELEASE_TIMEOUT = Duration.ofSeconds(5);

    protected RestartPolicy policy;
    protected HealthTracker health;
    /** When the current run's process started. */
    protected Instant startedAt;
    protected int restarts;
    protected String lastExit;
    protected Instant lastExitAt;
    protected Instant nextRestartAt;
    protected boolean userStop;
    /** Why the engine itself is ending the run (liveness, start timeout), else null. */
    protected String internalStopReason;
    /**
     * The recovery of the last wake while this run is still on probation: a liveness restart it needs is
     * recorded there. Cleared once its liveness passes after the grace, or a new run begins.
     */
    protected RecoveryLog wakeLog;
    /** True while FAILED because the service's own gateway refused our session (the process runs on). */
    protected boolean rejectedByConnection;
    /** Bumped at every run, so late news about an earlier one is ignored. */
    protected int generation;
    private Instant healthySince;
    private ScheduledFuture<?> pendingRestart;
    private ScheduledFuture<?> stabilityCheck;

    ProcessUnit(EngineContext ctx, ServiceSpec spec) {
        super(ctx, spec);
        specChanged();
    }

    @Override
    protected void specChanged() {
        policy = new RestartPolicy(spec.restart(), ctx.random());
        health = new HealthTracker(ctx, spec.name(), spec.probes(), spec.children(), this::pid, this, false);
    }

    // ---- what a subclass provides ---------------------------------------------------------------

    /** The current run's pid, or -1; read from probe threads (process-alive probes). */
    protected abstract long pid();

    /** True while a run is tracked: the process is (as far as we know) alive. */
    protected abstract boolean hasProcess();

    /** The manager column: "embedded", "systemd", ... */
    protected abstract String managerId();

    /** The backoff is over, or a start was asked for: start the process (again). */
    protected abstract void relaunch();

    /** True while a start is already under way or a run is tracked, so a start asks for nothing. */
    protected abstract boolean launchingOrRunning();

    /** The startup budget ran out (already FAILED(start_timeout)): end the process without a restart. */
    protected abstract void stopAfterStartTimeout();

    /** Liveness failed ({@link #internalStopReason} says why): replace the process. */
    protected abstract void restartForLiveness();

    // ---- runs -----------------------------------------------------------------------------------

    /**
     * A run begins: probes start over (with the startup probe for a fresh process; an existing one is
     * probed as RUNNING), and without a startup probe a fresh run counts as started after {@link #MIN_UPTIME}.
     */
    protected final void beginRun(Instant processStartedAt, boolean fresh) {
        rejectedByConnection = false;
        int gen = ++generation;
        startedAt = processStartedAt;
        nextRestartAt = null;
        healthySince = null;
        internalStopReason = null;
        wakeLog = null;
        lifecycle = fresh ? Lifecycle.STARTING : Lifecycle.RUNNING;
        message = null;
        health.begin(fresh);
        if (fresh && spec.probes().startup() == null) {
            ctx.loop().schedule(() -> {
                if (gen == generation && lifecycle == Lifecycle.STARTING) {
                    startupPassed();
                }
            }, MIN_UPTIME.toMillis(), TimeUnit.MILLISECONDS);
        }
        changed();
    }

    /** The run's process is gone: probes stop; a refused session no longer counts against it. */
    protected final void endRun() {
        health.stop();
        if (rejectedByConnection) {
            // The failure was about the session, not the process: its exit is judged on its own.
            rejectedByConnection = false;
            if (lifecycle == Lifecycle.FAILED) {
                lifecycle = Lifecycle.RUNNING;
                failure = null;
                failureDetail = null;
            }
        }
        cancelStabilityCheck();
    }

    /** Remembers how the last process ended, for the snapshot. */
    protected final void recordExit(String described, Instant at) {
        lastExit = described;
        lastExitAt = at;
    }

    /**
     * After a run ended on its own (not by a stop): whether the engine is busy ending it itself, in which case
     * the exit needs no decision (a stop in progress finishes the transition; a start timeout or a refused
     * start already FAILED it).
     */
    protected final boolean exitExpected() {
        return lifecycle == Lifecycle.STOPPING || (internalStopReason != null && lifecycle == Lifecycle.FAILED);
    }

    /** The restart policy's verdict on an exit: what the run's end means. */
    protected final Decision judgeExit(ExitStatus exit, Duration ranFor) {
        return policy.onExit(exit, ranFor, userStop, ctx.clock().instant());
    }

    /**
     * Acts on the policy's verdict: BACKOFF or CRASH_LOOP with {@link #relaunch} scheduled after the delay,
     * FAILED, or STOPPED. {@code why} says what ended the run ("exit 3", "liveness failed (...)").
     */
    protected void applyDecision(Decision decision, String why) {
        if (decision instanceof Decision.Restart r) {
            lifecycle = r.crashLoop() ? Lifecycle.CRASH_LOOP : Lifecycle.BACKOFF;
            nextRestartAt = ctx.clock().instant().plus(r.delay());
            message = (r.crashLoop() ? "crash loop: " : "") + why + "; restarting in "
                    + Durations.humanize(r.delay()) + " (attempt " + r.attempt() + ")";
            LOG.info("{}: {}", spec.name(), message);
            pendingRestart = ctx.loop().schedule(this::restartDue, r.delay().toMillis(), TimeUnit.MILLISECONDS);
        } else if (decision instanceof Decision.Fail f) {
            LOG.warn("{}: failed: {}", spec.name(), f.message());
            fail(f.reason(), f.message());
            return;
        } else {
            lifecycle = Lifecycle.STOPPED;
            message = ((Decision.Stay) decision).message();
        }
        changed();
    }

    private void restartDue() {
        pendingRestart = null;
        if (lifecycle == Lifecycle.BACKOFF || lifecycle == Lifecycle.CRASH_LOOP) {
            restarts++;
            relaunch();
        }
    }

    protected final void cancelPendingRestart() {
        if (pendingRestart != null) {
            pendingRestart.cancel(false);
            pendingRestart = null;
        }
        nextRestartAt = null;
    }

    /**
     * A user's start resets the backoff. While the process runs but our gateway session was refused,
     * "Retry" means try the session again now; otherwise a start while one is under way is a no-op.
     */
    @Override
    CompletableFuture<Void> start(boolean byUser) {
        if (byUser) {
            policy.reset();
        }
        userStop = false;
        if (byUser && hasProcess() && rejectedByConnection) {
            health.retryConnections();
        } else if (!launchingOrRunning() && lifecycle != Lifecycle.STOPPING) {
            cancelPendingRestart();
            relaunch();
        }
        return CompletableFuture.completedFuture(null);
    }

    /** What every launch starts with: the newest spec, no failure, no restart pending. */
    protected final void beginLaunch() {
        applyPendingSpec();
        failure = null;
        failureDetail = null;
        nextRestartAt = null; // due now; a failure from here on is final
    }

    /** Polls, off the loop, until nothing listens on the service's port (when it has one). */
    protected final CompletableFuture<Void> awaitPortFree() {
        Integer port = spec.port();
        if (port == null) {
            return CompletableFuture.completedFuture(null);
        }
        return CompletableFuture.runAsync(() -> {
            if (!Ports.awaitFree(port, PORT_RELEASE_TIMEOUT)) {
                LOG.warn("{}: port {} still in use after the process tree exited", spec.name(), port);
            }
        }, ctx.blocking());
    }

    // ---- health ---------------------------------------------------------------------------------

    @Override
    Health health() {
        if (lifecycle == Lifecycle.RUNNING || lifecycle == Lifecycle.STARTING) {
            if (!health.active() && !health.inStartup()) {
                // Nothing checks it in steady state (no probes, or only a startup probe that passed):
                // healthy while the process lives.
                boolean steadyProbes = spec.probes().liveness() != null || spec.probes().readiness() != null
                        || !spec.children().isEmpty();
                return steadyProbes ? Health.UNKNOWN : Health.HEALTHY;
            }
            return health.health();
        }
        return Health.UNKNOWN;
    }

    @Override
    boolean settled() {
        return switch (lifecycle) {
            case RUNNING -> health() != Health.STARTING && health() != Health.UNKNOWN;
            case STARTING, STOPPING -> false;
            default -> true;
        };
    }

    @Override
    void probeNow() {
        health.probeNow();
    }

    @Override
    protected HealthTracker healthTracker() {
        return health;
    }

    /** Stops probing and timers; the process is left as it is. */
    protected final void detachProbes() {
        health.stop();
        cancelPendingRestart();
        cancelStabilityCheck();
    }

    @Override
    public void healthChanged() {
        changed();
    }

    @Override
    public void startupPassed() {
        lifecycle = Lifecycle.RUNNING;
        changed();
    }

    @Override
    public void startupFailed(String why) {
        if (rejectedByConnection) {
            return; // already FAILED(credentials) with the gateway's words; waiting for the token, not the clock
        }
        Duration budget = spec.probes().startup().period().multipliedBy(spec.probes().startup().failureThreshold());
        internalStopReason = "did not start within " + Durations.humanize(budget) + " (" + why + ")";
        fail(FailureReason.START_TIMEOUT, internalStopReason);
        stopAfterStartTimeout();
    }

    @Override
    public void livenessFailed(String why) {
        if (lifecycle != Lifecycle.RUNNING || !hasProcess()) {
            return;
        }
        if (wakeLog != null) {
            // Held through the grace and still failing: the wake left it alive but deaf.
            internalStopReason = "liveness failed after the wake grace (" + why + ")";
            wakeLog.restarted(spec.name(), "liveness failed after grace", why, ctx.clock().instant());
            wakeLog = null;
        } else {
            internalStopReason = "liveness failed (" + why + ")";
        }
        LOG.warn("{}: {}; restarting", spec.name(), internalStopReason);
        restartForLiveness();
    }

    /**
     * The gateway refused the engine's session (token, pairing, scope; or protocol): FAILED with the
     * gateway's own words, and no restart: a new process would be refused the same way. The process is
     * left running; the session waits for the token to change or for the user to retry.
     */
    @Override
    public void connectionRejected(Drop.Problem problem, String why) {
        if (!hasProcess() || (lifecycle != Lifecycle.RUNNING && lifecycle != Lifecycle.STARTING)) {
            return;
        }
        rejectedByConnection = true;
        LOG.warn("{}: the gateway refused the engine's session: {}", spec.name(), why);
        failRejected(problem, why);
    }

    @Override
    public void connectionAccepted() {
        if (!rejectedByConnection || !hasProcess()) {
            return;
        }
        rejectedByConnection = false;
        LOG.info("{}: the gateway accepted the engine's session again", spec.name());
        acceptedAgain();
    }

    /** Drops and redials every long-lived connection now, backoff reset (the wake hook calls this). */
    void forceReconnect() {
        health.forceReconnect();
    }

    // ---- sleep and wake -------------------------------------------------------------------------

    @Override
    void prepareForSleep() {
        wakeLog = null;
        super.prepareForSleep();
    }

    /**
     * Backoff is forgotten (what failed before the sleep says nothing about now); a process that is up
     * is probed under the grace; one that was waiting to restart is started at once.
     */
    @Override
    void onWake(RecoveryLog log) {
        policy.reset();
        super.onWake(log);
        // After the tracker entered its grace: until then onChange() would take it as recovered.
        wakeLog = hasProcess() ? log : null;
        if ((lifecycle == Lifecycle.BACKOFF || lifecycle == Lifecycle.CRASH_LOOP) && pendingRestart != null) {
            LOG.info("{}: woke while waiting to restart; starting it now", spec.name());
            cancelPendingRestart();
            log.retried(spec.name());
            restartDue();
        }
    }

    /** Keeps the restart policy's "healthy for a while resets backoff" rule, without polling. */
    @Override
    protected void onChange() {
        if (wakeLog != null && !health.inGrace() && health.livenessPassing()) {
            wakeLog = null; // recovered from the wake by itself
        }
        Health h = health();
        if (lifecycle == Lifecycle.RUNNING && h == Health.HEALTHY) {
            if (healthySince == null) {
                healthySince = ctx.clock().instant();
                cancelStabilityCheck();
                stabilityCheck = ctx.loop().schedule(() -> {
                    stabilityCheck = null;
                    if (healthySince != null && policy.resetIfStable(healthySince, ctx.clock().instant())) {
                        changed();
                    }
                }, spec.restart().resetAfter().toMillis() + 1, TimeUnit.MILLISECONDS);
            }
        } else {
            healthySince = null;
            cancelStabilityCheck();
        }
    }

    private void cancelStabilityCheck() {
        if (stabilityCheck != null) {
            stabilityCheck.cancel(false);
            stabilityCheck = null;
        }
    }

    // ---- the snapshot ---------------------------------------------------------------------------

    @Override
    ServiceSnapshot snapshot() {
        Health h = health();
        String text = message;
        boolean up = hasProcess();
        if ((lifecycle == Lifecycle.RUNNING || lifecycle == Lifecycle.STARTING) && up) {
            text = health.message();
        }
        long pid = pid();
        return new ServiceSnapshot(spec.name(), spec.displayName(), spec.kind().id(), managerId(), spec.enabled(),
                lifecycle, h, DisplayStatus.of(lifecycle, h),
                lifecycle == Lifecycle.FAILED && failure != null ? failure.id() : null, pendingNote(text),
                up && pid > 0 ? pid : null, up ? startedAt : null, restarts, lastExit, lastExitAt,
                up ? health.latencyMs() : null, nextRestartAt, policy.consecutiveRestarts(),
                !up ? (lifecycle == Lifecycle.FAILED ? failureDetail : null)
                        : ConnectionRejection.merge(lifecycle == Lifecycle.FAILED ? failureDetail : null, health.detail()),
                health.children(), null);
    }
}
