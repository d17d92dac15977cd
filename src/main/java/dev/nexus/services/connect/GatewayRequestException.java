package dev.nexus.services.connect;

import java.time.Duration;

/**
 * A request on the session that did not succeed: the gateway answered with an error ({@link #error()}),
 * gave no answer in time ({@link #timedOut()}), or the session was not (or no longer) connected.
 */
public final class GatewayRequestException extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient GatewayError error;
    private final boolean timedOut;

    GatewayRequestException(String message, GatewayError error, boolean timedOut) {
        super(message);
        this.error = error;
        this.timedOut = timedOut;
    }

    static GatewayRequestException answered(String method, GatewayError error) {
        return new GatewayRequestException(method + " failed: " + error.describe(), error, false);
    }

    static GatewayRequestException timedOut(String method, Duration timeout) {
        return new GatewayRequestException(method + " gave no answer within "
                + ReconnectingConnection.describe(timeout), null, true);
    }

    static GatewayRequestException notConnected(String why) {
        return new GatewayRequestException("not connected: " + why, null, false);
    }

    /** The gateway's error, or null when it did not answer. */
    public GatewayError error() {
        return error;
    }

    public boolean timedOut() {
        return timedOut;
    }
}
