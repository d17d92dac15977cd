package dev.nexus.services.engine;

import dev.nexus.services.catalog.ServiceSpec;
import dev.nexus.services.connect.Drop;
import dev.nexus.services.credentials.use.ResolvedEnvironment;
import dev.nexus.services.health.FailureReason;
import dev.nexus.services.health.Health;
import dev.nexus.services.health.Lifecycle;
import dev.nexus.services.supervise.ChildProcess;
import dev.nexus.services.supervise.ExitStatus;
import dev.nexus.services.supervise.LaunchException;
import dev.nexus.services.supervise.LaunchRequest;
import dev.nexus.services.supervise.Ports;
import dev.nexus.services.supervise.RestartPolicy;
import dev.nexus.services.supervise.RestartPolicy.Decision;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A local long-running process kept up by the embedded supervisor. */
final class DaemonUnit extends ServiceUnit implements HealthTracker.Events {
    private static final Logger LOG = LoggerFactory.getLogger(DaemonUnit.class);
    /**
     * Without a startup probe, a fresh process counts as started only after living this long, so that
     * `start` does not report success for a program that exits at once (a bad flag, exit 78).
     */
    static final Duration MIN_UPTIME = Duration.ofSeconds(1);
    /** How long a stopped daemon's port may linger (TIME_WAIT does not count: we check listeners). */
    private static final Duration PORT_RELEASE_TIMEOUT = Duration.ofSeconds(5);

    private RestartPolicy policy;
    private HealthTracker health;
    private ChildProcess child;
    /** Bumped at every launch, so late news about an earlier process is ignored. */
    private int generation;
    private Instant startedAt;
    private Instant healthySince;
    private int restarts;
    private String lastExit;
    private Instant lastExitAt;
    private Instant nextRestartAt;
    private ScheduledFuture<?> pendingRestart;
    private ScheduledFuture<?> stabilityCheck;
    private boolean userStop;
    /** Why the engine itself is stopping the process (liveness, start timeout), else null. */
    private String internalStopReason;
    private CompletableFuture<Void> stopping;
    /** Bumped by every launch and stop, so that an environment resolved too late is dropped. */
    private int launchAttempt;
    /** True while a launch waits for its environment (credentials, login shell). */
    private boolean resolving;
    /**
     * The recovery of the last wake while this process is still on probation: a liveness restart it
     * needs is recorded there. Cleared once its liveness passes after the grace, or a new process runs.
     */
    private RecoveryLog wakeLog;
    /**
     * Set while what a process left running after dying unwatched is being stopped; completes (on the
     * loop) once that is done and the unit is STOPPED. Starts wait for it.
     */
    private CompletableFuture<Void> leftovers;
    private boolean startAfterLeftovers;
    /** True while FAILED because the service's own gateway refused our session (the process runs on). */
    private boolean rejectedByConnection;

    DaemonUnit(EngineContext ctx, ServiceSpec spec) {
        super(ctx, spec);
        specChanged();
    }

    @Override
    protected void specChanged() {
        policy = new RestartPolicy(spec.restart(), ctx.random());
        health = new HealthTracker(ctx, spec.name(), spec.probes(), spec.children(), this::pid, this, false);
    }

    private long pid() {
        ChildProcess c = child;
        return c == null ? -1 : c.pid();
    }

    private LaunchRequest launchRequest(ResolvedEnvironment env) {
        return new LaunchRequest(spec.name(), spec.command(), workingDir(), env.env(), spec.log(), env.secrets());
    }

    /**
     * Takes over a process a previous engine started, if the run dir proves it is ours. Adoption only
     * compares command lines; the environment is the one the process already has.
     *
     * @param secrets the values to redact from its re-attached output
     */
    boolean adopt(Set<String> secrets) {
        LaunchRequest request = new LaunchRequest(spec.name(), spec.command(), workingDir(), Map.of(), spec.log(), secrets);
        // Before adopt(), which forgets the record of a child that died while no engine ran.
        CompletableFuture<Void> left = ctx.launcher().stopLeftovers(request, spec.stopTimeout());
        Optional<ChildProcess> adopted = ctx.launcher().adopt(request);
        if (adopted.isEmpty()) {
            if (!left.isDone()) {
                awaitLeftovers(left);
            }
            return false;
        }
        attach(adopted.get(), false);
        LOG.info("{}: adopted pid {} started {}", spec.name(), child.pid(), child.startedAt());
        return true;
    }

    /**
     * The previous engine's process died while no engine ran and left processes of its group running
     * (a grandchild holding the port): they are being stopped, and a start waits for that.
     */
    private void awaitLeftovers(CompletableFuture<Void> left) {
        CompletableFuture<Void> settled = new CompletableFuture<>();
        leftovers = settled;
        lifecycle = Lifecycle.STOPPING;
        message = "stopping what the last process left running";
        changed();
        afterPortReleased(left).whenCompleteAsync((ok, error) -> {
            leftovers = null;
            if (error != null) {
                LOG.warn("{}: stopping what the last process left running failed: {}", spec.name(), error.getMessage());
            }
            lifecycle = Lifecycle.STOPPED;
            message = error == null ? null : "stop incomplete: " + error.getMessage();
            changed();
            if (startAfterLeftovers) {
                startAfterLeftovers = false;
                launch();
            }
            settled.complete(null);
        }, ctx.loop());
    }

    @Override
    CompletableFuture<Void> start(boolean byUser) {
        if (leftovers != null) {
            startAfterLeftovers = true;
            return CompletableFuture.completedFuture(null);
        }
        if (byUser) {
            policy.reset();
        }
        userStop = false;
        if (byUser && child != null && rejectedByConnection) {
            // The process is fine; the gateway refused our session. "Retry" means: try that again now.
            health.retryConnections();
            return CompletableFuture.completedFuture(null);
        }
        if (child != null || resolving || lifecycle == Lifecycle.STOPPING) {
            return CompletableFuture.completedFuture(null);
        }
        cancelPendingRestart();
        launch();
        return CompletableFuture.completedFuture(null);
    }

    private void launch() {
        applyPendingSpec();
        failure = null;
        failureDetail = null;
        nextRestartAt = null; // due now; a failure from here on is final
        Integer port = spec.port();
        if (port != null && Ports.isListening(port)) {
            OptionalLong owner = Ports.listenerPid(port);
            fail(FailureReason.PORT_IN_USE, "port " + port + " is already in use"
                    + (owner.isPresent() ? " by pid " + owner.getAsLong() + describeProcess(owner.getAsLong())
                    : " by another process") + "; stop it or change the port");
            return;
        }
        int attempt = ++launchAttempt;
        CompletableFuture<ResolvedEnvironment> env = resolveEnvironment();
        if (env.isDone()) {
            launchWith(attempt, env);
            return;
        }
        resolving = true;
        lifecycle = Lifecycle.STARTING;
        message = "resolving credentials";
        changed();
        env.whenCompleteAsync((ok, error) -> launchWith(attempt, env), ctx.loop());
    }

    private void launchWith(int attempt, CompletableFuture<ResolvedEnvironment> env) {
        if (attempt != launchAttempt) {
            return; // stopped (or started again) while the environment was being resolved
        }
        resolving = false;
        ResolvedEnvironment resolved;
        try {
            resolved = env.join();
        } catch (CompletionException | CancellationException e) {
            LOG.warn("{}: not started: {}", spec.name(), e.getCause() != null ? e.getCause().getMessage() : e.toString());
            failEnvironment(e);
            return;
        }
        try {
            attach(ctx.launcher().launch(launchRequest(resolved)), true);
            LOG.info("{}: started pid {}", spec.name(), child.pid());
        } catch (LaunchException e) {
            if (e.reason() != null) {
                fail(e.reason(), e.getMessage());
            } else {
                LOG.warn("{}: could not start: {}", spec.name(), e.getMessage());
                onExit(generation, new ExitStatus(null, ctx.clock().instant()), Duration.ZERO, e.getMessage());
            }
        }
    }

    private static String describeProcess(long pid) {
        return ProcessHandle.of(pid).flatMap(h -> h.info().command())
                .map(c -> " (" + java.nio.file.Path.of(c).getFileName() + ")").orElse("");
    }

    private void attach(ChildProcess process, boolean fresh) {
        child = process;
        rejectedByConnection = false;
        int gen = ++generation;
        startedAt = process.startedAt();
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
        Duration grace = spec.stopTimeout();
        process.exited().thenAccept(exit -> {
            Duration ranFor = Duration.between(process.startedAt(), exit.at());
            // What the process left in its group (a grandchild holding the port) must not outlive it:
            // it would be an orphan nobody supervises, and the restart would find the port taken.
            Set<Long> left = process.aliveTree();
            if (left.isEmpty()) {
                ctx.loop().execute(() -> onExit(gen, exit, ranFor, null));
                return;
            }
            ctx.loop().execute(() -> stoppingLeftovers(gen, exit, left));
            afterPortReleased(process.stop(grace)).whenCompleteAsync((stopped, error) -> {
                if (error != null) {
                    LOG.warn("{}: stopping what pid {} left running failed: {}", spec.name(), process.pid(),
                            error.getMessage());
                }
                onExit(gen, exit, ranFor, null);
            }, ctx.loop());
        });
        changed();
    }

    /** The process exited but left processes of its tree running; they are being stopped before anything else. */
    private void stoppingLeftovers(int gen, ExitStatus exit, Set<Long> left) {
        if (gen != generation || (lifecycle != Lifecycle.RUNNING && lifecycle != Lifecycle.STARTING)) {
            return; // a stop or a failure in progress already takes the tree down
        }
        LOG.warn("{}: pid {} ended ({}) leaving {} running in its process group; stopping {} before a restart",
                spec.name(), pid(), exit.describe(), left, left.size() == 1 ? "it" : "them");
        health.stop();
        lifecycle = Lifecycle.BACKOFF;
        message = exit.describe() + "; stopping what it left running (pid "
                + String.join(", ", left.stream().map(String::valueOf).toList()) + ")";
        changed();
    }

    private void onExit(int gen, ExitStatus exit, Duration ranFor, String launchError) {
        if (gen != generation) {
            return;
        }
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
        child = null;
        lastExit = launchError != null ? "failed to start" : exit.describe();
        lastExitAt = exit.at();
        if (lifecycle == Lifecycle.STOPPING) {
            changed(); // the stop in progress finishes the transition
            return;
        }
        if (internalStopReason != null && lifecycle == Lifecycle.FAILED) {
            changed();
            return;
        }
        String why = internalStopReason != null ? internalStopReason
                : launchError != null ? launchError : exit.describe();
        Decision decision = policy.onExit(exit, ranFor, userStop, ctx.clock().instant());
        if (decision instanceof Decision.Restart r) {
            lifecycle = r.crashLoop() ? Lifecycle.CRASH_LOOP : Lifecycle.BACKOFF;
            nextRestartAt = ctx.clock().instant().plus(r.delay());
            message = (r.crashLoop() ? "crash loop: " : "") + why + "; restarting in "
                    + dev.nexus.services.support.Durations.humanize(r.delay()) + " (attempt " + r.attempt() + ")";
            LOG.info("{}: {}", spec.name(), message);
            pendingRestart = ctx.loop().schedule(this::restartNow, r.delay().toMillis(), TimeUnit.MILLISECONDS);
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

    private void restartNow() {
        pendingRestart = null;
        if (lifecycle == Lifecycle.BACKOFF || lifecycle == Lifecycle.CRASH_LOOP) {
            restarts++;
            launch();
        }
    }

    private void cancelPendingRestart() {
        if (pendingRestart != null) {
            pendingRestart.cancel(false);
            pendingRestart = null;
        }
        nextRestartAt = null;
    }

    @Override
    CompletableFuture<Void> stop() {
        userStop = true;
        cancelPendingRestart();
        if (leftovers != null) {
            startAfterLeftovers = false;
            return leftovers;
        }
        if (stopping != null) {
            return stopping;
        }
        if (child == null) {
            launchAttempt++;
            resolving = false;
            markStopped();
            return CompletableFuture.completedFuture(null);
        }
        ChildProcess process = child;
        lifecycle = Lifecycle.STOPPING;
        message = "stopping";
        health.stop();
        changed();
        CompletableFuture<Void> done = afterPortReleased(process.stop(spec.stopTimeout()))
                .handleAsync((ok, error) -> {
                    stopping = null;
                    if (child == process) {
                        child = null;
                    }
                    lifecycle = Lifecycle.STOPPED;
                    failure = null;
                    message = error == null ? "stopped" : "stop incomplete: " + error.getMessage();
                    changed();
                    return null;
                }, ctx.loop());
        stopping = done;
        return done;
    }

    /**
     * Completes like {@code treeGone}, once the service's port is free too: the last thread of a killed
     * process may close its listening socket a moment after /proc shows the process as exited.
     */
    private CompletableFuture<Void> afterPortReleased(CompletableFuture<?> treeGone) {
        Integer port = spec.port();
        return treeGone.thenRunAsync(() -> {
            if (port != null && !Ports.awaitFree(port, PORT_RELEASE_TIMEOUT)) {
                LOG.warn("{}: port {} still in use after the process tree exited", spec.name(), port);
            }
        }, ctx.blocking());
    }

    @Override
    void detach() {
        health.stop();
        cancelPendingRestart();
        cancelStabilityCheck();
    }

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
        wakeLog = child != null ? log : null;
        if ((lifecycle == Lifecycle.BACKOFF || lifecycle == Lifecycle.CRASH_LOOP) && pendingRestart != null) {
            LOG.info("{}: woke while waiting to restart; starting it now", spec.name());
            cancelPendingRestart();
            log.retried(spec.name());
            restartNow();
        }
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
        internalStopReason = "did not start within " + dev.nexus.services.support.Durations.humanize(budget)
                + " (" + why + ")";
        fail(FailureReason.START_TIMEOUT, internalStopReason);
        if (child != null) {
            child.stop(spec.stopTimeout());
        }
    }

    @Override
    public void livenessFailed(String why) {
        if (lifecycle != Lifecycle.RUNNING || child == null) {
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
        child.stop(spec.stopTimeout());
    }

    /**
     * The gateway refused the engine's session (token, pairing, scope; or protocol): FAILED with the
     * gateway's own words, and no restart: a new process would be refused the same way. The process is
     * left running; the session waits for the token to change or for the user to retry.
     */
    @Override
    public void connectionRejected(Drop.Problem problem, String why) {
        if (child == null || (lifecycle != Lifecycle.RUNNING && lifecycle != Lifecycle.STARTING)) {
            return;
        }
        boolean credentials = problem == Drop.Problem.CREDENTIALS;
        rejectedByConnection = true;
        failureDetail = credentials ? ConnectionRejection.credentialDetail(spec) : null;
        LOG.warn("{}: the gateway refused the engine's session: {}", spec.name(), why);
        fail(credentials ? FailureReason.CREDENTIALS : FailureReason.CONFIG,
                ConnectionRejection.message(spec, problem, why));
    }

    @Override
    public void connectionAccepted() {
        if (!rejectedByConnection || child == null) {
            return;
        }
        rejectedByConnection = false;
        lifecycle = Lifecycle.RUNNING;
        failure = null;
        failureDetail = null;
        message = null;
        LOG.info("{}: the gateway accepted the engine's session again", spec.name());
        changed();
    }

    /** Drops and redials every long-lived connection now, backoff reset (the wake hook calls this). */
    void forceReconnect() {
        health.forceReconnect();
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

    @Override
    ServiceSnapshot snapshot() {
        Health h = health();
        String text = message;
        ChildProcess c = child;
        if ((lifecycle == Lifecycle.RUNNING || lifecycle == Lifecycle.STARTING) && c != null) {
            text = health.message();
        }
        return new ServiceSnapshot(spec.name(), spec.displayName(), spec.kind().id(), "embedded", spec.enabled(),
                lifecycle, h, dev.nexus.services.health.DisplayStatus.of(lifecycle, h),
                lifecycle == Lifecycle.FAILED && failure != null ? failure.id() : null, pendingNote(text),
                c == null ? null : c.pid(), c == null ? null : startedAt, restarts, lastExit, lastExitAt,
                c == null ? null : health.latencyMs(), nextRestartAt, policy.consecutiveRestarts(),
                c == null ? (lifecycle == Lifecycle.FAILED ? failureDetail : null)
                        : ConnectionRejection.merge(lifecycle == Lifecycle.FAILED ? failureDetail : null, health.detail()),
                health.children(), null);
    }
}
