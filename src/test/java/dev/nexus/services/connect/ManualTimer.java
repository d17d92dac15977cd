package dev.nexus.services.connect;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * TEST DOUBLE: a {@link ConnectTimer} driven by hand against its own clock. {@link #advance} moves the
 * clock and runs what fell due, in order, on the calling thread; nothing sleeps.
 */
final class ManualTimer implements ConnectTimer {
    /** One scheduled task: when it was asked for, for how long, and whether it is still pending. */
    static final class Task implements Scheduled {
        final Duration delay;
        final Instant due;
        final Runnable action;
        boolean cancelled;
        boolean ran;

        Task(Duration delay, Instant due, Runnable action) {
            this.delay = delay;
            this.due = due;
            this.action = action;
        }

        @Override
        public synchronized void cancel() {
            cancelled = true;
        }

        synchronized boolean pending() {
            return !cancelled && !ran;
        }
    }

    final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T08:00:00Z"));
    private final List<Task> tasks = new ArrayList<>();

    @Override
    public synchronized Scheduled schedule(Duration delay, Runnable task) {
        Task t = new Task(delay, clock.instant().plus(delay), task);
        tasks.add(t);
        return t;
    }

    synchronized List<Task> pending() {
        return tasks.stream().filter(Task::pending).toList();
    }

    /** The one pending task; fails when there are none or several. */
    synchronized Task onlyPending() {
        List<Task> p = pending();
        if (p.size() != 1) {
            throw new AssertionError("expected one pending timer, got " + p.size());
        }
        return p.get(0);
    }

    /** Moves the clock forward, running every task that falls due on the way. */
    void advance(Duration by) {
        Instant until = clock.instant().plus(by);
        while (true) {
            Task next;
            synchronized (this) {
                next = tasks.stream().filter(Task::pending).filter(t -> !t.due.isAfter(until))
                        .min(Comparator.comparing(t -> t.due)).orElse(null);
                if (next == null) {
                    break;
                }
                next.ran = true;
                if (next.due.isAfter(clock.instant())) {
                    clock.set(next.due);
                }
            }
            next.action.run();
        }
        clock.set(until);
    }

    /** A clock tests set by hand. */
    static final class MutableClock extends Clock {
        private volatile Instant now;

        MutableClock(Instant start) {
            this.now = start;
        }

        void set(Instant value) {
            now = value;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
