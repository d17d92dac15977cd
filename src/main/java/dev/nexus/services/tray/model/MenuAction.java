package dev.nexus.services.tray.model;

import java.util.Objects;

/**
 * What a menu item (or a popover control) asks for. Plain data, so menus can be compared and tested
 * without a display.
 *
 * @param service the service acted on (START, STOP, RESTART, LOGS, SET_CREDENTIAL), else null
 */
public record MenuAction(Kind kind, String service) {
    public enum Kind { START, STOP, RESTART, START_ALL, STOP_ALL, OPEN, SETTINGS, LOGS, SET_CREDENTIAL, RETRY_ENGINE, QUIT }

    public MenuAction {
        Objects.requireNonNull(kind, "kind");
    }

    public static MenuAction of(Kind kind) {
        return new MenuAction(kind, null);
    }

    public static MenuAction of(Kind kind, String service) {
        return new MenuAction(kind, Objects.requireNonNull(service, "service"));
    }
}
