package dev.nexus.services.connect;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nexus.services.credentials.Secret;
import dev.nexus.services.supervise.Backoff;
import dev.nexus.services.support.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One long-lived session to a gateway, kept up across gateway restarts, half-open sockets and sleep:
 * each {@link GatewaySession} that ends is followed by a new one after a gRPC-style backoff
 * ({@link ReconnectPolicy}), reset by a successful hello. A planned restart is waited out quietly. An
 * authentication error (token mismatch, not paired, missing scope) stops the retries: the token is
 * re-read every {@code tokenRecheck} and the client connects again only when it has changed, or when
 * {@link #retry()} is called.
 *
 * <pre>{@code
 * GatewayClient client = GatewayClient.builder(URI.create("ws://127.0.0.1:18789/"))
 *         .token(GatewayToken.of(secret)).listener(status -> show(status)).build();
 * client.start();
 * client.health(Duration.ofSeconds(2)).thenAccept(h -> ...);
 * }</pre>
 */
public final class GatewayClient implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GatewayClient.class);
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_TOKEN_RECHECK = Duration.ofSeconds(10);
    /** Stands for "the token could not be read" when remembering which token was rejected. */
    private static final String UNREADABLE = "unreadable";

    /** Told about every change of the connection; runs on the client's serial callback executor. */
    @FunctionalInterface
    public interface Listener {
        void changed(GatewayStatus status);
    }

    private final URI url;
    private final GatewaySession.Settings settings;
    private final GatewayToken token;
    private final Path deviceFile;
    private final DeviceIdentity fixedDevice;
    private final Executor blocking;
    private final ConnectTimer timer;
    private final Duration tokenRecheck;
    private final Listener listener;
    private final ReconnectingConnection<GatewaySession> connection;

    // Guarded by this.
    private GatewayHello lastHello;
    private GatewayHealth lastHealth;
    private DeviceIdentity device;
    private String dialedToken;
    private String rejectedToken;
    private ConnectTimer.Scheduled tokenWatch;
    private boolean closed;

    private GatewayClient(Builder b) {
        this.url = b.url;
        this.settings = new GatewaySession.Settings(b.url, b.client, b.http, b.timer, b.clock, b.connectTimeout);
        this.token = b.token;
        this.deviceFile = b.deviceFile;
        this.fixedDevice = b.device;
        this.blocking = b.blocking;
        this.timer = b.timer;
        this.tokenRecheck = b.tokenRecheck;
        this.listener = b.listener;
        this.connection = new ReconnectingConnection<>("gateway " + b.url, this::dial,
                new ReconnectPolicy(b.backoff, b.random), b.timer, b.clock, b.callbacks, this::connectionChanged);
    }

    public static Builder builder(URI url) {
        return new Builder(url);
    }

    /** Connects for the first time. Idempotent. */
    public void start() {
        connection.start();
    }

    public URI url() {
        return url;
    }

    public GatewayStatus status() {
        ConnectionState state = connection.state();
        synchronized (this) {
            return new GatewayStatus(state, lastHello, lastHealth);
        }
    }

    /** The status once the first (or current) try has an outcome; see {@link ReconnectingConnection#settled()}. */
    public CompletableFuture<GatewayStatus> settled() {
        return connection.settled().thenApply(s -> status());
    }

    /**
     * Asks the connected gateway for its health. The round trip is the latency. Fails at once with a
     * {@link GatewayRequestException} when not connected; never blocks.
     */
    public CompletableFuture<GatewayHealth> health(Duration timeout) {
        long started = System.nanoTime();
        return request("health", Json.MAPPER.createObjectNode(), timeout).thenApply(payload -> {
            GatewayHealth h = GatewayHealth.parse(payload, Duration.ofNanos(System.nanoTime() - started));
            synchronized (this) {
                lastHealth = h;
            }
            return h;
        });
    }

    /** Any request on the live session (read-only scope); fails at once when not connected. */
    public CompletableFuture<JsonNode> request(String method, JsonNode params, Duration timeout) {
        GatewaySession session = connection.link();
        if (session == null) {
            return CompletableFuture.failedFuture(GatewayRequestException.notConnected(connection.state().message()));
        }
        return session.request(method, params, timeout);
    }

    /**
     * Drops the session and connects again now, backoff reset: what to do on wake, where a socket that
     * looks open is often dead. A client rejected for its credentials stays so (see {@link #retry()}).
     */
    public boolean forceReconnect() {
        return connection.forceReconnect();
    }

    /** The user's "Retry": connects again now, also after a rejection. */
    public boolean retry() {
        return connection.retry();
    }

    /** Closes the session politely and stops reconnecting. */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            cancelTokenWatchLocked();
        }
        connection.close();
    }

    private GatewaySession dial(ReconnectingConnection.Events events) {
        GatewaySession[] self = new GatewaySession[1];
        GatewaySession session = new GatewaySession(settings, new ReconnectingConnection.Events() {
            @Override
            public void up() {
                synchronized (GatewayClient.this) {
                    lastHello = self[0].hello();
                }
                events.up();
            }

            @Override
            public void down(Drop drop) {
                events.down(drop);
            }
        });
        self[0] = session;
        CompletableFuture<Optional<Secret>> secret = readToken();
        CompletableFuture<DeviceIdentity> identity = deviceIdentity();
        secret.thenCombine(identity, (t, d) -> {
            synchronized (this) {
                dialedToken = fingerprint(t);
            }
            session.start(t, d);
            return null;
        }).exceptionally(error -> {
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            if (secret.isCompletedExceptionally()) {
                synchronized (this) {
                    dialedToken = UNREADABLE;
                }
            }
            events.down(Drop.rejected(Drop.Problem.CREDENTIALS, cause instanceof GatewayTokenException
                    || cause instanceof IOException ? cause.getMessage() : Failures.describe(cause)));
            return null;
        });
        return session;
    }

    private CompletableFuture<Optional<Secret>> readToken() {
        try {
            return Objects.requireNonNull(token.read(), "the token source returned no future");
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Loaded once, off the caller's thread: the key file may have to be made. */
    private CompletableFuture<DeviceIdentity> deviceIdentity() {
        if (deviceFile == null) {
            return CompletableFuture.completedFuture(fixedDevice);
        }
        synchronized (this) {
            if (device != null) {
                return CompletableFuture.completedFuture(device);
            }
        }
        return CompletableFuture.supplyAsync(() -> {
            try {
                DeviceIdentity loaded = DeviceIdentity.loadOrCreate(deviceFile);
                synchronized (this) {
                    device = loaded;
                }
                return loaded;
            } catch (IOException e) {
                throw new CompletionException(new IOException("cannot use the device identity: " + e.getMessage(), e));
            }
        }, blocking);
    }

    private void connectionChanged(ConnectionState state) {
        synchronized (this) {
            if (state.phase() == ConnectionState.Phase.REJECTED && state.problem() == Drop.Problem.CREDENTIALS) {
                rejectedToken = dialedToken;
                armTokenWatchLocked();
            } else {
                cancelTokenWatchLocked();
            }
        }
        try {
            listener.changed(status());
        } catch (RuntimeException e) {
            LOG.warn("gateway {}: status listener failed", url, e);
        }
    }

    private void armTokenWatchLocked() {
        if (tokenWatch == null && !closed) {
            tokenWatch = timer.schedule(tokenRecheck, this::recheckToken);
        }
    }

    private void cancelTokenWatchLocked() {
        if (tokenWatch != null) {
            tokenWatch.cancel();
            tokenWatch = null;
        }
    }

    /** While rejected: has the token changed since? Then connect again; else look again later. */
    private void recheckToken() {
        synchronized (this) {
            tokenWatch = null;
            if (closed) {
                return;
            }
        }
        readToken().whenComplete((t, error) -> {
            boolean changed;
            synchronized (this) {
                if (closed || connection.state().phase() != ConnectionState.Phase.REJECTED) {
                    return;
                }
                changed = error == null && !fingerprint(t).equals(rejectedToken);
                if (!changed) {
                    armTokenWatchLocked();
                }
            }
            if (changed) {
                LOG.info("gateway {}: the token has changed since it was rejected; connecting again", url);
                connection.retry();
            }
        });
    }

    /** Remembers which token was used without keeping a second copy of it. */
    private static String fingerprint(Optional<Secret> token) {
        if (token.isEmpty()) {
            return "none";
        }
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(token.get().reveal().getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    /** Settings of a client; only the URL is required. */
    public static final class Builder {
        private final URI url;
        private GatewayToken token = GatewayToken.none();
        private ClientInfo client = ClientInfo.nexusServices();
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Backoff backoff;
        private RandomGenerator random = new SplittableRandom();
        private Clock clock = Clock.systemUTC();
        private HttpClient http;
        private ConnectTimer timer;
        private Executor blocking = ForkJoinPool.commonPool();
        private Executor callbacks;
        private Listener listener = s -> { };
        private Duration tokenRecheck = DEFAULT_TOKEN_RECHECK;
        private Path deviceFile;
        private DeviceIdentity device;

        private Builder(URI url) {
            this.url = Objects.requireNonNull(url, "url");
            String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(java.util.Locale.ROOT);
            if (!scheme.equals("ws") && !scheme.equals("wss")) {
                throw new IllegalArgumentException("a gateway URL is ws:// or wss://, got " + url);
            }
            this.backoff = ReconnectPolicy.backoffFor(url);
        }

        public Builder token(GatewayToken value) {
            token = Objects.requireNonNull(value, "token");
            return this;
        }

        public Builder client(ClientInfo value) {
            client = Objects.requireNonNull(value, "client");
            return this;
        }

        /** From starting a try until hello-ok; 10 s unless set. */
        public Builder connectTimeout(Duration value) {
            if (value == null || value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException("connect timeout must be positive, got " + value);
            }
            connectTimeout = value;
            return this;
        }

        /** Replaces the standard backoff (1 s × 1.6 ± 20 %, capped at 30 s loopback / 120 s remote). */
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

        /** Where the token and the device key are read (they may block); the common pool unless set. */
        public Builder blocking(Executor value) {
            blocking = Objects.requireNonNull(value, "blocking");
            return this;
        }

        /** Where the listener runs: serial, in order (the engine loop). A private serial executor unless set. */
        public Builder callbacks(Executor value) {
            callbacks = Objects.requireNonNull(value, "callbacks");
            return this;
        }

        public Builder listener(Listener value) {
            listener = Objects.requireNonNull(value, "listener");
            return this;
        }

        /** How often a rejected client looks whether the token has changed; 10 s unless set. */
        public Builder tokenRecheck(Duration value) {
            if (value == null || value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException("token recheck interval must be positive, got " + value);
            }
            tokenRecheck = value;
            return this;
        }

        /** Sign each connect with the Ed25519 identity kept in this file (made, 0600, on first use). */
        public Builder deviceIdentity(Path keyFile) {
            deviceFile = Objects.requireNonNull(keyFile, "keyFile");
            device = null;
            return this;
        }

        /** Sign each connect with this identity. */
        public Builder deviceIdentity(DeviceIdentity identity) {
            device = Objects.requireNonNull(identity, "identity");
            deviceFile = null;
            return this;
        }

        public GatewayClient build() {
            if (http == null) {
                http = ConnectDefaults.http();
            }
            if (timer == null) {
                timer = ConnectDefaults.timer();
            }
            if (callbacks == null) {
                callbacks = ConnectDefaults.serial();
            }
            return new GatewayClient(this);
        }
    }
}
