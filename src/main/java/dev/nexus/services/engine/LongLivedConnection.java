package dev.nexus.services.engine;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A connection the engine keeps open for a service (the gateway session, the collab connection),
 * attached with {@link Engine#attachConnection}. After a sleep a socket that still looks open is often
 * dead, so on every wake the engine makes each one start over instead of waiting for it to notice.
 *
 * <p>Both methods are called on the engine's loop thread: they must return at once and never block
 * (start the work, then return).
 */
@FunctionalInterface
public interface LongLivedConnection {
    /** Closes the connection and connects again now, with its reconnect backoff reset. */
    void forceReconnect();

    /**
     * The machine is about to sleep: close cleanly (a close frame now beats a half-open socket later).
     * The engine waits for the returned stage, but the sleep source only waits so long (a few seconds).
     */
    default CompletionStage<Void> closeForSleep() {
        return CompletableFuture.completedFuture(null);
    }
}
