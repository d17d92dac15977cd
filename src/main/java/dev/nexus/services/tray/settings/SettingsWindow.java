package dev.nexus.services.tray.settings;

import dev.nexus.services.support.NexusPaths;
import dev.nexus.services.tray.EngineCommands;
import dev.nexus.services.tray.TrayPreferencesStore;

/** LOCAL STAND-IN, NOT COMMITTED: the real one comes from the trayui worktree. */
public final class SettingsWindow {
    private javafx.stage.Stage stage;

    public SettingsWindow(NexusPaths paths, EngineCommands commands, TrayPreferencesStore prefs) {
    }

    public void show() {
        if (stage == null) {
            stage = new javafx.stage.Stage();
            stage.setTitle("Nexus Settings (stand-in)");
            stage.setScene(new javafx.scene.Scene(new javafx.scene.control.Label("settings stand-in"), 300, 200));
        }
        stage.show();
        stage.toFront();
    }
}
