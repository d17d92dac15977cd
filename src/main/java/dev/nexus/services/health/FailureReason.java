package dev.nexus.services.health;

/** Why a service is FAILED: each is a problem a restart cannot fix, so none is retried in a loop. */
public enum FailureReason {
    CONFIG("config"),
    CREDENTIALS("credentials"),
    PORT_IN_USE("port_in_use"),
    BINARY_MISSING("binary_missing"),
    START_TIMEOUT("start_timeout"),
    /** The OS service manager (systemd, launchd) refused or failed; the message holds the tool's words. */
    MANAGER("manager");

    private final String id;

    FailureReason(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }
}
