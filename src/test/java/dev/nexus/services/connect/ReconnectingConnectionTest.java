package dev.nexus.services.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexus.services.connect.ConnectionState.Phase;
import dev.nexus.services.supervise.Backoff;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The reconnect machine alone: fake links, an injected clock and a hand-driven timer, so every delay
 * is checked exactly and nothing sleeps.
 */
class ReconnectingConnectionTest {
    private final ManualTimer timer = new ManualTimer();
    private final List<FakeLink> links = new ArrayList<>();
    private final List<ConnectionState> seen = new ArrayList<>();

    /** A link the test brings up and down by hand. */
    static final class FakeLink implements ReconnectingConnection.Link {
        final ReconnectingConnection.Events events;
        boolean aborted;
        boolean closed;

        FakeLink(ReconnectingConnection.Events events) {
            this.events = events;
        }

        @Override
        public void abort() {
            aborted = true;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private ReconnectingConnection<FakeLink> connection(Backoff backoff) {
        return new ReconnectingConnection<>("test", events -> {
            FakeLink l = new FakeLink(events);
            links.add(l);
            return l;
        }, new ReconnectPolicy(backoff, new SplittableRandom(5)), timer, timer.clock, Runnable::run, seen::add);
    }

    private static Backoff grpcWithoutJitter() {
        return new Backoff(Duration.ofSeconds(1), 1.6, Duration.ofSeconds(30), 0);
    }

    private FakeLink last() {
        return links.get(links.size() - 1);
    }

    @Test
    void lostConnectionsAreRetriedAfter1s_x1_6_cappedAt30s() {
        ReconnectingConnection<FakeLink> c = connection(grpcWithoutJitter());
        c.start();
        List<Long> delays = new ArrayList<>();
        for (int i = 0; i < 11; i++) {
            last().events.down(Drop.lost("connection refused"));
            ManualTimer.Task retry = timer.onlyPending();
            delays.add(retry.delay.toMillis());
            assertEquals(Phase.WAITING, c.state().phase());
            assertEquals(timer.clock.instant().plus(retry.delay), c.state().nextAttemptAt());
            timer.advance(retry.delay);
            assertEquals(i + 2, links.size(), "dialed again exactly when due");
        }
        assertEquals(List.of(1000L, 1600L, 2560L, 4096L, 6554L, 10486L, 16777L, 26844L, 30000L, 30000L, 30000L), delays);
        assertTrue(c.state().message().startsWith("connecting (last try: connection refused)"), c.state().message());
    }

    @Test
    void jitterSpreadsEachDelayByAtMostTwentyPercent() {
        ReconnectingConnection<FakeLink> c = connection(ReconnectPolicy.backoffFor(URI.create("ws://127.0.0.1:18789/")));
        c.start();
        double base = 1000;
        boolean sawJitter = false;
        for (int i = 0; i < 12; i++) {
            last().events.down(Drop.lost("reset"));
            long ms = timer.onlyPending().delay.toMillis();
            double capped = Math.min(base, 30_000);
            assertTrue(ms >= Math.floor(capped * 0.8) && ms <= Math.ceil(capped * 1.2),
                    "try " + i + ": " + ms + " ms is not within 20 % of " + capped);
            sawJitter |= ms != Math.round(capped);
            base *= 1.6;
            timer.advance(timer.onlyPending().delay);
        }
        assertTrue(sawJitter, "jitter changes the delays");
    }

    @Test
    void loopbackIsCappedAtThirtySecondsAndARemoteGatewayAtTwoMinutes() {
        assertEquals(Duration.ofSeconds(30), ReconnectPolicy.backoffFor(URI.create("ws://127.0.0.1:18789/")).max());
        assertEquals(Duration.ofSeconds(30), ReconnectPolicy.backoffFor(URI.create("ws://localhost:18789/")).max());
        assertEquals(Duration.ofSeconds(30), ReconnectPolicy.backoffFor(URI.create("ws://[::1]:18789/")).max());
        assertEquals(Duration.ofSeconds(120), ReconnectPolicy.backoffFor(URI.create("wss://gw.example.net/")).max());
        Backoff b = ReconnectPolicy.backoffFor(URI.create("wss://gw.example.net/"));
        assertEquals(Duration.ofSeconds(1), b.initial());
        assertEquals(1.6, b.multiplier());
        assertEquals(0.2, b.jitter());
    }

    @Test
    void aSuccessfulConnectResetsTheBackoff() {
        ReconnectingConnection<FakeLink> c = connection(grpcWithoutJitter());
        c.start();
        for (int i = 0; i < 4; i++) {
            last().events.down(Drop.lost("refused"));
            timer.advance(timer.onlyPending().delay);
        }
        last().events.up();
        assertEquals(Phase.CONNECTED, c.state().phase());
        assertEquals(0, c.state().failures());
        assertNull(c.state().downSince());
        assertEquals(timer.clock.instant(), c.state().lastConnectedAt());

        timer.advance(Duration.ofMinutes(5));
        last().events.down(Drop.lost("reset by peer"));
        assertEquals(1000, timer.onlyPending().delay.toMillis(), "back to the initial delay");
        assertEquals(timer.clock.instant(), c.state().downSince());
    }

    @Test
    void aPlannedRestartIsWaitedOutQuietlyAndBecomesAnOutageOnlyWhenOverdue() {
        ReconnectingConnection<FakeLink> c = connection(grpcWithoutJitter());
        c.start();
        last().events.up();
        int from = seen.size();
        last().events.down(Drop.plannedRestart("gateway restarting (update)", Duration.ofMillis(1500)));
        assertEquals(Phase.RESTARTING, c.state().phase());
        assertEquals("gateway restarting (update)", c.state().message());
        assertEquals(1500, timer.onlyPending().delay.toMillis(), "first try when the gateway said it would be back");

        timer.advance(Duration.ofMillis(1500));
        last().events.down(Drop.lost("connection refused"));
        assertEquals(Phase.RESTARTING, c.state().phase(), "not back yet is still a planned restart");
        assertEquals("gateway restarting (update); not back yet (connection refused)", c.state().message());
        assertEquals(1000, timer.onlyPending().delay.toMillis(), "the planned restart reset the backoff");

        // 1.5 s announced + 30 s grace: past that the restart is overdue and counts as an outage.
        timer.advance(Duration.ofSeconds(31));
        while (c.state().phase() != Phase.WAITING) {
            last().events.down(Drop.lost("connection refused"));
            if (c.state().phase() == Phase.RESTARTING) {
                timer.advance(timer.onlyPending().delay);
            }
        }
        assertTrue(c.state().message().startsWith("connection refused; next try in"), c.state().message());
        assertEquals(List.of(Phase.RESTARTING), seen.subList(from, seen.size() - 1).stream()
                .map(ConnectionState::phase).distinct().toList(), "nothing but \"restarting\" until it was overdue");
    }

    @Test
    void aRejectionStopsRetryingUntilTheUserRetries() {
        ReconnectingConnection<FakeLink> c = connection(grpcWithoutJitter());
        c.start();
        last().events.down(Drop.rejected(Drop.Problem.CREDENTIALS, "gateway token mismatch (AUTH_TOKEN_MISMATCH)"));
        assertEquals(Phase.REJECTED, c.state().phase());
        assertEquals(Drop.Problem.CREDENTIALS, c.state().problem());
        assertEquals("gateway token mismatch (AUTH_TOKEN_MISMATCH)", c.state().message());
        assertTrue(timer.pending().isEmpty(), "no retry is scheduled");
        timer.advance(Duration.ofHours(1));
        assertEquals(1, links.size(), "no tight loop, no loop at all");
        assertFalse(c.forceReconnect(), "a wake does not retry a rejection: nothing about it changed");
        assertEquals(1, links.size());

        assertTrue(c.retry());
        assertEquals(2, links.size());
        assertEquals(Phase.CONNECTING, c.state().phase());
        assertNull(c.state().problem());
        last().events.up();
        assertEquals(Phase.CONNECTED, c.state().phase());
    }

    @Test
    void forceReconnectDropsTheLinkDialsAtOnceAndIgnoresTheOldLinksNews() {
        ReconnectingConnection<FakeLink> c = connection(grpcWithoutJitter());
        c.start();
        for (int i = 0; i < 3; i++) {
            last().events.down(Drop.lost("refused"));
            timer.advance(timer.onlyPending().delay);
        }
        FakeLink old = last();
        old.events.up();
        assertSame(old, c.link());

        assertTrue(c.forceReconnect());
        assertTrue(old.aborted);
        assertEquals(5, links.size(), "dialed at once, no timer");
        assertTrue(timer.pending().isEmpty());
        assertEquals(Phase.CONNECTING, c.state().phase());
        assertNull(c.link());

        old.events.down(Drop.lost("late news from the dropped socket"));
        assertEquals(Phase.CONNECTING, c.state().phase(), "ignored");
        last().events.down(Drop.lost("refused"));
        assertEquals(1000, timer.onlyPending().delay.toMillis(), "the backoff was reset");

        // From WAITING a forced reconnect cancels the pending retry and dials now.
        assertTrue(c.forceReconnect());
        assertTrue(timer.pending().isEmpty());
        assertEquals(6, links.size());
    }

    @Test
    void closeClosesTheLinkPolitelyAndStopsForGood() {
        ReconnectingConnection<FakeLink> c = connection(grpcWithoutJitter());
        c.start();
        FakeLink link = last();
        link.events.up();
        c.close();
        assertTrue(link.closed);
        assertEquals(Phase.CLOSED, c.state().phase());
        link.events.down(Drop.lost("closed"));
        assertEquals(Phase.CLOSED, c.state().phase());
        assertFalse(c.forceReconnect());
        assertFalse(c.retry());
        timer.advance(Duration.ofHours(1));
        assertEquals(1, links.size());
    }

    @Test
    void listenersSeeEveryChangeInOrder() {
        ReconnectingConnection<FakeLink> c = connection(grpcWithoutJitter());
        c.start();
        last().events.down(Drop.lost("refused"));
        timer.advance(timer.onlyPending().delay);
        last().events.up();
        assertEquals(List.of(Phase.CONNECTING, Phase.WAITING, Phase.CONNECTING, Phase.CONNECTED),
                seen.stream().map(ConnectionState::phase).toList());
        assertEquals(Duration.ZERO, c.state().downFor(timer.clock.instant()));
    }

    @Test
    void aDialerThatThrowsCountsAsALostTry() {
        int[] dials = {0};
        ReconnectingConnection<FakeLink> c = new ReconnectingConnection<>("test", events -> {
            dials[0]++;
            throw new IllegalArgumentException("bad URI");
        }, new ReconnectPolicy(grpcWithoutJitter(), new SplittableRandom(1)), timer, timer.clock, Runnable::run, s -> { });
        c.start();
        assertEquals(Phase.WAITING, c.state().phase());
        assertTrue(c.state().message().startsWith("cannot start connecting: bad URI"), c.state().message());
        timer.advance(Duration.ofSeconds(1));
        assertEquals(2, dials[0]);
    }
}
