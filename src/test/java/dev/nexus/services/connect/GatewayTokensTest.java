package dev.nexus.services.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.nexus.services.credentials.Secret;
import dev.nexus.services.credentials.use.EnvironmentResolver;
import dev.nexus.services.credentials.use.InMemoryCredentialStore;
import dev.nexus.services.credentials.use.MissingCredentialException;
import dev.nexus.services.credentials.use.ResolvedEnvironment;
import dev.nexus.services.credentials.use.StoreSecretSource;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Where the gateway token comes from: a named reference must resolve; the default prefers the credential
 * gateway/token, then the environment, then no token. The credential store is the in-memory TEST DOUBLE.
 */
class GatewayTokensTest {
    final InMemoryCredentialStore store = new InMemoryCredentialStore();
    final StoreSecretSource secrets = new StoreSecretSource(store);
    final Function<Map<String, String>, CompletableFuture<ResolvedEnvironment>> resolver = entries -> {
        try {
            return CompletableFuture.completedFuture(new EnvironmentResolver(secrets).resolve("gateway", Map.of(), entries));
        } catch (MissingCredentialException e) {
            return CompletableFuture.failedFuture(e);
        }
    };

    private Optional<String> read(String reference, Map<String, String> env) throws Exception {
        return GatewayTokens.resolving(reference, resolver, () -> env).read().get(5, TimeUnit.SECONDS).map(Secret::reveal);
    }

    private GatewayTokenException failure(String reference, Map<String, String> env) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> read(reference, env));
        return assertInstanceOf(GatewayTokenException.class, e.getCause());
    }

    @Test
    void theDefaultIsTheCredentialThenTheEnvironmentThenNoToken() throws Exception {
        Map<String, String> env = Map.of("NEXUS_GATEWAY_TOKEN", "from-env", "OPENCLAW_GATEWAY_TOKEN", "from-openclaw");
        assertEquals(Optional.empty(), read(null, Map.of()), "a gateway without auth needs none");
        assertEquals(Optional.of("from-openclaw"), read(null, Map.of("OPENCLAW_GATEWAY_TOKEN", "from-openclaw")));
        assertEquals(Optional.of("from-env"), read(null, env));
        store.put("gateway/token", "from-keychain");
        assertEquals(Optional.of("from-keychain"), read(null, env));
    }

    @Test
    void aLockedKeychainFallsBackToTheEnvironmentElseSaysSo() throws Exception {
        store.put("gateway/token", "from-keychain");
        store.lock(true);
        assertEquals(Optional.of("from-env"), read(null, Map.of("NEXUS_GATEWAY_TOKEN", "from-env")));
        assertEquals("credential gateway/token cannot be read (gateway needs it for its gateway token): "
                + "the test keyring is locked; unlock it and try again", failure(null, Map.of()).getMessage());
    }

    @Test
    void aNamedReferenceMustResolveAndIgnoresTheEnvironment() throws Exception {
        Map<String, String> env = Map.of("NEXUS_GATEWAY_TOKEN", "from-env");
        assertEquals("credential gateway/work is not set (gateway needs it for its gateway token); set it with "
                + "\"nexus-services credential set gateway/work\" or in Settings › Credentials",
                failure("credential:gateway/work", env).getMessage());
        store.put("gateway/work", "work-token");
        assertEquals(Optional.of("work-token"), read("credential:gateway/work", env));
        secrets.onePassword("op://Private/Gateway/token", "from-1password");
        assertEquals(Optional.of("from-1password"), read("op://Private/Gateway/token", env));
    }
}
