package dev.nexus.services.tray;

import java.util.ArrayList;
import java.util.List;
import javafx.application.Platform;
import java.util.concurrent.Executor;

/**
 * Runs tasks on the JavaFX thread with {@link Platform#runLater}, holding the ones that come before
 * the toolkit is up (the tray icon and the engine link start in parallel with JavaFX, to show the icon
 * sooner). Never waits for the JavaFX thread.
 */
final class FxGate implements Executor {
    private final List<Runnable> held = new ArrayList<>();
    private boolean open;

    @Override
    public void execute(Runnable task) {
        synchronized (this) {
            if (!open) {
                held.add(task);
                return;
            }
        }
        Platform.runLater(task);
    }

    /** Called on the JavaFX thread once it runs: held tasks go first, in order. */
    void open() {
        List<Runnable> tasks;
        synchronized (this) {
            open = true;
            tasks = new ArrayList<>(held);
            held.clear();
        }
        tasks.forEach(Platform::runLater);
    }
}
