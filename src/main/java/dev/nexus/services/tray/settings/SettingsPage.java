package dev.nexus.services.tray.settings;

import javafx.scene.Node;

/**
 * One tab of the settings window: its view (FXML bound to a view model) and what Enter does on it.
 * Pages come from {@link SettingsPageProvider}s; the window lists them in {@link SettingsWindow#PAGES}.
 */
public interface SettingsPage {
    /** The tab's title. */
    String title();

    /** The tab's content; built once. */
    Node view();

    /** Saves the page's edits (Enter, or its Save button); does nothing when there is nothing to save. */
    void save();

    /** The window is closing: stop whatever the page still runs. */
    default void dispose() {
    }
}
