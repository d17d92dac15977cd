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
        Optional<ChildProcess> adopted = ctx.launcher().adopt(new LaunchRequest(spec.name(), spec.command(),
                workingDir(), Map.of(), spec.log(), secrets));
        if (adopted.isEmpty()) {
            return false;
        }
        attach(adopted.get(), false);
        LOG.info("{}: adopted pid {} started {}", spec.name(), child.pid(), child.startedAt());
        return true;
    }

    @Override
    CompletableFuture<Void> start(boolean byUser) {
        if (byUser) {
            policy.reset();
        }
        userStop = false;
        if (retryRefusedSession(byUser)) {
            return CompletableFuture.completedFuture(null);
        }
        if (child != null || resolving || lifecycle == Lifecycle.STOPPING) {
            return CompletableFuture.completedFuture(null);
        }
        cancelPendingRestart();
        launch();
        return CompletableFuture.completedFuture(null);
    }

    @Override
    protected void relaunch() {
        launch();
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

    /** " (nginx)": what runs as {@code pid}, for a port-in-use message; empty when unknown. */
    static String describeProcess(long pid) {
        return ProcessHandle.of(pid).flatMap(h -> h.info().command())
                .map(c -> " (" + java.nio.file.Path.of(c).getFileName() + ")").orElse("");
    }

    private void attach(ChildProcess process, boolean fresh) {
        child = process;
        beginRun(process.startedAt(), fresh);
        int gen = generation;
        process.exited().thenAccept(exit -> ctx.loop().execute(() ->
                onExit(gen, exit, Duration.between(process.startedAt(), exit.at()), null)));
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
