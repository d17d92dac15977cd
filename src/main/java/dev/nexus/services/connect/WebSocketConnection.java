package dev.nexus.services.connect;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nexus.services.health.Probe;
import dev.nexus.services.health.ProbeResult;
import dev.nexus.services.supervise.Backoff;
import dev.nexus.services.support.Json;
import dev.nexus.services.support.Version;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;

/**
 * A plain WebSocket kept open (the collab server, any ws:// endpoint that is not a gateway), on the same
 * reconnect machine as the gateway session. Liveness is a ping over the open socket: a pong measures the
 * round trip; no pong in time means the socket is dead (often after a sleep), so it is dropped and dialed
 * again at once.
 */
public final class WebSocketConnection implements AutoCloseable {
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

    private final URI url;
    private final HttpClient http;
    private final ConnectTimer timer;
    private final Duration connectTimeout;
    private final ReconnectingConnection<PlainLink> connection;

    private WebSocketConnection(Builder b) {
        this.url = b.url;
        this.http = b.http;
        this.timer = b.timer;
        this.connectTimeout = b.connectTimeout;
        this.connection = new ReconnectingConnection<>("websocket " + b.url, this::dial,
                new ReconnectPolicy(b.backoff, b.random), b.timer, b.clock, b.callbacks, b.listener::changed);
    }

    public static Builder builder(URI url) {
        return new Builder(url);
    }

    public void start() {
        connection.start();
    }

    public URI url() {
        return url;
    }

    public ConnectionState state() {
        return connection.state();
    }

    /** The round trip of one ping; fails when not connected or when no pong comes in time. */
    public CompletableFuture<Duration> ping(Duration timeout) {
        PlainLink link = connection.link();
        if (link == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("not connected: "
                    + connection.state().message()));
        }
        return link.ping(timeout);
    }

    /** Drops the socket and dials again now, backoff reset (on wake). */
    public boolean forceReconnect() {
        return connection.forceReconnect();
    }

    public boolean retry() {
        return connection.retry();
    }

    @Override
    public void close() {
        connection.close();
    }

    /**
     * Liveness as probe results: a ping while connected, else FAIL with where the reconnect stands. The
     * very first try waits (within its timeout) for the first connect to have an outcome.
     */
    public Probe probe(Duration timeout, Clock clock) {
        return () -> {
            ConnectionState now = connection.state();
            if (GatewayProbe.firstTry(now)) {
                long started = System.nanoTime();
                return connection.settled().completeOnTimeout(now, timeout.toMillis(), TimeUnit.MILLISECONDS)
                        .thenCompose(s -> check(GatewayProbe.remaining(timeout, started), clock));
            }
            return check(timeout, clock);
        };
    }

    private CompletableFuture<ProbeResult> check(Duration timeout, Clock clock) {
        ConnectionState s = connection.state();
        if (!s.connected()) {
            return CompletableFuture.completedFuture(ProbeResult.fail(clock.instant(), Duration.ZERO,
                    s.phase() == ConnectionState.Phase.CLOSED ? "connection closed" : s.message())
                    .withDetail(detail(s)));
        }
        return ping(timeout).handle((rtt, error) -> error == null
                ? new ProbeResult(ProbeResult.Outcome.OK, clock.instant(), rtt, "connected, pong in "
                + ReconnectingConnection.describe(rtt), detail(connection.state()))
                : ProbeResult.fail(clock.instant(), Duration.ZERO, Failures.describe(error))
                .withDetail(detail(connection.state())));
    }

    private static ObjectNode detail(ConnectionState s) {
        ObjectNode d = Json.MAPPER.createObjectNode();
        d.put("session", s.phase().name().toLowerCase(Locale.ROOT));
        if (!s.connected()) {
            d.put("message", s.message());
            d.put("failures", s.failures());
            if (s.nextAttemptAt() != null) {
                d.put("nextAttemptAt", s.nextAttemptAt().toString());
            }
        }
        return d;
    }

    private PlainLink dial(ReconnectingConnection.Events events) {
        PlainLink link = new PlainLink(events);
        link.open();
        return link;
    }

    /** One socket: up on open, down on close, error or a missing pong. */
    private final class PlainLink implements ReconnectingConnection.Link, WebSocket.Listener {
        private final ReconnectingConnection.Events events;
        // Guarded by this.
        private WebSocket socket;
        private CompletableFuture<WebSocket> opening;
        private boolean finished;
        private CompletableFuture<Duration> pong;
        private long pingSentNanos;
        private ConnectTimer.Scheduled pongDeadline;
        private int pings;

        PlainLink(ReconnectingConnection.Events events) {
            this.events = events;
        }

        void open() {
            CompletableFuture<WebSocket> open;
            ConnectTimer.Scheduled deadline = timer.schedule(connectTimeout.plusSeconds(1),
                    () -> finish(Drop.lost("timed out connecting to " + Failures.hostPort(url) + " after "
                            + ReconnectingConnection.describe(connectTimeout))));
            try {
                open = http.newWebSocketBuilder().connectTimeout(connectTimeout)
                        .header("User-Agent", "nexus-services/" + Version.current())
                        .buildAsync(url, this);
            } catch (RuntimeException e) {
                open = CompletableFuture.failedFuture(e);
            }
            synchronized (this) {
                opening = open;
            }
            open.whenComplete((ws, error) -> {
                deadline.cancel();
                if (error != null) {
                    finish(Drop.lost(Failures.describe(error, url)));
                    return;
                }
                boolean late;
                synchronized (this) {
                    late = finished;
                    socket = ws;
                }
                if (late) {
                    ws.abort();
                } else {
                    events.up();
                }
            });
        }

        synchronized CompletableFuture<Duration> ping(Duration timeout) {
            if (finished || socket == null) {
                return CompletableFuture.failedFuture(new IllegalStateException("not connected"));
            }
            if (pong != null) {
                return pong; // one ping in flight at a time: share its answer
            }
            CompletableFuture<Duration> answer = new CompletableFuture<>();
            pong = answer;
            pingSentNanos = System.nanoTime();
            pongDeadline = timer.schedule(timeout, () -> {
                if (answer.completeExceptionally(new IllegalStateException("no pong within "
                        + ReconnectingConnection.describe(timeout) + "; reconnecting"))) {
                    finish(Drop.lost("no pong within " + ReconnectingConnection.describe(timeout)
                            + ": the connection was dead"));
                }
            });
            WebSocket ws = socket;
            ws.sendPing(ByteBuffer.wrap(("nexus-" + (++pings)).getBytes(StandardCharsets.US_ASCII)))
                    .whenComplete((w, error) -> {
                        if (error != null && answer.completeExceptionally(error)) {
                            finish(Drop.lost("ping failed: " + Failures.describe(error)));
                        }
                    });
            return answer;
        }

        @Override
        public void onOpen(WebSocket webSocket) {
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPong(WebSocket webSocket, ByteBuffer message) {
            CompletableFuture<Duration> answer;
            Duration rtt;
            synchronized (this) {
                answer = pong;
                pong = null;
                rtt = Duration.ofNanos(System.nanoTime() - pingSentNanos);
                if (pongDeadline != null) {
                    pongDeadline.cancel();
                    pongDeadline = null;
                }
            }
            if (answer != null) {
                answer.complete(rtt);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            finish(Drop.lost("closed by the server (code " + statusCode
                    + (reason == null || reason.isBlank() ? "" : ": " + reason) + ")"));
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            finish(Drop.lost("connection lost: " + Failures.describe(error, url)));
        }

        private void finish(Drop drop) {
            WebSocket ws;
            CompletableFuture<Duration> waiting;
            synchronized (this) {
                if (finished) {
                    return;
                }
                finished = true;
                ws = socket;
                waiting = pong;
                pong = null;
                if (pongDeadline != null) {
                    pongDeadline.cancel();
                }
            }
            if (waiting != null) {
                waiting.completeExceptionally(new IllegalStateException(drop.message()));
            }
            events.down(drop);
            if (ws != null) {
                ws.abort();
            }
        }

        @Override
        public void abort() {
            WebSocket ws;
            CompletableFuture<WebSocket> open;
            CompletableFuture<Duration> waiting;
            synchronized (this) {
                finished = true;
                ws = socket;
                open = opening;
                waiting = pong;
                pong = null;
                if (pongDeadline != null) {
                    pongDeadline.cancel();
                }
            }
            if (waiting != null) {
                waiting.completeExceptionally(new IllegalStateException("connection dropped"));
            }
            if (ws != null) {
                ws.abort();
            } else if (open != null) {
                open.cancel(true);
                open.thenAccept(WebSocket::abort);
            }
        }

        @Override
        public void close() {
            WebSocket ws;
            synchronized (this) {
                if (finished) {
                    return;
                }
                finished = true;
                ws = socket;
            }
            if (ws == null) {
                abort();
                return;
            }
            ConnectTimer.Scheduled backstop = timer.schedule(GatewaySession.CLOSE_GRACE, ws::abort);
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "nexus-services closing").whenComplete((w, e) -> {
                if (e != null) {
                    backstop.cancel();
                    ws.abort();
                }
            });
        }
    }

    /** Settings of a connection; only the URL is required. */
    public static final class Builder {
        private final URI url;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Backoff backoff;
        private RandomGenerator random = new SplittableRandom();
        private Clock clock = Clock.systemUTC();
        private HttpClient http;
        private ConnectTimer timer;
        private Executor callbacks;
        private ReconnectingConnection.Listener listener = s -> { };

        private Builder(URI url) {
            this.url = Objects.requireNonNull(url, "url");
            String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("ws") && !scheme.equals("wss")) {
                throw new IllegalArgumentException("a WebSocket URL is ws:// or wss://, got " + url);
            }
            this.backoff = ReconnectPolicy.backoffFor(url);
        }

        public Builder connectTimeout(Duration value) {
            if (value == null || value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException("connect timeout must be positive, got " + value);
            }
            connectTimeout = value;
            return this;
        }

        public Builder backoff(Backoff value) {
            backoff = Objects.requireNonNull(value, "backoff");
            return this;
        }

        public Builder random(RandomGenerator value) {
            random = Objects.requireNonNull(value, "random");
            return this;
        }

        public Builder clock(Clock value) {
            clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        public Builder http(HttpClient value) {
            http = Objects.requireNonNull(value, "http");
            return this;
        }

        public Builder timer(ConnectTimer value) {
            timer = Objects.requireNonNull(value, "timer");
            return this;
        }

        public Builder callbacks(Executor value) {
            callbacks = Objects.requireNonNull(value, "callbacks");
            return this;
        }

        public Builder listener(ReconnectingConnection.Listener value) {
            listener = Objects.requireNonNull(value, "listener");
            return this;
        }

        public WebSocketConnection build() {
            if (http == null) {
                http = ConnectDefaults.http();
            }
            if (timer == null) {
                timer = ConnectDefaults.timer();
            }
            if (callbacks == null) {
                callbacks = ConnectDefaults.serial();
            }
            return new WebSocketConnection(this);
        }
    }
}
