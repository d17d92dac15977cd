package dev.nexus.services.connect;

import dev.nexus.services.credentials.Secret;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Where a session gets the gateway token, read afresh before every connect so that a token fixed by
 * the user is picked up. Reading may ask a keychain: implementations complete off the caller's thread
 * when they might block. Empty means "connect without a token" (a loopback gateway without auth); a
 * token that is configured but cannot be read fails with a {@link GatewayTokenException}.
 */
@FunctionalInterface
public interface GatewayToken {
    CompletableFuture<Optional<Secret>> read();

    static GatewayToken none() {
        return () -> CompletableFuture.completedFuture(Optional.empty());
    }

    static GatewayToken of(Secret token) {
        Objects.requireNonNull(token, "token");
        return () -> CompletableFuture.completedFuture(Optional.of(token));
    }
}
