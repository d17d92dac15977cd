package dev.nexus.services.connect;

/**
 * A gateway client at one moment: its connection, what the gateway said at the last hello, and the
 * last health answer.
 *
 * @param hello      from the current session, or the last one when disconnected; null if never connected
 * @param lastHealth the last successful {@code health} answer, or null
 */
public record GatewayStatus(ConnectionState connection, GatewayHello hello, GatewayHealth lastHealth) {
}
