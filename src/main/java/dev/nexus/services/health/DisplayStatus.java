package dev.nexus.services.health;

/**
 * The one status people see. Each has a colour and a badge glyph, so it never relies on colour
 * alone. Ordered from worst to best for roll-ups.
 */
public enum DisplayStatus {
    DOWN("Down", "red", "✖"),
    DEGRADED("Degraded", "yellow", "!"),
    STARTING("Starting", "blue", "…"),
    UNKNOWN("Unknown", "grey", "?"),
    HEALTHY("Healthy", "green", "✔"),
    STOPPED("Stopped", "grey", "■");

    private final String label;
    private final String colour;
    private final String badge;

    DisplayStatus(String label, String colour, String badge) {
        this.label = label;
        this.colour = colour;
        this.badge = badge;
    }

    public String label() {
        return label;
    }

    public String colour() {
        return colour;
    }

    public String badge() {
        return badge;
    }

    /** Rolls the two axes up into what a person should see. */
    public static DisplayStatus of(Lifecycle lifecycle, Health health) {
        return switch (lifecycle) {
            case STOPPED -> STOPPED;
            case FAILED, CRASH_LOOP, BACKOFF -> DOWN;
            case STARTING, STOPPING -> STARTING;
            case UNKNOWN -> UNKNOWN;
            case RUNNING -> switch (health) {
                case HEALTHY -> HEALTHY;
                case DEGRADED -> DEGRADED;
                case UNHEALTHY -> DOWN;
                case STARTING -> STARTING;
                case UNKNOWN -> UNKNOWN;
            };
        };
    }

    /** The worst of several statuses, ignoring stopped ones unless all are stopped. */
    public static DisplayStatus worst(Iterable<DisplayStatus> statuses) {
        DisplayStatus worst = null;
        for (DisplayStatus s : statuses) {
            if (s != STOPPED && (worst == null || s.ordinal() < worst.ordinal())) {
                worst = s;
            }
        }
        return worst == null ? STOPPED : worst;
    }
}
