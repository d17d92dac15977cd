package dev.nexus.services.tray.model;

import static dev.nexus.services.tray.model.Snapshots.NOW;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexus.services.engine.ServiceSnapshot;
import dev.nexus.services.health.Health;
import dev.nexus.services.health.Lifecycle;
import dev.nexus.services.tray.NotificationType;
import dev.nexus.services.tray.TrayPreferences;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NotificationPolicyTest {
    private TrayPreferences prefs = TrayPreferences.DEFAULTS;
    private final NotificationPolicy policy = new NotificationPolicy(() -> prefs);

    private Instant at(long ms) {
        return NOW.plusMillis(ms);
    }

    @Test
    void aServiceGoingDownGivesOneNoticeAfterItGoesQuiet() {
        policy.observe(null, Snapshots.healthy("cloud"), at(0));
        policy.observe(Snapshots.healthy("cloud"), Snapshots.unhealthy("cloud", "connection refused"), at(100));
        assertEquals(Optional.of(at(100).plus(NotificationPolicy.QUIET)), policy.deadline());
        assertTrue(policy.poll(at(1_000)).isEmpty(), "held until quiet");
        Notice n = policy.poll(at(2_100)).orElseThrow();
        assertEquals("Nexus: Cloud is down", n.title());
        assertEquals("connection refused", n.text());
        assertTrue(n.warning());
        assertEquals(Set.of(NotificationType.DOWN), n.types());
        assertTrue(policy.poll(at(5_000)).isEmpty(), "told once");
        assertTrue(policy.deadline().isEmpty());
    }

    @Test
    void theFirstSightOfAServiceTellsNothing() {
        policy.observe(null, Snapshots.unhealthy("cloud", "x"), at(0));
        policy.observe(null, Snapshots.failed("gateway", "credentials", "x"), at(0));
        assertTrue(policy.deadline().isEmpty());
    }

    @Test
    void aWakeTouchingFourServicesIsOneNotification() {
        List<String> names = List.of("gateway", "cloud", "hub", "collab");
        names.forEach(n -> policy.observe(null, Snapshots.healthy(n), at(0)));
        long t = 1_000;
        for (String n : names) {
            policy.observe(Snapshots.healthy(n), Snapshots.unhealthy(n, "dead socket"), at(t));
            t += 400;
        }
        assertTrue(policy.poll(at(t + 1_000)).isEmpty(), "still coming in");
        Notice n = policy.poll(at(t + 2_000)).orElseThrow();
        assertEquals("Nexus: 4 services changed", n.title());
        assertEquals("Gateway is down · Cloud is down · Hub is down · Collab is down", n.text());
        assertTrue(policy.poll(at(t + 10_000)).isEmpty(), "exactly one");
    }

    @Test
    void aStreamThatNeverGoesQuietIsStillToldAfterTheMaximumHold() {
        List<Notice> notices = new java.util.ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String name = "s" + i;
            policy.poll(at(i * 1_000L)).ifPresent(notices::add);
            policy.observe(null, Snapshots.healthy(name), at(i * 1_000L));
            policy.observe(Snapshots.healthy(name), Snapshots.unhealthy(name, "x"), at(i * 1_000L));
        }
        // One every MAX_HOLD (8 s) while changes keep coming a second apart.
        assertEquals(List.of("Nexus: 8 services changed", "Nexus: 8 services changed"),
                notices.stream().map(Notice::title).toList());
        // s16..s19 are held: quiet two seconds after the last one comes before the maximum hold.
        assertEquals(Optional.of(at(21_000)), policy.deadline());
    }

    @Test
    void restartAttemptsInOneEpisodeAreNotToldAgainAndRecoveryIsTold() {
        ServiceSnapshot healthy = Snapshots.healthy("cloud");
        policy.observe(null, healthy, at(0));
        ServiceSnapshot backoff = Snapshots.backoff("cloud", at(2_000), 1);
        ServiceSnapshot starting = Snapshots.daemon("cloud", Lifecycle.STARTING, Health.STARTING);
        policy.observe(healthy, backoff, at(100));
        assertEquals("Nexus: Cloud is down", policy.poll(at(5_000)).orElseThrow().title());
        policy.observe(backoff, starting, at(10_000));
        policy.observe(starting, Snapshots.backoff("cloud", at(13_000), 2), at(11_000));
        policy.observe(Snapshots.backoff("cloud", at(13_000), 2), starting, at(13_000));
        assertTrue(policy.poll(at(30_000)).isEmpty(), "the same episode");
        policy.observe(starting, healthy, at(31_000));
        Notice n = policy.poll(at(40_000)).orElseThrow();
        assertEquals("Nexus: Cloud recovered", n.title());
        assertFalse(n.warning());
    }

    @Test
    void downAndBackWithinTheWindowIsOneLine() {
        ServiceSnapshot healthy = Snapshots.healthy("cloud");
        policy.observe(null, healthy, at(0));
        policy.observe(healthy, Snapshots.backoff("cloud", at(1_000), 1), at(100));
        policy.observe(Snapshots.backoff("cloud", at(1_000), 1), healthy, at(1_500));
        Notice n = policy.poll(at(4_000)).orElseThrow();
        assertEquals("Nexus: Cloud went down and recovered", n.title());
        assertEquals(Set.of(NotificationType.DOWN, NotificationType.RECOVERED), n.types());
    }

    @Test
    void normalStartAndUserStopAreNotNotified() {
        ServiceSnapshot stopped = Snapshots.stopped("hub");
        ServiceSnapshot starting = Snapshots.daemon("hub", Lifecycle.STARTING, Health.STARTING);
        ServiceSnapshot healthy = Snapshots.healthy("hub");
        policy.observe(null, stopped, at(0));
        policy.observe(stopped, starting, at(10));
        policy.observe(starting, healthy, at(20));
        policy.observe(healthy, Snapshots.daemon("hub", Lifecycle.STOPPING, Health.UNKNOWN), at(30));
        policy.observe(healthy, stopped, at(40));
        assertTrue(policy.deadline().isEmpty());
    }

    @Test
    void stoppingADownServiceEndsItsEpisodeSilently() {
        ServiceSnapshot down = Snapshots.unhealthy("cloud", "x");
        policy.observe(null, Snapshots.healthy("cloud"), at(0));
        policy.observe(Snapshots.healthy("cloud"), down, at(10));
        policy.poll(at(10_000)).orElseThrow();
        policy.observe(down, Snapshots.stopped("cloud"), at(11_000));
        policy.observe(Snapshots.stopped("cloud"), Snapshots.healthy("cloud"), at(12_000));
        assertTrue(policy.poll(at(30_000)).isEmpty(), "a start after a stop is not a recovery");
    }

    @Test
    void crashLoopEscalatesADownEpisodeOnce() {
        ServiceSnapshot healthy = Snapshots.healthy("cloud");
        ServiceSnapshot backoff = Snapshots.backoff("cloud", at(1_000), 1);
        ServiceSnapshot loop = Snapshots.with(Snapshots.daemon("cloud", Lifecycle.CRASH_LOOP, Health.UNKNOWN),
                "5 crashes in 40 s");
        policy.observe(null, healthy, at(0));
        policy.observe(healthy, backoff, at(10));
        policy.poll(at(10_000)).orElseThrow();
        policy.observe(backoff, loop, at(20_000));
        Notice n = policy.poll(at(30_000)).orElseThrow();
        assertEquals("Nexus: Cloud keeps crashing", n.title());
        assertTrue(n.text().startsWith("5 crashes in 40 s"), n.text());
        assertEquals(Set.of(NotificationType.CRASH_LOOP), n.types());
        policy.observe(loop, Snapshots.backoff("cloud", at(40_000), 6), at(31_000));
        policy.observe(Snapshots.backoff("cloud", at(40_000), 6), loop, at(41_000));
        assertTrue(policy.poll(at(60_000)).isEmpty());
    }

    @Test
    void credentialNeededOffersSettings() {
        policy.observe(null, Snapshots.stopped("cloud"), at(0));
        policy.observe(Snapshots.stopped("cloud"), Snapshots.failed("cloud", "credentials", "nexus-cloud/default is not set"),
                at(10));
        Notice n = policy.poll(at(5_000)).orElseThrow();
        assertEquals("Nexus: Cloud needs a credential", n.title());
        assertTrue(n.offersCredential());
        assertEquals(List.of("cloud"), n.credentialServices());
        assertEquals(Set.of(NotificationType.CREDENTIAL_NEEDED), n.types());
    }

    @Test
    void skillUpdatesAreToldWhenTheCountGoesFromNoneToSome() {
        policy.observe(null, Snapshots.job("hub", null), at(0));
        policy.observe(Snapshots.job("hub", null), Snapshots.job("hub", 0), at(10));
        assertTrue(policy.deadline().isEmpty(), "up to date is no news");
        policy.observe(Snapshots.job("hub", 0), Snapshots.job("hub", 3), at(20));
        Notice n = policy.poll(at(5_000)).orElseThrow();
        assertEquals("Nexus: Skill updates available", n.title());
        assertEquals("3 updates available (Hub).", n.text());
        policy.observe(Snapshots.job("hub", 3), Snapshots.job("hub", 4), at(6_000));
        assertTrue(policy.deadline().isEmpty(), "more of the same is not news");
    }

    @Test
    void aTypeTurnedOffInSettingsIsNotToldButOthersStill() {
        prefs = TrayPreferences.DEFAULTS.withNotification(NotificationType.DOWN, false);
        policy.observe(null, Snapshots.healthy("cloud"), at(0));
        policy.observe(null, Snapshots.job("hub", 0), at(0));
        policy.observe(Snapshots.healthy("cloud"), Snapshots.unhealthy("cloud", "x"), at(10));
        assertTrue(policy.deadline().isEmpty());
        policy.observe(Snapshots.job("hub", 0), Snapshots.job("hub", 2), at(20));
        assertEquals(Set.of(NotificationType.SKILL_UPDATES), policy.poll(at(5_000)).orElseThrow().types());
        // Recovery is still its own type and still on.
        policy.observe(Snapshots.unhealthy("cloud", "x"), Snapshots.healthy("cloud"), at(6_000));
        assertEquals("Nexus: Cloud went down and recovered".replace(" went down and", ""),
                policy.poll(at(9_000)).orElseThrow().title());
    }

    @Test
    void disabledServicesAreNeverTold() {
        ServiceSnapshot healthy = Snapshots.healthy("collab");
        policy.observe(null, healthy, at(0));
        policy.observe(healthy, TraySummaryTest.withEnabled(Snapshots.unhealthy("collab", "x"), false), at(10));
        assertTrue(policy.deadline().isEmpty());
    }

    private static dev.nexus.services.engine.WakeRecovery recovery(Instant wokeAt, String... restarted) {
        List<dev.nexus.services.engine.WakeRecovery.Restart> list = java.util.Arrays.stream(restarted)
                .map(n -> new dev.nexus.services.engine.WakeRecovery.Restart(n, "liveness failed after grace",
                        "connection refused", wokeAt.plusSeconds(31)))
                .toList();
        return new dev.nexus.services.engine.WakeRecovery(wokeAt.minusSeconds(600), wokeAt, "logind",
                wokeAt.plusSeconds(30), !list.isEmpty(), List.of("gateway", "cloud"), List.of("gateway"), List.of(),
                list, "summary");
    }

    @Test
    void aRestartAfterWakeIsToldOnceMergedWithTheServicesOwnDownAndRecovery() {
        policy.observe(null, Snapshots.healthy("cloud"), at(0));
        Instant woke = at(1_000);
        policy.observeRecovery(null, recovery(woke), at(1_000));
        assertTrue(policy.deadline().isEmpty(), "a wake that restarted nothing tells nothing");

        policy.observe(Snapshots.healthy("cloud"), Snapshots.unhealthy("cloud", "connection refused"), at(31_000));
        policy.observeRecovery(recovery(woke), recovery(woke, "cloud"), at(31_100));
        // The engine repeats the same recovery in later snapshots: not news.
        policy.observeRecovery(recovery(woke, "cloud"), recovery(woke, "cloud"), at(31_200));
        policy.observe(Snapshots.unhealthy("cloud", "x"), Snapshots.healthy("cloud"), at(32_000));

        Notice n = policy.poll(at(34_000)).orElseThrow();
        assertEquals("Nexus: Cloud was restarted after sleep", n.title());
        assertEquals("It is healthy again.", n.text());
        assertTrue(n.types().contains(NotificationType.WAKE_RESTART));
        assertTrue(policy.poll(at(60_000)).isEmpty(), "exactly one notification");
    }

    @Test
    void restartsOfSeveralServicesAfterOneWakeAreOneNotice() {
        policy.observe(null, Snapshots.healthy("cloud"), at(0));
        policy.observe(null, Snapshots.healthy("gateway"), at(0));
        Instant woke = at(1_000);
        policy.observeRecovery(null, recovery(woke, "cloud"), at(31_000));
        policy.observeRecovery(recovery(woke, "cloud"), recovery(woke, "cloud", "gateway"), at(31_500));
        Notice n = policy.poll(at(40_000)).orElseThrow();
        assertEquals("Nexus: 2 services changed", n.title());
        assertEquals("Cloud was restarted after sleep · Gateway was restarted after sleep", n.text());
        assertFalse(n.warning());

        // The next wake restarting cloud again is news again.
        policy.observeRecovery(recovery(woke, "cloud", "gateway"), recovery(at(100_000), "cloud"), at(131_000));
        assertEquals("Nexus: Cloud was restarted after sleep", policy.poll(at(140_000)).orElseThrow().title());
    }

    @Test
    void wakeRestartNoticesCanBeTurnedOff() {
        prefs = prefs.withNotification(NotificationType.WAKE_RESTART, false);
        policy.observeRecovery(null, recovery(at(0), "cloud"), at(31_000));
        assertTrue(policy.deadline().isEmpty());
    }
}
