package dev.nexus.services.power;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** De-duplication and ordering of sleep/wake reports from several sources; times are given, never slept. */
class SleepWakeMonitorTest {
    private static final Instant T0 = Instant.parse("2026-11-24T09:00:00Z");

    private final ManualSource logind = new ManualSource("logind");
    private final ManualSource clock = new ManualSource("clock");
    private final RecordingListener engine = new RecordingListener();
    private SleepWakeMonitor monitor;

    private SleepWakeMonitor monitor(Duration noWakeLimit, SleepWakeSource... sources) {
        monitor = new SleepWakeMonitor(List.of(sources), Clock.fixed(T0, ZoneOffset.UTC), noWakeLimit);
        monitor.start(engine);
        return monitor;
    }

    @AfterEach
    void close() {
        if (monitor != null) {
            monitor.close();
        }
    }

    @Test
    void logindAndTheClockReportingTheSameWakeMakeOneWake() {
        monitor(Duration.ofMinutes(1), logind, clock);
        logind.sleep(T0);
        logind.wake(T0.plusSeconds(3600));
        // The clock notices the same sleep up to one period later; it measured the gap itself.
        clock.wake(T0.plusSeconds(3601), T0.plusSeconds(1));

        assertEquals(List.of(SleepWakeEvent.Kind.SLEEP, SleepWakeEvent.Kind.WAKE),
                engine.all.stream().map(SleepWakeEvent::kind).toList());
        SleepWakeEvent wake = engine.all.get(1);
        assertEquals("logind", wake.source());
        assertEquals(T0, wake.sleptSince(), "an announced sleep began at its announcement");
        assertEquals(new SleepWakeMonitor.Counts(1, 1, 1), monitor.counts());
    }

    @Test
    void theClockSeeingTheWakeFirstStillMakesOneWake() {
        monitor(Duration.ofMinutes(1), logind, clock);
        logind.sleep(T0);
        clock.wake(T0.plusSeconds(600), T0.plusSeconds(1));
        logind.wake(T0.plusSeconds(600).plusMillis(300));

        assertEquals(2, engine.all.size(), engine.all.toString());
        assertEquals("clock", engine.all.get(1).source());
        assertEquals(T0, engine.all.get(1).sleptSince());
        assertEquals(1, monitor.counts().duplicates());
    }

    @Test
    void aSecondAnnouncementOfTheSameSleepGetsTheSamePreparation() {
        CompletableFuture<Void> preparing = new CompletableFuture<>();
        engine.prepared = () -> preparing;
        monitor(Duration.ofMinutes(1), logind, clock);

        CompletionStage<Void> first = logind.sleep(T0);
        CompletionStage<Void> second = logind.sleep(T0.plusMillis(5));

        assertSame(first, second);
        assertEquals(1, engine.all.size());
        assertFalse(second.toCompletableFuture().isDone());
        preparing.complete(null);
        assertTrue(second.toCompletableFuture().isDone());
    }

    @Test
    void windowsTwoResumeMessagesAreOneWake() {
        ManualSource windows = new ManualSource("windows-power");
        monitor(Duration.ofMinutes(1), windows);
        windows.sleep(T0);
        windows.wake(T0.plusSeconds(100));                     // PBT_APMRESUMEAUTOMATIC
        windows.wake(T0.plusSeconds(101));                     // PBT_APMRESUMESUSPEND, user present

        assertEquals(2, engine.all.size());
        assertEquals(1, monitor.counts().wakes());
    }

    @Test
    void theClockAloneReportsEachRealSleepOnce() {
        monitor(Duration.ofMinutes(1), clock);
        clock.wake(T0.plusSeconds(600), T0.plusSeconds(10));
        clock.wake(T0.plusSeconds(602), T0.plusSeconds(12));   // a slow second look at the same gap
        clock.wake(T0.plusSeconds(700), T0.plusSeconds(650));  // a new sleep after the wake: reported

        assertEquals(List.of(T0.plusSeconds(600), T0.plusSeconds(700)), engine.all.stream().map(SleepWakeEvent::at).toList());
        assertEquals(T0.plusSeconds(10), engine.all.get(0).sleptSince(), "the measured start is passed on");
        assertEquals(new SleepWakeMonitor.Counts(0, 2, 1), monitor.counts());
    }

    @Test
    void aWakeLongAfterTheLastOneIsNewEvenWithoutAnAnnouncement() {
        monitor(Duration.ofMinutes(1), logind);
        logind.wake(T0);
        logind.wake(T0.plusSeconds(10));                       // the same wake, signalled twice
        logind.wake(T0.plus(Duration.ofHours(3)));             // the sleep announcement was lost

        assertEquals(2, engine.all.size());
        assertNull(engine.all.get(1).sleptSince());
    }

    @Test
    void aSleepThatNoWakeFollowsEndsAfterTheLimit() {
        monitor(Duration.ofMillis(100), logind);
        logind.sleep(T0);

        Await.until("the monitor giving up on the wake", Duration.ofSeconds(5), () -> engine.all.size() == 2);
        SleepWakeEvent wake = engine.all.get(1);
        assertEquals(SleepWakeEvent.Kind.WAKE, wake.kind());
        assertEquals(SleepWakeMonitor.NO_WAKE_REPORTED, wake.source());
        // The real wake, if it still comes, is the same one.
        logind.wake(T0.plusSeconds(1));
        assertEquals(2, engine.all.size());
    }

    @Test
    void aWakeInTimeCancelsTheLimit() throws InterruptedException {
        monitor(Duration.ofMillis(150), logind);
        logind.sleep(T0);
        logind.wake(T0.plusSeconds(5));
        Thread.sleep(400); // longer than the limit: nothing more may arrive
        assertEquals(2, engine.all.size(), engine.all.toString());
    }

    @Test
    void sourcesThatCannotWorkHereAreLeftOutAndTheOthersClosedWithTheMonitor() {
        ManualSource iokit = new ManualSource("iokit", "IOKit is only used on macOS");
        List<String> started = monitor(Duration.ofMinutes(1), iokit, clock).activeSources();

        assertEquals(List.of("clock"), started);
        assertEquals("IOKit is only used on macOS", monitor.unavailableSources().get("iokit"));
        monitor.close();
        assertTrue(clock.closed);
        assertFalse(iokit.closed, "never started, so nothing to close");
        clock.wake(T0.plusSeconds(999), T0.plusSeconds(900));
        assertTrue(engine.all.isEmpty(), "nothing after close");
    }
}
