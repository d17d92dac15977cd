package dev.nexus.services.tray.settings;

import dev.nexus.services.support.IoMessages;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nexus.services.catalog.Catalog;
import dev.nexus.services.catalog.CatalogStore;
import dev.nexus.services.catalog.LoadResult;
import dev.nexus.services.control.ControlException;
import dev.nexus.services.control.EngineNotRunningException;
import dev.nexus.services.credentials.CredentialException;
import dev.nexus.services.credentials.CredentialName;
import dev.nexus.services.credentials.CredentialStore;
import dev.nexus.services.credentials.Credentials;
import dev.nexus.services.credentials.EncryptedFileStore;
import dev.nexus.services.credentials.Secret;
import dev.nexus.services.credentials.use.CredentialListing;
import dev.nexus.services.credentials.use.CredentialUsage;
import dev.nexus.services.health.DisplayStatus;
import dev.nexus.services.health.Lifecycle;
import dev.nexus.services.support.Durations;
import dev.nexus.services.support.Json;
import dev.nexus.services.tray.EngineCommands;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Settings › Credentials: every stored credential and every one the catalog refers to without it being set,
 * with where it is kept, when it was last set and which services use it. Adding and editing go through a
 * {@link CredentialEditor}; deleting asks first (the view does) and says who is affected.
 *
 * <p>Every keychain call runs on {@code background}: a keychain may take long to answer (a locked keyring,
 * a busy Secret Service), and the window must stay responsive meanwhile. Properties change only on
 * {@code ui}. After a credential is saved the tab offers to restart the services that use it, since a
 * running service still has the old value in its environment.
 *
 * <p>No value ever reaches this class's properties, its status texts or its log lines; only the editor
 * holds one, while its dialog is open.
 */
public final class CredentialsViewModel {
    static final Duration SNAPSHOT_TIMEOUT = Duration.ofSeconds(3);
    /** A restart returns once the services settled, which can take their whole startup budget. */
    static final Duration RESTART_TIMEOUT = Duration.ofMinutes(3);
    /** Lifecycles in which the engine holds a service wanted up: these are the ones a restart applies to. */
    private static final Set<String> WANTED_UP = Set.of(Lifecycle.STARTING.name(), Lifecycle.RUNNING.name(),
            Lifecycle.BACKOFF.name(), Lifecycle.CRASH_LOOP.name(), Lifecycle.FAILED.name());
    private static final Logger LOG = LoggerFactory.getLogger(CredentialsViewModel.class);

    private final Supplier<Credentials> opener;
    private final CatalogStore catalogStore;
    private final EngineCommands commands;
    final Executor background;
    final Executor ui;

    private final ObservableList<CredentialRow> rows = FXCollections.observableArrayList();
    private final ReadOnlyStringWrapper backend = new ReadOnlyStringWrapper(this, "backend", "");
    private final ReadOnlyStringWrapper backendDescription = new ReadOnlyStringWrapper(this, "backendDescription", "");
    private final ReadOnlyStringWrapper backendWarning = new ReadOnlyStringWrapper(this, "backendWarning", "");
    private final ReadOnlyStringWrapper where = new ReadOnlyStringWrapper(this, "where", "");
    private final ReadOnlyStringWrapper catalogNote = new ReadOnlyStringWrapper(this, "catalogNote", "");
    private final ReadOnlyBooleanWrapper ready = new ReadOnlyBooleanWrapper(this, "ready");
    private final ReadOnlyBooleanWrapper busy = new ReadOnlyBooleanWrapper(this, "busy");
    private final ReadOnlyObjectWrapper<StatusMessage> status = new ReadOnlyObjectWrapper<>(this, "status",
            StatusMessage.NONE);
    private final ReadOnlyObjectWrapper<RestartOffer> restartOffer = new ReadOnlyObjectWrapper<>(this, "restartOffer");

    /** Opened by {@link #load()} on the background thread; used only there. */
    private volatile Credentials credentials;
    private CredentialUsage usage = CredentialUsage.of(new Catalog(Catalog.CURRENT_VERSION, List.of()));

    /**
     * @param opener opens the credential facade; called on {@code background}, because choosing a store asks
     *               the OS whether its keychain answers
     */
    public CredentialsViewModel(Supplier<Credentials> opener, CatalogStore catalogStore, EngineCommands commands,
                                Executor background, Executor ui) {
        this.opener = Objects.requireNonNull(opener, "opener");
        this.catalogStore = Objects.requireNonNull(catalogStore, "catalogStore");
        this.commands = Objects.requireNonNull(commands, "commands");
        this.background = Objects.requireNonNull(background, "background");
        this.ui = Objects.requireNonNull(ui, "ui");
    }

    /** Chooses the store (again: a keychain may have come up since), then lists the credentials. */
    public CompletableFuture<Void> load() {
        busy.set(true);
        status.set(StatusMessage.busy("Reading the credentials…"));
        return CompletableFuture.supplyAsync(() -> {
                    Credentials opened = opener.get();
                    credentials = opened;
                    return read(opened);
                }, background)
                .thenAcceptAsync(read -> {
                    busy.set(false);
                    status.set(apply(read) ? StatusMessage.NONE : StatusMessage.error(read.listError()));
                }, ui)
                .exceptionallyAsync(e -> {
                    busy.set(false);
                    ready.set(false);
                    rows.clear();
                    status.set(StatusMessage.error("No credential store can be used: " + describe(e)));
                    return null;
                }, ui);
    }

    /** The store, the index and the catalog as they are now; no secret is read. Runs on {@code background}. */
    private Read read(Credentials opened) {
        CredentialStore active = opened.active();
        LoadResult catalog = catalogStore.load();
        String note = catalog.ok() ? "" : catalogStore.file().getFileName() + " has problems, so which services use "
                + "each credential is not known. The Services tab lists them.";
        Catalog usable = catalog.ok() ? catalog.catalog() : new Catalog(Catalog.CURRENT_VERSION, List.of());
        try {
            List<CredentialRow> listed = CredentialListing.rows(opened.list(), usable).stream()
                    .map(CredentialRow::of).toList();
            return new Read(active, opened.whereExplanation(), listed, CredentialUsage.of(usable), note, null);
        } catch (CredentialException e) {
            LOG.warn("Listing the credentials failed: {}", e.getMessage());
            return new Read(active, opened.whereExplanation(), List.of(), CredentialUsage.of(usable), note,
                    "The credentials cannot be listed: " + e.getMessage());
        }
    }

    /** Shows what {@link #read} found; false when the list could not be read. */
    private boolean apply(Read read) {
        CredentialStore active = read.active();
        backend.set(active.id());
        String description = active.description();
        boolean fallback = EncryptedFileStore.ID.equals(active.id());
        // The fallback's description ends with its protection sentence, which is shown on its own, as a warning.
        if (fallback && description.endsWith(", " + EncryptedFileStore.PROTECTION)) {
            description = description.substring(0, description.length() - EncryptedFileStore.PROTECTION.length() - 2);
        }
        backendDescription.set(capitalize(description) + ".");
        backendWarning.set(fallback ? "No OS keychain answered, so credentials are kept in this encrypted file, "
                + EncryptedFileStore.PROTECTION + "." : "");
        where.set(read.where());
        catalogNote.set(read.catalogNote());
        usage = read.usage();
        rows.setAll(read.rows());
        ready.set(read.listError() == null);
        RestartOffer offer = restartOffer.get();
        if (offer != null && rows.stream().noneMatch(r -> r.name().equals(offer.credential()) && r.stored())) {
            restartOffer.set(null);
        }
        return read.listError() == null;
    }

    /** An editor for a new credential: the name is typed in. */
    public CredentialEditor add() {
        return new CredentialEditor(this, CredentialEditor.Mode.ADD, null, List.of());
    }

    /** An editor for {@code row}: its name is fixed; a row that is not set yet gets its first value. */
    public CredentialEditor edit(CredentialRow row) {
        return new CredentialEditor(this, row.stored() ? CredentialEditor.Mode.EDIT : CredentialEditor.Mode.SET,
                row.name(), row.usedBy());
    }

    /** What the delete confirmation says under "Delete NAME?": where the value goes from, and who is affected. */
    public String deleteConsequences(CredentialRow row) {
        String affected = row.usedBy().isEmpty()
                ? "No service uses it."
                : join(row.usedBy()) + (row.usedBy().size() == 1 ? " uses" : " use") + " it and will fail to start "
                + "until it is set again.";
        return "The value is removed from " + row.backendText() + " and cannot be recovered. " + affected;
    }

    /** Removes the credential from its store and the index, then lists again. */
    public CompletableFuture<Boolean> delete(CredentialRow row) {
        if (busy.get() || !ready.get() || !row.stored()) {
            return CompletableFuture.completedFuture(false);
        }
        CredentialName name = row.name();
        busy.set(true);
        status.set(StatusMessage.busy("Deleting " + name + "…"));
        return CompletableFuture.supplyAsync(() -> {
            try {
                boolean removed = credentials.remove(name);
                return new Changed(removed, read(credentials));
            } catch (CredentialException e) {
                throw new CompletionException(e);
            }
        }, background).handleAsync((changed, error) -> {
            busy.set(false);
            if (error != null) {
                LOG.warn("Deleting credential {} failed: {}", name, describe(error));
                status.set(StatusMessage.error("Not deleted: " + describe(error)));
                return false;
            }
            RestartOffer offer = restartOffer.get();
            if (offer != null && offer.credential().equals(name)) {
                restartOffer.set(null);
            }
            if (!apply(changed.read())) {
                status.set(StatusMessage.error(changed.read().listError()));
                return changed.done();
            }
            String affected = row.usedBy().isEmpty() ? ""
                    : " " + join(row.usedBy()) + " will fail to start until it is set again.";
            status.set(changed.done()
                    ? StatusMessage.success("Deleted " + name + "." + affected)
                    : StatusMessage.warning(name + " was already gone from " + row.backendText() + "."));
            return changed.done();
        }, ui);
    }

    /**
     * Restarts the services of the {@linkplain #restartOfferProperty() offer} that the engine has up, so they get
     * the new value. Stopped ones are left stopped: they read it when they start.
     */
    public CompletableFuture<Boolean> restartServices() {
        RestartOffer offer = restartOffer.get();
        if (offer == null || busy.get()) {
            return CompletableFuture.completedFuture(false);
        }
        busy.set(true);
        status.set(StatusMessage.busy("Restarting " + join(offer.services()) + "…"));
        return call("snapshot", Json.MAPPER.createObjectNode(), SNAPSHOT_TIMEOUT).thenCompose(snapshot -> {
            List<String> up = new ArrayList<>();
            List<String> idle = new ArrayList<>();
            for (String service : offer.services()) {
                (WANTED_UP.contains(serviceNode(snapshot, service).path("lifecycle").asText()) ? up : idle).add(service);
            }
            if (up.isEmpty()) {
                return CompletableFuture.completedFuture(new Restarted(up, idle, null));
            }
            ObjectNode args = Json.MAPPER.createObjectNode();
            up.forEach(args.putArray("services")::add);
            return call("restart", args, RESTART_TIMEOUT).thenApply(reply -> new Restarted(up, idle, reply));
        }).handleAsync((restarted, error) -> {
            busy.set(false);
            if (error != null) {
                Throwable cause = unwrap(error);
                if (cause instanceof EngineNotRunningException) {
                    restartOffer.set(null);
                    status.set(StatusMessage.warning("The engine is not running; " + join(offer.services())
                            + " will get the new value when " + (offer.services().size() == 1 ? "it starts." : "they start.")));
                } else if (cause instanceof ControlException) {
                    status.set(StatusMessage.error("The engine refused to restart " + join(offer.services()) + ": "
                            + cause.getMessage()));
                } else {
                    status.set(StatusMessage.error("Could not restart " + join(offer.services()) + ": " + describe(cause)));
                }
                return false;
            }
            restartOffer.set(null);
            status.set(restarted.message());
            return true;
        }, ui);
    }

    /** The user does not want to restart now. */
    public void dismissRestartOffer() {
        restartOffer.set(null);
    }

    // --- for the editor ------------------------------------------------------------------------------------

    /** Whether {@code name} is stored (a row that is only referenced is not). */
    boolean isStored(CredentialName name) {
        return rows.stream().anyMatch(r -> r.stored() && r.name().equals(name));
    }

    /** The services that use {@code name}, from the catalog read last. */
    List<String> usedBy(CredentialName name) {
        return usage.usedBy(name);
    }

    /** Reads a value for the editor's reveal. Runs on {@code background}. */
    Optional<Secret> readSecret(CredentialName name) throws CredentialException {
        return opened().get(name);
    }

    /** Writes a value, then lists again. Runs on {@code background}. */
    Read writeSecret(CredentialName name, Secret value) throws CredentialException {
        Credentials c = opened();
        c.set(name, value);
        return read(c);
    }

    /** After the editor saved: show the new list and offer the restart. On {@code ui}. */
    void saved(CredentialName name, Read read, List<String> users) {
        boolean listed = apply(read);
        restartOffer.set(users.isEmpty() ? null : new RestartOffer(name, users));
        status.set(listed ? StatusMessage.success("Saved " + name + " in " + read.active().id() + ".")
                : StatusMessage.error(read.listError()));
    }

    /** After the editor found nothing to save. On {@code ui}. */
    void unchanged(CredentialName name) {
        status.set(StatusMessage.success("Nothing changed: " + name + " keeps its value."));
    }

    private Credentials opened() throws CredentialException {
        Credentials c = credentials;
        if (c == null) {
            throw new CredentialException(CredentialException.Reason.UNAVAILABLE,
                    "no credential store has been opened; press Reload");
        }
        return c;
    }

    // --- engine and messages -------------------------------------------------------------------------------

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

    private static JsonNode serviceNode(JsonNode snapshot, String name) {
        for (JsonNode s : snapshot.path("services")) {
            if (name.equals(s.path("name").asText())) {
                return s;
            }
        }
        return Json.MAPPER.createObjectNode();
    }

    static Throwable unwrap(Throwable e) {
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    /** An error in words: store and engine messages as they are (they never carry a value), I/O in plain words. */
    static String describe(Throwable e) {
        Throwable cause = unwrap(e);
        if (cause instanceof IOException io) {
            return IoMessages.describe(io);
        }
        return cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName();
    }

    static String join(List<String> names) {
        if (names.size() <= 1) {
            return String.join("", names);
        }
        return String.join(", ", names.subList(0, names.size() - 1)) + " and " + names.get(names.size() - 1);
    }

    private static String capitalize(String text) {
        return text.isEmpty() ? text : Character.toUpperCase(text.charAt(0)) + text.substring(1);
    }

    // --- properties ----------------------------------------------------------------------------------------

    public ObservableList<CredentialRow> rows() {
        return rows;
    }

    /** The active store's id, e.g. "libsecret" or "encrypted-file". */
    public ReadOnlyStringProperty backendProperty() {
        return backend.getReadOnlyProperty();
    }

    /** What the active store is, one sentence. */
    public ReadOnlyStringProperty backendDescriptionProperty() {
        return backendDescription.getReadOnlyProperty();
    }

    /** What little protects the encrypted-file fallback; empty for an OS keychain. */
    public ReadOnlyStringProperty backendWarningProperty() {
        return backendWarning.getReadOnlyProperty();
    }

    /** Why this store is active and why the others are not (several lines). */
    public ReadOnlyStringProperty whereProperty() {
        return where.getReadOnlyProperty();
    }

    /** Why "used by" is unknown; empty when the catalog could be read. */
    public ReadOnlyStringProperty catalogNoteProperty() {
        return catalogNote.getReadOnlyProperty();
    }

    /** True once a store is open and the list was read: adding, editing and deleting are possible. */
    public ReadOnlyBooleanProperty readyProperty() {
        return ready.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty busyProperty() {
        return busy.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<StatusMessage> statusProperty() {
        return status.getReadOnlyProperty();
    }

    /** The services to restart after a save; null when there is nothing to offer. */
    public ReadOnlyObjectProperty<RestartOffer> restartOfferProperty() {
        return restartOffer.getReadOnlyProperty();
    }

    @Override
    public String toString() {
        return "CredentialsViewModel[backend=" + backend.get() + ", rows=" + rows + "]";
    }

    /** The services that use a credential just saved, and still run with its old value. */
    public record RestartOffer(CredentialName credential, List<String> services) {
        public RestartOffer {
            Objects.requireNonNull(credential, "credential");
            services = List.copyOf(services);
        }

        /** The sentence next to the button. */
        public String text() {
            return services.size() == 1
                    ? services.get(0) + " uses " + credential + ". If it is running, it has the old value until it restarts."
                    : join(services) + " use " + credential + ". Those running have the old value until they restart.";
        }

        /** Only running services are restarted, so with several the button does not name them all. */
        public String buttonText() {
            return services.size() == 1 ? "Restart " + services.get(0) : "Restart the services that use it";
        }
    }

    /** A listing: the active store, the rows, and what could not be read. */
    record Read(CredentialStore active, String where, List<CredentialRow> rows, CredentialUsage usage,
                String catalogNote, String listError) {
    }

    private record Changed(boolean done, Read read) {
    }

    private record Restarted(List<String> up, List<String> idle, JsonNode reply) {
        StatusMessage message() {
            List<String> parts = new ArrayList<>();
            boolean trouble = false;
            if (!up.isEmpty()) {
                List<String> outcomes = new ArrayList<>();
                for (String name : up) {
                    JsonNode s = serviceNode(reply, name);
                    String lifecycle = s.path("lifecycle").asText("");
                    trouble |= lifecycle.equals(Lifecycle.FAILED.name()) || lifecycle.equals(Lifecycle.CRASH_LOOP.name())
                            || s.path("status").asText("").equals(DisplayStatus.DOWN.name());
                    outcomes.add(name + " (" + statusText(s) + ")");
                }
                parts.add("Restarted " + join(outcomes) + ".");
            }
            if (!idle.isEmpty()) {
                parts.add(join(idle) + (idle.size() == 1 ? " is" : " are") + " not running; "
                        + (idle.size() == 1 ? "it gets" : "they get") + " the new value when started.");
            }
            String text = String.join(" ", parts);
            return trouble ? StatusMessage.warning(text) : StatusMessage.success(text);
        }

        private static String statusText(JsonNode service) {
            String status = service.path("status").asText("");
            String label;
            try {
                label = DisplayStatus.valueOf(status).label().toLowerCase(Locale.ROOT);
            } catch (IllegalArgumentException e) {
                label = status.isEmpty() ? "state unknown" : status;
            }
            String message = service.path("message").asText("");
            boolean failed = service.path("lifecycle").asText("").equals(Lifecycle.FAILED.name());
            return failed && !message.isEmpty() ? label + ": " + message : label;
        }
    }
}
