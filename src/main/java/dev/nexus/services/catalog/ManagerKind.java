package dev.nexus.services.catalog;

import dev.nexus.services.support.Quoted;
/** Who keeps a daemon running. */
public enum ManagerKind {
    AUTO("auto"),
    EMBEDDED("embedded"),
    LAUNCHD("launchd"),
    SYSTEMD("systemd"),
    WINDOWS_TASK("windows-task");

    private final String id;

    ManagerKind(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    public static ManagerKind fromId(String id) {
        for (ManagerKind k : values()) {
            if (k.id.equals(id)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown manager " + Quoted.of(id)
                + " (expected auto, embedded, launchd, systemd or windows-task)");
    }
}
