package dev.nexus.services.manager;

/** What can start at login: the headless engine (which brings the services up) or the tray app. */
public enum LoginItem {
    ENGINE("engine"),
    TRAY("tray");

    private final String id;

    LoginItem(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }
}
