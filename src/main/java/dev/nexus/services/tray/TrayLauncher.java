package dev.nexus.services.tray;

import dev.nexus.services.health.DisplayStatus;
import dev.nexus.services.support.NexusPaths;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javafx.application.Application;

/**
 * Starts the tray app. A plain class on purpose: a class that extends Application cannot be the main
 * class when JavaFX is on the class path, and the CLI must load no JavaFX class for its other commands.
 *
 * <p>Order, for a quick icon: claim the single instance (a second launch forwards "open" and exits
 * before any toolkit loads), put the AWT icon up on its own thread, and start JavaFX in parallel.
 */
public final class TrayLauncher {
    /** Set by {@code --dashboard} or NEXUS_TRAY=dashboard: use the window even where a tray exists. */
    public static final String FORCE_DASHBOARD = "NEXUS_TRAY";
    private static final java.time.Duration ICON_WAIT = java.time.Duration.ofSeconds(3);

    private TrayLauncher() {
    }

    public static void main(String[] args) {
        System.exit(run(args.length > 0 && args[0].equals("--dashboard"), System.out, System.err));
    }

    /** Runs the tray app until it quits; returns the exit code. */
    public static int run(boolean dashboard, PrintStream out, PrintStream err) {
        long startNanos = System.nanoTime();
        NexusPaths paths = NexusPaths.current();
        SingleInstance.Claim claim;
        try {
            claim = SingleInstance.claim(paths);
        } catch (IOException e) {
            err.println("nexus-services: cannot start the tray: " + e.getMessage());
            return 3;
        }
        if (claim instanceof SingleInstance.Forwarded f) {
            out.println("The Nexus tray app is already running" + (f.otherPid() > 0 ? " (pid " + f.otherPid() + ")" : "")
                    + "; it opened its window.");
            return 0;
        }
        SingleInstance instance = ((SingleInstance.Primary) claim).instance();
        try {
            Files.createDirectories(paths.logs());
        } catch (IOException e) {
            err.println("nexus-services: cannot create " + paths.logs() + ": " + e.getMessage());
            instance.close();
            return 3;
        }
        FxGate gate = new FxGate();
        boolean forceDashboard = dashboard || "dashboard".equals(System.getenv(FORCE_DASHBOARD));
        CompletableFuture<AwtTrayController> awt = new CompletableFuture<>();
        TrayApp.Boot[] bootRef = new TrayApp.Boot[1];
        if (forceDashboard) {
            awt.complete(null);
        } else {
            // The icon first, on its own thread: it is what the user waits for.
            Thread awtInit = new Thread(() -> {
                try {
                    if (AwtTrayController.supported()) {
                        awt.complete(AwtTrayController.install(gate, () -> bootRef[0].callbacks(),
                                DisplayStatus.UNKNOWN, "Nexus: connecting to the engine…"));
                    } else {
                        awt.complete(null);
                    }
                } catch (Throwable t) {
                    awt.completeExceptionally(t);
                }
            }, "nexus-tray-awt-init");
            awtInit.setDaemon(true);
            awtInit.start();
        }
        TrayLogging.toFile(paths.logs().resolve("tray.log"));
        TrayApp.Boot boot = new TrayApp.Boot(paths, instance, gate, awt, startNanos);
        bootRef[0] = boot;
        TrayApp.boot = boot;
        // JavaFX (the popover) is needed at the first click, not for the icon: on two cores, starting it
        // once the icon is in keeps the two toolkits from slowing each other down.
        try {
            awt.get(ICON_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            if (awt.getNow(null) != null) {
                boot.iconShown();
            }
        } catch (TimeoutException e) {
            // A slow tray host: carry on, the icon appears when it appears.
        } catch (ExecutionException e) {
            // Reported by the app, which then shows the dashboard instead.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Application.launch(TrayApp.class);
        return 0;
    }
}
