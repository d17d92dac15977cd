package dev.nexus.services.tray;

import java.util.EnumSet;
import java.util.Set;

/**
 * The tray app's own settings, kept in {@code state/tray.json} (see {@link TrayPreferencesStore}).
 * Service settings live in services.json, not here.
 *
 * @param launchAtLogin  start the tray app when the user logs in
 * @param notifications  the notification types that are shown
 */
public record TrayPreferences(boolean launchAtLogin, Set<NotificationType> notifications) {
    public static final TrayPreferences DEFAULTS = new TrayPreferences(false, EnumSet.allOf(NotificationType.class));

    public TrayPreferences {
        notifications = notifications.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(notifications));
    }

    public boolean notifies(NotificationType type) {
        return notifications.contains(type);
    }

    public TrayPreferences withLaunchAtLogin(boolean value) {
        return new TrayPreferences(value, notifications);
    }

    public TrayPreferences withNotification(NotificationType type, boolean on) {
        EnumSet<NotificationType> next = notifications.isEmpty() ? EnumSet.noneOf(NotificationType.class)
                : EnumSet.copyOf(notifications);
        if (on) {
            next.add(type);
        } else {
            next.remove(type);
        }
        return new TrayPreferences(launchAtLogin, next);
    }
}
