package dev.nexus.services.connect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nexus.services.support.Json;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
 * TEST DOUBLE: a real WebSocket server on 127.0.0.1 that speaks the gateway protocol as DESIGN.md
 * records it: {@code connect.challenge} with a nonce, {@code connect} checked for the protocol range,
 * the token and (when asked) a signed Ed25519 device, {@code hello-ok} with the configured protocol,
 * {@code health} with channels, {@code tick} events at a configurable interval, {@code shutdown} + close
 * 1012, and the error frames followed by close 1008 / 1002. Every knob is volatile so tests flip them
 * while clients are connected. Also runs as a process ({@link #main}) for the engine's daemon tests.
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

    private TestGateway(int port) {
        super(new InetSocketAddress("127.0.0.1", port));
        setReuseAddr(true);
        // The client's liveness is what is under test; the library's own pings would mask a silent socket.
        setConnectionLostTimeout(0);
    }

    /** Starts on {@code port} (0 = ephemeral) and waits until it listens. */
    public static TestGateway start(int port) throws InterruptedException {
        TestGateway g = new TestGateway(port);
        g.start();
        if (!g.started.await(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("test gateway did not start");
        }
        return g;
    }

    public String url() {
        return "ws://127.0.0.1:" + getPort() + "/";
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

    /** Stops listening and drops every client (going away). */
    public void shutDown() throws InterruptedException {
        ticker.shutdownNow();
        stop(1000);
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
                    params.path("client").path("platform").asText("").toLowerCase(java.util.Locale.ROOT), "");
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
        System.out.println("listening " + g.getPort());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
