/**
 * Long-lived connections the engine keeps up: the gateway session (its WebSocket protocol, heartbeat,
 * planned restarts, authentication errors) and plain WebSocket endpoints such as collab, both on one
 * reconnect machine ({@link dev.nexus.services.connect.ReconnectingConnection}) with gRPC-style backoff.
 *
 * <p>Nothing here blocks the caller: sockets are the JDK's asynchronous {@code java.net.http.WebSocket},
 * timers run on a {@link dev.nexus.services.connect.ConnectTimer}, token reads (which may ask a keychain)
 * happen on an executor the caller gives, and state changes are delivered on the caller's serial
 * executor (the engine loop).
 */
package dev.nexus.services.connect;
