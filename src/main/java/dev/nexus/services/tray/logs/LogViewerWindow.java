package dev.nexus.services.tray.logs;

import dev.nexus.services.support.NexusPaths;

/** LOCAL STAND-IN, NOT COMMITTED: the real one comes from the trayui worktree. */
public final class LogViewerWindow {
    private javafx.stage.Stage stage;

    public LogViewerWindow(NexusPaths paths) {
    }

    public void show(String service, boolean stderr) {
        if (stage == null) {
            stage = new javafx.stage.Stage();
            stage.setScene(new javafx.scene.Scene(new javafx.scene.control.Label("logs stand-in"), 300, 200));
        }
        stage.setTitle("Logs: " + service + (stderr ? " (stderr)" : ""));
        stage.show();
        stage.toFront();
    }
}
