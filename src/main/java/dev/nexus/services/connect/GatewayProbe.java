package dev.nexus.services.connect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nexus.services.credentials.Secret;
import dev.nexus.services.health.Probe;
import dev.nexus.services.health.ProbeResult;
import dev.nexus.services.support.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

/**
 * Gateway health as probe results. {@link #of} asks over a long-lived {@link GatewayClient} (one
 * {@code health} request per try, no new connection), so the probe period is the health period and the
 * round trip is the latency; {@link #once} opens one session for a single answer (status without an
 * engine).
 *
 * <p>Results: OK with the server version and protocol; DEGRADED when a channel is down, naming it; FAIL
 * when the gateway does not answer health in time, is not connected (the message says why and when the
 * next try is), or rejected us (its own words). During an announced restart the result is OK with
 * "gateway restarting": a planned restart is not an outage.
 *
 * <p>Where the gateway has them, the HTTP endpoints count too: a liveness probe asks {@code /healthz}, a
 * readiness probe {@code /readyz}, and a JSON "not live" or "not ready" fails the try. Whether the gateway
 * has them is learned once per session: an older gateway answers its control UI's HTML on every path,
 * which counts neither way and is not asked for again until the next session (it may be an upgrade).
 * The detail holds session, server version, protocol, tick interval, every channel and the endpoint.
 */
public final class GatewayProbe {

    public enum Role {
        /** Startup and liveness: the session and the health request. */
        LIVENESS,
        /** Readiness: also {@code /readyz} when the gateway has it. */
        READINESS
    }

    private GatewayProbe() {
    }

    /**
     * @param http for {@code /readyz} on readiness; may be null to skip it
     */
    public static Probe of(GatewayClient client, Role role, Duration timeout, GatewayHttpHealth http, Clock clock) {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(clock, "clock");
        AtomicReference<Learned> learned = new AtomicReference<>();
        return () -> {
            ConnectionState now = client.status().connection();
            if (firstTry(now)) {
                // Before the very first connect has an outcome there is nothing to judge yet: wait for it.
                long started = System.nanoTime();
                return client.settled().thenApply(GatewayStatus::connection)
                        .completeOnTimeout(now, timeout.toMillis(), TimeUnit.MILLISECONDS)
                        .thenCompose(s -> check(client, role, remaining(timeout, started), http, clock, learned));
            }
            return check(client, role, timeout, http, clock, learned);
        };
    }

    /** What is left of {@code timeout} since {@code startedNanos}; at least a millisecond. */
    static Duration remaining(Duration timeout, long startedNanos) {
        Duration left = timeout.minusNanos(System.nanoTime() - startedNanos);
        return left.compareTo(Duration.ofMillis(1)) < 0 ? Duration.ofMillis(1) : left;
    }

    /** The connection has never come up and its first try is still under way. */
    static boolean firstTry(ConnectionState s) {
        return (s.phase() == ConnectionState.Phase.IDLE || s.phase() == ConnectionState.Phase.CONNECTING)
                && s.lastConnectedAt() == null && s.failures() == 0;
    }

    /** What the HTTP endpoint answered in one session (identified by when it connected). */
    private record Learned(Instant session, GatewayHttpHealth.Result answer) {
    }

    private static CompletableFuture<GatewayHttpHealth.Result> endpoint(GatewayClient client, Role role,
            Duration timeout, GatewayHttpHealth http, Instant session, AtomicReference<Learned> learned) {
        if (http == null) {
            return CompletableFuture.completedFuture(null);
        }
        Learned known = learned.get();
        if (known != null && known.session().equals(session)
                && known.answer().support() == GatewayHttpHealth.Support.NOT_SUPPORTED) {
            return CompletableFuture.completedFuture(known.answer());
        }
        GatewayHttpHealth.Endpoint which = role == Role.READINESS
                ? GatewayHttpHealth.Endpoint.READY : GatewayHttpHealth.Endpoint.LIVE;
        return http.check(client.url(), which, timeout).thenApply(r -> {
            learned.set(new Learned(session, r));
            return r;
        });
    }

    private static CompletableFuture<ProbeResult> check(GatewayClient client, Role role, Duration timeout,
                                                        GatewayHttpHealth http, Clock clock,
                                                        AtomicReference<Learned> learned) {
        GatewayStatus status = client.status();
        ConnectionState c = status.connection();
        switch (c.phase()) {
            case CONNECTED -> {
                CompletableFuture<Object> health = client.health(timeout).handle((h, e) -> e != null ? e : h);
                CompletableFuture<GatewayHttpHealth.Result> ready = endpoint(client, role, timeout, http,
                        c.lastConnectedAt(), learned);
                return health.thenCombine(ready, (h, r) -> h instanceof GatewayHealth gh
                        ? judge(client.status(), gh, r, clock)
                        : failed(client.status(), (Throwable) h, clock));
            }
            case RESTARTING -> {
                GatewayHealth last = status.lastHealth();
                Duration latency = last == null ? Duration.ZERO : last.roundTrip();
                return CompletableFuture.completedFuture(new ProbeResult(ProbeResult.Outcome.OK, clock.instant(),
                        latency, c.message(), detail(status, null, null)));
            }
            default -> {
                String why = switch (c.phase()) {
                    case IDLE -> "session not started";
                    case CLOSED -> "session closed";
                    default -> c.message();
                };
                return CompletableFuture.completedFuture(ProbeResult.fail(clock.instant(), Duration.ZERO, why)
                        .withDetail(detail(status, null, null)));
            }
        }
    }

    /**
     * One session for one answer: connect, hello, health, close. Never completes exceptionally; completes
     * within {@code timeout} (plus the token read, which the caller bounds).
     */
    public static CompletableFuture<ProbeResult> once(URI url, GatewayToken token, Duration timeout, HttpClient http,
                                                      ConnectTimer timer, Clock clock) {
        CompletableFuture<ProbeResult> result = new CompletableFuture<>();
        long started = System.nanoTime();
        GatewaySession[] session = new GatewaySession[1];
        session[0] = new GatewaySession(new GatewaySession.Settings(url, ClientInfo.nexusServices(), http, timer, clock,
                timeout), new ReconnectingConnection.Events() {
            @Override
            public void up() {
                GatewaySession s = session[0];
                Duration left = timeout.minusNanos(System.nanoTime() - started);
                long askedAt = System.nanoTime();
                s.request("health", Json.MAPPER.createObjectNode(), left.isNegative() ? Duration.ofMillis(1) : left)
                        .whenComplete((payload, error) -> {
                            GatewayStatus status = new GatewayStatus(connected(clock), s.hello(), null);
                            result.complete(error != null ? failed(status, error, clock)
                                    : judge(status, GatewayHealth.parse(payload,
                                    Duration.ofNanos(System.nanoTime() - askedAt)), null, clock));
                            s.close();
                        });
            }

            @Override
            public void down(Drop drop) {
                result.complete(ProbeResult.fail(clock.instant(), Duration.ofNanos(System.nanoTime() - started),
                        drop.message()));
            }
        });
        ConnectTimer.Scheduled deadline = timer.schedule(timeout, () -> {
            if (result.complete(ProbeResult.fail(clock.instant(), timeout, "no answer from the gateway within "
                    + ReconnectingConnection.describe(timeout)))) {
                session[0].abort();
            }
        });
        result.whenComplete((r, e) -> deadline.cancel());
        CompletableFuture<Optional<Secret>> read;
        try {
            read = token.read();
        } catch (RuntimeException e) {
            read = CompletableFuture.failedFuture(e);
        }
        read.whenComplete((t, error) -> {
            if (error != null) {
                Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                result.complete(ProbeResult.fail(clock.instant(), Duration.ZERO, cause instanceof GatewayTokenException
                        ? cause.getMessage() : "cannot read the gateway token: " + Failures.describe(cause)));
            } else if (!result.isDone()) {
                session[0].start(t, null);
            }
        });
        return result;
    }

    private static ConnectionState connected(Clock clock) {
        return new ConnectionState(ConnectionState.Phase.CONNECTED, "connected", null, 0, clock.instant(), null, null,
                clock.instant());
    }

    static ProbeResult judge(GatewayStatus status, GatewayHealth health, GatewayHttpHealth.Result ready, Clock clock) {
        ObjectNode detail = detail(status, health, ready);
        if (ready != null && ready.support() == GatewayHttpHealth.Support.SUPPORTED && !ready.passing()) {
            return new ProbeResult(ProbeResult.Outcome.FAIL, clock.instant(), health.roundTrip(),
                    ready.endpoint().path() + ": " + ready.message(), detail);
        }
        if (!health.ok()) {
            return new ProbeResult(ProbeResult.Outcome.FAIL, clock.instant(), health.roundTrip(),
                    "the gateway reports itself not ok", detail);
        }
        List<GatewayHealth.Channel> down = health.down();
        if (!down.isEmpty()) {
            String names = down.stream().map(ch -> ch.label() + " (" + ch.detail() + ")")
                    .collect(Collectors.joining(", "));
            return new ProbeResult(ProbeResult.Outcome.DEGRADED, clock.instant(), health.roundTrip(),
                    (down.size() == 1 ? "channel " : "channels ") + names + " down", detail);
        }
        return new ProbeResult(ProbeResult.Outcome.OK, clock.instant(), health.roundTrip(), summary(status, health),
                detail);
    }

    private static String summary(GatewayStatus status, GatewayHealth health) {
        GatewayHello hello = status.hello();
        StringBuilder b = new StringBuilder("gateway");
        if (hello != null && hello.serverVersion() != null) {
            b.append(' ').append(hello.serverVersion());
        }
        if (hello != null) {
            b.append(", protocol ").append(hello.protocol());
        }
        int up = health.up().size();
        if (!health.channels().isEmpty()) {
            b.append(", ").append(up).append(up == 1 ? " channel up" : " channels up");
        }
        return b.toString();
    }

    private static ProbeResult failed(GatewayStatus status, Throwable error, Clock clock) {
        Throwable t = Failures.unwrap(error);
        String message = t instanceof GatewayRequestException g ? g.getMessage() : "health failed: " + Failures.describe(t);
        return ProbeResult.fail(clock.instant(), Duration.ZERO, message).withDetail(detail(status, null, null));
    }

    /** Session, server version, protocol, tick interval, channels, /readyz: what the snapshot shows. */
    static ObjectNode detail(GatewayStatus status, GatewayHealth health, GatewayHttpHealth.Result ready) {
        ObjectNode d = Json.MAPPER.createObjectNode();
        ConnectionState c = status.connection();
        d.put("session", c.phase().name().toLowerCase(Locale.ROOT));
        if (!c.connected()) {
            d.put("message", c.message());
            if (c.nextAttemptAt() != null) {
                d.put("nextAttemptAt", c.nextAttemptAt().toString());
            }
            d.put("failures", c.failures());
        }
        GatewayHello hello = status.hello();
        if (hello != null) {
            ObjectNode server = d.putObject("server");
            if (hello.serverVersion() != null) {
                server.put("version", hello.serverVersion());
            }
            d.put("protocol", hello.protocol());
            d.put("tickIntervalMs", hello.tickInterval().toMillis());
        }
        GatewayHealth h = health != null ? health : status.lastHealth();
        if (h != null) {
            if (h.durationMs() != null) {
                d.put("healthDurationMs", h.durationMs());
            }
            ArrayNode channels = d.putArray("channels");
            for (GatewayHealth.Channel ch : h.channels()) {
                ObjectNode item = channels.addObject();
                item.put("id", ch.id());
                item.put("label", ch.label());
                item.put("state", ch.state().name().toLowerCase(Locale.ROOT).replace('_', '-'));
                item.put("detail", ch.detail());
            }
        }
        if (ready != null) {
            ObjectNode r = d.putObject(ready.endpoint().path().substring(1));
            r.put("supported", ready.support() == GatewayHttpHealth.Support.SUPPORTED);
            r.put("message", ready.message());
            JsonNode body = ready.body();
            if (body != null) {
                r.set("answer", body);
            }
        }
        return d;
    }
}
