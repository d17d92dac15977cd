package dev.nexus.services.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.nexus.services.catalog.ServiceSpec;
import dev.nexus.services.credentials.use.ResolvedEnvironment;
import dev.nexus.services.health.DisplayStatus;
import dev.nexus.services.health.FailureReason;
import dev.nexus.services.health.Health;
import dev.nexus.services.health.Lifecycle;
import dev.nexus.services.health.ProbeResult;
import dev.nexus.services.logs.Redactor;
import dev.nexus.services.logs.RotatingLogWriter;
import dev.nexus.services.supervise.Executables;
import dev.nexus.services.supervise.LaunchException;
import dev.nexus.services.support.Json;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A command run on a schedule (the hub's skills update check). "Running" means scheduled; health is
 * the last run's result. The last result is kept on disk so an engine restart neither forgets it nor
 * reruns an expensive check early.
 */
final class JobUnit extends ServiceUnit {
    private static final Logger LOG = LoggerFactory.getLogger(JobUnit.class);

    private final JobResults results;
    private ScheduledFuture<?> nextRun;
    private Instant nextRunAt;
    private boolean running;
    private Instant lastRunAt;
    private ProbeResult last;
    private Integer updatesAvailable;
    /** Bumped by every start and stop, so that an environment resolved too late is dropped. */
    private int startAttempt;

    JobUnit(EngineContext ctx, ServiceSpec spec) {
        super(ctx, spec);
        results = new JobResults(ctx.paths());
        results.load(spec.name()).ifPresent(r -> {
            lastRunAt = r.at();
            last = r;
            updatesAvailable = countUpdates(r.detail());
        });
    }

    @Override
    CompletableFuture<Void> start(boolean byUser) {
        if (lifecycle == Lifecycle.RUNNING && !byUser) {
            return CompletableFuture.completedFuture(null);
        }
        applyPendingSpec();
        failure = null;
        failureDetail = null;
        message = null;
        int attempt = ++startAttempt;
        CompletableFuture<ResolvedEnvironment> env = resolveEnvironment();
        if (env.isDone()) {
            startWith(attempt, env, byUser);
            return CompletableFuture.completedFuture(null);
        }
        lifecycle = Lifecycle.STARTING;
        message = "resolving credentials";
        changed();
        return env.handleAsync((ok, error) -> {
            startWith(attempt, env, byUser);
            return null;
        }, ctx.loop());
    }

    /** Checks credentials and the program once up front, so that a broken job fails now, not at its first run. */
    private void startWith(int attempt, CompletableFuture<ResolvedEnvironment> env, boolean byUser) {
        if (attempt != startAttempt) {
            return;
        }
        ResolvedEnvironment resolved;
        try {
            resolved = env.join();
        } catch (CompletionException | CancellationException e) {
            LOG.warn("{}: not started: {}", spec.name(), e.getCause() != null ? e.getCause().getMessage() : e.toString());
            failEnvironment(e);
            return;
        }
        try {
            Executables.require(spec.command().get(0), resolved.env(), workingDir());
        } catch (LaunchException e) {
            fail(e.reason(), e.getMessage());
            return;
        }
        lifecycle = Lifecycle.RUNNING;
        Instant now = ctx.clock().instant();
        Instant due = byUser || lastRunAt == null ? now : lastRunAt.plus(spec.job().every());
        schedule(due.isBefore(now) ? now : due);
        changed();
    }

    private void schedule(Instant at) {
        cancelSchedule();
        nextRunAt = at;
        long delay = Math.max(0, Duration.between(ctx.clock().instant(), at).toMillis());
        nextRun = ctx.loop().schedule(this::runNow, delay, TimeUnit.MILLISECONDS);
    }

    private void cancelSchedule() {
        if (nextRun != null) {
            nextRun.cancel(false);
            nextRun = null;
        }
        nextRunAt = null;
    }

    private void runNow() {
        nextRun = null;
        if (lifecycle != Lifecycle.RUNNING || running) {
            return;
        }
        running = true;
        Instant started = ctx.clock().instant();
        changed();
        // Credentials are read again for every run: a rotated key reaches the next run.
        resolveEnvironment().thenCompose(env -> ctx.probes().exec(spec.command(), env.env(), workingDir(),
                        spec.job().timeout()).thenApply(result -> redacted(result, Redactor.of(env.secrets()))))
                .whenCompleteAsync((result, error) -> {
                    if (error == null) {
                        finished(started, result);
                        return;
                    }
                    running = false;
                    if (lifecycle == Lifecycle.RUNNING) {
                        cancelSchedule();
                        failEnvironment(error);
                    } else {
                        changed();
                    }
                }, ctx.loop());
    }

    /** A job's output becomes its message, detail and saved result: none of them may hold a secret. */
    static ProbeResult redacted(ProbeResult result, Redactor redactor) {
        if (redactor.isEmpty()) {
            return result;
        }
        return new ProbeResult(result.outcome(), result.at(), result.latency(),
                result.message() == null ? null : redactor.redact(result.message()), redactedJson(result.detail(), redactor));
    }

    private static JsonNode redactedJson(JsonNode node, Redactor redactor) {
        if (node == null) {
            return null;
        }
        if (node.isTextual()) {
            String text = redactor.redact(node.asText());
            return text.equals(node.asText()) ? node : TextNode.valueOf(text);
        }
        if (node.isArray()) {
            ArrayNode copy = Json.MAPPER.createArrayNode();
            node.forEach(n -> copy.add(redactedJson(n, redactor)));
            return copy;
        }
        if (node.isObject()) {
            ObjectNode copy = Json.MAPPER.createObjectNode();
            node.fields().forEachRemaining(e -> copy.set(redactor.redact(e.getKey()), redactedJson(e.getValue(), redactor)));
            return copy;
        }
        return node;
    }

    private void finished(Instant started, ProbeResult result) {
        running = false;
        lastRunAt = started;
        last = result;
        updatesAvailable = countUpdates(result.detail());
        LOG.info("{}: run finished: {} ({})", spec.name(), result.outcome().name().toLowerCase(java.util.Locale.ROOT),
                summary());
        results.save(spec.name(), result.withAt(started));
        appendToLog(started, result);
        if (lifecycle == Lifecycle.RUNNING) {
            schedule(started.plus(spec.job().every()));
        }
        changed();
    }

    /** One line per run in the job's log, so `logs hub` shows its history. */
    private void appendToLog(Instant started, ProbeResult result) {
        if (spec.log() == null) {
            return;
        }
        String line = started + " " + result.outcome().name().toLowerCase(java.util.Locale.ROOT) + " in "
                + result.latency().toMillis() + " ms: " + result.message()
                + (result.detail() == null ? "" : " " + result.detail()) + "\n";
        Path file = spec.log().stdout();
        AtomicReference<String> trouble = new AtomicReference<>();
        try (RotatingLogWriter log = new RotatingLogWriter(file, spec.log().maxBytes(), spec.log().keep(),
                Redactor.none()).onTrouble((f, problem) -> trouble.compareAndSet(null, problem))) {
            log.write(line.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (java.io.IOException e) {
            trouble.compareAndSet(null, e.getMessage()); // only when closed, which this one is not
        }
        // Every run either shows the problem or clears it: a full disk is seen, and so is its end.
        ctx.storageProblem().accept("log " + file, trouble.get() == null ? null : "cannot write " + file + " ("
                + trouble.get() + "): " + spec.name() + "'s run history is not kept until it can be written");
    }

    /** Understands the usual shapes of an update check's JSON: a list of updates, or a count. */
    static Integer countUpdates(JsonNode detail) {
        if (detail == null) {
            return null;
        }
        for (String field : new String[] {"updates", "updatesAvailable", "available"}) {
            JsonNode n = detail.get(field);
            if (n == null) {
                continue;
            }
            if (n.isArray()) {
                return n.size();
            }
            if (n.isInt()) {
                return n.asInt();
            }
            if (n.isBoolean()) {
                return n.asBoolean() ? 1 : 0;
            }
        }
        return null;
    }

    private String summary() {
        if (last == null) {
            return null;
        }
        if (last.outcome() == ProbeResult.Outcome.FAIL) {
            return "last run failed: " + last.message();
        }
        if (updatesAvailable != null) {
            return updatesAvailable == 0 ? "up to date"
                    : updatesAvailable + (updatesAvailable == 1 ? " update available" : " updates available");
        }
        return last.message();
    }

    @Override
    CompletableFuture<Void> stop() {
        startAttempt++;
        cancelSchedule();
        markStopped();
        return CompletableFuture.completedFuture(null);
    }

    @Override
    void detach() {
        cancelSchedule();
    }

    @Override
    Health health() {
        if (lifecycle != Lifecycle.RUNNING) {
            return Health.UNKNOWN;
        }
        if (last == null) {
            return running ? Health.STARTING : Health.UNKNOWN;
        }
        return last.outcome() == ProbeResult.Outcome.OK ? Health.HEALTHY : Health.DEGRADED;
    }

    @Override
    boolean settled() {
        if (lifecycle == Lifecycle.STARTING) {
            return false;
        }
        return lifecycle != Lifecycle.RUNNING || (last != null && !running);
    }

    @Override
    void probeNow() {
        // A job is checked on its schedule, not on demand: an update check is not a health probe.
    }

    /**
     * The loop's timer counts only time awake, so after a sleep the next run would come late by the
     * whole sleep. The schedule is in wall time: put it back there (a run that fell due runs now).
     */
    @Override
    void onWake(RecoveryLog log) {
        super.onWake(log);
        if (lifecycle == Lifecycle.RUNNING && !running && nextRunAt != null) {
            schedule(nextRunAt);
        }
    }

    @Override
    ServiceSnapshot snapshot() {
        Health h = health();
        String text = lifecycle == Lifecycle.RUNNING ? (running ? "running now" : summary()) : message;
        ServiceSnapshot.JobSnapshot job = new ServiceSnapshot.JobSnapshot(lastRunAt,
                last == null ? null : last.outcome().name().toLowerCase(java.util.Locale.ROOT),
                summary(), updatesAvailable, nextRunAt, running);
        JsonNode detail = lifecycle == Lifecycle.FAILED && failureDetail != null ? failureDetail
                : last == null ? null : last.detail();
        return new ServiceSnapshot(spec.name(), spec.displayName(), spec.kind().id(), "engine", spec.enabled(),
                lifecycle, h, DisplayStatus.of(lifecycle, h), failure == null ? null : failure.id(),
                pendingNote(text), null, null, 0, null, null,
                last == null || last.outcome() == ProbeResult.Outcome.FAIL ? null : last.latency().toMillis(), null, 0,
                detail, java.util.List.of(), job);
    }

}
