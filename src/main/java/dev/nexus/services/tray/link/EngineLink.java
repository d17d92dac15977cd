package dev.nexus.services.tray.link;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nexus.services.control.ControlClient;
import dev.nexus.services.control.ControlException;
import dev.nexus.services.control.EngineControlHandler;
import dev.nexus.services.control.EngineNotRunningException;
import dev.nexus.services.daemon.DaemonSpawner;
import dev.nexus.services.engine.EngineSnapshot;
import dev.nexus.services.engine.ServiceSnapshot;
import dev.nexus.services.support.Json;
import dev.nexus.services.support.NexusPaths;
import dev.nexus.services.supervise.Backoff;
import dev.nexus.services.tray.EngineCommands;
import dev.nexus.services.tray.model.LinkStatus;
import dev.nexus.services.tray.model.TrayViewModel;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tray's connection to the engine: subscribes to its event stream, starts the daemon when none runs,
 * and reconnects with backoff when the engine goes away (reporting "unreachable, retrying in N s"
 * meanwhile). Commands go over a connection of their own each, so a long stop never holds up the event
 * stream or another command. All waiting happens on the link's own threads, never on the caller's.
 */
public final class EngineLink implements EngineCommands, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EngineLink.class);
    /** 1 s, 2 s, 4 s, ... up to 30 s: quick after a restart of the engine, calm when it stays away. */
    public static final Backoff RECONNECT = new Backoff(Duration.ofSeconds(1), 2, Duration.ofSeconds(30), 0.1);
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    static final Duration SUBSCRIBE_TIMEOUT = Duration.ofSeconds(15);
    /** Commands wait as long as the engine may take, plus a margin for the reply. */
    static final Duration COMMAND_TIMEOUT = EngineControlHandler.COMMAND_TIMEOUT.plusSeconds(30);

    /** Starts an engine when none answers; returns once one does. */
    @FunctionalInterface
    public interface DaemonStarter {
        void ensureRunning(NexusPaths paths) throws IOException;

        DaemonStarter SPAWN = DaemonSpawner::ensureRunning;
    }

    private final NexusPaths paths;
    private final EngineListener listener;
    private final DaemonStarter starter;
    private final Backoff backoff;
    private final Clock clock;
    private final SplittableRandom random = new SplittableRandom();
    private final ScheduledExecutorService linkThread;
    private final ExecutorService commandThreads;

    // Confined to the link thread.
    private int failedAttempts;
    private ScheduledFuture<?> retry;
    private volatile long generation;
    private String lastError;

    /** The subscribed connection, or null while there is none. */
    private volatile ControlClient subscribed;
    private volatile boolean closed;

    public EngineLink(NexusPaths paths, EngineListener listener, DaemonStarter starter, Backoff backoff, Clock clock) {
        this.paths = Objects.requireNonNull(paths, "paths");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.starter = starter;
        this.backoff = Objects.requireNonNull(backoff, "backoff");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.linkThread = Executors.newSingleThreadScheduledExecutor(daemonThreads("nexus-tray-link"));
        this.commandThreads = Executors.newCachedThreadPool(daemonThreads("nexus-tray-command"));
    }

    /** The link the tray app uses: starts the daemon when none runs, default backoff, system clock. */
    public static EngineLink standard(NexusPaths paths, EngineListener listener) {
        return new EngineLink(paths, listener, DaemonStarter.SPAWN, RECONNECT, Clock.systemUTC());
    }

    /** Connects in the background; the listener hears CONNECTING, then a snapshot and CONNECTED (or UNREACHABLE). */
    public void start() {
        listener.link(LinkStatus.CONNECTING);
        linkThread.execute(this::attempt);
    }

    /** Gives up waiting for the next retry and tries at once. */
    public void retryNow() {
        linkThread.execute(() -> {
            if (subscribed == null && !closed) {
                if (retry != null) {
                    retry.cancel(false);
                }
                listener.link(LinkStatus.CONNECTING);
                attempt();
            }
        });
    }

    public boolean connected() {
        return subscribed != null;
    }

    @Override
    public CompletableFuture<JsonNode> call(String op, ObjectNode args) {
        if (closed) {
            return CompletableFuture.failedFuture(new IOException("the tray is closing"));
        }
        return CompletableFuture.supplyAsync(() -> {
            try (ControlClient client = ControlClient.connect(paths.controlSocket(), CONNECT_TIMEOUT)) {
                return client.call(op, args, COMMAND_TIMEOUT);
            } catch (EngineNotRunningException e) {
                throw new CompletionException(new IOException("the engine is not running (it is being restarted; "
                        + "try again in a moment)", e));
            } catch (IOException | ControlException e) {
                throw new CompletionException(e);
            }
        }, commandThreads);
    }

    /** Stops retrying and drops the connection. The engine and its services keep running. */
    @Override
    public void close() {
        closed = true;
        linkThread.execute(() -> {
            if (retry != null) {
                retry.cancel(false);
            }
            ControlClient c = subscribed;
            subscribed = null;
            if (c != null) {
                c.close();
            }
        });
        linkThread.shutdown();
        commandThreads.shutdown();
        try {
            linkThread.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void attempt() {
        if (closed || subscribed != null) {
            return;
        }
        ControlClient client = null;
        long gen = ++generation;
        try {
            client = connectStarting();
            Subscription subscription = new Subscription(gen);
            client.onEvent(subscription::event);
            client.onDisconnect(() -> linkThread.execute(() -> lost(gen)));
            JsonNode initial = client.call("subscribe", Json.MAPPER.createObjectNode(), SUBSCRIBE_TIMEOUT);
            EngineSnapshot snapshot = Json.MAPPER.treeToValue(initial, EngineSnapshot.class);
            if (closed) {
                client.close();
                return;
            }
            subscribed = client;
            failedAttempts = 0;
            lastError = null;
            subscription.deliver(snapshot);
            listener.link(LinkStatus.CONNECTED);
            LOG.info("connected to the engine at {} ({} services)", paths.controlSocket(), snapshot.services().size());
        } catch (IOException | ControlException | RuntimeException e) {
            if (client != null) {
                client.close();
            }
            if (!closed) {
                scheduleRetry(TrayViewModel.describe(e));
            }
        }
    }

    private ControlClient connectStarting() throws IOException {
        try {
            return ControlClient.connect(paths.controlSocket(), CONNECT_TIMEOUT);
        } catch (EngineNotRunningException e) {
            if (starter == null) {
                throw e;
            }
            LOG.info("no engine answers at {}: starting one", paths.controlSocket());
            starter.ensureRunning(paths);
            return ControlClient.connect(paths.controlSocket(), CONNECT_TIMEOUT);
        }
    }

    /** The subscribed connection broke: the engine stopped, crashed or is being upgraded. */
    private void lost(long gen) {
        if (gen != generation || subscribed == null || closed) {
            return; // an older connection, or one this link closed itself
        }
        subscribed = null;
        scheduleRetry("the connection to the engine was lost");
    }

    private void scheduleRetry(String error) {
        lastError = error;
        Duration delay = backoff.delay(failedAttempts++, random);
        Instant at = clock.instant().plus(delay);
        LOG.info("engine unreachable ({}); retrying in {} ms", error, delay.toMillis());
        listener.link(LinkStatus.unreachable(error, at));
        retry = linkThread.schedule(this::attempt, delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Holds events that arrive before the subscribe reply (the engine may send them first) and hands them
     * on after the snapshot, which they follow. Events of an older connection are dropped.
     */
    private final class Subscription {
        private final long gen;
        private List<Runnable> early = new ArrayList<>();

        Subscription(long gen) {
            this.gen = gen;
        }

        void event(String name, JsonNode data) {
            Runnable delivery;
            try {
                delivery = switch (name) {
                    case "service" -> {
                        ServiceSnapshot s = Json.MAPPER.treeToValue(data, ServiceSnapshot.class);
                        yield () -> listener.service(s);
                    }
                    case "removed" -> {
                        ServiceSnapshot s = Json.MAPPER.treeToValue(data, ServiceSnapshot.class);
                        yield () -> listener.removed(s);
                    }
                    case "engine" -> {
                        EngineSnapshot.EngineInfo info = Json.MAPPER.treeToValue(data, EngineSnapshot.EngineInfo.class);
                        yield () -> listener.engine(info);
                    }
                    default -> null;
                };
            } catch (IOException e) {
                LOG.warn("ignoring an engine event '{}' this tray cannot read: {}", name, e.getMessage());
                return;
            }
            if (delivery == null) {
                LOG.debug("ignoring unknown engine event '{}'", name);
                return;
            }
            synchronized (this) {
                if (gen != generation) {
                    return;
                }
                if (early != null) {
                    early.add(delivery);
                    return;
                }
            }
            delivery.run();
        }

        synchronized void deliver(EngineSnapshot snapshot) {
            listener.snapshot(snapshot);
            early.forEach(Runnable::run);
            early = null;
        }
    }

    private static ThreadFactory daemonThreads(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
