package dev.nexus.services.supervise;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A child of the {@link ChildLauncher}: one it launched (a {@link Process}, exit code known) or one it
 * adopted from a previous engine (a {@link ProcessHandle}, exit code unknowable).
 */
final class TrackedChild implements ChildProcess {
    private static final Logger LOG = LoggerFactory.getLogger(TrackedChild.class);
    /** How often a stop looks whether the tree is gone: short, so STOPPED is reported promptly. */
    private static final long POLL_MILLIS = 20;
    /** After SIGKILL a process normally vanishes in milliseconds; beyond this something is stuck. */
    private static final Duration KILL_WAIT = Duration.ofSeconds(10);
    /** Output still buffered when the tree is gone is drained for at most this long. */
    private static final Duration DRAIN_WAIT = Duration.ofSeconds(1);
    /** An adopted leader whose output ended is looked at for this long before relying on the JDK's slow poll. */
    private static final Duration EXIT_AFTER_EOF_WAIT = Duration.ofSeconds(2);

    private static final long ADOPTED_POLL_MILLIS = 250;
    /** One thread watches every adopted child. */
    private static final ScheduledExecutorService ADOPTED_EXIT_POLL = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "adopted-exit-poll");
        t.setDaemon(true);
        return t;
    });

    private final String service;
    private final Process process;
    private final ProcessTree tree;
    private final Instant startedAt;
    private final Clock clock;
    private final Consumer<TrackedChild> onLeaderGone;
    private final CompletableFuture<ExitStatus> exited = new CompletableFuture<>();
    private final AtomicReference<CompletableFuture<ExitStatus>> stopping = new AtomicReference<>();
    private final AtomicBoolean leaderGoneHandled = new AtomicBoolean();
    private final AtomicBoolean forgotten = new AtomicBoolean();
    private volatile List<OutputPump> pumps = List.of();
    private volatile boolean detached;

    /**
     * @param process      the launched process, or null for an adopted one
     * @param onLeaderGone runs once when the leader and what it left of its tree are gone (removes the
     *                     child's record)
     */
    TrackedChild(String service, Process process, ProcessHandle leader, boolean processGroup, Instant startedAt,
                 Clock clock, Consumer<TrackedChild> onLeaderGone) {
        this.service = service;
        this.process = process;
        this.tree = new ProcessTree(leader, processGroup, OperatingSystem.CURRENT.isPosix());
        this.startedAt = startedAt;
        this.clock = clock;
        this.onLeaderGone = onLeaderGone;
    }

    /** Starts watching for the exit; called once the pumps are attached and the record is written. */
    void watch(List<OutputPump> attachedPumps) {
        this.pumps = List.copyOf(attachedPumps);
        if (process != null) {
            process.onExit().whenComplete((p, error) -> leaderGone(process.exitValue()));
        } else {
            // Not our child, so no exit notification exists. The end of its output (onOutputEnded)
            // usually tells at once; this poll covers a child that closed its output early. The JDK's
            // own onExit() is not used: it polls slowly and takes a zombie for alive.
            ScheduledFuture<?> poll = ADOPTED_EXIT_POLL.scheduleWithFixedDelay(() -> {
                if (!ProcessTree.isAlive(tree.leader())) {
                    leaderGone(null);
                }
            }, ADOPTED_POLL_MILLIS, ADOPTED_POLL_MILLIS, TimeUnit.MILLISECONDS);
            exited.whenComplete((status, error) -> poll.cancel(false));
        }
    }

    /** Called by a pump when no process holds the write end of its FIFO any more. */
    void onOutputEnded() {
        if (process != null || exited.isDone()) {
            return;
        }
        long deadline = System.nanoTime() + EXIT_AFTER_EOF_WAIT.toNanos();
        while (System.nanoTime() < deadline && !exited.isDone()) {
            if (!ProcessTree.isAlive(tree.leader())) {
                leaderGone(null);
                return;
            }
            sleep(5);
        }
    }

    private void leaderGone(Integer code) {
        if (!leaderGoneHandled.compareAndSet(false, true)) {
            return;
        }
        ExitStatus status = new ExitStatus(code, clock.instant());
        if (detached) {
            exited.complete(status);
            return;
        }
        // Our own write ends go now; the pumps then end once the last writer in the tree exits.
        pumps.forEach(OutputPump::releaseKeeper);
        // Before completing, so whoever reacts to the exit finds the record gone already. While the leader
        // left processes of its tree running, the record stays: an engine that dies before they are
        // stopped leaves the next one the proof that they are ours (ChildLauncher.stopLeftovers).
        if (stopping.get() == null && tree.snapshot().isEmpty()) {
            forget();
        }
        exited.complete(status);
    }

    /** Once the leader and its whole tree are gone: lets the launcher drop the child and its record. */
    private void forget() {
        if (!forgotten.compareAndSet(false, true)) {
            return;
        }
        try {
            onLeaderGone.accept(this);
        } catch (RuntimeException e) {
            LOG.warn("{}: cleanup after exit failed", service, e);
        }
    }

    /** Lets go of the child without touching it, as a dying engine would: no signal, no record change. */
    void detach() {
        detached = true;
        pumps.forEach(OutputPump::detach);
    }

    @Override
    public String service() {
        return service;
    }

    @Override
    public long pid() {
        return tree.leader().pid();
    }

    @Override
    public Instant startedAt() {
        return startedAt;
    }

    @Override
    public boolean adopted() {
        return process == null;
    }

    @Override
    public boolean isAlive() {
        return ProcessTree.isAlive(tree.leader());
    }

    @Override
    public Set<Long> aliveTree() {
        return tree.alivePids(tree.snapshot());
    }

    @Override
    public CompletableFuture<ExitStatus> exited() {
        return exited;
    }

    @Override
    public CompletableFuture<ExitStatus> stop(Duration grace) {
        if (grace.isNegative()) {
            throw new IllegalArgumentException("grace must not be negative, got " + grace);
        }
        if (detached) {
            return CompletableFuture.failedFuture(
                    new IllegalStateException(service + " (pid " + pid() + ") was detached from this launcher"));
        }
        CompletableFuture<ExitStatus> result = new CompletableFuture<>();
        if (!stopping.compareAndSet(null, result)) {
            return stopping.get();
        }
        Thread stopper = new Thread(() -> runStop(grace, result), "child-stop-" + service);
        stopper.setDaemon(true);
        stopper.start();
        return result;
    }

    private void runStop(Duration grace, CompletableFuture<ExitStatus> result) {
        try {
            Set<ProcessHandle> known = new LinkedHashSet<>(tree.snapshot());
            LOG.info("{}: stopping pid {} ({} process(es)), SIGTERM, grace {}", service, pid(), known.size(), grace);
            tree.signal(known, false);
            boolean gone = awaitGone(known, grace, false);
            if (!gone) {
                tree.refresh(known);
                LOG.info("{}: still alive after {}: {}; sending SIGKILL", service, grace, tree.alivePids(known));
                tree.signal(known, true);
                gone = awaitGone(known, KILL_WAIT, true);
            }
            if (!gone) {
                throw new IllegalStateException(service + ": processes " + tree.alivePids(known)
                        + " are still alive " + KILL_WAIT.toSeconds() + " s after SIGKILL");
            }
            ExitStatus status = awaitLeaderStatus();
            if (!detached) {
                forget();
            }
            awaitPumps();
            result.complete(status);
        } catch (RuntimeException e) {
            result.completeExceptionally(e);
        }
    }

    /** Polls until the tree is gone; when {@code force}, newly found processes get SIGKILL at once. */
    private boolean awaitGone(Set<ProcessHandle> known, Duration limit, boolean force) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            int before = known.size();
            tree.refresh(known);
            if (force && known.size() > before) {
                tree.signal(known, true);
            }
            if (tree.allGone(known)) {
                return true;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            sleep(Math.min(POLL_MILLIS, Math.max(1, TimeUnit.NANOSECONDS.toMillis(left))));
        }
    }

    private ExitStatus awaitLeaderStatus() {
        if (process == null) {
            leaderGone(null);
        }
        try {
            // For a launched child the JDK reaps it and completes this within milliseconds.
            return exited.get(5, TimeUnit.SECONDS);
        } catch (TimeoutException | ExecutionException e) {
            return new ExitStatus(null, clock.instant());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new ExitStatus(null, clock.instant());
        }
    }

    /**
     * Gives the pumps a moment to move the last output into the log. A process outside the tree that
     * inherited the FIFO (a daemon that escaped with setsid and was reparented) would keep it open
     * forever, so the pumps are cut loose after the wait.
     */
    private void awaitPumps() {
        pumps.forEach(OutputPump::releaseKeeper);
        CompletableFuture<?>[] all = pumps.stream().map(OutputPump::finished).toArray(CompletableFuture[]::new);
        try {
            CompletableFuture.allOf(all).get(DRAIN_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            LOG.info("{}: output still open after the process tree is gone; no longer capturing it", service);
            pumps.forEach(OutputPump::detach);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the process tree to end", e);
        }
    }

    @Override
    public String toString() {
        return "ChildProcess[" + service + ", pid " + pid() + (adopted() ? ", adopted" : "") + "]";
    }
}
