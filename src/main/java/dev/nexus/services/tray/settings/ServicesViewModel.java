package dev.nexus.services.tray.settings;

import dev.nexus.services.support.IoMessages;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nexus.services.catalog.Catalog;
import dev.nexus.services.catalog.CatalogException;
import dev.nexus.services.catalog.CatalogProblem;
import dev.nexus.services.catalog.CatalogStore;
import dev.nexus.services.catalog.LoadResult;
import dev.nexus.services.catalog.ManagerKind;
import dev.nexus.services.catalog.ServiceSpec;
import dev.nexus.services.control.ControlException;
import dev.nexus.services.control.EngineNotRunningException;
import dev.nexus.services.health.DisplayStatus;
import dev.nexus.services.health.Lifecycle;
import dev.nexus.services.support.Durations;
import dev.nexus.services.support.Json;
import dev.nexus.services.tray.EngineCommands;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.value.ChangeListener;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * Settings › Services: enable, manager, autostart and liveness period per service, saved to services.json
 * through {@link CatalogStore} (atomic, unknown fields kept) and then applied by the engine's "reload".
 *
 * <p>A bad services.json is shown with its problems and never saved over; neither is a file that changed on
 * disk after this page read it. Autostart changes are applied after the reload with "start" and "stop".
 * The manager column offers the OS managers the engine says are usable here, and says why the others are not.
 * File and engine work runs on {@code background}; properties change only on {@code ui}.
 */
public final class ServicesViewModel {
    static final Duration SNAPSHOT_TIMEOUT = Duration.ofSeconds(3);
    static final Duration RELOAD_TIMEOUT = Duration.ofSeconds(30);
    /** Starting a service waits for it to settle, which can take its whole startup budget. */
    static final Duration START_STOP_TIMEOUT = Duration.ofMinutes(3);
    /** Lifecycles in which the engine holds the service wanted up. */
    private static final Set<String> WANTED_UP = Set.of(Lifecycle.STARTING.name(), Lifecycle.RUNNING.name(),
            Lifecycle.BACKOFF.name(), Lifecycle.CRASH_LOOP.name(), Lifecycle.FAILED.name());

    private final CatalogStore store;
    private final EngineCommands commands;
    private final Executor background;
    private final Executor ui;

    private final ObservableList<ServiceRow> rows = FXCollections.observableArrayList();
    private final ObservableList<String> fileProblems = FXCollections.observableArrayList();
    private final ObservableList<ManagerChoice> managerChoices = FXCollections.observableArrayList(
            ManagerChoice.engineUnknown("it has not been asked yet"));
    private final ReadOnlyBooleanWrapper loaded = new ReadOnlyBooleanWrapper(this, "loaded");
    private final ReadOnlyBooleanWrapper fileOk = new ReadOnlyBooleanWrapper(this, "fileOk");
    private final ReadOnlyBooleanWrapper busy = new ReadOnlyBooleanWrapper(this, "busy");
    private final ReadOnlyBooleanWrapper dirty = new ReadOnlyBooleanWrapper(this, "dirty");
    private final ReadOnlyStringWrapper engineNote = new ReadOnlyStringWrapper(this, "engineNote", "");
    private final ReadOnlyObjectWrapper<StatusMessage> status = new ReadOnlyObjectWrapper<>(this, "status",
            StatusMessage.NONE);
    private final ChangeListener<Boolean> rowChanged = (obs, was, now) -> updateDirty();
    private final GatewayModeEditor gatewayMode = new GatewayModeEditor();

    /** The catalog the rows came from, and the file's bytes then: a save refuses if the file changed since. */
    private Catalog catalog;
    private byte[] baseline;

    public ServicesViewModel(CatalogStore store, EngineCommands commands, Executor background, Executor ui) {
        this.store = Objects.requireNonNull(store, "store");
        this.commands = Objects.requireNonNull(commands, "commands");
        this.background = Objects.requireNonNull(background, "background");
        this.ui = Objects.requireNonNull(ui, "ui");
        gatewayMode.changedProperty().addListener(rowChanged);
    }

    /** Reads services.json (creating it with the defaults when missing) and asks the engine what is wanted up. */
    public CompletableFuture<Void> load() {
        busy.set(true);
        status.set(StatusMessage.busy("Reading " + store.file().getFileName() + "…"));
        return CompletableFuture.supplyAsync(() -> {
                    LoadResult result = store.load();
                    return new FileRead(result, readBytes(store.file()));
                }, background)
                .thenCompose(read -> askWantedUp().thenApply(engine -> new Loaded(read, engine)))
                .thenAcceptAsync(this::apply, ui)
                .exceptionallyAsync(e -> {
                    busy.set(false);
                    status.set(StatusMessage.error("Could not read " + store.file() + ": " + describe(e)));
                    return null;
                }, ui);
    }

    private void apply(Loaded l) {
        LoadResult result = l.file().result();
        rows.forEach(r -> r.changedProperty().removeListener(rowChanged));
        fileProblems.setAll(result.errors().stream().map(CatalogProblem::toString).toList());
        fileOk.set(result.ok());
        engineNote.set(l.engine().note());
        managerChoices.setAll(l.engine().managers());
        Set<ManagerKind> selectable = l.engine().managers().stream()
                .filter(ManagerChoice::selectable).map(c -> c.option().kind()).collect(Collectors.toSet());
        busy.set(false);
        loaded.set(true);
        if (!result.ok()) {
            catalog = null;
            baseline = null;
            rows.clear();
            status.set(StatusMessage.error(result.file().getFileName() + " has " + plural(result.errors().size(),
                    "problem") + "; fix " + (result.errors().size() == 1 ? "it" : "them")
                    + " in the file, then press Reload. Nothing can be saved over it from here."));
        } else {
            catalog = result.catalog();
            baseline = l.file().bytes();
            List<ServiceRow> next = new ArrayList<>();
            for (ServiceSpec spec : catalog.services()) {
                Map<String, Boolean> wanted = l.engine().wantedUp();
                ServiceRow row = new ServiceRow(spec, wanted == null ? null : wanted.getOrDefault(spec.name(), false),
                        selectable);
                row.changedProperty().addListener(rowChanged);
                next.add(row);
            }
            rows.setAll(next);
            gatewayMode.load(catalog);
            status.set(result.createdDefaults()
                    ? StatusMessage.success(result.file().getFileName() + " did not exist; it was created with the Nexus defaults.")
                    : StatusMessage.NONE);
        }
        updateDirty();
    }

    /**
     * Saves services.json, asks the engine to reload it, then starts or stops the services whose autostart
     * changed. Does nothing when nothing changed.
     *
     * @return completes with whether the file was saved; {@link #statusProperty()} says what happened
     */
    public CompletableFuture<Boolean> save() {
        if (busy.get() || !loaded.get()) {
            return CompletableFuture.completedFuture(false);
        }
        if (fileOk.get() && !dirty.get()) {
            return CompletableFuture.completedFuture(false);
        }
        if (!fileOk.get()) {
            status.set(StatusMessage.error("Not saved: " + store.file().getFileName()
                    + " has problems (listed above). Fix them in the file and press Reload first."));
            return CompletableFuture.completedFuture(false);
        }
        List<String> invalid = rows.stream().filter(r -> r.livenessErrorProperty().get() != null)
                .map(r -> r.displayName() + ": liveness period " + r.livenessErrorProperty().get()).toList();
        if (!invalid.isEmpty()) {
            status.set(StatusMessage.error("Not saved. " + String.join("\n", invalid)));
            return CompletableFuture.completedFuture(false);
        }
        if (gatewayMode.urlErrorProperty().get() != null) {
            status.set(StatusMessage.error("Not saved. Remote gateway: " + gatewayMode.urlErrorProperty().get()));
            return CompletableFuture.completedFuture(false);
        }
        List<ServiceRow> snapshotRows = List.copyOf(rows);
        List<ServiceSpec> edited = snapshotRows.stream().map(ServiceRow::edited).toList();
        boolean gatewaySwitched = gatewayMode.changedProperty().get();
        // A switched gateway is a different kind of service: its row's other edits do not carry over.
        Catalog next = gatewayMode.applyTo(new Catalog(catalog.version(), edited), store.paths());
        List<String> toStart = snapshotRows.stream().filter(r -> r.autostartChanged() && r.autostartProperty().get())
                .map(ServiceRow::name).toList();
        List<String> toStop = snapshotRows.stream().filter(r -> r.autostartChanged() && !r.autostartProperty().get())
                .map(ServiceRow::name).toList();
        byte[] expected = baseline;
        // Only autostart changed: the file stays as it is, only the engine is asked.
        boolean catalogChanged = !next.equals(catalog);
        busy.set(true);
        status.set(StatusMessage.busy(catalogChanged ? "Saving " + store.file().getFileName() + "…" : "Asking the engine…"));
        CompletableFuture<Boolean> saved = !catalogChanged ? CompletableFuture.completedFuture(true)
                : CompletableFuture.supplyAsync(() -> write(next, expected), background).thenApplyAsync(written -> {
                    if (written.error() != null) {
                        busy.set(false);
                        status.set(written.error());
                        return false;
                    }
                    catalog = next;
                    baseline = written.bytes();
                    for (int i = 0; i < snapshotRows.size(); i++) {
                        snapshotRows.get(i).markSaved(edited.get(i));
                    }
                    status.set(StatusMessage.busy("Saved. Asking the engine to reload…"));
                    return true;
                }, ui);
        return saved.thenCompose(ok -> !ok ? CompletableFuture.completedFuture(false)
                        : tellEngine(catalogChanged, toStart, toStop).thenApplyAsync(outcome -> {
                            busy.set(false);
                            status.set(outcome.message());
                            snapshotRows.stream().filter(r -> outcome.applied().contains(r.name()))
                                    .forEach(ServiceRow::markAutostartApplied);
                            updateDirty();
                            if (gatewaySwitched) {
                                reloadRowsKeeping(outcome.message());
                            }
                            return true;
                        }, ui))
                .exceptionallyAsync(e -> {
                    busy.set(false);
                    status.set(StatusMessage.error("Saving failed: " + describe(e)));
                    return false;
                }, ui);
    }

    /** Re-reads the file after the gateway changed kind (its row changes shape), keeping the save's message. */
    private void reloadRowsKeeping(StatusMessage message) {
        load().thenRunAsync(() -> status.set(message), ui);
    }

    private Written write(Catalog next, byte[] expected) {
        Path file = store.file();
        byte[] now = readBytes(file);
        if (!Arrays.equals(now, expected)) {
            return new Written(null, StatusMessage.error(file.getFileName() + " was changed on disk after this tab "
                    + "read it, so nothing was saved. Press Reload to see the file as it is now."));
        }
        try {
            store.save(next);
        } catch (CatalogException e) {
            String problems = e.problems().stream().map(CatalogProblem::toString).collect(Collectors.joining("\n"));
            return new Written(null, StatusMessage.error("Not saved: the engine would refuse this catalog.\n" + problems));
        }
        return new Written(readBytes(file), null);
    }

    /** Reload (when the file changed), then stop and start as autostart asks; the message says what the engine answered. */
    private CompletableFuture<EngineOutcome> tellEngine(boolean catalogChanged, List<String> toStart, List<String> toStop) {
        String file = store.file().getFileName().toString();
        CompletableFuture<EngineOutcome> reload = !catalogChanged
                ? CompletableFuture.completedFuture(new EngineOutcome(StatusMessage.success(""), Set.of(), true))
                : call("reload", Json.MAPPER.createObjectNode(), RELOAD_TIMEOUT).handle((reply, error) -> {
                    if (error != null) {
                        return new EngineOutcome(engineUnreachable(file, error, !toStart.isEmpty() || !toStop.isEmpty()),
                                Set.of(), false);
                    }
                    List<String> problems = new ArrayList<>();
                    reply.path("engine").path("problems").forEach(p -> problems.add(p.asText()));
                    int count = reply.path("services").size();
                    if (!problems.isEmpty()) {
                        return new EngineOutcome(StatusMessage.warning("Saved " + file + ", but the engine reports "
                                + "problems and keeps its last good catalog:\n" + String.join("\n", problems)), Set.of(), false);
                    }
                    return new EngineOutcome(StatusMessage.success("Saved " + file + "; the engine reloaded it ("
                            + plural(count, "service") + ")."), Set.of(), true);
                });
        return reload.thenCompose(reloaded -> {
            if (!reloaded.proceed() || (toStart.isEmpty() && toStop.isEmpty())) {
                return CompletableFuture.completedFuture(reloaded);
            }
            ui.execute(() -> status.set(StatusMessage.busy(Stream.of(
                    toStop.isEmpty() ? "" : "Stopping " + String.join(", ", toStop),
                    toStart.isEmpty() ? "" : "Starting " + String.join(", ", toStart))
                    .filter(t -> !t.isEmpty()).collect(Collectors.joining("; ")) + "…")));
            return startOrStop("stop", toStop).thenCompose(stopped -> startOrStop("start", toStart)
                    .thenApply(started -> combine(reloaded.message(), stopped, started)));
        });
    }

    private CompletableFuture<Step> startOrStop(String op, List<String> names) {
        if (names.isEmpty()) {
            return CompletableFuture.completedFuture(new Step(op, names, null, null));
        }
        ObjectNode args = Json.MAPPER.createObjectNode();
        names.forEach(args.putArray("services")::add);
        return call(op, args, START_STOP_TIMEOUT).handle((reply, error) -> new Step(op, names, reply, error));
    }

    private static EngineOutcome combine(StatusMessage reloaded, Step stopped, Step started) {
        List<String> parts = new ArrayList<>();
        if (!reloaded.text().isEmpty()) {
            parts.add(reloaded.text());
        }
        boolean failed = false;
        Set<String> applied = new HashSet<>();
        for (Step step : List.of(stopped, started)) {
            if (step.names().isEmpty()) {
                continue;
            }
            String verb = step.op().equals("start") ? "Started" : "Stopped";
            if (step.error() != null) {
                failed = true;
                parts.add("Could not " + step.op() + " " + String.join(", ", step.names()) + ": "
                        + describe(step.error()));
            } else {
                applied.addAll(step.names());
                parts.add(verb + " " + step.names().stream().map(n -> n + " (" + statusOf(step.reply(), n) + ")")
                        .collect(Collectors.joining(", ")) + ".");
            }
        }
        String text = String.join("\n", parts);
        return new EngineOutcome(failed ? StatusMessage.warning(text) : StatusMessage.success(text), applied, true);
    }

    private static String statusOf(JsonNode snapshot, String name) {
        for (JsonNode s : snapshot.path("services")) {
            if (name.equals(s.path("name").asText())) {
                String status = s.path("status").asText("");
                try {
                    return DisplayStatus.valueOf(status).label().toLowerCase(Locale.ROOT);
                } catch (IllegalArgumentException e) {
                    return status.isEmpty() ? "state unknown" : status;
                }
            }
        }
        return "not in the engine's answer";
    }

    private static StatusMessage engineUnreachable(String file, Throwable error, boolean autostartPending) {
        Throwable cause = unwrap(error);
        String pending = autostartPending ? " Autostart changes need the engine: start it and save again." : "";
        if (cause instanceof EngineNotRunningException) {
            return autostartPending
                    ? StatusMessage.warning("Saved " + file + ". The engine is not running; it reads the file when it starts."
                    + pending)
                    : StatusMessage.success("Saved " + file + ". The engine is not running; it reads the file when it starts.");
        }
        if (cause instanceof ControlException) {
            return StatusMessage.warning("Saved " + file + ", but the engine refused to reload it: " + cause.getMessage()
                    + pending);
        }
        return StatusMessage.warning("Saved " + file + ", but the engine could not be asked to reload it: "
                + describe(cause) + pending);
    }

    /** What the engine wants up, by service; null (with a note) when it cannot be asked. */
    private CompletableFuture<EngineView> askWantedUp() {
        return call("snapshot", Json.MAPPER.createObjectNode(), SNAPSHOT_TIMEOUT).handle((reply, error) -> {
            if (error != null) {
                Throwable cause = unwrap(error);
                boolean notRunning = cause instanceof EngineNotRunningException;
                String why = notRunning
                        ? "The engine is not running, so autostart cannot be shown or changed now."
                        : "The engine could not be asked which services are up (" + describe(cause)
                        + "), so autostart cannot be changed now.";
                return new EngineView(null, why, ManagerChoice.engineUnknown(notRunning
                        ? "it is not running" : "it could not be asked: " + describe(cause)));
            }
            Map<String, Boolean> wanted = new HashMap<>();
            for (JsonNode s : reply.path("services")) {
                wanted.put(s.path("name").asText(), WANTED_UP.contains(s.path("lifecycle").asText()));
            }
            return new EngineView(wanted, "", ManagerChoice.fromEngine(reply.path("engine").path("managers")));
        });
    }

    private CompletableFuture<JsonNode> call(String op, ObjectNode args, Duration timeout) {
        CompletableFuture<JsonNode> future;
        try {
            future = commands.call(op, args);
        } catch (RuntimeException e) {
            future = CompletableFuture.failedFuture(e);
        }
        return future.toCompletableFuture().copy().orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .exceptionallyCompose(e -> CompletableFuture.failedFuture(unwrap(e) instanceof TimeoutException
                        ? new IOException("the engine did not answer \"" + op + "\" within "
                        + Durations.humanize(timeout)) : unwrap(e)));
    }

    private static Throwable unwrap(Throwable e) {
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    private static String describe(Throwable e) {
        Throwable cause = unwrap(e);
        if (cause instanceof IOException io) {
            return IoMessages.describe(io);
        }
        return cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName();
    }

    private static byte[] readBytes(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return new byte[0];
        } catch (IOException e) {
            // Unreadable now: compare as "different", so a save is refused rather than blind.
            return ("unreadable: " + e.getMessage()).getBytes(StandardCharsets.UTF_8);
        }
    }

    private static String plural(int n, String word) {
        return n + " " + word + (n == 1 ? "" : "s");
    }

    private void updateDirty() {
        dirty.set(gatewayMode.changedProperty().get() || rows.stream().anyMatch(r -> r.changedProperty().get()));
    }

    public GatewayModeEditor gatewayMode() {
        return gatewayMode;
    }

    public ObservableList<ServiceRow> rows() {
        return rows;
    }

    /** Why services.json cannot be used, one problem per entry ("services.json:12:5: /services/1/port: ..."). */
    public ObservableList<String> fileProblems() {
        return fileProblems;
    }

    /** Every manager, in list order, as it stands here: which can be picked and why not. */
    public ObservableList<ManagerChoice> managerChoices() {
        return FXCollections.unmodifiableObservableList(managerChoices);
    }

    /** How {@code option} stands here (text, whether it can be picked, tooltip). */
    public ManagerChoice choice(ManagerOption option) {
        return managerChoices.stream().filter(c -> c.option() == option).findFirst()
                .orElseThrow(() -> new IllegalStateException("no choice for " + option));
    }

    public ReadOnlyBooleanProperty loadedProperty() {
        return loaded.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty fileOkProperty() {
        return fileOk.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty busyProperty() {
        return busy.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty dirtyProperty() {
        return dirty.getReadOnlyProperty();
    }

    /** Why autostart cannot be changed now; empty when it can. */
    public ReadOnlyStringProperty engineNoteProperty() {
        return engineNote.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<StatusMessage> statusProperty() {
        return status.getReadOnlyProperty();
    }

    public Path file() {
        return store.file();
    }

    private record FileRead(LoadResult result, byte[] bytes) {
    }

    private record EngineView(Map<String, Boolean> wantedUp, String note, List<ManagerChoice> managers) {
    }

    private record Loaded(FileRead file, EngineView engine) {
    }

    private record Written(byte[] bytes, StatusMessage error) {
    }

    private record Step(String op, List<String> names, JsonNode reply, Throwable error) {
    }

    private record EngineOutcome(StatusMessage message, Set<String> applied, boolean proceed) {
    }
}
