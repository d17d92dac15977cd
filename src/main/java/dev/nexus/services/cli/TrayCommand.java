package dev.nexus.services.cli;

import dev.nexus.services.tray.TrayLauncher;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code nexus-services tray}: the tray app. Only this command loads JavaFX and AWT, through the plain
 * {@link TrayLauncher} (nothing here names a JavaFX type, so the other commands never load one).
 */
@Command(name = "tray", mixinStandardHelpOptions = true, description = {"Show the tray icon with live status, toggles and notifications.",
    "Starts the engine when none runs. Quitting the tray leaves services running.",
    "A second launch opens the running tray's window and exits."})
final class TrayCommand implements Callable<Integer> {
    @Option(names = "--dashboard", description = "Show a window instead of a tray icon (for desktops without a tray).")
    boolean dashboard;

    @Override
    public Integer call() {
        return TrayLauncher.run(dashboard, System.out, System.err);
    }
}
