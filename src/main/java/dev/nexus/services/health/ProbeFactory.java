package dev.nexus.services.health;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nexus.services.catalog.ProbeCheck;
import dev.nexus.services.health.ProbeResult.Outcome;
import dev.nexus.services.support.Durations;
import dev.nexus.services.support.Json;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes {@link Probe}s and owns what they share, so the thread count does not grow with the number
 * of services: one selector thread for every TCP connect, one {@link HttpClient} (its own selector
 * thread plus a two-thread I/O pool, also used to start exec probes) for every HTTP and WebSocket
 * probe, and the caller's timer for every deadline. The HTTP client and the TCP selector start on
 * first use, so a one-shot status that probes only TCP never starts an HTTP client.
 *
 * <p>Every probe's future completes, never exceptionally, when its try ends or when its timeout
 * fires on the timer, whichever is first; the timeout also aborts the try (socket closed, process
 * tree killed). Cancelling a probe's future aborts the try too. Futures complete on the thread that
 * ended the try (the TCP selector, the HTTP I/O pool, the JDK's process reaper or the timer), so
 * what callers chain on them must be quick.
 *
 * <p>Exec probes start a real process, and the JDK keeps one pooled "process reaper" thread per
 * running child and completes {@code Process.onExit()} through {@code handleAsync} (the common pool,
 * or a short-lived thread on machines with fewer than three cores). So exec probes, unlike
 * tcp/http/websocket, cost a thread while their command runs; they suit a few services, not hundreds.
 */
public final class ProbeFactory implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ProbeFactory.class);

    /** Bodies and command output larger than this are never parsed into a detail. */
    static final int MAX_DETAIL_BYTES = 64 * 1024;
    /** A backstop for the shared client; each request is bounded by its own probe timeout. */
    private static final Duration HTTP_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Pattern IPV4_LITERAL = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private final ScheduledExecutorService timer;
    private final Path scratchDir;
    private final Path workingDir;
    private final Clock clock;
    private final ThreadPoolExecutor ioPool;
    private final Set<ProbeAttempt> active = ConcurrentHashMap.newKeySet();
    private TcpConnector tcp;
    private HttpClient http;
    private boolean closed;

    /**
     * @param timer      runs the deadlines; not owned (not shut down by {@link #close()}). Most deadlines
     *                   are cancelled early, so a {@code ScheduledThreadPoolExecutor} with
     *                   {@code setRemoveOnCancelPolicy(true)} keeps its queue small. Nothing slow may
     *                   run on it: a late timer means late timeouts.
     * @param scratchDir where exec probes put their output files (created on first use)
     * @param clock      stamps results
     */
    public ProbeFactory(ScheduledExecutorService timer, Path scratchDir, Clock clock) {
        this(timer, scratchDir, scratchDir.toAbsolutePath().getParent() != null
                ? scratchDir.toAbsolutePath().getParent() : scratchDir.toAbsolutePath(), clock);
    }

    /** As above, with the working directory of exec probes given explicitly. */
    public ProbeFactory(ScheduledExecutorService timer, Path scratchDir, Path workingDir, Clock clock) {
        this.timer = Objects.requireNonNull(timer, "timer");
        this.scratchDir = Objects.requireNonNull(scratchDir, "scratchDir");
        this.workingDir = Objects.requireNonNull(workingDir, "workingDir");
        this.clock = Objects.requireNonNull(clock, "clock");
        AtomicInteger n = new AtomicInteger();
        this.ioPool = new ThreadPoolExecutor(2, 2, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "nexus-probe-io-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        // Idle engines keep no I/O threads around.
        ioPool.allowCoreThreadTimeOut(true);
    }

    /**
     * A probe for {@code check}, each try bounded by {@code timeout}.
     *
     * @param pid the service's current pid, or -1 when it has none; read at each try (process probes)
     */
    public Probe create(ProbeCheck check, Duration timeout, LongSupplier pid) {
        Objects.requireNonNull(check, "check");
        Objects.requireNonNull(pid, "pid");
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("probe timeout must be positive, got " + timeout + " for a "
                    + check.type() + " probe");
        }
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("probe factory is closed");
            }
        }
        if (check instanceof ProbeCheck.ProcessAlive) {
            return () -> processAlive(pid.getAsLong());
        } else if (check instanceof ProbeCheck.Tcp t) {
            return bounded(timeout, a -> tcp(t, a));
        } else if (check instanceof ProbeCheck.Http h) {
            return bounded(timeout, a -> http(h.url(), a));
        } else if (check instanceof ProbeCheck.WebSocket w) {
            return bounded(timeout, a -> webSocket(w.url(), a));
        } else if (check instanceof ProbeCheck.Exec e) {
            return bounded(timeout, a -> exec(e.command(), null, workingDir, a));
        }
        throw new IllegalArgumentException("unsupported probe type \"" + check.type() + "\"");
    }

    /** One try of {@code check} now, for status without an engine. Never completes exceptionally. */
    public CompletableFuture<ProbeResult> checkOnce(ProbeCheck check, Duration timeout, long pid) {
        return create(check, timeout, () -> pid).check();
    }

    /** Ends every try in flight (FAIL "probe engine is shut down") and stops the shared threads. */
    @Override
    public void close() {
        TcpConnector tcpToClose;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            tcpToClose = tcp;
            tcp = null;
            // JDK 17's HttpClient has no close(); once unreachable its selector thread ends by itself.
            http = null;
        }
        for (ProbeAttempt a : active) {
            a.finishAndAbandon(Outcome.FAIL, "probe engine is shut down");
        }
        if (tcpToClose != null) {
            tcpToClose.close();
        }
        ioPool.shutdown();
    }

    // ---- the runner shared by all asynchronous probes ----

    private interface Body {
        void start(ProbeAttempt attempt) throws Exception;
    }

    /** A probe whose tries {@link #run} bounds with its deadline on the timer. */
    private Probe bounded(Duration timeout, Body body) {
        return new Probe() {
            @Override
            public CompletableFuture<ProbeResult> check() {
                return run(timeout, body);
            }

            @Override
            public boolean boundsItself() {
                return true;
            }
        };
    }

    private CompletableFuture<ProbeResult> run(Duration timeout, Body body) {
        ProbeAttempt attempt = new ProbeAttempt(clock, timeout);
        synchronized (this) {
            if (closed) {
                attempt.fail("probe engine is shut down");
                return attempt.future();
            }
            active.add(attempt);
        }
        attempt.future().whenComplete((r, e) -> active.remove(attempt));
        attempt.armDeadline(timer);
        try {
            if (!attempt.isDone()) {
                body.start(attempt);
            }
        } catch (Exception | LinkageError e) {
            LOG.debug("probe try failed to start", e);
            attempt.finishAndAbandon(Outcome.FAIL, "probe failed to start: " + message(e));
        }
        return attempt.future();
    }

    // ---- process ----

    private CompletableFuture<ProbeResult> processAlive(long pid) {
        long start = System.nanoTime();
        boolean alive = pid > 0 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        Duration latency = Duration.ofNanos(System.nanoTime() - start);
        return CompletableFuture.completedFuture(alive
                ? ProbeResult.ok(clock.instant(), latency, "pid " + pid + " alive")
                : ProbeResult.fail(clock.instant(), latency, "not running"));
    }

    // ---- tcp ----

    private void tcp(ProbeCheck.Tcp check, ProbeAttempt attempt) {
        String hostPort = hostPort(check.host(), check.port());
        if (isIpLiteral(check.host())) {
            connectTcp(new InetSocketAddress(check.host(), check.port()), hostPort, attempt);
        } else {
            // Name resolution blocks; keep it off the timer and the selector (the JDK caches answers).
            ioPool.execute(() -> {
                if (attempt.isDone()) {
                    return;
                }
                try {
                    InetSocketAddress target = new InetSocketAddress(check.host(), check.port());
                    if (target.isUnresolved()) {
                        attempt.fail("unknown host (" + hostPort + ")");
                    } else {
                        connectTcp(target, hostPort, attempt);
                    }
                } catch (RuntimeException e) {
                    attempt.fail("probe failed to start: " + message(e));
                }
            });
        }
    }

    private void connectTcp(InetSocketAddress target, String hostPort, ProbeAttempt attempt) {
        TcpConnector.Connect c = tcpConnector().connect(target, error -> {
            if (error == null) {
                attempt.ok("connected", null);
            } else {
                attempt.fail(describeFailure(error, hostPort, attempt.timeout()));
            }
        });
        attempt.onAbandon(c::cancel);
    }

    private synchronized TcpConnector tcpConnector() {
        if (closed) {
            throw new IllegalStateException("probe factory is closed");
        }
        if (tcp == null) {
            try {
                tcp = new TcpConnector();
            } catch (IOException e) {
                throw new IllegalStateException("cannot open a selector for tcp probes: " + e.getMessage(), e);
            }
        }
        return tcp;
    }

    // ---- http ----

    private void http(URI url, ProbeAttempt attempt) {
        HttpRequest request = HttpRequest.newBuilder(url)
                .GET()
                .timeout(attempt.timeout())
                .header("User-Agent", "nexus-services-probe")
                .header("Accept", "application/json, */*;q=0.5")
                .build();
        CompletableFuture<HttpResponse<byte[]>> response =
                httpClient().sendAsync(request, info -> new LimitedBodySubscriber(MAX_DETAIL_BYTES));
        // Cancelling aborts the exchange (JDK 16+), so a hanging server does not keep the connection.
        attempt.onAbandon(() -> response.cancel(true));
        response.whenComplete((r, error) -> {
            if (error != null) {
                attempt.fail(describeFailure(error, hostPort(url), attempt.timeout()));
                return;
            }
            int status = r.statusCode();
            JsonNode detail = jsonDetail(r.headers().firstValue("content-type").orElse(""), r.body());
            if (status >= 200 && status < 300) {
                attempt.finish(Outcome.OK, "HTTP " + status, detail);
            } else if (status == 429) {
                attempt.finish(Outcome.DEGRADED, "HTTP 429 (rate limited)", detail);
            } else {
                attempt.finish(Outcome.FAIL, "HTTP " + status, detail);
            }
        });
    }

    /**
     * Drops the HTTP client and with it every pooled keep-alive connection: after a sleep they are
     * often dead, and a probe must not fail on a stale socket. The next HTTP probe builds a new client.
     */
    public synchronized void forgetPooledConnections() {
        http = null;
    }

    private synchronized HttpClient httpClient() {
        if (closed) {
            throw new IllegalStateException("probe factory is closed");
        }
        if (http == null) {
            http = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(HTTP_CONNECT_TIMEOUT)
                    .followRedirects(HttpClient.Redirect.NORMAL)
                    .executor(ioPool)
                    .build();
        }
        return http;
    }

    private static JsonNode jsonDetail(String contentType, byte[] body) {
        if (body == null || body.length == 0 || !contentType.toLowerCase(Locale.ROOT).contains("json")) {
            return null;
        }
        return parseJsonContainer(body);
    }

    /** A JSON object or array, or null: plain text and scalars are not detail. */
    static JsonNode parseJsonContainer(byte[] bytes) {
        if (bytes.length == 0 || bytes.length > MAX_DETAIL_BYTES) {
            return null;
        }
        try {
            JsonNode node = Json.MAPPER.readTree(bytes);
            return node != null && node.isContainerNode() ? node : null;
        } catch (IOException e) {
            return null;
        }
    }

    // ---- websocket ----

    private void webSocket(URI url, ProbeAttempt attempt) {
        PongListener listener = new PongListener(attempt);
        CompletableFuture<java.net.http.WebSocket> opening = httpClient().newWebSocketBuilder()
                .connectTimeout(attempt.timeout())
                .header("User-Agent", "nexus-services-probe")
                .buildAsync(url, listener);
        attempt.onAbandon(() -> opening.cancel(true));
        opening.whenComplete((ws, error) -> {
            if (error != null) {
                attempt.fail(describeFailure(error, hostPort(url), attempt.timeout()));
                return;
            }
            // Opened after the deadline: nobody waits for it any more.
            attempt.onAbandon(ws::abort);
            if (attempt.isDone()) {
                return;
            }
            attempt.timeoutMessage("no pong within " + describe(attempt.timeout()));
            ws.sendPing(ByteBuffer.wrap("nexus-probe".getBytes(StandardCharsets.US_ASCII)))
                    .whenComplete((w, pingError) -> {
                        if (pingError != null) {
                            attempt.fail("ping failed: " + message(unwrap(pingError)));
                            ws.abort();
                        }
                    });
        });
    }

    /** Completes the try on the first pong; a close or error before it is a failure. */
    private static final class PongListener implements java.net.http.WebSocket.Listener {
        private final ProbeAttempt attempt;

        PongListener(ProbeAttempt attempt) {
            this.attempt = attempt;
        }

        @Override
        public java.util.concurrent.CompletionStage<?> onPong(java.net.http.WebSocket ws, ByteBuffer message) {
            if (attempt.ok("handshake + pong", null)) {
                // The close frame is on the wire once sendClose completes; no need to wait for the reply.
                ws.sendClose(java.net.http.WebSocket.NORMAL_CLOSURE, "probe done")
                        .whenComplete((w, e) -> ws.abort());
            }
            return null;
        }

        @Override
        public java.util.concurrent.CompletionStage<?> onClose(java.net.http.WebSocket ws, int statusCode,
                                                               String reason) {
            attempt.fail("closed by server before pong (code " + statusCode
                    + (reason == null || reason.isEmpty() ? "" : ", " + reason) + ")");
            ws.abort();
            return null;
        }

        @Override
        public void onError(java.net.http.WebSocket ws, Throwable error) {
            attempt.fail("websocket error: " + message(error));
        }
    }

    // ---- exec ----

    /**
     * Runs a command once, judged like an exec probe, with its own environment and working directory:
     * how jobs run (the hub's update check).
     *
     * @param env the complete environment of the command
     */
    public CompletableFuture<ProbeResult> exec(List<String> command, Map<String, String> env, Path dir,
                                               Duration timeout) {
        Map<String, String> copy = Map.copyOf(env);
        return run(timeout, a -> exec(List.copyOf(command), copy, dir, a));
    }

    private void exec(List<String> command, Map<String, String> env, Path dir, ProbeAttempt attempt) {
        if (command.isEmpty()) {
            attempt.fail("exec probe has an empty command");
            return;
        }
        // Starting a process forks; keep that off the timer thread.
        try {
            ioPool.execute(() -> {
                if (!attempt.isDone()) {
                    ExecProbe.start(command, env, scratchDir, dir, attempt, ioPool);
                }
            });
        } catch (RejectedExecutionException e) {
            attempt.fail("probe engine is shut down");
        }
    }

    // ---- messages ----

    /** "2 s", "300 ms", "1.5 s": how timeouts read in messages. */
    static String describe(Duration d) {
        long ms = d.toMillis();
        if (ms < 1000) {
            return ms + " ms";
        }
        if (ms < 60_000 && ms % 1000 != 0) {
            return String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
        }
        return Durations.humanize(d);
    }

    static String describeFailure(Throwable error, String hostPort, Duration timeout) {
        Throwable t = unwrap(error);
        if (t instanceof HttpConnectTimeoutException || t instanceof HttpTimeoutException
                || t instanceof SocketTimeoutException) {
            return "timed out after " + describe(timeout);
        }
        if (t instanceof WebSocketHandshakeException h) {
            return "handshake rejected: HTTP " + h.getResponse().statusCode();
        }
        if (t instanceof UnknownHostException || t instanceof UnresolvedAddressException) {
            return "unknown host (" + hostPort + ")";
        }
        if (t instanceof ConnectException) {
            String m = t.getMessage();
            if (m == null || m.toLowerCase(Locale.ROOT).contains("refused")) {
                return "connection refused (" + hostPort + ")";
            }
        }
        return message(t) + " (" + hostPort + ")";
    }

    static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        // The HTTP client wraps the real cause of a failed connect in a plain IOException.
        if (t.getClass() == IOException.class && t.getCause() instanceof IOException cause) {
            return cause;
        }
        return t;
    }

    static String message(Throwable t) {
        String m = t.getMessage();
        if (m == null || m.isBlank()) {
            return t.getClass().getSimpleName();
        }
        return Character.toLowerCase(m.charAt(0)) + m.substring(1);
    }

    private static String hostPort(URI url) {
        int port = url.getPort();
        if (port < 0) {
            String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
            port = scheme.equals("https") || scheme.equals("wss") ? 443 : 80;
        }
        return hostPort(url.getHost(), port);
    }

    private static String hostPort(String host, int port) {
        return (host != null && host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    private static boolean isIpLiteral(String host) {
        if (host == null) {
            return false;
        }
        if (host.contains(":")) {
            return true;
        }
        if (!IPV4_LITERAL.matcher(host).matches()) {
            return false;
        }
        for (String octet : host.split("\\.")) {
            if (Integer.parseInt(octet) > 255) {
                return false;
            }
        }
        return true;
    }

    /** Whether the shared HTTP client (and its selector thread) has been started. */
    synchronized boolean hasHttpClient() {
        return http != null;
    }
}
