package dev.nexus.services.connect;

import dev.nexus.services.credentials.Secret;
import dev.nexus.services.credentials.use.MissingCredentialException;
import dev.nexus.services.credentials.use.ResolvedEnvironment;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The gateway token as the catalog asks for it. A gateway probe may name a reference
 * ({@code "token": "credential:gateway/token"} or {@code "op://vault/item/field"}); that one must be
 * readable. Without one, the credential {@code gateway/token} is used when it is set, else the
 * environment variable {@code NEXUS_GATEWAY_TOKEN} (or {@code OPENCLAW_GATEWAY_TOKEN}, which the gateway
 * itself reads), else no token at all.
 */
public final class GatewayTokens {
    public static final String DEFAULT_CREDENTIAL = "gateway/token";
    public static final String DEFAULT_REFERENCE = "credential:" + DEFAULT_CREDENTIAL;
    public static final List<String> ENVIRONMENT_VARIABLES = List.of("NEXUS_GATEWAY_TOKEN", "OPENCLAW_GATEWAY_TOKEN");
    /** The entry name under which the reference is resolved; it appears in "needs it for …" messages. */
    private static final String ENTRY = "its gateway token";

    private GatewayTokens() {
    }

    /**
     * @param reference   the probe's token reference, or null for the default (credential, then environment)
     * @param resolver    resolves catalog environment entries with credentials (the engine's
     *                    ServiceEnvironments, or an EnvironmentResolver on an executor); fails with a
     *                    {@link MissingCredentialException} as cause
     * @param environment where the fallback variables are looked up
     */
    public static GatewayToken resolving(String reference,
                                         Function<Map<String, String>, CompletableFuture<ResolvedEnvironment>> resolver,
                                         Supplier<Map<String, String>> environment) {
        String ref = reference != null ? reference : DEFAULT_REFERENCE;
        return () -> {
            CompletableFuture<ResolvedEnvironment> resolved;
            try {
                resolved = resolver.apply(Map.of(ENTRY, ref));
            } catch (RuntimeException e) {
                resolved = CompletableFuture.failedFuture(e);
            }
            return resolved.handle((env, error) -> {
                if (error == null) {
                    String value = env.env().get(ENTRY);
                    return value == null || value.isEmpty() ? fallback(reference, environment) : Optional.of(Secret.of(value));
                }
                Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                if (cause instanceof MissingCredentialException missing) {
                    boolean notSet = missing.problems().stream()
                            .allMatch(p -> p.kind() == MissingCredentialException.Kind.NOT_SET);
                    if (reference == null) {
                        Optional<Secret> fromEnv = fromEnvironment(environment.get());
                        if (fromEnv.isPresent() || notSet) {
                            return fromEnv;
                        }
                    }
                    throw new CompletionException(new GatewayTokenException(missing.getMessage()));
                }
                throw new CompletionException(new GatewayTokenException("cannot read the gateway token ("
                        + ref + "): " + Failures.describe(cause)));
            });
        };
    }

    private static Optional<Secret> fallback(String reference, Supplier<Map<String, String>> environment) {
        return reference == null ? fromEnvironment(environment.get()) : Optional.empty();
    }

    /** The first of {@link #ENVIRONMENT_VARIABLES} that is set and not empty. */
    public static Optional<Secret> fromEnvironment(Map<String, String> env) {
        for (String name : ENVIRONMENT_VARIABLES) {
            String value = env.get(name);
            if (value != null && !value.isBlank()) {
                return Optional.of(Secret.of(value.trim()));
            }
        }
        return Optional.empty();
    }
}
