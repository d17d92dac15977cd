package dev.nexus.services.connect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nexus.services.health.Probe;
import dev.nexus.services.health.ProbeResult;
import dev.nexus.services.support.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
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
 * "gateway restarting": a planned restart is not an outage. A readiness probe also asks {@code /readyz}
 * where the gateway has it (an HTML answer from an older gateway does not count either way).
 * The detail holds session, server version, protocol, tick interval and every channel.
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
        return () -> check(client, role, timeout, http, clock);
    }

    private static CompletableFuture<ProbeResult> check(GatewayClient client, Role role, Duration timeout,
                                                        GatewayHttpHealth http, Clock clock) {
        GatewayStatus status = client.status();
        ConnectionState c = status.connection();
        switch (c.phase()) {
            case CONNECTED -> {
                CompletableFuture<Object> health = client.health(timeout).handle((h, e) -> e != null ? e : h);
                CompletableFuture<GatewayHttpHealth.Result> ready = role == Role.READINESS && http != null
                        ? http.check(client.url(), GatewayHttpHealth.Endpoint.READY, timeout)
                        : CompletableFuture.completedFuture(null);
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
        CompletableFuture<java.util.Optional<dev.nexus.services.credentials.Secret>> read;
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
                    "/readyz: " + ready.message(), detail);
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
            ObjectNode r = d.putObject("readyz");
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
