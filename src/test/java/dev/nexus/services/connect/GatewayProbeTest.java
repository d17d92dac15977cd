package dev.nexus.services.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexus.services.credentials.Secret;
import dev.nexus.services.health.Probe;
import dev.nexus.services.health.ProbeResult;
import dev.nexus.services.health.ProbeResult.Outcome;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Gateway health as probe results, over a long-lived client and as a one-shot session. */
class GatewayProbeTest {
    static final Duration TIMEOUT = Duration.ofSeconds(2);
    TestGateway gateway;
    GatewayClient client;
    final GatewayHttpHealth http = new GatewayHttpHealth(ConnectDefaults.http());

    @BeforeEach
    void start() throws InterruptedException {
        gateway = TestGateway.start(0);
        gateway.token = "tok";
        gateway.channel("telegram", "Telegram", true).channel("whatsapp", "WhatsApp", true);
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (client != null) {
            client.close();
        }
        gateway.shutDown();
    }

    private GatewayClient connect() {
        client = GatewayClient.builder(URI.create(gateway.url())).backoff(GatewayClientTest.FAST)
                .token(GatewayToken.of(Secret.of("tok"))).build();
        client.start();
        Await.until(GatewayClientTest.WAIT, "connected", () -> client.status().connection().connected(), client::status);
        return client;
    }

    private static ProbeResult run(Probe p) throws Exception {
        return p.check().get(5, TimeUnit.SECONDS);
    }

    @Test
    void okWithVersionProtocolAndChannelsThenDegradedNamingTheChannelThatIsDown() throws Exception {
        Probe liveness = GatewayProbe.of(connect(), GatewayProbe.Role.LIVENESS, TIMEOUT, http, Clock.systemUTC());
        ProbeResult ok = run(liveness);
        assertEquals(Outcome.OK, ok.outcome(), ok.toString());
        assertEquals("gateway 2026.2.19, protocol 4, 2 channels up", ok.message());
        assertEquals("connected", ok.detail().get("session").asText());
        assertEquals("2026.2.19", ok.detail().at("/server/version").asText());
        assertEquals(4, ok.detail().get("protocol").asInt());
        assertEquals(30_000, ok.detail().get("tickIntervalMs").asInt());
        assertEquals("up", ok.detail().at("/channels/1/state").asText());
        assertTrue(ok.latency().toNanos() > 0);

        gateway.channel("whatsapp", "WhatsApp", false);
        ProbeResult degraded = run(liveness);
        assertEquals(Outcome.DEGRADED, degraded.outcome());
        assertEquals("channel WhatsApp (not linked) down", degraded.message());
        gateway.channel("telegram", "Telegram", false);
        assertEquals("channels Telegram (not linked), WhatsApp (not linked) down", run(liveness).message());
    }

    @Test
    void whileDisconnectedTheResultSaysWhyAndWhenTheNextTryIs() throws Exception {
        Probe liveness = GatewayProbe.of(connect(), GatewayProbe.Role.LIVENESS, TIMEOUT, http, Clock.systemUTC());
        gateway.shutDown();
        Await.until(GatewayClientTest.WAIT, "waiting", () -> client.status().connection().phase()
                == ConnectionState.Phase.WAITING, client::status);
        ProbeResult r = run(liveness);
        assertEquals(Outcome.FAIL, r.outcome());
        assertTrue(r.message().contains("; next try in "), r.message());
        assertEquals("waiting", r.detail().get("session").asText());
        assertEquals("2026.2.19", r.detail().at("/server/version").asText(), "the last known server is kept");
        gateway = TestGateway.start(0);
    }

    @Test
    void aNewerGatewaysReadyzCountsAndAnOlderGatewaysHtmlIsAskedOncePerSession() throws Exception {
        gateway.http = TestGateway.HttpMode.NEWER_WITH_HEALTH_ENDPOINTS;
        gateway.ready = false;
        Probe readiness = GatewayProbe.of(connect(), GatewayProbe.Role.READINESS, TIMEOUT, http, Clock.systemUTC());
        ProbeResult notReady = run(readiness);
        assertEquals(Outcome.FAIL, notReady.outcome());
        assertEquals("/readyz: not ready: channels starting (HTTP 503)", notReady.message());
        assertTrue(notReady.detail().at("/readyz/supported").asBoolean());
        gateway.ready = true;
        assertEquals(Outcome.OK, run(readiness).outcome());

        gateway.http = TestGateway.HttpMode.OLDER_HTML_EVERYWHERE;
        client.forceReconnect(); // a new session: support is learned again
        Await.until(GatewayClientTest.WAIT, "reconnected", () -> gateway.hellos.get() == 2
                && client.status().connection().connected(), client::status);
        ProbeResult older = run(readiness);
        assertEquals(Outcome.OK, older.outcome(), "HTML is neither ready nor not ready: " + older);
        assertFalse(older.detail().at("/readyz/supported").asBoolean());
        assertEquals("/readyz answers HTML (an older gateway's control UI) with HTTP 200",
                older.detail().at("/readyz/message").asText());
    }

    @Test
    void oneShotConnectsAsksHealthAndCloses() throws Exception {
        ProbeResult r = GatewayProbe.once(URI.create(gateway.url()), GatewayToken.of(Secret.of("tok")), TIMEOUT,
                ConnectDefaults.http(), ConnectDefaults.timer(), Clock.systemUTC()).get(5, TimeUnit.SECONDS);
        assertEquals(Outcome.OK, r.outcome(), r.toString());
        assertEquals("gateway 2026.2.19, protocol 4, 2 channels up", r.message());
        Await.until(GatewayClientTest.WAIT, "closed", () -> gateway.getConnections().isEmpty(), gateway::getConnections);

        ProbeResult refused = GatewayProbe.once(URI.create(gateway.url()), GatewayToken.of(Secret.of("nope")), TIMEOUT,
                ConnectDefaults.http(), ConnectDefaults.timer(), Clock.systemUTC()).get(5, TimeUnit.SECONDS);
        assertEquals(Outcome.FAIL, refused.outcome());
        assertTrue(refused.message().endsWith("(AUTH_TOKEN_MISMATCH)"), refused.message());

        gateway.sendChallenge = false;
        ProbeResult silent = GatewayProbe.once(URI.create(gateway.url()), GatewayToken.none(), Duration.ofMillis(300),
                ConnectDefaults.http(), ConnectDefaults.timer(), Clock.systemUTC()).get(5, TimeUnit.SECONDS);
        assertEquals(Outcome.FAIL, silent.outcome());
        assertTrue(silent.message().contains("300 ms"), silent.message());
    }
}
