package dev.nexus.services.engine;

import dev.nexus.services.catalog.Catalog;
import dev.nexus.services.catalog.CatalogCodec;
import dev.nexus.services.catalog.CatalogStore;
import dev.nexus.services.catalog.LoadResult;
import dev.nexus.services.catalog.ManagerKind;
import dev.nexus.services.catalog.ServiceKind;
import dev.nexus.services.catalog.ServiceSpec;
import dev.nexus.services.credentials.use.ServiceEnvironments;
import dev.nexus.services.health.ProbeFactory;
import dev.nexus.services.logs.Redactor;
import dev.nexus.services.logs.RotatingLogWriter;
import dev.nexus.services.manager.ManagedState;
import dev.nexus.services.manager.ManagerException;
import dev.nexus.services.manager.ServiceManager;
import dev.nexus.services.supervise.ChildLauncher;
import dev.nexus.services.supervise.OutputSinks;
import dev.nexus.services.supervise.Ports;
import dev.nexus.services.support.PrivateDirs;
import dev.nexus.services.support.Version;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one object that owns supervision, probing and state for every service. All state changes
 * happen on one thread (the loop); public methods may be called from any thread and return futures.
 * Data flows one way: units change → a snapshot per service is published → subscribers get events.
 *
 * <p>Closing the engine leaves daemons running: the next engine re-adopts them, and one under an OS
 * service manager stays with that manager (the next engine only asks it). Only {@link #down()} or
 * {@link #stop} stops services, under any manager.
 *
 * <p>Which manager runs a daemon comes from {@link EngineOptions#managers()}, asked off the loop at start
 * and at every reload. A reload that moves a daemon to another manager stops it in the old one (an OS
 * manager also forgets it) before the new one starts it: never two copies.
 *
 * <p>Sleep and wake come from outside ({@code power.RecoveryCoordinator} calls {@link #prepareForSleep}
 * and {@link #wake}); the engine pauses probes before a sleep and after a wake resets backoff, makes
 * every {@link LongLivedConnection} reconnect, probes everything at once and holds liveness failures
 * for {@link EngineOptions#wakeGrace()} before its normal policy applies again.
 */
public final class Engine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Engine.class);
    /** Upper bound for waiting on a start to settle when a service's own startup budget is larger. */
    private static final Duration MAX_SETTLE_WAIT = Duration.ofMinutes(2);

    private final EngineOptions options;
    private final CatalogStore catalogStore;
    private final ScheduledExecutorService loop;
    private final ScheduledExecutorService probeTimer;
    private final ThreadPoolExecutor blocking;
    private final ProbeFactory probes;
    private final ChildLauncher launcher;
    private final ServiceEnvironments environments;
    private final EngineContext ctx;
    private final DesiredState desired;
    private final Instant startedAt;

    /** Loop-only state. */
    private final Map<String, ServiceUnit> units = new LinkedHashMap<>();
    private final Set<String> dirty = new LinkedHashSet<>();
    private boolean flushScheduled;
    private final List<Waiter> waiters = new ArrayList<>();
    /** Connections attached by service name; kept here so a unit replaced by a reload keeps them. */
    private final Map<String, List<LongLivedConnection>> connections = new LinkedHashMap<>();
    private Instant lastSleepAt;
    private Instant lastWakeAt;
    /** True from a sleep announcement to the next wake. */
    private boolean asleep;
    private RecoveryLog recovery;
    private java.util.concurrent.ScheduledFuture<?> graceEnd;

    /** Published state, readable from any thread. */
    private volatile PowerState power = new PowerState(null, null, null, null);
    private volatile Catalog catalog;
    private volatile List<String> order = List.of();
    private volatile List<String> catalogProblems = List.of();
    /** The manager lookup's answers; replaced (off the loop) before every reload. */
    private volatile ResolvedManagers managers;
    private volatile boolean catalogOk = true;
    /** Problems writing the engine's own files, by what they concern; loop-only. */
    private final Map<String, String> storage = new java.util.TreeMap<>();
    private volatile List<String> storageProblems = List.of();
    private final Map<String, ServiceSnapshot> published = new ConcurrentHashMap<>();
    private final List<Consumer<EngineEvent>> listeners = new CopyOnWriteArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();

    private Engine(EngineOptions options) throws IOException {
        this.options = options;
        this.startedAt = options.clock().instant();
        PrivateDirs.create(options.paths().logs());
        PrivateDirs.create(options.paths().run());
        // The default working directory of every service; one the user sets must exist already.
        java.nio.file.Files.createDirectories(options.paths().home());
        this.catalogStore = new CatalogStore(options.paths(), new CatalogCodec(options.paths()));
        this.loop = Executors.newSingleThreadScheduledExecutor(named("nexus-engine"));
        // Every probe try arms a deadline that is nearly always cancelled; removing it at once keeps the
        // timer from waking later for each dead one (at 500 probes a second, ~15 % of the timer's CPU).
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, named("nexus-probe-timer"));
        timer.setRemoveOnCancelPolicy(true);
        this.probeTimer = timer;
        // Four real threads (idle ones time out): with a core size of 0 and an unbounded queue a pool
        // never grows past one thread, and one slow keychain read would hold up every port wait.
        this.blocking = new ThreadPoolExecutor(4, 4, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                named("nexus-blocking"));
        this.blocking.allowCoreThreadTimeOut(true);
        this.probes = new ProbeFactory(probeTimer, options.paths().run().resolve("probes"), options.clock());
        this.launcher = new ChildLauncher(options.paths(), logSinks(), options.clock());
        // Starts asking the login shell now (when NEXUS_LOAD_SHELL_ENV=1), so that it is ready by the first start.
        this.environments = new ServiceEnvironments(options.environment(), options.secrets(), blocking);
        this.ctx = new EngineContext(options.paths(), options.clock(), options.random(), loop, probeTimer, blocking,
                probes, launcher, environments, this::markDirty, this::storageProblem);
        this.desired = new DesiredState(options.paths().run().resolve("desired.json"),
                problem -> storageProblem("desired state", problem));
        this.managers = ResolvedManagers.resolve(options.managers());
    }

    /** Loads the catalog, re-adopts running children and brings back what the user wanted up. */
    public static Engine start(EngineOptions options) throws IOException {
        Engine engine = new Engine(options);
        engine.callOnLoop(() -> {
            engine.applyCatalog(engine.loadCatalog());
            return null;
        }).join();
        // Re-attached output is redacted like fresh output; reading the secrets may block, so it
        // happens here, on the caller's thread, before the loop adopts.
        Map<String, Set<String>> adoptionSecrets = engine.secretsOfRecordedChildren();
        // A daemon moved to another manager while no engine ran may still be under the old one; asking takes
        // OS tools, so it happens here too.
        engine.leaveOtherManagers();
        engine.callOnLoop(() -> {
            engine.restoreDesiredState(adoptionSecrets);
            engine.flush(); // callers see every service from the first snapshot on
            return null;
        }).join();
        LOG.info("Engine {} started for {}", Version.current(), options.paths().root());
        return engine;
    }

    /**
     * Each stream of a child goes to its own rotating file, with the child's secrets redacted. A file that
     * cannot be written (disk full, read-only) is one of the engine's problems until it can again.
     */
    private OutputSinks logSinks() {
        return (request, stderr) -> new RotatingLogWriter(stderr ? request.log().stderr() : request.log().stdout(),
                request.log().maxBytes(), request.log().keep(), Redactor.of(request.redact()))
                .onTrouble((file, problem) -> storageProblem("log " + file, problem == null ? null
                        : "cannot write " + file + " (" + problem + "): " + request.service()
                        + "'s output is dropped until it can be written; the service keeps running"));
    }

    /**
     * Records (or, with a null problem, clears) a problem writing one of the engine's files, shown in
     * {@code engine.problems} (status prints it as a warning). Any thread; never blocks, so a logging
     * callback may call it.
     */
    public void storageProblem(String what, String problem) {
        try {
            loop.execute(() -> {
                String before = problem == null ? storage.remove(what) : storage.put(what, problem);
                if (!java.util.Objects.equals(before, problem)) {
                    storageProblems = List.copyOf(storage.values());
                    emit(EngineEvent.engine(info()));
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // The engine is closing: nobody is left to tell.
        }
    }

    private Catalog loadCatalog() {
        LoadResult result = catalogStore.load();
        catalogProblems = result.problems().stream().map(Object::toString).toList();
        catalogOk = result.ok();
        catalogProblems.forEach(p -> LOG.warn("Catalog: {}", p));
        return result.catalog();
    }

    private void applyCatalog(Catalog next) {
        Catalog previous = catalog;
        catalog = next;
        for (ServiceSpec spec : next.services()) {
            ServiceUnit unit = units.get(spec.name());
            if (unit == null || unit.spec().kind() != spec.kind()) {
                if (unit != null) {
                    unit.retire();
                }
                units.put(spec.name(), newUnit(spec));
            } else if (managerOf(unit) != effectiveManager(spec)) {
                moveToManager(unit, effectiveManager(spec));
            } else {
                unit.updateSpec(spec);
            }
            markDirty(spec.name());
        }
        if (previous != null) {
            for (String gone : previous.names()) {
                if (next.find(gone).isEmpty()) {
                    ServiceUnit unit = units.remove(gone);
                    unit.retire();
                    ServiceSnapshot last = published.remove(gone);
                    if (last != null) {
                        emit(EngineEvent.removed(last));
                    }
                }
            }
        }
        order = next.names();
    }

    private ServiceUnit newUnit(ServiceSpec spec) {
        return switch (spec.kind()) {
            case DAEMON -> {
                ManagerKind kind = effectiveManager(spec);
                yield kind == ManagerKind.EMBEDDED ? new DaemonUnit(ctx, spec)
                        : new ManagedDaemonUnit(ctx, spec, managers.manager(kind));
            }
            case JOB -> new JobUnit(ctx, spec);
            case CONNECTION -> new ConnectionUnit(ctx, spec);
        };
    }

    /** Who runs a daemon of this spec here; null for jobs and connections (nothing manages them). */
    private ManagerKind effectiveManager(ServiceSpec spec) {
        return spec.kind() == ServiceKind.DAEMON ? managers.effective(spec.manager()) : null;
    }

    private static ManagerKind managerOf(ServiceUnit unit) {
        if (unit instanceof ManagedDaemonUnit m) {
            return m.kind();
        }
        return unit instanceof DaemonUnit ? ManagerKind.EMBEDDED : null;
    }

    /**
     * Moves a daemon to another manager: it is stopped (and forgotten by an OS manager) first; only then does
     * a unit under the new manager take over, and it starts when the service is wanted up. If the old manager
     * cannot be made to let go, the old unit stays in charge and says why; the next reload tries again.
     */
    private void moveToManager(ServiceUnit old, ManagerKind to) {
        String name = old.name();
        LOG.info("{}: moving from {} to {}", name, managerOf(old).id(), to.id());
        old.retire().handleAsync((ok, error) -> {
            if (units.get(name) != old) {
                return null; // removed, or moved again, meanwhile
            }
            if (error != null) {
                LOG.warn("{}: not moved to {}: {}", name, to.id(), ManagerCalls.cause(error).getMessage());
                return null;
            }
            old.detach();
            ServiceSpec latest = catalog.find(name).orElse(null);
            if (latest == null || latest.kind() != old.spec().kind()) {
                return null;
            }
            ServiceUnit fresh = newUnit(latest);
            units.put(name, fresh);
            markDirty(name);
            if (latest.enabled() && desired.wantsUp(name)) {
                LOG.info("{}: moved to {}; starting it there", name, managerOf(fresh).id());
                fresh.start(false);
            }
            return null;
        }, loop);
    }

    /**
     * Before the first start: a daemon that an OS manager other than its own still has installed (its
     * manager was changed while no engine ran) is removed there, so that it never runs twice.
     */
    private void leaveOtherManagers() {
        for (ServiceSpec spec : catalog.services()) {
            ManagerKind own = effectiveManager(spec);
            if (own == null) {
                continue;
            }
            for (ServiceManager other : managers.usable()) {
                if (other.kind() == own) {
                    continue;
                }
                try {
                    ManagedState state = other.state(spec.name());
                    if (state.installed()) {
                        LOG.info("{}: runs under {} now; removing it from {}", spec.name(), own.id(), other.kind().id());
                        other.uninstall(spec.name());
                        if (spec.port() != null && !Ports.awaitFree(spec.port(), ProcessUnit.PORT_RELEASE_TIMEOUT)) {
                            LOG.warn("{}: port {} still in use after removing it from {}", spec.name(), spec.port(),
                                    other.kind().id());
                        }
                    }
                } catch (ManagerException | RuntimeException e) {
                    LOG.warn("{}: could not check {} for an old copy: {}", spec.name(), other.kind().id(),
                            e.getMessage());
                }
            }
        }
    }

    /** The secrets of each daemon that a previous engine may have left running, by service. */
    private Map<String, Set<String>> secretsOfRecordedChildren() {
        Map<String, Set<String>> secrets = new HashMap<>();
        Catalog c = catalog;
        for (String name : launcher.recordedServices()) {
            c.find(name).filter(s -> s.kind() == ServiceKind.DAEMON)
                    .ifPresent(s -> secrets.put(name, environments.readableSecrets(name, s.env())));
        }
        return secrets;
    }

    private void restoreDesiredState(Map<String, Set<String>> adoptionSecrets) {
        for (ServiceUnit unit : units.values()) {
            if (unit instanceof ManagedDaemonUnit m) {
                boolean wanted = m.spec().enabled() && desired.wantsUp(m.name());
                // Moved from the embedded supervisor while no engine ran: that copy goes before the manager
                // is asked to start one.
                DaemonUnit leftover = new DaemonUnit(ctx, m.spec());
                if (leftover.adopt(adoptionSecrets.getOrDefault(m.name(), Set.of()))) {
                    LOG.info("{}: the embedded supervisor still ran it; stopping that copy for {}", m.name(),
                            m.kind().id());
                    leftover.retire().whenCompleteAsync((v, error) -> {
                        leftover.detach();
                        m.resume(wanted);
                    }, loop);
                    continue;
                }
                // Its manager kept it: ask, never adopt, never start a second copy.
                m.resume(wanted);
                continue;
            }
            boolean adopted = unit instanceof DaemonUnit d && d.adopt(adoptionSecrets.getOrDefault(d.name(), Set.of()));
            if (!adopted && unit.spec().enabled() && desired.wantsUp(unit.name())) {
                LOG.info("{}: was up before the engine restarted; starting it", unit.name());
                unit.start(false);
            }
        }
    }

    // ---- commands -------------------------------------------------------------------------------

    /** Starts services and what they depend on, in dependency order; completes when all settled. */
    public CompletableFuture<EngineSnapshot> start(Collection<String> names) {
        Set<String> requested = checkStartable(names);
        return callOnLoop(() -> runInLayers(Dependencies.startLayers(catalog, requested), true))
                .thenCompose(f -> f).thenCompose(v -> currentSnapshot());
    }

    /** Stops services and what depends on them, dependents first; completes when all are stopped. */
    public CompletableFuture<EngineSnapshot> stop(Collection<String> names) {
        Set<String> requested = checkNames(names);
        return callOnLoop(() -> runInLayers(Dependencies.stopLayers(catalog, requested), false))
                .thenCompose(f -> f).thenCompose(v -> currentSnapshot());
    }

    /**
     * Stops, then starts the services. The stop takes their dependents down too; those that were up are
     * started again, so a restart leaves the system as it found it.
     */
    public CompletableFuture<EngineSnapshot> restart(Collection<String> names) {
        Set<String> requested = checkStartable(names);
        return callOnLoop(() -> {
            Set<String> again = new LinkedHashSet<>(requested);
            for (List<String> layer : Dependencies.stopLayers(catalog, requested)) {
                for (String name : layer) {
                    ServiceUnit unit = units.get(name);
                    if (unit != null && unit.lifecycle.isActive()) {
                        again.add(name);
                    }
                }
            }
            return again;
        }).thenCompose(again -> stop(requested).thenCompose(s -> start(again)));
    }

    /** Starts every enabled service (disabled ones are skipped, not refused). */
    public CompletableFuture<EngineSnapshot> up() {
        return start(catalog.services().stream().filter(ServiceSpec::enabled).map(ServiceSpec::name).toList());
    }

    /** Stops every service. */
    public CompletableFuture<EngineSnapshot> down() {
        return stop(catalog.names());
    }

    /**
     * Re-reads services.json and asks again which managers are usable; a bad file keeps the running catalog
     * and reports its problems.
     */
    public CompletableFuture<EngineSnapshot> reload() {
        return CompletableFuture.supplyAsync(() -> ResolvedManagers.resolve(options.managers()), blocking)
                .thenCompose(resolved -> callOnLoop(() -> {
                    managers = resolved;
                    applyCatalog(loadCatalog());
                    emit(EngineEvent.engine(info()));
                    return null;
                })).thenCompose(v -> currentSnapshot());
    }

    /** Asks every running probe to check now. */
    public CompletableFuture<Void> probeAll() {
        return callOnLoop(() -> {
            units.values().forEach(ServiceUnit::probeNow);
            return null;
        });
    }

    // ---- sleep and wake -------------------------------------------------------------------------

    /**
     * The machine is about to sleep: every probe pauses and every attached connection closes cleanly.
     * Completes when the connections say they are closed; the caller bounds the wait (the OS only
     * delays sleep so long).
     *
     * @param source which sleep/wake source announced it ("logind", ...), for the log
     */
    public CompletableFuture<Void> prepareForSleep(String source) {
        return callOnLoop(() -> {
            asleep = true;
            lastSleepAt = options.clock().instant();
            if (graceEnd != null) {
                graceEnd.cancel(false); // the next wake starts a grace of its own
                graceEnd = null;
                recovery.endGrace();    // and "Waking up…" must not show while going to sleep
            }
            List<CompletableFuture<Void>> closing = new ArrayList<>();
            for (ServiceUnit unit : units.values()) {
                unit.prepareForSleep();
            }
            connections.forEach((service, list) -> {
                for (LongLivedConnection c : list) {
                    try {
                        closing.add(c.closeForSleep().toCompletableFuture()
                                .exceptionally(e -> {
                                    LOG.warn("{}: closing a connection before sleep failed: {}", service, e.toString());
                                    return null;
                                }));
                    } catch (RuntimeException e) {
                        LOG.warn("{}: closing a connection before sleep failed: {}", service, e.toString());
                    }
                }
            });
            LOG.info("Preparing for sleep (announced by {}): probes paused, {} connection(s) closing", source,
                    closing.size());
            publishPowerState();
            return CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new));
        }).thenCompose(f -> f);
    }

    /**
     * The machine woke. Backoffs are reset, every attached connection reconnects, every probe runs at
     * once, and for {@link EngineOptions#wakeGrace()} failures only show DEGRADED ("waking up"); then
     * a daemon whose liveness still fails is restarted. A healthy service is never restarted by this.
     * Completes with the recovery as it stands right after the wake (the grace still running).
     *
     * @param source     which source reported the wake ("logind", "clock", ...)
     * @param sleptSince when the sleep began if the source knows (a clock jump), else null: then the
     *                   time of the sleep announcement is used, if there was one
     */
    public CompletableFuture<WakeRecovery> wake(String source, Instant sleptSince) {
        return callOnLoop(() -> {
            Instant now = options.clock().instant();
            Instant sleptAt = asleep ? lastSleepAt : sleptSince;
            lastSleepAt = sleptAt != null ? sleptAt : lastSleepAt;
            lastWakeAt = now;
            asleep = false;
            RecoveryLog log = new RecoveryLog(sleptAt, now, source, now.plus(options.wakeGrace()),
                    this::publishPowerState);
            recovery = log;
            // Connections first: a session that looks open after a sleep is often dead.
            connections.forEach((service, list) -> {
                for (LongLivedConnection c : list) {
                    try {
                        c.forceReconnect();
                        log.reconnected(service);
                    } catch (RuntimeException e) {
                        LOG.warn("{}: reconnecting after wake failed: {}", service, e.toString());
                    }
                }
            });
            probes.forgetPooledConnections();
            for (ServiceUnit unit : List.copyOf(units.values())) {
                unit.onWake(log);
            }
            if (graceEnd != null) {
                graceEnd.cancel(false);
            }
            graceEnd = loop.schedule(() -> endWakeGrace(log), options.wakeGrace().toMillis(), TimeUnit.MILLISECONDS);
            WakeRecovery started = log.snapshot();
            LOG.info("Woke (reported by {}{}): {}; grace until {}", source, sleptAt == null ? ""
                    : ", asleep since " + sleptAt, started.summary(), log.graceUntil());
            publishPowerState();
            return started;
        });
    }

    private void endWakeGrace(RecoveryLog log) {
        if (log != recovery) {
            return;
        }
        graceEnd = null;
        log.endGrace();
        for (ServiceUnit unit : List.copyOf(units.values())) {
            unit.endWakeGrace();
        }
        LOG.info("Wake grace over: {}", log.snapshot().summary());
        publishPowerState();
    }

    /**
     * Attaches a connection the engine keeps for {@code service}: closed before sleep, made to reconnect
     * after every wake. Completes once attached.
     */
    public CompletableFuture<Void> attachConnection(String service, LongLivedConnection connection) {
        java.util.Objects.requireNonNull(connection, "connection");
        checkNames(List.of(service));
        return callOnLoop(() -> {
            connections.computeIfAbsent(service, k -> new ArrayList<>()).add(connection);
            return null;
        });
    }

    public CompletableFuture<Void> detachConnection(String service, LongLivedConnection connection) {
        return callOnLoop(() -> {
            List<LongLivedConnection> list = connections.get(service);
            if (list != null && list.remove(connection) && list.isEmpty()) {
                connections.remove(service);
            }
            return null;
        });
    }

    private Set<String> checkNames(Collection<String> names) {
        Catalog c = catalog;
        List<String> unknown = names.stream().filter(n -> c.find(n).isEmpty()).toList();
        if (!unknown.isEmpty()) {
            throw new UnknownServiceException(unknown, c.names());
        }
        return new LinkedHashSet<>(names);
    }

    /** Known and enabled: a disabled service is refused by name rather than silently skipped. */
    private Set<String> checkStartable(Collection<String> names) {
        Set<String> requested = checkNames(names);
        Catalog c = catalog;
        List<String> disabled = requested.stream()
                .filter(n -> !c.find(n).map(ServiceSpec::enabled).orElse(true)).toList();
        if (!disabled.isEmpty()) {
            throw new CommandRefusedException("disabled", String.join(", ", disabled)
                    + (disabled.size() == 1 ? " is" : " are") + " disabled in " + options.paths().catalogFile()
                    + "; enable " + (disabled.size() == 1 ? "it" : "them") + " first (\"enabled\": true)");
        }
        return requested;
    }

    private CompletableFuture<Void> runInLayers(List<List<String>> layers, boolean starting) {
        CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
        for (List<String> layer : layers) {
            chain = chain.thenComposeAsync(v -> {
                List<CompletableFuture<Void>> steps = new ArrayList<>();
                for (String name : layer) {
                    ServiceUnit unit = units.get(name);
                    if (unit == null) {
                        continue;
                    }
                    if (starting) {
                        if (!unit.spec().enabled()) {
                            continue; // shows as "disabled"; its dependents start without it
                        }
                        desired.set(name, true);
                        steps.add(unit.start(true).thenCompose(x -> awaitSettled(name, settleBudget(unit.spec()))));
                    } else {
                        desired.set(name, false);
                        steps.add(unit.stop());
                    }
                }
                return CompletableFuture.allOf(steps.toArray(CompletableFuture[]::new));
            }, loop);
        }
        return chain;
    }

    private static Duration settleBudget(ServiceSpec spec) {
        Duration budget = Duration.ofSeconds(10);
        if (spec.probes().startup() != null) {
            var p = spec.probes().startup();
            budget = budget.plus(p.initialDelay()).plus(p.period().plus(p.timeout()).multipliedBy(p.failureThreshold()));
        }
        if (spec.job() != null) {
            budget = budget.plus(spec.job().timeout());
        }
        return budget.compareTo(MAX_SETTLE_WAIT) > 0 ? MAX_SETTLE_WAIT : budget;
    }

    /** Completes when the unit has settled, or after the timeout (the snapshot then tells the truth). */
    private CompletableFuture<Void> awaitSettled(String name, Duration timeout) {
        ServiceUnit unit = units.get(name);
        if (unit == null || unit.settled()) {
            return CompletableFuture.completedFuture(null);
        }
        Waiter w = new Waiter(name, new CompletableFuture<>());
        waiters.add(w);
        loop.schedule(() -> {
            waiters.remove(w);
            w.done.complete(null);
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
        return w.done;
    }

    private record Waiter(String service, CompletableFuture<Void> done) {
    }

    // ---- state publishing -----------------------------------------------------------------------

    /** Called on the loop by units; publishing is batched to once per loop turn. */
    private void markDirty(String service) {
        dirty.add(service);
        if (!flushScheduled) {
            flushScheduled = true;
            loop.execute(this::flush);
        }
    }

    private void flush() {
        flushScheduled = false;
        List<String> names = new ArrayList<>(dirty);
        dirty.clear();
        for (String name : names) {
            ServiceUnit unit = units.get(name);
            if (unit == null) {
                continue;
            }
            ServiceSnapshot next = unit.snapshot();
            ServiceSnapshot previous = published.put(name, next);
            if (previous == null || !previous.withoutNoise().equals(next.withoutNoise())) {
                emit(EngineEvent.service(next));
            }
            if (unit.settled()) {
                for (Waiter w : List.copyOf(waiters)) {
                    if (w.service.equals(name)) {
                        waiters.remove(w);
                        w.done.complete(null);
                    }
                }
            }
        }
    }

    private void emit(EngineEvent event) {
        for (Consumer<EngineEvent> l : listeners) {
            try {
                l.accept(event);
            } catch (RuntimeException e) {
                LOG.warn("Event listener failed", e);
            }
        }
    }

    /**
     * Registers a listener and returns the snapshot it starts from; no event between the two is
     * lost, because both happen on the loop. Listeners run on the loop and must not block.
     */
    public CompletableFuture<EngineSnapshot> subscribe(Consumer<EngineEvent> listener) {
        return callOnLoop(() -> {
            flush();
            listeners.add(listener);
            return snapshot();
        });
    }

    public void unsubscribe(Consumer<EngineEvent> listener) {
        listeners.remove(listener);
    }

    /** A snapshot that includes every change made so far (pending publications are flushed first). */
    public CompletableFuture<EngineSnapshot> currentSnapshot() {
        return callOnLoop(() -> {
            flush();
            return snapshot();
        });
    }

    /** The last published snapshot; never waits for the loop. */
    public EngineSnapshot snapshot() {
        List<ServiceSnapshot> services = new ArrayList<>();
        for (String name : order) {
            ServiceSnapshot s = published.get(name);
            if (s != null) {
                services.add(s);
            }
        }
        return new EngineSnapshot(EngineSnapshot.FORMAT_VERSION, info(), services, options.clock().instant());
    }

    private EngineSnapshot.EngineInfo info() {
        PowerState p = power;
        List<String> problems = storageProblems.isEmpty() ? catalogProblems
                : java.util.stream.Stream.concat(catalogProblems.stream(), storageProblems.stream()).toList();
        return new EngineSnapshot.EngineInfo(ProcessHandle.current().pid(), Version.current(), startedAt, true,
                options.paths().catalogFile().toString(), catalogOk, problems,
                catalogOk ? null : "services.json has errors; running the last good catalog",
                p.lastSleepAt(), p.lastWakeAt(), p.graceUntil(), p.recovery(), managers.infos());
    }

    /** The sleep/wake part of the engine's info, as last published by the loop. */
    private record PowerState(Instant lastSleepAt, Instant lastWakeAt, Instant graceUntil, WakeRecovery recovery) {
    }

    /** On the loop: publishes the sleep/wake state and tells subscribers. */
    private void publishPowerState() {
        WakeRecovery last = recovery == null ? null : recovery.snapshot();
        power = new PowerState(lastSleepAt, lastWakeAt, last != null && !last.graceOver() ? last.graceUntil() : null,
                last);
        emit(EngineEvent.engine(info()));
    }

    public Catalog catalog() {
        return catalog;
    }

    public EngineOptions options() {
        return options;
    }

    private <T> CompletableFuture<T> callOnLoop(java.util.concurrent.Callable<T> work) {
        CompletableFuture<T> f = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                f.complete(work.call());
            } catch (Exception | Error e) {
                f.completeExceptionally(e);
            }
        });
        return f;
    }

    /**
     * Stops watching; leaves every daemon running for the next engine to adopt, and those under an OS
     * manager to that manager.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            callOnLoop(() -> {
                units.values().forEach(ServiceUnit::detach);
                if (graceEnd != null) {
                    graceEnd.cancel(false);
                }
                listeners.clear();
                return null;
            }).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("Engine did not detach cleanly: {}", e.toString());
        }
        launcher.detachAll();
        environments.close();
        probes.close();
        loop.shutdownNow();
        probeTimer.shutdownNow();
        blocking.shutdownNow();
        LOG.info("Engine stopped; services left running");
    }

    private static ThreadFactory named(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + (prefix.equals("nexus-blocking") ? "-" + n.incrementAndGet() : ""));
            t.setDaemon(true);
            return t;
        };
    }
}
