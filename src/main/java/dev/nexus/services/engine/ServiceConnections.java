package dev.nexus.services.engine;

import dev.nexus.services.catalog.ProbeCheck;
import dev.nexus.services.connect.ConnectDefaults;
import dev.nexus.services.connect.ConnectTimer;
import dev.nexus.services.connect.ConnectionState;
import dev.nexus.services.connect.GatewayClient;
import dev.nexus.services.connect.GatewayHttpHealth;
import dev.nexus.services.connect.GatewayProbe;
import dev.nexus.services.connect.GatewayTokens;
import dev.nexus.services.connect.WebSocketConnection;
import dev.nexus.services.health.Probe;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * The long-lived connections of one service while the engine watches it: one gateway session per
 * gateway URL (its startup, liveness and readiness probes all ask over it) and, for a connection
 * service, one plain WebSocket per URL. Probes built here ask the live connection instead of dialing
 * anew each period.
 *
 * <p>Loop-only, like the tracker that owns it. Connection state changes arrive on the engine loop
 * ({@code callbacks} is {@code ctx.loop()}); timers run on the probe timer; token and device-key
 * reads run on the blocking pool, so nothing here ever blocks the loop.
 */
final class ServiceConnections {
    /** Where this installation's Ed25519 gateway identity is kept (run dir, 0600). */
    static final String DEVICE_KEY_FILE = "gateway-device.json";

    private final EngineContext ctx;
    private final String service;
    private final Consumer<ConnectionState> changed;
    private final Map<String, Connection> byKey = new LinkedHashMap<>();
    private GatewayHttpHealth httpHealth;
    private boolean closed;

    /** A kept connection of either kind. */
    private sealed interface Connection permits Gateway, Socket {
        ConnectionState state();

        boolean forceReconnect();

        boolean retry();

        void close();
    }

    private record Gateway(GatewayClient client) implements Connection {
        public ConnectionState state() {
            return client.status().connection();
        }

        public boolean forceReconnect() {
            return client.forceReconnect();
        }

        public boolean retry() {
            return client.retry();
        }

        public void close() {
            client.close();
        }
    }

    private record Socket(WebSocketConnection socket) implements Connection {
        public ConnectionState state() {
            return socket.state();
        }

        public boolean forceReconnect() {
            return socket.forceReconnect();
        }

        public boolean retry() {
            return socket.retry();
        }

        public void close() {
            socket.close();
        }
    }

    /**
     * @param changed told (on the loop) about every state change of any of these connections
     */
    ServiceConnections(EngineContext ctx, String service, Consumer<ConnectionState> changed) {
        this.ctx = ctx;
        this.service = service;
        this.changed = changed;
    }

    /** A probe that asks the service's gateway session (started on first use). */
    Probe gatewayProbe(ProbeCheck.Gateway check, Duration timeout, boolean readiness) {
        String key = "gateway " + check.url() + " " + Objects.requireNonNullElse(check.token(), "") + " " + check.device();
        Gateway g = (Gateway) byKey.computeIfAbsent(key, k -> new Gateway(newGateway(check)));
        if (httpHealth == null) {
            httpHealth = new GatewayHttpHealth(ConnectDefaults.http());
        }
        return GatewayProbe.of(g.client(), readiness ? GatewayProbe.Role.READINESS : GatewayProbe.Role.LIVENESS,
                timeout, httpHealth, ctx.clock());
    }

    /** A probe that pings the service's kept WebSocket (started on first use). */
    Probe webSocketProbe(URI url, Duration timeout) {
        Socket s = (Socket) byKey.computeIfAbsent("websocket " + url, k -> new Socket(newSocket(url)));
        return s.socket().probe(timeout, ctx.clock());
    }

    private GatewayClient newGateway(ProbeCheck.Gateway check) {
        GatewayClient.Builder b = GatewayClient.builder(check.url())
                .token(GatewayTokens.resolving(check.token(), entries -> ctx.environments().resolve(service, entries),
                        () -> ctx.environments().base()))
                .timer(ConnectTimer.of(ctx.probeTimer()))
                .clock(ctx.clock())
                .random(new SplittableRandom(ctx.random().nextLong()))
                .blocking(ctx.blocking())
                .callbacks(ctx.loop())
                .listener(status -> onChange(status.connection()));
        if (check.device()) {
            b.deviceIdentity(deviceKeyFile());
        }
        GatewayClient client = b.build();
        client.start();
        return client;
    }

    private WebSocketConnection newSocket(URI url) {
        WebSocketConnection socket = WebSocketConnection.builder(url)
                .timer(ConnectTimer.of(ctx.probeTimer()))
                .clock(ctx.clock())
                .random(new SplittableRandom(ctx.random().nextLong()))
                .callbacks(ctx.loop())
                .listener(this::onChange)
                .build();
        socket.start();
        return socket;
    }

    Path deviceKeyFile() {
        return ctx.paths().run().resolve(DEVICE_KEY_FILE);
    }

    private void onChange(ConnectionState state) {
        if (!closed) {
            changed.accept(state);
        }
    }

    boolean isEmpty() {
        return byKey.isEmpty();
    }

    /** Every connection's state right now. */
    List<ConnectionState> states() {
        List<ConnectionState> states = new ArrayList<>();
        for (Connection c : byKey.values()) {
            states.add(c.state());
        }
        return states;
    }

    /** Drops every connection and dials again now, backoff reset (on wake). Rejected ones stay rejected. */
    void forceReconnect() {
        byKey.values().forEach(Connection::forceReconnect);
    }

    /** Dials every connection again now, rejected ones too (the user's retry). */
    void retry() {
        byKey.values().forEach(Connection::retry);
    }

    void close() {
        closed = true;
        byKey.values().forEach(Connection::close);
        byKey.clear();
    }
}
