package dev.nexus.services.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nexus.services.catalog.ServiceSpec;
import dev.nexus.services.connect.Drop;
import dev.nexus.services.credentials.use.MissingCredentialException;
import dev.nexus.services.credentials.use.ResolvedEnvironment;
import dev.nexus.services.credentials.use.ServiceEnvironments;
import dev.nexus.services.health.FailureReason;
import dev.nexus.services.health.Health;
import dev.nexus.services.health.Lifecycle;
import dev.nexus.services.support.Json;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * One service as the engine runs it. Every method is called on the engine loop only. Subclasses
 * keep lifecycle, health and message current and call {@link EngineContext#changed()} after each
 * change so the engine can publish a new snapshot.
 */
abstract class ServiceUnit {
    protected final EngineContext ctx;
    protected ServiceSpec spec;
    protected Lifecycle lifecycle = Lifecycle.STOPPED;
    protected FailureReason failure;
    protected String message;
    /** Which credentials a FAILED(credentials) service lacks, for a "Set credential…" action; else null. */
    protected JsonNode failureDetail;

    ServiceUnit(EngineContext ctx, ServiceSpec spec) {
        this.ctx = ctx;
        this.spec = spec;
        if (!spec.enabled()) {
            message = "disabled";
        }
    }

    /**
     * The child's environment (the engine's, the login shell's when asked for, where Nexus lives, the
     * service's own entries with credentials resolved) and the secrets in it. Complete at once when
     * nothing can block; otherwise it completes off the loop: never join it on the loop.
     */
    protected CompletableFuture<ResolvedEnvironment> resolveEnvironment() {
        return ctx.environments().resolve(spec.name(), ServiceEnvironments.entries(ctx.paths(), spec));
    }

    /**
     * FAILED(credentials) for a credential that is missing or unreadable (FAILED(config) for a
     * malformed reference): a restart cannot fix either, so there is none.
     */
    protected final void failEnvironment(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof MissingCredentialException missing) {
            failureDetail = credentialsDetail(missing);
            fail(missing.isConfigurationProblem() ? FailureReason.CONFIG : FailureReason.CREDENTIALS,
                    missing.getMessage());
        } else {
            fail(FailureReason.CREDENTIALS, "cannot build the environment: " + cause.getMessage());
        }
    }

    private static JsonNode credentialsDetail(MissingCredentialException missing) {
        ObjectNode detail = Json.MAPPER.createObjectNode();
        ArrayNode list = detail.putArray("credentials");
        for (MissingCredentialException.Problem p : missing.problems()) {
            ObjectNode item = list.addObject();
            item.put("variable", p.variable());
            item.put("reference", p.reference());
            p.credential().ifPresent(c -> item.put("credential", c.toString()));
            item.put("problem", p.kind().name().toLowerCase(java.util.Locale.ROOT));
        }
        return detail;
    }

    protected Path workingDir() {
        return spec.workingDir() != null ? spec.workingDir() : ctx.paths().home();
    }

    String name() {
        return spec.name();
    }

    ServiceSpec spec() {
        return spec;
    }

    /**
     * Takes a new catalog entry. Returns true when it took effect at once; false when the running
     * service keeps its old settings until it is restarted.
     */
    boolean updateSpec(ServiceSpec newSpec) {
        if (lifecycle.isActive() || lifecycle == Lifecycle.STOPPING) {
            if (!newSpec.equals(spec)) {
                pendingSpec = newSpec;
                return false;
            }
            return true;
        }
        spec = newSpec;
        specChanged();
        if (lifecycle == Lifecycle.STOPPED) {
            message = spec.enabled() ? null : "disabled";
        }
        return true;
    }

    /** Rebuilds whatever is derived from the spec (policy, probes); the service is not running. */
    protected void specChanged() {
    }

    /** A catalog change waiting for the next start. */
    protected ServiceSpec pendingSpec;

    /** Applies a pending catalog change before a (re)start. */
    protected void applyPendingSpec() {
        if (pendingSpec != null) {
            spec = pendingSpec;
            pendingSpec = null;
            specChanged();
        }
    }

    /**
     * Starts the service (idempotent while it is up).
     *
     * @param byUser true for a user's command: forgets backoff and crash-loop memory
     */
    abstract CompletableFuture<Void> start(boolean byUser);

    /** Stops the service; the future completes when it is fully stopped (tree gone, port free). */
    abstract CompletableFuture<Void> stop();

    /**
     * Stops the service for good: it moves to another manager or leaves the catalog. Completes once no copy
     * of it can run any more; fails (this unit staying in charge) when that cannot be made sure.
     */
    CompletableFuture<Void> retire() {
        return stop();
    }

    /** Stops probing and timers but leaves processes running: the engine is shutting down. */
    abstract void detach();

    /** Health right now. */
    abstract Health health();

    /** True once a start has reached an outcome worth reporting (healthy, degraded, failed, ...). */
    abstract boolean settled();

    /** Asks every probe to check now (after wake, or a user request). */
    abstract void probeNow();

    // ---- sleep and wake (DESIGN.md "Recovery after sleep/wake") ---------------------------------

    /** The tracker of this unit's probes, or null when it has none (a job is checked by running it). */
    protected HealthTracker healthTracker() {
        return null;
    }

    /**
     * The machine is about to sleep: stop probing (a probe that runs while the machine falls asleep
     * only measures the sleep). Processes are left alone.
     */
    void prepareForSleep() {
        HealthTracker tracker = healthTracker();
        if (tracker != null) {
            tracker.pauseForSleep();
        }
    }

    /**
     * The machine woke: probe at once under the grace in {@code log} (failures show as "waking up"
     * and never restart anything until {@link #endWakeGrace}), and note in {@code log} what was done.
     */
    void onWake(RecoveryLog log) {
        HealthTracker tracker = healthTracker();
        if (tracker != null && (lifecycle == Lifecycle.RUNNING || lifecycle == Lifecycle.STARTING)
                && tracker.active()) {
            // Queue the publication before any probe starts, so that "waking up" is always published
            // before a fresh result can be: subscribers see the wake even when the first probe passes.
            changed();
            // A session that looks open after a sleep is often dead: drop and redial it (backoff reset).
            tracker.forceReconnect();
            tracker.wake(log.graceUntil());
            log.probed(spec.name());
            changed();
        }
    }

    /** The grace after a wake is over: what still fails is handled by the normal rules from now on. */
    void endWakeGrace() {
        HealthTracker tracker = healthTracker();
        if (tracker != null) {
            tracker.endGrace();
        }
    }

    abstract ServiceSnapshot snapshot();

    protected final void changed() {
        onChange();
        ctx.changed().accept(spec.name());
    }

    /** Hook for state derived from other state (timers that follow health); runs before publishing. */
    protected void onChange() {
    }

    protected final void fail(FailureReason reason, String why) {
        lifecycle = Lifecycle.FAILED;
        failure = reason;
        message = why;
        changed();
    }

    /**
     * The peer refused our session for a reason a retry cannot fix (token, pairing, scope, protocol):
     * FAILED with its own words, and the credential to fix when it is one.
     */
    protected final void failRejected(Drop.Problem problem, String why) {
        boolean credentials = problem == Drop.Problem.CREDENTIALS;
        failureDetail = credentials ? ConnectionRejection.credentialDetail(spec) : null;
        fail(credentials ? FailureReason.CREDENTIALS : FailureReason.CONFIG, ConnectionRejection.message(spec, problem, why));
    }

    /** The refused session was accepted after all: running again, the failure gone. */
    protected final void acceptedAgain() {
        lifecycle = Lifecycle.RUNNING;
        failure = null;
        failureDetail = null;
        message = null;
        changed();
    }

    /** Settles in STOPPED after a stop (a no-op when already there). */
    protected final void markStopped() {
        if (lifecycle != Lifecycle.STOPPED) {
            lifecycle = Lifecycle.STOPPED;
            failure = null;
            message = "stopped";
            changed();
        }
    }

    protected final String pendingNote(String base) {
        if (pendingSpec == null) {
            return base;
        }
        String note = "configuration changed; restart to apply";
        return base == null ? note : base + " (" + note + ")";
    }
}
