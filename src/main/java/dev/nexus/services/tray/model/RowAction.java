package dev.nexus.services.tray.model;

/** A one-click fix offered next to a service's state. */
public enum RowAction {
    /** Restart a service in a crash loop now instead of waiting for the raised backoff. */
    RETRY_NOW("Retry now"),
    /** Open Settings to give a service the credential it waits for. */
    SET_CREDENTIAL("Set credential…");

    private final String label;

    RowAction(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
