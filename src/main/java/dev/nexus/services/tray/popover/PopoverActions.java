package dev.nexus.services.tray.popover;

/** What the popover asks of the app beyond engine commands (those go to the view model). */
public interface PopoverActions {
    void openSettings();

    void openLogs(String service);

    void retryEngine();

    /** Quits the tray app; services keep running. */
    void quit();
}
