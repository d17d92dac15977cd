package dev.nexus.services.engine;

import dev.nexus.services.credentials.use.SecretSource;
import dev.nexus.services.credentials.use.SystemSecrets;
import dev.nexus.services.support.NexusPaths;
import java.time.Clock;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * How to build an engine. {@code environment} is the base environment children inherit (the
 * daemon's own, normally); {@code secrets} fills the catalog's credential references. Tests pass
 * their own clock, randomness, environment and secrets.
 */
public record EngineOptions(NexusPaths paths, Clock clock, RandomGenerator random, Map<String, String> environment,
                            SecretSource secrets) {
    public EngineOptions {
        environment = Map.copyOf(environment);
        if (secrets == null) {
            secrets = new SystemSecrets(paths, environment);
        }
    }

    /** With the user's real secrets (keychain and 1Password, opened on first use). */
    public EngineOptions(NexusPaths paths, Clock clock, RandomGenerator random, Map<String, String> environment) {
        this(paths, clock, random, environment, null);
    }

    public static EngineOptions defaults(NexusPaths paths) {
        return new EngineOptions(paths, Clock.systemUTC(), new java.util.SplittableRandom(), System.getenv());
    }
}
