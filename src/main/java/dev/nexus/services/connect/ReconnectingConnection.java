package dev.nexus.services.connect;

import dev.nexus.services.connect.ConnectionState.Phase;
import dev.nexus.services.support.Durations;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one connection up: dials, and when the connection ends dials again after a backoff, a planned
 * restart's announced pause, or not at all when the peer rejected us (until {@link #retry()}).
 * What a connection is (a gateway session, a plain WebSocket) is the {@link Dialer}'s business; this
 * class only knows that a link comes up and goes down, once each at most.
 *
 * <p>Thread-safe. Link events may arrive on any thread; news from a link that has been replaced (a
 * forced reconnect, a close) is ignored by generation. State changes are handed to {@code callbacks}
 * in the order they happen, so give a serial executor (the engine loop) and never block in the listener.
 */
public final class ReconnectingConnection<L extends ReconnectingConnection.Link> implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReconnectingConnection.class);
    /** How long past its announced return a restarting peer still counts as restarting rather than lost. */
    public static final Duration PLANNED_RESTART_GRACE = Duration.ofSeconds(30);
    /** An announced restart longer than this is not waited for before the first try. */
    public static final Duration MAX_PLANNED_WAIT = Duration.ofSeconds(60);

    /** One live (or coming) connection. */
    public interface Link {
        /** Drops the connection at once, without a closing handshake; the link reports nothing more. */
        void abort();

        /** Closes politely (closing handshake where there is one), for a stop. */
        void close();
    }

    /** What a link reports: {@code up} at most once, then {@code down} at most once (or only {@code down}). */
    public interface Events {
        void up();

        void down(Drop drop);
    }

    /** Starts one try; returns at once, reporting through {@code events}. */
    @FunctionalInterface
    public interface Dialer<L extends Link> {
        L dial(Events events);
    }

    @FunctionalInterface
    public interface Listener {
        void changed(ConnectionState state);
    }

    private final String name;
    private final Dialer<L> dialer;
    private final ReconnectPolicy policy;
    private final ConnectTimer timer;
    private final Clock clock;
    private final Executor callbacks;
    private final Listener listener;

    // Guarded by this.
    private Phase phase = Phase.IDLE;
    private String message = "not started";
    private Drop.Problem problem;
    private Instant since;
    private Instant downSince;
    private Instant nextAttemptAt;
    private Instant lastConnectedAt;
    /** While a planned restart is not overdue: its end and its description. */
    private Instant plannedUntil;
    private String plannedMessage;
    private String lastFailure;
    private int generation;
    private int finishedGeneration = -1;
    private L link;
    private ConnectTimer.Scheduled retry;
    private final List<CompletableFuture<ConnectionState>> waiting = new ArrayList<>();

    /**
     * @param name      for logs, e.g. "gateway ws://127.0.0.1:18789/"
     * @param callbacks where {@code listener} runs; serial, never blocking
     */
    public ReconnectingConnection(String name, Dialer<L> dialer, ReconnectPolicy policy, ConnectTimer timer,
                                  Clock clock, Executor callbacks, Listener listener) {
        this.name = Objects.requireNonNull(name, "name");
        this.dialer = Objects.requireNonNull(dialer, "dialer");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.timer = Objects.requireNonNull(timer, "timer");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.callbacks = Objects.requireNonNull(callbacks, "callbacks");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.since = clock.instant();
    }

    /** Dials for the first time. Idempotent. */
    public void start() {
        synchronized (this) {
            if (phase != Phase.IDLE) {
                return;
            }
            downSince = clock.instant();
        }
        dial();
    }

    /**
     * Drops the current link and dials again now, with the backoff reset: after a wake, where a socket
     * that looks open is often dead. A rejected connection stays rejected (nothing about it changed);
     * returns false then, and when not started or closed.
     */
    public boolean forceReconnect() {
        synchronized (this) {
            if (phase == Phase.IDLE || phase == Phase.CLOSED || phase == Phase.REJECTED) {
                return false;
            }
            policy.reset();
            plannedUntil = null;
            plannedMessage = null;
            if (phase == Phase.CONNECTED) {
                downSince = clock.instant();
            }
        }
        LOG.debug("{}: reconnecting now (forced)", name);
        dial();
        return true;
    }

    /** Like {@link #forceReconnect()}, and also tries a rejected connection again: the user's "Retry". */
    public boolean retry() {
        synchronized (this) {
            if (phase == Phase.CLOSED) {
                return false;
            }
            policy.reset();
            plannedUntil = null;
            plannedMessage = null;
            if (phase == Phase.CONNECTED || phase == Phase.IDLE) {
                downSince = clock.instant();
            }
        }
        dial();
        return true;
    }

    /** Closes the link politely and stops for good. Idempotent. */
    @Override
    public void close() {
        L old;
        synchronized (this) {
            if (phase == Phase.CLOSED) {
                return;
            }
            cancelRetryLocked();
            generation++;
            old = link;
            link = null;
            nextAttemptAt = null;
            enterLocked(Phase.CLOSED, "closed", null);
        }
        if (old != null) {
            old.close();
        }
    }

    public synchronized ConnectionState state() {
        return stateLocked();
    }

    /**
     * The state once no try is under way (connected, waiting, restarting, rejected, closed): at once when
     * that is so already. Completes on the callback executor, so what is chained on it must be quick.
     */
    public CompletableFuture<ConnectionState> settled() {
        synchronized (this) {
            if (phase != Phase.IDLE && phase != Phase.CONNECTING) {
                return CompletableFuture.completedFuture(stateLocked());
            }
            CompletableFuture<ConnectionState> f = new CompletableFuture<>();
            waiting.add(f);
            return f;
        }
    }

    /** The live link while connected, else null. */
    public synchronized L link() {
        return phase == Phase.CONNECTED ? link : null;
    }

    public String name() {
        return name;
    }

    public ReconnectPolicy policy() {
        return policy;
    }

    private void dial() {
        int gen;
        L old;
        synchronized (this) {
            if (phase == Phase.CLOSED) {
                return;
            }
            cancelRetryLocked();
            gen = ++generation;
            old = link;
            link = null;
            nextAttemptAt = null;
            if (phase == Phase.RESTARTING && plannedUntil != null && clock.instant().isBefore(plannedUntil)) {
                publishLocked(); // still restarting: only the next-attempt time changed
            } else {
                plannedUntil = null;
                enterLocked(Phase.CONNECTING, lastFailure == null ? "connecting"
                        : "connecting (last try: " + lastFailure + ")", null);
            }
        }
        if (old != null) {
            old.abort();
        }
        Events events = eventsFor(gen);
        L dialed;
        try {
            dialed = dialer.dial(events);
        } catch (RuntimeException e) {
            LOG.debug("{}: dialing failed", name, e);
            events.down(Drop.lost("cannot start connecting: " + Failures.describe(e)));
            return;
        }
        boolean keep;
        synchronized (this) {
            keep = gen == generation && finishedGeneration != gen && phase != Phase.CLOSED;
            if (keep) {
                link = dialed;
            }
        }
        if (!keep && dialed != null) {
            dialed.abort();
        }
    }

    private Events eventsFor(int gen) {
        return new Events() {
            @Override
            public void up() {
                onUp(gen);
            }

            @Override
            public void down(Drop drop) {
                onDown(gen, drop);
            }
        };
    }

    private void onUp(int gen) {
        int failedTries;
        synchronized (this) {
            if (gen != generation || finishedGeneration == gen || phase == Phase.CLOSED || phase == Phase.CONNECTED) {
                return;
            }
            failedTries = policy.failures();
            policy.reset();
            plannedUntil = null;
            plannedMessage = null;
            lastFailure = null;
            downSince = null;
            nextAttemptAt = null;
            lastConnectedAt = clock.instant();
            enterLocked(Phase.CONNECTED, "connected", null);
        }
        if (failedTries > 0) {
            LOG.info("{}: connected again after {} failed {}", name, failedTries, failedTries == 1 ? "try" : "tries");
        } else {
            LOG.debug("{}: connected", name);
        }
    }

    private void onDown(int gen, Drop drop) {
        synchronized (this) {
            if (gen != generation || finishedGeneration == gen || phase == Phase.CLOSED) {
                return;
            }
            finishedGeneration = gen;
            link = null;
            Instant now = clock.instant();
            if (downSince == null) {
                downSince = now;
            }
            switch (drop.kind()) {
                case REJECTED -> {
                    lastFailure = drop.message();
                    plannedUntil = null;
                    plannedMessage = null;
                    enterLocked(Phase.REJECTED, drop.message(), drop.problem());
                    LOG.warn("{}: rejected, not retrying until the {} is fixed or a retry is asked for: {}", name,
                            drop.problem() == Drop.Problem.CREDENTIALS ? "credential" : "configuration", drop.message());
                }
                case PLANNED_RESTART -> {
                    policy.reset();
                    Duration wait = plannedWait(drop.retryAfter());
                    plannedUntil = now.plus(wait).plus(PLANNED_RESTART_GRACE);
                    plannedMessage = drop.message();
                    lastFailure = null;
                    scheduleRetryLocked(wait, gen);
                    enterLocked(Phase.RESTARTING, drop.message(), null);
                    LOG.info("{}: {}; reconnecting in {}", name, drop.message(), describe(wait));
                }
                case LOST -> {
                    lastFailure = drop.message();
                    Duration wait = policy.nextDelay();
                    scheduleRetryLocked(wait, gen);
                    if (plannedUntil != null && now.isBefore(plannedUntil)) {
                        enterLocked(Phase.RESTARTING, plannedMessage + "; not back yet (" + drop.message() + ")", null);
                    } else {
                        plannedUntil = null;
                        plannedMessage = null;
                        enterLocked(Phase.WAITING, drop.message() + "; next try in " + describe(wait), null);
                    }
                    LOG.debug("{}: {}; next try in {}", name, drop.message(), describe(wait));
                }
            }
        }
    }

    private static Duration plannedWait(Duration announced) {
        if (announced == null || announced.isNegative()) {
            return Duration.ZERO;
        }
        return announced.compareTo(MAX_PLANNED_WAIT) > 0 ? MAX_PLANNED_WAIT : announced;
    }

    private void scheduleRetryLocked(Duration wait, int gen) {
        cancelRetryLocked();
        nextAttemptAt = clock.instant().plus(wait);
        retry = timer.schedule(wait, () -> retryDue(gen));
    }

    private void retryDue(int gen) {
        synchronized (this) {
            if (gen != generation || (phase != Phase.WAITING && phase != Phase.RESTARTING)) {
                return;
            }
            retry = null;
        }
        dial();
    }

    private void cancelRetryLocked() {
        if (retry != null) {
            retry.cancel();
            retry = null;
        }
    }

    private void enterLocked(Phase next, String text, Drop.Problem why) {
        phase = next;
        message = text;
        problem = why;
        since = clock.instant();
        publishLocked();
    }

    /** Queued under the lock, so that listeners see changes in the order they happened. */
    private void publishLocked() {
        ConnectionState s = stateLocked();
        List<CompletableFuture<ConnectionState>> settledNow = List.of();
        if (phase != Phase.IDLE && phase != Phase.CONNECTING && !waiting.isEmpty()) {
            settledNow = List.copyOf(waiting);
            waiting.clear();
        }
        List<CompletableFuture<ConnectionState>> toComplete = settledNow;
        try {
            callbacks.execute(() -> {
                listener.changed(s);
                toComplete.forEach(f -> f.complete(s));
            });
        } catch (RejectedExecutionException e) {
            LOG.debug("{}: callback executor is shut down; state change not delivered", name);
            toComplete.forEach(f -> f.complete(s));
        }
    }

    private ConnectionState stateLocked() {
        return new ConnectionState(phase, message, problem, policy.failures(), since, downSince, nextAttemptAt,
                lastConnectedAt);
    }

    static String describe(Duration d) {
        long ms = d.toMillis();
        if (ms < 1000) {
            return ms + " ms";
        }
        if (ms < 60_000 && ms % 1000 != 0) {
            return String.format(java.util.Locale.ROOT, "%.1f s", ms / 1000.0);
        }
        return Durations.humanize(d);
    }
}
