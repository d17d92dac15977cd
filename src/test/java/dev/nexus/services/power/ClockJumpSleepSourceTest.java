package dev.nexus.services.power;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexus.services.credentials.HostOs;
import dev.nexus.services.power.linux.BootTimeClocks;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The clock fallback with injected clocks: a sleep is the suspend-counting clock running ahead. */
class ClockJumpSleepSourceTest {
    private static final Instant NOW = Instant.parse("2026-11-24T12:03:05Z");

    /** Both clocks advance together while awake; only {@code counting} advances during a "sleep". */
    static final class FakeClocks implements ClockJumpSleepSource.SuspendClocks {
        final AtomicLong counting = new AtomicLong(1_000_000_000_000L);
        final AtomicLong notCounting = new AtomicLong(5_000_000_000L);

        void awake(Duration d) {
            counting.addAndGet(d.toNanos());
            notCounting.addAndGet(d.toNanos());
        }

        void asleep(Duration d) {
            counting.addAndGet(d.toNanos());
        }

        @Override
        public long countingSuspendNanos() {
            return counting.get();
        }

        @Override
        public long notCountingSuspendNanos() {
            return notCounting.get();
        }

        @Override
        public String describe() {
            return "fake";
        }
    }

    private final FakeClocks clocks = new FakeClocks();
    private final RecordingListener listener = new RecordingListener();
    private final ClockJumpSleepSource source = new ClockJumpSleepSource(() -> clocks, Clock.fixed(NOW, ZoneOffset.UTC),
            Duration.ofHours(1)); // the timer never fires here: checkNow() is called by hand

    @Test
    void reportsASleepWithItsLengthWhenTheSuspendCountingClockRanAhead() throws Exception {
        source.start(listener);
        clocks.awake(Duration.ofSeconds(2));
        assertEquals(Optional.empty(), source.checkNow());

        clocks.awake(Duration.ofMillis(700));
        clocks.asleep(Duration.ofMinutes(47));
        clocks.awake(Duration.ofMillis(300));
        SleepWakeEvent wake = source.checkNow().orElseThrow();

        assertEquals(SleepWakeEvent.Kind.WAKE, wake.kind());
        assertEquals("clock", wake.source());
        assertEquals(NOW, wake.at());
        assertEquals(NOW.minus(Duration.ofMinutes(47)), wake.sleptSince());
        assertEquals(1, listener.all.size());
        // The gap is used up: the next look sees nothing.
        clocks.awake(Duration.ofSeconds(2));
        assertEquals(Optional.empty(), source.checkNow());
        source.close();
    }

    @Test
    void gapsUpToTheMinimumAndClocksSetBackAreNotSleeps() throws Exception {
        source.start(listener);
        clocks.asleep(Duration.ofMillis(1999));
        assertEquals(Optional.empty(), source.checkNow(), "below two seconds is jitter");
        clocks.counting.addAndGet(-Duration.ofMinutes(5).toNanos()); // the counting clock stepped back
        assertEquals(Optional.empty(), source.checkNow());
        clocks.asleep(Duration.ofSeconds(3));
        assertTrue(source.checkNow().isPresent(), "measured from the new baseline");
        source.close();
    }

    @Test
    void theWallClockPairNeedsALargerGap() throws Exception {
        assertEquals(Duration.ofSeconds(5), new ClockJumpSleepSource.WallVsMonotonic().minimumGap());
        ClockJumpSleepSource.SuspendClocks wallLike = new ClockJumpSleepSource.SuspendClocks() {
            @Override
            public long countingSuspendNanos() {
                return clocks.countingSuspendNanos();
            }

            @Override
            public long notCountingSuspendNanos() {
                return clocks.notCountingSuspendNanos();
            }

            @Override
            public String describe() {
                return "wall-like";
            }

            @Override
            public Duration minimumGap() {
                return Duration.ofSeconds(5);
            }
        };
        ClockJumpSleepSource wall = new ClockJumpSleepSource(() -> wallLike, Clock.fixed(NOW, ZoneOffset.UTC),
                Duration.ofHours(1));
        wall.start(listener);
        clocks.asleep(Duration.ofSeconds(4)); // an NTP step, say
        assertEquals(Optional.empty(), wall.checkNow());
        clocks.asleep(Duration.ofSeconds(6));
        assertTrue(wall.checkNow().isPresent());
        wall.close();
    }

    @Test
    void itsTimerLooksEveryPeriodAndStopsOnClose() throws Exception {
        ClockJumpSleepSource timed = new ClockJumpSleepSource(() -> clocks, Clock.fixed(NOW, ZoneOffset.UTC),
                Duration.ofMillis(20));
        timed.start(listener);
        clocks.asleep(Duration.ofMinutes(5));
        assertEquals(SleepWakeEvent.Kind.WAKE, listener.next(Duration.ofSeconds(5)).kind());
        timed.close();
        Await.until("the timer thread ended", Duration.ofSeconds(5),
                () -> LogindSleepSourceTest.threadsNamed("nexus-power-clock") == 0);
        clocks.asleep(Duration.ofMinutes(5));
        assertEquals(Optional.empty(), timed.checkNow(), "closed");
    }

    @Test
    void onLinuxBootTimeRunsAheadOfMonotonicByTheTimeSuspended() {
        Assumptions.assumeTrue(HostOs.CURRENT == HostOs.LINUX);
        BootTimeClocks real = BootTimeClocks.load();
        long gap = real.countingSuspendNanos() - real.notCountingSuspendNanos();
        assertTrue(gap >= -1_000_000, "CLOCK_BOOTTIME is never behind CLOCK_MONOTONIC: " + gap);
        long monotonic = real.notCountingSuspendNanos();
        long nano = System.nanoTime();
        assertTrue(Math.abs(monotonic - nano) < Duration.ofSeconds(1).toNanos(),
                "System.nanoTime reads CLOCK_MONOTONIC on Linux: " + monotonic + " vs " + nano);
    }
}
