package dev.nexus.services.engine;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nexus.services.catalog.ManagerKind;
import dev.nexus.services.catalog.ServiceSpec;
import dev.nexus.services.health.FailureReason;
import dev.nexus.services.health.Lifecycle;
import dev.nexus.services.manager.GeneratedFile;
import dev.nexus.services.manager.ManagedState;
import dev.nexus.services.manager.ManagerException;
import dev.nexus.services.manager.ServiceManager;
import dev.nexus.services.supervise.ExitStatus;
import dev.nexus.services.supervise.Ports;
import dev.nexus.services.supervise.RestartPolicy.Decision;
import dev.nexus.services.support.Durations;
import dev.nexus.services.support.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A daemon kept running by an OS service manager (systemd --user, launchd) instead of the embedded
 * supervisor. The manager owns the process and restarts it on failure; the engine still probes its health,
 * counts its restarts and decides about crash loops.
 *
 * <p>Start installs the service's definition when it is missing or out of date (install is idempotent), then
 * starts it. Stop asks the manager to stop it and reports STOPPED only once the manager says it is not
 * running and its port is free. Everything else is learned by asking the manager for the service's
 * {@link ManagedState} on a schedule: every {@link #FAST_POLL} while starting, stopping or waiting for a
 * restart, every {@link #STEADY_POLL} while it runs, every {@link #IDLE_POLL} while it is stopped or failed
 * (the OS may start it at login, the user with systemctl). Every call to the manager runs off the loop
 * ({@link ManagerCalls}); its result comes back to the loop like a probe result.
 *
 * <p>What a state means: the same pid running is the same run; a higher restart counter (or, where the
 * manager keeps none, a new pid) means the manager restarted it, and every restart is an exit the
 * {@link dev.nexus.services.supervise.RestartPolicy} judges as it would judge an embedded one. Restarts the
 * manager already made are not made again; a crash loop is stopped in the manager and retried with the
 * policy's capped backoff; exit 78 and other final verdicts stop it in the manager (launchd's KeepAlive
 * would start it again). Liveness failures restart it through the manager.
 *
 * <p>After an engine restart the service is only asked about: a running one is taken as it is, one that is
 * wanted up and not running is started. The engine's own exit leaves it to the manager.
 */
final class ManagedDaemonUnit extends ProcessUnit {
    private static final Logger LOG = LoggerFactory.getLogger(ManagedDaemonUnit.class);
    static final Duration FAST_POLL = Duration.ofMillis(200);
    static final Duration STEADY_POLL = Duration.ofSeconds(2);
    static final Duration IDLE_POLL = Duration.ofSeconds(10);
    /** State queries that fail in a row before the service shows FAILED(manager). */
    static final int POLL_FAILURES_TO_FAIL = 3;
    /** How long a started service may take to show up as running before the manager is blamed. */
    static final Duration START_WAIT = Duration.ofSeconds(30);
    /** On top of the service's stop timeout (the manager's own SIGTERM-to-SIGKILL wait). */
    private static final Duration STOP_SLACK = Duration.ofSeconds(5);
    private static final long STOP_CHECK_MILLIS = 100;

    private final ServiceManager manager;
    private final ManagerKind kind;
    private final ManagerCalls calls;

    /** True while a run is tracked; {@link #runPid} is its pid when the manager said (else -1). */
    private boolean tracking;
    private volatile long runPid = -1;
    /** The manager's restart counter at the last look, or null when it keeps none. */
    private Integer counterSeen;
    private Instant lookedAt;
    /** Bumped by every start, stop and restart call, so that a state asked for before it is dropped. */
    private int callEpoch;
    /** Bumped by every start and stop, so that a start that finishes after a stop is dropped. */
    private int launchAttempt;
    private boolean startInFlight;
    private CompletableFuture<Void> stopping;
    private ScheduledFuture<?> pollTimer;
    private boolean pollInFlight;
    private int pollFailures;
    /** FAILED(manager) because the manager could not be asked; a good answer lifts it. */
    private boolean pollBroken;
    /** Liveness failed: restart through the manager once a fresh look shows it has not done so itself. */
    private boolean livenessRestartWanted;
    /** Set by {@link #resume}: start it at the first look unless it already runs. */
    private boolean resumeWanted;
    private boolean detached;

    ManagedDaemonUnit(EngineContext ctx, ServiceSpec spec, ServiceManager manager) {
        super(ctx, spec);
        this.manager = manager;
        this.kind = manager.kind();
        this.calls = new ManagerCalls(ctx.blocking());
        lifecycle = Lifecycle.UNKNOWN;
        message = "asking " + kind.id();
        schedulePoll(Duration.ZERO);
    }

    ManagerKind kind() {
        return kind;
    }

    @Override
    protected long pid() {
        return runPid; // -1 whenever no run is tracked
    }

    @Override
    protected boolean hasProcess() {
        return tracking;
    }

    @Override
    protected String managerId() {
        return kind.id();
    }

    /**
     * After an engine restart: ask the manager, take a running service as it is, and start one that is
     * wanted up and not running. Never a second copy: the manager runs at most one.
     */
    void resume(boolean wantedUp) {
        resumeWanted = wantedUp;
        schedulePoll(Duration.ZERO);
    }

    // ---- start ----------------------------------------------------------------------------------

    @Override
    CompletableFuture<Void> start(boolean byUser) {
        resumeWanted = false;
        return super.start(byUser);
    }

    @Override
    protected boolean launchingOrRunning() {
        return tracking || startInFlight;
    }

    @Override
    protected void relaunch() {
        beginLaunch();
        pollBroken = false;
        lifecycle = Lifecycle.STARTING;
        message = "starting under " + kind.id();
        int attempt = ++launchAttempt;
        startInFlight = true;
        callEpoch++;
        changed();
        // The manager runs the exec shim, which resolves the credentials itself; resolving them here too
        // turns a missing one into FAILED(credentials) with "Set credential…" rather than an exit 78.
        resolveEnvironment().whenCompleteAsync((env, error) -> {
            if (attempt != launchAttempt) {
                return;
            }
            if (error != null) {
                startInFlight = false;
                LOG.warn("{}: not started: {}", spec.name(), ManagerCalls.cause(error).getMessage());
                failEnvironment(error);
                return;
            }
            ServiceSpec target = spec;
            callEpoch++;
            calls.submit(() -> startInManager(target))
                    .whenCompleteAsync((outcome, failed) -> started(attempt, outcome, failed), ctx.loop());
        }, ctx.loop());
    }

    /** What a start call found. */
    private record StartOutcome(ManagedState state, boolean wasRunning, boolean restarted, OptionalLong portOwner,
                                boolean portTaken) {
        static StartOutcome of(ManagedState state, boolean wasRunning, boolean restarted) {
            return new StartOutcome(state, wasRunning, restarted, OptionalLong.empty(), false);
        }
    }

    /** On a worker: install when needed, then start; a running service is left as it is. */
    private StartOutcome startInManager(ServiceSpec target) throws ManagerException {
        ManagedState before = manager.state(target.name());
        if (before.running()) {
            return StartOutcome.of(before, true, false);
        }
        Integer port = target.port();
        if (port != null && Ports.isListening(port)) {
            return new StartOutcome(before, false, false, Ports.listenerPid(port), true);
        }
        if (needsInstall(target, before)) {
            LOG.info("{}: installing under {}", target.name(), kind.id());
            manager.install(target);
        }
        manager.start(target.name());
        return StartOutcome.of(manager.state(target.name()), false, false);
    }

    /** Not installed, or a file the install would write differs from what is on disk. */
    private boolean needsInstall(ServiceSpec target, ManagedState state) {
        if (!state.installed()) {
            return true;
        }
        for (GeneratedFile file : manager.installPlan(target).write()) {
            try {
                if (!Files.isRegularFile(file.path())
                        || !Files.readString(file.path(), StandardCharsets.UTF_8).equals(file.content())) {
                    return true;
                }
            } catch (IOException e) {
                return true;
            }
        }
        return false;
    }

    private void started(int attempt, StartOutcome outcome, Throwable error) {
        if (attempt != launchAttempt) {
            return; // stopped meanwhile
        }
        startInFlight = false;
        Instant now = ctx.clock().instant();
        if (error != null) {
            failManager("could not start it", error);
            schedulePoll(IDLE_POLL);
            return;
        }
        if (outcome.portTaken()) {
            OptionalLong owner = outcome.portOwner();
            fail(FailureReason.PORT_IN_USE, "port " + spec.port() + " is already in use"
                    + (owner.isPresent() ? " by pid " + owner.getAsLong() + DaemonUnit.describeProcess(owner.getAsLong())
                    : " by another process") + "; stop it or change the port");
            schedulePoll(IDLE_POLL);
            return;
        }
        ManagedState s = outcome.state();
        counterSeen = s.restarts().isPresent() ? s.restarts().getAsInt() : null;
        lookedAt = now;
        if (outcome.restarted() && s.lastExit().isPresent()) {
            recordExit(exitOf(s, now).describe(), now);
        }
        if (s.running()) {
            // Probed as a fresh process even when the manager had it up already: it may have just restarted
            // it, and the startup probe passes at once for one that is ready.
            beginManagedRun(s, true);
            if (outcome.wasRunning()) {
                LOG.info("{}: {} had it running already (pid {}); not started again", spec.name(), kind.id(), runPid);
            } else {
                LOG.info("{}: started under {} (pid {})", spec.name(), kind.id(), runPid);
            }
        } else {
            lookWhileStarting(s, 0, now);
            int token = launchAttempt;
            ctx.loop().schedule(() -> {
                if (token == launchAttempt && lifecycle == Lifecycle.STARTING && !tracking && !startInFlight) {
                    fail(FailureReason.MANAGER, kind.id() + " did not report " + spec.name() + " running within "
                            + Durations.humanize(START_WAIT) + " of starting it (" + s.detail() + ")");
                }
            }, START_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        }
        schedulePoll(nextPoll());
    }

    private void beginManagedRun(ManagedState s, boolean fresh) {
        tracking = true;
        runPid = s.pid().orElse(-1);
        failure = null;
        failureDetail = null;
        Instant now = ctx.clock().instant();
        Instant processStart = runPid > 0
                ? ProcessHandle.of(runPid).flatMap(h -> h.info().startInstant()).orElse(now) : now;
        beginRun(processStart, fresh);
    }

    private void untrack() {
        if (tracking) {
            endRun();
        }
        tracking = false;
        runPid = -1;
    }

    // ---- stop -----------------------------------------------------------------------------------

    @Override
    CompletableFuture<Void> stop() {
        userStop = true;
        cancelPendingRestart();
        if (stopping != null) {
            return stopping;
        }
        launchAttempt++;
        startInFlight = false;
        livenessRestartWanted = false;
        resumeWanted = false;
        untrack();
        lifecycle = Lifecycle.STOPPING;
        message = "stopping";
        callEpoch++;
        changed();
        CompletableFuture<Void> done = calls.submit(this::stopInManagerAndWait)
                .thenCompose(s -> awaitPortFree().thenApply(v -> s))
                .handleAsync((s, error) -> {
                    stopping = null;
                    if (error != null) {
                        failManager("could not stop it", error);
                    } else {
                        counterSeen = s.restarts().isPresent() ? s.restarts().getAsInt() : null;
                        lookedAt = ctx.clock().instant();
                        lifecycle = Lifecycle.STOPPED;
                        failure = null;
                        message = "stopped";
                        changed();
                    }
                    schedulePoll(nextPoll());
                    return null;
                }, ctx.loop());
        stopping = done;
        return done;
    }

    /** On a worker: stop it, then wait until the manager says it is not running. */
    private ManagedState stopInManagerAndWait() throws ManagerException, InterruptedException {
        String name = spec.name();
        ManagedState s = manager.state(name);
        if (!s.installed()) {
            return s;
        }
        manager.stop(name);
        long deadline = System.nanoTime() + spec.stopTimeout().plus(STOP_SLACK).toNanos();
        while (true) {
            s = manager.state(name);
            if (!s.running()) {
                return s;
            }
            if (System.nanoTime() > deadline) {
                throw new ManagerException(kind.id() + " still reports " + name + " running ("
                        + s.detail() + ") " + Durations.humanize(spec.stopTimeout().plus(STOP_SLACK))
                        + " after stopping it");
            }
            Thread.sleep(STOP_CHECK_MILLIS);
        }
    }

    /**
     * Stops it, then removes its definition from the manager, so that the OS does not start it at the next
     * login: it moves to another manager or leaves the catalog. Fails (leaving this unit in charge) when the
     * manager could not do either, so that no second copy is started elsewhere.
     */
    @Override
    CompletableFuture<Void> retire() {
        return stop().thenComposeAsync(v -> {
            if (lifecycle != Lifecycle.STOPPED) {
                return CompletableFuture.failedFuture(new ManagerException(spec.name() + " is still under "
                        + kind.id() + ": " + message));
            }
            return calls.submit(() -> manager.uninstall(spec.name())).handleAsync((plan, error) -> {
                if (error != null) {
                    failManager("could not remove it from " + kind.id(), error);
                    throw new CompletionException(ManagerCalls.cause(error));
                }
                LOG.info("{}: removed from {}", spec.name(), kind.id());
                message = "removed from " + kind.id();
                changed();
                detach();
                return (Void) null;
            }, ctx.loop());
        }, ctx.loop());
    }

    /** The engine is going away: stop asking and probing; the manager keeps the service. */
    @Override
    void detach() {
        detached = true;
        if (pollTimer != null) {
            pollTimer.cancel(false);
            pollTimer = null;
        }
        detachProbes();
    }

    // ---- looking at the manager's state ---------------------------------------------------------

    private void schedulePoll(Duration after) {
        if (detached) {
            return;
        }
        if (pollTimer != null) {
            pollTimer.cancel(false);
        }
        pollTimer = ctx.loop().schedule(this::poll, after.toMillis(), TimeUnit.MILLISECONDS);
    }

    private Duration nextPoll() {
        if (livenessRestartWanted || lifecycle == Lifecycle.STARTING || lifecycle == Lifecycle.STOPPING
                || lifecycle == Lifecycle.BACKOFF || lifecycle == Lifecycle.UNKNOWN) {
            return FAST_POLL;
        }
        return lifecycle.isActive() || tracking ? STEADY_POLL : IDLE_POLL;
    }

    private void poll() {
        pollTimer = null;
        if (detached || pollInFlight) {
            return; // the answer on its way schedules the next look
        }
        pollInFlight = true;
        int epoch = callEpoch;
        calls.submit(() -> manager.state(spec.name())).whenCompleteAsync((s, error) -> {
            pollInFlight = false;
            if (detached) {
                return;
            }
            if (epoch == callEpoch && !startInFlight && stopping == null) {
                if (error != null) {
                    lookFailed(error);
                } else {
                    pollFailures = 0;
                    look(s);
                }
            }
            schedulePoll(nextPoll());
        }, ctx.loop());
    }

    private void lookFailed(Throwable error) {
        pollFailures++;
        String words = ManagerCalls.cause(error).getMessage();
        LOG.warn("{}: cannot ask {} about it ({} in a row): {}", spec.name(), kind.id(), pollFailures, words);
        if (resumeWanted) {
            resumeWanted = false;
            start(false); // its own calls say what is wrong, in the manager's words
            return;
        }
        if (pollFailures >= POLL_FAILURES_TO_FAIL && !pollBroken) {
            untrack();
            cancelPendingRestart();
            pollBroken = true;
            failManager("cannot ask " + kind.id() + " about it", error);
        } else if (lifecycle == Lifecycle.UNKNOWN) {
            message = "asking " + kind.id() + ": " + words;
            changed();
        }
    }

    /** What a fresh state means for the run the unit tracks (or waits for). On the loop. */
    private void look(ManagedState s) {
        Instant now = ctx.clock().instant();
        Instant previousLook = lookedAt != null ? lookedAt : now;
        int counted = restartsSinceLastLook(s);
        lookedAt = now;
        if (pollBroken) {
            // The manager answers again: start over from what it says.
            pollBroken = false;
            if (lifecycle == Lifecycle.FAILED && failure == FailureReason.MANAGER) {
                lifecycle = Lifecycle.STOPPED;
                failure = null;
                failureDetail = null;
                message = null;
                changed();
            }
        }
        long pid = s.pid().orElse(-1);
        if (tracking) {
            boolean sameRun = s.running() && counted == 0 && (pid <= 0 || runPid <= 0 || pid == runPid);
            if (sameRun) {
                if (runPid <= 0 && pid > 0) {
                    runPid = pid;
                    changed();
                }
                if (livenessRestartWanted) {
                    restartInManager(now);
                }
                return;
            }
            livenessRestartWanted = false;
            runEnded(s, counted, now);
        } else if (lifecycle == Lifecycle.BACKOFF || lifecycle == Lifecycle.CRASH_LOOP) {
            waitingLook(s, counted, previousLook, now);
        } else if (lifecycle == Lifecycle.STARTING) {
            lookWhileStarting(s, counted, now);
        } else if (s.running()) {
            // Stopped, failed or not known yet, and running: the OS started it (at login), or someone did.
            resumeWanted = false;
            beginManagedRun(s, false);
            LOG.info("{}: running under {} (pid {}); taken as it is", spec.name(), kind.id(), runPid);
        } else {
            if (lifecycle == Lifecycle.UNKNOWN) {
                lifecycle = Lifecycle.STOPPED;
                message = !spec.enabled() ? "disabled" : s.installed() ? null : "not installed in " + kind.id() + " yet";
                changed();
            }
            if (resumeWanted) {
                resumeWanted = false;
                LOG.info("{}: was up before the engine restarted; starting it under {}", spec.name(), kind.id());
                start(false);
            }
        }
    }

    /** How many times the manager restarted it since the last look, from its counter; 0 when it keeps none. */
    private int restartsSinceLastLook(ManagedState s) {
        if (s.restarts().isEmpty()) {
            counterSeen = null;
            return 0;
        }
        int now = s.restarts().getAsInt();
        int counted = counterSeen == null ? 0 : Math.max(0, now - counterSeen);
        counterSeen = now;
        return counted;
    }

    /**
     * The tracked run is over. The manager may have restarted it already ({@code counted} times, or once
     * when only the pid tells), and it may be down again: every run that ended is an exit for the policy.
     */
    private void runEnded(ManagedState s, int counted, Instant now) {
        int managerRestarts = counted > 0 ? counted : (s.running() ? 1 : 0);
        int ends = managerRestarts + (s.running() ? 0 : 1);
        Duration ranFor = Duration.between(startedAt != null ? startedAt : now, now).dividedBy(ends);
        untrack();
        restarts += managerRestarts;
        judgeEnds(s, ends, ranFor, now);
    }

    /** Waiting to restart (BACKOFF) or stopped in the manager after a crash loop (CRASH_LOOP). */
    private void waitingLook(ManagedState s, int counted, Instant previousLook, Instant now) {
        if (s.running()) {
            // The manager brought it back (its own restart, or the user's): the exit is judged already.
            cancelPendingRestart();
            int managerRestarts = Math.max(1, counted);
            restarts += managerRestarts;
            if (managerRestarts > 1) {
                // It also ended and came back in between: those exits count too.
                judgeEnds(s, managerRestarts - 1, Duration.between(previousLook, now).dividedBy(managerRestarts), now);
            } else {
                beginManagedRun(s, true);
            }
        } else if (counted > 0) {
            // Restarted and down again between two looks.
            restarts += counted;
            cancelPendingRestart();
            judgeEnds(s, counted, Duration.between(previousLook, now).dividedBy(counted), now);
        }
    }

    /** Started (or restarted) and not seen running yet. */
    private void lookWhileStarting(ManagedState s, int counted, Instant now) {
        if (s.running() && counted == 0) {
            beginManagedRun(s, true);
        } else if (s.running() || counted > 0 || s.lastExit().isPresent()) {
            // It ended before we saw it run, perhaps more than once.
            restarts += counted;
            judgeEnds(s, counted + (s.running() ? 0 : 1), Duration.ZERO, now);
        }
    }

    /**
     * Feeds {@code ends} exits (with the manager's last exit status) to the restart policy and acts on its
     * last verdict. A restart the manager already made (it runs again) is not made again: that run is tracked.
     */
    private void judgeEnds(ManagedState s, int ends, Duration ranFor, Instant now) {
        ExitStatus exit = exitOf(s, now);
        recordExit(exit.describe(), now);
        Decision decision = null;
        for (int i = 0; i < Math.max(1, ends); i++) {
            decision = judgeExit(exit, ranFor);
        }
        if (s.running() && decision instanceof Decision.Restart r && !r.crashLoop()) {
            beginManagedRun(s, true);
            LOG.info("{}: {}; {} restarted it (pid {})", spec.name(), exit.describe(), kind.id(), runPid);
            return;
        }
        applyManagedDecision(decision, exit.describe());
    }

    private static ExitStatus exitOf(ManagedState s, Instant at) {
        return new ExitStatus(s.lastExit().isPresent() ? s.lastExit().getAsInt() : null, at);
    }

    /**
     * BACKOFF: the manager restarts it when it does; our timer starts it if the manager does not. CRASH_LOOP,
     * FAILED and STOPPED: it is stopped in the manager, which would otherwise go on restarting it (launchd's
     * KeepAlive), and only our timer or the user starts it again.
     */
    private void applyManagedDecision(Decision decision, String why) {
        applyDecision(decision, why);
        boolean plainBackoff = decision instanceof Decision.Restart r && !r.crashLoop();
        if (!plainBackoff) {
            stopInManager(why);
        }
    }

    private void stopInManager(String why) {
        callEpoch++;
        Lifecycle expected = lifecycle;
        calls.submit(() -> {
            manager.stop(spec.name());
            return null;
        }).whenCompleteAsync((ok, error) -> {
            if (error == null) {
                LOG.info("{}: stopped under {} ({})", spec.name(), kind.id(), why);
            } else if (lifecycle == expected && expected == Lifecycle.CRASH_LOOP) {
                // It may still be looping under the manager: say so rather than show a retry that is not ours.
                failManager("could not stop it after a crash loop", error);
            } else {
                LOG.warn("{}: could not stop it under {}: {}", spec.name(), kind.id(),
                        ManagerCalls.cause(error).getMessage());
            }
        }, ctx.loop());
    }

    // ---- restarts the engine asks for -----------------------------------------------------------

    /** Liveness failed: first look whether the manager restarted it already (the pid probe saw it die). */
    @Override
    protected void restartForLiveness() {
        livenessRestartWanted = true;
        schedulePoll(Duration.ZERO);
    }

    /** The same process still runs and fails its liveness: the manager restarts it. */
    private void restartInManager(Instant now) {
        livenessRestartWanted = false;
        String why = internalStopReason != null ? internalStopReason : "liveness failed";
        Decision decision = judgeExit(new ExitStatus(null, now), Duration.between(startedAt, now));
        untrack();
        if (!(decision instanceof Decision.Restart r) || r.crashLoop()) {
            applyManagedDecision(decision, why);
            return;
        }
        restarts++;
        lifecycle = Lifecycle.STARTING;
        message = why + "; restarting under " + kind.id();
        int attempt = ++launchAttempt;
        startInFlight = true;
        callEpoch++;
        changed();
        calls.submit(() -> {
            manager.restart(spec.name());
            return StartOutcome.of(manager.state(spec.name()), false, true);
        }).whenCompleteAsync((outcome, error) -> started(attempt, outcome, error), ctx.loop());
    }

    @Override
    protected void stopAfterStartTimeout() {
        untrack();
        stopInManager(internalStopReason);
    }

    @Override
    void onWake(RecoveryLog log) {
        super.onWake(log);
        schedulePoll(Duration.ZERO); // what happened while asleep (the manager may have restarted it)
    }

    // ---- failures -------------------------------------------------------------------------------

    /** FAILED(manager) with the manager's words, in the message and in {@code detail.error}. */
    private void failManager(String what, Throwable error) {
        Throwable cause = ManagerCalls.cause(error);
        String words = cause.getMessage() != null ? cause.getMessage() : cause.toString();
        LOG.warn("{}: {} {}: {}", spec.name(), kind.id(), what, words);
        untrack();
        ObjectNode detail = Json.MAPPER.createObjectNode();
        detail.put("manager", kind.id());
        detail.put("error", words);
        failureDetail = detail;
        fail(FailureReason.MANAGER, kind.id() + ": " + what + ": " + words);
    }
}
