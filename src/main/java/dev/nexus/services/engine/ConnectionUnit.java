package dev.nexus.services.engine;

import dev.nexus.services.catalog.ProbeCheck;
import dev.nexus.services.catalog.ProbeSpec;
import dev.nexus.services.catalog.Probes;
import dev.nexus.services.catalog.ServiceSpec;
import dev.nexus.services.health.DisplayStatus;
import dev.nexus.services.health.FailureReason;
import dev.nexus.services.health.Health;
import dev.nexus.services.health.Lifecycle;
import java.util.concurrent.CompletableFuture;

/**
 * A remote endpoint kept in view (collab, a remote gateway). No local process: "running" means the
 * engine is watching it, health is what its probes say. Without explicit probes, a WebSocket probe
 * on its URL is used.
 */
final class ConnectionUnit extends ServiceUnit implements HealthTracker.Events {
    private HealthTracker health;

    ConnectionUnit(EngineContext ctx, ServiceSpec spec) {
        super(ctx, spec);
        specChanged();
    }

    @Override
    protected void specChanged() {
        Probes probes = spec.probes();
        if (probes.isEmpty() && spec.url() != null) {
            probes = new Probes(null, ProbeSpec.liveness(new ProbeCheck.WebSocket(spec.url())), null);
        }
        health = new HealthTracker(ctx, probes, spec.children(), () -> -1, this);
    }

    @Override
    CompletableFuture<Void> start(boolean byUser) {
        if (lifecycle == Lifecycle.RUNNING) {
            return CompletableFuture.completedFuture(null);
        }
        applyPendingSpec();
        if (spec.url() == null) {
            fail(FailureReason.CONFIG, "no url set: add \"url\" to " + spec.name() + " in "
                    + ctx.paths().catalogFile());
            return CompletableFuture.completedFuture(null);
        }
        failure = null;
        message = null;
        lifecycle = Lifecycle.RUNNING;
        health.begin(true);
        changed();
        return CompletableFuture.completedFuture(null);
    }

    @Override
    CompletableFuture<Void> stop() {
        health.stop();
        markStopped();
        return CompletableFuture.completedFuture(null);
    }

    @Override
    void detach() {
        health.stop();
    }

    @Override
    Health health() {
        return lifecycle == Lifecycle.RUNNING ? health.health() : Health.UNKNOWN;
    }

    @Override
    boolean settled() {
        return lifecycle != Lifecycle.RUNNING || (health() != Health.STARTING && health() != Health.UNKNOWN);
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
    public void startupPassed() {
        changed();
    }

    @Override
    public void startupFailed(String why) {
        // A connection has nothing to restart: keep watching in steady state, shown as down.
        health.begin(false);
        changed();
    }

    @Override
    public void livenessFailed(String why) {
        changed();
    }

    @Override
    public void healthChanged() {
        changed();
    }

    @Override
    ServiceSnapshot snapshot() {
        Health h = health();
        String text = lifecycle == Lifecycle.RUNNING ? health.message() : message;
        return new ServiceSnapshot(spec.name(), spec.displayName(), spec.kind().id(), "engine", spec.enabled(),
                lifecycle, h, DisplayStatus.of(lifecycle, h), failure == null ? null : failure.id(),
                pendingNote(text), null, null, 0, null, null, lifecycle == Lifecycle.RUNNING ? health.latencyMs() : null,
                null, 0, null, health.children(), null);
    }
}
