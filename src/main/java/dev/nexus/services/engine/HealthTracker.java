package dev.nexus.services.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nexus.services.catalog.ChildSpec;
import dev.nexus.services.catalog.ProbeCheck;
import dev.nexus.services.catalog.ProbeSpec;
import dev.nexus.services.catalog.Probes;
import dev.nexus.services.connect.ConnectionState;
import dev.nexus.services.connect.Drop;
import dev.nexus.services.health.DisplayStatus;
import dev.nexus.services.health.Health;
import dev.nexus.services.health.Probe;
import dev.nexus.services.health.ProbeLoop;
import dev.nexus.services.health.ProbeResult;
import dev.nexus.services.health.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Runs a service's probes while it is up and turns their results into one {@link Health}, a
 * message and the child items. Startup gates liveness and readiness: until it passes, failures mean
 * "still starting" and are only counted against the startup budget.
 *
 * <p>After a wake from sleep the tracker runs a grace ({@link #wake}): every probe checks at once,
 * results since the wake are all that count, anything short of passing shows DEGRADED ("waking up")
 * and a liveness failure is held instead of restarting the process; {@link #endGrace} then applies
 * the normal rule to whatever still fails.
 *
 * <p>Gateway probes (and, for a connection service, WebSocket probes) ask one long-lived connection
 * per URL ({@link ServiceConnections}) instead of dialing each period. That connection's state counts
 * too: not connected means DEGRADED ("reconnecting") until liveness fails past its threshold
 * (UNHEALTHY), an announced restart is not an outage, and a rejection (credentials, protocol) is told to
 * the unit, which shows FAILED until the connection is accepted again.
 *
 * <p>Called only on the engine loop; probe results and connection changes hop onto it before they
 * touch any field.
 */
final class HealthTracker {

    /** What the owning unit must act on. */
    interface Events {
        void startupPassed();

        void startupFailed(String message);

        void livenessFailed(String message);

        /** Any probe result arrived; the unit publishes a new snapshot if something visible changed. */
        void healthChanged();

        /**
         * A long-lived connection was refused for a reason only the user can fix (the gateway's own words
         * in {@code message}); it is not retried until the token changes or the user retries.
         */
        void connectionRejected(Drop.Problem problem, String message);

        /** The connection that was refused is accepted again (token fixed, or retried). */
        void connectionAccepted();
    }

    private final EngineContext ctx;
    private final String service;
    private final Probes probes;
    private final List<ChildSpec> childSpecs;
    private final LongSupplier pid;
    private final Events events;
    private final boolean keepConnected;
    /** This epoch's long-lived connections, made by the first probe that needs one; else null. */
    private ServiceConnections connections;
    /** True while a connection is rejected and the unit has been told. */
    private boolean rejected;

    private int epoch;
    private int connectionEpoch;
    private boolean inStartup;
    /** True between {@link #pauseForSleep} and the next {@link #wake}: no probe runs. */
    private boolean paused;
    /** Non-null during the post-wake grace: failures show as "waking up", liveness failures are held. */
    private java.time.Instant graceUntil;
    private Tracked startup;
    private Tracked liveness;
    private Tracked readiness;
    private final List<Tracked> children = new ArrayList<>();

    /**
     * @param keepConnected WebSocket probes keep their socket open and ping over it (a connection
     *                      service), instead of a fresh handshake each period (a daemon's startup check)
     */
    HealthTracker(EngineContext ctx, String service, Probes probes, List<ChildSpec> children, LongSupplier pid,
                  Events events, boolean keepConnected) {
        this.ctx = ctx;
        this.service = service;
        this.probes = probes;
        this.childSpecs = children;
        this.pid = pid;
        this.events = events;
        this.keepConnected = keepConnected;
    }

    /** Starts probing; with {@code withStartup} the startup probe runs first (a fresh process). */
    void begin(boolean withStartup) {
        stop();
        if (withStartup && probes.startup() != null) {
            inStartup = true;
            startup = track("startup", probes.startup());
        } else {
            beginSteadyState();
        }
    }

    private void beginSteadyState() {
        inStartup = false;
        if (probes.liveness() != null) {
            liveness = track("liveness", probes.liveness());
        }
        if (probes.readiness() != null) {
            readiness = track("readiness", probes.readiness());
        }
        for (ChildSpec child : childSpecs) {
            children.add(track(child.name(), child.probe()));
        }
    }

    void stop() {
        epoch++;
        for (Tracked t : all()) {
            t.loop.stop();
        }
        startup = null;
        liveness = null;
        readiness = null;
        children.clear();
        inStartup = false;
        paused = false;
        graceUntil = null;
        if (connections != null) {
            connectionEpoch++;
            connections.close();
            connections = null;
        }
        rejected = false;
    }

    /**
     * Stops every probe but keeps the last results: the machine is about to sleep, and a probe that
     * runs while it falls asleep only measures the sleep.
     */
    void pauseForSleep() {
        if (!active() || paused) {
            return;
        }
        epoch++;
        for (Tracked t : all()) {
            t.loop.stop();
        }
        paused = true;
    }

    /**
     * The machine woke: every probe starts over from nothing (what it saw before the sleep says
     * nothing now) and checks at once, and a grace runs until {@code until}. A service in its startup
     * phase gets its full startup budget again. Returns false when nothing is probed.
     */
    boolean wake(java.time.Instant until) {
        if (!active()) {
            return false;
        }
        epoch++;
        paused = false;
        graceUntil = until;
        for (Tracked t : all()) {
            t.loop.stop();
            t.last = null;
            t.verdict = Verdict.PENDING;
            startLoop(t);
        }
        for (Tracked t : all()) {
            t.loop.runNow();
        }
        return true;
    }

    /**
     * Ends the post-wake grace. A liveness probe that is still failing is reported now, so the owner
     * applies its normal policy (a daemon restarts); one that recovered is forgotten.
     */
    void endGrace() {
        if (graceUntil == null) {
            return;
        }
        graceUntil = null;
        if (liveness != null && liveness.verdict == Verdict.FAILING) {
            events.livenessFailed(liveness.last.message());
        }
        events.healthChanged();
    }

    /** True during the post-wake grace. */
    boolean inGrace() {
        return graceUntil != null;
    }

    boolean paused() {
        return paused;
    }

    /** True when no liveness probe runs or its verdict is passing (not pending, not failing). */
    boolean livenessPassing() {
        return liveness == null || liveness.verdict == Verdict.PASSING;
    }

    /** An extra check of every running probe now (after wake, on request). */
    void probeNow() {
        all().forEach(t -> t.loop.runNow());
    }

    /**
     * Drops every long-lived connection and dials again at once with the backoff reset: after a wake,
     * a socket that looks open is often dead. Rejected connections stay rejected.
     */
    void forceReconnect() {
        if (connections != null) {
            connections.forceReconnect();
        }
    }

    /** Dials every long-lived connection again now, rejected ones too: the user's retry. */
    void retryConnections() {
        if (connections != null) {
            connections.retry();
        }
    }

    /** The states of this epoch's long-lived connections (empty when the service has none). */
    List<ConnectionState> connectionStates() {
        return connections == null ? List.of() : connections.states();
    }

    boolean active() {
        return startup != null || liveness != null || readiness != null || !children.isEmpty();
    }

    boolean inStartup() {
        return inStartup;
    }

    private List<Tracked> all() {
        List<Tracked> all = new ArrayList<>();
        for (Tracked t : new Tracked[] {startup, liveness, readiness}) {
            if (t != null) {
                all.add(t);
            }
        }
        all.addAll(children);
        return all;
    }

    private Tracked track(String name, ProbeSpec spec) {
        Tracked t = new Tracked(name, spec, probeFor(name, spec));
        t.viaConnection = spec.check() instanceof ProbeCheck.Gateway
                || (keepConnected && spec.check() instanceof ProbeCheck.WebSocket);
        startLoop(t);
        return t;
    }

    /** A loop is single-use, so pausing and waking replace it; results of an older epoch are dropped. */
    private void startLoop(Tracked t) {
        int myEpoch = epoch;
        t.loop = new ProbeLoop(t.name, t.spec, t.probe, ctx.probeTimer(), ctx.clock(), ctx.loop(),
                (result, verdict, changed) -> {
                    if (myEpoch == epoch) {
                        onResult(t, result, verdict, changed);
                    }
                });
        t.loop.start();
    }

    private Probe probeFor(String name, ProbeSpec spec) {
        if (spec.check() instanceof ProbeCheck.Gateway g) {
            return connections().gatewayProbe(g, spec.timeout(), name.equals("readiness"));
        }
        if (keepConnected && spec.check() instanceof ProbeCheck.WebSocket w) {
            return connections().webSocketProbe(w.url(), spec.timeout());
        }
        return ctx.probes().create(spec.check(), spec.timeout(), pid);
    }

    private ServiceConnections connections() {
        if (connections == null) {
            // Their own epoch: a pause or a wake replaces the probe loops, not the connections.
            int myEpoch = connectionEpoch;
            connections = new ServiceConnections(ctx, service, state -> {
                if (myEpoch == connectionEpoch) {
                    onConnectionChange(state);
                }
            });
        }
        return connections;
    }

    private void onConnectionChange(ConnectionState state) {
        ConnectionState refused = connectionStates().stream()
                .filter(s -> s.phase() == ConnectionState.Phase.REJECTED).findFirst().orElse(null);
        if (refused != null && !rejected) {
            rejected = true;
            events.connectionRejected(refused.problem(), refused.message());
        } else if (refused == null && rejected && state.connected()) {
            rejected = false;
            events.connectionAccepted();
        }
        if (state.connected()) {
            // Fresh health (channels, latency) now rather than at the next period.
            all().stream().filter(t -> t.viaConnection).forEach(t -> t.loop.runNow());
        }
        events.healthChanged();
    }

    private void onResult(Tracked t, ProbeResult result, Verdict verdict, boolean changed) {
        t.last = result;
        t.verdict = verdict;
        if (result.outcome() != ProbeResult.Outcome.FAIL) {
            t.lastSuccess = result;
        }
        if (t == startup) {
            if (verdict == Verdict.PASSING) {
                startup.loop.stop();
                startup = null;
                beginSteadyState();
                events.startupPassed();
            } else if (verdict == Verdict.FAILING) {
                String message = result.message();
                stop();
                events.startupFailed(message);
            }
        } else if (t == liveness && changed && verdict == Verdict.FAILING) {
            if (graceUntil == null) {
                events.livenessFailed(result.message());
            }
            // During the wake grace the failure is held: endGrace() reports it if it is still failing.
        }
        events.healthChanged();
    }

    Health health() {
        if (inStartup) {
            return Health.STARTING;
        }
        if (!active()) {
            return Health.UNKNOWN;
        }
        if (graceUntil != null) {
            return wakingUp() != null ? Health.DEGRADED : Health.HEALTHY;
        }
        if (liveness != null && liveness.verdict == Verdict.FAILING) {
            return Health.UNHEALTHY;
        }
        if (firstConnect() != null) {
            return Health.STARTING;
        }
        if (degradedBy() != null) {
            return Health.DEGRADED;
        }
        boolean anyResult = (liveness != null && liveness.last != null) || (readiness != null && readiness.last != null);
        boolean anyProbe = liveness != null || readiness != null;
        return anyProbe && !anyResult ? Health.STARTING : Health.HEALTHY;
    }

    /**
     * During the wake grace: why the service does not count as back yet ("waking up", with the last
     * failure when there is one), or null once its liveness and readiness pass again.
     */
    private String wakingUp() {
        for (Tracked t : new Tracked[] {liveness, readiness}) {
            if (t != null && t.verdict != Verdict.PASSING) {
                return t.last != null && t.last.outcome() == ProbeResult.Outcome.FAIL
                        ? "waking up: " + t.last.message() : "waking up";
            }
        }
        return degradedBy();
    }

    /** A connection still on its very first try (nothing has failed yet), or null. */
    private ConnectionState firstConnect() {
        for (ConnectionState s : connectionStates()) {
            if ((s.phase() == ConnectionState.Phase.CONNECTING || s.phase() == ConnectionState.Phase.IDLE)
                    && s.lastConnectedAt() == null && s.failures() == 0) {
                return s;
            }
        }
        return null;
    }

    /** Why a connection makes the service degraded ("reconnecting: …"), or null. */
    private String connectionTrouble() {
        for (ConnectionState s : connectionStates()) {
            switch (s.phase()) {
                case CONNECTING, WAITING -> {
                    return (s.lastConnectedAt() == null ? "not connected: " : "reconnecting: ") + s.message();
                }
                case REJECTED -> {
                    return s.message();
                }
                default -> {
                    // connected; restarting on purpose (not an outage); idle or closed with the service
                }
            }
        }
        return null;
    }

    /** "gateway restarting (…)" while a connection waits out an announced restart, else null. */
    private String plannedRestart() {
        for (ConnectionState s : connectionStates()) {
            if (s.phase() == ConnectionState.Phase.RESTARTING) {
                return s.message();
            }
        }
        return null;
    }

    /** Why the service is degraded, or null when it is not. */
    private String degradedBy() {
        String trouble = connectionTrouble();
        if (trouble != null) {
            return trouble;
        }
        if (readiness != null && readiness.verdict == Verdict.FAILING) {
            return "not ready: " + readiness.last.message();
        }
        for (Tracked t : new Tracked[] {liveness, readiness}) {
            if (t != null && t.last != null && t.last.outcome() == ProbeResult.Outcome.DEGRADED) {
                return t.last.message();
            }
        }
        List<String> down = children.stream().filter(c -> c.verdict == Verdict.FAILING)
                .map(c -> c.name + " down").toList();
        return down.isEmpty() ? null : String.join(", ", down);
    }

    /** One line for people: why the health is what it is. */
    String message() {
        if (inStartup) {
            return startup != null && startup.last != null && !startup.last.isOk()
                    ? "starting: " + startup.last.message() : "starting";
        }
        if (graceUntil != null) {
            String waking = wakingUp();
            if (waking != null) {
                return waking;
            }
        }
        if (liveness != null && liveness.verdict == Verdict.FAILING) {
            return "liveness failing: " + liveness.last.message();
        }
        ConnectionState first = firstConnect();
        if (first != null) {
            return first.message();
        }
        String degraded = degradedBy();
        if (degraded != null) {
            return degraded;
        }
        String restarting = plannedRestart();
        if (restarting != null) {
            return restarting;
        }
        // Liveness speaks for the service; until it has, the readiness answer does.
        Tracked main = liveness != null && liveness.last != null ? liveness : readiness;
        return main != null && main.last != null ? main.last.message() : null;
    }

    Long latencyMs() {
        for (Tracked t : new Tracked[] {liveness, readiness, startup}) {
            if (t != null && t.lastSuccess != null) {
                return t.lastSuccess.latency().toMillis();
            }
        }
        return null;
    }

    /**
     * The latest probe detail (for a gateway: session, server version, protocol, channels). The session
     * part is brought up to date from the live connection, which changes between probe periods.
     */
    JsonNode detail() {
        // The newest of the two: both may ask the same gateway, and the later answer is the truth now.
        Tracked newest = null;
        for (Tracked t : new Tracked[] {readiness, liveness}) {
            if (t != null && t.last != null && t.last.detail() != null
                    && (newest == null || t.last.at().isAfter(newest.last.at()))) {
                newest = t;
            }
        }
        if (newest == null) {
            return null;
        }
        JsonNode d = newest.last.detail();
        List<ConnectionState> states = connectionStates();
        if (newest.viaConnection && d instanceof ObjectNode o && !states.isEmpty()) {
            ConnectionState now = states.get(0);
            ObjectNode copy = o.deepCopy();
            copy.put("session", now.phase().name().toLowerCase(Locale.ROOT));
            if (now.connected()) {
                copy.remove(List.of("message", "nextAttemptAt", "failures"));
            } else {
                copy.put("message", now.message());
            }
            return copy;
        }
        return d;
    }

    /** Child items, in catalog order: starting before steady state, stopped while the service is down. */
    List<ServiceSnapshot.ChildSnapshot> children() {
        List<ServiceSnapshot.ChildSnapshot> out = new ArrayList<>();
        for (ChildSpec spec : childSpecs) {
            Tracked t = children.stream().filter(c -> c.name.equals(spec.name())).findFirst().orElse(null);
            DisplayStatus status;
            if (t == null) {
                status = active() ? DisplayStatus.STARTING : DisplayStatus.STOPPED;
            } else if (t.verdict == Verdict.FAILING) {
                status = DisplayStatus.DOWN;
            } else if (t.last == null) {
                status = DisplayStatus.STARTING;
            } else if (t.last.outcome() == ProbeResult.Outcome.DEGRADED) {
                status = DisplayStatus.DEGRADED;
            } else {
                status = t.verdict == Verdict.PASSING ? DisplayStatus.HEALTHY : DisplayStatus.STARTING;
            }
            out.add(new ServiceSnapshot.ChildSnapshot(spec.name(), spec.displayName(), status,
                    t == null || t.last == null ? null : t.last.message(),
                    t == null || t.lastSuccess == null ? null : t.lastSuccess.latency().toMillis()));
        }
        out.addAll(channels());
        return out;
    }

    /** The gateway's messaging channels from the last health answer, as child items "channel:<id>". */
    private List<ServiceSnapshot.ChildSnapshot> channels() {
        JsonNode d = detail();
        JsonNode list = d == null ? null : d.get("channels");
        if (list == null || !list.isArray() || !active()) {
            return List.of();
        }
        List<ServiceSnapshot.ChildSnapshot> out = new ArrayList<>();
        for (JsonNode ch : list) {
            String state = ch.path("state").asText("");
            DisplayStatus status = switch (state) {
                case "up" -> DisplayStatus.HEALTHY;
                case "down" -> DisplayStatus.DOWN;
                default -> DisplayStatus.STOPPED;
            };
            out.add(new ServiceSnapshot.ChildSnapshot("channel:" + ch.path("id").asText(),
                    ch.path("label").asText(ch.path("id").asText()), status, ch.path("detail").asText(null), null));
        }
        return out;
    }

    private static final class Tracked {
        final String name;
        final ProbeSpec spec;
        final dev.nexus.services.health.Probe probe;
        /** Asks a long-lived connection rather than dialing each period. */
        boolean viaConnection;
        ProbeLoop loop;
        ProbeResult last;
        ProbeResult lastSuccess;
        Verdict verdict = Verdict.PENDING;

        Tracked(String name, ProbeSpec spec, dev.nexus.services.health.Probe probe) {
            this.name = name;
            this.spec = spec;
            this.probe = probe;
        }
    }
}
