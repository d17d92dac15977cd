package dev.nexus.services.power;

import dev.nexus.services.credentials.HostOs;
import dev.nexus.services.power.linux.BootTimeClocks;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fallback that works everywhere: compares a clock that keeps counting while the machine is
 * suspended with one that stops, every {@code period}. When the first has run ahead of the second by
 * more than the clocks' {@link SuspendClocks#minimumGap() minimum gap} since the last look, the
 * machine slept for that long and has just woken. It never knows ahead, so it reports wakes only.
 *
 * <p>Linux: CLOCK_BOOTTIME vs CLOCK_MONOTONIC through JNA (exact). Elsewhere: the wall clock vs
 * {@link System#nanoTime()}, which stops during sleep on macOS (mach_absolute_time); a wall clock
 * step by NTP can look like a short sleep, which is why that pair needs a larger gap.
 */
public final class ClockJumpSleepSource implements SleepWakeSource {
    private static final Logger LOG = LoggerFactory.getLogger(ClockJumpSleepSource.class);
    public static final String ID = "clock";
    public static final Duration DEFAULT_PERIOD = Duration.ofSeconds(2);

    /** Two clocks that differ by the time spent suspended. */
    public interface SuspendClocks {
        long countingSuspendNanos();

        long notCountingSuspendNanos();

        /** For the log: which clocks these are. */
        String describe();

        /** The smallest difference that counts as a sleep (below it: jitter, clock steps). */
        default Duration minimumGap() {
            return Duration.ofSeconds(2);
        }
    }

    /** The wall clock against {@link System#nanoTime()}: works on every JVM, less exact. */
    public static final class WallVsMonotonic implements SuspendClocks {
        @Override
        public long countingSuspendNanos() {
            Instant now = Instant.now();
            return now.getEpochSecond() * 1_000_000_000L + now.getNano();
        }

        @Override
        public long notCountingSuspendNanos() {
            return System.nanoTime();
        }

        @Override
        public String describe() {
            return "wall clock vs System.nanoTime";
        }

        @Override
        public Duration minimumGap() {
            return Duration.ofSeconds(5);
        }
    }

    private final Supplier<SuspendClocks> clocksFactory;
    private final Clock wallClock;
    private final Duration period;

    // Guarded by this.
    private SuspendClocks clocks;
    private SleepWakeListener listener;
    private ScheduledExecutorService timer;
    private long baseline;
    private boolean closed;

    /**
     * @param clocks    made once, in {@link #start} (so no native code loads before)
     * @param wallClock stamps the events
     * @param period    how often to compare the clocks
     */
    public ClockJumpSleepSource(Supplier<SuspendClocks> clocks, Clock wallClock, Duration period) {
        this.clocksFactory = Objects.requireNonNull(clocks, "clocks");
        this.wallClock = Objects.requireNonNull(wallClock, "wallClock");
        this.period = Objects.requireNonNull(period, "period");
    }

    /** The best clocks of this system, looked at every two seconds. */
    public static ClockJumpSleepSource forThisSystem() {
        return new ClockJumpSleepSource(ClockJumpSleepSource::systemClocks, Clock.systemUTC(), DEFAULT_PERIOD);
    }

    private static SuspendClocks systemClocks() {
        if (HostOs.CURRENT == HostOs.LINUX) {
            try {
                return BootTimeClocks.load();
            } catch (RuntimeException | LinkageError e) {
                LOG.info("CLOCK_BOOTTIME unavailable ({}); comparing the wall clock with System.nanoTime", e.toString());
            }
        }
        return new WallVsMonotonic();
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public boolean announcesSleep() {
        return false;
    }

    @Override
    public synchronized void start(SleepWakeListener listener) throws SourceUnavailableException {
        if (timer != null || closed) {
            throw new IllegalStateException("the clock source was already started");
        }
        try {
            clocks = clocksFactory.get();
            baseline = gap();
        } catch (RuntimeException | LinkageError e) {
            throw new SourceUnavailableException("cannot read the clocks: " + e, e);
        }
        this.listener = Objects.requireNonNull(listener, "listener");
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "nexus-power-clock");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(() -> {
            try {
                checkNow();
            } catch (RuntimeException e) {
                LOG.warn("Comparing the clocks failed", e); // an exception would end the schedule
            }
        }, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
        LOG.debug("Clock sleep detection: {} every {}", clocks.describe(), period);
    }

    /**
     * Compares the clocks now (the timer does this every period); reports and returns a wake when the
     * machine slept since the last look.
     */
    synchronized Optional<SleepWakeEvent> checkNow() {
        if (clocks == null || closed) {
            return Optional.empty();
        }
        long now = gap();
        long slept = now - baseline;
        baseline = now;
        if (slept <= clocks.minimumGap().toNanos()) {
            return Optional.empty();
        }
        Instant at = wallClock.instant();
        SleepWakeEvent wake = SleepWakeEvent.wake(ID, at, at.minusNanos(slept));
        listener.woke(wake);
        return Optional.of(wake);
    }

    private long gap() {
        return clocks.countingSuspendNanos() - clocks.notCountingSuspendNanos();
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (timer != null) {
            timer.shutdownNow();
        }
    }
}
