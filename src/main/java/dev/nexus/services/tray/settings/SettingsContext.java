package dev.nexus.services.tray.settings;

import dev.nexus.services.support.NexusPaths;
import dev.nexus.services.tray.EngineCommands;
import dev.nexus.services.tray.TrayPreferencesStore;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * What a settings page may use. Pages never block the UI thread: file and engine work runs on
 * {@code background}, and results come back through {@code ui} ({@code Platform::runLater} in the app).
 */
public record SettingsContext(NexusPaths paths, EngineCommands commands, TrayPreferencesStore preferences,
                              HostEnvironment host, Executor background, Executor ui) {
    public SettingsContext {
        Objects.requireNonNull(paths, "paths");
        Objects.requireNonNull(commands, "commands");
        Objects.requireNonNull(preferences, "preferences");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(background, "background");
        Objects.requireNonNull(ui, "ui");
    }
}
