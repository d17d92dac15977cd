package dev.nexus.services.connect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nexus.services.credentials.Secret;
import dev.nexus.services.support.Json;
import dev.nexus.services.support.Version;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WebSocket connection to a gateway, from the handshake to its end: waits for
 * {@code connect.challenge}, answers with {@code connect} (token, optional signed device), accepts a
 * {@code hello-ok} for protocol 3 or 4, then carries requests and watches the heartbeat (any frame,
 * normally a {@code tick}; two tick intervals without one means the session is dead). It reports
 * {@code up} once and {@code down} once with the reason ({@link Drop}): a lost connection, a planned
 * restart ({@code shutdown} with an expected return, close 1012), or a rejection (an auth error frame,
 * close 1008, a protocol mismatch or close 1002). {@link GatewayClient} reconnects; this class never does.
 *
 * <p>Thread-safe. Nothing blocks: the socket is the JDK's asynchronous WebSocket, timers run on the
 * {@link ConnectTimer}, and events are reported on whichever thread noticed them.
 */
public final class GatewaySession implements ReconnectingConnection.Link {
    private static final Logger LOG = LoggerFactory.getLogger(GatewaySession.class);
    /** A text message larger than this ends the session: no gateway frame is legitimately this large. */
    static final int MAX_MESSAGE_CHARS = 16 * 1024 * 1024;
    /** After a {@code shutdown} event the close should follow at once; this long at most. */
    static final Duration SHUTDOWN_CLOSE_GRACE = Duration.ofSeconds(5);
    /** How long a polite close waits for the gateway's close frame before dropping the socket. */
    static final Duration CLOSE_GRACE = Duration.ofSeconds(2);

    /**
     * What every session to one gateway shares.
     *
     * @param connectTimeout from starting until hello-ok (TCP connect, handshake, challenge and connect)
     */
    public record Settings(URI url, ClientInfo client, HttpClient http, ConnectTimer timer, Clock clock,
                           Duration connectTimeout) {
        public Settings {
            Objects.requireNonNull(url, "url");
            Objects.requireNonNull(client, "client");
            Objects.requireNonNull(http, "http");
            Objects.requireNonNull(timer, "timer");
            Objects.requireNonNull(clock, "clock");
            Objects.requireNonNull(connectTimeout, "connectTimeout");
        }
    }

    private enum Stage {
        NOT_STARTED, OPENING, AWAIT_CHALLENGE, AWAIT_HELLO, READY
    }

    private record Pending(String method, CompletableFuture<JsonNode> future, ConnectTimer.Scheduled timeout) {
    }

    private final Settings settings;
    private final ReconnectingConnection.Events events;
    private final AtomicLong requestIds = new AtomicLong(1);
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    /** Parts of a text message; only the WebSocket's listener touches it, one call at a time. */
    private final StringBuilder partial = new StringBuilder();

    // Guarded by this.
    private Stage stage = Stage.NOT_STARTED;
    private boolean finished;
    private WebSocket socket;
    private CompletableFuture<WebSocket> opening;
    private CompletableFuture<?> sendChain = CompletableFuture.completedFuture(null);
    private Optional<Secret> token = Optional.empty();
    private DeviceIdentity device;
    private GatewayHello hello;
    private GatewayError connectError;
    private ShutdownNotice shutdown;
    private Instant lastFrameAt;
    private final List<ConnectTimer.Scheduled> timers = new ArrayList<>();

    public GatewaySession(Settings settings, ReconnectingConnection.Events events) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.events = Objects.requireNonNull(events, "events");
    }

    /**
     * Opens the socket. Separate from construction because the token may take a keychain read to
     * find; a session aborted before it starts never opens anything.
     *
     * @param device null to connect without a device identity
     */
    public void start(Optional<Secret> token, DeviceIdentity device) {
        CompletableFuture<WebSocket> open;
        synchronized (this) {
            if (stage != Stage.NOT_STARTED || finished) {
                return;
            }
            stage = Stage.OPENING;
            this.token = Objects.requireNonNull(token, "token");
            this.device = device;
            timers.add(settings.timer().schedule(settings.connectTimeout(), this::helloOverdue));
            try {
                open = settings.http().newWebSocketBuilder()
                        .connectTimeout(settings.connectTimeout())
                        .header("User-Agent", "nexus-services/" + Version.current())
                        .buildAsync(settings.url(), new Listener());
            } catch (RuntimeException e) {
                open = CompletableFuture.failedFuture(e);
            }
            opening = open;
        }
        open.whenComplete((ws, error) -> {
            if (error != null) {
                LOG.debug("{}: opening failed", settings.url(), error);
                finish(Drop.lost(Failures.describe(error, settings.url())));
                return;
            }
            boolean late;
            synchronized (this) {
                late = finished;
                if (!late && socket == null) {
                    socket = ws;
                }
            }
            if (late) {
                ws.abort();
            }
        });
    }

    /** Sends a request; the answer's payload, or a {@link GatewayRequestException}. Never blocks. */
    public CompletableFuture<JsonNode> request(String method, JsonNode params, Duration timeout) {
        String id;
        synchronized (this) {
            if (stage != Stage.READY || finished) {
                return CompletableFuture.failedFuture(GatewayRequestException.notConnected(
                        finished ? "the session has ended" : "the session is not ready yet"));
            }
            id = "r" + requestIds.incrementAndGet();
        }
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        ConnectTimer.Scheduled deadline = settings.timer().schedule(timeout, () -> {
            Pending p = pending.remove(id);
            if (p != null) {
                p.future().completeExceptionally(GatewayRequestException.timedOut(method, timeout));
            }
        });
        pending.put(id, new Pending(method, answer, deadline));
        answer.whenComplete((r, e) -> deadline.cancel());
        send(GatewayProtocol.request(id, method, params)).whenComplete((ws, error) -> {
            if (error != null) {
                String why = "sending " + method + " failed: " + Failures.describe(error);
                Pending p = pending.remove(id);
                if (p != null) {
                    p.future().completeExceptionally(GatewayRequestException.notConnected(why));
                }
                // A socket that cannot send is dead, even when its reading side has not noticed yet (the
                // JDK's WebSocket may close output on a failed write and never report the peer's close).
                finish(Drop.lost("connection lost: " + why));
            }
        });
        return answer;
    }

    /** The hello-ok of this session, or null before it. */
    public synchronized GatewayHello hello() {
        return hello;
    }

    /** The {@code shutdown} event this session received, or null. */
    public synchronized ShutdownNotice shutdown() {
        return shutdown;
    }

    /** When the last frame (a tick, an answer, anything) arrived, or null. */
    public synchronized Instant lastFrameAt() {
        return lastFrameAt;
    }

    public URI url() {
        return settings.url();
    }

    @Override
    public void abort() {
        CompletableFuture<WebSocket> open;
        WebSocket ws;
        synchronized (this) {
            finished = true;
            cancelTimersLocked();
            ws = socket;
            open = opening;
        }
        failPending("the session was dropped");
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
            cancelTimersLocked();
            ws = socket;
        }
        failPending("the session was closed");
        if (ws == null) {
            abort();
            return;
        }
        sendClose(ws, GatewayProtocol.CLOSE_NORMAL, "nexus-services closing");
    }

    // ---- frames ----------------------------------------------------------------------------------------

    private void handleFrame(String text) {
        JsonNode frame;
        try {
            frame = Json.MAPPER.readTree(text);
        } catch (java.io.IOException e) {
            LOG.debug("{}: ignoring a frame that is not JSON: {}", settings.url(), e.getMessage());
            return;
        }
        if (frame == null || !frame.isObject()) {
            return;
        }
        String type = frame.path("type").asText("");
        if (type.equals("event")) {
            String event = frame.path("event").asText("");
            JsonNode payload = frame.path("payload");
            switch (event) {
                case "connect.challenge" -> onChallenge(payload.path("nonce").isTextual()
                        ? payload.get("nonce").textValue() : null);
                case "shutdown" -> onShutdown(payload);
                default -> {
                    // tick, presence, agent, ...: only their arrival matters here (the heartbeat)
                }
            }
        } else if (type.equals("res")) {
            String id = frame.path("id").asText("");
            if (id.equals(GatewayProtocol.CONNECT_ID)) {
                onConnectAnswer(frame);
            } else {
                onAnswer(id, frame);
            }
        }
    }

    private void onChallenge(String nonce) {
        ObjectNode connect;
        synchronized (this) {
            if (finished || (stage != Stage.AWAIT_CHALLENGE && stage != Stage.OPENING)) {
                return;
            }
            stage = Stage.AWAIT_HELLO;
            ObjectNode signed = device == null ? null
                    : device.connectBlock(settings.client(), token, nonce, settings.clock().millis());
            connect = GatewayProtocol.connect(settings.client(), token, signed);
        }
        send(connect).whenComplete((ws, error) -> {
            if (error != null) {
                finish(Drop.lost("sending connect failed: " + Failures.describe(error)));
            }
        });
    }

    private void onConnectAnswer(JsonNode frame) {
        if (!frame.path("ok").asBoolean(false)) {
            GatewayError error = GatewayError.parse(frame.get("error"));
            synchronized (this) {
                connectError = error;
            }
            Drop.Problem problem = error.problem();
            finish(problem != null ? Drop.rejected(problem, error.describe())
                    : Drop.lost("the gateway refused the connection: " + error.describe()));
            return;
        }
        GatewayHello h;
        try {
            h = GatewayHello.parse(frame.get("payload"));
        } catch (IllegalArgumentException e) {
            finish(Drop.lost("unexpected answer to connect: " + e.getMessage()));
            return;
        }
        if (!GatewayProtocol.supports(h.protocol())) {
            finish(Drop.rejected(Drop.Problem.PROTOCOL, "protocol mismatch: the gateway answered with protocol "
                    + h.protocol() + "; Nexus Services speaks " + GatewayProtocol.MIN_PROTOCOL + " to "
                    + GatewayProtocol.MAX_PROTOCOL), GatewayProtocol.CLOSE_PROTOCOL_ERROR);
            return;
        }
        synchronized (this) {
            if (finished || stage != Stage.AWAIT_HELLO) {
                return;
            }
            hello = h;
            stage = Stage.READY;
            cancelTimersLocked(); // the hello deadline
            armHeartbeatLocked(h.tickInterval().multipliedBy(2));
        }
        LOG.debug("{}: hello-ok, protocol {}, server {}, tick every {}", settings.url(), h.protocol(),
                h.serverVersion(), h.tickInterval());
        events.up();
    }

    private void onAnswer(String id, JsonNode frame) {
        Pending p = pending.remove(id);
        if (p == null) {
            return; // timed out already
        }
        if (frame.path("ok").asBoolean(false)) {
            p.future().complete(frame.get("payload"));
            return;
        }
        GatewayError error = GatewayError.parse(frame.get("error"));
        p.future().completeExceptionally(GatewayRequestException.answered(p.method(), error));
        if (error.problem() == Drop.Problem.CREDENTIALS) {
            // A missing scope does not heal by asking again: the session is useless until the user acts.
            finish(Drop.rejected(Drop.Problem.CREDENTIALS, error.describe()), GatewayProtocol.CLOSE_NORMAL);
        }
    }

    private void onShutdown(JsonNode payload) {
        JsonNode expected = payload.get("restartExpectedMs");
        ShutdownNotice notice = new ShutdownNotice(payload.path("reason").asText(null),
                expected != null && expected.isNumber() && expected.asLong() >= 0
                        ? Duration.ofMillis(expected.asLong()) : null, settings.clock().instant());
        synchronized (this) {
            if (finished) {
                return;
            }
            shutdown = notice;
            timers.add(settings.timer().schedule(SHUTDOWN_CLOSE_GRACE, () -> finish(dropAfter(notice))));
        }
        LOG.info("{}: {}", settings.url(), notice.describe());
    }

    private void closedByPeer(int code, String reason) {
        finish(dropForClose(code, reason == null ? "" : reason.trim()));
    }

    private Drop dropForClose(int code, String reason) {
        GatewayError error;
        ShutdownNotice notice;
        boolean ready;
        synchronized (this) {
            error = connectError;
            notice = shutdown;
            ready = stage == Stage.READY;
        }
        if (error != null && error.problem() != null) {
            return Drop.rejected(error.problem(), error.describe());
        }
        if (notice != null) {
            return dropAfter(notice);
        }
        String said = reason.isEmpty() ? "" : ": " + reason;
        return switch (code) {
            case GatewayProtocol.CLOSE_SERVICE_RESTART ->
                    Drop.plannedRestart("gateway restarting (close 1012" + said + ")", null);
            case GatewayProtocol.CLOSE_POLICY_VIOLATION -> Drop.rejected(Drop.Problem.CREDENTIALS,
                    "the gateway closed the connection: " + (reason.isEmpty() ? "policy violation" : reason) + " (1008)");
            case GatewayProtocol.CLOSE_PROTOCOL_ERROR -> Drop.rejected(Drop.Problem.PROTOCOL,
                    "the gateway closed the connection: " + (reason.isEmpty() ? "protocol error" : reason) + " (1002)");
            default -> Drop.lost("closed by the gateway" + (ready ? "" : " before hello") + " (code " + code + said + ")");
        };
    }

    private static Drop dropAfter(ShutdownNotice notice) {
        return notice.restarting() ? Drop.plannedRestart(notice.describe(), notice.restartExpected())
                : Drop.lost(notice.describe());
    }

    // ---- deadlines -------------------------------------------------------------------------------------

    private void helloOverdue() {
        Stage at;
        synchronized (this) {
            at = stage;
        }
        if (at == Stage.READY) {
            return;
        }
        String limit = ReconnectingConnection.describe(settings.connectTimeout());
        finish(Drop.lost(switch (at) {
            case AWAIT_CHALLENGE -> "no connect.challenge from the gateway within " + limit;
            case AWAIT_HELLO -> "no answer to connect within " + limit;
            default -> "timed out connecting to " + Failures.hostPort(settings.url()) + " after " + limit;
        }));
    }

    private void armHeartbeatLocked(Duration limit) {
        Instant last = lastFrameAt != null ? lastFrameAt : settings.clock().instant();
        Duration silent = Duration.between(last, settings.clock().instant());
        Duration wait = limit.minus(silent);
        timers.add(settings.timer().schedule(wait.isNegative() ? Duration.ZERO : wait, () -> checkHeartbeat(limit)));
    }

    private void checkHeartbeat(Duration limit) {
        Duration silent;
        Duration tick;
        synchronized (this) {
            if (finished) {
                return;
            }
            silent = lastFrameAt == null ? limit : Duration.between(lastFrameAt, settings.clock().instant());
            tick = hello.tickInterval();
            if (silent.compareTo(limit) < 0) {
                armHeartbeatLocked(limit);
                return;
            }
        }
        LOG.info("{}: no frame for {} (twice the {} tick interval): the session is dead", settings.url(),
                ReconnectingConnection.describe(silent), ReconnectingConnection.describe(tick));
        finish(Drop.lost("no tick from the gateway for " + ReconnectingConnection.describe(silent) + " (twice its "
                + ReconnectingConnection.describe(tick) + " tick interval): the session was dead"));
    }

    // ---- ending ------------------------------------------------------------------------------------------

    private void finish(Drop drop) {
        finish(drop, -1);
    }

    /** Reports the end once, then drops the socket (after a close frame with {@code closeCode} if >= 0). */
    private void finish(Drop drop, int closeCode) {
        WebSocket ws;
        CompletableFuture<WebSocket> open;
        synchronized (this) {
            if (finished) {
                return;
            }
            finished = true;
            cancelTimersLocked();
            ws = socket;
            open = opening;
        }
        failPending(drop.message());
        events.down(drop);
        if (ws != null) {
            if (closeCode >= 0) {
                sendClose(ws, closeCode, drop.kind() == Drop.Kind.REJECTED ? "rejected" : "closing");
            } else {
                ws.abort();
            }
        } else if (open != null) {
            open.thenAccept(WebSocket::abort);
        }
    }

    private void sendClose(WebSocket ws, int code, String reason) {
        ConnectTimer.Scheduled backstop = settings.timer().schedule(CLOSE_GRACE, ws::abort);
        CompletableFuture<?> sent;
        synchronized (this) {
            sent = sendChain = sendChain.handle((r, e) -> null)
                    .thenCompose(x -> ws.sendClose(code, reason));
        }
        sent.whenComplete((r, e) -> {
            if (e != null) {
                backstop.cancel();
                ws.abort();
            }
        });
    }

    private void failPending(String why) {
        for (String id : List.copyOf(pending.keySet())) {
            Pending p = pending.remove(id);
            if (p != null) {
                p.future().completeExceptionally(GatewayRequestException.notConnected(why));
            }
        }
    }

    private void cancelTimersLocked() {
        timers.forEach(ConnectTimer.Scheduled::cancel);
        timers.clear();
    }

    /** One text frame at a time: the JDK WebSocket allows no overlapping sends. */
    private CompletableFuture<?> send(JsonNode frame) {
        String text = frame.toString();
        synchronized (this) {
            WebSocket ws = socket;
            if (ws == null || finished) {
                return CompletableFuture.failedFuture(new IllegalStateException("the socket is not open"));
            }
            CompletableFuture<?> next = sendChain.handle((r, e) -> null).thenCompose(x -> ws.sendText(text, true));
            sendChain = next;
            return next;
        }
    }

    private void frameArrived() {
        Instant now = settings.clock().instant();
        synchronized (this) {
            lastFrameAt = now;
        }
    }

    /** The JDK's callbacks; it delivers them one at a time, asking for one message after each. */
    private final class Listener implements WebSocket.Listener {
        @Override
        public void onOpen(WebSocket webSocket) {
            synchronized (GatewaySession.this) {
                if (socket == null) {
                    socket = webSocket;
                }
                if (stage == Stage.OPENING) {
                    stage = Stage.AWAIT_CHALLENGE;
                }
            }
            frameArrived();
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            frameArrived();
            if (partial.length() + data.length() > MAX_MESSAGE_CHARS) {
                partial.setLength(0);
                finish(Drop.lost("the gateway sent a message larger than " + MAX_MESSAGE_CHARS + " characters"));
                return null;
            }
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                try {
                    handleFrame(text);
                } catch (RuntimeException e) {
                    LOG.warn("{}: could not handle a frame", settings.url(), e);
                }
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            frameArrived();
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
            frameArrived();
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPong(WebSocket webSocket, ByteBuffer message) {
            frameArrived();
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closedByPeer(statusCode, reason);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            LOG.debug("{}: socket error", settings.url(), error);
            finish(Drop.lost("connection lost: " + Failures.describe(error, settings.url())));
        }
    }
}
