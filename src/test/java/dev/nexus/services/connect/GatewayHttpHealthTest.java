package dev.nexus.services.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexus.services.connect.GatewayHttpHealth.Endpoint;
import dev.nexus.services.connect.GatewayHttpHealth.Result;
import dev.nexus.services.connect.GatewayHttpHealth.Support;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** /healthz and /readyz count only as JSON of the right shape; an older gateway's HTML never passes. */
class GatewayHttpHealthTest {
    private static final String HTML = "<!doctype html><html><body><div id=\"app\"></div></body></html>";
    TestGateway gateway;
    final GatewayHttpHealth http = new GatewayHttpHealth(ConnectDefaults.http());

    @BeforeEach
    void start() throws InterruptedException {
        gateway = TestGateway.start(0);
    }

    @AfterEach
    void stop() throws InterruptedException {
        gateway.shutDown();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private Result ask(Endpoint endpoint) throws Exception {
        return http.check(URI.create(gateway.url()), endpoint, Duration.ofSeconds(2)).get(5, TimeUnit.SECONDS);
    }

    @Test
    void aNewerGatewaysEndpointsAreReadOverRealHttp() throws Exception {
        gateway.http = TestGateway.HttpMode.NEWER_WITH_HEALTH_ENDPOINTS;
        Result live = ask(Endpoint.LIVE);
        assertEquals(Support.SUPPORTED, live.support());
        assertTrue(live.passing());
        assertEquals("live", live.message());
        assertEquals("{\"ok\":true,\"status\":\"live\"}", live.body().toString());

        assertTrue(ask(Endpoint.READY).passing());
        gateway.ready = false;
        Result notReady = ask(Endpoint.READY);
        assertEquals(Support.SUPPORTED, notReady.support());
        assertFalse(notReady.passing());
        assertEquals("not ready: channels starting (HTTP 503)", notReady.message());
    }

    @Test
    void anOlderGatewaysControlUiHtmlIsNeverTakenForHealthy() throws Exception {
        gateway.http = TestGateway.HttpMode.OLDER_HTML_EVERYWHERE;
        for (Endpoint e : Endpoint.values()) {
            Result r = ask(e);
            assertEquals(Support.NOT_SUPPORTED, r.support(), r.toString());
            assertFalse(r.passing());
            assertEquals(e.path() + " answers HTML (an older gateway's control UI) with HTTP 200", r.message());
        }
    }

    @Test
    void nobodyListeningSaysNothingAboutSupport() throws Exception {
        // A port bound but never listened on refuses connections, and no other program can take it
        // meanwhile (a port merely freed could be, and then answer HTTP).
        try (SocketChannel reserved = SocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            int port = ((InetSocketAddress) reserved.getLocalAddress()).getPort();
            Result r = http.check(URI.create("ws://127.0.0.1:" + port + "/"), Endpoint.LIVE, Duration.ofSeconds(2))
                    .get(5, TimeUnit.SECONDS);
            assertEquals(Support.UNREACHABLE, r.support(), r.toString());
            assertFalse(r.passing());
            assertEquals("connection refused (127.0.0.1:" + port + ")", r.message());
        }
    }

    @Test
    void judgedByContentTypeAndShape() {
        assertEquals(Support.NOT_SUPPORTED, GatewayHttpHealth.judge(Endpoint.LIVE, 200, "text/html", bytes(HTML)).support());
        assertEquals(Support.NOT_SUPPORTED, GatewayHttpHealth.judge(Endpoint.LIVE, 200, "text/html",
                bytes("{\"ok\":true}")).support(), "JSON in an HTML answer is not trusted");
        assertEquals(Support.NOT_SUPPORTED, GatewayHttpHealth.judge(Endpoint.LIVE, 200, "application/json",
                bytes(HTML)).support(), "HTML labelled as JSON is not trusted either");
        assertEquals(Support.NOT_SUPPORTED, GatewayHttpHealth.judge(Endpoint.LIVE, 200, "application/json",
                bytes("{\"version\":\"1\"}")).support(), "JSON of another shape");
        assertEquals(Support.NOT_SUPPORTED, GatewayHttpHealth.judge(Endpoint.READY, 200, "application/json",
                bytes("{\"ready\":\"yes\"}")).support(), "ready must be a boolean");
        assertEquals(Support.NOT_SUPPORTED, GatewayHttpHealth.judge(Endpoint.LIVE, 404, "application/json",
                bytes("{\"ok\":false}")).support());
        assertEquals(Support.NOT_SUPPORTED, GatewayHttpHealth.judge(Endpoint.LIVE, 200, "application/json",
                bytes("[true]")).support());

        Result down = GatewayHttpHealth.judge(Endpoint.LIVE, 503, "application/json; charset=utf-8",
                bytes("{\"ok\":false,\"status\":\"draining\"}"));
        assertEquals(Support.SUPPORTED, down.support());
        assertFalse(down.passing());
        assertEquals("not live: draining (HTTP 503)", down.message());
        assertTrue(GatewayHttpHealth.judge(Endpoint.LIVE, 200, "application/json", bytes("{\"ok\":true}")).passing());
        assertFalse(GatewayHttpHealth.judge(Endpoint.READY, 200, "application/json", bytes("{\"ready\":false}")).passing());
    }

    @Test
    void endpointsFollowTheGatewaysSchemeHostAndPort() {
        assertEquals(URI.create("http://127.0.0.1:18789/healthz"),
                GatewayHttpHealth.endpointUrl(URI.create("ws://127.0.0.1:18789/"), Endpoint.LIVE));
        assertEquals(URI.create("https://gw.example.net/readyz"),
                GatewayHttpHealth.endpointUrl(URI.create("wss://gw.example.net/socket"), Endpoint.READY));
    }
}
