package dev.nexus.services.power;

import dev.nexus.services.support.Durations;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Combines several {@link SleepWakeSource}s into one stream in which every sleep and every wake
 * appears once. Signals can arrive twice (Windows sends two resume messages, logind and the clock
 * fallback both see the same wake) or not at all (a missed announcement), so:
 * <ul>
 *   <li>a sleep announced while a sleep is already being prepared is the same sleep: the caller gets
 *       the same "prepared" stage;</li>
 *   <li>a wake after an announced sleep is always a new wake;</li>
 *   <li>a wake while awake is the one already handled when the sleep it ends began before that wake
 *       (sources that measure the sleep, like the clock), or when it comes within
 *       {@value #DUPLICATE_WAKE_WINDOW_SECONDS} s of it (sources that only say "woke");</li>
 *   <li>a sleep announcement that no wake follows within {@code noWakeLimit} of time awake (a
 *       cancelled sleep, a lost signal) is ended as if woken, so probes never stay paused.</li>
 * </ul>
 * Every event is logged with the source that reported it. Thread-safe: sources report from their own
 * threads; the downstream listener is called under this monitor's lock, so it sees events in order
 * and must return at once.
 */
public final class SleepWakeMonitor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SleepWakeMonitor.class);
    static final long DUPLICATE_WAKE_WINDOW_SECONDS = 30;
    static final Duration DUPLICATE_WAKE_WINDOW = Duration.ofSeconds(DUPLICATE_WAKE_WINDOW_SECONDS);
    /** How far a measured sleep may seem to start after the last wake and still be that same sleep. */
    static final Duration SAME_SLEEP_TOLERANCE = Duration.ofSeconds(5);
    public static final Duration DEFAULT_NO_WAKE_LIMIT = Duration.ofSeconds(60);
    /** The source id of a wake the monitor makes itself when none was reported. */
    public static final String NO_WAKE_REPORTED = "no-wake-reported";

    /** How many events went downstream, and how many were dropped as duplicates. */
    public record Counts(long sleeps, long wakes, long duplicates) {
    }

    private final List<SleepWakeSource> candidates;
    private final Clock clock;
    private final Duration noWakeLimit;
    private final List<SleepWakeSource> running = new ArrayList<>();
    private final Map<String, String> unavailable = new LinkedHashMap<>();
    private ScheduledExecutorService timer;
    private volatile SleepWakeListener downstream;

    // Guarded by this.
    private boolean asleep;
    private SleepWakeEvent lastSleep;
    private SleepWakeEvent lastWake;
    private CompletableFuture<Void> preparing;
    private ScheduledFuture<?> noWakeTimer;
    private long sleeps;
    private long wakes;
    private long duplicates;
    private boolean closed;

    /**
     * @param sources     in order of preference; every one that starts is used
     * @param clock       stamps the monitor's own events
     * @param noWakeLimit time awake after a sleep announcement before the monitor stops waiting for a wake
     */
    public SleepWakeMonitor(List<SleepWakeSource> sources, Clock clock, Duration noWakeLimit) {
        this.candidates = List.copyOf(sources);
        this.clock = Objects.requireNonNull(clock, "clock");
        this.noWakeLimit = Objects.requireNonNull(noWakeLimit, "noWakeLimit");
    }

    /** The OS's own source (when it can work here) and the clock fallback. */
    public static SleepWakeMonitor forThisSystem() {
        return new SleepWakeMonitor(SleepWakeSources.forThisSystem(), Clock.systemUTC(), DEFAULT_NO_WAKE_LIMIT);
    }

    /**
     * Starts every source that can work here; the others are logged once and left out. Returns the ids
     * of the sources that started.
     */
    public List<String> start(SleepWakeListener listener) {
        downstream = Objects.requireNonNull(listener, "listener");
        synchronized (this) {
            timer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "nexus-power-monitor");
                t.setDaemon(true);
                return t;
            });
        }
        SleepWakeListener fromSources = new SleepWakeListener() {
            @Override
            public CompletionStage<Void> sleeping(SleepWakeEvent event) {
                return onSleep(event);
            }

            @Override
            public void woke(SleepWakeEvent event) {
                onWake(event);
            }
        };
        // Not under the lock: a source may report from its own thread while a later one starts.
        for (SleepWakeSource source : candidates) {
            try {
                source.start(fromSources);
                synchronized (this) {
                    running.add(source);
                }
            } catch (SourceUnavailableException e) {
                synchronized (this) {
                    unavailable.put(source.id(), e.getMessage());
                }
                LOG.info("Sleep/wake source {} not used: {}", source.id(), e.getMessage());
            } catch (RuntimeException | LinkageError e) {
                synchronized (this) {
                    unavailable.put(source.id(), e.toString());
                }
                LOG.warn("Sleep/wake source {} failed to start", source.id(), e);
            }
        }
        List<String> ids = activeSources();
        if (ids.isEmpty()) {
            LOG.warn("No sleep/wake source works here: services are not recovered after sleep");
        } else {
            LOG.info("Sleep/wake sources: {}", String.join(", ", ids));
        }
        return ids;
    }

    public synchronized List<String> activeSources() {
        return running.stream().map(SleepWakeSource::id).toList();
    }

    /** Sources left out, with why. */
    public synchronized Map<String, String> unavailableSources() {
        return Map.copyOf(unavailable);
    }

    public synchronized Counts counts() {
        return new Counts(sleeps, wakes, duplicates);
    }

    synchronized CompletionStage<Void> onSleep(SleepWakeEvent event) {
        if (closed) {
            return CompletableFuture.completedFuture(null);
        }
        if (asleep) {
            duplicates++;
            LOG.info("Sleep announced again by {} (already preparing since {}'s announcement); same sleep",
                    event.source(), lastSleep.source());
            return preparing;
        }
        asleep = true;
        lastSleep = event;
        sleeps++;
        LOG.info("Sleep announced by {}; preparing", event.source());
        scheduleNoWakeLimit();
        CompletableFuture<Void> prepared;
        try {
            prepared = downstream.sleeping(event).toCompletableFuture();
        } catch (RuntimeException e) {
            LOG.warn("Preparing for sleep failed", e);
            prepared = CompletableFuture.completedFuture(null);
        }
        preparing = prepared;
        return prepared;
    }

    synchronized void onWake(SleepWakeEvent event) {
        if (closed) {
            return;
        }
        if (!asleep && lastWake != null && sameWake(event, lastWake)) {
            duplicates++;
            LOG.info("Wake reported again by {} (already handled from {} at {}); ignored", event.source(),
                    lastWake.source(), lastWake.at());
            return;
        }
        // An announced sleep began at its announcement; otherwise trust what the source measured.
        Instant sleptSince = asleep ? lastSleep.at() : event.sleptSince();
        asleep = false;
        preparing = null;
        if (noWakeTimer != null) {
            noWakeTimer.cancel(false);
            noWakeTimer = null;
        }
        SleepWakeEvent wake = SleepWakeEvent.wake(event.source(), event.at(), sleptSince);
        lastWake = wake;
        wakes++;
        LOG.info("Wake reported by {}{}", event.source(), sleptSince == null ? ""
                : " after " + Durations.humanize(Duration.between(sleptSince, event.at())) + " asleep");
        try {
            downstream.woke(wake);
        } catch (RuntimeException e) {
            LOG.warn("Recovering from the wake failed", e);
        }
    }

    /** Whether {@code event} reports the wake already handled as {@code last}. */
    static boolean sameWake(SleepWakeEvent event, SleepWakeEvent last) {
        if (event.sleptSince() != null) {
            return !event.sleptSince().isAfter(last.at().plus(SAME_SLEEP_TOLERANCE));
        }
        return Duration.between(last.at(), event.at()).compareTo(DUPLICATE_WAKE_WINDOW) < 0;
    }

    /** The timer runs on time awake (System.nanoTime), so a real sleep does not use it up. */
    private void scheduleNoWakeLimit() {
        if (timer == null) {
            return;
        }
        SleepWakeEvent announced = lastSleep;
        noWakeTimer = timer.schedule(() -> {
            synchronized (this) {
                if (!asleep || lastSleep != announced) {
                    return;
                }
                LOG.warn("No wake reported within {} awake after {} announced sleep (a cancelled sleep or a lost "
                        + "signal); resuming", Durations.humanize(noWakeLimit), announced.source());
                onWake(SleepWakeEvent.wake(NO_WAKE_REPORTED, clock.instant(), null));
            }
        }, noWakeLimit.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Stops every source and the monitor's timer. */
    @Override
    public void close() {
        List<SleepWakeSource> toClose;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            toClose = List.copyOf(running);
            running.clear();
            if (timer != null) {
                timer.shutdownNow();
            }
        }
        for (SleepWakeSource source : toClose) {
            try {
                source.close();
            } catch (RuntimeException e) {
                LOG.warn("Sleep/wake source {} did not close cleanly", source.id(), e);
            }
        }
    }
}
