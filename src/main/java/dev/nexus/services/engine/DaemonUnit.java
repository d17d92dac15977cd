package dev.nexus.services.engine;

import dev.nexus.services.catalog.ServiceSpec;
import dev.nexus.services.credentials.use.ResolvedEnvironment;
import dev.nexus.services.health.FailureReason;
import dev.nexus.services.health.Lifecycle;
import dev.nexus.services.supervise.ChildProcess;
import dev.nexus.services.supervise.ExitStatus;
import dev.nexus.services.supervise.LaunchException;
import dev.nexus.services.supervise.LaunchRequest;
import dev.nexus.services.supervise.Ports;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A local long-running process kept up by the embedded supervisor. */
final class DaemonUnit extends ProcessUnit {
    private static final Logger LOG = LoggerFactory.getLogger(DaemonUnit.class);

    private ChildProcess child;
    private CompletableFuture<Void> stopping;
    /** Bumped by every launch and stop, so that an environment resolved too late is dropped. */
    private int launchAttempt;
    /** True while a launch waits for its environment (credentials, login shell). */
    private boolean resolving;
    /**
     * Set while what a process left running after dying unwatched is being stopped; completes (on the
     * loop) once that is done and the unit is STOPPED. Starts wait for it.
     */
    private CompletableFuture<Void> leftovers;
    private boolean startAfterLeftovers;

    DaemonUnit(EngineContext ctx, ServiceSpec spec) {
        super(ctx, spec);
    }

    @Override
    protected long pid() {
        ChildProcess c = child;
        return c == null ? -1 : c.pid();
    }

    @Override
    protected boolean hasProcess() {
        return child != null;
    }

    @Override
    protected String managerId() {
        return "embedded";
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
        left.thenCompose(stopped -> awaitPortFree()).whenCompleteAsync((ok, error) -> {
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
        return super.start(byUser);
    }

    @Override
    protected boolean launchingOrRunning() {
        return child != null || resolving;
    }

    @Override
    protected void relaunch() {
        launch();
    }

    private void launch() {
        beginLaunch();
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

    /** " (nginx)": what runs as {@code pid}, for a port-in-use message; empty when unknown. */
    static String describeProcess(long pid) {
        return ProcessHandle.of(pid).flatMap(h -> h.info().command())
                .map(c -> " (" + java.nio.file.Path.of(c).getFileName() + ")").orElse("");
    }

    private void attach(ChildProcess process, boolean fresh) {
        child = process;
        beginRun(process.startedAt(), fresh);
        int gen = generation;
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
            process.stop(grace).thenCompose(stopped -> awaitPortFree()).whenCompleteAsync((stopped, error) -> {
                if (error != null) {
                    LOG.warn("{}: stopping what pid {} left running failed: {}", spec.name(), process.pid(),
                            error.getMessage());
                }
                onExit(gen, exit, ranFor, null);
            }, ctx.loop());
        });
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
        endRun();
        child = null;
        recordExit(launchError != null ? "failed to start" : exit.describe(), exit.at());
        if (exitExpected()) {
            changed(); // a stop in progress finishes the transition; a start timeout already FAILED it
            return;
        }
        String why = internalStopReason != null ? internalStopReason
                : launchError != null ? launchError : exit.describe();
        applyDecision(judgeExit(exit, ranFor), why);
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
        CompletableFuture<Void> done = process.stop(spec.stopTimeout())
                .thenCompose(exited -> awaitPortFree())
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

    @Override
    void detach() {
        detachProbes();
    }

    @Override
    protected void stopAfterStartTimeout() {
        if (child != null) {
            child.stop(spec.stopTimeout());
        }
    }

    @Override
    protected void restartForLiveness() {
        child.stop(spec.stopTimeout());
    }
}
