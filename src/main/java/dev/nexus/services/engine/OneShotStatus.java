package dev.nexus.services.engine;

import dev.nexus.services.catalog.Catalog;
import dev.nexus.services.catalog.CatalogCodec;
import dev.nexus.services.catalog.CatalogStore;
import dev.nexus.services.catalog.ChildSpec;
import dev.nexus.services.catalog.LoadResult;
import dev.nexus.services.catalog.ProbeCheck;
import dev.nexus.services.catalog.ProbeSpec;
import dev.nexus.services.catalog.ServiceKind;
import dev.nexus.services.catalog.ServiceSpec;
import dev.nexus.services.connect.ConnectDefaults;
import dev.nexus.services.connect.ConnectTimer;
import dev.nexus.services.connect.GatewayProbe;
import dev.nexus.services.connect.GatewayToken;
import dev.nexus.services.connect.GatewayTokens;
import dev.nexus.services.credentials.use.EnvironmentResolver;
import dev.nexus.services.credentials.use.MissingCredentialException;
import dev.nexus.services.credentials.use.SecretSource;
import dev.nexus.services.credentials.use.SystemSecrets;
import dev.nexus.services.health.DisplayStatus;
import dev.nexus.services.health.Health;
import dev.nexus.services.health.Lifecycle;
import dev.nexus.services.health.ProbeFactory;
import dev.nexus.services.health.ProbeResult;
import dev.nexus.services.supervise.ChildLauncher;
import dev.nexus.services.supervise.LaunchRequest;
import dev.nexus.services.support.NexusPaths;
import dev.nexus.services.support.Version;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * {@code status} while no engine runs: what the files and one round of probes can tell, without
 * starting, adopting or changing anything. Snapshots say {@code supervising=false}.
 */
public final class OneShotStatus {
    private OneShotStatus() {
    }

    public static EngineSnapshot probe(NexusPaths paths) throws IOException {
        Map<String, String> env = System.getenv();
        return probe(paths, new SystemSecrets(paths, env), env);
    }

    /**
     * As {@link #probe(NexusPaths)}, with the secrets and environment gateway probes take their token from.
     */
    public static EngineSnapshot probe(NexusPaths paths, SecretSource secrets, Map<String, String> env)
            throws IOException {
        Clock clock = Clock.systemUTC();
        LoadResult loaded = new CatalogStore(paths, new CatalogCodec(paths)).load();
        Catalog catalog = loaded.catalog();
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "nexus-oneshot-timer");
            t.setDaemon(true);
            return t;
        });
        try (ProbeFactory factory = new ProbeFactory(timer, paths.run().resolve("probes"), clock)) {
            Checks probes = new Checks(factory, secrets, env, timer, clock);
            ChildLauncher records = new ChildLauncher(paths, (req, err) -> java.io.OutputStream.nullOutputStream(),
                    clock);
            JobResults jobs = new JobResults(paths);
            List<CompletableFuture<ServiceSnapshot>> pending = new ArrayList<>();
            for (ServiceSpec spec : catalog.services()) {
                pending.add(switch (spec.kind()) {
                    case DAEMON -> daemon(spec, records, probes);
                    case JOB -> CompletableFuture.completedFuture(job(spec, jobs));
                    case CONNECTION -> connection(spec, probes);
                });
            }
            List<ServiceSnapshot> services = pending.stream().map(CompletableFuture::join).toList();
            List<String> problems = loaded.problems().stream().map(Object::toString).toList();
            EngineSnapshot.EngineInfo info = new EngineSnapshot.EngineInfo(null, Version.current(), null, false,
                    paths.catalogFile().toString(), loaded.ok(), problems, "engine not running: supervision is off");
            return new EngineSnapshot(EngineSnapshot.FORMAT_VERSION, info, services, clock.instant());
        } finally {
            timer.shutdownNow();
        }
    }

    /** The check that best says "is it alive": liveness, else startup, else readiness. */
    private static ProbeSpec mainProbe(ServiceSpec spec) {
        var p = spec.probes();
        return p.liveness() != null ? p.liveness() : p.startup() != null ? p.startup() : p.readiness();
    }

    private static CompletableFuture<ServiceSnapshot> daemon(ServiceSpec spec, ChildLauncher records,
                                                             Checks probes) {
        OptionalLong pid = records.provenPid(new LaunchRequest(spec.name(), spec.command(),
                spec.workingDir() == null ? java.nio.file.Path.of(".") : spec.workingDir(), Map.of(), spec.log(),
                Set.of()));
        if (pid.isEmpty()) {
            return CompletableFuture.completedFuture(snapshot(spec, "embedded", Lifecycle.STOPPED, Health.UNKNOWN,
                    spec.enabled() ? "not running" : "disabled", null, null, stoppedChildren(spec)));
        }
        long p = pid.getAsLong();
        ProbeSpec main = mainProbe(spec);
        CompletableFuture<ProbeResult> mainResult = main == null
                ? CompletableFuture.completedFuture(null) : probes.checkOnce(main.check(), main.timeout(), p);
        List<CompletableFuture<ServiceSnapshot.ChildSnapshot>> children = new ArrayList<>();
        for (ChildSpec c : spec.children()) {
            children.add(probes.checkOnce(c.probe().check(), c.probe().timeout(), p).thenApply(r ->
                    new ServiceSnapshot.ChildSnapshot(c.name(), c.displayName(), statusOf(r), r.message(),
                            r.isOk() ? r.latency().toMillis() : null)));
        }
        return mainResult.thenApply(r -> {
            List<ServiceSnapshot.ChildSnapshot> kids = children.stream().map(CompletableFuture::join).toList();
            Health health = r == null ? Health.HEALTHY : healthOf(r);
            if (health == Health.HEALTHY && kids.stream().anyMatch(k -> k.status() == DisplayStatus.DOWN)) {
                health = Health.DEGRADED;
            }
            return snapshot(spec, "embedded", Lifecycle.RUNNING, health,
                    r == null ? "running (no probes)" : r.message(), p, r, kids);
        });
    }

    private static ServiceSnapshot job(ServiceSpec spec, JobResults jobs) {
        var last = jobs.load(spec.name());
        ServiceSnapshot.JobSnapshot job = new ServiceSnapshot.JobSnapshot(last.map(ProbeResult::at).orElse(null),
                last.map(r -> r.outcome().name().toLowerCase(java.util.Locale.ROOT)).orElse(null),
                last.map(ProbeResult::message).orElse(null),
                last.map(r -> JobUnit.countUpdates(r.detail())).orElse(null), null, false);
        return new ServiceSnapshot(spec.name(), spec.displayName(), spec.kind().id(), "engine", spec.enabled(),
                Lifecycle.STOPPED, Health.UNKNOWN, DisplayStatus.STOPPED, null,
                spec.enabled() ? "not scheduled while the engine is not running" : "disabled", null, null, 0, null,
                null, null, null, 0, last.map(ProbeResult::detail).orElse(null), List.of(), job);
    }

    private static CompletableFuture<ServiceSnapshot> connection(ServiceSpec spec, Checks probes) {
        ProbeSpec main = mainProbe(spec);
        ProbeCheck check = main != null ? main.check() : spec.url() == null ? null : new ProbeCheck.WebSocket(spec.url());
        if (!spec.enabled() || check == null) {
            return CompletableFuture.completedFuture(snapshot(spec, "engine", Lifecycle.STOPPED, Health.UNKNOWN,
                    spec.enabled() ? "no url set" : "disabled", null, null, List.of()));
        }
        return probes.checkOnce(check, main != null ? main.timeout() : ProbeSpec.liveness(check).timeout(), -1)
                .thenApply(r -> snapshot(spec, "engine", Lifecycle.RUNNING, healthOf(r), r.message(), null, r,
                        List.of()));
    }

    /**
     * One try of any check. Gateway checks open one session (connect, hello, health, close); their token
     * comes from the keychain or the environment like the engine's, read on a daemon thread so that a
     * keychain that does not answer cannot hold status up past the probe's timeout.
     */
    private record Checks(ProbeFactory factory, SecretSource secrets, Map<String, String> env,
                          ScheduledExecutorService timer, Clock clock) {
        CompletableFuture<ProbeResult> checkOnce(ProbeCheck check, Duration timeout, long pid) {
            if (!(check instanceof ProbeCheck.Gateway gateway)) {
                return factory.checkOnce(check, timeout, pid);
            }
            EnvironmentResolver resolver = new EnvironmentResolver(secrets);
            GatewayToken token = GatewayTokens.resolving(gateway.token(), entries -> CompletableFuture.supplyAsync(() -> {
                try {
                    return resolver.resolve("gateway probe", Map.of(), entries);
                } catch (MissingCredentialException e) {
                    throw new CompletionException(e);
                }
            }, OneShotStatus::daemonThread).orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS), () -> env);
            return GatewayProbe.once(gateway.url(), token, timeout, ConnectDefaults.http(), ConnectTimer.of(timer), clock)
                    .exceptionally(e -> ProbeResult.fail(clock.instant(), Duration.ZERO, "gateway check failed: "
                            + (e.getCause() != null ? e.getCause() : e)));
        }
    }

    private static void daemonThread(Runnable task) {
        Thread t = new Thread(task, "nexus-oneshot-token");
        t.setDaemon(true);
        t.start();
    }

    private static Health healthOf(ProbeResult r) {
        return switch (r.outcome()) {
            case OK -> Health.HEALTHY;
            case DEGRADED -> Health.DEGRADED;
            case FAIL -> Health.UNHEALTHY;
        };
    }

    private static DisplayStatus statusOf(ProbeResult r) {
        return DisplayStatus.of(Lifecycle.RUNNING, healthOf(r));
    }

    private static List<ServiceSnapshot.ChildSnapshot> stoppedChildren(ServiceSpec spec) {
        return spec.children().stream().map(c -> new ServiceSnapshot.ChildSnapshot(c.name(), c.displayName(),
                DisplayStatus.STOPPED, null, null)).toList();
    }

    private static ServiceSnapshot snapshot(ServiceSpec spec, String manager, Lifecycle lifecycle, Health health,
                                            String message, Long pid, ProbeResult result,
                                            List<ServiceSnapshot.ChildSnapshot> children) {
        Instant startedAt = pid == null ? null
                : ProcessHandle.of(pid).flatMap(h -> h.info().startInstant()).orElse(null);
        return new ServiceSnapshot(spec.name(), spec.displayName(), spec.kind().id(), manager, spec.enabled(),
                lifecycle, health, DisplayStatus.of(lifecycle, health), null, message, pid, startedAt, 0, null, null,
                result != null && result.outcome() != ProbeResult.Outcome.FAIL ? result.latency().toMillis() : null,
                null, 0, result == null ? null : result.detail(), children, null);
    }
}
