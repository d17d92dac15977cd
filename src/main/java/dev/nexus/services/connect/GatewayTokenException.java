package dev.nexus.services.connect;

/** The gateway token is configured but cannot be had: not set where the catalog says, or unreadable. */
public final class GatewayTokenException extends Exception {
    private static final long serialVersionUID = 1L;

    public GatewayTokenException(String message) {
        super(message);
    }
}
