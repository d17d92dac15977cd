package dev.nexus.services.tray;

/** The kinds of desktop notification; each can be turned off in Settings › General. */
public enum NotificationType {
    DOWN("A service went down"),
    RECOVERED("A service recovered"),
    CRASH_LOOP("A service is in a crash loop"),
    CREDENTIAL_NEEDED("A service needs a credential"),
    WAKE_RESTART("A service had to be restarted after sleep"),
    SKILL_UPDATES("Skill updates are available");

    private final String label;

    NotificationType(String label) {
        this.label = label;
    }

    /** What the settings checkbox says. */
    public String label() {
        return label;
    }
}
