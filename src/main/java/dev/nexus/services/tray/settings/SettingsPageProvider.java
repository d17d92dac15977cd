package dev.nexus.services.tray.settings;

/** Makes one page of the settings window, each time the window opens. */
@FunctionalInterface
public interface SettingsPageProvider {
    SettingsPage create(SettingsContext context);
}
