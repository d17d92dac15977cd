package dev.nexus.services.engine;

import dev.nexus.services.catalog.ProbeCheck;
import dev.nexus.services.catalog.ProbeSpec;
import dev.nexus.services.catalog.Probes;
import dev.nexus.services.catalog.ServiceSpec;
import dev.nexus.services.connect.Drop;
import dev.nexus.services.health.DisplayStatus;
import dev.nexus.services.health.FailureReason;
import dev.nexus.services.health.Health;
import dev.nexus.services.health.Lifecycle;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A remote endpoint kept connected (collab, a remote gateway when {@code gateway.mode} is remote). No
 * local process: "running" means the engine holds the connection open, health is what its probes say
 * over it. Without explicit probes a ws:// or wss:// URL is kept open as a plain WebSocket and pinged
 * (an http(s):// URL is fetched); gateway probes speak the gateway's protocol over one session. Either
 * way the connection reconnects by itself with backoff; a gateway that refuses our credentials makes
 * the service FAILED(credentials) until the token changes or the user retries.
 */
final class ConnectionUnit extends ServiceUnit implements HealthTracker.Events {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionUnit.class);

    private HealthTracker health;
    /** True while FAILED because the peer refused the connection (the tracker keeps watching the token). */
    private boolean rejected;

    ConnectionUnit(EngineContext ctx, ServiceSpec spec) {
        super(ctx, spec);
        specChanged();
    }

    @Override
    protected void specChanged() {
        Probes probes = spec.probes();
        if (probes.isEmpty() && spec.url() != null) {
            String scheme = spec.url().getScheme() == null ? "" : spec.url().getScheme().toLowerCase(Locale.ROOT);
            ProbeCheck check = scheme.equals("http") || scheme.equals("https")
                    ? new ProbeCheck.Http(spec.url()) : new ProbeCheck.WebSocket(spec.url());
            probes = new Probes(null, ProbeSpec.liveness(check), null);
        }
        health = new HealthTracker(ctx, spec.name(), probes, spec.children(), () -> -1, this, true);
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
        failureDetail = null;
        message = null;
        rejected = false;
        lifecycle = Lifecycle.RUNNING;
        health.begin(true);
        changed();
        return CompletableFuture.completedFuture(null);
    }

    @Override
    CompletableFuture<Void> stop() {
        health.stop();
        rejected = false;
        markStopped();
        return CompletableFuture.completedFuture(null);
    }

    @Override
    void detach() {
        health.stop();
    }

    /** Drops and redials the connection now, backoff reset (the wake hook calls this). */
    void forceReconnect() {
        health.forceReconnect();
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
    public void connectionRejected(Drop.Problem problem, String why) {
        if (lifecycle != Lifecycle.RUNNING) {
            return;
        }
        rejected = true;
        LOG.warn("{}: the peer refused the connection: {}", spec.name(), why);
        // The tracker keeps running: it watches for a changed token and reconnects by itself.
        failRejected(problem, why);
    }

    @Override
    public void connectionAccepted() {
        if (!rejected) {
            return;
        }
        rejected = false;
        LOG.info("{}: connected again", spec.name());
        acceptedAgain();
    }

    @Override
    ServiceSnapshot snapshot() {
        Health h = health();
        boolean running = lifecycle == Lifecycle.RUNNING;
        boolean watching = running || rejected;
        String text = running ? health.message() : message;
        return new ServiceSnapshot(spec.name(), spec.displayName(), spec.kind().id(), "engine", spec.enabled(),
                lifecycle, h, DisplayStatus.of(lifecycle, h), failure == null ? null : failure.id(),
                pendingNote(text), null, null, 0, null, null, running ? health.latencyMs() : null,
                null, 0, ConnectionRejection.merge(failureDetail, watching ? health.detail() : null),
                health.children(), null);
    }
}
