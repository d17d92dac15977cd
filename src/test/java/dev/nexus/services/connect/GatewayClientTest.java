package dev.nexus.services.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nexus.services.connect.ConnectionState.Phase;
import dev.nexus.services.credentials.Secret;
import dev.nexus.services.supervise.Backoff;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway session against a real WebSocket server speaking the protocol ({@link TestGateway}) on
 * 127.0.0.1: the connect frame, protocol 3 and 4, health and channels, ticks as heartbeat, planned
 * restarts, the error frames and close codes, and recovery from a restarted server, a half-open socket
 * and a changed token.
 */
class GatewayClientTest {
    /** Quick retries so that recovery tests take milliseconds; the real curve is tested on its own. */
    static final Backoff FAST = new Backoff(Duration.ofMillis(50), 1.6, Duration.ofMillis(400), 0.2);
    static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path tmp;
    TestGateway gateway;
    final List<GatewayClient> clients = new ArrayList<>();
    final List<ConnectionState> seen = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startGateway() throws InterruptedException {
        gateway = TestGateway.start(0);
        gateway.token = "tok-A";
        gateway.channel("telegram", "Telegram", true).channel("whatsapp", "WhatsApp", true);
    }

    @AfterEach
    void stopAll() throws InterruptedException {
        clients.forEach(GatewayClient::close);
        gateway.shutDown();
    }

    private GatewayClient.Builder builder() {
        return GatewayClient.builder(URI.create(gateway.url())).backoff(FAST).token(GatewayToken.of(Secret.of("tok-A")));
    }

    private GatewayClient start(GatewayClient.Builder b) {
        GatewayClient c = b.listener(s -> seen.add(s.connection())).build();
        clients.add(c);
        c.start();
        return c;
    }

    private static void await(GatewayClient c, Phase phase) {
        Await.until(WAIT, "phase " + phase, () -> c.status().connection().phase() == phase, c::status);
    }

    @Test
    void connectsWithTheObservedConnectFrameAndReportsHealthOverTheSession() throws Exception {
        GatewayClient c = start(builder());
        await(c, Phase.CONNECTED);

        JsonNode params = gateway.connectParams.get(0);
        assertEquals(3, params.get("minProtocol").asInt());
        assertEquals(4, params.get("maxProtocol").asInt());
        assertEquals("cli", params.at("/client/id").asText());
        assertEquals("cli", params.at("/client/mode").asText());
        assertFalse(params.at("/client/version").asText().isEmpty());
        assertEquals(ClientInfo.platform(System.getProperty("os.name")), params.at("/client/platform").asText());
        assertEquals("operator", params.get("role").asText());
        assertEquals("[\"operator.read\"]", params.get("scopes").toString());
        assertEquals("[]", params.get("caps").toString());
        assertEquals("tok-A", params.at("/auth/token").asText());
        assertFalse(params.has("device"), "no device identity unless configured");

        GatewayStatus status = c.status();
        assertEquals(4, status.hello().protocol());
        assertEquals("2026.2.19", status.hello().serverVersion());
        assertEquals(Duration.ofSeconds(30), status.hello().tickInterval());

        GatewayHealth health = c.health(Duration.ofSeconds(2)).get(5, TimeUnit.SECONDS);
        assertTrue(health.ok());
        assertEquals(Long.valueOf(3), health.durationMs());
        assertEquals(List.of("telegram", "whatsapp"), health.channels().stream().map(GatewayHealth.Channel::id).toList());
        assertTrue(health.down().isEmpty());
        assertTrue(health.roundTrip().toNanos() > 0);

        for (int i = 0; i < 5; i++) {
            c.health(Duration.ofSeconds(2)).get(5, TimeUnit.SECONDS);
        }
        assertEquals(1, gateway.opened.get(), "one long-lived session, not a connection per request");
        assertEquals(6, gateway.healthRequests.get());
    }

    @Test
    void protocolThreeIsAcceptedToo() throws Exception {
        gateway.protocol = 3;
        GatewayClient c = start(builder());
        await(c, Phase.CONNECTED);
        assertEquals(3, c.status().hello().protocol());
        assertTrue(c.health(Duration.ofSeconds(2)).get(5, TimeUnit.SECONDS).ok());
    }

    @Test
    void aHelloWithAnotherProtocolIsAProtocolMismatchNotALoop() throws Exception {
        gateway.forcedHelloProtocol = 5;
        GatewayClient c = start(builder());
        await(c, Phase.REJECTED);
        ConnectionState s = c.status().connection();
        assertEquals(Drop.Problem.PROTOCOL, s.problem());
        assertEquals("protocol mismatch: the gateway answered with protocol 5; Nexus Services speaks 3 to 4", s.message());
        Thread.sleep(300); // several backoff periods: nothing must happen in them
        assertEquals(1, gateway.opened.get());
    }

    @Test
    void aGatewayThatRefusesTheRangeAnswersAnErrorFrameAndClose1002() {
        gateway.protocol = 5;
        GatewayClient c = start(builder());
        await(c, Phase.REJECTED);
        assertEquals(Drop.Problem.PROTOCOL, c.status().connection().problem());
        assertEquals("protocol mismatch: server speaks 5 (PROTOCOL_MISMATCH)", c.status().connection().message());
    }

    @Test
    void aWrongTokenIsFailedCredentialsInTheGatewaysWordsWithNoLoopUntilTheTokenChanges() throws Exception {
        AtomicReference<String> token = new AtomicReference<>("tok-wrong");
        GatewayClient c = start(builder()
                .token(() -> CompletableFuture.completedFuture(Optional.of(Secret.of(token.get()))))
                .tokenRecheck(Duration.ofMillis(50)));
        await(c, Phase.REJECTED);
        ConnectionState s = c.status().connection();
        assertEquals(Drop.Problem.CREDENTIALS, s.problem());
        assertEquals("unauthorized: gateway token mismatch (set gateway.remote.token to match gateway.auth.token) "
                + "(AUTH_TOKEN_MISMATCH)", s.message());

        Thread.sleep(500); // ten token rechecks and many backoff periods
        assertEquals(1, gateway.opened.get(), "the same token is not tried again");

        token.set("tok-A");
        await(c, Phase.CONNECTED);
        assertEquals(2, gateway.opened.get());
        assertTrue(c.health(Duration.ofSeconds(2)).get(5, TimeUnit.SECONDS).ok());
    }

    @Test
    void theUsersRetryTriesOnceMoreWithTheSameToken() throws Exception {
        gateway.token = "tok-B";
        GatewayClient c = start(builder().tokenRecheck(Duration.ofMillis(50)));
        await(c, Phase.REJECTED);
        assertTrue(c.retry());
        Await.until(WAIT, "a second try", () -> gateway.opened.get() == 2, gateway.opened::get);
        await(c, Phase.REJECTED);
        Thread.sleep(300);
        assertEquals(2, gateway.opened.get());
    }

    @Test
    void anUnreadableTokenIsFailedCredentialsWithoutDialing() {
        GatewayClient c = start(builder().token(() -> CompletableFuture.failedFuture(
                new GatewayTokenException("credential gateway/token cannot be read: keyring is locked"))));
        await(c, Phase.REJECTED);
        assertEquals("credential gateway/token cannot be read: keyring is locked", c.status().connection().message());
        assertEquals(0, gateway.opened.get());
    }

    @Test
    void aMissingScopeOnHealthIsFailedCredentialsAndEndsTheSession() throws Exception {
        gateway.healthErrorCode = "MISSING_SCOPE";
        GatewayClient c = start(builder());
        await(c, Phase.CONNECTED);
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> c.health(Duration.ofSeconds(2)).get(5, TimeUnit.SECONDS));
        GatewayRequestException g = (GatewayRequestException) e.getCause();
        assertEquals("MISSING_SCOPE", g.error().specificCode());
        await(c, Phase.REJECTED);
        assertEquals(Drop.Problem.CREDENTIALS, c.status().connection().problem());
        assertEquals("missing scope: operator.read (MISSING_SCOPE)", c.status().connection().message());
    }

    @Test
    void close1008WithoutAnErrorFrameIsACredentialsProblemAnd1002AProtocolOne() throws InterruptedException {
        gateway.closeOnConnect = 1008;
        GatewayClient c = start(builder());
        await(c, Phase.REJECTED);
        assertEquals(Drop.Problem.CREDENTIALS, c.status().connection().problem());
        assertEquals("the gateway closed the connection: unauthorized: device token mismatch (1008)",
                c.status().connection().message());

        gateway.closeOnConnect = 1002;
        GatewayClient other = start(builder());
        await(other, Phase.REJECTED);
        assertEquals(Drop.Problem.PROTOCOL, other.status().connection().problem());
    }

    @Test
    void aDeviceIdentityIsSentOnlyWhenConfiguredAndSignsTheChallenge() throws Exception {
        gateway.requireDevice = true;
        GatewayClient without = start(builder());
        await(without, Phase.REJECTED);
        assertEquals("device identity required (DEVICE_IDENTITY_REQUIRED)", without.status().connection().message());

        Path key = tmp.resolve("run/gateway-device.json");
        GatewayClient with = start(builder().deviceIdentity(key));
        await(with, Phase.CONNECTED);
        DeviceIdentity stored = DeviceIdentity.loadOrCreate(key);
        assertEquals(List.of(stored.id()), gateway.deviceIds, "the gateway verified the Ed25519 signature");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
    }

    @Test
    void survivesTheGatewayRestartingOnTheSamePortWithTheRealBackoff() throws Exception {
        GatewayClient c = start(GatewayClient.builder(URI.create(gateway.url()))
                .token(GatewayToken.of(Secret.of("tok-A"))));
        await(c, Phase.CONNECTED);
        int port = gateway.port();
        gateway.shutDown();
        await(c, Phase.WAITING);
        long lostAt = System.nanoTime();

        gateway = TestGateway.start(port);
        gateway.token = "tok-A";
        await(c, Phase.CONNECTED);
        long tookMs = (System.nanoTime() - lostAt) / 1_000_000;
        assertTrue(tookMs >= 700 && tookMs < 3000, "first retry after ~1 s ± 20 %, took " + tookMs + " ms");
        assertTrue(c.health(Duration.ofSeconds(2)).get(5, TimeUnit.SECONDS).ok());
    }

    @Test
    void aHalfOpenSessionIsDeclaredDeadAfterTwoMissedTicksAndReplaced() throws Exception {
        gateway.tickIntervalMs = 100;
        GatewayClient c = start(builder());
        await(c, Phase.CONNECTED);
        Thread.sleep(350); // ticks keep the session alive meanwhile
        assertEquals(Phase.CONNECTED, c.status().connection().phase());
        assertEquals(1, gateway.opened.get());

        long silencedAt = System.nanoTime();
        gateway.silenceCurrentConnections();
        Await.until(WAIT, "a second session", () -> gateway.hellos.get() == 2, gateway.hellos::get);
        long tookMs = (System.nanoTime() - silencedAt) / 1_000_000;
        await(c, Phase.CONNECTED);
        assertTrue(tookMs >= 150 && tookMs < 2000, "dead after 2 × 100 ms without a tick, took " + tookMs + " ms");
        Await.until(WAIT, "the listener told why", () -> seen.stream().anyMatch(s -> s.phase() == Phase.WAITING
                && s.message().startsWith("no tick from the gateway for")), () -> seen);
        assertTrue(c.health(Duration.ofSeconds(2)).get(5, TimeUnit.SECONDS).ok(), "the new session answers");
    }

    @Test
    void aPlannedRestartIsShownAsRestartingAndReconnectsQuietly() throws Exception {
        GatewayClient c = start(builder());
        await(c, Phase.CONNECTED);
        // The listener runs on its own executor: wait until it has been told, too.
        Await.until(WAIT, "the listener told", () -> !seen.isEmpty() && seen.get(seen.size() - 1).connected(),
                () -> seen);
        int from = seen.size();
        gateway.announceRestart("config changed", 200L);
        Await.until(WAIT, "a second hello", () -> gateway.hellos.get() == 2, gateway.hellos::get);
        await(c, Phase.CONNECTED);
        List<ConnectionState> during = List.copyOf(seen.subList(from, seen.size()));
        assertEquals(Phase.RESTARTING, during.get(0).phase(), during.toString());
        assertEquals("gateway restarting (config changed)", during.get(0).message());
        assertTrue(during.stream().noneMatch(s -> s.phase() == Phase.WAITING || s.phase() == Phase.REJECTED),
                "a planned restart is not an outage: " + during);
    }

    @Test
    void aStoppingGatewayIsAnOrdinaryLoss() {
        GatewayClient c = start(builder());
        await(c, Phase.CONNECTED);
        gateway.announceRestart("gateway stopping", null);
        Await.until(WAIT, "a loss", () -> seen.stream().anyMatch(s -> s.phase() == Phase.WAITING), () -> seen);
        assertTrue(seen.stream().anyMatch(s -> s.message().startsWith("gateway stopping; next try in")), seen.toString());
    }

    @Test
    void forceReconnectReplacesALiveSessionAtOnce() throws Exception {
        GatewayClient c = start(builder());
        await(c, Phase.CONNECTED);
        assertTrue(c.forceReconnect());
        Await.until(WAIT, "a second hello", () -> gateway.hellos.get() == 2, gateway.hellos::get);
        await(c, Phase.CONNECTED);
        assertTrue(c.health(Duration.ofSeconds(2)).get(5, TimeUnit.SECONDS).ok());
    }

    @Test
    void aGatewayThatNeverSendsTheChallengeTimesOutAndIsRetried() {
        gateway.sendChallenge = false;
        GatewayClient c = start(builder().connectTimeout(Duration.ofMillis(300)));
        Await.until(WAIT, "a timed-out try", () -> seen.stream().anyMatch(s -> s.phase() == Phase.WAITING), () -> seen);
        assertTrue(seen.stream().anyMatch(s -> s.message().startsWith("no connect.challenge from the gateway within 300 ms")),
                seen.toString());
        Await.until(WAIT, "a retry", () -> gateway.opened.get() >= 2, gateway.opened::get);
    }

    @Test
    void aHealthRequestTheGatewayDoesNotAnswerInTimeFailsWithoutKillingTheSession() throws Exception {
        gateway.healthDelayMs = 1000;
        GatewayClient c = start(builder());
        await(c, Phase.CONNECTED);
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> c.health(Duration.ofMillis(200)).get(5, TimeUnit.SECONDS));
        GatewayRequestException g = (GatewayRequestException) e.getCause();
        assertTrue(g.timedOut());
        assertEquals("health gave no answer within 200 ms", g.getMessage());
        assertEquals(Phase.CONNECTED, c.status().connection().phase());
    }

    @Test
    void noRequestWhileNotConnectedAndCloseIsFinal() {
        gateway.sendChallenge = false;
        GatewayClient c = start(builder());
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> c.health(Duration.ofSeconds(1)).get(5, TimeUnit.SECONDS));
        assertTrue(e.getCause().getMessage().startsWith("not connected: "), e.getCause().getMessage());
        c.close();
        assertEquals(Phase.CLOSED, c.status().connection().phase());
        assertFalse(c.forceReconnect());
        assertNull(c.status().hello());
        assertNotNull(c.url());
    }
}
