package dev.nexus.services.connect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nexus.services.support.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.java_websocket.WebSocket;
import org.java_websocket.handshake.ClientHandshake;
import org.java_websocket.server.WebSocketServer;

/**
 * TEST DOUBLE: a real server on 127.0.0.1 that speaks the gateway protocol as DESIGN.md records it:
 * {@code connect.challenge} with a nonce, {@code connect} checked for the protocol range, the token and
 * (when asked) a signed Ed25519 device, {@code hello-ok} with the configured protocol, {@code health}
 * with channels, {@code tick} events at a configurable interval, {@code shutdown} + close 1012, and the
 * error frames followed by close 1008 / 1002. Like a real gateway it also answers plain HTTP on the same
 * port: a newer gateway's {@code /healthz} and {@code /readyz} JSON, or an older one's control UI HTML on
 * every path ({@link #http}). Every knob is volatile so tests flip them while clients are connected.
 * Also runs as a process ({@link #main}) for the engine's daemon tests.
 *
 * <p>The WebSocket side is Java-WebSocket on an internal port; a small front door on the public port
 * answers HTTP itself (with {@code Connection: close}) and relays upgrade requests to it byte for byte.
 * Java-WebSocket alone answers a plain GET with a 404 and keeps the socket open, and an HTTP client that
 * reuses that socket wedges its worker thread: nothing a real gateway does.
 */
public final class TestGateway extends WebSocketServer {
    /** What hello-ok answers; a client range that excludes it gets PROTOCOL_MISMATCH + close 1002. */
    public volatile int protocol = 4;
    /** When set, hello-ok claims this protocol whatever the client asked for (a misbehaving gateway). */
    public volatile Integer forcedHelloProtocol;
    /** The token connect must carry; null accepts any (auth mode none). */
    public volatile String token;
    public volatile boolean requireDevice;
    public volatile long tickIntervalMs = 30_000;
    public volatile String serverVersion = "2026.2.19";
    /** Answered to health as an error (e.g. MISSING_SCOPE) instead of the channels. */
    public volatile String healthErrorCode;
    /** Health answers wait this long (a deaf gateway: longer than the client's timeout). */
    public volatile long healthDelayMs;
    /** Without a challenge a client can never connect (an old or wedged gateway). */
    public volatile boolean sendChallenge = true;
    /** When set, the gateway closes with this code right after connect, without an error frame. */
    public volatile Integer closeOnConnect;
    /** When set, health reads its channels from this file each time (for a gateway in another process). */
    public volatile Path channelsFile;
    /** How plain HTTP is answered: a newer gateway's health endpoints, or an older one's HTML everywhere. */
    public volatile HttpMode http = HttpMode.OLDER_HTML_EVERYWHERE;
    /** What a newer gateway's /readyz says. */
    public volatile boolean ready = true;

    public enum HttpMode {
        NEWER_WITH_HEALTH_ENDPOINTS, OLDER_HTML_EVERYWHERE
    }

    public final AtomicInteger opened = new AtomicInteger();
    public final AtomicInteger hellos = new AtomicInteger();
    public final AtomicInteger healthRequests = new AtomicInteger();
    public final List<JsonNode> connectParams = new CopyOnWriteArrayList<>();
    public final List<String> deviceIds = new CopyOnWriteArrayList<>();
    private final CountDownLatch started = new CountDownLatch(1);
    private final Map<String, ObjectNode> channels = new ConcurrentHashMap<>();
    private final List<String> channelOrder = new CopyOnWriteArrayList<>();
    private final Map<String, String> labels = new ConcurrentHashMap<>();
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "test-gateway-ticks");
        t.setDaemon(true);
        return t;
    });

    /** Per connection: its challenge nonce, its tick task, whether it has gone silent. */
    private static final class Conn {
        final String nonce = UUID.randomUUID().toString();
        volatile boolean silent;
        volatile ScheduledFuture<?> ticks;
    }

    /** Node's default listen backlog, which real gateways have. */
    private static final int BACKLOG = 511;
    private FrontDoor front;

    private TestGateway() {
        super(new InetSocketAddress("127.0.0.1", 0));
        setReuseAddr(true);
        // The client's liveness is what is under test; the library's own pings would mask a silent socket.
        setConnectionLostTimeout(0);
        // As a real gateway's listener: a burst of reconnects (a wake) must not overflow the default backlog of
        // 50, or the kernel drops SYNs and the client waits a second for its retransmit.
        setMaxPendingConnections(BACKLOG);
    }

    /** Starts on {@code port} (0 = ephemeral) and waits until it listens. */
    public static TestGateway start(int port) throws InterruptedException {
        TestGateway g = new TestGateway();
        g.start();
        if (!g.started.await(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("test gateway did not start");
        }
        try {
            g.front = g.new FrontDoor(port);
        } catch (IOException e) {
            g.stop(1000);
            throw new IllegalStateException("test gateway cannot listen on " + port + ": " + e.getMessage(), e);
        }
        return g;
    }

    /** The public port (HTTP and WebSocket). */
    public int port() {
        return front.server.getLocalPort();
    }

    public String url() {
        return "ws://127.0.0.1:" + port() + "/";
    }

    public TestGateway channel(String id, String label, boolean linked) {
        ObjectNode c = Json.MAPPER.createObjectNode();
        c.put("accountId", "default");
        c.put("configured", true);
        c.put("linked", linked);
        channels.put(id, c);
        if (!channelOrder.contains(id)) {
            channelOrder.add(id);
        }
        labels.put(id, label);
        return this;
    }

    /** Every open connection stops sending anything, ticks and answers alike, but keeps its socket. */
    public void silenceCurrentConnections() {
        for (WebSocket ws : getConnections()) {
            Conn c = ws.getAttachment();
            if (c != null) {
                c.silent = true;
            }
        }
    }

    /** A planned restart as real gateways announce it: a shutdown event, then close 1012. */
    public void announceRestart(String reason, Long restartExpectedMs) {
        ObjectNode payload = Json.MAPPER.createObjectNode();
        payload.put("reason", reason);
        if (restartExpectedMs == null) {
            payload.putNull("restartExpectedMs");
        } else {
            payload.put("restartExpectedMs", restartExpectedMs);
        }
        for (WebSocket ws : getConnections()) {
            ws.send(event("shutdown", payload).toString());
            ws.close(1012, "service restart");
        }
    }

    /** Stops listening and drops every client (going away, then the sockets close). */
    public void shutDown() throws InterruptedException {
        ticker.shutdownNow();
        stop(1000);
        if (front != null) {
            front.close();
        }
    }

    /**
     * The public port: answers plain HTTP itself and relays WebSocket upgrades to the protocol server,
     * one thread per direction per connection (a test has a handful).
     */
    private final class FrontDoor implements Runnable {
        final ServerSocket server = new ServerSocket();
        final Set<Socket> open = ConcurrentHashMap.newKeySet();

        FrontDoor(int port) throws IOException {
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress("127.0.0.1", port), BACKLOG);
            daemon("test-gateway-accept", this).start();
        }

        @Override
        public void run() {
            while (!server.isClosed()) {
                try {
                    Socket client = server.accept();
                    open.add(client);
                    daemon("test-gateway-conn", () -> handle(client)).start();
                } catch (IOException e) {
                    return; // closed
                }
            }
        }

        private void handle(Socket client) {
            try {
                byte[] head = readHead(client.getInputStream());
                String text = new String(head, StandardCharsets.ISO_8859_1);
                if (text.toLowerCase(Locale.ROOT).contains("upgrade: websocket")) {
                    Socket backend = new Socket("127.0.0.1", getPort());
                    open.add(backend);
                    backend.getOutputStream().write(head);
                    backend.getOutputStream().flush();
                    daemon("test-gateway-relay", () -> relay(client, backend)).start();
                    relay(backend, client);
                } else {
                    answerHttp(client, text);
                }
            } catch (IOException e) {
                closeQuietly(client);
            }
        }

        private void answerHttp(Socket client, String head) throws IOException {
            String path = head.split(" ", 3).length > 1 ? head.split(" ", 3)[1] : "/";
            int status = 200;
            String type = "text/html; charset=utf-8";
            String body = "<!doctype html><html><head><title>Gateway Control</title></head><body>"
                    + "<div id=\"app\"></div></body></html>";
            if (http == HttpMode.NEWER_WITH_HEALTH_ENDPOINTS && path.startsWith("/healthz")) {
                type = "application/json; charset=utf-8";
                body = "{\"ok\":true,\"status\":\"live\"}";
            } else if (http == HttpMode.NEWER_WITH_HEALTH_ENDPOINTS && path.startsWith("/readyz")) {
                type = "application/json; charset=utf-8";
                status = ready ? 200 : 503;
                body = ready ? "{\"ready\":true}" : "{\"ready\":false,\"reason\":\"channels starting\"}";
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            String response = "HTTP/1.1 " + status + (status == 200 ? " OK" : " Service Unavailable") + "\r\n"
                    + "Content-Type: " + type + "\r\nContent-Length: " + bytes.length + "\r\nConnection: close\r\n\r\n";
            OutputStream out = client.getOutputStream();
            out.write(response.getBytes(StandardCharsets.ISO_8859_1));
            out.write(bytes);
            out.flush();
            closeQuietly(client);
        }

        private void relay(Socket from, Socket to) {
            byte[] buf = new byte[8192];
            try {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                int n;
                while ((n = in.read(buf)) >= 0) {
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // one side went away: end both
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }

        void close() {
            closeQuietly(server);
            open.forEach(FrontDoor::closeQuietly);
            open.clear();
        }

        private static byte[] readHead(InputStream in) throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int matched = 0;
            byte[] end = {'\r', '\n', '\r', '\n'};
            while (matched < 4) {
                int b = in.read();
                if (b < 0 || head.size() > 16 * 1024) {
                    throw new IOException("no request head");
                }
                head.write(b);
                matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
            }
            return head.toByteArray();
        }

        private static void closeQuietly(java.io.Closeable c) {
            try {
                c.close();
            } catch (IOException ignored) {
                // already closed
            }
        }
    }

    private static Thread daemon(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        return t;
    }

    @Override
    public void onStart() {
        started.countDown();
    }

    @Override
    public void onOpen(WebSocket ws, ClientHandshake handshake) {
        opened.incrementAndGet();
        Conn c = new Conn();
        ws.setAttachment(c);
        if (sendChallenge) {
            ObjectNode payload = Json.MAPPER.createObjectNode();
            payload.put("nonce", c.nonce);
            payload.put("ts", System.currentTimeMillis());
            ws.send(event("connect.challenge", payload).toString());
        }
    }

    @Override
    public void onClose(WebSocket ws, int code, String reason, boolean remote) {
        Conn c = ws.getAttachment();
        if (c != null && c.ticks != null) {
            c.ticks.cancel(false);
        }
    }

    @Override
    public void onMessage(WebSocket ws, String message) {
        Conn c = ws.getAttachment();
        if (c == null || c.silent) {
            return;
        }
        JsonNode frame;
        try {
            frame = Json.MAPPER.readTree(message);
        } catch (IOException e) {
            return;
        }
        String id = frame.path("id").asText();
        switch (frame.path("method").asText()) {
            case "connect" -> connect(ws, c, id, frame.path("params"));
            case "health" -> health(ws, c, id);
            default -> ws.send(error(id, "INVALID_REQUEST", "unknown method", null).toString());
        }
    }

    private void connect(WebSocket ws, Conn c, String id, JsonNode params) {
        connectParams.add(params);
        if (closeOnConnect != null) {
            ws.close(closeOnConnect, closeOnConnect == 1008 ? "unauthorized: device token mismatch" : "bad protocol");
            return;
        }
        int min = params.path("minProtocol").asInt();
        int max = params.path("maxProtocol").asInt();
        if (protocol < min || protocol > max) {
            ws.send(error(id, "INVALID_REQUEST", "protocol mismatch: server speaks " + protocol, "PROTOCOL_MISMATCH")
                    .toString());
            ws.close(1002, "protocol mismatch");
            return;
        }
        String required = token;
        if (required != null && !required.equals(params.path("auth").path("token").asText(null))) {
            ws.send(error(id, "INVALID_REQUEST", "unauthorized: gateway token mismatch (set gateway.remote.token "
                    + "to match gateway.auth.token)", "AUTH_TOKEN_MISMATCH").toString());
            ws.close(1008, "unauthorized");
            return;
        }
        JsonNode device = params.get("device");
        if (device == null && requireDevice) {
            ws.send(error(id, "NOT_PAIRED", "device identity required", "DEVICE_IDENTITY_REQUIRED").toString());
            ws.close(1008, "device identity required");
            return;
        }
        if (device != null) {
            String payload = String.join("|", "v3", device.path("id").asText(), params.path("client").path("id").asText(),
                    params.path("client").path("mode").asText(), params.path("role").asText(),
                    join(params.path("scopes")), device.path("signedAt").asText(),
                    params.path("auth").path("token").asText(""), c.nonce,
                    params.path("client").path("platform").asText("").toLowerCase(Locale.ROOT), "");
            boolean signed = DeviceIdentity.verify(device.path("publicKey").asText(), payload,
                    device.path("signature").asText());
            String expectedId = DeviceIdentity.deviceId(java.util.Base64.getUrlDecoder()
                    .decode(device.path("publicKey").asText()));
            if (!signed || !expectedId.equals(device.path("id").asText()) || !c.nonce.equals(device.path("nonce").asText())) {
                ws.send(error(id, "NOT_PAIRED", "device signature invalid", "DEVICE_AUTH_INVALID").toString());
                ws.close(1008, "device signature invalid");
                return;
            }
            deviceIds.add(device.path("id").asText());
        }
        ObjectNode hello = Json.MAPPER.createObjectNode();
        hello.put("type", "hello-ok");
        hello.put("protocol", forcedHelloProtocol != null ? forcedHelloProtocol : protocol);
        hello.putObject("server").put("version", serverVersion).put("connId", UUID.randomUUID().toString());
        hello.putObject("policy").put("tickIntervalMs", tickIntervalMs).put("maxPayload", 1 << 20);
        hello.putObject("features").putArray("methods").add("health");
        ws.send(response(id, hello).toString());
        hellos.incrementAndGet();
        c.ticks = ticker.scheduleAtFixedRate(() -> {
            if (!c.silent && ws.isOpen()) {
                ws.send(event("tick", Json.MAPPER.createObjectNode().put("ts", System.currentTimeMillis())).toString());
            }
        }, tickIntervalMs, tickIntervalMs, TimeUnit.MILLISECONDS);
    }

    private void health(WebSocket ws, Conn c, String id) {
        healthRequests.incrementAndGet();
        String failure = healthErrorCode;
        if (failure != null) {
            ws.send(error(id, "FORBIDDEN", "missing scope: operator.read", failure).toString());
            return;
        }
        ObjectNode payload = healthPayload();
        long delay = healthDelayMs;
        if (delay > 0) {
            ticker.schedule(() -> {
                if (!c.silent && ws.isOpen()) {
                    ws.send(response(id, payload).toString());
                }
            }, delay, TimeUnit.MILLISECONDS);
        } else {
            ws.send(response(id, payload).toString());
        }
    }

    private ObjectNode healthPayload() {
        ObjectNode p = Json.MAPPER.createObjectNode();
        p.put("ok", true);
        p.put("ts", System.currentTimeMillis());
        p.put("durationMs", 3);
        Path file = channelsFile;
        if (file != null) {
            try {
                JsonNode fromFile = Json.MAPPER.readTree(Files.readString(file));
                p.set("channels", fromFile.path("channels"));
                p.set("channelLabels", fromFile.path("channelLabels"));
                return p;
            } catch (IOException e) {
                p.putObject("channels");
                return p;
            }
        }
        ObjectNode ch = p.putObject("channels");
        ArrayNode order = p.putArray("channelOrder");
        ObjectNode names = p.putObject("channelLabels");
        for (String id : channelOrder) {
            ch.set(id, channels.get(id).deepCopy());
            order.add(id);
            names.put(id, labels.get(id));
        }
        return p;
    }

    private static String join(JsonNode array) {
        List<String> items = new ArrayList<>();
        array.forEach(n -> items.add(n.asText()));
        return String.join(",", items);
    }

    static ObjectNode event(String name, JsonNode payload) {
        ObjectNode e = Json.MAPPER.createObjectNode();
        e.put("type", "event");
        e.put("event", name);
        e.set("payload", payload);
        return e;
    }

    private static ObjectNode response(String id, JsonNode payload) {
        ObjectNode r = Json.MAPPER.createObjectNode();
        r.put("type", "res");
        r.put("id", id);
        r.put("ok", true);
        r.set("payload", payload);
        return r;
    }

    private static ObjectNode error(String id, String code, String message, String detailCode) {
        ObjectNode r = Json.MAPPER.createObjectNode();
        r.put("type", "res");
        r.put("id", id);
        r.put("ok", false);
        ObjectNode e = r.putObject("error");
        e.put("code", code);
        e.put("message", message);
        if (detailCode != null) {
            e.putObject("details").put("code", detailCode);
        }
        return r;
    }

    @Override
    public void onError(WebSocket ws, Exception ex) {
    }

    /**
     * As a process: {@code --port P [--token T] [--tick-ms N] [--channels-file F] [--version V]}. Prints
     * "listening P" once it does; runs until killed.
     */
    public static void main(String[] args) throws Exception {
        int port = 0;
        TestGateway g;
        String tokenArg = null;
        Long tick = null;
        Path channelsArg = null;
        String version = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--token" -> tokenArg = args[++i];
                case "--tick-ms" -> tick = Long.parseLong(args[++i]);
                case "--channels-file" -> channelsArg = Path.of(args[++i]);
                case "--version" -> version = args[++i];
                default -> {
                    System.err.println("test gateway: unknown flag " + args[i]);
                    System.exit(64);
                }
            }
        }
        g = start(port);
        g.token = tokenArg;
        if (tick != null) {
            g.tickIntervalMs = tick;
        }
        g.channelsFile = channelsArg;
        if (version != null) {
            g.serverVersion = version;
        }
        System.out.println("listening " + g.port());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
