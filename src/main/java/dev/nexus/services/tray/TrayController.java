package dev.nexus.services.tray;

import dev.nexus.services.tray.model.MenuModel;
import dev.nexus.services.tray.model.Notice;
import dev.nexus.services.tray.model.TraySummary;

/**
 * The tray's presence on the desktop: an icon with tooltip and menu ({@link AwtTrayController}), or a
 * small dashboard window where the desktop has no tray ({@link DashboardController}). A Linux
 * StatusNotifierItem implementation can follow behind the same interface.
 *
 * <p>Methods are called on the JavaFX thread and return at once; implementations hop to their own
 * toolkit's thread without waiting for it.
 */
public interface TrayController {
    /** Shows the current state. Cheap to call often: only what changed is touched. */
    void update(TraySummary summary, MenuModel menu);

    /** Shows a desktop notification. */
    void notify(Notice notice);

    /** Removes the icon or window. */
    void close();

    /** For logs and the benchmark: "awt" or "dashboard". */
    String kind();
}
