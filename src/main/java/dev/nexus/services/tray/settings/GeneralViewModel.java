package dev.nexus.services.tray.settings;

import dev.nexus.services.support.IoMessages;
import dev.nexus.services.tray.NotificationType;
import dev.nexus.services.tray.TrayPreferences;
import dev.nexus.services.tray.TrayPreferencesStore;
import java.io.IOException;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.SimpleBooleanProperty;

/**
 * Settings › General: launch at login and which notifications are shown. Reads and writes
 * {@code state/tray.json} through {@link TrayPreferencesStore} and the login entry through
 * {@link LaunchAtLogin}, off the UI thread. Properties change only on the {@code ui} executor.
 */
public final class GeneralViewModel {
    private final TrayPreferencesStore store;
    private final LaunchAtLogin launchAtLogin;
    private final LaunchAtLogin.Availability availability;
    private final Executor background;
    private final Executor ui;

    private final BooleanProperty launchAtLoginOn = new SimpleBooleanProperty(this, "launchAtLogin");
    private final Map<NotificationType, BooleanProperty> notifications = new EnumMap<>(NotificationType.class);
    private final ReadOnlyBooleanWrapper loaded = new ReadOnlyBooleanWrapper(this, "loaded");
    private final ReadOnlyBooleanWrapper busy = new ReadOnlyBooleanWrapper(this, "busy");
    private final ReadOnlyBooleanWrapper dirty = new ReadOnlyBooleanWrapper(this, "dirty");
    private final ReadOnlyObjectWrapper<StatusMessage> status = new ReadOnlyObjectWrapper<>(this, "status",
            StatusMessage.NONE);

    /** What is on disk: the baseline for {@link #dirtyProperty()}. */
    private TrayPreferences saved = TrayPreferences.DEFAULTS;
    private boolean savedLaunchAtLogin;

    public GeneralViewModel(TrayPreferencesStore store, LaunchAtLogin launchAtLogin, Executor background, Executor ui) {
        this.store = Objects.requireNonNull(store, "store");
        this.launchAtLogin = Objects.requireNonNull(launchAtLogin, "launchAtLogin");
        this.availability = launchAtLogin.availability();
        this.background = Objects.requireNonNull(background, "background");
        this.ui = Objects.requireNonNull(ui, "ui");
        for (NotificationType type : NotificationType.values()) {
            BooleanProperty on = new SimpleBooleanProperty(this, type.name(), true);
            on.addListener((obs, was, now) -> updateDirty());
            notifications.put(type, on);
        }
        launchAtLoginOn.addListener((obs, was, now) -> updateDirty());
    }

    /** Reads tray.json and whether the login entry exists. */
    public CompletableFuture<Void> load() {
        return CompletableFuture.supplyAsync(() -> {
            TrayPreferences prefs = store.load();
            // The entry on disk is the truth: the user may have removed it in their desktop's settings.
            boolean entry = availability.available() ? launchAtLogin.isEnabled() : prefs.launchAtLogin();
            return new Loaded(prefs, entry);
        }, background).thenAcceptAsync(l -> {
            saved = l.prefs();
            savedLaunchAtLogin = l.launchAtLogin();
            launchAtLoginOn.set(l.launchAtLogin());
            notifications.forEach((type, on) -> on.set(l.prefs().notifies(type)));
            loaded.set(true);
            updateDirty();
        }, ui);
    }

    /**
     * Writes tray.json, then creates or removes the login entry. Does nothing when nothing changed.
     *
     * @return completes with whether everything was saved; {@link #statusProperty()} says what happened
     */
    public CompletableFuture<Boolean> save() {
        if (busy.get() || !loaded.get() || !dirty.get()) {
            return CompletableFuture.completedFuture(false);
        }
        TrayPreferences next = edited();
        boolean wantEntry = next.launchAtLogin();
        // Rewriting an existing entry is deliberate: it picks up a launcher that moved.
        boolean touchEntry = availability.available() && (wantEntry || savedLaunchAtLogin);
        busy.set(true);
        status.set(StatusMessage.busy("Saving…"));
        return CompletableFuture.supplyAsync(() -> write(next, wantEntry, touchEntry), background)
                .thenApplyAsync(result -> {
                    busy.set(false);
                    status.set(result.message());
                    if (result.prefsSaved()) {
                        saved = next;
                    }
                    if (result.entrySaved()) {
                        savedLaunchAtLogin = wantEntry;
                    }
                    updateDirty();
                    return result.prefsSaved() && result.entrySaved();
                }, ui)
                .exceptionallyAsync(e -> {
                    busy.set(false);
                    status.set(StatusMessage.error("Saving failed: " + (e.getCause() != null ? e.getCause() : e).getMessage()));
                    return false;
                }, ui);
    }

    private SaveResult write(TrayPreferences next, boolean wantEntry, boolean touchEntry) {
        try {
            store.save(next);
        } catch (IOException e) {
            return new SaveResult(false, false, StatusMessage.error("Could not save " + store.file() + ": "
                    + IoMessages.describe(e) + ". Nothing was changed."));
        }
        if (touchEntry) {
            try {
                launchAtLogin.apply(wantEntry);
            } catch (IOException | RuntimeException e) {
                String why = e instanceof IOException io ? IoMessages.describe(io) : e.getMessage();
                return new SaveResult(true, false, StatusMessage.error("Saved the notification settings, but could not "
                        + (wantEntry ? "create" : "remove") + " the login item: " + why));
            }
        }
        String login = !touchEntry ? "" : wantEntry
                ? " Nexus Services opens when you log in."
                : " Nexus Services no longer opens when you log in.";
        return new SaveResult(true, true, StatusMessage.success("Settings saved." + login));
    }

    /** The preferences as edited now. */
    public TrayPreferences edited() {
        EnumSet<NotificationType> on = EnumSet.noneOf(NotificationType.class);
        notifications.forEach((type, property) -> {
            if (property.get()) {
                on.add(type);
            }
        });
        return new TrayPreferences(launchAtLoginOn.get(), on);
    }

    private void updateDirty() {
        dirty.set(loaded.get() && (!edited().notifications().equals(saved.notifications())
                || launchAtLoginOn.get() != savedLaunchAtLogin));
    }

    public BooleanProperty launchAtLoginProperty() {
        return launchAtLoginOn;
    }

    public LaunchAtLogin.Availability launchAtLoginAvailability() {
        return availability;
    }

    /** The login entry's path, to show where it goes. */
    public String launchAtLoginDetail() {
        return !availability.available() ? availability.reason()
                : launchAtLogin.itemFileForDisplay().map(file -> "Adds " + file + ".").orElse("");
    }

    public BooleanProperty notificationProperty(NotificationType type) {
        return notifications.get(type);
    }

    public Map<NotificationType, BooleanProperty> notifications() {
        return Collections.unmodifiableMap(notifications);
    }

    public ReadOnlyBooleanProperty loadedProperty() {
        return loaded.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty busyProperty() {
        return busy.getReadOnlyProperty();
    }

    /** True when the page shows something other than what is saved. */
    public ReadOnlyBooleanProperty dirtyProperty() {
        return dirty.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<StatusMessage> statusProperty() {
        return status.getReadOnlyProperty();
    }

    private record Loaded(TrayPreferences prefs, boolean launchAtLogin) {
    }

    private record SaveResult(boolean prefsSaved, boolean entrySaved, StatusMessage message) {
    }
}
