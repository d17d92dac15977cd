package dev.nexus.services.tray.logs;

import dev.nexus.services.catalog.Catalog;
import dev.nexus.services.catalog.CatalogCodec;
import dev.nexus.services.catalog.CatalogStore;
import dev.nexus.services.catalog.LoadResult;
import dev.nexus.services.support.NexusPaths;
import dev.nexus.services.tray.settings.Fxml;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javafx.application.Platform;
import javafx.beans.binding.Bindings;
import javafx.scene.Parent;
import javafx.scene.Scene;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyCodeCombination;
import javafx.scene.input.KeyCombination;
import javafx.scene.input.KeyEvent;
import javafx.stage.Stage;

/**
 * The log viewer: one window, showing one service's stdout or stderr log at a time and following it.
 * {@link #show} opens it (or brings it to the front) on the asked log. Closing it stops following.
 * Keys: Esc closes (or clears the search first), Ctrl+F searches, Enter / Shift+Enter and F3 / Shift+F3 step
 * through matches, Ctrl+C copies the selected lines.
 */
public final class LogViewerWindow {
    static final double WIDTH = 980;
    static final double HEIGHT = 620;
    private static final KeyCombination FIND = new KeyCodeCombination(KeyCode.F, KeyCombination.SHORTCUT_DOWN);

    private final NexusPaths paths;
    private final LogViewModel.LogFeed feed;
    private final int maxLines;

    private Stage stage;
    private LogViewModel model;
    private ExecutorService background;

    public LogViewerWindow(NexusPaths paths) {
        this(paths, LogViewModel.FOLLOWER, LogViewModel.DEFAULT_MAX_LINES);
    }

    LogViewerWindow(NexusPaths paths, LogViewModel.LogFeed feed, int maxLines) {
        this.paths = Objects.requireNonNull(paths, "paths");
        this.feed = Objects.requireNonNull(feed, "feed");
        this.maxLines = maxLines;
    }

    /**
     * Shows a log, opening the window or bringing it to the front. Call on the FX thread.
     *
     * @param service a service name from services.json, or "engine" for the engine's own log
     * @param stderr  the stderr log instead of stdout
     */
    public void show(String service, boolean stderr) {
        if (!Platform.isFxApplicationThread()) {
            throw new IllegalStateException("LogViewerWindow.show() must be called on the JavaFX thread");
        }
        if (stage == null) {
            build();
        }
        model.open(service, stderr);
        if (stage.isIconified()) {
            stage.setIconified(false);
        }
        stage.show();
        stage.toFront();
        stage.requestFocus();
    }

    private void build() {
        background = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "nexus-logs-io");
            t.setDaemon(true);
            return t;
        });
        model = new LogViewModel(feed, background, Platform::runLater, maxLines);
        LogViewerController controller = new LogViewerController(model);
        Parent root = Fxml.load(LogViewerWindow.class, "LogViewer.fxml", controller);
        Scene scene = new Scene(root, WIDTH, HEIGHT);
        scene.getStylesheets().add(Objects.requireNonNull(LogViewerWindow.class.getResource("logs.css"),
                "logs.css").toExternalForm());
        scene.addEventFilter(KeyEvent.KEY_PRESSED, e -> {
            if (FIND.match(e)) {
                e.consume();
                controller.focusSearch();
            } else if (e.getCode() == KeyCode.F3) {
                e.consume();
                if (e.isShiftDown()) {
                    model.previousMatch();
                } else {
                    model.nextMatch();
                }
            }
        });
        scene.addEventHandler(KeyEvent.KEY_PRESSED, e -> {
            if (e.getCode() == KeyCode.ESCAPE) {
                e.consume();
                if (!controller.clearSearchIfFocused()) {
                    stage.close();
                }
            }
        });
        stage = new Stage();
        stage.titleProperty().bind(Bindings.createStringBinding(() -> {
            LogSource s = model.sourceProperty().get();
            return s == null ? "Nexus Services — Logs"
                    : "Nexus Services — Logs: " + s.label() + (s.hasLogs() && model.stderrProperty().get() ? " (stderr)" : "");
        }, model.sourceProperty(), model.stderrProperty()));
        stage.setScene(scene);
        stage.setMinWidth(640);
        stage.setMinHeight(360);
        stage.setOnHidden(e -> dispose());
        loadSources();
    }

    /** The catalog names the services and their log files; reading it is file work, so off the FX thread. */
    private void loadSources() {
        LogViewModel target = model;
        CompletableFuture.supplyAsync(() -> new CatalogStore(paths, new CatalogCodec(paths)).load(), background)
                .whenComplete((result, error) -> Platform.runLater(() -> apply(target, result, error)));
    }

    private void apply(LogViewModel target, LoadResult result, Throwable error) {
        if (error != null) {
            target.setNotice("Cannot read services.json (" + error.getMessage() + "); only the engine's log is listed.");
            target.setSources(LogSource.of(new Catalog(Catalog.CURRENT_VERSION, List.of()), paths));
            return;
        }
        if (!result.ok()) {
            target.setNotice(result.file().getFileName() + " has problems, so the Nexus default services are listed. "
                    + "First problem: " + result.errors().get(0));
        }
        target.setSources(LogSource.of(result.catalog(), paths));
    }

    private void dispose() {
        model.close();
        background.shutdown(); // runs the close of the feed already queued, then ends
        stage = null;
        model = null;
    }

    /** The open window's stage, for tests; null when closed. */
    Stage stage() {
        return stage;
    }

    LogViewModel model() {
        return model;
    }
}
